//! Helpers shared by the examples: logging to stderr, the `hello` server, and the
//! conformance fixtures.

// `hello.rs` names this crate `examples`, as every example does.
extern crate self as examples;

pub mod conformance;
/// The `hello` example itself (`examples/hello.rs`), whose server `hello_http`,
/// `axum_nest` and the benches serve.
#[path = "../examples/hello.rs"]
pub mod hello;

/// Sends `tracing` output to stderr (stdout belongs to the protocol on stdio),
/// filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The README's example compiles (checked by `cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
