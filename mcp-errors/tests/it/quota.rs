//! The local quota: burst and steady rate on a manual clock, the `429` answer's
//! headers and body, and bounded memory under a flood of distinct keys.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use mcp_errors::{LocalQuota, ManualClock, QuotaKey, QuotaLayer};
use serde_json::Value;
use tower::{Layer, Service, ServiceExt, service_fn};

use crate::support::timed;

#[derive(Clone, Debug)]
struct TokenId(&'static str);

impl std::fmt::Display for TokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[test]
fn bursts_then_refills_at_the_steady_rate() {
    let clock = ManualClock::new();
    // 60 per minute = one per second, bursts of 5.
    let layer = QuotaLayer::new(LocalQuota::per_minute(60).burst(5)).with_clock(clock.clone());
    for i in 0..5 {
        assert!(layer.check("a").is_ok(), "burst request {i}");
    }
    let limit = layer.check("a").unwrap_err();
    assert_eq!(
        (limit.limit, limit.remaining, limit.source),
        (Some(5), Some(0), "local")
    );
    assert_eq!(limit.reset, Duration::from_secs(1));
    // Another key has its own bucket.
    assert!(layer.check("b").is_ok());
    // Half a period later: still limited, and the wait shrank.
    clock.advance(Duration::from_millis(500));
    assert_eq!(
        layer.check("a").unwrap_err().reset,
        Duration::from_millis(500)
    );
    // Steady state: exactly one request per second gets through.
    for second in 0..10 {
        clock.advance(Duration::from_millis(if second == 0 { 500 } else { 1000 }));
        assert!(layer.check("a").is_ok(), "second {second}");
        assert!(layer.check("a").is_err(), "second {second}");
    }
    // After a long pause the full burst is back.
    clock.advance(Duration::from_secs(60));
    for _ in 0..5 {
        assert!(layer.check("a").is_ok());
    }
    assert!(layer.check("a").is_err());
}

#[test]
fn a_million_distinct_keys_keep_memory_bounded() {
    let clock = ManualClock::new();
    let layer = QuotaLayer::new(LocalQuota::per_second(10))
        .with_max_keys(10_000)
        .with_clock(clock.clone());
    let mut key = String::new();
    for i in 0..1_000_000u32 {
        key.clear();
        key.push('k');
        key.push_str(&i.to_string());
        assert!(layer.check(&key).is_ok());
        if i % 100_000 == 0 {
            assert!(layer.tracked_keys() <= 10_000, "{}", layer.tracked_keys());
        }
    }
    assert!(layer.tracked_keys() <= 10_000, "{}", layer.tracked_keys());
    // Once every bucket has refilled, pruning forgets them all.
    clock.advance(Duration::from_secs(1));
    layer.prune();
    assert_eq!(layer.tracked_keys(), 0);
}

#[test]
fn keys_whose_buckets_refilled_are_pruned_as_time_passes() {
    let clock = ManualClock::new();
    let layer = QuotaLayer::new(LocalQuota::per_second(10)).with_clock(clock.clone());
    for i in 0..50_000u32 {
        // 1 ms apart: a key is forgotten 100 ms after its request.
        clock.advance(Duration::from_millis(1));
        let _ = layer.check(&i.to_string());
    }
    // Pruning runs every 1024 checks: at most ~100 live keys plus one batch.
    assert!(
        layer.tracked_keys() <= 100 + 1024,
        "{}",
        layer.tracked_keys()
    );
}

async fn ok(_: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"inner"))))
}

fn request(token: Option<&'static str>, addr: &str) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(Bytes::from_static(b"{}")));
    request
        .extensions_mut()
        .insert(addr.parse::<SocketAddr>().unwrap());
    if let Some(token) = token {
        request.extensions_mut().insert(TokenId(token));
    }
    request
}

#[tokio::test]
async fn every_local_429_carries_the_headers_and_a_json_rpc_body() {
    let clock = ManualClock::new();
    let layer = QuotaLayer::new(LocalQuota::per_second(2))
        .with_key(QuotaKey::extension::<TokenId>().or(QuotaKey::client_addr()))
        .with_clock(clock.clone());
    let mut service = layer.layer(service_fn(ok));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = timed(
            service
                .ready()
                .await
                .unwrap()
                .call(request(Some("t1"), "127.0.0.1:1000")),
        )
        .await
        .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let h = response.headers();
            assert_eq!(h["ratelimit-limit"], "2");
            assert_eq!(h["ratelimit-remaining"], "0");
            assert_eq!(h["ratelimit-reset"], "1");
            assert_eq!(h["retry-after"], "1");
            assert_eq!(h["content-type"], "application/json");
            let body = timed(response.into_body().collect())
                .await
                .unwrap()
                .to_bytes();
            let json: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["jsonrpc"], "2.0");
            assert_eq!(json["id"], Value::Null);
            assert_eq!(json["error"]["code"], -32010);
            assert_eq!(json["error"]["data"]["rateLimit"]["limit"], 2);
            assert_eq!(json["error"]["data"]["rateLimit"]["remaining"], 0);
            assert_eq!(json["error"]["data"]["rateLimit"]["reset"], 1);
            assert_eq!(json["error"]["data"]["rateLimit"]["source"], "local");
        }
    }
    assert_eq!(statuses[..2], [StatusCode::OK, StatusCode::OK]);
    assert!(
        statuses[2..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS)
    );
    // Same address, other token: its own bucket. No token: keyed by address.
    let other = timed(
        service
            .ready()
            .await
            .unwrap()
            .call(request(Some("t2"), "127.0.0.1:1000")),
    )
    .await
    .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    for expected in [
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let anon = timed(
            service
                .ready()
                .await
                .unwrap()
                .call(request(None, "127.0.0.9:2000")),
        )
        .await
        .unwrap();
        assert_eq!(anon.status(), expected);
    }
    clock.advance(Duration::from_secs(1));
    let again = timed(
        service
            .ready()
            .await
            .unwrap()
            .call(request(Some("t1"), "127.0.0.1:1000")),
    )
    .await
    .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let body = timed(again.into_body().collect()).await.unwrap().to_bytes();
    assert_eq!(&body[..], b"inner");
}

