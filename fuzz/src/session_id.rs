//! `session_id`: the legacy `Mcp-Session-Id` check, through [`McpService`].

use mcp_core::Server;
use mcp_transport::http::McpService;

use crate::rt::post;

/// Signs the ids of the second service.
const KEY: &[u8] = b"mcp-fuzz session key, 32 bytes..";

const PING: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

struct Services {
    unsigned: McpService,
    signed: McpService,
    /// An id the signed service issued.
    issued: Vec<u8>,
}

thread_local! {
    static SERVICES: Services = {
        let server = || match Server::builder("fuzz", "1").build() {
            Ok(server) => server,
            Err(e) => panic!("{e}"),
        };
        let signed = McpService::builder(server()).session_key(KEY).build();
        let issued = issue(&signed);
        Services { unsigned: McpService::new(server()), signed, issued }
    };
}

/// A session id from a legacy `initialize`.
fn issue(service: &McpService) -> Vec<u8> {
    let init = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}"#;
    let request = http::Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(init)));
    let Ok(request) = request else {
        panic!("a valid request");
    };
    let response = crate::rt::block_on(service.handle(request));
    match response.headers().get("mcp-session-id") {
        Some(id) => id.as_bytes().to_vec(),
        None => panic!("initialize issued no session id"),
    }
}

/// Sends a legacy `ping` with `data` as its `Mcp-Session-Id` to an unsigned and a
/// signed service, then to the signed service an issued id edited by `data` (byte
/// pairs: position, new byte). Answers are `200` (an id the service accepts) or
/// `404`, nothing else; the issued id passes, and no other id passes the signed
/// service (the tag's hex digits may change case).
pub fn session_id(data: &[u8]) {
    SERVICES.with(|s| {
        for (signed, service) in [(false, &s.unsigned), (true, &s.signed)] {
            let status = ping(service, data);
            let sent = http::HeaderValue::from_bytes(data).is_ok() && !data.trim_ascii().is_empty();
            assert!(
                !(signed && sent && status == 200) || same_id(data, &s.issued),
                "a fabricated id passed the signed service: {:?}",
                String::from_utf8_lossy(data)
            );
        }
        let mut edited = s.issued.clone();
        for pair in data.chunks_exact(2) {
            let at = usize::from(pair[0]) % edited.len();
            edited[at] = pair[1];
        }
        let status = ping(&s.signed, &edited);
        if same_id(&edited, &s.issued) {
            assert_eq!(status, 200, "the issued id was refused");
        } else if http::HeaderValue::from_bytes(&edited).is_ok() {
            assert_eq!(
                status,
                404,
                "an edited id passed: {:?}",
                String::from_utf8_lossy(&edited)
            );
        }
    });
}

/// A legacy `ping` carrying `id`; the status, `200` or `404` (or `400` for an id
/// naming a modern version: the request then lacks its `_meta`).
fn ping(service: &McpService, id: &[u8]) -> http::StatusCode {
    let (status, body) = post(service, PING.to_vec(), &[("mcp-session-id", id)]);
    let modern = id.split(|&b| b == b'.').nth(1) == Some(crate::rt::MODERN.as_bytes());
    assert!(
        status == 200 || status == 404 || (status == 400 && modern),
        "{status} {}",
        String::from_utf8_lossy(&body)
    );
    status
}

/// Whether `a` is the signed id `b`, up to the case of its tag (the last 32 hex
/// digits, read as bytes).
fn same_id(a: &[u8], b: &[u8]) -> bool {
    let tag = b.len().saturating_sub(32);
    a.len() == b.len() && a[..tag] == b[..tag] && a[tag..].eq_ignore_ascii_case(&b[tag..])
}
