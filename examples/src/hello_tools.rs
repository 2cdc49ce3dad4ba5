//! The `hello` server: two tools, `echo` and `add`, shared by the stdio and HTTP
//! examples.

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
