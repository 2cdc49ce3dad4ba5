//! Loading `tests/fixtures/*.json`: an upstream response and the exact
//! `NormalizedError` expected (or `null` for a success).

use std::path::PathBuf;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use mcp_errors::{NormalizedError, UpstreamResponse};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    description: String,
    response: Response,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    expected: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Response {
    status: u16,
    headers: serde_json::Map<String, Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_json: Option<Value>,
    #[serde(default)]
    body_bytes: Option<Vec<u8>>,
    #[serde(default)]
    body_repeat: Option<Repeat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repeat {
    chunk: String,
    times: usize,
}

/// One fixture.
pub(crate) struct Fixture {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) provider: Option<String>,
    pub(crate) secret: Option<String>,
    /// `None` for a success.
    pub(crate) expected: Option<NormalizedError>,
    /// The raw `expected` value (a placeholder until regenerated).
    pub(crate) expected_raw: Value,
}

impl Fixture {
    /// The upstream response, with the fixture's provider and secret.
    pub(crate) fn response(&self) -> UpstreamResponse {
        let mut response = UpstreamResponse::new(
            StatusCode::from_u16(self.status).unwrap(),
            self.headers.clone(),
            self.body.clone(),
        );
        if let Some(p) = &self.provider {
            response = response.with_provider(p.clone());
        }
        if let Some(s) = &self.secret {
            response = response.with_secret(s.clone());
        }
        response
    }

    /// Whether the upstream failed.
    pub(crate) fn is_failure(&self) -> bool {
        self.expected_raw != Value::Null
    }
}

pub(crate) fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture, sorted by name.
pub(crate) fn all() -> Vec<Fixture> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths.into_iter().map(load).collect()
}

fn load(path: PathBuf) -> Fixture {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(&path).unwrap();
    let file: File = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut headers = HeaderMap::new();
    for (k, v) in &file.response.headers {
        headers.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v.as_str().unwrap()).unwrap(),
        );
    }
    let r = file.response;
    let body = match (r.body, r.body_json, r.body_bytes, r.body_repeat) {
        (Some(s), None, None, None) => s.into_bytes(),
        (None, Some(v), None, None) => serde_json::to_vec(&v).unwrap(),
        (None, None, Some(b), None) => b,
        (None, None, None, Some(rep)) => rep.chunk.repeat(rep.times).into_bytes(),
        (None, None, None, None) => Vec::new(),
        _ => panic!("{name}: give one of body, bodyJson, bodyBytes, bodyRepeat"),
    };
    let expected = match &file.expected {
        Value::Null | Value::String(_) => None,
        v => Some(serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{name}: {e}"))),
    };
    Fixture {
        name,
        path,
        status: r.status,
        headers,
        body,
        provider: file.provider,
        secret: file.secret,
        expected,
        expected_raw: file.expected,
    }
}

/// With `UPDATE_FIXTURES=1`, writes the actual result into each fixture's
/// `expected` (review the diff before committing).
pub(crate) fn update(fixture: &Fixture, actual: &Option<NormalizedError>) {
    if std::env::var_os("UPDATE_FIXTURES").is_none() {
        return;
    }
    let text = std::fs::read_to_string(&fixture.path).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["expected"] = serde_json::to_value(actual).unwrap();
    let out = serde_json::to_string_pretty(&value).unwrap() + "\n";
    std::fs::write(&fixture.path, out).unwrap();
}
