//! The shapes every chain ends with, for any response with an error status: JSON
//! with common keys, HTML pages, plain text, binary and empty bodies.

use std::borrow::Cow;

use serde_json::Value;

use super::{at, text_of};
use crate::finish::reason;
use crate::text::{html_summary, looks_like_html, prefix};
use crate::{NormalizedError, UpstreamResponse};

/// How much of a text body becomes the message (the sanitizer caps it again).
const TEXT_PREFIX: usize = 64 * 1024;

/// Where a message hides in the common JSON error shapes, in order.
const MESSAGE_PATHS: &[&[&str]] = &[
    &["error", "message"],
    &["error_description"],
    &["message"],
    &["detail"],
    &["error"],
    &["errorMessage"],
    &["error_message"],
    &["msg"],
    &["title"],
    &["description"],
    &["fault", "faultstring"],
    &["Message"],
];

/// Where a code hides, in order.
const CODE_PATHS: &[&[&str]] = &[
    &["error", "code"],
    &["error", "type"],
    &["code"],
    &["error_code"],
    &["errorCode"],
    &["error", "status"],
    &["type"],
    &["reason"],
    &["fault", "detail", "errorcode"],
];

pub(super) fn normalize(response: &UpstreamResponse) -> Option<NormalizedError> {
    let status = response.status();
    if let Some(body) = response.json() {
        if status >= 400 {
            return Some(json(status, body));
        }
        return explicit_failure(body);
    }
    if status < 400 {
        return None;
    }
    let body = response.body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(NormalizedError::new(status, reason(status)));
    }
    let head = &body[..body.len().min(TEXT_PREFIX)];
    let text = decode(head, response.header("content-type"));
    if is_binary(head, &text) {
        let message = format!(
            "{}: the upstream answered with a non-text body of {} bytes.",
            reason(status),
            body.len()
        );
        return Some(NormalizedError::new(status, message));
    }
    let content_type = response.content_type();
    if looks_like_html(content_type.as_deref(), &text) {
        let message = html_summary(&text).unwrap_or_else(|| reason(status).to_owned());
        return Some(NormalizedError::new(status, message));
    }
    Some(NormalizedError::new(status, prefix(&text, TEXT_PREFIX)))
}

/// A JSON error body of any shape.
fn json(status: u16, body: &Value) -> NormalizedError {
    let target = match body {
        Value::Array(items) => items.first().unwrap_or(body),
        _ => body,
    };
    let message = MESSAGE_PATHS
        .iter()
        .find_map(|p| at(target, p).and_then(Value::as_str))
        .map(str::to_owned)
        .or_else(|| first_error_message(target))
        .unwrap_or_else(|| reason(status).to_owned());
    let mut err = NormalizedError::new(status, message.clone());
    let code = CODE_PATHS
        .iter()
        .find_map(|p| at(target, p).and_then(text_of))
        .or_else(|| {
            // `{"error": "not_found", "message": "..."}`: the string error is the code.
            let e = at(target, &["error"]).and_then(Value::as_str)?;
            (e != message && !e.contains(' ')).then(|| e.to_owned())
        });
    if let Some(code) = code {
        err = err.with_code(code);
    }
    for key in [
        "request_id",
        "requestId",
        "correlation_id",
        "traceId",
        "trace_id",
    ] {
        if let Some(id) = at(target, &[key]).and_then(text_of) {
            err = err.with_metadata("requestId", id);
            break;
        }
    }
    err
}

/// `{"errors": ["msg"]}` or `{"errors": [{"message": "msg"}]}`.
fn first_error_message(body: &Value) -> Option<String> {
    let first = body.get("errors")?.as_array()?.first()?;
    first
        .as_str()
        .or_else(|| first.get("message").and_then(Value::as_str))
        .map(str::to_owned)
}

/// A success status whose body says it failed anyway: `{"success": false}`,
/// `{"status": "error"}`, `{"error": {"message": ...}}`.
fn explicit_failure(body: &Value) -> Option<NormalizedError> {
    let failed = body.get("success") == Some(&Value::Bool(false))
        || body.get("status").and_then(Value::as_str) == Some("error")
        || body
            .get("error")
            .is_some_and(|e| e.is_object() && e.get("message").is_some());
    failed.then(|| json(400, body))
}

/// Text in its declared charset: Latin-1 (and its Windows superset, approximately)
/// byte for byte, anything else as UTF-8 with invalid bytes replaced.
fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    let latin1 = content_type.is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ["iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252"]
            .iter()
            .any(|cs| ct.contains(&format!("charset={cs}")))
    });
    if latin1 && std::str::from_utf8(bytes).is_err() {
        return Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect());
    }
    String::from_utf8_lossy(bytes)
}

/// More than 10% replacement characters, or NUL bytes: not text.
fn is_binary(bytes: &[u8], text: &str) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let replaced = text
        .chars()
        .filter(|&c| c == char::REPLACEMENT_CHARACTER)
        .count();
    replaced * 10 > text.chars().count().max(1)
}
