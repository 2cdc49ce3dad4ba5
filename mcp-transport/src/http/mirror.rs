//! The headers a request mirrors from its body (`MCP-Protocol-Version`, `Mcp-Method`,
//! `Mcp-Name`), checked against it, and the era they settle.

use std::borrow::Cow;

use base64::Engine as _;
use http::header::HeaderName;
use http::{HeaderMap, StatusCode};
use mcp_core::jsonrpc::ErrorObject;
use mcp_core::transport::Call;
use mcp_core::wire::ProtocolVersion;

use super::param_headers::ParamHeaders;

/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Mcp-Method`.
pub(crate) const METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`.
pub(crate) const NAME: HeaderName = HeaderName::from_static("mcp-name");

/// Methods the modern era removed: `-32601` and `404` for a modern request.
pub(crate) const REMOVED: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

/// The era of a request, once its version header and `_meta` agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Era {
    /// `2026-07-28`: version and capabilities in `_meta`, mirrored headers checked.
    Modern,
    /// A handshake-era request; `None` is the `2025-03-26` of a client that sends
    /// no version header.
    Legacy(Option<ProtocolVersion>),
}

/// The `MCP-Protocol-Version` header: absent, or its text (`"(invalid)"` when it is
/// not visible ASCII, so it matches no version).
pub(crate) fn header_version(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(PROTOCOL_VERSION)
        .map(|v| v.to_str().unwrap_or("(invalid)"))
}

/// Settles the era from the version header and the body's `_meta`, in the order the
/// Streamable HTTP transport prescribes: for a body that declares a version, a
/// missing header (`-32020`), then malformed `_meta` (`-32602`), then a header that
/// disagrees with `_meta` (`-32020`), then a version this server does not serve
/// (`-32022`). Every error is a malformed request: see [`status_of`].
pub(crate) fn settle_era(call: &Call, header: Option<&str>) -> Result<Era, ErrorObject> {
    let Some(declared) = call.meta_protocol_version() else {
        // No version in `_meta`: a legacy request, unless the header says otherwise.
        let legacy = match header.map(|h| (h, ProtocolVersion::parse(h))) {
            None => None,
            Some((_, Some(v))) if v.is_modern() => {
                return Err(ErrorObject::invalid_params(format_args!(
                    "a {v} request needs \"io.modelcontextprotocol/protocolVersion\" and \
                     \"io.modelcontextprotocol/clientCapabilities\" in params._meta"
                )));
            }
            Some((_, Some(v))) => Some(v),
            Some((h, None)) => {
                return Err(ErrorObject::unsupported_protocol_version(h, &supported()));
            }
        };
        call.check_meta()?;
        return Ok(Era::Legacy(legacy));
    };
    let Some(header) = header else {
        return Err(ErrorObject::header_mismatch(
            "missing MCP-Protocol-Version header",
        ));
    };
    if header != declared {
        // Malformed `_meta` outranks the mismatch (the version itself may be one
        // this server does not know, which only matters once both agree).
        return Err(match call.check_meta() {
            Err(e) if e.code() == ErrorObject::INVALID_PARAMS => e,
            _ => ErrorObject::header_mismatch(format_args!(
                "MCP-Protocol-Version header value '{header}' does not match body value '{declared}'"
            )),
        });
    }
    Ok(match call.check_meta()? {
        Some(v) if !v.is_modern() => Era::Legacy(Some(v)),
        _ => Era::Modern,
    })
}

/// The versions this server serves, for `-32022`.
fn supported() -> [&'static str; 5] {
    ProtocolVersion::ALL.map(ProtocolVersion::as_str)
}

