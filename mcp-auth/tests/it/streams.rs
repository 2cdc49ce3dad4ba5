//! Hole 9: revocation and expiry reach open streams. Over real HTTP, a
//! `subscriptions/listen` stream opened with a token URL ends at once when the
//! token is revoked (well within the keep-alive interval), and at the next
//! keep-alive when it expires.

use std::time::{Duration, Instant};

use mcp_auth::{
    AuthLayer, ManualClock, MemoryStore, NewToken, SigningKey, Timestamp, TokenManager,
};
use mcp_core::{Context, JsonSchema, Server, Tool};
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// Waits a minute, then says so.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct Wait {}

/// Opens a `subscriptions/listen` stream at `url`; returns it once acknowledged.
async fn listen(url: &str) -> reqwest::Response {
    let body = json!({
        "jsonrpc": "2.0", "id": 9, "method": "subscriptions/listen",
        "params": {
            "notifications": {"toolsListChanged": true},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        },
    });
    let mut response = within(
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "subscriptions/listen")
            .body(body.to_string())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let mut seen = String::new();
    while !seen.contains("subscriptions/acknowledged") {
        let chunk = within(response.chunk()).await.unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk.expect("acknowledged")));
    }
    response
}

/// Reads the stream for `window`: `Some(rest)` if it ended within it.
async fn ends_within(response: &mut reqwest::Response, window: Duration) -> Option<String> {
    let mut rest = String::new();
    let read = async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            rest.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(window, read).await.ok().map(|()| rest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_token_ends_its_open_listen_stream_at_once() {
    let manager = TokenManager::new(MemoryStore::new(), SigningKey::generate("k1").unwrap());
    let issued = within(manager.create(NewToken::new("t", "acct_1")))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    let token = issued.token.expose_secret();
    let other = within(manager.create(NewToken::new("other", "acct_1")))
        .await
        .unwrap();
    let other_token = other.token.expose_secret();
    // A long keep-alive: only the revocation signal can end the stream in time.
    let served = Served::start(AuthLayer::new(manager.clone()), |b| {
        b.keep_alive(Duration::from_secs(60))
    })
    .await;
    let mut stream = listen(&format!("{}/mcp/{token}", served.base)).await;
    let mut other_stream = listen(&format!("{}/mcp/{other_token}", served.base)).await;

    let revoked_at = Instant::now();
    within(manager.revoke(&id)).await.unwrap();
    let rest = ends_within(&mut stream, Duration::from_secs(10))
        .await
        .expect("the stream of a revoked token ends");
    assert!(revoked_at.elapsed() < Duration::from_secs(10));
    assert!(rest.contains("revoked or has expired"), "{rest}");
    assert!(rest.contains(r#""id":9"#), "{rest}");
    // Another token's stream goes on.
    assert!(
        ends_within(&mut other_stream, Duration::from_millis(300))
            .await
            .is_none()
    );
    drop((stream, other_stream));
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_ends_its_open_listen_stream_at_the_next_keep_alive() {
    let clock = ManualClock::new(Timestamp::now());
    let manager = TokenManager::builder(
        MemoryStore::builder().clock(clock.clone()).build(),
        SigningKey::generate("k1").unwrap(),
    )
    .clock(clock.clone())
    .build()
    .unwrap();
    let expires = clock.now().saturating_add(Duration::from_secs(120));
    let issued = within(manager.create(NewToken::new("t", "acct_1").expires_at(Some(expires))))
        .await
        .unwrap();
    let token = issued.token.expose_secret();
    let served = Served::start(AuthLayer::new(manager.clone()), |b| {
        b.keep_alive(Duration::from_millis(100))
    })
    .await;
    let mut stream = listen(&format!("{}/mcp/{token}", served.base)).await;
    // Valid: keep-alives, and the stream stays open.
    assert!(
        ends_within(&mut stream, Duration::from_millis(400))
            .await
            .is_none()
    );
    clock.set(expires.saturating_add(Duration::from_secs(1)));
    let rest = ends_within(&mut stream, Duration::from_secs(10))
        .await
        .expect("the stream of an expired token ends at the next keep-alive");
    assert!(rest.contains("revoked or has expired"), "{rest}");
    served.stop().await;
}

/// A running tool call's stream ends too, and the call is cancelled with it: it
/// does not go on with the revoked token's metadata.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_token_ends_its_running_tool_call() {
    let manager = TokenManager::new(MemoryStore::new(), SigningKey::generate("k1").unwrap());
    let issued = within(manager.create(NewToken::new("t", "acct_1")))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    let token = issued.token.expose_secret();
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&finished);
    let server = Server::builder("waiter", "1.0.0")
        .tool(move |_: Wait, _cx: Context| {
            let flag = std::sync::Arc::clone(&flag);
            async move {
                tokio::time::sleep(Duration::from_secs(60)).await;
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                "done"
            }
        })
        .build()
        .unwrap();
    let served = Served::start_server(server, AuthLayer::new(manager.clone()), |b| {
        b.keep_alive(Duration::from_millis(200))
            .request_timeout(Duration::from_secs(120))
    })
    .await;
    let body = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
        "params": {"name": "wait", "arguments": {}}});
    let mut response = within(
        reqwest::Client::new()
            .post(format!("{}/mcp/{token}", served.base))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    // The first keep-alive: the call runs on an open stream.
    let chunk = within(response.chunk()).await.unwrap().unwrap();
    assert!(!chunk.is_empty());
    within(manager.revoke(&id)).await.unwrap();
    let rest = ends_within(&mut response, Duration::from_secs(10))
        .await
        .expect("the call's stream ends");
    assert!(rest.contains("revoked or has expired"), "{rest}");
    assert!(rest.contains(r#""id":4"#), "{rest}");
    assert!(!finished.load(std::sync::atomic::Ordering::SeqCst));
    served.stop().await;
}
