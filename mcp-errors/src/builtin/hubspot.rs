//! HubSpot: `{"status": "error", "message", "correlationId", "category"}`.

use super::{status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct HubSpot;

impl ErrorNormalizer for HubSpot {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let body = response.json()?;
        if str_at(body, &["status"]) != Some("error") {
            return None;
        }
        let correlation = str_at(body, &["correlationId"]);
        let category = str_at(body, &["category"]);
        if correlation.is_none() && category.is_none() {
            return None;
        }
        let status = match category {
            Some("RATE_LIMITS") => 429,
            Some("INVALID_AUTHENTICATION" | "EXPIRED_AUTHENTICATION") => 401,
            Some("MISSING_SCOPES") => 403,
            Some("OBJECT_NOT_FOUND") => 404,
            _ => status_or(response, 400),
        };
        let message = str_at(body, &["message"]).unwrap_or_default();
        let mut err = NormalizedError::new(status, message)
            .with_provider("HubSpot")
            .with_needs_reauth(category == Some("MISSING_SCOPES"));
        if let Some(c) = category {
            err = err.with_code(c);
        }
        if let Some(id) = correlation {
            err = err.with_metadata("requestId", id);
        }
        if let Some(sub) = str_at(body, &["subCategory"]) {
            err = err.with_metadata("subCategory", sub);
        }
        Some(err)
    }
}
