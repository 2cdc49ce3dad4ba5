//! Modern requests: the version header and `_meta` checked in the transport's order,
//! and the mirrored headers (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`).

use http::StatusCode;
use serde_json::{Value, json};

use crate::support::{HttpClient, Reply, TestServer, http_client, post, send, within};

const MODERN: &str = "2026-07-28";

/// POSTs `method` with `params` (taken as is, `_meta` included) and `headers`.
async fn raw(
    c: &HttpClient,
    url: &str,
    id: i64,
    method: &str,
    params: Value,
    headers: &[(&str, &str)],
) -> Reply {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    send(c, post(url, headers, body.to_string())).await
}

fn meta(version: Option<&str>, capabilities: bool) -> Value {
    let mut meta = json!({"io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}});
    if let Some(v) = version {
        meta["io.modelcontextprotocol/protocolVersion"] = json!(v);
    }
    if capabilities {
        meta["io.modelcontextprotocol/clientCapabilities"] = json!({});
    }
    json!({"_meta": meta})
}

#[tokio::test]
async fn version_header_and_meta_are_checked_in_the_transport_order() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let discover = |version: &'static str| {
            [
                ("mcp-protocol-version", version),
                ("mcp-method", "server/discover"),
            ]
        };
        // (params, version header, expected code); every one is HTTP 400 with the id.
        let cases = [
            (json!({}), Some(MODERN), -32602),
            (meta(None, true), Some(MODERN), -32602),
            (meta(Some(MODERN), false), Some(MODERN), -32602),
            (meta(Some("v999.0.0"), true), Some("v999.0.0"), -32022),
            (meta(Some("v999.0.0"), true), Some(MODERN), -32020),
            (meta(Some(MODERN), true), None, -32020),
        ];
        for (i, (params, version, code)) in cases.into_iter().enumerate() {
            let id = 100 + i64::try_from(i).unwrap();
            let headers: Vec<(&str, &str)> = match version {
                Some(v) => discover(v).to_vec(),
                None => vec![("mcp-method", "server/discover")],
            };
            let r = raw(
                &c,
                &srv.url,
                id,
                "server/discover",
                params.clone(),
                &headers,
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{params} {version:?}: {}",
                r.text()
            );
            assert_eq!(r.error_code(), code, "{params} {version:?}: {}", r.text());
            assert_eq!(r.json()["id"], id);
        }
        // -32022 lists what server/discover lists.
        let r = raw(
            &c,
            &srv.url,
            1,
            "server/discover",
            meta(Some("v999.0.0"), true),
            &discover("v999.0.0"),
        )
        .await;
        let data = r.json()["error"]["data"].clone();
        assert_eq!(data["requested"], "v999.0.0");
        let ok = raw(
            &c,
            &srv.url,
            2,
            "server/discover",
            meta(Some(MODERN), true),
            &discover(MODERN),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        assert_eq!(data["supported"], ok.json()["result"]["supportedVersions"]);

        // Methods the modern era removed: 404 and -32601, even when their old
        // params are missing.
        for method in [
            "initialize",
            "ping",
            "logging/setLevel",
            "resources/subscribe",
            "resources/unsubscribe",
        ] {
            let headers = [("mcp-protocol-version", MODERN), ("mcp-method", method)];
            let r = raw(
                &c,
                &srv.url,
                500,
                method,
                meta(Some(MODERN), true),
                &headers,
            )
            .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}: {}", r.text());
            assert_eq!(r.error_code(), -32601, "{method}");
            assert_eq!(r.json()["id"], 500);
        }
    })
    .await;
}

/// Runs a query in a region; both the region and the tenant are mirrored in headers.
#[derive(serde::Deserialize)]
struct Query {
    region: String,
    #[serde(default)]
    tenant: Option<i64>,
}

impl mcp_core::Tool for Query {
    const NAME: &'static str = "query";
    const DESCRIPTION: &'static str = "Runs a query in a region.";
    fn input_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "tenant": {"type": "integer", "x-mcp-header": "Tenant"}
            },
            "required": ["region"]
        })
    }
}

