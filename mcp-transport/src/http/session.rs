//! `Mcp-Session-Id` for legacy clients, without server-side sessions: the id carries
//! the negotiated version and its issue time, and, with a key, an HMAC that any
//! instance holding the same key verifies.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderValue;
use http::header::HeaderName;
use mcp_core::wire::ProtocolVersion;
use sha2::Sha256;

/// `Mcp-Session-Id`.
pub(crate) const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");

/// What the ids start with (a format version).
const PREFIX: &str = "s1";
/// Separates the MAC'd text from other uses of the same key.
const DOMAIN: &[u8] = b"mcp-transport session id\0";
/// Bytes of the HMAC kept in the id.
const TAG_BYTES: usize = 16;

/// How session ids are issued and checked.
#[derive(Clone, Default)]
pub(crate) struct Sessions {
    mac: Option<Arc<Hmac<Sha256>>>,
    max_age: Option<Duration>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("signed", &self.mac.is_some())
            .field("max_age", &self.max_age)
            .finish()
    }
}

/// Why an id is refused (the request gets `404`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unknown;

impl Sessions {
    pub(crate) fn set_key(&mut self, key: &[u8]) {
        // HMAC takes keys of any length.
        self.mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .ok()
            .map(Arc::new);
    }

    pub(crate) fn set_max_age(&mut self, max_age: Duration) {
        self.max_age = Some(max_age);
    }

    /// A new id for a session that negotiated `version`:
    /// `s1.<version>.<issued, hex seconds>.<random>[.<tag>]`, visible ASCII only.
    pub(crate) fn issue(&self, version: ProtocolVersion) -> HeaderValue {
        self.issue_at(version, now())
    }

    fn issue_at(&self, version: ProtocolVersion, issued: u64) -> HeaderValue {
        let mut nonce = [0u8; 16];
        if getrandom::fill(&mut nonce).is_err() {
            // Ids are not secrets; unique is enough.
            let seed = std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), issued);
            nonce[..8].copy_from_slice(&seed.to_le_bytes());
        }
        let mut id = format!("{PREFIX}.{version}.{issued:x}.");
        hex(&mut id, &nonce);
        if let Some(mac) = &self.mac {
            let tag = tag(mac, &id);
            id.push('.');
            hex(&mut id, &tag[..TAG_BYTES]);
        }
        HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("s1"))
    }

    /// The version a session id carries, when it is one this server issued (with
    /// the key, when one is set) and not older than the maximum age.
    pub(crate) fn verify(&self, id: &HeaderValue) -> Result<ProtocolVersion, Unknown> {
        self.verify_at(id, now())
    }

    fn verify_at(&self, id: &HeaderValue, now: u64) -> Result<ProtocolVersion, Unknown> {
        let id = id.to_str().map_err(|_| Unknown)?;
        let mut parts = id.split('.');
        let (Some(PREFIX), Some(version), Some(issued), Some(nonce)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Unknown);
        };
        let version = ProtocolVersion::parse(version).ok_or(Unknown)?;
        let issued = u64::from_str_radix(issued, 16).map_err(|_| Unknown)?;
        if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Unknown);
        }
        let tag = parts.next();
        if parts.next().is_some() {
            return Err(Unknown);
        }
        if let Some(mac) = &self.mac {
            let tag = tag.and_then(unhex).ok_or(Unknown)?;
            let signed = &id[..id.len() - tag.len() * 2 - 1];
            let mut mac = Hmac::clone(mac);
            mac.update(DOMAIN);
            mac.update(signed.as_bytes());
            mac.verify_truncated_left(&tag).map_err(|_| Unknown)?;
        }
        if let Some(max) = self.max_age
            && now.saturating_sub(issued) > max.as_secs()
        {
            return Err(Unknown);
        }
        Ok(version)
    }
}

fn tag(mac: &Hmac<Sha256>, text: &str) -> Vec<u8> {
    let mut mac = mac.clone();
    mac.update(DOMAIN);
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != TAG_BYTES * 2 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: ProtocolVersion = ProtocolVersion::V2025_11_25;

    fn signed(key: &[u8]) -> Sessions {
        let mut s = Sessions::default();
        s.set_key(key);
        s
    }

    #[test]
    fn ids_are_visible_ascii_and_carry_the_version() {
        let id = Sessions::default().issue(V);
        assert!(
            id.as_bytes().iter().all(|b| (0x21..=0x7e).contains(b)),
            "{id:?}"
        );
        assert!(id.to_str().unwrap().starts_with("s1.2025-11-25."));
        assert_eq!(Sessions::default().verify(&id), Ok(V));
        assert_ne!(Sessions::default().issue(V), id);
    }

    #[test]
    fn signed_ids_verify_on_any_instance_with_the_key_only() {
        let a = signed(&[7; 32]);
        let b = signed(&[7; 32]);
        let other = signed(&[8; 32]);
        let id = a.issue(V);
        assert_eq!(b.verify(&id), Ok(V));
        assert_eq!(other.verify(&id), Err(Unknown));
        // Unsigned or altered ids are refused where a key is set.
        assert_eq!(a.verify(&Sessions::default().issue(V)), Err(Unknown));
        let text = id.to_str().unwrap();
        let altered = text.replacen("2025-11-25", "2025-06-18", 1);
        assert_eq!(
            a.verify(&HeaderValue::from_str(&altered).unwrap()),
            Err(Unknown)
        );
        for junk in [
            "",
            "s1",
            "stale",
            "s1.2025-11-25.1.00.00",
            &format!("{text}.x"),
        ] {
            assert_eq!(
                a.verify(&HeaderValue::from_str(junk).unwrap()),
                Err(Unknown),
                "{junk}"
            );
        }
    }

    #[test]
    fn ids_expire_after_the_maximum_age() {
        let mut s = signed(&[1; 32]);
        s.set_max_age(Duration::from_secs(60));
        let id = s.issue_at(V, 1_000);
        assert_eq!(s.verify_at(&id, 1_060), Ok(V));
        assert_eq!(s.verify_at(&id, 1_061), Err(Unknown));
    }
}
