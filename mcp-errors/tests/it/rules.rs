//! jq rule sets: loading from JSON and TOML, matching, extraction, and start-up
//! errors that name the rule and the position.

use http::{HeaderMap, StatusCode};
use mcp_errors::{Error, ErrorNormalizer, NormalizerChain, RuleSet, UpstreamResponse};

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> UpstreamResponse {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    UpstreamResponse::new(StatusCode::from_u16(status).unwrap(), map, body.to_owned())
}

const NETSUITE_TOML: &str = r#"
[[rules]]
name = "netsuite"
provider = "NetSuite"
when = '.status >= 400 and (.body["o:errorDetails"] | type) == "array"'
status = '.status'
code = '.body["o:errorDetails"][0]["o:errorCode"]'
message = '.body["o:errorDetails"][0].detail | split(". ")[0]'
hint = '"Check the record type and field names."'

[[rules]]
name = "legacy-text"
when = '(.text // "") | startswith("ERR|")'
status = '(.text | split("|")[1] | tonumber)'
code = '.text | split("|")[2]'
message = '.text | split("|")[3]'
retry_after = '.headers["x-wait"]'
needs_reauth = '(.text | split("|")[2]) == "AUTH"'
"#;

#[test]
fn toml_rules_extract_every_field() {
    let rules = RuleSet::from_toml(NETSUITE_TOML).unwrap();
    assert_eq!(rules.len(), 2);
    let chain = NormalizerChain::new().with(rules).with_builtins();
    let body = r#"{"type":"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1","title":"Bad Request","status":400,"o:errorDetails":[{"detail":"Invalid search query. Detailed unprocessed description follows.","o:errorCode":"INVALID_PARAMETER"}]}"#;
    let err = chain.normalize(&response(400, &[], body)).unwrap();
    assert_eq!(err.provider.as_deref(), Some("NetSuite"));
    assert_eq!(err.code.as_deref(), Some("INVALID_PARAMETER"));
    assert_eq!(err.message, "Invalid search query");
    assert_eq!(
        err.hint.as_deref(),
        Some("Check the record type and field names.")
    );
    assert_eq!(
        err.metadata.get("rule").map(String::as_str),
        Some("netsuite")
    );

    let err = chain
        .normalize(&response(
            200,
            &[("x-wait", "12")],
            "ERR|401|AUTH|session gone",
        ))
        .unwrap();
    assert_eq!((err.status, err.upstream_status), (401, 200));
    assert_eq!(err.code.as_deref(), Some("AUTH"));
    assert_eq!(err.message, "session gone");
    assert_eq!(err.retry_after, Some(std::time::Duration::from_secs(12)));
    assert!(err.needs_reauth);
}

