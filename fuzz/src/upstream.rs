//! Upstream responses made of arbitrary bytes, for the `mcp-errors` targets.

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use mcp_errors::UpstreamResponse;

use crate::rt::split_line;

/// Header lines (`name: value`); lines that are not a valid header are skipped.
pub(crate) fn headers(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (line, more) = split_line(rest);
        rest = more;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(line[..colon].trim_ascii()),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    headers
}

/// Two bytes of status (taken into 100..=599), header lines up to an empty line,
/// then the body.
pub(crate) fn response(data: &[u8]) -> UpstreamResponse {
    let (status, rest) = data.split_at(data.len().min(2));
    let code = match status {
        [a, b] => u16::from_be_bytes([*a, *b]),
        [a] => u16::from(*a),
        _ => 0,
    };
    let status = StatusCode::from_u16(100 + code % 500).unwrap_or(StatusCode::BAD_REQUEST);
    let end = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or((rest.len(), rest.len()), |i| (i, i + 2));
    let headers = headers(&rest[..end.0]);
    UpstreamResponse::new(status, headers, rest[end.1..].to_vec())
}
