//! `Retry-After`: delay seconds or an HTTP date.

use std::time::{Duration, SystemTime};

use super::{cap_secs, seconds};

/// Parses a `Retry-After` value: delay seconds (negative → 0, fractions rounded up),
/// or an HTTP date in IMF-fixdate, RFC 850 or asctime format, taken relative to
/// `base` (the response's `Date`); a date in the past is 0. Waits are capped at
/// [`MAX_WAIT`](super::MAX_WAIT); a malformed value is `None`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use mcp_errors::parse_retry_after;
/// let base = UNIX_EPOCH + Duration::from_secs(784111777); // Sun, 06 Nov 1994 08:49:37 GMT
/// assert_eq!(parse_retry_after("120", base), Some(Duration::from_secs(120)));
/// assert_eq!(
///     parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", base),
///     Some(Duration::from_secs(60))
/// );
/// assert_eq!(parse_retry_after("soon", base), None);
/// ```
pub fn parse_retry_after(value: &str, base: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let first = value.bytes().next()?;
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        return seconds(value).map(cap_secs);
    }
    if value.len() > 64 {
        return None;
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at.duration_since(base).unwrap_or(Duration::ZERO);
    Some(cap_secs(wait.as_secs_f64().ceil()))
}
