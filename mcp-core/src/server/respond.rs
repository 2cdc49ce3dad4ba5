//! Encoding results for the request's era: `resultType`, `serverInfo` and caching
//! hints on modern results, the bare result on legacy ones.

use serde::Serialize;

use std::io::Write;

use crate::jsonrpc::{ErrorObject, RequestId, Response};
use crate::wire::{Implementation, ProtocolVersion};

/// How a result is wrapped for its request.
pub(crate) struct Reply<'a> {
    pub(crate) id: RequestId,
    pub(crate) version: ProtocolVersion,
    /// The pre-encoded `"_meta":{...}` member with `serverInfo`.
    pub(crate) meta: &'a str,
    /// Freshness hint for cacheable results, in milliseconds.
    pub(crate) ttl_ms: u64,
    /// The result varies per caller (a scope filtered it, or a principal asked).
    pub(crate) private: bool,
    /// What list cursors are bound to: the caller and the scope that filtered the
    /// list (`None` for an anonymous, unscoped request).
    pub(crate) cursor_binding: Option<[u8; 32]>,
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

    /// Serializes `result` once; modern results get the era's fields spliced in
    /// before the closing brace (`resultType`, the pre-encoded `_meta` with
    /// `serverInfo`, and caching hints), without a second serialization pass.
    fn encode<T: Serialize>(
        self,
        result: &T,
        result_type: &'static str,
        cacheable: bool,
    ) -> Response {
        if !self.version.is_modern() {
            return Response::serialize_result(self.id, result);
        }
        let mut json = match serde_json::to_vec(result) {
            Ok(json) => json,
            Err(e) => return Response::error(Some(self.id), ErrorObject::internal(e)),
        };
        // Every result is a JSON object: reopen it.
        if json.last() != Some(&b'}') {
            return Response::error(
                Some(self.id),
                ErrorObject::internal("a result must be an object"),
            );
        }
        json.pop();
        if json.len() > 1 {
            json.push(b',');
        }
        json.extend_from_slice(b"\"resultType\":\"");
        json.extend_from_slice(result_type.as_bytes());
        json.extend_from_slice(b"\",");
        json.extend_from_slice(self.meta.as_bytes());
        if cacheable {
            let scope = if self.private { "private" } else { "public" };
            let _ = write!(
                json,
                ",\"ttlMs\":{},\"cacheScope\":\"{scope}\"",
                self.ttl_ms
            );
        }
        json.push(b'}');
        match String::from_utf8(json) {
            Ok(json) => Response::encoded(self.id, json.into_boxed_str()),
            Err(e) => Response::error(Some(self.id), ErrorObject::internal(e)),
        }
    }
}

/// `"_meta":{"io.modelcontextprotocol/serverInfo":{...}}`, encoded once per server.
pub(crate) fn encode_meta(info: &Implementation) -> String {
    #[derive(Serialize)]
    struct ServerMeta<'a> {
        #[serde(rename = "io.modelcontextprotocol/serverInfo")]
        server_info: &'a Implementation,
    }
    let meta = serde_json::to_string(&ServerMeta { server_info: info })
        .unwrap_or_else(|_| "{}".to_owned());
    format!("\"_meta\":{meta}")
}
