//! A small typed MCP client over HTTP or a stdio child process, for tests, examples
//! and agents.
//!
//! It speaks either era: modern (`2026-07-28`, the default: every request carries
//! its `_meta` and the mirrored headers) or a legacy version (an `initialize`
//! handshake first). Tool failures (`isError: true`) come back as data in
//! [`CallToolResult`]; only transport and protocol failures are [`Error`]s.
//!
//! Over HTTP, `429 Too Many Requests` is retried when sending the request again is
//! safe: any request but `tools/call`; a `tools/call` of a tool that
//! [`list_tools`](Client::list_tools) showed as read-only or idempotent; and any
//! `tools/call` the server's own limiter refused before the tool ran (its body's
//! `error.data.rateLimit.source` is `"local"`, as for `mcp-errors`' quota and
//! `mcp-auth`'s failed-authentication throttle). An upstream `429` that a tool
//! passed through, perhaps after its side effects, is not resent: the call fails
//! at once with [`Error::RateLimited`] and the caller decides. The wait is the
//! server's `ratelimit-reset` or `Retry-After` (seconds or an HTTP date) as a
//! floor plus jitter, or exponential backoff when neither is sent, for a bounded
//! number of retries; [`Error::RateLimited`] then says how long it waited.
//!
//! ```no_run
//! use mcp_transport::client::Client;
//! # async fn run() -> Result<(), mcp_transport::Error> {
//! let client = Client::builder().http("http://127.0.0.1:8080/mcp").await?;
//! let tools = client.list_tools().await?;
//! let result = client
//!     .call_tool("add", serde_json::json!({"a": 2, "b": 3}))
//!     .await?;
//! println!("{} tools; add says {}", tools.len(), result.text());
//! # Ok(())
//! # }
//! ```

mod http;
mod retry;
mod stdio;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use mcp_core::CallToolResult;
use mcp_core::jsonrpc::ErrorObject;
use mcp_core::wire::{ProtocolVersion, ToolDefinition};
use serde_json::{Value, json};
use tokio::process::Command;

use self::http::{Headers, HttpTransport};
use self::retry::{Resend, RetryPolicy};
use self::stdio::StdioTransport;
use crate::Error;

/// Pages of `tools/list` followed at most.
const MAX_PAGES: usize = 1000;

/// A connected MCP client. Cheap to share by reference; requests may run concurrently.
pub struct Client {
    transport: Transport,
    version: ProtocolVersion,
    info: Value,
    next_id: AtomicI64,
    /// Tools `list_tools` showed, and whether calling one twice is harmless
    /// (read-only or idempotent).
    repeatable: Mutex<HashMap<String, bool>>,
}

enum Transport {
    Http(HttpTransport),
    Stdio(StdioTransport),
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Http(_) => "http",
            Transport::Stdio(_) => "stdio",
        };
        f.debug_struct("Client")
            .field("transport", &kind)
            .field("version", &self.version)
            .finish()
    }
}

/// Configures a [`Client`]; finish with [`http`](Self::http) or [`stdio`](Self::stdio).
#[derive(Debug, Clone)]
#[must_use]
pub struct Builder {
    version: ProtocolVersion,
    name: String,
    client_version: String,
    retry: RetryPolicy,
    timeout: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            version: ProtocolVersion::LATEST,
            name: "mcp-transport-client".to_owned(),
            client_version: env!("CARGO_PKG_VERSION").to_owned(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(300),
        }
    }
}

impl Builder {
    /// The protocol version to speak (default `2026-07-28`); a legacy version makes
    /// the client start with `initialize`.
    pub fn protocol_version(mut self, version: ProtocolVersion) -> Self {
        self.version = version;
        self
    }

