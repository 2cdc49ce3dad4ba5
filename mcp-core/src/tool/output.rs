//! What a tool handler may return: [`IntoToolResult`] and [`Json`].

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::ToolError;
use crate::{CallToolResult, Content};

/// A value a tool handler can return.
///
/// Implemented for text (`String`, `&'static str`), content blocks, a whole
/// [`CallToolResult`], [`Json`] for typed structured results, `()`, and
/// `Result<T, E>` where `E: Into<ToolError>`.
#[diagnostic::on_unimplemented(
    message = "a tool handler cannot return `{Self}`",
    note = "return a String, Content, Vec<Content>, CallToolResult, Json<T> or Result<_, ToolError>"
)]
pub trait IntoToolResult {
    /// Converts into the result sent to the client.
    ///
    /// # Errors
    /// A [`ToolError`] becomes an `isError` result (or a rate-limit response).
    fn into_tool_result(self) -> Result<CallToolResult, ToolError>;

    /// The `outputSchema` advertised for this return type, if it is structured.
    fn output_schema() -> Option<Value> {
        None
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(self)
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(vec![Content::text(self)]))
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(vec![Content::text(self)]))
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(Vec::new()))
    }
}

impl IntoToolResult for Content {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(vec![self]))
    }
}

impl IntoToolResult for Vec<Content> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(self))
    }
}

impl<T: IntoToolResult, E: Into<ToolError>> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        self.map_err(Into::into).and_then(T::into_tool_result)
    }

    fn output_schema() -> Option<Value> {
        T::output_schema()
    }
}

/// A typed, structured tool result.
///
/// Sent as `structuredContent`, with the same JSON as a text block for clients that
/// ignore structured content; the tool's `outputSchema` is generated from `T`, whose
/// schema must describe an object.
///
/// ```
/// use mcp_core::{IntoToolResult, Json, JsonSchema};
/// use serde::Serialize;
///
/// #[derive(Serialize, JsonSchema)]
/// struct Sum { sum: f64 }
///
/// let result = Json(Sum { sum: 5.0 }).into_tool_result().unwrap();
/// assert_eq!(result.structured_content.as_ref().unwrap()["sum"], 5.0);
/// assert_eq!(result.text(), r#"{"sum":5.0}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Json<T>(pub T);

impl<T: Serialize + JsonSchema> IntoToolResult for Json<T> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        let value = serde_json::to_value(&self.0)
            .map_err(|e| ToolError::new(format!("the tool's result could not be encoded: {e}")))?;
        let text = value.to_string();
        Ok(CallToolResult {
            content: vec![Content::text(text)],
            structured_content: Some(value),
            is_error: Some(false),
        })
    }

    fn output_schema() -> Option<Value> {
        Some(crate::schema_for::<T>())
    }
}
