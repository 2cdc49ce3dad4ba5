//! The client: both eras over HTTP, a stdio child process, and `429` handling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use mcp_core::jsonrpc::ErrorObject;
use mcp_core::wire::ProtocolVersion;
use mcp_transport::Error;
use mcp_transport::client::Client;
use serde_json::{Value, json};

use crate::support::{Counters, TestServer, test_server, within};

const TOOLS: [&str; 8] = [
    "ask", "chatty", "echo", "fail", "inspect", "limited", "progress", "slow",
];

async fn exercise(client: &Client) {
    let mut names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    assert_eq!(names, TOOLS);
    let r = client
        .call_tool("echo", json!({"text": "héllo"}))
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true));
    assert_eq!(r.text(), "héllo");
    // isError results are data, not errors.
    let r = client.call_tool("fail", json!({})).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(r.text().contains("not found"));
    match client.call_tool("nope", json!({})).await {
        Err(Error::Rpc(e)) => assert_eq!(e.code(), ErrorObject::INVALID_PARAMS),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_client_speaks_both_eras() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let modern = Client::builder().http(&srv.url).await.unwrap();
        assert_eq!(modern.protocol_version(), ProtocolVersion::V2026_07_28);
        exercise(&modern).await;
        for v in [
            ProtocolVersion::V2025_11_25,
            ProtocolVersion::V2025_06_18,
            ProtocolVersion::V2025_03_26,
            ProtocolVersion::V2024_11_05,
        ] {
            let legacy = Client::builder()
                .protocol_version(v)
                .http(&srv.url)
                .await
                .unwrap();
            assert_eq!(legacy.protocol_version(), v);
            exercise(&legacy).await;
        }
        // Streamed answers (progress) are read from SSE.
        let r = modern
            .call_tool("progress", json!({"steps": 2}))
            .await
            .unwrap();
        assert_eq!(r.text(), "done");
        assert!(matches!(
            Client::builder().http("https://127.0.0.1:1/mcp").await,
            Err(Error::Config(_))
        ));
    })
    .await;
}

/// Not a test on its own: the stdio server the next test starts as a child process
/// (this test binary run again with `MCP_IT_STDIO_CHILD=1`).
#[tokio::test]
async fn stdio_child_server() {
    if std::env::var_os("MCP_IT_STDIO_CHILD").is_none() {
        return;
    }
    let server = test_server(Arc::new(Counters::default()));
    mcp_transport::stdio::serve(server).await.unwrap();
}

#[tokio::test]
async fn stdio_client_speaks_both_eras() {
    within(30, async {
        for v in [ProtocolVersion::V2026_07_28, ProtocolVersion::V2025_11_25] {
            let mut cmd = tokio::process::Command::new(std::env::current_exe().unwrap());
            // `-q`: the harness then prints nothing on the line our messages start on
            // (its other lines are not JSON, and the client skips them).
            cmd.args(["--exact", "client::stdio_child_server", "--nocapture", "-q"])
                .env("MCP_IT_STDIO_CHILD", "1");
            let client = Client::builder()
                .protocol_version(v)
                .stdio(cmd)
                .await
                .unwrap();
            assert_eq!(client.protocol_version(), v);
            exercise(&client).await;
            let (a, b) = tokio::join!(
                client.call_tool("slow", json!({"ms": 50})),
                client.call_tool("echo", json!({"text": "concurrent"}))
            );
            assert_eq!(a.unwrap().text(), "slept 50 ms");
            assert_eq!(b.unwrap().text(), "concurrent");
        }
    })
    .await;
}

