//! A rate-limit outcome: how a tool (or a local quota) says "wait and retry".

use std::time::Duration;

use serde_json::{Value, json};

/// A rate limit reached upstream or locally.
///
/// A tool returns it through [`ToolError::rate_limited`](crate::ToolError::rate_limited).
/// The HTTP transport answers `429 Too Many Requests` with `ratelimit-limit`,
/// `ratelimit-remaining`, `ratelimit-reset` and `Retry-After`; on stdio the same
/// numbers travel in the JSON-RPC error's `data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window, when known.
    pub limit: Option<u64>,
    /// Requests left in the window, when known.
    pub remaining: Option<u64>,
    /// Time until the caller may retry.
    pub reset: Duration,
    /// Who imposed the limit, e.g. `"upstream"` or `"local"`.
    pub source: &'static str,
}

impl RateLimit {
    /// A limit that resets after `reset`.
    pub fn new(reset: Duration) -> Self {
        Self {
            limit: None,
            remaining: None,
            reset,
            source: "upstream",
        }
    }

    /// The reset in whole seconds, rounded up (what `ratelimit-reset` carries).
    pub fn reset_secs(&self) -> u64 {
        let secs = self.reset.as_secs();
        if self.reset.subsec_nanos() > 0 {
            secs + 1
        } else {
            secs
        }
    }

    /// The JSON-RPC error `data` describing this limit.
    pub fn to_data(&self) -> Value {
        json!({
            "rateLimit": {
                "limit": self.limit,
                "remaining": self.remaining,
                "reset": self.reset_secs(),
                "retryAfter": self.reset_secs(),
                "source": self.source,
            }
        })
    }
}
