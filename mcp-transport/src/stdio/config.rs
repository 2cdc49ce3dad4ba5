//! [`ServeConfig`]: the stdio transport's limits.

use std::time::Duration;

/// The limits of [`serve`](super::serve) and [`serve_with`](super::serve_with).
/// Every default is the safe one; each setter says its default (the same style as
/// [`http::ServeConfig`](crate::http::ServeConfig)).
///
/// ```
/// use std::time::Duration;
/// use mcp_transport::stdio::ServeConfig;
/// let config = ServeConfig::default()
///     .max_in_flight(64)
///     .shutdown_grace(Duration::from_secs(2));
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub(super) max_line_bytes: usize,
    pub(super) max_in_flight: usize,
    pub(super) shutdown_grace: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            max_line_bytes: 16 * 1024 * 1024,
            max_in_flight: 512,
            shutdown_grace: Duration::from_millis(500),
        }
    }
}

impl ServeConfig {
    /// Longest accepted line in bytes (default 16 MiB); a longer one is answered
    /// with an error and skipped.
    #[must_use]
    pub fn max_line_bytes(mut self, bytes: usize) -> Self {
        self.max_line_bytes = bytes;
        self
    }

    /// Requests served at once; reading pauses while this many run (default 512).
    #[must_use]
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests;
        self
    }

    /// How long in-flight requests may finish after end of input (default 500 ms).
    #[must_use]
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }
}
