//! What a `requestState` is bound to: the caller, the method, the name and the
//! request's arguments (canonical JSON), hashed together.

use std::io::Write as _;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::auth::Principal;

/// Separates this digest from every other use of SHA-256 in the crate.
const DOMAIN: &[u8] = b"mcp-core requestState binding v1\0";

/// The digest a sealed state carries and a retried request must reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Binding(pub(crate) [u8; 32]);

/// The request-wide half of a binding (who calls, which method); the handler
/// adds its name and arguments when a state is sealed or opened.
#[derive(Clone, Copy)]
pub(crate) struct Binder<'a> {
    pub(crate) caller: Option<&'a Principal>,
    pub(crate) method: &'a str,
}

impl Binder<'_> {
    /// The binding of a call of `name` with `arguments` (`None` and `{}` alike).
    pub(crate) fn bind(&self, name: &str, arguments: Option<&Value>) -> Binding {
        match arguments {
            None => self.bind_map(name, None),
            Some(Value::Object(map)) => self.bind_map(name, Some(map)),
            Some(other) => self.finish(name, |out| {
                out.push(b'v');
                canonical(other, out);
            }),
        }
    }

    /// [`bind`](Self::bind) for arguments already read as an object.
    pub(crate) fn bind_map(&self, name: &str, arguments: Option<&Map<String, Value>>) -> Binding {
        self.finish(name, |out| {
            out.push(b'o');
            match arguments {
                Some(map) => canonical_object(map, out),
                None => out.extend_from_slice(b"{}"),
            }
        })
    }

    fn finish(&self, name: &str, arguments: impl FnOnce(&mut Vec<u8>)) -> Binding {
        let mut hash = Sha256::new();
        hash.update(DOMAIN);
        let caller = self.caller.map(Principal::digest);
        let caller: &[u8] = caller.as_ref().map_or(b"anonymous", |d| d.as_slice());
        let mut args = Vec::new();
        arguments(&mut args);
        // Length-prefixed, so no two requests share an encoding.
        for part in [caller, self.method.as_bytes(), name.as_bytes(), &args] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        Binding(hash.finalize().into())
    }
}

/// Canonical JSON: object members sorted by key, no whitespace, strings and
/// numbers as serde_json writes them. The depth is bounded by the decoder's.
pub(crate) fn canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => canonical_object(map, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, out);
            }
            out.push(b']');
        }
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

fn canonical_object(map: &Map<String, Value>, out: &mut Vec<u8>) {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut *out, key);
        let _ = out.write_all(b":");
        canonical(value, out);
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn binder(caller: Option<&Principal>) -> Binder<'_> {
        Binder {
            caller,
            method: "tools/call",
        }
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter_values_do() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#).unwrap();
        let mut out = Vec::new();
        canonical(&a, &mut out);
        assert_eq!(out, r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#.as_bytes());
        let anon = binder(None);
        assert_eq!(anon.bind("t", Some(&a)), anon.bind("t", Some(&b)));
        assert_ne!(
            anon.bind("t", Some(&a)),
            anon.bind("t", Some(&json!({"a": 1})))
        );
        assert_ne!(anon.bind("t", Some(&a)), anon.bind("u", Some(&a)));
        assert_eq!(anon.bind("t", None), anon.bind("t", Some(&json!({}))));
        assert_ne!(anon.bind("t", Some(&json!([]))), anon.bind("t", None));
        let alice = Principal::new("acme", "tok_1");
        let bob = Principal::new("globex", "tok_2");
        assert_ne!(binder(Some(&alice)).bind("t", None), anon.bind("t", None));
        assert_ne!(
            binder(Some(&alice)).bind("t", None),
            binder(Some(&bob)).bind("t", None)
        );
        let prompt = Binder {
            caller: None,
            method: "prompts/get",
        };
        assert_ne!(prompt.bind("t", None), anon.bind("t", None));
    }
}
