//! `completion/complete`: argument suggestions for prompts and resource templates.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// What is being completed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CompletionRef {
    /// An argument of a prompt.
    #[serde(rename = "ref/prompt")]
    Prompt {
        /// The prompt's name.
        name: String,
    },
    /// A variable of a resource template.
    #[serde(rename = "ref/resource")]
    Resource {
        /// The URI template.
        uri: String,
    },
}

/// A completion request: which argument, its partial value, and the others known.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CompletionRequest {
    /// The prompt or template.
    #[serde(rename = "ref")]
    pub reference: CompletionRef,
    /// The argument being completed.
    pub argument: CompletionArgument,
    /// Arguments already filled in.
    #[serde(default)]
    pub context: Option<CompletionContext>,
}

/// The argument being completed and what was typed so far.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CompletionArgument {
    /// Its name.
    pub name: String,
    /// The partial value.
    pub value: String,
}

/// Arguments already resolved.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CompletionContext {
    /// By name.
    #[serde(default)]
    pub arguments: HashMap<String, String>,
}

/// Suggested values.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// At most 100 suggestions.
    pub values: Vec<String>,
    /// How many exist in all, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total: Option<u64>,
    /// Whether more exist than were returned.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub has_more: Option<bool>,
}

impl Completion {
    /// Suggestions (capped at 100, the spec's maximum; `hasMore` says so).
    pub fn new(values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let mut values: Vec<String> = values.into_iter().map(Into::into).collect();
        let total = values.len();
        let has_more = total > 100;
        values.truncate(100);
        Self {
            values,
            total: Some(total as u64),
            has_more: Some(has_more),
        }
    }
}
