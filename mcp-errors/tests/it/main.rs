//! Integration tests of `mcp-errors`: the fixture table, the same fixtures through a
//! real server and over real HTTP, the rate-limit parsers, jq rules, the
//! re-authentication hook and the local quota.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod limits;
mod over_http;
mod parsers;
mod quota;
mod reauth;
mod rules;
#[cfg(feature = "reqwest")]
mod saas;
mod support;
mod table;
mod through_server;
