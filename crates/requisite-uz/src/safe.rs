//! The safe payment flow the document prescribes, as one helper.
//!
//! 1. Create the order once with its `orderId` (payment or payment-budget).
//! 2. «Проведен» or «Удален»: done. «Введен» (or an unknown status): pending, go to 3.
//!    A definite refusal (1013, ...): return it, nothing was done.
//!    A lost answer, 1111, 2222 or an undocumented code: the order may exist; never create
//!    again, go to 3.
//! 3. Ask payment-status with the same `orderId` every `poll_interval` until «Проведен»,
//!    «Удален» or the deadline.
//!    Only when payment-status answers 1008 (no such order) is the order created again,
//!    with the same `orderId` and the same body (back to 1), at most `max_creates` times
//!    in all.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use kassa_core::poll::{self, Settles};
use kassa_core::{CallOptions, Error, Operation};
use tokio::time::Instant;

use crate::client::Client;
use crate::error::{Code, code_of};
use crate::payment::{
    PaymentBudgetRequest, PaymentOrder, PaymentRequest, PaymentResult, PaymentStatus, order_op,
};
use crate::services::Service;
use crate::wire::ServiceId;

/// An order for the safe flow: a payment by requisites or a budget payment.
///
/// ```
/// # fn order(req: requisite_uz::PaymentRequest) {
/// let order = requisite_uz::Order::from(req);
/// println!("{}", order.order_id());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    /// `POST /api/v2/payment`.
    Payment(PaymentRequest),
    /// `POST /api/v2/paymentBudget`.
    Budget(PaymentBudgetRequest),
}

impl From<PaymentRequest> for Order {
    fn from(req: PaymentRequest) -> Order {
        Order::Payment(req)
    }
}

impl From<PaymentBudgetRequest> for Order {
    fn from(req: PaymentBudgetRequest) -> Order {
        Order::Budget(req)
    }
}

impl Order {
    /// The `orderId`.
    pub fn order_id(&self) -> &str {
        match self {
            Order::Payment(r) => &r.order_id,
            Order::Budget(r) => &r.order_id,
        }
    }

    /// The `serviceId`.
    pub fn service_id(&self) -> ServiceId {
        match self {
            Order::Payment(r) => r.service_id,
            Order::Budget(r) => r.service_id,
        }
    }

    fn check(&self, service: Option<&Service>) -> Result<(), Error> {
        match self {
            Order::Payment(r) => r.check(service),
            Order::Budget(r) => r.check(service),
        }
    }

    fn operation(&self) -> Operation {
        match self {
            Order::Payment(r) => order_op(PaymentRequest::OPERATION, &r.order_id),
            Order::Budget(r) => order_op(PaymentBudgetRequest::OPERATION, &r.order_id),
        }
    }

    async fn send(&self, client: &Client, options: &CallOptions) -> Result<PaymentResult, Error> {
        match self {
            Order::Payment(r) => client.send_order(r, Some(options)).await,
            Order::Budget(r) => client.send_order(r, Some(options)).await,
        }
    }
}

/// How long and how often the safe flow asks, and how often it may create.
///
/// ```
/// use std::time::Duration;
/// let opts = requisite_uz::SafePayOptions {
///     deadline: Duration::from_secs(600),
///     ..requisite_uz::SafePayOptions::default()
/// };
/// assert_eq!(opts.max_creates, 3);
/// ```
#[derive(Debug, Clone)]
pub struct SafePayOptions {
    /// How long to keep asking payment-status, from the start of the flow (default 2 min).
    pub deadline: Duration,
    /// The wait before each payment-status request (default 5 s; at least 100 ms).
    pub poll_interval: Duration,
    /// How many times in all the order may be sent (default 3: the first creation and two
    /// more, each allowed only by a 1008 from payment-status; at least 1).
    pub max_creates: u32,
    /// The service to check the card fields against; by default the client's cached list.
    pub service: Option<Service>,
    /// Per-call options for the creation requests.
    pub create_options: CallOptions,
    /// Per-call options for the payment-status requests.
    pub status_options: CallOptions,
}

impl Default for SafePayOptions {
    fn default() -> SafePayOptions {
        SafePayOptions {
            deadline: Duration::from_secs(120),
            poll_interval: Duration::from_secs(5),
            max_creates: 3,
            service: None,
            create_options: CallOptions::default(),
            status_options: CallOptions::default(),
        }
    }
}

