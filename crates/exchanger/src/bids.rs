//! Bids: `get_exchanges`, `create_bid` (and [`Client::create_bid_once`]), `cancel_bid`,
//! `pay_bid`, `success_bid`, `bid_info`, and the inbound bid callback.

use std::collections::BTreeMap;

use kassa_core::decimal::{CodedAmount, CurrencyCode, Decimal};
use kassa_core::idempotency::IdempotencyKey;
use kassa_core::inbound::Unverified;
use kassa_core::{Effect, Error, Operation, Reconcile};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::client::Client;
use crate::directions::{CalcAction, check_amount};
use crate::wire::{
    ApiActions, BidId, BidStatus, ExchangeSuccess, flag_01, flag_opt, uint, uint_opt,
};

/// Filters of `get_exchanges` (the bids made with this key).
///
/// ```
/// let by_api_id = exchanger::ExchangesRequest::by_api_id("order-42");
/// assert_eq!(by_api_id.api_id.as_deref(), Some("order-42"));
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangesRequest {
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
    /// Only the bid created with this `api_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    /// With each bid's status history.
    #[serde(
        default,
        deserialize_with = "flag_opt",
        serialize_with = "flag_01",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_history: Option<bool>,
    /// At most this many bids.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u64>,
    /// Skip this many bids.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub offset: Option<u64>,
}

impl ExchangesRequest {
    /// The bid created with `api_id`: the reconcile step of `create_bid`.
    ///
    /// ```
    /// assert!(exchanger::ExchangesRequest::by_api_id("a").id.is_none());
    /// ```
    pub fn by_api_id(api_id: impl Into<String>) -> ExchangesRequest {
        ExchangesRequest {
            api_id: Some(api_id.into()),
            ..ExchangesRequest::default()
        }
    }
}

/// A change of a bid's status.
///
/// ```
/// let c: exchanger::StatusChange = serde_json::from_str(r#"{"time": "1699999500", "date": "14.11.2023 22:05", "status": "payed"}"#)?;
/// assert_eq!((c.time, c.status), (1_699_999_500, exchanger::BidStatus::Payed));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Unix time.
    #[serde(default, deserialize_with = "uint")]
    pub time: u64,
    /// The date, as the site writes it.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub date: String,
    /// The status.
    pub status: BidStatus,
}

/// A bid of `get_exchanges` (and, with the partner fields, of `get_partner_exchanges`).
///
/// ```
/// let e: exchanger::Exchange = serde_json::from_str(r#"{"id": "1350", "api_id": "order-42", "currency_code_give": "BTC", "currency_code_get": "USDT", "course_give": "1", "course_get": "64215.30781", "amount_give": "0.015", "amount_get": "958.23", "exchange_success": "0", "status": "success"}"#)?;
/// assert_eq!(e.id, exchanger::BidId(1350));
/// assert_eq!(e.course_get.to_string(), "64215.30781");
/// assert_eq!(e.exchange_success, exchanger::ExchangeSuccess::Done);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// The bid's id.
    pub id: BidId,
    /// The `api_id` it was created with (empty when none).
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub api_id: String,
    /// Unix time of the last status change.
    #[serde(default, deserialize_with = "uint")]
    pub time: u64,
    /// Its date, as the site writes it.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub date: String,
    /// The "give" payment system.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub psys_give: String,
    /// The "get" payment system.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub psys_get: String,
    /// The "give" currency's code.
    pub currency_code_give: CurrencyCode,
    /// The "get" currency's code.
    pub currency_code_get: CurrencyCode,
    /// The "give" side of the rate.
    pub course_give: Decimal,
    /// The "get" side of the rate.
    pub course_get: Decimal,
    /// The sum given.
    pub amount_give: Decimal,
    /// The sum got.
    pub amount_get: Decimal,
    /// Done or not, with the document's (inverted) meaning; prefer `status`.
    pub exchange_success: ExchangeSuccess,
    /// The user's hash.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub user_hash: String,
    /// The user's IP address.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub user_ip: String,
    /// The status.
    pub status: BidStatus,
    /// The status history (with `status_history`).
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub statuses: Vec<StatusChange>,
    /// Partner bids only: whether the reward was accrued.
    #[serde(
        default,
        deserialize_with = "flag_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub accrued: Option<bool>,
    /// Partner bids only: the partner's reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_reward: Option<Decimal>,
}

