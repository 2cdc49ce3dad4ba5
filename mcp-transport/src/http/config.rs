//! [`Builder`]: everything an [`McpService`] is configured with.

use std::sync::Arc;
use std::time::Duration;

use mcp_core::Server;

use super::guard::{Allow, Guard};
use super::handler::Handler;
use super::request_body::RequestBody;
use super::service::{Checked, Endpoint, McpService, Shared};
use super::session::Sessions;
use tower::util::BoxCloneSyncService;

/// Configures an [`McpService`]. Every default is the safe one: only loopback `Host`
/// names and `Origin`s are accepted, CORS is off, bodies are capped at 4 MiB.
///
/// ```
/// use std::time::Duration;
/// use mcp_transport::http::McpService;
/// # let server = mcp_core::Server::builder("s", "1").build().unwrap();
/// let service = McpService::builder(server)
///     .path("/mcp")
///     .allowed_hosts(["mcp.example.com"])
///     .cors_origins(["https://app.example.com"])
///     .keep_alive(Duration::from_secs(10))
///     .build();
/// ```
#[derive(Debug)]
#[must_use]
pub struct Builder {
    server: Server,
    path: Option<String>,
    hosts: Allow,
    origins: Allow,
    cors: Allow,
    max_body_bytes: usize,
    keep_alive: Duration,
    body_timeout: Duration,
    request_timeout: Duration,
    layers: Vec<LayerFn>,
    outer_layers: Vec<OuterLayerFn>,
    sessions: Sessions,
}

/// One `.layer(..)` call, applied at [`Builder::build`].
struct LayerFn(Box<dyn FnOnce(Handler) -> Handler + Send>);

impl std::fmt::Debug for LayerFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Layer")
    }
}

/// One `.outer_layer(..)` call, applied at [`Builder::build`].
struct OuterLayerFn(Box<dyn FnOnce(Endpoint) -> Endpoint + Send>);

impl std::fmt::Debug for OuterLayerFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OuterLayer")
    }
}

impl Builder {
    pub(super) fn new(server: Server) -> Self {
        Self {
            server,
            path: Some("/mcp".to_owned()),
            hosts: Allow::Loopback,
            origins: Allow::Loopback,
            cors: Allow::List(Vec::new()),
            max_body_bytes: 4 * 1024 * 1024,
            keep_alive: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(600),
            layers: Vec::new(),
            outer_layers: Vec::new(),
            sessions: Sessions::default(),
        }
    }

    /// The endpoint path (default `/mcp`). It also answers one segment below it
    /// (`/mcp/<token>`, for auth layers that take a token from the path); other paths
    /// get `404`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Answers on every path: for mounting under a router that already routed
    /// (`axum::Router::nest_service`).
    pub fn any_path(mut self) -> Self {
        self.path = None;
        self
    }

    /// `Host` names accepted besides none (default: loopback names only). An entry
    /// without a port accepts any port; `"*"` accepts every host (only behind a gateway
    /// that checks it). Required when [`serve`](super::serve) binds a non-loopback address.
    pub fn allowed_hosts<I: IntoIterator<Item = T>, T: Into<String>>(mut self, hosts: I) -> Self {
        self.hosts = Allow::list(hosts);
        self
    }

    /// `Origin`s accepted (default: loopback origins only), e.g.
    /// `"https://app.example.com"`. Requests without an `Origin` are always accepted.
    pub fn allowed_origins<I: IntoIterator<Item = T>, T: Into<String>>(
        mut self,
        origins: I,
    ) -> Self {
        self.origins = Allow::list(origins);
        self
    }

    /// Origins of browser clients that get CORS headers and preflight answers (default:
    /// none, CORS off). They are also accepted by the `Origin` check. `"*"` answers
    /// any origin with `Access-Control-Allow-Origin: *` and no credentials.
    pub fn cors_origins<I: IntoIterator<Item = T>, T: Into<String>>(mut self, origins: I) -> Self {
        self.cors = Allow::list(origins);
        self
    }

