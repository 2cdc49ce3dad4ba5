//! Transports for `mcp-core` servers: stdio, stateless Streamable HTTP, and a small
//! client for both.
//!
//! A [`Server`](mcp_core::Server) never touches the network; a transport reads
//! messages, hands each to the server with what it knows about the caller (headers,
//! extensions: an [`Envelope`](mcp_core::transport::Envelope)), and writes the
//! answers back, streaming notifications when a tool reports progress or logs.
//!
//! | module | what it is | use it for |
//! |---|---|---|
//! | [`stdio`] | newline-delimited JSON on stdin/stdout, requests served concurrently, cancellation, replies to server-to-client requests | a local server a client starts as a child process |
//! | [`http`] | stateless Streamable HTTP as a tower service ([`http::McpService`]) and [`http::serve`], the hardened server loop on hyper | a remote server, alone or nested in an axum app, behind auth and quota layers |
//! | `client` (feature `client`, off by default: a server needs none of it) | a typed client over HTTP or a stdio child process, both protocol eras, `429` handling | tests, agents, health checks |
//!
//! # Over stdio
//!
//! stdout carries protocol messages only, so log to stderr.
//!
//! ```no_run
//! use mcp_core::{Context, JsonSchema, Server, Tool};
//! use serde::Deserialize;
//!
//! /// Echo the text back.
//! #[derive(Deserialize, JsonSchema, Tool)]
//! #[tool(read_only)]
//! struct Echo {
//!     /// The text to send back.
//!     text: String,
//! }
//!
//! async fn echo(args: Echo, _cx: Context) -> String {
//!     args.text
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let server = Server::builder("echo", "1.0.0").tool(echo).build()?;
//!     // Until stdin ends; in-flight requests then get a short grace period.
//!     mcp_transport::stdio::serve(server).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Over HTTP
//!
//! One endpoint, `POST /mcp`, answers both protocol eras without server-side
//! sessions. Only loopback `Host` names and `Origin`s are accepted until others are
//! listed ([`http::Builder::allowed_hosts`]); [`http::serve`] refuses to bind a
//! non-loopback address without them, and bounds connections, headers and idle
//! time ([`http::ServeConfig`]).
//!
//! ```no_run
//! use mcp_core::{Context, JsonSchema, Server, Tool};
//! use mcp_transport::http::{McpService, serve};
//! use serde::Deserialize;
//!
//! /// Echo the text back.
//! #[derive(Deserialize, JsonSchema, Tool)]
//! #[tool(read_only)]
//! struct Echo {
//!     /// The text to send back.
//!     text: String,
//! }
//!
//! async fn echo(args: Echo, _cx: Context) -> String {
//!     args.text
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let server = Server::builder("echo", "1.0.0").tool(echo).build()?;
//!     let service = McpService::builder(server).build();
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//!     serve(listener, service)
//!         .with_graceful_shutdown(async {
//!             let _ = tokio::signal::ctrl_c().await;
//!         })
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! [`http::McpService`] is a tower service, so it also nests in an axum router
//! (`Router::nest_service("/mcp", service)`) and takes tower layers: authentication
//! (`mcp-auth`'s `AuthLayer`) and quotas (`mcp-errors`' `QuotaLayer`) go in
//! [`http::Builder::outer_layer`], where they run before the body is read. The
//! [`http`] module lists every status the endpoint answers with.

#[cfg(feature = "client")]
pub mod client;
pub mod http;
pub mod stdio;

pub use http::Error;