/// The HTTP status of a request refused before it ran: `404` for an unknown method,
/// `400` for everything else.
pub(crate) fn status_of(error: &ErrorObject) -> StatusCode {
    if error.code() == ErrorObject::METHOD_NOT_FOUND {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// Checks the mirrored headers (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`) against the
/// body, whatever the era: a modern request must send the ones that apply; a legacy
/// request need not, but any it sends must agree with the body too (a gateway may
/// route on them). Each header is compared in its canonical form ([`canonical`]);
/// repeated lines must all have the same canonical value, and an `Mcp-Name` on a
/// request that names nothing is refused.
///
/// # Errors
/// `-32020` saying which header is missing, malformed, repeated with another value,
/// or disagrees with the body.
pub(crate) fn check_mirrored(
    call: &Call,
    era: Era,
    headers: &HeaderMap,
    params: &ParamHeaders,
    body: &[u8],
) -> Result<(), ErrorObject> {
    let modern = era == Era::Modern;
    match single(headers, &METHOD, "Mcp-Method", false)? {
        Some(m) if *m == *call.method().as_bytes() => {}
        Some(m) => {
            return Err(ErrorObject::header_mismatch(format_args!(
                "Mcp-Method header value '{}' does not match body value '{}'",
                String::from_utf8_lossy(&m),
                call.method()
            )));
        }
        None if modern => return Err(ErrorObject::header_mismatch("missing Mcp-Method header")),
        None => {}
    }
    match (call.name(), single(headers, &NAME, "Mcp-Name", true)?) {
        (Some(name), Some(value)) if *value == *name.as_bytes() => {}
        (Some(name), Some(value)) => {
            return Err(ErrorObject::header_mismatch(format_args!(
                "Mcp-Name header value '{}' does not match body value '{name}'",
                String::from_utf8_lossy(&value)
            )));
        }
        (Some(_), None) if modern => {
            return Err(ErrorObject::header_mismatch("missing Mcp-Name header"));
        }
        (None, Some(_)) => {
            return Err(ErrorObject::header_mismatch(format_args!(
                "Mcp-Name header sent but a {} request names nothing",
                call.method()
            )));
        }
        _ => {}
    }
    if let Some(tool) = call.name().filter(|_| call.method() == "tools/call")
        && params.applies_to(tool)
    {
        params.check(tool, body, headers, modern)?;
    }
    Ok(())
}

/// The one canonical value of header `name`, `None` when absent.
///
/// # Errors
/// `-32020` when a line is malformed or two lines differ once canonical.
pub(crate) fn single<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
    display: &str,
    base64: bool,
) -> Result<Option<Cow<'a, [u8]>>, ErrorObject> {
    let mut found: Option<Cow<'a, [u8]>> = None;
    for value in headers.get_all(name) {
        let Some(value) = canonical(value.as_bytes(), base64) else {
            return Err(ErrorObject::header_mismatch(format_args!(
                "{display} header value contains invalid characters or malformed Base64"
            )));
        };
        match &found {
            None => found = Some(value),
            Some(first) if *first == value => {}
            Some(_) => {
                return Err(ErrorObject::header_mismatch(format_args!(
                    "{display} header sent more than once with different values"
                )));
            }
        }
    }
    Ok(found)
}

/// A mirrored header's canonical value, the one compared with the body: a plain
/// value is visible ASCII, space and tab only (anything else must be sent Base64
/// encoded), without surrounding whitespace; where `base64` is allowed, the
/// `=?base64?...?=` sentinel form is decoded (strict, padded Base64 of UTF-8). Case
/// is significant. `None` for a value that breaks these rules.
pub(crate) fn canonical(value: &[u8], base64: bool) -> Option<Cow<'_, [u8]>> {
    let value = value.trim_ascii();
    let decoded = if base64 {
        decode(value)?
    } else {
        Cow::Borrowed(value)
    };
    match decoded {
        Cow::Borrowed(plain) => plain
            .iter()
            .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
            .then_some(Cow::Borrowed(plain)),
        Cow::Owned(bytes) => std::str::from_utf8(&bytes)
            .is_ok()
            .then_some(Cow::Owned(bytes)),
    }
}