    /// Largest accepted request body (default 4 MiB); larger ones get `413`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Interval of SSE keep-alive comments while a tool runs (default 15 s). A call
    /// still running after one interval is answered as an SSE stream.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = interval.max(Duration::from_millis(1));
        self
    }

    /// Time allowed to receive the whole request body (default 30 s); a body still
    /// arriving then gets `408` and the connection is closed.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Total time for one request, tool included (default 10 min).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Signs legacy session ids with this key (HMAC-SHA256), so a request carrying an
    /// id not issued with it gets `404` and the client starts over with
    /// `initialize`. Give every instance behind a load balancer the same key (it may
    /// be the secret given to `ServerBuilder::state_key`: the uses are kept apart).
    ///
    /// Without a key (the default) ids are still issued and checked for their form,
    /// so instances need no shared configuration, but anyone can mint one. That is
    /// harmless: a session id grants nothing here, since no state hangs on it.
    pub fn session_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.sessions.set_key(key.as_ref());
        self
    }

    /// Refuses (`404`) legacy session ids older than `max_age`, so clients open a new
    /// session from time to time (default: ids never expire).
    pub fn session_max_age(mut self, max_age: Duration) -> Self {
        self.sessions.set_max_age(max_age);
        self
    }

    /// Wraps the MCP dispatch in a tower layer (tracing, per-message policies). It
    /// runs after the `Host`/`Origin`, path, method, media-type and body checks and
    /// sees the request with its body read (a [`Body`](super::Body) whose
    /// [`as_bytes`](super::Body::as_bytes) is the JSON-RPC message). Layers that can
    /// refuse a request on its headers alone belong in
    /// [`outer_layer`](Self::outer_layer). Layers added later wrap earlier ones.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<Handler> + Send + 'static,
        L::Service: tower::Service<
                http::Request<super::Body>,
                Response = http::Response<super::Body>,
                Error = std::convert::Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<http::Request<super::Body>>>::Future: Send + 'static,
    {
        self.layers.push(LayerFn(Box::new(move |inner| {
            Handler::boxed(layer.layer(inner))
        })));
        self
    }

    /// Wraps the endpoint in a tower layer that runs before the body is read: right
    /// after the `Host`/`Origin` check (`403`) and CORS preflights, before path,
    /// method, media-type and body checks. The place for layers that refuse requests
    /// on their headers alone (authentication answering `401`, quotas answering
    /// `429`): a refused request's body is never read. The layer sees the request
    /// with a [`RequestBody`] and, under [`serve`](super::serve), the client's
    /// [`SocketAddr`](std::net::SocketAddr) in its extensions. Layers added later
    /// wrap earlier ones.
    ///
    /// ```
    /// # let server = mcp_core::Server::builder("s", "1").build().unwrap();
    /// use std::time::Duration;
    /// use mcp_transport::http::McpService;
    /// // Any tower layer whose service keeps the request and response types, e.g.
    /// // mcp-auth's `AuthLayer` or mcp-errors' `QuotaLayer`.
    /// let service = McpService::builder(server)
    ///     .outer_layer(tower::layer::layer_fn(|inner| inner))
    ///     .build();
    /// ```
    pub fn outer_layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<Endpoint> + Send + 'static,
        L::Service: tower::Service<
                http::Request<RequestBody>,
                Response = http::Response<super::Body>,
                Error = std::convert::Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<http::Request<RequestBody>>>::Future: Send + 'static,
    {
        self.outer_layers.push(OuterLayerFn(Box::new(move |inner| {
            Endpoint::layered(BoxCloneSyncService::new(layer.layer(inner)))
        })));
        self
    }

    /// Builds the service.
    pub fn build(self) -> McpService {
        let dispatch = super::dispatch::Dispatch::new(
            self.server,
            self.keep_alive,
            self.request_timeout,
            self.sessions,
        );
        let reply_id_prefix = dispatch.reply_id_prefix().to_owned();
        let handler = self
            .layers
            .into_iter()
            .fold(Handler::dispatch(dispatch), |inner, layer| (layer.0)(inner));
        let checked = Arc::new(Checked {
            path: self.path,
            max_body_bytes: self.max_body_bytes,
            body_timeout: self.body_timeout,
            handler,
        });
        let outer = self
            .outer_layers
            .into_iter()
            .fold(Endpoint::checked(Arc::clone(&checked)), |inner, layer| {
                (layer.0)(inner)
            })
            .into_outer();
        McpService {
            shared: Arc::new(Shared {
                guard: Guard::new(self.hosts, self.origins, self.cors),
                reply_id_prefix,
                checked,
                outer,
            }),
        }
    }
}
