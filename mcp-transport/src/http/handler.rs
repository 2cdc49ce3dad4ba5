//! [`Handler`]: the inner service that answers a checked request, possibly wrapped in
//! user layers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};

use super::Body;
use super::dispatch::Dispatch;

type Boxed = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, Infallible>;

/// The MCP dispatch step as a tower service: what a layer added with
/// [`Builder::layer`](super::Builder::layer) wraps. It receives a request that passed
/// the HTTP checks, with its body read, and answers with the JSON-RPC response.
#[derive(Clone)]
pub struct Handler {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Dispatch(Dispatch),
    Boxed(Boxed),
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Dispatch(_) => "Handler(dispatch)",
            Inner::Boxed(_) => "Handler(layered)",
        })
    }
}

impl Handler {
    pub(crate) fn dispatch(dispatch: Dispatch) -> Self {
        Self {
            inner: Inner::Dispatch(dispatch),
        }
    }

    pub(crate) fn boxed<S>(service: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Self {
            inner: Inner::Boxed(BoxCloneSyncService::new(service)),
        }
    }

    /// Answers one request (without the `&mut self` of [`Service::call`]).
    pub(crate) async fn handle(&self, request: http::Request<Body>) -> http::Response<Body> {
        match &self.inner {
            Inner::Dispatch(d) => d.handle(request).await,
            Inner::Boxed(b) => match b.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            },
        }
    }
}

impl Service<http::Request<Body>> for Handler {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}
