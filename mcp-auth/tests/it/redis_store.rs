//! `RedisStore` against a real Redis: entry layout and expiry, the lifecycle, no
//! stale keys after expiry, and no raw token in the data.

use std::time::Duration;

use http::StatusCode;
use mcp_auth::{AuthError, ManualClock, NewToken, RedisStore, SigningKey, Timestamp, TokenManager};

use crate::common::*;
use crate::redis_server::{TestRedis, dump};

const MINUTE: Duration = Duration::from_secs(60);

async fn store(redis: &TestRedis) -> RedisStore {
    within(
        RedisStore::builder(&redis.url)
            .key_prefix(redis.prefix.clone())
            .connect(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn lifecycle_keeps_both_entries_in_step() {
    let redis = TestRedis::new();
    let mut conn = redis.conn();
    let clock = ManualClock::new(Timestamp::now());
    let manager = TokenManager::builder(store(&redis).await, SigningKey::generate("k1").unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    let (service, _) = protected(&manager);
    let expires = clock.now().saturating_add(5 * MINUTE);
    let issued = within(manager.create(NewToken::new("crm", "acct").expires_at(Some(expires))))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    let token = issued.token.expose_secret();

    let entries = dump(&mut conn, &redis.prefix);
    assert_eq!(
        entries.len(),
        3,
        "forward, reverse and its copy: {entries:?}"
    );
    let at = i64::try_from(expires.as_unix_millis()).unwrap();
    assert!(
        entries.iter().all(|(_, _, e)| *e == at),
        "all expire at expires_at"
    );
    let reverse = entries
        .iter()
        .find(|(k, _, _)| k.ends_with(id.as_str()))
        .unwrap();
    let forward = entries.iter().find(|(k, _, _)| k.contains(":t:")).unwrap();
    assert!(
        forward.0.ends_with(&reverse.1),
        "reverse entry names the forward key"
    );
    assert!(forward.1.contains("\"account_id\":\"acct\""));

    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );

    let later = expires.saturating_add(60 * MINUTE);
    within(manager.set_expiry(&id, Some(later))).await.unwrap();
    let at = i64::try_from(later.as_unix_millis()).unwrap();
    assert!(
        dump(&mut conn, &redis.prefix)
            .iter()
            .all(|(_, _, e)| *e == at)
    );
    clock.set(expires.saturating_add(MINUTE));
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );

    // Shortening is allowed too (still at least 60 s ahead).
    let sooner = clock.now().saturating_add(2 * MINUTE);
    within(manager.set_expiry(&id, Some(sooner))).await.unwrap();
    let at = i64::try_from(sooner.as_unix_millis()).unwrap();
    assert!(
        dump(&mut conn, &redis.prefix)
            .iter()
            .all(|(_, _, e)| *e == at)
    );

    within(manager.set_expiry(&id, None)).await.unwrap();
    let entries = dump(&mut conn, &redis.prefix);
    assert!(
        entries.iter().all(|(_, _, e)| *e == -1),
        "permanent: {entries:?}"
    );
    assert!(
        entries
            .iter()
            .any(|(_, v, _)| v.contains("\"expires_at\":null"))
    );
    clock.advance(Duration::from_secs(86_400 * 365));
    assert_eq!(
        send(&service, with_bearer(&token, list_tools()))
            .await
            .status,
        StatusCode::OK
    );

    within(manager.revoke(&id)).await.unwrap();
    assert!(dump(&mut conn, &redis.prefix).is_empty());
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(matches!(
        manager.revoke(&id).await,
        Err(AuthError::NotFound)
    ));
}

#[tokio::test]
async fn expired_tokens_leave_no_keys_behind() {
    let redis = TestRedis::new();
    let mut conn = redis.conn();
    // The manager's clock runs 58.5 s behind the real one, so a token that
    // expires "60 s from now" is gone from Redis 1.5 s from now.
    let clock = ManualClock::new(Timestamp::now().saturating_sub(Duration::from_millis(58_500)));
    let manager = TokenManager::builder(store(&redis).await, SigningKey::generate("k1").unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    let expires = clock.now().saturating_add(MINUTE);
    let issued = within(manager.create(NewToken::new("short", "acct").expires_at(Some(expires))))
        .await
        .unwrap();
    let token = issued.token.expose_secret();
    assert_eq!(dump(&mut conn, &redis.prefix).len(), 3);
    assert!(
        within(manager.verify(&token)).await.is_ok(),
        "valid on the manager's clock"
    );

    let gone = eventually(|| dump(&mut redis.conn(), &redis.prefix).is_empty()).await;
    assert!(gone, "Redis removed both entries at expires_at");
    assert!(matches!(
        manager.verify(&token).await,
        Err(AuthError::Unknown)
    ));
    assert!(matches!(
        manager.get(&issued.metadata.id).await,
        Err(AuthError::NotFound)
    ));
}

#[tokio::test]
async fn the_store_holds_no_raw_token() {
    let redis = TestRedis::new();
    let manager = TokenManager::new(store(&redis).await, SigningKey::generate("k1").unwrap());
    let mut tokens = Vec::new();
    for i in 0..5 {
        let issued = within(manager.create(NewToken::new(format!("t{i}"), "acct")))
            .await
            .unwrap();
        tokens.push((issued.metadata.id.clone(), issued.token.expose_secret()));
    }
    let entries = dump(&mut redis.conn(), &redis.prefix);
    assert_eq!(entries.len(), 15);
    let everything = format!("{entries:?}");
    for (id, token) in &tokens {
        assert!(
            !everything.contains(&token[4..68]),
            "raw token found in Redis"
        );
        assert!(!everything.contains(&token[4..20]));
        assert!(within(manager.verify(token)).await.is_ok());
        within(manager.revoke(id)).await.unwrap();
    }
    assert!(dump(&mut redis.conn(), &redis.prefix).is_empty());
}

#[tokio::test]
async fn an_unreachable_redis_fails_at_connect() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let result = within(
        RedisStore::builder(&format!("redis://127.0.0.1:{port}/"))
            .connect_timeout(Duration::from_millis(200))
            .connect(),
    )
    .await;
    assert!(result.is_err_and(|e| e.is_unavailable()));
}

/// A corrupt reverse entry (not a hash, or the wrong Redis type) no longer leaves
/// the forward entry, and so the token, alive after a revocation.
#[tokio::test]
async fn revoke_removes_the_forward_entry_even_when_the_reverse_entry_is_corrupt() {
    let redis = TestRedis::new();
    let mut conn = redis.conn();
    let manager = TokenManager::new(store(&redis).await, SigningKey::generate("k1").unwrap());
    let (service, _) = protected(&manager);
    for corruption in ["garbage", "wrong type"] {
        let issued = within(manager.create(NewToken::new("crm", "acct")))
            .await
            .unwrap();
        let id = issued.metadata.id.clone();
        let token = issued.token.expose_secret();
        let reverse = format!("{}id:{id}", redis.prefix);
        let _: () = redis::cmd("DEL").arg(&reverse).query(&mut conn).unwrap();
        if corruption == "garbage" {
            let _: () = redis::cmd("SET")
                .arg(&reverse)
                .arg("not-a-hash")
                .query(&mut conn)
                .unwrap();
        } else {
            let _: () = redis::cmd("LPUSH")
                .arg(&reverse)
                .arg("x")
                .query(&mut conn)
                .unwrap();
        }
        assert_eq!(
            send(&service, to_path(&token, list_tools())).await.status,
            StatusCode::OK
        );
        within(manager.revoke(&id)).await.unwrap();
        assert_eq!(
            send(&service, to_path(&token, list_tools())).await.status,
            StatusCode::UNAUTHORIZED,
            "{corruption}: the token is dead after revoke"
        );
        assert!(matches!(
            within(manager.get(&id)).await,
            Err(AuthError::NotFound)
        ));
        let left: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", redis.prefix))
            .query(&mut conn)
            .unwrap();
        assert!(left.is_empty(), "{corruption}: {left:?}");
    }
    // Both copies corrupt: the revocation fails loudly and keeps the evidence.
    let issued = within(manager.create(NewToken::new("crm", "acct")))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    let reverse = format!("{}id:{id}", redis.prefix);
    let _: () = redis::cmd("SET")
        .arg(&reverse)
        .arg("zz")
        .query(&mut conn)
        .unwrap();
    assert_eq!(
        within(manager.get(&id)).await.unwrap().id,
        id,
        "read via the copy"
    );
    for key in ["id", "id2"] {
        let _: () = redis::cmd("SET")
            .arg(format!("{}{key}:{id}", redis.prefix))
            .arg("zz")
            .query(&mut conn)
            .unwrap();
    }
    assert!(matches!(
        within(manager.revoke(&id)).await,
        Err(AuthError::CorruptEntry(_))
    ));
}
