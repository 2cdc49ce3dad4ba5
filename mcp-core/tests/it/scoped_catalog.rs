//! Hole 6: a caller's scope governs resources, templates, prompts, completion and
//! subscriptions as it does tools; what it does not permit answers exactly like
//! what does not exist. Cursors bind to the caller.

use std::collections::HashMap;

use mcp_core::auth::{Access, MethodClass, Principal, Scope};
use mcp_core::transport::{Envelope, Notifier};
use mcp_core::wire::{
    Completion, CompletionRequest, GetPromptResult, Prompt, PromptMessage, Resource,
    ResourceContents, ResourceRequest, ResourceTemplate,
};
use mcp_core::{Content, Context, Server, ToolError};
use serde_json::{Value, json};

use crate::fixtures::{modern, request, send_with};

async fn contents(r: ResourceRequest, _cx: Context) -> Result<Vec<ResourceContents>, ToolError> {
    Ok(vec![ResourceContents::Text {
        uri: r.uri,
        mime_type: None,
        text: "data".into(),
    }])
}

async fn prompt(_: HashMap<String, String>, _cx: Context) -> Result<GetPromptResult, ToolError> {
    Ok(GetPromptResult::new(vec![PromptMessage::user(
        Content::text("hi"),
    )]))
}

fn tagged(tag: &str) -> Access {
    Access::new(MethodClass::Read).with_tags([tag])
}

/// Two tagged halves (crm, billing), one write-class resource, and one of each
/// registered without an access descriptor.
fn server() -> Server {
    Server::builder("scoped", "1")
        .page_size(1)
        .resource_with_access(
            Resource::new("crm://contacts", "contacts"),
            tagged("crm"),
            contents,
        )
        .resource_with_access(
            Resource::new("billing://invoices", "invoices"),
            tagged("billing"),
            contents,
        )
        .resource_with_access(
            Resource::new("admin://audit", "audit"),
            Access::new(MethodClass::Write).with_tags(["crm"]),
            contents,
        )
        .resource(Resource::new("pub://readme", "readme"), contents)
        .resource_template_with_access(
            ResourceTemplate::new("crm://contacts/{id}", "contact"),
            tagged("crm"),
            contents,
        )
        .resource_template_with_access(
            ResourceTemplate::new("billing://invoices/{id}", "invoice"),
            tagged("billing"),
            contents,
        )
        .prompt_with_access(
            Prompt::new("crm_summary", "CRM summary."),
            tagged("crm"),
            prompt,
        )
        .prompt_with_access(
            Prompt::new("billing_summary", "Billing summary."),
            tagged("billing"),
            prompt,
        )
        .completion(|_: CompletionRequest, _cx: Context| async move {
            Ok(Completion::new(["x".to_owned()]))
        })
        .build()
        .unwrap()
}

fn as_(tenant: &str, scope: Scope) -> Envelope {
    let mut envelope = Envelope::new();
    envelope
        .extensions
        .insert(Principal::new(tenant, format!("tok_{tenant}")).with_scope(scope));
    envelope
}

/// A read-only principal limited to the `crm` tag.
fn crm_reader() -> Envelope {
    as_("acme", Scope::new([MethodClass::Read]).with_tags(["crm"]))
}

/// Every item of a list, following cursors.
async fn list_all(s: &Server, method: &str, key: &str, envelope: fn() -> Envelope) -> Vec<String> {
    let mut names = Vec::new();
    let mut params = json!({});
    for i in 0..20 {
        let r = send_with(s, modern(i, method, params.clone()), envelope())
            .await
            .unwrap();
        assert_eq!(r["result"]["cacheScope"], "private", "{r}");
        for item in r["result"][key].as_array().unwrap() {
            names.push(item["name"].as_str().unwrap().to_owned());
        }
        match r["result"]["nextCursor"].as_str() {
            Some(next) => params = json!({"cursor": next}),
            None => return names,
        }
    }
    panic!("more than 20 pages");
}

#[tokio::test]
async fn lists_show_only_what_the_scope_permits() {
    let s = server();
    assert_eq!(
        list_all(&s, "resources/list", "resources", crm_reader).await,
        ["contacts"]
    );
    assert_eq!(
        list_all(
            &s,
            "resources/templates/list",
            "resourceTemplates",
            crm_reader
        )
        .await,
        ["contact"]
    );
    assert_eq!(
        list_all(&s, "prompts/list", "prompts", crm_reader).await,
        ["crm_summary"]
    );
    // An untagged read scope sees the untagged resource, nothing tagged for it.
    let plain = || as_("acme", Scope::new([MethodClass::Read]));
    assert_eq!(
        list_all(&s, "resources/list", "resources", plain).await,
        ["contacts", "invoices", "readme"]
    );
    let writer = || as_("acme", Scope::new([MethodClass::Write]));
    assert_eq!(
        list_all(&s, "resources/list", "resources", writer).await,
        ["audit"]
    );
}

/// `a` and `b` with the named item replaced, to compare answers.
fn same_answer(a: &Value, a_name: &str, b: &Value, b_name: &str) {
    let a = a.to_string().replace(a_name, "ITEM");
    let b = b.to_string().replace(b_name, "ITEM");
    assert_eq!(a, b);
    assert!(a.contains("\"error\""), "{a}");
}

