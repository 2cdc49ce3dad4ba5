//! Two tenants on one server, over real HTTP through the token layer: what one
//! tenant's calls were issued is refused to the other.

use mcp_auth::{AuthLayer, MemoryStore, NewToken, SigningKey, TokenManager};
use mcp_core::{Context, InputRequired, JsonSchema, Server, Tool, ToolError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::*;

/// Deletes a record once the user confirms.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct DeleteRecord {
    pub id: String,
}

fn server() -> Server {
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
        .build()
        .unwrap()
}

async fn post(url: &str, state: Option<&Value>) -> Value {
    let mut params = json!({"name": "delete_record", "arguments": {"id": "r1"},
    "_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
    }});
    if let Some(state) = state {
        params["requestState"] = state.clone();
        params["inputResponses"] = json!({"ok": {"action": "accept", "content": {}}});
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params});
    let response = within(
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "delete_record")
            .body(body.to_string())
            .send(),
    )
    .await
    .unwrap();
    let text = within(response.text()).await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[tokio::test]
async fn request_state_of_one_tenant_is_refused_for_another() {
    let manager = TokenManager::new(MemoryStore::new(), SigningKey::generate("k1").unwrap());
    let token = |account: &'static str| {
        let manager = manager.clone();
        async move {
            within(manager.create(NewToken::new("t", account)))
                .await
                .unwrap()
                .token
                .expose_secret()
        }
    };
    let (acme, globex) = (token("acme").await, token("globex").await);
    let served = Served::start_server(server(), AuthLayer::new(manager.clone()), |b| b).await;
    let acme_url = format!("{}/mcp/{acme}", served.base);
    let globex_url = format!("{}/mcp/{globex}", served.base);

    let first = post(&acme_url, None).await;
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    let state = &first["result"]["requestState"];

    let stolen = post(&globex_url, Some(state)).await;
    assert_eq!(stolen["error"]["code"], -32602, "{stolen}");
    let message = stolen["error"]["message"].as_str().unwrap();
    assert!(message.contains("bound to another request"), "{message}");

    let own = post(&acme_url, Some(state)).await;
    assert_eq!(own["result"]["content"][0]["text"], "deleted r1", "{own}");
    served.stop().await;
}
