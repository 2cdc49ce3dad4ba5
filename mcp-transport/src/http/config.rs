//! [`Builder`]: everything an [`McpService`] and [`serve`](super::serve) are configured with.

use std::sync::Arc;
use std::time::Duration;

use mcp_core::Server;

use super::guard::{Allow, Guard};
use super::handler::Handler;
use super::service::{McpService, Shared};
use super::session::Sessions;

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
    pub(super) limits: Limits,
    layers: Vec<LayerFn>,
    sessions: Sessions,
}

/// One `.layer(..)` call, applied at [`Builder::build`].
struct LayerFn(Box<dyn FnOnce(Handler) -> Handler + Send>);

impl std::fmt::Debug for LayerFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Layer")
    }
}

/// Connection-level limits, used by [`serve`](super::serve).
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) max_header_bytes: usize,
    pub(crate) shutdown_grace: Duration,
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
            limits: Limits {
                max_connections: 1024,
                header_read_timeout: Duration::from_secs(10),
                max_header_bytes: 64 * 1024,
                shutdown_grace: Duration::from_secs(10),
            },
            layers: Vec::new(),
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

    /// Connections [`serve`](super::serve) holds open at once (default 1024); accepting
    /// pauses at the cap.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max.max(1);
        self
    }

    /// Time a connection may take to send a request's headers (default 10 s); used by
    /// [`serve`](super::serve).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// Largest request head (default 64 KiB); larger gets `431`. Used by
    /// [`serve`](super::serve).
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_header_bytes = bytes.max(8192);
        self
    }

    /// How long [`serve`](super::serve) lets in-flight requests finish after shutdown
    /// is signalled (default 10 s).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.limits.shutdown_grace = grace;
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

    /// Wraps the MCP dispatch in a tower layer (auth, quotas, tracing). It runs after
    /// the `Host`/`Origin`, method, media-type and body-size checks and sees the
    /// request with its body read. Layers added later wrap earlier ones.
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
        let guard = Guard::new(self.hosts, self.origins, self.cors);
        McpService {
            shared: Arc::new(Shared {
                path: self.path,
                guard,
                max_body_bytes: self.max_body_bytes,
                body_timeout: self.body_timeout,
                limits: self.limits,
                handler,
                reply_id_prefix,
            }),
        }
    }
}
