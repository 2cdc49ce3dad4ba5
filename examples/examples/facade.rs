//! `facade`: a server whose only SDK dependency is the `mcp-sdk` facade: no `mcp-core`,
//! no `mcp-transport`, no `schemars` in its `Cargo.toml` (this file is also built by
//! `mcp-sdk/facade-only`, a package that depends on `mcp-sdk`, `serde` and `tokio`
//! alone). Two tools, `shout` and `word_count`.
//!
//! Run over stdio with `cargo run -p examples --example facade`, or over stateless
//! Streamable HTTP with `cargo run -p examples --example facade -- --http 127.0.0.1:8080`
//! (the endpoint is `/mcp`).

use mcp_sdk::prelude::*;
use mcp_sdk::transport::{http, stdio};
use serde::{Deserialize, Serialize};

/// Return the text in capital letters.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, idempotent)]
struct Shout {
    /// The text to shout.
    text: String,
}

async fn shout(args: Shout, _cx: Context) -> String {
    args.text.to_uppercase()
}

/// Count the words and characters of a text.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(read_only, idempotent)]
struct WordCount {
    /// The text to count.
    text: String,
}

/// The result of `word_count`.
#[derive(Serialize, JsonSchema)]
struct Counts {
    /// Whitespace-separated words.
    words: usize,
    /// Unicode scalar values.
    chars: usize,
}

async fn word_count(args: WordCount, _cx: Context) -> Json<Counts> {
    Json(Counts {
        words: args.text.split_whitespace().count(),
        chars: args.text.chars().count(),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::builder("facade", "1.0.0")
        .tool(shout)
        .tool(word_count)
        .build()?;
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => stdio::serve(server).await?,
        (Some("--http"), Some(addr)) => {
            let listener = tokio::net::TcpListener::bind(addr).await?;
            eprintln!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
            http::serve(listener, http::McpService::new(server))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        _ => return Err("usage: facade [--http ADDRESS]".into()),
    }
    Ok(())
}
