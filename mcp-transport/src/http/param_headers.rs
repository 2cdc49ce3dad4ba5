//! `Mcp-Param-{Name}` headers: tool parameters annotated with `x-mcp-header` in the
//! tool's `inputSchema`, mirrored by modern clients into headers and checked here
//! against the body.

use std::collections::HashMap;
use std::sync::Arc;

use http::HeaderMap;
use http::header::HeaderName;
use mcp_core::jsonrpc::ErrorObject;
use mcp_core::{Server, Value};

use super::mirror;

/// For each tool with annotated parameters, the headers that mirror them. Built
/// once per service; empty (and never consulted) for most servers.
#[derive(Clone, Debug, Default)]
pub(crate) struct ParamHeaders {
    by_tool: Arc<HashMap<String, Vec<Mirrored>>>,
}

/// One annotated parameter.
#[derive(Debug)]
struct Mirrored {
    /// `mcp-param-<name>`, lower case.
    header: HeaderName,
    /// `Mcp-Param-<Name>` as the schema spells it, for messages.
    display: String,
    /// The chain of `properties` keys from the schema root to the parameter.
    path: Vec<String>,
}

impl ParamHeaders {
    /// Reads every tool's `inputSchema`. An annotation that cannot name a header is
    /// logged and skipped (clients drop such tools from their list anyway).
    pub(crate) fn of(server: &Server) -> Self {
        let mut by_tool = HashMap::new();
        for tool in server.tools() {
            let mut found = Vec::new();
            collect(&tool.input_schema, &mut Vec::new(), &mut found, &tool.name);
            if !found.is_empty() {
                by_tool.insert(tool.name.clone(), found);
            }
        }
        Self {
            by_tool: Arc::new(by_tool),
        }
    }

    /// Whether `tool` has parameters mirrored in headers.
    pub(crate) fn applies_to(&self, tool: &str) -> bool {
        !self.by_tool.is_empty() && self.by_tool.contains_key(tool)
    }

    /// Checks the `Mcp-Param-*` headers of a `tools/call` of `tool` whose JSON body is
    /// `body`: each header present must carry the argument's value (compared in its
    /// canonical form, see [`mirror::canonical`]; repeated lines must agree), a header
    /// without a value in the body is refused, and for a `modern` request a value in
    /// the body needs its header.
    ///
    /// # Errors
    /// `-32020` saying which header disagrees.
    pub(crate) fn check(
        &self,
        tool: &str,
        body: &[u8],
        headers: &HeaderMap,
        modern: bool,
    ) -> Result<(), ErrorObject> {
        let Some(mirrored) = self.by_tool.get(tool) else {
            return Ok(());
        };
        let arguments = arguments(body);
        for param in mirrored {
            let value = arguments.as_ref().and_then(|a| at(a, &param.path));
            let header = mirror::single(headers, &param.header, &param.display, true)?;
            match (value, header) {
                (None, None) => {}
                (Some(_), None) if !modern => {}
                (Some(_), None) => {
                    return Err(ErrorObject::header_mismatch(format_args!(
                        "missing {} header for argument '{}'",
                        param.display,
                        param.path.join(".")
                    )));
                }
                (None, Some(_)) => {
                    return Err(ErrorObject::header_mismatch(format_args!(
                        "{} header sent but argument '{}' is absent",
                        param.display,
                        param.path.join(".")
                    )));
                }
                (Some(value), Some(header)) => {
                    if !matches(value, &header) {
                        return Err(ErrorObject::header_mismatch(format_args!(
                            "{} header value '{}' does not match argument '{}'",
                            param.display,
                            String::from_utf8_lossy(&header),
                            param.path.join(".")
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Walks `properties` chains from `schema`, recording each `x-mcp-header`.
fn collect(schema: &Value, path: &mut Vec<String>, found: &mut Vec<Mirrored>, tool: &str) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, property) in properties {
        path.push(key.clone());
        if let Some(name) = property.get("x-mcp-header") {
            let header = name.as_str().filter(|n| !n.is_empty()).and_then(|n| {
                HeaderName::from_bytes(format!("mcp-param-{n}").as_bytes())
                    .ok()
                    .map(|h| (n, h))
            });
            match header {
                Some((n, header)) => found.push(Mirrored {
                    header,
                    display: format!("Mcp-Param-{n}"),
                    path: path.clone(),
                }),
                None => {
                    tracing::warn!(tool, parameter = %path.join("."), "ignoring an x-mcp-header that is not a header name")
                }
            }
        }
        collect(property, path, found, tool);
        path.pop();
    }
}

/// `params.arguments` of a JSON-RPC body.
fn arguments(body: &[u8]) -> Option<Value> {
    let mut message: Value = serde_json::from_slice(body).ok()?;
    Some(message.get_mut("params")?.get_mut("arguments")?.take())
}

/// The value at `path`; `null` counts as absent.
fn at<'a>(arguments: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut value = arguments;
    for key in path {
        value = value.get(key)?;
    }
    (!value.is_null()).then_some(value)
}

/// Whether a header's canonical value carries `value`: the string itself, the
/// decimal number (compared as a number), or `true`/`false`.
fn matches(value: &Value, canonical: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(canonical) else {
        return false;
    };
    match value {
        Value::String(s) => s == text,
        Value::Bool(b) => text == if *b { "true" } else { "false" },
        Value::Number(n) => match (n.as_i64(), text.parse::<i64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => match (n.as_f64(), text.parse::<f64>()) {
                (Some(a), Ok(b)) => a == b,
                _ => false,
            },
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matches(value: &Value, header: &[u8]) -> bool {
        mirror::canonical(header, true).is_some_and(|c| super::matches(value, &c))
    }

    #[test]
    fn values_and_headers() {
        assert!(matches(&json!("Hello"), b"=?base64?SGVsbG8=?="));
        assert!(!matches(&json!("Hello"), b"=?base64?SGVsbG8?="));
        assert!(!matches(&json!("Hello"), b"=?base64?SGVs!!!bG8=?="));
        assert!(matches(&json!("SGVsbG8="), b"SGVsbG8="));
        assert!(matches(&json!("=?base64?SGVsbG8="), b"=?base64?SGVsbG8="));
        assert!(matches(
            &json!("Hello, 世界"),
            b"=?base64?SGVsbG8sIOS4lueVjA==?="
        ));
        assert!(!matches(&json!("Hello, 世界"), "Hello, 世界".as_bytes()));
        assert!(matches(&json!(42), b"42"));
        assert!(matches(&json!(42), b"42.0"));
        assert!(!matches(&json!(42), b"43"));
        assert!(matches(&json!(-7), b"-7"));
        assert!(matches(&json!(true), b"true"));
        assert!(!matches(&json!(true), b"True"));
        assert!(!matches(&json!({"a": 1}), b"{}"));
    }

    #[test]
    fn annotations_are_found_along_properties_only() {
        let schema = json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "query": {"type": "string"},
                "target": {"type": "object", "properties": {
                    "tenant": {"type": "integer", "x-mcp-header": "Tenant"}
                }},
                "bad": {"type": "string", "x-mcp-header": "has space"}
            }
        });
        let mut found = Vec::new();
        collect(&schema, &mut Vec::new(), &mut found, "t");
        let got: Vec<_> = found
            .iter()
            .map(|m| (m.header.as_str(), m.path.join(".")))
            .collect();
        assert_eq!(
            got,
            [
                ("mcp-param-region", "region".to_owned()),
                ("mcp-param-tenant", "target.tenant".to_owned())
            ]
        );
    }
}
