//! The raw token, once handed out, is found nowhere: not in metadata, not in
//! `Debug` output, not in logs at TRACE level (which name the token id instead).

use std::io::Write;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, KeyInit, Mac};
use http::StatusCode;
use mcp_auth::{MemoryStore, NewToken, SigningKey, TokenManager};
use sha2::Sha256;

use crate::common::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn the_raw_token_and_its_hash_appear_in_no_log_and_no_debug_output() {
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let secret_key = [0x5a_u8; 32];
    let (token, id, debug_dump) = tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = MemoryStore::new();
            let manager =
                TokenManager::new(store.clone(), SigningKey::new("k1", &secret_key).unwrap());
            let issued = within(manager.create(NewToken::new("crm", "acct_1")))
                .await
                .unwrap();
            let mut dump = format!("{issued:?} {manager:?} {store:?}");
            dump += &serde_json::to_string(&issued.metadata).unwrap();
            let id = issued.metadata.id.clone();
            let token = issued.token.expose_secret();
            let (service, _) = protected(&manager);
            assert_eq!(
                send(&service, to_path(&token, list_tools())).await.status,
                StatusCode::OK
            );
            assert_eq!(
                send(&service, with_bearer(&token, list_tools()))
                    .await
                    .status,
                StatusCode::OK
            );
            dump += &format!("{:?}", manager.get(&id).await.unwrap());
            manager.set_expiry(&id, None).await.unwrap();
            manager.revoke(&id).await.unwrap();
            let refused = send(&service, to_path(&token, list_tools())).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
            let malformed = &token[..70];
            send(&service, with_bearer(malformed, list_tools())).await;
            (token, id, dump)
        })
    });
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&secret_key).unwrap();
    mac.update(token.as_bytes());
    let hash = hex::encode(mac.finalize().into_bytes());
    let logs = logs.text();
    assert!(
        logs.contains(id.as_str()),
        "logs name the token id:\n{logs}"
    );
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "{logs}");
    let secret_part = &token[4..68];
    for (what, text) in [("logs", &logs), ("debug output", &debug_dump)] {
        assert!(!text.contains(secret_part), "raw token in {what}");
        assert!(
            !text.contains(&token[4..20]),
            "part of the raw token in {what}"
        );
        assert!(!text.contains(&hash), "token hash in {what}");
        assert!(
            !text.contains(&hash[..16]),
            "part of the token hash in {what}"
        );
    }
}
