//! Legacy (`2025-11-25`) clients: logs on the call's SSE stream, and requests to the
//! client (elicitation) whose replies come back as POSTs of their own.

use http::StatusCode;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{Value, json};

use crate::support::{HttpClient, TestServer, http_client, post, send, within};

const V: (&str, &str) = ("mcp-protocol-version", "2025-11-25");

fn call(id: i64, tool: &str, args: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": tool, "arguments": args}})
    .to_string()
}

/// Reads an SSE body event by event.
struct Events {
    body: Incoming,
    buf: String,
}

impl Events {
    async fn open(c: &HttpClient, url: &str, body: String) -> Self {
        let response = c.request(post(url, &[V], body)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            body: response.into_body(),
            buf: String::new(),
        }
    }

    /// The next `data:` payload that is JSON; `None` at the end of the stream.
    async fn next(&mut self) -> Option<Value> {
        loop {
            while let Some(end) = self.buf.find('\n') {
                let line: String = self.buf.drain(..=end).collect();
                let data = line.trim_end().strip_prefix("data:");
                if let Some(Ok(v)) = data.map(|d| serde_json::from_str(d.trim())) {
                    return Some(v);
                }
            }
            let frame = self.body.frame().await?.unwrap();
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }
}

#[tokio::test]
async fn legacy_calls_stream_their_logs_then_the_result() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let r = send(
            &c,
            post(&srv.url, &[V], call(1, "chatty", json!({"lines": 3}))),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/event-stream");
        let events: Vec<Value> = r
            .text()
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str(d).ok())
            .collect();
        assert_eq!(events.len(), 4, "{}", r.text());
        for (i, e) in events[..3].iter().enumerate() {
            assert_eq!(e["method"], "notifications/message");
            assert_eq!(e["params"]["level"], "info");
            assert_eq!(e["params"]["data"], format!("line {}", i + 1));
        }
        assert_eq!(events[3]["result"]["content"][0]["text"], "logged 3");
        // The stream opens with a priming event: an id, the reconnection delay, no data.
        let text = r.text();
        let mut lines = text.lines();
        let first = lines.next().unwrap();
        assert!(
            first.starts_with(&format!("id: {}.", srv.reply_id_prefix)),
            "{text}"
        );
        assert_eq!(lines.next(), Some("retry: 1000"));
        assert_eq!(lines.next(), Some("data: "));
        assert_eq!(lines.next(), Some(""));

        // A client that takes only JSON gets the result alone.
        let only_json = http::Request::post(&srv.url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header(V.0, V.1)
            .body(mcp_transport::http::Body::from(call(
                2,
                "chatty",
                json!({"lines": 3}),
            )))
            .unwrap();
        let r = send(&c, only_json).await;
        assert_eq!(r.header("content-type"), "application/json");
        assert_eq!(r.json()["result"]["content"][0]["text"], "logged 3");
    })
    .await;
}

#[tokio::test]
async fn a_request_to_the_client_goes_out_on_the_stream_and_its_reply_comes_back_by_post() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let mut events = Events::open(&c, &srv.url, call(1, "ask", json!({}))).await;
        let asked = events.next().await.unwrap();
        assert_eq!(asked["method"], "elicitation/create");
        assert_eq!(asked["params"]["message"], "Name?");
        let id = asked["id"].clone();
        let prefix = id.as_str().unwrap();
        assert!(prefix.starts_with(srv.reply_id_prefix.as_str()), "{id}");

        let reply = json!({"jsonrpc": "2.0", "id": id,
                           "result": {"action": "accept", "content": {"name": "Ann"}}});
        let r = send(&c, post(&srv.url, &[V], reply.to_string())).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        assert!(r.body.is_empty());

        let done = events.next().await.unwrap();
        assert_eq!(done["id"], 1);
        assert_eq!(done["result"]["content"][0]["text"], "hello Ann");
        assert!(events.next().await.is_none());

        // The same reply again, or one nobody asked for: nothing waits for it.
        let r = send(&c, post(&srv.url, &[V], reply.to_string())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), -32600);
        assert!(r.json().get("id").is_none() || r.json()["id"].is_null());
        let stray = json!({"jsonrpc": "2.0", "id": "srv-0000000000000000-9", "result": {}});
        let r = send(&c, post(&srv.url, &[V], stray.to_string())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn a_client_error_reply_reaches_the_call() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let mut events = Events::open(&c, &srv.url, call(5, "ask", json!({}))).await;
        let asked = events.next().await.unwrap();
        let reply = json!({"jsonrpc": "2.0", "id": asked["id"],
                           "error": {"code": -32600, "message": "user declined"}});
        let r = send(&c, post(&srv.url, &[V], reply.to_string())).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        let done = events.next().await.unwrap();
        assert_eq!(done["id"], 5);
        assert_eq!(done["result"]["isError"], true, "{done}");
    })
    .await;
}
