use mcp_core::Tool;
use schemars::JsonSchema;
use serde::Deserialize;

/// Has a space in its name.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "search contacts")]
struct Search {
    q: String,
}

fn main() {}
