//! The governor rate limiter behind [`QuotaLayer`](super::QuotaLayer), with its clock
//! type erased.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock, FakeRelativeClock};
use governor::middleware::NoOpMiddleware;
use governor::{Quota, RateLimiter};

use super::store::{BoundedStore, SharedStore};

/// A clock the caller moves by hand, for tests of quotas.
///
/// Clones share the same time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    inner: FakeRelativeClock,
}

impl ManualClock {
    /// A clock at its origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.inner.advance(by);
    }
}

/// A keyed limiter whatever its clock.
pub(super) trait Limiter: Send + Sync {
    /// `Err(wait)` when the key is over its quota.
    fn check(&self, key: String) -> Result<(), Duration>;
    fn prune(&self);
    fn len(&self) -> usize;
    #[cfg(test)]
    fn capacity(&self) -> usize;
}

struct Keyed<C: Clock> {
    limiter: RateLimiter<String, SharedStore, C, NoOpMiddleware<C::Instant>>,
    #[cfg_attr(not(test), allow(dead_code))]
    store: Arc<BoundedStore>,
    checks: AtomicU64,
    prune_every: u64,
}

impl<C> Limiter for Keyed<C>
where
    C: Clock + Send + Sync,
    C::Instant: Send + Sync,
{
    fn check(&self, key: String) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % self.prune_every == self.prune_every - 1 {
            self.prune();
        }
        self.limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    fn prune(&self) {
        self.limiter.retain_recent();
    }

    fn len(&self) -> usize {
        self.limiter.len()
    }

    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.store.capacity()
    }
}

pub(super) fn build(
    quota: Quota,
    max_keys: usize,
    prune_every: u64,
    clock: Option<ManualClock>,
) -> Box<dyn Limiter> {
    let store = Arc::new(BoundedStore::new(max_keys));
    let shared = SharedStore(Arc::clone(&store));
    let prune_every = prune_every.max(1);
    match clock {
        Some(clock) => Box::new(Keyed {
            limiter: RateLimiter::new(quota, shared, clock.inner),
            store,
            checks: AtomicU64::new(0),
            prune_every,
        }),
        None => Box::new(Keyed {
            limiter: RateLimiter::new(quota, shared, DefaultClock::default()),
            store,
            checks: AtomicU64::new(0),
            prune_every,
        }),
    }
}
