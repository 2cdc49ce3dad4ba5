//! Stateless Streamable HTTP: [`McpService`], a tower service, and [`serve`].
//!
//! One endpoint (`POST /mcp` by default) answers both protocol eras without
//! server-side sessions: a request gets `200` with JSON, or an SSE stream when the tool
//! reports progress or logs, or runs longer than the keep-alive interval; a
//! notification gets `202`. Secure by default: only loopback `Host` names and `Origin`s
//! are accepted until others are listed, bodies are capped at 4 MiB, and
//! [`serve`] installs hyper's timer so slow request heads are cut.
//!
//! | condition | status |
//! |---|---|
//! | foreign `Host` or present, foreign `Origin` (`null` included) | `403` |
//! | other path | `404` |
//! | `GET`, `DELETE`, ... | `405`, `Allow: POST` |
//! | `Content-Type` not JSON | `415` |
//! | `Accept` without `application/json` | `406` |
//! | body over the cap / too slow | `413` / `408` |
//! | unparseable or invalid JSON-RPC, a client-sent response | `400` |
//! | modern, checked in this order: no `MCP-Protocol-Version` (-32020), `_meta` without version or client capabilities (-32602), header ≠ `_meta` version (-32020), version not served (-32022), `Mcp-Method`/`Mcp-Name` ≠ body (-32020) | `400` |
//! | modern: unknown or removed method (-32601) | `404` |
//! | a tool hit a rate limit | `429` with `ratelimit-*` and `Retry-After` |
//!
//! ```no_run
//! use mcp_transport::http::{McpService, serve};
//! # async fn run(server: mcp_core::Server) -> Result<(), mcp_transport::Error> {
//! let service = McpService::builder(server).build();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, service, std::future::pending()).await
//! # }
//! ```

mod body;
mod config;
mod cors;
mod dispatch;
mod error;
mod guard;
mod handler;
mod media;
mod mirror;
mod respond;
mod serve;
mod service;
mod sse;

pub use body::Body;
pub use config::Builder;
pub use error::Error;
pub use handler::Handler;
pub use serve::serve;
pub use service::McpService;
