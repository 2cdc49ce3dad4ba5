//! Encoding results for the request's era: `resultType`, `serverInfo` and caching
//! hints on modern results, the bare result on legacy ones.

use serde::Serialize;

use crate::{Implementation, ProtocolVersion, RequestId, Response};

/// How a result is wrapped for its request.
pub(crate) struct Reply<'a> {
    pub(crate) id: RequestId,
    pub(crate) version: ProtocolVersion,
    pub(crate) info: &'a Implementation,
    /// Freshness hint for cacheable results, in milliseconds.
    pub(crate) ttl_ms: u64,
    /// The result varies per caller (a scope filtered it).
    pub(crate) private: bool,
}

#[derive(Serialize)]
struct Modern<'a, T> {
    #[serde(flatten)]
    result: &'a T,
    #[serde(rename = "resultType")]
    result_type: &'static str,
    #[serde(rename = "_meta")]
    meta: ServerMeta<'a>,
    #[serde(rename = "ttlMs", skip_serializing_if = "Option::is_none")]
    ttl_ms: Option<u64>,
    #[serde(rename = "cacheScope", skip_serializing_if = "Option::is_none")]
    cache_scope: Option<&'static str>,
}

#[derive(Serialize)]
struct ServerMeta<'a> {
    #[serde(rename = "io.modelcontextprotocol/serverInfo")]
    server_info: &'a Implementation,
}

impl Reply<'_> {
    /// A complete, non-cacheable result.
    pub(crate) fn complete<T: Serialize>(self, result: &T) -> Response {
        self.encode(result, "complete", false)
    }

    /// A complete result that carries caching hints (list results, discovery).
    pub(crate) fn cacheable<T: Serialize>(self, result: &T) -> Response {
        self.encode(result, "complete", true)
    }

    /// An interim `input_required` result (modern only; never cacheable).
    pub(crate) fn input_required<T: Serialize>(self, result: &T) -> Response {
        self.encode(result, "input_required", false)
    }

    fn encode<T: Serialize>(
        self,
        result: &T,
        result_type: &'static str,
        cacheable: bool,
    ) -> Response {
        if !self.version.is_modern() {
            return Response::serialize_result(self.id, result);
        }
        let wrapped = Modern {
            result,
            result_type,
            meta: ServerMeta {
                server_info: self.info,
            },
            ttl_ms: cacheable.then_some(self.ttl_ms),
            cache_scope: cacheable.then_some(if self.private { "private" } else { "public" }),
        };
        Response::serialize_result(self.id, &wrapped)
    }
}
