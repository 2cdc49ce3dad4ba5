//! Identity, capabilities and the per-request `_meta` fields.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::jsonrpc::RequestId;

/// Name and version of a client or server implementation.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Implementation {
    /// Programmatic name.
    pub name: String,
    /// Version string.
    pub version: String,
    /// Human-readable title.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
}

/// Severity of a log message (RFC 5424 levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Debug-level messages.
    Debug,
    /// Informational messages.
    Info,
    /// Normal but significant conditions.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

/// The `_meta` fields of a request that the server reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RequestMeta {
    #[serde(rename = "progressToken", default)]
    pub(crate) progress_token: Option<RequestId>,
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    pub(crate) protocol_version: Option<String>,
    /// Kept raw: most requests never look inside.
    #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default)]
    pub(crate) client_capabilities: Option<Box<serde_json::value::RawValue>>,
    #[serde(rename = "io.modelcontextprotocol/logLevel", default)]
    pub(crate) log_level: Option<LogLevel>,
}

/// What the server offers, as `initialize` and `server/discover` report it.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct ServerCapabilities {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tools: Option<ListChanged>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resources: Option<ResourcesCapability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) prompts: Option<ListChanged>,
    pub(crate) logging: Empty,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) completions: Option<Empty>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Empty {}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourcesCapability {
    pub(crate) subscribe: bool,
    pub(crate) list_changed: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListChanged {
    pub(crate) list_changed: bool,
}

/// A request's declared client capabilities, parsed on first use.
#[derive(Debug)]
pub(crate) struct ClientCaps {
    raw: Box<serde_json::value::RawValue>,
    parsed: std::sync::OnceLock<Value>,
}

impl ClientCaps {
    pub(crate) fn new(raw: Box<serde_json::value::RawValue>) -> Self {
        Self {
            raw,
            parsed: std::sync::OnceLock::new(),
        }
    }

    /// The capabilities as JSON (`null` if they were not valid JSON, which the
    /// decoder already rules out).
    pub(crate) fn value(&self) -> &Value {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.raw.get()).unwrap_or(Value::Null))
    }
}
