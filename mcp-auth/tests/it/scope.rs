//! Scopes through a real `mcp_core::Server` behind the layer.

use http::StatusCode;
use mcp_auth::{MemoryStore, NewToken, SigningKey, TokenManager};
use mcp_core::auth::{MethodClass, Scope};
use serde_json::json;

use crate::common::*;

pub(crate) async fn token_with(manager: &TokenManager, account: &str, scope: Scope) -> String {
    within(manager.create(NewToken::new("t", account).scope(scope)))
        .await
        .unwrap()
        .token
        .expose_secret()
}

pub(crate) fn manager() -> TokenManager {
    TokenManager::new(MemoryStore::new(), SigningKey::generate("k1").unwrap())
}

#[tokio::test]
async fn a_read_only_token_lists_and_calls_only_read_tools() {
    let manager = manager();
    let (service, _) = protected(&manager);
    let token = token_with(&manager, "acct", Scope::new([MethodClass::Read])).await;
    let listed = send(&service, to_path(&token, list_tools())).await;
    assert_eq!(
        listed.tool_names(),
        ["list_contacts", "search_tickets", "whoami"]
    );

    let read = send(
        &service,
        to_path(&token, call_tool("list_contacts", json!({}))),
    )
    .await;
    assert_eq!(read.json()["result"]["content"][0]["text"], "Alice, Bob");

    // A hidden tool answers exactly like one that does not exist.
    let hidden = send(
        &service,
        to_path(&token, call_tool("create_contact", json!({"name": "Eve"}))),
    )
    .await;
    let missing = send(
        &service,
        to_path(
            &token,
            call_tool("delete_everything", json!({"name": "Eve"})),
        ),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::OK);
    assert!(hidden.json()["error"].is_object(), "{}", hidden.body);
    assert_eq!(
        hidden.body.replace("create_contact", "NAME"),
        missing.body.replace("delete_everything", "NAME")
    );

    // An all-classes token sees the write tool.
    let full = token_with(&manager, "acct", Scope::all()).await;
    let created = send(
        &service,
        with_bearer(&full, call_tool("create_contact", json!({"name": "Eve"}))),
    )
    .await;
    assert_eq!(
        created.json()["result"]["content"][0]["text"],
        "created Eve"
    );
}

#[tokio::test]
async fn a_tag_filtered_token_sees_only_tagged_tools() {
    let manager = manager();
    let (service, _) = protected(&manager);
    let support = token_with(&manager, "acct", Scope::all().with_tags(["support"])).await;
    let listed = send(&service, to_path(&support, list_tools())).await;
    assert_eq!(listed.tool_names(), ["search_tickets"]);
    let denied = send(
        &service,
        to_path(&support, call_tool("list_contacts", json!({}))),
    )
    .await;
    assert!(denied.json()["error"].is_object());

    let crm_read = token_with(
        &manager,
        "acct",
        Scope::new([MethodClass::Read]).with_tags(["crm"]),
    )
    .await;
    let listed = send(&service, to_path(&crm_read, list_tools())).await;
    assert_eq!(listed.tool_names(), ["list_contacts"]);
}

#[tokio::test]
async fn tools_see_the_tokens_metadata() {
    let manager = manager();
    let (service, _) = protected(&manager);
    let token = token_with(&manager, "acct_7", Scope::all()).await;
    let answer = send(&service, to_path(&token, call_tool("whoami", json!({})))).await;
    assert_eq!(answer.json()["result"]["content"][0]["text"], "acct_7");
}

#[tokio::test]
async fn a_token_of_account_a_is_refused_on_server_b() {
    let server_a = manager();
    let server_b = manager();
    let (service_a, _) = protected(&server_a);
    let (service_b, calls_b) = protected(&server_b);
    let token_a = token_with(&server_a, "account_a", Scope::all()).await;
    assert_eq!(
        send(&service_a, to_path(&token_a, list_tools()))
            .await
            .status,
        StatusCode::OK
    );
    let answer = send(&service_b, to_path(&token_a, list_tools())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge(), r#"Bearer error="invalid_token""#);
    let answer = send(&service_b, with_bearer(&token_a, list_tools())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(calls_b.load(std::sync::atomic::Ordering::SeqCst), 0);
}
