//! Limits on what a client may send: body size, slow bodies, slow heads, header size,
//! connection cap, and graceful shutdown.

use std::time::Duration;

use http::StatusCode;
use mcp_transport::http::ServeConfig;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{TestServer, call, http_client, read_head, read_to_close, within};

const HEAD: &str = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";

#[tokio::test]
async fn bodies_over_the_cap_get_413_declared_or_streamed() {
    within(30, async {
        let srv = TestServer::start(|b| b).await;
        let five_mib = 5 * 1024 * 1024;

        // Declared: answered before the body is read.
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        let head = format!("{HEAD}Content-Length: {five_mib}\r\n\r\n");
        s.write_all(head.as_bytes()).await.unwrap();
        let (mut r, mut w) = s.into_split();
        let writer = tokio::spawn(async move {
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..80 {
                if w.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        });
        let mut buf = vec![0u8; 1024];
        let n = r.read(&mut buf).await.unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        writer.abort();

        // Chunked, no length: cut once past the cap.
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        let head = format!("{HEAD}Transfer-Encoding: chunked\r\n\r\n");
        s.write_all(head.as_bytes()).await.unwrap();
        let (mut r, mut w) = s.into_split();
        let writer = tokio::spawn(async move {
            let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
            chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
            chunk.extend_from_slice(b"\r\n");
            for _ in 0..80 {
                if w.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        });
        let n = r.read(&mut buf).await.unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        writer.abort();
    })
    .await;
}

#[tokio::test]
async fn a_dripped_body_is_cut_at_the_deadline() {
    within(20, async {
        let srv = TestServer::start(|b| b.body_timeout(Duration::from_millis(500))).await;
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(format!("{HEAD}Content-Length: 100\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let (mut r, mut w) = s.into_split();
        let dripper = tokio::spawn(async move {
            for _ in 0..100 {
                if w.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let mut text = String::new();
        let mut buf = [0u8; 1024];
        loop {
            match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(
            text.to_ascii_lowercase().contains("connection: close"),
            "{text}"
        );
        dripper.abort();
    })
    .await;
}

#[tokio::test]
async fn half_sent_headers_are_closed_at_the_header_timeout() {
    within(20, async {
        let srv = TestServer::with_config(
            ServeConfig::default()
                .header_read_timeout(Duration::from_millis(300))
                .idle_timeout(Duration::from_millis(300)),
        )
        .await;
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
            .await
            .unwrap();
        // The server closes the connection (hyper may first answer 408).
        let text = String::from_utf8_lossy(&read_to_close(&mut s).await).into_owned();
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );

        // So it does when nothing at all arrives, or only what could begin an HTTP/2
        // preface (before hyper's own timer starts).
        for sent in [&b""[..], b"P", b"PRI * HTTP/2.0\r\n"] {
            let mut s = TcpStream::connect(srv.addr).await.unwrap();
            s.write_all(sent).await.unwrap();
            assert_eq!(
                String::from_utf8_lossy(&read_to_close(&mut s).await),
                "",
                "{sent:?}"
            );
        }

        // And an idle keep-alive connection after a request.
        let body = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        let request = format!("{HEAD}Content-Length: {}\r\n\r\n{body}", body.len());
        s.write_all(request.as_bytes()).await.unwrap();
        assert!(String::from_utf8_lossy(&read_to_close(&mut s).await).starts_with("HTTP/1.1 202"));
    })
    .await;
}

#[tokio::test]
async fn oversized_heads_get_431() {
    within(20, async {
        let srv = TestServer::start(|b| b).await;
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        let big = "a".repeat(100 * 1024);
        let head = format!("{HEAD}X-Big: {big}\r\nContent-Length: 2\r\n\r\n{{}}");
        let _ = s.write_all(head.as_bytes()).await;
        let text = read_head(&mut s).await;
        assert!(text.starts_with("HTTP/1.1 431"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot() {
    within(20, async {
        let srv = TestServer::with_config(ServeConfig::default().max_connections(1)).await;
        let body = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let request = format!("{HEAD}Content-Length: {}\r\n\r\n{body}", body.len());
        let mut first = TcpStream::connect(srv.addr).await.unwrap();
        first.write_all(request.as_bytes()).await.unwrap();
        assert!(read_head(&mut first).await.starts_with("HTTP/1.1 202"));

        // The second connection is not served while the first stays open...
        let mut second = TcpStream::connect(srv.addr).await.unwrap();
        second.write_all(request.as_bytes()).await.unwrap();
        let mut buf = [0u8; 64];
        let early = tokio::time::timeout(Duration::from_millis(300), second.read(&mut buf)).await;
        assert!(early.is_err(), "served over the cap");
        // ...and is once it closes.
        drop(first);
        assert!(read_head(&mut second).await.starts_with("HTTP/1.1 202"));
    })
    .await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_calls() {
    within(20, async {
        let srv = TestServer::start(|b| b.keep_alive(Duration::from_secs(30))).await;
        let url = srv.url.clone();
        let addr = srv.addr;
        let counters = std::sync::Arc::clone(&srv.counters);
        let in_flight =
            tokio::spawn(
                async move { call(&http_client(), &url, 1, "slow", json!({"ms": 500})).await },
            );
        while counters.started.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        srv.stop().await.unwrap();
        let reply = in_flight.await.unwrap();
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["result"]["content"][0]["text"], "slept 500 ms");
        assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
    })
    .await;
}
