//! [`AuthLayer`] and its service [`Auth`]: token authentication in front of an MCP
//! HTTP endpoint.

mod extract;
mod future;
mod reject;
mod throttle;

pub use future::ResponseFuture;
pub use throttle::FailureThrottle;

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::{AuthError, TokenManager};
use extract::Paths;
use reject::Rejection;
use throttle::{Admission, Failures};

/// A tower [`Layer`] that authenticates every request with a token before the
/// wrapped service sees it.
///
/// The token comes from the path, `/mcp/<token>` (see
/// [`path_prefix`](Self::path_prefix)), or from `Authorization: Bearer <token>`
/// (scheme case-insensitive); tokens in query strings are ignored. Then:
///
/// 1. format and checksum checks, without I/O;
/// 2. `HMAC-SHA256` with each signing key and a store lookup;
/// 3. the expiry check against the manager's clock.
///
/// Any failure is answered by the layer itself, before the body is read: `401` with
/// `WWW-Authenticate: Bearer` (plus `error="invalid_token"` when a token was
/// presented), `400` for two `Authorization` headers, `429` with `Retry-After` for a
/// client that failed too often (see [`FailureThrottle`]; checked before step 2, so
/// fabricated tokens cannot turn into a flood of store lookups), `503` when the
/// store is unavailable (fail closed). On success the request gets the caller's
/// [`mcp_core::auth::Principal`] (tenant = account id, credential = token id, the token's
/// scope), the token's [`TokenMetadata`](crate::TokenMetadata) and a
/// [`mcp_core::transport::CredentialWatch`] (so the transport ends the request's open streams
/// when the token is revoked or expires) in its extensions, and `/mcp/<token>/rest` is rewritten to `/mcp/rest` (see
/// [`rewrite_to`](Self::rewrite_to)) so the MCP transport sees its usual path.
///
/// Logs name the token id, never the token or its hash.
///
/// Put it in front of the MCP HTTP service, so that `401` comes before the body is
/// read, e.g. in an axum router next to a management API (CORS preflights carry
/// no token: answer them outside this layer if browsers call the endpoint):
///
/// ```
/// use axum::Router;
/// use mcp_auth::{AuthLayer, MemoryStore, SigningKey, TokenManager};
/// use mcp_transport::http::McpService;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let tokens = TokenManager::new(MemoryStore::new(), SigningKey::generate("k1")?);
/// let mcp = McpService::new(mcp_core::Server::builder("crm", "1.0.0").build()?);
/// let app: Router = Router::new()
///     .route_service("/mcp/{token}", mcp.clone()) // the URL handed to a tenant
///     .route_service("/mcp", mcp) // `Authorization: Bearer <token>`
///     .layer(AuthLayer::new(tokens));
/// # let _ = app;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AuthLayer {
    manager: TokenManager,
    paths: Arc<Paths>,
    failures: Arc<Failures>,
}

impl AuthLayer {
    /// Authenticates with `manager`; tokens at `/mcp/<token>`, forwarded to `/mcp`.
    pub fn new(manager: TokenManager) -> Self {
        Self {
            manager,
            paths: Arc::new(Paths {
                prefix: "/mcp".into(),
                endpoint: "/mcp".into(),
            }),
            failures: Arc::new(Failures::new(FailureThrottle::new())),
        }
    }

    /// The budget of failed authentications per client (default:
    /// [`FailureThrottle::new`]). Services made by clones of this layer share it.
    #[must_use]
    pub fn failure_throttle(mut self, throttle: FailureThrottle) -> Self {
        self.failures = Arc::new(Failures::new(throttle));
        self
    }

    /// Accepts tokens at `{prefix}/<token>` (default `/mcp`).
    #[must_use]
    pub fn path_prefix(mut self, prefix: &str) -> Self {
        Arc::make_mut(&mut self.paths).prefix = prefix.trim_end_matches('/').to_owned();
        self
    }

    /// Forwards `{prefix}/<token>/rest` to `{endpoint}/rest` (default `/mcp`).
    #[must_use]
    pub fn rewrite_to(mut self, endpoint: &str) -> Self {
        Arc::make_mut(&mut self.paths).endpoint = endpoint.trim_end_matches('/').to_owned();
        self
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth {
            inner,
            manager: self.manager.clone(),
            paths: Arc::clone(&self.paths),
            failures: Arc::clone(&self.failures),
        }
    }
}

/// The service [`AuthLayer`] produces: authenticates, then calls `S`.
#[derive(Clone, Debug)]
pub struct Auth<S> {
    inner: S,
    manager: TokenManager,
    paths: Arc<Paths>,
    failures: Arc<Failures>,
}

impl<S> Auth<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, ResBody> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
    ResBody: From<bytes::Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let found = match extract::find(&request, &self.paths) {
            Ok(found) => found,
            Err(rejection) => {
                tracing::debug!(reason = rejection.reason(), "request rejected");
                return ResponseFuture::new(std::future::ready(Ok(rejection.into_response())));
            }
        };
        let admission = self.failures.admit(request.extensions());
        if let Admission::Throttled(wait) = admission {
            let rejection = Rejection::Throttled(wait);
            tracing::debug!(reason = rejection.reason(), "request rejected");
            return ResponseFuture::new(std::future::ready(Ok(rejection.into_response())));
        }
        // The ready clone is the one to call; keep a fresh clone for next time.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let manager = self.manager.clone();
        let failures = Arc::clone(&self.failures);
        ResponseFuture::new(async move {
            let verified = manager.verify_hashed(&found.token).await;
            let failed = verified.as_ref().is_err_and(AuthError::is_unauthorized);
            failures.settle(admission, failed);
            let (metadata, hash) = match verified {
                Ok(verified) => verified,
                Err(error) => {
                    let rejection = Rejection::from_error(&error);
                    if error.is_unauthorized() {
                        tracing::debug!(reason = rejection.reason(), "request rejected");
                    } else {
                        tracing::warn!(%error, "token store unavailable; failing closed");
                    }
                    return Ok(rejection.into_response());
                }
            };
            let span = tracing::debug_span!(
                "mcp.auth",
                token_id = %metadata.id,
                account_id = %metadata.account_id,
            );
            span.in_scope(|| tracing::debug!("token accepted"));
            if let Some(uri) = found.rewritten {
                *request.uri_mut() = uri;
            }
            let watch = manager.watch(&metadata, hash);
            let extensions = request.extensions_mut();
            extensions.insert(metadata.principal());
            extensions.insert(watch);
            extensions.insert(metadata);
            inner.call(request).instrument(span).await
        })
    }
}
