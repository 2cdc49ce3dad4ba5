//! Sealing `requestState`: the handler's state, the [`Binding`] of the request it
//! belongs to (caller, method, name, arguments), an expiry in milliseconds and a
//! random id, under HMAC-SHA256 (readable) or XChaCha20-Poly1305 (encrypted), so a
//! tampered, stale, transplanted or (optionally) replayed state is refused.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use super::binding::Binding;
use crate::request_state::Redemptions;

/// How states are sealed; set on the [`ServerBuilder`](crate::ServerBuilder).
#[derive(Clone)]
pub(crate) struct Sealing {
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) encryption_key: Option<Vec<u8>>,
    pub(crate) ttl: Duration,
    pub(crate) redemptions: Option<Arc<dyn Redemptions>>,
}

impl Default for Sealing {
    fn default() -> Self {
        Self {
            key: None,
            encryption_key: None,
            ttl: Duration::from_secs(600),
            redemptions: None,
        }
    }
}

/// The keys, lifetime and redemption record of sealed states. Every instance of a
/// server behind a load balancer must share the keys.
pub(crate) struct StateSealer {
    mac: Hmac<Sha256>,
    cipher: Option<XChaCha20Poly1305>,
    ttl: Duration,
    redemptions: Option<Arc<dyn Redemptions>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Sealed {
    /// The handler's state.
    s: Value,
    /// The binding, hex.
    b: String,
    /// Expiry, milliseconds since the epoch.
    e: u64,
    /// A random id (for single-use redemption), hex.
    i: String,
}

/// HMAC-sealed, readable: `mcp2.<payload>.<tag>`.
const SIGNED: &str = "mcp2.";
/// Encrypted: `mcp2e.<nonce + ciphertext>`.
const ENCRYPTED: &str = "mcp2e.";
const NONCE_BYTES: usize = 24;

const MALFORMED: &str = "malformed requestState";

impl StateSealer {
    /// # Errors
    /// A key shorter than 32 bytes, an encryption key of another length than 32.
    pub(crate) fn new(key: &[u8], sealing: &Sealing) -> Result<Self, String> {
        if key.len() < 32 {
            return Err(format!(
                "the request-state key must be at least 32 bytes, got {}",
                key.len()
            ));
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|e| e.to_string())?;
        let cipher = match &sealing.encryption_key {
            Some(k) => Some(XChaCha20Poly1305::new_from_slice(k).map_err(|_| {
                format!(
                    "the request-state encryption key must be 32 bytes, got {}",
                    k.len()
                )
            })?),
            None => None,
        };
        Ok(Self {
            mac,
            cipher,
            ttl: sealing.ttl,
            redemptions: sealing.redemptions.clone(),
        })
    }

    /// # Errors
    /// The OS has no randomness to give (for the id or the nonce).
    pub(crate) fn seal(&self, state: Value, binding: &Binding) -> Result<String, String> {
        self.seal_at(state, binding, now_ms())
    }

    fn seal_at(&self, state: Value, binding: &Binding, now: u64) -> Result<String, String> {
        let ttl = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        let mut id = [0u8; 16];
        random(&mut id)?;
        let sealed = Sealed {
            s: state,
            b: hex(&binding.0),
            e: now.saturating_add(ttl),
            i: hex(&id),
        };
        let payload = serde_json::to_vec(&sealed).map_err(|e| e.to_string())?;
        match &self.cipher {
            Some(cipher) => {
                let mut nonce = [0u8; NONCE_BYTES];
                random(&mut nonce)?;
                let aad = ENCRYPTED.as_bytes();
                let payload = Payload { msg: &payload, aad };
                let sealed = cipher
                    .encrypt(&XNonce::from(nonce), payload)
                    .map_err(|_| "cannot encrypt the request state".to_owned())?;
                let mut bytes = nonce.to_vec();
                bytes.extend_from_slice(&sealed);
                Ok(format!("{ENCRYPTED}{}", URL_SAFE_NO_PAD.encode(bytes)))
            }
            None => {
                let mut mac = self.mac.clone();
                mac.update(&payload);
                let tag = mac.finalize().into_bytes();
                Ok(format!(
                    "{SIGNED}{}.{}",
                    URL_SAFE_NO_PAD.encode(&payload),
                    URL_SAFE_NO_PAD.encode(tag)
                ))
            }
        }
    }

    /// The state, when `sealed` is intact, belongs to `binding`, has not expired
    /// and (with a redemption record) was not used before.
    ///
    /// # Errors
    /// Why it is refused, for the client to read.
    pub(crate) async fn open(
        &self,
        sealed: &str,
        binding: &Binding,
    ) -> Result<Value, &'static str> {
        let state = self.verify(sealed, binding, now_ms())?;
        if let Some(record) = &self.redemptions {
            let expires = UNIX_EPOCH + Duration::from_millis(state.e);
            if !record.redeem(&state.i, expires).await {
                return Err("requestState was already used; start the request again");
            }
        }
        Ok(state.s)
    }

