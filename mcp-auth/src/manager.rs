//! [`TokenManager`]: issues, verifies, extends and revokes tokens.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mcp_core::transport::{CredentialWatch, RevocationFeed};

use crate::keys::Keyring;
use crate::negative_cache::NegativeCache;
use crate::{
    AuthError, Clock, NewToken, RawToken, SigningKey, SystemClock, Timestamp, TokenHash, TokenId,
    TokenMetadata, TokenStore,
};

/// How far in the future a new `expires_at` must be at least.
pub const MIN_LIFETIME: Duration = Duration::from_secs(60);

/// How long an unknown token is refused without a lookup, by default.
const NEGATIVE_TTL: Duration = Duration::from_secs(5);
/// How many unknown tokens are remembered, by default.
const NEGATIVE_CAPACITY: usize = 4096;

/// Issues and verifies tokens over a [`TokenStore`] with a configured ring of
/// [`SigningKey`]s (see [`TokenManagerBuilder`] for rotation). Cheap to clone (one
/// `Arc`).
///
/// Verification ([`verify`](Self::verify)) is: format and checksum check (no I/O),
/// a small negative cache of recently unknown tokens (by HMAC; see
/// [`TokenManagerBuilder::negative_cache`]), then for each signing key, active
/// first, `HMAC-SHA256(key, token)` and a store lookup, then the expiry check
/// against this manager's [`Clock`].
///
/// ```
/// use mcp_auth::{MemoryStore, NewToken, SigningKey, TokenManager};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mcp_auth::AuthError> {
/// let tokens = TokenManager::new(MemoryStore::new(), SigningKey::generate("k1")?);
/// let issued = tokens.create(NewToken::new("Support bot", "acct_42")).await?;
/// let id = issued.metadata.id.clone();
/// let secret = issued.token.expose_secret(); // goes into the URL, once
/// assert_eq!(tokens.verify(&secret).await?.account_id, "acct_42");
/// tokens.revoke(&id).await?;
/// assert!(tokens.verify(&secret).await.is_err_and(|e| e.is_unauthorized()));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenManager {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn TokenStore>,
    keys: Keyring,
    clock: Arc<dyn Clock>,
    refused: NegativeCache,
    /// Where revocations are signalled: the store's feed if it has one (it then
    /// signals itself), else this manager's own.
    revocations: RevocationFeed,
    store_signals: bool,
}

impl Inner {
    fn new(
        store: Arc<dyn TokenStore>,
        keys: Keyring,
        clock: Arc<dyn Clock>,
        refused: NegativeCache,
    ) -> Self {
        let store_feed = store.revocations();
        Self {
            store_signals: store_feed.is_some(),
            revocations: store_feed.unwrap_or_default(),
            store,
            keys,
            clock,
            refused,
        }
    }
}

/// A freshly issued token: its metadata and the raw token, which exists nowhere
/// else.
#[derive(Debug)]
#[non_exhaustive]
pub struct IssuedToken {
    /// What the store holds about it.
    pub metadata: TokenMetadata,
    /// The secret to hand to the client (inside its MCP URL), exactly once.
    pub token: RawToken,
}

/// Builds a [`TokenManager`]: its key ring, the clock, the negative cache.
///
/// # Rotating signing keys
///
/// The key ring is configuration, fixed for the manager's life: the active key
/// (signs new tokens, verifies) and retiring keys (verify only). Verification
/// tries every key of the ring, active first, one store lookup each, and a
/// token's metadata records the id of the key that hashed it. Every instance of a
/// deployment must be given the same ring, and a rotation is a rollout in two
/// steps, so that any token minted by any instance verifies on all of them:
///
/// 1. Add the new key as a **retiring** key everywhere (`retiring_key(new)`); keep
///    the old key active. Wait until every instance runs with it.
/// 2. Make the new key **active** everywhere and the old one retiring
///    (`builder(store, new).retiring_key(old)`). Tokens minted now verify on every
///    instance, whether it has already switched or not.
/// 3. Once the old key's tokens are reissued or expired, drop it from the ring.
///
/// There is no run-time rotation: a key changed in one process would make the
/// tokens that process mints fail on every other instance. A shared key ring
/// derived from one secret (`MCP_SIGNING_KEYS`) is the fleet configuration's job.
///
/// ```
/// use mcp_auth::{MemoryStore, SigningKey, TokenManager};
/// # fn main() -> Result<(), mcp_auth::AuthError> {
/// let (old, new) = (SigningKey::generate("2025")?, SigningKey::generate("2026")?);
/// // Step 2 of a rotation, on every instance:
/// let tokens = TokenManager::builder(MemoryStore::new(), new)
///     .retiring_key(old)
///     .build()?;
/// assert_eq!(tokens.key_ids(), ["2026", "2025"]);
/// # Ok(())
/// # }
/// ```
pub struct TokenManagerBuilder {
    store: Arc<dyn TokenStore>,
    active: SigningKey,
    retiring: Vec<SigningKey>,
    clock: Arc<dyn Clock>,
    negative_ttl: Duration,
    negative_capacity: usize,
}

