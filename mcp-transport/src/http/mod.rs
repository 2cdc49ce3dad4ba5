//! Stateless Streamable HTTP: [`McpService`], a tower service, and [`serve`].
//!
//! One endpoint (`POST /mcp` by default) answers both protocol eras without
//! server-side sessions: a request gets `200` with JSON, or an SSE stream when the tool
//! reports progress or logs, or runs longer than the keep-alive interval; a
//! notification gets `202`. Secure by default: only loopback `Host` names and `Origin`s
//! are accepted until others are listed, bodies are capped at 4 MiB, and
//! [`serve`] bounds what each connection may hold ([`ServeConfig`]: connection caps
//! overall and per client, header, idle and write timeouts).
//!
//! | condition | status |
//! |---|---|
//! | foreign `Host` or present, foreign `Origin` (`null` included) | `403` |
//! | refused by a layer of [`Builder::outer_layer`] (auth, quota), body unread | `401`, `429`, ... |
//! | other path | `404` |
//! | `GET`, `DELETE`, ... | `405`, `Allow: POST` |
//! | legacy: an `Mcp-Session-Id` this server did not issue, or expired | `404` |
//! | `Content-Type` not JSON | `415` |
//! | `Accept` without `application/json` | `406` |
//! | body over the cap / too slow | `413` / `408` |
//! | unparseable or invalid JSON-RPC, a client reply no call here waits for | `400` |
//! | modern, checked in this order: no `MCP-Protocol-Version` (-32020), `_meta` without version or client capabilities (-32602), header ≠ `_meta` version (-32020), version not served (-32022), `Mcp-Method`/`Mcp-Name` ≠ body (-32020) | `400` |
//! | modern `tools/call`: an `Mcp-Param-{Name}` header (for a parameter annotated `x-mcp-header`) missing, stray, not strict Base64 or ≠ the argument (-32020) | `400` |
//! | any era: an `Mcp-Method`, `Mcp-Name` or `Mcp-Param-{Name}` header that is sent but ≠ the body, repeated with another value, or not visible ASCII (nor strict Base64 where allowed); an `Mcp-Name` on a request that names nothing (-32020) | `400` |
//! | modern: unknown or removed method (-32601) | `404` |
//! | a tool hit a rate limit | `429` with `ratelimit-*` and `Retry-After` |
//!
//! # Layers, and where they run
//!
//! A request passes, in this order:
//!
//! 1. the `Host`/`Origin` check (`403`) and CORS preflights: always first, so a
//!    DNS-rebinding page never reaches authentication or the body;
//! 2. the layers of [`Builder::outer_layer`]: the place for `mcp_auth::AuthLayer`
//!    (`401`) and `mcp_errors::QuotaLayer` (`429`), which decide on headers alone.
//!    The body is not read yet ([`RequestBody`]); under [`serve`] the client's
//!    [`SocketAddr`](std::net::SocketAddr) is in the request extensions (a quota's
//!    per-client key);
//! 3. path, method, media types, then the body read under its size and time limits;
//! 4. the layers of [`Builder::layer`], which see the body ([`Body::as_bytes`]);
//! 5. the MCP dispatch, where tools see the headers (credentials removed:
//!    `Authorization`, `Cookie`, `Proxy-Authorization`, API-key headers) and extensions.
//!
//! This is the recommended composition. [`serve`] also runs any other tower service,
//! such as an `McpService` wrapped with `tower::ServiceBuilder` or an axum `Router`
//! with `.layer(..)`; layers placed around the `McpService` that way work too, but
//! run before its `Host`/`Origin` check.
//!
//! # Legacy clients and requests to them
//!
//! A legacy (`2025-11-25` and older) `tools/call`, `prompts/get` or `resources/read`
//! answers with an SSE stream when the client accepts one: the call's log
//! notifications (at `info` and above: a stateless server cannot remember
//! `logging/setLevel`), then the response. When the call asks the client for input
//! (sampling, elicitation), the request goes out on that stream and the client POSTs
//! its reply as a request of its own: `202` when a call on this instance was waiting
//! for it, `400` (JSON-RPC `-32600`, no id) when none is: the call already ended, the
//! id was never issued, or another instance issued it. The spec lets a server refuse
//! input it cannot accept with an error status, and a misrouted reply should be
//! visible rather than silently lost.
//!
//! With several instances behind a load balancer, the reply must reach the instance
//! that holds the call: every id it sends starts with
//! [`McpService::reply_id_prefix`], so a router that reads the body can route on it;
//! otherwise pin each client to one instance (sticky routing, e.g. on
//! `Mcp-Session-Id`). Modern clients need none of this: their multi round-trip
//! requests carry the answers in a retried request that any instance can serve.
//!
//! # Legacy sessions without server-side state
//!
//! A legacy `initialize` is answered with an `Mcp-Session-Id` that holds everything
//! a session needs here: `s1.<negotiated version>.<issue time>.<random>`, plus an
//! HMAC-SHA256 tag when [`Builder::session_key`] is set. Nothing is stored: any
//! instance checks an id by itself, so instances behind a round-robin balancer
//! agree without sharing anything but (optionally) the key. Later requests may carry
//! the id or not; one that carries an id this server did not issue (malformed, signed
//! with another key, older than [`Builder::session_max_age`]) gets `404`, and the
//! client starts over with `initialize`, as the 2025-11-25 transport prescribes. A
//! request without `MCP-Protocol-Version` uses the version its session negotiated.
//! Sessions cannot be ended one by one (that would need a shared revocation list):
//! `DELETE` gets `405`, which the spec allows; rotating the key ends them all.
//! Modern requests ignore the header and never get one.
//!
//! The id is issued because clients and gateways expect one (sticky routing needs
//! a key, and the conformance suite's multi-stream checks need a session), not
//! because the server needs it: without a key anyone can mint an id, which is
//! harmless since no state and no authority hang on it.
//!
//! Legacy SSE responses open with a priming event (an event id and a `retry:`
//! delay, empty data). Streams are not resumable: the response always arrives on
//! the stream that asked for it, and a `GET` with `Last-Event-ID` gets `405`.
//!
//! ```no_run
//! use mcp_transport::http::{McpService, serve};
//! # async fn run(server: mcp_core::Server) -> Result<(), mcp_transport::Error> {
//! let service = McpService::builder(server).build();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, service).await
//! # }
//! ```

mod body;
mod config;
mod cors;
mod dispatch;
mod error;
mod guard;
mod handler;
mod media;
mod mirror;
mod param_headers;
mod request_body;
mod respond;
mod run;
mod serve;
mod service;
mod session;
mod sse;
mod tool_headers;

pub use body::Body;
pub use config::Builder;
pub use error::Error;
pub use handler::Handler;
pub use request_body::RequestBody;
pub use serve::{ProxyHeader, Serve, ServeConfig, serve};
pub use service::{Endpoint, McpService};
