use mcp_core::Tool;
use mcp_core::auth::MethodClass;
use schemars::JsonSchema;
use serde::Deserialize;

/// Create an HTTP ticket.
#[derive(Deserialize, JsonSchema, Tool)]
struct CreateHTTPTicket {
    subject: String,
}

/// Takes no arguments.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(description = "Overrides the doc comment.")]
struct Ping {}

/// Generic tools work when the parameters carry the bounds.
#[derive(Deserialize, JsonSchema, Tool)]
#[serde(bound = "T: serde::de::DeserializeOwned")]
struct Wrapper<T: serde::de::DeserializeOwned + JsonSchema + Send + 'static> {
    inner: T,
}

fn main() {
    assert_eq!(CreateHTTPTicket::NAME, "create_http_ticket");
    assert_eq!(CreateHTTPTicket::CLASS, MethodClass::Custom);
    assert!(CreateHTTPTicket::TAGS.is_empty());
    assert_eq!(CreateHTTPTicket::annotations(), Default::default());
    assert_eq!(Ping::DESCRIPTION, "Overrides the doc comment.");
    assert_eq!(Ping::input_schema()["type"], "object");
    assert_eq!(<Wrapper<u8>>::NAME, "wrapper");
}
