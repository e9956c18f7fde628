//! The partner programme: `get_partner_info`, `get_partner_links`,
//! `get_partner_exchanges`, `get_partner_payouts`, `add_partner_payout`.

use kassa_core::decimal::{CurrencyCode, Decimal};
use kassa_core::{Effect, Error, Operation, Reconcile};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::bids::Exchanges;
use crate::client::Client;
use crate::directions::NoParams;
use crate::wire::{BidId, PayoutStatus, flag_01, flag_opt, uint, uint_opt};

/// A currency a partner can be paid out in.
///
/// ```
/// let c: exchanger::PartnerCurrency = serde_json::from_str(r#"{"id": "1", "title": "Bitcoin BTC", "comission": "0.0001", "amount": "0.00024"}"#)?;
/// assert_eq!(c.commission.unwrap().to_string(), "0.0001");
/// assert_eq!(c.amount.to_string(), "0.00024");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerCurrency {
    /// The currency's id (the `method_id` of a payout).
    #[serde(deserialize_with = "uint")]
    pub id: u64,
    /// Its title.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub title: String,
    /// The commission (`comission` in the document, `commission` in the vendor's manual).
    #[serde(default, alias = "comission")]
    pub commission: Option<Decimal>,
    /// The balance in this currency.
    pub amount: Decimal,
}

/// The answer of `get_partner_info`.
///
/// ```
/// let p: exchanger::PartnerInfo = serde_json::from_str(r#"{"partner_id": "12", "balance": "15.75", "min_payout": "10", "items": {"7": {"id": "7", "title": "USDT", "commission": "1", "amount": "15.75"}}}"#)?;
/// assert_eq!(p.balance.to_string(), "15.75");
/// assert_eq!(p.items.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerInfo {
    /// The partner's id.
    #[serde(deserialize_with = "uint")]
    pub partner_id: u64,
    /// The balance.
    pub balance: Decimal,
    /// The least payout.
    pub min_payout: Decimal,
    /// The payout currencies (a list or an object keyed by id).
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub items: Vec<PartnerCurrency>,
}

/// Filters of `get_partner_links`.
///
/// ```
/// let r = exchanger::PartnerLinksRequest { limit: Some(10), ..Default::default() };
/// assert_eq!(serde_json::to_string(&r)?, r#"{"limit":10}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerLinksRequest {
    /// From this unix time.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<u64>,
    /// Up to this unix time.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<u64>,
    /// Only from this IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// At most this many.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u64>,
}

/// A visit through a partner link.
///
/// ```
/// let l: exchanger::PartnerLink = serde_json::from_str(r#"{"time": "1700000000", "date": "14.11.2023 22:13", "browser": "", "ip": "203.0.113.9", "referrer": "", "user_hash": "7c4a8d09ca", "query_string": "rid=12"}"#)?;
/// assert_eq!(l.time, 1_700_000_000);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerLink {
    /// Unix time.
    #[serde(default, deserialize_with = "uint")]
    pub time: u64,
    /// The date, as the site writes it.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub date: String,
    /// The browser.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub browser: String,
    /// The visitor's IP address.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub ip: String,
    /// The page the visit came from.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub referrer: String,
    /// The user's hash.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub user_hash: String,
    /// The query string.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub query_string: String,
}

/// The answer of `get_partner_links`.
///
/// ```
/// let none: exchanger::PartnerLinks = serde_json::from_str(r#"{"items": {}}"#)?;
/// assert!(none.items.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerLinks {
    /// The visits.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub items: Vec<PartnerLink>,
}

/// Filters of `get_partner_exchanges`.
///
/// ```
/// let r = exchanger::PartnerExchangesRequest { status_history: Some(true), ..Default::default() };
/// assert_eq!(serde_json::to_string(&r)?, r#"{"status_history":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerExchangesRequest {
    /// From this unix time.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<u64>,
    /// Up to this unix time.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<u64>,
    /// Only from this IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Only this bid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<BidId>,
    /// With each bid's status history.
    #[serde(
        default,
        deserialize_with = "flag_opt",
        serialize_with = "flag_01",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_history: Option<bool>,
    /// At most this many.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u64>,
}

/// Filters of `get_partner_payouts`.
///
/// ```
/// let r = exchanger::PartnerPayoutsRequest { limit: Some(10), ..Default::default() };
/// assert_eq!(serde_json::to_string(&r)?, r#"{"limit":10}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerPayoutsRequest {
    /// From this unix time.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<u64>,
    /// Up to this unix time.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<u64>,
    /// At most this many.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u64>,
    /// Only this payout.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<u64>,
}

/// A payout request.
///
/// ```
/// let p: exchanger::Payout = serde_json::from_str(r#"{"id": "30", "time": "1690000000", "date": "", "method_id": "7", "account": "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb", "pay_amount": "12", "pay_currency_code": "USDT", "original_amount": "12.00", "original_currency_code": "USDT", "status": 1}"#)?;
/// assert_eq!(p.status, exchanger::PayoutStatus::Paid);
/// assert_eq!(p.original_amount.to_string(), "12.00");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// Its id.
    #[serde(deserialize_with = "uint")]
    pub id: u64,
    /// Unix time.
    #[serde(default, deserialize_with = "uint")]
    pub time: u64,
    /// The date, as the site writes it.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub date: String,
    /// The payout currency's id.
    #[serde(deserialize_with = "uint")]
    pub method_id: u64,
    /// The account paid to.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub account: String,
    /// The sum paid.
    pub pay_amount: Decimal,
    /// Its currency.
    pub pay_currency_code: CurrencyCode,
    /// The original sum.
    pub original_amount: Decimal,
    /// Its currency.
    pub original_currency_code: CurrencyCode,
    /// Pending, paid or cancelled.
    pub status: PayoutStatus,
}

