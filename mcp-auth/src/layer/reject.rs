//! The answers the layer gives itself: `401`, `400`, `429` and `503`.

use std::time::Duration;

use http::header::{CACHE_CONTROL, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};

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
    /// `Retry-After` (whole seconds, at least 1).
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

    pub(crate) fn into_response<B: Default>(self) -> Response<B> {
        let mut retry_after = HeaderValue::from_static("1");
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
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                retry_after = HeaderValue::from(secs.max(1));
                (StatusCode::TOO_MANY_REQUESTS, None)
            }
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, None),
        };
        let mut response = Response::new(B::default());
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
