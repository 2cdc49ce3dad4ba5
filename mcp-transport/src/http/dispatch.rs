//! The MCP step: decode the body, check the session id and the mirrored headers,
//! then run the request ([`run`](super::run)).

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use http::StatusCode;
use mcp_core::Server;
use mcp_core::jsonrpc::{ClientResponse, ErrorObject, Message};
use mcp_core::transport::{Call, Caller, Envelope, PendingReplies};
use mcp_core::wire::ProtocolVersion;

use super::Body;
use super::media::Accept;
use super::mirror::{self, Era};
use super::param_headers::ParamHeaders;
use super::respond::{self, status_for};
use super::session::{SESSION_ID, Sessions};
use super::tool_headers::tool_headers;

#[derive(Clone)]
pub(crate) struct Dispatch {
    pub(super) server: Server,
    pub(super) keep_alive: Duration,
    pub(super) request_timeout: Duration,
    /// Legacy calls waiting for the client's reply to a request sent on their stream.
    pub(super) replies: PendingReplies,
    /// Tool parameters mirrored in `Mcp-Param-*` headers.
    param_headers: ParamHeaders,
    /// Issues and checks legacy session ids.
    sessions: Sessions,
    /// Numbers the SSE streams of legacy requests (their event ids).
    pub(super) streams: Arc<AtomicU64>,
}

impl Dispatch {
    pub(crate) fn new(
        server: Server,
        keep_alive: Duration,
        request_timeout: Duration,
        sessions: Sessions,
    ) -> Self {
        Self {
            param_headers: ParamHeaders::of(&server),
            server,
            keep_alive,
            request_timeout,
            replies: PendingReplies::new(),
            sessions,
            streams: Arc::default(),
        }
    }

    /// The prefix of the ids of requests this instance sends to legacy clients.
    pub(crate) fn reply_id_prefix(&self) -> &str {
        self.replies.id_prefix()
    }

    /// A legacy client's reply to a request one of this instance's calls sent it,
    /// taken only from the caller (session id, principal) whose call asked.
    fn reply(&self, response: &ClientResponse, from: &Caller) -> http::Response<Body> {
        if self.replies.resolve(response, from) {
            return respond::plain(StatusCode::ACCEPTED, "");
        }
        // Late (the call timed out or its stream closed), never asked, asked by
        // another instance, or asked of another caller: nothing here can take it,
        // and all four get the same answer.
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
        let mut header_version = mirror::header_version(&parts.headers);
        let modern_header = header_version
            .and_then(ProtocolVersion::parse)
            .is_some_and(ProtocolVersion::is_modern);
        // A legacy session id must be one of ours; modern requests ignore it.
        let session = if modern_header {
            None
        } else {
            parts
                .headers
                .get(SESSION_ID)
                .map(|id| self.sessions.verify(id))
        };
        let known_session = !matches!(session, Some(Err(_)));
        let message = match Message::decode(body.as_bytes().unwrap_or_default()) {
            Ok(message) => message,
            Err(response) => return respond::json(&response, StatusCode::BAD_REQUEST),
        };
        if !known_session && !matches!(&message, Message::Request(r) if r.method() == "initialize")
        {
            // Any message but the one that opens a new session.
            return unknown_session();
        }
        let request = match message {
            Message::Request(request) => request,
            Message::Notification(_) => return respond::plain(StatusCode::ACCEPTED, ""),
            Message::Response(response) => {
                let from = Caller::of(&parts.headers, &parts.extensions);
                return self.reply(&response, &from);
            }
        };
        if let (None, Some(Ok(version))) = (header_version, &session) {
            // The version the session negotiated, when the client omits the header.
            header_version = Some(version.as_str());
        }
        if modern_header && mirror::REMOVED.contains(&request.method()) {
            // Before reading params, which a removed method's old shape may lack.
            let error = ErrorObject::method_not_found(request.method());
            let response = mcp_core::jsonrpc::Response::error(Some(request.id().clone()), error);
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
            let body = body.as_bytes().unwrap_or_default();
            mirror::check_mirrored(&call, era, &parts.headers, &self.param_headers, body)?;
            Ok(era)
        });
        let era = match checked {
            Ok(era) => era,
            Err(error) => {
                let status = mirror::status_of(&error);
                let response = mcp_core::jsonrpc::Response::error(Some(call.id().clone()), error);
                return respond::json(&response, status);
            }
        };
        // Calls that may run long answer with SSE when the client takes it (keep-alive
        // comments), and so do those that may send messages before their response.
        let notifies = call.may_stream();
        let streams = (notifies || call.name().is_some()) && Accept::of(&parts.headers).sse;
        // A legacy initialize opens a session: its id is issued, never stored.
        let session_id = match (era, call.requested_legacy_version()) {
            (Era::Legacy(_), Some(requested)) => Some(
                self.sessions
                    .issue(ProtocolVersion::negotiate_legacy(requested)),
            ),
            _ => None,
        };
        let mut envelope = Envelope::new();
        envelope.headers = tool_headers(parts.headers);
        envelope.extensions = parts.extensions;
        if let Era::Legacy(version) = era {
            envelope.legacy_version = version;
        }
        let mut response = if streams {
            self.run_streaming(call, envelope, era, notifies).await
        } else {
            self.run_json(call, envelope, era).await
        };
        if let Some(id) = session_id {
            response.headers_mut().insert(SESSION_ID, id);
        }
        response
    }
}

/// `404` for a legacy session id this server did not issue (or that expired): the
/// client starts over with `initialize`.
fn unknown_session() -> http::Response<Body> {
    respond::error(
        StatusCode::NOT_FOUND,
        ErrorObject::invalid_request("unknown or expired session: send initialize again"),
    )
}
