//! The `test_input_required_result_*` fixtures: modern multi round-trip requests.

use mcp_core::{Context, InputRequired, JsonSchema, ServerBuilder, Tool, ToolError, Value};
use serde::Deserialize;
use serde_json::json;

/// Asks for the user's name, then greets them.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_elicitation")]
struct AskName {}

/// Asks the client's model a question.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_sampling")]
struct AskModel {}

/// Asks the client for its roots.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_list_roots")]
struct AskRoots {}

/// Asks for confirmation, carrying state across the retry.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_request_state")]
struct WithState {}

/// Asks for a name, a greeting and the roots at once.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_multiple_inputs")]
struct MultipleInputs {}

/// Asks two questions in two rounds.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_multi_round")]
struct MultiRound {}

/// Rejects a retry whose state was tampered with.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_tampered_state")]
struct TamperedState {}

/// Asks only for what the client declared it can do.
#[derive(Deserialize, JsonSchema, Tool)]
#[tool(name = "test_input_required_result_capabilities")]
struct Capabilities {}

pub(crate) fn form(message: &str, field: &str, kind: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": {field: {"type": kind}},
            "required": [field]
        }
    })
}

/// The accepted form content of input `key`, when it is one.
pub(crate) fn accepted(cx: &Context, key: &str) -> Option<serde_json::Map<String, Value>> {
    let answer = cx.input_value(key)?;
    answer.get("content")?.as_object().cloned()
}

fn ask(key: &str, message: &str, field: &str, kind: &str) -> InputRequired {
    InputRequired::new().request(key, "elicitation/create", form(message, field, kind))
}

fn text(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

pub(super) fn tools(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(|_: AskName, cx: Context| async move {
            match accepted(&cx, "user_name") {
                Some(content) => Ok(format!("Hello, {}!", text(content.get("name")))),
                None => Err(ToolError::from(ask(
                    "user_name",
                    "What is your name?",
                    "name",
                    "string",
                ))),
            }
        })
        .tool(|_: AskModel, cx: Context| async move {
            match cx.input_value("capital_question") {
                Some(answer) => Ok(format!(
                    "The model said: {}",
                    text(answer["content"].get("text"))
                )),
                None => Err(ToolError::from(InputRequired::new().sample(
                    "capital_question",
                    "What is the capital of France?",
                    100,
                ))),
            }
        })
        .tool(|_: AskRoots, cx: Context| async move {
            match cx.input_value("client_roots") {
                Some(answer) => Ok(format!("Roots: {}", answer["roots"])),
                None => Err(ToolError::from(
                    InputRequired::new().list_roots("client_roots"),
                )),
            }
        })
        .tool(|_: WithState, cx: Context| async move {
            let state: Option<String> = cx.request_state();
            match (accepted(&cx, "confirm"), state.as_deref()) {
                (Some(_), Some("state-ok")) => Ok("Confirmed: state-ok".to_owned()),
                _ => Err(ToolError::from(
                    ask("confirm", "Please confirm", "ok", "boolean").with_state("state-ok"),
                )),
            }
        })
        .tool(|_: MultipleInputs, cx: Context| async move {
            let name = accepted(&cx, "user_name");
            let greeting = cx.input_value("greeting");
            let roots = cx.input_value("client_roots");
            match (name, greeting, roots) {
                (Some(name), Some(greeting), Some(_)) => Ok(format!(
                    "{} {}",
                    text(greeting["content"].get("text")),
                    text(name.get("name"))
                )),
                _ => Err(ToolError::from(
                    ask("user_name", "What is your name?", "name", "string")
                        .sample("greeting", "Generate a greeting", 50)
                        .list_roots("client_roots")
                        .with_state("multiple"),
                )),
            }
        })
        .tool(|_: MultiRound, cx: Context| async move {
            let round: Option<Value> = cx.request_state();
            let round = round.as_ref();
            match round.and_then(|r| r["round"].as_u64()) {
                Some(1) => match accepted(&cx, "step1") {
                    Some(content) => Err(ToolError::from(
                        ask(
                            "step2",
                            "Step 2: What is your favorite color?",
                            "color",
                            "string",
                        )
                        .with_state(json!({"round": 2, "name": content.get("name")})),
                    )),
                    None => Err(ToolError::from(
                        ask("step1", "Step 1: What is your name?", "name", "string")
                            .with_state(json!({"round": 1})),
                    )),
                },
                Some(2) => match accepted(&cx, "step2") {
                    Some(content) => Ok(format!(
                        "{} likes {}",
                        text(round.and_then(|r| r.get("name"))),
                        text(content.get("color"))
                    )),
                    None => Err(ToolError::from(
                        ask(
                            "step2",
                            "Step 2: What is your favorite color?",
                            "color",
                            "string",
                        )
                        .with_state(round.cloned().unwrap_or_default()),
                    )),
                },
                _ => Err(ToolError::from(
                    ask("step1", "Step 1: What is your name?", "name", "string")
                        .with_state(json!({"round": 1})),
                )),
            }
        })
        .tool(|_: TamperedState, cx: Context| async move {
            // A tampered state never gets here: the SDK rejects it with -32602.
            let state: Option<String> = cx.request_state();
            match (accepted(&cx, "confirm"), state) {
                (Some(_), Some(_)) => Ok("State verified.".to_owned()),
                _ => Err(ToolError::from(
                    ask("confirm", "Please confirm", "ok", "boolean").with_state("sealed"),
                )),
            }
        })
        .tool(|_: Capabilities, cx: Context| async move {
            if cx.input_value("question").is_some() || cx.input_value("form").is_some() {
                return Ok("Thanks.".to_owned());
            }
            let mut input = InputRequired::new();
            if cx.client_supports("sampling") {
                input = input.sample("question", "Say hello.", 20);
            }
            if cx.client_supports("elicitation") {
                input = input.request(
                    "form",
                    "elicitation/create",
                    form("Your name?", "name", "string"),
                );
            }
            if cx.client_supports("roots") {
                input = input.list_roots("roots");
            }
            Err(ToolError::from(input))
        })
}