impl TokenManagerBuilder {
    /// Adds a retiring key: tokens it hashed keep verifying, new tokens use the
    /// active key. Lookups try every key, so keep few.
    #[must_use]
    pub fn retiring_key(mut self, key: SigningKey) -> Self {
        self.retiring.push(key);
        self
    }

    /// The clock for every expiry decision (default: [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How long a token the store did not know is refused without a lookup, and
    /// how many such tokens are remembered (default: 5 s, 4096; a zero disables
    /// the cache). Only their HMACs are kept; a freshly created token is never
    /// refused by it (see [`verify`](TokenManager::verify)).
    #[must_use]
    pub fn negative_cache(mut self, ttl: Duration, capacity: usize) -> Self {
        self.negative_ttl = ttl;
        self.negative_capacity = capacity;
        self
    }

    /// Builds the manager.
    ///
    /// # Errors
    /// [`AuthError::SigningKey`] when two keys share an id or there are more than 8.
    pub fn build(self) -> Result<TokenManager, AuthError> {
        Ok(TokenManager {
            inner: Arc::new(Inner::new(
                self.store,
                Keyring::new(self.active, self.retiring)?,
                self.clock,
                NegativeCache::new(self.negative_ttl, self.negative_capacity),
            )),
        })
    }
}

impl TokenManager {
    /// A manager over `store`, signing with `key`, on the system clock.
    pub fn new(store: impl TokenStore, key: SigningKey) -> Self {
        Self {
            inner: Arc::new(Inner::new(
                Arc::new(store),
                Keyring::single(key),
                Arc::new(SystemClock),
                NegativeCache::new(NEGATIVE_TTL, NEGATIVE_CAPACITY),
            )),
        }
    }

    /// Starts building a manager over `store` whose active key is `key`.
    pub fn builder(store: impl TokenStore, key: SigningKey) -> TokenManagerBuilder {
        TokenManagerBuilder {
            store: Arc::new(store),
            active: key,
            retiring: Vec::new(),
            clock: Arc::new(SystemClock),
            negative_ttl: NEGATIVE_TTL,
            negative_capacity: NEGATIVE_CAPACITY,
        }
    }

    /// The current time of this manager's clock.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Issues a token: a new raw token, hashed with the active key, stored as
    /// forward and reverse entries.
    ///
    /// # Errors
    /// [`AuthError::ExpiryInPast`] / [`AuthError::ExpiryTooSoon`] when `expires_at`
    /// is not at least [`MIN_LIFETIME`] ahead; [`AuthError::InvalidInput`] for bad
    /// fields; [`AuthError::StoreUnavailable`] when the store fails.
    pub async fn create(&self, request: NewToken) -> Result<IssuedToken, AuthError> {
        request.validate()?;
        let now = self.now();
        if let Some(at) = request.expires_at {
            check_expiry(now, at)?;
        }
        let token = RawToken::generate()?;
        let keys = self.inner.keys.keys();
        let key = &keys[0]; // the keyring is never empty: the active key comes first
        let hash = key.hash(token.as_str());
        // Nobody can have presented this token yet; forget it all the same.
        self.inner.refused.forget(&hash);
        let metadata = TokenMetadata {
            id: TokenId::generate()?,
            name: request.name,
            account_id: request.account_id,
            environment_id: request.environment_id,
            team_id: request.team_id,
            scope: request.scope,
            created_at: now,
            expires_at: request.expires_at,
            key_id: key.id().to_owned(),
        };
        self.inner.store.insert(&hash, &metadata).await?;
        tracing::info!(token_id = %metadata.id, account_id = %metadata.account_id, "token issued");
        Ok(IssuedToken { metadata, token })
    }

    /// Checks a presented token and returns its metadata.
    ///
    /// # Errors
    /// [`AuthError::Malformed`] (no lookup was made), [`AuthError::Unknown`],
    /// [`AuthError::Expired`], or [`AuthError::StoreUnavailable`].
    pub async fn verify(&self, raw: &str) -> Result<TokenMetadata, AuthError> {
        if !RawToken::is_well_formed(raw) {
            return Err(AuthError::Malformed);
        }
        self.verify_well_formed(raw).await
    }

    /// [`verify`](Self::verify) for a token whose format was already checked.
    pub(crate) async fn verify_well_formed(&self, raw: &str) -> Result<TokenMetadata, AuthError> {
        self.verify_hashed(raw).await.map(|(metadata, _)| metadata)
    }

