//! The MCP step: decode the body, check the mirrored headers, run the request, and
//! answer with JSON or, when the tool streams or runs long, SSE.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::BytesMut;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use mcp_core::{
    Call, ClientResponse, Envelope, ErrorObject, Message, Notifier, PendingReplies,
    ProtocolVersion, Server,
};
use tokio::time::Instant;

use super::Body;
use super::media::Accept;
use super::mirror::{self, Era};
use super::param_headers::ParamHeaders;
use super::respond::{self, status_for};
use super::sse::{self, Sse};

/// How long a `subscriptions/listen` stream may stay open: as long as the client wants.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Notifications buffered per streaming request before the tool waits.
const NOTIFICATION_BUFFER: usize = 32;

#[derive(Clone)]
pub(crate) struct Dispatch {
    server: Server,
    keep_alive: Duration,
    request_timeout: Duration,
    /// Legacy calls waiting for the client's reply to a request sent on their stream.
    replies: PendingReplies,
    /// Tool parameters mirrored in `Mcp-Param-*` headers.
    param_headers: ParamHeaders,
}

impl Dispatch {
    pub(crate) fn new(server: Server, keep_alive: Duration, request_timeout: Duration) -> Self {
        Self {
            param_headers: ParamHeaders::of(&server),
            server,
            keep_alive,
            request_timeout,
            replies: PendingReplies::new(),
        }
    }

    /// The prefix of the ids of requests this instance sends to legacy clients.
    pub(crate) fn reply_id_prefix(&self) -> &str {
        self.replies.id_prefix()
    }

    /// A legacy client's reply to a request one of this instance's calls sent it.
    fn reply(&self, response: &ClientResponse) -> http::Response<Body> {
        if self.replies.resolve(response) {
            return respond::plain(StatusCode::ACCEPTED, "");
        }
        // Late (the call timed out or its stream closed), never asked, or asked by
        // another instance: nothing here can take it.
        tracing::debug!(id = %response.id(), "a reply that no call here waits for");
        respond::error(
            StatusCode::BAD_REQUEST,
            ErrorObject::invalid_request(format_args!(
                "no request with id {} waits for a reply on this server instance",
                response.id()
            )),
        )
    }

    pub(crate) async fn handle(&self, request: http::Request<Body>) -> http::Response<Body> {
        let (parts, body) = request.into_parts();
        let header_version = mirror::header_version(&parts.headers);
        let request = match Message::decode(body.as_bytes().unwrap_or_default()) {
            Ok(Message::Request(request)) => request,
            Ok(Message::Notification(_)) => return respond::plain(StatusCode::ACCEPTED, ""),
            Ok(Message::Response(response)) => return self.reply(&response),
            Err(response) => return respond::json(&response, StatusCode::BAD_REQUEST),
        };
        let modern_header = header_version
            .and_then(ProtocolVersion::parse)
            .is_some_and(ProtocolVersion::is_modern);
        if modern_header && mirror::REMOVED.contains(&request.method()) {
            // Before reading params, which a removed method's old shape may lack.
            let error = ErrorObject::method_not_found(request.method());
            let response = mcp_core::Response::error(Some(request.id().clone()), error);
            return respond::json(&response, StatusCode::NOT_FOUND);
        }
        let call = match Call::prepare(request) {
            Ok(call) => call,
            Err(response) => {
                // Unknown method or unreadable params: for a modern request (by its
                // header) a malformed request.
                let status = match response.error_object() {
                    Some(e) if modern_header => mirror::status_of(e),
                    _ => status_for(&response, false),
                };
                return respond::json(&response, status);
            }
        };
        let checked = mirror::settle_era(&call, header_version).and_then(|era| {
            if era == Era::Modern {
                mirror::check_method_and_name(&call, &parts.headers)?;
                if let Some(tool) = call.name().filter(|_| call.method() == "tools/call")
                    && self.param_headers.applies_to(tool)
                {
                    let body = body.as_bytes().unwrap_or_default();
                    self.param_headers.check(tool, body, &parts.headers)?;
                }
            }
            Ok(era)
        });
        let era = match checked {
            Ok(era) => era,
            Err(error) => {
                let status = mirror::status_of(&error);
                let response = mcp_core::Response::error(Some(call.id().clone()), error);
                return respond::json(&response, status);
            }
        };
        let modern = era == Era::Modern;
        let listen = call.is_listen();
        // Calls that may run long answer with SSE when the client takes it (keep-alive
        // comments), and so do those that may send messages before their response.
        let notifies = call.may_stream();
        let streams = (notifies || call.name().is_some()) && Accept::of(&parts.headers).sse;
        let id = call.id().clone();
        let mut envelope = Envelope::new();
        envelope.headers = parts.headers;
        envelope.extensions = parts.extensions;
        if let Era::Legacy(version) = era {
            envelope.legacy_version = version;
        }

        if !streams {
            // Boxed: the call's future is large, and every layer above would
            // otherwise copy it.
            let run = Box::pin(self.server.run(call, envelope));
            return match first_poll_then_timeout(self.request_timeout, run).await {
                Some(response) => respond::json(&response, status_for(&response, modern)),
                None => respond::json(&sse::timed_out(id), StatusCode::OK),
            };
        }

        let mut notes = None;
        if notifies {
            let (notifier, stream) = Notifier::channel(NOTIFICATION_BUFFER);
            envelope.notifier = Some(notifier);
            notes = Some(stream);
            if !modern {
                // A legacy call may ask the client (sampling, elicitation) on its
                // stream; the reply comes back as a POST of its own.
                envelope.replies = Some(self.replies.clone());
            }
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
                    let status = status_for(&response, modern);
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