/// How the safe flow ended.
///
/// ```
/// use requisite_uz::{PaymentResult, PaymentStatus, SafeOutcome};
/// fn say(outcome: &SafeOutcome) -> &'static str {
///     match outcome {
///         SafeOutcome::Posted(_) => "paid",
///         SafeOutcome::Deleted(_) => "refused by the bank; a new attempt needs a new orderId",
///         SafeOutcome::Pending(_) => "not final: ask payment-status later",
///     }
/// }
/// let entered = PaymentResult { payment_status: PaymentStatus::Entered, doc_id: "1290084933".into() };
/// assert_eq!(say(&SafeOutcome::Pending(entered)), "not final: ask payment-status later");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafeOutcome {
    /// «Проведен»: the payment is done.
    Posted(PaymentResult),
    /// «Удален»: the bank refused the order; nothing was paid. To try again, create a new
    /// order with a new `orderId`.
    Deleted(PaymentResult),
    /// Still «Введен» (or a status the document does not list) at the deadline: not final,
    /// never success. Ask payment-status later (e.g. [`Client::resume_safely`]).
    Pending(PaymentResult),
}

/// The result of the safe flow: how it ended and what it took.
///
/// ```no_run
/// # async fn run(client: requisite_uz::Client, order: requisite_uz::Order) -> Result<(), kassa_core::Error> {
/// let done = client.pay_safely(&order, &requisite_uz::SafePayOptions::default()).await?;
/// println!("{}: posted={} after {} send(s), {} status check(s)",
///     done.order_id, done.is_posted(), done.creates, done.status_checks);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafePayment {
    /// The `orderId` the flow used, every time.
    pub order_id: String,
    /// How it ended.
    pub outcome: SafeOutcome,
    /// How many times the order was sent.
    pub creates: u32,
    /// How many payment-status requests were sent.
    pub status_checks: u32,
}

impl SafePayment {
    /// True only when the payment is «Проведен».
    pub fn is_posted(&self) -> bool {
        matches!(self.outcome, SafeOutcome::Posted(_))
    }
}

const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// What one payment-status request said, for [`poll::until`].
enum Probe {
    /// A status: final («Проведен», «Удален») or not.
    Status(PaymentResult),
    /// 1008: the bank has no such order; it may be created again.
    NoSuchOrder(Error),
    /// The status cannot be asked (credentials, bad input): stop.
    Stop(Error),
    /// The request failed (kept in [`Memory::last_error`]): ask again.
    Failed,
}

impl Settles for Probe {
    fn is_final(&self) -> bool {
        match self {
            Probe::Status(r) => r.is_final(),
            Probe::NoSuchOrder(_) | Probe::Stop(_) => true,
            Probe::Failed => false,
        }
    }

    fn succeeded(&self) -> bool {
        matches!(self, Probe::Status(r) if r.succeeded())
    }
}

/// What the flow has learnt so far.
#[derive(Default)]
struct Memory {
    status_checks: u32,
    last_status: Option<PaymentResult>,
    last_error: Option<Error>,
}

impl Memory {
    fn probe(&mut self, order_id: &str, answer: Result<PaymentResult, Error>) -> Probe {
        self.status_checks += 1;
        match answer {
            Ok(result) => {
                tracing::debug!(order_id, status = %result.payment_status, "payment status");
                self.last_status = Some(result.clone());
                Probe::Status(result)
            }
            Err(e) if code_of(&e) == Some(&Code::NoData) => Probe::NoSuchOrder(e),
            Err(e) if e.is_auth() || e.field().is_some() => Probe::Stop(e),
            Err(e) => {
                tracing::debug!(order_id, error = %e, "payment-status failed; asking again");
                self.last_error = Some(e);
                Probe::Failed
            }
        }
    }
}

