//! A small server with tools covering every output shape, and helpers to drive it.

use std::time::Duration;

use std::collections::HashMap;

use mcp_core::auth::MethodClass;
use mcp_core::transport::Envelope;
use mcp_core::wire::{
    Completion, CompletionRequest, GetPromptResult, Prompt, PromptMessage, Resource,
    ResourceContents, ResourceLink, ResourceRequest, ResourceTemplate,
};
use mcp_core::{
    CallToolResult, Content, Context, Json, JsonSchema, RateLimit, Server, Tool, ToolError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Echo the given text back unchanged.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, tags("demo"))]
pub struct Echo {
    /// The text.
    pub text: String,
}

/// Add two numbers.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, idempotent, title = "Adder")]
pub struct Add {
    a: f64,
    b: f64,
}

#[derive(Serialize, JsonSchema)]
pub struct Sum {
    sum: f64,
}

/// Delete a record forever.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(class = "write", destructive, tags("crm"))]
pub struct DeleteRecord {
    id: String,
    reason: Option<String>,
}

/// Returns every kind of content block.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct AllContent {}

/// Always panics.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct Boom {}

/// Fails the way an upstream API would.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct Upstream {
    rate_limited: bool,
}

/// Reports progress and logs.
#[derive(Deserialize, JsonSchema, Tool)]
pub struct Chatty {}

pub const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

pub fn server() -> Server {
    builder().build().unwrap()
}

pub fn builder() -> mcp_core::ServerBuilder<()> {
    Server::builder("fixture", "1.2.3")
        .resource(
            Resource::new("test://static-text", "static-text").with_mime_type("text/plain"),
            |r: ResourceRequest, _cx: Context| async move {
                Ok(vec![ResourceContents::Text {
                    uri: r.uri,
                    mime_type: Some("text/plain".into()),
                    text: "static text".into(),
                }])
            },
        )
        .resource(
            Resource::new("test://static-binary", "static-binary").with_mime_type("image/png"),
            |r: ResourceRequest, _cx: Context| async move {
                Ok(vec![ResourceContents::Blob {
                    uri: r.uri,
                    mime_type: Some("image/png".into()),
                    blob: PNG_1X1.into(),
                }])
            },
        )
        .resource(
            Resource::new("test://gone", "gone"),
            |r: ResourceRequest, _cx: Context| async move {
                Err(ToolError::not_found(format_args!("{} is gone", r.uri)))
            },
        )
        .resource_template(
            ResourceTemplate::new("test://template/{id}/data", "template")
                .with_mime_type("application/json"),
            |r: ResourceRequest, _cx: Context| async move {
                let id = r.variables["id"].clone();
                Ok(vec![ResourceContents::Text {
                    uri: r.uri,
                    mime_type: Some("application/json".into()),
                    text: json!({"id": id}).to_string(),
                }])
            },
        )
        .prompt(
            Prompt::new("greet", "Greets someone.")
                .required("name", "Who")
                .optional("tone", "How"),
            |args: HashMap<String, String>, _cx: Context| async move {
                let text = format!(
                    "Hello {} ({})",
                    args["name"],
                    args.get("tone").map_or("plain", String::as_str)
                );
                Ok(GetPromptResult::new(vec![
                    PromptMessage::user(Content::text(text)),
                    PromptMessage::assistant(Content::image(PNG_1X1, "image/png")),
                    PromptMessage::user(Content::resource(ResourceContents::Text {
                        uri: "test://static-text".into(),
                        mime_type: Some("text/plain".into()),
                        text: "static text".into(),
                    })),
                ]))
            },
        )
        .completion(|req: CompletionRequest, _cx: Context| async move {
            let options = ["alice", "albert", "bob"];
            Ok(Completion::new(
                options
                    .into_iter()
                    .filter(|o| o.starts_with(req.argument.value.as_str())),
            ))
        })
        .tool(|a: Echo, _cx: Context| async move { a.text })
        .tool(|a: Add, _cx: Context| async move { Json(Sum { sum: a.a + a.b }) })
        .tool(|a: DeleteRecord, _cx: Context| async move {
            format!("deleted {} ({})", a.id, a.reason.unwrap_or_default())
        })
        .tool(|_: AllContent, _cx: Context| async move {
            vec![
                Content::text("hello"),
                Content::image(PNG_1X1, "image/png"),
                Content::audio("UklGRiQAAABXQVZF", "audio/wav"),
                Content::ResourceLink(
                    ResourceLink::new("test://linked", "linked").with_mime_type("text/plain"),
                ),
                Content::resource(ResourceContents::Text {
                    uri: "test://embedded".into(),
                    mime_type: Some("text/plain".into()),
                    text: "embedded".into(),
                }),
                Content::resource(ResourceContents::Blob {
                    uri: "test://blob".into(),
                    mime_type: Some("image/png".into()),
                    blob: PNG_1X1.into(),
                }),
            ]
        })
        .tool(|_: Boom, _cx: Context| async move {
            if true {
                panic!("secret panic detail");
            }
            ""
        })
        .tool(|a: Upstream, _cx: Context| async move {
            if a.rate_limited {
                let mut limit = RateLimit::new(Duration::from_secs(42));
                limit.limit = Some(100);
                limit.remaining = Some(0);
                Err::<CallToolResult, _>(ToolError::rate_limited(limit))
            } else {
                Err(ToolError::new("Slack says: channel_not_found")
                    .with_hint("List channels first.")
                    .with_structured(json!({"provider": "slack", "code": "channel_not_found"})))
            }
        })
        .tool(|_: Chatty, cx: Context| async move {
            cx.progress(0.0, Some(2.0), Some("starting")).await;
            cx.log(mcp_core::wire::LogLevel::Info, json!({"msg": "working"}))
                .await;
            cx.log(mcp_core::wire::LogLevel::Debug, "debug detail")
                .await;
            cx.progress(2.0, Some(2.0), None).await;
            "done"
        })
}

pub fn assert_class<T: Tool>(class: MethodClass) {
    assert_eq!(T::CLASS, class);
}

/// Sends one JSON message and returns the parsed response (None for notifications).
pub async fn send(server: &Server, message: Value) -> Option<Value> {
    send_with(server, message, Envelope::new()).await
}

pub async fn send_with(server: &Server, message: Value, envelope: Envelope) -> Option<Value> {
    let bytes = serde_json::to_vec(&message).unwrap();
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        server.handle_message(&bytes, envelope),
    )
    .await
    .expect("the server answers within 10 s")?;
    Some(serde_json::from_slice(&response.encode()).unwrap())
}

/// `_meta` of a modern request.
pub fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "0"}
    })
}

pub fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

pub fn modern(id: i64, method: &str, mut params: Value) -> Value {
    params["_meta"] = modern_meta();
    request(id, method, params)
}
