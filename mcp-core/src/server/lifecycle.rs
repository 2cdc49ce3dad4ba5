//! `initialize`, `ping` and `server/discover`.

use serde::Serialize;
use serde_json::Value;

use super::Inner;
use super::call::InitializeParams;
use super::respond::Reply;
use crate::jsonrpc::Response;
use crate::wire::ServerCapabilities;
use crate::wire::{Implementation, ProtocolVersion};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitializeResult<'a> {
    protocol_version: &'static str,
    capabilities: &'a ServerCapabilities,
    server_info: &'a Implementation,
    #[serde(skip_serializing_if = "Option::is_none")]
    instructions: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiscoverResult<'a> {
    supported_versions: [&'static str; 5],
    capabilities: &'a ServerCapabilities,
    #[serde(skip_serializing_if = "Option::is_none")]
    instructions: Option<&'a str>,
}

impl Inner {
    pub(crate) fn initialize(&self, reply: Reply<'_>, params: &InitializeParams) -> Response {
        if let Some(client) = &params.client_info {
            tracing::debug!(client = %client.name, version = %client.version, "initialize");
        }
        let version = ProtocolVersion::negotiate_legacy(&params.protocol_version);
        let reply = Reply { version, ..reply };
        reply.complete(&InitializeResult {
            protocol_version: version.as_str(),
            capabilities: &self.legacy_capabilities,
            server_info: &self.info,
            instructions: self.instructions.as_deref(),
        })
    }

    pub(crate) fn ping(reply: Reply<'_>) -> Response {
        reply.complete(&Value::Object(serde_json::Map::new()))
    }

    pub(crate) fn discover(&self, reply: Reply<'_>) -> Response {
        let result = DiscoverResult {
            supported_versions: ProtocolVersion::supported_strs(),
            capabilities: &self.modern_capabilities,
            instructions: self.instructions.as_deref(),
        };
        // Discovery is modern-only; answer it in modern shape even when a client
        // probes without `_meta`.
        let reply = Reply {
            version: ProtocolVersion::LATEST,
            private: false,
            ..reply
        };
        reply.cacheable(&result)
    }
}
