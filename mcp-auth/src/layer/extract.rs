//! Finding the token in a request: the path (`/mcp/<token>`) or the
//! `Authorization: Bearer` header. Query strings are never looked at.

use http::header::AUTHORIZATION;
use http::uri::PathAndQuery;
use http::{Request, Uri};

use super::reject::Rejection;
use crate::RawToken;

/// Where tokens are taken from and where the request is sent after.
#[derive(Clone, Debug)]
pub(crate) struct Paths {
    /// Tokens are accepted at `{prefix}/<token>`.
    pub(crate) prefix: String,
    /// `{prefix}/<token>/rest` is rewritten to `{endpoint}/rest`.
    pub(crate) endpoint: String,
}

/// A well-formed token (format and checksum checked) and, when it came from the
/// path, the request's new URI.
pub(crate) struct Found {
    pub(crate) token: String,
    pub(crate) rewritten: Option<Uri>,
}

/// Finds the token; rejects without any I/O when it is missing or malformed.
pub(crate) fn find<B>(request: &Request<B>, paths: &Paths) -> Result<Found, Rejection> {
    if let Some((token, tail)) = from_path(request.uri().path(), &paths.prefix) {
        if !RawToken::is_well_formed(token) {
            return Err(Rejection::InvalidToken("malformed token in path"));
        }
        let mut target = String::with_capacity(paths.endpoint.len() + tail.len() + 1);
        target.push_str(&paths.endpoint);
        target.push_str(tail);
        if target.is_empty() {
            target.push('/');
        }
        if let Some(query) = request.uri().query() {
            target.push('?');
            target.push_str(query);
        }
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query = Some(
            PathAndQuery::try_from(target)
                .map_err(|_| Rejection::BadRequest("path cannot be rewritten"))?,
        );
        let uri = Uri::from_parts(parts).map_err(|_| Rejection::BadRequest("invalid URI"))?;
        return Ok(Found {
            token: token.to_owned(),
            rewritten: Some(uri),
        });
    }
    let token = from_header(request)?;
    if !RawToken::is_well_formed(token) {
        return Err(Rejection::InvalidToken("malformed bearer token"));
    }
    Ok(Found {
        token: token.to_owned(),
        rewritten: None,
    })
}

/// `{prefix}/<token>` or `{prefix}/<token>/tail` → (token, tail).
fn from_path<'a>(path: &'a str, prefix: &str) -> Option<(&'a str, &'a str)> {
    let rest = path.strip_prefix(prefix)?.strip_prefix('/')?;
    let (token, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    (!token.is_empty()).then_some((token, tail))
}

fn from_header<B>(request: &Request<B>) -> Result<&str, Rejection> {
    let mut values = request.headers().get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(Rejection::NoToken("no token"));
    };
    if values.next().is_some() {
        return Err(Rejection::BadRequest("more than one Authorization header"));
    }
    let Ok(value) = value.to_str() else {
        return Err(Rejection::InvalidToken(
            "Authorization header is not visible ASCII",
        ));
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Rejection::NoToken("not a Bearer Authorization header"));
    }
    let token = rest.trim_matches(' ');
    if token.is_empty() {
        return Err(Rejection::NoToken("empty Bearer credentials"));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments() {
        assert_eq!(from_path("/mcp/abc", "/mcp"), Some(("abc", "")));
        assert_eq!(from_path("/mcp/abc/x/y", "/mcp"), Some(("abc", "/x/y")));
        assert_eq!(from_path("/mcp/", "/mcp"), None);
        assert_eq!(from_path("/mcp", "/mcp"), None);
        assert_eq!(from_path("/mcpabc", "/mcp"), None);
        assert_eq!(from_path("/other/abc", "/mcp"), None);
        assert_eq!(from_path("/abc", ""), Some(("abc", "")));
    }
}
