//! [`ConnIo`]: the accepted socket as hyper sees it: the bytes already read to tell
//! HTTP/1 from HTTP/2 replayed first, and writes under a deadline.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::activity::Activity;

/// The bytes read before hyper took over (at most the HTTP/2 preface's 24).
pub(super) struct Sniffed {
    pub(super) buf: [u8; 24],
    pub(super) len: usize,
}

pub(super) struct ConnIo {
    stream: TcpStream,
    sniffed: Sniffed,
    replayed: usize,
    write_timeout: Duration,
    /// Armed while a write cannot proceed.
    stalled: Option<Pin<Box<Sleep>>>,
    armed: bool,
    /// HTTP/1: told when bytes arrive (the start of the next request head).
    reads: Option<Arc<Activity>>,
}

impl ConnIo {
    pub(super) fn new(
        stream: TcpStream,
        sniffed: Sniffed,
        write_timeout: Duration,
        reads: Option<Arc<Activity>>,
    ) -> Self {
        Self {
            stream,
            sniffed,
            replayed: 0,
            write_timeout,
            stalled: None,
            armed: false,
            reads,
        }
    }

    /// Applies the write deadline to a write that returned `polled`.
    fn deadline<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.armed = false;
            return polled;
        }
        let at = Instant::now() + self.write_timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        if !self.armed {
            sleep.as_mut().reset(at);
            self.armed = true;
        }
        ready!(sleep.as_mut().poll(cx));
        self.armed = false;
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client took no response bytes within the write timeout",
        )))
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.replayed < this.sniffed.len {
            let rest = &this.sniffed.buf[this.replayed..this.sniffed.len];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.replayed += n;
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stream).poll_read(cx, buf))?;
        if buf.filled().len() > before
            && let Some(activity) = &this.reads
        {
            activity.bytes_read();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.deadline(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.deadline(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_flush(cx);
        this.deadline(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
