//! Dispatch behaviour for both eras: lifecycle, errors, pagination, scopes, tools.

use mcp_core::auth::{MethodClass, Scope};
use mcp_core::jsonrpc::ErrorObject;
use mcp_core::transport::{Envelope, Notifier};
use mcp_core::{Context, Server, Tool, Value};
use serde::Deserialize;
use serde_json::json;

use crate::fixtures::*;

#[tokio::test]
async fn initialize_negotiates_a_legacy_version() {
    let s = server();
    for (asked, got) in [
        ("2025-11-25", "2025-11-25"),
        ("2025-06-18", "2025-06-18"),
        ("2024-11-05", "2024-11-05"),
        ("2026-07-28", "2025-11-25"),
        ("1999-01-01", "2025-11-25"),
    ] {
        let r = send(
            &s,
            request(1, "initialize", json!({"protocolVersion": asked, "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}})),
        )
        .await
        .unwrap();
        assert_eq!(r["result"]["protocolVersion"], got, "{asked}");
        assert_eq!(r["result"]["serverInfo"]["name"], "fixture");
        assert_eq!(
            r["result"]["capabilities"]["tools"],
            json!({"listChanged": false})
        );
        assert!(r["result"].get("resultType").is_none());
    }
    let none = send(
        &s,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert!(none.is_none());
}

#[tokio::test]
async fn ping_is_legacy_only() {
    let s = server();
    let r = send(&s, request(1, "ping", json!({}))).await.unwrap();
    assert_eq!(r["result"], json!({}));
    let r = send(&s, json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
        .await
        .unwrap();
    assert_eq!(r["result"], json!({}));
    let r = send(&s, modern(3, "ping", json!({}))).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::METHOD_NOT_FOUND);
}

#[tokio::test]
async fn discover_lists_versions_with_cache_hints() {
    let r = send(&server(), modern(1, "server/discover", json!({})))
        .await
        .unwrap();
    let result = &r["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["supportedVersions"][0], "2026-07-28");
    assert!(
        result["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!("2024-11-05"))
    );
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["version"],
        "1.2.3"
    );
    assert_eq!(result["ttlMs"], 60_000);
    assert_eq!(result["cacheScope"], "public");
}

#[tokio::test]
async fn version_and_meta_errors() {
    let s = server();
    let mut req = modern(1, "tools/list", json!({}));
    req["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("1900-01-01");
    let r = send(&s, req).await.unwrap();
    assert_eq!(r["id"], 1);
    assert_eq!(
        r["error"]["code"],
        ErrorObject::UNSUPPORTED_PROTOCOL_VERSION
    );
    assert_eq!(r["error"]["data"]["requested"], "1900-01-01");
    assert_eq!(r["error"]["data"]["supported"][0], "2026-07-28");

    let mut req = modern(2, "tools/list", json!({}));
    req["params"]["_meta"]
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let r = send(&s, req).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("clientCapabilities")
    );

    for method in ["initialize", "logging/setLevel"] {
        let r = send(
            &s,
            modern(
                3,
                method,
                json!({"protocolVersion": "2026-07-28", "level": "info"}),
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            r["error"]["code"],
            ErrorObject::METHOD_NOT_FOUND,
            "{method}"
        );
    }
    let r = send(&s, modern(3, "initialize", json!({}))).await.unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::METHOD_NOT_FOUND,
        "removed methods before their params"
    );
    let r = send(&s, request(4, "no/such", json!({}))).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::METHOD_NOT_FOUND);
    let r = send(&s, request(5, "tools/call", json!({"arguments": {}})))
        .await
        .unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::INVALID_PARAMS,
        "missing name"
    );
    let r = send(&s, request(6, "tools/list", json!({"cursor": 5})))
        .await
        .unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::INVALID_PARAMS,
        "cursor of the wrong type"
    );
}

#[tokio::test]
async fn lists_are_deterministic_and_era_shaped() {
    let s = server();
    let legacy = send(&s, request(1, "tools/list", json!({}))).await.unwrap();
    let again = send(&s, request(1, "tools/list", json!({}))).await.unwrap();
    assert_eq!(legacy, again);
    let names: Vec<_> = legacy["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "echo",
            "add",
            "delete_record",
            "all_content",
            "boom",
            "upstream",
            "chatty"
        ]
    );
    assert!(legacy["result"].get("resultType").is_none());
    assert!(legacy["result"].get("nextCursor").is_none());
    let add = &legacy["result"]["tools"][1];
    assert_eq!(add["title"], "Adder");
    assert_eq!(
        add["annotations"],
        json!({"readOnlyHint": true, "idempotentHint": true})
    );
    assert_eq!(add["inputSchema"]["type"], "object");
    assert_eq!(add["inputSchema"]["required"], json!(["a", "b"]));
    assert_eq!(add["outputSchema"]["required"], json!(["sum"]));
    let delete = &legacy["result"]["tools"][2];
    assert_eq!(delete["inputSchema"]["required"], json!(["id"]));
    assert_eq!(delete["annotations"]["destructiveHint"], true);

    let modern_list = send(&s, modern(2, "tools/list", json!({}))).await.unwrap();
    assert_eq!(modern_list["result"]["resultType"], "complete");
    assert_eq!(modern_list["result"]["cacheScope"], "public");
    assert_eq!(modern_list["result"]["ttlMs"], 60_000);
    assert_eq!(modern_list["result"]["tools"], legacy["result"]["tools"]);
}

#[tokio::test]
async fn pagination_walks_every_tool_and_rejects_altered_cursors() {
    let s = builder().page_size(3).build().unwrap();
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let r = send(&s, request(1, "tools/list", params)).await.unwrap();
        for t in r["result"]["tools"].as_array().unwrap() {
            names.push(t["name"].as_str().unwrap().to_owned());
        }
        cursor = r["result"]["nextCursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(names.len(), 7);
    assert_eq!(names, s.tool_names().collect::<Vec<_>>());

    let r = send(&s, request(1, "tools/list", json!({}))).await.unwrap();
    let good = r["result"]["nextCursor"].as_str().unwrap().to_owned();
    let mut altered = good.clone().into_bytes();
    altered[0] = if altered[0] == b'A' { b'B' } else { b'A' };
    for bad in [
        String::from_utf8(altered).unwrap(),
        format!("{good}x"),
        good[..good.len() - 2].to_owned(),
        String::new(),
        "999".to_owned(),
    ] {
        let r = send(&s, request(2, "tools/list", json!({"cursor": bad})))
            .await
            .unwrap();
        assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS, "{bad}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("invalid cursor")
        );
    }
    // A cursor from a server with a different tool list is refused too.
    let other = Server::builder("other", "1")
        .tool(|a: Echo, _cx: Context| async move { a.text })
        .build()
        .unwrap();
    let r = send(&other, request(3, "tools/list", json!({"cursor": good})))
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
}

#[tokio::test]
async fn tool_calls_cover_every_outcome() {
    let s = server();
    let call = |id: i64, name: &str, args: Value| {
        request(id, "tools/call", json!({"name": name, "arguments": args}))
    };

    let r = send(&s, call(1, "echo", json!({"text": "hi"})))
        .await
        .unwrap();
    assert_eq!(
        r["result"],
        json!({"content": [{"type": "text", "text": "hi"}], "isError": false})
    );

    let r = send(&s, call(2, "add", json!({"a": 2, "b": 3.5})))
        .await
        .unwrap();
    assert_eq!(r["result"]["structuredContent"], json!({"sum": 5.5}));
    assert_eq!(r["result"]["content"][0]["text"], r#"{"sum":5.5}"#);

    let r = send(&s, call(3, "add", json!({"a": "two", "b": 3})))
        .await
        .unwrap();
    assert_eq!(r["result"]["isError"], true);
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("`a`") && text.contains("number") && text.contains("\"two\""),
        "{text}"
    );

    let r = send(&s, call(4, "add", json!({"a": 1}))).await.unwrap();
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("\"b\" is a required property")
    );

    let r = send(&s, call(5, "nope", json!({}))).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
    assert_eq!(r["error"]["message"], "Invalid params: Unknown tool: nope");

    let r = send(&s, request(6, "tools/call", json!({"name": "all_content"})))
        .await
        .unwrap();
    let kinds: Vec<_> = r["result"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "text",
            "image",
            "audio",
            "resource_link",
            "resource",
            "resource"
        ]
    );

    let r = send(&s, call(7, "boom", json!({}))).await.unwrap();
    assert_eq!(r["result"]["isError"], true);
    assert!(
        !r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("secret")
    );
    let r = send(&s, call(8, "echo", json!({"text": "still serving"})))
        .await
        .unwrap();
    assert_eq!(r["result"]["content"][0]["text"], "still serving");

    let r = send(&s, call(9, "upstream", json!({"rate_limited": false})))
        .await
        .unwrap();
    assert_eq!(r["result"]["isError"], true);
    assert_eq!(
        r["result"]["structuredContent"]["code"],
        "channel_not_found"
    );
    assert_eq!(
        r["result"]["content"][0]["text"],
        "Slack says: channel_not_found\nHint: List channels first."
    );

    let bytes = serde_json::to_vec(&call(10, "upstream", json!({"rate_limited": true}))).unwrap();
    let resp = s.handle_message(&bytes, Envelope::new()).await.unwrap();
    let limit = resp.rate_limit().unwrap();
    assert_eq!(
        (limit.limit, limit.remaining, limit.reset_secs()),
        (Some(100), Some(0), 42)
    );
    let e = resp.error_object().unwrap();
    assert_eq!(e.code(), ErrorObject::RATE_LIMITED);
    assert_eq!(e.data().unwrap()["rateLimit"]["reset"], 42);

    let lenient = builder().rate_limits_as_tool_results(true).build().unwrap();
    let r = send(
        &lenient,
        call(11, "upstream", json!({"rate_limited": true})),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["isError"], true);
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("42")
    );

    let r = send(&s, call(12, "echo", json!("not an object")))
        .await
        .unwrap();
    assert_eq!(r["result"]["isError"], true);

    let r = send(
        &s,
        modern(
            13,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "m"}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["resultType"], "complete");
    assert!(
        r["result"].get("ttlMs").is_none(),
        "tool results are not cacheable"
    );
}

