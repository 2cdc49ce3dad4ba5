//! [`MemoryStore`]: the embedded default store, with a background sweep.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::Duration;

use async_trait::async_trait;
use mcp_core::transport::RevocationFeed;
use tokio::sync::oneshot;

use crate::{
    AuthError, Clock, SystemClock, Timestamp, TokenHash, TokenId, TokenMetadata, TokenStore,
};

/// An in-process [`TokenStore`]: for a single server instance, tests and
/// development. Tokens are lost when the process exits.
///
/// Both entries of a token are written and removed under one lock, and every
/// removal is signalled on the store's [`RevocationFeed`] (open streams of the
/// token end at once, whichever manager revoked it). Lookups ignore
/// expired entries, and a background task (the "cleanup alarm") removes them every
/// [`sweep_interval`](MemoryStoreBuilder::sweep_interval) (default 10 s), so no
/// stale entry outlives its expiry by more than that. The task needs a Tokio
/// runtime when the store is built (without one there is no sweep, only the
/// lookup check) and stops when the last clone of the store is dropped.
///
/// Cheap to clone; clones share the same tokens.
#[derive(Clone)]
pub struct MemoryStore {
    shared: Arc<Shared>,
}

struct Shared {
    maps: RwLock<Maps>,
    clock: Arc<dyn Clock>,
    /// Signals every removal, so open streams of a revoked token end at once.
    revocations: RevocationFeed,
    /// Dropped with the last clone of the store, which stops the sweep task.
    _stop: oneshot::Sender<()>,
}

#[derive(Default)]
struct Maps {
    forward: HashMap<TokenHash, TokenMetadata>,
    reverse: HashMap<TokenId, TokenHash>,
}

/// Builds a [`MemoryStore`].
#[derive(Default)]
pub struct MemoryStoreBuilder {
    clock: Option<Arc<dyn Clock>>,
    sweep_interval: Option<Duration>,
}

impl MemoryStoreBuilder {
    /// The clock that decides expiry for lookups and the sweep (default:
    /// [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// How often expired entries are removed (default 10 s, at least 1 ms).
    #[must_use]
    pub fn sweep_interval(mut self, interval: Duration) -> Self {
        self.sweep_interval = Some(interval.max(Duration::from_millis(1)));
        self
    }

    /// Builds the store and, inside a Tokio runtime, starts its sweep task.
    pub fn build(self) -> MemoryStore {
        self.build_with_task().0
    }

    fn build_with_task(self) -> (MemoryStore, Option<tokio::task::JoinHandle<()>>) {
        let (stop_tx, stop_rx) = oneshot::channel();
        let shared = Arc::new(Shared {
            maps: RwLock::new(Maps::default()),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            revocations: RevocationFeed::new(),
            _stop: stop_tx,
        });
        let interval = self.sweep_interval.unwrap_or(Duration::from_secs(10));
        let task = match tokio::runtime::Handle::try_current() {
            Ok(handle) => Some(handle.spawn(sweep(Arc::downgrade(&shared), stop_rx, interval))),
            Err(_) => {
                tracing::warn!("MemoryStore built outside a Tokio runtime: no background sweep");
                None
            }
        };
        (MemoryStore { shared }, task)
    }
}

async fn sweep(shared: Weak<Shared>, mut stop: oneshot::Receiver<()>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = ticker.tick() => {}
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let removed = shared.remove_expired();
        if removed > 0 {
            tracing::debug!(removed, "memory token store: expired tokens removed");
        }
    }
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Maps> {
        self.maps.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Maps> {
        self.maps.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn remove_expired(&self) -> usize {
        let now = self.clock.now();
        let mut maps = self.write();
        let before = maps.forward.len();
        let Maps { forward, reverse } = &mut *maps;
        forward.retain(|_, m| {
            let keep = !m.is_expired_at(now);
            if !keep {
                reverse.remove(&m.id);
            }
            keep
        });
        before - maps.forward.len()
    }

    fn live(&self, metadata: &TokenMetadata) -> bool {
        !metadata.is_expired_at(self.clock.now())
    }
}

impl MemoryStore {
    /// A store on the system clock, swept every 10 s.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Starts building a store with a custom clock or sweep interval.
    pub fn builder() -> MemoryStoreBuilder {
        MemoryStoreBuilder::default()
    }

    /// The number of tokens held, expired ones not yet swept included.
    pub fn len(&self) -> usize {
        let maps = self.shared.read();
        maps.forward.len().max(maps.reverse.len())
    }

    /// Whether the store holds no entry at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes expired entries now (the sweep task calls this); returns how many.
    pub fn sweep_now(&self) -> usize {
        self.shared.remove_expired()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let maps = self.shared.read();
        f.debug_struct("MemoryStore")
            .field("forward_entries", &maps.forward.len())
            .field("reverse_entries", &maps.reverse.len())
            .finish()
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn insert(&self, hash: &TokenHash, metadata: &TokenMetadata) -> Result<(), AuthError> {
        let mut maps = self.shared.write();
        maps.reverse.insert(metadata.id.clone(), *hash);
        maps.forward.insert(*hash, metadata.clone());
        Ok(())
    }

    async fn get(&self, hash: &TokenHash) -> Result<Option<TokenMetadata>, AuthError> {
        let maps = self.shared.read();
        Ok(maps
            .forward
            .get(hash)
            .filter(|m| self.shared.live(m))
            .cloned())
    }

    async fn get_by_id(&self, id: &TokenId) -> Result<Option<TokenMetadata>, AuthError> {
        let maps = self.shared.read();
        Ok(maps
            .reverse
            .get(id)
            .and_then(|hash| maps.forward.get(hash))
            .filter(|m| self.shared.live(m))
            .cloned())
    }

    async fn set_expiry(
        &self,
        id: &TokenId,
        expires_at: Option<Timestamp>,
    ) -> Result<Option<TokenMetadata>, AuthError> {
        let mut maps = self.shared.write();
        let Some(hash) = maps.reverse.get(id).copied() else {
            return Ok(None);
        };
        let live = maps.forward.get(&hash).is_some_and(|m| self.shared.live(m));
        match maps.forward.get_mut(&hash) {
            Some(metadata) if live => {
                metadata.expires_at = expires_at;
                Ok(Some(metadata.clone()))
            }
            _ => Ok(None),
        }
    }

    async fn remove(&self, id: &TokenId) -> Result<bool, AuthError> {
        {
            let mut maps = self.shared.write();
            let Some(hash) = maps.reverse.remove(id) else {
                return Ok(false);
            };
            maps.forward.remove(&hash);
        }
        self.shared.revocations.revoke(id.as_str());
        Ok(true)
    }

    fn revocations(&self) -> Option<RevocationFeed> {
        Some(self.shared.revocations.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sweep_task_stops_when_the_store_is_dropped() {
        let (store, task) = MemoryStore::builder()
            .sweep_interval(Duration::from_secs(3600))
            .build_with_task();
        let clone = store.clone();
        drop(store);
        let Some(task) = task else {
            panic!("inside a runtime the sweep task starts");
        };
        assert!(!task.is_finished());
        drop(clone);
        let ended = tokio::time::timeout(Duration::from_secs(5), task).await;
        assert!(matches!(ended, Ok(Ok(()))));
    }

    #[test]
    fn outside_a_runtime_there_is_no_sweep_task() {
        let (store, task) = MemoryStore::builder().build_with_task();
        assert!(task.is_none());
        assert!(store.is_empty());
    }
}
