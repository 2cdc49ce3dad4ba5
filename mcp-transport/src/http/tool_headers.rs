//! The request headers a tool sees: everything but credentials.

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE, HeaderName, PROXY_AUTHORIZATION};

/// Headers that carry the caller's credentials. The transport's layers (auth) read
/// them before the dispatch; a tool gets the verified identity from the request
/// extensions instead, so a tool that logs its context, forwards its headers or
/// prints `{:?}` cannot leak a tenant's token.
const CREDENTIALS: [HeaderName; 7] = [
    AUTHORIZATION,
    PROXY_AUTHORIZATION,
    COOKIE,
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("x-auth-token"),
    HeaderName::from_static("x-access-token"),
    HeaderName::from_static("x-amz-security-token"),
];

/// `headers` without [`CREDENTIALS`], for the tool's
/// [`Envelope`](mcp_core::transport::Envelope).
pub(crate) fn tool_headers(mut headers: HeaderMap) -> HeaderMap {
    for name in &CREDENTIALS {
        if headers.contains_key(name) {
            headers.remove(name);
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed_every_line_of_them() {
        let mut h = HeaderMap::new();
        h.append(AUTHORIZATION, "Bearer mcp_secret".parse().unwrap());
        h.append(COOKIE, "a=1".parse().unwrap());
        h.append(COOKIE, "b=2".parse().unwrap());
        h.append("X-Api-Key", "k".parse().unwrap());
        h.append("x-trace", "t".parse().unwrap());
        let kept = tool_headers(h);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept["x-trace"], "t");
        assert!(!format!("{kept:?}").contains("secret"));
    }
}
