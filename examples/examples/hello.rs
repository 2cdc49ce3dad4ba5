//! `hello`: a stdio MCP server with two tools, `echo` and `add` (defined in
//! `examples/src/hello_tools.rs`, shared with `hello_http`).
//!
//! Run with `cargo run -p examples --example hello`, then type (one line):
//! `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}`

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::init_tracing();
    let server = examples::hello_tools::hello_server()?;
    mcp_transport::stdio::serve(server).await?;
    Ok(())
}
