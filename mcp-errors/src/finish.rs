//! What the chain does to every normalized error: rate-limit headers, effective
//! status, re-authentication, provider, request id, default hints, sanitizing.

use std::time::SystemTime;

use http::StatusCode;

use crate::text::Sanitizer;
use crate::{NormalizedError, RateLimitInfo, UpstreamResponse};

/// Headers that carry an upstream request id, in order of preference.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-github-request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-ms-request-id",
    "x-arequestid",
    "x-correlation-id",
    "x-hubspot-correlation-id",
    "sforce-limit-info-request-id",
    "x-slack-req-id",
];

pub(crate) fn finish(
    response: &UpstreamResponse,
    mut err: NormalizedError,
    sanitizer: &Sanitizer,
) -> NormalizedError {
    err.upstream_status = response.status();
    let now = response.received_at().unwrap_or_else(SystemTime::now);
    let info = RateLimitInfo::from_headers_at(response.headers(), now);
    if err.status == 403 && info.is_exhausted() {
        // GitHub (and others) answer a spent quota with 403.
        err.status = 429;
    }
    if !(400..=599).contains(&err.status) {
        err.status = if (400..=599).contains(&err.upstream_status) {
            err.upstream_status
        } else if err.status > 599 {
            502
        } else {
            400
        };
    }
    if err.is_rate_limited() {
        err.retry_after = err.retry_after.or(info.wait());
        err.limit = err.limit.or(info.limit);
        err.remaining = err.remaining.or(info.remaining);
    } else {
        err.retry_after = err.retry_after.or(info.retry_after);
    }
    if err.status == 401 {
        err.needs_reauth = true;
    }
    if let Some(provider) = response.provider() {
        err.provider = Some(provider.to_owned());
    }
    if !err.metadata.contains_key("requestId")
        && let Some(id) = REQUEST_ID_HEADERS.iter().find_map(|h| response.header(h))
    {
        err.metadata.insert("requestId".to_owned(), id.to_owned());
    }
    clean(&mut err, response, sanitizer);
    if err.needs_reauth {
        let who = err.provider.as_deref().unwrap_or("the upstream account");
        let reconnect = format!(
            "The connection to {who} must be re-authorized: ask the user to reconnect {who}. \
             Retrying will keep failing until then."
        );
        err.hint = Some(match err.hint.take() {
            Some(specific) => format!("{specific} {reconnect}"),
            None => reconnect,
        });
    } else if err.hint.is_none() {
        err.hint = Some(default_hint(&err));
    }
    err
}

fn clean(err: &mut NormalizedError, response: &UpstreamResponse, sanitizer: &Sanitizer) {
    let secrets = response.secrets();
    err.message = sanitizer.clean(&err.message, secrets);
    if err.message.is_empty() {
        err.message = reason(err.status).to_owned();
    }
    err.hint = err
        .hint
        .take()
        .map(|h| sanitizer.clean(&h, secrets))
        .filter(|h| !h.is_empty());
    err.code = err
        .code
        .take()
        .map(|c| crate::text::prefix(&sanitizer.clean(&c, secrets), 200).to_owned())
        .filter(|c| !c.is_empty());
    err.provider = err
        .provider
        .take()
        .map(|p| crate::text::prefix(&p, 100).to_owned());
    for value in err.metadata.values_mut() {
        *value = crate::text::prefix(&sanitizer.clean(value, secrets), 1024).to_owned();
    }
}

/// The reason phrase of a status (`Not Found`).
pub(crate) fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Upstream error")
}

fn default_hint(err: &NormalizedError) -> String {
    match err.status {
        429 => match err.retry_after {
            Some(wait) => match wait.as_secs() + u64::from(wait.subsec_nanos() > 0) {
                1 => "Wait 1 second before calling this tool again.".to_owned(),
                n => format!("Wait {n} seconds before calling this tool again."),
            },
            None => "Wait before calling this tool again.".to_owned(),
        },
        400 | 422 => {
            "Check the arguments against the message and retry with corrected values.".to_owned()
        }
        403 => "The connected account is not allowed to do this; retrying with the same \
                arguments will not help."
            .to_owned(),
        404 | 410 => "The requested record or resource does not exist; check the identifier \
                      (search or list first) and retry."
            .to_owned(),
        409 | 412 => "The request conflicts with the record's current state; fetch it again \
                      and retry."
            .to_owned(),
        413 => "The request is too large; send less data at once.".to_owned(),
        408 | 500..=599 => {
            "The upstream service failed or timed out; retrying later may help.".to_owned()
        }
        _ => "The upstream rejected the request; adjust the arguments before retrying.".to_owned(),
    }
}
