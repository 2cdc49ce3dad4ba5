//! The request context a tool handler receives, and what a transport supplies.

use std::sync::Arc;

use http::{Extensions, HeaderMap};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::ListKind;
use crate::jsonrpc::RequestId;
use crate::jsonrpc::encode_notification;
use crate::list_changes::{Change, ListChanges};
use crate::transport::PendingReplies;
use crate::wire::ClientCaps;
use crate::wire::{LogLevel, ProtocolVersion};

/// What a transport knows about a request besides its JSON: HTTP headers and
/// extensions (where auth puts the caller's identity and [`Scope`](crate::auth::Scope)), the
/// legacy protocol version in force, and where request-scoped notifications go.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Envelope {
    /// HTTP request headers (empty on stdio).
    pub headers: HeaderMap,
    /// HTTP request extensions (empty on stdio).
    pub extensions: Extensions,
    /// The legacy version in force when the request carries no modern `_meta`
    /// (negotiated by `initialize` on stdio, the `MCP-Protocol-Version` header on
    /// HTTP). `None` means `2025-03-26`.
    pub legacy_version: Option<ProtocolVersion>,
    /// The level set by legacy `logging/setLevel`, if any.
    pub legacy_log_level: Option<LogLevel>,
    /// Where progress and log notifications of this request go (and, for legacy
    /// clients, requests to the client); `None` drops them.
    pub notifier: Option<Notifier>,
    /// Where the client's replies to server-to-client requests are routed; `None`
    /// when the transport cannot carry such requests.
    pub replies: Option<PendingReplies>,
}

impl Envelope {
    /// An empty envelope (stdio-like: no headers, no notifications).
    pub fn new() -> Self {
        Self::default()
    }
}

/// The sending half of a request's notification stream.
#[derive(Clone, Debug)]
pub struct Notifier {
    tx: mpsc::Sender<Vec<u8>>,
}

/// The receiving half: encoded JSON-RPC notifications, one message each.
#[derive(Debug)]
pub struct NotificationStream {
    rx: mpsc::Receiver<Vec<u8>>,
}

impl Notifier {
    /// A notifier and its stream, buffering up to `capacity` messages (a tool that
    /// sends faster than the transport writes waits).
    pub fn channel(capacity: usize) -> (Notifier, NotificationStream) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (Notifier { tx }, NotificationStream { rx })
    }

    /// Queues one encoded message (a transport may share the stream between
    /// notifications and its own responses). Waits while the buffer is full; a
    /// message sent after the stream was dropped (the client went away) is discarded.
    pub async fn send(&self, message: Vec<u8>) {
        let _ = self.tx.send(message).await;
    }
}

impl NotificationStream {
    /// The next notification; `None` once every notifier is dropped.
    pub async fn recv(&mut self) -> Option<Vec<u8>> {
        self.rx.recv().await
    }

    /// The next notification if one is already queued.
    pub fn try_recv(&mut self) -> Option<Vec<u8>> {
        self.rx.try_recv().ok()
    }
}

/// Everything a tool handler may use: shared state and the request's context.
///
/// `S` is the application state given to
/// [`ServerBuilder::state`](crate::ServerBuilder::state) (an HTTP client, settings).
#[derive(Debug)]
pub struct Context<S = ()> {
    state: Arc<S>,
    request: RequestInfo,
}

#[derive(Debug, Clone)]
pub(crate) struct RequestInfo {
    pub(crate) id: RequestId,
    pub(crate) version: ProtocolVersion,
    pub(crate) client_capabilities: Option<Arc<ClientCaps>>,
    pub(crate) progress_token: Option<RequestId>,
    pub(crate) log_level: Option<LogLevel>,
    pub(crate) envelope: Arc<Envelope>,
    /// Answers to a previous round's input requests.
    pub(crate) inputs: Option<Map<String, Value>>,
    /// The (verified) state a previous round left.
    pub(crate) state: Option<Value>,
    pub(crate) changes: ListChanges,
}

impl<S> Context<S> {
    pub(crate) fn new(state: Arc<S>, request: RequestInfo) -> Self {
        Self { state, request }
    }

    /// The shared application state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// A clone of the shared state's `Arc`, to move into spawned work.
    pub fn state_arc(&self) -> Arc<S> {
        Arc::clone(&self.state)
    }

