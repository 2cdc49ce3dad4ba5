//! A governor state store with a hard cap on the number of keys.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard};

use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;

const SHARDS: usize = 32;

type Shard = HashMap<String, Nanos>;

/// Keyed rate-limit state: sharded maps from key to theoretical arrival time.
///
/// When a shard is full, the half of its keys closest to being fully replenished is
/// forgotten (those keys start afresh), so memory stays bounded whatever the number
/// of distinct keys.
pub(super) struct BoundedStore {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    hasher: RandomState,
}

impl BoundedStore {
    pub(super) fn new(max_keys: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: (max_keys / SHARDS).max(8),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, Shard> {
        let index = (self.hasher.hash_one(key) as usize) % self.shards.len();
        lock(&self.shards[index])
    }

    /// Memory held by the maps' tables, in entries (for tests).
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.shards.iter().map(|s| lock(s).capacity()).sum()
    }
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Forgets the half of the keys with the earliest arrival times.
fn evict_half(map: &mut Shard) {
    let mut tats: Vec<u64> = map.values().map(|t| t.as_u64()).collect();
    let middle = tats.len() / 2;
    let (_, threshold, _) = tats.select_nth_unstable(middle);
    let threshold = *threshold;
    map.retain(|_, t| t.as_u64() > threshold);
}

/// The store as the limiter holds it, shared with the layer that reports its size.
pub(super) struct SharedStore(pub(super) Arc<BoundedStore>);

impl StateStore for SharedStore {
    type Key = String;

    fn measure_and_replace<T, F, E>(&self, key: &String, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        self.0.measure_and_replace(key, f)
    }
}

impl ShrinkableKeyedStateStore<String> for SharedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        self.0.retain_recent(drop_below);
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&*self.0);
    }

    fn len(&self) -> usize {
        ShrinkableKeyedStateStore::len(&*self.0)
    }

    fn is_empty(&self) -> bool {
        ShrinkableKeyedStateStore::is_empty(&*self.0)
    }
}

impl StateStore for BoundedStore {
    type Key = String;

    fn measure_and_replace<T, F, E>(&self, key: &String, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut map = self.shard(key);
        let previous = map.get(key).copied();
        let (outcome, next) = f(previous)?;
        match map.get_mut(key) {
            Some(slot) => *slot = next,
            None => {
                if map.len() >= self.per_shard {
                    evict_half(&mut map);
                }
                map.insert(key.clone(), next);
            }
        }
        Ok(outcome)
    }
}

impl ShrinkableKeyedStateStore<String> for BoundedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        for shard in self.shards.iter() {
            let mut map = lock(shard);
            map.retain(|_, tat| *tat > drop_below);
            if map.capacity() > 4 * map.len().max(16) {
                map.shrink_to_fit();
            }
        }
    }

    fn shrink_to_fit(&self) {
        for shard in self.shards.iter() {
            lock(shard).shrink_to_fit();
        }
    }

    fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| lock(s).is_empty())
    }
}
