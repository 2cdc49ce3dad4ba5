//! Hole 10: fabricated tokens (well-formed, checksum and all: the checksum is
//! unkeyed) cost a store lookup each. Over real HTTP, from one client, at most one
//! in ten may reach the store; other clients and their valid tokens are unaffected.

use std::net::{IpAddr, Ipv4Addr};

use mcp_auth::{AuthLayer, MemoryStore, NewToken, SigningKey, TokenManager};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

const FLOOD: usize = 3_000;
const WORKERS: usize = 8;

fn client_from(ip: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(ip))
        .build()
        .unwrap()
}

async fn list_tools_at(client: &reqwest::Client, base: &str, token: &str) -> reqwest::Response {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
    within(
        client
            .post(format!("{base}/mcp/{token}"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body.to_string())
            .send(),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_fabricated_tokens_reaches_the_store_at_most_one_time_in_ten() {
    let (store, counts) = CountingStore::new(MemoryStore::new());
    let manager = TokenManager::new(store, SigningKey::generate("k1").unwrap());
    let issued = within(manager.create(NewToken::new("valid", "acct_1")))
        .await
        .unwrap();
    let valid = issued.token.expose_secret();
    let served = Served::start(AuthLayer::new(manager.clone()), |b| b).await;

    // 3,000 fabricated tokens from 127.0.0.1, back to back on 8 connections.
    let attacker = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (client, base) = (attacker.clone(), served.base.clone());
        workers.spawn(async move {
            let (mut unauthorized, mut throttled) = (0usize, 0usize);
            for _ in 0..FLOOD / WORKERS {
                let response = list_tools_at(&client, &base, &random_well_formed()).await;
                match response.status() {
                    StatusCode::UNAUTHORIZED => unauthorized += 1,
                    StatusCode::TOO_MANY_REQUESTS => {
                        let retry: u64 = response.headers()["retry-after"]
                            .to_str()
                            .unwrap()
                            .parse()
                            .unwrap();
                        assert!((1..=60).contains(&retry), "{retry}");
                        throttled += 1;
                    }
                    other => panic!("unexpected {other}"),
                }
            }
            (unauthorized, throttled)
        });
    }
    let (mut unauthorized, mut throttled) = (0, 0);
    while let Some(done) = within(workers.join_next()).await {
        let (u, t) = done.unwrap();
        unauthorized += u;
        throttled += t;
    }
    assert_eq!(unauthorized + throttled, FLOOD);
    let lookups = counts.gets();
    println!("{FLOOD} fabricated tokens: {lookups} store lookups, {throttled} answered 429");
    assert!(
        lookups <= FLOOD / 10,
        "{lookups} of {FLOOD} fabricated tokens reached the store"
    );
    assert_eq!(
        lookups, unauthorized,
        "every 401 cost one lookup, no 429 did"
    );

    // Another client is unaffected: its valid token works, its bad token is a 401.
    let neighbour = client_from(Ipv4Addr::new(127, 0, 0, 2));
    let response = list_tools_at(&neighbour, &served.base, &valid).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = list_tools_at(&neighbour, &served.base, &random_well_formed()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The flooding client waits, whatever it sends (telling a valid token apart
    // would take the lookup the budget saves).
    let response = list_tools_at(&attacker, &served.base, &valid).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_bad_token_is_looked_up_once_and_a_new_token_works_at_once() {
    let (store, counts) = CountingStore::new(MemoryStore::new());
    let manager = TokenManager::new(store, SigningKey::generate("k1").unwrap());
    let served = Served::start(AuthLayer::new(manager.clone()), |b| b).await;
    let client = client_from(Ipv4Addr::new(127, 0, 0, 3));
    let bad = random_well_formed();
    for _ in 0..10 {
        let response = list_tools_at(&client, &served.base, &bad).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(counts.gets(), 1, "the negative cache answered the repeats");
    // Revoked tokens are refused at once and then from the cache.
    let issued = within(manager.create(NewToken::new("t", "acct_1")))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    let token = issued.token.expose_secret();
    let response = list_tools_at(&client, &served.base, &token).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a new token works at once"
    );
    within(manager.revoke(&id)).await.unwrap();
    let response = list_tools_at(&client, &served.base, &token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    served.stop().await;
}
