//! [`RedisStore`]: tokens in Redis, shared by many server instances.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Pipeline, Value};

use crate::{AuthError, Timestamp, TokenHash, TokenId, TokenMetadata, TokenStore};

/// A [`TokenStore`] in Redis, for many server instances behind a load balancer.
///
/// Layout: the forward entry `{prefix}t:<hash hex>` holds the metadata as JSON,
/// the reverse entry `{prefix}id:<token id>` holds the hash, and so does a second
/// copy of it, `{prefix}id2:<token id>`; all are written with `SET … PXAT
/// <expires_at>` (absolute expiry, so no TTL drifts between them) in one
/// `MULTI`/`EXEC`. Within that transaction the reverse entries are written first
/// and the forward entry deleted first, so that even where the writes are not
/// atomic (keys in different Redis Cluster slots, a port to a cluster client) a
/// forward entry never exists without its reverse one. Updates use `SET … XX`, so
/// a concurrent revocation is never undone.
///
/// Why two reverse entries: the forward key is the token's HMAC, which only the
/// reverse entry knows, so a revocation that found the reverse entry corrupt (not
/// a hash, the wrong Redis type) could not find the forward entry and would leave
/// the token working. Both copies are read in the same round trip (`MGET`) and the
/// first that holds a hash wins; a `SCAN` for the forward entry is no option at
/// scale. Only if both are corrupt does a revocation fail, with
/// [`AuthError::CorruptEntry`], leaving the entries for an operator to inspect.
/// The cost is one small key per token.
///
/// Every round trip is bounded by the response timeout (300 ms by default), also
/// while the connection is being re-established: when Redis is down or hangs, the
/// store answers [`AuthError::StoreUnavailable`] and the auth layer `503` (fail
/// closed). The connection reconnects by itself when Redis comes back.
///
/// **Durability**: a revocation (and a new token) survives a Redis crash or
/// restart only if Redis persists with AOF (`appendonly yes`; `appendfsync
/// always` to lose nothing). With RDB snapshots only, a crash can bring back
/// a revoked token until its expiry.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: Arc<str>,
    response_timeout: Duration,
}

/// Builds a [`RedisStore`]: key prefix and timeouts.
#[derive(Debug, Clone)]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    response_timeout: Duration,
    connect_timeout: Duration,
}

