//! Helpers: timeouts, a store that counts its calls, a small CRM server and an
//! MCP service to put behind the layer.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use mcp_auth::{
    AuthError, AuthLayer, Timestamp, TokenHash, TokenId, TokenManager, TokenMetadata, TokenStore,
};
use mcp_core::transport::Envelope;
use mcp_core::{Context, JsonSchema, Server, Tool};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::{Layer, Service, ServiceExt};

/// Every test future runs under this limit.
pub const LIMIT: Duration = Duration::from_secs(30);

pub async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("test step timed out")
}

/// Counts the calls made to the wrapped store.
#[derive(Clone, Default)]
pub struct Counts {
    pub gets: Arc<AtomicUsize>,
    pub writes: Arc<AtomicUsize>,
}

impl Counts {
    pub fn gets(&self) -> usize {
        self.gets.load(Ordering::SeqCst)
    }
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

pub struct CountingStore<S> {
    pub inner: S,
    pub counts: Counts,
}

impl<S> CountingStore<S> {
    pub fn new(inner: S) -> (Self, Counts) {
        let counts = Counts::default();
        (
            Self {
                inner,
                counts: counts.clone(),
            },
            counts,
        )
    }
}

#[async_trait]
impl<S: TokenStore> TokenStore for CountingStore<S> {
    async fn insert(&self, hash: &TokenHash, metadata: &TokenMetadata) -> Result<(), AuthError> {
        self.counts.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.insert(hash, metadata).await
    }
    async fn get(&self, hash: &TokenHash) -> Result<Option<TokenMetadata>, AuthError> {
        self.counts.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(hash).await
    }
    async fn get_by_id(&self, id: &TokenId) -> Result<Option<TokenMetadata>, AuthError> {
        self.counts.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get_by_id(id).await
    }
    async fn set_expiry(
        &self,
        id: &TokenId,
        expires_at: Option<Timestamp>,
    ) -> Result<Option<TokenMetadata>, AuthError> {
        self.counts.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.set_expiry(id, expires_at).await
    }
    async fn remove(&self, id: &TokenId) -> Result<bool, AuthError> {
        self.counts.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.remove(id).await
    }
}

/// List the CRM's contacts.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, tags("crm", "contacts"))]
pub struct ListContacts {}

/// Create a CRM contact.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(class = "write", tags("crm", "contacts"))]
pub struct CreateContact {
    /// The contact's name.
    pub name: String,
}

/// Search support tickets.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, tags("support"))]
pub struct SearchTickets {}

/// Which account the request acts for.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only)]
pub struct Whoami {}

/// A small CRM: read, write and tagged tools, and one that reports the caller's
/// token metadata.
pub fn crm_server() -> Server {
    Server::builder("crm", "1.0.0")
        .tool(|_: ListContacts, _cx: Context| async { "Alice, Bob" })
        .tool(|a: CreateContact, _cx: Context| async move { format!("created {}", a.name) })
        .tool(|_: SearchTickets, _cx: Context| async { "no tickets" })
        .tool(|_: Whoami, cx: Context| async move {
            cx.extensions()
                .get::<TokenMetadata>()
                .map(|m| m.account_id.clone())
                .unwrap_or_default()
        })
        .build()
        .expect("valid server")
}

pub type Body = Full<Bytes>;

/// The MCP endpoint behind the layer: answers only at `/mcp`, passing the
/// request's extensions to the dispatcher. Counts its calls.
pub fn mcp_service(
    server: Server,
    calls: Arc<AtomicUsize>,
) -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    tower::service_fn(move |request: Request<Body>| {
        let server = server.clone();
        let calls = Arc::clone(&calls);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            if request.uri().path() != "/mcp" {
                let mut response = Response::new(Full::new(Bytes::from(
                    request.uri().to_string().into_bytes(),
                )));
                *response.status_mut() = StatusCode::NOT_FOUND;
                return Ok(response);
            }
            let (parts, body) = request.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let mut envelope = Envelope::new();
            envelope.headers = parts.headers;
            envelope.extensions = parts.extensions;
            let answer = server.handle_message(&bytes, envelope).await;
            let body = answer.map(|r| r.encode()).unwrap_or_default();
            Ok(Response::new(Full::new(Bytes::from(body))))
        }
    })
}

/// The layer in front of the CRM; returns the service and its inner call count.
pub fn protected(
    manager: &TokenManager,
) -> (
    impl Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send>
    + Clone
    + Send
    + 'static,
    Arc<AtomicUsize>,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let service =
        AuthLayer::new(manager.clone()).layer(mcp_service(crm_server(), Arc::clone(&calls)));
    (service, calls)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn challenge(&self) -> &str {
        self.headers
            .get(http::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The tool names of a `tools/list` answer.
    pub fn tool_names(&self) -> Vec<String> {
        self.json()["result"]["tools"]
            .as_array()
            .map(|tools| {
                tools
                    .iter()
                    .filter_map(|t| t["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn send<S>(service: &S, request: Request<Body>) -> Answer
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone,
{
    let response = within(service.clone().oneshot(request))
        .await
        .expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn rpc(method: &str, params: Value) -> Body {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    Full::new(Bytes::from(body.to_string()))
}

/// A POST of `body` to `/mcp/<token>`.
pub fn to_path(token: &str, body: Body) -> Request<Body> {
    Request::post(format!("/mcp/{token}"))
        .header("content-type", "application/json")
        .body(body)
        .expect("valid request")
}

/// A POST of `body` to `/mcp` with `Authorization: Bearer <token>`.
pub fn with_bearer(token: &str, body: Body) -> Request<Body> {
    Request::post("/mcp")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(body)
        .expect("valid request")
}

pub fn list_tools() -> Body {
    rpc("tools/list", json!({}))
}

pub fn call_tool(name: &str, arguments: Value) -> Body {
    rpc("tools/call", json!({"name": name, "arguments": arguments}))
}

/// Polls `check` every 10 ms, at most `LIMIT`.
pub async fn eventually<F: Fn() -> bool>(check: F) -> bool {
    let deadline = tokio::time::Instant::now() + LIMIT;
    while tokio::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// A random token with the right prefix, length and checksum, that was never
/// issued.
pub fn random_well_formed() -> String {
    use sha2::{Digest, Sha256};
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).unwrap();
    let body = format!("mcp_{}", hex::encode(secret));
    let sum = Sha256::digest(body.as_bytes());
    let token = format!("{body}{}", hex::encode(&sum[..4]));
    assert!(mcp_auth::RawToken::is_well_formed(&token));
    token
}

/// An `McpService` for `server` behind `layer`, served over HTTP on 127.0.0.1 by
/// `mcp_transport::http::serve` (which puts the client's address into requests).
pub struct Served {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), mcp_transport::Error>>,
}

impl Served {
    pub async fn start(
        layer: AuthLayer,
        configure: impl FnOnce(mcp_transport::http::Builder) -> mcp_transport::http::Builder,
    ) -> Self {
        Self::start_server(crm_server(), layer, configure).await
    }

    pub async fn start_server(
        server: Server,
        layer: AuthLayer,
        configure: impl FnOnce(mcp_transport::http::Builder) -> mcp_transport::http::Builder,
    ) -> Self {
        let service = configure(mcp_transport::http::McpService::builder(server))
            .outer_layer(layer)
            .build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(
            mcp_transport::http::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .into_future(),
        );
        Self {
            base,
            stop: Some(stop),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        within(&mut self.task).await.unwrap().unwrap();
    }
}
