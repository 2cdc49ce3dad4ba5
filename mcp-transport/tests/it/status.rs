//! One raw HTTP request per status the endpoint can answer.

use std::sync::atomic::Ordering;

use http::{Request, StatusCode};
use mcp_transport::http::Body;
use serde_json::json;

use crate::support::{TestServer, call, http_client, modern, post, send, within};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

#[tokio::test]
async fn modern_requests_get_json_notifications_202_and_responses_400() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let ok = call(&c, &srv.url, 7, "echo", json!({"text": "hi"})).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.header("content-type"), "application/json");
        let v = ok.json();
        assert_eq!(v["id"], 7);
        assert_eq!(v["result"]["content"][0]["text"], "hi");
        assert_eq!(v["result"]["resultType"], "complete");
        assert!(ok.headers.get("mcp-session-id").is_none());

        let note = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let r = send(&c, post(&srv.url, &[], note)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        assert!(r.body.is_empty());

        let resp = r#"{"jsonrpc":"2.0","id":3,"result":{}}"#;
        let r = send(&c, post(&srv.url, &[], resp)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        let r = send(&c, post(&srv.url, &[], "{not json")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), -32700);
        let r = send(&c, post(&srv.url, &[], r#"{"id":1,"method":"x"}"#)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), -32600);

        // A tool's isError result is a normal 200 answer.
        let r = call(&c, &srv.url, 8, "fail", json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["result"]["isError"], true);
    })
    .await;
}

#[tokio::test]
async fn modern_header_checks() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let body = modern(
            1,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}}),
        );
        let cases: [&[(&str, &str)]; 5] = [
            &[("mcp-method", "tools/call"), ("mcp-name", "echo")],
            &[
                ("mcp-protocol-version", "2025-11-25"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "echo"),
            ],
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/list"),
                ("mcp-name", "echo"),
            ],
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "add"),
            ],
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
            ],
        ];
        for headers in cases {
            let r = send(&c, post(&srv.url, headers, body.clone())).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{headers:?}");
            assert_eq!(r.error_code(), -32020, "{headers:?}");
            assert_eq!(r.json()["id"], 1);
        }
        // The base64 sentinel form of Mcp-Name is decoded before comparing.
        let headers = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "=?base64?ZWNobw==?="),
        ];
        let r = send(&c, post(&srv.url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(srv.counters.runs.load(Ordering::SeqCst), 1);

        // Unknown method: 404 with -32601.
        let headers = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "nope/nope"),
        ];
        let r = send(
            &c,
            post(&srv.url, &headers, modern(2, "nope/nope", json!({}))),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.error_code(), -32601);

        // Unsupported version: 400 with -32022 listing the supported ones.
        let body = json!({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{
            "io.modelcontextprotocol/protocolVersion":"2099-01-01",
            "io.modelcontextprotocol/clientCapabilities":{}}}})
        .to_string();
        let headers = [
            ("mcp-protocol-version", "2099-01-01"),
            ("mcp-method", "tools/list"),
        ];
        let r = send(&c, post(&srv.url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), -32022);
        let supported = &r.json()["error"]["data"]["supported"];
        assert!(supported.as_array().unwrap().contains(&json!("2026-07-28")));

        // Modern request without client capabilities: 400.
        let body = json!({"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"_meta":{
            "io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})
        .to_string();
        let headers = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
        ];
        let r = send(&c, post(&srv.url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), -32602);
    })
    .await;
}

