//! Integration tests of mcp-auth: token lifecycle and expiry, the auth layer in
//! front of a real `mcp_core::Server`, scopes, secrecy, and Redis (real
//! `redis-server` processes, including crashes and hangs).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod common;
#[cfg(feature = "redis")]
mod e2e;
mod flood;
mod layer;
mod lifecycle;
#[cfg(feature = "redis")]
mod redis_faults;
#[cfg(feature = "redis")]
mod redis_server;
#[cfg(feature = "redis")]
mod redis_store;
pub(crate) mod scope;
mod secrecy;
mod streams;
mod tenancy;