    /// The `clientInfo` sent to the server.
    pub fn client_info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.name = name.into();
        self.client_version = version.into();
        self
    }

    /// Retries after a `429` (default 5); `0` reports the first `429` at once.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The first backoff when a `429` names no wait (default 2 s); it doubles per retry.
    pub fn backoff(mut self, first: Duration) -> Self {
        self.retry.backoff = first;
        self
    }

    /// The longest single wait (default 120 s). A server asking for longer gets no
    /// retry: the call fails with [`Error::RateLimited`] carrying the asked wait.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.retry.max_wait = wait;
        self
    }

    /// Time allowed for one exchange (default 300 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects to a Streamable HTTP endpoint (`http://host:port/path`).
    ///
    /// # Errors
    /// An invalid URL, or a failed `initialize` for a legacy version.
    pub async fn http(self, url: &str) -> Result<Client, Error> {
        let transport = HttpTransport::new(url, self.retry.clone(), self.timeout)?;
        self.start(Transport::Http(transport)).await
    }

    /// Starts `command` as a child process and speaks to it on stdin/stdout. The
    /// child is killed when the client is dropped.
    ///
    /// # Errors
    /// The process cannot be started, or a legacy `initialize` fails.
    pub async fn stdio(self, command: Command) -> Result<Client, Error> {
        let transport = StdioTransport::spawn(command, self.timeout)?;
        self.start(Transport::Stdio(transport)).await
    }

    async fn start(self, transport: Transport) -> Result<Client, Error> {
        let mut client = Client {
            transport,
            version: self.version,
            info: json!({ "name": self.name, "version": self.client_version }),
            next_id: AtomicI64::new(1),
            repeatable: Mutex::new(HashMap::new()),
        };
        if !client.version.is_modern() {
            let params = json!({
                "protocolVersion": client.version.as_str(),
                "capabilities": {},
                "clientInfo": client.info,
            });
            let result = client.request("initialize", params).await?;
            let agreed = result
                .get("protocolVersion")
                .and_then(Value::as_str)
                .and_then(ProtocolVersion::parse)
                .filter(|v| !v.is_modern())
                .ok_or_else(|| {
                    Error::Protocol(format!("initialize agreed on no legacy version: {result}"))
                })?;
            client.version = agreed;
            client.notify("notifications/initialized").await?;
        }
        Ok(client)
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The protocol version in use (for legacy, the one `initialize` agreed on).
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// Every tool the server lists, following `nextCursor`.
    ///
    /// # Errors
    /// Transport, protocol and JSON-RPC failures.
    pub async fn list_tools(&self) -> Result<Vec<ToolDefinition>, Error> {
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = match &cursor {
                Some(c) => json!({ "cursor": c }),
                None => json!({}),
            };
            let mut result = self.request("tools/list", params).await?;
            let page: Vec<ToolDefinition> = serde_json::from_value(result["tools"].take())
                .map_err(|e| Error::Protocol(format!("bad tools/list result: {e}")))?;
            self.remember(&page);
            tools.extend(page);
            match result.get("nextCursor").and_then(Value::as_str) {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(tools),
            }
        }
        Err(Error::Protocol(format!(
            "tools/list went past {MAX_PAGES} pages"
        )))
    }

    /// Notes which tools may be called twice without harm.
    fn remember(&self, tools: &[ToolDefinition]) {
        if let Ok(mut known) = self.repeatable.lock() {
            for tool in tools {
                let hints = tool.annotations.as_ref();
                let repeatable = hints.is_some_and(|a| {
                    a.read_only_hint == Some(true) || a.idempotent_hint == Some(true)
                });
                known.insert(tool.name.clone(), repeatable);
            }
        }
    }

    /// Whether `method` (on tool `name`) may be sent again after a `429`.
    fn resend(&self, method: &str, name: Option<&str>) -> Resend {
        if method != "tools/call" {
            return Resend::Safe;
        }
        let repeatable = name.is_some_and(|name| {
            self.repeatable
                .lock()
                .is_ok_and(|known| known.get(name) == Some(&true))
        });
        if repeatable {
            Resend::Safe
        } else {
            Resend::IfRefusedBeforeRunning
        }
    }

    /// Calls a tool. A result with `isError: true` is returned as `Ok`: it is for the
    /// model to read. After a `429` the call is sent again only when that is safe
    /// (see the [module docs](self)).
    ///
    /// # Errors
    /// Transport, protocol and JSON-RPC failures (unknown tool, ...), and
    /// [`Error::RateLimited`] once `429` retries are exhausted.
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, Error> {
        let params = json!({ "name": name, "arguments": arguments });
        let result = self.request("tools/call", params).await?;
        serde_json::from_value(result)
            .map_err(|e| Error::Protocol(format!("bad tools/call result: {e}")))
    }

    /// Sends any request and returns its `result`. `params` must be an object (or
    /// `null`); modern requests get their `_meta` added.
    ///
    /// # Errors
    /// Transport and protocol failures, and the server's JSON-RPC error as
    /// [`Error::Rpc`].
    pub async fn request(&self, method: &str, mut params: Value) -> Result<Value, Error> {
        if params.is_null() {
            params = json!({});
        }
        let modern = self.version.is_modern();
        if modern {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": self.version.as_str(),
                "io.modelcontextprotocol/clientInfo": self.info,
                "io.modelcontextprotocol/clientCapabilities": {},
            });
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let resend = self.resend(method, name.as_deref());
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let headers = Headers {
            // `initialize` goes without: the version is not agreed yet.
            version: (method != "initialize").then_some(self.version.as_str()),
            method: modern.then(|| method.to_owned()),
            name: if modern && method == "tools/call" {
                name
            } else {
                None
            },
        };
        let mut response = self
            .send(encode(&message)?, &headers, Some(id), resend)
            .await?
            .ok_or_else(|| Error::Protocol("no response".into()))?;
        if let Some(error) = response.get_mut("error") {
            let error: ErrorObject = serde_json::from_value(error.take())
                .map_err(|e| Error::Protocol(format!("bad error object: {e}")))?;
            return Err(Error::Rpc(error));
        }
        Ok(response["result"].take())
    }

    async fn notify(&self, method: &str) -> Result<(), Error> {
        let message = json!({ "jsonrpc": "2.0", "method": method });
        let headers = Headers {
            version: Some(self.version.as_str()),
            ..Headers::default()
        };
        self.send(encode(&message)?, &headers, None, Resend::Safe)
            .await
            .map(drop)
    }

    async fn send(
        &self,
        body: Bytes,
        headers: &Headers,
        id: Option<i64>,
        resend: Resend,
    ) -> Result<Option<Value>, Error> {
        match &self.transport {
            Transport::Http(t) => t.send(body, headers, id, resend).await,
            Transport::Stdio(t) => t.send(body, id).await,
        }
    }
}

fn encode(message: &Value) -> Result<Bytes, Error> {
    serde_json::to_vec(message)
        .map(Bytes::from)
        .map_err(|e| Error::Protocol(e.to_string()))
}
