//! [`QuotaKey`]: which bucket a request counts against.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use http::{Extensions, HeaderMap};

type KeyFn = dyn Fn(&Extensions, &HeaderMap) -> Option<String> + Send + Sync;

/// Picks the key of a request's bucket from its extensions and headers.
///
/// The default is the client's IP address (a [`SocketAddr`] in the request
/// extensions, as the HTTP transport records the peer); combine it with a value the
/// auth layer puts in the extensions: `QuotaKey::extension::<TokenId>().or(QuotaKey::client_addr())`.
/// Requests for which no key is found share one bucket.
#[derive(Clone)]
pub struct QuotaKey {
    f: Arc<KeyFn>,
}

impl fmt::Debug for QuotaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QuotaKey")
    }
}

impl Default for QuotaKey {
    fn default() -> Self {
        Self::client_addr()
    }
}

impl QuotaKey {
    /// A key computed by `f`.
    pub fn new<F>(f: F) -> Self
    where
        F: Fn(&Extensions, &HeaderMap) -> Option<String> + Send + Sync + 'static,
    {
        Self { f: Arc::new(f) }
    }

    /// The value of type `T` in the request extensions (a token id), as text.
    pub fn extension<T: fmt::Display + Send + Sync + 'static>() -> Self {
        Self::new(|extensions, _| extensions.get::<T>().map(|v| format!("ext:{v}")))
    }

    /// The client's IP address, from a [`SocketAddr`] in the request extensions,
    /// grouped by [`mcp_core::client_key`] (an IPv6 client counts by its `/64`).
    pub fn client_addr() -> Self {
        Self::new(|extensions, _| {
            extensions
                .get::<SocketAddr>()
                .map(|a| format!("ip:{}", mcp_core::client_key(a.ip())))
        })
    }

    /// This key, or `other` when this one finds none.
    #[must_use]
    pub fn or(self, other: QuotaKey) -> Self {
        Self::new(move |extensions, headers| {
            (self.f)(extensions, headers).or_else(|| (other.f)(extensions, headers))
        })
    }

    pub(super) fn key(&self, extensions: &Extensions, headers: &HeaderMap) -> String {
        (self.f)(extensions, headers).unwrap_or_default()
    }
}
