//! [`serve`]: run an [`McpService`] on a TCP listener with hyper.

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::McpService;
use super::config::Limits;
use super::request_body::BoxError;
use crate::Error;
use tower::ServiceExt as _;

/// Serves `service` on `listener` (HTTP/1.1 and HTTP/2) until `shutdown` completes,
/// then stops accepting, lets in-flight requests finish within the grace period, and
/// returns. Each request carries the client's [`SocketAddr`] in its extensions (for
/// quota keys, logs, and tools through their context).
///
/// `service` is usually an [`McpService`], whose [`Builder`](super::Builder) also
/// sets the connection limits used here: a connection cap, the time and size allowed
/// for a request head (`431` beyond it), and the shutdown grace period. Layers that
/// should answer before the body is read (auth, quotas) go inside it with
/// [`Builder::outer_layer`](super::Builder::outer_layer), which keeps the `Host` and
/// `Origin` check first.
///
/// Any other `tower::Service` of `http::Request<hyper::body::Incoming>` is served
/// too (say, an `McpService` wrapped in layers of your own) with the default limits
/// (1024 connections, 10 s and 64 KiB per request head, 10 s grace); an `McpService`
/// inside it still checks `Host` and `Origin` on every request, but only after the
/// layers around it.
///
/// ```no_run
/// # async fn run(server: mcp_core::Server) -> Result<(), mcp_transport::Error> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let service = mcp_transport::http::McpService::new(server);
/// mcp_transport::http::serve(listener, service, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await
/// # }
/// ```
///
/// # Errors
/// Refuses to start when `service` is an [`McpService`] with the default
/// loopback-only `Host` check and the listener is bound to a non-loopback address
/// ([`Builder::allowed_hosts`](super::Builder::allowed_hosts) lists the names
/// clients use); fails when the listener's address cannot be read.
pub async fn serve<S, B>(
    listener: TcpListener,
    service: S,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Error>
where
    S: tower::Service<http::Request<Incoming>, Response = http::Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let addr = listener.local_addr()?;
    match (&service as &dyn Any).downcast_ref::<McpService>() {
        Some(mcp) => {
            // Called directly: no boxed future per request.
            check_bind(addr, mcp)?;
            let limits = mcp.limits().clone();
            let mcp = mcp.clone();
            let handler = move |request| {
                let mcp = mcp.clone();
                async move { Ok::<_, Infallible>(mcp.handle(request).await) }
            };
            accept(listener, &limits, handler, shutdown).await
        }
        None => {
            let handler = move |request| service.clone().oneshot(request);
            accept(listener, &Limits::default(), handler, shutdown).await
        }
    }
}

/// The accept loop: one task per connection, each request handed to `handler`
/// with the peer address in its extensions.
async fn accept<H, F, B, E>(
    listener: TcpListener,
    limits: &Limits,
    handler: H,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Error>
where
    H: Fn(http::Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Result<http::Response<B>, E>> + Send + 'static,
    E: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    let builder = Arc::new(builder);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let hyper_service = service_fn(move |mut request: http::Request<Incoming>| {
            request.extensions_mut().insert(peer);
            handler(request)
        });
        let builder = Arc::clone(&builder);
        let watcher = graceful.watcher();
        let timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            if tokio::time::timeout(timeout, announced(&stream)).await != Ok(true) {
                tracing::debug!("closing a connection that sent no request in time");
                return;
            }
            let conn = builder
                .serve_connection(TokioIo::new(stream), hyper_service)
                .into_owned();
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("shutdown grace period over; closing connections still open");
        }
    }
    Ok(())
}

/// Waits until the client has sent enough to tell HTTP/1 from HTTP/2; `false` when
/// it closed first. hyper's header-read timer starts only after that point, so
/// without this wait (under a timeout) a client that never sends a byte would hold a
/// connection slot forever.
async fn announced(stream: &TcpStream) -> bool {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let mut buf = [0u8; 24];
    loop {
        let n = match stream.peek(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        if n >= PREFACE.len() || buf[..n] != PREFACE[..n] {
            return true;
        }
        // Part of the HTTP/2 preface: wait for the rest.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Refuses a non-loopback address unless `Host` names were listed.
fn check_bind(addr: SocketAddr, service: &McpService) -> Result<(), Error> {
    if addr.ip().is_loopback() || !service.loopback_hosts_only() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "refusing to serve on {addr}: it is not a loopback address, so list the Host names \
         clients use with McpService::builder(..).allowed_hosts([..])"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_loopback_needs_an_allow_list() {
        let server = mcp_core::Server::builder("t", "1").build().unwrap();
        let default = McpService::new(server.clone());
        let listed = McpService::builder(server)
            .allowed_hosts(["mcp.example.com"])
            .build();
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let v6: SocketAddr = "[::]:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(matches!(
            check_bind(public, &default),
            Err(Error::Config(_))
        ));
        assert!(check_bind(v6, &default).is_err());
        assert!(check_bind(local, &default).is_ok());
        assert!(check_bind("[::1]:1".parse().unwrap(), &default).is_ok());
        assert!(check_bind(public, &listed).is_ok());
    }
}
