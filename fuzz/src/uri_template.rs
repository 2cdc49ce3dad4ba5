//! `uri_template`: resource-template matching, through [`Server`].

use std::collections::HashMap;
use std::sync::Mutex;

use mcp_core::Server;
use mcp_core::transport::Envelope;
use mcp_core::wire::{ResourceContents, ResourceTemplate};
use serde_json::json;

use crate::rt::{block_on, split_line};

/// The variables the handler last got.
static MATCHED: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);

/// `data` is a template, a newline and a URI. When the template registers, reads
/// the URI: a template variable never holds `/`, `?`, `#` or NUL (after
/// percent-decoding) nor is empty. Then reads the template expanded with
/// alphanumeric values made from the URI's bytes: they come back unchanged.
pub fn uri_template(data: &[u8]) {
    let (template, uri) = split_line(data);
    let (Ok(template), Ok(uri)) = (std::str::from_utf8(template), std::str::from_utf8(uri)) else {
        return;
    };
    let server = Server::builder("fuzz", "1")
        .resource_template(
            ResourceTemplate::new(template, "t"),
            |request, _| async move {
                if let Ok(mut m) = MATCHED.lock() {
                    *m = Some(request.variables);
                }
                Ok(vec![ResourceContents::Text {
                    uri: request.uri,
                    mime_type: None,
                    text: String::new(),
                }])
            },
        )
        .build();
    let Ok(server) = server else {
        return;
    };
    if let Some(vars) = read(&server, uri) {
        for (name, value) in &vars {
            assert!(
                !value.is_empty() && !value.contains(['/', '?', '#', '\0']),
                "{template:?} matched {uri:?} with {name} = {value:?}"
            );
        }
    }
    let Some(parts) = parts(template) else {
        return;
    };
    let mut seed = uri.bytes().cycle();
    let mut expanded = String::new();
    let mut expected = HashMap::new();
    let mut ambiguous = false;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Literal(l) => expanded.push_str(l),
            Part::Var(name) => {
                let len = 1 + usize::from(seed.next().unwrap_or(0) % 8);
                let value: String = (0..len)
                    .map(|_| char::from(b'a' + seed.next().unwrap_or(0) % 26))
                    .collect();
                expanded.push_str(&value);
                // A value may hold the next literal's first letter when it is one.
                ambiguous |= matches!(parts.get(i + 1), Some(Part::Literal(l)) if l.starts_with(|c: char| c.is_ascii_alphanumeric()));
                if let Some(previous) = expected.insert(name.clone(), value) {
                    ambiguous |= true;
                    drop(previous);
                }
            }
        }
    }
    if ambiguous {
        return;
    }
    let got = read(&server, &expanded);
    assert_eq!(got, Some(expected), "{template:?} expanded to {expanded:?}");
}

enum Part {
    Literal(String),
    Var(String),
}

/// The literals and `{name}`s of a template the server accepted.
fn parts(template: &str) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Part::Literal(rest[..open].to_owned()));
        }
        let close = rest[open..].find('}')? + open;
        parts.push(Part::Var(rest[open + 1..close].to_owned()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest.to_owned()));
    }
    Some(parts)
}

/// Reads `uri` (legacy): the variables the handler got, if it ran.
fn read(server: &Server, uri: &str) -> Option<HashMap<String, String>> {
    if let Ok(mut m) = MATCHED.lock() {
        *m = None;
    }
    let bytes =
        json!({"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": uri}});
    let answer = block_on(server.handle_message(bytes.to_string().as_bytes(), Envelope::new()));
    assert!(answer.is_some(), "no answer");
    MATCHED.lock().ok().and_then(|mut m| m.take())
}
