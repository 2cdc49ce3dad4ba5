//! Mounting the service in an axum router, and a layer that reaches the tools.

use http::Request;
use mcp_core::auth::{MethodClass, Scope};
use mcp_transport::client::Client;
use mcp_transport::http::McpService;
use serde_json::json;

use crate::support::{Counters, test_server, within};

#[tokio::test]
async fn nests_in_axum_and_layers_reach_the_tools() {
    within(20, async {
        let server = test_server(std::sync::Arc::new(Counters::default()));
        let service = McpService::builder(server)
            .any_path()
            .layer(tower::util::MapRequestLayer::new(|mut req: Request<_>| {
                req.extensions_mut().insert(Scope::new([MethodClass::Read]));
                req
            }))
            .build();
        let app = axum::Router::new()
            .route("/health", axum::routing::get(|| async { "ok" }))
            .nest_service("/mcp", service);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });

        let client = Client::builder()
            .http(&format!("http://{addr}/mcp"))
            .await
            .unwrap();
        // The layer's read-only scope hides every tool but `echo`.
        let tools = client.list_tools().await.unwrap();
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].name, "echo");
        assert_eq!(
            client
                .call_tool("echo", json!({"text": "nested"}))
                .await
                .unwrap()
                .text(),
            "nested"
        );
        assert!(
            client
                .call_tool("inspect", json!({"header": "x"}))
                .await
                .is_err()
        );

        let _ = stop.send(());
        within(10, task).await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test]
async fn tools_see_the_request_headers_and_extensions() {
    within(20, async {
        let server = test_server(std::sync::Arc::new(Counters::default()));
        let service = McpService::builder(server)
            .layer(tower::util::MapRequestLayer::new(|mut req: Request<_>| {
                req.extensions_mut().insert(Scope::all());
                req
            }))
            .build();
        let srv = crate::support::TestServer::serve(service, Default::default()).await;
        let r = crate::support::call(
            &crate::support::http_client(),
            &srv.url,
            1,
            "inspect",
            json!({"header": "mcp-name"}),
        )
        .await;
        assert_eq!(
            r.json()["result"]["content"][0]["text"],
            "inspect scoped=true"
        );
    })
    .await;
}

#[tokio::test]
async fn layers_run_after_the_origin_check() {
    within(20, async {
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&seen);
        let server = test_server(std::sync::Arc::new(Counters::default()));
        let service = McpService::builder(server)
            .layer(tower::util::MapRequestLayer::new(move |req: Request<_>| {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                req
            }))
            .build();
        let srv = crate::support::TestServer::serve(service, Default::default()).await;
        let c = crate::support::http_client();
        let body = crate::support::modern(1, "tools/list", json!({}));
        let mut req = crate::support::post(&srv.url, &[], body.clone());
        req.headers_mut()
            .insert("origin", "https://evil.example".parse().unwrap());
        assert_eq!(
            crate::support::send(&c, req).await.status,
            http::StatusCode::FORBIDDEN
        );
        let mut req = crate::support::post(&srv.url, &[], body);
        req.headers_mut()
            .insert("content-type", "text/plain".parse().unwrap());
        assert_eq!(
            crate::support::send(&c, req).await.status,
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0);
    })
    .await;
}
