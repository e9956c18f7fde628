//! # mobilnik
//!
//! A typed async client for the Mobilnik wallet API (Kyrgyzstan, som/KGS): agents and
//! shops pay for services (mobile, utilities, internet) from their wallet and transfer
//! money to other wallets.
//!
//! | method | path | effect |
//! |---|---|---|
//! | [`Client::authenticate`] | `/authentication/` | token, account, balance; safe to repeat |
//! | [`Client::service_list`] | `/service_list/` | reads; retried on transient failures |
//! | [`Client::check_requisite`] | `/check_requisite/` | reads; retried on transient failures |
//! | [`Client::payment`] | `/payment/` | **moves money, no idempotency key** |
//! | [`Client::check_payment`] | `/check_payment/` | reads; retried on transient failures |
//! | [`Client::transfer_request`] | `/transfer_request/` | **moves money, no idempotency key** |
//!
//! Every call is a GET with query parameters. The client authenticates on first use and
//! puts the token on every later call; on `USER_NOT_AUTHORIZED` (27) it authenticates
//! again and repeats the call once (the server refused it, so nothing took effect).
//!
//! **`payment` and `transfer-request` move money over GET with no idempotency key. The
//! client never resends them once they may have reached the server. A lost answer
//! (timeout, cut connection, 5xx, unreadable body, `SYSTEM_FAILURE`, an unknown code) is
//! [`kassa_core::Error::OutcomeUnknown`]: Mobilnik has no way to look a payment or a
//! transfer up by a client key, so check the wallet balance ([`Client::authenticate`]
//! returns it) and the provider's records before paying again.**
//!
//! The password travels in the query string of `/authentication/` and the token in every
//! later query: neither appears in any URL the client prints, error, tracing span or
//! `Debug` output.
//!
//! ```no_run
//! use kassa_core::secret::SecretString;
//! use mobilnik::{AuthenticateRequest, CheckRequisiteRequest, Client, DeviceId, PaymentRequest, som};
//!
//! # async fn run() -> Result<(), kassa_core::Error> {
//! let client = Client::builder()
//!     .login("agent01")
//!     .password(SecretString::from(std::env::var("MOBILNIK_PASSWORD").unwrap_or_default()))
//!     .device_id(DeviceId::from_mac("00:1A:2B:3C:4D:5E")?)
//!     .device_name("shop-17.example.kg")
//!     .build()?;
//!
//! let who = client.check_requisite(&CheckRequisiteRequest::new(1, "0555123456")).await?;
//! println!("paying {}", who.customer_name);
//!
//! match client.payment(&PaymentRequest::new(1, "0555123456", som("150.50")?)).await {
//!     Ok(paid) => println!("operation {}, {} left", paid.operation_id, paid.balance),
//!     Err(e) if e.may_have_taken_effect() => {
//!         // Never pay again blindly: compare the balance and the provider's records.
//!         let now = client.authenticate(&AuthenticateRequest {}).await?;
//!         eprintln!("outcome unknown ({e}); balance is now {}", now.balance);
//!     }
//!     Err(e) => eprintln!("refused, nothing moved: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Every method takes one request value (`AuthenticateRequest {}` and
//! `ServiceListRequest {}` for the operations without input); [`call_json`] calls any
//! operation by its catalogue name with JSON parameters, and [`OPERATIONS`] lists them.
//!
//! Status codes: [`Code`] (and [`code_of`] to find one in any error; the former names
//! `StatusCode` and `status_code_of` still work). Amounts: [`kassa_core::Money`] in KGS,
//! sent as decimal text, read exactly; [`som`] parses text.

#![forbid(unsafe_code)]

mod answer;
// The area modules were public in earlier releases: they stay reachable under their old
// paths (`mobilnik::payments::PaymentRequest`), hidden from the docs; use the root
// re-exports below.
#[doc(hidden)]
pub mod auth;
#[doc(hidden)]
pub mod client;
#[doc(hidden)]
pub mod error;
mod journal;
mod ops;
#[doc(hidden)]
pub mod payments;
#[doc(hidden)]
pub mod services;
mod wire;

pub use auth::{AuthenticateRequest, AuthenticateResponse, DeviceId};
pub use client::{CLIENT_ID, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{Code, CodeFacts, StatusCode, code_of, status_code_of};
pub use journal::RECONCILED_ONLY_FROM_THE_ANSWER;
pub use ops::{OPERATIONS, call_json};
pub use payments::{
    CheckPaymentRequest, CheckPaymentResponse, OperationId, PAYMENT_ADVICE, PaymentRequest,
    PaymentResponse, PaymentStatus, TRANSFER_ADVICE, TransferRequest, TransferResponse, som,
};
pub use services::{
    Category, CheckRequisiteRequest, CheckRequisiteResponse, Service, ServiceListRequest,
    ServiceListResponse,
};

// What this crate's API uses from kassa-core, re-exported so that this crate is the only
// dependency an application needs (`mobilnik::Money`, `mobilnik::Error`, ...).
/// kassa-core itself, for what the re-exports above leave out.
///
/// ```
/// let amount = mobilnik::kassa_core::Money::parse_major("10.50", mobilnik::Currency::KGS)?;
/// assert_eq!(amount.minor, 1050);
/// # Ok::<(), mobilnik::MoneyError>(())
/// ```
pub use kassa_core;
pub use kassa_core::secret::{CardNumber, ExposeSecret, SecretString};
pub use kassa_core::{
    AnswerTooLarge, Currency, Error, Money, MoneyError, OutcomeUnknown, ProviderCode, Reconcile,
    Rejection, ReqwestTransport, RetryPolicy, Sent, Timeouts, Tls, Transport, TransportError,
};

/// The provider's name, as in the operation catalogue.
pub const PROVIDER: &str = "mobilnik";
