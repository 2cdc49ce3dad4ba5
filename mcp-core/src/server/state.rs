//! Sealing `requestState`: HMAC-SHA256 over the state, the request it belongs to
//! and an expiry, so a tampered, stale or transplanted state is refused.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

/// The key and lifetime of sealed states. Every instance of a server behind a load
/// balancer must share the key.
pub(crate) struct StateSealer {
    mac: Hmac<Sha256>,
    ttl: Duration,
}

#[derive(Serialize, Deserialize)]
struct Sealed<'a> {
    /// The handler's state.
    s: Value,
    /// Method and name the state belongs to.
    #[serde(borrow)]
    r: &'a str,
    /// Expiry, seconds since the epoch.
    e: u64,
}

const PREFIX: &str = "mcp1.";

impl StateSealer {
    pub(crate) fn new(key: &[u8], ttl: Duration) -> Result<Self, String> {
        if key.len() < 32 {
            return Err(format!(
                "the request-state key must be at least 32 bytes, got {}",
                key.len()
            ));
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|e| e.to_string())?;
        Ok(Self { mac, ttl })
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.mac.clone()
    }

    pub(crate) fn seal(&self, state: Value, binding: &str) -> String {
        let expiry = now_secs().saturating_add(self.ttl.as_secs());
        let payload = serde_json::to_vec(&Sealed {
            s: state,
            r: binding,
            e: expiry,
        })
        .unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        format!(
            "{PREFIX}{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The state, when `sealed` is intact, belongs to `binding` and has not expired.
    pub(crate) fn open(&self, sealed: &str, binding: &str) -> Result<Value, &'static str> {
        let rest = sealed
            .strip_prefix(PREFIX)
            .ok_or("malformed requestState")?;
        let (payload, tag) = rest.split_once('.').ok_or("malformed requestState")?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| "malformed requestState")?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| "malformed requestState")?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag)
            .map_err(|_| "requestState failed verification (tampered or from another server)")?;
        let sealed: Sealed<'_> =
            serde_json::from_slice(&payload).map_err(|_| "malformed requestState")?;
        if sealed.r != binding {
            return Err("requestState belongs to a different request");
        }
        if sealed.e < now_secs() {
            return Err("requestState has expired; start the request again");
        }
        Ok(sealed.s)
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seals_and_rejects_tampering() {
        let sealer = StateSealer::new(&b"k".repeat(32), Duration::from_secs(60)).unwrap();
        assert!(StateSealer::new(b"short", Duration::from_secs(60)).is_err());
        let sealed = sealer.seal(json!({"step": 2}), "tools/call:book");
        assert_eq!(
            sealer.open(&sealed, "tools/call:book").unwrap(),
            json!({"step": 2})
        );
        assert!(sealer.open(&sealed, "tools/call:other").is_err());
        assert!(
            sealer
                .open(&format!("{sealed}-TAMPERED"), "tools/call:book")
                .is_err()
        );
        let other = StateSealer::new(&b"x".repeat(32), Duration::from_secs(60)).unwrap();
        assert!(other.open(&sealed, "tools/call:book").is_err());
        let mut bytes = sealed.clone().into_bytes();
        let i = PREFIX.len() + 3;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        assert!(
            sealer
                .open(&String::from_utf8(bytes).unwrap(), "tools/call:book")
                .is_err()
        );
        let expired = StateSealer::new(&b"k".repeat(32), Duration::ZERO).unwrap();
        let stale = expired.seal(json!(1), "r");
        std::thread::sleep(Duration::from_millis(1100));
        assert!(expired.open(&stale, "r").is_err());
    }
}
