//! Asking a status call again and again until the answer is final, within a deadline.
//!
//! ```
//! use std::time::Duration;
//! use kassa_core::poll::{self, Settled, Settles};
//! #[derive(Debug)]
//! struct Status(&'static str);
//! impl Settles for Status {
//!     fn is_final(&self) -> bool { self.0 != "PENDING" }
//!     fn succeeded(&self) -> bool { self.0 == "PAID" }
//! }
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("rt").block_on(async {
//! let mut answers = vec!["PAID", "PENDING"];
//! let out = poll::until(Duration::from_secs(2), Duration::from_secs(30), || {
//!     let s = answers.pop().expect("asked too often");
//!     async move { Ok(Status(s)) }
//! })
//! .await?;
//! assert!(out.succeeded());
//! # Ok::<(), kassa_core::Error>(())
//! # }).expect("polled");
//! ```

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// A status answer that can say whether it is final and whether it succeeded.
///
/// ```
/// struct Paid(bool);
/// impl kassa_core::poll::Settles for Paid {
///     fn is_final(&self) -> bool { true }
///     fn succeeded(&self) -> bool { self.0 }
/// }
/// ```
pub trait Settles {
    /// True when the status will not change any more (paid, refused, cancelled).
    fn is_final(&self) -> bool;
    /// True when it is final and the operation succeeded.
    fn succeeded(&self) -> bool;
}

/// How polling ended.
///
/// ```
/// use kassa_core::poll::Settled;
/// let s: Settled<u8> = Settled::StillPending(0);
/// assert!(!s.is_final());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled<T> {
    /// The status became final.
    Final(T),
    /// The deadline came first; this is the last status seen (not final: ask again later).
    StillPending(T),
}

impl<T> Settled<T> {
    /// True for [`Settled::Final`].
    ///
    /// ```
    /// assert!(kassa_core::poll::Settled::Final(1).is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Settled::Final(_))
    }

    /// The last status seen, final or not.
    ///
    /// ```
    /// assert_eq!(kassa_core::poll::Settled::StillPending(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Settled::Final(t) | Settled::StillPending(t) => t,
        }
    }
}

impl<T: Settles> Settled<T> {
    /// True when the status is final and succeeded.
    ///
    /// ```
    /// struct Ok_;
    /// impl kassa_core::poll::Settles for Ok_ {
    ///     fn is_final(&self) -> bool { true }
    ///     fn succeeded(&self) -> bool { true }
    /// }
    /// assert!(kassa_core::poll::Settled::Final(Ok_).succeeded());
    /// assert!(!kassa_core::poll::Settled::StillPending(Ok_).succeeded());
    /// ```
    pub fn succeeded(&self) -> bool {
        matches!(self, Settled::Final(t) if t.succeeded())
    }
}

/// Calls `check` now, then every `interval`, until its answer [is final](Settles::is_final)
/// or the next call would start after `deadline` (measured from now); then returns the
/// last answer as [`Settled::StillPending`]. An error from `check` is returned at once
/// (the status call's own retries have already run). Uses tokio's clock, so tests can
/// pause it. A zero interval is refused before anything is called.
///
/// ```
/// use std::time::Duration;
/// use kassa_core::poll::{self, Settled, Settles};
/// struct Pending;
/// impl Settles for Pending {
///     fn is_final(&self) -> bool { false }
///     fn succeeded(&self) -> bool { false }
/// }
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("rt").block_on(async {
/// let out = poll::until(Duration::from_secs(5), Duration::from_secs(12), || async { Ok(Pending) }).await?;
/// assert!(matches!(out, Settled::StillPending(_)));
/// # Ok::<(), kassa_core::Error>(())
/// # }).expect("polled");
/// ```
pub async fn until<T, F, Fut>(
    interval: Duration,
    deadline: Duration,
    mut check: F,
) -> Result<Settled<T>, Error>
where
    T: Settles,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    if interval.is_zero() {
        return Err(Error::invalid("interval", "must be longer than zero"));
    }
    let end = Instant::now() + deadline;
    loop {
        let status = check().await?;
        if status.is_final() {
            return Ok(Settled::Final(status));
        }
        if Instant::now() + interval > end {
            return Ok(Settled::StillPending(status));
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum S {
        Pending,
        Paid,
        Refused,
    }

    impl Settles for S {
        fn is_final(&self) -> bool {
            *self != S::Pending
        }
        fn succeeded(&self) -> bool {
            *self == S::Paid
        }
    }

    /// A status call answering `script` in turn (then its last answer), logging when.
    type Calls = Arc<Mutex<Vec<Duration>>>;

    fn scripted(script: Vec<S>) -> (impl FnMut() -> std::future::Ready<Result<S, Error>>, Calls) {
        let start = Instant::now();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let mut i = 0;
        let f = move || {
            log.lock().expect("lock").push(start.elapsed());
            let s = script[i.min(script.len() - 1)];
            i += 1;
            std::future::ready(Ok(s))
        };
        (f, calls)
    }

    #[tokio::test(start_paused = true)]
    async fn polls_at_the_interval_until_final() {
        let (f, calls) = scripted(vec![S::Pending, S::Pending, S::Paid]);
        let out = until(Duration::from_secs(3), Duration::from_secs(60), f)
            .await
            .expect("polls");
        assert_eq!(out, Settled::Final(S::Paid));
        assert!(out.succeeded());
        let secs: Vec<u64> = calls
            .lock()
            .expect("lock")
            .iter()
            .map(Duration::as_secs)
            .collect();
        assert_eq!(secs, [0, 3, 6]);

        let (f, _) = scripted(vec![S::Pending, S::Refused]);
        let out = until(Duration::from_secs(1), Duration::from_secs(60), f)
            .await
            .expect("polls");
        assert!(out.is_final() && !out.succeeded());
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_deadline_with_the_last_status() {
        let started = Instant::now();
        let (f, calls) = scripted(vec![S::Pending]);
        let out = until(Duration::from_secs(4), Duration::from_secs(10), f)
            .await
            .expect("polls");
        assert_eq!(out, Settled::StillPending(S::Pending));
        let secs: Vec<u64> = calls
            .lock()
            .expect("lock")
            .iter()
            .map(Duration::as_secs)
            .collect();
        assert_eq!(secs, [0, 4, 8]);
        assert!(started.elapsed() <= Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_ends_polling_and_a_zero_interval_is_refused() {
        let mut n = 0;
        let err = until(Duration::from_secs(1), Duration::from_secs(10), || {
            n += 1;
            std::future::ready(if n < 2 {
                Ok(S::Pending)
            } else {
                Err(Error::invalid("billId", "unknown"))
            })
        })
        .await
        .unwrap_err();
        assert_eq!(err.field(), Some("billId"));
        assert_eq!(n, 2);
        let mut called = false;
        let err = until(Duration::ZERO, Duration::from_secs(1), || {
            called = true;
            std::future::ready(Ok(S::Paid))
        })
        .await
        .unwrap_err();
        assert_eq!(err.field(), Some("interval"));
        assert!(!called);
    }
}
