//! The fixtures through a real `mcp_core::Server` tool: the exact tool result, or
//! the rate-limit error, for every upstream response.

use std::collections::HashMap;
use std::sync::Arc;

use mcp_core::transport::Envelope;
use mcp_core::{Context, Server, Tool, ToolError};
use mcp_errors::{DEFAULT_RETRY_AFTER, NormalizedError, NormalizerChain};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::fixtures::{self, Fixture};
use crate::support::timed;

/// Replays a recorded upstream response.
#[derive(Deserialize, mcp_core::JsonSchema, Tool)]
struct Replay {
    /// The fixture's name.
    fixture: String,
}

pub(crate) struct State {
    chain: NormalizerChain,
    fixtures: HashMap<String, Fixture>,
}

async fn replay(args: Replay, cx: Context<Arc<State>>) -> Result<String, ToolError> {
    let state = cx.state();
    let fixture = state
        .fixtures
        .get(&args.fixture)
        .ok_or_else(|| ToolError::new("no such fixture"))?;
    state
        .chain
        .check(&fixture.response(), cx.extensions())
        .await?;
    Ok("upstream ok".to_owned())
}

/// A server with the `replay` tool; `as_results` turns rate limits into `isError`.
pub(crate) fn server(as_results: bool) -> Server {
    let fixtures = fixtures::all()
        .into_iter()
        .map(|f| (f.name.clone(), f))
        .collect();
    let state = Arc::new(State {
        chain: NormalizerChain::builtin(),
        fixtures,
    });
    Server::builder("replay", "1.0.0")
        .state(state)
        .rate_limits_as_tool_results(as_results)
        .tool(replay)
        .build()
        .unwrap()
}

/// The `tools/call` request for a fixture.
pub(crate) fn call(id: usize, fixture: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": "tools/call",
        "params": {"name": "replay", "arguments": {"fixture": fixture}}
    }))
    .unwrap()
}

/// The exact `result` a fixture must produce (for a non-rate-limit outcome).
pub(crate) fn expected_result(expected: Option<&NormalizedError>) -> Value {
    match expected {
        None => json!({"content": [{"type": "text", "text": "upstream ok"}], "isError": false}),
        Some(e) => {
            let text = format!("{e}\nHint: {}", e.hint.as_deref().unwrap());
            json!({
                "content": [{"type": "text", "text": text}],
                "structuredContent": {"error": e},
                "isError": true
            })
        }
    }
}

/// The exact `data.rateLimit` a rate-limited fixture must produce.
pub(crate) fn expected_rate_limit(e: &NormalizedError) -> Value {
    let reset = e.retry_after.unwrap_or(DEFAULT_RETRY_AFTER).as_secs();
    json!({
        "limit": e.limit,
        "remaining": e.remaining,
        "reset": reset,
        "retryAfter": reset,
        "source": "upstream"
    })
}

/// Compares a result, treating an absent `isError` as `false`.
pub(crate) fn assert_result(name: &str, actual: &Value, want: &Value) {
    let mut actual = actual.clone();
    if actual.get("isError").is_none() {
        actual["isError"] = json!(false);
    }
    let mut actual_obj = actual.as_object().unwrap().clone();
    actual_obj.remove("resultType");
    actual_obj.remove("_meta");
    assert_eq!(Value::Object(actual_obj), *want, "{name}");
}

#[tokio::test]
async fn every_fixture_through_a_tool_gives_the_exact_result_or_rate_limit() {
    let server = server(false);
    for (i, fixture) in fixtures::all().iter().enumerate() {
        let response = timed(server.handle_message(&call(i, &fixture.name), Envelope::new()))
            .await
            .unwrap();
        let json: Value = serde_json::from_slice(&response.encode()).unwrap();
        match &fixture.expected {
            Some(e) if e.is_rate_limited() => {
                assert_eq!(json["error"]["code"], -32010, "{}: {json}", fixture.name);
                assert_eq!(
                    json["error"]["data"]["rateLimit"],
                    expected_rate_limit(e),
                    "{}",
                    fixture.name
                );
                let limit = response
                    .rate_limit()
                    .expect("the response carries the limit");
                assert_eq!(limit.limit, e.limit, "{}", fixture.name);
                assert_eq!(limit.remaining, e.remaining, "{}", fixture.name);
                assert_eq!(limit.reset, e.retry_after.unwrap_or(DEFAULT_RETRY_AFTER));
            }
            expected => {
                assert!(json.get("error").is_none(), "{}: {json}", fixture.name);
                assert_result(
                    &fixture.name,
                    &json["result"],
                    &expected_result(expected.as_ref()),
                );
            }
        }
    }
}

#[tokio::test]
async fn with_rate_limits_as_results_no_fixture_becomes_a_protocol_error() {
    let server = server(true);
    for (i, fixture) in fixtures::all().iter().enumerate() {
        let response = timed(server.handle_message(&call(i, &fixture.name), Envelope::new()))
            .await
            .unwrap();
        let json: Value = serde_json::from_slice(&response.encode()).unwrap();
        assert!(json.get("error").is_none(), "{}: {json}", fixture.name);
        let is_error = json["result"]["isError"] == true;
        assert_eq!(is_error, fixture.is_failure(), "{}", fixture.name);
        if let Some(e) = fixture.expected.as_ref().filter(|e| e.is_rate_limited()) {
            let structured = &json["result"]["structuredContent"];
            assert_eq!(
                structured["rateLimit"],
                expected_rate_limit(e),
                "{}",
                fixture.name
            );
            assert_eq!(structured["error"], json!(e), "{}", fixture.name);
            let text = json["result"]["content"][0]["text"].as_str().unwrap();
            assert!(text.contains("retry after"), "{}: {text}", fixture.name);
        }
    }
}