impl RedisStoreBuilder {
    /// The prefix of every key (default `mcp-auth:`).
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest wait for one answer from Redis (default 300 ms).
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// The longest wait for one connection attempt (default 1 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Connects (the first connection is awaited; later ones are automatic).
    ///
    /// # Errors
    /// [`AuthError::StoreUnavailable`] when the URL is invalid or Redis cannot be
    /// reached.
    pub async fn connect(self) -> Result<RedisStore, AuthError> {
        let client = redis::Client::open(self.url.as_str()).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(self.response_timeout))
            .set_connection_timeout(Some(self.connect_timeout))
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_secs(1))
            .set_number_of_retries(3);
        let deadline = self.connect_timeout.saturating_mul(2) + self.response_timeout;
        let conn =
            tokio::time::timeout(deadline, ConnectionManager::new_with_config(client, config))
                .await
                .map_err(|_| AuthError::store_unavailable("timed out connecting to Redis"))?
                .map_err(unavailable)?;
        Ok(RedisStore {
            conn,
            prefix: self.prefix.into(),
            response_timeout: self.response_timeout,
        })
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`) with the default settings.
    ///
    /// # Errors
    /// As [`RedisStoreBuilder::connect`].
    pub async fn connect(url: &str) -> Result<Self, AuthError> {
        Self::builder(url).connect().await
    }

    /// Starts building a store for `url`.
    pub fn builder(url: &str) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.to_owned(),
            prefix: "mcp-auth:".into(),
            response_timeout: Duration::from_millis(300),
            connect_timeout: Duration::from_secs(1),
        }
    }

    fn forward_key(&self, hash: &TokenHash) -> String {
        format!("{}t:{}", self.prefix, hash.to_hex())
    }

    fn reverse_key(&self, id: &TokenId) -> String {
        format!("{}id:{}", self.prefix, id)
    }

    /// The second copy of the reverse entry.
    fn backup_key(&self, id: &TokenId) -> String {
        format!("{}id2:{}", self.prefix, id)
    }

    /// The hash the reverse entries of `id` hold: `Ok(None)` when neither exists,
    /// [`AuthError::CorruptEntry`] when they exist and neither holds a hash. One
    /// round trip (`MGET`, which answers nil for a key of the wrong type).
    async fn hash_of(&self, id: &TokenId) -> Result<Option<TokenHash>, AuthError> {
        let mut conn = self.conn.clone();
        let keys = [self.reverse_key(id), self.backup_key(id)];
        let values: Vec<Option<String>> = self
            .bounded(redis::cmd("MGET").arg(&keys).query_async(&mut conn))
            .await?;
        if let Some(hash) = values
            .iter()
            .flatten()
            .find_map(|hex| TokenHash::from_hex(hex))
        {
            return Ok(Some(hash));
        }
        let mut exists = redis::cmd("EXISTS");
        exists.arg(&keys);
        let present: u64 = self.bounded(exists.query_async(&mut conn)).await?;
        if present == 0 {
            Ok(None)
        } else {
            tracing::warn!(token_id = %id, "both reverse entries of a token are corrupt");
            Err(AuthError::CorruptEntry(
                "neither reverse entry holds a hash".into(),
            ))
        }
    }

    /// Runs one round trip, bounded by the response timeout.
    async fn bounded<T>(
        &self,
        round_trip: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, AuthError> {
        match tokio::time::timeout(self.response_timeout, round_trip).await {
            Ok(result) => result.map_err(unavailable),
            Err(_) => Err(AuthError::store_unavailable("Redis did not answer in time")),
        }
    }

    async fn get_string(&self, key: String) -> Result<Option<String>, AuthError> {
        let mut conn = self.conn.clone();
        self.bounded(redis::cmd("GET").arg(key).query_async(&mut conn))
            .await
    }

    async fn exec(&self, pipe: &Pipeline) -> Result<Vec<Value>, AuthError> {
        let mut conn = self.conn.clone();
        self.bounded(pipe.query_async(&mut conn)).await
    }

    async fn forward_of(
        &self,
        id: &TokenId,
    ) -> Result<Option<(TokenHash, TokenMetadata)>, AuthError> {
        let Some(hash) = self.hash_of(id).await? else {
            return Ok(None);
        };
        let Some(json) = self.get_string(self.forward_key(&hash)).await? else {
            return Ok(None);
        };
        Ok(Some((hash, decode(&json)?)))
    }
}

/// `SET key value [PXAT ms] [XX]`.
fn set(pipe: &mut Pipeline, key: String, value: &str, expires_at: Option<Timestamp>, xx: bool) {
    let cmd = pipe.cmd("SET").arg(key).arg(value);
    if let Some(at) = expires_at {
        cmd.arg("PXAT").arg(at.as_unix_millis());
    }
    if xx {
        cmd.arg("XX");
    }
}

fn decode(json: &str) -> Result<TokenMetadata, AuthError> {
    serde_json::from_str(json).map_err(|e| AuthError::CorruptEntry(e.to_string()))
}

fn encode(metadata: &TokenMetadata) -> Result<String, AuthError> {
    serde_json::to_string(metadata).map_err(|e| AuthError::CorruptEntry(e.to_string()))
}

fn unavailable(error: redis::RedisError) -> AuthError {
    AuthError::store_unavailable(format!("Redis: {error}"))
}

#[async_trait]
impl TokenStore for RedisStore {
    async fn insert(&self, hash: &TokenHash, metadata: &TokenMetadata) -> Result<(), AuthError> {
        let json = encode(metadata)?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        // Reverse first: a forward entry never exists without its reverse one.
        for key in [
            self.reverse_key(&metadata.id),
            self.backup_key(&metadata.id),
        ] {
            set(&mut pipe, key, &hash.to_hex(), metadata.expires_at, false);
        }
        set(
            &mut pipe,
            self.forward_key(hash),
            &json,
            metadata.expires_at,
            false,
        );
        self.exec(&pipe).await.map(drop)
    }

    async fn get(&self, hash: &TokenHash) -> Result<Option<TokenMetadata>, AuthError> {
        match self.get_string(self.forward_key(hash)).await? {
            Some(json) => decode(&json).map(Some),
            None => Ok(None),
        }
    }

    async fn get_by_id(&self, id: &TokenId) -> Result<Option<TokenMetadata>, AuthError> {
        Ok(self.forward_of(id).await?.map(|(_, metadata)| metadata))
    }

    async fn set_expiry(
        &self,
        id: &TokenId,
        expires_at: Option<Timestamp>,
    ) -> Result<Option<TokenMetadata>, AuthError> {
        let Some((hash, mut metadata)) = self.forward_of(id).await? else {
            return Ok(None);
        };
        let later = match (metadata.expires_at, expires_at) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(old), Some(new)) => new >= old,
        };
        metadata.expires_at = expires_at;
        let json = encode(&metadata)?;
        let (reverse, forward) = (self.reverse_key(id), self.forward_key(&hash));
        let backup = self.backup_key(id);
        let hex = hash.to_hex();
        let mut pipe = redis::pipe();
        pipe.atomic();
        // The reverse entries must outlive the forward one at every step: extend
        // them first, shorten them last. The backup is (re)written whatever it
        // held (tokens issued before it existed gain one).
        if later {
            set(&mut pipe, reverse, &hex, expires_at, true);
            set(&mut pipe, forward, &json, expires_at, true);
            set(&mut pipe, backup, &hex, expires_at, false);
        } else {
            set(&mut pipe, forward, &json, expires_at, true);
            set(&mut pipe, reverse, &hex, expires_at, true);
            set(&mut pipe, backup, &hex, expires_at, false);
        }
        let written = self.exec(&pipe).await?;
        if written.len() == 3 && written.iter().all(|v| !matches!(v, Value::Nil)) {
            Ok(Some(metadata))
        } else {
            // Revoked or expired meanwhile: make sure nothing is left half-updated.
            self.remove(id).await?;
            Ok(None)
        }
    }

    async fn remove(&self, id: &TokenId) -> Result<bool, AuthError> {
        // Either reverse entry leads to the forward one (see the type's docs).
        let Some(hash) = self.hash_of(id).await? else {
            return Ok(false);
        };
        let mut pipe = redis::pipe();
        pipe.atomic();
        // Forward first: a forward entry never exists without its reverse one.
        pipe.cmd("DEL").arg(self.forward_key(&hash));
        pipe.cmd("DEL")
            .arg(self.reverse_key(id))
            .arg(self.backup_key(id));
        self.exec(&pipe).await?;
        Ok(true)
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("response_timeout", &self.response_timeout)
            .finish_non_exhaustive()
    }
}
