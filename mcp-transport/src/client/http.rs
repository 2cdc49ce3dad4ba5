//! The HTTP side of the client: one POST per message, JSON or SSE answers, `429`
//! retries.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Request, StatusCode, Uri};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::retry::{MAX_429_BODY, Resend, RetryPolicy, hinted_wait, refused_before_running};
use crate::Error;
use crate::http::Body;

const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");

/// Headers one message travels with.
#[derive(Default)]
pub(crate) struct Headers {
    pub(crate) version: Option<&'static str>,
    pub(crate) method: Option<String>,
    pub(crate) name: Option<String>,
}

pub(crate) struct HttpTransport {
    client: HyperClient<HttpConnector, Body>,
    uri: Uri,
    retry: RetryPolicy,
    timeout: Duration,
    /// Echoed back when a legacy, stateful server assigned one.
    session: Mutex<Option<HeaderValue>>,
}

impl HttpTransport {
    pub(crate) fn new(url: &str, retry: RetryPolicy, timeout: Duration) -> Result<Self, Error> {
        let uri: Uri = url
            .parse()
            .map_err(|e| Error::Config(format!("invalid URL {url:?}: {e}")))?;
        if uri.scheme_str() != Some("http") {
            return Err(Error::Config(format!(
                "unsupported URL {url:?}: only http:// is built in (put TLS in a proxy)"
            )));
        }
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = HyperClient::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            client,
            uri,
            retry,
            timeout,
            session: Mutex::new(None),
        })
    }

    /// Sends one message; returns the response message whose `id` is `id` (`None`
    /// for notifications, which expect `202`). After a `429` it is sent again only
    /// as `resend` allows.
    pub(crate) async fn send(
        &self,
        body: Bytes,
        headers: &Headers,
        id: Option<i64>,
        resend: Resend,
    ) -> Result<Option<Value>, Error> {
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let request = self.request(body.clone(), headers)?;
            let response = tokio::time::timeout(self.timeout, self.client.request(request))
                .await
                .map_err(|_| Error::Timeout(self.timeout))?
                .map_err(|e| Error::Protocol(format!("HTTP request failed: {e}")))?;
            if response.status() != StatusCode::TOO_MANY_REQUESTS {
                return self.read(response, id).await;
            }
            let hint = hinted_wait(response.headers(), SystemTime::now());
            let retry = attempt - 1;
            let give_up = retry >= self.retry.max_retries
                || hint.is_some_and(|h| h > self.retry.max_wait)
                || (resend == Resend::IfRefusedBeforeRunning
                    && !self.refused_locally(response).await);
            if give_up {
                return Err(Error::RateLimited {
                    attempts: attempt,
                    waited,
                    retry_after: hint,
                });
            }
            let wait = self.retry.wait(hint, retry);
            tracing::debug!(
                ?wait,
                attempt,
                "rate limited (429); waiting before retrying"
            );
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    /// Whether a `429` says the server refused the request before running it.
    async fn refused_locally(&self, response: http::Response<Incoming>) -> bool {
        let mut body = std::pin::pin!(response.into_body());
        match tokio::time::timeout(self.timeout, collect(&mut body, MAX_429_BODY)).await {
            Ok(Ok(bytes)) => refused_before_running(&bytes),
            _ => false,
        }
    }

    fn request(&self, body: Bytes, headers: &Headers) -> Result<Request<Body>, Error> {
        let mut builder = Request::post(self.uri.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json, text/event-stream");
        if let Some(v) = headers.version {
            builder = builder.header("mcp-protocol-version", v);
        }
        if let Some(m) = &headers.method {
            builder = builder.header("mcp-method", header_value(m));
        }
        if let Some(n) = &headers.name {
            builder = builder.header("mcp-name", header_value(n));
        }
        let session = self.session.lock().map(|s| s.clone()).unwrap_or_default();
        if let Some(session) = session {
            builder = builder.header(SESSION_ID, session);
        }
        builder
            .body(Body::from(body))
            .map_err(|e| Error::Config(e.to_string()))
    }

    async fn read(
        &self,
        response: http::Response<Incoming>,
        id: Option<i64>,
    ) -> Result<Option<Value>, Error> {
        let status = response.status();
        if let (Some(session), Ok(mut s)) =
            (response.headers().get(SESSION_ID), self.session.lock())
        {
            *s = Some(session.clone());
        }
        let sse = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let mut body = std::pin::pin!(response.into_body());
        if sse && status.is_success() {
            return tokio::time::timeout(self.timeout, read_sse(&mut body, id))
                .await
                .map_err(|_| Error::Timeout(self.timeout))?
                .map(Some);
        }
        let bytes = tokio::time::timeout(self.timeout, collect(&mut body, MAX_RESPONSE))
            .await
            .map_err(|_| Error::Timeout(self.timeout))??;
        if id.is_none() && status.is_success() {
            return Ok(None);
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) if v.get("result").is_some() || v.get("error").is_some() => Ok(Some(v)),
            _ => Err(Error::Http {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned(),
            }),
        }
    }
}

