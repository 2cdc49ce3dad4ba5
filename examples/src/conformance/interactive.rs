//! Tools that talk back: logs, progress, and requests to the client (sampling,
//! elicitation) written once as multi round-trip requests; the SDK sends them to
//! legacy clients itself.

use std::time::Duration;

use mcp_core::wire::LogLevel;
use mcp_core::{
    Context, InputRequired, JsonSchema, ListKind, ServerBuilder, Tool, ToolError, Value,
};
use serde::Deserialize;
use serde_json::json;

/// Logs three messages while it works.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_tool_with_logging", read_only)]
struct WithLogging {}

/// Reports progress three times while it works.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_tool_with_progress", read_only)]
struct WithProgress {}

/// Asks the client's model to answer a prompt (sampling).
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_sampling")]
struct Sampling {
    /// The prompt for the model.
    prompt: String,
}

/// Asks the user for their details (elicitation).
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_elicitation")]
struct Elicitation {
    /// The message shown to the user.
    message: String,
}

/// Asks the user to review a form whose fields have defaults.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_elicitation_sep1034_defaults")]
struct ElicitationDefaults {}

/// Asks the user to pick from every kind of enum field.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_elicitation_sep1330_enums")]
struct ElicitationEnums {}

/// Needs sampling, which the client may not have declared.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_missing_capability")]
struct MissingCapability {}

/// Asks for input without ever sending a request on the response stream.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_streaming_elicitation")]
struct StreamingElicitation {}

/// Logs only when the request asked for logs.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_logging_tool", read_only)]
struct LoggingTool {}

/// Announces that the tool list changed.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_trigger_tool_change")]
struct TriggerToolChange {}

/// Announces that the prompt list changed.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_trigger_prompt_change")]
struct TriggerPromptChange {}

fn pause() -> tokio::time::Sleep {
    tokio::time::sleep(Duration::from_millis(50))
}

/// `action=..., content=...` of an elicitation answer.
fn describe(answer: &Value) -> String {
    format!("action={}, content={}", answer["action"], answer["content"])
}

fn form(key: &str, message: &str, schema: Value) -> ToolError {
    InputRequired::new()
        .request(
            key,
            "elicitation/create",
            json!({"message": message, "requestedSchema": schema}),
        )
        .into()
}

pub(super) fn tools(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(|_: WithLogging, cx: Context| async move {
            for (i, text) in ["Tool execution started", "Tool processing data", "Tool execution completed"]
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    pause().await;
                }
                cx.log(LogLevel::Info, text).await;
            }
            "Logging test completed."
        })
        .tool(|_: WithProgress, cx: Context| async move {
            for (i, step) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                if i > 0 {
                    pause().await;
                }
                cx.progress(step, Some(100.0), None).await;
            }
            "Progress test completed."
        })
        .tool(|args: Sampling, cx: Context| async move {
            match cx.input_value("sampling") {
                Some(answer) => Ok(format!(
                    "LLM response: {}",
                    answer["content"]["text"].as_str().unwrap_or_default()
                )),
                None => Err(ToolError::from(InputRequired::new().sample("sampling", args.prompt, 100))),
            }
        })
        .tool(|args: Elicitation, cx: Context| async move {
            match cx.input_value("details") {
                Some(answer) => Ok(format!("User response: {}", describe(answer))),
                None => Err(form(
                    "details",
                    &args.message,
                    json!({
                        "type": "object",
                        "properties": {
                            "username": {"type": "string", "description": "User's response"},
                            "email": {"type": "string", "description": "User's email address"}
                        },
                        "required": ["username", "email"]
                    }),
                )),
            }
        })
        .tool(|_: ElicitationDefaults, cx: Context| async move {
            match cx.input_value("review") {
                Some(answer) => Ok(format!("Elicitation completed: {}", describe(answer))),
                None => Err(form(
                    "review",
                    "Please review and update the form fields with defaults",
                    json!({
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "description": "User name", "default": "John Doe"},
                            "age": {"type": "integer", "description": "User age", "default": 30},
                            "score": {"type": "number", "description": "User score", "default": 95.5},
                            "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
                            "verified": {"type": "boolean", "description": "Verification status", "default": true}
                        },
                        "required": []
                    }),
                )),
            }
        })
        .tool(|_: ElicitationEnums, cx: Context| async move {
            match cx.input_value("choices") {
                Some(answer) => Ok(format!("Elicitation completed: {}", describe(answer))),
                None => Err(form(
                    "choices",
                    "Please choose from every kind of enum",
                    json!({
                        "type": "object",
                        "properties": {
                            "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
                            "titledSingle": {"type": "string", "oneOf": [
                                {"const": "value1", "title": "First Option"},
                                {"const": "value2", "title": "Second Option"},
                                {"const": "value3", "title": "Third Option"}
                            ]},
                            "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
                            "untitledMulti": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                            "titledMulti": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"anyOf": [
                                {"const": "value1", "title": "First Choice"},
                                {"const": "value2", "title": "Second Choice"},
                                {"const": "value3", "title": "Third Choice"}
                            ]}}
                        },
                        "required": []
                    }),
                )),
            }
        })
        .tool(|_: MissingCapability, cx: Context| async move {
            match cx.input_value("answer") {
                Some(_) => Ok("Sampling answered.".to_owned()),
                None => Err(ToolError::from(InputRequired::new().sample("answer", "Say hello.", 20))),
            }
        })
        .tool(|_: StreamingElicitation, cx: Context| async move {
            match cx.input_value("confirm") {
                Some(answer) => Ok(format!("Confirmed: {}", describe(answer))),
                None => Err(form(
                    "confirm",
                    "Please confirm",
                    json!({"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}),
                )),
            }
        })
        .tool(|_: LoggingTool, cx: Context| async move {
            cx.log(LogLevel::Info, "Logging tool ran").await;
            "Logging tool completed."
        })
        .tool(|_: TriggerToolChange, cx: Context| async move {
            cx.notify_list_changed(ListKind::Tools);
            "Tool list change announced."
        })
        .tool(|_: TriggerPromptChange, cx: Context| async move {
            cx.notify_list_changed(ListKind::Prompts);
            "Prompt list change announced."
        })
}
