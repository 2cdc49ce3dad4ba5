//! The result of `tools/call`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Content;

/// The result of a tool call, success or `isError`.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// Unstructured content blocks.
    pub content: Vec<Content>,
    /// The typed result, matching the tool's `outputSchema`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub structured_content: Option<Value>,
    /// Whether the call failed; the content then says why, for the model. The
    /// server always sends it; a result received without it is a success.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub is_error: Option<bool>,
}

impl CallToolResult {
    /// A successful result with these content blocks.
    pub fn success(content: Vec<Content>) -> Self {
        Self {
            content,
            structured_content: None,
            is_error: Some(false),
        }
    }

    /// A failed result whose one text block says why.
    pub fn error_text(message: impl Into<String>) -> Self {
        Self {
            content: vec![Content::text(message)],
            structured_content: None,
            is_error: Some(true),
        }
    }

    /// Whether the call failed.
    pub fn is_error(&self) -> bool {
        self.is_error == Some(true)
    }

    /// The concatenated text of the text blocks.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for t in self.content.iter().filter_map(Content::as_text) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(t);
        }
        out
    }
}
