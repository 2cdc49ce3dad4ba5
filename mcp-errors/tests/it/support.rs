//! Shared helpers: timeouts on every future.

use std::future::Future;
use std::time::Duration;

/// Runs `fut` under a 20 s timeout.
pub(crate) async fn timed<T>(fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(20), fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out"),
    }
}
