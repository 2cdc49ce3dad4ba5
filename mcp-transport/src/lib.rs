//! Transports for `mcp-core` servers.
//!
//! - [`stdio`]: newline-delimited JSON on stdin/stdout, requests served concurrently.

pub mod stdio;