#[tokio::test]
async fn hidden_items_answer_exactly_like_missing_ones() {
    let s = server();
    let ask = |id: i64, method: &str, params: Value| {
        let s = s.clone();
        let message = modern(id, method, params);
        async move { send_with(&s, message, crm_reader()).await.unwrap() }
    };
    // Reads of fixed resources and of templated ones.
    for (hidden, missing) in [
        ("billing://invoices", "billing://nothing"),
        ("billing://invoices/7", "nowhere://invoices/7"),
        ("admin://audit", "admin://nothing"),
        ("pub://readme", "pub://nothing"),
    ] {
        let h = ask(1, "resources/read", json!({"uri": hidden})).await;
        let m = ask(1, "resources/read", json!({"uri": missing})).await;
        same_answer(&h, hidden, &m, missing);
    }
    let visible = ask(1, "resources/read", json!({"uri": "crm://contacts/7"})).await;
    assert_eq!(
        visible["result"]["contents"][0]["text"], "data",
        "{visible}"
    );

    let h = ask(2, "prompts/get", json!({"name": "billing_summary"})).await;
    let m = ask(2, "prompts/get", json!({"name": "no_summary"})).await;
    same_answer(&h, "billing_summary", &m, "no_summary");

    // Completion neither runs nor reveals anything for what the scope hides.
    let complete =
        |reference: Value| json!({"ref": reference, "argument": {"name": "id", "value": ""}});
    let h = ask(
        3,
        "completion/complete",
        complete(json!({"type": "ref/prompt", "name": "billing_summary"})),
    )
    .await;
    let m = ask(
        3,
        "completion/complete",
        complete(json!({"type": "ref/prompt", "name": "no_summary"})),
    )
    .await;
    same_answer(&h, "billing_summary", &m, "no_summary");
    let h = ask(
        4,
        "completion/complete",
        complete(json!({"type": "ref/resource", "uri": "billing://invoices/{id}"})),
    )
    .await;
    let m = ask(
        4,
        "completion/complete",
        complete(json!({"type": "ref/resource", "uri": "nowhere://x/{id}"})),
    )
    .await;
    same_answer(&h, "billing://invoices/{id}", &m, "nowhere://x/{id}");
    let ok = ask(
        5,
        "completion/complete",
        complete(json!({"type": "ref/resource", "uri": "crm://contacts/{id}"})),
    )
    .await;
    assert_eq!(ok["result"]["completion"]["values"], json!(["x"]), "{ok}");

    // Legacy resources/subscribe.
    let legacy = |uri: &str| request(6, "resources/subscribe", json!({"uri": uri}));
    let h = send_with(&s, legacy("billing://invoices"), crm_reader())
        .await
        .unwrap();
    let m = send_with(&s, legacy("billing://nothing"), crm_reader())
        .await
        .unwrap();
    same_answer(&h, "billing://invoices", &m, "billing://nothing");
    let ok = send_with(&s, legacy("crm://contacts"), crm_reader())
        .await
        .unwrap();
    assert!(ok["result"].is_object(), "{ok}");
}

#[tokio::test]
async fn listen_acknowledges_only_subscriptions_the_scope_permits() {
    let s = server();
    let (notifier, mut stream) = Notifier::channel(4);
    let mut envelope = crm_reader();
    envelope.notifier = Some(notifier);
    let listen = modern(
        9,
        "subscriptions/listen",
        json!({"notifications": {"resourceSubscriptions":
            ["crm://contacts", "crm://contacts/1", "billing://invoices", "billing://invoices/1", "x://nothing"]}}),
    );
    let server = s.clone();
    let task = tokio::spawn(async move { send_with(&server, listen, envelope).await });
    let ack = tokio::time::timeout(std::time::Duration::from_secs(5), stream.recv())
        .await
        .unwrap()
        .unwrap();
    let ack: Value = serde_json::from_slice(&ack).unwrap();
    assert_eq!(
        ack["params"]["notifications"]["resourceSubscriptions"],
        json!(["crm://contacts", "crm://contacts/1"])
    );
    // A hidden resource's update never reaches the stream.
    s.notify_resource_updated("billing://invoices");
    s.notify_resource_updated("crm://contacts");
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), stream.recv())
        .await
        .unwrap()
        .unwrap();
    let next: Value = serde_json::from_slice(&next).unwrap();
    assert_eq!(next["params"]["uri"], "crm://contacts");
    task.abort();
}

#[tokio::test]
async fn a_cursor_issued_to_one_principal_is_refused_for_another() {
    let s = server();
    let everything = || as_("acme", Scope::all());
    let first = send_with(&s, modern(1, "resources/list", json!({})), everything())
        .await
        .unwrap();
    let cursor = first["result"]["nextCursor"].as_str().unwrap().to_owned();
    let page = |envelope: Envelope| {
        let s = s.clone();
        let message = modern(2, "resources/list", json!({"cursor": cursor}));
        async move { send_with(&s, message, envelope).await.unwrap() }
    };
    let own = page(everything()).await;
    assert!(own["result"]["resources"].is_array(), "{own}");
    for other in [as_("globex", Scope::all()), Envelope::new()] {
        let r = page(other).await;
        assert_eq!(r["error"]["code"], -32602, "{r}");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(message.contains("issued to another caller"), "{message}");
    }
}

#[tokio::test]
async fn reads_are_never_public_for_a_principal_or_a_restricted_resource() {
    let s = server();
    let read = |uri: &str, envelope: Envelope| {
        let s = s.clone();
        let message = modern(1, "resources/read", json!({"uri": uri}));
        async move { send_with(&s, message, envelope).await.unwrap() }
    };
    let anonymous_plain = read("pub://readme", Envelope::new()).await;
    assert_eq!(anonymous_plain["result"]["cacheScope"], "public");
    let anonymous_restricted = read("crm://contacts", Envelope::new()).await;
    assert_eq!(anonymous_restricted["result"]["cacheScope"], "private");
    let principal_plain = read("pub://readme", as_("acme", Scope::all())).await;
    assert_eq!(principal_plain["result"]["cacheScope"], "private");
}
