//! [`QuotaLayer`]: a local per-key request quota (governor's GCRA) that answers
//! `429` with the same `ratelimit-*` headers as a passed-through upstream limit.

mod future;
mod key;
mod limiter;
mod store;

pub use future::QuotaFuture;
pub use key::QuotaKey;
pub use limiter::ManualClock;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use governor::Quota;
use mcp_core::RateLimit;
use mcp_core::jsonrpc::{ErrorObject, Response as RpcResponse};
use tower::{Layer, Service};

use limiter::Limiter;

/// How many requests a key may make: a sustained rate and a burst.
///
/// ```
/// use mcp_errors::LocalQuota;
/// let quota = LocalQuota::per_minute(600).burst(20);
/// assert_eq!(quota.limit(), 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalQuota {
    period: Duration,
    burst: NonZeroU32,
}

impl LocalQuota {
    fn every(window: Duration, n: u32) -> Self {
        let burst = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            period: (window / burst.get()).max(Duration::from_nanos(1)),
            burst,
        }
    }

    /// `n` requests per second (a burst of `n`).
    pub fn per_second(n: u32) -> Self {
        Self::every(Duration::from_secs(1), n)
    }

    /// `n` requests per minute (a burst of `n`).
    pub fn per_minute(n: u32) -> Self {
        Self::every(Duration::from_secs(60), n)
    }

    /// `n` requests per hour (a burst of `n`).
    pub fn per_hour(n: u32) -> Self {
        Self::every(Duration::from_secs(3600), n)
    }

    /// Allows bursts of `n` requests (at least 1) at the same sustained rate.
    #[must_use]
    pub fn burst(mut self, n: u32) -> Self {
        self.burst = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// The burst size, reported as `ratelimit-limit`.
    pub fn limit(&self) -> u64 {
        u64::from(self.burst.get())
    }

    fn to_governor(self) -> Quota {
        Quota::with_period(self.period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(self.burst)
    }
}

/// A tower layer limiting requests per key (the caller's [`Principal`](mcp_core::auth::Principal),
/// else the client address; see [`QuotaKey`]).
///
/// It wraps any HTTP service whose response body can be built from [`Bytes`] (the
/// HTTP transport's, axum's, `Full<Bytes>`): around the whole transport service, or
/// through the transport builder's `layer`. It decides from the request head alone,
/// before the body is read, and answers an
/// over-quota request itself: `429 Too Many Requests` with `ratelimit-limit`,
/// `ratelimit-remaining: 0`, `ratelimit-reset` and `Retry-After` (seconds), and a
/// JSON-RPC error body (`-32010`, `data.rateLimit`). Keys are pruned once their
/// bucket is full again, and their number is capped (100,000 by default), so a flood
/// of distinct keys cannot grow memory without bound.
///
/// ```
/// use mcp_errors::{LocalQuota, QuotaKey, QuotaLayer};
///
/// #[derive(Clone)]
/// struct TokenId(String);
/// impl std::fmt::Display for TokenId {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) }
/// }
///
/// let layer = QuotaLayer::new(LocalQuota::per_second(10).burst(20))
///     .with_key(QuotaKey::extension::<TokenId>().or(QuotaKey::client_addr()));
/// assert!(layer.check("tenant-a").is_ok());
/// ```
#[derive(Clone)]
pub struct QuotaLayer {
    config: Config,
    shared: Arc<Shared>,
}

#[derive(Clone)]
struct Config {
    quota: LocalQuota,
    key: QuotaKey,
    max_keys: usize,
    prune_every: u64,
    clock: Option<ManualClock>,
}

struct Shared {
    limiter: Box<dyn Limiter>,
    key: QuotaKey,
    limit: u64,
    /// Whether a request without a key was logged already.
    keyless_logged: AtomicBool,
}

impl fmt::Debug for QuotaLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuotaLayer")
            .field("quota", &self.config.quota)
            .field("max_keys", &self.config.max_keys)
            .finish()
    }
}

impl QuotaLayer {
    /// A layer allowing `quota` per key, keyed by [`QuotaKey::default`] (the
    /// principal, else the client address).
    pub fn new(quota: LocalQuota) -> Self {
        Self::from_config(Config {
            quota,
            key: QuotaKey::default(),
            max_keys: 100_000,
            prune_every: 1024,
            clock: None,
        })
    }

    fn from_config(config: Config) -> Self {
        let limiter = limiter::build(
            config.quota.to_governor(),
            config.max_keys,
            config.prune_every,
            config.clock.clone(),
        );
        let shared = Arc::new(Shared {
            limiter,
            key: config.key.clone(),
            limit: config.quota.limit(),
            keyless_logged: AtomicBool::new(false),
        });
        Self { config, shared }
    }

