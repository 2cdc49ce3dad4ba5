//! `saas_proxy`: tools that call a third-party API and turn its failures into errors
//! the model can act on, with upstream rate limits passed through to the caller.
//!
//! Run with `cargo run -p examples --example saas_proxy -- --listen 127.0.0.1:8080`.
//! The example starts a fake SaaS API on a free loopback port; the tool
//! `fetch_records {"scenario": ...}` picks its answer:
//!
//! | scenario | the fake API answers | the caller gets |
//! |---|---|---|
//! | `ok` | 200 with records | the records |
//! | `slack_error` | 200 `{"ok": false, "error": "channel_not_found"}` | `isError`, status 400 |
//! | `salesforce_error` | 400 `[{"errorCode": "INVALID_TYPE", ...}]` | `isError` with Salesforce's message |
//! | `invalid_grant` | 200 `{"error": "invalid_grant", ...}` | `isError`, "reconnect"; the re-auth hook runs |
//! | `html_500` | 500 with an HTML stack-trace page | `isError` with the page title only |
//! | `rate_limited` | 429, `Retry-After: 42`, `X-RateLimit-Limit: 100`, `-Remaining: 0` | HTTP 429, `ratelimit-limit: 100`, `ratelimit-remaining: 0`, `ratelimit-reset: 42` |
//! | `rate_limited_once` | 429 with `Retry-After: 1` on every other call, else 200 | 429 then, on retry, the records |
//! | `too_large` | 200 with 2 MiB of records | `isError`, `upstream_response_too_large` (over `--upstream-max-body`) |
//! | `no_answer` | nothing, ever | `isError`, `upstream_timeout` after `--upstream-timeout` |
//!
//! Every upstream call runs under `UpstreamLimits`: `--upstream-timeout <SECONDS>`
//! (default 30) for the whole exchange and `--upstream-max-body <BYTES>` (default
//! 1 MiB); an upstream that cannot be reached is `upstream_unreachable`.
//!
//! ```text
//! curl -si http://127.0.0.1:8080/mcp -H 'content-type: application/json' \
//!   -H 'accept: application/json, text/event-stream' \
//!   -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fetch_records","arguments":{"scenario":"rate_limited"}}}'
//! ```
//!
//! The caller also gets a local quota (600 requests a minute, bursts of 60), answered
//! with the same `429` and headers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clap::Parser;
use mcp_core::{Context, Json, JsonSchema, Server, Tool, ToolError};
use mcp_errors::{
    LocalQuota, NormalizerChain, QuotaLayer, ReauthEvent, ReauthHook, UpstreamLimits,
};
use mcp_transport::http::{McpService, serve};
use serde::{Deserialize, Serialize};

/// The token the tool sends upstream; redacted if the API ever echoes it.
const UPSTREAM_TOKEN: &str = "sk_test_51FakeSaaSToken000000000000";

/// Serve `fetch_records` over HTTP in front of a fake SaaS API.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seconds allowed for each upstream call (request, answer and body).
    #[arg(long, default_value_t = 30.0)]
    upstream_timeout: f64,
    /// Largest upstream body read, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    upstream_max_body: usize,
}

/// How the fake SaaS API answers.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Scenario {
    /// 200 with records.
    Ok,
    /// Slack's 200 with `"ok": false`.
    SlackError,
    /// Salesforce's 400 with an error array.
    SalesforceError,
    /// An OAuth server's 200 with `invalid_grant`.
    InvalidGrant,
    /// A legacy server's 500 HTML stack trace.
    #[serde(rename = "html_500")]
    Html500,
    /// 429 with `Retry-After: 42` and `X-RateLimit-*`.
    RateLimited,
    /// 429 with `Retry-After: 1` on every other call.
    RateLimitedOnce,
    /// 200 with 2 MiB of records.
    TooLarge,
    /// Never answers.
    NoAnswer,
}

/// Fetch records from the connected SaaS account. `scenario` chooses how the
/// (fake) API answers, to show each kind of upstream failure.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, idempotent)]
struct FetchRecords {
    /// The fake API's answer.
    scenario: Scenario,
}

/// One record.
#[derive(Deserialize, Serialize, JsonSchema)]
struct Record {
    id: String,
    name: String,
}

/// What `fetch_records` returns.
#[derive(Deserialize, Serialize, JsonSchema)]
struct Records {
    records: Vec<Record>,
}

struct AppState {
    http: reqwest::Client,
    upstream: String,
    errors: NormalizerChain,
    limits: UpstreamLimits,
}

