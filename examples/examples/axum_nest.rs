//! `axum_nest`: the MCP endpoint mounted in an axum router next to other routes, with
//! tower-http tracing and a timeout, served by the SDK's hardened server loop.
//!
//! Run with `RUST_LOG=info,tower_http=debug cargo run -p examples --example axum_nest --
//! --listen 127.0.0.1:8080`; the MCP endpoint is `/mcp`, and `/health` answers `ok`.
//!
//! `mcp_transport::http::serve` takes the whole `Router` (any tower service of HTTP
//! requests), so every route gets what `axum::serve` lacks: a cap on connections
//! overall and per client address, a deadline for request heads (slowloris), idle
//! and write timeouts, HTTP/2 pings. `ServeConfig` holds these limits; the defaults
//! are shown here spelled out.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use clap::Parser;
use mcp_transport::http::{McpService, ServeConfig, serve};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Serve the hello tools inside an axum app.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    let args = Args::parse();
    // The router already routed to `/mcp`, so the service answers on any sub-path.
    let mcp = McpService::builder(examples::hello::hello_server()?)
        .any_path()
        .build();
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .nest_service("/mcp", mcp)
        .layer(TraceLayer::new_for_http())
        // Bounds the time to the response head; SSE bodies stream on past it.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(30),
        ));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
    let config = ServeConfig::default()
        .max_connections(1024)
        .max_connections_per_peer(256)
        .header_read_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(60))
        .write_timeout(Duration::from_secs(30));
    serve(listener, app)
        .config(config)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
