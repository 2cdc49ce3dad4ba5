//! Legacy `Mcp-Session-Id`s: issued by `initialize`, kept by no instance, checked
//! by every one, and ignored by modern requests.

use http::{Request, StatusCode};
use mcp_transport::http::Body;
use serde_json::json;

use crate::support::{HttpClient, TestServer, call, http_client, post, send, within};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
const LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
const V: (&str, &str) = ("mcp-protocol-version", "2025-11-25");

async fn session(c: &HttpClient, url: &str) -> String {
    let r = send(c, post(url, &[], INIT)).await;
    assert_eq!(r.status, StatusCode::OK);
    let id = r.header("mcp-session-id").to_owned();
    assert!(id.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{id}");
    id
}

#[tokio::test]
async fn initialize_issues_an_id_that_later_requests_may_carry() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let id = session(&c, &srv.url).await;
        assert!(id.starts_with("s1.2025-11-25."), "{id}");
        let with = [V, ("mcp-session-id", id.as_str())];
        let r = send(&c, post(&srv.url, &with, INITIALIZED)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        let r = send(&c, post(&srv.url, &with, LIST)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers.get("mcp-session-id").is_none());
        // The header may be left out: the session carries the version.
        let r = send(&c, post(&srv.url, &[("mcp-session-id", id.as_str())], LIST)).await;
        assert_eq!(r.status, StatusCode::OK);
        // Without a session id at all, as before.
        let r = send(&c, post(&srv.url, &[V], LIST)).await;
        assert_eq!(r.status, StatusCode::OK);

        // An id this server did not issue: 404, for requests, notifications and
        // replies alike; initialize starts a new session anyway.
        let stale = [V, ("mcp-session-id", "stale")];
        for body in [
            LIST,
            INITIALIZED,
            r#"{"jsonrpc":"2.0","id":"x","result":{}}"#,
        ] {
            let r = send(&c, post(&srv.url, &stale, body)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{body}");
        }
        let r = send(&c, post(&srv.url, &stale, INIT)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_ne!(r.header("mcp-session-id"), "stale");

        // Sessions cannot be ended (nothing is kept): DELETE gets 405.
        let delete = Request::delete(&srv.url)
            .header("mcp-session-id", id.as_str())
            .body(Body::empty())
            .unwrap();
        let r = send(&c, delete).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.header("allow"), "POST");

        // Modern requests ignore the header and never get one.
        let r = call(&c, &srv.url, 9, "echo", json!({"text": "hi"})).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers.get("mcp-session-id").is_none());
    })
    .await;
}

#[tokio::test]
async fn signed_ids_are_accepted_by_every_instance_with_the_key_and_only_those() {
    within(20, async {
        let a = TestServer::start(|b| b.session_key([7u8; 32])).await;
        let b = TestServer::start(|b| b.session_key([7u8; 32])).await;
        let other = TestServer::start(|b| b.session_key([8u8; 32])).await;
        let unsigned = TestServer::start(|b| b).await;
        let c = http_client();
        let id = session(&c, &a.url).await;
        let with = [V, ("mcp-session-id", id.as_str())];
        for (srv, status) in [
            (&a, StatusCode::OK),
            (&b, StatusCode::OK),
            (&other, StatusCode::NOT_FOUND),
            (&unsigned, StatusCode::OK),
        ] {
            let r = send(&c, post(&srv.url, &with, LIST)).await;
            assert_eq!(r.status, status, "{}", srv.url);
        }
        // An unsigned id is refused where a key is set.
        let plain = session(&c, &unsigned.url).await;
        let r = send(
            &c,
            post(&a.url, &[V, ("mcp-session-id", plain.as_str())], LIST),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}
