//! The stdio transport: newline-delimited JSON-RPC on stdin/stdout.
//!
//! stdout carries protocol messages only (log with `tracing` to stderr). Requests
//! run concurrently, up to a bound; every request gets exactly one response line,
//! written whole. `notifications/cancelled` aborts the named request. Requests the
//! server sends to a legacy client (elicitation, sampling) go out on stdout and the
//! client's replies are routed back to the waiting handler. A line longer
//! than the cap is answered with an error and skipped; an unparseable line gets one
//! `-32700` response. End of input stops the server after in-flight requests finish
//! (bounded by a grace period).
//!
//! ```no_run
//! # async fn run(server: mcp_core::Server) -> std::io::Result<()> {
//! mcp_transport::stdio::serve(server).await
//! # }
//! ```

mod config;

use std::collections::HashMap;
use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use mcp_core::Server;
use mcp_core::jsonrpc::{ErrorObject, Message, RequestId, Response};
use mcp_core::transport::{Call, Caller, Envelope, NotificationStream, Notifier, PendingReplies};
use mcp_core::wire::{LogLevel, ProtocolVersion};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Semaphore;
use tokio::task::{AbortHandle, JoinSet};

pub use config::ServeConfig;

/// Serves `server` on this process's stdin and stdout until stdin ends.
///
/// # Errors
/// Fails when stdin cannot be read or stdout cannot be written.
pub async fn serve(server: Server) -> io::Result<()> {
    serve_with(
        server,
        tokio::io::stdin(),
        tokio::io::stdout(),
        ServeConfig::default(),
    )
    .await
}

/// Serves `server` on any byte streams (a pipe, a socket, a test duplex).
///
/// # Errors
/// Fails when `reader` cannot be read or `writer` cannot be written.
pub async fn serve_with<R, W>(
    server: Server,
    reader: R,
    writer: W,
    config: ServeConfig,
) -> io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out, stream) = Notifier::channel(config.max_in_flight.max(16));
    let writer = tokio::spawn(write_lines(writer, stream));
    let conn = Arc::new(Connection::new(server, out, &config));
    let mut tasks = JoinSet::new();
    let read_result = read_loop(&conn, reader, &config, &mut tasks).await;

    // End of input: let in-flight requests finish within the grace period.
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            unfinished = tasks.len(),
            "stdin closed; aborting requests still running"
        );
        tasks.shutdown().await;
    }
    drop(conn);
    let write_result = writer.await.unwrap_or_else(|e| Err(io::Error::other(e)));
    read_result.and(write_result)
}

struct Connection {
    server: Server,
    out: Notifier,
    /// Running requests by id, to cancel them.
    running: Mutex<HashMap<RequestId, AbortHandle>>,
    /// Set by `initialize`: the legacy version in force for requests without `_meta`.
    legacy_version: Mutex<Option<ProtocolVersion>>,
    /// Set by legacy `logging/setLevel`.
    log_level: Mutex<Option<LogLevel>>,
    permits: Arc<Semaphore>,
    /// Requests sent to the client (legacy sampling, elicitation, roots).
    replies: PendingReplies,
}

async fn read_loop<R: AsyncRead + Unpin>(
    conn: &Arc<Connection>,
    reader: R,
    config: &ServeConfig,
    tasks: &mut JoinSet<()>,
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::with_capacity(4096);
    loop {
        // Reap finished tasks so the set does not grow with the session.
        while tasks.try_join_next().is_some() {}
        match read_line(&mut reader, &mut line, config.max_line_bytes).await? {
            Line::Eof => return Ok(()),
            Line::TooLong => {
                let error = ErrorObject::invalid_request(format_args!(
                    "message exceeds the {} byte line limit",
                    config.max_line_bytes
                ));
                conn.out.send(Response::error(None, error).encode()).await;
            }
            Line::Complete => {
                let bytes = trim_line(&line);
                if bytes.is_empty() {
                    continue;
                }
                dispatch(conn, bytes, tasks).await;
            }
        }
    }
}

enum Line {
    Complete,
    TooLong,
    Eof,
}

