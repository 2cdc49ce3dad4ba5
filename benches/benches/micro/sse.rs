//! `sse/*`: a call reporting progress, as an SSE stream and as JSON.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group};
use http_body_util::{BodyExt, Full};
use mcp_core::{Context, JsonSchema, Server, Tool};
use mcp_transport::http::McpService;
use serde::Deserialize;

/// Count to `n`, reporting progress at each step.
#[derive(Deserialize, JsonSchema, Tool)]
struct Count {
    /// How far to count.
    n: u32,
}

async fn count(args: Count, cx: Context) -> String {
    for i in 1..=args.n {
        cx.progress(f64::from(i), Some(f64::from(args.n)), Some("counting"))
            .await;
    }
    "done".to_owned()
}

/// With a progress token the answer is an SSE stream of three progress
/// notifications and the result; without, progress is dropped and the answer is JSON.
const STREAMED: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"count","arguments":{"n":3},"_meta":{"progressToken":"p1"}}}"#;
const PLAIN: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"count","arguments":{"n":3}}}"#;

fn request(body: &'static str) -> http::Request<Full<Bytes>> {
    http::Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

async fn answer(service: &McpService, body: &'static str) -> Bytes {
    let response = service.handle(request(body)).await;
    response.into_body().collect().await.unwrap().to_bytes()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = Server::builder("count", "1").tool(count).build().unwrap();
    let service = McpService::new(server);
    let streamed = rt.block_on(answer(&service, STREAMED));
    let text = String::from_utf8_lossy(&streamed);
    assert_eq!(text.matches("event: message").count(), 4, "{text}");
    let plain = rt.block_on(answer(&service, PLAIN));
    assert!(
        plain.starts_with(b"{"),
        "{}",
        String::from_utf8_lossy(&plain)
    );

    c.bench_function("sse/progress3/stream", |b| {
        b.to_async(&rt)
            .iter(|| async { answer(&service, black_box(STREAMED)).await })
    });
    c.bench_function("sse/progress3/json", |b| {
        b.to_async(&rt)
            .iter(|| async { answer(&service, black_box(PLAIN)).await })
    });
}

criterion_group!(benches, bench);
