//! Create → use → extend → permanent → revoke; the expiry boundary on a clock the
//! test controls; minimum lifetime; the memory store's sweep; key rotation.

use std::time::Duration;

use http::StatusCode;
use mcp_auth::{
    AuthError, ManualClock, MemoryStore, NewToken, SigningKey, Timestamp, TokenManager,
};

use crate::common::*;

const MINUTE: Duration = Duration::from_secs(60);

fn manual_manager(store: MemoryStore) -> (TokenManager, ManualClock) {
    let clock = ManualClock::new(Timestamp::now());
    let manager = TokenManager::builder(store, SigningKey::generate("k1").unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    (manager, clock)
}

#[tokio::test]
async fn create_use_extend_make_permanent_revoke() {
    let (manager, clock) = manual_manager(MemoryStore::new());
    let (service, _) = protected(&manager);
    let expires = clock.now().saturating_add(2 * MINUTE);
    let issued = within(manager.create(NewToken::new("crm", "acct").expires_at(Some(expires))))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    assert_eq!(issued.metadata.expires_at, Some(expires));
    let token = issued.token.expose_secret();
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );

    // Extend: a later date keeps it alive past the old one.
    let later = expires.saturating_add(10 * MINUTE);
    let updated = within(manager.set_expiry(&id, Some(later))).await.unwrap();
    assert_eq!(updated.expires_at, Some(later));
    clock.set(expires.saturating_add(MINUTE));
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );

    // Permanent: `null` clears the expiry.
    let updated = within(manager.set_expiry(&id, None)).await.unwrap();
    assert_eq!(updated.expires_at, None);
    clock.advance(Duration::from_secs(10 * 365 * 86_400));
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );
    assert_eq!(within(manager.get(&id)).await.unwrap().expires_at, None);

    // Revoke: the next request fails, and the id is gone.
    within(manager.revoke(&id)).await.unwrap();
    let answer = send(&service, to_path(&token, list_tools())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge(), r#"Bearer error="invalid_token""#);
    assert!(matches!(manager.get(&id).await, Err(AuthError::NotFound)));
    assert!(matches!(
        manager.revoke(&id).await,
        Err(AuthError::NotFound)
    ));
    assert!(matches!(
        manager.set_expiry(&id, None).await,
        Err(AuthError::NotFound)
    ));
}

#[tokio::test]
async fn expiry_is_checked_by_the_library_even_while_the_store_holds_the_entry() {
    // The store runs on the real clock (its entry lives ~2 more minutes); the
    // manager's clock is moved by the test.
    let store = MemoryStore::new();
    let (manager, clock) = manual_manager(store.clone());
    let (service, _) = protected(&manager);
    let expires = clock.now().saturating_add(2 * MINUTE);
    let issued = manager
        .create(NewToken::new("short", "acct").expires_at(Some(expires)))
        .await
        .unwrap();
    let id = issued.metadata.id.clone();
    let token = issued.token.expose_secret();

    clock.set(expires.saturating_sub(Duration::from_millis(1)));
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );

    clock.set(expires);
    let answer = send(&service, with_bearer(&token, list_tools())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge(), r#"Bearer error="invalid_token""#);
    assert!(matches!(
        manager.verify(&token).await,
        Err(AuthError::Expired)
    ));
    assert_eq!(store.len(), 1, "the store still holds the entry");
    // An expired token cannot be brought back.
    assert!(matches!(
        manager.set_expiry(&id, None).await,
        Err(AuthError::NotFound)
    ));
    assert!(matches!(manager.get(&id).await, Err(AuthError::NotFound)));
}

#[tokio::test]
async fn expires_at_must_be_at_least_sixty_seconds_ahead() {
    let (manager, clock) = manual_manager(MemoryStore::new());
    let now = clock.now();
    let create = |at: Timestamp| manager.create(NewToken::new("t", "acct").expires_at(Some(at)));
    assert!(matches!(
        create(now.saturating_add(Duration::from_millis(59_999))).await,
        Err(AuthError::ExpiryTooSoon { min_secs: 60 })
    ));
    assert!(matches!(create(now).await, Err(AuthError::ExpiryInPast)));
    assert!(matches!(
        create(now.saturating_sub(MINUTE)).await,
        Err(AuthError::ExpiryInPast)
    ));
    let issued = create(now.saturating_add(MINUTE)).await.unwrap();
    let error = manager
        .set_expiry(
            &issued.metadata.id,
            Some(now.saturating_add(Duration::from_secs(30))),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "expires_at must be at least 60 seconds in the future"
    );
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        manager
            .set_expiry(&issued.metadata.id, Some(now))
            .await
            .unwrap_err()
            .to_string(),
        "expires_at is in the past"
    );
}

