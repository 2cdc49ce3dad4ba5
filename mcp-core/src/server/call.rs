//! [`Call`]: a request whose method and parameters have been read.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::jsonrpc::{ErrorObject, Request, RequestId, Response};
use crate::wire::RequestMeta;
use crate::wire::{CompletionRequest, Implementation, LogLevel, ProtocolVersion};

/// A request decoded into its method's parameters.
///
/// Transports read it before running it, e.g. to check the `MCP-Protocol-Version`,
/// `Mcp-Method` and `Mcp-Name` headers against the body; [`Server::run`](crate::Server::run)
/// then checks the `_meta` fields (version served, client capabilities present)
/// and answers.
#[derive(Debug)]
pub struct Call {
    pub(crate) id: RequestId,
    pub(crate) method: String,
    pub(crate) kind: CallKind,
    pub(crate) meta: RequestMeta,
    /// Multi round-trip inputs of a retried request (modern).
    pub(crate) retry: Retry,
}

/// What a retried multi round-trip request brings back.
#[derive(Debug, Default)]
pub(crate) struct Retry {
    pub(crate) input_responses: Option<Map<String, Value>>,
    pub(crate) request_state: Option<String>,
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
        arguments: Option<Map<String, Value>>,
    },
    Complete(CompletionRequest),
    SetLevel(LogLevel),
    Listen(ListenFilter),
}

