//! Integration tests of mcp-transport: real HTTP on 127.0.0.1 and real child processes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod client;
mod client_retry;
mod credentials;
mod headers;
mod layers;
mod legacy;
mod limits;
mod mirrored;
mod nest;
mod reply_binding;
mod sessions;
mod slots;
mod status;
mod streaming;
mod support;
