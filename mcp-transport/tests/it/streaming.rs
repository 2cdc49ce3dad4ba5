//! SSE responses: progress, keep-alives, cancellation on close, a proxy that cuts
//! idle connections, and many concurrent requests with colliding ids.

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt;
use http::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{TestServer, call, http_client, modern, post, send, within};

/// The `data:` payloads of an SSE body, and how many comment lines it had.
fn events(body: &str) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut comments = 0;
    for line in body.lines() {
        if let Some(data) = line.strip_prefix("data: ") {
            out.push(serde_json::from_str(data).unwrap());
        } else if line.starts_with(':') {
            comments += 1;
        }
    }
    (out, comments)
}

#[tokio::test]
async fn progress_streams_notifications_then_the_response() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let c = http_client();
        let mut params = json!({"name": "progress", "arguments": {"steps": 3}});
        params["_meta"] = json!({
            "progressToken": "p1",
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        });
        let body =
            json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":params}).to_string();
        let headers = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "progress"),
        ];
        let r = send(&c, post(&srv.url, &headers, body)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/event-stream");
        assert_eq!(r.header("cache-control"), "no-cache");
        assert_eq!(r.header("x-accel-buffering"), "no");
        let (events, _) = events(&r.text());
        assert_eq!(events.len(), 4, "{}", r.text());
        for (i, e) in events[..3].iter().enumerate() {
            assert_eq!(e["method"], "notifications/progress");
            assert_eq!(e["params"]["progressToken"], "p1");
            assert_eq!(e["params"]["progress"], (i + 1) as f64);
        }
        assert_eq!(events[3]["id"], 9);
        assert_eq!(events[3]["result"]["content"][0]["text"], "done");
        // Modern streams are not resumable: no event ids.
        assert!(
            r.text().lines().all(|l| !l.starts_with("id:")),
            "{}",
            r.text()
        );

        // Without a progressToken the same tool answers with plain JSON.
        let r = call(&c, &srv.url, 10, "progress", json!({"steps": 3})).await;
        assert_eq!(r.header("content-type"), "application/json");
    })
    .await;
}

#[tokio::test]
async fn long_calls_get_keep_alive_comments() {
    within(20, async {
        let srv = TestServer::start(|b| b.keep_alive(Duration::from_millis(50))).await;
        let r = call(&http_client(), &srv.url, 1, "slow", json!({"ms": 400})).await;
        assert_eq!(r.header("content-type"), "text/event-stream");
        let (events, comments) = events(&r.text());
        assert!(comments >= 2, "{}", r.text());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["result"]["content"][0]["text"], "slept 400 ms");
    })
    .await;
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test]
async fn closing_the_stream_cancels_the_tool() {
    within(20, async {
        let srv = TestServer::start(|b| b.keep_alive(Duration::from_millis(50))).await;
        let body = modern(
            1,
            "tools/call",
            json!({"name": "slow", "arguments": {"ms": 60000}}),
        );
        let request = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n\
             Mcp-Method: tools/call\r\nMcp-Name: slow\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("text/event-stream"));
        wait_for("the tool started", || {
            srv.counters.started.load(Ordering::SeqCst) == 1
        })
        .await;
        drop(s);
        wait_for("the tool was cancelled", || {
            srv.counters.cancelled.load(Ordering::SeqCst) == 1
        })
        .await;
        assert_eq!(srv.counters.finished.load(Ordering::SeqCst), 0);
    })
    .await;
}

#[tokio::test]
async fn a_client_leaving_before_any_byte_also_cancels_the_tool() {
    within(20, async {
        let srv = TestServer::start(|b| b.keep_alive(Duration::from_secs(60))).await;
        let body = modern(
            1,
            "tools/call",
            json!({"name": "slow", "arguments": {"ms": 60000}}),
        );
        let request = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: slow\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        wait_for("the tool started", || {
            srv.counters.started.load(Ordering::SeqCst) == 1
        })
        .await;
        drop(s);
        wait_for("the tool was cancelled", || {
            srv.counters.cancelled.load(Ordering::SeqCst) == 1
        })
        .await;
    })
    .await;
}

