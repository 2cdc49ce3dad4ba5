//! [`serve`]: run an [`McpService`], an axum `Router` or any tower service of HTTP
//! requests on a TCP listener, hardened against clients that hold connections.

use std::any::Any;
use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use super::McpService;
use super::request_body::BoxError;
use crate::Error;

mod activity;
mod config;
mod conn;
mod conn_io;
mod peers;
mod proxies;
mod watched_body;

pub use config::{ProxyHeader, ServeConfig};

use activity::Deadlines;
use conn::Conns;
use peers::Peers;
use proxies::Proxies;

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Serves `service` on `listener`, HTTP/1.1 and HTTP/2, under the limits of a
/// [`ServeConfig`] (the defaults unless [`Serve::config`] sets one). Await the
/// returned [`Serve`] to run it; with [`Serve::with_graceful_shutdown`] it returns
/// once the signal completes and in-flight requests have finished (within
/// [`ServeConfig::shutdown_grace`]).
///
/// Each request carries the client's [`SocketAddr`] in its extensions (behind
/// [trusted proxies](ServeConfig::trusted_proxies), the client they name): the
/// key of quotas and of the failed-authentication throttle, and what logs and tools
/// see.
///
/// `service` is usually an [`McpService`]. Layers that answer before the body is
/// read (auth, quotas) go inside it with
/// [`Builder::outer_layer`](super::Builder::outer_layer), which keeps the `Host` and
/// `Origin` check first. Any other `tower::Service` of
/// `http::Request<hyper::body::Incoming>` gets the same connection limits: an axum
/// `Router` (with an `McpService` nested in it), or an `McpService` wrapped in
/// layers of your own.
///
/// ```no_run
/// use mcp_transport::http::{McpService, ServeConfig, serve};
/// # async fn run(server: mcp_core::Server) -> Result<(), mcp_transport::Error> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// serve(listener, McpService::new(server))
///     .config(ServeConfig::default().max_connections(4096))
///     .with_graceful_shutdown(async {
///         let _ = tokio::signal::ctrl_c().await;
///     })
///     .await
/// # }
/// ```
///
/// An axum app gets the same protections:
///
/// ```no_run
/// # async fn run(server: mcp_core::Server) -> Result<(), mcp_transport::Error> {
/// let mcp = mcp_transport::http::McpService::builder(server).any_path().build();
/// let app = axum::Router::new()
///     .route("/health", axum::routing::get(|| async { "ok" }))
///     .nest_service("/mcp", mcp);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// mcp_transport::http::serve(listener, app).await
/// # }
/// ```
///
/// # Errors
/// Refuses to start when `service` is an [`McpService`] with the default
/// loopback-only `Host` check and the listener is bound to a non-loopback address
/// (list the names clients use with
/// [`Builder::allowed_hosts`](super::Builder::allowed_hosts), or see
/// [`ServeConfig::allow_non_loopback`]), or when a trusted proxy entry does not
/// parse; fails when the listener's address cannot be read.
pub fn serve<S>(listener: TcpListener, service: S) -> Serve<S> {
    Serve {
        listener,
        service,
        config: ServeConfig::default(),
        signal: None,
    }
}

/// A server about to run: set its [`config`](Self::config) and
/// [shutdown signal](Self::with_graceful_shutdown), then `.await` it. Made by
/// [`serve`].
#[must_use = "a Serve does nothing until awaited"]
pub struct Serve<S> {
    listener: TcpListener,
    service: S,
    config: ServeConfig,
    signal: Option<Signal>,
}

impl<S> std::fmt::Debug for Serve<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S> Serve<S> {
    /// Replaces the connection limits (default: [`ServeConfig::default`]).
    pub fn config(mut self, config: ServeConfig) -> Self {
        self.config = config;
        self
    }