/// A header value as is when it is plain visible ASCII, else the base64 sentinel.
fn header_value(value: &str) -> String {
    use base64::Engine as _;
    let plain = !value.is_empty()
        && value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && value.trim() == value
        && !(value.starts_with("=?base64?") && value.ends_with("?="));
    if plain {
        value.to_owned()
    } else {
        let encoded = base64::engine::general_purpose::STANDARD.encode(value);
        format!("=?base64?{encoded}?=")
    }
}

async fn next_chunk(body: &mut std::pin::Pin<&mut Incoming>) -> Result<Option<Bytes>, Error> {
    use http_body::Body as _;
    loop {
        let frame = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await;
        match frame {
            None => return Ok(None),
            Some(Err(e)) => return Err(Error::Protocol(format!("reading the response: {e}"))),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

/// The largest JSON response (and SSE event) read.
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

async fn collect(body: &mut std::pin::Pin<&mut Incoming>, max: usize) -> Result<Bytes, Error> {
    let mut out = BytesMut::new();
    while let Some(chunk) = next_chunk(body).await? {
        if out.len() + chunk.len() > max {
            return Err(Error::Protocol(format!("response larger than {max} bytes")));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// Reads SSE events until the response to `id` arrives; notifications are skipped.
async fn read_sse(
    body: &mut std::pin::Pin<&mut Incoming>,
    id: Option<i64>,
) -> Result<Value, Error> {
    let mut buf: Vec<u8> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    loop {
        while let Some(end) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=end).collect();
            let line = line.strip_suffix(b"\n").unwrap_or(&line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                if !data.is_empty() {
                    if let Some(v) = response_for(&data, id) {
                        return Ok(v);
                    }
                    data.clear();
                }
            } else if let Some(rest) = line.strip_prefix(b"data:") {
                if !data.is_empty() {
                    data.push(b'\n');
                }
                data.extend_from_slice(rest.strip_prefix(b" ").unwrap_or(rest));
            }
            // Comments (`:`), `event:`, `id:` and `retry:` lines need nothing.
        }
        match next_chunk(body).await? {
            Some(chunk) => buf.extend_from_slice(&chunk),
            None => {
                return Err(Error::Protocol(
                    "the SSE stream ended before the response".into(),
                ));
            }
        }
        if buf.len() > MAX_RESPONSE {
            return Err(Error::Protocol("SSE event larger than 64 MiB".into()));
        }
    }
}

fn response_for(data: &[u8], id: Option<i64>) -> Option<Value> {
    let v: Value = serde_json::from_slice(data).ok()?;
    let is_response = v.get("result").is_some() || v.get("error").is_some();
    (is_response && v.get("id").and_then(Value::as_i64) == id).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_use_the_sentinel_when_needed() {
        assert_eq!(header_value("echo"), "echo");
        assert_eq!(
            header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(
            header_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }
}
