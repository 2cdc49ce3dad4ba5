//! Building HTTP responses: JSON-RPC bodies, status mapping, `429` headers.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use http::{Response as HttpResponse, StatusCode};
use mcp_core::jsonrpc::{ErrorObject, Response};

use super::Body;

pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The HTTP status for a JSON-RPC response, per the Streamable HTTP table.
/// `modern` says whether the request was in the modern era.
pub(crate) fn status_for(response: &Response, modern: bool) -> StatusCode {
    if response.rate_limit().is_some() {
        return StatusCode::TOO_MANY_REQUESTS;
    }
    let Some(error) = response.error_object() else {
        return StatusCode::OK;
    };
    match error.code() {
        ErrorObject::METHOD_NOT_FOUND if modern => StatusCode::NOT_FOUND,
        ErrorObject::PARSE_ERROR
        | ErrorObject::INVALID_REQUEST
        | ErrorObject::HEADER_MISMATCH
        | ErrorObject::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorObject::UNSUPPORTED_PROTOCOL_VERSION => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    }
}

/// A JSON-RPC response as an HTTP response with `status`; `429` gains the
/// `ratelimit-*` and `Retry-After` headers.
pub(crate) fn json(response: &Response, status: StatusCode) -> HttpResponse<Body> {
    let mut out = HttpResponse::new(Body::from(response.encode()));
    *out.status_mut() = status;
    let headers = out.headers_mut();
    headers.insert(CONTENT_TYPE, JSON);
    if let Some(limit) = response.rate_limit() {
        let reset = HeaderValue::from(limit.reset_secs());
        if let Some(l) = limit.limit {
            headers.insert(RATELIMIT_LIMIT, HeaderValue::from(l));
        }
        headers.insert(
            RATELIMIT_REMAINING,
            HeaderValue::from(limit.remaining.unwrap_or(0)),
        );
        headers.insert(RATELIMIT_RESET, reset.clone());
        headers.insert(RETRY_AFTER, reset);
    }
    out
}

/// An error with no request id, e.g. for a body that could not be decoded.
pub(crate) fn error(status: StatusCode, error: ErrorObject) -> HttpResponse<Body> {
    json(&Response::error(None, error), status)
}

/// A bare status with an optional short text body.
pub(crate) fn plain(status: StatusCode, text: &'static str) -> HttpResponse<Body> {
    let mut out = HttpResponse::new(Body::from(Bytes::from_static(text.as_bytes())));
    *out.status_mut() = status;
    if !text.is_empty() {
        out.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    out
}

/// `ratelimit-limit` (IETF draft).
pub(crate) const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
/// `ratelimit-remaining`.
pub(crate) const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
/// `ratelimit-reset`, in seconds.
pub(crate) const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
