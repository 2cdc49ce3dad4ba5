//! `rate_limit`: the rate-limit and `Retry-After` header parsers of `mcp-errors`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_errors::{MAX_WAIT, RateLimitInfo, parse_retry_after};

use crate::upstream::headers;

/// `data` is header lines (`name: value`). Reads them as rate-limit headers and
/// each value as a `Retry-After`: no wait exceeds [`MAX_WAIT`]; whole seconds and
/// HTTP dates written from a parsed wait read back the same.
pub fn rate_limit(data: &[u8]) {
    let now = UNIX_EPOCH + Duration::from_secs(1_780_000_000);
    let headers = headers(data);
    let info = RateLimitInfo::from_headers_at(&headers, now);
    for wait in [info.wait(), info.reset, info.retry_after]
        .into_iter()
        .flatten()
    {
        assert!(wait <= MAX_WAIT, "{wait:?} from {headers:?}");
    }
    let _ = (
        info.is_exhausted(),
        info.is_empty(),
        RateLimitInfo::from_headers(&headers),
    );
    for value in headers.values() {
        let Ok(value) = value.to_str() else {
            continue;
        };
        let Some(wait) = parse_retry_after(value, now) else {
            continue;
        };
        assert!(wait <= MAX_WAIT, "Retry-After {value:?} is {wait:?}");
        round_trip(wait, now);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(wait) = parse_retry_after(text, now)
    {
        assert!(wait <= MAX_WAIT);
        round_trip(wait, now);
    }
}

/// A wait written as seconds and as an HTTP date reads back unchanged.
fn round_trip(wait: Duration, now: SystemTime) {
    let secs = wait.as_secs();
    assert_eq!(
        parse_retry_after(&secs.to_string(), now),
        Some(Duration::from_secs(secs))
    );
    let date = httpdate::fmt_http_date(now + Duration::from_secs(secs));
    assert_eq!(
        parse_retry_after(&date, now),
        Some(Duration::from_secs(secs)),
        "{date}"
    );
}
