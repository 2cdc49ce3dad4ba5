//! Multi round-trip requests: a handler asks the client for input (elicitation,
//! sampling, roots) and is called again with the answers.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// A request for more input, returned by a tool, prompt or resource handler in
/// place of its result.
///
/// Modern clients (`2026-07-28`) get an `InputRequiredResult` and retry the request
/// with the answers; the state travels with it, sealed against tampering. For
/// legacy clients the server sends the same requests to the client itself (on
/// transports that can: stdio, and the HTTP response stream) and calls the handler
/// again with the answers. Either way the handler reads them with
/// [`Context::input`](crate::Context::input) and
/// [`Context::request_state`](crate::Context::request_state).
///
/// ```
/// use mcp_core::{Context, InputRequired, JsonSchema, Tool, ToolError};
/// use serde::Deserialize;
/// use serde_json::json;
///
/// /// Book a table after asking for the party size.
/// #[derive(Deserialize, JsonSchema, Tool)]
/// struct Book {}
///
/// #[derive(Deserialize)]
/// struct Answer { content: Option<Party> }
/// #[derive(Deserialize)]
/// struct Party { size: u32 }
///
/// async fn book(_: Book, cx: Context) -> Result<String, ToolError> {
///     match cx.input::<Answer>("party").and_then(|a| a.content) {
///         Some(party) => Ok(format!("Booked for {}", party.size)),
///         None => Err(InputRequired::new()
///             .elicit("party", "How many people?", json!({
///                 "type": "object",
///                 "properties": {"size": {"type": "integer"}},
///                 "required": ["size"]
///             }))
///             .into()),
///     }
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputRequired {
    pub(crate) requests: Map<String, Value>,
    pub(crate) state: Option<Value>,
}

impl InputRequired {
    /// An empty request; add inputs and/or state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the user, through the client, to fill in a form (`elicitation/create`).
    #[must_use]
    pub fn elicit(self, key: impl Into<String>, message: impl Into<String>, schema: Value) -> Self {
        self.request(
            key,
            "elicitation/create",
            json!({ "mode": "form", "message": message.into(), "requestedSchema": schema }),
        )
    }

    /// Asks the user to fill in a form whose schema comes from `T` (a flat struct
    /// of strings, numbers, integers, booleans and enums; `#[schemars(default = ...)]`
    /// or `#[serde(default)]` values become the form's defaults). Read the answer
    /// with [`Context::form`](crate::Context::form).
    #[must_use]
    pub fn elicit_form<T: JsonSchema>(
        self,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.elicit(key, message, crate::schema::inline_schema_for::<T>())
    }

    /// Asks the client's model for a completion (`sampling/createMessage`).
    #[must_use]
    pub fn sample(
        self,
        key: impl Into<String>,
        prompt: impl Into<String>,
        max_tokens: u32,
    ) -> Self {
        self.request(
            key,
            "sampling/createMessage",
            json!({
                "messages": [{"role": "user", "content": {"type": "text", "text": prompt.into()}}],
                "maxTokens": max_tokens
            }),
        )
    }

    /// Asks the client for its roots (`roots/list`).
    #[must_use]
    pub fn list_roots(self, key: impl Into<String>) -> Self {
        self.request(key, "roots/list", json!({}))
    }

    /// Adds any client request by method and params (`elicitation/create`,
    /// `sampling/createMessage` or `roots/list`).
    #[must_use]
    pub fn request(mut self, key: impl Into<String>, method: &str, params: Value) -> Self {
        self.requests
            .insert(key.into(), json!({ "method": method, "params": params }));
        self
    }

    /// State to receive back on the retry (sealed with HMAC and an expiry; a
    /// tampered or stale state is rejected before the handler runs).
    #[must_use]
    pub fn with_state(mut self, state: impl Serialize) -> Self {
        self.state = Some(serde_json::to_value(state).unwrap_or(Value::Null));
        self
    }

    /// The client capabilities these requests need, as `requiredCapabilities`
    /// lists them (`{"sampling": {}}`), for those `declared` lacks.
    pub(crate) fn missing_capabilities(&self, declared: Option<&Value>) -> Map<String, Value> {
        let mut missing = Map::new();
        for request in self.requests.values() {
            let capability = match request["method"].as_str() {
                Some("elicitation/create") => "elicitation",
                Some("sampling/createMessage") => "sampling",
                Some("roots/list") => "roots",
                _ => continue,
            };
            if declared.and_then(|d| d.get(capability)).is_none() {
                missing.insert(capability.to_owned(), json!({}));
            }
        }
        missing
    }
}

/// One attempt of a handler that may ask for input.
pub(crate) enum Attempt<T> {
    Done(T),
    Input(InputRequired),
}
