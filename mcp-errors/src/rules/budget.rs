//! [`Budget`]: how much work the jq expressions may do on one response.
//!
//! jaq has no fuel of its own, but it asks its context for the table of compiled
//! terms at every step it takes (every term evaluated, every call, every loop
//! round, tail calls included). The context here is a [`Meter`] that counts those
//! requests, and every 64 steps also looks at the clock and at how deep the stack
//! has grown. When any of the three runs out, it unwinds out of jaq
//! (`resume_unwind`, which skips the panic hook) to [`Budget::run`], which reports
//! [`Exhausted`]. The native `range/3` counts one step per number it yields, so
//! `[range(1e12)]` ends as well.
//!
//! This relies on unwinding: in a binary built with `panic = "abort"`, an
//! expression that exceeds its budget aborts the process instead (the
//! configuration is the operator's, so keep such rules simple there).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::{Duration, Instant};

use jaq_core::Lut;
use jaq_core::data::{DataT, HasLut};
use jaq_json::Val;

/// Steps all expressions of a rule set may take on one response, by default.
pub(crate) const DEFAULT_STEPS: u64 = 10_000;

/// Time all expressions of a rule set may take on one response, by default.
pub(crate) const DEFAULT_TIME: Duration = Duration::from_millis(250);

/// How far the stack may grow under an expression (jaq recurses natively, and a
/// worker thread has 2 MiB).
const MAX_STACK: usize = 256 * 1024;

/// The limits a rule set runs under.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) steps: u64,
    pub(crate) time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            steps: DEFAULT_STEPS,
            time: DEFAULT_TIME,
        }
    }
}

/// What is left of the limits while one response is normalized.
pub(crate) struct Budget {
    limits: Limits,
    steps: Cell<u64>,
    spent: Cell<bool>,
    started: Instant,
    stack_base: Cell<usize>,
}

/// The budget ran out; the expression was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exhausted;

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            steps: Cell::new(0),
            spent: Cell::new(false),
            started: Instant::now(),
            stack_base: Cell::new(0),
        }
    }

    /// Steps taken so far.
    #[cfg(test)]
    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Runs `f`, stopping it when the budget runs out.
    pub(crate) fn run<T>(&self, f: impl FnOnce() -> T) -> Result<T, Exhausted> {
        if self.spent.get() {
            return Err(Exhausted);
        }
        self.stack_base.set(stack_address());
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => Ok(value),
            Err(payload) if payload.is::<Exhausted>() => {
                // Later expressions on this response get nothing either.
                self.spent.set(true);
                Err(Exhausted)
            }
            Err(payload) => resume_unwind(payload),
        }
    }

    /// Counts one step; unwinds when the budget is spent.
    fn step(&self) {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        let spent = n > self.limits.steps
            || (n.is_multiple_of(64)
                && (self.started.elapsed() > self.limits.time
                    || stack_address().abs_diff(self.stack_base.get()) > MAX_STACK));
        if spent {
            resume_unwind(Box::new(Exhausted));
        }
    }
}

/// The address of a local: how deep the stack is now.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The data type expressions run on: JSON values, and a [`Meter`] as context.
pub(crate) struct Metered;

impl DataT for Metered {
    type V<'a> = Val;
    type Data<'a> = Meter<'a>;
}

/// The context of a running expression: the compiled terms and the budget.
#[derive(Clone)]
pub(crate) struct Meter<'a> {
    lut: &'a Lut<Metered>,
    budget: &'a Budget,
}

impl<'a> Meter<'a> {
    pub(crate) fn new(lut: &'a Lut<Metered>, budget: &'a Budget) -> Self {
        Self { lut, budget }
    }
}

impl<'a> HasLut<'a, Metered> for Meter<'a> {
    fn lut(&self) -> &'a Lut<Metered> {
        self.budget.step();
        self.lut
    }
}

/// `range(from; to; by)` as jaq defines it (`by` 0 repeats `from` forever), one
/// step per number yielded.
pub(crate) fn range<'a>(
    mut cv: jaq_core::Cv<'a, Metered>,
) -> jaq_core::ValXs<'a, <Metered as DataT>::V<'a>> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let by = cv.0.pop_var();
    let to = cv.0.pop_var();
    let from = cv.0.pop_var();
    let budget = cv.0.data().budget;
    let cmp = by.partial_cmp(&Val::from(0isize)).unwrap_or(Equal);
    let mut next: Option<jaq_core::ValX<Val>> = Some(Ok(from));
    Box::new(std::iter::from_fn(move || {
        let x = match next.take()? {
            Ok(x) => x,
            Err(e) => return Some(Err(e)),
        };
        let more = match cmp {
            Greater => x < to,
            Less => x > to,
            Equal => x != to,
        };
        if !more {
            return None;
        }
        budget.step();
        next = Some((x.clone() + by.clone()).map_err(jaq_core::Exn::from));
        Some(Ok(x))
    }))
}