    /// Stops accepting when `signal` completes, lets in-flight requests finish within
    /// [`ServeConfig::shutdown_grace`], then returns. Without it, serving never ends.
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Some(Box::pin(signal));
        self
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    /// When the socket's address cannot be read.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl<S, B> IntoFuture for Serve<S>
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
    type Output = Result<(), Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let Serve {
                listener,
                service,
                config,
                signal,
            } = self;
            let addr = listener.local_addr()?;
            let proxies = Proxies::new(&config.trusted_proxies, config.proxy_header)?;
            match (&service as &dyn Any).downcast_ref::<McpService>() {
                Some(mcp) => {
                    check_bind(addr, mcp, &config)?;
                    // Called directly: no boxed future per request.
                    let mcp = mcp.clone();
                    let handler = move |request| {
                        let mcp = mcp.clone();
                        async move { Ok::<_, Infallible>(mcp.handle(request).await) }
                    };
                    accept(listener, &config, proxies, handler, signal).await
                }
                None => {
                    let handler = move |request| service.clone().oneshot(request);
                    accept(listener, &config, proxies, handler, signal).await
                }
            }
        })
    }
}

/// The accept loop: one task per connection under the global and per-client caps.
async fn accept<H, F, B, E>(
    listener: TcpListener,
    config: &ServeConfig,
    proxies: Proxies,
    handler: H,
    signal: Option<Signal>,
) -> Result<(), Error>
where
    H: Fn(http::Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Result<http::Response<B>, E>> + Send + 'static,
    E: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let conns = Arc::new(Conns {
        h1: http1_builder(config),
        h2: http2_builder(config),
        proxies,
        deadlines: Deadlines {
            header: config.header_read_timeout,
            idle: config.idle_timeout,
            write: config.write_timeout,
        },
    });
    let peers = Peers::new(config.max_connections_per_peer);
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut signal = signal.unwrap_or_else(|| Box::pin(std::future::pending()));
    loop {
        let accepted = tokio::select! {
            () = &mut signal => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = next(&listener, &permits) => accepted,
        };
        let (permit, stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // A trusted proxy carries many clients: its connections are not capped.
        let slot = if conns.proxies.trusts(peer.ip()) {
            None
        } else {
            match peers.admit(peer.ip()) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(%peer, "closing a connection over the per-client cap");
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let conns = Arc::clone(&conns);
        let handler = handler.clone();
        let stopped = stopped.clone();
        tasks.spawn(async move {
            conn::serve_one(conns, handler, stream, peer, stopped).await;
            drop((permit, slot));
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("shutdown grace period over; closing connections still open");
    }
    tasks.shutdown().await;
    Ok(())
}

/// The next connection, once a slot is free.
async fn next(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> io::Result<(OwnedSemaphorePermit, TcpStream, SocketAddr)> {
    let permit = Arc::clone(permits)
        .acquire_owned()
        .await
        .map_err(io::Error::other)?;
    let (stream, peer) = listener.accept().await?;
    Ok((permit, stream, peer))
}

fn http1_builder(config: &ServeConfig) -> http1::Builder {
    let mut h1 = http1::Builder::new();
    // Heads are timed by the connection's own deadlines, which also see the wait
    // between requests (hyper would time it as a head read).
    h1.header_read_timeout(None)
        .max_header_size(config.max_header_bytes);
    h1
}

fn http2_builder(config: &ServeConfig) -> http2::Builder<TokioExecutor> {
    let mut h2 = http2::Builder::new(TokioExecutor::new());
    h2.timer(TokioTimer::new())
        .keep_alive_interval(config.keep_alive_interval)
        .keep_alive_timeout(config.keep_alive_timeout)
        .max_header_list_size(u32::try_from(config.max_header_bytes).unwrap_or(u32::MAX));
    h2
}

/// Refuses a non-loopback address for an [`McpService`] that accepts only loopback
/// `Host` names, unless told to allow it.
fn check_bind(addr: SocketAddr, service: &McpService, config: &ServeConfig) -> Result<(), Error> {
    if addr.ip().is_loopback() || !service.loopback_hosts_only() || config.allow_non_loopback {
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
        let c = ServeConfig::default();
        assert!(matches!(
            check_bind(public, &default, &c),
            Err(Error::Config(_))
        ));
        assert!(check_bind(v6, &default, &c).is_err());
        assert!(check_bind(local, &default, &c).is_ok());
        assert!(check_bind("[::1]:1".parse().unwrap(), &default, &c).is_ok());
        assert!(check_bind(public, &listed, &c).is_ok());
        let allowed = ServeConfig::default().allow_non_loopback(true);
        assert!(check_bind(public, &default, &allowed).is_ok());
    }
}