/// The answer of `get_partner_payouts`.
///
/// ```
/// let none: exchanger::PartnerPayouts = serde_json::from_str(r#"{"items": []}"#)?;
/// assert!(none.items.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerPayouts {
    /// The payouts.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub items: Vec<Payout>,
}

/// The request of `add_partner_payout`.
///
/// ```
/// let r = exchanger::AddPayoutRequest { method_id: 7, account: "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into() };
/// assert_eq!(r.method_id, 7);
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddPayoutRequest {
    /// The payout currency's id (a [`PartnerCurrency::id`]).
    #[serde(deserialize_with = "uint")]
    pub method_id: u64,
    /// The account to pay to.
    pub account: String,
}

/// The answer of `add_partner_payout`.
///
/// ```
/// let a: exchanger::PayoutCreated = serde_json::from_str(r#"{"payout_id": "32"}"#)?;
/// let b: exchanger::PayoutCreated = serde_json::from_str(r#"{"payout_id": 32}"#)?;
/// assert_eq!(a, b);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutCreated {
    /// The payout's id.
    #[serde(deserialize_with = "uint")]
    pub payout_id: u64,
}

/// Written by hand: the account may be a card number, shown masked.
///
/// ```
/// let r = exchanger::AddPayoutRequest { method_id: 3, account: "8600490212346744".into() };
/// assert!(format!("{r:?}").contains("860049******6744"));
/// ```
impl std::fmt::Debug for AddPayoutRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddPayoutRequest")
            .field("method_id", &self.method_id)
            .field("account", &kassa_core::secret::redact_text(&self.account))
            .finish()
    }
}

/// Written by hand: the account may be a card number, shown masked.
///
/// ```
/// let p: exchanger::Payout = serde_json::from_str(r#"{"id": "1", "time": "0", "date": "", "method_id": "3", "account": "8600490212346744", "pay_amount": "100", "pay_currency_code": "CARDRUB", "original_amount": "100", "original_currency_code": "RUB", "status": "0"}"#)?;
/// assert!(!format!("{p:?}").contains("8600490212346744"));
/// # Ok::<(), serde_json::Error>(())
/// ```
impl std::fmt::Debug for Payout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payout")
            .field("id", &self.id)
            .field("time", &self.time)
            .field("date", &self.date)
            .field("method_id", &self.method_id)
            .field("account", &kassa_core::secret::redact_text(&self.account))
            .field("pay_amount", &self.pay_amount)
            .field("pay_currency_code", &self.pay_currency_code)
            .field("original_amount", &self.original_amount)
            .field("original_currency_code", &self.original_currency_code)
            .field("status", &self.status)
            .finish()
    }
}

impl Client {
    /// `get_partner_info`: the partner's balance and payout currencies. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let me = client.get_partner_info(&exchanger::NoParams {}).await?;
    /// println!("balance {}", me.balance);
    /// # Ok(()) }
    /// ```
    pub async fn get_partner_info(&self, _req: &NoParams) -> Result<PartnerInfo, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-partner-info", Effect::Read);
        self.object(OP, "get_partner_info", &NoParams {}).await
    }

    /// `get_partner_links`: visits through partner links. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let links = client.get_partner_links(&Default::default()).await?;
    /// println!("{} visits", links.items.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_partner_links(
        &self,
        req: &PartnerLinksRequest,
    ) -> Result<PartnerLinks, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-partner-links", Effect::Read);
        self.listing(OP, "get_partner_links", req).await
    }

    /// `get_partner_exchanges`: the partner's bids, with `accrued` and `partner_reward`. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let bids = client.get_partner_exchanges(&Default::default()).await?;
    /// println!("{} bids", bids.items.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_partner_exchanges(
        &self,
        req: &PartnerExchangesRequest,
    ) -> Result<Exchanges, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-partner-exchanges", Effect::Read);
        self.listing(OP, "get_partner_exchanges", req).await
    }

    /// `get_partner_payouts`: payout requests. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// for p in client.get_partner_payouts(&Default::default()).await?.items {
    ///     println!("{} {} {:?}", p.id, p.pay_amount, p.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_partner_payouts(
        &self,
        req: &PartnerPayoutsRequest,
    ) -> Result<PartnerPayouts, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-partner-payouts", Effect::Read);
        self.listing(OP, "get_partner_payouts", req).await
    }

    /// `add_partner_payout`: asks for a payout. Sent once (nothing deduplicates it); a lost
    /// answer is outcome-unknown naming `get-partner-payouts`.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let p = client.add_partner_payout(&exchanger::AddPayoutRequest { method_id: 7, account: "T...".into() }).await?;
    /// println!("payout {}", p.payout_id);
    /// # Ok(()) }
    /// ```
    pub async fn add_partner_payout(&self, req: &AddPayoutRequest) -> Result<PayoutCreated, Error> {
        if req.account.trim().is_empty() || req.account.chars().any(char::is_control) {
            return Err(Error::invalid(
                "account",
                "the payout account is required, without control characters",
            ));
        }
        let op = Operation::new(PROVIDER, "add-partner-payout", Effect::Once)
            .reconcile_with(Reconcile::new("get-partner-payouts"));
        self.object(op, "add_partner_payout", req).await
    }
}
