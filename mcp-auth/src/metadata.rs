//! What a token grants: the stored [`TokenMetadata`] (with the token's
//! [`Scope`]), and the [`NewToken`] request that creates one.

use mcp_core::auth::Scope;
use serde::{Deserialize, Serialize};

use crate::{AuthError, Timestamp, TokenId};

/// Refuses a scope whose tags the store should not hold: at most 64 tags of 1 to
/// 64 bytes each.
fn validate_scope(scope: &Scope) -> Result<(), AuthError> {
    let mut count = 0;
    for tag in scope.tags() {
        count += 1;
        if count > 64 || tag.is_empty() || tag.len() > 64 {
            return Err(AuthError::InvalidInput {
                field: "config.tags",
                reason: "at most 64 tags of 1 to 64 bytes each".into(),
            });
        }
    }
    Ok(())
}

/// Everything known about an issued token: what the forward entry of a
/// [`TokenStore`](crate::TokenStore) holds. Never the token or its hash.
///
/// The auth layer puts a clone into the request's extensions, so tools reach it
/// through `Context::extensions().get::<TokenMetadata>()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenMetadata {
    /// The token's id.
    pub id: TokenId,
    /// A human-readable name ("HubSpot Read-Only MCP").
    pub name: String,
    /// The tenant's account the token acts for.
    pub account_id: String,
    /// The environment within the account.
    #[serde(default)]
    pub environment_id: String,
    /// The team that owns the account.
    #[serde(default)]
    pub team_id: String,
    /// What the token may list and call (the management API's `config`:
    /// `{"methods": ["read"], "tags": ["crm"]}`). Cheap to clone: every request the
    /// token authenticates carries it, in its [`Principal`](mcp_core::auth::Principal).
    #[serde(rename = "config", default)]
    pub scope: Scope,
    /// When the token was issued.
    pub created_at: Timestamp,
    /// When the token stops working; `None`: never.
    pub expires_at: Option<Timestamp>,
    /// The id of the signing key that hashed the token.
    pub key_id: String,
}

impl TokenMetadata {
    /// The caller this token identifies: tenant = account id, credential = token
    /// id, and the token's scope (a token URL names no subject).
    pub fn principal(&self) -> mcp_core::auth::Principal {
        mcp_core::auth::Principal::new(self.account_id.as_str(), self.id.as_str())
            .with_scope(self.scope.clone())
    }

    /// Whether the token is expired at `now` (expiry is exclusive: a token is
    /// valid strictly before its `expires_at`).
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|t| now >= t)
    }
}

/// A request to issue a token (see [`TokenManager::create`](crate::TokenManager::create)).
///
/// ```
/// use mcp_auth::NewToken;
/// use mcp_core::auth::{MethodClass, Scope};
/// let request = NewToken::new("HubSpot Read-Only MCP", "acct_42")
///     .environment_id("env_1")
///     .scope(Scope::new([MethodClass::Read]).with_tags(["crm"]));
/// ```
#[derive(Clone, Debug)]
pub struct NewToken {
    pub(crate) name: String,
    pub(crate) account_id: String,
    pub(crate) environment_id: String,
    pub(crate) team_id: String,
    pub(crate) scope: Scope,
    pub(crate) expires_at: Option<Timestamp>,
}

impl NewToken {
    /// A permanent token named `name` for `account_id`, permitting every tool.
    pub fn new(name: impl Into<String>, account_id: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            account_id: account_id.into(),
            environment_id: String::new(),
            team_id: String::new(),
            scope: Scope::all(),
            expires_at: None,
        }
    }

    /// The environment within the account.
    #[must_use]
    pub fn environment_id(mut self, id: impl Into<String>) -> Self {
        self.environment_id = id.into();
        self
    }

    /// The team that owns the account.
    #[must_use]
    pub fn team_id(mut self, id: impl Into<String>) -> Self {
        self.team_id = id.into();
        self
    }

    /// Which tools the token may use (default: all).
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// When the token stops working (at least 60 s ahead); `None`: never.
    #[must_use]
    pub fn expires_at(mut self, expires_at: Option<Timestamp>) -> Self {
        self.expires_at = expires_at;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), AuthError> {
        let text = |field, value: &str, required: bool| {
            if value.len() > 256 || (required && value.trim().is_empty()) {
                return Err(AuthError::InvalidInput {
                    field,
                    reason: if required {
                        "must be 1 to 256 bytes".into()
                    } else {
                        "must be at most 256 bytes".into()
                    },
                });
            }
            Ok(())
        };
        text("name", &self.name, true)?;
        text("account_id", &self.account_id, true)?;
        text("environment_id", &self.environment_id, false)?;
        text("team_id", &self.team_id, false)?;
        validate_scope(&self.scope)
    }
}