    fn verify(&self, sealed: &str, binding: &Binding, now: u64) -> Result<Sealed, &'static str> {
        let payload = match (&self.cipher, sealed.strip_prefix(ENCRYPTED)) {
            (Some(cipher), Some(rest)) => {
                let bytes = URL_SAFE_NO_PAD.decode(rest).map_err(|_| MALFORMED)?;
                if bytes.len() < NONCE_BYTES {
                    return Err(MALFORMED);
                }
                let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
                let nonce = XNonce::try_from(nonce).map_err(|_| MALFORMED)?;
                let payload = Payload {
                    msg: ciphertext,
                    aad: ENCRYPTED.as_bytes(),
                };
                cipher.decrypt(&nonce, payload).map_err(|_| UNVERIFIED)?
            }
            (None, None) => {
                let rest = sealed.strip_prefix(SIGNED).ok_or(MALFORMED)?;
                let (payload, tag) = rest.split_once('.').ok_or(MALFORMED)?;
                let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| MALFORMED)?;
                let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| MALFORMED)?;
                let mut mac = self.mac.clone();
                mac.update(&payload);
                mac.verify_slice(&tag).map_err(|_| UNVERIFIED)?;
                payload
            }
            // Sealed the other way: not from this configuration.
            _ => return Err(UNVERIFIED),
        };
        let sealed: Sealed = serde_json::from_slice(&payload).map_err(|_| MALFORMED)?;
        if sealed.b != hex(&binding.0) {
            return Err(
                "requestState is bound to another request (different caller, method, name or arguments); send the original request again",
            );
        }
        if sealed.e < now {
            return Err("requestState has expired; start the request again");
        }
        Ok(sealed)
    }
}

const UNVERIFIED: &str = "requestState failed verification (tampered or from another server)";

fn random(buf: &mut [u8]) -> Result<(), String> {
    getrandom::fill(buf).map_err(|e| format!("no OS randomness to seal the request state: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request_state::MemoryRedemptions;
    use serde_json::json;

    const B: Binding = Binding([1; 32]);
    const OTHER: Binding = Binding([2; 32]);

    fn sealer(sealing: Sealing) -> StateSealer {
        StateSealer::new(&b"k".repeat(32), &sealing).unwrap()
    }

    #[test]
    fn seals_and_rejects_tampering_transplants_and_staleness() {
        for encrypted in [false, true] {
            let sealing = Sealing {
                encryption_key: encrypted.then(|| vec![9; 32]),
                ..Sealing::default()
            };
            let sealer = sealer(sealing.clone());
            let sealed = sealer.seal_at(json!({"step": 2}), &B, 1_000).unwrap();
            assert_eq!(
                sealer.verify(&sealed, &B, 1_000).unwrap().s,
                json!({"step": 2})
            );
            assert!(
                sealer
                    .verify(&sealed, &OTHER, 1_000)
                    .unwrap_err()
                    .contains("bound to another")
            );
            assert!(sealer.verify(&format!("{sealed}A"), &B, 1_000).is_err());
            let ttl = 600_000;
            assert!(sealer.verify(&sealed, &B, 1_000 + ttl).is_ok());
            assert!(
                sealer
                    .verify(&sealed, &B, 1_001 + ttl)
                    .unwrap_err()
                    .contains("expired")
            );
            let other = StateSealer::new(
                &b"x".repeat(32),
                &Sealing {
                    encryption_key: encrypted.then(|| vec![8; 32]),
                    ..Sealing::default()
                },
            )
            .unwrap();
            assert!(other.verify(&sealed, &B, 1_000).is_err());
            let mut bytes = sealed.clone().into_bytes();
            let i = bytes.len() - 5;
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            assert!(
                sealer
                    .verify(&String::from_utf8(bytes).unwrap(), &B, 1_000)
                    .is_err()
            );
            // The encrypted form does not show the state.
            if let Some(rest) = sealed.strip_prefix(ENCRYPTED) {
                let bytes = URL_SAFE_NO_PAD.decode(rest).unwrap();
                assert!(!bytes.windows(4).any(|w| w == b"step"));
            }
        }
        assert!(StateSealer::new(b"short", &Sealing::default()).is_err());
        let bad = Sealing {
            encryption_key: Some(vec![1; 16]),
            ..Sealing::default()
        };
        assert!(StateSealer::new(&[0; 32], &bad).is_err());
    }

    #[tokio::test]
    async fn single_use_when_a_redemption_record_is_set() {
        let sealer = sealer(Sealing {
            redemptions: Some(Arc::new(MemoryRedemptions::new(16))),
            ..Sealing::default()
        });
        let sealed = sealer.seal(json!(1), &B).unwrap();
        assert_eq!(sealer.open(&sealed, &B).await, Ok(json!(1)));
        assert!(
            sealer
                .open(&sealed, &B)
                .await
                .unwrap_err()
                .contains("already used")
        );
        // Without one, a state opens until it expires.
        let reusable = self::sealer(Sealing::default());
        let sealed = reusable.seal(json!(1), &B).unwrap();
        assert!(reusable.open(&sealed, &B).await.is_ok());
        assert!(reusable.open(&sealed, &B).await.is_ok());
    }
}