/// A header value, decoded when it uses the `=?base64?...?=` sentinel form; `None`
/// when the encoded part is not strict, padded standard Base64.
pub(crate) fn decode(value: &[u8]) -> Option<Cow<'_, [u8]>> {
    match value
        .strip_prefix(b"=?base64?")
        .and_then(|v| v.strip_suffix(b"?="))
    {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .map(Cow::Owned),
        None => Some(Cow::Borrowed(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_core::jsonrpc::{Message, Request};
    use serde_json::json;

    fn call(params: serde_json::Value) -> Call {
        let body =
            json!({"jsonrpc": "2.0", "id": 7, "method": "server/discover", "params": params});
        let Ok(Message::Request(request)) = Message::decode(body.to_string().as_bytes()) else {
            panic!("not a request");
        };
        prepare(request)
    }

    fn prepare(request: Request) -> Call {
        Call::prepare(request).unwrap()
    }

    fn meta(version: Option<&str>, caps: bool) -> serde_json::Value {
        let mut meta = json!({"io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}});
        if let Some(v) = version {
            meta["io.modelcontextprotocol/protocolVersion"] = json!(v);
        }
        if caps {
            meta["io.modelcontextprotocol/clientCapabilities"] = json!({});
        }
        json!({"_meta": meta})
    }

    fn code(result: Result<Era, ErrorObject>) -> i64 {
        result.unwrap_err().code()
    }

    #[test]
    fn check_order_of_the_transport() {
        const MODERN: &str = "2026-07-28";
        // The probes of the conformance scenario `server-stateless`, in its order.
        assert_eq!(code(settle_era(&call(json!({})), Some(MODERN))), -32602);
        assert_eq!(
            code(settle_era(&call(meta(None, true)), Some(MODERN))),
            -32602
        );
        assert_eq!(
            code(settle_era(&call(meta(Some(MODERN), false)), Some(MODERN))),
            -32602
        );
        assert_eq!(
            settle_era(&call(meta(Some(MODERN), true)), Some(MODERN)).unwrap(),
            Era::Modern
        );
        let unsupported = settle_era(&call(meta(Some("v999.0.0"), true)), Some("v999.0.0"));
        let e = unsupported.unwrap_err();
        assert_eq!(e.code(), -32022);
        let data = e.data().unwrap();
        assert_eq!(data["requested"], "v999.0.0");
        assert!(
            data["supported"]
                .as_array()
                .unwrap()
                .contains(&json!(MODERN))
        );
        assert_eq!(
            code(settle_era(
                &call(meta(Some("v999.0.0"), true)),
                Some(MODERN)
            )),
            -32020
        );
        assert_eq!(
            code(settle_era(&call(meta(Some(MODERN), true)), None)),
            -32020
        );
        // A malformed `_meta` outranks a mismatched header.
        assert_eq!(
            code(settle_era(
                &call(meta(Some(MODERN), false)),
                Some("2025-11-25")
            )),
            -32602
        );
    }

    #[test]
    fn legacy_versions_come_from_the_header() {
        let list = |params| {
            let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": params});
            match Message::decode(body.to_string().as_bytes()) {
                Ok(Message::Request(r)) => prepare(r),
                _ => panic!(),
            }
        };
        assert_eq!(
            settle_era(&list(json!({})), None).unwrap(),
            Era::Legacy(None)
        );
        assert_eq!(
            settle_era(&list(json!({})), Some("2025-11-25")).unwrap(),
            Era::Legacy(Some(ProtocolVersion::V2025_11_25))
        );
        assert_eq!(
            code(settle_era(&list(json!({})), Some("1999-01-01"))),
            -32022
        );
        // server/discover needs the modern `_meta` even without a header.
        assert_eq!(code(settle_era(&call(json!({})), None)), -32602);
    }

    #[test]
    fn base64_sentinel_is_strict() {
        assert_eq!(decode(b"echo").as_deref(), Some(&b"echo"[..]));
        assert_eq!(
            decode(b"=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界".as_bytes())
        );
        assert_eq!(decode(b"=?base64?!!?="), None);
        assert_eq!(decode(b"=?base64?SGVsbG8?="), None);
        assert_eq!(decode(b"=?base64?SGVs!!!bG8=?="), None);
        assert_eq!(
            decode(b"=?base64?SGVsbG8=").as_deref(),
            Some(&b"=?base64?SGVsbG8="[..])
        );
    }
}
