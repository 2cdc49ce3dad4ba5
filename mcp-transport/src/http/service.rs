//! [`McpService`]: the Streamable HTTP endpoint as a tower service.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{ALLOW, CONNECTION, ORIGIN};
use http::{HeaderValue, Method, StatusCode};
use mcp_core::Server;
use mcp_core::jsonrpc::ErrorObject;
use tower::ServiceExt as _;
use tower::util::BoxCloneSyncService;

use super::body::{ReadError, read_limited};
use super::guard::{Cors, Guard};
use super::handler::Handler;
use super::media::{Accept, is_json};
use super::request_body::{BoxError, RequestBody};
use super::run::first_poll_then_timeout;
use super::{Body, Builder, cors, respond};

/// The stateless Streamable HTTP endpoint of an MCP [`Server`], as a
/// `tower::Service<http::Request<B>>`.
///
/// Per request, in order: `Host`/`Origin` check (`403`), CORS preflight, the layers
/// added with [`Builder::outer_layer`] (auth, quotas: the body is not read yet), path
/// (`404`), method (`405`), `Content-Type` (`415`), `Accept` (`406`), body size and
/// time (`413`, `408`), then the layers added with [`Builder::layer`] and the MCP
/// dispatch: JSON-RPC decoding, header/body agreement, and the call. Nothing is kept
/// between requests, so any number of instances can serve one endpoint.
///
/// Cheap to clone. Run it with [`serve`](super::serve) or mount it in a router:
///
/// ```
/// # let server = mcp_core::Server::builder("s", "1").build().unwrap();
/// let service = mcp_transport::http::McpService::builder(server).any_path().build();
/// let app: axum::Router = axum::Router::new().nest_service("/mcp", service);
/// ```
#[derive(Clone, Debug)]
pub struct McpService {
    pub(super) shared: Arc<Shared>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) guard: Guard,
    pub(crate) reply_id_prefix: String,
    pub(crate) checked: Arc<Checked>,
    /// The outer layers around [`Checked`], when there are any.
    pub(crate) outer: Option<Outer>,
}

/// The layers of [`Builder::outer_layer`] around [`Checked`].
pub(crate) type Outer =
    BoxCloneSyncService<http::Request<RequestBody>, http::Response<Body>, Infallible>;

/// Everything after the `Host`/`Origin` guard and the outer layers: the HTTP checks,
/// the body read, and the MCP handler.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) path: Option<String>,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) handler: Handler,
}

impl McpService {
    /// A service for `server` with the default (loopback-only) configuration.
    pub fn new(server: Server) -> Self {
        Self::builder(server).build()
    }

    /// Starts configuring a service for `server`.
    pub fn builder(server: Server) -> Builder {
        Builder::new(server)
    }

    /// The prefix of the ids of the requests this instance sends to legacy clients
    /// (sampling, elicitation): a router in front of several instances can send each
    /// POSTed reply to the instance whose prefix its id carries.
    pub fn reply_id_prefix(&self) -> &str {
        &self.shared.reply_id_prefix
    }

    pub(crate) fn loopback_hosts_only(&self) -> bool {
        self.shared.guard.loopback_hosts_only()
    }

    /// Answers one HTTP request.
    pub async fn handle<B>(&self, request: http::Request<B>) -> http::Response<Body>
    where
        B: http_body::Body + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let shared = &*self.shared;
        let Ok(cors) = shared.guard.check(request.headers(), request.uri()) else {
            tracing::debug!(host = ?request.headers().get(http::header::HOST), origin = ?request.headers().get(ORIGIN), "refused: Host or Origin not allowed");
            return respond::error(
                StatusCode::FORBIDDEN,
                ErrorObject::new(-32600, "Forbidden: Host or Origin not allowed"),
            );
        };
        let origin = match cors {
            Cors::Echo => request.headers().get(ORIGIN).cloned(),
            Cors::None | Cors::Wildcard => None,
        };
        let mut response = if request.method() == Method::OPTIONS && cors != Cors::None {
            // Before any outer layer: browsers send preflights without credentials.
            if shared.checked.path_ok(request.uri().path()) {
                cors::preflight(origin.clone(), cors)
            } else {
                respond::plain(StatusCode::NOT_FOUND, "Not Found")
            }
        } else {
            match &shared.outer {
                None => shared.checked.handle(request).await,
                Some(outer) => {
                    let request = request.map(RequestBody::new);
                    match outer.clone().oneshot(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    }
                }
            }
        };
        cors::apply(origin, cors, &mut response);
        response
    }
}

