//! Opaque pagination cursors that reject any alteration.
//!
//! A cursor carries the offset of the next page and a check value derived from the
//! offset and the server's list fingerprint, so a cursor that was edited, truncated or
//! minted by another build of the server is refused (`-32602 invalid cursor`) instead
//! of silently giving an empty or shifted page. The check depends only on the list
//! itself, so every instance of the same server accepts every other's cursors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

const CHECK_LEN: usize = 12;

pub(crate) fn encode(offset: usize, fingerprint: &[u8; 32]) -> String {
    let offset = u32::try_from(offset).unwrap_or(u32::MAX).to_be_bytes();
    let mut raw = [0u8; 4 + CHECK_LEN];
    raw[..4].copy_from_slice(&offset);
    raw[4..].copy_from_slice(&check(&offset, fingerprint));
    URL_SAFE_NO_PAD.encode(raw)
}

pub(crate) fn decode(cursor: &str, fingerprint: &[u8; 32]) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    if raw.len() != 4 + CHECK_LEN {
        return None;
    }
    let (offset, tag) = raw.split_at(4);
    let offset: [u8; 4] = offset.try_into().ok()?;
    if check(&offset, fingerprint)[..] != *tag {
        return None;
    }
    usize::try_from(u32::from_be_bytes(offset)).ok()
}

fn check(offset: &[u8; 4], fingerprint: &[u8; 32]) -> [u8; CHECK_LEN] {
    let digest = Sha256::new()
        .chain_update(b"mcp-cursor-v1")
        .chain_update(fingerprint)
        .chain_update(offset)
        .finalize();
    let mut out = [0u8; CHECK_LEN];
    out.copy_from_slice(&digest[..CHECK_LEN]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_any_change() {
        let fp = [7u8; 32];
        let c = encode(40, &fp);
        assert_eq!(decode(&c, &fp), Some(40));
        assert_eq!(decode(&c, &[8u8; 32]), None, "another server's cursor");
        assert_eq!(decode(&c[..c.len() - 1], &fp), None, "truncated");
        assert_eq!(decode(&format!("{c}A"), &fp), None, "extended");
        assert_eq!(decode("", &fp), None);
        assert_eq!(decode("not base64!", &fp), None);
        for i in 0..c.len() {
            let mut bytes = c.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(bytes).unwrap();
            assert_eq!(decode(&altered, &fp), None, "altered at {i}");
        }
    }
}
