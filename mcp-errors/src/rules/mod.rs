//! [`RuleSet`]: error normalization configured with jq expressions instead of code.

mod budget;
mod jq;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jaq_json::{Map, Val};
use serde::Deserialize;

use crate::ratelimit::MAX_WAIT;
use crate::{Error, ErrorNormalizer, NormalizedError, UpstreamResponse};
use budget::{Budget, Limits};
use jq::Expr;

/// How much of a non-JSON body the expressions see as `.text`.
const TEXT_LIMIT: usize = 64 * 1024;

/// Larger bodies are not parsed as JSON (as for the built-ins).
const MAX_JSON_BODY: usize = 1 << 20;

/// A set of rules, each a few jq expressions that decide whether a response is an
/// error and extract its parts. The first rule whose `when` holds wins.
///
/// Every expression reads `{"status": 400, "headers": {"name": "value"}, "body":
/// <the JSON body or null>, "text": <the body as text when it is not JSON>}`
/// (header names lowercased) and its first output counts. Fields: `name` and
/// `when` (required); `status`, `code`, `message`, `hint`, `retry_after` (seconds),
/// `needs_reauth` (expressions); `provider` (plain text). Everything compiles at
/// start-up: a bad expression is an [`Error::Expression`] naming the rule, the field
/// and the position.
///
/// Upstream bodies are hostile input: a body is parsed only when it is at most
/// 1 MiB and nests no deeper than [`mcp_core::jsonrpc::MAX_JSON_DEPTH`] (else `.body` is
/// `null`; a [`NormalizerChain`](crate::NormalizerChain) answers such a body with
/// `upstream_response_too_deep` before any rule runs). All expressions together
/// get a budget per response, 10,000 steps and 250 ms by default
/// ([`with_budget`](Self::with_budget)); recursion, `range`, `repeat` and nested
/// iteration all count. An expression that runs out yields nothing (a warning is
/// logged) and the rules after it are skipped. `env`, `debug`, `stderr` and `halt`
/// are not available.
///
/// ```
/// use mcp_errors::{NormalizerChain, RuleSet, UpstreamResponse};
///
/// let rules = RuleSet::from_toml(r#"
///     [[rules]]
///     name = "acme"
///     provider = "Acme CRM"
///     when = '.body.result == "failure"'
///     status = 'if .body.reason == "missing" then 404 else 400 end'
///     code = ".body.reason"
///     message = '.body.details[0].text'
/// "#)?;
/// let chain = NormalizerChain::new().with(rules).with_builtins();
/// let response = http::Response::builder()
///     .status(200)
///     .body(r#"{"result":"failure","reason":"missing","details":[{"text":"No contact 42."}]}"#)
///     .unwrap();
/// let err = chain.normalize(&UpstreamResponse::from_http(response)).unwrap();
/// assert_eq!((err.status, err.code.as_deref()), (404, Some("missing")));
/// assert_eq!(err.message, "No contact 42.");
/// # Ok::<_, mcp_errors::Error>(())
/// ```
pub struct RuleSet {
    rules: Vec<Rule>,
    limits: Limits,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.rules.iter().map(|r| r.name.as_str()).collect();
        f.debug_struct("RuleSet")
            .field("rules", &names)
            .field("limits", &self.limits)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    rules: Vec<RuleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: String,
    #[serde(default)]
    provider: Option<String>,
    when: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default, alias = "retryAfter")]
    retry_after: Option<String>,
    #[serde(default, alias = "needsReauth")]
    needs_reauth: Option<String>,
}

struct Rule {
    name: String,
    provider: Option<String>,
    when: Expr,
    status: Option<Expr>,
    code: Option<Expr>,
    message: Option<Expr>,
    hint: Option<Expr>,
    retry_after: Option<Expr>,
    needs_reauth: Option<Expr>,
}

impl RuleSet {
    /// Loads `{"rules": [{"name": ..., "when": ..., ...}]}`.
    ///
    /// # Errors
    /// [`Error::RuleSet`] for malformed JSON, [`Error::Expression`] for an expression
    /// that does not compile.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let spec: FileSpec =
            serde_json::from_str(text).map_err(|e| Error::RuleSet(e.to_string()))?;
        Self::compile(spec)
    }

    /// Loads `[[rules]]` tables with the same fields as [`from_json`](Self::from_json).
    ///
    /// # Errors
    /// As for [`from_json`](Self::from_json).
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let spec: FileSpec = toml::from_str(text).map_err(|e| Error::RuleSet(e.to_string()))?;
        Self::compile(spec)
    }

    /// Loads a `.json` or `.toml` file.
    ///
    /// # Errors
    /// [`Error::RuleSet`] when the file cannot be read or has another extension, and
    /// as for [`from_json`](Self::from_json).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::RuleSet(format!("{}: {e}", path.display())))?;
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Self::from_json(&text),
            Some("toml") => Self::from_toml(&text),
            _ => Err(Error::RuleSet(format!(
                "{}: expected a .json or .toml file",
                path.display()
            ))),
        }
    }

    /// How many rules the set holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the set holds no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The work all expressions together may do on one response: `steps` jq steps
    /// (each term evaluated, each call, each number `range` yields) and `time`
    /// (default 10,000 steps and 250 ms).
    #[must_use]
    pub fn with_budget(mut self, steps: u64, time: Duration) -> Self {
        self.limits = Limits { steps, time };
        self
    }

    fn compile(spec: FileSpec) -> Result<Self, Error> {
        let mut rules = Vec::with_capacity(spec.rules.len());
        for r in spec.rules {
            let one = |field: &str, code: &str| {
                Expr::compile(code).map_err(|e| Error::Expression {
                    rule: r.name.clone(),
                    field: field.to_owned(),
                    line: e.line,
                    column: e.column,
                    message: e.message,
                })
            };
            let opt = |field: &str, code: &Option<String>| {
                code.as_deref().map(|c| one(field, c)).transpose()
            };
            rules.push(Rule {
                when: one("when", &r.when)?,
                status: opt("status", &r.status)?,
                code: opt("code", &r.code)?,
                message: opt("message", &r.message)?,
                hint: opt("hint", &r.hint)?,
                retry_after: opt("retry_after", &r.retry_after)?,
                needs_reauth: opt("needs_reauth", &r.needs_reauth)?,
                provider: r.provider.clone(),
                name: r.name,
            });
        }
        Ok(Self {
            rules,
            limits: Limits::default(),
        })
    }
}

