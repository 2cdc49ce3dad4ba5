//! [`NegativeCache`]: recently refused token hashes, answered without a lookup.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::TokenHash;

/// The hashes (under the active key) of tokens the store did not know, for a
/// short time: a client that repeats a bad or revoked token costs one lookup per
/// `ttl`, not one per request. Keyed by the HMAC, never by the raw token.
///
/// Why a fresh token is never refused because of it: a token's 256 random bits
/// are known to nobody before [`TokenManager::create`](crate::TokenManager::create)
/// returns, so no one can have presented it earlier; and `create` removes the new
/// hash from this cache all the same. Across instances (another instance created
/// the token, this one reads a lagging replica), the `ttl` bounds the harm.
/// Only "unknown" is cached: "expired" and store failures never are.
#[derive(Debug)]
pub(crate) struct NegativeCache {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<TokenHash, Instant>>,
}

impl NegativeCache {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn enabled(&self) -> bool {
        self.capacity > 0 && !self.ttl.is_zero()
    }

    /// Whether `hash` was refused less than `ttl` ago.
    pub(crate) fn contains(&self, hash: &TokenHash) -> bool {
        if !self.enabled() {
            return false;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(hash) {
            Some(until) if *until > Instant::now() => true,
            Some(_) => {
                entries.remove(hash);
                false
            }
            None => false,
        }
    }

    /// Remembers a refused hash; when full, expired entries go first, and if none
    /// has expired the hash is not remembered (the cache never grows past its
    /// capacity).
    pub(crate) fn insert(&self, hash: TokenHash) {
        if !self.enabled() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.retain(|_, until| *until > now);
            if entries.len() >= self.capacity {
                return;
            }
        }
        entries.insert(hash, now + self.ttl);
    }

    pub(crate) fn forget(&self, hash: &TokenHash) {
        if self.enabled() {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            entries.remove(hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SigningKey;

    #[tokio::test(start_paused = true)]
    async fn entries_expire_and_the_size_is_bounded() {
        let key = SigningKey::new("k", &[1; 32]);
        let Ok(key) = key else {
            panic!("valid key");
        };
        let cache = NegativeCache::new(Duration::from_secs(5), 2);
        let (a, b, c) = (key.hash("a"), key.hash("b"), key.hash("c"));
        cache.insert(a);
        cache.insert(b);
        cache.insert(c);
        assert!(cache.contains(&a) && cache.contains(&b) && !cache.contains(&c));
        cache.forget(&a);
        assert!(!cache.contains(&a));
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(!cache.contains(&b));
        cache.insert(c);
        assert!(cache.contains(&c));
    }
}
