//! `dispatch/*`: decode → dispatch → encode of `tools/call echo`.

use std::hint::black_box;

use benches::Era;
use criterion::{Criterion, criterion_group};
use mcp_core::transport::Envelope;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let server = examples::hello::hello_server().unwrap();
    for era in Era::ALL {
        let body = era.http_body();
        let answer = rt
            .block_on(server.handle_message(body.as_bytes(), Envelope::new()))
            .unwrap()
            .encode();
        let answer = String::from_utf8(answer).unwrap();
        assert!(answer.contains(r#""text":"hello""#), "{answer}");
        c.bench_function(&format!("dispatch/tools_call_echo/{era}"), |b| {
            b.to_async(&rt).iter(|| async {
                server
                    .handle_message(black_box(body.as_bytes()), Envelope::new())
                    .await
                    .map(|r| r.encode())
            })
        });
    }
}

criterion_group!(benches, bench);
