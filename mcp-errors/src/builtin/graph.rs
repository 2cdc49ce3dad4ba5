//! Microsoft Graph: `{"error": {"code": "Request_ResourceNotFound", "message",
//! "innerError": {"request-id", "date"}}}`.

use super::{status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct MicrosoftGraph;

impl ErrorNormalizer for MicrosoftGraph {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let error = response.json()?.get("error")?;
        let code = str_at(error, &["code"])?;
        let inner = error.get("innerError").or_else(|| error.get("innererror"));
        if inner.is_none() && response.header("client-request-id").is_none() {
            return None;
        }
        let status = match code {
            "InvalidAuthenticationToken" | "CompactToken_ParsingFailed" | "unauthenticated" => 401,
            "Authorization_RequestDenied" | "accessDenied" | "ErrorAccessDenied" => 403,
            "TooManyRequests" | "activityLimitReached" | "throttledRequest" => 429,
            "Request_ResourceNotFound"
            | "itemNotFound"
            | "ErrorItemNotFound"
            | "ResourceNotFound" => 404,
            _ => status_or(response, 400),
        };
        let message = str_at(error, &["message"]).unwrap_or_default();
        let mut err = NormalizedError::new(status, message)
            .with_provider("Microsoft Graph")
            .with_code(code);
        let request_id = inner
            .and_then(|i| str_at(i, &["request-id"]))
            .or_else(|| response.header("request-id"));
        if let Some(id) = request_id {
            err = err.with_metadata("requestId", id);
        }
        if let Some(inner_code) = inner.and_then(|i| str_at(i, &["code"])) {
            err = err.with_metadata("innerCode", inner_code);
        }
        Some(err)
    }
}
