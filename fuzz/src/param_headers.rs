//! `param_headers`: `Mcp-Param-*` headers checked against a modern `tools/call`'s
//! arguments, through [`McpService`].

use std::sync::Mutex;

use mcp_core::{Context, Server, Tool};
use mcp_transport::http::McpService;
use serde_json::{Value, json};

use crate::rt::{MODERN, message_of, modern_meta, post, split_line};

/// The arguments the tool last ran with.
static RAN_WITH: Mutex<Option<Query>> = Mutex::new(None);

/// A tool whose three parameters are mirrored in headers.
#[derive(serde::Deserialize, Debug)]
struct Query {
    #[serde(default)]
    region: Option<Value>,
    #[serde(default)]
    tenant: Option<Value>,
    #[serde(default)]
    flag: Option<Value>,
}

impl Tool for Query {
    const NAME: &'static str = "query";
    const DESCRIPTION: &'static str = "Runs a query.";
    fn input_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "tenant": {"type": "integer", "x-mcp-header": "Tenant"},
                "flag": {"type": "boolean", "x-mcp-header": "Flag"}
            }
        })
    }
}

thread_local! {
    static SERVICE: McpService = {
        let server = Server::builder("fuzz", "1")
            .tool(|q: Query, _cx: Context| async move {
                if let Ok(mut ran) = RAN_WITH.lock() {
                    *ran = Some(q);
                }
                "ok"
            })
            .build();
        match server {
            Ok(server) => McpService::new(server),
            Err(e) => panic!("{e}"),
        }
    };
}

/// `data` is lines: the raw `arguments`, then the values of `Mcp-Param-Region`,
/// `-Tenant` and `-Flag` (an empty line: no header), then any `mcp-*: value` header
/// lines. The answer is `200`, `400` or `404`; when the tool runs, every argument
/// it got has exactly one header, and a plain header carries its value.
pub fn param_headers(data: &[u8]) {
    let (arguments, rest) = split_line(data);
    let Ok(arguments) = std::str::from_utf8(arguments) else {
        return;
    };
    let mut headers: Vec<(String, &[u8])> = vec![
        ("mcp-protocol-version".into(), MODERN.as_bytes()),
        ("mcp-method".into(), b"tools/call"),
        ("mcp-name".into(), b"query"),
    ];
    let mut rest = rest;
    for name in ["mcp-param-region", "mcp-param-tenant", "mcp-param-flag"] {
        let (value, more) = split_line(rest);
        rest = more;
        if !value.is_empty() {
            headers.push((name.into(), value));
        }
    }
    while !rest.is_empty() {
        let (line, more) = split_line(rest);
        rest = more;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&line[..colon])
            .trim()
            .to_ascii_lowercase();
        if name.starts_with("mcp-") && http::HeaderName::from_bytes(name.as_bytes()).is_ok() {
            headers.push((name, line[colon + 1..].trim_ascii()));
        }
    }
    let meta = modern_meta(json!({}));
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"query","_meta":{meta},"arguments":{arguments}}}}}"#
    );
    if let Ok(mut ran) = RAN_WITH.lock() {
        *ran = None;
    }
    let pairs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let (status, answer) = SERVICE.with(|service| post(service, body.into_bytes(), &pairs));
    assert!(
        matches!(status.as_u16(), 200 | 400 | 404),
        "{status}: {}",
        String::from_utf8_lossy(&answer)
    );
    let ran = RAN_WITH.lock().ok().and_then(|mut r| r.take());
    let Some(query) = ran else {
        return;
    };
    assert_eq!(status, 200);
    assert!(message_of(&answer).is_some_and(|m| m.get("result").is_some()));
    let sent = |name: &str| -> Vec<&[u8]> {
        pairs
            .iter()
            .filter(|(n, v)| *n == name && http::HeaderValue::from_bytes(v).is_ok())
            .map(|(_, v)| *v)
            .collect()
    };
    for (value, header) in [
        (&query.region, "mcp-param-region"),
        (&query.tenant, "mcp-param-tenant"),
        (&query.flag, "mcp-param-flag"),
    ] {
        let value = value.as_ref().filter(|v| !v.is_null());
        let headers = sent(header);
        match value {
            None => assert!(headers.is_empty(), "{header} sent without its argument"),
            Some(value) => {
                assert!(!headers.is_empty(), "{header} missing for {value}");
                for h in headers {
                    assert!(
                        carries(h, value),
                        "{header} {:?} for {value}",
                        String::from_utf8_lossy(h)
                    );
                }
            }
        }
    }
    for name in ["mcp-method", "mcp-name"] {
        let values = sent(name);
        assert!(
            values.len() <= 1 || values.windows(2).all(|w| w[0] == w[1]),
            "differing {name} headers accepted"
        );
    }
}

/// Whether a header value may carry `value`: Base64 ones are not decoded here;
/// a plain one must spell the value.
fn carries(header: &[u8], value: &Value) -> bool {
    let Ok(text) = std::str::from_utf8(header.trim_ascii()) else {
        return false;
    };
    if text.starts_with("=?base64?") && text.ends_with("?=") {
        return true;
    }
    match value {
        Value::String(s) => s == text,
        Value::Bool(b) => text == if *b { "true" } else { "false" },
        Value::Number(n) => match (n.as_f64(), text.parse::<f64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}
