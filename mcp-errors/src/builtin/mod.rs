//! The built-in normalizers, one file per provider or format.

mod atlassian;
mod generic;
mod github;
mod google;
mod graph;
mod graphql;
mod hubspot;
mod oauth;
mod problem;
mod salesforce;
mod slack;
mod stripe;

use std::sync::Arc;

use serde_json::Value;

use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

/// The built-ins in the order they are asked: specific shapes first, then the
/// generic ones.
pub(crate) fn all() -> Vec<Arc<dyn ErrorNormalizer>> {
    vec![
        Arc::new(slack::Slack),
        Arc::new(oauth::OAuth),
        Arc::new(problem::ProblemJson),
        Arc::new(stripe::Stripe),
        Arc::new(google::Google),
        Arc::new(graph::MicrosoftGraph),
        Arc::new(github::GitHub),
        Arc::new(hubspot::HubSpot),
        Arc::new(atlassian::Atlassian),
        Arc::new(salesforce::Salesforce),
        Arc::new(graphql::GraphQl),
    ]
}

/// The generic normalizers, asked last by every chain: JSON with common keys, HTML
/// pages, plain text, empty bodies, by status class.
pub(crate) fn fallback(response: &UpstreamResponse) -> Option<NormalizedError> {
    generic::normalize(response)
}

/// The string at `path` inside `value`.
pub(crate) fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path)?.as_str()
}

/// The value at `path` inside `value`.
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// A string or number as text (codes come as both).
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An HTTP error status carried in a body.
pub(crate) fn error_status(value: &Value) -> Option<u16> {
    let n = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    u16::try_from(n).ok().filter(|s| (400..=599).contains(s))
}

/// The upstream's status when it is an error status, else `otherwise`.
pub(crate) fn status_or(response: &UpstreamResponse, otherwise: u16) -> u16 {
    match response.status() {
        s @ 400..=599 => s,
        _ => otherwise,
    }
}

/// `channel_not_found` → `Channel not found`.
pub(crate) fn humanize(code: &str) -> String {
    let spaced = code.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}