impl Exchange {
    /// The sum given, in its currency.
    ///
    /// ```
    /// # let e: exchanger::Exchange = serde_json::from_str(r#"{"id":"1","currency_code_give":"BTC","currency_code_get":"USDT","course_give":"1","course_get":"2","amount_give":"0.015","amount_get":"9","exchange_success":0,"status":"new"}"#)?;
    /// assert_eq!(e.given().to_string(), "0.015 BTC");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn given(&self) -> CodedAmount {
        CodedAmount {
            value: self.amount_give,
            currency: self.currency_code_give.clone(),
        }
    }
}

/// The answer of `get_exchanges` and `get_partner_exchanges`: `items` as a list or an
/// object keyed by id give the same list.
///
/// ```
/// let bid = r#"{"id": "1350", "api_id": "order-42", "currency_code_give": "BTC", "currency_code_get": "USDT", "course_give": "1", "course_get": "2", "amount_give": "0.015", "amount_get": "958.23", "exchange_success": 0, "status": "new"}"#;
/// let list: exchanger::Exchanges = serde_json::from_str(&format!(r#"{{"items": [{bid}]}}"#))?;
/// let keyed: exchanger::Exchanges = serde_json::from_str(&format!(r#"{{"items": {{"1350": {bid}}}}}"#))?;
/// assert_eq!(list, keyed);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchanges {
    /// The bids.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub items: Vec<Exchange>,
}

/// The request of `create_bid`. The named custom fields are typed; any other `cfN`
/// (1..=99) goes in `custom`.
///
/// ```
/// use exchanger::{CalcAction, CreateBidRequest};
/// let req = CreateBidRequest::new(12, "0.015".parse()?, CalcAction::Give)
///     .api_id("order-42");
/// assert_eq!(req.api_id.as_deref(), Some("order-42"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBidRequest {
    /// The direction's id.
    #[serde(deserialize_with = "uint")]
    pub direction_id: u64,
    /// The partner's id.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub partner_id: Option<u64>,
    /// Your id of the bid: the key to look it up with `get_exchanges`. The client makes one
    /// (a UUID) when none is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    /// The amount.
    pub calc_amount: Decimal,
    /// What the amount is.
    pub calc_action: CalcAction,
    /// Where the exchanger POSTs `bid_id` and `status` when the status changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// `account1`: the account paid from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account1: Option<String>,
    /// `account2`: the account paid to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account2: Option<String>,
    /// `cfgive8`: the card holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cfgive8: Option<String>,
    /// `cf1`: first name.
    #[serde(default, rename = "cf1", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// `cf2`: patronymic.
    #[serde(default, rename = "cf2", skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<String>,
    /// `cf3`: last name.
    #[serde(default, rename = "cf3", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `cf4`: phone.
    #[serde(default, rename = "cf4", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `cf5`: Skype.
    #[serde(default, rename = "cf5", skip_serializing_if = "Option::is_none")]
    pub skype: Option<String>,
    /// `cf6`: e-mail.
    #[serde(default, rename = "cf6", skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `cf8`: passport number.
    #[serde(default, rename = "cf8", skip_serializing_if = "Option::is_none")]
    pub passport: Option<String>,
    /// `cf10`: region.
    #[serde(default, rename = "cf10", skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `cf11`: Telegram.
    #[serde(default, rename = "cf11", skip_serializing_if = "Option::is_none")]
    pub telegram: Option<String>,
    /// Other custom fields, by number (`7` is sent as `cf7`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<u8, String>,
}