/// A server that answers a local limiter's `429` with `headers` for the first
/// `limited` requests, then a tool result.
#[derive(Clone)]
struct Limiter {
    hits: Arc<AtomicUsize>,
    limited: usize,
    headers: fn() -> Vec<(&'static str, String)>,
}

async fn limiter(State(l): State<Limiter>, body: axum::body::Bytes) -> axum::response::Response {
    let n = l.hits.fetch_add(1, Ordering::SeqCst);
    if n < l.limited {
        let mut headers = HeaderMap::new();
        for (k, v) in (l.headers)() {
            headers.insert(k, v.parse().unwrap());
        }
        // The local limiters' answer: refused before anything ran, safe to resend.
        let body = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32010,"message":"Rate limited (local)","data":{"rateLimit":{"source":"local"}}}}"#;
        return (StatusCode::TOO_MANY_REQUESTS, headers, body).into_response();
    }
    let request: Value = serde_json::from_slice(&body).unwrap();
    let answer = json!({"jsonrpc": "2.0", "id": request["id"],
        "result": {"content": [{"type": "text", "text": format!("ok after {n}")}]}});
    ([("content-type", "application/json")], answer.to_string()).into_response()
}

async fn limiter_url(
    limited: usize,
    headers: fn() -> Vec<(&'static str, String)>,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let state = Limiter {
        hits: Arc::clone(&hits),
        limited,
        headers,
    };
    let app = axum::Router::new()
        .route("/mcp", axum::routing::post(limiter))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

fn client_for_429() -> mcp_transport::client::Builder {
    Client::builder()
        .max_retries(3)
        .backoff(Duration::from_millis(20))
        .max_wait(Duration::from_secs(10))
}

#[tokio::test]
async fn client_waits_out_429_in_each_header_form() {
    within(30, async {
        let forms: [fn() -> Vec<(&'static str, String)>; 4] = [
            || {
                vec![
                    ("ratelimit-reset", "1".into()),
                    ("ratelimit-remaining", "0".into()),
                ]
            },
            || vec![("retry-after", "1".into())],
            || {
                vec![(
                    "retry-after",
                    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2)),
                )]
            },
            Vec::new,
        ];
        let runs = forms.map(|headers| async move {
            let (url, hits) = limiter_url(2, headers).await;
            let client = client_for_429().http(&url).await.unwrap();
            let started = tokio::time::Instant::now();
            let result = client.call_tool("any", json!({})).await.unwrap();
            (
                result.text(),
                hits.load(Ordering::SeqCst),
                started.elapsed(),
                headers().is_empty(),
            )
        });
        let results = futures::future::join_all(runs).await;
        for (text, hits, elapsed, no_header) in results {
            assert_eq!(text, "ok after 2");
            assert_eq!(hits, 3);
            // The server's wait is the floor (an HTTP date has 1 s resolution).
            if !no_header {
                assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn client_gives_up_with_an_error_that_says_how_long_it_waited() {
    within(30, async {
        let (url, hits) = limiter_url(usize::MAX, Vec::new).await;
        let client = client_for_429().max_retries(2).http(&url).await.unwrap();
        match client.call_tool("any", json!({})).await {
            Err(Error::RateLimited { attempts, waited, retry_after }) => {
                assert_eq!(attempts, 3);
                assert!(waited >= Duration::from_millis(60), "{waited:?}");
                assert_eq!(retry_after, None);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(hits.load(Ordering::SeqCst), 3);

        // Asked to wait longer than allowed: no retry, the asked wait is reported.
        let (url, hits) = limiter_url(usize::MAX, || vec![("ratelimit-reset", "3600".into())]).await;
        let client = client_for_429().http(&url).await.unwrap();
        let err = client.call_tool("any", json!({})).await.unwrap_err();
        assert!(matches!(
            err,
            Error::RateLimited { attempts: 1, retry_after: Some(d), .. } if d == Duration::from_secs(3600)
        ));
        assert!(err.to_string().contains("3600"), "{err}");
        assert_eq!(hits.load(Ordering::SeqCst), 1);

        // End to end: a tool's upstream rate limit reaches the client as 429.
        let srv = TestServer::start(|b| b).await;
        let client = client_for_429().http(&srv.url).await.unwrap();
        let err = client.call_tool("limited", json!({})).await.unwrap_err();
        assert!(matches!(
            err,
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(42)
        ));
    })
    .await;
}
