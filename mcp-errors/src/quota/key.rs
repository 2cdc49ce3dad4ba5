//! [`QuotaKey`]: which bucket a request counts against.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use http::{Extensions, HeaderMap};
use mcp_core::auth::Principal;

type KeyFn = dyn Fn(&Extensions, &HeaderMap) -> Option<String> + Send + Sync;

/// Picks the key of a request's bucket from its extensions and headers.
///
/// The default is [`principal`](Self::principal) (the caller an authentication
/// layer put in the extensions: its tenant and credential), else
/// [`client_addr`](Self::client_addr) (the peer address the HTTP transport
/// records). Combine keys with [`or`](Self::or).
///
/// A request for which no key is found is refused with `500 Internal Server
/// Error` and an error is logged (once per layer): that is a configuration bug
/// (the layer runs outside the transport, or before authentication, with a key
/// that needs them), and counting such requests in one shared bucket would let
/// one client lock out everyone else.
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
        Self::principal().or(Self::client_addr())
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

    /// The caller: the tenant and credential id of the [`Principal`] in the
    /// request extensions (put there by the authentication layer), so each token
    /// has its own bucket wherever it connects from.
    pub fn principal() -> Self {
        Self::new(|extensions, _| {
            Principal::of(extensions).map(|p| {
                // Length-prefixed: no two callers share a key.
                format!("p:{}:{}:{}", p.tenant().len(), p.tenant(), p.credential())
            })
        })
    }

    /// The client's IP address, from a [`SocketAddr`] in the request extensions,
    /// grouped by [`mcp_core::transport::client_key`] (an IPv6 client counts by its `/64`).
    pub fn client_addr() -> Self {
        Self::new(|extensions, _| {
            extensions
                .get::<SocketAddr>()
                .map(|a| format!("ip:{}", mcp_core::transport::client_key(a.ip())))
        })
    }

    /// This key, or `other` when this one finds none.
    #[must_use]
    pub fn or(self, other: QuotaKey) -> Self {
        Self::new(move |extensions, headers| {
            (self.f)(extensions, headers).or_else(|| (other.f)(extensions, headers))
        })
    }

    pub(super) fn key(&self, extensions: &Extensions, headers: &HeaderMap) -> Option<String> {
        (self.f)(extensions, headers)
    }
}
