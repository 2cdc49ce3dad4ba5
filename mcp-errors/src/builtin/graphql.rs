//! GraphQL: `{"errors": [{"message", "path", "extensions": {"code"}}], "data": ...}`,
//! usually with HTTP 200. Any `errors` entry makes the response an error, even
//! beside partial `data`.

use serde_json::Value;

use super::{status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct GraphQl;

impl ErrorNormalizer for GraphQl {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let errors = response.json()?.get("errors")?.as_array()?;
        let first = errors.first()?;
        let message = str_at(first, &["message"])?;
        let code = str_at(first, &["extensions", "code"]).or_else(|| str_at(first, &["type"]));
        let status = match code {
            Some("UNAUTHENTICATED" | "AUTHENTICATION_ERROR" | "INVALID_TOKEN") => 401,
            Some("FORBIDDEN" | "ACCESS_DENIED") => 403,
            Some("NOT_FOUND") => 404,
            Some("THROTTLED" | "RATE_LIMITED" | "RATE_LIMIT_EXCEEDED") => 429,
            Some("INTERNAL_SERVER_ERROR") => status_or(response, 500),
            _ => status_or(response, 400),
        };
        let mut text = message.to_owned();
        if errors.len() > 1 {
            text.push_str(&format!(" (and {} more errors)", errors.len() - 1));
        }
        let mut err = NormalizedError::new(status, text);
        if let Some(code) = code {
            err = err.with_code(code);
        }
        if let Some(Value::Array(path)) = first.get("path") {
            let path: Vec<String> = path
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            err = err.with_metadata("path", path.join("."));
        }
        Some(err)
    }
}
