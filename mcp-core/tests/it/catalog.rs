//! Resources, resource templates, prompts and completion in both eras.

use mcp_core::jsonrpc::ErrorObject;
use serde_json::json;

use crate::fixtures::*;

#[tokio::test]
async fn resources_list_read_and_template() {
    let s = server();
    let r = send(&s, request(1, "resources/list", json!({})))
        .await
        .unwrap();
    let uris: Vec<_> = r["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["uri"].clone())
        .collect();
    assert_eq!(
        uris,
        ["test://static-text", "test://static-binary", "test://gone"]
    );
    assert_eq!(r["result"]["resources"][0]["mimeType"], "text/plain");

    let r = send(&s, request(2, "resources/templates/list", json!({})))
        .await
        .unwrap();
    assert_eq!(
        r["result"]["resourceTemplates"][0]["uriTemplate"],
        "test://template/{id}/data"
    );

    let r = send(
        &s,
        request(3, "resources/read", json!({"uri": "test://static-text"})),
    )
    .await
    .unwrap();
    assert_eq!(
        r["result"]["contents"],
        json!([{"uri": "test://static-text", "mimeType": "text/plain", "text": "static text"}])
    );
    let r = send(
        &s,
        request(4, "resources/read", json!({"uri": "test://static-binary"})),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["contents"][0]["blob"], PNG_1X1);
    let r = send(
        &s,
        request(
            5,
            "resources/read",
            json!({"uri": "test://template/123/data"}),
        ),
    )
    .await
    .unwrap();
    assert!(
        r["result"]["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("123")
    );

    let r = send(
        &s,
        modern(6, "resources/read", json!({"uri": "test://static-text"})),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["resultType"], "complete");
    assert!(r["result"]["ttlMs"].is_u64(), "resources/read is cacheable");
    assert_eq!(r["result"]["cacheScope"], "public");
}

#[tokio::test]
async fn missing_resources_get_the_error_of_their_era() {
    let s = server();
    for uri in ["test://nope", "test://gone", "test://template//data"] {
        let legacy = send(&s, request(1, "resources/read", json!({"uri": uri})))
            .await
            .unwrap();
        assert_eq!(
            legacy["error"]["code"],
            ErrorObject::RESOURCE_NOT_FOUND,
            "{uri}"
        );
        assert_eq!(legacy["error"]["data"]["uri"], uri);
        let modern_r = send(&s, modern(2, "resources/read", json!({"uri": uri})))
            .await
            .unwrap();
        assert_eq!(
            modern_r["error"]["code"],
            ErrorObject::INVALID_PARAMS,
            "{uri}"
        );
        assert_eq!(modern_r["error"]["data"]["uri"], uri);
        assert!(
            modern_r.get("result").is_none(),
            "never an empty contents list"
        );
    }
    let r = send(
        &s,
        request(
            3,
            "resources/subscribe",
            json!({"uri": "test://static-text"}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"], json!({}));
    let r = send(
        &s,
        request(
            4,
            "resources/unsubscribe",
            json!({"uri": "test://static-text"}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"], json!({}));
    let r = send(
        &s,
        modern(
            5,
            "resources/subscribe",
            json!({"uri": "test://static-text"}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        r["error"]["code"],
        ErrorObject::METHOD_NOT_FOUND,
        "modern clients use subscriptions/listen"
    );
}

#[tokio::test]
async fn prompts_check_their_arguments() {
    let s = server();
    let r = send(&s, request(1, "prompts/list", json!({})))
        .await
        .unwrap();
    assert_eq!(
        r["result"]["prompts"][0]["arguments"],
        json!([
            {"name": "name", "description": "Who", "required": true},
            {"name": "tone", "description": "How", "required": false}
        ])
    );
    let r = send(
        &s,
        request(
            2,
            "prompts/get",
            json!({"name": "greet", "arguments": {"name": "Ada", "tone": "warm"}}),
        ),
    )
    .await
    .unwrap();
    let messages = r["result"]["messages"].as_array().unwrap();
    assert_eq!(
        messages[0],
        json!({"role": "user", "content": {"type": "text", "text": "Hello Ada (warm)"}})
    );
    assert_eq!(messages[1]["content"]["type"], "image");
    assert_eq!(messages[2]["content"]["type"], "resource");

    let r = send(
        &s,
        request(
            3,
            "prompts/get",
            json!({"name": "greet", "arguments": {"tone": "warm"}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
    assert!(r["error"]["message"].as_str().unwrap().contains("name"));
    let r = send(&s, request(4, "prompts/get", json!({"name": "greet"})))
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
    let r = send(
        &s,
        request(
            5,
            "prompts/get",
            json!({"name": "greet", "arguments": {"name": 5}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
    let r = send(&s, request(6, "prompts/get", json!({"name": "nope"})))
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
}

#[tokio::test]
async fn completion_and_capabilities() {
    let s = server();
    let r = send(
        &s,
        request(1, "completion/complete", json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "al"}})),
    )
    .await
    .unwrap();
    assert_eq!(
        r["result"]["completion"],
        json!({"values": ["alice", "albert"], "total": 2, "hasMore": false})
    );
    let r = send(
        &s,
        request(
            2,
            "completion/complete",
            json!({"ref": {"type": "ref/unknown"}, "argument": {"name": "x", "value": ""}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);

    let r = send(
        &s,
        request(
            3,
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        r["result"]["capabilities"],
        json!({
            "tools": {"listChanged": false},
            "resources": {"subscribe": true, "listChanged": false},
            "prompts": {"listChanged": false},
            "logging": {},
            "completions": {}
        })
    );
    let r = send(
        &s,
        request(4, "logging/setLevel", json!({"level": "debug"})),
    )
    .await
    .unwrap();
    assert_eq!(r["result"], json!({}));
    let r = send(&s, request(5, "logging/setLevel", json!({"level": "loud"})))
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS);
}

#[test]
fn bad_registrations_are_reported() {
    use mcp_core::wire::{Prompt, Resource, ResourceRequest, ResourceTemplate};
    use mcp_core::{Context, Server};
    let err = Server::builder("x", "1")
        .resource(
            Resource::new("a://1", "one"),
            |_: ResourceRequest, _cx: Context| async { Ok(vec![]) },
        )
        .resource(
            Resource::new("a://1", "again"),
            |_: ResourceRequest, _cx: Context| async { Ok(vec![]) },
        )
        .resource_template(
            ResourceTemplate::new("a://{+path}", "t"),
            |_: ResourceRequest, _cx: Context| async { Ok(vec![]) },
        )
        .prompt(Prompt::new("p", "d"), |_, _cx: Context| async {
            Ok(mcp_core::wire::GetPromptResult::default())
        })
        .prompt(Prompt::new("p", "d"), |_, _cx: Context| async {
            Ok(mcp_core::wire::GetPromptResult::default())
        })
        .build()
        .unwrap_err();
    assert_eq!(err.problems().len(), 3, "{err}");
}

#[tokio::test]
async fn encoded_separators_in_template_variables_never_reach_the_handler() {
    let reached = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&reached);
    let s = mcp_core::Server::builder("t", "1")
        .resource_template(
            mcp_core::wire::ResourceTemplate::new("test://template/{id}/data", "template"),
            move |r: mcp_core::wire::ResourceRequest, _cx: mcp_core::Context| {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    Ok(vec![mcp_core::wire::ResourceContents::Text {
                        uri: r.uri,
                        mime_type: None,
                        text: r.variables["id"].clone(),
                    }])
                }
            },
        )
        .build()
        .unwrap();
    for uri in [
        "test://template/..%2F..%2Fx/data",
        "test://template/a%2fb/data",
        "test://template/%2e%2e/data",
        "test://template/a%00/data",
        "test://template/a%3Fb/data",
    ] {
        let r = send(&s, modern(1, "resources/read", json!({"uri": uri})))
            .await
            .unwrap();
        assert_eq!(
            r["error"]["code"],
            ErrorObject::INVALID_PARAMS,
            "{uri}: {r}"
        );
        assert_eq!(r["error"]["data"]["uri"], uri);
    }
    assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0);
    let r = send(
        &s,
        modern(
            2,
            "resources/read",
            json!({"uri": "test://template/a%20b/data"}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["contents"][0]["text"], "a b");
}

#[tokio::test]
async fn reserved_expansion_is_a_build_error_unless_opted_in() {
    let template = || mcp_core::wire::ResourceTemplate::new("file:///{+path}", "files");
    let read = |r: mcp_core::wire::ResourceRequest, _cx: mcp_core::Context| async move {
        Ok(vec![mcp_core::wire::ResourceContents::Text {
            uri: r.uri,
            mime_type: None,
            text: r.variables["path"].clone(),
        }])
    };
    let err = mcp_core::Server::builder("t", "1")
        .resource_template(template(), read)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("reserved_template_expansion"),
        "{err}"
    );
    let s = mcp_core::Server::builder("t", "1")
        .resource_template(template(), read)
        .reserved_template_expansion(true)
        .build()
        .unwrap();
    let ok = send(
        &s,
        modern(1, "resources/read", json!({"uri": "file:///src/main.rs"})),
    )
    .await
    .unwrap();
    assert_eq!(ok["result"]["contents"][0]["text"], "src/main.rs");
    let r = send(
        &s,
        modern(
            2,
            "resources/read",
            json!({"uri": "file:///src/%2E%2E/%2E%2E/etc"}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS, "{r}");
}

#[tokio::test]
async fn prompt_and_resource_handlers_fail_with_tool_errors() {
    use std::collections::HashMap;
    use std::time::Duration;

    use mcp_core::wire::{GetPromptResult, Prompt, Resource, ResourceContents, ResourceRequest};
    use mcp_core::{Context, RateLimit, ToolError};

    let s = builder()
        .prompt(
            Prompt::new("fail", "Fails as asked.").required("how", "failed, invalid or rate"),
            |args: HashMap<String, String>, _cx: Context| async move {
                Err::<GetPromptResult, _>(match args["how"].as_str() {
                    "invalid" => ToolError::invalid_arguments("fail", "`how` is odd"),
                    "rate" => ToolError::rate_limited(RateLimit::new(Duration::from_secs(7))),
                    _ => ToolError::new("Upstream is down")
                        .with_hint("Retry in a minute.")
                        .with_structured(json!({"code": "down"})),
                })
            },
        )
        .resource(
            Resource::new("test://down", "down"),
            |_: ResourceRequest, _cx: Context| async move {
                Err::<Vec<ResourceContents>, _>(ToolError::new("The store is down"))
            },
        )
        .build()
        .unwrap();
    let get = |id, how: &str| {
        request(
            id,
            "prompts/get",
            json!({"name": "fail", "arguments": {"how": how}}),
        )
    };

    let r = send(&s, get(1, "failed")).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INTERNAL_ERROR, "{r}");
    assert_eq!(
        r["error"]["message"],
        "Upstream is down\nHint: Retry in a minute."
    );
    assert_eq!(r["error"]["data"], json!({"code": "down"}));

    let r = send(&s, get(2, "invalid")).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INVALID_PARAMS, "{r}");

    let r = send(&s, get(3, "rate")).await.unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::RATE_LIMITED, "{r}");
    assert_eq!(r["error"]["data"]["rateLimit"]["reset"], 7, "{r}");

    let r = send(
        &s,
        request(4, "resources/read", json!({"uri": "test://down"})),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], ErrorObject::INTERNAL_ERROR, "{r}");
    assert_eq!(r["error"]["message"], "The store is down");
}
