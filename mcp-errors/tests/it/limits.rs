//! `UpstreamLimits` over real HTTP on loopback: a body over the cap (declared or
//! streamed), an upstream that never answers or stalls mid-body, and one that
//! cannot be reached each become a normalized error the model can act on.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http::{Request, Response};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use mcp_errors::UpstreamLimits;
use tokio::task::JoinHandle;

use crate::support::timed;

const MIB: usize = 1 << 20;

/// The fake upstream; aborted (with its connections' tasks) on drop.
struct Upstream {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(path: &str) -> Option<Response<BoxBody<Bytes, Infallible>>> {
    let body = match path {
        "/big" => Full::new(Bytes::from(vec![b'x'; 2 * MIB])).boxed(),
        "/stream" => {
            let chunks = futures::stream::iter(0..64)
                .map(|_| Ok::<_, Infallible>(Frame::data(Bytes::from(vec![b'y'; 32 * 1024]))));
            BodyExt::boxed(StreamBody::new(chunks))
        }
        "/stall" => {
            let first = futures::stream::iter([Ok::<_, Infallible>(Frame::data(
                Bytes::from_static(b"{\"records\": ["),
            ))]);
            BodyExt::boxed(StreamBody::new(first.chain(futures::stream::pending())))
        }
        "/hang" => return None,
        _ => Full::new(Bytes::from_static(br#"{"records": []}"#)).boxed(),
    };
    Some(Response::new(body))
}

async fn start() -> Upstream {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            connections.spawn(async move {
                let service = service_fn(|request: Request<hyper::body::Incoming>| async move {
                    match answer(request.uri().path()) {
                        Some(response) => Ok::<_, Infallible>(response),
                        None => std::future::pending().await,
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Upstream { addr, task }
}

fn limits() -> UpstreamLimits {
    UpstreamLimits::new().timeout(Duration::from_millis(300))
}

#[tokio::test]
async fn hyper_bodies_are_capped_and_timed() {
    let upstream = start().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let get = |path: &str| {
        let uri = format!("http://{}{path}", upstream.addr);
        client.request(Request::get(uri).body(Empty::new()).unwrap())
    };
    let ok = timed(limits().read(get("/ok"))).await.unwrap();
    assert_eq!(ok.json().unwrap()["records"], serde_json::json!([]));
    for (path, code, status) in [
        ("/big", "upstream_response_too_large", 502),
        ("/stream", "upstream_response_too_large", 502),
        ("/hang", "upstream_timeout", 504),
        ("/stall", "upstream_timeout", 504),
    ] {
        let err = timed(limits().read(get(path))).await.unwrap_err();
        assert_eq!(
            (err.code.as_deref(), err.status),
            (Some(code), status),
            "{path}"
        );
        assert!(err.hint.is_some(), "{path}");
        // Whether the head arrived is reported.
        let head = if path == "/hang" { 0 } else { 200 };
        assert_eq!(err.upstream_status, head, "{path}");
    }
    // A smaller cap; the model reads how much was too much.
    let err = timed(limits().max_body(1000).read(get("/stream")))
        .await
        .unwrap_err();
    assert!(err.message.contains("1000 bytes"), "{}", err.message);
    let tool = err.into_tool_error().into_result();
    assert_eq!(tool.is_error, Some(true));
    assert!(
        tool.text().contains("upstream_response_too_large"),
        "{}",
        tool.text()
    );

    drop(upstream);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let uri = format!("http://{closed}/ok");
    let err = timed(limits().read(client.request(Request::get(uri).body(Empty::new()).unwrap())))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("upstream_unreachable"));
    assert_eq!(err.status, 502);
}

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn reqwest_bodies_are_capped_and_timed() {
    let upstream = start().await;
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("http://{}{path}", upstream.addr)).send();
    let ok = timed(limits().read_reqwest(get("/ok"))).await.unwrap();
    assert_eq!(ok.status(), 200);
    for (path, code) in [
        ("/big", "upstream_response_too_large"),
        ("/stream", "upstream_response_too_large"),
        ("/hang", "upstream_timeout"),
        ("/stall", "upstream_timeout"),
    ] {
        let err = timed(limits().read_reqwest(get(path))).await.unwrap_err();
        assert_eq!(err.code.as_deref(), Some(code), "{path}");
    }
    // The plain reader is capped as well.
    let response = timed(get("/stream")).await.unwrap();
    let err = timed(mcp_errors::UpstreamResponse::from_reqwest(response))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("1 MiB"), "{err}");
    drop(upstream);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let err = timed(limits().read_reqwest(client.get(format!("http://{closed}/")).send()))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("upstream_unreachable"));
}
