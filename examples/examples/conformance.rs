//! `conformance`: every fixture the official MCP conformance suite expects, over
//! stateless Streamable HTTP, for both `2025-11-25` and `2026-07-28`.
//!
//! Run with `cargo run -p examples --example conformance -- --listen 127.0.0.1:8001`,
//! then `conformance server --url http://localhost:8001/mcp --suite all
//! --spec-version 2026-07-28` (`.ci/run` does both versions).

use std::net::SocketAddr;

use clap::Parser;
use mcp_transport::http::{McpService, serve};

/// Serve the conformance fixtures over HTTP.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8001")]
    listen: SocketAddr,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    let args = Args::parse();
    // One instance: a per-process key is enough. Several instances share one key.
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| format!("no OS randomness: {e}"))?;
    let server = examples::conformance::server(key)?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
    serve(listener, McpService::builder(server).build())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
