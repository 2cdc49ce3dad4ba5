use mcp_core::Tool;
use schemars::JsonSchema;
use serde::Deserialize;

/// Has every mistake at once.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(class = "admin", readonly, name = 5)]
struct Mistakes {
    x: i32,
}

fn main() {}
