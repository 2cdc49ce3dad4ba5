//! One dependency for an MCP server: the SDK's crates behind features, and the names a
//! tool author needs at the root.
//!
//! ```toml
//! [dependencies]
//! mcp-sdk = "0.1"                      # server, macros, stdio, http
//! # mcp-sdk = { version = "0.1", features = ["auth", "errors"] }
//! serde = { version = "1", features = ["derive"] }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! No `schemars` and no `mcp-core` in your own `Cargo.toml`: `#[derive(JsonSchema)]`
//! writes `schemars::` paths, which find [`schemars`] when it is in scope (the
//! [`prelude`] brings it, or `use mcp_sdk::schemars;`), and `#[derive(Tool)]` finds
//! this crate in your `Cargo.toml` by itself.
//!
//! ```no_run
//! use mcp_sdk::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! /// Add two numbers and return their sum.
//! #[derive(Deserialize, JsonSchema, Tool)]
//! #[tool(read_only, idempotent)]
//! struct Add {
//!     /// The first addend.
//!     a: f64,
//!     /// The second addend.
//!     b: f64,
//! }
//!
//! #[derive(Serialize, JsonSchema)]
//! struct Sum {
//!     sum: f64,
//! }
//!
//! async fn add(args: Add, _cx: Context) -> Json<Sum> {
//!     Json(Sum { sum: args.a + args.b })
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let server = Server::builder("calculator", "1.0.0").tool(add).build()?;
//!     mcp_sdk::transport::stdio::serve(server).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Features
//!
//! | feature | gives | default |
//! |---|---|---|
//! | `server` | the root names ([`Server`], [`Tool`], [`Context`], ...), [`core`] (`mcp-core`) | yes |
//! | `macros` | `#[derive(Tool)]` | yes |
//! | `stdio` | [`transport::stdio`] | yes |
//! | `http` | [`transport::http`]: stateless Streamable HTTP (`McpService`, `serve`) | yes |
//! | `client` | `transport::client`: the typed MCP client | no |
//! | `auth` | `auth` (`mcp-auth`): per-tenant tokens, scopes, the auth layer, memory store | no |
//! | `auth-redis` | `auth::RedisStore`, tokens shared by many instances | no |
//! | `errors` | `errors` (`mcp-errors`): upstream failures as tool errors, rate limits, quotas | no |
//! | `errors-reqwest` | `errors::UpstreamResponse::from_reqwest` | no |
//!
//! `stdio` and `http` share one crate (`mcp-transport`, compiled whole; the linker
//! drops what a binary does not call). The separate crates stay: depend on them
//! directly for finer control.

#[cfg(feature = "server")]
pub use mcp_core as core;

#[cfg(feature = "server")]
pub use mcp_core::{BuildError, Context, Json, JsonSchema, Server, Tool, ToolError, Value};

/// `schemars`, for the paths `#[derive(JsonSchema)]` writes: bring it into scope
/// (`use mcp_sdk::schemars;`, or the [`prelude`]) instead of depending on it, or
/// name it on the type: `#[schemars(crate = "mcp_sdk::schemars")]`.
pub use schemars;

/// The transports (`mcp-transport`): each module behind its feature.
#[cfg(any(feature = "stdio", feature = "http", feature = "client"))]
pub mod transport {
    pub use mcp_transport::Error;
    #[cfg(feature = "client")]
    pub use mcp_transport::client;
    #[cfg(feature = "http")]
    pub use mcp_transport::http;
    #[cfg(feature = "stdio")]
    pub use mcp_transport::stdio;
}

#[cfg(feature = "auth")]
pub use mcp_auth as auth;

#[cfg(feature = "errors")]
pub use mcp_errors as errors;

/// Everything a tool's module needs: `use mcp_sdk::prelude::*;`.
///
/// It brings [`schemars`] into scope too, which `#[derive(JsonSchema)]` needs.
pub mod prelude {
    pub use crate::schemars;
    #[cfg(feature = "server")]
    pub use crate::{BuildError, Context, Json, JsonSchema, Server, Tool, ToolError, Value};
}
