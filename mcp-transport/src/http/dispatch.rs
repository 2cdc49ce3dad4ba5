//! The MCP step: decode the body, check the mirrored headers, run the request, and
//! answer with JSON or, when the tool streams or runs long, SSE.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use base64::Engine as _;
use bytes::BytesMut;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use mcp_core::{Call, Envelope, ErrorObject, Message, Notifier, ProtocolVersion, Server};
use tokio::time::Instant;

use super::Body;
use super::media::Accept;
use super::respond::{self, status_for};
use super::sse::{self, Sse};

/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Mcp-Method`.
pub(crate) const METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`.
pub(crate) const NAME: HeaderName = HeaderName::from_static("mcp-name");

/// How long a `subscriptions/listen` stream may stay open: as long as the client wants.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Notifications buffered per streaming request before the tool waits.
const NOTIFICATION_BUFFER: usize = 32;

#[derive(Clone)]
pub(crate) struct Dispatch {
    server: Server,
    keep_alive: Duration,
    request_timeout: Duration,
}

impl Dispatch {
    pub(crate) fn new(server: Server, keep_alive: Duration, request_timeout: Duration) -> Self {
        Self {
            server,
            keep_alive,
            request_timeout,
        }
    }

    pub(crate) async fn handle(&self, request: http::Request<Body>) -> http::Response<Body> {
        let (parts, body) = request.into_parts();
        let header_version = parts
            .headers
            .get(PROTOCOL_VERSION)
            .map(|v| v.to_str().unwrap_or("(invalid)"));
        let modern_header = header_version
            .is_some_and(|v| ProtocolVersion::parse(v).is_some_and(|v| v.is_modern()));
        let request = match Message::decode(body.as_bytes().unwrap_or_default()) {
            Ok(Message::Request(request)) => request,
            Ok(Message::Notification(_)) => return respond::plain(StatusCode::ACCEPTED, ""),
            Ok(Message::Response(_)) => {
                return respond::error(
                    StatusCode::BAD_REQUEST,
                    ErrorObject::invalid_request(
                        "this server sends no requests, so it accepts no responses",
                    ),
                );
            }
            Err(response) => return respond::json(&response, StatusCode::BAD_REQUEST),
        };
        // Notifications need a channel; only requests that can produce them get one
        // (a key hidden behind JSON escapes merely goes without notifications).
        let notifies = request
            .params()
            .is_some_and(|p| mentions_notifications(p.get()));
        let call = match Call::prepare(request) {
            Ok(call) => call,
            Err(response) => {
                let mut status = status_for(&response, modern_header);
                if modern_header && status == StatusCode::OK {
                    status = StatusCode::BAD_REQUEST;
                }
                return respond::json(&response, status);
            }
        };
        let modern = call.is_modern();
        let listen = call.is_listen();
        let legacy_version = match check_headers(&call, &parts.headers, header_version, modern) {
            Ok(v) => v,
            Err(error) => {
                let response = mcp_core::Response::error(Some(call.id().clone()), error);
                return respond::json(&response, StatusCode::BAD_REQUEST);
            }
        };
        let streams = (call.name().is_some() || listen) && Accept::of(&parts.headers).sse;
        let id = call.id().clone();
        let mut envelope = Envelope::new();
        envelope.headers = parts.headers;
        envelope.extensions = parts.extensions;
        envelope.legacy_version = legacy_version;

        if !streams {
            // Boxed: the call's future is large, and every layer above would
            // otherwise copy it.
            let run = Box::pin(self.server.run(call, envelope));
            return match first_poll_then_timeout(self.request_timeout, run).await {
                Some(response) => respond::json(&response, run_status(&response, modern, &body)),
                None => respond::json(&sse::timed_out(id), StatusCode::OK),
            };
        }

        let mut notes = None;
        if notifies || listen {
            let (notifier, stream) = Notifier::channel(NOTIFICATION_BUFFER);
            envelope.notifier = Some(notifier);
            notes = Some(stream);
        }
        let server = self.server.clone();
        let mut tool: sse::ToolFuture = Box::pin(async move { server.run(call, envelope).await });
        enum First {
            Done(mcp_core::Response),
            Note(Vec<u8>),
            Idle,
            Timeout,
        }
        // Most calls finish on their first poll: no timers for them.
        let mut deadline = None;
        let first = match poll_once(tool.as_mut()).await {
            Poll::Ready(response) => First::Done(response),
            Poll::Pending => {
                // A listen stream lasts until the client closes it.
                let timeout = if listen {
                    LISTEN_TIMEOUT
                } else {
                    self.request_timeout
                };
                let at = Instant::now() + timeout;
                deadline = Some(at);
                tokio::select! {
                    biased;
                    response = &mut tool => First::Done(response),
                    Some(note) = sse::next_note(&mut notes) => First::Note(note),
                    () = tokio::time::sleep(self.keep_alive) => First::Idle,
                    () = tokio::time::sleep_until(at) => First::Timeout,
                }
            }
        };
        let mut out = BytesMut::new();
        match first {
            First::Done(response) => {
                let Some(note) = notes.as_mut().and_then(|n| n.try_recv()) else {
                    let status = run_status(&response, modern, &body);
                    return respond::json(&response, status);
                };
                sse::event(&mut out, &note);
                while let Some(note) = notes.as_mut().and_then(|n| n.try_recv()) {
                    sse::event(&mut out, &note);
                }
                sse::event(&mut out, &response.encode());
                return sse_response(Body::from(out.freeze()));
            }
            First::Timeout => return respond::json(&sse::timed_out(id), StatusCode::OK),
            First::Note(note) => sse::event(&mut out, &note),
            First::Idle => out.extend_from_slice(sse::KEEP_ALIVE),
        }
        let stream = Sse {
            tool,
            notes,
            id,
            keep_alive: self.keep_alive,
            deadline: deadline.unwrap_or_else(Instant::now),
        };
        sse_response(Body::stream(stream.into_stream(out.freeze())))
    }
}

