//! Integration tests of mcp-transport: real HTTP on 127.0.0.1 and real child processes.

mod client;
mod limits;
mod nest;
mod status;
mod streaming;
mod support;