/// Reads one `\n`-terminated line into `line` without ever holding more than `max`
/// bytes; an overlong line is consumed to its end and reported. Only `fill_buf` and
/// `consume` are used, so no bytes are lost between calls.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    line.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if too_long {
                Line::TooLong
            } else if line.is_empty() {
                Line::Eof
            } else {
                Line::Complete
            });
        }
        let (chunk, found) = match memchr(available) {
            Some(i) => (&available[..i], Some(i)),
            None => (available, None),
        };
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = found.map_or(available.len(), |i| i + 1);
        reader.consume(used);
        if found.is_some() {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
    }
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Drops a trailing `\r` (CRLF line ends) and surrounding ASCII whitespace.
fn trim_line(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

async fn dispatch(conn: &Arc<Connection>, bytes: &[u8], tasks: &mut JoinSet<()>) {
    let request = match Message::decode(bytes) {
        Ok(Message::Request(request)) => request,
        Ok(Message::Notification(n)) => {
            if n.method() == "notifications/cancelled" {
                cancel(conn, n.params());
            }
            return;
        }
        Ok(Message::Response(r)) => {
            // One client per connection: its replies need no caller to match.
            if !conn.replies.resolve(&r, &Caller::default()) {
                tracing::debug!(id = %r.id(), "ignoring a client response: no server request waits for it");
            }
            return;
        }
        Err(response) => {
            conn.out.send(response.encode()).await;
            return;
        }
    };
    let Ok(permit) = Arc::clone(&conn.permits).acquire_owned().await else {
        return;
    };
    let id = request.id().clone();
    let task_conn = Arc::clone(conn);
    let task_id = id.clone();
    // The entry goes in before the task can take it out: the task's removal waits
    // for this lock, which is held from before the spawn until after the insert.
    let mut running = conn.running.lock().unwrap_or_else(PoisonError::into_inner);
    let handle = tasks.spawn(async move {
        let response = AssertUnwindSafe(Box::pin(serve_request(&task_conn, request)))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Response::error(
                    Some(task_id.clone()),
                    ErrorObject::internal("the request handler panicked"),
                )
            });
        // Unregister first: a cancellation arriving now finds nothing to abort,
        // and the response is still sent exactly once.
        task_conn.unregister(&task_id);
        task_conn.out.send(response.encode()).await;
        drop(permit);
    });
    running.insert(id, handle);
}

impl Connection {
    fn new(server: Server, out: Notifier, config: &ServeConfig) -> Self {
        Self {
            server,
            out,
            running: Mutex::new(HashMap::new()),
            legacy_version: Mutex::new(None),
            log_level: Mutex::new(None),
            permits: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            replies: PendingReplies::new(),
        }
    }

    /// Removes the running task's own entry for `id` (not that of a later request
    /// that reused the id).
    fn unregister(&self, id: &RequestId) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running
            .get(id)
            .is_some_and(|handle| tokio::task::try_id() == Some(handle.id()))
        {
            running.remove(id);
        }
    }
}

async fn serve_request(conn: &Connection, request: mcp_core::jsonrpc::Request) -> Response {
    let call = match Call::prepare(request) {
        Ok(call) => call,
        Err(response) => return response,
    };
    if let Some(requested) = call.requested_legacy_version() {
        let negotiated = ProtocolVersion::negotiate_legacy(requested);
        *conn
            .legacy_version
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(negotiated);
    }
    if let Some(level) = call.requested_log_level() {
        *conn
            .log_level
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(level);
    }
    let mut envelope = Envelope::new();
    envelope.legacy_version = *conn
        .legacy_version
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    envelope.legacy_log_level = *conn
        .log_level
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    envelope.notifier = Some(conn.out.clone());
    envelope.replies = Some(conn.replies.clone());
    conn.server.run(call, envelope).await
}

fn cancel(conn: &Connection, params: Option<&serde_json::value::RawValue>) {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Cancelled {
        request_id: RequestId,
    }
    let Some(Ok(Cancelled { request_id })) =
        params.map(|p| serde_json::from_str::<Cancelled>(p.get()))
    else {
        tracing::debug!("ignoring notifications/cancelled without a valid requestId");
        return;
    };
    let handle = conn
        .running
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&request_id);
    if let Some(handle) = handle {
        tracing::debug!(id = %request_id, "request cancelled by the client");
        handle.abort();
    }
}

async fn write_lines<W: AsyncWrite + Unpin>(
    writer: W,
    mut stream: NotificationStream,
) -> io::Result<()> {
    let mut writer = tokio::io::BufWriter::with_capacity(64 * 1024, writer);
    while let Some(mut message) = stream.recv().await {
        message.push(b'\n');
        writer.write_all(&message).await?;
        // Flush when nothing else is queued, batching bursts into one write.
        let mut queued = stream.try_recv();
        while let Some(mut next) = queued {
            next.push(b'\n');
            writer.write_all(&next).await?;
            queued = stream.try_recv();
        }
        writer.flush().await?;
    }
    writer.flush().await
}

#[cfg(test)]
mod tests;