    /// Verifies and returns the metadata with the hash it is stored under.
    pub(crate) async fn verify_hashed(
        &self,
        raw: &str,
    ) -> Result<(TokenMetadata, TokenHash), AuthError> {
        let keys = self.inner.keys.keys();
        let first = keys[0].hash(raw);
        if self.inner.refused.contains(&first) {
            return Err(AuthError::Unknown);
        }
        for (i, key) in keys.iter().enumerate() {
            let hash = if i == 0 { first } else { key.hash(raw) };
            let Some(metadata) = self.inner.store.get(&hash).await? else {
                continue;
            };
            if metadata.is_expired_at(self.now()) {
                tracing::debug!(token_id = %metadata.id, "token expired");
                return Err(AuthError::Expired);
            }
            return Ok((metadata, hash));
        }
        self.inner.refused.insert(first);
        Err(AuthError::Unknown)
    }

    /// The metadata of a live token.
    ///
    /// # Errors
    /// [`AuthError::NotFound`] if no live token has this id;
    /// [`AuthError::StoreUnavailable`].
    pub async fn get(&self, id: &TokenId) -> Result<TokenMetadata, AuthError> {
        match self.inner.store.get_by_id(id).await? {
            Some(m) if !m.is_expired_at(self.now()) => Ok(m),
            _ => Err(AuthError::NotFound),
        }
    }

    /// Changes a live token's expiry: a later date extends it, `None` makes it
    /// permanent (an earlier date, still [`MIN_LIFETIME`] ahead, shortens it).
    ///
    /// # Errors
    /// As [`create`](Self::create) for the date; [`AuthError::NotFound`] if no live
    /// token has this id.
    pub async fn set_expiry(
        &self,
        id: &TokenId,
        expires_at: Option<Timestamp>,
    ) -> Result<TokenMetadata, AuthError> {
        if let Some(at) = expires_at {
            check_expiry(self.now(), at)?;
        }
        self.get(id).await?;
        let updated = self
            .inner
            .store
            .set_expiry(id, expires_at)
            .await?
            .ok_or(AuthError::NotFound)?;
        tracing::info!(token_id = %id, expires_at = ?expires_at.map(|t| t.to_string()), "token expiry changed");
        Ok(updated)
    }

    /// Revokes a token: both entries are removed, the next request with it gets
    /// `401`, and this process's open streams of it (tool calls, `subscriptions/
    /// listen`) end at once (see [`CredentialWatch`]; other instances' streams end
    /// at their next keep-alive).
    ///
    /// # Errors
    /// [`AuthError::NotFound`] if no token has this id;
    /// [`AuthError::StoreUnavailable`].
    pub async fn revoke(&self, id: &TokenId) -> Result<(), AuthError> {
        if !self.inner.store.remove(id).await? {
            return Err(AuthError::NotFound);
        }
        if !self.inner.store_signals {
            self.inner.revocations.revoke(id.as_str());
        }
        tracing::info!(token_id = %id, "token revoked");
        Ok(())
    }

    /// The [`CredentialWatch`] of a token just verified: its expiry, this
    /// process's revocation signals, and a re-check with the store (one lookup by
    /// `hash`: still there, same id, not expired by this manager's clock; a store
    /// that cannot answer keeps the stream open).
    pub(crate) fn watch(&self, metadata: &TokenMetadata, hash: TokenHash) -> CredentialWatch {
        let manager = self.clone();
        let id = metadata.id.clone();
        CredentialWatch::new(id.as_str(), metadata.expires_at.map(SystemTime::from))
            .with_revocations(&self.inner.revocations)
            .with_recheck(move || {
                let (manager, id) = (manager.clone(), id.clone());
                async move { manager.still_valid(&hash, &id).await }
            })
    }

    async fn still_valid(&self, hash: &TokenHash, id: &TokenId) -> bool {
        match self.inner.store.get(hash).await {
            Ok(Some(metadata)) => metadata.id == *id && !metadata.is_expired_at(self.now()),
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, token_id = %id, "token re-check failed; the stream stays open");
                true
            }
        }
    }

    /// The ids of the keys that verify, active first.
    pub fn key_ids(&self) -> Vec<String> {
        self.inner
            .keys
            .keys()
            .iter()
            .map(|k| k.id().to_owned())
            .collect()
    }
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("keys", &self.key_ids())
            .finish_non_exhaustive()
    }
}

fn check_expiry(now: Timestamp, at: Timestamp) -> Result<(), AuthError> {
    if at <= now {
        Err(AuthError::ExpiryInPast)
    } else if at < now.saturating_add(MIN_LIFETIME) {
        Err(AuthError::ExpiryTooSoon {
            min_secs: MIN_LIFETIME.as_secs(),
        })
    } else {
        Ok(())
    }
}
