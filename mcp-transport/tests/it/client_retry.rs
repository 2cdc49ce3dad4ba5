//! The client resends after a `429` only what is safe to send twice: requests
//! other than `tools/call`, calls of tools listed as read-only or idempotent, and
//! calls a local limiter refused before the tool ran. An upstream `429` after a
//! tool's side effects is reported at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use mcp_transport::Error;
use mcp_transport::client::Client;
use serde_json::{Value, json};

use crate::support::{TestServer, within};

/// Who refused, as the `429` body says.
#[derive(Clone, Copy)]
enum Refusal {
    /// A local quota or throttle, before anything ran.
    Local,
    /// A tool passing an upstream `429` through.
    Upstream,
    /// A proxy's bare `429`.
    Unmarked,
}

#[derive(Clone)]
struct Fake {
    /// Requests still to refuse, and the methods refused.
    left: Arc<Mutex<usize>>,
    methods: &'static [&'static str],
    refusal: Refusal,
    /// `method` or `tools/call <name>` of every request received.
    seen: Arc<Mutex<Vec<String>>>,
}

async fn fake(State(f): State<Fake>, body: axum::body::Bytes) -> axum::response::Response {
    let request: Value = serde_json::from_slice(&body).unwrap();
    let method = request["method"].as_str().unwrap_or_default().to_owned();
    let label = match request["params"]["name"].as_str() {
        Some(name) if method == "tools/call" => format!("{method} {name}"),
        _ => method.clone(),
    };
    f.seen.lock().unwrap().push(label);
    let refuse = f.methods.contains(&method.as_str()) && {
        let mut left = f.left.lock().unwrap();
        let refuse = *left > 0;
        *left = left.saturating_sub(1);
        refuse
    };
    if refuse {
        let body = match f.refusal {
            Refusal::Local => json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32010,
                "message": "Rate limited (local)", "data": {"rateLimit": {"source": "local", "reset": 0}}}})
            .to_string(),
            Refusal::Upstream => json!({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32010,
                "message": "Rate limited (upstream)", "data": {"rateLimit": {"source": "upstream", "reset": 0}}}})
            .to_string(),
            Refusal::Unmarked => "Too Many Requests".to_owned(),
        };
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("ratelimit-reset", "0"),
                ("content-type", "application/json"),
            ],
            body,
        )
            .into_response();
    }
    let result = if method == "tools/list" {
        json!({"tools": [
            {"name": "read", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}},
            {"name": "idem", "inputSchema": {"type": "object"}, "annotations": {"idempotentHint": true}},
            {"name": "write", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": false}},
            {"name": "plain", "inputSchema": {"type": "object"}},
        ]})
    } else {
        json!({"content": [{"type": "text", "text": "done"}]})
    };
    let answer = json!({"jsonrpc": "2.0", "id": request["id"], "result": result});
    ([("content-type", "application/json")], answer.to_string()).into_response()
}

/// A fake server refusing the first `refused` requests of `methods`.
async fn start(
    refused: usize,
    methods: &'static [&'static str],
    refusal: Refusal,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Fake {
        left: Arc::new(Mutex::new(refused)),
        methods,
        refusal,
        seen: Arc::clone(&seen),
    };
    let app = axum::Router::new()
        .route("/mcp", axum::routing::post(fake))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn connect(url: &str) -> Client {
    Client::builder()
        .max_retries(5)
        .backoff(Duration::from_millis(10))
        .http(url)
        .await
        .unwrap()
}

fn calls(seen: &Mutex<Vec<String>>, label: &str) -> usize {
    seen.lock().unwrap().iter().filter(|s| *s == label).count()
}

/// The bug: an upstream `429` after the tool's side effects was resent five times.
#[tokio::test]
async fn an_upstream_429_on_a_call_with_side_effects_is_not_resent() {
    within(30, async {
        for refusal in [Refusal::Upstream, Refusal::Unmarked] {
            let (url, seen) = start(usize::MAX, &["tools/call"], refusal).await;
            let client = connect(&url).await;
            client.list_tools().await.unwrap();
            for tool in ["write", "plain", "unlisted"] {
                let err = client.call_tool(tool, json!({})).await.unwrap_err();
                assert!(
                    matches!(err, Error::RateLimited { attempts: 1, .. }),
                    "{tool}: {err:?}"
                );
                assert_eq!(calls(&seen, &format!("tools/call {tool}")), 1, "{tool}");
            }
        }
    })
    .await;
}

/// A local limiter refused before the tool ran: resending is safe.
#[tokio::test]
async fn a_local_refusal_is_resent() {
    within(30, async {
        let (url, seen) = start(2, &["tools/call"], Refusal::Local).await;
        let client = connect(&url).await;
        let result = client.call_tool("write", json!({})).await.unwrap();
        assert_eq!(result.text(), "done");
        assert_eq!(calls(&seen, "tools/call write"), 3);
    })
    .await;
}

/// Tools listed as read-only or idempotent, and every other method, are resent
/// whoever refused.
#[tokio::test]
async fn read_only_and_idempotent_tools_and_other_methods_are_resent() {
    within(30, async {
        for tool in ["read", "idem"] {
            let (url, seen) = start(2, &["tools/call"], Refusal::Upstream).await;
            let client = connect(&url).await;
            client.list_tools().await.unwrap();
            let result = client.call_tool(tool, json!({})).await.unwrap();
            assert_eq!(result.text(), "done");
            assert_eq!(calls(&seen, &format!("tools/call {tool}")), 3, "{tool}");
        }
        let (url, seen) = start(2, &["tools/list", "ping"], Refusal::Unmarked).await;
        let client = connect(&url).await;
        assert_eq!(client.list_tools().await.unwrap().len(), 4);
        assert_eq!(calls(&seen, "tools/list"), 3);
    })
    .await;
}

/// End to end: a tool's upstream rate limit reaches the client once.
#[tokio::test]
async fn a_tools_passed_through_429_reaches_the_client_once() {
    within(30, async {
        let srv = TestServer::start(|b| b).await;
        let client = connect(&srv.url).await;
        let err = client.call_tool("limited", json!({})).await.unwrap_err();
        assert!(
            matches!(err, Error::RateLimited { attempts: 1, retry_after: Some(d), .. } if d == Duration::from_secs(42)),
            "{err:?}"
        );
    })
    .await;
}
