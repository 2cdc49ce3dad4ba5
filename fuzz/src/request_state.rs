//! `request_state`: the `requestState` of a retried modern request, through
//! [`Server`].

use std::sync::Mutex;

use mcp_core::transport::Envelope;
use mcp_core::{Context, InputRequired, Server, Tool, ToolError};
use serde_json::{Value, json};

use crate::rt::{block_on, modern_meta};

/// The state the tool last received.
static RECEIVED: Mutex<Option<Value>> = Mutex::new(None);

/// Asks for input with a state, and records the state it gets back.
#[derive(serde::Deserialize)]
struct Book {}

impl Tool for Book {
    const NAME: &'static str = "book";
    const DESCRIPTION: &'static str = "Books a table.";
    fn input_schema() -> Value {
        json!({"type": "object", "properties": {"party": {"type": "integer"}}})
    }
}

async fn book(_: Book, cx: Context) -> Result<&'static str, ToolError> {
    match cx.request_state::<Value>() {
        Some(state) => {
            if let Ok(mut r) = RECEIVED.lock() {
                *r = Some(state);
            }
            Ok("booked")
        }
        None => Err(InputRequired::new()
            .elicit("party", "How many?", json!({"type": "object"}))
            .with_state(json!({"step": 1}))
            .into()),
    }
}

struct Fixture {
    server: Server,
    /// A state the server issued for the call [`call`] makes.
    issued: String,
}

thread_local! {
    static FIXTURE: Fixture = {
        let server = match Server::builder("fuzz", "1")
            .request_state_key(*b"mcp-fuzz request-state key, 32 b")
            .tool(book)
            .build()
        {
            Ok(server) => server,
            Err(e) => panic!("{e}"),
        };
        let first = call(&server, None);
        let Some(issued) = first["result"]["requestState"].as_str().map(str::to_owned) else {
            panic!("no requestState in {first}");
        };
        let retried = call(&server, Some(&issued));
        assert_eq!(retried["result"]["content"][0]["text"], "booked", "{retried}");
        assert_eq!(take(), Some(json!({"step": 1})));
        Fixture { server, issued }
    };
}

/// A modern `tools/call` of `book`, retried with `state` when given: the response.
fn call(server: &Server, state: Option<&str>) -> Value {
    let mut params = json!({
        "name": "book",
        "arguments": {"party": 2},
        "_meta": modern_meta(json!({"elicitation": {}})),
    });
    if let Some(state) = state {
        params["requestState"] = json!(state);
        params["inputResponses"] = json!({"party": {"action": "accept", "content": {"size": 2}}});
    }
    let bytes = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params});
    let bytes = bytes.to_string();
    let Some(response) = block_on(server.handle_message(bytes.as_bytes(), Envelope::new())) else {
        panic!("no answer");
    };
    match serde_json::from_slice(&response.encode()) {
        Ok(v) => v,
        Err(e) => panic!("an answer that is not JSON: {e}"),
    }
}

/// The state the tool received since the last call, if any.
fn take() -> Option<Value> {
    RECEIVED.lock().ok().and_then(|mut r| r.take())
}

/// Retries the call with `data` (as text) as its `requestState`, then with the
/// issued state edited by `data` (byte pairs: position, new byte): only the
/// issued state itself reaches the tool; anything else is refused before it runs.
pub fn request_state(data: &[u8]) {
    FIXTURE.with(|f| {
        let text = String::from_utf8_lossy(data);
        let answer = call(&f.server, Some(&text));
        let received = take();
        if text != f.issued {
            assert_eq!(received, None, "a forged state reached the tool: {answer}");
        }
        let mut edited = f.issued.clone().into_bytes();
        for pair in data.chunks_exact(2) {
            let at = usize::from(pair[0]) % edited.len();
            edited[at] = pair[1];
        }
        let edited = String::from_utf8_lossy(&edited);
        let answer = call(&f.server, Some(&edited));
        let received = take();
        if edited == f.issued {
            assert_eq!(received, Some(json!({"step": 1})), "{answer}");
        } else {
            assert_eq!(received, None, "an edited state reached the tool: {answer}");
        }
    });
}
