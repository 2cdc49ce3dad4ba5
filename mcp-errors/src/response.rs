//! [`UpstreamResponse`]: what a tool got back from a third-party API.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::Value;

/// Bodies larger than this are never parsed as JSON (they are treated as text).
const MAX_JSON_BODY: usize = 1 << 20;

/// A response from a third-party API: status, headers and body bytes, plus what the
/// tool knows about the call (the provider's name, secrets it sent that must never
/// be echoed back).
///
/// ```
/// use mcp_errors::UpstreamResponse;
/// let response = http::Response::builder()
///     .status(200)
///     .body(r#"{"ok":false,"error":"channel_not_found"}"#)
///     .unwrap();
/// let upstream = UpstreamResponse::from_http(response).with_provider("Slack");
/// assert_eq!(upstream.status(), 200);
/// assert_eq!(upstream.json().unwrap()["error"], "channel_not_found");
/// ```
#[derive(Clone, Debug)]
pub struct UpstreamResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    provider: Option<String>,
    secrets: Vec<String>,
    received_at: Option<SystemTime>,
    json: OnceLock<Option<Value>>,
}

impl UpstreamResponse {
    /// A response with this status, headers and body.
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers,
            body: body.into(),
            provider: None,
            secrets: Vec::new(),
            received_at: None,
            json: OnceLock::new(),
        }
    }

    /// Takes an `http::Response` whose body is already in memory.
    pub fn from_http<B: Into<Bytes>>(response: http::Response<B>) -> Self {
        let (parts, body) = response.into_parts();
        Self::new(parts.status, parts.headers, body)
    }

    /// Reads a `reqwest` response to the end, under the default
    /// [`UpstreamLimits`](crate::UpstreamLimits) (1 MiB, 30 s for the body). Prefer
    /// [`UpstreamLimits::read_reqwest`](crate::UpstreamLimits::read_reqwest), which
    /// also bounds the wait for the answer and reports an error the model can read.
    ///
    /// # Errors
    /// [`Error::Read`](crate::Error::Read) when the body cannot be read, is larger
    /// than 1 MiB or takes longer than 30 s.
    #[cfg(feature = "reqwest")]
    pub async fn from_reqwest(response: reqwest::Response) -> Result<Self, crate::Error> {
        crate::UpstreamLimits::default()
            .read_reqwest(std::future::ready(Ok(response)))
            .await
            .map_err(|e| crate::Error::Read(e.message))
    }

    /// Names the provider (e.g. `"Slack"`), used in messages such as
    /// "reconnect Slack"; it takes precedence over the name a normalizer detects.
    #[must_use]
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// A secret the tool sent (an access token, an API key): if the upstream echoes
    /// it back, it is redacted from every message. Values shorter than 8 bytes are
    /// ignored.
    #[must_use]
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        if secret.len() >= 8 {
            self.secrets.push(secret);
        }
        self
    }

    /// When the response was received, for converting HTTP dates in rate-limit
    /// headers when the response has no `Date` header (default: now).
    #[must_use]
    pub fn with_received_at(mut self, at: SystemTime) -> Self {
        self.received_at = Some(at);
        self
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The provider named with [`with_provider`](Self::with_provider).
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The secrets given with [`with_secret`](Self::with_secret).
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// The time given with [`with_received_at`](Self::with_received_at).
    pub fn received_at(&self) -> Option<SystemTime> {
        self.received_at
    }

    /// A header's value as text, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The media type without parameters, lowercased (`application/problem+json`).
    pub fn content_type(&self) -> Option<String> {
        let value = self.header("content-type")?;
        let essence = value.split(';').next().unwrap_or_default().trim();
        Some(essence.to_ascii_lowercase())
    }

    /// The body as text; invalid UTF-8 is replaced with `U+FFFD`.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Whether the body looks like JSON and nests deeper than
    /// [`mcp_core::jsonrpc::MAX_JSON_DEPTH`]: no parser is given it.
    pub(crate) fn too_deep(&self) -> bool {
        let first = self.body.iter().find(|b| !b.is_ascii_whitespace());
        matches!(first, Some(b'{' | b'['))
            && mcp_core::jsonrpc::nesting_exceeds(&self.body, mcp_core::jsonrpc::MAX_JSON_DEPTH)
    }

    /// The body parsed as JSON, when it is a JSON object or array (of at most 1 MiB).
    /// Parsed once and cached.
    pub fn json(&self) -> Option<&Value> {
        self.json
            .get_or_init(|| {
                let start = self.body.iter().position(|b| !b.is_ascii_whitespace())?;
                if !matches!(self.body[start], b'{' | b'[') || self.body.len() > MAX_JSON_BODY {
                    return None;
                }
                serde_json::from_slice(&self.body).ok()
            })
            .as_ref()
    }
}
