//! # anor-bm
//!
//! A typed async client for the Anor Bank billing merchant API (BM-MERCHANT-API v6.1):
//! take card payments in sum (check a bill, pay it with the card holder's SMS code), hold
//! money and later confirm, top up (up to 30 %) or release it, fully or in part; bind cards
//! by OTP; pay out from a company account to a person's card.
//!
//! Built on [`kassa_core`]: every error says whether money may have moved
//! ([`kassa_core::Error::may_have_taken_effect`]); calls that move money are never resent
//! once they may have reached the bank, and a lost answer is
//! [`kassa_core::Error::OutcomeUnknown`] naming the `status` call to ask
//! ([`Client::reconcile_outcome`] asks it for you). Amounts are exact [`kassa_core::Money`]
//! in tiyin; passwords, tokens, OTPs and full card numbers never reach a `Debug`, an error
//! or a log.
//!
//! ```no_run
//! use std::time::Duration;
//! use anor_bm::{BillStatus, CheckRequest, Client, Otp, PayRequest};
//! use kassa_core::{Currency, Money, secret::CardNumber};
//!
//! # async fn run() -> Result<(), kassa_core::Error> {
//! let client = Client::builder("http://10.0.0.1:8080", "agent", "secret").build()?;
//!
//! // 1. check: creates the bill (keyed by agentTranId, safe to resend)
//! let bill = client
//!     .unregistered_check(&CheckRequest::new(
//!         "order-30",
//!         1,
//!         Money::parse_major("1000", Currency::UZS)?,
//!         "order-30-try-1",
//!         CardNumber::new("8600492968156744")?,
//!         "0727".parse()?,
//!     ))
//!     .await?;
//!
//! // 2. pay with the SMS code the card holder received
//! match client.unregistered_pay(&PayRequest::new(bill.id, Otp::new("445566")?)).await {
//!     // Ok means the bank said what happened: an unlisted status, a contradiction or
//!     // another bill comes back as outcome-unknown instead
//!     Ok(paid) if paid.status == BillStatus::Success => println!("paid"),
//!     Ok(other) if matches!(other.status, BillStatus::CheckOk | BillStatus::Cancelled) => {
//!         println!("not paid: {}", other.status)
//!     }
//!     Ok(other) => println!("unclear ({}): ask status first", other.status),
//!     Err(e) if e.outcome_unknown().is_some() => {
//!         // never pay again blindly: ask the bank what happened
//!         let learned = client.reconcile_outcome(&e, Duration::from_secs(60)).await?;
//!         println!("after a lost answer: {}", learned.bill().status);
//!     }
//!     Err(e) if e.may_have_taken_effect() => println!("money may have moved: {e}"),
//!     Err(e) => println!("refused: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Every request type derives `Serialize` and `Deserialize` with the document's wire field
//! names, so a tool can build any call from a JSON object; answer types serialize with the
//! wire names too, secrets redacted.

#![forbid(unsafe_code)]

mod answer;
mod auth;
mod billing;
mod card;
mod client;
mod error;
mod journal;
mod ops;
mod payout;
mod wire;

pub use auth::{LoginRequest, RefreshTokenRequest, TokenAnswer, Tokens};
pub use billing::{
    Bill, BillRequest, BillStatus, CardParams, CheckRequest, HOLD_MORE_LIMIT_PERCENT,
    HoldMoreRequest, OtpParams, PayRequest, ReconcileOptions, Reconciled, ReversePartialRequest,
    StatusRequest,
};
pub use card::{
    CardToken, GetUserCardsRequest, OtpSent, SendOtpRequest, UserCard, VerifyOtpRequest,
};
pub use client::{Client, ClientBuilder};
pub use error::{Code, ErrorBody, Facts, Langs, Titles, code_of};
pub use journal::RECONCILED_ONLY_FROM_THE_ANSWER;
pub use kassa_core::decimal::Decimal;
pub use ops::{OPERATIONS, call_json};
pub use payout::{
    AccountKind, AccountParams, CardKind, ExtPayRequest, Payout, PayoutFrom, PayoutParty, PayoutTo,
};
pub use wire::{CardExpiry, Extra, MaskedPan, Otp};

// What this crate's API uses from kassa-core, re-exported so that this crate is the only
// dependency an application needs (`anor_bm::Money`, `anor_bm::Error`, ...).
/// kassa-core itself, for what the re-exports above leave out.
///
/// ```
/// let amount = anor_bm::kassa_core::Money::parse_major("10.50", anor_bm::Currency::UZS)?;
/// assert_eq!(amount.minor, 1050);
/// # Ok::<(), anor_bm::MoneyError>(())
/// ```
pub use kassa_core;
pub use kassa_core::secret::{CardNumber, ExposeSecret, SecretString};
pub use kassa_core::{
    AnswerTooLarge, Currency, Error, Money, MoneyError, OutcomeUnknown, ProviderCode, Reconcile,
    Rejection, ReqwestTransport, RetryPolicy, Sent, Timeouts, Tls, Transport, TransportError,
};

/// The provider's name in the operation catalogue.
pub const PROVIDER: &str = "anor-bm";

/// Every operation of the catalogue with its HTTP method and path below the base URL (the
/// operations with their effects are [`OPERATIONS`]).
///
/// ```
/// assert_eq!(anor_bm::ROUTES.len(), 15);
/// assert!(anor_bm::ROUTES.contains(&("hold-more", "POST", "/services/bmms/api/agent/hold/v2/more")));
/// ```
pub const ROUTES: [(&str, &str, &str); 15] = [
    ("login", "POST", auth::LOGIN_PATH),
    ("refresh-token", "POST", auth::REFRESH_PATH),
    ("send-otp", "POST", card::SEND_OTP_PATH),
    ("verify-otp", "POST", card::VERIFY_OTP_PATH),
    ("get-user-cards", "GET", card::USER_CARDS_PATH),
    ("unregistered-check", "POST", billing::CHECK_PATH),
    ("unregistered-pay", "POST", billing::PAY_PATH),
    ("hold", "POST", billing::HOLD_PATH),
    ("hold-confirm", "POST", billing::CONFIRM_PATH),
    ("hold-more", "POST", billing::MORE_PATH),
    ("cancel", "POST", billing::CANCEL_PATH),
    ("hold-reverse", "POST", billing::REVERSE_PATH),
    (
        "hold-reverse-partial",
        "POST",
        billing::REVERSE_PARTIAL_PATH,
    ),
    ("status", "POST", billing::STATUS_PATH),
    ("ext-pay", "POST", payout::EXT_PAY_PATH),
];