#[tokio::test]
async fn scopes_filter_lists_and_calls() {
    let s = server();
    let scoped = |scope: Scope| {
        let mut e = Envelope::new();
        e.extensions.insert(scope);
        e
    };
    let names = |r: &Value| -> Vec<String> {
        r["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };

    let r = send_with(
        &s,
        modern(1, "tools/list", json!({})),
        scoped(Scope::new([MethodClass::Read])),
    )
    .await
    .unwrap();
    assert_eq!(names(&r), ["echo", "add"]);
    assert_eq!(r["result"]["cacheScope"], "private");

    let r = send_with(
        &s,
        request(2, "tools/list", json!({})),
        scoped(Scope::all().with_tags(["crm"])),
    )
    .await
    .unwrap();
    assert_eq!(names(&r), ["delete_record"]);

    let hidden = send_with(
        &s,
        request(
            3,
            "tools/call",
            json!({"name": "delete_record", "arguments": {"id": "1"}}),
        ),
        scoped(Scope::new([MethodClass::Read])),
    )
    .await
    .unwrap();
    let missing = send_with(
        &s,
        request(
            3,
            "tools/call",
            json!({"name": "delete_recorx", "arguments": {"id": "1"}}),
        ),
        scoped(Scope::new([MethodClass::Read])),
    )
    .await
    .unwrap();
    assert_eq!(hidden["error"]["code"], missing["error"]["code"]);
    assert_eq!(
        hidden["error"]["message"]
            .as_str()
            .unwrap()
            .replace("delete_record", "X"),
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .replace("delete_recorx", "X"),
    );

    let r = send_with(
        &s,
        request(4, "tools/list", json!({})),
        scoped(Scope::new([])),
    )
    .await
    .unwrap();
    assert!(names(&r).is_empty());
    assert_class::<DeleteRecord>(MethodClass::Write);
    assert_class::<Echo>(MethodClass::Read);
    assert_class::<Boom>(MethodClass::Custom);
}

#[tokio::test]
async fn progress_and_logs_flow_only_when_asked() {
    let s = server();
    let run = |message: Value| {
        let s = s.clone();
        async move {
            let (notifier, mut stream) = Notifier::channel(16);
            let mut env = Envelope::new();
            env.notifier = Some(notifier);
            let response = send_with(&s, message, env).await.unwrap();
            let mut notes = Vec::new();
            while let Some(n) = stream.try_recv() {
                notes.push(serde_json::from_slice::<Value>(&n).unwrap());
            }
            (response, notes)
        }
    };
    let (_, notes) = run(request(1, "tools/call", json!({"name": "chatty"}))).await;
    let methods: Vec<_> = notes
        .iter()
        .map(|n| n["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["notifications/message"],
        "legacy default: info logs; no progress without a token"
    );

    let mut req = modern(2, "tools/call", json!({"name": "chatty"}));
    req["params"]["_meta"]["progressToken"] = json!("p-1");
    req["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = json!("info");
    let (resp, notes) = run(req).await;
    assert_eq!(resp["result"]["content"][0]["text"], "done");
    let methods: Vec<_> = notes
        .iter()
        .map(|n| n["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        [
            "notifications/progress",
            "notifications/message",
            "notifications/progress"
        ]
    );
    assert_eq!(
        notes[0]["params"],
        json!({"progressToken": "p-1", "progress": 0.0, "total": 2.0, "message": "starting"})
    );
    assert_eq!(
        notes[1]["params"],
        json!({"level": "info", "data": {"msg": "working"}})
    );

    let mut req = modern(3, "tools/call", json!({"name": "chatty"}));
    req["params"]["_meta"]["progressToken"] = json!(7);
    let (_, notes) = run(req).await;
    assert_eq!(
        notes.len(),
        2,
        "modern requests without logLevel get no logs"
    );
    assert_eq!(notes[0]["params"]["progressToken"], 7);
}

/// Hand-written, exactly like the derive's output.
#[derive(Deserialize)]
struct Manual {
    #[allow(dead_code)]
    x: i32,
}

impl Tool for Manual {
    const NAME: &'static str = "manual";
    const DESCRIPTION: &'static str = "A hand-written tool with its own schema.";
    fn input_schema() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {"n": {"type": "integer", "minimum": 0}},
            "properties": {"x": {"$ref": "#/$defs/n"}},
            "required": ["x"],
            "additionalProperties": false
        })
    }
}

/// Bad name.
#[derive(Deserialize)]
struct BadName {}
impl Tool for BadName {
    const NAME: &'static str = "bad name!";
    const DESCRIPTION: &'static str = "  ";
    fn input_schema() -> Value {
        json!({"type": "string"})
    }
}

#[tokio::test]
async fn hand_written_tools_keep_their_schema() {
    let s = Server::builder("m", "1")
        .tool(|_: Manual, _cx: Context| async { "ok" })
        .build()
        .unwrap();
    let r = send(&s, request(1, "tools/list", json!({}))).await.unwrap();
    assert_eq!(
        r["result"]["tools"][0]["inputSchema"],
        Manual::input_schema()
    );
    let r = send(
        &s,
        request(
            2,
            "tools/call",
            json!({"name": "manual", "arguments": {"x": -1}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["isError"], true);
    let r = send(
        &s,
        request(
            3,
            "tools/call",
            json!({"name": "manual", "arguments": {"x": 1, "y": 2}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        r["result"]["isError"], true,
        "additionalProperties: false holds"
    );
    let r = send(
        &s,
        request(
            4,
            "tools/call",
            json!({"name": "manual", "arguments": {"x": 1}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["isError"], false);
}

#[test]
fn registration_lint_reports_every_problem() {
    let err = Server::builder("m", "1")
        .tool(|a: Echo, _cx: Context| async move { a.text })
        .tool(|a: Echo, _cx: Context| async move { a.text })
        .tool(|_: BadName, _cx: Context| async { "" })
        .build()
        .unwrap_err();
    let all = err.to_string();
    assert!(all.contains("\"echo\" is registered twice"), "{all}");
    assert!(all.contains("contains ' '"), "{all}");
    assert!(all.contains("has no description"), "{all}");
    assert!(
        all.contains("inputSchema: its root must have type \"object\""),
        "{all}"
    );
    assert_eq!(err.problems().len(), 4);
}

#[tokio::test]
async fn state_reaches_handlers() {
    struct App {
        greeting: String,
    }
    let s =
        Server::builder("stateful", "1")
            .state(App {
                greeting: "hello".into(),
            })
            .tool(|a: Echo, cx: Context<App>| async move {
                format!("{} {}", cx.state().greeting, a.text)
            })
            .build()
            .unwrap();
    let r = send(
        &s,
        request(
            1,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "world"}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["content"][0]["text"], "hello world");
}
