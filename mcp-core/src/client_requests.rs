//! Requests the server sends to a legacy client (sampling, elicitation, roots), and
//! the client's replies routed back to the handler waiting for them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;

use crate::{ClientResponse, ErrorObject, Notifier, Request, RequestId};

type Waiting = HashMap<RequestId, oneshot::Sender<Result<Value, ErrorObject>>>;

/// Where replies to server-to-client requests are matched with the requests that
/// wait for them.
///
/// A transport that can carry server-to-client requests puts a clone into each
/// request's [`Envelope`](crate::Envelope) and hands every JSON-RPC response it
/// receives from the client to [`resolve`](Self::resolve). Over stdio there is one
/// per connection. Over HTTP there is one per process, which is why a reply must
/// reach the instance that sent the request (route on the id's prefix, or use
/// sticky sessions); modern clients need none of this (multi round-trip requests).
#[derive(Clone, Debug)]
pub struct PendingReplies {
    waiting: Arc<Mutex<Waiting>>,
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for PendingReplies {
    fn default() -> Self {
        Self::new()
    }
}

impl PendingReplies {
    /// An empty table whose request ids carry a random per-instance prefix.
    pub fn new() -> Self {
        // Only has to tell instances apart, not resist guessing.
        let instance =
            std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8);
        Self {
            waiting: Arc::default(),
            prefix: format!("srv-{instance:016x}").into(),
            next: Arc::default(),
        }
    }

    /// The prefix of every request id this table issues (to route replies to this
    /// instance).
    pub fn id_prefix(&self) -> &str {
        &self.prefix
    }

    /// Hands a client's response to the request waiting for it; `false` when none
    /// waits (unknown id, timed out, or cancelled).
    pub fn resolve(&self, response: &ClientResponse) -> bool {
        let sender = self.lock().remove(response.id());
        let Some(sender) = sender else {
            return false;
        };
        let outcome = match response.outcome() {
            Ok(result) => serde_json::from_str(result.get()).map_err(ErrorObject::internal),
            Err(error) => Err(serde_json::from_str(error.get())
                .unwrap_or_else(|_| ErrorObject::internal("the client sent an unreadable error"))),
        };
        sender.send(outcome).is_ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `method` to the client through `out` and waits for its reply.
    pub(crate) async fn ask(
        &self,
        out: &Notifier,
        method: &str,
        params: &Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = RequestId::String(format!("{}-{n}", self.prefix).into());
        let request = Request::new(id.clone(), method, Some(params))
            .map_err(|e| format!("cannot send {method}: {e}"))?;
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id.clone(), tx);
        // Forget the request however this future ends (answered, timed out, dropped).
        let _guard = Forget {
            table: self,
            id: &id,
        };
        out.send(request.encode()).await;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err(e))) => Err(format!("the client refused {method}: {}", e.message())),
            Ok(Err(_)) => Err(format!(
                "the client connection closed before answering {method}"
            )),
            Err(_) => Err(format!(
                "the client did not answer {method} within {} s",
                timeout.as_secs()
            )),
        }
    }
}

struct Forget<'a> {
    table: &'a PendingReplies,
    id: &'a RequestId,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.table.lock().remove(self.id);
    }
}
