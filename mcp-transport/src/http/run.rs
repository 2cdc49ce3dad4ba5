//! Running a checked request: JSON when it completes without messages before its
//! response, otherwise an SSE stream scoped to the request.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use bytes::BytesMut;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use mcp_core::transport::{Call, CredentialWatch, Envelope, Notifier};
use tokio::time::Instant;

use super::Body;
use super::dispatch::Dispatch;
use super::mirror::Era;
use super::respond::{self, status_for};
use super::sse::{self, Sse};

/// How long a `subscriptions/listen` stream may stay open: as long as the client wants.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Notifications buffered per streaming request before the tool waits.
const NOTIFICATION_BUFFER: usize = 32;

impl Dispatch {
    /// Runs a call whose answer is JSON (the client takes no SSE, or the method
    /// never streams).
    pub(super) async fn run_json(
        &self,
        call: Call,
        envelope: Envelope,
        era: Era,
    ) -> http::Response<Body> {
        let id = call.id().clone();
        // Boxed: the call's future is large, and every layer above would otherwise
        // copy it.
        let run = Box::pin(self.server.run(call, envelope));
        match first_poll_then_timeout(self.request_timeout, run).await {
            Some(response) => respond::json(&response, status_for(&response, era == Era::Modern)),
            None => respond::json(&sse::timed_out(id), StatusCode::OK),
        }
    }

    /// Runs a call that may answer with SSE: its notifications (and, for legacy
    /// clients, its requests to the client), keep-alive comments while it runs,
    /// then its response. A call that completes on its first poll without a message
    /// still answers with JSON, and gets no timer.
    pub(super) async fn run_streaming(
        &self,
        call: Call,
        mut envelope: Envelope,
        era: Era,
        notifies: bool,
    ) -> http::Response<Body> {
        let modern = era == Era::Modern;
        let listen = call.is_listen();
        let id = call.id().clone();
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
        let mut credential = CredentialWatch::of(&envelope.extensions).cloned();
        let server = self.server.clone();
        let mut tool: sse::ToolFuture = Box::pin(async move { server.run(call, envelope).await });
        enum First {
            Done(mcp_core::jsonrpc::Response),
            Note(Vec<u8>),
            Idle,
            Timeout,
            CredentialEnded,
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
                    () = sse::credential_ended(&mut credential) => First::CredentialEnded,
                }
            }
        };
        let first = match first {
            First::Idle if !sse::credential_valid(credential.as_ref()).await => {
                First::CredentialEnded
            }
            first => first,
        };
        let first = match first {
            First::Done(response) => {
                let Some(note) = notes.as_mut().and_then(|n| n.try_recv()) else {
                    return respond::json(&response, status_for(&response, modern));
                };
                let mut out = self.open_stream(modern);
                sse::event(&mut out, &note);
                while let Some(note) = notes.as_mut().and_then(|n| n.try_recv()) {
                    sse::event(&mut out, &note);
                }
                sse::event(&mut out, &response.encode());
                return sse_response(Body::from(out.freeze()));
            }
            First::Timeout => return respond::json(&sse::timed_out(id), StatusCode::OK),
            First::CredentialEnded => {
                let response = sse::credential_ended_response(id);
                return respond::json(&response, StatusCode::OK);
            }
            First::Note(note) => {
                let mut out = self.open_stream(modern);
                sse::event(&mut out, &note);
                out
            }
            First::Idle => {
                let mut out = self.open_stream(modern);
                out.extend_from_slice(sse::KEEP_ALIVE);
                out
            }
        };
        let stream = Sse {
            tool,
            notes,
            id,
            keep_alive: self.keep_alive,
            deadline: deadline.unwrap_or_else(Instant::now),
            credential,
        };
        sse_response(Body::stream(stream.into_stream(first.freeze())))
    }

    /// The start of an SSE body: for legacy clients, the priming event (an event id,
    /// the reconnection delay, empty data) the 2025-11-25 transport recommends.
    fn open_stream(&self, modern: bool) -> BytesMut {
        let mut out = BytesMut::new();
        if !modern {
            let n = self.streams.fetch_add(1, Ordering::Relaxed);
            sse::priming(&mut out, self.reply_id_prefix(), n);
        }
        out
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
