//! [`FailureThrottle`]: a per-client budget of failed authentications, checked
//! before any store lookup.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use http::Extensions;
use tokio::time::Instant;

/// How many failed authentications a client may cause before the layer answers
/// `429 Too Many Requests` (with `Retry-After`) without looking its token up.
///
/// Every well-formed token costs a store lookup, and the token's checksum is
/// unkeyed (secret scanners verify it offline), so anyone can fabricate tokens
/// that pass the format check. This budget bounds what one client can make the
/// store do: a client may fail [`burst`](Self::burst) times in a row, then once
/// per [`refill_every`](Self::refill_every) (defaults: 20, then one a second).
/// Successful authentications cost nothing, so a client that never fails is never
/// throttled; while a client is over budget, even its valid tokens get `429`,
/// since telling them apart would take the lookup the budget is there to save.
/// `Retry-After` says when the next try is allowed: at most a minute (or one
/// refill interval, if longer), even after a burst of concurrent failures.
///
/// The client is the [`SocketAddr`] the server loop puts into the request's
/// extensions (`mcp_transport::http::serve` does; behind a trusted proxy it is the
/// forwarded client). IPv4 addresses count one by one, IPv6 addresses by `/64`
/// (one subscriber usually holds a whole `/64`). A request without an address is
/// not throttled: it shares no budget with anyone, rather than one budget with
/// every other such request (which would let one client lock out all the others);
/// serve with a loop that provides the address.
///
/// Memory is bounded: at most [`max_clients`](Self::max_clients) clients are
/// tracked (default 10,000), and a client is forgotten once its budget is full
/// again. When that many clients are over budget at once, further failing clients
/// are not tracked until some recover (their lookups are then bounded only by the
/// negative cache of [`TokenManager`](crate::TokenManager)).
///
/// ```
/// use std::time::Duration;
/// use mcp_auth::FailureThrottle;
/// let throttle = FailureThrottle::new()
///     .burst(10)
///     .refill_every(Duration::from_secs(2));
/// # let _ = throttle;
/// ```
#[derive(Clone, Debug)]
pub struct FailureThrottle {
    burst: u32,
    refill: Duration,
    max_clients: usize,
}

impl FailureThrottle {
    /// The defaults: 20 failures, then one a second; 10,000 clients tracked.
    pub fn new() -> Self {
        Self {
            burst: 20,
            refill: Duration::from_secs(1),
            max_clients: 10_000,
        }
    }

    /// No throttle: every failure costs a lookup (for tests and trusted networks).
    pub fn disabled() -> Self {
        Self::new().max_clients(0)
    }

    /// Failures a client may cause back to back (at least 1; default 20).
    #[must_use]
    pub fn burst(mut self, failures: u32) -> Self {
        self.burst = failures.max(1);
        self
    }

    /// How often one more failure is allowed once the burst is spent (at least
    /// 1 ms; default 1 s).
    #[must_use]
    pub fn refill_every(mut self, interval: Duration) -> Self {
        self.refill = interval.max(Duration::from_millis(1));
        self
    }

    /// The most clients tracked at once (default 10,000; 0 disables the throttle).
    #[must_use]
    pub fn max_clients(mut self, clients: usize) -> Self {
        self.max_clients = clients;
        self
    }
}

impl Default for FailureThrottle {
    fn default() -> Self {
        Self::new()
    }
}

/// The budget key of a client (see [`mcp_core::transport::client_key`]).
pub(crate) fn client_key(addr: &SocketAddr) -> IpAddr {
    mcp_core::transport::client_key(addr.ip())
}

/// The longest `Retry-After` a burst of concurrent failures can cause (unless one
/// refill interval is longer).
const MAX_WAIT: Duration = Duration::from_secs(60);

/// What [`Failures::admit`] decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// No address, or a client with no recent failure: look the token up.
    Untracked(Option<IpAddr>),
    /// A client with recent failures, charged one failure ahead of its lookup
    /// (refunded on success), so concurrent lookups cannot overdraw its budget.
    Charged(IpAddr),
    /// Over budget: answer `429`, retry after this long.
    Throttled(Duration),
}

/// The shared state of a [`FailureThrottle`]: per client, the theoretical time
/// at which its budget is full again (GCRA: each failure adds one interval).
#[derive(Debug)]
pub(crate) struct Failures {
    config: FailureThrottle,
    /// Client → the instant at which its budget is full again.
    clients: Mutex<HashMap<IpAddr, Instant>>,
    last_prune: Mutex<Option<Instant>>,
    warned_no_address: AtomicBool,
}

impl Failures {
    pub(crate) fn new(config: FailureThrottle) -> Self {
        Self {
            config,
            clients: Mutex::new(HashMap::new()),
            last_prune: Mutex::new(None),
            warned_no_address: AtomicBool::new(false),
        }
    }

    /// How far ahead of now a client's "full again" time may be while it may
    /// still try: `burst - 1` intervals.
    fn headroom(&self) -> Duration {
        self.config.refill.saturating_mul(self.config.burst - 1)
    }

