//! Stripe: `{"error": {"type": "invalid_request_error", "code", "message", "param",
//! "doc_url"}}` with a `Request-Id` header.

use super::{status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct Stripe;

const TYPES: &[&str] = &[
    "api_error",
    "card_error",
    "idempotency_error",
    "invalid_request_error",
    "authentication_error",
    "rate_limit_error",
    "api_connection_error",
    "permission_error",
];

impl ErrorNormalizer for Stripe {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let error = response.json()?.get("error")?;
        let kind = str_at(error, &["type"]).filter(|t| TYPES.contains(t))?;
        let message = str_at(error, &["message"]).unwrap_or_default();
        let status = match kind {
            "rate_limit_error" => 429,
            "authentication_error" => 401,
            "permission_error" => 403,
            "card_error" => status_or(response, 402),
            "api_error" => status_or(response, 500),
            _ => status_or(response, 400),
        };
        let code = str_at(error, &["code"]).unwrap_or(kind);
        let message = match str_at(error, &["param"]) {
            Some(param) => format!("{message} (parameter: {param})"),
            None => message.to_owned(),
        };
        let mut err = NormalizedError::new(status, message)
            .with_provider("Stripe")
            .with_code(code)
            .with_metadata("type", kind);
        for (key, name) in [("doc_url", "docUrl"), ("decline_code", "declineCode")] {
            if let Some(v) = str_at(error, &[key]) {
                err = err.with_metadata(name, v);
            }
        }
        Some(err)
    }
}
