//! Mirrored headers (`Mcp-Method`, `Mcp-Name`) are checked whatever the era, repeated
//! lines must agree, and values are compared in their canonical form.

use std::sync::atomic::Ordering;

use http::StatusCode;
use serde_json::json;

use crate::support::{TestServer, http_client, modern, post, send, within};

const LEGACY_ECHO: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;

#[tokio::test]
async fn a_legacy_request_whose_mirrored_headers_disagree_is_refused() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let legacy = [("mcp-protocol-version", "2025-11-25")];
        let refused: [&[(&str, &str)]; 4] = [
            &[("mcp-method", "tools/list"), ("mcp-name", "add")],
            &[("mcp-method", "tools/list")],
            &[("mcp-name", "add")],
            &[("mcp-method", "tools/call"), ("mcp-name", "Echo")],
        ];
        for extra in refused {
            let headers: Vec<_> = legacy.iter().chain(extra).copied().collect();
            let r = send(&c, post(&srv.url, &headers, LEGACY_ECHO)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra:?}: {}", r.text());
            assert_eq!(r.error_code(), -32020, "{}", r.text());
        }
        // Nothing ran; without the headers, or with agreeing ones, it runs.
        assert_eq!(srv.counters.runs.load(Ordering::SeqCst), 0);
        let agreeing: [&[(&str, &str)]; 3] = [
            &[],
            &[("mcp-method", "tools/call"), ("mcp-name", "echo")],
            &[("mcp-name", "=?base64?ZWNobw==?=")],
        ];
        for extra in agreeing {
            let headers: Vec<_> = legacy.iter().chain(extra).copied().collect();
            let r = send(&c, post(&srv.url, &headers, LEGACY_ECHO)).await;
            assert_eq!(r.status, StatusCode::OK, "{extra:?}: {}", r.text());
        }
        assert_eq!(srv.counters.runs.load(Ordering::SeqCst), 3);
    })
    .await;
}

#[tokio::test]
async fn repeated_mirrored_headers_must_agree_once_canonical() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let body = modern(
            1,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}}),
        );
        let run = async |names: &[&str], method: &[&str]| {
            let mut headers = vec![("mcp-protocol-version", "2026-07-28")];
            headers.extend(method.iter().map(|m| ("mcp-method", *m)));
            headers.extend(names.iter().map(|n| ("mcp-name", *n)));
            send(&c, post(&srv.url, &headers, body.clone())).await
        };
        // Two different names: refused, whichever comes first.
        for names in [["echo", "add"], ["add", "echo"]] {
            let r = run(&names, &["tools/call"]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{names:?}: {}", r.text());
            assert_eq!(r.error_code(), -32020);
        }
        let r = run(&["echo"], &["tools/call", "tools/list"]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        // Lines with the same canonical value are one value: accepted.
        for names in [["echo", "echo"], ["echo", "=?base64?ZWNobw==?="]] {
            let r = run(&names, &["tools/call"]).await;
            assert_eq!(r.status, StatusCode::OK, "{names:?}: {}", r.text());
        }
        let r = run(&["echo"], &["tools/call", "tools/call"]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // Values are case-sensitive, and a plain value must be visible ASCII.
        for name in ["ECHO", "echo\u{e9}"] {
            let r = run(&[name], &["tools/call"]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name:?}: {}", r.text());
        }
        // An `Mcp-Name` on a request that names nothing.
        let list = modern(2, "tools/list", json!({}));
        let headers = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
            ("mcp-name", "echo"),
        ];
        let r = send(&c, post(&srv.url, &headers, list)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    })
    .await;
}