    /// Decides, before any lookup, whether the request's client may try.
    pub(crate) fn admit(&self, extensions: &Extensions) -> Admission {
        if self.config.max_clients == 0 {
            return Admission::Untracked(None);
        }
        let Some(addr) = extensions.get::<SocketAddr>() else {
            if !self.warned_no_address.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "requests carry no client SocketAddr: the failed-authentication throttle \
                     is off for them (serve with mcp_transport::http::serve)"
                );
            }
            return Admission::Untracked(None);
        };
        let key = client_key(addr);
        let now = Instant::now();
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(full_at) = clients.get_mut(&key) else {
            return Admission::Untracked(Some(key));
        };
        let from = (*full_at).max(now);
        let limit = now + self.headroom();
        if from > limit {
            return Admission::Throttled(from - limit);
        }
        *full_at = from + self.config.refill;
        Admission::Charged(key)
    }

    /// Records the outcome of a lookup `admit` let through. `failed`: the token
    /// was unknown or expired (a store failure is not the client's).
    pub(crate) fn settle(&self, admission: Admission, failed: bool) {
        let now = Instant::now();
        match (admission, failed) {
            (Admission::Charged(key), false) => {
                let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(full_at) = clients.get_mut(&key) {
                    *full_at = full_at.checked_sub(self.config.refill).unwrap_or(now);
                }
            }
            (Admission::Untracked(Some(key)), true) => self.charge(key, now),
            _ => {}
        }
    }

    fn charge(&self, key: IpAddr, now: Instant) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if !clients.contains_key(&key) && clients.len() >= self.config.max_clients {
            self.prune(&mut clients, now);
            if clients.len() >= self.config.max_clients {
                tracing::debug!("failed-authentication throttle full: client not tracked");
                return;
            }
        }
        // Concurrent failures of an untracked client each add an interval; the
        // wait they cause is capped at a minute (or one interval, if longer).
        let cap = now + self.headroom() + self.config.refill.max(MAX_WAIT);
        let full_at = clients.entry(key).or_insert(now);
        *full_at = ((*full_at).max(now) + self.config.refill).min(cap);
    }

    /// Forgets the clients whose budget is full again, at most ten times a second
    /// (a full table of clients that are all over budget would otherwise be
    /// scanned on every failure).
    fn prune(&self, clients: &mut HashMap<IpAddr, Instant>, now: Instant) {
        let mut last = self
            .last_prune
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.is_some_and(|at| now.duration_since(at) < Duration::from_millis(100)) {
            return;
        }
        *last = Some(now);
        clients.retain(|_, full_at| *full_at > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_from(ip: &str) -> Extensions {
        let mut extensions = Extensions::new();
        let addr: SocketAddr = format!("{ip}:4000")
            .parse()
            .or_else(|_| format!("[{ip}]:4000").parse())
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        extensions.insert(addr);
        extensions
    }

    #[test]
    fn ipv6_groups_by_64_and_mapped_ipv4_is_ipv4() {
        let key = |s: &str| s.parse::<SocketAddr>().map(|a| client_key(&a)).ok();
        assert_eq!(
            key("[2001:db8:1:2:3:4:5:6]:1"),
            key("[2001:db8:1:2:ffff::1]:2")
        );
        assert_ne!(key("[2001:db8:1:2::1]:1"), key("[2001:db8:1:3::1]:1"));
        assert_eq!(key("[::ffff:10.0.0.1]:1"), key("10.0.0.1:9"));
        assert_ne!(key("10.0.0.1:1"), key("10.0.0.2:1"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_over_budget_waits_and_others_do_not() {
        let failures = Failures::new(FailureThrottle::new().burst(3));
        let attacker = request_from("10.0.0.1");
        let mut lookups = 0;
        for _ in 0..100 {
            let admission = failures.admit(&attacker);
            if !matches!(admission, Admission::Throttled(_)) {
                lookups += 1;
                failures.settle(admission, true);
            }
        }
        assert_eq!(lookups, 3);
        assert_eq!(
            failures.admit(&attacker),
            Admission::Throttled(Duration::from_secs(1))
        );
        let other = request_from("10.0.0.2");
        assert!(matches!(failures.admit(&other), Admission::Untracked(_)));
        let neighbour = request_from("2001:db8::1");
        assert!(matches!(
            failures.admit(&neighbour),
            Admission::Untracked(_)
        ));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(matches!(failures.admit(&attacker), Admission::Charged(_)));
        assert!(matches!(
            failures.admit(&Extensions::new()),
            Admission::Untracked(None)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_failures_cost_at_most_a_minute() {
        let failures = Failures::new(FailureThrottle::new().burst(2));
        let client = request_from("10.0.0.9");
        let admissions: Vec<_> = (0..1000).map(|_| failures.admit(&client)).collect();
        for admission in admissions {
            failures.settle(admission, true);
        }
        assert_eq!(
            failures.admit(&client),
            Admission::Throttled(Duration::from_secs(60))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn successes_are_refunded_and_the_table_is_bounded() {
        let failures = Failures::new(FailureThrottle::new().burst(2).max_clients(2));
        let client = request_from("10.0.0.1");
        failures.settle(failures.admit(&client), true);
        for _ in 0..10 {
            let admission = failures.admit(&client);
            assert!(matches!(admission, Admission::Charged(_)));
            failures.settle(admission, false);
        }
        for ip in ["10.0.0.2", "10.0.0.3", "10.0.0.4"] {
            failures.settle(failures.admit(&request_from(ip)), true);
        }
        assert!(failures.clients.lock().map(|c| c.len()).unwrap_or(0) <= 2);
        tokio::time::advance(Duration::from_secs(5)).await;
        failures.settle(failures.admit(&request_from("10.0.0.5")), true);
        assert!(matches!(
            failures.admit(&request_from("10.0.0.5")),
            Admission::Charged(_)
        ));
    }
}
