//! What one connection is doing, and when it must be closed: the header, idle and
//! write deadlines of [`ServeConfig`](super::ServeConfig), for HTTP/1 and HTTP/2
//! alike.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// The deadlines a connection is held to.
#[derive(Clone, Copy, Debug)]
pub(super) struct Deadlines {
    pub(super) header: Duration,
    pub(super) idle: Duration,
    pub(super) write: Duration,
}

/// One connection's requests, shared by its driver, its service and its response
/// bodies.
#[derive(Debug)]
pub(super) struct Activity {
    state: Mutex<State>,
    /// Wakes the driver when a deadline may have moved earlier: the first request,
    /// the last one in flight ending, the next HTTP/1 head beginning.
    changed: Notify,
}

#[derive(Debug)]
struct State {
    accepted: Instant,
    /// Request heads received.
    requests: u64,
    in_flight: usize,
    /// Since when no request is in flight.
    idle_since: Instant,
    /// HTTP/1: when bytes of the next request head began to arrive.
    head_started: Option<Instant>,
    /// Responses whose last chunk the client has not taken yet, and since when.
    waiting: Vec<(u64, Instant)>,
    next_id: u64,
}

/// What the connection's driver should do now.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Nothing until then (or until the connection ends).
    Wait(Instant),
    /// Close the connection now; the reason is logged.
    Close(&'static str),
    /// Idle for too long: close it gracefully (HTTP/2 `GOAWAY`).
    Drain,
}

/// One request in flight: counted until dropped (with its response body, or with
/// the service's future if it never answered).
#[derive(Debug)]
pub(super) struct Active {
    activity: Arc<Activity>,
    id: u64,
    waiting: bool,
}

impl Activity {
    pub(super) fn new(accepted: Instant) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                accepted,
                requests: 0,
                in_flight: 0,
                idle_since: accepted,
                head_started: None,
                waiting: Vec::new(),
                next_id: 0,
            }),
            changed: Notify::new(),
        })
    }

    /// Completes when a deadline may have moved earlier.
    pub(super) async fn changed(&self) {
        self.changed.notified().await;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request head arrived.
    pub(super) fn start(self: &Arc<Self>) -> Active {
        let mut s = self.lock();
        if s.requests == 0 {
            self.changed.notify_one();
        }
        s.requests += 1;
        s.in_flight += 1;
        s.head_started = None;
        let id = s.next_id;
        s.next_id += 1;
        Active {
            activity: Arc::clone(self),
            id,
            waiting: false,
        }
    }

    /// HTTP/1: bytes arrived; between requests, they begin the next head.
    pub(super) fn bytes_read(&self) {
        let mut s = self.lock();
        if s.requests > 0 && s.in_flight == 0 && s.head_started.is_none() {
            s.head_started = Some(Instant::now());
            self.changed.notify_one();
        }
    }

    /// What to do at `now`. `tick` bounds the wait while requests are in flight, so
    /// a response that starts waiting on the client is noticed in time.
    pub(super) fn verdict(&self, now: Instant, d: &Deadlines) -> Verdict {
        let s = self.lock();
        let due = |at: Instant, why| {
            if now >= at {
                Verdict::Close(why)
            } else {
                Verdict::Wait(at)
            }
        };
        if s.requests == 0 {
            return due(s.accepted + d.header, "no complete request head in time");
        }
        if s.in_flight > 0 {
            let tick = now + (d.write / 4).max(Duration::from_millis(10));
            return match s.waiting.iter().map(|(_, since)| *since).min() {
                Some(since) => match due(since + d.write, "the client stopped reading") {
                    Verdict::Wait(at) => Verdict::Wait(at.min(tick)),
                    close => close,
                },
                None => Verdict::Wait(tick),
            };
        }
        if let Some(started) = s.head_started {
            return due(started + d.header, "request head too slow");
        }
        let at = s.idle_since + d.idle;
        if now >= at {
            Verdict::Drain
        } else {
            Verdict::Wait(at)
        }
    }
}

impl Active {
    /// A response chunk was handed over: the client must take it within the write
    /// timeout.
    pub(super) fn handed_over(&mut self) {
        let mut s = self.activity.lock();
        if !self.waiting {
            s.waiting.push((self.id, Instant::now()));
        }
        self.waiting = true;
    }

    /// The connection asked for the next chunk: the previous one was taken.
    pub(super) fn taken(&mut self) {
        if self.waiting {
            self.waiting = false;
            self.activity
                .lock()
                .waiting
                .retain(|(id, _)| *id != self.id);
        }
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        let mut s = self.activity.lock();
        if self.waiting {
            s.waiting.retain(|(id, _)| *id != self.id);
        }
        s.in_flight -= 1;
        if s.in_flight == 0 {
            s.idle_since = Instant::now();
            self.activity.changed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Deadlines = Deadlines {
        header: Duration::from_secs(10),
        idle: Duration::from_secs(60),
        write: Duration::from_secs(30),
    };

    #[tokio::test(start_paused = true)]
    async fn header_then_idle_then_stall() {
        let t0 = Instant::now();
        let a = Activity::new(t0);
        let s = Duration::from_secs;
        assert_eq!(a.verdict(t0, &D), Verdict::Wait(t0 + s(10)));
        assert!(matches!(a.verdict(t0 + s(10), &D), Verdict::Close(_)));
        let mut active = a.start();
        assert_eq!(
            a.verdict(t0 + s(10), &D),
            Verdict::Wait(t0 + s(10) + s(30) / 4)
        );
        active.handed_over();
        tokio::time::advance(s(29)).await;
        active.handed_over();
        assert!(matches!(a.verdict(t0 + s(30), &D), Verdict::Close(_)));
        active.taken();
        assert!(matches!(a.verdict(t0 + s(30), &D), Verdict::Wait(_)));
        drop(active);
        let idle = Instant::now();
        assert_eq!(a.verdict(idle, &D), Verdict::Wait(idle + s(60)));
        assert_eq!(a.verdict(idle + s(60), &D), Verdict::Drain);
        a.bytes_read();
        assert!(matches!(a.verdict(idle + s(10), &D), Verdict::Close(_)));
    }
}
