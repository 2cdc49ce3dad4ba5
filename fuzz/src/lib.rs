//! Fuzz targets for the SDK's parsers: one function per target, each taking
//! arbitrary bytes, never panicking on its own and asserting invariants (round trips,
//! "an error is an error") with `assert!`, so a violated invariant is a crash.
//!
//! The same functions run under libFuzzer (`fuzz/cargo-fuzz`, nightly:
//! `fuzz/run.sh TARGET SECONDS`) and under `cargo test -p mcp-fuzz`, which replays
//! every file of `fuzz/corpus/<target>/` through its target. Every target reaches
//! its parser through the crates' public API.
//!
//! ```
//! mcp_fuzz::jsonrpc_decode(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
//! assert!(mcp_fuzz::TARGETS.iter().any(|(name, _)| *name == "cursor"));
//! ```

mod call;
mod cursor;
mod jsonrpc;
mod normalizers;
mod param_headers;
mod rate_limit;
mod request_state;
mod rt;
mod ruleset;
mod session_id;
mod upstream;
mod uri_template;

pub use call::call_prepare;
pub use cursor::cursor;
pub use jsonrpc::jsonrpc_decode;
pub use normalizers::normalizers;
pub use param_headers::param_headers;
pub use rate_limit::rate_limit;
pub use request_state::request_state;
pub use ruleset::ruleset;
pub use session_id::session_id;
pub use uri_template::uri_template;

/// A fuzz target: arbitrary bytes in, a panic when an invariant fails.
pub type Target = fn(&[u8]);

/// Every target by name (the name of its corpus directory and libFuzzer binary).
pub const TARGETS: &[(&str, Target)] = &[
    ("jsonrpc_decode", jsonrpc_decode),
    ("call_prepare", call_prepare),
    ("session_id", session_id),
    ("param_headers", param_headers),
    ("cursor", cursor),
    ("request_state", request_state),
    ("uri_template", uri_template),
    ("rate_limit", rate_limit),
    ("normalizers", normalizers),
    ("ruleset", ruleset),
];
