//! The seed's flow end to end over real HTTP on 127.0.0.1, against the
//! `multi_tenant` example itself (its source is compiled into this test): create a
//! server with the management API, list tools from the returned URL with a plain
//! POST, see a read-only server hide write tools, and get `401` after expiry or
//! deletion. Once on the in-memory store, once on Redis.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use mcp_auth::{ManualClock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::common::within;
use crate::redis_server::RedisServer;

#[allow(dead_code)]
#[path = "../../../examples/examples/multi_tenant.rs"]
mod multi_tenant;

const ADMIN_KEY: &str = "admin-key-for-tests";

struct App {
    base: String,
    clock: ManualClock,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl App {
    async fn start(redis: Option<String>, signing_key: Option<String>) -> Result<Self, String> {
        let env = multi_tenant::Env {
            signing_key,
            admin_key: Some(ADMIN_KEY.into()),
        };
        let mut argv = vec!["multi_tenant".to_owned()];
        if let Some(url) = redis {
            argv.extend(["--redis".into(), url]);
        }
        Self::start_with(argv, env).await
    }

    async fn start_with(argv: Vec<String>, env: multi_tenant::Env) -> Result<Self, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let args = multi_tenant::Args::try_parse_from(argv).unwrap();
        let clock = ManualClock::new(Timestamp::now());
        let (stop, stopped) = oneshot::channel::<()>();
        let app_clock = Arc::new(clock.clone());
        let mut task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            multi_tenant::run(args, env, app_clock, listener, shutdown)
                .await
                .map_err(|e| e.to_string())
        });
        let client = reqwest::Client::new();
        // Ready once the management API answers (bounded).
        for _ in 0..200 {
            if task.is_finished() {
                return Err(within(&mut task).await.unwrap().unwrap_err());
            }
            let probe = client.get(format!("{base}/mcp-servers/x")).send().await;
            if probe.is_ok() {
                return Ok(Self {
                    base,
                    clock,
                    client,
                    stop: Some(stop),
                    task,
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("multi_tenant did not start");
    }

    async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = within(request.send()).await.unwrap();
        let status = response.status();
        let text = within(response.text()).await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Like the seed's `httpx.post(MCP_URL, json={...})`: no auth header, no Accept.
    async fn post(&self, url: &str, body: Value) -> (StatusCode, Option<String>, Value) {
        let response = within(
            self.client
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send(),
        )
        .await
        .unwrap();
        let status = response.status();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = within(response.text()).await.unwrap();
        (
            status,
            challenge,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    async fn tool_names(&self, url: &str) -> Vec<String> {
        let (status, _, body) = self
            .post(
                url,
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn call(&self, url: &str, name: &str, arguments: Value) -> Value {
        let (status, _, body) = self
            .post(url, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn create(&self, account: &str, body: Value) -> (StatusCode, Value) {
        self.admin(
            Method::POST,
            &format!("/integrated-account/{account}/mcp"),
            Some(body),
            Some(ADMIN_KEY),
        )
        .await
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        within(&mut self.task).await.unwrap().unwrap();
    }
}

async fn seed_flow(app: &App) {
    // Create a read-only server that expires in two minutes.
    let expires = app.clock.now().saturating_add(Duration::from_secs(120));
    let (status, created) = app
        .create("acct_1", json!({"name": "HubSpot Read-Only MCP", "config": {"methods": ["read"]}, "expires_at": expires.to_string()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "HubSpot Read-Only MCP");
    assert_eq!(created["config"], json!({"methods": ["read"]}));
    assert_eq!(created["expires_at"], expires.to_string());
    let read_url = created["url"].as_str().unwrap().to_owned();
    assert!(
        read_url.starts_with(&format!("{}/mcp/mcp_", app.base)),
        "absolute URL: {read_url}"
    );
    let read_id = created["id"].as_str().unwrap().to_owned();

    // List tools from the URL with a plain POST: the write tool is hidden.
    assert_eq!(
        app.tool_names(&read_url).await,
        ["list_contacts", "search_tickets"]
    );
    let denied = app
        .call(&read_url, "create_contact", json!({"name": "Eve"}))
        .await;
    assert!(denied["error"].is_object(), "{denied}");

    // A full server for the same account writes; another account sees nothing.
    let (_, full) = app.create("acct_1", json!({"name": "full"})).await;
    let full_url = full["url"].as_str().unwrap();
    assert_eq!(full["expires_at"], Value::Null);
    assert_eq!(app.tool_names(full_url).await.len(), 3);
    let done = app
        .call(full_url, "create_contact", json!({"name": "Ada"}))
        .await;
    assert_eq!(done["result"]["content"][0]["text"], "created contact Ada");
    let listed = app.call(&read_url, "list_contacts", json!({})).await;
    assert!(
        listed["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Ada")
    );
    let (_, other) = app.create("acct_2", json!({"name": "other"})).await;
    let other_listed = app
        .call(other["url"].as_str().unwrap(), "list_contacts", json!({}))
        .await;
    assert!(
        !other_listed["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Ada")
    );

    // Tag filter: only the support tool.
    let (_, support) = app
        .create(
            "acct_1",
            json!({"name": "support", "config": {"tags": ["support"]}}),
        )
        .await;
    assert_eq!(
        app.tool_names(support["url"].as_str().unwrap()).await,
        ["search_tickets"]
    );

    // The token also works as a bearer token on /mcp.
    let token = read_url.rsplit('/').next().unwrap();
    let response = within(
        app.client
            .post(format!("{}/mcp", app.base))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
                    .to_string(),
            )
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The management API: admin key, validation.
    let (status, _) = app
        .admin(
            Method::POST,
            "/integrated-account/a/mcp",
            Some(json!({"name": "x"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .admin(
            Method::POST,
            "/integrated-account/a/mcp",
            Some(json!({"name": "x"})),
            Some("wrong-key-123"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let soon = app
        .clock
        .now()
        .saturating_add(Duration::from_secs(30))
        .to_string();
    let (status, error) = app
        .create("a", json!({"name": "x", "expires_at": soon}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error["error"],
        "expires_at must be at least 60 seconds in the future"
    );
    let (status, error) = app
        .create(
            "a",
            json!({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        (status, error["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("expires_at is in the past"))
    );

    // Extend the read-only server past its first expiry, then expire another one.
    let (_, short) = app
        .create(
            "acct_1",
            json!({"name": "short", "expires_at": expires.to_string()}),
        )
        .await;
    let later = expires
        .saturating_add(Duration::from_secs(3600))
        .to_string();
    let path = format!("/mcp-servers/{read_id}");
    let (status, patched) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"expires_at": later})),
            Some(ADMIN_KEY),
        )
        .await;
    assert_eq!(
        (status, patched["expires_at"].as_str()),
        (StatusCode::OK, Some(later.as_str()))
    );
    app.clock
        .set(expires.saturating_add(Duration::from_secs(1)));
    assert_eq!(app.tool_names(&read_url).await.len(), 2, "extended");
    let (status, challenge, _) = app
        .post(
            short["url"].as_str().unwrap(),
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "401 after expiry");
    assert_eq!(
        challenge.as_deref(),
        Some(r#"Bearer error="invalid_token""#)
    );

    // Permanent, then deleted.
    let (status, patched) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"expires_at": null})),
            Some(ADMIN_KEY),
        )
        .await;
    assert_eq!(
        (status, &patched["expires_at"]),
        (StatusCode::OK, &Value::Null)
    );
    app.clock.advance(Duration::from_secs(86_400 * 400));
    assert_eq!(app.tool_names(&read_url).await.len(), 2, "permanent");
    let (status, _) = app
        .admin(Method::PATCH, &path, Some(json!({})), Some(ADMIN_KEY))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .admin(Method::DELETE, &path, None, Some(ADMIN_KEY))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app
        .post(
            &read_url,
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "401 after deletion");
    let (status, _) = app
        .admin(Method::DELETE, &path, None, Some(ADMIN_KEY))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.admin(Method::GET, &path, None, Some(ADMIN_KEY)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_flow_on_the_memory_store() {
    let app = App::start(None, None).await.unwrap();
    seed_flow(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_flow_on_redis() {
    let server = RedisServer::start();
    let key = Some("ab".repeat(32));
    let app = App::start(Some(server.url()), key).await.unwrap();
    seed_flow(&app).await;
    app.stop().await;
}

/// Soak finding: the example's CRM kept every contact a client created, so a
/// tenant calling `create_contact` in a loop grew the process without bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_cannot_grow_the_crm_without_bound() {
    let app = App::start(None, None).await.unwrap();
    let (_, full) = app.create("acct_1", json!({"name": "full"})).await;
    let url = full["url"].as_str().unwrap();
    for i in 0..multi_tenant::MAX_CONTACTS {
        let done = app
            .call(url, "create_contact", json!({"name": format!("c{i}")}))
            .await;
        assert_eq!(done["result"]["isError"], Value::Bool(false), "{done}");
    }
    let full_list = app
        .call(url, "create_contact", json!({"name": "one more"}))
        .await;
    assert_eq!(full_list["result"]["isError"], true, "{full_list}");
    let long = "x".repeat(multi_tenant::MAX_NAME_CHARS + 1);
    let (_, other) = app.create("acct_2", json!({"name": "other"})).await;
    let too_long = app
        .call(
            other["url"].as_str().unwrap(),
            "create_contact",
            json!({"name": long}),
        )
        .await;
    assert_eq!(too_long["result"]["isError"], true, "{too_long}");
    app.stop().await;
}

#[tokio::test]
async fn redis_needs_a_signing_key_and_short_keys_are_refused() {
    let error = App::start(Some("redis://127.0.0.1:1/".into()), None)
        .await
        .err()
        .unwrap();
    assert!(error.contains("MCP_SIGNING_KEY"), "{error}");
    let error = App::start(None, Some("ab".repeat(16))).await.err().unwrap();
    assert!(error.contains("at least 32 are required"), "{error}");
}

/// Sends raw bytes and returns the status line of the answer.
async fn raw(base: &str, head: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = within(stream.read(&mut buf)).await.unwrap();
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn over_the_wire_401_comes_before_the_body_and_broken_headers_never_reach_the_layer() {
    let app = App::start(None, None).await.unwrap();
    let bad = format!("mcp_{}", "0".repeat(72));
    // A 10 MB body is announced but never sent: the answer comes anyway.
    let head = format!(
        "POST /mcp/{bad} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{{"
    );
    assert_eq!(
        raw(&app.base, head.as_bytes()).await,
        "HTTP/1.1 401 Unauthorized"
    );
    let head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n";
    assert_eq!(
        raw(&app.base, head.as_bytes()).await,
        "HTTP/1.1 401 Unauthorized"
    );
    // NUL and a bare CR in a header value: hyper refuses the request itself.
    for value in [&b"Bearer \0abc"[..], b"Bearer abc\rdef"] {
        let mut head = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ".to_vec();
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(raw(&app.base, &head).await, "HTTP/1.1 400 Bad Request");
    }
    app.stop().await;
}

/// Hole 4: the admin key is checked before the body is read or parsed. Without it,
/// a malformed body, a wrong media type or a body that never arrives all get `401`,
/// never `400`/`415`/`422` naming the body's fields.
#[tokio::test]
async fn the_management_api_checks_the_admin_key_before_the_body() {
    let app = App::start(None, None).await.unwrap();
    let path = "/integrated-account/acct_1/mcp";
    for key in [None, Some("wrong-key-123"), Some("admin-key-for-test")] {
        let (status, body) = app
            .admin(Method::POST, path, Some(json!({"nme": 1})), key)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?}: {body}");
        assert_eq!(body, json!({"error": "admin key required"}));
        let (status, body) = app
            .admin(
                Method::PATCH,
                "/mcp-servers/x",
                Some(json!({"expires": 1})),
                key,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?}: {body}");
    }
    let response = within(
        app.client
            .post(format!("{}{path}", app.base))
            .header("content-type", "text/plain")
            .body("not json")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A body announced but never sent: the answer comes without reading it.
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{{"
    );
    assert_eq!(
        raw(&app.base, head.as_bytes()).await,
        "HTTP/1.1 401 Unauthorized"
    );
    // With the key, the same malformed body is the body's problem.
    let (status, _) = app
        .admin(Method::POST, path, Some(json!({"nme": 1})), Some(ADMIN_KEY))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

/// The admin key comes from exactly one source; the command line is development only.
#[tokio::test]
async fn the_admin_key_comes_from_the_environment_or_a_file() {
    let argv = |extra: &[&str]| {
        let mut argv = vec!["multi_tenant".to_owned()];
        argv.extend(extra.iter().map(|s| (*s).to_owned()));
        argv
    };
    let error = App::start_with(argv(&[]), multi_tenant::Env::default())
        .await
        .err()
        .unwrap();
    assert!(error.contains("MCP_ADMIN_KEY"), "{error}");
    let short = multi_tenant::Env {
        admin_key: Some("short".into()),
        ..Default::default()
    };
    let error = App::start_with(argv(&[]), short).await.err().unwrap();
    assert!(error.contains("at least 8"), "{error}");
    let both = multi_tenant::Env {
        admin_key: Some(ADMIN_KEY.into()),
        ..Default::default()
    };
    let error = App::start_with(argv(&["--admin-key", ADMIN_KEY]), both)
        .await
        .err()
        .unwrap();
    assert!(error.contains("one way only"), "{error}");

    let dir = std::env::temp_dir().join(format!("mcp-admin-key-{}", std::process::id()));
    std::fs::write(&dir, format!("{ADMIN_KEY}\n")).unwrap();
    let app = App::start_with(
        argv(&["--admin-key-file", dir.to_str().unwrap()]),
        multi_tenant::Env::default(),
    )
    .await
    .unwrap();
    let (status, _) = app
        .create("acct_1", json!({"name": "from a key file"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.stop().await;
    std::fs::remove_file(&dir).unwrap();
    // Development: the key on the command line still works (with a warning).
    let app = App::start_with(
        argv(&["--admin-key", ADMIN_KEY]),
        multi_tenant::Env::default(),
    )
    .await
    .unwrap();
    let (status, _) = app.create("acct_1", json!({"name": "dev"})).await;
    assert_eq!(status, StatusCode::CREATED);
    app.stop().await;
}
