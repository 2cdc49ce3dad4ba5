//! Replies to server-to-client requests (legacy sampling, elicitation) are taken
//! only from the caller whose call asked: same session id, same principal.

use http::{Request, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use mcp_core::auth::Principal;
use mcp_transport::http::Body;
use serde_json::{Value, json};

use crate::support::{HttpClient, Reply, TestServer, http_client, post, send, within};

const V: (&str, &str) = ("mcp-protocol-version", "2025-11-25");

/// Stands in for an authentication layer: `x-tenant: <t>` makes the caller the
/// principal of tenant `<t>`.
fn principal_from_header(mut request: Request<Body>) -> Request<Body> {
    let tenant = request
        .headers()
        .get("x-tenant")
        .map(|v| v.to_str().unwrap().to_owned());
    if let Some(tenant) = tenant {
        let credential = format!("tok_{tenant}");
        request
            .extensions_mut()
            .insert(Principal::new(tenant, credential));
    }
    request
}

/// The first `data:` JSON of an SSE response, and the rest of its body.
async fn first_event(body: &mut Incoming, buf: &mut String) -> Option<Value> {
    loop {
        while let Some(end) = buf.find('\n') {
            let line: String = buf.drain(..=end).collect();
            let data = line.trim_end().strip_prefix("data:");
            if let Some(Ok(v)) = data.map(|d| serde_json::from_str(d.trim())) {
                return Some(v);
            }
        }
        let frame = body.frame().await?.unwrap();
        if let Ok(data) = frame.into_data() {
            buf.push_str(std::str::from_utf8(&data).unwrap());
        }
    }
}

async fn initialize(c: &HttpClient, url: &str, extra: &[(&str, &str)]) -> String {
    let body = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
        "clientInfo": {"name": "t", "version": "1"}}});
    let r = send(c, post(url, extra, body.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.header("mcp-session-id").to_owned()
}

/// Runs the `ask` tool as `victim`, lets `stranger` answer its question first
/// (refused exactly like an unknown id, without consuming it), then the victim.
async fn stranger_cannot_answer(
    c: &HttpClient,
    srv: &TestServer,
    victim: &[(&str, &str)],
    stranger: &[(&str, &str)],
) {
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "ask", "arguments": {}}});
    let response = c
        .request(post(&srv.url, victim, call.to_string()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut buf = String::new();
    let asked = first_event(&mut body, &mut buf).await.unwrap();
    assert_eq!(asked["method"], "elicitation/create");
    // The id is a capability: the instance prefix, then 128 random bits in hex.
    let id = asked["id"].as_str().unwrap().to_owned();
    let random = id
        .strip_prefix(&format!("{}-", srv.reply_id_prefix))
        .unwrap_or_else(|| panic!("{id}"));
    assert_eq!(random.len(), 32, "{id}");
    assert!(
        random
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    );

    let answer = |name: &str| {
        json!({"jsonrpc": "2.0", "id": id,
               "result": {"action": "accept", "content": {"name": name}}})
        .to_string()
    };
    let refused: Reply = send(c, post(&srv.url, stranger, answer("Mallory"))).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{}",
        refused.text()
    );
    // Twice: the stranger's attempt neither consumed nor cancelled the question.
    let again = send(c, post(&srv.url, stranger, answer("Mallory"))).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    let accepted = send(c, post(&srv.url, victim, answer("Ann"))).await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.text());
    let done = first_event(&mut body, &mut buf).await.unwrap();
    assert_eq!(done["id"], 1);
    assert_eq!(done["result"]["content"][0]["text"], "hello Ann", "{done}");

    // Now the id is unknown to everyone: the stranger got that very answer.
    let unknown = send(c, post(&srv.url, victim, answer("Ann"))).await;
    assert_eq!(unknown.status, refused.status);
    assert_eq!(unknown.body, refused.body);
    assert_eq!(
        unknown.headers.get("content-type"),
        refused.headers.get("content-type")
    );
}

#[tokio::test]
async fn only_the_asking_caller_can_answer_a_request_to_the_client() {
    within(30, async {
        let srv = TestServer::start(|b| {
            b.layer(tower::util::MapRequestLayer::new(principal_from_header))
        })
        .await;
        let c = http_client();

        // Another legacy session.
        let victim_session = initialize(&c, &srv.url, &[V]).await;
        let other_session = initialize(&c, &srv.url, &[V]).await;
        let victim = [V, ("mcp-session-id", victim_session.as_str())];
        stranger_cannot_answer(
            &c,
            &srv,
            &victim,
            &[V, ("mcp-session-id", other_session.as_str())],
        )
        .await;
        // A reply without the session id the call carried.
        stranger_cannot_answer(&c, &srv, &victim, &[V]).await;

        // Another tenant, no sessions at all.
        stranger_cannot_answer(
            &c,
            &srv,
            &[V, ("x-tenant", "acme")],
            &[V, ("x-tenant", "globex")],
        )
        .await;
        // An anonymous reply to an authenticated caller's question.
        stranger_cannot_answer(&c, &srv, &[V, ("x-tenant", "acme")], &[V]).await;
    })
    .await;
}
