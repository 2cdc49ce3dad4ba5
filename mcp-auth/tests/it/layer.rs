//! The layer on its own: where tokens are read from, what is rejected without a
//! lookup, the answers it gives, and the path rewrite.

use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, StatusCode};
use http_body_util::Full;
use mcp_auth::{AuthLayer, MemoryStore, NewToken, SigningKey, TokenManager};
use tower::Layer;

use crate::common::*;

fn counted_manager() -> (TokenManager, Counts) {
    let (store, counts) = CountingStore::new(MemoryStore::new());
    let key = SigningKey::generate("k1").unwrap();
    (TokenManager::new(store, key), counts)
}

#[tokio::test]
async fn ten_thousand_random_well_formed_tokens_are_all_refused_without_writes() {
    let (manager, counts) = counted_manager();
    let (service, calls) = protected(&manager);
    for i in 0..10_000 {
        let token = random_well_formed();
        let request = if i % 2 == 0 {
            to_path(&token, list_tools())
        } else {
            with_bearer(&token, list_tools())
        };
        let answer = send(&service, request).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.challenge(), r#"Bearer error="invalid_token""#);
    }
    assert_eq!(counts.writes(), 0);
    assert_eq!(counts.gets(), 10_000, "one lookup per token, one key");
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the MCP service never ran");
}

fn request_with(values: &[HeaderValue]) -> Request<Body> {
    let mut request = Request::post("/mcp").body(list_tools()).unwrap();
    for v in values {
        request.headers_mut().append(AUTHORIZATION, v.clone());
    }
    request
}

