//! `rmcp_server`: the comparison target. rmcp with the same two tools as `hello`
//! (`echo`, `add`), over stateless Streamable HTTP with JSON responses
//! (`legacy_session_mode = false`, `json_response = true`, served by `axum::serve` as
//! rmcp's own examples do) or over stdio.
//!
//! Run with `cargo run -p benches --release --bin rmcp_server -- --http 127.0.0.1:0`
//! (prints `MCP endpoint: <url>`, stops on Ctrl-C), `-- --stdio`, or
//! `-- --stdio-pipes` (rmcp's non-blocking pipe transport).

use std::net::SocketAddr;

use clap::Parser;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{Json, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};

/// Serve the hello tools with rmcp.
#[derive(Parser)]
struct Args {
    /// Serve stateless Streamable HTTP on this address.
    #[arg(long, conflicts_with_all = ["stdio", "stdio_pipes"])]
    http: Option<SocketAddr>,
    /// Serve stdio with `rmcp::transport::stdio()`.
    #[arg(long)]
    stdio: bool,
    /// Serve stdio with `rmcp::transport::stdio_pipes()`.
    #[arg(long)]
    stdio_pipes: bool,
}

/// Arguments of `echo`.
#[derive(Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

/// Arguments of `add`.
#[derive(Deserialize, schemars::JsonSchema)]
struct AddArgs {
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
}

/// The result of `add`.
#[derive(Serialize, schemars::JsonSchema)]
struct Sum {
    /// `a + b`.
    sum: f64,
}

#[derive(Clone)]
struct Hello {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Hello {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// Echo the given text back unchanged.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }

    /// Add two numbers and return their sum.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn add(&self, Parameters(args): Parameters<AddArgs>) -> Json<Sum> {
        Json(Sum {
            sum: args.a + args.b,
        })
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Hello {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if let Some(addr) = args.http {
        let stop = tokio_util::sync::CancellationToken::new();
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_sse_keep_alive(None)
            .with_cancellation_token(stop.child_token());
        let service: StreamableHttpService<Hello, LocalSessionManager> =
            StreamableHttpService::new(|| Ok(Hello::new()), Default::default(), config);
        let app = axum::Router::new().nest_service("/mcp", service);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("MCP endpoint: http://{}/mcp", listener.local_addr()?);
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                stop.cancel();
            })
            .await?;
        return Ok(());
    }
    let running = if args.stdio_pipes {
        Hello::new().serve(rmcp::transport::stdio_pipes()).await?
    } else {
        Hello::new().serve(rmcp::transport::stdio()).await?
    };
    running.waiting().await?;
    Ok(())
}
