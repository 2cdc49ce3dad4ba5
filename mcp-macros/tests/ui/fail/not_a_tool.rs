use mcp_core::{Context, Server};
use serde::Deserialize;

#[derive(Deserialize)]
struct Plain {
    x: i32,
}

async fn handler(_: Plain, _cx: Context) -> String {
    String::new()
}

fn main() {
    let _ = Server::builder("s", "1").tool(handler);
}
