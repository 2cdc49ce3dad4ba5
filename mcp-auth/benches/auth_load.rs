//! What the auth layer costs: a load driver, not a criterion bench (it needs real
//! servers on 127.0.0.1 and reports percentiles side by side).
//!
//! Run with `cargo bench -p mcp-auth --bench auth_load` (needs `redis-server` on
//! PATH for the Redis rows; `AUTH_BENCH_SECS` sets each round's length, default 3).
//!
//! 1. The layer alone: `Auth<noop>` per request vs the bare `noop`, memory and Redis
//!    store, sequential calls, p50/p99.
//! 2. `hello_http` (the `hello` tools on `McpService` + `serve`) with and without
//!    the layer (`Builder::layer(AuthLayer)`, token as `Authorization: Bearer`), 16
//!    concurrent keep-alive clients, rounds interleaved; requests/s and p50/p99.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

use std::convert::Infallible;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mcp_auth::{
    AuthLayer, MemoryStore, NewToken, RedisStore, SigningKey, TokenManager, TokenStore,
};
use mcp_transport::http::{McpService, serve};
use tower::{Layer, ServiceExt};

#[allow(dead_code)]
#[path = "../../examples/src/hello_tools.rs"]
mod hello_tools;

const CONCURRENCY: usize = 16;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

struct Redis(Child, u16);

impl Redis {
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        std::thread::sleep(Duration::from_millis(300));
        Some(Self(child, port))
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn issue(store: impl TokenStore) -> (TokenManager, String) {
    let manager = TokenManager::new(store, SigningKey::generate("bench").unwrap());
    let token = manager
        .create(NewToken::new("bench", "acct"))
        .await
        .unwrap()
        .token
        .expose_secret();
    (manager, token)
}

/// Sequential calls through `Auth<noop>` (or the bare noop), one latency each.
async fn layer_alone(manager: Option<&TokenManager>, token: &str, n: usize) -> Vec<Duration> {
    let noop = tower::service_fn(|_: http::Request<()>| async {
        Ok::<_, Infallible>(http::Response::new(()))
    });
    let auth = manager.map(|m| AuthLayer::new(m.clone()).layer(noop));
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let request = http::Request::post("/mcp")
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .unwrap();
        let started = Instant::now();
        let status = match &auth {
            Some(auth) => auth.clone().oneshot(request).await.unwrap().status(),
            None => noop.oneshot(request).await.unwrap().status(),
        };
        out.push(started.elapsed());
        assert_eq!(status, 200);
    }
    out.sort();
    out
}

/// Starts `hello_http`, optionally with the layer; returns its URL and a stopper.
async fn hello_http(manager: Option<TokenManager>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let mut builder = McpService::builder(hello_tools::hello_server().unwrap());
    if let Some(manager) = manager {
        builder = builder.layer(AuthLayer::new(manager));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, builder.build(), async {
        let _ = stopped.await;
    }));
    (url, stop)
}

/// `CONCURRENCY` clients calling `echo` for `secs`; returns requests/s and latencies.
async fn load(url: &str, token: Option<&str>, secs: Duration) -> (f64, Vec<Duration>) {
    let client = reqwest::Client::new();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
    let deadline = Instant::now() + secs;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, token) = (client.clone(), url.to_owned(), token.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let mut request = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .body(body);
                if let Some(token) = &token {
                    request = request.header("authorization", format!("Bearer {token}"));
                }
                let started = Instant::now();
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 200);
                let _ = response.bytes().await.unwrap();
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    (all.len() as f64 / elapsed, all)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let secs = Duration::from_secs(
        std::env::var("AUTH_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3),
    );
    let redis = Redis::start();
    let (memory, memory_token) = issue(MemoryStore::new()).await;
    let redis_manager = match &redis {
        Some(r) => {
            let store = RedisStore::connect(&format!("redis://127.0.0.1:{}/", r.1))
                .await
                .ok();
            match store {
                Some(store) => Some(issue(store).await),
                None => None,
            }
        }
        None => None,
    };

    println!("== the layer alone (sequential, in process) ==");
    let _ = layer_alone(Some(&memory), &memory_token, 2_000).await; // warm-up
    let bare = layer_alone(None, &memory_token, 50_000).await;
    let mem = layer_alone(Some(&memory), &memory_token, 50_000).await;
    println!(
        "no layer         p50 {:>10}  p99 {:>10}",
        micros(percentile(&bare, 0.5)),
        micros(percentile(&bare, 0.99))
    );
    println!(
        "layer, memory    p50 {:>10}  p99 {:>10}",
        micros(percentile(&mem, 0.5)),
        micros(percentile(&mem, 0.99))
    );
    if let Some((m, t)) = &redis_manager {
        let red = layer_alone(Some(m), t, 10_000).await;
        println!(
            "layer, Redis     p50 {:>10}  p99 {:>10}",
            micros(percentile(&red, 0.5)),
            micros(percentile(&red, 0.99))
        );
    } else {
        println!("layer, Redis     skipped (no redis-server)");
    }

    println!(
        "\n== hello_http, {CONCURRENCY} keep-alive clients, echo, {}s rounds, interleaved ==",
        secs.as_secs()
    );
    let (plain_url, _s1) = hello_http(None).await;
    let (mem_url, _s2) = hello_http(Some(memory.clone())).await;
    let redis_server = match &redis_manager {
        Some((m, t)) => Some((hello_http(Some(m.clone())).await, t.clone())),
        None => None,
    };
    let _ = load(&plain_url, None, Duration::from_millis(500)).await; // warm-up
    let mut rows: Vec<(&str, Vec<f64>, Vec<Duration>)> = vec![
        ("no layer", vec![], vec![]),
        ("layer, memory", vec![], vec![]),
        ("layer, Redis", vec![], vec![]),
    ];
    for _round in 0..3 {
        let (rps, lat) = load(&plain_url, None, secs).await;
        rows[0].1.push(rps);
        rows[0].2.extend(lat);
        let (rps, lat) = load(&mem_url, Some(&memory_token), secs).await;
        rows[1].1.push(rps);
        rows[1].2.extend(lat);
        if let Some(((url, _), token)) = &redis_server {
            let (rps, lat) = load(url, Some(token), secs).await;
            rows[2].1.push(rps);
            rows[2].2.extend(lat);
        }
    }
    let base: f64 = rows[0].1.iter().sum::<f64>() / rows[0].1.len() as f64;
    for (name, rps, lat) in &mut rows {
        if rps.is_empty() {
            println!("{name:<14} skipped");
            continue;
        }
        lat.sort();
        let mean = rps.iter().sum::<f64>() / rps.len() as f64;
        let rounds: Vec<String> = rps.iter().map(|r| format!("{r:.0}")).collect();
        println!(
            "{name:<14} {mean:>8.0} req/s ({:+.1}% vs no layer; rounds {})  p50 {:>10}  p99 {:>10}",
            (mean / base - 1.0) * 100.0,
            rounds.join("/"),
            micros(percentile(lat, 0.5)),
            micros(percentile(lat, 0.99)),
        );
    }
    drop(redis);
}
