//! `hello`: a stdio MCP server with two tools, `echo` and `add`.
//!
//! Run with `cargo run -p examples --example hello`, then type (one line):
//! `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}`
//!
//! `hello_http`, `axum_nest` and the benches serve the same server
//! (`examples::hello::hello_server`).

use mcp_core::{BuildError, Context, Json, JsonSchema, Server, Tool};
use serde::{Deserialize, Serialize};

/// Echo the given text back unchanged.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, idempotent)]
struct Echo {
    /// The text to send back.
    text: String,
}

async fn echo(args: Echo, _cx: Context) -> String {
    args.text
}

/// Add two numbers and return their sum.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, idempotent)]
struct Add {
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
}

/// The result of `add`.
#[derive(Serialize, JsonSchema)]
struct Sum {
    /// `a + b`.
    sum: f64,
}

async fn add(args: Add, _cx: Context) -> Json<Sum> {
    Json(Sum {
        sum: args.a + args.b,
    })
}

/// The `hello` server with its `echo` and `add` tools.
///
/// # Errors
/// Never in practice: the tool definitions are fixed and valid.
pub fn hello_server() -> Result<Server, BuildError> {
    Server::builder("hello", env!("CARGO_PKG_VERSION"))
        .tool(echo)
        .tool(add)
        .build()
}

#[tokio::main]
#[allow(dead_code)] // `main` of the example; unused where the library includes this file.
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    mcp_transport::stdio::serve(hello_server()?).await?;
    Ok(())
}
