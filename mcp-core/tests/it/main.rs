//! Integration tests of mcp-core: spec vectors, schema conformance of what the
//! server sends, dispatch behaviour of both eras, scopes and tools.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod catalog;
mod dispatch;
mod fixtures;
pub(crate) mod rounds;
mod schema_conformance;
mod scoped_catalog;
mod spec_vectors;
mod state_binding;
