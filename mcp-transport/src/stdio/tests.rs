//! The stdio transport over in-memory pipes: malformed input, concurrency,
//! cancellation, shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_core::{Context, JsonSchema, Server, Tool};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::task::JoinHandle;

use super::{ServeConfig, serve_with};

/// Echo text back.
#[derive(Deserialize, JsonSchema, Tool)]
struct Echo {
    text: String,
}

/// Sleep, then answer with the given tag.
#[derive(Deserialize, JsonSchema, Tool)]
struct Sleepy {
    ms: u64,
    tag: String,
}

/// Asks the client for a name.
#[derive(Deserialize, JsonSchema, Tool)]
struct Ask {}

#[derive(Default)]
struct Counters {
    started: AtomicUsize,
    dropped_unfinished: AtomicUsize,
}

struct DropGuard(Arc<Counters>, bool);
impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.1 {
            self.0.dropped_unfinished.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn server(counters: Arc<Counters>) -> Server {
    Server::builder("stdio-test", "1")
        .state(counters)
        .tool(|a: Echo, _cx: Context<Arc<Counters>>| async move { a.text })
        .tool(|a: Sleepy, cx: Context<Arc<Counters>>| async move {
            let counters = cx.state_arc();
            counters.started.fetch_add(1, Ordering::SeqCst);
            let mut guard = DropGuard(Arc::clone(&counters), false);
            tokio::time::sleep(Duration::from_millis(a.ms)).await;
            guard.1 = true;
            a.tag
        })
        .tool(|_: Ask, cx: Context<Arc<Counters>>| async move {
            match cx.input::<Value>("who") {
                Some(v) => Ok(format!(
                    "hello {}",
                    v["content"]["name"].as_str().unwrap_or("?")
                )),
                None => Err(mcp_core::ToolError::from(
                    mcp_core::InputRequired::new().elicit(
                        "who",
                        "Name?",
                        json!({"type": "object", "properties": {"name": {"type": "string"}}}),
                    ),
                )),
            }
        })
        .build()
        .unwrap()
}

struct Harness {
    input: DuplexStream,
    output: Lines<BufReader<DuplexStream>>,
    task: JoinHandle<std::io::Result<()>>,
    counters: Arc<Counters>,
}

fn start(config: ServeConfig) -> Harness {
    let counters = Arc::new(Counters::default());
    let (input, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, output) = tokio::io::duplex(1 << 20);
    let task = tokio::spawn(serve_with(
        server(Arc::clone(&counters)),
        server_in,
        server_out,
        config,
    ));
    Harness {
        input,
        output: BufReader::new(output).lines(),
        task,
        counters,
    }
}

impl Harness {
    async fn send(&mut self, bytes: &[u8]) {
        self.input.write_all(bytes).await.unwrap();
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(10), self.output.next_line())
            .await
            .expect("a response within 10 s")
            .unwrap()
            .expect("the server is still writing");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }
}

fn call(id: i64, name: &str, args: Value) -> Vec<u8> {
    let mut v = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": args}})).unwrap();
    v.push(b'\n');
    v
}