    /// Chooses the key (see [`QuotaKey`]). Starts a fresh state.
    #[must_use]
    pub fn with_key(mut self, key: QuotaKey) -> Self {
        self.config.key = key;
        Self::from_config(self.config)
    }

    /// Caps the number of keys tracked at once (default 100,000). Starts a fresh state.
    #[must_use]
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.config.max_keys = max_keys.max(1);
        Self::from_config(self.config)
    }

    /// Uses a clock moved by hand instead of the system's (for tests). Starts a
    /// fresh state.
    #[must_use]
    pub fn with_clock(mut self, clock: ManualClock) -> Self {
        self.config.clock = Some(clock);
        Self::from_config(self.config)
    }

    /// Counts one request against `key`; the rate limit when it is over quota.
    /// Usable directly for quotas on other things than HTTP requests (tool calls).
    ///
    /// # Errors
    /// The rate limit (`source` `"local"`) when `key` is over its quota.
    pub fn check(&self, key: &str) -> Result<(), RateLimit> {
        self.shared.check(key.to_owned())
    }

    /// How many keys are tracked now.
    pub fn tracked_keys(&self) -> usize {
        self.shared.limiter.len()
    }

    /// Forgets keys whose buckets are full again (also done every 1024 checks).
    pub fn prune(&self) {
        self.shared.limiter.prune();
    }

    #[cfg(test)]
    fn table_capacity(&self) -> usize {
        self.shared.limiter.capacity()
    }
}

impl Shared {
    fn check(&self, key: String) -> Result<(), RateLimit> {
        self.limiter.check(key).map_err(|wait| RateLimit {
            limit: Some(self.limit),
            remaining: Some(0),
            reset: wait,
            source: "local",
        })
    }
}

impl<S> Layer<S> for QuotaLayer {
    type Service = QuotaService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        QuotaService {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The service [`QuotaLayer`] wraps around an HTTP service.
#[derive(Clone)]
pub struct QuotaService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: fmt::Debug> fmt::Debug for QuotaService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuotaService")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<S> QuotaService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, ResBody> Service<http::Request<B>> for QuotaService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = QuotaFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let Some(key) = self.shared.key.key(request.extensions(), request.headers()) else {
            if !self.shared.keyless_logged.swap(true, Ordering::Relaxed) {
                tracing::error!(
                    "QuotaLayer found no key for a request (no principal, no client \
                     address): requests without a key are refused with 500; put the layer \
                     inside the HTTP transport, after authentication, or choose a QuotaKey \
                     every request has"
                );
            }
            return QuotaFuture::answer(keyless());
        };
        match self.shared.check(key) {
            Ok(()) => QuotaFuture::inner(self.inner.call(request)),
            Err(limit) => {
                tracing::debug!(reset = limit.reset_secs(), "local quota exceeded");
                QuotaFuture::answer(too_many_requests(&limit))
            }
        }
    }
}

/// `500` for a request the layer cannot key: a configuration bug, not the client's.
fn keyless() -> http::Response<Bytes> {
    let error = ErrorObject::new(
        ErrorObject::INTERNAL_ERROR,
        "The server's rate limiter is misconfigured.",
    );
    let mut response = http::Response::new(Bytes::from(RpcResponse::error(None, error).encode()));
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// `429` with the `ratelimit-*` headers and a JSON-RPC error body.
fn too_many_requests(limit: &RateLimit) -> http::Response<Bytes> {
    let secs = limit.reset_secs();
    let error = ErrorObject::new(
        ErrorObject::RATE_LIMITED,
        format!("Rate limited ({}); retry after {secs} s.", limit.source),
    )
    .with_data(limit.to_data());
    let body = Bytes::from(RpcResponse::error(None, error).encode());
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert("ratelimit-limit", limit.limit.unwrap_or(0).into());
    headers.insert("ratelimit-remaining", limit.remaining.unwrap_or(0).into());
    headers.insert("ratelimit-reset", secs.into());
    headers.insert(http::header::RETRY_AFTER, secs.into());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_under_a_flood_of_keys() {
        let clock = ManualClock::new();
        let layer = QuotaLayer::new(LocalQuota::per_second(5))
            .with_max_keys(4096)
            .with_clock(clock.clone());
        for i in 0..200_000u32 {
            assert!(layer.check(&i.to_string()).is_ok());
        }
        assert!(layer.tracked_keys() <= 4096, "{}", layer.tracked_keys());
        assert!(
            layer.table_capacity() <= 4 * 4096,
            "{}",
            layer.table_capacity()
        );
        clock.advance(Duration::from_secs(2));
        layer.prune();
        assert_eq!(layer.tracked_keys(), 0);
        assert!(
            layer.table_capacity() <= 32 * 32,
            "{}",
            layer.table_capacity()
        );
    }
}
