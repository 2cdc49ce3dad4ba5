//! The answers the layer gives itself: `401`, `400`, `429` and `503`.

use std::time::Duration;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use mcp_core::RateLimit;
use mcp_core::jsonrpc::ErrorObject;

use crate::AuthError;

/// Why a request was stopped; the text is for logs and never holds the token.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rejection {
    /// No credentials of ours: `401` with a plain `Bearer` challenge.
    NoToken(&'static str),
    /// A token was presented and is malformed, unknown, revoked or expired: `401`
    /// with `error="invalid_token"`.
    InvalidToken(&'static str),
    /// The request is ambiguous or broken: `400` with `error="invalid_request"`.
    BadRequest(&'static str),
    /// The client spent its failed-authentication budget: `429` with
    /// `Retry-After` (whole seconds, at least 1) and a JSON-RPC error body whose
    /// `data.rateLimit.source` is `"local"`: refused before anything ran, so a
    /// client may resend the request once the wait is over.
    Throttled(Duration),
    /// The store failed: `503`, fail closed.
    Unavailable,
}

impl Rejection {
    pub(crate) fn from_error(error: &AuthError) -> Self {
        match error {
            AuthError::Missing => Self::NoToken("no token"),
            AuthError::Malformed => Self::InvalidToken("malformed token"),
            AuthError::Unknown => Self::InvalidToken("unknown or revoked token"),
            AuthError::Expired => Self::InvalidToken("expired token"),
            _ => Self::Unavailable,
        }
    }

    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::NoToken(r) | Self::InvalidToken(r) | Self::BadRequest(r) => r,
            Self::Throttled(_) => "too many failed authentications",
            Self::Unavailable => "token store unavailable",
        }
    }

    pub(crate) fn into_response<B: From<Bytes>>(self) -> Response<B> {
        let mut retry_after = HeaderValue::from_static("1");
        let mut body = Bytes::new();
        let (status, challenge) = match self {
            Self::NoToken(_) => (StatusCode::UNAUTHORIZED, Some("Bearer")),
            Self::InvalidToken(_) => (
                StatusCode::UNAUTHORIZED,
                Some(r#"Bearer error="invalid_token""#),
            ),
            Self::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                Some(r#"Bearer error="invalid_request""#),
            ),
            Self::Throttled(wait) => {
                let limit = RateLimit {
                    limit: None,
                    remaining: Some(0),
                    reset: wait.max(Duration::from_secs(1)),
                    source: "local",
                };
                retry_after = HeaderValue::from(limit.reset_secs());
                body = throttled_body(&limit);
                (StatusCode::TOO_MANY_REQUESTS, None)
            }
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, None),
        };
        let json = !body.is_empty();
        let mut response = Response::new(B::from(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if json {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        match challenge {
            Some(challenge) => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
            }
            None => {
                headers.insert(RETRY_AFTER, retry_after);
            }
        }
        response
    }
}

/// The JSON-RPC error the throttle answers with (`-32010`, `data.rateLimit`).
fn throttled_body(limit: &RateLimit) -> Bytes {
    let error = ErrorObject::new(
        ErrorObject::RATE_LIMITED,
        format!(
            "Too many failed authentications; retry after {} s.",
            limit.reset_secs()
        ),
    )
    .with_data(limit.to_data());
    Bytes::from(mcp_core::jsonrpc::Response::error(None, error).encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that resends only what a local limiter refused before running it
    /// must see the throttle's 429 as one.
    #[test]
    fn the_throttles_429_says_it_refused_locally() {
        let response: Response<Bytes> =
            Rejection::Throttled(Duration::from_millis(2500)).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[RETRY_AFTER], "3");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(json["error"]["code"], ErrorObject::RATE_LIMITED);
        assert_eq!(json["error"]["data"]["rateLimit"]["source"], "local");
        assert_eq!(json["error"]["data"]["rateLimit"]["reset"], 3);
        let unauthorized: Response<Bytes> = Rejection::InvalidToken("unknown").into_response();
        assert!(unauthorized.body().is_empty());
    }
}
