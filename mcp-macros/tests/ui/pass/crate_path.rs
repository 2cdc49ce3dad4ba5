//! `#[tool(crate = "...")]`: the generated code reaches `mcp_core` through a re-export.
use schemars::JsonSchema;
use serde::Deserialize;

mod sdk {
    pub use mcp_core as core_again;
}

use sdk::core_again::Tool;

/// Reached through a re-export.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(crate = "crate::sdk::core_again", read_only)]
struct Renamed {
    text: String,
}

fn main() {
    assert_eq!(Renamed::NAME, "renamed");
    assert_eq!(Renamed::annotations().read_only_hint, Some(true));
}
