//! A tool never sees the caller's credentials: not in its headers, not in its
//! context's `Debug` output.

use std::sync::Arc;

use http::StatusCode;
use mcp_core::{Context, JsonSchema, Server, Tool};
use mcp_transport::http::McpService;
use serde::Deserialize;
use serde_json::json;

use crate::support::{TestServer, http_client, modern, modern_call_headers, post, send, within};

/// Prints its context.
#[derive(Deserialize, JsonSchema, Tool)]
struct Show {}

async fn show(_: Show, cx: Context) -> String {
    let names: Vec<&str> = cx.headers().keys().map(|k| k.as_str()).collect();
    format!("{} | {cx:?}", names.join(","))
}

#[tokio::test]
async fn credentials_never_reach_a_tools_context() {
    within(20, async {
        let server = Server::builder("c", "1").tool(show).build().unwrap();
        let srv = TestServer::serve(McpService::new(server), Arc::default()).await;
        let mut headers = modern_call_headers("show");
        for (name, value) in [
            ("authorization", "Bearer mcp_tenant_secret_1"),
            ("proxy-authorization", "Basic cHJveHlfc2VjcmV0XzI="),
            ("cookie", "session=cookie_secret_3"),
            ("x-api-key", "key_secret_4"),
            ("x-request-id", "visible-5"),
        ] {
            headers.push((name, value.to_owned()));
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = modern(1, "tools/call", json!({"name": "show", "arguments": {}}));
        let r = send(&http_client(), post(&srv.url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let text = r.json()["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        for secret in ["secret", "authorization", "cookie", "x-api-key"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(
            text.contains("x-request-id") && text.contains("visible-5"),
            "{text}"
        );
    })
    .await;
}
