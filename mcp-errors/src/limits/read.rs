//! Reading an upstream body under a size cap, from hyper (any `http_body::Body`)
//! or from `reqwest`.

use std::fmt::Display;

use bytes::{Buf, BytesMut};
use http::HeaderMap;

use super::failure;
use crate::{NormalizedError, UpstreamResponse};

/// Awaits the exchange, then reads at most `max` bytes; `status` is set as soon
/// as the head arrives (for a timeout's report).
pub(super) async fn http<B, E>(
    exchange: impl Future<Output = Result<http::Response<B>, E>>,
    max: usize,
    status: &mut Option<u16>,
) -> Result<UpstreamResponse, NormalizedError>
where
    E: Display,
    B: http_body::Body,
    B::Error: Display,
{
    let response = exchange
        .await
        .map_err(|e| failure::unreachable(None, &e.to_string()))?;
    let (parts, body) = response.into_parts();
    let code = parts.status.as_u16();
    *status = Some(code);
    if declared_over(&parts.headers, max) {
        return Err(failure::too_large(Some(code), max));
    }
    let mut body = std::pin::pin!(body);
    let mut out = BytesMut::new();
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|e| failure::unreachable(Some(code), &e.to_string()))?;
        if let Ok(mut data) = frame.into_data()
            && !append(&mut out, &mut data, max)
        {
            return Err(failure::too_large(Some(code), max));
        }
    }
    Ok(UpstreamResponse::new(
        parts.status,
        parts.headers,
        out.freeze(),
    ))
}

/// As [`http`], for `reqwest`.
#[cfg(feature = "reqwest")]
pub(super) async fn reqwest(
    exchange: impl Future<Output = reqwest::Result<reqwest::Response>>,
    max: usize,
    status: &mut Option<u16>,
) -> Result<UpstreamResponse, NormalizedError> {
    let why = |e: reqwest::Error| e.without_url().to_string();
    let mut response = exchange
        .await
        .map_err(|e| failure::unreachable(None, &why(e)))?;
    let code = response.status().as_u16();
    *status = Some(code);
    if declared_over(response.headers(), max) {
        return Err(failure::too_large(Some(code), max));
    }
    let mut out = BytesMut::new();
    while let Some(mut chunk) = response
        .chunk()
        .await
        .map_err(|e| failure::unreachable(Some(code), &why(e)))?
    {
        if !append(&mut out, &mut chunk, max) {
            return Err(failure::too_large(Some(code), max));
        }
    }
    Ok(UpstreamResponse::new(
        response.status(),
        response.headers().clone(),
        out.freeze(),
    ))
}

/// Whether the declared length is over the cap (refused before reading anything).
fn declared_over(headers: &HeaderMap, max: usize) -> bool {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > max as u64)
}

/// Appends `data` to `out`; `false` when that would pass `max`.
fn append(out: &mut BytesMut, data: &mut impl Buf, max: usize) -> bool {
    if out.len().saturating_add(data.remaining()) > max {
        return false;
    }
    while data.has_remaining() {
        let chunk = data.chunk();
        out.extend_from_slice(chunk);
        let n = chunk.len();
        data.advance(n);
    }
    true
}
