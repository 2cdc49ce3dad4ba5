//! [`ReauthHook`]: what to do when the upstream rejects the stored credentials.

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use http::Extensions;

use crate::NormalizedError;

/// What a re-authentication hook receives.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReauthEvent<A> {
    /// The provider to reconnect, when known.
    pub provider: Option<String>,
    /// The error that triggered the hook.
    pub error: NormalizedError,
    /// The caller's account metadata (whatever the application keeps per
    /// connected account), when the request carried it.
    pub account: Option<A>,
}

type Callback<A> = dyn Fn(ReauthEvent<A>) -> BoxFuture<'static, ()> + Send + Sync;

/// A user callback run when a normalized error says `needs_reauth`: mark the
/// account, fire a webhook. The model meanwhile gets a "reconnect `<provider>`" hint.
///
/// `A` is the application's account metadata; [`NormalizerChain::check`](crate::NormalizerChain::check)
/// finds it in the request extensions by type, and [`notify`](Self::notify) takes it
/// directly.
///
/// ```
/// use mcp_errors::{NormalizedError, ReauthHook};
/// use std::sync::{Arc, Mutex};
///
/// #[derive(Clone)]
/// struct Account { id: String }
///
/// let marked = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&marked);
/// let hook = ReauthHook::new(move |event: mcp_errors::ReauthEvent<Account>| {
///     let sink = Arc::clone(&sink);
///     async move {
///         if let Some(account) = event.account {
///             sink.lock().unwrap().push(account.id);
///         }
///     }
/// });
/// let err = NormalizedError::new(401, "Token revoked.").with_needs_reauth(true);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert!(hook.notify(&err, Some(Account { id: "acct_1".into() })).await);
/// # });
/// assert_eq!(*marked.lock().unwrap(), ["acct_1"]);
/// ```
pub struct ReauthHook<A> {
    callback: Arc<Callback<A>>,
}

impl<A> Clone for ReauthHook<A> {
    fn clone(&self) -> Self {
        Self {
            callback: Arc::clone(&self.callback),
        }
    }
}

impl<A> fmt::Debug for ReauthHook<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReauthHook")
    }
}

impl<A: Send + 'static> ReauthHook<A> {
    /// A hook running `callback`.
    pub fn new<F, Fut>(callback: F) -> Self
    where
        F: Fn(ReauthEvent<A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            callback: Arc::new(move |event| Box::pin(callback(event))),
        }
    }

    /// Runs the callback if `error.needs_reauth`; returns whether it ran.
    pub async fn notify(&self, error: &NormalizedError, account: Option<A>) -> bool {
        if !error.needs_reauth {
            return false;
        }
        let event = ReauthEvent {
            provider: error.provider.clone(),
            error: error.clone(),
            account,
        };
        (self.callback)(event).await;
        true
    }
}

/// The hook with its account type erased, as the chain stores it.
pub(crate) trait ErasedReauth: Send + Sync {
    fn run<'a>(
        &'a self,
        error: &'a NormalizedError,
        extensions: &'a Extensions,
    ) -> BoxFuture<'a, ()>;
}

impl<A: Clone + Send + Sync + 'static> ErasedReauth for ReauthHook<A> {
    fn run<'a>(
        &'a self,
        error: &'a NormalizedError,
        extensions: &'a Extensions,
    ) -> BoxFuture<'a, ()> {
        let account = extensions.get::<A>().cloned();
        Box::pin(async move {
            self.notify(error, account).await;
        })
    }
}