    /// The JSON-RPC id of this request.
    pub fn request_id(&self) -> &RequestId {
        &self.request.id
    }

    /// The protocol version this request is served under.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.request.version
    }

    /// The client capabilities declared for this request (modern `_meta`), when
    /// known.
    pub fn client_capabilities(&self) -> Option<&Value> {
        self.request
            .client_capabilities
            .as_deref()
            .map(ClientCaps::value)
    }

    /// Whether the client can handle `capability` (`"elicitation"`, `"sampling"`,
    /// `"roots"`): declared in a modern request's `_meta`; assumed for legacy
    /// requests, whose capabilities a stateless server does not know.
    pub fn client_supports(&self, capability: &str) -> bool {
        match &self.request.client_capabilities {
            Some(caps) => caps.value().get(capability).is_some(),
            None => !self.request.version.is_modern(),
        }
    }

    /// The client's answer to the input request `key` of a previous round (see
    /// [`InputRequired`](crate::InputRequired)), when it was given and reads as `T`.
    pub fn input<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        T::deserialize(self.input_value(key)?).ok()
    }

    /// The form the user submitted for the elicitation `key` (see
    /// [`InputRequired::elicit_form`](crate::InputRequired::elicit_form)), when they
    /// accepted it and its content reads as `T`. A declined or cancelled form, or
    /// none yet, is `None`.
    pub fn form<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let answer = self.input_value(key)?;
        if answer.get("action").and_then(Value::as_str) != Some("accept") {
            return None;
        }
        T::deserialize(answer.get("content")?).ok()
    }

    /// The raw answer to the input request `key`, when it was given.
    pub fn input_value(&self, key: &str) -> Option<&Value> {
        self.request.inputs.as_ref()?.get(key)
    }

    /// The state the previous round attached with
    /// [`InputRequired::with_state`](crate::InputRequired::with_state), verified.
    pub fn request_state<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(self.request.state.as_ref()?).ok()
    }

    /// Tells every `subscriptions/listen` stream that asked for it that a list
    /// changed (in this process; see [`Server::notify_list_changed`](crate::Server::notify_list_changed)).
    pub fn notify_list_changed(&self, kind: ListKind) {
        self.request.changes.send(Change::List(kind));
    }

    /// The HTTP request headers (empty on stdio).
    pub fn headers(&self) -> &HeaderMap {
        &self.request.envelope.headers
    }

    /// The HTTP request extensions: the auth layer's verified identity lives here.
    pub fn extensions(&self) -> &Extensions {
        &self.request.envelope.extensions
    }

    /// Who is calling, when an authentication layer identified the caller (see
    /// [`Principal`](crate::auth::Principal)); `None` for an anonymous request.
    pub fn principal(&self) -> Option<&crate::auth::Principal> {
        crate::auth::Principal::of(&self.request.envelope.extensions)
    }

    /// Whether the client asked for progress notifications (sent a `progressToken`).
    pub fn wants_progress(&self) -> bool {
        self.request.progress_token.is_some() && self.request.envelope.notifier.is_some()
    }

    /// Reports progress; a no-op unless the client sent a `progressToken`.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let (Some(token), Some(notifier)) = (
            &self.request.progress_token,
            &self.request.envelope.notifier,
        ) else {
            return;
        };
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        if let Some(message) = message {
            params["message"] = json!(message);
        }
        notifier
            .send(encode_notification("notifications/progress", &params))
            .await;
    }

    /// The minimum level the client asked to receive for this request, if any.
    pub fn log_level(&self) -> Option<LogLevel> {
        self.request.log_level
    }

    /// Sends a log message on this request's stream when the client asked for this
    /// level (modern: `io.modelcontextprotocol/logLevel` in the request's `_meta`;
    /// legacy: `logging/setLevel`). Otherwise a no-op.
    pub async fn log(&self, level: LogLevel, data: impl Serialize) {
        let (Some(min), Some(notifier)) = (self.request.log_level, &self.request.envelope.notifier)
        else {
            return;
        };
        if level < min {
            return;
        }
        let params = json!({ "level": level, "data": data });
        notifier
            .send(encode_notification("notifications/message", &params))
            .await;
    }
}
