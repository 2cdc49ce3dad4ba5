//! Over real HTTP on 127.0.0.1: every fixture through a tool behind the HTTP
//! transport (the exact result, or `429` with `ratelimit-*` headers), and a tool
//! calling a fake SaaS API whose `429` reaches the caller.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use mcp_core::Server;
use mcp_transport::http::{McpService, serve};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::fixtures;
use crate::support::timed;
use crate::through_server::{assert_result, call, expected_rate_limit, expected_result, server};

/// An MCP server on a loopback port; stopped by [`Running::stop`].
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), mcp_transport::Error>>,
}

impl Running {
    pub(crate) async fn start(server: Server) -> Self {
        Self::start_service(McpService::new(server)).await
    }

    pub(crate) async fn start_service(service: McpService) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(
            serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .into_future(),
        );
        Self { addr, stop, task }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        timed(self.task).await.unwrap().unwrap();
    }
}

/// POSTs one JSON-RPC message to `/mcp`.
pub(crate) async fn post(addr: SocketAddr, body: Vec<u8>) -> (StatusCode, HeaderMap, Value) {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let request = Request::post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = timed(client.request(request)).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = timed(body.collect()).await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (parts.status, parts.headers, json)
}

#[tokio::test]
async fn every_fixture_over_http_gives_the_exact_result_or_a_429() {
    let running = Running::start(server(false)).await;
    for (i, fixture) in fixtures::all().iter().enumerate() {
        let (status, headers, json) = post(running.addr, call(i, &fixture.name)).await;
        match &fixture.expected {
            Some(e) if e.is_rate_limited() => {
                assert_eq!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS,
                    "{}: {json}",
                    fixture.name
                );
                let data = expected_rate_limit(e);
                let reset = data["reset"].to_string();
                assert_eq!(
                    headers["ratelimit-reset"],
                    reset.as_str(),
                    "{}",
                    fixture.name
                );
                assert_eq!(headers["retry-after"], reset.as_str(), "{}", fixture.name);
                if let Some(limit) = e.limit {
                    assert_eq!(headers["ratelimit-limit"], limit.to_string().as_str());
                }
                if let Some(remaining) = e.remaining {
                    assert_eq!(
                        headers["ratelimit-remaining"],
                        remaining.to_string().as_str()
                    );
                }
                assert_eq!(json["error"]["code"], -32010, "{}", fixture.name);
                assert_eq!(json["error"]["data"]["rateLimit"], data, "{}", fixture.name);
            }
            expected => {
                assert_eq!(status, StatusCode::OK, "{}: {json}", fixture.name);
                assert_result(
                    &fixture.name,
                    &json["result"],
                    &expected_result(expected.as_ref()),
                );
            }
        }
    }
    running.stop().await;
}

#[tokio::test]
async fn the_seeds_rate_limit_reaches_the_caller_as_ietf_headers() {
    let running = Running::start(server(false)).await;
    let (status, headers, json) = post(running.addr, call(1, "ratelimit_x_headers_429")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["ratelimit-limit"], "100");
    assert_eq!(headers["ratelimit-remaining"], "0");
    assert_eq!(headers["ratelimit-reset"], "42");
    assert_eq!(headers["retry-after"], "42");
    assert_eq!(json["id"], 1);
    assert_eq!(json["error"]["data"]["rateLimit"]["reset"], 42);
    running.stop().await;
}
