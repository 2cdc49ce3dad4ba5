//! Reading upstream rate-limit information from response headers.

mod fields;
mod retry_after;

pub use retry_after::parse_retry_after;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// The longest wait ever reported; larger values are capped to it.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest limit or remaining count kept; larger values are capped to it.
const MAX_COUNT: u64 = 1 << 40;

/// Values at or above this in a `*-Reset` header are Unix times, not delays
/// (2001-09-09; GitHub's `x-ratelimit-reset` is epoch seconds).
const EPOCH_THRESHOLD: u64 = 1_000_000_000;

/// What an upstream said about its rate limit.
///
/// Read from `Retry-After` (delay seconds or an HTTP date in any of the three RFC 9110
/// formats, taken relative to the response's `Date`), `X-RateLimit-*` and
/// `X-Rate-Limit-*` (a reset of 10 digits or more is a Unix time), the IETF draft's
/// `RateLimit-Limit`/`-Remaining`/`-Reset`, and the structured `RateLimit` and
/// `RateLimit-Policy` fields. Negative values become 0, waits are capped at
/// [`MAX_WAIT`], malformed fields are ignored.
///
/// ```
/// use http::HeaderMap;
/// use mcp_errors::RateLimitInfo;
/// use std::time::Duration;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "42".parse().unwrap());
/// headers.insert("x-ratelimit-limit", "100".parse().unwrap());
/// headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
/// let info = RateLimitInfo::from_headers(&headers);
/// assert_eq!(info.limit, Some(100));
/// assert_eq!(info.remaining, Some(0));
/// assert_eq!(info.wait(), Some(Duration::from_secs(42)));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitInfo {
    /// Requests allowed per window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// Time until the window resets.
    pub reset: Option<Duration>,
    /// Time the upstream asked the caller to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl RateLimitInfo {
    /// Reads the headers, taking dates relative to the `Date` header or, without
    /// one, to the current time.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self::from_headers_at(headers, SystemTime::now())
    }

    /// Reads the headers, taking dates relative to the `Date` header or, without
    /// one, to `now`.
    pub fn from_headers_at(headers: &HeaderMap, now: SystemTime) -> Self {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let base = get("date")
            .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
            .unwrap_or(now);
        let mut info = Self {
            retry_after: get("retry-after").and_then(|v| parse_retry_after(v, base)),
            ..Self::default()
        };
        if let Some(structured) = get("ratelimit").and_then(fields::parse_ratelimit) {
            info.remaining = structured.remaining;
            info.reset = structured.reset.map(cap_wait);
            info.limit = structured.limit;
            if info.limit.is_none() {
                info.limit = get("ratelimit-policy")
                    .and_then(|p| fields::parse_policy(p, structured.name.as_deref()));
            }
        }
        info.limit = info
            .limit
            .or_else(|| get("ratelimit-policy").and_then(|p| fields::parse_policy(p, None)))
            .or_else(|| {
                first_of(
                    &get,
                    &["ratelimit-limit", "x-ratelimit-limit", "x-rate-limit-limit"],
                    count,
                )
            });
        info.remaining = info.remaining.or_else(|| {
            first_of(
                &get,
                &[
                    "ratelimit-remaining",
                    "x-ratelimit-remaining",
                    "x-rate-limit-remaining",
                ],
                count,
            )
        });
        info.reset = info
            .reset
            .or_else(|| {
                first_of(
                    &get,
                    &["ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"],
                    |v| reset(v, base),
                )
            })
            .or_else(|| {
                first_of(&get, &["x-ratelimit-reset-after"], |v| {
                    seconds(v).map(cap_secs)
                })
            });
        info.limit = info.limit.map(|n| n.min(MAX_COUNT));
        info.remaining = info.remaining.map(|n| n.min(MAX_COUNT));
        info
    }

    /// How long to wait: `Retry-After` if given, else the reset.
    pub fn wait(&self) -> Option<Duration> {
        self.retry_after.or(self.reset)
    }

    /// Whether the window is used up (`remaining` is 0).
    pub fn is_exhausted(&self) -> bool {
        self.remaining == Some(0)
    }

    /// Whether any rate-limit header was found.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

fn first_of<'h, T>(
    get: &impl Fn(&str) -> Option<&'h str>,
    names: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    names.iter().find_map(|n| get(n).and_then(&parse))
}

/// A count: the first list member's leading integer (`"100"`, `"100, 100;w=60"`).
/// Negative counts become 0.
fn count(value: &str) -> Option<u64> {
    let first = value.split(',').next()?.split(';').next()?.trim();
    let n = seconds(first)?;
    Some(n as u64)
}

/// A non-negative number of seconds (fractions rounded up, negatives 0), saturating.
pub(crate) fn seconds(value: &str) -> Option<f64> {
    let value = value.trim();
    if value.is_empty() || value.len() > 32 {
        return None;
    }
    let n: f64 = value.parse().ok()?;
    if !n.is_finite() {
        return None;
    }
    Some(n.max(0.0).ceil())
}

fn cap_secs(secs: f64) -> Duration {
    if secs >= MAX_WAIT.as_secs_f64() {
        MAX_WAIT
    } else {
        Duration::from_secs(secs as u64)
    }
}

fn cap_wait(d: Duration) -> Duration {
    d.min(MAX_WAIT)
}

/// A `*-Reset` value: delay seconds, or a Unix time (seconds, or milliseconds when
/// 13 digits or more) taken relative to `base`.
fn reset(value: &str, base: SystemTime) -> Option<Duration> {
    let secs = seconds(value)?;
    if secs < EPOCH_THRESHOLD as f64 {
        return Some(cap_secs(secs));
    }
    let epoch_secs = if secs >= 1e12 { secs / 1000.0 } else { secs };
    let base = base.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    Some(cap_secs((epoch_secs - base).max(0.0).ceil()))
}
