//! What several targets share: a runtime for the async entry points, input
//! splitting, and the `_meta` of a modern request.

use std::future::Future;

use bytes::Bytes;
use http_body_util::Full;
use mcp_transport::http::McpService;
use serde_json::{Value, json};

/// The modern protocol version.
pub(crate) const MODERN: &str = "2026-07-28";

thread_local! {
    static RUNTIME: Option<tokio::runtime::Runtime> = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .ok();
}

/// Runs `future` to completion on this thread's runtime.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.with(|rt| match rt {
        Some(rt) => rt.block_on(future),
        None => panic!("no tokio runtime"),
    })
}

/// `data` up to the first newline, and the rest.
pub(crate) fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// `_meta` of a modern request whose client declares `capabilities`.
pub(crate) fn modern_meta(capabilities: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": capabilities,
    })
}

/// A POST of `body` to `/mcp` with `headers` (pairs whose value is not a valid
/// header value are left out), answered by `service`: the status and the body.
pub(crate) fn post(
    service: &McpService,
    body: Vec<u8>,
    headers: &[(&str, &[u8])],
) -> (http::StatusCode, Vec<u8>) {
    let mut request = http::Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (name, value) in headers {
        if let Ok(value) = http::HeaderValue::from_bytes(value) {
            request = request.header(*name, value);
        }
    }
    let Ok(request) = request.body(Full::new(Bytes::from(body))) else {
        panic!("a request with valid parts");
    };
    block_on(async {
        let response = service.handle(request).await;
        let status = response.status();
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        (status, body)
    })
}

/// The JSON-RPC message in an HTTP response body: plain JSON, or the last `data:`
/// line of an SSE stream.
pub(crate) fn message_of(body: &[u8]) -> Option<Value> {
    if let Ok(v) = serde_json::from_slice(body) {
        return Some(v);
    }
    let text = std::str::from_utf8(body).ok()?;
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter(|d| !d.trim().is_empty())
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .next_back()
}
