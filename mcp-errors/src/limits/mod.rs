//! [`UpstreamLimits`]: caps on what is read from an upstream API, and the
//! normalized errors for an answer that could not be read.

pub(crate) mod failure;
mod read;

use std::fmt::Display;
use std::future::IntoFuture;
use std::time::Duration;

use crate::{NormalizedError, UpstreamResponse};

/// How much of an upstream answer is read, and how long it may take.
///
/// A third-party API is not trusted to answer briefly or at all: without a cap a
/// response of gigabytes fills the server's memory, and without a deadline a call
/// that never answers holds the tool (and the caller) forever. Each reader sends
/// the request, waits for the answer and reads its body to the end within
/// [`timeout`](Self::timeout) (30 s by default), reading at most
/// [`max_body`](Self::max_body) bytes (1 MiB by default; a `Content-Length` over it
/// is refused before any byte is read). A failure is a [`NormalizedError`] the
/// model can act on, with the code
///
/// - `upstream_response_too_large` (502): ask for less;
/// - `upstream_timeout` (504): retry later or ask for less;
/// - `upstream_unreachable` (502): the connection failed (its reason, with
///   internal host names redacted).
///
/// Its `upstream_status` is the upstream's status when the headers arrived, else 0.
///
/// ```
/// use std::time::Duration;
/// use mcp_errors::UpstreamLimits;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let limits = UpstreamLimits::new().max_body(64 * 1024).timeout(Duration::from_secs(5));
/// // Any future answering an `http::Response` (hyper's client, a tower service):
/// let reply = http::Response::new(http_body_util::Full::new(bytes::Bytes::from("x".repeat(100_000))));
/// let err = limits
///     .read(async { Ok::<_, std::convert::Infallible>(reply) })
///     .await
///     .unwrap_err();
/// assert_eq!(err.code.as_deref(), Some("upstream_response_too_large"));
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpstreamLimits {
    max_body: usize,
    timeout: Duration,
}

impl Default for UpstreamLimits {
    fn default() -> Self {
        Self {
            max_body: 1 << 20,
            timeout: Duration::from_secs(30),
        }
    }
}

impl UpstreamLimits {
    /// 1 MiB and 30 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads at most `bytes` of a body (default 1 MiB).
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Allows `timeout` for the whole exchange: sending, the answer's head and its
    /// body (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The body cap in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    /// The time allowed for one exchange.
    pub fn time_limit(&self) -> Duration {
        self.timeout
    }

    /// Awaits `exchange` (e.g. hyper's `client.request(request)`, or
    /// `async { Ok(response) }` for a response already received) and reads the
    /// body, within the limits.
    ///
    /// # Errors
    /// `upstream_response_too_large`, `upstream_timeout` or
    /// `upstream_unreachable` (the exchange's error or the body's).
    pub async fn read<F, B, E>(&self, exchange: F) -> Result<UpstreamResponse, NormalizedError>
    where
        F: IntoFuture<Output = Result<http::Response<B>, E>>,
        E: Display,
        B: http_body::Body,
        B::Error: Display,
    {
        let mut status = None;
        let work = read::http(exchange.into_future(), self.max_body, &mut status);
        match tokio_timeout(self.timeout, work).await {
            Some(result) => result,
            None => Err(failure::timeout(status, self.timeout)),
        }
    }

    /// Awaits a `reqwest` exchange (`client.get(url).send()`) and reads the body,
    /// within the limits.
    ///
    /// # Errors
    /// As for [`read`](Self::read).
    #[cfg(feature = "reqwest")]
    pub async fn read_reqwest<F>(&self, exchange: F) -> Result<UpstreamResponse, NormalizedError>
    where
        F: IntoFuture<Output = reqwest::Result<reqwest::Response>>,
    {
        let mut status = None;
        let work = read::reqwest(exchange.into_future(), self.max_body, &mut status);
        match tokio_timeout(self.timeout, work).await {
            Some(result) => result,
            None => Err(failure::timeout(status, self.timeout)),
        }
    }
}

/// `fut` unless `limit` passes first.
async fn tokio_timeout<T>(limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout(limit, fut).await.ok()
}