#[test]
fn json_rules_load_and_non_matching_responses_fall_through() {
    let rules = RuleSet::from_json(
        r#"{"rules":[{"name":"acme","when":".body.result == \"failure\"","message":".body.why","retryAfter":"5"}]}"#,
    )
    .unwrap();
    let chain = NormalizerChain::new().with(rules).with_builtins();
    let err = chain
        .normalize(&response(200, &[], r#"{"result":"failure","why":"quota"}"#))
        .unwrap();
    assert_eq!((err.status, err.message.as_str()), (400, "quota"));
    assert_eq!(err.retry_after, Some(std::time::Duration::from_secs(5)));
    // Not matched by the rule: the built-ins still apply.
    let err = chain
        .normalize(&response(
            200,
            &[],
            r#"{"ok":false,"error":"not_in_channel"}"#,
        ))
        .unwrap();
    assert_eq!(err.provider.as_deref(), Some("Slack"));
    assert!(
        chain
            .normalize(&response(200, &[], r#"{"result":"success"}"#))
            .is_none()
    );
}

#[test]
fn a_failing_expression_at_run_time_is_not_a_match() {
    let rules = RuleSet::from_json(
        r#"{"rules":[{"name":"strict","when":".body.items[0] | error(\"boom\")"}]}"#,
    )
    .unwrap();
    assert!(
        NormalizerChain::new()
            .with(rules)
            .normalize(&response(200, &[], "{}"))
            .is_none()
    );
}

#[test]
fn a_bad_expression_is_a_start_up_error_naming_the_rule_and_position() {
    let toml = r#"
[[rules]]
name = "fine"
when = ".status >= 400"

[[rules]]
name = "broken"
when = ".status >= 400"
message = """.body.errors
  | map(.msg | nosuch_function(1))"""
"#;
    match RuleSet::from_toml(toml) {
        Err(Error::Expression {
            rule,
            field,
            line,
            column,
            message,
        }) => {
            assert_eq!((rule.as_str(), field.as_str()), ("broken", "message"));
            assert_eq!((line, column), (2, 16), "{message}");
            assert!(message.contains("nosuch_function"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let err = RuleSet::from_json(r#"{"rules":[{"name":"paren","when":".a | (.b"}]}"#).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("\"paren\"") && text.contains("\"when\"") && text.contains("line 1"),
        "{text}"
    );
    assert!(err.is_rule_set());
    assert!(matches!(
        RuleSet::from_json("{\"rules\": 3}"),
        Err(Error::RuleSet(_))
    ));
    assert!(matches!(
        RuleSet::from_toml("[[rules]]\nname = \"x\"\nwhen = \"true\"\nwhatever = \"1\""),
        Err(Error::RuleSet(_))
    ));
}

#[test]
fn rule_files_load_by_extension() {
    let dir = std::env::temp_dir().join(format!("mcp-errors-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.toml");
    std::fs::write(&path, NETSUITE_TOML).unwrap();
    assert_eq!(RuleSet::load(&path).unwrap().len(), 2);
    let other = dir.join("rules.yaml");
    std::fs::write(&other, "").unwrap();
    assert!(RuleSet::load(&other).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A body of tens of KB of `[` used to overflow the stack in jaq's parser (the
/// process died); now no rule sees it and the chain names the problem.
#[test]
fn a_deeply_nested_body_gets_a_clear_error_without_crashing() {
    let rules = RuleSet::from_toml(NETSUITE_TOML).unwrap();
    let chain = NormalizerChain::new().with(RuleSet::from_toml(NETSUITE_TOML).unwrap());
    for status in [200, 500] {
        for body in [
            "[".repeat(100_000),
            format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000)),
            format!("{{\"a\":{}", "{\"a\":".repeat(40_000)),
        ] {
            let deep = response(status, &[], &body);
            // Run on a small stack, as a worker thread would.
            let (direct, chained) = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn({
                    let rules = RuleSet::from_toml(NETSUITE_TOML).unwrap();
                    let chain = chain.clone();
                    let deep = deep.clone();
                    move || (rules.normalize(&deep), chain.normalize(&deep))
                })
                .unwrap()
                .join()
                .expect("no stack overflow");
            assert_eq!(direct, None);
            let err = chained.expect("an error");
            assert_eq!(err.code.as_deref(), Some("upstream_response_too_deep"));
            assert_eq!(err.status, if status == 200 { 502 } else { 500 });
            assert!(
                err.message.contains("deeper than 128 levels"),
                "{}",
                err.message
            );
        }
    }
    // Nesting within the limit is still read.
    let ok = format!(
        r#"{{"o:errorDetails":[{{"detail":"Bad. x","o:errorCode":"E"}}],"x":{}1{}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    let err = rules.normalize(&response(400, &[], &ok)).unwrap();
    assert_eq!(err.code.as_deref(), Some("E"));
}

/// A rule that loops forever on some bodies ends within its budget, and the
/// chain falls through to the built-ins.
#[test]
fn a_runaway_rule_ends_within_its_budget() {
    let rules = RuleSet::from_toml(
        r#"
        [[rules]]
        name = "runaway"
        when = '.body | [.[] as $a | .[] as $b | .[] as $c | .[] as $d | 1] | length > 0'
        [[rules]]
        name = "forever"
        when = 'def f: f; f'
        [[rules]]
        name = "never-reached"
        when = 'true'
        message = '"unreachable"'
    "#,
    )
    .unwrap()
    .with_budget(10_000, std::time::Duration::from_secs(3600));
    let body = format!("[{}0]", "0,".repeat(2_000));
    let upstream = response(500, &[], &body);
    assert_eq!(rules.normalize(&upstream), None);
    let chain = NormalizerChain::new().with(rules).with_builtins();
    let err = chain.normalize(&upstream).unwrap();
    assert_eq!(err.status, 500);
    assert_ne!(err.message, "unreachable");
}
