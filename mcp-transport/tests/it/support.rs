//! Shared test helpers: a test server with instrumented tools, a raw HTTP client, and
//! timeouts on every future.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use mcp_core::wire::LogLevel;
use mcp_core::{Context, InputRequired, JsonSchema, RateLimit, Server, Tool, ToolError};
use mcp_transport::http::{Body, Builder, McpService, ServeConfig, serve};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Fails the test when `fut` takes longer than `secs`.
pub(crate) async fn within<F: Future>(secs: u64, fut: F) -> F::Output {
    match tokio::time::timeout(Duration::from_secs(secs), fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {secs} s"),
    }
}

/// What the tools saw.
#[derive(Default, Debug)]
pub(crate) struct Counters {
    pub(crate) runs: AtomicUsize,
    pub(crate) started: AtomicUsize,
    pub(crate) cancelled: AtomicUsize,
    pub(crate) finished: AtomicUsize,
}

/// Echo the text back.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only)]
struct Echo {
    text: String,
}

async fn echo(args: Echo, cx: Context<Arc<Counters>>) -> String {
    cx.state().runs.fetch_add(1, Ordering::SeqCst);
    args.text
}

/// Sleep for `ms` milliseconds.
#[derive(Deserialize, JsonSchema, Tool)]
struct Slow {
    ms: u64,
}

struct DropGuard(Arc<Counters>, bool);

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.1 {
            self.0.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn slow(args: Slow, cx: Context<Arc<Counters>>) -> String {
    cx.state().started.fetch_add(1, Ordering::SeqCst);
    let mut guard = DropGuard(Arc::clone(cx.state()), false);
    tokio::time::sleep(Duration::from_millis(args.ms)).await;
    guard.1 = true;
    cx.state().finished.fetch_add(1, Ordering::SeqCst);
    format!("slept {} ms", args.ms)
}

/// Report progress `steps` times.
#[derive(Deserialize, JsonSchema, Tool)]
struct Progress {
    steps: u32,
}

async fn progress(args: Progress, cx: Context<Arc<Counters>>) -> String {
    for i in 1..=args.steps {
        cx.progress(f64::from(i), Some(f64::from(args.steps)), Some("working"))
            .await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    "done".to_owned()
}

/// Always fails, for the model to read.
#[derive(Deserialize, JsonSchema, Tool)]
struct Fail {}

async fn fail(_: Fail, _cx: Context<Arc<Counters>>) -> Result<String, ToolError> {
    Err(ToolError::new("the record was not found").with_hint("list records first"))
}

/// Always rate limited.
#[derive(Deserialize, JsonSchema, Tool)]
struct Limited {}

async fn limited(_: Limited, _cx: Context<Arc<Counters>>) -> Result<String, ToolError> {
    Err(ToolError::rate_limited(RateLimit {
        limit: Some(100),
        remaining: Some(0),
        reset: Duration::from_secs(42),
        source: "upstream",
    }))
}

/// Return a request header's value and the scope's classes the tool sees.
#[derive(Deserialize, JsonSchema, Tool)]
struct Inspect {
    header: String,
}

async fn inspect(args: Inspect, cx: Context<Arc<Counters>>) -> String {
    let value = cx
        .headers()
        .get(&args.header)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)");
    let scoped = cx.extensions().get::<mcp_core::auth::Scope>().is_some();
    format!("{value} scoped={scoped}")
}

/// Logs `lines` messages at info, then answers.
#[derive(Deserialize, JsonSchema, Tool)]
struct Chatty {
    lines: u32,
}

async fn chatty(args: Chatty, cx: Context<Arc<Counters>>) -> String {
    for i in 1..=args.lines {
        cx.log(LogLevel::Info, format!("line {i}")).await;
    }
    format!("logged {}", args.lines)
}

/// Asks the client for a name (elicitation), then greets it.
#[derive(Deserialize, JsonSchema, Tool)]
struct Ask {}

async fn ask(_: Ask, cx: Context<Arc<Counters>>) -> Result<String, ToolError> {
    match cx.input_value("who") {
        Some(v) => Ok(format!(
            "hello {}",
            v["content"]["name"].as_str().unwrap_or("?")
        )),
        None => Err(InputRequired::new()
            .elicit(
                "who",
                "Name?",
                json!({"type": "object", "properties": {"name": {"type": "string"}}}),
            )
            .into()),
    }
}

/// The tools every test server has.
pub(crate) fn test_server(counters: Arc<Counters>) -> Server {
    Server::builder("test", "1.0.0")
        .state(counters)
        .tool(echo)
        .tool(slow)
        .tool(progress)
        .tool(fail)
        .tool(limited)
        .tool(inspect)
        .tool(chatty)
        .tool(ask)
        .build()
        .unwrap()
}

/// A running [`serve`], stopped on drop.
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    pub(crate) url: String,
    pub(crate) counters: Arc<Counters>,
    /// Where the ids of this instance's requests to legacy clients start.
    pub(crate) reply_id_prefix: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), mcp_transport::Error>>>,
}

