//! [`AuthError`]: everything that can go wrong issuing, storing or verifying a token.

use std::error::Error as StdError;

use http::StatusCode;

/// The error type of this crate.
///
/// Branch on the variant, or ask [`status`](Self::status) for the HTTP status a
/// server should answer with: `401` for anything wrong with a presented token,
/// `503` when the store cannot be reached (the layer fails closed), `400`/`404` for
/// management requests.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The request carried no token.
    #[error("no token was presented")]
    Missing,
    /// The token has the wrong prefix, length, characters or checksum; it was
    /// rejected before any lookup.
    #[error("the token is malformed (wrong prefix, length, characters or checksum)")]
    Malformed,
    /// No live token matches (never issued, revoked, or its signing key was removed).
    #[error("the token is unknown or revoked")]
    Unknown,
    /// The token matched but its `expires_at` has passed.
    #[error("the token has expired")]
    Expired,
    /// No token has this id (management operations).
    #[error("no token has this id")]
    NotFound,
    /// The requested `expires_at` is not in the future.
    #[error("expires_at is in the past")]
    ExpiryInPast,
    /// The requested `expires_at` is in the future but too close.
    #[error("expires_at must be at least {min_secs} seconds in the future")]
    ExpiryTooSoon {
        /// The minimum lifetime, in seconds.
        min_secs: u64,
    },
    /// A field of a request is invalid.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A signing key is shorter than 32 bytes.
    #[error("signing key {id:?} has {len} bytes; at least 32 are required")]
    WeakSigningKey {
        /// The key's id.
        id: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A signing key operation is not possible (bad hex, empty or duplicate id,
    /// removing the active key).
    #[error("signing key: {0}")]
    SigningKey(String),
    /// The token store could not be reached or did not answer in time.
    #[error("the token store is unavailable: {0}")]
    StoreUnavailable(#[source] Box<dyn StdError + Send + Sync>),
    /// The token store returned data that cannot be decoded.
    #[error("the token store holds a corrupt entry: {0}")]
    CorruptEntry(String),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
}

impl AuthError {
    /// Wraps a store's connection or timeout error (for [`TokenStore`](crate::TokenStore)
    /// implementations).
    pub fn store_unavailable(error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::StoreUnavailable(error.into())
    }

    /// Whether the presented token is missing, malformed, unknown, revoked or
    /// expired (HTTP `401`).
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            Self::Missing | Self::Malformed | Self::Unknown | Self::Expired
        )
    }

    /// Whether the store failed (HTTP `503`; never treat it as a valid token).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::StoreUnavailable(_) | Self::CorruptEntry(_))
    }

    /// The HTTP status a server answers with for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Missing | Self::Malformed | Self::Unknown | Self::Expired => {
                StatusCode::UNAUTHORIZED
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::ExpiryInPast | Self::ExpiryTooSoon { .. } | Self::InvalidInput { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::StoreUnavailable(_) | Self::CorruptEntry(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::WeakSigningKey { .. } | Self::SigningKey(_) | Self::Random => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}
