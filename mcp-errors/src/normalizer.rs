//! The [`ErrorNormalizer`] trait and the [`NormalizerChain`] that runs normalizers in
//! order.

use std::fmt;
use std::sync::Arc;

use http::Extensions;
use mcp_core::ToolError;

use crate::reauth::ErasedReauth;
use crate::text::Sanitizer;
use crate::{NormalizedError, ReauthHook, UpstreamResponse, builtin, finish};

/// Recognises one family of upstream failures.
///
/// Return `None` when the response is not an error of a shape this normalizer
/// knows (a success, or someone else's format); the chain then asks the next one.
/// The chain cleans the result afterwards (caps and redacts text, adds rate-limit
/// headers, request ids and default hints), so a normalizer only extracts.
///
/// A closure `Fn(&UpstreamResponse) -> Option<NormalizedError>` is a normalizer.
#[diagnostic::on_unimplemented(
    note = "implement `normalize(&self, &UpstreamResponse) -> Option<NormalizedError>`, or pass a closure of that shape"
)]
pub trait ErrorNormalizer: Send + Sync + 'static {
    /// The normalized error, or `None` if this response is not one this normalizer
    /// recognises as an error.
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError>;
}

impl<F> ErrorNormalizer for F
where
    F: Fn(&UpstreamResponse) -> Option<NormalizedError> + Send + Sync + 'static,
{
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        self(response)
    }
}

/// Normalizers in order: the first that recognises a response wins.
///
/// Build it once at start-up and share it (it is cheap to clone).
///
/// ```
/// use mcp_errors::{NormalizerChain, UpstreamResponse};
///
/// let chain = NormalizerChain::builtin();
/// let response = http::Response::builder()
///     .status(400)
///     .body(r#"[{"errorCode":"INVALID_TYPE","message":"sObject type 'Widget__c' is not supported."}]"#)
///     .unwrap();
/// let err = chain.normalize(&UpstreamResponse::from_http(response)).unwrap();
/// assert_eq!(err.provider.as_deref(), Some("Salesforce"));
/// assert_eq!(err.code.as_deref(), Some("INVALID_TYPE"));
/// assert_eq!(err.message, "sObject type 'Widget__c' is not supported.");
///
/// let ok = http::Response::builder().status(200).body(r#"{"ok":true}"#).unwrap();
/// assert!(chain.normalize(&UpstreamResponse::from_http(ok)).is_none());
/// ```
#[derive(Clone, Default)]
pub struct NormalizerChain {
    normalizers: Vec<Arc<dyn ErrorNormalizer>>,
    sanitizer: Sanitizer,
    reauth: Option<Arc<dyn ErasedReauth>>,
}

impl fmt::Debug for NormalizerChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NormalizerChain")
            .field("normalizers", &self.normalizers.len())
            .field("max_message_len", &self.sanitizer.max_len)
            .field("reauth_hook", &self.reauth.is_some())
            .finish()
    }
}

impl NormalizerChain {
    /// An empty chain (it still applies the generic fallback by status class, so an
    /// HTTP error never passes as a success).
    pub fn new() -> Self {
        Self::default()
    }

    /// Every built-in normalizer: Slack, OAuth 2.0, RFC 9457 problem+json, Stripe,
    /// Google APIs, Microsoft Graph, GitHub, HubSpot, Jira/Atlassian, Salesforce,
    /// GraphQL, generic JSON, HTML pages, plain text, empty bodies.
    pub fn builtin() -> Self {
        Self::new().with_builtins()
    }

    /// Appends a normalizer.
    #[must_use]
    pub fn with(mut self, normalizer: impl ErrorNormalizer) -> Self {
        self.normalizers.push(Arc::new(normalizer));
        self
    }

    /// Appends the built-in normalizers (see [`builtin`](Self::builtin)). Add your
    /// own normalizers and rule sets before them: the first match wins.
    #[must_use]
    pub fn with_builtins(mut self) -> Self {
        self.normalizers.extend(builtin::all());
        self
    }

    /// Caps every message and hint at `bytes` (default 8 KiB, at least 64).
    #[must_use]
    pub fn max_message_len(mut self, bytes: usize) -> Self {
        self.sanitizer.max_len = bytes.max(64);
        self
    }

    /// A secret that must never appear in a message (an API key the server uses for
    /// every call). Per-call secrets go on the response:
    /// [`UpstreamResponse::with_secret`].
    #[must_use]
    pub fn redact(mut self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        if secret.len() >= 8 {
            self.sanitizer.secrets.push(secret);
        }
        self
    }

    /// Runs `hook` from [`check`](Self::check) when an error needs
    /// re-authentication, with the account metadata of type `A` found in the request
    /// extensions.
    #[must_use]
    pub fn on_reauth<A: Clone + Send + Sync + 'static>(mut self, hook: ReauthHook<A>) -> Self {
        self.reauth = Some(Arc::new(hook));
        self
    }

    /// The normalized error, or `None` when the response is not an error.
    ///
    /// Asks each normalizer in order; an HTTP status of 400 or more that none
    /// recognises still yields an error from the generic fallback. The result is
    /// sanitized: text capped, secrets and internal host names redacted.
    ///
    /// A JSON body nested deeper than [`mcp_core::jsonrpc::MAX_JSON_DEPTH`] is an error
    /// (`upstream_response_too_deep`) whatever its status, found before any
    /// normalizer sees the body.
    pub fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        if response.too_deep() {
            let err = crate::limits::failure::too_deep(response.status());
            return Some(finish::finish(response, err, &self.sanitizer));
        }
        let found = self
            .normalizers
            .iter()
            .find_map(|n| n.normalize(response))
            .or_else(|| builtin::fallback(response))?;
        Some(finish::finish(response, found, &self.sanitizer))
    }

    /// Checks a response inside a tool: records the upstream status and error code
    /// on the current span, runs the re-authentication hook when needed (with the
    /// account from `extensions`, e.g. [`Context::extensions`](mcp_core::Context::extensions)),
    /// and turns an error into the [`ToolError`] the model sees.
    ///
    /// # Errors
    /// The tool error when the response is an upstream failure.
    pub async fn check(
        &self,
        response: &UpstreamResponse,
        extensions: &Extensions,
    ) -> Result<(), ToolError> {
        let normalized = self.normalize(response);
        crate::trace::record_upstream(response, normalized.as_ref());
        let Some(error) = normalized else {
            return Ok(());
        };
        if error.needs_reauth
            && let Some(hook) = &self.reauth
        {
            hook.run(&error, extensions).await;
        }
        Err(error.into_tool_error())
    }
}

impl ErrorNormalizer for NormalizerChain {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        NormalizerChain::normalize(self, response)
    }
}
