//! The performance harness of the SDK: criterion micro-benchmarks (`benches/micro/`)
//! and the end-to-end comparison (`src/bin/compare/`) of our servers against a bare
//! hyper + serde_json baseline and rmcp, side by side in one run.
//!
//! Run everything with `bash benches/run.sh` (`--quick` for a short pass); see
//! `benches/README.md` for the table and how to read it. This library holds the
//! pieces the comparison is made of:
//!
//! - [`Era`]: the `tools/call echo` request of each protocol era, as HTTP headers and
//!   body or as a stdio line;
//! - [`ServerProcess`]: a server started as a child process, stopped by its PID;
//! - [`cpu_time`], [`peak_rss_kib`], [`rss_kib`]: what `/proc` says about a process;
//! - [`Wrk`]: the `wrk` load generator driven by a Lua script;
//! - [`HttpConn`]: a minimal blocking HTTP/1.1 keep-alive client;
//! - [`callgrind`]: instruction counts of a server under `valgrind --tool=callgrind`;
//! - [`stdio_run`]: pipelined and lockstep calls to a stdio server.
//!
//! ```
//! use benches::Era;
//! let body = Era::Modern.http_body();
//! assert!(body.contains("io.modelcontextprotocol/protocolVersion"));
//! assert!(Era::Legacy.headers().iter().any(|(k, v)| *k == "MCP-Protocol-Version" && v == "2025-11-25"));
//! ```

mod child;
mod era;
mod http_conn;
mod procfs;
mod stdio_driver;
mod wrk;

pub mod callgrind;

pub use child::ServerProcess;
pub use era::{ECHO_TEXT, Era};
pub use http_conn::{HttpConn, HttpReply};
pub use procfs::{cpu_time, peak_rss_kib, rss_kib};
pub use stdio_driver::{StdioMode, StdioRun, stdio_run};
pub use wrk::{Wrk, WrkResult};

/// The error type of the harness: anything that stops a measurement, as text.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
