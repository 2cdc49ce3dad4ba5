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

#[tokio::test]
async fn rotated_keys_keep_old_tokens_until_removed() {
    let (store, counts) = CountingStore::new(MemoryStore::new());
    let manager = TokenManager::new(store, SigningKey::generate("2025").unwrap());
    let old = manager.create(NewToken::new("old", "acct")).await.unwrap();
    assert_eq!(old.metadata.key_id, "2025");
    let old = old.token.expose_secret();

    manager
        .rotate_key(SigningKey::generate("2026").unwrap())
        .unwrap();
    assert_eq!(manager.key_ids(), ["2026", "2025"]);
    let new = manager.create(NewToken::new("new", "acct")).await.unwrap();
    assert_eq!(new.metadata.key_id, "2026");
    let new = new.token.expose_secret();
    assert!(manager.verify(&old).await.is_ok());
    assert!(manager.verify(&new).await.is_ok());

    // An unknown token costs one lookup per key, no more.
    let before = counts.gets();
    let unknown = {
        let issued = TokenManager::new(MemoryStore::new(), SigningKey::generate("x").unwrap())
            .create(NewToken::new("elsewhere", "acct"))
            .await
            .unwrap();
        issued.token.expose_secret()
    };
    assert!(matches!(
        manager.verify(&unknown).await,
        Err(AuthError::Unknown)
    ));
    assert_eq!(counts.gets() - before, 2);

    assert!(manager.remove_key("2026").is_err(), "the active key stays");
    manager.remove_key("2025").unwrap();
    assert!(matches!(
        manager.verify(&old).await,
        Err(AuthError::Unknown)
    ));
    assert!(manager.verify(&new).await.is_ok());
    assert!(
        manager
            .rotate_key(SigningKey::generate("2026").unwrap())
            .is_err()
    );
}
