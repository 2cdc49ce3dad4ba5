//! One page of a pre-encoded list, behind a tamper-evident cursor.

use serde_json::value::RawValue;

use crate::{ErrorObject, cursor};

/// The items of the page starting at `cursor`, and the cursor of the next page.
pub(crate) fn page<'a>(
    items: impl Iterator<Item = &'a RawValue>,
    cursor: Option<&str>,
    page_size: usize,
    fingerprint: &[u8; 32],
) -> Result<(Vec<&'a RawValue>, Option<String>), ErrorObject> {
    let start = match cursor {
        None => 0,
        Some(c) => cursor::decode(c, fingerprint)
            .ok_or_else(|| ErrorObject::invalid_params("invalid cursor"))?,
    };
    let mut rest = items.skip(start);
    let page: Vec<&RawValue> = rest.by_ref().take(page_size).collect();
    let next = rest
        .next()
        .is_some()
        .then(|| cursor::encode(start + page.len(), fingerprint));
    Ok((page, next))
}

/// A fingerprint of a list's encoded items (cursors of one list fit no other).
pub(crate) fn fingerprint<'a>(kind: &str, items: impl Iterator<Item = &'a RawValue>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(kind.as_bytes());
    for item in items {
        hasher.update([0]);
        hasher.update(item.get().as_bytes());
    }
    hasher.finalize().into()
}