async fn fetch_records(
    args: FetchRecords,
    cx: Context<AppState>,
) -> Result<Json<Records>, ToolError> {
    let state = cx.state();
    let scenario = serde_json::to_value(args.scenario).unwrap_or_default();
    let request = state
        .http
        .get(format!("{}/records", state.upstream))
        .query(&[("scenario", scenario.as_str().unwrap_or("ok"))])
        .bearer_auth(UPSTREAM_TOKEN)
        .send();
    // Too large, too slow or unreachable: an error the model can act on.
    let upstream = state
        .limits
        .read_reqwest(request)
        .await?
        .with_secret(UPSTREAM_TOKEN);
    // Failures become isError results (or a 429 for the caller); never a silent success.
    state.errors.check(&upstream, cx.extensions()).await?;
    serde_json::from_slice(upstream.body())
        .map(Json)
        .map_err(|e| ToolError::new(format!("The SaaS API answered with unexpected JSON: {e}")))
}

/// The fake SaaS API: `GET /records?scenario=...`.
async fn fake_records(
    AxumState(calls): AxumState<Arc<AtomicUsize>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let json = |status: StatusCode, body: &'static str| {
        (status, [("content-type", "application/json")], body).into_response()
    };
    match query.get("scenario").map(String::as_str).unwrap_or("ok") {
        "slack_error" => json(
            StatusCode::OK,
            r#"{"ok": false, "error": "channel_not_found"}"#,
        ),
        "salesforce_error" => json(
            StatusCode::BAD_REQUEST,
            r#"[{"errorCode": "INVALID_TYPE", "message": "sObject type 'CustomWidget__c' is not supported."}]"#,
        ),
        "invalid_grant" => json(
            StatusCode::OK,
            r#"{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}"#,
        ),
        "html_500" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("content-type", "text/html")],
            "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>\
             <h1>Internal Server Error</h1><pre>java.lang.IllegalStateException: pool exhausted\n\
             \tat com.acme.db.Pool.borrow(Pool.java:88)\n\
             \tat com.acme.api.RecordsController.list(RecordsController.java:41)\n\
             on db-03.prod.acme.internal</pre></body></html>",
        )
            .into_response(),
        "rate_limited" => rate_limited(42),
        "too_large" => {
            let record = r#"{"id": "rec_0", "name": "Initech"},"#;
            let mut body = String::from(r#"{"records": ["#);
            while body.len() < 2 << 20 {
                body.push_str(record);
            }
            body.push_str(r#"{"id": "rec_last", "name": "Umbrella"}]}"#);
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
        "no_answer" => std::future::pending().await,
        "rate_limited_once" if calls.fetch_add(1, Ordering::SeqCst) % 2 == 0 => rate_limited(1),
        _ => json(
            StatusCode::OK,
            r#"{"records": [{"id": "rec_1", "name": "Acme Corp"}, {"id": "rec_2", "name": "Globex"}]}"#,
        ),
    }
}

fn rate_limited(retry_after: u64) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", HeaderValue::from(retry_after));
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("100"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (
        StatusCode::TOO_MANY_REQUESTS,
        headers,
        r#"{"message": "Too Many Requests"}"#,
    )
        .into_response()
}

/// Starts the fake SaaS API on a free loopback port; returns its base URL.
///
/// It stands in for a third party's API; like the MCP endpoint it runs on the SDK's
/// hardened `serve` (connection caps, header, idle and write timeouts), which takes
/// any tower service, an axum `Router` included.
async fn start_fake_saas() -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new()
        .route("/records", axum::routing::get(fake_records))
        .with_state(Arc::new(AtomicUsize::new(0)));
    tokio::spawn(async move {
        if let Err(e) = serve(listener, app).await {
            tracing::error!(error = %e, "the fake SaaS API stopped");
        }
    });
    Ok(url)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    let args = Args::parse();
    let upstream = start_fake_saas().await?;
    tracing::info!(%upstream, "fake SaaS API started");

    // Runs when the upstream rejects the stored credentials: mark the account, fire a webhook.
    let reauth = ReauthHook::new(|event: ReauthEvent<String>| async move {
        tracing::warn!(
            account = event.account.as_deref().unwrap_or("unknown"),
            code = event.error.code.as_deref(),
            "upstream credentials rejected; account marked for re-authorization"
        );
    });
    let limits = UpstreamLimits::new()
        .max_body(args.upstream_max_body)
        .timeout(Duration::try_from_secs_f64(args.upstream_timeout)?);
    let state = AppState {
        http: reqwest::Client::new(),
        upstream,
        errors: NormalizerChain::builtin().on_reauth(reauth),
        limits,
    };
    let server = Server::builder("saas_proxy", env!("CARGO_PKG_VERSION"))
        .state(state)
        .tool(fetch_records)
        .build()?;
    let service = McpService::builder(server)
        .layer(QuotaLayer::new(LocalQuota::per_minute(600).burst(60)))
        .build();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
    serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
