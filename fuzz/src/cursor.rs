//! `cursor`: pagination cursors of every list method, through [`Server`].

use mcp_core::transport::Envelope;
use mcp_core::wire::{GetPromptResult, Prompt, Resource, ResourceTemplate};
use mcp_core::{Context, Server, Tool};
use serde_json::{Value, json};

use crate::rt::{block_on, modern_meta};

/// Items per page.
const PAGE: usize = 2;

/// The list methods and the result field holding their items.
const LISTS: [(&str, &str); 4] = [
    ("tools/list", "tools"),
    ("resources/list", "resources"),
    ("resources/templates/list", "resourceTemplates"),
    ("prompts/list", "prompts"),
];

/// One of five tools, by number.
#[derive(serde::Deserialize)]
struct Numbered<const N: usize> {}

impl<const N: usize> Tool for Numbered<N> {
    const NAME: &'static str = ["t0", "t1", "t2", "t3", "t4"][N];
    const DESCRIPTION: &'static str = "A tool.";
    fn input_schema() -> Value {
        json!({"type": "object"})
    }
}

async fn ok<T>(_: T, _: Context) -> &'static str {
    "ok"
}

thread_local! {
    static SERVER: Server = {
        let mut b = Server::builder("fuzz", "1")
            .page_size(PAGE)
            .tool(ok::<Numbered<0>>)
            .tool(ok::<Numbered<1>>)
            .tool(ok::<Numbered<2>>)
            .tool(ok::<Numbered<3>>)
            .tool(ok::<Numbered<4>>);
        for i in 0..5 {
            b = b
                .resource(Resource::new(format!("test://r/{i}"), format!("r{i}")), |_, _| async { Ok(Vec::new()) })
                .resource_template(ResourceTemplate::new(format!("test://t{i}/{{id}}"), format!("t{i}")), |_, _| async { Ok(Vec::new()) })
                .prompt(Prompt::new(format!("p{i}"), "A prompt."), |_, _| async { Ok(GetPromptResult::new(Vec::new())) });
        }
        match b.build() {
            Ok(server) => {
                walk(&server);
                server
            }
            Err(e) => panic!("{e}"),
        }
    };
}

/// Answers `method` with `params`: the result, or the error code.
fn list(server: &Server, method: &str, params: &Value) -> Result<Value, i64> {
    let bytes = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let Some(response) = block_on(server.handle_message(bytes.as_bytes(), Envelope::new())) else {
        panic!("no answer to {method}");
    };
    if let Some(error) = response.error_object() {
        return Err(error.code());
    }
    let Some(result) = response.result_json() else {
        panic!("{method}: neither result nor error");
    };
    match serde_json::from_str(result) {
        Ok(v) => Ok(v),
        Err(e) => panic!("{method}: result is not JSON: {e}"),
    }
}

/// Every list, page by page: each item once, pages of at most [`PAGE`].
fn walk(server: &Server) {
    for (method, field) in LISTS {
        let mut seen = 0;
        let mut params = json!({});
        for _ in 0..10 {
            let Ok(page) = list(server, method, &params) else {
                panic!("{method} refused its own cursor");
            };
            let n = page[field].as_array().map_or(0, Vec::len);
            assert!(n <= PAGE);
            seen += n;
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(next) => params = json!({"cursor": next}),
                None => break,
            }
        }
        assert_eq!(seen, 5, "{method} lists every item once");
    }
}

/// Sends `data` (as text) as the cursor of every list method, in both eras: a
/// page of at most `PAGE` items, or `-32602`.
pub fn cursor(data: &[u8]) {
    let cursor = String::from_utf8_lossy(data);
    SERVER.with(|server| {
        for (method, field) in LISTS {
            for params in [
                json!({"cursor": cursor}),
                json!({"cursor": cursor, "_meta": modern_meta(json!({}))}),
            ] {
                match list(server, method, &params) {
                    Ok(page) => {
                        let n = page[field].as_array().map_or(usize::MAX, Vec::len);
                        assert!(n <= PAGE, "{method}: {n} items");
                    }
                    Err(code) => assert_eq!(code, -32602, "{method}"),
                }
            }
        }
    });
}
