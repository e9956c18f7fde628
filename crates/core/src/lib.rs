//! # kassa-core
//!
//! The shared heart of the kassa payment clients: requests as data, a [`Transport`] trait
//! with a rustls-based default, retries decided by each operation's [`Effect`], one
//! [`Error`] that says whether money may have moved, exact [`Money`], secrets that never
//! print, and a [`token::TokenCache`] refreshed once however many calls wait.
//!
//! Provider crates (`anor-bm`, `requisite-uz`, `mobilnik`, ...) build on it; applications
//! rarely use it directly except for [`Money`], [`Error`] and [`Timeouts`].
//!
//! ```
//! use kassa_core::{Currency, Error, Money};
//!
//! let amount = Money::parse_major("5000", Currency::UZS)?;
//! assert_eq!(amount.minor, 500_000);
//! assert_eq!(amount.to_string(), "5 000.00 UZS");
//!
//! fn explain(err: &Error) -> &'static str {
//!     if err.may_have_taken_effect() {
//!         "money may have moved: ask the provider's status before anything else"
//!     } else if err.is_retryable() {
//!         "nothing happened; try again later"
//!     } else {
//!         "refused; fix the request"
//!     }
//! }
//! assert_eq!(explain(&Error::invalid("amount", "must be positive")), "refused; fix the request");
//! # Ok::<(), kassa_core::MoneyError>(())
//! ```

#![forbid(unsafe_code)]

pub mod answer;
pub mod catalogue;
pub mod decimal;
pub mod decode;
pub mod engine;
pub mod error;
pub mod idempotency;
pub mod inbound;
pub mod journal;
pub mod lenient;
pub mod money;
pub mod ops;
pub mod paging;
pub mod poll;
pub mod repair;
pub mod request;
pub mod retry;
pub mod secret;
pub mod text;
pub mod tls;
pub mod token;
pub mod transport;

pub use engine::{Clock, Engine, EngineBuilder};
pub use error::{
    BoxError, Disposition, Error, OutcomeUnknown, ProviderCode, RawCode, Reconcile, Rejection, Sent,
};
pub use money::{Currency, Money, MoneyError};
pub use request::{
    Body, CallOptions, Effect, Method, Operation, Param, Part, Request, Response, Timeouts,
};
pub use retry::{RetryBudget, RetryPolicy};
pub use tls::Tls;
pub use transport::{AnswerTooLarge, ReqwestTransport, Transport, TransportError};

/// Re-exported so provider crates and users name one version.
pub use async_trait::async_trait;
pub use secrecy;
