//! The re-authentication hook: runs with the caller's account metadata, and the
//! model is told to reconnect.

use std::sync::{Arc, Mutex};

use http::{Extensions, HeaderMap, StatusCode};
use mcp_errors::{NormalizerChain, ReauthEvent, ReauthHook, UpstreamResponse};

use crate::support::timed;

#[derive(Clone, Debug, PartialEq)]
struct Account {
    id: String,
    team: String,
}

fn slack(body: &str) -> UpstreamResponse {
    UpstreamResponse::new(StatusCode::OK, HeaderMap::new(), body.to_owned()).with_provider("Slack")
}

#[tokio::test]
async fn the_hook_runs_with_the_account_and_the_model_is_told_to_reconnect() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let hook = ReauthHook::new(move |event: ReauthEvent<Account>| {
        let sink = Arc::clone(&sink);
        async move {
            sink.lock()
                .unwrap()
                .push((event.provider, event.account, event.error.code));
        }
    });
    let chain = NormalizerChain::builtin().on_reauth(hook);
    let mut extensions = Extensions::new();
    let account = Account {
        id: "acct_42".into(),
        team: "T1".into(),
    };
    extensions.insert(account.clone());

    let err = timed(chain.check(
        &slack(r#"{"ok":false,"error":"token_revoked"}"#),
        &extensions,
    ))
    .await
    .unwrap_err();
    let text = err.into_result().text();
    assert!(text.contains("reconnect Slack"), "{text}");
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            Some("Slack".to_owned()),
            Some(account),
            Some("token_revoked".to_owned())
        )]
    );

    // Not a credentials problem: the hook stays quiet.
    let err = timed(chain.check(
        &slack(r#"{"ok":false,"error":"channel_not_found"}"#),
        &extensions,
    ))
    .await
    .unwrap_err();
    assert!(!err.into_result().text().contains("reconnect"));
    // No account in the request: the hook still runs, without one.
    timed(chain.check(
        &slack(r#"{"ok":false,"error":"invalid_auth"}"#),
        &Extensions::new(),
    ))
    .await
    .unwrap_err();
    // A success passes.
    timed(chain.check(&slack(r#"{"ok":true}"#), &extensions))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].1, None);
}
