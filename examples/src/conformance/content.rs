//! Tools that return fixed content of every kind.

use mcp_core::wire::ResourceContents;
use mcp_core::{
    CallToolResult, Content, Context, JsonSchema, ServerBuilder, Tool, ToolError, Value,
};
use serde::Deserialize;
use serde_json::json;

use super::{PNG, WAV};

/// Returns a simple text response.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_simple_text", read_only)]
struct SimpleText {}

/// Returns an image.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_image_content", read_only)]
struct ImageContent {}

/// Returns audio.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_audio_content", read_only)]
struct AudioContent {}

/// Returns an embedded resource.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_embedded_resource", read_only)]
struct EmbeddedResource {}

/// Returns text, an image and a resource.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_multiple_content_types", read_only)]
struct MultipleContentTypes {}

/// Always fails, as a tool result with isError.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_error_handling", read_only)]
struct ErrorHandling {}

/// Tool with JSON Schema 2020-12 features
#[derive(Deserialize)]
struct JsonSchema2020 {
    #[serde(flatten)]
    _fields: serde_json::Map<String, Value>,
}

impl Tool for JsonSchema2020 {
    const NAME: &'static str = "json_schema_2020_12_tool";
    const DESCRIPTION: &'static str = "Tool with JSON Schema 2020-12 features";
    fn input_schema() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {
                "address": {
                    "$anchor": "addressDef",
                    "type": "object",
                    "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
                }
            },
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"},
                "email": {"type": "string"}
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "additionalProperties": false
        })
    }
}

/// Echoes a value the client also sends as the `Mcp-Param-Value` header.
#[derive(Deserialize)]
struct CustomHeader {
    value: String,
}

impl Tool for CustomHeader {
    const NAME: &'static str = "test_custom_header";
    const DESCRIPTION: &'static str =
        "Echoes `value`, which the client mirrors in the Mcp-Param-Value header.";
    fn input_schema() -> Value {
        json!({
            "type": "object",
            "properties": {"value": {"type": "string", "x-mcp-header": "Value"}},
            "required": ["value"]
        })
    }
}

/// Answers after a pause (for SSE stream tests).
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_reconnection", read_only)]
struct Reconnection {}

pub(super) fn tools(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(|_: SimpleText, _cx: Context| async { "This is a simple text response for testing." })
        .tool(|_: ImageContent, _cx: Context| async { Content::image(PNG, "image/png") })
        .tool(|_: AudioContent, _cx: Context| async { Content::audio(WAV, "audio/wav") })
        .tool(|_: EmbeddedResource, _cx: Context| async {
            Content::resource(ResourceContents::Text {
                uri: "test://embedded-resource".into(),
                mime_type: Some("text/plain".into()),
                text: "This is an embedded resource content.".into(),
            })
        })
        .tool(|_: MultipleContentTypes, _cx: Context| async {
            vec![
                Content::text("Multiple content types test:"),
                Content::image(PNG, "image/png"),
                Content::resource(ResourceContents::Text {
                    uri: "test://mixed-content-resource".into(),
                    mime_type: Some("application/json".into()),
                    text: r#"{"test":"data","value":123}"#.into(),
                }),
            ]
        })
        .tool(|_: ErrorHandling, _cx: Context| async {
            Err::<CallToolResult, _>(ToolError::new(
                "This tool intentionally returns an error for testing",
            ))
        })
        .tool(|_: JsonSchema2020, _cx: Context| async { "Accepted." })
        .tool(|args: CustomHeader, _cx: Context| async move { args.value })
        .tool(|_: Reconnection, _cx: Context| async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            "Reconnection test completed."
        })
}
