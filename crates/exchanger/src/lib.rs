//! # exchanger
//!
//! A typed async client for the Premium Exchanger user API v1: the engine behind many
//! currency and crypto exchange sites. List directions, quote an exchange, create a bid (an
//! exchange order), follow it, and run a partner programme.
//!
//! Every call is a POST with form fields to `https://<the site>/api/userapi/v1/<method>`
//! with the `API-LOGIN`, `API-KEY` and optional `API-LANG` headers. The answers are loose
//! (numbers as strings, lists as objects keyed by id, `error` as a number or a string,
//! `[]` where an object was expected); each drift is read in one type ([`BidId`],
//! [`wire::limit`], [`SelectOptions`]...). Rates and sums are exact
//! [`kassa_core::decimal::Decimal`]s beside their currency codes, never floats.
//!
//! | method | effect |
//! |---|---|
//! | [`Client::test`], [`Client::get_direction_currencies`], [`Client::get_directions`], [`Client::get_direction`], [`Client::get_calc`], [`Client::get_exchanges`], [`Client::bid_info`], the partner reads | reads; retried on transient failures |
//! | [`Client::create_bid`] | **sent once**; a lost answer names `get-exchanges` by `api_id` |
//! | [`Client::cancel_bid`], [`Client::pay_bid`], [`Client::success_bid`] | sent once; a lost answer names `bid-info` |
//! | [`Client::add_partner_payout`] | sent once; a lost answer names `get-partner-payouts` |
//!
//! `api_id` is a lookup key, not a deduplication key: nothing says the exchanger refuses a
//! repeated one. [`Client::create_bid_once`] looks the bid up by `api_id` first and creates
//! it only when none exists. The bid callback carries no signature: [`parse_callback`]
//! gives an [`Unverified`](kassa_core::inbound::Unverified) claim and
//! [`Client::confirm_callback`] asks `bid_info` for the truth.
//!
//! ```no_run
//! use exchanger::{CalcAction, CalcRequest, Client, CreateBidRequest, CreateOnce};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("https://exchanger.example")
//!     .login("api-login")
//!     .key(std::env::var("EXCHANGER_KEY").unwrap_or_default())
//!     .build()?;
//! let quote = client.get_calc(&CalcRequest::new(12, "0.015".parse()?, CalcAction::Give)).await?;
//! println!("pay {} to receive {}", quote.to_pay(), quote.to_receive());
//! let req = CreateBidRequest::new(12, "0.015".parse()?, CalcAction::Give).api_id("order-42");
//! match client.create_bid_once(&req).await {
//!     Ok(CreateOnce::Created(bid)) => println!("bid {} ({})", bid.id, bid.status),
//!     Ok(CreateOnce::Existing(bid)) => println!("already made: {}", bid.id),
//!     Err(e) if e.may_have_taken_effect() => eprintln!("unknown, ask get_exchanges by api_id: {e}"),
//!     Err(e) => eprintln!("refused: {e}"),
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod answer;
mod bids;
mod client;
mod directions;
mod error;
mod journal;
mod ops;
mod partner;
pub mod wire;

pub use bids::{
    Bid, BidActionRequest, BidCallback, BidInfoRequest, BidState, CreateBidRequest, CreateOnce,
    Exchange, Exchanges, ExchangesRequest, StatusChange, parse_callback,
};
pub use client::{Client, ClientBuilder};
pub use directions::{
    CalcAction, CalcRequest, CurrencyFilter, CurrencyItem, Direction, DirectionCurrencies,
    DirectionInfo, DirectionRequest, DirectionSummary, Directions, FormField, NoParams, Quote,
    TestInfo,
};
pub use error::{Code, Facts, code_of};
pub use journal::RECONCILED_ONLY_FROM_THE_ANSWER;
pub use ops::{OPERATIONS, call_json};
pub use partner::{
    AddPayoutRequest, PartnerCurrency, PartnerExchangesRequest, PartnerInfo, PartnerLink,
    PartnerLinks, PartnerLinksRequest, PartnerPayouts, PartnerPayoutsRequest, Payout,
    PayoutCreated,
};
pub use wire::{
    ApiAction, ApiActions, BidId, BidStatus, ExchangeSuccess, PaymentType, PayoutStatus,
    SelectOptions,
};

/// kassa-core itself, for what the re-exports leave out.
///
/// ```
/// let d = exchanger::kassa_core::decimal::Decimal::parse("0.00001234")?;
/// assert_eq!(d.to_string(), "0.00001234");
/// # Ok::<(), exchanger::kassa_core::decimal::DecimalError>(())
/// ```
pub use kassa_core;
pub use kassa_core::decimal::{CodedAmount, CurrencyCode, Decimal};
pub use kassa_core::secret::SecretString;
pub use kassa_core::{Error, OutcomeUnknown, Reconcile, Rejection, RetryPolicy, Timeouts, Tls};

/// The provider's name, as in the operation catalogue.
///
/// ```
/// assert_eq!(exchanger::PROVIDER, "exchanger");
/// ```
pub const PROVIDER: &str = "exchanger";