/// Which change notifications a `subscriptions/listen` stream wants.
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListenFilter {
    #[serde(default)]
    pub(crate) tools_list_changed: bool,
    #[serde(default)]
    pub(crate) prompts_list_changed: bool,
    #[serde(default)]
    pub(crate) resources_list_changed: bool,
    #[serde(default)]
    pub(crate) resource_subscriptions: Vec<String>,
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

#[derive(Deserialize)]
struct MetaOnly {
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UriParams {
    uri: String,
    #[serde(default)]
    input_responses: Option<Value>,
    #[serde(default)]
    request_state: Option<String>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetPromptParams {
    name: String,
    #[serde(default)]
    arguments: Option<Map<String, Value>>,
    #[serde(default)]
    input_responses: Option<Value>,
    #[serde(default)]
    request_state: Option<String>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallToolParams {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
    #[serde(default)]
    input_responses: Option<Value>,
    #[serde(default)]
    request_state: Option<String>,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
struct CompleteParams {
    #[serde(flatten)]
    request: CompletionRequest,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
struct SetLevelParams {
    level: LogLevel,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize)]
struct ListenParams {
    #[serde(default)]
    notifications: ListenFilter,
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

/// Methods the modern era removed.
pub(crate) const LEGACY_ONLY: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

/// Methods only the modern era has.
pub(crate) const MODERN_ONLY: &[&str] = &["server/discover", "subscriptions/listen"];

fn retry(input_responses: Option<Value>, request_state: Option<String>) -> Retry {
    Retry {
        // A non-object `inputResponses` (e.g. `null`) carries no usable input.
        input_responses: match input_responses {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        },
        request_state,
    }
}

impl Call {
    /// Reads a request's parameters.
    ///
    /// # Errors
    /// The response to send instead: `-32601` for an unknown method, `-32602` for
    /// parameters that do not fit the method.
    pub fn prepare(request: Request) -> Result<Call, Response> {
        let Request { id, method, params } = request;
        let fail = |e: ErrorObject| Response::error(Some(id.clone()), e);
        let params = params.as_deref().map_or("{}", |p| p.get());
        let mut retry_in = Retry::default();
        // A method the modern era removed is unknown to a modern request, whatever
        // its params look like.
        if LEGACY_ONLY.contains(&method.as_str()) {
            let meta = meta_of(params).unwrap_or_default();
            let modern = meta
                .protocol_version
                .as_deref()
                .and_then(ProtocolVersion::parse)
                .is_some_and(ProtocolVersion::is_modern);
            if modern {
                return Err(fail(ErrorObject::method_not_found(&method)));
            }
        }
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
            "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list" => {
                let p: ListParams = parse(params).map_err(fail)?;
                let cursor = p.cursor;
                let kind = match method.as_str() {
                    "tools/list" => CallKind::ListTools { cursor },
                    "resources/list" => CallKind::ListResources { cursor },
                    "prompts/list" => CallKind::ListPrompts { cursor },
                    _ => CallKind::ListTemplates { cursor },
                };
                (kind, p.meta.unwrap_or_default())
            }
            "tools/call" => {
                let p: CallToolParams = parse(params).map_err(fail)?;
                retry_in = retry(p.input_responses, p.request_state);
                let kind = CallKind::CallTool {
                    name: p.name,
                    arguments: p.arguments,
                };
                (kind, p.meta.unwrap_or_default())
            }
            "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
                let p: UriParams = parse(params).map_err(fail)?;
                let kind = if method == "resources/read" {
                    retry_in = retry(p.input_responses, p.request_state);
                    CallKind::ReadResource { uri: p.uri }
                } else {
                    CallKind::Subscribe { uri: p.uri }
                };
                (kind, p.meta.unwrap_or_default())
            }
            "prompts/get" => {
                let p: GetPromptParams = parse(params).map_err(fail)?;
                retry_in = retry(p.input_responses, p.request_state);
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
            "subscriptions/listen" => {
                let p: ListenParams = parse(params).map_err(fail)?;
                (
                    CallKind::Listen(p.notifications),
                    p.meta.unwrap_or_default(),
                )
            }
            _ => return Err(fail(ErrorObject::method_not_found(&method))),
        };
        Ok(Call {
            id,
            method,
            kind,
            meta,
            retry: retry_in,
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

    /// The protocol version `_meta` declares, verbatim (modern requests), whether
    /// or not this server serves it.
    pub fn meta_protocol_version(&self) -> Option<&str> {
        self.meta.protocol_version.as_deref()
    }

    /// The version the request's `_meta` declares, when this server serves it.
    pub fn declared_version(&self) -> Option<ProtocolVersion> {
        self.meta_protocol_version()
            .and_then(ProtocolVersion::parse)
    }

    /// Whether the request declares a modern version in `_meta`.
    pub fn is_modern(&self) -> bool {
        self.declared_version()
            .is_some_and(ProtocolVersion::is_modern)
    }

    /// For `initialize`: the version the client asked for.
    pub fn requested_legacy_version(&self) -> Option<&str> {
        match &self.kind {
            CallKind::Initialize(p) => Some(&p.protocol_version),
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

    /// Whether this is a `subscriptions/listen` request: its response is a stream
    /// that lasts until the client goes away.
    pub fn is_listen(&self) -> bool {
        matches!(self.kind, CallKind::Listen(_))
    }

    /// Whether answering may involve messages before the response (progress, logs,
    /// requests to a legacy client), so a transport should offer a
    /// [`Notifier`](crate::transport::Notifier): a modern request that carries a
    /// `progressToken` or `logLevel` or is a `subscriptions/listen`, and any legacy
    /// `tools/call`, `prompts/get` or `resources/read` (they log at `info` by
    /// default and may ask the client for input).
    pub fn may_stream(&self) -> bool {
        if self.meta.progress_token.is_some() || self.is_listen() {
            return true;
        }
        if self.is_modern() {
            return self.meta.log_level.is_some();
        }
        matches!(
            self.kind,
            CallKind::CallTool { .. } | CallKind::GetPrompt { .. } | CallKind::ReadResource { .. }
        )
    }

    /// Checks the `_meta` fields against the era they declare: a version this
    /// server serves (`-32022`), client capabilities on modern requests (`-32602`),
    /// a method that exists in that era (`-32601`), and the `_meta` that
    /// modern-only methods need (`-32602`). [`Server::run`](crate::Server::run)
    /// does this first; a transport may call it earlier, since every error here is
    /// a malformed request (HTTP `400`, or `404` for `-32601`).
    ///
    /// # Errors
    /// The JSON-RPC error to answer with.
    pub fn check_meta(&self) -> Result<Option<ProtocolVersion>, ErrorObject> {
        let version = match self.meta_protocol_version() {
            None => None,
            Some(v) => Some(ProtocolVersion::parse(v).ok_or_else(|| {
                ErrorObject::unsupported_protocol_version(v, &ProtocolVersion::supported_strs())
            })?),
        };
        let modern = version.is_some_and(ProtocolVersion::is_modern);
        if modern {
            if LEGACY_ONLY.contains(&self.method.as_str()) {
                return Err(ErrorObject::method_not_found(&self.method));
            }
            if self.meta.client_capabilities.is_none() {
                return Err(ErrorObject::invalid_params(
                    "_meta is missing \"io.modelcontextprotocol/clientCapabilities\"",
                ));
            }
        } else if MODERN_ONLY.contains(&self.method.as_str()) {
            return Err(ErrorObject::invalid_params(format_args!(
                "{} needs \"io.modelcontextprotocol/protocolVersion\" and \"io.modelcontextprotocol/clientCapabilities\" in _meta",
                self.method
            )));
        }
        Ok(version)
    }
}

fn parse<T: DeserializeOwned>(params: &str) -> Result<T, ErrorObject> {
    serde_json::from_str(params).map_err(ErrorObject::invalid_params)
}

fn meta_of(params: &str) -> Result<RequestMeta, ErrorObject> {
    parse::<MetaOnly>(params).map(|m| m.meta.unwrap_or_default())
}
