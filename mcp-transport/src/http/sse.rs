//! Request-scoped SSE: notifications as they come, keep-alive comments while the tool
//! runs, then the final response, then the end of the stream. A stream whose
//! credential ends (a [`CredentialWatch`] in the request, revoked or expired) ends
//! too, with an error response: at once on a revocation signal, at the next
//! keep-alive at the latest.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use mcp_core::jsonrpc::{ErrorObject, RequestId, Response};
use mcp_core::transport::{CredentialWatch, NotificationStream};
use tokio::time::Instant;

/// The keep-alive event: an SSE comment, ignored by clients.
pub(crate) const KEEP_ALIVE: &[u8] = b":\n\n";

/// Milliseconds a legacy client waits before reconnecting a stream that was cut
/// (the `retry:` field of the priming event).
pub(crate) const RETRY_MS: u32 = 1000;

/// Appends a priming event: an event id (`<instance>.<n>`, unique per stream), the
/// reconnection delay, and empty data. Streams are not resumable (a `GET` with
/// `Last-Event-ID` gets `405`), so a client whose stream is cut learns that at once.
pub(crate) fn priming(out: &mut BytesMut, instance: &str, n: u64) {
    use std::fmt::Write as _;
    let _ = write!(out, "id: {instance}.{n}\nretry: {RETRY_MS}\ndata: \n\n");
}

/// Appends one SSE `message` event carrying `json` (one `data:` line per line).
pub(crate) fn event(out: &mut BytesMut, json: &[u8]) {
    out.reserve(json.len() + 24);
    out.put_slice(b"event: message\n");
    for line in json.split(|&b| b == b'\n') {
        out.put_slice(b"data: ");
        out.put_slice(line);
        out.put_u8(b'\n');
    }
    out.put_u8(b'\n');
}

pub(crate) type ToolFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// A running request that answers as an SSE stream.
pub(crate) struct Sse {
    pub(crate) tool: ToolFuture,
    pub(crate) notes: Option<NotificationStream>,
    pub(crate) id: RequestId,
    pub(crate) keep_alive: Duration,
    pub(crate) deadline: Instant,
    /// The lifetime of the credential that opened the stream, if any.
    pub(crate) credential: Option<CredentialWatch>,
}

impl Sse {
    /// The stream of SSE chunks, starting with `first`. Dropping it drops the tool's
    /// future: a client that closes the stream cancels the call.
    pub(crate) fn into_stream(self, first: Bytes) -> impl futures::Stream<Item = Bytes> + Send {
        let state = State {
            sse: Some(self),
            first: Some(first),
        };
        futures::stream::unfold(state, State::next)
    }
}

struct State {
    sse: Option<Sse>,
    first: Option<Bytes>,
}

enum Step {
    Note(Vec<u8>),
    Done(Response),
    Idle,
    Timeout,
    CredentialEnded,
}

impl State {
    async fn next(mut self) -> Option<(Bytes, Self)> {
        if let Some(first) = self.first.take() {
            return Some((first, self));
        }
        let sse = self.sse.as_mut()?;
        let step = tokio::select! {
            biased;
            Some(note) = next_note(&mut sse.notes) => Step::Note(note),
            response = &mut sse.tool => Step::Done(response),
            () = tokio::time::sleep(sse.keep_alive) => Step::Idle,
            () = tokio::time::sleep_until(sse.deadline) => Step::Timeout,
            () = credential_ended(&mut sse.credential) => Step::CredentialEnded,
        };
        let step = match step {
            Step::Idle if !credential_valid(sse.credential.as_ref()).await => Step::CredentialEnded,
            step => step,
        };
        let mut out = BytesMut::new();
        match step {
            Step::Note(note) => event(&mut out, &note),
            Step::Idle => out.put_slice(KEEP_ALIVE),
            Step::CredentialEnded => {
                event(
                    &mut out,
                    &credential_ended_response(sse.id.clone()).encode(),
                );
                self.sse = None;
            }
            Step::Timeout => {
                event(&mut out, &timed_out(sse.id.clone()).encode());
                self.sse = None;
            }
            Step::Done(response) => {
                while let Some(note) = sse.notes.as_mut().and_then(|n| n.try_recv()) {
                    event(&mut out, &note);
                }
                event(&mut out, &response.encode());
                self.sse = None;
            }
        }
        Some((out.freeze(), self))
    }
}

/// The next notification; never, when the request has no notification stream.
pub(crate) async fn next_note(notes: &mut Option<NotificationStream>) -> Option<Vec<u8>> {
    match notes {
        Some(n) => n.recv().await,
        None => std::future::pending().await,
    }
}

/// Completes when the request's credential has ended; never without one.
pub(crate) async fn credential_ended(credential: &mut Option<CredentialWatch>) {
    match credential {
        Some(watch) => watch.ended().await,
        None => std::future::pending().await,
    }
}

/// The re-check at a keep-alive: `true` without a credential.
pub(crate) async fn credential_valid(credential: Option<&CredentialWatch>) -> bool {
    match credential {
        Some(watch) => watch.still_valid().await,
        None => true,
    }
}

/// The last event of a stream whose credential was revoked or expired.
pub(crate) fn credential_ended_response(id: RequestId) -> Response {
    Response::error(
        Some(id),
        ErrorObject::invalid_request("the credential of this request was revoked or has expired"),
    )
}

/// The response for a request that outlived its deadline.
pub(crate) fn timed_out(id: RequestId) -> Response {
    Response::error(Some(id), ErrorObject::internal("the request timed out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priming_event() {
        let mut out = BytesMut::new();
        priming(&mut out, "srv-1", 7);
        assert_eq!(&out[..], b"id: srv-1.7\nretry: 1000\ndata: \n\n");
    }

    #[test]
    fn events_split_lines() {
        let mut out = BytesMut::new();
        event(&mut out, b"{\"a\":1}");
        assert_eq!(&out[..], b"event: message\ndata: {\"a\":1}\n\n");
        let mut out = BytesMut::new();
        event(&mut out, b"a\nb");
        assert_eq!(&out[..], b"event: message\ndata: a\ndata: b\n\n");
    }
}
