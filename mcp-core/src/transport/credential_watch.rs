//! [`CredentialWatch`]: how long the credential that authorized a request stays
//! good, and [`RevocationFeed`], the in-process signal that one was revoked.
//!
//! An authentication layer puts a `CredentialWatch` into the request's
//! extensions; a transport that keeps a response open (an SSE stream) ends it when
//! [`CredentialWatch::ended`] completes, and asks [`CredentialWatch::still_valid`]
//! at each keep-alive. Neither side knows the other: the transport never depends
//! on the authentication crate.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use http::Extensions;
use tokio::sync::watch;
use tokio::time::Instant;

/// How many recent revocations a [`RevocationFeed`] remembers for watchers that
/// wake late; a watcher that missed more re-checks its credential.
const RECENT: usize = 64;

/// The recent revocations, numbered.
#[derive(Default)]
struct Revoked {
    seq: u64,
    recent: VecDeque<Arc<str>>,
}

/// In-process revocation signals: the credential store (or its manager) calls
/// [`revoke`](Self::revoke), and every [`CredentialWatch`] subscribed with
/// [`CredentialWatch::with_revocations`] for that credential ends at once.
///
/// Cheap to clone; clones share the feed. It reaches the watches of this process
/// only (signals between instances are the shared store's business). Each
/// revocation wakes every subscribed watch once, to compare ids: revocations are
/// rare, open streams many, and no per-credential state is kept.
#[derive(Clone)]
pub struct RevocationFeed {
    sender: Arc<watch::Sender<Revoked>>,
}

impl RevocationFeed {
    /// A feed nobody listens to yet.
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(Revoked::default())),
        }
    }

    /// Signals that `credential` (a credential id, never a secret) was revoked.
    pub fn revoke(&self, credential: &str) {
        self.sender.send_modify(|revoked| {
            revoked.seq += 1;
            if revoked.recent.len() == RECENT {
                revoked.recent.pop_front();
            }
            revoked.recent.push_back(credential.into());
        });
    }
}

impl Default for RevocationFeed {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RevocationFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationFeed")
            .field("revoked", &self.sender.borrow().seq)
            .field("watchers", &self.sender.receiver_count())
            .finish()
    }
}

/// A re-check of a credential against its source of truth: `true` while it is
/// still valid.
type Recheck = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// The lifetime of the credential that authorized a request: its expiry, a
/// [`RevocationFeed`] subscription, and a re-check against the credential's
/// source of truth (say, the token store).
///
/// Put into request extensions by an authentication layer (`mcp_auth::AuthLayer`
/// does); read by transports that keep responses open: the HTTP transport ends a
/// tool call's or a `subscriptions/listen` SSE stream as soon as
/// [`ended`](Self::ended) completes, and at each keep-alive at the latest (it asks
/// [`still_valid`](Self::still_valid)), so a revoked or expired credential does not
/// keep a stream, or the call behind it, running.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use mcp_core::transport::{CredentialWatch, RevocationFeed};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let feed = RevocationFeed::new();
/// let expires = SystemTime::now() + Duration::from_secs(3600);
/// let mut watch = CredentialWatch::new("tok_1", Some(expires)).with_revocations(&feed);
/// feed.revoke("tok_1");
/// watch.ended().await; // completes at once
/// # }
/// ```
#[derive(Clone)]
pub struct CredentialWatch {
    credential: Arc<str>,
    expires_at: Option<SystemTime>,
    /// The expiry still to wait for (cleared once a re-check finds the
    /// credential extended).
    deadline: Option<SystemTime>,
    feed: Option<watch::Receiver<Revoked>>,
    /// The last revocation number this watch has looked at.
    seen: u64,
    revoked: bool,
    recheck: Option<Recheck>,
}

impl CredentialWatch {
    /// A watch of `credential` (its id, never a secret), valid until `expires_at`
    /// (`None`: no expiry).
    pub fn new(credential: impl Into<Arc<str>>, expires_at: Option<SystemTime>) -> Self {
        Self {
            credential: credential.into(),
            expires_at,
            deadline: expires_at,
            feed: None,
            seen: 0,
            revoked: false,
            recheck: None,
        }
    }

    /// Ends when `feed` signals this credential's revocation, from now on (and for
    /// a revocation signalled just before, which the feed still remembers).
    #[must_use]
    pub fn with_revocations(mut self, feed: &RevocationFeed) -> Self {
        let receiver = feed.sender.subscribe();
        {
            let now = receiver.borrow();
            self.revoked |= now.recent.contains(&self.credential);
            self.seen = now.seq;
        }
        self.feed = Some(receiver);
        self
    }

