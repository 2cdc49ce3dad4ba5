//! `hello_http`: the `hello` tools (`echo`, `add`, defined in `hello.rs`) over
//! stateless Streamable HTTP.
//!
//! Run with `cargo run -p examples --example hello_http -- --listen 127.0.0.1:8080`
//! (the default), then point an MCP client at the printed URL, e.g.
//! `npx @modelcontextprotocol/inspector --cli http://127.0.0.1:8080/mcp --method tools/list`.
//! Binding a non-loopback address needs `--allowed-host NAME` for each `Host` name
//! clients will use. The server loop is the SDK's hardened one (connection caps
//! overall and per client, header, idle and write timeouts: `ServeConfig`'s
//! defaults); `--max-connections-per-peer` raises the per-client cap for load tests
//! from one machine.

use std::net::SocketAddr;

use clap::Parser;
use mcp_transport::http::{McpService, ServeConfig, serve};

/// Serve the hello tools over HTTP.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A `Host` name clients use (needed when not listening on loopback); repeatable.
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,
    /// Connections one client address may hold open at once.
    #[arg(long, default_value_t = 256)]
    max_connections_per_peer: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    let args = Args::parse();
    let mut service = McpService::builder(examples::hello::hello_server()?);
    if !args.allowed_hosts.is_empty() {
        service = service.allowed_hosts(args.allowed_hosts);
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
    let config = ServeConfig::default().max_connections_per_peer(args.max_connections_per_peer);
    serve(listener, service.build())
        .config(config)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
