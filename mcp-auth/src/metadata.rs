//! What a token grants: [`TokenScope`], the stored [`TokenMetadata`], and the
//! [`NewToken`] request that creates one.

use std::collections::BTreeSet;

use mcp_core::auth::{MethodClass, Scope};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{AuthError, Timestamp, TokenId};

/// Which tools a token may list and call: method classes (`read`, `write`,
/// `custom`) and, optionally, tags (a tool must carry at least one).
///
/// Serializes as the management API's `config`: `{"methods": ["read"], "tags":
/// ["support"]}`. A missing `methods` means all classes; a missing or empty `tags`
/// means no tag is required.
///
/// ```
/// use mcp_auth::TokenScope;
/// use mcp_core::auth::MethodClass;
/// let scope: TokenScope = serde_json::from_str(r#"{"methods":["read"],"tags":["crm"]}"#)?;
/// assert!(scope.to_scope().permits(MethodClass::Read, &["crm"]));
/// assert!(!scope.to_scope().permits(MethodClass::Write, &["crm"]));
/// # Ok::<_, serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenScope {
    methods: BTreeSet<MethodClass>,
    tags: BTreeSet<String>,
}

impl TokenScope {
    /// Every class, no tag required.
    pub fn all() -> Self {
        Self::new([MethodClass::Read, MethodClass::Write, MethodClass::Custom])
    }

    /// These classes, no tag required.
    pub fn new(methods: impl IntoIterator<Item = MethodClass>) -> Self {
        Self {
            methods: methods.into_iter().collect(),
            tags: BTreeSet::new(),
        }
    }

    /// Also requires one of these tags.
    #[must_use]
    pub fn with_tags<T: Into<String>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// The permitted classes.
    pub fn methods(&self) -> impl Iterator<Item = MethodClass> + '_ {
        self.methods.iter().copied()
    }

    /// The tags a tool needs one of (empty: none needed).
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(String::as_str)
    }

    /// The [`mcp_core::auth::Scope`] the dispatcher filters tools by.
    pub fn to_scope(&self) -> Scope {
        Scope::new(self.methods.iter().copied()).with_tags(self.tags.iter().cloned())
    }

    fn validate(&self) -> Result<(), AuthError> {
        if self.tags.len() > 64 || self.tags.iter().any(|t| t.is_empty() || t.len() > 64) {
            return Err(AuthError::InvalidInput {
                field: "config.tags",
                reason: "at most 64 tags of 1 to 64 bytes each".into(),
            });
        }
        Ok(())
    }
}

impl Default for TokenScope {
    fn default() -> Self {
        Self::all()
    }
}

#[derive(Serialize, Deserialize)]
struct ScopeRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

impl Serialize for TokenScope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ScopeRepr {
            methods: Some(self.methods.iter().map(|m| m.as_str().to_owned()).collect()),
            tags: self.tags.iter().cloned().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TokenScope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = ScopeRepr::deserialize(deserializer)?;
        let methods = match repr.methods {
            None => Self::all().methods,
            Some(names) => names
                .iter()
                .map(|n| n.parse::<MethodClass>())
                .collect::<Result<_, _>>()
                .map_err(serde::de::Error::custom)?,
        };
        Ok(Self {
            methods,
            tags: repr.tags.into_iter().collect(),
        })
    }
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
    /// Which tools the token may use.
    #[serde(rename = "config", default)]
    pub scope: TokenScope,
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
            .with_scope(self.scope.to_scope())
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
/// use mcp_auth::{NewToken, TokenScope};
/// use mcp_core::auth::MethodClass;
/// let request = NewToken::new("HubSpot Read-Only MCP", "acct_42")
///     .environment_id("env_1")
///     .scope(TokenScope::new([MethodClass::Read]));
/// ```
#[derive(Clone, Debug)]
pub struct NewToken {
    pub(crate) name: String,
    pub(crate) account_id: String,
    pub(crate) environment_id: String,
    pub(crate) team_id: String,
    pub(crate) scope: TokenScope,
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
            scope: TokenScope::all(),
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
    pub fn scope(mut self, scope: TokenScope) -> Self {
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
        self.scope.validate()
    }
}
