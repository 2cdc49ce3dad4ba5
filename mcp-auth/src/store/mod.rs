//! The [`TokenStore`] trait and its two implementations.

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::{MemoryStore, MemoryStoreBuilder};
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreBuilder};

use std::sync::Arc;

use async_trait::async_trait;
use mcp_core::transport::RevocationFeed;

use crate::{AuthError, Timestamp, TokenHash, TokenId, TokenMetadata};

/// Where tokens live: two entries per token, the forward `hash → metadata` (read
/// on every request) and the reverse `id → hash` (for updates and deletion by id).
///
/// Contract for implementations:
/// - The two entries of a token are written and removed together, so that a
///   forward entry never exists without its reverse one.
/// - When `expires_at` is set, both entries expire at that absolute time (the
///   store may keep them a little longer; [`TokenManager`](crate::TokenManager)
///   checks expiry itself on every lookup).
/// - A store that cannot answer returns [`AuthError::StoreUnavailable`] (within a
///   bounded time), which the auth layer turns into `503`: never a hang, never an
///   accepted request.
///
/// The trait is object-safe: a [`TokenManager`](crate::TokenManager) holds an
/// `Arc<dyn TokenStore>` chosen at run time.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// Writes both entries of a new token.
    async fn insert(&self, hash: &TokenHash, metadata: &TokenMetadata) -> Result<(), AuthError>;

    /// The metadata of the forward entry `hash`, if present.
    async fn get(&self, hash: &TokenHash) -> Result<Option<TokenMetadata>, AuthError>;

    /// The metadata of the token `id` (through its reverse entry), if present.
    async fn get_by_id(&self, id: &TokenId) -> Result<Option<TokenMetadata>, AuthError>;

    /// Sets a token's `expires_at` and both entries' expiry (`None`: permanent).
    /// Returns the updated metadata, or `None` if no token has this id.
    async fn set_expiry(
        &self,
        id: &TokenId,
        expires_at: Option<Timestamp>,
    ) -> Result<Option<TokenMetadata>, AuthError>;

    /// Removes both entries of the token `id`; `false` if it did not exist.
    async fn remove(&self, id: &TokenId) -> Result<bool, AuthError>;

    /// The feed on which this store signals the revocations it performs (by
    /// [`remove`](Self::remove), whoever calls it), so that open streams of those
    /// tokens end at once. `None` (the default): the store signals nothing, and a
    /// [`TokenManager`](crate::TokenManager) signals the revocations made through it.
    fn revocations(&self) -> Option<RevocationFeed> {
        None
    }
}

#[async_trait]
impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    async fn insert(&self, hash: &TokenHash, metadata: &TokenMetadata) -> Result<(), AuthError> {
        (**self).insert(hash, metadata).await
    }

    async fn get(&self, hash: &TokenHash) -> Result<Option<TokenMetadata>, AuthError> {
        (**self).get(hash).await
    }

    async fn get_by_id(&self, id: &TokenId) -> Result<Option<TokenMetadata>, AuthError> {
        (**self).get_by_id(id).await
    }

    async fn set_expiry(
        &self,
        id: &TokenId,
        expires_at: Option<Timestamp>,
    ) -> Result<Option<TokenMetadata>, AuthError> {
        (**self).set_expiry(id, expires_at).await
    }

    async fn remove(&self, id: &TokenId) -> Result<bool, AuthError> {
        (**self).remove(id).await
    }

    fn revocations(&self) -> Option<RevocationFeed> {
        (**self).revocations()
    }
}
