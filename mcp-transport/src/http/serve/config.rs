//! [`ServeConfig`]: every connection-level limit of [`serve`](super::serve), in one
//! place.

use std::time::Duration;

/// How [`serve`](super::serve) treats connections: caps, timeouts and where the
/// client's address comes from. Every default is the safe one; each setter says its
/// default.
///
/// ```
/// use std::time::Duration;
/// use mcp_transport::http::ServeConfig;
/// let config = ServeConfig::default()
///     .max_connections(4096)
///     .header_read_timeout(Duration::from_secs(5))
///     .trusted_proxies(["10.0.0.0/8"]);
/// # let _ = config;
/// ```
///
/// What a connection may cost, and when it is closed:
///
/// | limit | default | when it is reached |
/// |---|---|---|
/// | [`max_connections`](Self::max_connections) | 1024 | accepting pauses (new clients wait in the listen backlog) |
/// | [`max_connections_per_peer`](Self::max_connections_per_peer) | 256 | a further connection from that client is closed at once |
/// | [`header_read_timeout`](Self::header_read_timeout) | 10 s | no complete request head since the connection opened (HTTP/1 and HTTP/2), or since the next head began (HTTP/1): closed |
/// | [`idle_timeout`](Self::idle_timeout) | 60 s | no request in flight for that long: closed (HTTP/2: `GOAWAY`) |
/// | [`keep_alive_interval`](Self::keep_alive_interval), [`keep_alive_timeout`](Self::keep_alive_timeout) | 20 s, 20 s | HTTP/2: a ping unanswered: closed |
/// | [`write_timeout`](Self::write_timeout) | 30 s | the client takes no response bytes for that long (it stopped reading a response or an SSE stream): closed |
/// | [`max_header_bytes`](Self::max_header_bytes) | 64 KiB | `431` (HTTP/1), the stream refused (HTTP/2) |
/// | [`shutdown_grace`](Self::shutdown_grace) | 10 s | after the shutdown signal: connections still open are closed |
#[derive(Clone, Debug)]
#[must_use]
pub struct ServeConfig {
    pub(crate) max_connections: usize,
    pub(crate) max_connections_per_peer: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) keep_alive_interval: Duration,
    pub(crate) keep_alive_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) max_header_bytes: usize,
    pub(crate) shutdown_grace: Duration,
    pub(crate) trusted_proxies: Vec<String>,
    pub(crate) proxy_header: ProxyHeader,
    pub(crate) allow_non_loopback: bool,
}

/// The header a trusted proxy writes the client's address into (see
/// [`ServeConfig::trusted_proxies`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, ...`, appended to by each proxy (nginx's
    /// `$proxy_add_x_forwarded_for`, HAProxy, most cloud load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client;proto=https, for=proxy1`.
    Forwarded,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_connections_per_peer: 256,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            keep_alive_interval: Duration::from_secs(20),
            keep_alive_timeout: Duration::from_secs(20),
            write_timeout: Duration::from_secs(30),
            max_header_bytes: 64 * 1024,
            shutdown_grace: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
            proxy_header: ProxyHeader::XForwardedFor,
            allow_non_loopback: false,
        }
    }
}

impl ServeConfig {
    /// Connections held open at once (default 1024). At the cap, accepting pauses
    /// until one closes; the timeouts below make sure one does.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        self
    }

    /// Connections one client may hold open at once (default 256), so that one
    /// client cannot take every slot. Clients are told apart by
    /// [`mcp_core::transport::client_key`] of the TCP peer's address (an IPv4 address, or an
    /// IPv6 `/64`).
    ///
    /// Connections from a [trusted proxy](Self::trusted_proxies) are not counted:
    /// when a connection is accepted, only the proxy's address is known, and it
    /// carries every client behind it. For them the client's own address (from the
    /// forwarding header) is what requests carry, so per-client budgets that run per
    /// request (failed-authentication throttle, quota) still apply; cap connections
    /// per client at the proxy.
    pub fn max_connections_per_peer(mut self, max: usize) -> Self {
        self.max_connections_per_peer = max.max(1);
        self
    }

    /// Time a connection has from being accepted to sending a complete request
    /// head (default 10 s); on HTTP/1, also the time from the first byte of each
    /// later request to its last header. A client that sends nothing, part of a
    /// head, or (HTTP/2) only the connection preface and settings, is closed then.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Time a kept-alive connection may stay open with no request in flight
    /// (default 60 s), for HTTP/1 and HTTP/2 alike.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// HTTP/2: interval of the pings that check the client is still there (default
    /// 20 s).
    pub fn keep_alive_interval(mut self, interval: Duration) -> Self {
        self.keep_alive_interval = interval;
        self
    }

    /// HTTP/2: time allowed for a ping's answer before the connection is closed
    /// (default 20 s).
    pub fn keep_alive_timeout(mut self, timeout: Duration) -> Self {
        self.keep_alive_timeout = timeout;
        self
    }

    /// Time the client may leave response bytes untaken (default 30 s): a socket
    /// write that cannot proceed, or (HTTP/2) a response chunk that waits for flow
    /// control window. A client that stops reading a response or an SSE stream loses
    /// its connection then. The deadline restarts at each bit of progress, so slow
    /// readers of large responses are served.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Largest request head, request line and headers together (default 64 KiB, at
    /// least 8 KiB): `431` beyond it on HTTP/1; on HTTP/2 the header list limit.
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes.max(8192);
        self
    }

    /// Time in-flight requests get to finish after the shutdown signal (default
    /// 10 s); connections still open then are closed.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Reverse proxies (addresses or CIDR blocks: `"10.0.0.7"`, `"10.0.0.0/8"`,
    /// `"fd00::/8"`) whose forwarding header is believed (default: none, and the
    /// header is ignored). For a request whose TCP peer is one of them, the client
    /// is the rightmost address of the [header](Self::proxy_header) that is not a
    /// trusted proxy, and that address replaces the peer's
    /// [`SocketAddr`](std::net::SocketAddr) in the request's extensions (port `0`
    /// unless the header gives one): the failed-authentication throttle, quotas,
    /// logs and tools all see the client. A request without a usable header keeps
    /// the proxy's address. Requests from anyone else keep their TCP peer, whatever
    /// they send. An entry that is neither an address nor a CIDR block makes
    /// [`serve`](super::serve) fail at start.
    pub fn trusted_proxies<I: IntoIterator<Item = T>, T: Into<String>>(mut self, list: I) -> Self {
        self.trusted_proxies = list.into_iter().map(Into::into).collect();
        self
    }

    /// Which header trusted proxies set (default `X-Forwarded-For`). Only one is
    /// read: a proxy that appends to one usually passes the other on from the
    /// client untouched.
    pub fn proxy_header(mut self, header: ProxyHeader) -> Self {
        self.proxy_header = header;
        self
    }

    /// Serves an [`McpService`](super::super::McpService) whose `Host` check is
    /// loopback-only on a non-loopback address (default: refused, since remote
    /// clients would get `403`; list the names they use with
    /// [`Builder::allowed_hosts`](super::super::Builder::allowed_hosts) instead). For
    /// a container whose published port is reached as `localhost`.
    pub fn allow_non_loopback(mut self, allow: bool) -> Self {
        self.allow_non_loopback = allow;
        self
    }
}
