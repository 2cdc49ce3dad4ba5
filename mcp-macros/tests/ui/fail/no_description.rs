use mcp_core::Tool;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema, Tool)]
struct Undocumented {
    x: i32,
}

fn main() {}
