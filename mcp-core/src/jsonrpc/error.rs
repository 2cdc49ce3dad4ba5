//! JSON-RPC error objects: the protocol's error channel, for the client SDK.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A JSON-RPC error object (`code`, `message`, optional `data`).
///
/// These are protocol errors, read by the client SDK: unparseable messages, unknown
/// methods, unknown tools, bad cursors, unsupported versions. Failures a model can fix
/// (bad arguments, upstream errors) are [`ToolError`](crate::ToolError)s instead and
/// become tool results with `isError: true`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    code: i64,
    message: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    data: Option<Value>,
}

impl ErrorObject {
    /// Invalid JSON was received (-32700).
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object (-32600).
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist or is not available (-32601).
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters (-32602).
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal JSON-RPC error (-32603).
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Legacy "resource not found" (-32002), used before `2026-07-28`.
    pub const RESOURCE_NOT_FOUND: i64 = -32002;
    /// Upstream or local rate limit reached (-32010, implementation-defined range).
    pub const RATE_LIMITED: i64 = -32010;
    /// HTTP headers disagree with the message body (-32020).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// The request needs a client capability the client did not declare (-32021).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
    /// The requested protocol version is not served (-32022).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

    /// An error with any code and message.
    pub fn new(code: i64, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches `data`.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// -32700 with a description of what could not be parsed.
    pub fn parse_error(detail: impl fmt::Display) -> Self {
        Self::new(Self::PARSE_ERROR, format!("Parse error: {detail}"))
    }

    /// -32600 with the reason the message is not a valid request.
    pub fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(Self::INVALID_REQUEST, format!("Invalid request: {detail}"))
    }

    /// -32601 naming the method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            Self::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    }

    /// -32602 with the reason.
    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(Self::INVALID_PARAMS, format!("Invalid params: {detail}"))
    }

    /// -32603 with the reason.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::new(Self::INTERNAL_ERROR, format!("Internal error: {detail}"))
    }

    /// "Resource not found" for `uri`. The dispatcher sends it as `-32602` to
    /// modern requests and `-32002` to legacy ones, with `data.uri` in both.
    pub fn resource_not_found(uri: &str) -> Self {
        Self::new(
            Self::RESOURCE_NOT_FOUND,
            format!("Resource not found: {uri}"),
        )
        .with_data(json!({ "uri": uri }))
    }

    /// -32022 listing the versions this server supports.
    pub fn unsupported_protocol_version(requested: &str, supported: &[&str]) -> Self {
        Self::new(
            Self::UNSUPPORTED_PROTOCOL_VERSION,
            "Unsupported protocol version",
        )
        .with_data(json!({ "supported": supported, "requested": requested }))
    }

    /// -32021 listing the capabilities the request needs.
    pub fn missing_required_client_capability(capabilities: Value) -> Self {
        Self::new(
            Self::MISSING_REQUIRED_CLIENT_CAPABILITY,
            "Missing required client capability",
        )
        .with_data(json!({ "requiredCapabilities": capabilities }))
    }

    /// -32020 describing which header disagrees with the body.
    pub fn header_mismatch(detail: impl fmt::Display) -> Self {
        Self::new(Self::HEADER_MISMATCH, format!("Header mismatch: {detail}"))
    }

    /// The error code.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The optional `data` member.
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}