/// Written by hand: accounts and custom fields may hold card numbers, shown masked.
///
/// ```
/// let mut r = exchanger::CreateBidRequest::new(3, "5000".parse()?, exchanger::CalcAction::Give);
/// r.account1 = Some("8600490212346744".into());
/// assert!(!format!("{r:?}").contains("8600490212346744"));
/// assert!(format!("{r:?}").contains("860049******6744"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl std::fmt::Debug for CreateBidRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |v: &Option<String>| v.as_deref().map(kassa_core::secret::redact_text);
        let custom: BTreeMap<u8, String> = self
            .custom
            .iter()
            .map(|(n, v)| (*n, kassa_core::secret::redact_text(v)))
            .collect();
        f.debug_struct("CreateBidRequest")
            .field("direction_id", &self.direction_id)
            .field("partner_id", &self.partner_id)
            .field("api_id", &self.api_id)
            .field("calc_amount", &self.calc_amount)
            .field("calc_action", &self.calc_action)
            .field("callback_url", &masked(&self.callback_url))
            .field("account1", &masked(&self.account1))
            .field("account2", &masked(&self.account2))
            .field("cfgive8", &self.cfgive8)
            .field("first_name", &self.first_name)
            .field("patronymic", &self.patronymic)
            .field("last_name", &self.last_name)
            .field("phone", &self.phone)
            .field("skype", &self.skype)
            .field("email", &self.email)
            .field("passport", &masked(&self.passport))
            .field("region", &self.region)
            .field("telegram", &self.telegram)
            .field("custom", &custom)
            .finish()
    }
}

const NAMED_CF: [u8; 9] = [1, 2, 3, 4, 5, 6, 8, 10, 11];

impl CreateBidRequest {
    /// A bid of `amount` in the direction.
    ///
    /// ```
    /// let r = exchanger::CreateBidRequest::new(12, "1".parse()?, exchanger::CalcAction::Give);
    /// assert!(r.api_id.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        direction_id: u64,
        calc_amount: Decimal,
        calc_action: CalcAction,
    ) -> CreateBidRequest {
        CreateBidRequest {
            direction_id,
            partner_id: None,
            api_id: None,
            calc_amount,
            calc_action,
            callback_url: None,
            account1: None,
            account2: None,
            cfgive8: None,
            first_name: None,
            patronymic: None,
            last_name: None,
            phone: None,
            skype: None,
            email: None,
            passport: None,
            region: None,
            telegram: None,
            custom: BTreeMap::new(),
        }
    }

    /// Sets the `api_id`.
    ///
    /// ```
    /// let r = exchanger::CreateBidRequest::new(1, "1".parse()?, exchanger::CalcAction::Give).api_id("a-1");
    /// assert_eq!(r.api_id.as_deref(), Some("a-1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn api_id(mut self, api_id: impl Into<String>) -> CreateBidRequest {
        self.api_id = Some(api_id.into());
        self
    }

    fn check(&self) -> Result<(), Error> {
        check_amount("calc_amount", &self.calc_amount)?;
        if let Some(api_id) = &self.api_id {
            if api_id.len() > 64 {
                return Err(Error::invalid("api_id", "1 to 64 visible ASCII characters"));
            }
            IdempotencyKey::new(api_id.as_str())
                .map_err(|_| Error::invalid("api_id", "1 to 64 visible ASCII characters"))?;
        }
        if let Some(url) = &self.callback_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(Error::invalid("callback_url", "an http(s) URL"));
        }
        for n in self.custom.keys() {
            if !(1..=99).contains(n) || NAMED_CF.contains(n) {
                return Err(Error::invalid(
                    "custom",
                    format!(
                        "cf{n}: custom fields are cf1..cf99, the named ones set by their own field"
                    ),
                ));
            }
        }
        let texts = [
            ("account1", &self.account1),
            ("account2", &self.account2),
            ("cfgive8", &self.cfgive8),
            ("cf6", &self.email),
        ];
        for (field, value) in texts {
            if value
                .as_deref()
                .is_some_and(|v| v.chars().any(char::is_control))
            {
                return Err(Error::invalid(field, "control characters are not allowed"));
            }
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct CreateBidForm<'a> {
    #[serde(flatten)]
    req: &'a CreateBidRequest,
    #[serde(flatten)]
    custom: BTreeMap<String, &'a str>,
}

