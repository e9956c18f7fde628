//! Retry policy: how many attempts, how long to wait between them, and a per-client budget
//! so an outage does not multiply the load on a provider.
//!
//! Which requests may be retried at all is decided by their [`Effect`](crate::Effect); this
//! module only says *when*.
//!
//! ```
//! use std::time::Duration;
//! let policy = kassa_core::RetryPolicy::default();
//! assert_eq!(policy.max_attempts, 3);
//! // full jitter: every wait lies in [0, min(cap, base * 2^n)]
//! for n in 0..10 {
//!     assert!(policy.backoff(n) <= policy.max_delay);
//! }
//! ```

use std::sync::Mutex;
use std::time::Duration;

use backon::BackoffBuilder as _;

/// When and how often to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (default 3).
    pub max_attempts: u32,
    /// The first backoff ceiling (default 200 ms).
    pub base_delay: Duration,
    /// The largest backoff ceiling (default 5 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; larger values are cut to it (default 30 s).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    ///
    /// ```
    /// assert_eq!(kassa_core::RetryPolicy::none().max_attempts, 1);
    /// ```
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The ceiling before retry number `retry` (0-based): `min(max_delay, base * 2^retry)`,
    /// taken from backon's exponential schedule.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = kassa_core::RetryPolicy::default();
    /// assert_eq!(p.ceiling(0).as_millis(), 200);
    /// assert_eq!(p.ceiling(1).as_millis(), 400);
    /// assert_eq!(p.ceiling(20), Duration::from_secs(5));
    /// ```
    pub fn ceiling(&self, retry: u32) -> Duration {
        let schedule = backon::ExponentialBuilder::default()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .without_max_times()
            .build();
        schedule
            .take(retry as usize + 1)
            .last()
            .unwrap_or(self.base_delay)
    }

    /// A wait before retry number `retry`, drawn uniformly from `[0, ceiling(retry)]`
    /// (full jitter).
    ///
    /// ```
    /// let p = kassa_core::RetryPolicy::default();
    /// assert!(p.backoff(0) <= p.ceiling(0));
    /// ```
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// The wait a `Retry-After` asks for, bounded by [`RetryPolicy::max_retry_after`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = kassa_core::RetryPolicy::default();
    /// assert_eq!(p.bounded_retry_after(Duration::from_secs(3600)), Duration::from_secs(30));
    /// ```
    pub fn bounded_retry_after(&self, asked: Duration) -> Duration {
        asked.min(self.max_retry_after)
    }
}

/// A per-client token bucket: each retry takes tokens, each success returns some, and when
/// it runs dry calls stop retrying. A failing provider then sees about one request per call
/// instead of three.
///
/// ```
/// let budget = kassa_core::RetryBudget::new(10, 5, 1);
/// assert!(budget.try_withdraw());
/// assert!(budget.try_withdraw());
/// assert!(!budget.try_withdraw());
/// budget.deposit();
/// assert_eq!(budget.available(), 1);
/// ```
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    retry_cost: u32,
    success_refund: u32,
    available: Mutex<u32>,
}

impl Default for RetryBudget {
    /// 500 tokens, 5 a retry, 1 back for every success (the same shape as AWS SDKs use).
    fn default() -> RetryBudget {
        RetryBudget::new(500, 5, 1)
    }
}

impl RetryBudget {
    /// A full budget of `capacity` tokens.
    ///
    /// ```
    /// assert_eq!(kassa_core::RetryBudget::new(7, 1, 1).available(), 7);
    /// ```
    pub fn new(capacity: u32, retry_cost: u32, success_refund: u32) -> RetryBudget {
        RetryBudget {
            capacity,
            retry_cost,
            success_refund,
            available: Mutex::new(capacity),
        }
    }

    /// Takes the cost of one retry; false when the budget cannot pay for it.
    ///
    /// ```
    /// assert!(!kassa_core::RetryBudget::new(0, 1, 1).try_withdraw());
    /// ```
    pub fn try_withdraw(&self) -> bool {
        let mut avail = self.available.lock().unwrap_or_else(|p| p.into_inner());
        if *avail >= self.retry_cost {
            *avail -= self.retry_cost;
            true
        } else {
            false
        }
    }

    /// Returns tokens after a successful call, up to the capacity.
    ///
    /// ```
    /// let b = kassa_core::RetryBudget::new(3, 1, 1);
    /// b.deposit();
    /// assert_eq!(b.available(), 3);
    /// ```
    pub fn deposit(&self) {
        let mut avail = self.available.lock().unwrap_or_else(|p| p.into_inner());
        *avail = (*avail + self.success_refund).min(self.capacity);
    }

    /// Tokens left.
    ///
    /// ```
    /// assert_eq!(kassa_core::RetryBudget::default().available(), 500);
    /// ```
    pub fn available(&self) -> u32 {
        *self.available.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        let got: Vec<u128> = (0..4).map(|n| p.ceiling(n).as_millis()).collect();
        assert_eq!(got, vec![100, 200, 350, 350]);
    }

    #[test]
    fn jitter_stays_within_the_ceiling_and_varies() {
        let p = RetryPolicy::default();
        let draws: Vec<Duration> = (0..200).map(|_| p.backoff(2)).collect();
        assert!(draws.iter().all(|d| *d <= p.ceiling(2)));
        let first = draws[0];
        assert!(draws.iter().any(|d| *d != first), "full jitter must vary");
    }
}