impl Checked {
    /// Whether `requested` is the endpoint's path (or one segment below it).
    fn path_ok(&self, requested: &str) -> bool {
        self.path
            .as_deref()
            .is_none_or(|p| path_matches(p, requested))
    }

    pub(crate) async fn handle<B>(&self, request: http::Request<B>) -> http::Response<Body>
    where
        B: http_body::Body,
    {
        let (parts, body) = request.into_parts();
        if !self.path_ok(parts.uri.path()) {
            return respond::plain(StatusCode::NOT_FOUND, "Not Found");
        }
        if parts.method != Method::POST {
            let mut response = respond::plain(StatusCode::METHOD_NOT_ALLOWED, "");
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        if !is_json(&parts.headers) {
            return respond::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorObject::invalid_request("Content-Type must be application/json"),
            );
        }
        if !Accept::of(&parts.headers).acceptable() {
            return respond::error(
                StatusCode::NOT_ACCEPTABLE,
                ErrorObject::invalid_request(
                    "Accept must list application/json and text/event-stream",
                ),
            );
        }
        let read = read_limited(body, self.max_body_bytes);
        let read = first_poll_then_timeout(self.body_timeout, read).await;
        let bytes = match read {
            Some(Ok(bytes)) => bytes,
            Some(Err(ReadError::TooLarge)) => {
                return closing(respond::error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorObject::invalid_request(format_args!(
                        "the body exceeds {} bytes",
                        self.max_body_bytes
                    )),
                ));
            }
            Some(Err(ReadError::Failed)) => {
                return closing(respond::plain(StatusCode::BAD_REQUEST, ""));
            }
            None => {
                return closing(respond::plain(
                    StatusCode::REQUEST_TIMEOUT,
                    "request body too slow",
                ));
            }
        };
        let request = http::Request::from_parts(parts, Body::from(bytes));
        self.handler.handle(request).await
    }
}

/// The endpoint past its `Host`/`Origin` guard and CORS preflight: what a layer
/// added with [`Builder::outer_layer`] wraps. It receives each request with its body
/// unread, checks path, method and media types, reads the body (under the size and
/// time limits), and hands it to the layers of [`Builder::layer`] and the MCP
/// dispatch.
#[derive(Clone)]
pub struct Endpoint {
    inner: EndpointInner,
}

#[derive(Clone)]
enum EndpointInner {
    Checked(Arc<Checked>),
    Layered(Outer),
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            EndpointInner::Checked(_) => "Endpoint",
            EndpointInner::Layered(_) => "Endpoint(layered)",
        })
    }
}

impl Endpoint {
    pub(crate) fn checked(checked: Arc<Checked>) -> Self {
        Self {
            inner: EndpointInner::Checked(checked),
        }
    }

    pub(crate) fn layered(outer: Outer) -> Self {
        Self {
            inner: EndpointInner::Layered(outer),
        }
    }

    /// The boxed service [`McpService`] calls, when layers were added.
    pub(crate) fn into_outer(self) -> Option<Outer> {
        match self.inner {
            EndpointInner::Checked(_) => None,
            EndpointInner::Layered(outer) => Some(outer),
        }
    }
}

impl tower::Service<http::Request<RequestBody>> for Endpoint {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        match &mut self.inner {
            EndpointInner::Checked(_) => Poll::Ready(Ok(())),
            EndpointInner::Layered(outer) => outer.poll_ready(cx),
        }
    }

    fn call(&mut self, request: http::Request<RequestBody>) -> Self::Future {
        match &mut self.inner {
            EndpointInner::Checked(checked) => {
                let checked = Arc::clone(checked);
                Box::pin(async move { Ok(checked.handle(request).await) })
            }
            EndpointInner::Layered(outer) => Box::pin(outer.call(request)),
        }
    }
}

/// `path` itself, or `path/<segment>` (where a token-in-path auth layer finds its
/// token).
fn path_matches(path: &str, requested: &str) -> bool {
    match requested.strip_prefix(path) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('/')
            .is_some_and(|segment| !segment.is_empty() && !segment.contains('/')),
        None => false,
    }
}

/// Asks the client to open a new connection: the rest of this one's body is unread.
fn closing(mut response: http::Response<Body>) -> http::Response<Body> {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

impl<B> tower::Service<http::Request<B>> for McpService
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn endpoint_path_and_one_segment_below() {
        assert!(path_matches("/mcp", "/mcp"));
        assert!(path_matches("/mcp", "/mcp/mcp_0123abcd"));
        for other in ["/", "/mcpx", "/mcp/", "/mcp/a/b", "/other", "/mc"] {
            assert!(!path_matches("/mcp", other), "{other}");
        }
    }
}
