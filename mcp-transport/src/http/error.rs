//! [`Error`]: the one error type of this crate.

use std::time::Duration;

use mcp_core::jsonrpc::ErrorObject;

/// What went wrong serving or calling an MCP server over HTTP or stdio.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a socket, pipe or process failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The configuration is unusable (the message says why and what to set).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The server answered with an unexpected HTTP status.
    #[error("HTTP {status}: {body}")]
    Http {
        /// The status code.
        status: u16,
        /// The start of the response body, for diagnosis.
        body: String,
    },
    /// The server answered with a JSON-RPC error.
    #[error("JSON-RPC error: {0}")]
    Rpc(ErrorObject),
    /// Still rate limited (`429`) after the allowed retries, or asked to wait longer
    /// than allowed.
    #[error("rate limited: gave up after {attempts} attempts and {waited:?} of waiting{}", retry_after.map(|d| format!("; the server asks to retry after {d:?}")).unwrap_or_default())]
    RateLimited {
        /// Requests sent, the first included.
        attempts: u32,
        /// Total time spent waiting between them.
        waited: Duration,
        /// The wait the server asked for in its last answer, when it said.
        retry_after: Option<Duration>,
    },
    /// The peer broke the protocol: malformed JSON, a closed stream, a missing reply.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// No answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
}