fn request_as(principal: Option<(&str, &str)>, addr: Option<&str>) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(Bytes::from_static(b"{}")));
    if let Some(addr) = addr {
        request
            .extensions_mut()
            .insert(addr.parse::<SocketAddr>().unwrap());
    }
    if let Some((tenant, credential)) = principal {
        request
            .extensions_mut()
            .insert(mcp_core::auth::Principal::new(tenant, credential));
    }
    request
}

async fn status_of<S>(service: &mut S, request: Request<Full<Bytes>>) -> StatusCode
where
    S: Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>, Error = Infallible>,
{
    timed(service.ready().await.unwrap().call(request))
        .await
        .unwrap()
        .status()
}

/// The default key is the caller (tenant + credential), else the address: a
/// token keeps its bucket from any address, and two tokens behind one address
/// (a proxy, a NAT) do not share one.
#[tokio::test]
async fn the_default_key_is_the_principal_then_the_address() {
    let layer = QuotaLayer::new(LocalQuota::per_minute(1)).with_clock(ManualClock::new());
    let mut service = layer.layer(service_fn(ok));
    let alice = Some(("acct_1", "tok_a"));
    assert_eq!(
        status_of(&mut service, request_as(alice, Some("10.0.0.1:1"))).await,
        StatusCode::OK
    );
    // The same token from elsewhere: same bucket.
    assert_eq!(
        status_of(&mut service, request_as(alice, Some("10.0.0.2:1"))).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another token of the same tenant, same address: its own bucket. So is a
    // tenant whose name and credential would run together with alice's.
    for other in [
        ("acct_1", "tok_b"),
        ("acct_1:", "tok_a"),
        ("acct_1t", "ok_a"),
    ] {
        assert_eq!(
            status_of(&mut service, request_as(Some(other), Some("10.0.0.1:1"))).await,
            StatusCode::OK,
            "{other:?}"
        );
    }
    // Anonymous: by address, IPv6 by /64.
    assert_eq!(
        status_of(&mut service, request_as(None, Some("[2001:db8::1]:1"))).await,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&mut service, request_as(None, Some("[2001:db8::2]:1"))).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A request with neither a principal nor an address used to count against one
/// bucket shared by all such requests; now it is refused as the configuration
/// bug it is, and never reaches the service.
#[tokio::test]
async fn a_request_without_a_key_is_refused_not_pooled() {
    let layer = QuotaLayer::new(LocalQuota::per_second(100));
    let mut service = layer.layer(service_fn(ok));
    for _ in 0..3 {
        let response = timed(service.ready().await.unwrap().call(request_as(None, None)))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = timed(response.into_body().collect())
            .await
            .unwrap()
            .to_bytes();
        let json: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], -32603);
    }
    assert_eq!(layer.tracked_keys(), 0);
    // A key chosen by the operator that finds nothing is refused the same way.
    let layer =
        QuotaLayer::new(LocalQuota::per_second(100)).with_key(QuotaKey::extension::<TokenId>());
    let mut service = layer.layer(service_fn(ok));
    assert_eq!(
        status_of(&mut service, request_as(None, Some("127.0.0.1:1"))).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

/// Write something (never safe to send twice).
#[derive(serde::Deserialize, mcp_core::JsonSchema, mcp_core::Tool)]
struct Append {}

async fn append(
    _: Append,
    cx: mcp_core::Context<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
) -> String {
    let n = cx.state().fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("appended {}", n + 1)
}

/// The quota refuses before the tool runs and says so (`source: "local"`), so
/// the bundled client resends even a call with side effects, once the wait is over.
#[tokio::test]
async fn our_client_resends_a_call_the_quota_refused_before_it_ran() {
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = mcp_core::Server::builder("quota", "1.0.0")
        .state(std::sync::Arc::clone(&runs))
        .tool(append)
        .build()
        .unwrap();
    let service = mcp_transport::http::McpService::builder(server)
        .layer(QuotaLayer::new(LocalQuota::per_second(1)))
        .build();
    let running = crate::over_http::Running::start_service(service).await;
    let client = timed(
        mcp_transport::client::Client::builder()
            .max_retries(3)
            .http(&format!("http://{}/mcp", running.addr)),
    )
    .await
    .unwrap();
    for expected in ["appended 1", "appended 2"] {
        let result = timed(client.call_tool("append", serde_json::json!({})))
            .await
            .unwrap();
        assert_eq!(result.text(), expected);
    }
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 2);
    drop(client);
    running.stop().await;
}
