//! GitHub REST API: `{"message", "documentation_url", "errors": [...]}`; a `403` or
//! `429` with `x-ratelimit-remaining: 0` (or a "secondary rate limit" message) is a
//! rate limit.

use serde_json::Value;

use super::{status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct GitHub;

impl ErrorNormalizer for GitHub {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let body = response.json()?;
        let message = str_at(body, &["message"])?;
        let docs = str_at(body, &["documentation_url"]);
        let from_github = docs.is_some_and(|d| d.contains("github.com"))
            || response.header("x-github-request-id").is_some();
        if !from_github || response.status() < 400 {
            return None;
        }
        let lower = message.to_ascii_lowercase();
        let spent = response.header("x-ratelimit-remaining").map(str::trim) == Some("0");
        let status =
            if matches!(response.status(), 403 | 429) && (spent || lower.contains("rate limit")) {
                429
            } else {
                status_or(response, 400)
            };
        let mut text = message.to_owned();
        let mut code = None;
        if let Some(Value::Array(errors)) = body.get("errors") {
            let details: Vec<String> = errors.iter().take(3).filter_map(detail).collect();
            if !details.is_empty() {
                text = format!("{message}: {}", details.join("; "));
            }
            code = errors.first().and_then(|e| str_at(e, &["code"]));
        }
        let mut err = NormalizedError::new(status, text).with_provider("GitHub");
        if let Some(code) = code {
            err = err.with_code(code);
        } else if status == 429 {
            err = err.with_code("rate_limited");
        }
        if let Some(docs) = docs {
            err = err.with_metadata("documentationUrl", docs);
        }
        Some(err)
    }
}

/// One validation error: `{"resource": "Issue", "field": "title", "code": "missing_field"}`.
fn detail(error: &Value) -> Option<String> {
    if let Some(m) = error.as_str().or_else(|| str_at(error, &["message"])) {
        return Some(m.to_owned());
    }
    let field = str_at(error, &["field"])?;
    let code = str_at(error, &["code"]).unwrap_or("invalid");
    Some(format!("{field} {}", code.replace('_', " ")))
}