/// A bid, as `create_bid` and `bid_info` answer it.
///
/// ```
/// let bid: exchanger::Bid = serde_json::from_str(r#"{"id": 1350, "hash": "9f8e7d6c5b4a", "status": "new", "currency_code_give": "BTC", "currency_code_get": "USDT", "amount_give": "0.0152", "amount_get": "958.23", "api_actions": {"type": "address", "cancel": "api", "pay": "api"}}"#)?;
/// assert_eq!(bid.id, exchanger::BidId(1350));
/// assert_eq!(bid.amount_give.to_string(), "0.0152");
/// assert!(bid.api_actions.cancel.allows_api());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    /// The exchange page.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub url: String,
    /// The bid's id.
    pub id: BidId,
    /// The bid's hash (for `cancel_bid`, `pay_bid`, `bid_info`).
    #[serde(deserialize_with = "kassa_core::lenient::text")]
    pub hash: String,
    /// The status.
    pub status: BidStatus,
    /// The status's title.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub status_title: String,
    /// The "give" payment system.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub psys_give: String,
    /// The "get" payment system.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub psys_get: String,
    /// The "give" currency's code.
    pub currency_code_give: CurrencyCode,
    /// The "get" currency's code.
    pub currency_code_get: CurrencyCode,
    /// The sum given.
    pub amount_give: Decimal,
    /// The sum got.
    pub amount_get: Decimal,
    /// How the bid is paid and cancelled.
    pub api_actions: ApiActions,
    /// The bid's `api_id`: as the exchanger answers it when it does, else (after
    /// `create_bid`) the one the client sent. `create_bid` refuses an answer naming
    /// another `api_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
}

/// The request of `cancel_bid`, `pay_bid` and `success_bid`: the bid's hash and, when
/// known, its `api_actions` (checked before sending).
///
/// ```
/// let r = exchanger::BidActionRequest::hash("9f8e7d6c5b4a");
/// assert!(r.api_actions.is_none());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidActionRequest {
    /// The bid's hash.
    pub hash: String,
    /// The bid's `api_actions`: `cancel_bid` and `pay_bid` are refused before sending
    /// unless the action is `api`.
    #[serde(default, skip_serializing)]
    pub api_actions: Option<ApiActions>,
}

impl BidActionRequest {
    /// By hash only (no `api_actions` check).
    ///
    /// ```
    /// assert_eq!(exchanger::BidActionRequest::hash("h").hash, "h");
    /// ```
    pub fn hash(hash: impl Into<String>) -> BidActionRequest {
        BidActionRequest {
            hash: hash.into(),
            api_actions: None,
        }
    }

    /// For a bid: its hash and its `api_actions`.
    ///
    /// ```
    /// # let bid: exchanger::Bid = serde_json::from_str(r#"{"id":1,"hash":"h","status":"new","currency_code_give":"BTC","currency_code_get":"USDT","amount_give":"1","amount_get":"1","api_actions":{"type":"link","cancel":"disabled","pay":"api"}}"#)?;
    /// let r = exchanger::BidActionRequest::for_bid(&bid);
    /// assert!(r.api_actions.is_some());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn for_bid(bid: &Bid) -> BidActionRequest {
        BidActionRequest {
            hash: bid.hash.clone(),
            api_actions: Some(bid.api_actions.clone()),
        }
    }
}

/// The answer of `cancel_bid`, `pay_bid`, `success_bid`: the bid's status, written as
/// `{status, status_title}` or as the bare status.
///
/// ```
/// let a: exchanger::BidState = serde_json::from_str(r#""cancel""#)?;
/// let b: exchanger::BidState = serde_json::from_str(r#"{"status": "cancel", "status_title": "Отменена"}"#)?;
/// assert_eq!(a.status, b.status);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidState {
    /// The status.
    pub status: BidStatus,
    /// Its title, when the exchanger sent one.
    pub status_title: Option<String>,
}

impl<'de> Deserialize<'de> for BidState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BidState, D::Error> {
        #[derive(Deserialize)]
        struct Full {
            status: BidStatus,
            #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
            status_title: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bare(BidStatus),
            Full(Full),
        }
        Ok(match Either::deserialize(d)? {
            Either::Bare(status) => BidState {
                status,
                status_title: None,
            },
            Either::Full(f) => BidState {
                status: f.status,
                status_title: f.status_title,
            },
        })
    }
}

