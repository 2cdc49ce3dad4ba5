//! `layered_http`: `hello_http` (the `hello` tools on `McpService` + `serve`, logging
//! as the example does) with layers in front, so each layer's cost shows against
//! `hello_http` itself:
//!
//! - `--auth memory` / `--auth redis --redis-url URL`: `mcp_auth::AuthLayer` with a
//!   token issued at start (printed as `token: <raw token>`, to send as
//!   `Authorization: Bearer`);
//! - `--quota`: `mcp_errors::QuotaLayer` keyed by client address, with a limit far
//!   above what the load reaches.
//!
//! Run with `cargo run -p benches --release --bin layered_http -- --auth memory`;
//! it prints the token, then `MCP endpoint: <url>`, and stops on Ctrl-C.

use std::net::SocketAddr;

use clap::{Parser, ValueEnum};
use mcp_auth::{AuthLayer, MemoryStore, NewToken, RedisStore, SigningKey, TokenManager};
use mcp_errors::{LocalQuota, QuotaLayer};
use mcp_transport::http::{McpService, ServeConfig, serve};

#[derive(Clone, Copy, ValueEnum)]
enum Store {
    Memory,
    Redis,
}

/// Serve the hello tools behind layers.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Put the auth layer in front, with this token store.
    #[arg(long, value_enum)]
    auth: Option<Store>,
    /// The Redis server for `--auth redis`.
    #[arg(long, default_value = "redis://127.0.0.1:6379/")]
    redis_url: String,
    /// Put a local quota (never reached) in front.
    #[arg(long)]
    quota: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    let args = Args::parse();
    let mut service = McpService::builder(examples::hello::hello_server()?);
    if let Some(store) = args.auth {
        let key = SigningKey::generate("bench")?;
        let manager = match store {
            Store::Memory => TokenManager::new(MemoryStore::new(), key),
            Store::Redis => TokenManager::new(RedisStore::connect(&args.redis_url).await?, key),
        };
        let issued = manager.create(NewToken::new("bench", "acct")).await?;
        println!("token: {}", issued.token.expose_secret());
        service = service.layer(AuthLayer::new(manager));
    }
    if args.quota {
        service = service.layer(QuotaLayer::new(LocalQuota::per_second(1_000_000_000)));
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
    // All load comes from one machine: no per-client connection cap below the global one.
    let config = ServeConfig::default().max_connections_per_peer(usize::MAX);
    serve(listener, service.build())
        .config(config)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