/// The status for what [`Server::run`] answered: [`status_for`], plus `400` for a
/// modern request rejected for lacking client capabilities (`-32602`).
fn run_status(response: &mcp_core::Response, modern: bool, body: &Body) -> StatusCode {
    let status = status_for(response, modern);
    let code = response.error_object().map(ErrorObject::code);
    if modern && code == Some(ErrorObject::INVALID_PARAMS) {
        let body = body.as_bytes().unwrap_or_default();
        let key = b"io.modelcontextprotocol/clientCapabilities";
        if !body.windows(key.len()).any(|w| w == key) {
            return StatusCode::BAD_REQUEST;
        }
    }
    status
}

/// Whether raw params mention `progressToken` or `logLevel`, the keys that make a
/// request produce notifications. Looks only where the rare capitals are (a
/// word-at-a-time byte search).
fn mentions_notifications(params: &str) -> bool {
    let around = |capital: char, before: &str, after: &str| {
        params
            .match_indices(capital)
            .any(|(i, _)| params[..i].ends_with(before) && params[i..].starts_with(after))
    };
    around('T', "progress", "Token") || around('L', "log", "Level")
}

/// Polls `fut` once.
pub(crate) async fn poll_once<F: Future + Unpin>(mut fut: F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut fut).poll(cx))).await
}

/// Runs `fut` to completion or for `timeout`, creating no timer when the first poll
/// already completes it.
pub(crate) async fn first_poll_then_timeout<F: Future>(
    timeout: Duration,
    fut: F,
) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    if let Poll::Ready(out) = poll_once(fut.as_mut()).await {
        return Some(out);
    }
    tokio::time::timeout(timeout, fut).await.ok()
}

/// Checks the headers the transport mirrors from the body, and settles the legacy
/// version in force.
fn check_headers(
    call: &Call,
    headers: &HeaderMap,
    header_version: Option<&str>,
    modern: bool,
) -> Result<Option<ProtocolVersion>, ErrorObject> {
    if !modern {
        return match header_version {
            None => Ok(None),
            Some(h) => match ProtocolVersion::parse(h) {
                Some(v) if !v.is_modern() => Ok(Some(v)),
                Some(v) => Err(ErrorObject::header_mismatch(format_args!(
                    "MCP-Protocol-Version header is {v} but the body's _meta declares no protocol version"
                ))),
                None => Err(ErrorObject::unsupported_protocol_version(
                    h,
                    &ProtocolVersion::ALL.map(ProtocolVersion::as_str),
                )),
            },
        };
    }
    let declared = call.meta_protocol_version().unwrap_or("");
    match header_version {
        Some(h) if h == declared => {}
        Some(h) => {
            return Err(ErrorObject::header_mismatch(format_args!(
                "MCP-Protocol-Version header value '{h}' does not match body value '{declared}'"
            )));
        }
        None => {
            return Err(ErrorObject::header_mismatch(
                "missing MCP-Protocol-Version header",
            ));
        }
    }
    match headers.get(METHOD).map(HeaderValue::as_bytes) {
        Some(m) if m == call.method().as_bytes() => {}
        Some(m) => {
            return Err(ErrorObject::header_mismatch(format_args!(
                "Mcp-Method header value '{}' does not match body value '{}'",
                String::from_utf8_lossy(m),
                call.method()
            )));
        }
        None => return Err(ErrorObject::header_mismatch("missing Mcp-Method header")),
    }
    if let Some(name) = call.name() {
        let Some(value) = headers.get(NAME) else {
            return Err(ErrorObject::header_mismatch("missing Mcp-Name header"));
        };
        if decode_header(value.as_bytes()).as_deref() != Some(name.as_bytes()) {
            return Err(ErrorObject::header_mismatch(format_args!(
                "Mcp-Name header value '{}' does not match body value '{name}'",
                String::from_utf8_lossy(value.as_bytes())
            )));
        }
    }
    Ok(None)
}

/// A header value, decoded from the `=?base64?...?=` sentinel form when used.
fn decode_header(value: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    match value
        .strip_prefix(b"=?base64?")
        .and_then(|v| v.strip_suffix(b"?="))
    {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .map(std::borrow::Cow::Owned),
        None => Some(std::borrow::Cow::Borrowed(value)),
    }
}

fn sse_response(body: Body) -> http::Response<Body> {
    let mut response = http::Response::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_keys() {
        assert!(mentions_notifications(r#"{"_meta":{"progressToken":1}}"#));
        assert!(mentions_notifications(
            r#"{"_meta":{"io.modelcontextprotocol/logLevel":"info"}}"#
        ));
        assert!(!mentions_notifications(
            r#"{"name":"echo","arguments":{"T":"Level"}}"#
        ));
        assert!(!mentions_notifications("Token"));
    }

    #[test]
    fn base64_sentinel() {
        assert_eq!(decode_header(b"echo").as_deref(), Some(&b"echo"[..]));
        assert_eq!(
            decode_header(b"=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界".as_bytes())
        );
        assert_eq!(decode_header(b"=?base64?!!?="), None);
    }
}
