//! Criterion micro-benchmarks of the hot path, in process (no network):
//!
//! - `dispatch/*`: decode → dispatch → encode of `tools/call echo` through
//!   `Server::handle_message`, both protocol eras;
//! - `validate/*`: a `tools/call` of a derived 10-field tool, valid and invalid
//!   arguments (the schema check and, when valid, deserialization into the type);
//! - `auth/*`: the auth layer's lookup on the memory store (`TokenManager::verify`
//!   and `AuthLayer` in front of a no-op service);
//! - `builtin/*`, `jq_20_rules/*`: normalizing a ~1.5 KiB upstream error with the
//!   built-ins and with a 20-rule jq set (`mcp-errors/benches/normalize.rs`, compiled
//!   in here as it is);
//! - `sse/*`: a call that reports progress three times, answered as an SSE stream
//!   through `McpService::handle` (the transport's SSE framing is not public), next
//!   to the same call answered as JSON.
//!
//! Run with `cargo bench -p benches --bench micro`; `cargo test -p benches --benches`
//! runs each once (criterion's test mode).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod auth;
mod dispatch;
mod sse;
mod validate;

#[allow(dead_code, unreachable_pub)]
#[path = "../../../mcp-errors/benches/normalize.rs"]
mod normalize;

criterion::criterion_main!(
    dispatch::benches,
    validate::benches,
    auth::benches,
    normalize::benches,
    sse::benches
);
