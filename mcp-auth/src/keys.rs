//! Signing keys, the keyring that rotates them, and the [`TokenHash`] they produce.

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::AuthError;

type HmacSha256 = Hmac<Sha256>;

/// The most keys a keyring holds; a lookup tries each at most once.
const MAX_KEYS: usize = 8;

/// A secret key that turns raw tokens into stored hashes:
/// `HMAC-SHA256(key, raw_token)`.
///
/// Keys carry an id so they can rotate (see
/// [`TokenManagerBuilder`](crate::TokenManagerBuilder) for the procedure); the id
/// is stored with each token's metadata. Keys shorter than 32 bytes are refused. `Debug`
/// shows the id only.
///
/// ```
/// use mcp_auth::SigningKey;
/// assert!(SigningKey::new("k1", b"too short").is_err());
/// let key = SigningKey::new("k1", &[7u8; 32])?;
/// assert_eq!(key.id(), "k1");
/// # Ok::<_, mcp_auth::AuthError>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    id: Arc<str>,
    mac: HmacSha256,
}

impl SigningKey {
    /// The shortest secret accepted, in bytes.
    pub const MIN_LEN: usize = 32;

    /// A key from raw secret bytes.
    ///
    /// # Errors
    /// [`AuthError::WeakSigningKey`] for fewer than 32 bytes; [`AuthError::SigningKey`]
    /// for an id that is empty, longer than 32 characters or not from
    /// `A-Z a-z 0-9 - _ .`.
    pub fn new(id: impl Into<String>, secret: &[u8]) -> Result<Self, AuthError> {
        let id = id.into();
        let valid_id = (1..=32).contains(&id.len())
            && id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
        if !valid_id {
            return Err(AuthError::SigningKey(
                "a key id is 1 to 32 characters from A-Z a-z 0-9 - _ .".into(),
            ));
        }
        if secret.len() < Self::MIN_LEN {
            return Err(AuthError::WeakSigningKey {
                id,
                len: secret.len(),
            });
        }
        let mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
            .map_err(|_| AuthError::SigningKey("the HMAC key was refused".into()))?;
        Ok(Self { id: id.into(), mac })
    }

    /// A key from hex text (e.g. the `MCP_SIGNING_KEY` environment variable).
    ///
    /// # Errors
    /// As [`new`](Self::new), plus [`AuthError::SigningKey`] for text that is not hex.
    pub fn from_hex(id: impl Into<String>, hex_secret: &str) -> Result<Self, AuthError> {
        let secret = hex::decode(hex_secret.trim())
            .map_err(|_| AuthError::SigningKey("the key is not valid hex".into()))?;
        Self::new(id, &secret)
    }

    /// A fresh random 32-byte key. Tokens hashed with it die with the process unless
    /// the key is kept elsewhere.
    ///
    /// # Errors
    /// [`AuthError::Random`] if the operating system's generator fails.
    pub fn generate(id: impl Into<String>) -> Result<Self, AuthError> {
        let secret: [u8; 32] = crate::token::random_bytes()?;
        Self::new(id, &secret)
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `HMAC-SHA256(key, token)`.
    pub(crate) fn hash(&self, token: &str) -> TokenHash {
        let mut mac = self.mac.clone();
        mac.update(token.as_bytes());
        TokenHash(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The stored form of a token: `HMAC-SHA256(signing_key, raw_token)`, the key of
/// the forward entry in a [`TokenStore`](crate::TokenStore).
///
/// `Debug` does not print it; logs name the token id instead.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, for stores keyed by text.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses [`to_hex`](Self::to_hex)'s output.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// The configured keys: the active key first, then the retiring keys that still
/// verify. Fixed when the manager is built: every instance of a deployment is
/// given the same ring (see [`TokenManagerBuilder`](crate::TokenManagerBuilder)),
/// so no instance can drift from the others at run time.
pub(crate) struct Keyring {
    keys: Arc<[SigningKey]>,
}

impl Keyring {
    pub(crate) fn single(active: SigningKey) -> Self {
        Self {
            keys: Arc::new([active]),
        }
    }

    pub(crate) fn new(active: SigningKey, retiring: Vec<SigningKey>) -> Result<Self, AuthError> {
        let mut keys = Vec::with_capacity(1 + retiring.len());
        keys.push(active);
        for key in retiring {
            if keys.iter().any(|k| k.id == key.id) {
                return Err(AuthError::SigningKey(format!(
                    "a key with id {:?} is already in use",
                    key.id
                )));
            }
            keys.push(key);
        }
        if keys.len() > MAX_KEYS {
            return Err(AuthError::SigningKey(format!(
                "at most {MAX_KEYS} keys can verify at once; retire old keys first"
            )));
        }
        Ok(Self { keys: keys.into() })
    }

    /// The keys to try, active first (never empty).
    pub(crate) fn keys(&self) -> &[SigningKey] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_keys_and_bad_ids() {
        assert!(matches!(
            SigningKey::new("k", &[0; 31]),
            Err(AuthError::WeakSigningKey { len: 31, .. })
        ));
        assert!(SigningKey::new("", &[0; 32]).is_err());
        assert!(SigningKey::new("a b", &[0; 32]).is_err());
        assert!(SigningKey::from_hex("k", "zz").is_err());
        assert!(SigningKey::from_hex("k", &"ab".repeat(31)).is_err());
        assert!(SigningKey::from_hex("k", &"ab".repeat(32)).is_ok());
    }

    #[test]
    fn hmac_matches_rfc4231_case_6() {
        let key = SigningKey::new("rfc", &[0xaa; 131]).map(|k| {
            k.hash("Test Using Larger Than Block-Size Key - Hash Key First")
                .to_hex()
        });
        assert_eq!(
            key.ok().as_deref(),
            Some("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let key = SigningKey::new("k1", &[0x42; 32]);
        let debug = format!("{key:?}");
        assert!(debug.contains("k1") && !debug.contains("42"), "{debug}");
        let hash = key.map(|k| k.hash("x"));
        assert_eq!(format!("{hash:?}"), "Ok(TokenHash(<redacted>))");
    }

    #[test]
    fn keyring_refuses_duplicates_and_too_many_keys() -> Result<(), AuthError> {
        let ring = Keyring::new(
            SigningKey::new("b", &[2; 32])?,
            vec![SigningKey::new("a", &[1; 32])?],
        )?;
        let ids: Vec<_> = ring.keys().iter().map(SigningKey::id).collect();
        assert_eq!(ids, ["b", "a"]);
        let duplicate = Keyring::new(
            SigningKey::new("a", &[1; 32])?,
            vec![SigningKey::new("a", &[3; 32])?],
        );
        assert!(duplicate.is_err());
        let many = (0..8)
            .map(|i| SigningKey::new(format!("r{i}"), &[i; 32]))
            .collect::<Result<Vec<_>, _>>()?;
        assert!(Keyring::new(SigningKey::new("a", &[9; 32])?, many).is_err());
        Ok(())
    }
}