#[tokio::test]
async fn ten_thousand_requests_with_colliding_ids_each_get_their_own_answer() {
    within(120, async {
        let srv = TestServer::start(|b| b).await;
        let run = |who: &'static str| {
            let url = srv.url.clone();
            async move {
                let c = http_client();
                futures::stream::iter(1..=5000i64)
                    .map(|id| {
                        let (c, url) = (c.clone(), url.clone());
                        async move {
                            let text = format!("{who}-{id}");
                            let r = call(&c, &url, id, "echo", json!({"text": text})).await;
                            let v = r.json();
                            (v["id"] == id && v["result"]["content"][0]["text"] == text) as usize
                        }
                    })
                    .buffer_unordered(16)
                    .fold(0, |n, ok| async move { n + ok })
                    .await
            }
        };
        let (a, b) = tokio::join!(run("a"), run("b"));
        assert_eq!((a, b), (5000, 5000));
    })
    .await;
}

/// A reverse proxy that closes a connection after `idle` without a byte either way.
async fn idle_cutting_proxy(
    upstream: std::net::SocketAddr,
    idle: Duration,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut a, mut b) = ([0u8; 8192], [0u8; 8192]);
                loop {
                    tokio::select! {
                        n = client.read(&mut a) => match n {
                            Ok(n) if n > 0 => if server.write_all(&a[..n]).await.is_err() { break },
                            _ => break,
                        },
                        n = server.read(&mut b) => match n {
                            Ok(n) if n > 0 => if client.write_all(&b[..n]).await.is_err() { break },
                            _ => break,
                        },
                        () = tokio::time::sleep(idle) => break,
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn keep_alives_carry_a_five_second_call_through_a_proxy_that_cuts_idle_at_two() {
    within(30, async {
        let idle = Duration::from_secs(2);
        let kept = TestServer::start(|b| b.keep_alive(Duration::from_millis(500))).await;
        let quiet = TestServer::start(|b| b.keep_alive(Duration::from_secs(60))).await;
        let kept_proxy = idle_cutting_proxy(kept.addr, idle).await;
        let quiet_proxy = idle_cutting_proxy(quiet.addr, idle).await;

        let through = async {
            let client = mcp_transport::client::Client::builder()
                .http(&format!("http://{kept_proxy}/mcp"))
                .await
                .unwrap();
            client.call_tool("slow", json!({"ms": 5000})).await
        };
        // Control: the same call without keep-alives is cut by the proxy.
        let cut = async {
            let c = http_client();
            let url = format!("http://{quiet_proxy}/mcp");
            let headers = [
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "slow"),
            ];
            let body = modern(
                1,
                "tools/call",
                json!({"name": "slow", "arguments": {"ms": 5000}}),
            );
            c.request(post(&url, &headers, body)).await
        };
        let (through, cut) = tokio::join!(through, cut);
        assert_eq!(through.unwrap().text(), "slept 5000 ms");
        assert!(cut.is_err(), "the proxy should have cut the quiet call");
    })
    .await;
}

#[tokio::test]
async fn listen_streams_change_notifications_until_the_client_leaves() {
    within(20, async {
        let counters = std::sync::Arc::new(crate::support::Counters::default());
        let server = crate::support::test_server(std::sync::Arc::clone(&counters));
        let service = mcp_transport::http::McpService::builder(server.clone())
            .keep_alive(Duration::from_millis(100))
            .request_timeout(Duration::from_millis(200))
            .build();
        let srv = TestServer::serve(service, counters).await;
        let body = modern(
            1,
            "subscriptions/listen",
            json!({"notifications": {"toolsListChanged": true}}),
        );
        let request = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n\
             Mcp-Method: subscriptions/listen\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        while !seen.contains("subscriptions/acknowledged") {
            let n = s.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed early: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        assert!(seen.contains("text/event-stream"), "{seen}");
        // Past the request timeout the stream is still open and still delivers.
        tokio::time::sleep(Duration::from_millis(400)).await;
        server.notify_list_changed(mcp_core::ListKind::Tools);
        while !seen.contains("notifications/tools/list_changed") {
            let n = s.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed early: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
    .await;
}
