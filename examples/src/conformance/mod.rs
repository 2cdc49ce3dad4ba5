//! The server the official MCP conformance suite tests: every fixture its server
//! scenarios expect, for `2025-11-25` and `2026-07-28`, written with the SDK's
//! ordinary API.

mod catalog;
mod content;
mod interactive;
mod mrtr;

use mcp_core::{BuildError, Server};

/// A 1×1 transparent PNG.
pub(crate) const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
/// A tiny silent WAV.
pub(crate) const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEARKwAAIhYAQACABAAZGF0YQAAAAA=";

/// The conformance server. `state_key` seals multi round-trip state (share it
/// between instances).
///
/// # Errors
/// Never in practice: every fixture is valid.
pub fn server(state_key: [u8; 32]) -> Result<Server, BuildError> {
    let builder = Server::builder("mcp-sdk-conformance", env!("CARGO_PKG_VERSION"))
        .instructions("Fixtures for the MCP conformance suite.")
        .request_state_key(state_key.to_vec());
    let builder = content::tools(builder);
    let builder = interactive::tools(builder);
    let builder = mrtr::tools(builder);
    catalog::register(builder).build()
}
