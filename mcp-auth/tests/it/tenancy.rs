//! Two tenants on one server, over real HTTP through the token layer: what one
//! tenant's calls were issued is refused to the other, and a scoped token sees
//! only what its scope permits on every method.

use mcp_auth::AuthLayer;
use mcp_core::auth::{Access, MethodClass, Scope};
use mcp_core::wire::{
    GetPromptResult, Prompt, PromptMessage, Resource, ResourceContents, ResourceRequest,
};
use mcp_core::{Content, Context, InputRequired, JsonSchema, Server, Tool, ToolError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::*;
use crate::scope::{manager, token_with};

/// Deletes a record once the user confirms.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct DeleteRecord {
    pub id: String,
}

async fn contents(r: ResourceRequest, _cx: Context) -> Result<Vec<ResourceContents>, ToolError> {
    Ok(vec![ResourceContents::Text {
        uri: r.uri,
        mime_type: None,
        text: "data".into(),
    }])
}

async fn prompt(
    _: std::collections::HashMap<String, String>,
    _cx: Context,
) -> Result<GetPromptResult, ToolError> {
    Ok(GetPromptResult::new(vec![PromptMessage::user(
        Content::text("hi"),
    )]))
}

fn server() -> Server {
    let crm = Access::new(MethodClass::Read).with_tags(["crm"]);
    let billing = Access::new(MethodClass::Read).with_tags(["billing"]);
    Server::builder("records", "1")
        .tool(|a: DeleteRecord, cx: Context| async move {
            match cx.request_state::<Value>() {
                Some(_) => Ok(format!("deleted {}", a.id)),
                None => Err(ToolError::from(
                    InputRequired::new()
                        .elicit("ok", "Delete?", json!({"type": "object"}))
                        .with_state(json!({"asked": true})),
                )),
            }
        })
        .resource_with_access(
            Resource::new("crm://contacts", "contacts"),
            crm.clone(),
            contents,
        )
        .resource_with_access(
            Resource::new("billing://invoices", "invoices"),
            billing.clone(),
            contents,
        )
        .prompt_with_access(Prompt::new("crm_summary", "CRM."), crm, prompt)
        .prompt_with_access(Prompt::new("billing_summary", "Billing."), billing, prompt)
        .build()
        .unwrap()
}

/// POSTs a modern request (`params` gets the `_meta`) and reads the JSON answer.
async fn rpc(url: &str, method: &str, name: Option<&str>, mut params: Value) -> Value {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
    });
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method);
    if let Some(name) = name {
        request = request.header("mcp-name", name);
    }
    let response = within(request.body(body.to_string()).send()).await.unwrap();
    let text = within(response.text()).await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

async fn delete(url: &str, state: Option<&Value>) -> Value {
    let mut params = json!({"name": "delete_record", "arguments": {"id": "r1"}});
    if let Some(state) = state {
        params["requestState"] = state.clone();
        params["inputResponses"] = json!({"ok": {"action": "accept", "content": {}}});
    }
    rpc(url, "tools/call", Some("delete_record"), params).await
}

#[tokio::test]
async fn request_state_of_one_tenant_is_refused_for_another() {
    let manager = manager();
    let acme = token_with(&manager, "acme", Scope::all()).await;
    let globex = token_with(&manager, "globex", Scope::all()).await;
    let served = Served::start_server(server(), AuthLayer::new(manager.clone()), |b| b).await;
    let acme_url = format!("{}/mcp/{acme}", served.base);
    let globex_url = format!("{}/mcp/{globex}", served.base);

    let first = delete(&acme_url, None).await;
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    let state = &first["result"]["requestState"];

    let stolen = delete(&globex_url, Some(state)).await;
    assert_eq!(stolen["error"]["code"], -32602, "{stolen}");
    let message = stolen["error"]["message"].as_str().unwrap();
    assert!(message.contains("bound to another request"), "{message}");

    let own = delete(&acme_url, Some(state)).await;
    assert_eq!(own["result"]["content"][0]["text"], "deleted r1", "{own}");
    served.stop().await;
}

#[tokio::test]
async fn a_read_only_tag_filtered_token_sees_only_its_resources_and_prompts() {
    let manager = manager();
    let scope = Scope::new([MethodClass::Read]).with_tags(["crm"]);
    let crm = token_with(&manager, "acme", scope).await;
    let served = Served::start_server(server(), AuthLayer::new(manager.clone()), |b| b).await;
    let url = format!("{}/mcp/{crm}", served.base);

    let listed = rpc(&url, "resources/list", None, json!({})).await;
    assert_eq!(
        listed["result"]["resources"][0]["uri"], "crm://contacts",
        "{listed}"
    );
    assert_eq!(listed["result"]["resources"].as_array().unwrap().len(), 1);
    assert_eq!(listed["result"]["cacheScope"], "private");
    let prompts = rpc(&url, "prompts/list", None, json!({})).await;
    assert_eq!(
        prompts["result"]["prompts"].as_array().unwrap().len(),
        1,
        "{prompts}"
    );

    let read = |uri: &'static str| {
        let url = url.clone();
        async move { rpc(&url, "resources/read", Some(uri), json!({"uri": uri})).await }
    };
    let hidden = read("billing://invoices").await;
    let missing = read("billing://nothing").await;
    assert_eq!(
        hidden.to_string().replace("billing://invoices", "URI"),
        missing.to_string().replace("billing://nothing", "URI")
    );
    assert!(hidden["error"].is_object(), "{hidden}");
    let get = |name: &'static str| {
        let url = url.clone();
        async move { rpc(&url, "prompts/get", Some(name), json!({"name": name})).await }
    };
    let hidden = get("billing_summary").await;
    let missing = get("other_summary").await;
    assert_eq!(
        hidden.to_string().replace("billing_summary", "NAME"),
        missing.to_string().replace("other_summary", "NAME")
    );
    served.stop().await;
}
