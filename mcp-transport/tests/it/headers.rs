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
