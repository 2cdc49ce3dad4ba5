//! [`RequestBody`]: the request body the layers added with
//! [`Builder::outer_layer`](super::Builder::outer_layer) see, not yet read.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http_body::{Frame, SizeHint};

/// A boxed error, as HTTP bodies report them.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Any request body, boxed: what the layers added with
/// [`Builder::outer_layer`](super::Builder::outer_layer) receive. Nothing of it has
/// been read when they run, so a layer that refuses the request (`401`, `429`) never
/// waits for the body.
pub struct RequestBody {
    inner: Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send>>,
}

impl RequestBody {
    /// Boxes `body`.
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Self {
            inner: Box::pin(Adapter { body }),
        }
    }
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestBody")
    }
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.inner.as_mut().poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// Turns any body's data into `Bytes` and its errors into [`BoxError`].
    struct Adapter<B> {
        #[pin]
        body: B,
    }
}

impl<B> http_body::Body for Adapter<B>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.project().body.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(
                frame.map_data(|mut d| d.copy_to_bytes(d.remaining()))
            ))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