/// (input line without newline, expected error code or None for no response,
/// expected id in the error response).
fn malformed_cases() -> Vec<(String, Vec<u8>, Option<i64>, Value)> {
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}1{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let mut invalid_utf8 = br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"s":""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe]);
    invalid_utf8.extend_from_slice(br#""}}"#);
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    let s = |name: &str, line: &str, code: Option<i64>, id: Value| {
        (name.to_owned(), line.as_bytes().to_vec(), code, id)
    };
    vec![
        s(
            "truncated",
            r#"{"jsonrpc":"2.0","id":1,"method":"#,
            Some(-32700),
            Value::Null,
        ),
        s(
            "NaN",
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":NaN}}"#,
            Some(-32700),
            Value::Null,
        ),
        ("BOM".into(), bom, Some(-32700), Value::Null),
        s("two objects", r#"{}{}"#, Some(-32700), Value::Null),
        s(
            "trailing garbage",
            r#"{"jsonrpc":"2.0","id":3,"method":"ping"} x"#,
            Some(-32700),
            Value::Null,
        ),
        s(
            "batch",
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            Some(-32600),
            Value::Null,
        ),
        s("empty batch", "[]", Some(-32600), Value::Null),
        s(
            "jsonrpc 1.0",
            r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
            Some(-32600),
            json!(7),
        ),
        s(
            "jsonrpc number",
            r#"{"jsonrpc":2.0,"id":7,"method":"ping"}"#,
            Some(-32600),
            json!(7),
        ),
        s(
            "no jsonrpc",
            r#"{"id":"a","method":"ping"}"#,
            Some(-32600),
            json!("a"),
        ),
        s(
            "id null",
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "id fraction",
            r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "id object",
            r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "id array",
            r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "id bool",
            r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "id too big",
            r#"{"jsonrpc":"2.0","id":1e30,"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "duplicate id",
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#,
            Some(-32600),
            Value::Null,
        ),
        s(
            "duplicate method",
            r#"{"jsonrpc":"2.0","id":4,"method":"ping","method":"tools/list"}"#,
            Some(-32600),
            json!(4),
        ),
        (
            "nesting 200 deep".into(),
            deep.into_bytes(),
            Some(-32700),
            Value::Null,
        ),
        (
            "invalid UTF-8".into(),
            invalid_utf8,
            Some(-32700),
            Value::Null,
        ),
        s(
            "missing method",
            r#"{"jsonrpc":"2.0","id":5}"#,
            Some(-32600),
            json!(5),
        ),
        s(
            "method number",
            r#"{"jsonrpc":"2.0","id":5,"method":5}"#,
            Some(-32600),
            json!(5),
        ),
        s(
            "params array",
            r#"{"jsonrpc":"2.0","id":6,"method":"ping","params":[1]}"#,
            Some(-32600),
            json!(6),
        ),
        s(
            "params string",
            r#"{"jsonrpc":"2.0","id":6,"method":"ping","params":"x"}"#,
            Some(-32600),
            json!(6),
        ),
        s("bare string", r#""hello""#, Some(-32600), Value::Null),
        s("bare number", "42", Some(-32600), Value::Null),
        s("bare null", "null", Some(-32600), Value::Null),
        s("empty object", "{}", Some(-32600), Value::Null),
        s(
            "method and result",
            r#"{"jsonrpc":"2.0","id":8,"method":"ping","result":{}}"#,
            Some(-32600),
            json!(8),
        ),
        s(
            "unknown method",
            r#"{"jsonrpc":"2.0","id":9,"method":"nope/nope"}"#,
            Some(-32601),
            json!(9),
        ),
        s(
            "call without name",
            r#"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{}}"#,
            Some(-32602),
            json!(10),
        ),
        s(
            "unknown tool",
            r#"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"x"}}"#,
            Some(-32602),
            json!(11),
        ),
        s(
            "unknown notification",
            r#"{"jsonrpc":"2.0","method":"notifications/whatever"}"#,
            None,
            Value::Null,
        ),
        s(
            "stray response",
            r#"{"jsonrpc":"2.0","id":99,"result":{}}"#,
            None,
            Value::Null,
        ),
        s("whitespace only", "   \t ", None, Value::Null),
    ]
}

#[tokio::test]
async fn malformed_input_gets_the_specified_error_and_serving_continues() {
    let mut h = start(ServeConfig::default());
    let cases = malformed_cases();
    assert!(cases.len() >= 25);
    for (i, (name, line, code, id)) in cases.into_iter().enumerate() {
        h.send(&line).await;
        h.send(b"\n").await;
        let ok_id = 1000 + i as i64;
        h.send(&call(ok_id, "echo", json!({"text": name}))).await;
        if let Some(code) = code {
            let err = h.next().await;
            assert_eq!(err["error"]["code"], code, "{name}: {err}");
            assert_eq!(err["id"], id, "{name}: {err}");
        }
        let ok = h.next().await;
        assert_eq!(
            ok["id"], ok_id,
            "{name}: the next valid request is answered ({ok})"
        );
        assert_eq!(ok["result"]["content"][0]["text"], name.as_str());
    }
}

#[tokio::test]
async fn oversized_lines_are_rejected_and_reading_goes_on() {
    let mut h = start(ServeConfig::default().max_line_bytes(1024));
    let big = call(1, "echo", json!({"text": "x".repeat(5000)}));
    h.send(&big).await;
    let err = h.next().await;
    assert_eq!(err["error"]["code"], -32600);
    assert!(err["error"]["message"].as_str().unwrap().contains("1024"));
    h.send(&call(2, "echo", json!({"text": "small"}))).await;
    assert_eq!(h.next().await["id"], 2);
}

#[tokio::test]
async fn byte_by_byte_writes_and_crlf_are_read_whole() {
    let mut h = start(ServeConfig::default());
    let mut msg = call(1, "echo", json!({"text": "dripped"}));
    msg.pop();
    msg.extend_from_slice(b"\r\n");
    for b in msg {
        h.send(&[b]).await;
        tokio::task::yield_now().await;
    }
    let r = h.next().await;
    assert_eq!(r["result"]["content"][0]["text"], "dripped");
}

#[tokio::test]
async fn ten_thousand_concurrent_calls_are_each_answered_once() {
    let mut h = start(ServeConfig::default());
    let n = 10_000i64;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut batch = Vec::new();
    for id in 0..n {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let ms = (seed >> 33) % 6;
        batch.extend_from_slice(&call(
            id,
            "sleepy",
            json!({"ms": ms, "tag": format!("t{id}")}),
        ));
    }
    let Harness {
        mut input,
        mut output,
        task,
        ..
    } = h;
    let writer = tokio::spawn(async move {
        input.write_all(&batch).await.unwrap();
        input
    });
    let mut seen = vec![false; n as usize];
    for _ in 0..n {
        let line = tokio::time::timeout(Duration::from_secs(60), output.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        let id = v["id"].as_i64().unwrap();
        assert!(!seen[id as usize], "id {id} answered twice");
        seen[id as usize] = true;
        assert_eq!(v["result"]["content"][0]["text"], format!("t{id}"));
    }
    assert!(seen.iter().all(|s| *s));
    h = Harness {
        input: writer.await.unwrap(),
        output,
        task,
        counters: Arc::default(),
    };
    drop(h.input);
    let extra = tokio::time::timeout(Duration::from_secs(5), h.output.next_line())
        .await
        .unwrap()
        .unwrap();
    assert!(extra.is_none(), "nothing after the last answer: {extra:?}");
    h.task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_slow_call_does_not_block_a_fast_one() {
    let mut h = start(ServeConfig::default());
    h.send(&call(1, "sleepy", json!({"ms": 2000, "tag": "slow"})))
        .await;
    h.send(&call(2, "echo", json!({"text": "fast"}))).await;
    assert_eq!(h.next().await["id"], 2);
    assert_eq!(h.next().await["id"], 1);
}

#[tokio::test]
async fn cancelled_calls_stop_and_get_no_response() {
    let mut h = start(ServeConfig::default());
    h.send(&call(5, "sleepy", json!({"ms": 30_000, "tag": "never"})))
        .await;
    for _ in 0..100 {
        if h.counters.started.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.send(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5,"reason":"user"}}"#).await;
    h.send(b"\n").await;
    h.send(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":12345}}"#)
        .await;
    h.send(b"\n{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\"}\n")
        .await;
    h.send(&call(6, "echo", json!({"text": "after"}))).await;
    let r = h.next().await;
    assert_eq!(r["id"], 6, "the cancelled call sends nothing: {r}");
    for _ in 0..100 {
        if h.counters.dropped_unfinished.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        h.counters.dropped_unfinished.load(Ordering::SeqCst),
        1,
        "the tool's future was dropped"
    );
}

#[tokio::test]
async fn end_of_input_finishes_in_flight_calls_then_stops() {
    let mut h = start(ServeConfig::default());
    h.send(&call(1, "sleepy", json!({"ms": 100, "tag": "finished"})))
        .await;
    drop(h.input);
    let r = tokio::time::timeout(Duration::from_secs(5), h.output.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(r.contains("finished"));
    tokio::time::timeout(Duration::from_secs(1), h.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn end_of_input_stops_within_a_second_even_with_stuck_calls() {
    let mut h = start(ServeConfig::default());
    h.send(&call(1, "sleepy", json!({"ms": 60_000, "tag": "stuck"})))
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(h.input);
    tokio::time::timeout(Duration::from_secs(1), h.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(h.output.next_line().await.unwrap().is_none());
}

#[tokio::test]
async fn large_concurrent_responses_never_interleave() {
    let mut h = start(ServeConfig::default());
    let text = "y".repeat(100_000);
    for id in 0..50 {
        h.send(&call(id, "echo", json!({"text": text}))).await;
    }
    for _ in 0..50 {
        let v = h.next().await;
        assert_eq!(
            v["result"]["content"][0]["text"].as_str().unwrap().len(),
            100_000
        );
    }
}

#[tokio::test]
async fn server_requests_to_a_legacy_client_round_trip() {
    let mut h = start(ServeConfig::default());
    h.send(&call(1, "ask", json!({}))).await;
    let asked = h.next().await;
    assert_eq!(asked["method"], "elicitation/create");
    assert_eq!(asked["params"]["message"], "Name?");
    let id = asked["id"].clone();
    let mut reply = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "result": {"action": "accept", "content": {"name": "Ann"}}})).unwrap();
    reply.push(b'\n');
    h.send(&reply).await;
    let done = h.next().await;
    assert_eq!(done["id"], 1);
    assert_eq!(done["result"]["content"][0]["text"], "hello Ann");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finished_requests_leave_no_entry_in_the_cancel_map() {
    let (out, mut stream) = mcp_core::transport::Notifier::channel(64);
    let conn = Arc::new(super::Connection::new(
        server(Arc::default()),
        out,
        &ServeConfig::default(),
    ));
    let answers = tokio::spawn(async move {
        let mut n = 0;
        while stream.recv().await.is_some() {
            n += 1;
        }
        n
    });
    let mut tasks = tokio::task::JoinSet::new();
    let n = 5_000;
    for id in 0..n {
        let line = call(id, "echo", json!({"text": "x"}));
        super::dispatch(&conn, super::trim_line(&line), &mut tasks).await;
        if id % 64 == 0 {
            // Let the workers finish some while more arrive.
            tokio::task::yield_now().await;
        }
    }
    // A slow one is registered while it runs, and cancellable.
    super::dispatch(
        &conn,
        super::trim_line(&call(n, "sleepy", json!({"ms": 60_000, "tag": "slow"}))),
        &mut tasks,
    )
    .await;
    assert!(
        conn.running
            .lock()
            .unwrap()
            .contains_key(&mcp_core::jsonrpc::RequestId::Number(n))
    );
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                        "params": {"requestId": n}})
    .to_string();
    super::dispatch(&conn, cancel.as_bytes(), &mut tasks).await;
    tokio::time::timeout(Duration::from_secs(30), async {
        while tasks.join_next().await.is_some() {}
    })
    .await
    .unwrap();
    assert_eq!(conn.running.lock().unwrap().len(), 0, "stale entries");
    drop(conn);
    assert_eq!(answers.await.unwrap(), n);
}