#[tokio::test]
async fn the_sweep_leaves_no_stale_entry_after_expiry() {
    let clock = ManualClock::new(Timestamp::now());
    let store = MemoryStore::builder()
        .clock(clock.clone())
        .sweep_interval(Duration::from_millis(10))
        .build();
    let manager = TokenManager::builder(store.clone(), SigningKey::generate("k1").unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    let soon = clock.now().saturating_add(MINUTE);
    for i in 0..5 {
        let at = soon.saturating_add(Duration::from_secs(i));
        manager
            .create(NewToken::new("t", "acct").expires_at(Some(at)))
            .await
            .unwrap();
    }
    let keeper = manager
        .create(NewToken::new("forever", "acct"))
        .await
        .unwrap();
    assert_eq!(store.len(), 6);
    clock.advance(2 * MINUTE);
    assert!(eventually(|| store.len() == 1).await, "left: {store:?}");
    assert!(format!("{store:?}").contains("forward_entries: 1, reverse_entries: 1"));
    assert!(manager.get(&keeper.metadata.id).await.is_ok());
}

/// Key rotation is configuration every instance is given, rolled out in two
/// steps (see `TokenManagerBuilder`): at every point of the rollout, a token
/// minted by any instance verifies on every other one.
#[tokio::test]
async fn a_rotation_rolled_out_as_configuration_keeps_every_instance_in_agreement() {
    let (store, counts) = CountingStore::new(MemoryStore::new());
    let store = std::sync::Arc::new(store);
    // Every instance derives the same key from the same configuration.
    let secret = |id: &str| SigningKey::new(id, format!("{id:0>32}").as_bytes()).unwrap();
    let instance = |active: &str, retiring: &[&str]| {
        let mut builder = TokenManager::builder(std::sync::Arc::clone(&store), secret(active));
        for id in retiring {
            builder = builder.retiring_key(secret(id));
        }
        builder.build().unwrap()
    };
    let a = instance("2025", &[]);
    let old = a.create(NewToken::new("old", "acct")).await.unwrap();
    assert_eq!(old.metadata.key_id, "2025");
    let old = old.token.expose_secret();

    // Step 1 everywhere: the new key verifies but does not sign.
    let b = instance("2025", &["2026"]);
    // Step 2 reaches instance a first: it signs with the new key...
    let a = instance("2026", &["2025"]);
    assert_eq!(a.key_ids(), ["2026", "2025"]);
    let new = a.create(NewToken::new("new", "acct")).await.unwrap();
    assert_eq!(new.metadata.key_id, "2026");
    let new = new.token.expose_secret();
    // ...and b, not yet switched, verifies what a minted, and the other way round.
    let from_b = b.create(NewToken::new("b", "acct")).await.unwrap();
    let from_b = from_b.token.expose_secret();
    for manager in [&a, &b] {
        for token in [&old, &new, &from_b] {
            assert!(manager.verify(token).await.is_ok());
        }
    }

    // An unknown token costs one lookup per key, no more (then the negative cache).
    let before = counts.gets();
    let unknown = {
        let issued = TokenManager::new(MemoryStore::new(), SigningKey::generate("x").unwrap())
            .create(NewToken::new("elsewhere", "acct"))
            .await
            .unwrap();
        issued.token.expose_secret()
    };
    for _ in 0..3 {
        assert!(matches!(a.verify(&unknown).await, Err(AuthError::Unknown)));
    }
    assert_eq!(counts.gets() - before, 2);

    // Step 3: the old key leaves the ring; its tokens stop working.
    let a = instance("2026", &[]);
    assert!(matches!(a.verify(&old).await, Err(AuthError::Unknown)));
    assert!(a.verify(&new).await.is_ok());
    // A ring is checked when it is built.
    let duplicate = TokenManager::builder(MemoryStore::new(), secret("2026"))
        .retiring_key(secret("2026"))
        .build();
    assert!(duplicate.is_err());
}
