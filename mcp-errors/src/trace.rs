//! Recording upstream outcomes on the current `tracing` span.

use tracing::Span;

use crate::{NormalizedError, UpstreamResponse};

/// The span field for the upstream HTTP status.
pub const UPSTREAM_STATUS_FIELD: &str = "upstream_status";
/// The span field for the normalized error code.
pub const UPSTREAM_CODE_FIELD: &str = "upstream_code";

/// Records the upstream status and the normalized error code on the current span
/// (the dispatcher's `mcp.request` span inside a tool) and logs the outcome at
/// `debug` (`warn` for errors that need re-authentication).
///
/// A span records only fields it declared: the span must declare
/// [`UPSTREAM_STATUS_FIELD`] and [`UPSTREAM_CODE_FIELD`] (as
/// `tracing::field::Empty`) for them to appear on it; the log event always carries
/// them.
pub fn record_upstream(response: &UpstreamResponse, error: Option<&NormalizedError>) {
    let span = Span::current();
    span.record(UPSTREAM_STATUS_FIELD, response.status());
    let code = error.map(|e| e.code.as_deref().unwrap_or("error"));
    if let Some(code) = code {
        span.record(UPSTREAM_CODE_FIELD, code);
    }
    match error {
        Some(e) if e.needs_reauth => tracing::warn!(
            upstream_status = response.status(),
            upstream_code = code,
            provider = e.provider.as_deref(),
            "upstream rejected the credentials; the account needs re-authorization"
        ),
        Some(e) => tracing::debug!(
            upstream_status = response.status(),
            upstream_code = code,
            status = e.status,
            "upstream error"
        ),
        None => tracing::debug!(upstream_status = response.status(), "upstream ok"),
    }
}
