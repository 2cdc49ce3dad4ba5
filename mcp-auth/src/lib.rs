//! Per-tenant MCP server URLs: each tenant's agent gets its own URL carrying a
//! secret token, scoped to one account, that can expire, be extended and be revoked.
//!
//! - [`TokenManager`] issues tokens ([`RawToken`]: `mcp_` + 256 random bits + a
//!   checksum) and stores only `HMAC-SHA256(signing_key, token)` with the token's
//!   [`TokenMetadata`]; [`SigningKey`]s have ids and rotate by configuration (see
//!   [`TokenManagerBuilder`]).
//! - [`TokenStore`]s: [`MemoryStore`] (embedded, swept) and `RedisStore` (feature
//!   `redis`, for many server instances), both with absolute expiry.
//! - [`AuthLayer`]: a tower layer in front of the MCP HTTP endpoint. It takes the
//!   token from `/mcp/<token>` or `Authorization: Bearer`, answers `401` (`429` for
//!   a client over its [`FailureThrottle`] budget, `503` when the store is down)
//!   before the body is read, and otherwise puts the caller's
//!   [`mcp_core::auth::Principal`], the token's [`TokenMetadata`] and a
//!   [`mcp_core::transport::CredentialWatch`] into the request extensions: the dispatcher
//!   shows and runs only what the token's scope permits, and the transport ends
//!   the request's open streams when the token is revoked or expires.
//!
//! ```
//! use mcp_auth::{AuthLayer, MemoryStore, NewToken, SigningKey, TokenManager};
//! use mcp_core::auth::{MethodClass, Scope};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mcp_auth::AuthError> {
//! let tokens = TokenManager::new(MemoryStore::new(), SigningKey::generate("k1")?);
//! let issued = tokens
//!     .create(NewToken::new("CRM read-only", "acct_42").scope(Scope::new([MethodClass::Read])))
//!     .await?;
//! let url = format!("https://mcp.example.com/mcp/{}", issued.token.expose_secret());
//! // Wrap the MCP HTTP service: requests to `url` reach it as `/mcp`, with a read-only scope.
//! let layer = AuthLayer::new(tokens);
//! # let _ = (url, layer);
//! # Ok(())
//! # }
//! ```
//!
//! With Redis, revocations survive a Redis crash only when Redis persists with AOF
//! (`appendonly yes`); see `RedisStore`.
//!
//! Secrets stay secret: [`RawToken`] has no `Display` or `PartialEq` and a redacted
//! `Debug`; stores hold the hash only; logs name the token id, never the token or
//! its hash.

mod clock;
mod error;
mod keys;
mod layer;
mod manager;
mod metadata;
mod negative_cache;
mod store;
mod timestamp;
mod token;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AuthError;
pub use keys::{SigningKey, TokenHash};
pub use layer::{Auth, AuthLayer, FailureThrottle, ResponseFuture};
pub use manager::{IssuedToken, MIN_LIFETIME, TokenManager, TokenManagerBuilder};
pub use metadata::{NewToken, TokenMetadata};
pub use store::{MemoryStore, MemoryStoreBuilder, TokenStore};
#[cfg(feature = "redis")]
pub use store::{RedisStore, RedisStoreBuilder};
pub use timestamp::Timestamp;
pub use token::{RawToken, TOKEN_PREFIX, TokenId};
