//! `auth/*`: the auth layer's token lookup on the memory store.

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use mcp_auth::{AuthLayer, MemoryStore, NewToken, SigningKey, TokenManager};
use tower::{Layer, ServiceExt};

fn request(authorization: &str) -> http::Request<()> {
    http::Request::post("/mcp")
        .header("authorization", authorization)
        .body(())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (manager, token) = rt.block_on(async {
        let manager = TokenManager::new(MemoryStore::new(), SigningKey::generate("bench").unwrap());
        let issued = manager
            .create(NewToken::new("bench", "acct"))
            .await
            .unwrap();
        (manager, issued.token.expose_secret())
    });
    c.bench_function("auth/verify/memory", |b| {
        b.to_async(&rt)
            .iter(|| async { manager.verify(black_box(&token)).await.unwrap() })
    });

    let noop = tower::service_fn(|_: http::Request<()>| async {
        Ok::<_, Infallible>(http::Response::new(bytes::Bytes::new()))
    });
    let auth = AuthLayer::new(manager.clone()).layer(noop);
    let header = format!("Bearer {token}");
    let status = rt
        .block_on(auth.clone().oneshot(request(&header)))
        .unwrap()
        .status();
    assert_eq!(status, 200);
    c.bench_function("auth/no_layer", |b| {
        b.to_async(&rt)
            .iter(|| async { noop.oneshot(request(black_box(&header))).await })
    });
    c.bench_function("auth/layer/memory", |b| {
        b.to_async(&rt)
            .iter(|| async { auth.clone().oneshot(request(black_box(&header))).await })
    });
}

criterion_group!(benches, bench);
