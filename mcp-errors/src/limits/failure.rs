//! The normalized errors for an upstream answer that could not be read at all:
//! too large, too deeply nested, too slow, or never reached.

use std::time::Duration;

use crate::NormalizedError;
use crate::text::Sanitizer;

/// The code of an upstream body over the size cap.
pub(crate) const TOO_LARGE: &str = "upstream_response_too_large";
/// The code of an upstream JSON body nested deeper than the SDK parses.
pub(crate) const TOO_DEEP: &str = "upstream_response_too_deep";
/// The code of an upstream that did not answer in time.
pub(crate) const TIMEOUT: &str = "upstream_timeout";
/// The code of an upstream that could not be reached (or dropped the connection).
pub(crate) const UNREACHABLE: &str = "upstream_unreachable";

/// The body was larger than `max` bytes; `status` is the upstream's, when known.
pub(crate) fn too_large(status: Option<u16>, max: usize) -> NormalizedError {
    failure(
        502,
        status,
        TOO_LARGE,
        format!(
            "The upstream API answered with more than {} of data; it was not read.",
            bytes(max)
        ),
        "Ask for less: narrow the query, filter the fields, or use a smaller page size.",
    )
}

/// The JSON body nests deeper than [`mcp_core::jsonrpc::MAX_JSON_DEPTH`] levels.
pub(crate) fn too_deep(status: u16) -> NormalizedError {
    failure(
        if status >= 400 { status } else { 502 },
        Some(status),
        TOO_DEEP,
        format!(
            "The upstream API answered with JSON nested deeper than {} levels; it was not read.",
            mcp_core::jsonrpc::MAX_JSON_DEPTH
        ),
        "The upstream answer is malformed; retrying with the same arguments will not help.",
    )
}

/// No complete answer within `limit`.
pub(crate) fn timeout(status: Option<u16>, limit: Duration) -> NormalizedError {
    failure(
        504,
        status,
        TIMEOUT,
        format!(
            "The upstream API did not answer within {} s.",
            limit.as_secs_f64()
        ),
        "Retry later, or ask for less data at once.",
    )
}

/// The connection failed; `why` is the client's error text (redacted here).
pub(crate) fn unreachable(status: Option<u16>, why: &str) -> NormalizedError {
    let why = Sanitizer::default().clean(why, &[]);
    failure(
        502,
        status,
        UNREACHABLE,
        format!("The upstream API could not be reached: {why}"),
        "Retry later; if it keeps failing, the service may be down.",
    )
}

fn failure(
    status: u16,
    upstream: Option<u16>,
    code: &str,
    message: String,
    hint: &str,
) -> NormalizedError {
    NormalizedError::new(status, message)
        .with_upstream_status(upstream.unwrap_or(0))
        .with_code(code)
        .with_hint(hint)
}

fn bytes(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}
