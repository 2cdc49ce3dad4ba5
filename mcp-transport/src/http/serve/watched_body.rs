//! [`WatchedBody`]: a response body that tells its connection when the client has
//! a chunk to take, so a client that stops reading is noticed.

use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::{Body, Frame, SizeHint};

use super::activity::Active;

pin_project_lite::pin_project! {
    /// `B`, with its request counted in flight until the body ends or is dropped.
    pub(super) struct WatchedBody<B> {
        #[pin]
        inner: B,
        active: Option<Active>,
    }
}

impl<B> WatchedBody<B> {
    pub(super) fn new(inner: B, active: Active) -> Self {
        Self {
            inner,
            active: Some(active),
        }
    }
}

impl<B: Body> Body for WatchedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        if let Some(active) = this.active.as_mut() {
            active.taken();
        }
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(_))) => {
                if let Some(active) = this.active.as_mut() {
                    active.handed_over();
                }
            }
            Poll::Ready(_) => *this.active = None,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
