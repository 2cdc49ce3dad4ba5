//! `call_prepare`: [`Call::prepare`] of every method, both eras, with arbitrary
//! `params`.

use mcp_core::jsonrpc::Message;
use mcp_core::transport::Call;
use serde_json::{Map, Value};

use crate::rt::modern_meta;

/// Every method either era knows, and one neither does.
const METHODS: &[&str] = &[
    "initialize",
    "ping",
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "subscriptions/listen",
    "tasks/get",
];

/// Methods the modern era removed.
const LEGACY_ONLY: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

/// Methods only the modern era has.
const MODERN_ONLY: &[&str] = &["server/discover", "subscriptions/listen"];

/// Prepares a request of every method with `data` as its raw `params`; when `data`
/// is a JSON object, again with the `_meta` of a modern request and without any
/// `_meta` (legacy). A prepared call keeps its method; a refusal is `-32601` or
/// `-32602`; a method of one era is refused in the other.
pub fn call_prepare(data: &[u8]) {
    let Ok(params) = std::str::from_utf8(data) else {
        return;
    };
    for method in METHODS {
        prepare(method, params);
    }
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(params) else {
        return;
    };
    let mut modern = object.clone();
    modern.insert("_meta".into(), modern_meta(Value::Object(Map::new())));
    let mut legacy = object;
    legacy.remove("_meta");
    for method in METHODS {
        if let Some(call) = prepare(method, &Value::Object(modern.clone()).to_string()) {
            let checked = call.check_meta();
            if LEGACY_ONLY.contains(method) {
                panic!("modern {method} was prepared");
            }
            assert!(checked.is_ok(), "modern {method}: {checked:?}");
            assert!(call.is_modern());
        }
        if let Some(call) = prepare(method, &Value::Object(legacy.clone()).to_string()) {
            let checked = call.check_meta();
            assert_eq!(
                checked.is_err(),
                MODERN_ONLY.contains(method),
                "legacy {method}: {checked:?}"
            );
            assert!(!call.is_modern());
        }
    }
}

/// Decodes a request of `method` with `params` and prepares it.
fn prepare(method: &str, params: &str) -> Option<Call> {
    let bytes = format!(r#"{{"jsonrpc":"2.0","id":7,"method":"{method}","params":{params}}}"#);
    let Ok(Message::Request(request)) = Message::decode(bytes.as_bytes()) else {
        return None;
    };
    match Call::prepare(request) {
        Ok(call) => {
            assert_eq!(call.method(), method);
            let _ = (call.name(), call.may_stream(), call.check_meta());
            let _ = (call.requested_legacy_version(), call.requested_log_level());
            Some(call)
        }
        Err(response) => {
            let code = response.error_object().map(|e| e.code());
            assert!(
                matches!(code, Some(-32601 | -32602)),
                "{method} refused with {code:?}"
            );
            assert!(method != "tasks/get" || code == Some(-32601));
            None
        }
    }
}
