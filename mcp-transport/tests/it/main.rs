//! Integration tests of mcp-transport: real HTTP on 127.0.0.1 and real child processes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod client;
mod client_retry;
mod headers;
mod layers;
mod legacy;
mod limits;
mod nest;
mod sessions;
mod status;
mod streaming;
mod support;
