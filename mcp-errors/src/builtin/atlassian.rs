//! Jira and other Atlassian APIs: `{"errorMessages": [...], "errors": {"field": "msg"}}`.

use serde_json::Value;

use super::status_or;
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct Atlassian;

impl ErrorNormalizer for Atlassian {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let body = response.json()?;
        let messages = body.get("errorMessages").and_then(Value::as_array);
        let fields = body.get("errors").and_then(Value::as_object);
        if messages.is_none() || (response.status() < 400 && messages.is_some_and(Vec::is_empty)) {
            return None;
        }
        let mut parts: Vec<String> = messages
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .take(5)
            .map(str::to_owned)
            .collect();
        let mut names = Vec::new();
        for (field, message) in fields.into_iter().flatten().take(5) {
            names.push(field.as_str());
            match message.as_str() {
                Some(m) => parts.push(format!("{field}: {m}")),
                None => parts.push(format!("{field}: {message}")),
            }
        }
        if parts.is_empty() && response.status() < 400 {
            return None;
        }
        let mut err = NormalizedError::new(status_or(response, 400), parts.join("; "))
            .with_provider("Atlassian");
        if !names.is_empty() {
            err = err.with_metadata("fields", names.join(", "));
        }
        Some(err)
    }
}
