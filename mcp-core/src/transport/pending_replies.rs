//! Requests the server sends to a legacy client (sampling, elicitation, roots), and
//! the client's replies routed back to the handler waiting for them.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::{Extensions, HeaderMap};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::auth::Principal;
use crate::jsonrpc::{ClientResponse, ErrorObject, Request, RequestId};
use crate::transport::Notifier;

/// A request waiting for its reply, and who may give it.
struct Entry {
    caller: Caller,
    reply: oneshot::Sender<Result<Value, ErrorObject>>,
}

type Waiting = HashMap<RequestId, Entry>;

/// `Mcp-Session-Id`, read (never checked) here: the transport verifies it.
const SESSION_ID: &str = "mcp-session-id";

/// Who sent a request to the server, as far as a reply to a server-to-client
/// request must match it: the legacy session id the request carried, and the
/// digest of its [`Principal`], each when it had one.
///
/// A reply is taken only from the caller whose request asked the question; a
/// request with neither (stdio, an unauthenticated HTTP client without a
/// session) binds its replies to nothing but the unguessable request id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    session: Option<Box<[u8]>>,
    principal: Option<[u8; 32]>,
}

impl Caller {
    /// The caller of a request with these HTTP headers and extensions (empty on
    /// stdio).
    pub fn of(headers: &HeaderMap, extensions: &Extensions) -> Self {
        Self {
            session: headers.get(SESSION_ID).map(|v| v.as_bytes().into()),
            principal: Principal::of(extensions).map(Principal::digest),
        }
    }
}

/// Where replies to server-to-client requests are matched with the requests that
/// wait for them.
///
/// A transport that can carry server-to-client requests puts a clone into each
/// request's [`Envelope`](crate::transport::Envelope) and hands every JSON-RPC response it
/// receives from the client to [`resolve`](Self::resolve). Over stdio there is one
/// per connection. Over HTTP there is one per process, which is why a reply must
/// reach the instance that sent the request (route on the id's prefix, or use
/// sticky sessions); modern clients need none of this (multi round-trip requests).
///
/// Request ids carry 128 random bits, so only the stream a request went out on
/// knows its id, and each waiting request remembers its [`Caller`]: a reply from
/// anyone else is refused exactly like a reply to an unknown id, and leaves the
/// request waiting for its own caller.
#[derive(Clone, Debug)]
pub struct PendingReplies {
    waiting: Arc<Mutex<Waiting>>,
    prefix: Arc<str>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").finish_non_exhaustive()
    }
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
        }
    }

    /// The prefix of every request id this table issues (to route replies to this
    /// instance).
    pub fn id_prefix(&self) -> &str {
        &self.prefix
    }

    /// Hands a client's response to the request waiting for it; `false` when none
    /// waits (unknown id, timed out, or cancelled) or when `from` is not the caller
    /// whose request asked (then the waiting request keeps waiting for its own
    /// caller's reply: treat both cases alike, so a stranger learns nothing).
    pub fn resolve(&self, response: &ClientResponse, from: &Caller) -> bool {
        let sender = {
            let mut waiting = self.lock();
            match waiting.get(response.id()) {
                Some(entry) if entry.caller == *from => waiting.remove(response.id()),
                _ => None,
            }
        };
        let Some(Entry { reply: sender, .. }) = sender else {
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

    /// A fresh request id: the prefix, then 128 random bits, so that only the
    /// stream it was sent on knows it.
    fn new_id(&self) -> Result<RequestId, String> {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random)
            .map_err(|e| format!("cannot draw a request id from the OS: {e}"))?;
        let mut id = String::with_capacity(self.prefix.len() + 33);
        id.push_str(&self.prefix);
        id.push('-');
        for b in random {
            let _ = write!(id, "{b:02x}");
        }
        Ok(RequestId::String(id.into()))
    }

    /// Sends `method` to the client through `out` and waits for `caller`'s reply.
    pub(crate) async fn ask(
        &self,
        out: &Notifier,
        caller: Caller,
        method: &str,
        params: &Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let id = self.new_id()?;
        let request = Request::new(id.clone(), method, Some(params))
            .map_err(|e| format!("cannot send {method}: {e}"))?;
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id.clone(), Entry { caller, reply: tx });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;
    use crate::jsonrpc::Message;

    fn caller(session: Option<&str>, tenant: Option<&str>) -> Caller {
        let mut headers = HeaderMap::new();
        if let Some(s) = session {
            headers.insert(SESSION_ID, s.parse().unwrap());
        }
        let mut extensions = Extensions::new();
        if let Some(t) = tenant {
            extensions.insert(Principal::new(t, "tok").with_scope(Scope::all()));
        }
        Caller::of(&headers, &extensions)
    }

    fn reply(id: &Value, name: &str) -> ClientResponse {
        let text = serde_json::json!({"jsonrpc": "2.0", "id": id, "result": {"name": name}});
        match Message::decode(text.to_string().as_bytes()) {
            Ok(Message::Response(r)) => r,
            _ => panic!("not a response"),
        }
    }

    #[tokio::test]
    async fn only_the_asking_caller_resolves_and_a_stranger_consumes_nothing() {
        let table = PendingReplies::new();
        let (out, mut stream) = Notifier::channel(4);
        let asker = caller(Some("s1.a"), Some("acme"));
        let waiting = {
            let table = table.clone();
            let asker = asker.clone();
            tokio::spawn(async move {
                table
                    .ask(
                        &out,
                        asker,
                        "sampling/createMessage",
                        &serde_json::json!({}),
                        Duration::from_secs(10),
                    )
                    .await
            })
        };
        let sent: Value = serde_json::from_slice(&stream.recv().await.unwrap()).unwrap();
        let id = &sent["id"];
        let random = id
            .as_str()
            .unwrap()
            .strip_prefix(table.id_prefix())
            .unwrap();
        assert_eq!(random.len(), 33, "{id}");
        for stranger in [
            Caller::default(),
            caller(Some("s1.b"), Some("acme")),
            caller(Some("s1.a"), Some("globex")),
            caller(Some("s1.a"), None),
            caller(None, Some("acme")),
        ] {
            assert!(!table.resolve(&reply(id, "mallory"), &stranger));
        }
        assert!(table.resolve(&reply(id, "ann"), &asker));
        assert_eq!(waiting.await.unwrap().unwrap()["name"], "ann");
        // Answered: the id is unknown now, to the asker too.
        assert!(!table.resolve(&reply(id, "ann"), &asker));
        assert!(table.lock().is_empty());
    }

    #[test]
    fn ids_do_not_repeat() {
        let table = PendingReplies::new();
        let a = table.new_id().unwrap();
        assert_ne!(a, table.new_id().unwrap());
    }
}