#[tokio::test]
async fn legacy_clients_need_no_session() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let r = send(&c, post(&srv.url, &[], INIT)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["result"]["protocolVersion"], "2025-11-25");

        // No session id, no header (2025-03-26 assumed), then with the header.
        let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
        let r = send(&c, post(&srv.url, &[], list)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["result"]["tools"].as_array().unwrap().len() >= 5);
        assert!(r.json()["result"].get("resultType").is_none());
        let call = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"old"}}}"#;
        let r = send(&c, post(&srv.url, &[("mcp-protocol-version", "2025-06-18")], call)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["result"]["content"][0]["text"], "old");

        // Legacy unknown method: a JSON-RPC error with 200; unknown version header: 400.
        let r = send(&c, post(&srv.url, &[], r#"{"jsonrpc":"2.0","id":4,"method":"nope"}"#)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.error_code(), -32601);
        let r = send(&c, post(&srv.url, &[("mcp-protocol-version", "1999-01-01")], list)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn http_level_rejections() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        for method in ["GET", "DELETE", "PUT"] {
            let req = Request::builder()
                .method(method)
                .uri(&srv.url)
                .header("accept", "text/event-stream")
                .body(Body::empty())
                .unwrap();
            let r = send(&c, req).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
            assert_eq!(r.header("allow"), "POST");
        }
        let list = modern(1, "tools/list", json!({}));
        let mut req = post(&srv.url, &[], list.clone());
        req.headers_mut()
            .insert("content-type", "text/plain".parse().unwrap());
        assert_eq!(
            send(&c, req).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        let mut req = post(&srv.url, &[], list.clone());
        req.headers_mut().remove("content-type");
        assert_eq!(
            send(&c, req).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        let mut req = post(&srv.url, &[], list.clone());
        req.headers_mut()
            .insert("accept", "text/html".parse().unwrap());
        assert_eq!(send(&c, req).await.status, StatusCode::NOT_ACCEPTABLE);
        for other in ["/other", "/mcp/a/b", "/mcpx"] {
            let url = srv.url.replace("/mcp", other);
            let r = send(&c, post(&url, &[], list.clone())).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{other}");
        }
        // One segment below the endpoint is the endpoint (a token-in-path auth layer
        // reads it).
        let r = send(&c, post(&format!("{}/mcp_token", srv.url), &[], list)).await;
        assert_ne!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn foreign_host_and_origin_get_403_and_the_tool_never_runs() {
    within(60, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let body = modern(
            1,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}}),
        );
        let headers = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "echo"),
        ];
        let hosts = [
            "evil.com",
            "localhost.evil.com",
            "127.0.0.1.evil.com:80",
            "attacker",
        ];
        let mut forbidden = 0;
        for i in 0..1000 {
            let mut req = post(&srv.url, &headers, body.clone());
            req.headers_mut()
                .insert("host", hosts[i % hosts.len()].parse().unwrap());
            let r = send(&c, req).await;
            if r.status == StatusCode::FORBIDDEN {
                forbidden += 1;
            }
        }
        assert_eq!(forbidden, 1000);
        for origin in [
            "null",
            "http://localhost.evil.com",
            "https://evil.com",
            "http://127.0.0.1.nip.io",
        ] {
            let mut req = post(&srv.url, &headers, body.clone());
            req.headers_mut().insert("origin", origin.parse().unwrap());
            assert_eq!(
                send(&c, req).await.status,
                StatusCode::FORBIDDEN,
                "{origin}"
            );
        }
        assert_eq!(srv.counters.runs.load(Ordering::SeqCst), 0);
        // Loopback origins and no origin at all pass.
        let mut req = post(&srv.url, &headers, body.clone());
        req.headers_mut().insert(
            "origin",
            format!("http://localhost:{}", srv.addr.port())
                .parse()
                .unwrap(),
        );
        assert_eq!(send(&c, req).await.status, StatusCode::OK);
        assert_eq!(
            send(&c, post(&srv.url, &headers, body)).await.status,
            StatusCode::OK
        );
        assert_eq!(srv.counters.runs.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    within(20, async {
        let app = "https://app.example";
        let srv = TestServer::start(|b| b.cors_origins([app])).await;
        let c = http_client();
        let preflight = Request::builder()
            .method("OPTIONS")
            .uri(&srv.url)
            .header("origin", app)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, mcp-protocol-version",
            )
            .body(Body::empty())
            .unwrap();
        let r = send(&c, preflight).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(r.header("access-control-allow-origin"), app);
        assert_eq!(r.header("access-control-allow-credentials"), "true");
        let allowed = r
            .header("access-control-allow-headers")
            .to_ascii_lowercase();
        for h in [
            "authorization",
            "content-type",
            "mcp-protocol-version",
            "mcp-method",
            "mcp-name",
        ] {
            assert!(allowed.contains(h), "{h} in {allowed}");
        }

        let r = call(&c, &srv.url, 1, "echo", json!({"text": "x"})).await;
        assert!(r.headers.get("access-control-allow-origin").is_none());
        let mut req = post(&srv.url, &[], modern(2, "tools/list", json!({})));
        req.headers_mut().insert("origin", app.parse().unwrap());
        for (k, v) in [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
        ] {
            req.headers_mut().insert(k, v.parse().unwrap());
        }
        let r = send(&c, req).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("access-control-allow-origin"), app);
        let exposed = r
            .header("access-control-expose-headers")
            .to_ascii_lowercase();
        for h in [
            "mcp-session-id",
            "mcp-protocol-version",
            "last-event-id",
            "www-authenticate",
            "ratelimit-reset",
            "retry-after",
        ] {
            assert!(exposed.contains(h), "{h} in {exposed}");
        }

        // Unlisted origins get no CORS and, being foreign, 403.
        let mut req = post(&srv.url, &[], modern(3, "tools/list", json!({})));
        req.headers_mut()
            .insert("origin", "https://other.example".parse().unwrap());
        assert_eq!(send(&c, req).await.status, StatusCode::FORBIDDEN);

        // A wildcard never comes with credentials.
        let any = TestServer::start(|b| b.cors_origins(["*"])).await;
        let mut req = post(
            &any.url,
            &[],
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        );
        req.headers_mut()
            .insert("origin", "https://x.example".parse().unwrap());
        let r = send(&c, req).await;
        assert_eq!(r.header("access-control-allow-origin"), "*");
        assert!(r.headers.get("access-control-allow-credentials").is_none());
    })
    .await;
}

#[tokio::test]
async fn rate_limited_tools_answer_429_with_ietf_headers() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let r = call(&c, &srv.url, 5, "limited", json!({})).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.header("ratelimit-limit"), "100");
        assert_eq!(r.header("ratelimit-remaining"), "0");
        assert_eq!(r.header("ratelimit-reset"), "42");
        assert_eq!(r.header("retry-after"), "42");
        assert_eq!(r.json()["id"], 5);
        assert_eq!(r.error_code(), -32010);
    })
    .await;
}

#[tokio::test]
async fn instances_behind_a_round_robin_balancer_answer_alike() {
    within(20, async {
        let a = TestServer::start(|b| b).await;
        let b = TestServer::start(|b| b).await;
        let c = http_client();
        // A legacy client whose messages land on alternating instances.
        let urls = [&a.url, &b.url];
        let steps = [
            INIT,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}"#,
        ];
        let mut bodies = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let headers: &[(&str, &str)] = if i == 0 { &[] } else { &[("mcp-protocol-version", "2025-11-25")] };
            let r = send(&c, post(urls[i % 2], headers, *step)).await;
            assert!(r.status.is_success(), "step {i}: {}", r.status);
            bodies.push(r.body);
        }
        assert_eq!(bodies[2], bodies[3]);
        assert_eq!(bodies[4], bodies[5]);
    })
    .await;
}
