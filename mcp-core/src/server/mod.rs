//! [`Server`]: the dispatcher both transports drive.

mod binding;
mod builder;
mod call;
mod dispatch;
mod lifecycle;
mod listen;
mod paging;
mod prompts;
mod request_state;
mod resources;
mod respond;
mod rounds;
mod tools;

pub use builder::{BuildError, ServerBuilder};
pub use call::Call;
pub(crate) use paging::fingerprint;

use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::ListKind;
use crate::jsonrpc::{Message, Request, Response};
use crate::list_changes::{Change, ListChanges};
use crate::registry::Registry;
use crate::tool::Handler;
use crate::transport::Envelope;
use crate::wire::{CompletionRequest, Implementation};
use crate::wire::{Empty, ListChanged, ResourcesCapability, ServerCapabilities};
use prompts::{CompletionResult, Prompts};
use request_state::StateSealer;
use resources::Resources;

/// An MCP server: its identity, its tools, and the dispatcher that answers requests
/// of both protocol eras without per-connection state.
///
/// Cheap to clone (one `Arc`); build it once with [`Server::builder`] and share it.
///
/// ```
/// use mcp_core::{Context, Server, Tool};
/// use mcp_core::transport::Envelope;
/// use serde::Deserialize;
///
/// /// Echo the text back.
/// #[derive(Deserialize, mcp_core::JsonSchema, Tool)]
/// struct Echo { text: String }
///
/// async fn echo(args: Echo, _cx: Context) -> String { args.text }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = Server::builder("hello", "1.0.0").tool(echo).build()?;
/// let line = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
/// let response = server.handle_message(line, Envelope::new()).await.unwrap();
/// let json = String::from_utf8(response.encode())?;
/// assert!(json.contains(r#""text":"hi""#));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    info: Implementation,
    /// `info` as the pre-encoded `_meta` member of modern results.
    meta: String,
    instructions: Option<String>,
    registry: Registry,
    resources: Resources,
    prompts: Prompts,
    completer: Option<Handler<CompletionRequest, CompletionResult>>,
    page_size: usize,
    list_ttl_ms: u64,
    rate_limit_as_result: bool,
    /// Capabilities announced by `initialize` (legacy clients get no list-change
    /// notifications from a stateless server).
    legacy_capabilities: ServerCapabilities,
    /// Capabilities announced by `server/discover`.
    modern_capabilities: ServerCapabilities,
    sealer: StateSealer,
    client_request_timeout: Duration,
    changes: ListChanges,
}

/// Everything [`ServerBuilder`] collected, checked.
pub(crate) struct Parts {
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    pub(crate) registry: Registry,
    pub(crate) resources: Resources,
    pub(crate) prompts: Prompts,
    pub(crate) completer: Option<Handler<CompletionRequest, CompletionResult>>,
    pub(crate) page_size: usize,
    pub(crate) list_ttl: Duration,
    pub(crate) rate_limit_as_result: bool,
    pub(crate) sealer: StateSealer,
    pub(crate) client_request_timeout: Duration,
}

fn capabilities(parts: &Parts, list_changed: bool) -> ServerCapabilities {
    ServerCapabilities {
        tools: (!parts.registry.is_empty()).then_some(ListChanged { list_changed }),
        resources: (!parts.resources.is_empty()).then_some(ResourcesCapability {
            subscribe: true,
            list_changed,
        }),
        prompts: (!parts.prompts.is_empty()).then_some(ListChanged { list_changed }),
        logging: Empty {},
        completions: parts.completer.is_some().then_some(Empty {}),
    }
}

impl Inner {
    fn new(parts: Parts) -> Self {
        let legacy_capabilities = capabilities(&parts, false);
        let modern_capabilities = capabilities(&parts, true);
        Self {
            meta: respond::encode_meta(&parts.info),
            info: parts.info,
            instructions: parts.instructions,
            registry: parts.registry,
            resources: parts.resources,
            prompts: parts.prompts,
            completer: parts.completer,
            page_size: parts.page_size,
            list_ttl_ms: u64::try_from(parts.list_ttl.as_millis()).unwrap_or(u64::MAX),
            rate_limit_as_result: parts.rate_limit_as_result,
            legacy_capabilities,
            modern_capabilities,
            sealer: parts.sealer,
            client_request_timeout: parts.client_request_timeout,
            changes: ListChanges::default(),
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("info", &self.inner.info)
            .field("tools", &self.tool_names().collect::<Vec<_>>())
            .finish()
    }
}

impl Server {
    /// Starts building a server named `name` at `version` (its `serverInfo`).
    pub fn builder(name: &str, version: &str) -> ServerBuilder<()> {
        ServerBuilder::new(name, version)
    }

    /// The server's name and version.
    pub fn info(&self) -> &Implementation {
        &self.inner.info
    }

    /// The registered tools' names, in `tools/list` order.
    pub fn tool_names(&self) -> impl Iterator<Item = &str> {
        self.inner.registry.iter().map(|t| t.name.as_str())
    }

    /// Tells every open `subscriptions/listen` stream of this process that asked
    /// for it that a list changed. With several instances behind a load balancer,
    /// relay the change to the others (e.g. over Redis pub/sub) and call this on each.
    pub fn notify_list_changed(&self, kind: ListKind) {
        self.inner.changes.send(Change::List(kind));
    }

    /// Tells the listen streams subscribed to `uri` (`resourceSubscriptions`) that
    /// the resource changed (in this process, like
    /// [`notify_list_changed`](Self::notify_list_changed)).
    pub fn notify_resource_updated(&self, uri: &str) {
        self.inner.changes.send(Change::ResourceUpdated(uri.into()));
    }

    /// The registered tools' definitions, in `tools/list` order (unfiltered).
    pub fn tools(&self) -> impl Iterator<Item = &crate::wire::ToolDefinition> {
        self.inner.registry.iter().map(|t| &t.definition)
    }

    /// Decodes and answers one raw message (a stdio line, an HTTP body).
    ///
    /// Returns `None` for notifications and client responses, which get no answer,
    /// and the `-32700`/`-32600` error response for bytes that are not a valid message.
    pub async fn handle_message(&self, bytes: &[u8], envelope: Envelope) -> Option<Response> {
        match Message::decode(bytes) {
            Ok(Message::Request(request)) => Some(self.handle(request, envelope).await),
            Ok(Message::Notification(_) | Message::Response(_)) => None,
            Err(response) => Some(response),
        }
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request, envelope: Envelope) -> Response {
        match Call::prepare(request) {
            Ok(call) => self.run(call, envelope).await,
            Err(response) => response,
        }
    }

    /// Runs a prepared request (see [`Call::prepare`]).
    ///
    /// Each request runs in a `mcp.request` span at DEBUG level (method, id, tool,
    /// outcome, and the upstream status and code a tool records): enable it with
    /// `RUST_LOG=mcp_core=debug`. At INFO the span costs about as much as the rest
    /// of the dispatch, so it is off by default.
    pub async fn run(&self, call: Call, envelope: Envelope) -> Response {
        let span = tracing::debug_span!(
            "mcp.request",
            method = %call.method,
            id = %call.id,
            tool = call.name(),
            outcome = tracing::field::Empty,
            upstream_status = tracing::field::Empty,
            upstream_code = tracing::field::Empty,
        );
        let response = self
            .run_inner(call, envelope)
            .instrument(span.clone())
            .await;
        if span.is_disabled() {
            return response;
        }
        match response.error_object() {
            Some(e) => span.record("outcome", e.code()),
            None => span.record("outcome", "ok"),
        };
        response
    }
}
