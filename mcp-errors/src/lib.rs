//! Turn any third-party API failure into a tool error a model can act on, pass
//! upstream rate limits through to the caller, and limit callers locally.
//!
//! Upstream APIs fail in many shapes: Slack answers `200` with `{"ok": false}`,
//! Salesforce `400` with an array, OAuth servers `{"error": "invalid_grant"}`,
//! legacy systems `500` with an HTML stack trace. A tool that passes these through
//! raw makes the model believe a failed call succeeded. This crate:
//!
//! - reads an [`UpstreamResponse`] into one [`NormalizedError`] through a
//!   [`NormalizerChain`] of [`ErrorNormalizer`]s: built-ins for Slack, Salesforce,
//!   OAuth 2.0, Google, Microsoft Graph, Stripe, GitHub, HubSpot, Jira/Atlassian,
//!   RFC 9457 problem+json, GraphQL, HTML pages, plain text and empty bodies, and
//!   [`RuleSet`]s of jq expressions for the rest;
//! - reads upstream answers under [`UpstreamLimits`] (1 MiB, 30 s by default), so
//!   an answer too large, too slow or never coming is an error the model can act
//!   on rather than a stuck or swollen server;
//! - cleans what the model sees: text capped (8 KiB), secrets and internal host
//!   names redacted, HTML reduced to its title, stack traces dropped;
//! - turns the error into an `isError: true` tool result, or, for an upstream `429`,
//!   a rate limit the HTTP transport passes through as `429` with `ratelimit-*`
//!   headers ([`RateLimitInfo`] reads every common rate-limit header);
//! - runs a [`ReauthHook`] when the upstream rejects the stored credentials;
//! - limits callers locally with [`QuotaLayer`] (governor), answering with the same
//!   `429` and headers.
//!
//! ```
//! use mcp_core::{Context, Server, Tool, ToolError};
//! use mcp_core::transport::Envelope;
//! use mcp_errors::{NormalizerChain, UpstreamResponse};
//! use serde::Deserialize;
//!
//! /// Post a message to a Slack channel.
//! #[derive(Deserialize, mcp_core::JsonSchema, Tool)]
//! struct PostMessage { channel: String }
//!
//! async fn post_message(args: PostMessage, cx: Context<NormalizerChain>) -> Result<String, ToolError> {
//!     // A real tool calls Slack here; this is what Slack answers for a bad channel.
//!     let reply = http::Response::builder()
//!         .status(200)
//!         .body(r#"{"ok":false,"error":"channel_not_found"}"#)
//!         .unwrap();
//!     let upstream = UpstreamResponse::from_http(reply).with_provider("Slack");
//!     cx.state().check(&upstream, cx.extensions()).await?;
//!     Ok(format!("posted to {}", args.channel))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::builder("slack", "1.0.0")
//!     .state(NormalizerChain::builtin())
//!     .tool(post_message)
//!     .build()?;
//! let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"post_message","arguments":{"channel":"C1"}}}"#;
//! let response = server.handle_message(call, Envelope::new()).await.unwrap();
//! let json: serde_json::Value = serde_json::from_slice(&response.encode())?;
//! assert_eq!(json["result"]["isError"], true);
//! assert_eq!(json["result"]["structuredContent"]["error"]["status"], 400);
//! assert!(json["result"]["content"][0]["text"].as_str().unwrap().contains("channel_not_found"));
//! # Ok(())
//! # }
//! ```

mod builtin;
mod error;
mod finish;
mod limits;
mod normalized;
mod normalizer;
mod quota;
mod ratelimit;
mod reauth;
mod response;
mod rules;
mod text;
mod trace;

pub use error::Error;
pub use limits::UpstreamLimits;
pub use normalized::{DEFAULT_RETRY_AFTER, NormalizedError};
pub use normalizer::{ErrorNormalizer, NormalizerChain};
pub use quota::{LocalQuota, ManualClock, QuotaFuture, QuotaKey, QuotaLayer, QuotaService};
pub use ratelimit::{MAX_WAIT, RateLimitInfo, parse_retry_after};
pub use reauth::{ReauthEvent, ReauthHook};
pub use response::UpstreamResponse;
pub use rules::RuleSet;
pub use trace::{UPSTREAM_CODE_FIELD, UPSTREAM_STATUS_FIELD, record_upstream};
