//! OAuth 2.0 errors (RFC 6749 §5.2, RFC 6750 §3): `{"error": "invalid_grant",
//! "error_description": "..."}` in any status, or a `WWW-Authenticate: Bearer
//! error="invalid_token"` challenge.

use super::{humanize, status_or, str_at};
use crate::{ErrorNormalizer, NormalizedError, UpstreamResponse};

pub(super) struct OAuth;

/// (code, effective status, needs re-authentication)
const CODES: &[(&str, u16, bool)] = &[
    ("invalid_grant", 401, true),
    ("invalid_token", 401, true),
    ("expired_token", 401, true),
    ("login_required", 401, true),
    ("interaction_required", 401, true),
    ("consent_required", 401, true),
    ("account_selection_required", 401, true),
    ("invalid_client", 400, false),
    ("unauthorized_client", 400, false),
    ("access_denied", 403, false),
    ("insufficient_scope", 403, true),
    ("invalid_scope", 400, false),
    ("invalid_request", 400, false),
    ("unsupported_grant_type", 400, false),
    ("unsupported_response_type", 400, false),
    ("unsupported_token_type", 400, false),
    ("slow_down", 429, false),
    ("server_error", 500, false),
    ("temporarily_unavailable", 503, false),
];

impl ErrorNormalizer for OAuth {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        if let Some(body) = response.json()
            && let Some(code) = str_at(body, &["error"])
        {
            let description = str_at(body, &["error_description"]);
            let mut err = from_code(response, code, description)?;
            if let Some(uri) = str_at(body, &["error_uri"]) {
                err = err.with_metadata("errorUri", uri);
            }
            return Some(err);
        }
        if response.status() < 400 {
            return None;
        }
        let challenge = response.header("www-authenticate")?;
        let code = param(challenge, "error")?;
        from_code(
            response,
            &code,
            param(challenge, "error_description").as_deref(),
        )
    }
}

fn from_code(
    response: &UpstreamResponse,
    code: &str,
    description: Option<&str>,
) -> Option<NormalizedError> {
    let &(_, status, reauth) = CODES.iter().find(|(c, ..)| *c == code)?;
    let status = if status == 401 || status == 403 || status == 429 || response.status() < 400 {
        status
    } else {
        status_or(response, status)
    };
    let message = match description {
        Some(d) if !d.trim().is_empty() => d.to_owned(),
        _ => humanize(code),
    };
    Some(
        NormalizedError::new(status, message)
            .with_code(code)
            .with_needs_reauth(reauth),
    )
}

/// A parameter of an auth challenge: `Bearer realm="x", error="invalid_token"`.
fn param(challenge: &str, name: &str) -> Option<String> {
    let lower = challenge.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0 || matches!(lower.as_bytes()[at - 1], b' ' | b',' | b'\t');
        let rest = challenge[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = rest[1..].trim_start();
        let value = match value.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap_or_default(),
            None => value.split([',', ' ']).next().unwrap_or_default(),
        };
        return Some(value.to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::param;

    #[test]
    fn reads_challenge_parameters() {
        let c = r#"Bearer realm="api", error="invalid_token", error_description="The access token expired""#;
        assert_eq!(param(c, "error").as_deref(), Some("invalid_token"));
        assert_eq!(
            param(c, "error_description").as_deref(),
            Some("The access token expired")
        );
        assert_eq!(param("Bearer realm=x", "error"), None);
    }
}