#[tokio::test]
async fn twenty_malformed_authorization_values_are_refused_without_a_lookup() {
    let (manager, counts) = counted_manager();
    let issued = manager.create(NewToken::new("real", "acct")).await.unwrap();
    let good = issued.token.expose_secret();
    let gets_after_setup = counts.gets();
    let (service, calls) = protected(&manager);
    let text = |s: &str| HeaderValue::from_str(s).unwrap();
    let mut flipped = good.clone().into_bytes();
    flipped[75] = if flipped[75] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let cases: Vec<(&str, Vec<HeaderValue>, StatusCode)> = vec![
        ("empty", vec![text("")], StatusCode::UNAUTHORIZED),
        (
            "Bearer alone",
            vec![text("Bearer")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "Bearer and spaces",
            vec![text("Bearer    ")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "Basic",
            vec![text("Basic dXNlcjpwYXNz")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "other scheme",
            vec![text(&format!("Token {good}"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "no space",
            vec![text(&format!("Bearer{good}"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "tab separator",
            vec![text(&format!("Bearer\t{good}"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "10 KB",
            vec![text(&format!("Bearer {}", "a".repeat(10 * 1024)))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "non-hex",
            vec![text(&format!("Bearer mcp_{}", "zq".repeat(36)))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "uppercase",
            vec![text(&format!("Bearer {}", good.to_uppercase()))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "truncated",
            vec![text(&format!("Bearer {}", &good[..75]))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "one extra digit",
            vec![text(&format!("Bearer {good}0"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "bad checksum",
            vec![text(&format!("Bearer {flipped}"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "wrong prefix",
            vec![text(&format!("Bearer ghp_{}", &good[4..]))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "trailing garbage",
            vec![text(&format!("Bearer {good} x"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "percent-encoded NUL",
            vec![text(&format!("Bearer {good}%00"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "obs-text bytes",
            vec![HeaderValue::from_bytes(b"Bearer mcp_\xff\xfe").unwrap()],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "trailing tab",
            vec![text(&format!("Bearer {good}\t"))],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "two headers, both the real token",
            vec![
                text(&format!("Bearer {good}")),
                text(&format!("Bearer {good}")),
            ],
            StatusCode::BAD_REQUEST,
        ),
        (
            "two headers, one empty",
            vec![text(""), text(&format!("Bearer {good}"))],
            StatusCode::BAD_REQUEST,
        ),
    ];
    assert_eq!(cases.len(), 20);
    for (name, values, status) in cases {
        let answer = send(&service, request_with(&values)).await;
        assert_eq!(answer.status, status, "{name}");
        assert!(answer.challenge().starts_with("Bearer"), "{name}");
        assert_eq!(answer.body, "", "{name}");
    }
    // NUL, CR and LF cannot even be put into a header value (hyper refuses them on
    // the wire, before any service runs).
    for bad in [&b"Bearer \0x"[..], b"Bearer x\r\nX-Evil: 1", b"Bearer \nx"] {
        assert!(HeaderValue::from_bytes(bad).is_err());
    }
    // In the path they arrive percent-encoded, and fail the format check.
    for path in [
        format!("/mcp/{good}%00"),
        format!("/mcp/{good}%0D%0A"),
        format!("/mcp/%00{}", &good[1..]),
    ] {
        let request = Request::post(path).body(list_tools()).unwrap();
        assert_eq!(
            send(&service, request).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        counts.gets(),
        gets_after_setup,
        "no lookup for a malformed token"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn challenges_name_the_error_only_when_a_token_was_presented() {
    let (manager, _) = counted_manager();
    let (service, _) = protected(&manager);
    let bare = send(&service, Request::post("/mcp").body(list_tools()).unwrap()).await;
    assert_eq!(bare.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bare.challenge(), "Bearer");
    assert_eq!(bare.headers["cache-control"], "no-store");
    let wrong = send(&service, with_bearer(&random_well_formed(), list_tools())).await;
    assert_eq!(wrong.challenge(), r#"Bearer error="invalid_token""#);
}

#[tokio::test]
async fn tokens_in_query_strings_are_ignored() {
    let (manager, counts) = counted_manager();
    let good = manager
        .create(NewToken::new("real", "acct"))
        .await
        .unwrap()
        .token
        .expose_secret();
    let (service, _) = protected(&manager);
    for uri in [
        format!("/mcp?token={good}"),
        format!("/mcp?access_token={good}"),
        format!("/mcp/?{good}"),
    ] {
        let gets = counts.gets();
        let answer = send(
            &service,
            Request::post(uri.as_str()).body(list_tools()).unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(answer.challenge(), "Bearer", "{uri}");
        assert_eq!(counts.gets(), gets, "{uri}");
    }
}

#[tokio::test]
async fn path_and_header_tokens_reach_the_endpoint_with_its_own_path() {
    let (manager, _) = counted_manager();
    let good = manager
        .create(NewToken::new("real", "acct"))
        .await
        .unwrap()
        .token
        .expose_secret();
    let (service, calls) = protected(&manager);
    let by_path = send(&service, to_path(&good, list_tools())).await;
    assert_eq!(by_path.status, StatusCode::OK, "{}", by_path.body);
    assert_eq!(by_path.tool_names().len(), 4);
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let mut request = Request::post("/mcp").body(list_tools()).unwrap();
        request.headers_mut().insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("{scheme} {good}")).unwrap(),
        );
        assert_eq!(
            send(&service, request).await.status,
            StatusCode::OK,
            "{scheme}"
        );
    }
    // The rest of the path and the query survive the rewrite.
    let request = Request::post(format!("/mcp/{good}/extra?x=1"))
        .body(list_tools())
        .unwrap();
    let answer = send(&service, request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.body, "/mcp/extra?x=1");
    assert_eq!(calls.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn the_path_prefix_and_endpoint_are_configurable() {
    let (manager, _) = counted_manager();
    let good = manager
        .create(NewToken::new("real", "acct"))
        .await
        .unwrap()
        .token
        .expose_secret();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let service = AuthLayer::new(manager)
        .path_prefix("/tenants/")
        .rewrite_to("/mcp")
        .layer(mcp_service(crm_server(), calls));
    let ok = send(
        &service,
        Request::post(format!("/tenants/{good}"))
            .body(list_tools())
            .unwrap(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let old = send(&service, to_path(&good, Full::new(Bytes::new()))).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
}