impl ErrorNormalizer for RuleSet {
    fn normalize(&self, response: &UpstreamResponse) -> Option<NormalizedError> {
        if self.rules.is_empty() {
            return None;
        }
        let input = input(response);
        let budget = Budget::new(self.limits);
        let eval = |rule: &Rule, field: &str, e: &Expr| {
            e.first(&input, &budget).unwrap_or_else(|_| {
                tracing::warn!(
                    rule = %rule.name,
                    field,
                    steps = self.limits.steps,
                    time_ms = self.limits.time.as_millis() as u64,
                    "jq rule stopped: it exceeded its budget on this response"
                );
                None
            })
        };
        let rule = self
            .rules
            .iter()
            .find(|r| eval(r, "when", &r.when).is_some_and(|v| truthy(&v)))?;
        let get = |field: &str, e: &Option<Expr>| e.as_ref().and_then(|e| eval(rule, field, e));
        let status = get("status", &rule.status)
            .and_then(|v| number(&v))
            .and_then(|n| u16::try_from(n as u64).ok())
            .unwrap_or(response.status());
        let message = get("message", &rule.message)
            .and_then(|v| text(&v))
            .unwrap_or_default();
        let mut err =
            NormalizedError::new(status, message).with_metadata("rule", rule.name.clone());
        err.provider = rule.provider.clone();
        err.code = get("code", &rule.code).and_then(|v| text(&v));
        err.hint = get("hint", &rule.hint).and_then(|v| text(&v));
        err.retry_after = get("retry_after", &rule.retry_after)
            .and_then(|v| {
                number(&v).or_else(|| text(&v).and_then(|t| crate::ratelimit::seconds(&t)))
            })
            .map(|s| Duration::from_secs_f64(s.clamp(0.0, MAX_WAIT.as_secs_f64())));
        err.needs_reauth = get("needs_reauth", &rule.needs_reauth).is_some_and(|v| truthy(&v));
        Some(err)
    }
}

/// The value every expression reads.
fn input(response: &UpstreamResponse) -> Val {
    let mut headers = BTreeMap::<&str, String>::new();
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        headers
            .entry(name.as_str())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    let mut header_map = Map::default();
    for (name, value) in headers {
        header_map.insert(Val::from(name.to_owned()), Val::from(value));
    }
    // Parsed straight into jaq's value type (not through `UpstreamResponse::json`).
    let bytes = response.body();
    let looks_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['));
    // jaq's parser recurses: check the nesting first, as the JSON-RPC decoder does.
    let body = (looks_json
        && bytes.len() <= MAX_JSON_BODY
        && !mcp_core::jsonrpc::nesting_exceeds(bytes, mcp_core::jsonrpc::MAX_JSON_DEPTH))
    .then(|| jaq_json::read::parse_single(bytes).ok())
    .flatten();
    let text = match body {
        Some(_) => Val::Null,
        None => {
            let bytes = response.body();
            let head = &bytes[..bytes.len().min(TEXT_LIMIT)];
            Val::from(String::from_utf8_lossy(head).into_owned())
        }
    };
    let mut root = Map::default();
    root.insert(
        Val::from("status".to_owned()),
        Val::from(response.status() as isize),
    );
    root.insert(Val::from("headers".to_owned()), Val::obj(header_map));
    root.insert(Val::from("body".to_owned()), body.unwrap_or(Val::Null));
    root.insert(Val::from("text".to_owned()), text);
    Val::obj(root)
}

fn truthy(v: &Val) -> bool {
    !matches!(v, Val::Null | Val::Bool(false))
}

fn number(v: &Val) -> Option<f64> {
    match v {
        Val::Num(_) => v.to_string().parse().ok().filter(|n: &f64| n.is_finite()),
        Val::TStr(_) | Val::BStr(_) => text(v)?.trim().parse().ok().filter(|n: &f64| n.is_finite()),
        _ => None,
    }
}

fn text(v: &Val) -> Option<String> {
    match v {
        Val::Null | Val::Bool(false) => None,
        Val::TStr(b) | Val::BStr(b) => Some(String::from_utf8_lossy(b).into_owned()),
        other => Some(other.to_string()),
    }
}