/// The request of `bid_info`: by id or by hash (one of them is required).
///
/// ```
/// let e = exchanger::BidInfoRequest::default().check().unwrap_err();
/// assert_eq!(e.field(), Some("id"));
/// assert!(exchanger::BidInfoRequest::id(exchanger::BidId(1350)).check().is_ok());
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidInfoRequest {
    /// The bid's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<BidId>,
    /// The bid's hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl BidInfoRequest {
    /// By id.
    ///
    /// ```
    /// assert!(exchanger::BidInfoRequest::id(exchanger::BidId(1)).hash.is_none());
    /// ```
    pub fn id(id: BidId) -> BidInfoRequest {
        BidInfoRequest {
            id: Some(id),
            hash: None,
        }
    }

    /// By hash.
    ///
    /// ```
    /// assert!(exchanger::BidInfoRequest::hash("h").id.is_none());
    /// ```
    pub fn hash(hash: impl Into<String>) -> BidInfoRequest {
        BidInfoRequest {
            id: None,
            hash: Some(hash.into()),
        }
    }

    /// Checks that an id or a hash is given.
    ///
    /// ```
    /// assert!(exchanger::BidInfoRequest::hash(" ").check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        let hash = self
            .hash
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty());
        if self.id.is_none() && hash.is_none() {
            return Err(Error::invalid(
                "id",
                "bid_info needs the bid's id or its hash",
            ));
        }
        Ok(())
    }
}

/// What [`Client::create_bid_once`] did.
///
/// ```
/// fn bid_id(done: &exchanger::CreateOnce) -> exchanger::BidId {
///     match done {
///         exchanger::CreateOnce::Created(bid) => bid.id,
///         exchanger::CreateOnce::Existing(found) => found.id,
///     }
/// }
/// # let _ = bid_id;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CreateOnce {
    /// No bid had this `api_id`: it was created now.
    Created(Bid),
    /// A bid with this `api_id` already exists: nothing was sent.
    Existing(Exchange),
}

/// The bid callback the exchanger POSTs to `callback_url`: `bid_id` and, optionally,
/// `status`. It carries no signature.
///
/// ```
/// let cb = exchanger::parse_callback(b"bid_id=1350&status=success")?;
/// let claim: &exchanger::BidCallback = cb.claimed();
/// assert_eq!(claim.status, Some(exchanger::BidStatus::Success));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidCallback {
    /// The bid's id.
    pub bid_id: BidId,
    /// The status it claims.
    pub status: Option<BidStatus>,
}

/// Parses a bid callback's form body. The exchanger signs nothing, so the result is
/// [`Unverified`]: confirm it with [`Client::confirm_callback`] before acting on it.
///
/// ```
/// let cb = exchanger::parse_callback(b"bid_id=1350&status=payed")?;
/// assert_eq!(cb.claimed().bid_id, exchanger::BidId(1350));
/// assert!(exchanger::parse_callback(b"status=payed").unwrap_err().field() == Some("bid_id"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn parse_callback(body: &[u8]) -> Result<Unverified<BidCallback>, Error> {
    let mut bid_id = None;
    let mut status = None;
    for (name, value) in form_urlencoded::parse(body) {
        match name.as_ref() {
            "bid_id" => {
                let id = value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| Error::invalid("bid_id", "a bid id (digits)"))?;
                bid_id = Some(BidId(id));
            }
            "status" if !value.trim().is_empty() => status = Some(BidStatus::from_raw(&value)),
            _ => {}
        }
    }
    let bid_id = bid_id.ok_or_else(|| Error::invalid("bid_id", "the callback has no bid_id"))?;
    Ok(Unverified::new(
        BidCallback { bid_id, status },
        "the exchanger's callback carries no signature: confirm it with bid_info",
    ))
}

fn once(name: &'static str) -> Operation {
    Operation::new(PROVIDER, name, Effect::Once)
}

