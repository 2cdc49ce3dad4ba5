//! `jsonrpc_decode`: [`Message::decode`] over arbitrary bytes.

use mcp_core::jsonrpc::{Message, Response};

/// Decodes `data`; a decoded request or notification must survive encode → decode
/// unchanged, and a refusal must be a `-32700`/`-32600` error response that encodes
/// to JSON.
pub fn jsonrpc_decode(data: &[u8]) {
    match Message::decode(data) {
        Ok(Message::Request(request)) => {
            let again = Message::decode(&request.encode());
            let Ok(Message::Request(again)) = again else {
                panic!("a decoded request does not decode again: {again:?}");
            };
            assert_eq!(again.id(), request.id());
            assert_eq!(again.method(), request.method());
            assert_eq!(
                again.params().map(|p| p.get()),
                request.params().map(|p| p.get())
            );
        }
        Ok(Message::Notification(notification)) => {
            let again = Message::decode(&notification.encode());
            let Ok(Message::Notification(again)) = again else {
                panic!("a decoded notification does not decode again: {again:?}");
            };
            assert_eq!(again.method(), notification.method());
            assert_eq!(
                again.params().map(|p| p.get()),
                notification.params().map(|p| p.get())
            );
        }
        Ok(Message::Response(response)) => {
            let outcome = match response.outcome() {
                Ok(r) | Err(r) => r.get(),
            };
            assert!(serde_json::from_str::<serde_json::Value>(outcome).is_ok() || deep(outcome));
        }
        Err(response) => refusal(&response),
    }
}

/// Checks that `response` is a parse or invalid-request error that encodes to JSON.
fn refusal(response: &Response) {
    let Some(error) = response.error_object() else {
        panic!("a refusal without an error: {response:?}");
    };
    assert!(
        matches!(error.code(), -32700 | -32600),
        "refused with {}",
        error.code()
    );
    let encoded = response.encode();
    assert!(
        serde_json::from_slice::<serde_json::Value>(&encoded).is_ok(),
        "an error response that is not JSON: {}",
        String::from_utf8_lossy(&encoded)
    );
}

/// Whether `json` nests too deeply for `serde_json::Value` (its recursion limit).
fn deep(json: &str) -> bool {
    json.bytes().filter(|&b| b == b'[' || b == b'{').count() > 100
}
