//! Multi round-trip requests (modern), the same handlers driven for legacy clients
//! through server-to-client requests, and subscriptions/listen.

use std::collections::HashMap;
use std::time::Duration;

use mcp_core::jsonrpc::{ErrorObject, Message};
use mcp_core::transport::{Envelope, Notifier, PendingReplies};
use mcp_core::wire::{GetPromptResult, Prompt, PromptMessage};
use mcp_core::{Content, Context, InputRequired, JsonSchema, ListKind, Server, Tool, ToolError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::fixtures::{modern, request, send, send_with};

/// Greets the user by the name it asks for.
#[derive(Deserialize, JsonSchema, Tool)]
struct AskName {}

/// Asks two questions, one per round.
#[derive(Deserialize, JsonSchema, Tool)]
struct TwoRounds {}

/// Needs sampling.
#[derive(Deserialize, JsonSchema, Tool)]
struct NeedsSampling {}

/// Books a table through a typed form.
#[derive(Deserialize, JsonSchema, Tool)]
struct Book {}

/// The booking form.
#[derive(Deserialize, JsonSchema)]
struct BookingForm {
    /// How many people.
    #[serde(default = "two")]
    party: u32,
    /// Indoors or outside.
    seating: Seating,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Seating {
    Inside,
    Outside,
}

fn two() -> u32 {
    2
}

/// Signals a tool list change.
#[derive(Deserialize, JsonSchema, Tool)]
struct Trigger {}

#[derive(Deserialize)]
struct Elicited {
    content: Option<HashMap<String, Value>>,
}

fn name_schema() -> Value {
    json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]})
}

fn answer(cx: &Context, key: &str, field: &str) -> Option<String> {
    cx.input::<Elicited>(key)?
        .content?
        .get(field)?
        .as_str()
        .map(str::to_owned)
}

pub fn server() -> Server {
    Server::builder("rounds", "1")
        .request_state_key(vec![7u8; 32])
        .tool(|_: AskName, cx: Context| async move {
            match answer(&cx, "user_name", "name") {
                Some(name) => Ok(format!("Hello, {name}!")),
                None => Err(ToolError::from(InputRequired::new().elicit(
                    "user_name",
                    "What is your name?",
                    name_schema(),
                ))),
            }
        })
        .tool(|_: TwoRounds, cx: Context| async move {
            let step: u32 = cx.request_state().unwrap_or(0);
            match step {
                0 => Err(InputRequired::new()
                    .elicit("step1", "Name?", name_schema())
                    .with_state(1)
                    .into()),
                1 => match answer(&cx, "step1", "name") {
                    Some(name) => Err(InputRequired::new()
                        .elicit(
                            "step2",
                            "Colour?",
                            json!({"type": "object", "properties": {"color": {"type": "string"}}}),
                        )
                        .with_state(json!({"step": 2, "name": name}))
                        .into()),
                    None => Err(ToolError::new("step 1 unanswered")),
                },
                _ => Ok::<_, ToolError>("unreachable".to_owned()),
            }
        })
        .tool(|_: NeedsSampling, cx: Context| async move {
            match cx.input::<Value>("q") {
                Some(v) => Ok(v["content"]["text"].as_str().unwrap_or("").to_owned()),
                None => Err(ToolError::from(InputRequired::new().sample(
                    "q",
                    "Capital of France?",
                    100,
                ))),
            }
        })
        .tool(|_: Book, cx: Context| async move {
            match cx.form::<BookingForm>("booking") {
                Some(f) => Ok(format!(
                    "{} people, {}",
                    f.party,
                    match f.seating {
                        Seating::Inside => "inside",
                        Seating::Outside => "outside",
                    }
                )),
                None => Err(ToolError::from(
                    InputRequired::new().elicit_form::<BookingForm>("booking", "Your booking?"),
                )),
            }
        })
        .tool(|_: Trigger, cx: Context| async move {
            cx.notify_list_changed(ListKind::Tools);
            "triggered"
        })
        .prompt(
            Prompt::new("ctx_prompt", "Asks for context."),
            |_, cx: Context| async move {
                match answer(&cx, "user_context", "context") {
                    Some(c) => Ok(GetPromptResult::new(vec![PromptMessage::user(
                        Content::text(c),
                    )])),
                    None => Err(ToolError::from(InputRequired::new().elicit(
                        "user_context",
                        "Context?",
                        json!({"type": "object", "properties": {"context": {"type": "string"}}}),
                    ))),
                }
            },
        )
        .resource(
            mcp_core::wire::Resource::new("test://a", "a"),
            |r: mcp_core::wire::ResourceRequest, _cx: Context| async move {
                Ok(vec![mcp_core::wire::ResourceContents::Text {
                    uri: r.uri,
                    mime_type: None,
                    text: "a".into(),
                }])
            },
        )
        .build()
        .unwrap()
}