impl Client {
    /// `get_exchanges`: the bids made with this key, by every filter. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let found = client.get_exchanges(&exchanger::ExchangesRequest::by_api_id("order-42")).await?;
    /// println!("{} bids", found.items.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_exchanges(&self, req: &ExchangesRequest) -> Result<Exchanges, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-exchanges", Effect::Read);
        self.listing(OP, "get_exchanges", req).await
    }

    /// `create_bid`: creates a bid. **Sent once**: `api_id` is a lookup key, not a
    /// deduplication key, so a lost answer is outcome-unknown naming `get-exchanges` by
    /// `api_id` (the client makes an `api_id` when none is given, and puts it in the
    /// answer's [`Bid::api_id`]). Use [`Client::create_bid_once`] to retry safely.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use exchanger::{CalcAction, CreateBidRequest};
    /// let bid = client.create_bid(&CreateBidRequest::new(12, "0.015".parse()?, CalcAction::Give).api_id("order-42")).await?;
    /// println!("bid {} {}", bid.id, bid.status);
    /// # Ok(()) }
    /// ```
    pub async fn create_bid(&self, req: &CreateBidRequest) -> Result<Bid, Error> {
        req.check()?;
        let mut req = req.clone();
        let api_id = req
            .api_id
            .get_or_insert_with(|| IdempotencyKey::new_v4().as_str().to_owned())
            .clone();
        let op = once("create-bid")
            .reconcile_with(Reconcile::new("get-exchanges").param("api_id", api_id.clone()));
        let custom = req
            .custom
            .iter()
            .map(|(n, v)| (format!("cf{n}"), v.as_str()))
            .collect();
        let form = CreateBidForm {
            req: &CreateBidRequest {
                custom: BTreeMap::new(),
                ..req.clone()
            },
            custom,
        };
        let mut bid: Bid = self.object(op.clone(), "create_bid", &form).await?;
        // An answer naming another `api_id` is another bid's: ours may or may not exist.
        if let Some(theirs) = bid.api_id.as_deref().map(str::trim)
            && !theirs.is_empty()
            && theirs != api_id
        {
            return Err(self.inner.engine.scrub_error(op.outcome_unknown(format!(
                "the answer describes another bid (id {}, api_id `{theirs}`), not the one sent with api_id `{api_id}`",
                bid.id
            ))));
        }
        bid.api_id = Some(api_id);
        Ok(bid)
    }

    /// Looks the bid up by `api_id` first and creates it only when none exists: a caller
    /// that retries through this never makes two bids. `api_id` is required.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use exchanger::{CalcAction, CreateBidRequest, CreateOnce};
    /// let req = CreateBidRequest::new(12, "0.015".parse()?, CalcAction::Give).api_id("order-42");
    /// match client.create_bid_once(&req).await? {
    ///     CreateOnce::Created(bid) => println!("created {}", bid.id),
    ///     CreateOnce::Existing(bid) => println!("already there: {}", bid.id),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create_bid_once(&self, req: &CreateBidRequest) -> Result<CreateOnce, Error> {
        req.check()?;
        let Some(api_id) = req.api_id.as_deref() else {
            return Err(Error::invalid(
                "api_id",
                "create_bid_once needs the caller's api_id, the same on every retry",
            ));
        };
        let found = self
            .get_exchanges(&ExchangesRequest::by_api_id(api_id))
            .await?;
        let listed = found.items.len();
        if let Some(existing) = found.items.into_iter().find(|e| e.api_id == api_id) {
            return Ok(CreateOnce::Existing(existing));
        }
        if listed > 0 {
            // Bids were listed, none with this api_id: the filter was not applied, so a
            // missing bid cannot be told from one beyond the page. Create nothing.
            let op = once("create-bid")
                .reconcile_with(Reconcile::new("get-exchanges").param("api_id", api_id));
            return Err(self.inner.engine.scrub_error(op.outcome_unknown(format!(
                "get_exchanges by api_id `{api_id}` listed {listed} other bid(s) and not this one: \
                 the exchanger ignored the filter, so whether the bid exists is unknown; nothing was created"
            ))));
        }
        self.create_bid(req).await.map(CreateOnce::Created)
    }

    async fn bid_action(
        &self,
        name: &'static str,
        method: &str,
        req: &BidActionRequest,
        allowed: Option<fn(&ApiActions) -> bool>,
    ) -> Result<BidState, Error> {
        if req.hash.trim().is_empty() {
            return Err(Error::invalid("hash", "the bid's hash is required"));
        }
        if let (Some(allowed), Some(actions)) = (allowed, &req.api_actions)
            && !allowed(actions)
        {
            return Err(Error::invalid(
                format!(
                    "api_actions.{}",
                    if name == "cancel-bid" {
                        "cancel"
                    } else {
                        "pay"
                    }
                ),
                "the bid does not allow this action through the API (not `api`): nothing was sent",
            ));
        }
        let op =
            once(name).reconcile_with(Reconcile::new("bid-info").param("hash", req.hash.clone()));
        self.object(op, method, req).await
    }

    /// `cancel_bid`: cancels a bid. Refused before sending when the request's
    /// `api_actions.cancel` is not `api`. Sent once; a lost answer names `bid-info`.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client, bid: exchanger::Bid) -> Result<(), kassa_core::Error> {
    /// let state = client.cancel_bid(&exchanger::BidActionRequest::for_bid(&bid)).await?;
    /// println!("{}", state.status);
    /// # Ok(()) }
    /// ```
    pub async fn cancel_bid(&self, req: &BidActionRequest) -> Result<BidState, Error> {
        self.bid_action(
            "cancel-bid",
            "cancel_bid",
            req,
            Some(|a| a.cancel.allows_api()),
        )
        .await
    }

    /// `pay_bid`: marks a bid paid. Refused before sending when the request's
    /// `api_actions.pay` is not `api`. Sent once; a lost answer names `bid-info`.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client, bid: exchanger::Bid) -> Result<(), kassa_core::Error> {
    /// client.pay_bid(&exchanger::BidActionRequest::for_bid(&bid)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn pay_bid(&self, req: &BidActionRequest) -> Result<BidState, Error> {
        self.bid_action("pay-bid", "pay_bid", req, Some(|a| a.pay.allows_api()))
            .await
    }

    /// `success_bid`: marks a bid done (in the vendor's method list, not in the document).
    /// Sent once; a lost answer names `bid-info`.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// client.success_bid(&exchanger::BidActionRequest::hash("9f8e7d6c5b4a")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn success_bid(&self, req: &BidActionRequest) -> Result<BidState, Error> {
        self.bid_action("success-bid", "success_bid", req, None)
            .await
    }

    /// `bid_info`: a bid by id or hash (checked before sending). A read; "no bid exists" is
    /// [`Code::NoBidExists`](crate::Code::NoBidExists).
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let bid = client.bid_info(&exchanger::BidInfoRequest::id(exchanger::BidId(1350))).await?;
    /// println!("{}", bid.status);
    /// # Ok(()) }
    /// ```
    pub async fn bid_info(&self, req: &BidInfoRequest) -> Result<Bid, Error> {
        const OP: Operation = Operation::new(PROVIDER, "bid-info", Effect::Read);
        req.check()?;
        let bid: Bid = self.object(OP, "bid_info", req).await?;
        let asked_hash = req.hash.as_deref().map(str::trim).filter(|h| !h.is_empty());
        let wrong = match (req.id, asked_hash) {
            (Some(id), _) if bid.id != id => {
                Some(("data.id", format!("bid {}", bid.id), id.to_string()))
            }
            (_, Some(hash)) if bid.hash != hash => Some((
                "data.hash",
                format!("the bid with hash `{}`", bid.hash),
                format!("hash `{hash}`"),
            )),
            _ => None,
        };
        match wrong {
            None => Ok(bid),
            // Another bid's answer is never taken for the one asked about.
            Some((path, theirs, ours)) => Err(self.inner.engine.scrub_error(Error::Decode {
                provider: PROVIDER,
                operation: OP.name,
                path: path.to_owned(),
                message: format!("the answer describes {theirs}, not the bid asked for ({ours})"),
                excerpt: String::new(),
            })),
        }
    }

    /// Confirms a bid callback: asks `bid_info` for the bid it names and answers the bid as
    /// the exchanger reports it. Act on this answer, never on the callback's claim.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client, body: &[u8]) -> Result<(), kassa_core::Error> {
    /// let claimed = exchanger::parse_callback(body)?;
    /// let bid = client.confirm_callback(&claimed).await?;
    /// println!("bid {} is {}", bid.id, bid.status);
    /// # Ok(()) }
    /// ```
    pub async fn confirm_callback(&self, callback: &Unverified<BidCallback>) -> Result<Bid, Error> {
        self.bid_info(&BidInfoRequest::id(callback.claimed().bid_id))
            .await
    }
}
