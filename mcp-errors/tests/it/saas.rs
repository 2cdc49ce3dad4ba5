//! A tool calling a fake SaaS API over real HTTP with `reqwest`: failures become
//! `isError` results, the API's `429` reaches the MCP caller with the IETF headers,
//! and our own client's retry gets through once the limit has passed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcp_core::{Context, Server, Tool, ToolError};
use mcp_errors::{NormalizerChain, UpstreamResponse};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::over_http::{Running, post};
use crate::support::timed;

const TOKEN: &str = "sk_test_51FakeSaaSToken000000000000";

/// The fake API on a loopback port; aborted on drop.
struct FakeSaas {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for FakeSaas {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(scenario: &str, calls: &AtomicUsize) -> Response<Full<Bytes>> {
    let (status, headers, body): (u16, &[(&str, &str)], &str) = match scenario {
        "slack_error" => (200, &[], r#"{"ok": false, "error": "channel_not_found"}"#),
        "salesforce_error" => (
            400,
            &[],
            r#"[{"errorCode": "INVALID_TYPE", "message": "sObject type 'CustomWidget__c' is not supported."}]"#,
        ),
        "invalid_grant" => (
            200,
            &[],
            r#"{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}"#,
        ),
        "html_500" => (
            500,
            &[("content-type", "text/html")],
            "<html><head><title>500 Internal Server Error</title></head><body><pre>at com.acme.X.y(X.java:1) on db-1.acme.internal</pre></body></html>",
        ),
        "echo_token" => (
            401,
            &[],
            "{\"message\": \"bad token sk_test_51FakeSaaSToken000000000000\"}",
        ),
        "rate_limited" => (
            429,
            &[
                ("retry-after", "42"),
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "0"),
            ],
            r#"{"message": "Too Many Requests"}"#,
        ),
        "rate_limited_once" if calls.fetch_add(1, Ordering::SeqCst) == 0 => (
            429,
            &[
                ("retry-after", "1"),
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "0"),
            ],
            "",
        ),
        _ => (200, &[], r#"{"records": [{"id": "rec_1"}]}"#),
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        response.headers_mut().insert(*k, v.parse().unwrap());
    }
    response
}

async fn start_fake_saas() -> FakeSaas {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let calls = Arc::clone(&calls);
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let scenario = request
                        .uri()
                        .query()
                        .unwrap_or_default()
                        .trim_start_matches("scenario=")
                        .to_owned();
                    let response = answer(&scenario, &calls);
                    async move { Ok::<_, std::convert::Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    FakeSaas { addr, task }
}

/// Fetch records from the fake SaaS API.
#[derive(Deserialize, mcp_core::JsonSchema, Tool)]
#[tool(read_only, idempotent)]
struct FetchRecords {
    /// How the API answers.
    scenario: String,
}

struct State {
    http: reqwest::Client,
    upstream: SocketAddr,
    errors: NormalizerChain,
}

async fn fetch_records(args: FetchRecords, cx: Context<State>) -> Result<String, ToolError> {
    let state = cx.state();
    let url = format!(
        "http://{}/records?scenario={}",
        state.upstream, args.scenario
    );
    let reply = state
        .http
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .map_err(|e| ToolError::new(e.without_url()))?;
    let upstream = UpstreamResponse::from_reqwest(reply)
        .await
        .map_err(ToolError::new)?
        .with_secret(TOKEN);
    state.errors.check(&upstream, cx.extensions()).await?;
    Ok(upstream.text().into_owned())
}

fn proxy(upstream: SocketAddr) -> Server {
    let state = State {
        http: reqwest::Client::new(),
        upstream,
        errors: NormalizerChain::builtin(),
    };
    Server::builder("saas_proxy", "1.0.0")
        .state(state)
        .tool(fetch_records)
        .build()
        .unwrap()
}

fn call(scenario: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "fetch_records", "arguments": {"scenario": scenario}}
    }))
    .unwrap()
}

#[tokio::test]
async fn every_scenario_reaches_the_caller_as_it_should() {
    let saas = start_fake_saas().await;
    let running = Running::start(proxy(saas.addr)).await;

    let (status, _, json) = post(running.addr, call("ok")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["result"]["isError"], false, "{json}");

    let cases = [
        ("slack_error", 400, "Channel not found."),
        (
            "salesforce_error",
            400,
            "sObject type 'CustomWidget__c' is not supported.",
        ),
        ("invalid_grant", 401, "Token has been expired or revoked."),
        ("html_500", 500, "500 Internal Server Error"),
        ("echo_token", 401, "bad token [REDACTED]"),
    ];
    for (scenario, effective, message) in cases {
        let (status, _, json) = post(running.addr, call(scenario)).await;
        assert_eq!(status, StatusCode::OK, "{scenario}");
        let result = &json["result"];
        assert_eq!(result["isError"], true, "{scenario}: {json}");
        assert_eq!(
            result["structuredContent"]["error"]["status"], effective,
            "{scenario}"
        );
        assert_eq!(
            result["structuredContent"]["error"]["message"], message,
            "{scenario}"
        );
        let text = result["content"][0]["text"].as_str().unwrap();
        assert!(
            !text.contains(TOKEN) && !text.contains(".internal") && !text.contains("X.java"),
            "{text}"
        );
    }
    let (_, _, json) = post(running.addr, call("invalid_grant")).await;
    assert!(
        json["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("reconnect")
    );

    let (status, headers, json) = post(running.addr, call("rate_limited")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["ratelimit-limit"], "100");
    assert_eq!(headers["ratelimit-remaining"], "0");
    assert_eq!(headers["ratelimit-reset"], "42");
    assert_eq!(headers["retry-after"], "42");
    assert_eq!(json["error"]["code"], -32010);
    assert_eq!(json["error"]["data"]["rateLimit"]["limit"], 100);
    running.stop().await;
}

/// The tool only reads, so our client (once it has listed the tools) may resend
/// the call after the upstream's `429`.
#[tokio::test]
async fn our_clients_retry_gets_through_after_the_upstream_limit() {
    let saas = start_fake_saas().await;
    let running = Running::start(proxy(saas.addr)).await;
    let url = format!("http://{}/mcp", running.addr);
    let client = timed(mcp_transport::client::Client::builder().http(&url))
        .await
        .unwrap();
    timed(client.list_tools()).await.unwrap();
    let result = timed(client.call_tool("fetch_records", json!({"scenario": "rate_limited_once"})))
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    let records: Value = serde_json::from_str(&result.text()).unwrap();
    assert_eq!(records["records"][0]["id"], "rec_1");
    drop(client);
    running.stop().await;
}
