//! The raw token: its format, generation and the secret type that carries it.

mod id;

pub use id::TokenId;

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AuthError;

/// The fixed prefix of every token, so secret scanners can recognise a leaked one.
pub const TOKEN_PREFIX: &str = "mcp_";

/// Random bytes in a token (256 bits).
const SECRET_BYTES: usize = 32;
/// Checksum bytes after the secret.
const CHECKSUM_BYTES: usize = 4;
/// The length of a token: prefix, 64 hex digits of secret, 8 of checksum.
const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 2 * (SECRET_BYTES + CHECKSUM_BYTES);
const BODY_END: usize = TOKEN_PREFIX.len() + 2 * SECRET_BYTES;

/// A raw token: the secret that goes into an MCP server's URL.
///
/// Format: `mcp_` + 64 lowercase hex digits (256 bits from the operating system's
/// CSPRNG) + 8 hex digits of checksum (the first 4 bytes of SHA-256 over the prefix
/// and secret). The checksum lets a server reject a mistyped or truncated token
/// before any lookup, and lets a scanner confirm a leaked one offline.
///
/// It is returned once, by [`TokenManager::create`](crate::TokenManager::create), and
/// then only hashed. It implements neither `Display` nor `PartialEq`, its `Debug`
/// output is redacted, and [`expose_secret`](Self::expose_secret) consumes it.
pub struct RawToken {
    value: String,
}

impl RawToken {
    /// Draws a fresh token from the operating system's CSPRNG.
    pub(crate) fn generate() -> Result<Self, AuthError> {
        let secret: [u8; SECRET_BYTES] = random_bytes()?;
        let mut value = String::with_capacity(TOKEN_LEN);
        value.push_str(TOKEN_PREFIX);
        value.push_str(&hex::encode(secret));
        let sum = checksum(value.as_bytes());
        value.push_str(&hex::encode(sum));
        Ok(Self { value })
    }

    /// Gives up the secret: the caller now owns the only copy.
    pub fn expose_secret(self) -> String {
        self.value
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether `candidate` has a token's exact format and a correct checksum.
    /// Cheap and independent of any store: a `false` means reject at once.
    ///
    /// ```
    /// use mcp_auth::RawToken;
    /// assert!(!RawToken::is_well_formed("mcp_1234"));
    /// ```
    pub fn is_well_formed(candidate: &str) -> bool {
        let b = candidate.as_bytes();
        if b.len() != TOKEN_LEN || !candidate.starts_with(TOKEN_PREFIX) {
            return false;
        }
        if !b[TOKEN_PREFIX.len()..]
            .iter()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
        {
            return false;
        }
        let mut given = [0u8; CHECKSUM_BYTES];
        if hex::decode_to_slice(&b[BODY_END..], &mut given).is_err() {
            return false;
        }
        checksum(&b[..BODY_END]).ct_eq(&given).into()
    }
}

impl fmt::Debug for RawToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawToken({TOKEN_PREFIX}<redacted>)")
    }
}

fn checksum(prefix_and_secret: &[u8]) -> [u8; CHECKSUM_BYTES] {
    let digest = Sha256::digest(prefix_and_secret);
    let mut sum = [0u8; CHECKSUM_BYTES];
    sum.copy_from_slice(&digest[..CHECKSUM_BYTES]);
    sum
}

/// `N` bytes from the operating system's CSPRNG.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| AuthError::Random)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_and_distinct() {
        let a = RawToken::generate()
            .map(RawToken::expose_secret)
            .unwrap_or_default();
        let b = RawToken::generate()
            .map(RawToken::expose_secret)
            .unwrap_or_default();
        assert_eq!(a.len(), 76);
        assert!(a.starts_with("mcp_"));
        assert!(RawToken::is_well_formed(&a));
        assert!(RawToken::is_well_formed(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn any_single_change_breaks_the_format() {
        let t = RawToken::generate()
            .map(RawToken::expose_secret)
            .unwrap_or_default();
        assert!(!RawToken::is_well_formed(&t[..75]));
        assert!(!RawToken::is_well_formed(&format!("{t}0")));
        assert!(!RawToken::is_well_formed(&t.to_uppercase()));
        assert!(!RawToken::is_well_formed(&t.replacen("mcp_", "mcq_", 1)));
        for i in 4..t.len() {
            let mut bytes = t.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(bytes).unwrap_or_default();
            assert!(!RawToken::is_well_formed(&changed), "position {i}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let token = RawToken::generate();
        let debug = format!("{token:?}");
        let secret = token.map(RawToken::expose_secret).unwrap_or_default();
        assert!(!debug.contains(&secret[4..20]), "{debug}");
        assert!(debug.contains("redacted"));
    }
}
