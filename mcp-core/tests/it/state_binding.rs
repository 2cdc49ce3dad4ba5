//! `requestState` is bound to its caller, its request's arguments and an expiry,
//! and (when asked) redeemed once; every refusal is a clear `-32602`.

use std::time::Duration;

use mcp_core::auth::Principal;
use mcp_core::request_state::MemoryRedemptions;
use mcp_core::transport::Envelope;
use mcp_core::{Context, InputRequired, JsonSchema, Server, ServerBuilder, Tool, ToolError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::fixtures::{modern, send_with};

/// Moves money once the user confirms.
#[derive(Deserialize, JsonSchema, Tool)]
struct Transfer {
    amount: u32,
    to: String,
}

fn builder() -> ServerBuilder<()> {
    Server::builder("bank", "1")
        .request_state_key(vec![3u8; 32])
        .tool(|a: Transfer, cx: Context| async move {
            match cx.request_state::<Value>() {
                Some(state) => Ok(format!(
                    "sent {} to {} (confirmed {})",
                    a.amount, a.to, state["confirmed"]
                )),
                None => Err(ToolError::from(
                    InputRequired::new()
                        .elicit("ok", "Confirm?", json!({"type": "object"}))
                        .with_state(json!({"confirmed": a.amount})),
                )),
            }
        })
}

fn as_(tenant: Option<&str>) -> Envelope {
    let mut envelope = Envelope::new();
    if let Some(tenant) = tenant {
        envelope
            .extensions
            .insert(Principal::new(tenant, format!("tok_{tenant}")));
    }
    envelope
}

fn call(arguments: Value, state: Option<&Value>) -> Value {
    let mut params = json!({"name": "transfer", "arguments": arguments});
    if let Some(state) = state {
        params["requestState"] = state.clone();
        params["inputResponses"] = json!({"ok": {"action": "accept", "content": {}}});
    }
    let mut request = modern(1, "tools/call", params);
    request["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {}});
    request
}

/// Starts a transfer as `tenant` and returns its sealed state.
async fn state_for(server: &Server, tenant: Option<&str>, arguments: Value) -> Value {
    let first = send_with(server, call(arguments, None), as_(tenant))
        .await
        .unwrap();
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    first["result"]["requestState"].clone()
}

fn refusal(response: &Value) -> &str {
    assert_eq!(response["error"]["code"], -32602, "{response}");
    response["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn state_is_accepted_for_the_same_caller_and_arguments_in_any_key_order() {
    let server = builder().build().unwrap();
    let args = json!({"amount": 5, "to": "bob"});
    let state = state_for(&server, Some("acme"), args).await;
    let reordered = json!({"to": "bob", "amount": 5});
    let done = send_with(&server, call(reordered, Some(&state)), as_(Some("acme")))
        .await
        .unwrap();
    assert_eq!(
        done["result"]["content"][0]["text"], "sent 5 to bob (confirmed 5)",
        "{done}"
    );
}

#[tokio::test]
async fn state_with_different_arguments_is_refused() {
    let server = builder().build().unwrap();
    let state = state_for(&server, None, json!({"amount": 5, "to": "bob"})).await;
    let tampered = json!({"amount": 5000, "to": "mallory"});
    let r = send_with(&server, call(tampered, Some(&state)), as_(None))
        .await
        .unwrap();
    assert!(refusal(&r).contains("bound to another request"), "{r}");
}

#[tokio::test]
async fn state_of_one_principal_is_refused_for_another() {
    let server = builder().build().unwrap();
    let args = json!({"amount": 5, "to": "bob"});
    let state = state_for(&server, Some("acme"), args.clone()).await;
    for other in [Some("globex"), None] {
        let r = send_with(&server, call(args.clone(), Some(&state)), as_(other))
            .await
            .unwrap();
        assert!(refusal(&r).contains("bound to another request"), "{r}");
    }
    // And an anonymous caller's state does not serve an authenticated one.
    let anonymous = state_for(&server, None, args.clone()).await;
    let r = send_with(&server, call(args, Some(&anonymous)), as_(Some("acme")))
        .await
        .unwrap();
    refusal(&r);
}

#[tokio::test]
async fn expired_state_is_refused() {
    let server = builder()
        .request_state_ttl(Duration::from_millis(1))
        .build()
        .unwrap();
    let args = json!({"amount": 5, "to": "bob"});
    let state = state_for(&server, None, args.clone()).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let r = send_with(&server, call(args, Some(&state)), as_(None))
        .await
        .unwrap();
    assert!(refusal(&r).contains("expired"), "{r}");
}

#[tokio::test]
async fn state_redeemed_once_is_refused_the_second_time_when_asked() {
    let args = json!({"amount": 5, "to": "bob"});
    let once = builder()
        .request_state_redemptions(MemoryRedemptions::new(100))
        .build()
        .unwrap();
    let state = state_for(&once, None, args.clone()).await;
    let first = send_with(&once, call(args.clone(), Some(&state)), as_(None))
        .await
        .unwrap();
    assert!(first["result"]["content"].is_array(), "{first}");
    let second = send_with(&once, call(args.clone(), Some(&state)), as_(None))
        .await
        .unwrap();
    assert!(refusal(&second).contains("already used"), "{second}");

    // Off by default: the same state serves twice.
    let reusable = builder().build().unwrap();
    let state = state_for(&reusable, None, args.clone()).await;
    for _ in 0..2 {
        let r = send_with(&reusable, call(args.clone(), Some(&state)), as_(None))
            .await
            .unwrap();
        assert!(r["result"]["content"].is_array(), "{r}");
    }
}

#[tokio::test]
async fn encrypted_state_round_trips_and_cannot_be_read() {
    let server = builder()
        .request_state_encryption_key(vec![5u8; 32])
        .build()
        .unwrap();
    let args = json!({"amount": 7, "to": "bob"});
    let state = state_for(&server, None, args.clone()).await;
    let text = state.as_str().unwrap();
    assert!(text.starts_with("mcp2e."), "{text}");
    assert!(!text.contains("confirmed"));
    let done = send_with(&server, call(args, Some(&state)), as_(None))
        .await
        .unwrap();
    assert_eq!(
        done["result"]["content"][0]["text"],
        "sent 7 to bob (confirmed 7)"
    );
    // A wrong-length key is a build error, not a panic.
    let err = builder()
        .request_state_encryption_key(vec![5u8; 16])
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("32 bytes"), "{err}");
}
