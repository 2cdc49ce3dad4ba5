//! The per-client connection cap: open connections counted by
//! [`mcp_core::transport::client_key`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Open connections per client key.
#[derive(Debug)]
pub(super) struct Peers {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One counted connection; uncounted when dropped.
#[derive(Debug)]
pub(super) struct PeerSlot {
    peers: Arc<Peers>,
    key: IpAddr,
}

impl Peers {
    pub(super) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            open: Mutex::default(),
        })
    }

    /// Counts a connection from `ip`; `None` when its client already holds the
    /// maximum.
    pub(super) fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<PeerSlot> {
        let key = mcp_core::transport::client_key(ip);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            peers: Arc::clone(self),
            key,
        })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut open = self
            .peers
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_per_client_key_and_freed_on_drop() {
        let peers = Peers::new(2);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let a = peers.admit(ip("2001:db8::1")).unwrap();
        let _b = peers.admit(ip("2001:db8::2")).unwrap();
        // Same /64: same client.
        assert!(peers.admit(ip("2001:db8::ffff")).is_none());
        assert!(peers.admit(ip("2001:db8:0:1::1")).is_some());
        drop(a);
        assert!(peers.admit(ip("2001:db8::3")).is_some());
        assert!(peers.open.lock().unwrap().len() == 1);
    }
}
