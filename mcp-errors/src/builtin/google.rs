//! Google APIs: `{"error": {"code": 404, "message", "status": "NOT_FOUND",
//! "errors": [{"reason"}], "details": [{"reason"}]}}`.

use serde_json::Value;

use super::{error_status, status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct Google;

const RATE_REASONS: &[&str] = &[
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "RATE_LIMIT_EXCEEDED",
    "quotaExceeded",
    "dailyLimitExceeded",
];

impl ErrorNormalizer for Google {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let error = response.json()?.get("error")?;
        let numeric = error.get("code").filter(|c| c.is_number());
        let status_name = str_at(error, &["status"]);
        let legacy = error.get("errors").is_some_and(Value::is_array);
        if numeric.is_none() || !(status_name.is_some() || legacy) {
            return None;
        }
        let reason = error
            .pointer("/errors/0/reason")
            .or_else(|| first_detail_reason(error))
            .and_then(Value::as_str);
        let status = if reason.is_some_and(|r| RATE_REASONS.contains(&r))
            || status_name == Some("RESOURCE_EXHAUSTED")
        {
            429
        } else if status_name == Some("UNAUTHENTICATED") {
            401
        } else {
            numeric
                .and_then(error_status)
                .unwrap_or_else(|| status_or(response, 400))
        };
        let message = str_at(error, &["message"]).unwrap_or_default();
        let code = match (status, reason, status_name) {
            (429, Some(r), _) => r,
            (_, _, Some(s)) => s,
            (_, Some(r), None) => r,
            (_, None, None) => "error",
        };
        let mut err = NormalizedError::new(status, message)
            .with_provider("Google")
            .with_code(code);
        if let Some(r) = reason.filter(|r| *r != code) {
            err = err.with_metadata("reason", r);
        }
        Some(err)
    }
}

fn first_detail_reason(error: &Value) -> Option<&Value> {
    error
        .get("details")?
        .as_array()?
        .iter()
        .find_map(|d| d.get("reason"))
}
