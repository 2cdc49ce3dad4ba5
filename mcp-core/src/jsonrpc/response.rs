//! Outgoing JSON-RPC responses and notifications, encoded straight to bytes.

use std::io::Write;

use serde::Serialize;
use serde_json::value::RawValue;

use super::{ErrorObject, RequestId};
use crate::RateLimit;

/// One JSON-RPC response: a result or an error for a request id.
#[derive(Debug, Clone)]
pub struct Response {
    id: Option<RequestId>,
    body: Body,
    rate_limit: Option<Box<RateLimit>>,
}

#[derive(Debug, Clone)]
enum Body {
    /// Encoded JSON, produced by this crate's serializers.
    Result(Box<str>),
    Error(ErrorObject),
}

impl Response {
    /// A success response carrying an already-encoded result.
    pub fn result(id: RequestId, result: Box<RawValue>) -> Self {
        let json: Box<str> = result.into();
        Self::encoded(id, json)
    }

    /// A success response whose result is JSON this crate encoded.
    pub(crate) fn encoded(id: RequestId, json: Box<str>) -> Self {
        Self {
            id: Some(id),
            body: Body::Result(json),
            rate_limit: None,
        }
    }

    /// A success response, serializing `result`.
    pub fn serialize_result(id: RequestId, result: &impl Serialize) -> Self {
        match serde_json::to_string(result) {
            Ok(json) => Self::encoded(id, json.into_boxed_str()),
            Err(e) => Self::error(Some(id), ErrorObject::internal(e)),
        }
    }

    /// An error response; `id` is `None` (sent as `null`) when the request's id
    /// could not be read.
    pub fn error(id: Option<RequestId>, error: ErrorObject) -> Self {
        Self {
            id,
            body: Body::Error(error),
            rate_limit: None,
        }
    }

    pub(crate) fn with_rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = Some(Box::new(rate_limit));
        self
    }

    /// The id this response answers (`None` for a `null` id).
    pub fn id(&self) -> Option<&RequestId> {
        self.id.as_ref()
    }

    /// The error, when this is an error response.
    pub fn error_object(&self) -> Option<&ErrorObject> {
        match &self.body {
            Body::Error(e) => Some(e),
            Body::Result(_) => None,
        }
    }

    /// The encoded result, when this is a success response.
    pub fn result_json(&self) -> Option<&str> {
        match &self.body {
            Body::Result(r) => Some(r),
            Body::Error(_) => None,
        }
    }

    /// The rate limit that caused this error, for transports that report it out of
    /// band (HTTP `429` with `ratelimit-*` headers).
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.rate_limit.as_deref()
    }

    /// Encodes the response as one line of JSON (no trailing newline).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.body_len());
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoded response to `out` (no trailing newline).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        write_id(out, self.id.as_ref());
        match &self.body {
            Body::Result(r) => {
                out.extend_from_slice(b",\"result\":");
                out.extend_from_slice(r.as_bytes());
            }
            Body::Error(e) => {
                out.extend_from_slice(b",\"error\":");
                // Serializing an ErrorObject (strings, integers, a Value) cannot fail.
                let _ = serde_json::to_writer(&mut *out, e);
            }
        }
        out.push(b'}');
    }

    fn body_len(&self) -> usize {
        match &self.body {
            Body::Result(r) => r.len(),
            Body::Error(e) => e.message().len() + 64,
        }
    }
}

fn write_id(out: &mut Vec<u8>, id: Option<&RequestId>) {
    match id {
        None => out.extend_from_slice(b"null"),
        Some(RequestId::Number(n)) => {
            let _ = write!(out, "{n}");
        }
        Some(RequestId::String(s)) => {
            let _ = serde_json::to_writer(&mut *out, &**s);
        }
    }
}

/// Encodes a server-to-client notification as one line of JSON.
pub(crate) fn encode_notification(method: &str, params: &impl Serialize) -> Vec<u8> {
    #[derive(Serialize)]
    struct Out<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    serde_json::to_vec(&Out {
        jsonrpc: "2.0",
        method,
        params,
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_results_and_errors() {
        let r = Response::serialize_result(RequestId::from(1), &serde_json::json!({"a": 1}));
        assert_eq!(r.encode(), br#"{"jsonrpc":"2.0","id":1,"result":{"a":1}}"#);
        let e = Response::error(None, ErrorObject::new(-32700, "Parse error"));
        assert_eq!(
            e.encode(),
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#
        );
        let s = Response::error(Some("a\"b".into()), ErrorObject::new(1, "x"));
        assert!(
            String::from_utf8(s.encode())
                .unwrap()
                .contains(r#""id":"a\"b""#)
        );
    }
}
