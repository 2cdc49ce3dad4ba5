//! `requestState` that can be redeemed only once: the [`Redemptions`] record a
//! server checks every returned state against, and [`MemoryRedemptions`] for one
//! process.
//!
//! The rest of `requestState` (its keys, lifetime, encryption) is configured on the
//! [`ServerBuilder`](crate::ServerBuilder) (`request_state_*`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

/// What [`Redemptions::redeem`] returns.
pub type Redeem<'a> = Pin<Box<dyn Future<Output = bool> + Send + 'a>>;

/// Where the server records each `requestState` it accepted, so that a state is
/// accepted once (see
/// [`ServerBuilder::request_state_redemptions`](crate::ServerBuilder::request_state_redemptions)).
/// Off by default: a state is then valid, for its caller and its request, until
/// it expires.
///
/// Behind a load balancer every instance must share one record (a Redis `SET NX`
/// with an expiry at `expires` does it); [`MemoryRedemptions`] serves one process.
pub trait Redemptions: Send + Sync + 'static {
    /// Records the state `id`, valid until `expires`: `true` the first time,
    /// `false` when it was already redeemed, or when the record cannot tell (fail
    /// closed).
    fn redeem<'a>(&'a self, id: &'a str, expires: SystemTime) -> Redeem<'a>;
}

/// [`Redemptions`] in this process's memory, holding at most a given number of
/// unexpired ids. When full, expired ids are dropped; if it is still full the state
/// is refused (the client starts the request again) rather than a remembered id
/// being forgotten.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use mcp_core::request_state::{MemoryRedemptions, Redemptions};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let once = MemoryRedemptions::new(10_000);
/// let expires = SystemTime::now() + Duration::from_secs(600);
/// assert!(once.redeem("a1", expires).await);
/// assert!(!once.redeem("a1", expires).await);
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryRedemptions {
    seen: Mutex<HashMap<Box<str>, SystemTime>>,
    capacity: usize,
}

impl MemoryRedemptions {
    /// A record of at most `capacity` unexpired ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: Mutex::default(),
            capacity: capacity.max(1),
        }
    }

    fn redeem_now(&self, id: &str, expires: SystemTime, now: SystemTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.contains_key(id) {
            return false;
        }
        if seen.len() >= self.capacity {
            seen.retain(|_, until| *until >= now);
            if seen.len() >= self.capacity {
                tracing::warn!(
                    capacity = self.capacity,
                    "request-state redemption record full; refusing a state"
                );
                return false;
            }
        }
        seen.insert(id.into(), expires);
        true
    }
}

impl Default for MemoryRedemptions {
    /// Room for 100,000 unexpired states.
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl Redemptions for MemoryRedemptions {
    fn redeem<'a>(&'a self, id: &'a str, expires: SystemTime) -> Redeem<'a> {
        let fresh = self.redeem_now(id, expires, SystemTime::now());
        Box::pin(std::future::ready(fresh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bounded_and_forgets_only_expired_ids() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let record = MemoryRedemptions::new(2);
        assert!(record.redeem_now("a", t0 + Duration::from_secs(10), t0));
        assert!(record.redeem_now("b", t0 + Duration::from_secs(100), t0));
        // Full of live ids: refused, and nothing forgotten.
        assert!(!record.redeem_now("c", t0, t0));
        assert!(!record.redeem_now("a", t0, t0));
        // Once "a" expired it makes room; "b" is still remembered.
        let later = t0 + Duration::from_secs(11);
        assert!(record.redeem_now("c", later + Duration::from_secs(5), later));
        assert!(!record.redeem_now("b", later, later));
    }
}
