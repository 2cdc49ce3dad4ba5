//! Normalizing typical upstream error bodies (under 2 KiB).
//!
//! Run with `cargo bench -p mcp-errors --bench normalize`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, StatusCode};
use mcp_errors::{NormalizerChain, RuleSet, UpstreamResponse};

fn response(status: u16, content_type: &str, body: &str) -> UpstreamResponse {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", content_type.parse().unwrap());
    headers.insert("x-request-id", "req-7f3a9c".parse().unwrap());
    headers.insert("date", "Sat, 15 Nov 2025 08:12:31 GMT".parse().unwrap());
    UpstreamResponse::new(
        StatusCode::from_u16(status).unwrap(),
        headers,
        body.to_owned(),
    )
}

/// A Salesforce-style error of about 1.5 KiB: the typical body.
fn typical() -> String {
    let mut errors = Vec::new();
    for i in 0..8 {
        errors.push(format!(
            r#"{{"message":"Required fields are missing: [LastName{i}]. Check the layout and the validation rules of the object before retrying.","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName{i}"]}}"#
        ));
    }
    format!("[{}]", errors.join(","))
}

/// Twenty rules for twenty made-up providers; none matches the typical body until
/// the last, so every rule's `when` runs.
fn twenty_rules() -> RuleSet {
    let mut rules = Vec::new();
    for i in 0..19 {
        rules.push(format!(
            r#"{{"name":"provider{i}","when":"(.body | type) == \"object\" and .body.service == \"p{i}\" and .status >= 400","status":".status","code":".body.fault.code","message":".body.fault.text","retry_after":".headers[\"x-wait-{i}\"]"}}"#
        ));
    }
    rules.push(
        r#"{"name":"salesforce-like","when":"(.body | type) == \"array\" and (.body[0].errorCode | type) == \"string\"","status":"if .body[0].errorCode == \"REQUEST_LIMIT_EXCEEDED\" then 429 else .status end","code":".body[0].errorCode","message":"[.body[:3][].message] | join(\"; \")","hint":"\"Fix the fields and retry.\""}"#
            .to_owned(),
    );
    RuleSet::from_json(&format!(r#"{{"rules":[{}]}}"#, rules.join(","))).unwrap()
}

fn bench(c: &mut Criterion) {
    let body = typical();
    assert!(body.len() < 2048, "{}", body.len());
    let builtin = NormalizerChain::builtin();
    let rules = NormalizerChain::new().with(twenty_rules()).with_builtins();
    assert_eq!(
        rules
            .normalize(&response(400, "application/json", &body))
            .unwrap()
            .metadata["rule"],
        "salesforce-like"
    );
    let slack = r#"{"ok":false,"error":"channel_not_found","warning":"missing_charset","response_metadata":{"warnings":["missing_charset"]}}"#;
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>";

    // Each iteration builds the response afresh, as a tool does (the parsed JSON is cached per response).
    c.bench_function("builtin/salesforce_1.5KiB", |b| {
        b.iter(|| builtin.normalize(black_box(&response(400, "application/json", &body))))
    });
    c.bench_function("builtin/slack_200", |b| {
        b.iter(|| builtin.normalize(black_box(&response(200, "application/json", slack))))
    });
    c.bench_function("builtin/html_502", |b| {
        b.iter(|| builtin.normalize(black_box(&response(502, "text/html", html))))
    });
    c.bench_function("jq_20_rules/salesforce_1.5KiB", |b| {
        b.iter(|| rules.normalize(black_box(&response(400, "application/json", &body))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
