//! The core of an MCP (Model Context Protocol) server SDK built for production.
//!
//! - JSON-RPC 2.0 decoding that is strict and cheap ([`jsonrpc::Message::decode`]).
//! - Both protocol eras from one stateless dispatcher: modern `2026-07-28` (per-request
//!   `_meta`, `server/discover`) and legacy `2025-11-25` back to `2024-11-05`
//!   (`initialize`).
//! - Tools: a typed [`Tool`] trait (derive it with `#[derive(Tool)]`), arguments
//!   validated against the tool's JSON Schema before the handler runs, typed
//!   structured results ([`Json`]), and [`ToolError`]s the model can act on.
//! - Callers: an [`auth::Principal`] (or a bare [`auth::Scope`]) in the request's
//!   extensions limits what every method lists and serves (tools, and resources,
//!   templates and prompts through their [`auth::Access`]); whatever is bound to a
//!   caller (replies to server-to-client requests, `requestState`, list cursors) is
//!   refused to anyone else.
//!
//! The crate root holds what a tool author names; the modules hold the rest, each
//! for its audience:
//!
//! | module | what it holds | for |
//! |---|---|---|
//! | [`wire`] | the MCP data model: definitions, results, content, [`wire::ProtocolVersion`] | resource and prompt authors, clients, tests |
//! | [`jsonrpc`] | JSON-RPC messages, responses and error objects | transports, clients, tests |
//! | [`transport`] | the prepared [`transport::Call`], its [`transport::Envelope`], notification channels, pending replies, credential watches | transports |
//! | [`auth`] | the caller's [`auth::Principal`] and [`auth::Scope`], method classes, [`auth::Access`] | authentication layers, multi-tenant servers |
//! | [`request_state`] | single-use `requestState` records | deployments of several instances |
//!
//! Transports live in `mcp-transport`; this crate never touches the network.
//!
//! ```
//! use mcp_core::{Context, Json, JsonSchema, Server, Tool, ToolError};
//! use serde::{Deserialize, Serialize};
//!
//! /// Add two numbers.
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
//! async fn add(args: Add, _cx: Context) -> Result<Json<Sum>, ToolError> {
//!     Ok(Json(Sum { sum: args.a + args.b }))
//! }
//!
//! let server = Server::builder("calculator", "1.0.0").tool(add).build()?;
//! # Ok::<_, mcp_core::BuildError>(())
//! ```

pub mod auth;
mod cursor;
mod input_required;
pub mod jsonrpc;
mod list_changes;
mod rate_limit;
mod registry;
pub mod request_state;
mod schema;
mod server;
mod tool;
pub mod transport;
mod uri_template;
pub mod wire;

pub use input_required::InputRequired;
pub use list_changes::ListKind;
pub use rate_limit::RateLimit;
pub use schema::schema_for;
pub use server::{BuildError, Server, ServerBuilder};
pub use tool::{Context, IntoToolResult, Json, Tool, ToolError, ToolHandler};
pub use wire::{CallToolResult, Content};

pub use schemars::JsonSchema;
pub use serde_json::Value;

#[cfg(feature = "derive")]
pub use mcp_macros::Tool;

#[doc(hidden)]
pub mod __private {
    //! Names the derive macro's generated code uses. Not public API.
    pub use crate::auth::MethodClass;
    pub use crate::wire::ToolAnnotations;
    pub use crate::{Tool, schema_for};
    pub use serde_json::Value;
}