#[tokio::test]
async fn mcp_param_headers_must_mirror_annotated_arguments() {
    within(20, async {
        let server = mcp_core::Server::builder("p", "1")
            .tool(|q: Query, _cx: mcp_core::Context| async move {
                format!("{} {:?}", q.region, q.tenant)
            })
            .build()
            .unwrap();
        let counters = std::sync::Arc::default();
        let service = mcp_transport::http::McpService::new(server);
        let srv = TestServer::serve(service, counters).await;
        let c = http_client();
        let base = [
            ("mcp-protocol-version", MODERN),
            ("mcp-method", "tools/call"),
            ("mcp-name", "query"),
        ];
        let mut id = 0;
        let mut run = async |args: Value, extra: &[(&str, &str)]| {
            id += 1;
            let mut params = meta(Some(MODERN), true);
            params["name"] = json!("query");
            params["arguments"] = args;
            let headers: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
            raw(&c, &srv.url, id, "tools/call", params, &headers).await
        };
        // Accepted: literal, Base64, numbers compared as numbers.
        let accepted: [(Value, &[(&str, &str)]); 5] = [
            (
                json!({"region": "us-west1"}),
                &[("mcp-param-region", "us-west1")],
            ),
            (
                json!({"region": "Hello"}),
                &[("Mcp-Param-Region", "=?base64?SGVsbG8=?=")],
            ),
            (
                json!({"region": "SGVsbG8="}),
                &[("mcp-param-region", "SGVsbG8=")],
            ),
            (
                json!({"region": "=?base64?SGVsbG8="}),
                &[("mcp-param-region", "=?base64?SGVsbG8=")],
            ),
            (
                json!({"region": "eu", "tenant": 42}),
                &[("mcp-param-region", "eu"), ("mcp-param-tenant", "42.0")],
            ),
        ];
        for (args, headers) in accepted {
            let r = run(args.clone(), headers).await;
            assert_eq!(r.status, StatusCode::OK, "{args} {headers:?}: {}", r.text());
            assert!(r.json().get("result").is_some(), "{}", r.text());
        }
        // Refused with 400 and -32020: bad Base64, mismatch, missing or stray header.
        let refused: [(Value, &[(&str, &str)]); 6] = [
            (
                json!({"region": "Hello"}),
                &[("mcp-param-region", "=?base64?SGVsbG8?=")],
            ),
            (
                json!({"region": "Hello"}),
                &[("mcp-param-region", "=?base64?SGVs!!!bG8=?=")],
            ),
            (
                json!({"region": "us-west1"}),
                &[("mcp-param-region", "eu-west1")],
            ),
            (json!({"region": "test-value"}), &[]),
            (
                json!({"region": "eu", "tenant": 42}),
                &[("mcp-param-region", "eu"), ("mcp-param-tenant", "41")],
            ),
            (
                json!({"region": "eu"}),
                &[("mcp-param-region", "eu"), ("mcp-param-tenant", "7")],
            ),
        ];
        for (args, headers) in refused {
            let r = run(args.clone(), headers).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{args} {headers:?}: {}",
                r.text()
            );
            assert_eq!(r.error_code(), -32020, "{}", r.text());
        }
        // Legacy clients know nothing of these headers.
        let legacy = json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call",
                            "params": {"name": "query", "arguments": {"region": "eu"}}});
        let r = send(
            &c,
            post(
                &srv.url,
                &[("mcp-protocol-version", "2025-11-25")],
                legacy.to_string(),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // But those they send must agree with the body, and repeated lines agree.
        for headers in [
            &[("mcp-param-region", "us")][..],
            &[("mcp-param-region", "eu"), ("mcp-param-region", "us")],
        ] {
            let mut all = vec![("mcp-protocol-version", "2025-11-25")];
            all.extend_from_slice(headers);
            let r = send(&c, post(&srv.url, &all, legacy.to_string())).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{headers:?}: {}",
                r.text()
            );
            assert_eq!(r.error_code(), -32020);
        }
    })
    .await;
}
