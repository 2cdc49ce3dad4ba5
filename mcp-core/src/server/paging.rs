//! One page of a pre-encoded list, behind a tamper-evident cursor.

use serde_json::value::RawValue;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::Inner;
use super::respond::Reply;
use crate::cursor;
use crate::jsonrpc::{ErrorObject, Response};

/// The items of the page starting at `cursor`, and the cursor of the next page.
pub(crate) fn page<'a>(
    items: impl Iterator<Item = &'a RawValue>,
    cursor: Option<&str>,
    page_size: usize,
    fingerprint: &[u8; 32],
) -> Result<(Vec<&'a RawValue>, Option<String>), ErrorObject> {
    let start = match cursor {
        None => 0,
        Some(c) => cursor::decode(c, fingerprint).ok_or_else(|| {
            ErrorObject::invalid_params(
                "invalid cursor: altered, from another list, or issued to another caller; list again from the start",
            )
        })?,
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

fn bind(fingerprint: &[u8; 32], binding: &[u8; 32]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::new()
        .chain_update(b"mcp-core cursor binding\0")
        .chain_update(fingerprint)
        .chain_update(binding)
        .finalize()
        .into()
}

/// What the cursors of a request are bound to: its principal (identity, not
/// scope) and the scope that filters its lists; `None` when it has neither.
pub(crate) fn cursor_binding(
    principal: Option<&crate::auth::Principal>,
    scope: Option<&crate::auth::Scope>,
) -> Option<[u8; 32]> {
    use sha2::{Digest, Sha256};
    if principal.is_none() && scope.is_none() {
        return None;
    }
    let mut hash = Sha256::new();
    match principal {
        Some(p) => hash.update(p.digest()),
        None => hash.update([0; 32]),
    }
    if let Some(scope) = scope {
        for class in scope.classes() {
            hash.update([1]);
            hash.update(class.as_str());
        }
        for tag in scope.tags() {
            hash.update([2]);
            hash.update((tag.len() as u64).to_be_bytes());
            hash.update(tag);
        }
    }
    Some(hash.finalize().into())
}

/// One page of a list result: `{"<key>": [...], "nextCursor": ...}`.
struct ListPage<'a> {
    key: &'static str,
    items: Vec<&'a RawValue>,
    next_cursor: Option<String>,
}

impl Serialize for ListPage<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.key, &self.items)?;
        if let Some(next) = &self.next_cursor {
            map.serialize_entry("nextCursor", next)?;
        }
        map.end()
    }
}

impl Inner {
    /// Answers a list request (`tools/list`, `prompts/list`, ...) with the page of
    /// pre-encoded `items` that `cursor` points at, under `key`.
    pub(crate) fn list_page<'a>(
        &self,
        reply: Reply<'_>,
        key: &'static str,
        items: impl Iterator<Item = &'a RawValue>,
        cursor: Option<&str>,
        fingerprint: &[u8; 32],
    ) -> Response {
        // A cursor fits only the list, the caller and the scope it was issued for.
        let bound;
        let fingerprint = match &reply.cursor_binding {
            Some(binding) => {
                bound = bind(fingerprint, binding);
                &bound
            }
            None => fingerprint,
        };
        match page(items, cursor, self.page_size, fingerprint) {
            Ok((items, next_cursor)) => reply.cacheable(&ListPage {
                key,
                items,
                next_cursor,
            }),
            Err(e) => Response::error(Some(reply.id), e),
        }
    }
}
