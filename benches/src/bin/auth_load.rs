//! What the auth layer costs: a load driver, not a criterion bench (it needs real
//! servers on 127.0.0.1 and reports percentiles side by side).
//!
//! Run with `cargo run -p benches --release --bin auth_load` (needs `redis-server` on
//! PATH for the Redis rows; `AUTH_BENCH_SECS` sets each round's length, default 3;
//! `AUTH_BENCH_THREADS` the runtime's worker threads, default 2).
//!
//! 1. The layer alone: `Auth<noop>` per request vs the bare `noop`, memory and Redis
//!    store, sequential calls, p50/p99.
//! 2. `hello_http` (the `hello` tools on `McpService` + `serve`) with and without
//!    the layer (`Builder::layer(AuthLayer)`, token as `Authorization: Bearer`), 16
//!    concurrent keep-alive clients, 5 rounds interleaved; median requests/s and
//!    p50/p99 over all rounds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

use std::convert::Infallible;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use examples::hello;
use mcp_auth::{
    AuthLayer, MemoryStore, NewToken, RedisStore, SigningKey, TokenManager, TokenStore,
};
use mcp_transport::http::{McpService, serve};
use tower::{Layer, ServiceExt};

const CONCURRENCY: usize = 16;
const ROUNDS: usize = 5;

/// Name, requests/s per round, all latencies, CPU µs per request per round.
type Row = (&'static str, Vec<f64>, Vec<Duration>, Vec<f64>);

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
        Ok::<_, Infallible>(http::Response::new(bytes::Bytes::new()))
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

/// `McpService::handle` in process (no network), with or without the layer, for
/// `tools/call echo`; per-request latencies.
async fn service_alone(manager: Option<TokenManager>, token: &str, n: usize) -> Vec<Duration> {
    let mut builder = McpService::builder(hello::hello_server().unwrap());
    if let Some(manager) = manager {
        builder = builder.layer(AuthLayer::new(manager));
    }
    let service = builder.build();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let request = http::Request::post("/mcp")
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("authorization", format!("Bearer {token}"))
            .body(http_body_util::Full::new(bytes::Bytes::from_static(
                body.as_bytes(),
            )))
            .unwrap();
        let started = Instant::now();
        let response = service.handle(request).await;
        out.push(started.elapsed());
        assert_eq!(response.status(), 200);
    }
    out.sort();
    out
}

/// Starts `hello_http`, optionally with the layer; returns its URL and a stopper.
async fn hello_http(manager: Option<TokenManager>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let mut builder = McpService::builder(hello::hello_server().unwrap());
    if let Some(manager) = manager {
        builder = builder.layer(AuthLayer::new(manager));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(
        serve(listener, builder.build())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    (url, stop)
}

/// CPU time this process (server and clients) has used, from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    // utime + stime, in clock ticks of 10 ms.
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// `CONCURRENCY` clients calling `echo` for `secs`; returns requests/s, latencies and
/// CPU time per request.
async fn load(url: &str, token: Option<&str>, secs: Duration) -> (f64, Vec<Duration>, Duration) {
    let cpu_before = cpu_time();
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
    let cpu = (cpu_time() - cpu_before) / u32::try_from(all.len().max(1)).unwrap_or(u32::MAX);
    all.sort();
    (all.len() as f64 / elapsed, all, cpu)
}

fn main() {
    let threads = std::env::var("AUTH_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
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

    println!("\n== McpService::handle in process, tools/call echo (sequential) ==");
    let _ = service_alone(None, &memory_token, 2_000).await;
    let plain = service_alone(None, &memory_token, 30_000).await;
    let layered = service_alone(Some(memory.clone()), &memory_token, 30_000).await;
    println!(
        "no layer         p50 {:>10}  p99 {:>10}",
        micros(percentile(&plain, 0.5)),
        micros(percentile(&plain, 0.99))
    );
    println!(
        "layer, memory    p50 {:>10}  p99 {:>10}",
        micros(percentile(&layered, 0.5)),
        micros(percentile(&layered, 0.99))
    );

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
    let mut rows: Vec<Row> = vec![
        ("no layer", vec![], vec![], vec![]),
        ("layer, memory", vec![], vec![], vec![]),
        ("layer, Redis", vec![], vec![], vec![]),
    ];
    for _round in 0..ROUNDS {
        let targets: [(&str, Option<&str>); 3] = [
            // The same header is sent without the layer (and ignored), so only the
            // layer's work differs.
            (&plain_url, Some(&memory_token)),
            (&mem_url, Some(&memory_token)),
            match &redis_server {
                Some(((url, _), token)) => (url, Some(token)),
                None => ("", None),
            },
        ];
        for (row, (url, token)) in rows.iter_mut().zip(targets) {
            if url.is_empty() {
                continue;
            }
            let (rps, lat, cpu) = load(url, token, secs).await;
            row.1.push(rps);
            row.2.extend(lat);
            row.3.push(cpu.as_secs_f64() * 1e6);
        }
    }
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let base = median(&rows[0].1);
    let base_cpu = median(&rows[0].3);
    for (name, rps, lat, cpu) in &mut rows {
        if rps.is_empty() {
            println!("{name:<14} skipped");
            continue;
        }
        lat.sort();
        let (rate, cpu) = (median(rps), median(cpu));
        let rounds: Vec<String> = rps.iter().map(|r| format!("{r:.0}")).collect();
        println!(
            "{name:<14} {rate:>7.0} req/s median ({:+.1}%; rounds {})  p50 {:>9}  p99 {:>10}  CPU {cpu:.1} µs/req ({:+.1}%)",
            (rate / base - 1.0) * 100.0,
            rounds.join("/"),
            micros(percentile(lat, 0.5)),
            micros(percentile(lat, 0.99)),
            (cpu / base_cpu - 1.0) * 100.0,
        );
    }
    drop(redis);
}
