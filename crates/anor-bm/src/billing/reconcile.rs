//! Reconciling after a lost answer: asking `status` until the bill settles
//! ([`kassa_core::poll::until`]).

use std::time::Duration;

use kassa_core::Error;

use kassa_core::poll::Settles;

use super::{Bill, BillStatus, StatusRequest};
use crate::client::Client;

/// One ask of [`Client::reconcile`]: a bill (and whether it reached an awaited state), or
/// a failure worth asking again (transport, 5xx).
enum Seen {
    Bill(Box<Bill>, bool),
    Failed(Error),
}

impl Settles for Seen {
    fn is_final(&self) -> bool {
        matches!(self, Seen::Bill(_, true))
    }

    fn succeeded(&self) -> bool {
        matches!(self, Seen::Bill(bill, true) if bill.succeeded())
    }
}

/// How [`Client::reconcile`] polls `status`.
///
/// ```
/// use std::time::Duration;
/// use anor_bm::{BillStatus, ReconcileOptions};
/// let o = ReconcileOptions::after("hold-confirm", Duration::from_secs(60));
/// assert_eq!(o.until, vec![BillStatus::Success, BillStatus::Cancelled]);
/// let o = ReconcileOptions::new(Duration::from_secs(30)).interval(Duration::from_secs(5));
/// assert_eq!(o.interval, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Stop asking after this long.
    pub timeout: Duration,
    /// Wait between two asks (default 2 s).
    pub interval: Duration,
    /// The states that settle the question (default: `SUCCESS`, `HOLD_SUCCESS`, `CANCELLED`).
    pub until: Vec<BillStatus>,
}

impl ReconcileOptions {
    /// Ask for up to `timeout`, until a final state.
    pub fn new(timeout: Duration) -> ReconcileOptions {
        ReconcileOptions {
            timeout,
            interval: Duration::from_secs(2),
            until: vec![
                BillStatus::Success,
                BillStatus::HoldSuccess,
                BillStatus::Cancelled,
            ],
        }
    }

    /// The states that settle a lost answer of `operation`:
    ///
    /// | operation | settled by |
    /// |---|---|
    /// | unregistered-check | any state (the bill exists) |
    /// | unregistered-pay, hold-confirm | `SUCCESS`, `CANCELLED` |
    /// | hold, hold-more | `HOLD_SUCCESS`, `SUCCESS`, `CANCELLED` (for hold-more compare the amount) |
    /// | cancel, hold-reverse | `CANCELLED` |
    /// | hold-reverse-partial | `HOLD_SUCCESS`, `CANCELLED` (compare the amount) |
    pub fn after(operation: &str, timeout: Duration) -> ReconcileOptions {
        use BillStatus::*;
        let until = match operation {
            "unregistered-check" => vec![CheckOk, Success, HoldSuccess, Cancelled],
            "unregistered-pay" | "hold-confirm" => vec![Success, Cancelled],
            "hold" | "hold-more" => vec![HoldSuccess, Success, Cancelled],
            "cancel" | "hold-reverse" => vec![Cancelled],
            "hold-reverse-partial" => vec![HoldSuccess, Cancelled],
            _ => return ReconcileOptions::new(timeout),
        };
        ReconcileOptions {
            until,
            ..ReconcileOptions::new(timeout)
        }
    }

    /// Sets the wait between two asks.
    pub fn interval(mut self, interval: Duration) -> ReconcileOptions {
        self.interval = interval;
        self
    }

    /// Sets the states that settle the question.
    pub fn until(mut self, states: &[BillStatus]) -> ReconcileOptions {
        self.until = states.to_vec();
        self
    }
}

/// What [`Client::reconcile`] learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// The bill reached one of the awaited states.
    Settled(Bill),
    /// The deadline passed; the last bill seen, in a state not awaited.
    Pending(Bill),
}

impl Reconciled {
    /// The bill, settled or not.
    pub fn bill(&self) -> &Bill {
        match self {
            Reconciled::Settled(b) | Reconciled::Pending(b) => b,
        }
    }
}

impl Client {
    /// Asks `status` until the bill reaches one of `opts.until` or `opts.timeout` passes.
    ///
    /// Retryable failures of `status` (transport, 5xx) are asked again; a refusal
    /// (`bill_not_found`, ...) is returned at once. At the deadline: the last bill seen as
    /// [`Reconciled::Pending`], or the last error when no bill was seen.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use std::time::Duration;
    /// use anor_bm::{ReconcileOptions, Reconciled, StatusRequest};
    /// let opts = ReconcileOptions::after("unregistered-pay", Duration::from_secs(60));
    /// match client.reconcile(&StatusRequest::bill(935191), &opts).await? {
    ///     Reconciled::Settled(bill) => println!("settled: {}", bill.status),
    ///     Reconciled::Pending(bill) => println!("still {}: ask again later", bill.status),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reconcile(
        &self,
        lookup: &StatusRequest,
        opts: &ReconcileOptions,
    ) -> Result<Reconciled, Error> {
        lookup.validate()?;
        // The last bill seen, for the deadline when the last ask failed.
        let last_bill = std::sync::Mutex::new(None::<Bill>);
        let seen = kassa_core::poll::until(opts.interval, opts.timeout, || async {
            match self.status(lookup).await {
                Ok(bill) => {
                    let settled = opts.until.contains(&bill.status);
                    if !settled {
                        tracing::debug!(status = %bill.status, "reconcile: not settled yet");
                        *last_bill.lock().unwrap_or_else(|p| p.into_inner()) = Some(bill.clone());
                    }
                    Ok(Seen::Bill(Box::new(bill), settled))
                }
                Err(e) if e.is_retryable() => {
                    tracing::debug!(error = %e, "reconcile: status failed, asking again");
                    Ok(Seen::Failed(e))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
        match seen.into_inner() {
            Seen::Bill(bill, true) => Ok(Reconciled::Settled(*bill)),
            Seen::Bill(bill, false) => Ok(Reconciled::Pending(*bill)),
            Seen::Failed(e) => match last_bill.into_inner().unwrap_or_else(|p| p.into_inner()) {
                Some(bill) => Ok(Reconciled::Pending(bill)),
                None => Err(e),
            },
        }
    }

    /// Reconciles the outcome-unknown error of a billing call: asks the status it names
    /// until the states [`ReconcileOptions::after`] gives for its operation, for up to
    /// `timeout`. Errors that are not outcome-unknown, or name no status call, are refused
    /// as invalid input (field `error`).
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use std::time::Duration;
    /// let req = anor_bm::PayRequest::new(935191, anor_bm::Otp::new("445566")?);
    /// if let Err(e) = client.unregistered_pay(&req).await {
    ///     if e.outcome_unknown().is_some() {
    ///         let learned = client.reconcile_outcome(&e, Duration::from_secs(60)).await?;
    ///         println!("{}", learned.bill().status);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reconcile_outcome(
        &self,
        err: &Error,
        timeout: Duration,
    ) -> Result<Reconciled, Error> {
        let unknown = err
            .outcome_unknown()
            .ok_or_else(|| Error::invalid("error", "not an outcome-unknown error"))?;
        let lookup = unknown
            .reconcile
            .as_ref()
            .and_then(StatusRequest::from_reconcile)
            .ok_or_else(|| Error::invalid("error", "names no status call to ask"))?;
        let opts = ReconcileOptions::after(unknown.operation, timeout);
        self.reconcile(&lookup, &opts).await
    }
}
