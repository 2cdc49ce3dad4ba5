//! [`NormalizedError`]: one shape for every upstream failure.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use mcp_core::{RateLimit, ToolError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The wait assumed for an upstream `429` that says nothing about when to retry
/// (the seed's agent loop falls back to 60 s as well).
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

/// An upstream failure in one shape, whatever the provider answered.
///
/// `status` is the effective status: Slack's `200` with `"ok": false` becomes `400`,
/// GitHub's `403` with `x-ratelimit-remaining: 0` becomes `429`. A `429` is a rate
/// limit, which [`into_tool_error`](Self::into_tool_error) passes through as
/// [`ToolError::rate_limited`].
///
/// ```
/// use mcp_errors::NormalizedError;
/// let err = NormalizedError::new(404, "No such record.")
///     .with_provider("Acme")
///     .with_code("not_found");
/// let result = err.into_tool_error().into_result();
/// assert!(result.text().starts_with("Acme error (HTTP 404, not_found): No such record."));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct NormalizedError {
    /// The effective HTTP status (always 400–599).
    pub status: u16,
    /// The status the upstream actually answered with.
    pub upstream_status: u16,
    /// Who answered (`"Slack"`), when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider: Option<String>,
    /// The provider's error code (`"channel_not_found"`), when it gave one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// A short message the model can act on (sanitized, capped).
    pub message: String,
    /// What the model could do about it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hint: Option<String>,
    /// How long to wait before retrying, when the upstream said so.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        with = "secs",
        rename = "retryAfter"
    )]
    pub retry_after: Option<Duration>,
    /// The upstream's request quota per window, when a rate limit reported it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit: Option<u64>,
    /// Requests left in the window, when a rate limit reported it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remaining: Option<u64>,
    /// The stored credentials were rejected: the account must be reconnected.
    #[serde(default)]
    pub needs_reauth: bool,
    /// Provider metadata worth keeping: request id, documentation link, ...
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub metadata: BTreeMap<String, String>,
}

impl NormalizedError {
    /// An error with this effective status and message.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            upstream_status: status,
            provider: None,
            code: None,
            message: message.into(),
            hint: None,
            retry_after: None,
            limit: None,
            remaining: None,
            needs_reauth: false,
            metadata: BTreeMap::new(),
        }
    }

    /// Sets the status the upstream actually answered with.
    #[must_use]
    pub fn with_upstream_status(mut self, status: u16) -> Self {
        self.upstream_status = status;
        self
    }

    /// Sets the provider's name.
    #[must_use]
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Sets the provider's error code.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the wait before a retry.
    #[must_use]
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// Marks the credentials as rejected.
    #[must_use]
    pub fn with_needs_reauth(mut self, needs_reauth: bool) -> Self {
        self.needs_reauth = needs_reauth;
        self
    }

    /// Adds a metadata entry (request id, documentation link).
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Whether this is a rate limit (effective status `429`).
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429
    }

    /// The rate limit to pass through, when this is one.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.is_rate_limited().then(|| RateLimit {
            limit: self.limit,
            remaining: self.remaining,
            reset: self.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            source: "upstream",
        })
    }

    /// The machine-readable form sent as `structuredContent`: `{"error": {...}}`.
    pub fn to_structured(&self) -> Value {
        json!({ "error": self })
    }

    /// The tool error the model sees: an `isError: true` result with this message and
    /// hint as text and [`to_structured`](Self::to_structured) as `structuredContent`;
    /// a rate limit becomes [`ToolError::rate_limited`], which the server passes
    /// through as HTTP `429` / JSON-RPC `-32010` unless it was built with
    /// `rate_limits_as_tool_results(true)`.
    pub fn into_tool_error(self) -> ToolError {
        if let Some(limit) = self.rate_limit() {
            let mut structured = limit.to_data();
            if let Some(map) = structured.as_object_mut() {
                map.insert("error".to_owned(), json!(self));
            }
            return ToolError::rate_limited(limit).with_structured(structured);
        }
        let structured = self.to_structured();
        let text = self.to_string();
        let error = ToolError::new(text).with_structured(structured);
        match self.hint {
            Some(hint) => error.with_hint(hint),
            None => error,
        }
    }
}

impl fmt::Display for NormalizedError {
    /// `Slack error (HTTP 400, channel_not_found): The channel was not found.`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = self.provider.as_deref().unwrap_or("Upstream API");
        write!(f, "{who} error (HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, ", {code}")?;
        }
        write!(f, "): {}", self.message)
    }
}

impl From<NormalizedError> for ToolError {
    fn from(error: NormalizedError) -> Self {
        error.into_tool_error()
    }
}

/// `Option<Duration>` as whole seconds, rounded up.
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(d.as_secs() + u64::from(d.subsec_nanos() > 0)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}
