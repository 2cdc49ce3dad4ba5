//! Salesforce REST API: `[{"errorCode": "...", "message": "...", "fields": [...]}]`.

use serde_json::Value;

use super::{status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct Salesforce;

impl ErrorNormalizer for Salesforce {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let errors = response.json()?.as_array()?;
        let first = errors.first()?;
        let code = str_at(first, &["errorCode"])?;
        let messages: Vec<&str> = errors
            .iter()
            .filter_map(|e| str_at(e, &["message"]))
            .take(3)
            .collect();
        let mut message = messages.join("; ");
        if errors.len() > 3 {
            message.push_str(&format!(" (and {} more)", errors.len() - 3));
        }
        let status = match code {
            "INVALID_SESSION_ID" | "INVALID_AUTH_HEADER" => 401,
            "REQUEST_LIMIT_EXCEEDED" | "TOO_MANY_REQUESTS" => 429,
            "NOT_FOUND" | "ENTITY_IS_DELETED" => 404,
            c if c.starts_with("INSUFFICIENT_ACCESS") => 403,
            _ => status_or(response, 400),
        };
        let mut err = NormalizedError::new(status, message)
            .with_provider("Salesforce")
            .with_code(code);
        if let Some(Value::Array(fields)) = first.get("fields") {
            let fields: Vec<&str> = fields.iter().filter_map(Value::as_str).collect();
            if !fields.is_empty() {
                err = err.with_metadata("fields", fields.join(", "));
            }
        }
        if code == "INVALID_TYPE" {
            err = err.with_hint(
                "The object type does not exist in this org or is not accessible; check the \
                 API name (custom objects end in __c) and retry.",
            );
        }
        Some(err)
    }
}
