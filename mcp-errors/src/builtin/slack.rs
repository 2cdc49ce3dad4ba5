//! Slack Web API: HTTP 200 (or 429) with `{"ok": false, "error": "code"}`. Most codes
//! become `400` (the model's arguments were wrong), as the seed article prescribes.

use serde_json::Value;

use super::{humanize, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct Slack;

const REAUTH: &[&str] = &[
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "no_permission",
    "missing_scope",
    "org_login_required",
    "two_factor_setup_required",
];

impl ErrorNormalizer for Slack {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        let body = response.json()?;
        if body.get("ok") != Some(&Value::Bool(false)) {
            return None;
        }
        let code = str_at(body, &["error"]).unwrap_or("unknown_error");
        let status = match code {
            "ratelimited" | "rate_limited" => 429,
            "missing_scope"
            | "no_permission"
            | "restricted_action"
            | "not_allowed_token_type"
            | "ekm_access_denied" => 403,
            "invalid_auth"
            | "not_authed"
            | "token_revoked"
            | "token_expired"
            | "account_inactive"
            | "org_login_required"
            | "two_factor_setup_required" => 401,
            "internal_error" | "fatal_error" => 500,
            "service_unavailable" | "request_timeout" => 503,
            _ => 400,
        };
        let mut message = humanize(code);
        if let Some(Value::Array(details)) = body.pointer("/response_metadata/messages") {
            for detail in details.iter().filter_map(Value::as_str).take(3) {
                message.push(' ');
                message.push_str(detail);
            }
        }
        let mut err = NormalizedError::new(status, message)
            .with_provider("Slack")
            .with_code(code)
            .with_needs_reauth(REAUTH.contains(&code));
        if let Some(hint) = hint(code, body) {
            err = err.with_hint(hint);
        }
        for key in ["needed", "provided", "warning"] {
            if let Some(v) = str_at(body, &[key]) {
                err = err.with_metadata(key, v);
            }
        }
        Some(err)
    }
}

fn hint(code: &str, body: &Value) -> Option<String> {
    Some(match code {
        "channel_not_found" => "The channel may have been archived, or the ID is wrong; list \
                                channels and retry with an existing one."
            .to_owned(),
        "not_in_channel" => "The app is not a member of this channel; invite it first or pick \
                             another channel."
            .to_owned(),
        "is_archived" => "The channel is archived; pick an active channel.".to_owned(),
        "user_not_found" | "users_not_found" => {
            "No such user; look the user up by email or list users first.".to_owned()
        }
        "invalid_arguments" | "invalid_arg_name" | "invalid_array_arg" => {
            "Check the arguments against the tool's schema and retry.".to_owned()
        }
        "missing_scope" => match str_at(body, &["needed"]) {
            Some(needed) => format!("The Slack app lacks the scope {needed}."),
            None => "The Slack app lacks a required scope.".to_owned(),
        },
        _ => return None,
    })
}
