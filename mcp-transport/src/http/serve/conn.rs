//! One connection: tell HTTP/1 from HTTP/2, serve it with hyper, and close it when
//! one of its deadlines passes.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use super::activity::{Activity, Deadlines, Verdict};
use super::conn_io::{ConnIo, Sniffed};
use super::proxies::Proxies;
use super::watched_body::WatchedBody;
use crate::http::request_body::BoxError;

/// Time an idle connection's graceful close may take.
const IDLE_DRAIN: Duration = Duration::from_secs(1);

/// What every connection of one [`serve`](super::serve) shares.
pub(super) struct Conns {
    pub(super) h1: http1::Builder,
    pub(super) h2: http2::Builder<TokioExecutor>,
    pub(super) proxies: Proxies,
    pub(super) deadlines: Deadlines,
}

/// Serves one accepted connection until it ends, a deadline closes it, or the
/// server shuts down.
pub(super) async fn serve_one<H, F, B, E>(
    conns: Arc<Conns>,
    handler: H,
    mut stream: TcpStream,
    peer: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) where
    H: Fn(http::Request<Incoming>) -> F + Send + 'static,
    F: Future<Output = Result<http::Response<B>, E>> + Send + 'static,
    E: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let accepted = Instant::now();
    let d = conns.deadlines;
    // hyper's own timers start only once it knows the protocol: until then, ours.
    let sniffed = tokio::select! {
        sniffed = tokio::time::timeout_at(accepted + d.header, sniff(&mut stream)) => sniffed,
        _ = shutdown.wait_for(|stop| *stop) => return,
    };
    let (http2, sniffed) = match sniffed {
        Ok(Some(sniffed)) => sniffed,
        Ok(None) => return,
        Err(_) => {
            tracing::debug!(%peer, "closing a connection that sent no request in time");
            return;
        }
    };
    let activity = Activity::new(accepted);
    let reads = (!http2).then(|| Arc::clone(&activity));
    let io = TokioIo::new(ConnIo::new(stream, sniffed, d.write, reads));
    let service = {
        let conns = Arc::clone(&conns);
        let activity = Arc::clone(&activity);
        service_fn(move |mut request: http::Request<Incoming>| {
            let client = conns.proxies.client(peer, request.headers());
            request.extensions_mut().insert(client);
            let active = activity.start();
            let response = handler(request);
            async move {
                let response = response.await?;
                Ok::<_, E>(response.map(|body| WatchedBody::new(body, active)))
            }
        })
    };
    if http2 {
        let conn = conns.h2.serve_connection(io, service);
        drive(conn, |c| c.graceful_shutdown(), &activity, &d, shutdown).await;
    } else {
        let conn = conns.h1.serve_connection(io, service);
        drive(conn, |c| c.graceful_shutdown(), &activity, &d, shutdown).await;
    }
}

/// Reads until the bytes tell HTTP/1 from HTTP/2 (at most the 24 bytes of the
/// HTTP/2 preface), waiting on the socket's readiness; `None` when the client closes
/// first. `true` means HTTP/2.
async fn sniff(stream: &mut TcpStream) -> Option<(bool, Sniffed)> {
    const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let mut sniffed = Sniffed {
        buf: [0; 24],
        len: 0,
    };
    loop {
        match stream.read(&mut sniffed.buf[sniffed.len..]).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => sniffed.len += n,
        }
        if sniffed.buf[..sniffed.len] != PREFACE[..sniffed.len] {
            return Some((false, sniffed));
        }
        if sniffed.len == PREFACE.len() {
            return Some((true, sniffed));
        }
    }
}

/// Runs `conn` under the connection's deadlines: closed at once when one passes,
/// gracefully (`graceful`) when idle for too long or when the server shuts down.
async fn drive<C>(
    conn: C,
    graceful: impl FnOnce(Pin<&mut C>),
    activity: &Activity,
    d: &Deadlines,
    mut shutdown: watch::Receiver<bool>,
) where
    C: Future<Output = hyper::Result<()>>,
{
    let mut conn = pin!(conn);
    let give_up = loop {
        let wake = match activity.verdict(Instant::now(), d) {
            Verdict::Wait(at) => at,
            Verdict::Close(why) => {
                tracing::debug!(why, "closing a connection");
                return;
            }
            // Idle: the graceful close (HTTP/2: `GOAWAY`, a ping, the final `GOAWAY`)
            // gets a moment, not the client's cooperation.
            Verdict::Drain => break Some(Instant::now() + d.write.min(IDLE_DRAIN)),
        };
        tokio::select! {
            ended = conn.as_mut() => return log_end(ended),
            () = tokio::time::sleep_until(wake) => {}
            () = activity.changed() => {}
            // Shutdown: the server's grace period bounds the rest.
            _ = shutdown.wait_for(|stop| *stop) => break None,
        }
    };
    graceful(conn.as_mut());
    loop {
        let now = Instant::now();
        let wake = match activity.verdict(now, d) {
            Verdict::Wait(at) => at,
            Verdict::Close(why) => {
                tracing::debug!(why, "closing a connection");
                return;
            }
            Verdict::Drain => now + d.write,
        };
        let wake = give_up.map_or(wake, |at| wake.min(at));
        tokio::select! {
            ended = conn.as_mut() => return log_end(ended),
            () = activity.changed() => {}
            () = tokio::time::sleep_until(wake) => {
                if give_up.is_some_and(|at| Instant::now() >= at) {
                    return;
                }
            }
        }
    }
}

fn log_end(ended: hyper::Result<()>) {
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
