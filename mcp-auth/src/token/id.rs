//! [`TokenId`]: the public name of a token, for management and logs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::AuthError;

/// The id of a token: what management requests (`PATCH`/`DELETE /mcp-servers/{id}`)
/// and logs use. It reveals nothing about the token's secret.
///
/// Generated ids are 32 lowercase hex digits; parsed ids may be 1 to 64 characters
/// from `A-Z a-z 0-9 - _`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TokenId(String);

impl TokenId {
    /// A fresh random id.
    pub(crate) fn generate() -> Result<Self, AuthError> {
        let bytes: [u8; 16] = super::random_bytes()?;
        Ok(Self(hex::encode(bytes)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TokenId {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(AuthError::InvalidInput {
                field: "id",
                reason: "expected 1 to 64 characters from A-Z a-z 0-9 - _".into(),
            })
        }
    }
}

impl<'de> Deserialize<'de> for TokenId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
