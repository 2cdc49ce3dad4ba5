//! RFC 9457 problem details: `application/problem+json` with `type`, `title`,
//! `status`, `detail`, `instance`.

use super::{error_status, status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct ProblemJson;

impl ErrorNormalizer for ProblemJson {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let declared = response
            .content_type()
            .is_some_and(|ct| ct == "application/problem+json");
        let body = response.json()?;
        let title = str_at(body, &["title"]);
        let detail = str_at(body, &["detail"]);
        let kind = str_at(body, &["type"]);
        let body_status = body.get("status").and_then(error_status);
        // Without the media type, only a body that is unmistakably a problem counts.
        if !declared && !(title.is_some() && (kind.is_some() || body_status.is_some())) {
            return None;
        }
        let status = body_status.unwrap_or_else(|| status_or(response, 400));
        if response.status() < 400 && body_status.is_none() {
            return None;
        }
        let message = match (title, detail) {
            (Some(t), Some(d)) if !d.starts_with(t) => {
                let sep = if t.ends_with(['.', '!', '?']) {
                    " "
                } else {
                    ": "
                };
                format!("{t}{sep}{d}")
            }
            (_, Some(d)) => d.to_owned(),
            (Some(t), None) => t.to_owned(),
            (None, None) => String::new(),
        };
        let mut err = NormalizedError::new(status, message);
        if let Some(kind) = kind.filter(|k| *k != "about:blank") {
            let code = kind
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(kind);
            err = err.with_code(code).with_metadata("type", kind);
        }
        if let Some(instance) = str_at(body, &["instance"]) {
            err = err.with_metadata("instance", instance);
        }
        Some(err)
    }
}
