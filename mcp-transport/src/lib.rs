//! Transports for `mcp-core` servers.
//!
//! - [`stdio`]: newline-delimited JSON on stdin/stdout, requests served concurrently.
//! - [`http`]: stateless Streamable HTTP as a tower service ([`http::McpService`]) and
//!   a [`serve`](http::serve) helper on hyper.
//! - `client` (feature `client`, off by default: a server needs none of it): a small
//!   typed client over HTTP or a stdio child process, both protocol eras, with `429`
//!   handling.

#[cfg(feature = "client")]
pub mod client;
pub mod http;
pub mod stdio;

pub use http::Error;
