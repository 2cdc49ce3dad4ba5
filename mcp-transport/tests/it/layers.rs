//! Layers that answer before the body is read: inside `McpService` with
//! `Builder::outer_layer` (behind the Host/Origin check), or around it, served by
//! the generic `serve`; both see the client's address.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response, StatusCode};
use mcp_transport::http::{Body, McpService, serve};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Counters, TestServer, call, http_client, post, send, test_server, within};

/// A stand-in for an auth layer: `401` without `Authorization`; otherwise the call
/// goes on, and the response tells which client address the layer saw.
#[derive(Clone)]
struct Gate<S> {
    inner: S,
    seen: Arc<AtomicUsize>,
}

impl<S, B> tower::Service<Request<B>> for Gate<S>
where
    S: tower::Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.seen.fetch_add(1, Ordering::SeqCst);
        if request.headers().get("authorization").is_none() {
            let mut refused = Response::new(Body::from("no token"));
            *refused.status_mut() = StatusCode::UNAUTHORIZED;
            return Box::pin(std::future::ready(Ok(refused)));
        }
        let peer = request
            .extensions()
            .get::<SocketAddr>()
            .map(|a| a.ip().to_string());
        let call = self.inner.call(request);
        Box::pin(async move {
            let mut response = call.await?;
            let peer = HeaderValue::from_str(peer.as_deref().unwrap_or("none")).unwrap();
            response.headers_mut().insert("x-peer", peer);
            Ok(response)
        })
    }
}

fn gate<S>(seen: &Arc<AtomicUsize>) -> impl tower::Layer<S, Service = Gate<S>> + use<S> {
    let seen = Arc::clone(seen);
    tower::layer::layer_fn(move |inner| Gate {
        inner,
        seen: Arc::clone(&seen),
    })
}

/// Sends a request head announcing a 10 MB body, and no body: the answer must come
/// anyway.
async fn announce_big_body(addr: SocketAddr, extra: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{extra}Content-Length: 10000000\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn outer_layers_answer_before_the_body_is_read_and_after_the_origin_check() {
    within(20, async {
        let seen = Arc::new(AtomicUsize::new(0));
        let srv = TestServer::start(|b| {
            b.cors_origins(["https://app.example"])
                .outer_layer(gate(&seen))
        })
        .await;
        let c = http_client();

        let head = announce_big_body(srv.addr, "").await;
        assert!(head.starts_with("HTTP/1.1 401"), "{head}");
        assert_eq!(seen.load(Ordering::SeqCst), 1);

        // The Host/Origin check runs first: the layer never sees a foreign origin.
        let r = send(
            &c,
            post(&srv.url, &[("origin", "https://evil.example")], "{}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Preflights carry no credentials: answered before the layer.
        let preflight = Request::options(&srv.url)
            .header("origin", "https://app.example")
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap();
        let r = send(&c, preflight).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(seen.load(Ordering::SeqCst), 1);

        // A 401 to an allowed browser origin still carries the CORS headers.
        let r = send(
            &c,
            post(&srv.url, &[("origin", "https://app.example")], "{}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );

        // With a token the call goes through, and the layer saw the client's address.
        let body = crate::support::modern(
            1,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "hi"}}),
        );
        let mut headers = vec![("authorization", "Bearer t")];
        let mirrored = crate::support::modern_call_headers("echo");
        headers.extend(mirrored.iter().map(|(k, v)| (*k, v.as_str())));
        let r = send(&c, post(&srv.url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["result"]["content"][0]["text"], "hi");
        assert_eq!(r.header("x-peer"), "127.0.0.1");
    })
    .await;
}

#[tokio::test]
async fn serve_runs_any_tower_service_and_passes_the_client_address() {
    within(20, async {
        let seen = Arc::new(AtomicUsize::new(0));
        let counters = Arc::new(Counters::default());
        let mcp = McpService::new(test_server(Arc::clone(&counters)));
        let service = tower::ServiceBuilder::new().layer(gate(&seen)).service(mcp);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = serve(listener, service).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        let task = tokio::spawn(serving.into_future());

        let head = announce_big_body(addr, "").await;
        assert!(head.starts_with("HTTP/1.1 401"), "{head}");

        let url = format!("http://{addr}/mcp");
        let c = http_client();
        let r = call(&c, &url, 1, "echo", json!({"text": "x"})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let body = crate::support::modern(
            2,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}}),
        );
        let mirrored = crate::support::modern_call_headers("echo");
        let mut headers: Vec<(&str, &str)> =
            mirrored.iter().map(|(k, v)| (*k, v.as_str())).collect();
        headers.push(("authorization", "Bearer t"));
        let r = send(&c, post(&url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("x-peer"), "127.0.0.1");
        assert_eq!(counters.runs.load(Ordering::SeqCst), 1);

        let _ = stop.send(());
        within(10, task).await.unwrap().unwrap();
    })
    .await;
}
