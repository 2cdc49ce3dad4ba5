//! The fixture table: every upstream response → the exact `NormalizedError`, and
//! the invariant that failures and successes are never confused.

use mcp_errors::NormalizerChain;

use crate::fixtures;

#[test]
fn at_least_thirty_fixtures_cover_every_provider() {
    let all = fixtures::all();
    assert!(all.len() >= 30, "{} fixtures", all.len());
    for prefix in [
        "slack_",
        "salesforce_",
        "oauth_",
        "google_",
        "graph_",
        "stripe_",
        "github_",
        "hubspot_",
        "jira_",
        "problem_",
        "graphql_",
        "html_",
        "text_",
        "empty_",
        "non_utf8",
        "big_5mb",
        "echoed_",
        "ratelimit_",
        "generic_",
    ] {
        assert!(
            all.iter().any(|f| f.name.starts_with(prefix)),
            "no fixture for {prefix}"
        );
    }
}

#[test]
fn every_fixture_normalizes_to_exactly_the_expected_error() {
    let chain = NormalizerChain::builtin();
    let mut failures = Vec::new();
    for fixture in fixtures::all() {
        let actual = chain.normalize(&fixture.response());
        fixtures::update(&fixture, &actual);
        if std::env::var_os("UPDATE_FIXTURES").is_some() {
            continue;
        }
        if actual != fixture.expected || (fixture.is_failure() && fixture.expected.is_none()) {
            failures.push(format!(
                "{}:\n  expected {}\n  actual   {}",
                fixture.name,
                serde_json::to_string(&fixture.expected_raw).unwrap(),
                serde_json::to_string(&actual).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn failures_are_always_errors_and_successes_never_are() {
    let chain = NormalizerChain::builtin();
    for fixture in fixtures::all() {
        let actual = chain.normalize(&fixture.response());
        assert_eq!(actual.is_some(), fixture.is_failure(), "{}", fixture.name);
        if fixture.status >= 400 {
            assert!(
                actual.is_some(),
                "{}: an HTTP error passed as success",
                fixture.name
            );
        }
        if let Some(err) = actual {
            assert!((400..=599).contains(&err.status), "{}", fixture.name);
            assert!(!err.message.is_empty(), "{}", fixture.name);
            assert!(err.message.len() <= 8 * 1024, "{}", fixture.name);
            assert!(err.hint.is_some(), "{}", fixture.name);
            let shown = serde_json::to_string(&err).unwrap();
            for leak in [
                ".internal",
                "10.12.4.7",
                "10.0.0.12",
                "WidgetService.java",
                "handlers.py",
            ] {
                assert!(
                    !shown.contains(leak),
                    "{}: leaks {leak}: {shown}",
                    fixture.name
                );
            }
            if let Some(secret) = &fixture.secret {
                assert!(
                    !shown.contains(secret.as_str()),
                    "{}: leaks its secret",
                    fixture.name
                );
            }
        }
    }
}

#[test]
fn an_empty_chain_still_catches_every_http_error() {
    let chain = NormalizerChain::new();
    for fixture in fixtures::all() {
        let actual = chain.normalize(&fixture.response());
        if fixture.status >= 400 {
            assert!(actual.is_some(), "{}", fixture.name);
        }
        if !fixture.is_failure() {
            assert!(actual.is_none(), "{}", fixture.name);
        }
    }
}
