//! [`QuotaFuture`]: the response future of [`QuotaService`](super::QuotaService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use bytes::Bytes;

pin_project! {
    /// Resolves to the inner service's response, or at once to the layer's own
    /// answer (`429` over quota, `500` for a request without a key).
    pub struct QuotaFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProjected]
    enum Kind<F> {
        Inner { #[pin] future: F },
        Limited { response: Option<http::Response<Bytes>> },
    }
}

impl<F> QuotaFuture<F> {
    pub(super) fn inner(future: F) -> Self {
        Self {
            kind: Kind::Inner { future },
        }
    }

    pub(super) fn answer(response: http::Response<Bytes>) -> Self {
        Self {
            kind: Kind::Limited {
                response: Some(response),
            },
        }
    }
}

impl<F> std::fmt::Debug for QuotaFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QuotaFuture")
    }
}

impl<F, B, E> Future for QuotaFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    B: From<Bytes>,
{
    type Output = Result<http::Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProjected::Inner { future } => Poll::Ready(Ok(ready!(future.poll(cx))?)),
            KindProjected::Limited { response } => {
                let response = response.take().unwrap_or_default();
                Poll::Ready(Ok(response.map(B::from)))
            }
        }
    }
}
