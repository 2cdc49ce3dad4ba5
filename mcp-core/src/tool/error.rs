//! [`ToolError`]: a failure the model reads as a tool result with `isError: true`
//! (or, from a prompt, resource or completion handler, as a JSON-RPC error).

use std::fmt;

use serde_json::Value;

use crate::jsonrpc::{ErrorObject, RequestId, Response};
use crate::{CallToolResult, Content, InputRequired, RateLimit};

/// A tool failure the model can reason about: bad arguments, an upstream error, a
/// missing record. It always reaches the client as a [`CallToolResult`] with
/// `isError: true`, never as a JSON-RPC error, with one exception: a
/// [rate limit](Self::rate_limited), which by default the HTTP transport passes
/// through as `429` so the caller can wait.
///
/// Prompt, resource and completion handlers fail with it too. Having no `isError`
/// result, they answer with a JSON-RPC error instead: `-32602` for
/// [invalid arguments](Self::invalid_arguments) and for [what is not
/// found](Self::not_found) (a resource read gets the not-found error of the
/// client's protocol era), the rate-limit error for a rate limit, else `-32603`,
/// carrying the message and hint.
///
/// ```
/// use mcp_core::ToolError;
/// let err = ToolError::new("Channel #general was not found")
///     .with_hint("List channels with `list_channels` and retry with an existing name.");
/// let result = err.into_result();
/// assert!(result.is_error());
/// assert!(result.text().contains("list_channels"));
/// ```
#[derive(Clone, Debug)]
pub struct ToolError {
    kind: Kind,
    message: String,
    hint: Option<String>,
    structured: Option<Value>,
    rate_limit: Option<Box<RateLimit>>,
    input_required: Option<Box<InputRequired>>,
}

/// What the JSON-RPC error of a prompt, resource or completion handler says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Failed,
    InvalidArguments,
    NotFound,
}

impl ToolError {
    /// A failure with a message for the model.
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            kind: Kind::Failed,
            message: message.to_string(),
            hint: None,
            structured: None,
            rate_limit: None,
            input_required: None,
        }
    }

    /// Arguments that do not fit the tool (also produced by schema validation).
    pub fn invalid_arguments(tool: &str, detail: impl fmt::Display) -> Self {
        let mut e = Self::new(format!("Invalid arguments for tool \"{tool}\": {detail}"))
            .with_hint("Fix the arguments to match the tool's inputSchema and call it again.");
        e.kind = Kind::InvalidArguments;
        e
    }

    /// Something the request names does not exist: a record, a file, the resource
    /// a resource handler was asked to read.
    pub fn not_found(message: impl fmt::Display) -> Self {
        let mut e = Self::new(message);
        e.kind = Kind::NotFound;
        e
    }

    /// A rate limit: the caller should wait `rate_limit.reset` and retry.
    pub fn rate_limited(rate_limit: RateLimit) -> Self {
        let secs = rate_limit.reset_secs();
        Self {
            kind: Kind::Failed,
            message: format!(
                "Rate limited ({}); retry after {secs} s.",
                rate_limit.source
            ),
            hint: Some(format!(
                "Wait {secs} seconds before calling this tool again."
            )),
            structured: Some(rate_limit.to_data()),
            rate_limit: Some(Box::new(rate_limit)),
            input_required: None,
        }
    }

    /// Adds a hint: what the model could do differently.
    #[must_use]
    pub fn with_hint(mut self, hint: impl fmt::Display) -> Self {
        self.hint = Some(hint.to_string());
        self
    }

    /// Adds a machine-readable description, sent as `structuredContent`.
    #[must_use]
    pub fn with_structured(mut self, value: Value) -> Self {
        self.structured = Some(value);
        self
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The rate limit, when this error is one.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.rate_limit.as_deref()
    }

    /// Whether this is a [`not_found`](Self::not_found) error.
    pub fn is_not_found(&self) -> bool {
        self.kind == Kind::NotFound
    }

    pub(crate) fn take_input_required(&mut self) -> Option<InputRequired> {
        self.input_required.take().map(|b| *b)
    }

    /// The message followed by the hint.
    fn text(self) -> String {
        match self.hint {
            Some(hint) => format!("{}\nHint: {hint}", self.message),
            None => self.message,
        }
    }

    /// The `isError: true` result the model sees.
    pub fn into_result(mut self) -> CallToolResult {
        let structured_content = self.structured.take();
        CallToolResult {
            content: vec![Content::text(self.text())],
            structured_content,
            is_error: Some(true),
        }
    }

    /// The JSON-RPC error answering `id` when a prompt, resource or completion
    /// handler fails (see the type's docs).
    pub(crate) fn into_response(mut self, id: RequestId) -> Response {
        let rate_limit = self.rate_limit.take();
        let data = self.structured.take();
        let code = match (&rate_limit, self.kind) {
            (Some(_), _) => ErrorObject::RATE_LIMITED,
            (None, Kind::InvalidArguments | Kind::NotFound) => ErrorObject::INVALID_PARAMS,
            (None, Kind::Failed) => ErrorObject::INTERNAL_ERROR,
        };
        let mut error = ErrorObject::new(code, self.text());
        if let Some(data) = data {
            error = error.with_data(data);
        }
        let response = Response::error(Some(id), error);
        match rate_limit {
            Some(limit) => response.with_rate_limit(*limit),
            None => response,
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ToolError {}

impl From<InputRequired> for ToolError {
    fn from(input: InputRequired) -> Self {
        let mut e = Self::new("the tool needs input from the client");
        e.input_required = Some(Box::new(input));
        e
    }
}

impl From<String> for ToolError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for ToolError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}
