//! # requisite-uz
//!
//! A typed async client for an Uzbek bank's partner API (v2) for payment orders by bank
//! requisites: to a company's account ([`Client::payment`]) or to the state budget
//! ([`Client::payment_budget`]), optionally funded from a UZCARD or HUMO card; their status
//! ([`Client::payment_status`]); the partner's services ([`Client::services`]), balance
//! ([`Client::balance`]) and statement ([`Client::statement`], [`Client::statement_rows`]).
//!
//! - HTTP Basic on every request; the password never reaches `Debug`, errors or traces.
//! - Amounts are UZS [`Money`], tiyin on the wire as the document writes
//!   them (strings in requests and the balance, a number in the statement), never a float.
//! - Every answer comes with HTTP 200; `status` and `code` are read and each documented code
//!   becomes a typed [`Code`] with what the document says to do.
//! - Dates: the document's dates (`fromDate`, `toDate`, `docDate`, `paymentDate`) carry no
//!   zone; the bank works in Tashkent time (UTC+05:00, no daylight saving time). Ask a
//!   statement "up to today" with [`bank_today`], never the UTC date: from 19:00 UTC the
//!   bank is already on the next day ([`BANK_OFFSET`], [`bank_date`]).
//! - Payments are sent once. A lost answer, 1111 or 2222 is
//!   [`OutcomeUnknown`](kassa_core::Error::OutcomeUnknown) naming `payment-status` and the
//!   `orderId`; [`Client::pay_safely`] runs the recovery the document prescribes.
//!
//! ```no_run
//! use kassa_core::{secret::CardNumber, Currency, Money};
//! use requisite_uz::{CardType, Client, Order, PaymentRequest, SafeOutcome, SafePayOptions, ServiceId};
//!
//! # async fn run() -> Result<(), kassa_core::Error> {
//! let client = Client::builder("https://bank.example")
//!     .credentials("gray", "p@ssw0rd")
//!     .build()?;
//! client.services().await?; // remembered: payments are checked against the service type
//!
//! let order = PaymentRequest {
//!     order_id: "009445151277".into(),
//!     receiver_name: "Test".into(),
//!     mfo_receiver: "01091".into(),
//!     receiver_account: "29801000990248844444".into(),
//!     inn_receiver: Some("123456789".into()),
//!     purpose: "Test 24/7".into(),
//!     service_id: ServiceId(35),
//!     amount: Money::parse_major("5000", Currency::UZS)?,
//!     commission_amount: Money::parse_major("200", Currency::UZS)?,
//!     ref_number: Some("016351273642".into()),
//!     card_type: Some(CardType::Humo),
//!     card_number: Some(CardNumber::new("9860531554896678")?),
//! };
//! let done = client.pay_safely(&Order::from(order), &SafePayOptions::default()).await?;
//! match done.outcome {
//!     SafeOutcome::Posted(r) => println!("paid: doc {}", r.doc_id),
//!     SafeOutcome::Deleted(_) => println!("refused by the bank"),
//!     SafeOutcome::Pending(_) => println!("entered, not final yet"),
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod account;
mod answer;
mod auth;
mod bank_time;
mod client;
pub mod error;
mod journal;
mod ops;
mod payment;
pub mod safe;
mod services;
pub mod wire;

pub use account::{
    Balance, BalanceRequest, Direction, StatementKind, StatementRequest, StatementRow,
};
pub use bank_time::{BANK_OFFSET, bank_date, bank_today};
pub use client::{Client, ClientBuilder};
pub use error::{Code, Facts, code_of};
pub use journal::RECONCILED_ONLY_FROM_THE_ANSWER;
pub use ops::{OPERATIONS, call_json};
pub use payment::{
    CardType, PaymentBudgetRequest, PaymentRequest, PaymentResult, PaymentStatus,
    PaymentStatusRequest,
};
pub use safe::{Order, SafeOutcome, SafePayOptions, SafePayment};
pub use services::{Service, ServiceType};
pub use wire::ServiceId;

/// Re-exported: the paging stream's trait, and the date types of the statement.
pub use futures_util::Stream;
pub use time;

// What this crate's API uses from kassa-core, re-exported so that this crate is the only
// dependency an application needs (`requisite_uz::Money`, `requisite_uz::Error`, ...).
/// kassa-core itself, for what the re-exports above leave out.
///
/// ```
/// let amount = requisite_uz::kassa_core::Money::parse_major("10.50", requisite_uz::Currency::UZS)?;
/// assert_eq!(amount.minor, 1050);
/// # Ok::<(), requisite_uz::MoneyError>(())
/// ```
pub use kassa_core;
pub use kassa_core::secret::{CardNumber, ExposeSecret, SecretString};
pub use kassa_core::{
    AnswerTooLarge, Currency, Error, Money, MoneyError, OutcomeUnknown, ProviderCode, Reconcile,
    Rejection, ReqwestTransport, RetryPolicy, Sent, Timeouts, Tls, Transport, TransportError,
};

/// The provider's name in the operation catalogue.
pub const PROVIDER: &str = "requisite-uz";
