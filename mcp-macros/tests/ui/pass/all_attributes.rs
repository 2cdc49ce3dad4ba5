use mcp_core::Tool;
use mcp_core::auth::MethodClass;
use schemars::JsonSchema;
use serde::Deserialize;

/// Find contacts by name.
///
/// Returns at most 20 matches.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(
    name = "crm.search_contacts",
    title = "Search contacts",
    class = "read",
    tags("crm", "contacts"),
    read_only,
    idempotent = true,
    destructive = false,
    open_world
)]
struct SearchContacts {
    /// Part of a name.
    query: String,
    /// At most this many.
    limit: Option<u32>,
}

fn main() {
    assert_eq!(SearchContacts::NAME, "crm.search_contacts");
    assert_eq!(
        SearchContacts::DESCRIPTION,
        "Find contacts by name.\n\nReturns at most 20 matches."
    );
    assert_eq!(SearchContacts::TITLE, Some("Search contacts"));
    assert_eq!(SearchContacts::CLASS, MethodClass::Read);
    assert_eq!(SearchContacts::TAGS, ["crm", "contacts"]);
    let a = SearchContacts::annotations();
    assert_eq!(a.read_only_hint, Some(true));
    assert_eq!(a.idempotent_hint, Some(true));
    assert_eq!(a.destructive_hint, Some(false));
    assert_eq!(a.open_world_hint, Some(true));
    let schema = SearchContacts::input_schema();
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], serde_json::json!(["query"]));
    assert!(schema["properties"]["limit"].get("nullable").is_none());
}