fn with_caps(mut req: Value, caps: Value) -> Value {
    req["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] = caps;
    req
}

fn call(id: i64, name: &str, extra: Value) -> Value {
    let mut params = json!({"name": name, "arguments": {}});
    for (k, v) in extra.as_object().unwrap() {
        params[k] = v.clone();
    }
    with_caps(
        modern(id, "tools/call", params),
        json!({"elicitation": {}, "sampling": {}, "roots": {}}),
    )
}

#[tokio::test]
async fn modern_clients_get_input_required_and_retry() {
    let s = server();
    let r1 = send(&s, call(1, "ask_name", json!({}))).await.unwrap();
    let result = &r1["result"];
    assert_eq!(result["resultType"], "input_required");
    assert_eq!(
        result["inputRequests"]["user_name"]["method"],
        "elicitation/create"
    );
    assert_eq!(
        result["inputRequests"]["user_name"]["params"]["message"],
        "What is your name?"
    );
    let state = result["requestState"].as_str().unwrap().to_owned();
    assert!(
        result.get("ttlMs").is_none(),
        "interim results are not cacheable"
    );

    let answer = json!({"user_name": {"action": "accept", "content": {"name": "Alice"}}});
    let r2 = send(
        &s,
        call(
            2,
            "ask_name",
            json!({"inputResponses": answer, "requestState": state}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r2["result"]["resultType"], "complete");
    assert_eq!(r2["result"]["content"][0]["text"], "Hello, Alice!");

    // Without any state, with extra keys: the answer alone completes it.
    let mut extra = answer.clone();
    extra["unknown"] = json!({"action": "accept"});
    let r = send(&s, call(3, "ask_name", json!({"inputResponses": extra})))
        .await
        .unwrap();
    assert_eq!(r["result"]["content"][0]["text"], "Hello, Alice!");

    // A wrong key, a non-object answer or null responses: asked again.
    for bad in [
        json!({"wrong": {"action": "accept", "content": {"name": "x"}}}),
        json!({"user_name": 12345}),
        Value::Null,
    ] {
        let r = send(&s, call(4, "ask_name", json!({"inputResponses": bad})))
            .await
            .unwrap();
        assert_eq!(r["result"]["resultType"], "input_required", "{bad}");
    }
}

#[tokio::test]
async fn sealed_state_rejects_tampering_and_transplants() {
    let s = server();
    let r1 = send(&s, call(1, "two_rounds", json!({}))).await.unwrap();
    let state1 = r1["result"]["requestState"].as_str().unwrap().to_owned();

    let r = send(
        &s,
        call(
            2,
            "two_rounds",
            json!({"requestState": format!("{state1}-TAMPERED")}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
    assert_eq!(r["id"], 2);
    let r = send(&s, call(3, "ask_name", json!({"requestState": state1})))
        .await
        .unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::INVALID_PARAMS,
        "state of another tool"
    );
    let other = Server::builder("other", "1")
        .request_state_key(vec![9u8; 32])
        .tool(|_: TwoRounds, _cx: Context| async { "x" })
        .build()
        .unwrap();
    let r = send(
        &other,
        call(4, "two_rounds", json!({"requestState": state1})),
    )
    .await
    .unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::INVALID_PARAMS,
        "state sealed by another key"
    );

    let answer1 = json!({"step1": {"action": "accept", "content": {"name": "Alice"}}});
    let r2 = send(
        &s,
        call(
            5,
            "two_rounds",
            json!({"requestState": state1, "inputResponses": answer1}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r2["result"]["resultType"], "input_required");
    assert!(r2["result"]["inputRequests"].get("step2").is_some());
    let state2 = r2["result"]["requestState"].as_str().unwrap();
    assert_ne!(state2, state1);
}

#[tokio::test]
async fn undeclared_capabilities_are_never_asked_for() {
    let s = server();
    let req = with_caps(
        modern(
            1,
            "tools/call",
            json!({"name": "needs_sampling", "arguments": {}}),
        ),
        json!({"elicitation": {}}),
    );
    let r = send(&s, req).await.unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::MISSING_REQUIRED_CLIENT_CAPABILITY
    );
    assert_eq!(
        r["error"]["data"]["requiredCapabilities"],
        json!({"sampling": {}})
    );
}

#[tokio::test]
async fn prompts_can_ask_for_input_too() {
    let s = server();
    let caps = json!({"elicitation": {}});
    let r1 = send(
        &s,
        with_caps(
            modern(1, "prompts/get", json!({"name": "ctx_prompt"})),
            caps.clone(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r1["result"]["resultType"], "input_required");
    let state = r1["result"]["requestState"].clone();
    let r2 = send(
        &s,
        with_caps(
            modern(2, "prompts/get", json!({"name": "ctx_prompt", "requestState": state, "inputResponses": {"user_context": {"action": "accept", "content": {"context": "ctx!"}}}})),
            caps,
        ),
    )
    .await
    .unwrap();
    assert_eq!(r2["result"]["messages"][0]["content"]["text"], "ctx!");
}

/// Plays a legacy client: answers every server request arriving on `stream`.
async fn legacy_client(
    mut stream: mcp_core::transport::NotificationStream,
    replies: PendingReplies,
    answer: Value,
) -> usize {
    let mut answered = 0;
    while let Some(bytes) = stream.recv().await {
        let Ok(Message::Request(req)) = Message::decode(&bytes) else {
            continue;
        };
        let reply = json!({"jsonrpc": "2.0", "id": req.id(), "result": answer});
        let Ok(Message::Response(r)) = Message::decode(&serde_json::to_vec(&reply).unwrap()) else {
            panic!()
        };
        assert!(replies.resolve(&r, &mcp_core::transport::Caller::default()));
        answered += 1;
    }
    answered
}

#[tokio::test]
async fn legacy_clients_are_asked_by_the_server_itself() {
    let s = server();
    let replies = PendingReplies::new();
    let (notifier, stream) = Notifier::channel(8);
    let client = tokio::spawn(legacy_client(
        stream,
        replies.clone(),
        json!({"action": "accept", "content": {"name": "Bob"}}),
    ));
    let mut env = Envelope::new();
    env.notifier = Some(notifier);
    env.replies = Some(replies.clone());
    let r = send_with(
        &s,
        request(
            1,
            "tools/call",
            json!({"name": "ask_name", "arguments": {}}),
        ),
        env,
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["content"][0]["text"], "Hello, Bob!");
    assert_eq!(client.await.unwrap(), 1);

    // An unknown reply is refused rather than misrouted.
    let stray = Message::decode(br#"{"jsonrpc":"2.0","id":"srv-x-1","result":{}}"#).unwrap();
    let Message::Response(stray) = stray else {
        panic!()
    };
    assert!(!replies.resolve(&stray, &mcp_core::transport::Caller::default()));

    // Without a way to reach the client, the model is told why.
    let r = send(
        &s,
        request(
            2,
            "tools/call",
            json!({"name": "ask_name", "arguments": {}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["isError"], true);
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("cannot send requests to the client")
    );
}

#[tokio::test]
async fn legacy_requests_time_out_when_the_client_is_silent() {
    let s = Server::builder("t", "1")
        .client_request_timeout(Duration::from_millis(100))
        .tool(|_: AskName, cx: Context| async move {
            match answer(&cx, "user_name", "name") {
                Some(name) => Ok(name),
                None => Err(ToolError::from(InputRequired::new().elicit(
                    "user_name",
                    "Name?",
                    name_schema(),
                ))),
            }
        })
        .build()
        .unwrap();
    let (notifier, _stream) = Notifier::channel(8);
    let mut env = Envelope::new();
    env.notifier = Some(notifier);
    env.replies = Some(PendingReplies::new());
    let r = send_with(
        &s,
        request(1, "tools/call", json!({"name": "ask_name"})),
        env,
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["isError"], true);
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("did not answer")
    );
}

#[tokio::test]
async fn listen_streams_get_what_they_asked_for() {
    let s = server();
    let (notifier, mut stream) = Notifier::channel(16);
    let mut env = Envelope::new();
    env.notifier = Some(notifier);
    let listen = modern(
        77,
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true, "resourceSubscriptions": ["test://a", "test://nowhere"]}}),
    );
    let server = s.clone();
    let task = tokio::spawn(async move { send_with(&server, listen, env).await });
    let ack = next(&mut stream).await;
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        77
    );
    assert_eq!(ack["params"]["notifications"]["toolsListChanged"], true);
    // Only URIs of resources the caller may read are honoured.
    assert_eq!(
        ack["params"]["notifications"]["resourceSubscriptions"],
        json!(["test://a"])
    );

    s.notify_list_changed(ListKind::Prompts); // not asked for
    let r = send(&s, call(5, "trigger", json!({}))).await.unwrap();
    assert_eq!(r["result"]["content"][0]["text"], "triggered");
    let change = next(&mut stream).await;
    assert_eq!(change["method"], "notifications/tools/list_changed");
    assert_eq!(
        change["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        77
    );

    s.notify_resource_updated("test://b"); // not subscribed
    s.notify_resource_updated("test://a");
    let updated = next(&mut stream).await;
    assert_eq!(updated["method"], "notifications/resources/updated");
    assert_eq!(updated["params"]["uri"], "test://a");
    assert!(!task.is_finished(), "the stream stays open");
    task.abort();

    let r = send(
        &s,
        request(9, "subscriptions/listen", json!({"notifications": {}})),
    )
    .await
    .unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::INVALID_PARAMS,
        "modern-only method without _meta"
    );
    let r = send(&s, request(10, "server/discover", json!({})))
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
}

async fn next(stream: &mut mcp_core::transport::NotificationStream) -> Value {
    let bytes = tokio::time::timeout(Duration::from_secs(5), stream.recv())
        .await
        .unwrap()
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()
}

#[tokio::test]
async fn typed_forms_round_trip() {
    let s = server();
    let r1 = send(&s, call(1, "book", json!({}))).await.unwrap();
    let form = &r1["result"]["inputRequests"]["booking"]["params"];
    assert_eq!(form["mode"], "form");
    let schema = &form["requestedSchema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["party"]["default"], 2);
    assert_eq!(
        schema["properties"]["seating"]["enum"],
        json!(["inside", "outside"])
    );
    assert_eq!(schema["required"], json!(["seating"]));
    assert!(schema.get("$schema").is_none());
    let accept =
        json!({"booking": {"action": "accept", "content": {"party": 4, "seating": "outside"}}});
    let r2 = send(&s, call(2, "book", json!({"inputResponses": accept})))
        .await
        .unwrap();
    assert_eq!(r2["result"]["content"][0]["text"], "4 people, outside");
    let decline = json!({"booking": {"action": "decline"}});
    let r3 = send(&s, call(3, "book", json!({"inputResponses": decline})))
        .await
        .unwrap();
    assert_eq!(
        r3["result"]["resultType"], "input_required",
        "a declined form is asked again"
    );
}
