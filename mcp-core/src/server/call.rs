//! [`Call`]: a request whose method and parameters have been read and checked.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::RequestMeta;
use crate::{
    CompletionRequest, ErrorObject, Implementation, LogLevel, ProtocolVersion, Request, RequestId,
    Response,
};

/// A request decoded into its method's parameters, with its protocol era settled.
///
/// Transports read it before running it, e.g. to check the `MCP-Protocol-Version`,
/// `Mcp-Method` and `Mcp-Name` headers against the body.
#[derive(Debug)]
pub struct Call {
    pub(crate) id: RequestId,
    pub(crate) method: String,
    pub(crate) kind: CallKind,
    pub(crate) meta: RequestMeta,
    /// The version from `_meta`, when the request is modern.
    pub(crate) version: Option<ProtocolVersion>,
}

#[derive(Debug)]
pub(crate) enum CallKind {
    Initialize(InitializeParams),
    Ping,
    Discover,
    ListTools {
        cursor: Option<String>,
    },
    CallTool {
        name: String,
        arguments: Option<Value>,
    },
    ListResources {
        cursor: Option<String>,
    },
    ListTemplates {
        cursor: Option<String>,
    },
    ReadResource {
        uri: String,
    },
    Subscribe {
        uri: String,
    },
    ListPrompts {
        cursor: Option<String>,
    },
    GetPrompt {
        name: String,
        arguments: Option<serde_json::Map<String, Value>>,
    },
    Complete(CompletionRequest),
    SetLevel(LogLevel),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InitializeParams {
    pub(crate) protocol_version: String,
    #[serde(default)]
    pub(crate) client_info: Option<Implementation>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct MetaOnly {
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct ListParams {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct UriParams {
    uri: String,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct GetPromptParams {
    name: String,
    #[serde(default)]
    arguments: Option<serde_json::Map<String, Value>>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct CompleteParams {
    #[serde(flatten)]
    request: CompletionRequest,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct SetLevelParams {
    level: LogLevel,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Debug, Deserialize)]
struct CallToolParams {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

const LEGACY_ONLY: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

impl Call {
    /// Reads a request's parameters and settles its protocol version.
    ///
    /// # Errors
    /// The response to send instead: `-32601` for an unknown method (or one the
    /// request's era does not have), `-32602` for bad parameters or a modern request
    /// without client capabilities, `-32022` for an unsupported version.
    pub fn prepare(request: Request) -> Result<Call, Response> {
        let Request { id, method, params } = request;
        let fail = |e: ErrorObject| Response::error(Some(id.clone()), e);
        let params = params.as_deref().map_or("{}", |p| p.get());
        let (kind, meta) = match method.as_str() {
            "initialize" => {
                let p: InitializeParams = parse(params).map_err(fail)?;
                let meta = p.meta.unwrap_or_default();
                (
                    CallKind::Initialize(InitializeParams { meta: None, ..p }),
                    meta,
                )
            }
            "ping" => (CallKind::Ping, meta_of(params).map_err(fail)?),
            "server/discover" => (CallKind::Discover, meta_of(params).map_err(fail)?),
            "tools/list" => {
                let p: ListParams = parse(params).map_err(fail)?;
                let cursor = p.cursor;
                (CallKind::ListTools { cursor }, p.meta.unwrap_or_default())
            }
            "tools/call" => {
                let p: CallToolParams = parse(params).map_err(fail)?;
                let kind = CallKind::CallTool {
                    name: p.name,
                    arguments: p.arguments,
                };
                (kind, p.meta.unwrap_or_default())
            }
            "resources/list" | "resources/templates/list" | "prompts/list" => {
                let p: ListParams = parse(params).map_err(fail)?;
                let cursor = p.cursor;
                let kind = match method.as_str() {
                    "resources/list" => CallKind::ListResources { cursor },
                    "prompts/list" => CallKind::ListPrompts { cursor },
                    _ => CallKind::ListTemplates { cursor },
                };
                (kind, p.meta.unwrap_or_default())
            }
            "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
                let p: UriParams = parse(params).map_err(fail)?;
                let kind = if method == "resources/read" {
                    CallKind::ReadResource { uri: p.uri }
                } else {
                    CallKind::Subscribe { uri: p.uri }
                };
                (kind, p.meta.unwrap_or_default())
            }
            "prompts/get" => {
                let p: GetPromptParams = parse(params).map_err(fail)?;
                let kind = CallKind::GetPrompt {
                    name: p.name,
                    arguments: p.arguments,
                };
                (kind, p.meta.unwrap_or_default())
            }
            "completion/complete" => {
                let p: CompleteParams = parse(params).map_err(fail)?;
                (CallKind::Complete(p.request), p.meta.unwrap_or_default())
            }
            "logging/setLevel" => {
                let p: SetLevelParams = parse(params).map_err(fail)?;
                (CallKind::SetLevel(p.level), p.meta.unwrap_or_default())
            }
            _ => return Err(fail(ErrorObject::method_not_found(&method))),
        };
        let version = match meta.protocol_version.as_deref() {
            None => None,
            Some(v) => match ProtocolVersion::parse(v) {
                Some(v) => Some(v),
                None => {
                    return Err(fail(ErrorObject::unsupported_protocol_version(
                        v,
                        &ProtocolVersion::supported_strs(),
                    )));
                }
            },
        };
        if version.is_some_and(ProtocolVersion::is_modern) {
            if LEGACY_ONLY.contains(&method.as_str()) {
                return Err(fail(ErrorObject::method_not_found(&method)));
            }
            if meta.client_capabilities.is_none() {
                return Err(fail(ErrorObject::invalid_params(
                    "_meta is missing \"io.modelcontextprotocol/clientCapabilities\"",
                )));
            }
        }
        Ok(Call {
            id,
            method,
            kind,
            meta,
            version,
        })
    }

    /// The request id.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// The method name.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The name the `Mcp-Name` header must carry: the tool's name for `tools/call`,
    /// the prompt's for `prompts/get`, the URI for `resources/read`.
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            CallKind::CallTool { name, .. } | CallKind::GetPrompt { name, .. } => Some(name),
            CallKind::ReadResource { uri } => Some(uri),
            _ => None,
        }
    }

    /// For legacy `logging/setLevel`: the level the client asked for (transports
    /// that keep per-connection state, like stdio, remember it).
    pub fn requested_log_level(&self) -> Option<LogLevel> {
        match &self.kind {
            CallKind::SetLevel(level) => Some(*level),
            _ => None,
        }
    }

    /// The version the request's `_meta` declares (modern requests), if any.
    pub fn declared_version(&self) -> Option<ProtocolVersion> {
        self.version
    }

    /// For `initialize`: the version the client asked for.
    pub fn requested_legacy_version(&self) -> Option<&str> {
        match &self.kind {
            CallKind::Initialize(p) => Some(&p.protocol_version),
            _ => None,
        }
    }
}

fn parse<T: DeserializeOwned>(params: &str) -> Result<T, ErrorObject> {
    serde_json::from_str(params).map_err(ErrorObject::invalid_params)
}

fn meta_of(params: &str) -> Result<RequestMeta, ErrorObject> {
    parse::<MetaOnly>(params).map(|m| m.meta.unwrap_or_default())
}