    /// How to re-check the credential against its source of truth (`true`: still
    /// valid). Called at each keep-alive of an open stream, when the expiry passes
    /// (the credential may have been extended), and when revocation signals were
    /// missed. A check that cannot reach its source should answer `true` (an
    /// outage then does not cut every open stream) and log.
    #[must_use]
    pub fn with_recheck<F, Fut>(mut self, recheck: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.recheck = Some(Arc::new(move || Box::pin(recheck())));
        self
    }

    /// The watch in a request's extensions, if an authentication layer put one.
    pub fn of(extensions: &Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }

    /// The credential's id.
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// When the credential expires, as known when the request was authorized.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the credential is still good: not revoked (as signalled), and then
    /// the re-check if there is one, else the expiry against the system clock.
    pub async fn still_valid(&self) -> bool {
        if self.revoked {
            return false;
        }
        match &self.recheck {
            Some(recheck) => recheck().await,
            None => self.expires_at.is_none_or(|at| SystemTime::now() < at),
        }
    }

    /// Completes when the credential has ended: its revocation was signalled, or
    /// its expiry passed (and the re-check, if any, confirms it). Never completes
    /// for a credential that stays good. Cancel-safe.
    pub async fn ended(&mut self) {
        loop {
            if self.revoked {
                return;
            }
            let expiry = self.deadline.map(instant_of);
            let at_expiry = async {
                match expiry {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let signal = async {
                match &mut self.feed {
                    Some(feed) => feed.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = at_expiry => {
                    if !self.still_valid().await {
                        return;
                    }
                    // Extended: the re-checks at each keep-alive take over.
                    self.deadline = None;
                }
                open = signal => self.on_signal(open).await,
            }
        }
    }

    /// Reads the feed after a change: revoked if this credential is among the
    /// recent revocations; a re-check if some were missed.
    async fn on_signal(&mut self, open: bool) {
        let Some(feed) = self.feed.as_mut().filter(|_| open) else {
            // The feed is gone: no more signals, only the expiry and re-checks.
            self.feed = None;
            return;
        };
        let (mine, missed) = {
            let now = feed.borrow_and_update();
            let new = usize::try_from(now.seq.saturating_sub(self.seen)).unwrap_or(usize::MAX);
            self.seen = now.seq;
            (
                now.recent.contains(&self.credential),
                new > now.recent.len(),
            )
        };
        self.revoked = mine || (missed && !self.still_valid().await);
    }
}

impl fmt::Debug for CredentialWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialWatch")
            .field("credential", &self.credential)
            .field("expires_at", &self.expires_at)
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// The monotonic instant of a wall-clock time (now, if it has passed).
fn instant_of(at: SystemTime) -> Instant {
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    Instant::now()
        .checked_add(left)
        .unwrap_or_else(|| Instant::now() + std::time::Duration::from_secs(86_400 * 365 * 30))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_revocation_ends_only_its_own_credential() {
        let feed = RevocationFeed::new();
        let mut mine = CredentialWatch::new("a", None).with_revocations(&feed);
        let mut other = CredentialWatch::new("b", None).with_revocations(&feed);
        feed.revoke("a");
        tokio::time::timeout(Duration::from_secs(5), mine.ended())
            .await
            .unwrap_or_else(|_| panic!("a revoked credential ends"));
        assert!(!mine.still_valid().await);
        let still = tokio::time::timeout(Duration::from_millis(50), other.ended()).await;
        assert!(still.is_err(), "another credential goes on");
        // Subscribed just after the revocation: ended all the same.
        let late = CredentialWatch::new("a", None).with_revocations(&feed);
        assert!(!late.still_valid().await);
    }

    #[tokio::test]
    async fn expiry_asks_the_recheck_and_missed_signals_too() {
        let valid = Arc::new(AtomicBool::new(true));
        let flag = Arc::clone(&valid);
        let feed = RevocationFeed::new();
        let expires = SystemTime::now() + Duration::from_millis(20);
        let mut watch = CredentialWatch::new("a", Some(expires))
            .with_revocations(&feed)
            .with_recheck(move || {
                let valid = flag.load(Ordering::SeqCst);
                async move { valid }
            });
        // Extended past its expiry: it goes on.
        let first = tokio::time::timeout(Duration::from_millis(200), watch.ended()).await;
        assert!(first.is_err());
        assert!(watch.deadline.is_none(), "the expiry was re-checked");
        // More revocations than the feed remembers: re-checked, now invalid.
        valid.store(false, Ordering::SeqCst);
        for i in 0..=RECENT {
            feed.revoke(&format!("other-{i}"));
        }
        tokio::time::timeout(Duration::from_secs(5), watch.ended())
            .await
            .unwrap_or_else(|_| panic!("a missed signal leads to a re-check"));
    }
}