impl Client {
    /// Creates the order and follows it to a final status the way the document prescribes
    /// (see the [module docs](crate::safe)): a lost answer, 1111 or 2222 never leads to a
    /// second creation unless payment-status answers 1008, and then with the same
    /// `orderId`.
    ///
    /// Returns `Ok` with [`SafeOutcome::Posted`], [`SafeOutcome::Deleted`] or
    /// [`SafeOutcome::Pending`] (the deadline passed while the order was «Введен»), and
    /// `Err` when the bank refused the order (nothing was done), or when no status could be
    /// learned before the deadline ([`Error::OutcomeUnknown`], naming payment-status and the
    /// `orderId`).
    ///
    /// ```no_run
    /// use requisite_uz::{Order, SafeOutcome, SafePayOptions};
    /// # async fn run(client: requisite_uz::Client, req: requisite_uz::PaymentRequest) -> Result<(), kassa_core::Error> {
    /// let done = client.pay_safely(&Order::from(req), &SafePayOptions::default()).await?;
    /// match done.outcome {
    ///     SafeOutcome::Posted(r) => println!("paid, doc {}", r.doc_id),
    ///     SafeOutcome::Deleted(_) => println!("refused by the bank; a new attempt needs a new orderId"),
    ///     SafeOutcome::Pending(_) => println!("still entered; ask again later with resume_safely"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pay_safely(
        &self,
        order: &Order,
        opts: &SafePayOptions,
    ) -> Result<SafePayment, Error> {
        self.run_safely(order, opts, true).await
    }

    /// The safe flow for an order that may already have been sent (after an
    /// [`Error::OutcomeUnknown`] from [`Client::payment`], or a [`SafeOutcome::Pending`]):
    /// it starts by asking payment-status, and creates the order again only on 1008.
    ///
    /// ```no_run
    /// use requisite_uz::{Order, SafePayOptions};
    /// # async fn run(client: requisite_uz::Client, req: requisite_uz::PaymentRequest) -> Result<(), kassa_core::Error> {
    /// if let Err(e) = client.payment(&req).await {
    ///     if e.outcome_unknown().is_some() {
    ///         let done = client.resume_safely(&Order::from(req), &SafePayOptions::default()).await?;
    ///         println!("{:?}", done.outcome);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn resume_safely(
        &self,
        order: &Order,
        opts: &SafePayOptions,
    ) -> Result<SafePayment, Error> {
        self.run_safely(order, opts, false).await
    }

    async fn run_safely(
        &self,
        order: &Order,
        opts: &SafePayOptions,
        mut create: bool,
    ) -> Result<SafePayment, Error> {
        if opts.poll_interval < MIN_POLL_INTERVAL {
            return Err(Error::invalid(
                "poll_interval",
                "must be at least 100 ms, or the flow would flood payment-status",
            ));
        }
        if opts.max_creates == 0 {
            return Err(Error::invalid("max_creates", "must be at least 1"));
        }
        let service = self.service_for(order.service_id(), opts.service.as_ref())?;
        order.check(service.as_ref())?;
        let order_id = order.order_id();
        let end = Instant::now() + opts.deadline;
        let mut creates = 0;
        let memory = Mutex::new(Memory::default());
        let finish = |outcome: SafeOutcome, creates: u32, memory: Mutex<Memory>| SafePayment {
            order_id: order_id.to_owned(),
            outcome,
            creates,
            status_checks: memory
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .status_checks,
        };
        loop {
            if create {
                creates += 1;
                match order.send(self, &opts.create_options).await {
                    Ok(result) => {
                        tracing::info!(order_id, status = %result.payment_status, "order created");
                        if let Some(outcome) = final_outcome(&result) {
                            return Ok(finish(outcome, creates, memory));
                        }
                        memory
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .last_status = Some(result);
                    }
                    Err(e) if e.may_have_taken_effect() => {
                        tracing::warn!(order_id, "creation outcome unknown; asking payment-status");
                        memory
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .last_error = Some(e);
                    }
                    Err(e) => return Err(e),
                }
                // The order needs a moment: the first status request waits one interval.
                if Instant::now() + opts.poll_interval > end {
                    break;
                }
                tokio::time::sleep(opts.poll_interval).await;
            }
            let (memory_ref, status_options) = (&memory, &opts.status_options);
            let settled = poll::until(
                opts.poll_interval,
                end.saturating_duration_since(Instant::now()),
                move || async move {
                    let answer = self
                        .payment_status_with(order_id, Some(status_options))
                        .await;
                    Ok(memory_ref
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .probe(order_id, answer))
                },
            )
            .await?;
            match settled.into_inner() {
                Probe::Status(result) => match final_outcome(&result) {
                    Some(outcome) => return Ok(finish(outcome, creates, memory)),
                    None => break,
                },
                Probe::NoSuchOrder(e) => {
                    if creates >= opts.max_creates {
                        tracing::warn!(order_id, creates, "no such order, and no creation left");
                        return Err(e);
                    }
                    tracing::info!(
                        order_id,
                        "no such order (1008): creating it again with the same orderId"
                    );
                    memory
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .last_status = None;
                    create = true;
                }
                Probe::Stop(e) => return Err(order.operation().outcome_unknown(e)),
                Probe::Failed => break,
            }
        }
        // The deadline came first.
        let mut learnt = memory.into_inner().unwrap_or_else(PoisonError::into_inner);
        match learnt.last_status.take() {
            Some(result) => Ok(SafePayment {
                order_id: order_id.to_owned(),
                outcome: SafeOutcome::Pending(result),
                creates,
                status_checks: learnt.status_checks,
            }),
            None => {
                let cause = learnt.last_error.map_or_else(
                    || "no payment-status answer before the deadline".to_owned(),
                    |e| format!("no payment-status answer before the deadline; last: {e}"),
                );
                Err(order.operation().outcome_unknown(cause))
            }
        }
    }
}

fn final_outcome(result: &PaymentResult) -> Option<SafeOutcome> {
    match result.payment_status {
        PaymentStatus::Posted => Some(SafeOutcome::Posted(result.clone())),
        PaymentStatus::Deleted => Some(SafeOutcome::Deleted(result.clone())),
        PaymentStatus::Entered | PaymentStatus::Unknown(_) => None,
    }
}