impl TestServer {
    /// Serves the test tools with the builder's defaults changed by `configure`.
    pub(crate) async fn start(configure: impl FnOnce(Builder) -> Builder) -> Self {
        let counters = Arc::new(Counters::default());
        let service = configure(McpService::builder(test_server(Arc::clone(&counters)))).build();
        Self::serve(service, counters).await
    }

    pub(crate) async fn serve(service: McpService, counters: Arc<Counters>) -> Self {
        Self::serve_with(service, counters, ServeConfig::default()).await
    }

    /// Serves the test tools under `config`.
    pub(crate) async fn with_config(config: ServeConfig) -> Self {
        let counters = Arc::new(Counters::default());
        let service = McpService::new(test_server(Arc::clone(&counters)));
        Self::serve_with(service, counters, config).await
    }

    pub(crate) async fn serve_with(
        service: McpService,
        counters: Arc<Counters>,
        config: ServeConfig,
    ) -> Self {
        let reply_id_prefix = service.reply_id_prefix().to_owned();
        let mut srv = Self::spawn(service, config).await;
        srv.counters = counters;
        srv.reply_id_prefix = reply_id_prefix;
        srv
    }

    /// Serves any service (an axum router, a layered `McpService`) under `config`.
    pub(crate) async fn spawn<S, B>(service: S, config: ServeConfig) -> Self
    where
        S: tower::Service<Request<Incoming>, Response = http::Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = serve(listener, service)
            .config(config)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            });
        let task = tokio::spawn(serving.into_future());
        let reply_id_prefix = String::new();
        let counters = Arc::default();
        Self {
            addr,
            url: format!("http://{addr}/mcp"),
            counters,
            reply_id_prefix,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Signals shutdown and waits for `serve` to return.
    pub(crate) async fn stop(mut self) -> Result<(), mcp_transport::Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self.task.take().unwrap();
        within(20, task).await.unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A response read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub(crate) fn error_code(&self) -> i64 {
        self.json()["error"]["code"].as_i64().unwrap()
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub(crate) type HttpClient = Client<HttpConnector, Body>;

pub(crate) fn http_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends `request` and reads the whole answer.
pub(crate) async fn send(client: &HttpClient, request: Request<Body>) -> Reply {
    let response = within(20, client.request(request)).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = within(20, body.collect()).await.unwrap().to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// A POST to `url` with the standard MCP headers plus `extra`.
pub(crate) fn post(url: &str, extra: &[(&str, &str)], body: impl Into<Bytes>) -> Request<Body> {
    let mut b = Request::post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.into())).unwrap()
}

/// The body of a modern request.
pub(crate) fn modern(id: i64, method: &str, mut params: Value) -> String {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// Headers matching a modern `tools/call` of `tool`.
pub(crate) fn modern_call_headers(tool: &str) -> Vec<(&'static str, String)> {
    vec![
        ("mcp-protocol-version", "2026-07-28".to_owned()),
        ("mcp-method", "tools/call".to_owned()),
        ("mcp-name", tool.to_owned()),
    ]
}

/// POSTs a modern `tools/call` with matching headers.
pub(crate) async fn call(
    client: &HttpClient,
    url: &str,
    id: i64,
    tool: &str,
    args: Value,
) -> Reply {
    let headers = modern_call_headers(tool);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = modern(id, "tools/call", json!({"name": tool, "arguments": args}));
    send(client, post(url, &headers, body)).await
}

/// Reads until the server closes the connection; returns what it sent.
pub(crate) async fn read_to_close(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads until one response head has arrived.
pub(crate) async fn read_head(stream: &mut tokio::net::TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while !out.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
