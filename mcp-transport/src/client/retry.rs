//! Whether to resend after a `429`, and how long to wait first: the server's hint
//! as the floor, plus jitter, or exponential backoff when the server gives none.

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::RETRY_AFTER;

/// Retry settings for `429 Too Many Requests`.
#[derive(Clone, Debug)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub(crate) max_retries: u32,
    /// First backoff when the server names no wait; doubles per retry.
    pub(crate) backoff: Duration,
    /// Longest single wait; a server asking for more is not waited for.
    pub(crate) max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            backoff: Duration::from_secs(2),
            max_wait: Duration::from_secs(120),
        }
    }
}

/// Whether a request may be sent again after a `429`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Sending it twice does no harm: any request but `tools/call`, and calls of
    /// tools the server lists as read-only or idempotent.
    Safe,
    /// A `tools/call` that may have side effects: resent only when the `429` says
    /// the server's own limiter refused it before the tool ran.
    IfRefusedBeforeRunning,
}

/// The most of a `429` body read to find out who refused the request.
pub(crate) const MAX_429_BODY: usize = 64 * 1024;

/// Whether a `429` body says a local limiter (a quota, the failed-authentication
/// throttle) refused the request before it ran: a JSON-RPC error whose
/// `data.rateLimit.source` is `"local"`. An upstream `429` a tool passed through,
/// possibly after side effects, says `"upstream"`; anything else says nothing.
pub(crate) fn refused_before_running(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| {
        v.pointer("/error/data/rateLimit/source")
            .and_then(serde_json::Value::as_str)
            == Some("local")
    })
}

/// The wait the server asks for: `ratelimit-reset` (seconds) or `Retry-After`
/// (seconds or an HTTP date), the longer when both are present.
pub(crate) fn hinted_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let reset = headers
        .get("ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v.trim(), now));
    match (reset, retry_after) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): the hint, or the backoff, plus
    /// up to 10 % (at most 5 s) of jitter so many clients do not retry in step.
    pub(crate) fn wait(&self, hint: Option<Duration>, retry: u32) -> Duration {
        let base = hint.unwrap_or_else(|| {
            self.backoff
                .saturating_mul(1u32 << retry.min(16))
                .min(self.max_wait)
        });
        let spread = (base / 10).min(Duration::from_secs(5));
        base + spread.mul_f64(random_unit())
    }
}

/// A number in `[0, 1)` from the standard library's randomly keyed hasher.
fn random_unit() -> f64 {
    let bits = RandomState::new().hash_one(SystemTime::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_local_refusal_counts_as_before_running() {
        let local = br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32010,"message":"x","data":{"rateLimit":{"source":"local","reset":1}}}}"#;
        assert!(refused_before_running(local));
        for other in [
            &br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32010,"message":"x","data":{"rateLimit":{"source":"upstream"}}}}"#[..],
            br#"{"error":{"data":{"rateLimit":{}}}}"#,
            br#"{"rateLimit":{"source":"local"}}"#,
            b"{}",
            b"",
            b"Too Many Requests",
        ] {
            assert!(!refused_before_running(other), "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn reads_each_header_form() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            hinted_wait(&headers(&[("ratelimit-reset", "42")]), now),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", "7")]), now),
            Some(Duration::from_secs(7))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            hinted_wait(
                &headers(&[("ratelimit-reset", "3"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_secs(9))
        );
        assert_eq!(hinted_wait(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(hinted_wait(&HeaderMap::new(), now), None);
    }

    #[test]
    fn hint_is_the_floor_and_backoff_doubles() {
        let p = RetryPolicy {
            max_retries: 3,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
        };
        for _ in 0..100 {
            let w = p.wait(Some(Duration::from_secs(10)), 0);
            assert!(
                w >= Duration::from_secs(10) && w <= Duration::from_secs(11),
                "{w:?}"
            );
            let w = p.wait(None, 2);
            assert!(
                w >= Duration::from_secs(4) && w <= Duration::from_millis(4400),
                "{w:?}"
            );
        }
        assert!(p.wait(None, 30) <= Duration::from_secs(65));
    }
}
