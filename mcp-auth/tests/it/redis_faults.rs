//! Redis failures: killed, hung, restarted, and a connection dropped in the
//! middle of a token's two writes. The layer must fail closed (503), never hang,
//! never accept, and recover by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use http::StatusCode;
use mcp_auth::{AuthError, NewToken, RedisStore, SigningKey, TokenManager};

use crate::common::*;
use crate::redis_server::{RedisServer, dump};

const RESPONSE_TIMEOUT: Duration = Duration::from_millis(300);

async fn manager_on(server: &RedisServer, response_timeout: Duration) -> TokenManager {
    let store = within(
        RedisStore::builder(&server.url())
            .response_timeout(response_timeout)
            .connect_timeout(Duration::from_millis(300))
            .connect(),
    )
    .await
    .unwrap();
    TokenManager::new(store, SigningKey::generate("k1").unwrap())
}

/// Sends requests until `check` holds for the answer (at most ~10 s).
async fn until_status<S>(service: &S, token: &str, wanted: StatusCode) -> bool
where
    S: tower::Service<
            http::Request<Body>,
            Response = http::Response<Body>,
            Error = std::convert::Infallible,
        > + Clone,
{
    for _ in 0..200 {
        if send(service, to_path(token, list_tools())).await.status == wanted {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_load_fails_every_later_request_closed() {
    let mut server = RedisServer::start();
    let manager = manager_on(&server, RESPONSE_TIMEOUT).await;
    let token = within(manager.create(NewToken::new("load", "acct")))
        .await
        .unwrap()
        .token
        .expose_secret();
    let (service, _) = protected(&manager);
    let killed = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (service, token, killed) = (service.clone(), token.clone(), Arc::clone(&killed));
        workers.push(tokio::spawn(async move {
            let (mut before, mut after) = (Vec::new(), Vec::new());
            let mut after_kill = 0;
            // Bounded: until 10 requests have started after the kill, at most 5000.
            for _ in 0..5000 {
                let started_after_kill = killed.load(Ordering::SeqCst);
                let answer = send(&service, to_path(&token, list_tools())).await;
                if started_after_kill {
                    after.push(answer.status);
                    after_kill += 1;
                    if after_kill == 10 {
                        break;
                    }
                } else {
                    before.push(answer.status);
                }
            }
            (before, after)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill9();
    killed.store(true, Ordering::SeqCst);
    let mut accepted_before = 0;
    for worker in workers {
        let (before, after) = within(worker).await.unwrap();
        assert_eq!(after.len(), 10, "every worker went on after the kill");
        assert!(
            after.iter().all(|s| *s == StatusCode::SERVICE_UNAVAILABLE),
            "after kill -9 every request is 503: {after:?}"
        );
        assert!(
            before
                .iter()
                .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE)
        );
        accepted_before += before.iter().filter(|s| **s == StatusCode::OK).count();
    }
    assert!(accepted_before > 0, "the load ran before the kill");
    let answer = send(&service, to_path(&token, list_tools())).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.headers["retry-after"], "1");
    assert!(answer.challenge().is_empty(), "503 is not an auth failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_redis_gives_503_within_the_response_timeout_and_recovers() {
    let server = RedisServer::start();
    let manager = manager_on(&server, RESPONSE_TIMEOUT).await;
    let token = within(manager.create(NewToken::new("hang", "acct")))
        .await
        .unwrap()
        .token
        .expose_secret();
    let (service, _) = protected(&manager);
    assert_eq!(
        send(&service, to_path(&token, list_tools())).await.status,
        StatusCode::OK
    );

    server.pause();
    let mut slowest = Duration::ZERO;
    for _ in 0..3 {
        let started = Instant::now();
        let answer = send(&service, to_path(&token, list_tools())).await;
        slowest = slowest.max(started.elapsed());
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    // Bounded by the response timeout (300 ms); the generous margin is for a busy
    // machine, the point is that it never hangs.
    assert!(slowest < Duration::from_secs(3), "took {slowest:?}");
    assert!(matches!(
        manager.create(NewToken::new("during", "acct")).await,
        Err(AuthError::StoreUnavailable(_))
    ));

    server.resume();
    assert!(
        until_status(&service, &token, StatusCode::OK).await,
        "recovers after SIGCONT"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_requests_succeed_again_and_revocations_survive_with_aof() {
    let mut server = RedisServer::start_with_aof();
    let manager = manager_on(&server, RESPONSE_TIMEOUT).await;
    let (service, _) = protected(&manager);
    let kept = within(manager.create(NewToken::new("kept", "acct")))
        .await
        .unwrap();
    let revoked = within(manager.create(NewToken::new("revoked", "acct")))
        .await
        .unwrap();
    within(manager.revoke(&revoked.metadata.id)).await.unwrap();
    let (kept, revoked) = (kept.token.expose_secret(), revoked.token.expose_secret());

    server.kill9();
    assert_eq!(
        send(&service, to_path(&kept, list_tools())).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    server.restart();
    assert!(
        until_status(&service, &kept, StatusCode::OK).await,
        "back after restart"
    );
    let answer = send(&service, to_path(&revoked, list_tools())).await;
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "the revocation survived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_between_the_writes_leaves_no_orphan() {
    // How the drop is simulated: an admin connection pauses writes
    // (`CLIENT PAUSE … WRITE`), so the store's `MULTI; SET reverse; SET forward;
    // EXEC` stops inside the transaction (Redis shows the client with flags `xb`:
    // in MULTI, blocked on a write); then the admin kills the store's connection
    // (`CLIENT KILL TYPE normal SKIPME yes`) before unpausing. Redis discards a
    // transaction whose connection closes before `EXEC` runs: neither entry exists.
    let server = RedisServer::start();
    let manager = manager_on(&server, Duration::from_secs(10)).await;
    let mut admin = server.conn();
    let _: () = redis::cmd("CLIENT")
        .arg(&["PAUSE", "20000", "WRITE"][..])
        .query(&mut admin)
        .unwrap();
    let creating = tokio::spawn({
        let manager = manager.clone();
        async move { manager.create(NewToken::new("dropped", "acct")).await }
    });
    let blocked = eventually(|| {
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .query(&mut server.conn())
            .unwrap_or_default();
        list.lines().any(|l| l.contains(" flags=xb "))
    })
    .await;
    assert!(blocked, "the store's transaction is waiting");
    let killed: i64 = redis::cmd("CLIENT")
        .arg(&["KILL", "TYPE", "normal", "SKIPME", "yes"][..])
        .query(&mut admin)
        .unwrap();
    assert!(killed >= 1);
    let _: () = redis::cmd("CLIENT")
        .arg("UNPAUSE")
        .query(&mut admin)
        .unwrap();

    let result = within(creating).await.unwrap();
    assert!(
        matches!(result, Err(AuthError::StoreUnavailable(_))),
        "{result:?}"
    );
    assert!(
        dump(&mut admin, "mcp-auth:").is_empty(),
        "no forward entry without its reverse"
    );

    // The store reconnects by itself and works again.
    let mut issued = None;
    for _ in 0..100 {
        if let Ok(t) = manager.create(NewToken::new("after", "acct")).await {
            issued = Some(t);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let issued = issued.expect("the store recovered");
    assert_eq!(dump(&mut admin, "mcp-auth:").len(), 3);
    assert!(manager.verify(&issued.token.expose_secret()).await.is_ok());
}
