//! Payments: create (every type), pay, follow, history, the Best transfers, and the
//! two-phase flow as one helper.
//!
//! - `create-payment` is [`Effect::Keyed`] by its [`ClientPaymentId`]: made once per
//!   payment (or set by the caller, to re-create a payment after a crash) and sent unchanged
//!   on every retry, so an I/O error, a timeout or a 5xx resends the same request and the
//!   server answers the payment it already made.
//! - `pay-payment` is [`Effect::Once`]: once it may have left, a lost answer is
//!   [`Error::OutcomeUnknown`] naming `get-payment` with the payment's id.
//! - An answer naming another payment than the one asked about is never taken as ours: it
//!   is outcome-unknown too (ask `get-payment`).
//! - Statuses, decline reasons, payment types and next actions keep values this version
//!   does not know; an unknown status is never success.
//! - Amounts are exact roubles ([`Money`] in RUB): `9971.34` is 997134 kopecks, more than two
//!   decimals is a decode error.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::Stream;
use kassa_core::answer::RawValue;
use kassa_core::idempotency::IdempotencyKey;
use kassa_core::paging::{self, Page};
use kassa_core::poll::{self, Settled, Settles};
use kassa_core::{Currency, Effect, Error, Method, Money, Operation, Reconcile};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PROVIDER;
use crate::answer::{self, Answer, Done};
use crate::auth::Phone;
use crate::client::{Auth, Client};
use crate::wire::Exact;
use crate::wire::WalletRef;

const GET_PAYMENT: Operation = Operation::new(PROVIDER, "get-payment", Effect::Read);
const PAYMENT_BILL: Operation = Operation::new(PROVIDER, "payment-bill", Effect::Once);
const LIST_PAYMENTS: Operation = Operation::new(PROVIDER, "list-payments", Effect::Read);
const RESET_UNSEEN: Operation = Operation::new(PROVIDER, "reset-unseen", Effect::Once);
const BEST_P2P: Operation = Operation::new(PROVIDER, "best-p2p-webhook", Effect::Once);
const LIST_BEST: Operation = Operation::new(PROVIDER, "list-best-payments", Effect::Read);
const RESET_BEST_UNSEEN: Operation = Operation::new(PROVIDER, "reset-best-unseen", Effect::Once);

/// The page size the document names for the history (35).
///
/// ```
/// assert_eq!(mserver::DEFAULT_PAGE_SIZE, 35);
/// ```
pub const DEFAULT_PAGE_SIZE: u32 = 35;

macro_rules! open_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident { $( $(#[$vm:meta])* $v:ident = $raw:literal, )+ }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vm])* $v, )+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            #[doc = concat!("The wire text.\n\n```\nlet v = mserver::", stringify!($name),
                "::from_raw(\"brand_new\");\nassert_eq!(v.as_str(), \"brand_new\");\n```")]
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$v => $raw, )+
                    $name::Unknown(s) => s,
                }
            }

            #[doc = concat!("Reads the wire text; a value not listed is kept as `Unknown`.\n\n```\n",
                "assert!(matches!(mserver::", stringify!($name),
                "::from_raw(\"brand_new\"), mserver::", stringify!($name), "::Unknown(_)));\n```")]
            pub fn from_raw(raw: &str) -> $name {
                match raw {
                    $( $raw => $name::$v, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let raw = String::deserialize(d)?;
                Ok($name::from_raw(&raw))
            }
        }
    };
}

open_enum! {
    /// A payment's `type`.
    ///
    /// ```
    /// assert_eq!(mserver::PaymentType::from_raw("inout"), mserver::PaymentType::Inout);
    /// ```
    pub enum PaymentType {
        /// `out`: from the wallet to a service.
        Out = "out",
        /// `p2p`: from wallet to wallet.
        P2p = "p2p",
        /// `in`: from a card into the wallet.
        In = "in",
        /// `inout`: from a card to a service, through the wallet.
        Inout = "inout",
    }
}

open_enum! {
    /// A payment's `status`. Only [`PaymentStatus::Completed`] is success; an unknown
    /// status is neither final nor success.
    ///
    /// ```
    /// use mserver::PaymentStatus;
    /// assert!(PaymentStatus::Declined.is_final());
    /// assert!(!PaymentStatus::from_raw("on_hold").is_final());
    /// ```
    pub enum PaymentStatus {
        /// `created`: made, not paid yet.
        Created = "created",
        /// `processing`: being paid.
        Processing = "processing",
        /// `completed`: paid.
        Completed = "completed",
        /// `declined`: refused (see `decline_reason`).
        Declined = "declined",
    }
}

impl PaymentStatus {
    /// True for `completed` and `declined`: the status will not change (save an `undo`).
    ///
    /// ```
    /// assert!(mserver::PaymentStatus::Completed.is_final());
    /// assert!(!mserver::PaymentStatus::Processing.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, PaymentStatus::Completed | PaymentStatus::Declined)
    }

    /// True only for `completed`.
    ///
    /// ```
    /// assert!(mserver::PaymentStatus::Completed.succeeded());
    /// assert!(!mserver::PaymentStatus::from_raw("success").succeeded());
    /// ```
    pub fn succeeded(&self) -> bool {
        matches!(self, PaymentStatus::Completed)
    }
}

open_enum! {
    /// A declined payment's `decline_reason`.
    ///
    /// ```
    /// assert_eq!(mserver::DeclineReason::from_raw("insufficient_funds"), mserver::DeclineReason::InsufficientFunds);
    /// ```
    pub enum DeclineReason {
        /// `invalid_data`: the payment's data were refused.
        InvalidData = "invalid_data",
        /// `insufficient_funds`: not enough money in the wallet.
        InsufficientFunds = "insufficient_funds",
        /// `internal_error`: the server failed.
        InternalError = "internal_error",
    }
}

open_enum! {
    /// `meta.next_action`: what the server asks the client to do next.
    ///
    /// ```
    /// assert_eq!(mserver::NextAction::from_raw("pay"), mserver::NextAction::Pay);
    /// ```
    pub enum NextAction {
        /// `update`: complete the payment's parameters.
        Update = "update",
        /// `pay`: confirm the payment (show `total` first).
        Pay = "pay",
        /// `get`: follow the payment with `get-payment`.
        Get = "get",
    }
}

/// The next action an answer's `meta` asks for, if any.
///
/// ```
/// let a: mserver::Answer<mserver::Done> = serde_json::from_str(r#"{"meta": {"code": 200, "next_action": "get"}}"#)?;
/// assert_eq!(mserver::next_action(&a), Some(mserver::NextAction::Get));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn next_action<T>(answer: &Answer<T>) -> Option<NextAction> {
    answer.meta.next_action.as_deref().map(NextAction::from_raw)
}

/// Amounts on the wire: roubles as a JSON number, whole amounts without a fraction (`100`),
/// others with their kopecks (`9971.34`); read exactly, more than two decimals refused.
mod rub {
    use super::*;

    pub fn serialize<S: Serializer>(money: &Money, s: S) -> Result<S::Ok, S::Error> {
        let text = if money.minor % 100 == 0 {
            (money.minor / 100).to_string()
        } else {
            money.to_major_string()
        };
        RawValue::from_string(text)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        kassa_core::money::serde::rub::major_number::deserialize(d)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(money: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
            match money {
                Some(m) => super::serialize(m, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
            kassa_core::money::serde::rub::major_number::option::deserialize(d)
        }
    }
}

/// Reads roubles as the API writes them, exactly: `9971.34` is 997134 kopecks; more than
/// two decimals is an error, never a rounding.
///
/// ```
/// assert_eq!(mserver::parse_rub("9971.34")?.minor, 997134);
/// assert!(mserver::parse_rub("8.031").is_err());
/// # Ok::<(), kassa_core::MoneyError>(())
/// ```
pub fn parse_rub(text: &str) -> Result<Money, kassa_core::MoneyError> {
    Money::parse_major(text, Currency::RUB)
}

/// A payment's `client_payment_id`: a lower-case UUID made once per payment. The server
/// creates at most one payment per id, so the same id is sent on every retry; keep it to
/// re-create a payment after a crash.
///
/// ```
/// use mserver::ClientPaymentId;
/// let id = ClientPaymentId::new();
/// assert_eq!(id.as_str().len(), 36);
/// assert_eq!(id.as_str(), id.as_str().to_lowercase());
/// let kept = ClientPaymentId::parse("e731a7e2-c553-4295-867e-1023359bee28")?;
/// assert_eq!(kept.as_str(), "e731a7e2-c553-4295-867e-1023359bee28");
/// assert_eq!(ClientPaymentId::parse("E731A7E2-C553-4295-867E-1023359BEE28").unwrap_err().field(), Some("client_payment_id"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ClientPaymentId(String);

impl ClientPaymentId {
    /// A fresh id (a random UUID, lower case).
    ///
    /// ```
    /// assert_ne!(mserver::ClientPaymentId::new(), mserver::ClientPaymentId::new());
    /// ```
    #[allow(clippy::new_without_default)]
    pub fn new() -> ClientPaymentId {
        ClientPaymentId(IdempotencyKey::new_v4().into())
    }

    /// An id the caller kept: a lower-case hyphenated UUID, or an error naming
    /// `client_payment_id`.
    ///
    /// ```
    /// assert!(mserver::ClientPaymentId::parse("not-a-uuid").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<ClientPaymentId, Error> {
        let ok = text.len() == 36
            && text.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            });
        if ok {
            Ok(ClientPaymentId(text.to_owned()))
        } else {
            Err(Error::invalid(
                "client_payment_id",
                "must be a lower-case hyphenated UUID (36 characters)",
            ))
        }
    }

    /// The id's text.
    ///
    /// ```
    /// let id = mserver::ClientPaymentId::parse("021c6d23-7508-4e35-ad92-852308a47689")?;
    /// assert_eq!(id.as_str(), "021c6d23-7508-4e35-ad92-852308a47689");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ClientPaymentId {
    fn default() -> ClientPaymentId {
        ClientPaymentId::new()
    }
}

impl std::fmt::Display for ClientPaymentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ClientPaymentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClientPaymentId, D::Error> {
        let raw = String::deserialize(d)?;
        ClientPaymentId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// `POST /payments`: a payment of any type. [`CreatePaymentRequest::new`] makes its
/// [`ClientPaymentId`]; set `client_payment_id` to re-create a payment with a kept id.
///
/// | type | takes |
/// |---|---|
/// | `out` | `service`, `parameters` |
/// | `p2p` | `destination` (a wallet's phone), `message` |
/// | `in` | `card` or `store_card` (optional) |
/// | `inout` | `service`, `parameters`, and `card` or `store_card` (optional) |
///
/// Anonymous payments are made by a client built with
/// [`ClientBuilder::application`](crate::ClientBuilder::application): the application token
/// goes with `X-Authorization-Type: application`.
///
/// ```
/// use mserver::{CreatePaymentRequest, PaymentType};
/// let out = CreatePaymentRequest::new(PaymentType::Out, mserver::parse_rub("100")?)
///     .service(61, [("phoneNumber", "9267101283")]);
/// let body = serde_json::to_value(&out)?;
/// assert_eq!(body["amount"], serde_json::json!(100));
/// assert_eq!(body["client_payment_id"].as_str().map(str::len), Some(36));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatePaymentRequest {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: PaymentType,
    /// `client_payment_id`: made once; sent unchanged on every retry.
    #[serde(default)]
    pub client_payment_id: ClientPaymentId,
    /// `amount` in roubles.
    #[serde(with = "rub")]
    pub amount: Money,
    /// `service` (`out`, `inout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<u64>,
    /// `parameters` (`out`, `inout`): the service's parameter values by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, String>>,
    /// `destination` (`p2p`): the receiving wallet's phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// `message` (`p2p`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `card`: a saved card's id (`in`, `inout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<u64>,
    /// `store_card`: keep the card paid with for later (`in`, `inout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_card: Option<bool>,
}

impl CreatePaymentRequest {
    /// A payment of `kind` for `amount`, with a fresh [`ClientPaymentId`].
    ///
    /// ```
    /// let r = mserver::CreatePaymentRequest::new(mserver::PaymentType::In, mserver::parse_rub("100")?);
    /// assert!(r.service.is_none());
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn new(kind: PaymentType, amount: Money) -> CreatePaymentRequest {
        CreatePaymentRequest {
            kind,
            client_payment_id: ClientPaymentId::new(),
            amount,
            service: None,
            parameters: None,
            destination: None,
            message: None,
            card: None,
            store_card: None,
        }
    }

    /// The service and its parameter values (`out`, `inout`).
    ///
    /// ```
    /// let r = mserver::CreatePaymentRequest::new(mserver::PaymentType::Out, mserver::parse_rub("1")?)
    ///     .service(834, [("phoneNumber", "9267101283")]);
    /// assert_eq!(r.service, Some(834));
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn service<K: Into<String>, V: Into<String>>(
        mut self,
        service: u64,
        parameters: impl IntoIterator<Item = (K, V)>,
    ) -> CreatePaymentRequest {
        self.service = Some(service);
        self.parameters = Some(
            parameters
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// The receiving wallet and a message (`p2p`).
    ///
    /// ```
    /// let r = mserver::CreatePaymentRequest::new(mserver::PaymentType::P2p, mserver::parse_rub("100")?)
    ///     .to_wallet("+79261111112", Some("за чай"));
    /// assert_eq!(serde_json::to_value(&r).unwrap()["destination"], "+79261111112");
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn to_wallet(
        mut self,
        phone: impl Into<String>,
        message: Option<&str>,
    ) -> CreatePaymentRequest {
        self.destination = Some(phone.into());
        self.message = message.map(str::to_owned);
        self
    }

    /// A kept id, to re-create a payment after a crash.
    ///
    /// ```
    /// let id = mserver::ClientPaymentId::new();
    /// let r = mserver::CreatePaymentRequest::new(mserver::PaymentType::In, mserver::parse_rub("1")?)
    ///     .with_id(id.clone());
    /// assert_eq!(r.client_payment_id, id);
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn with_id(mut self, id: ClientPaymentId) -> CreatePaymentRequest {
        self.client_payment_id = id;
        self
    }

    /// Checks the fields the type takes, naming the first wrong one.
    ///
    /// ```
    /// let r = mserver::CreatePaymentRequest::new(mserver::PaymentType::Out, mserver::parse_rub("1")?);
    /// assert_eq!(r.validate().unwrap_err().field(), Some("service"));
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.amount.currency != Currency::RUB {
            return Err(Error::invalid("amount", "must be in RUB"));
        }
        if self.amount.minor <= 0 {
            return Err(Error::invalid("amount", "must be positive"));
        }
        let takes_service = matches!(self.kind, PaymentType::Out | PaymentType::Inout);
        let takes_card = matches!(self.kind, PaymentType::In | PaymentType::Inout);
        match (&self.kind, takes_service, self.service) {
            (PaymentType::Unknown(t), ..) => {
                return Err(Error::invalid(
                    "type",
                    format!("must be out, p2p, in or inout, got {t}"),
                ));
            }
            (_, true, None) => return Err(Error::invalid("service", "required for this type")),
            (_, false, Some(_)) => {
                return Err(Error::invalid("service", "not taken by this type"));
            }
            _ => {}
        }
        if !takes_service && self.parameters.is_some() {
            return Err(Error::invalid("parameters", "not taken by this type"));
        }
        match (&self.kind, &self.destination) {
            (PaymentType::P2p, None) => {
                return Err(Error::invalid("destination", "required for p2p"));
            }
            (PaymentType::P2p, Some(phone)) => {
                Phone::new(phone.as_str()).map_err(|_| {
                    Error::invalid("destination", "must be a phone in international format")
                })?;
            }
            (_, Some(_)) => return Err(Error::invalid("destination", "only for p2p")),
            _ => {}
        }
        if self.kind != PaymentType::P2p && self.message.is_some() {
            return Err(Error::invalid("message", "only for p2p"));
        }
        if let Some(message) = &self.message {
            kassa_core::text::free_text("message", message, 1000)?;
        }
        if !takes_card && (self.card.is_some() || self.store_card.is_some()) {
            let field = if self.card.is_some() {
                "card"
            } else {
                "store_card"
            };
            return Err(Error::invalid(field, "only for in and inout"));
        }
        if self.card.is_some() && self.store_card == Some(true) {
            return Err(Error::invalid(
                "store_card",
                "a saved card is already stored: give card or store_card, not both",
            ));
        }
        Ok(())
    }
}

/// `POST /payments/{id}/pay`: confirms a created payment. With
/// [`PayPaymentRequest::switch_to_inout`], an `out` payment is paid by card instead
/// (`{"type": "inout", "card": ...}`).
///
/// ```
/// let pay = mserver::PayPaymentRequest::new(25818);
/// assert!(pay.card.is_none());
/// let switch = mserver::PayPaymentRequest::switch_to_inout(25832, 7222);
/// assert_eq!(serde_json::to_value(&switch)?, serde_json::json!({"id": 25832, "type": "inout", "card": 7222}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayPaymentRequest {
    /// The payment's id (in the path).
    pub id: u64,
    /// `type`: only `inout`, to switch an `out` payment to a card payment.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PaymentType>,
    /// `card`: the saved card that pays, with `type: inout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<u64>,
}

#[derive(Serialize)]
struct PayBody<'a> {
    #[serde(rename = "type")]
    kind: &'a PaymentType,
    card: u64,
}

impl PayPaymentRequest {
    /// Pays payment `id` as it was created.
    ///
    /// ```
    /// assert_eq!(mserver::PayPaymentRequest::new(1).id, 1);
    /// ```
    pub fn new(id: u64) -> PayPaymentRequest {
        PayPaymentRequest {
            id,
            kind: None,
            card: None,
        }
    }

    /// Pays `out` payment `id` with saved card `card`, turning it into `inout`.
    ///
    /// ```
    /// let r = mserver::PayPaymentRequest::switch_to_inout(25832, 7222);
    /// assert_eq!(r.kind, Some(mserver::PaymentType::Inout));
    /// ```
    pub fn switch_to_inout(id: u64, card: u64) -> PayPaymentRequest {
        PayPaymentRequest {
            id,
            kind: Some(PaymentType::Inout),
            card: Some(card),
        }
    }
}

/// `GET /payments/{id}`.
///
/// ```
/// let r: mserver::GetPaymentRequest = serde_json::from_str(r#"{"id": 1401089237231}"#)?;
/// assert_eq!(r.id, 1401089237231);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPaymentRequest {
    /// The payment's id.
    pub id: u64,
}

/// `POST /payments/bill`: mails the receipt of an anonymous payment.
///
/// ```
/// let r = mserver::PaymentBillRequest { id: 34123, email: "vasya@petrov.xxx".into(), language: Some("ru_RU".into()) };
/// assert_eq!(serde_json::to_value(&r)?["email"], "vasya@petrov.xxx");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentBillRequest {
    /// `id`: the payment.
    pub id: u64,
    /// `email`: where to send the receipt.
    pub email: String,
    /// The receipt's language (`Accept-Language`, e.g. `ru_RU`); not in the body.
    #[serde(default, skip_serializing)]
    pub language: Option<String>,
}

/// `GET /payments`: one page of the history, filtered by types and statuses (sent as
/// comma lists).
///
/// ```
/// use mserver::{ListPaymentsRequest, PaymentStatus, PaymentType};
/// let r = ListPaymentsRequest { page: Some(1), size: Some(10), types: vec![PaymentType::Out, PaymentType::P2p], statuses: vec![PaymentStatus::Completed] };
/// assert_eq!(r.query()[2], ("type", "out,p2p".to_owned()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPaymentsRequest {
    /// `page`, from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// `size` (the server's default is 35).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// `type`: only these types.
    #[serde(default, rename = "type", skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<PaymentType>,
    /// `status`: only these statuses.
    #[serde(default, rename = "status", skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<PaymentStatus>,
}

impl ListPaymentsRequest {
    /// The query pairs this request sends.
    ///
    /// ```
    /// let q = mserver::ListPaymentsRequest { page: Some(0), ..Default::default() }.query();
    /// assert_eq!(q, [("page", "0".to_owned())]);
    /// ```
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(page) = self.page {
            q.push(("page", page.to_string()));
        }
        if let Some(size) = self.size {
            q.push(("size", size.to_string()));
        }
        let join = |items: Vec<&str>| items.join(",");
        if !self.types.is_empty() {
            q.push((
                "type",
                join(self.types.iter().map(|t| t.as_str()).collect()),
            ));
        }
        if !self.statuses.is_empty() {
            q.push((
                "status",
                join(self.statuses.iter().map(|s| s.as_str()).collect()),
            ));
        }
        q
    }

    fn validate(&self) -> Result<(), Error> {
        if self.size == Some(0) {
            return Err(Error::invalid("size", "must be at least 1"));
        }
        let bad = |s: &str| s.is_empty() || s.contains(',');
        if self.types.iter().any(|t| bad(t.as_str())) {
            return Err(Error::invalid(
                "type",
                "a type must be non-empty, without commas",
            ));
        }
        if self.statuses.iter().any(|s| bad(s.as_str())) {
            return Err(Error::invalid(
                "status",
                "a status must be non-empty, without commas",
            ));
        }
        Ok(())
    }
}

/// A service a payment goes to.
///
/// ```
/// let s: mserver::PaymentService = serde_json::from_str(r#"{"id": 834, "name": "Мегафон"}"#)?;
/// assert_eq!(s.id, 834);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentService {
    /// `id`.
    pub id: u64,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `is_disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_disabled: Option<bool>,
}

/// A gateway money comes in or goes out through (`inbound`, `outbound`).
///
/// ```
/// let g: mserver::Gateway = serde_json::from_str(r#"{"id": 62, "code": "ipsp_in", "name": "ИПСП"}"#)?;
/// assert_eq!(g.code.as_deref(), Some("ipsp_in"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gateway {
    /// `id`.
    pub id: u64,
    /// `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The card of an `in` or `inout` payment: a saved card (`id`, masked `title`) or a
/// payment page to send the user to (`payment_page_url`).
///
/// ```
/// let c: mserver::PaymentCard = serde_json::from_str(r#"{"state": "pending", "payment_page_url": "https://pay.example/1"}"#)?;
/// assert_eq!(c.payment_page_url.as_deref(), Some("https://pay.example/1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCard {
    /// `id` (saved cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// `state` (`created`, `pending`, `active`, `failed`, `used`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `title`: the masked number (`541715******2399`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `type` (`MasterCard`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `payment_page_url`: where the user enters the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_page_url: Option<String>,
}

/// A payment's parameter, in the long form (`id`, `title`, `is_required`, ...) or the short
/// one (`code`, `name`, `value`).
///
/// ```
/// let p: mserver::PaymentParameter = serde_json::from_str(r#"{"code": "phoneNumber", "name": "Телефон", "value": "9263456782"}"#)?;
/// assert_eq!((p.id.as_str(), p.value.as_deref()), ("phoneNumber", Some("9263456782")));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentParameter {
    /// `id` (or `code`).
    #[serde(alias = "code")]
    pub id: String,
    /// `title` (or `name`).
    #[serde(default, alias = "name", skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `is_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_required: Option<bool>,
}

/// A payment as the server answers it.
///
/// ```
/// let p: mserver::Payment = serde_json::from_str(r#"{"id": 1, "client_payment_id": "e731a7e2-c553-4295-867e-1023359bee28",
///     "amount": 5, "total": 8.03, "status": "declined", "decline_reason": "insufficient_funds", "type": "out"}"#)?;
/// assert_eq!(p.total.map(|t| t.minor), Some(803));
/// assert_eq!(p.outcome(), mserver::PaymentOutcome::Declined(Some(mserver::DeclineReason::InsufficientFunds)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// `id`.
    pub id: u64,
    /// `client_payment_id`.
    pub client_payment_id: String,
    /// `amount`: what the receiver gets, in roubles.
    #[serde(with = "rub")]
    pub amount: Money,
    /// `total`: what the payer pays, fees included (show it before paying).
    #[serde(default, with = "rub::option", skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    /// `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `processed_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_at: Option<String>,
    /// `status`.
    pub status: PaymentStatus,
    /// `decline_reason` (declined payments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<DeclineReason>,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: PaymentType,
    /// `service` (`out`, `inout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<PaymentService>,
    /// `parameters` (`out`, `inout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<PaymentParameter>>,
    /// `inbound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound: Option<Gateway>,
    /// `outbound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound: Option<Gateway>,
    /// `card` (`in`, `inout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<PaymentCard>,
    /// `wallet`: the paying wallet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<WalletRef>,
    /// `destination` (`p2p`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<WalletRef>,
    /// `message` (`p2p`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `remote_check` (history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_check: Option<String>,
    /// `title` (history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `subtitle` (history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// `description` (history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `unseen` (history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen: Option<bool>,
}

/// What a payment came to, as its status says.
///
/// ```
/// assert_ne!(mserver::PaymentOutcome::Pending, mserver::PaymentOutcome::Completed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// `completed`: paid.
    Completed,
    /// `declined`, with the reason when given.
    Declined(Option<DeclineReason>),
    /// `created` or `processing`: not final yet.
    Pending,
    /// A status this version does not know: not success; ask again or check by hand.
    Unknown(String),
}

impl Payment {
    /// The outcome its status says.
    ///
    /// ```
    /// let p: mserver::Payment = serde_json::from_str(r#"{"id": 1, "client_payment_id": "x", "amount": 1, "status": "held", "type": "in"}"#)?;
    /// assert_eq!(p.outcome(), mserver::PaymentOutcome::Unknown("held".into()));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn outcome(&self) -> PaymentOutcome {
        match &self.status {
            PaymentStatus::Completed => PaymentOutcome::Completed,
            PaymentStatus::Declined => PaymentOutcome::Declined(self.decline_reason.clone()),
            PaymentStatus::Created | PaymentStatus::Processing => PaymentOutcome::Pending,
            PaymentStatus::Unknown(s) => PaymentOutcome::Unknown(s.clone()),
        }
    }

    /// The card payment page the user must be sent to, if any.
    ///
    /// ```
    /// let p: mserver::Payment = serde_json::from_str(r#"{"id": 1, "client_payment_id": "x", "amount": 1, "status": "processing", "type": "in",
    ///     "card": {"state": "pending", "payment_page_url": "https://pay.example/1"}}"#)?;
    /// assert_eq!(p.payment_page_url(), Some("https://pay.example/1"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn payment_page_url(&self) -> Option<&str> {
        self.card.as_ref()?.payment_page_url.as_deref()
    }
}

impl Settles for Answer<Payment> {
    fn is_final(&self) -> bool {
        self.data.status.is_final()
    }

    fn succeeded(&self) -> bool {
        self.data.status.succeeded()
    }
}

/// `POST /payments/best/p2p`: reports a Best transfer between two wallets.
///
/// ```
/// let r: mserver::BestP2pRequest = serde_json::from_str(r#"{"payment_id": 12345678,
///     "sender": {"id": 7777777, "phone": "+79250101212"}, "recipient": {"id": 88888888, "phone": "+79110992233"}}"#)?;
/// assert_eq!(r.recipient.phone, "+79110992233");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestP2pRequest {
    /// `payment_id`.
    pub payment_id: u64,
    /// `sender`.
    pub sender: BestParty,
    /// `recipient`.
    pub recipient: BestParty,
}

/// One side of a Best transfer report.
///
/// ```
/// let p = mserver::BestParty { id: 7, phone: "+79250101212".into() };
/// assert_eq!(serde_json::to_value(&p)?["id"], 7);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestParty {
    /// `id`.
    pub id: u64,
    /// `phone`, international format.
    pub phone: String,
}

/// A Best transfer of the wallet (`GET /payments/best`).
///
/// ```
/// let b: mserver::BestPayment = serde_json::from_str(r#"{"number": 413258621, "amount": 30, "currency_alpha": "RUR", "rate": 1}"#)?;
/// assert_eq!(b.amount.minor, 3000);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestPayment {
    /// `number`.
    pub number: u64,
    /// `amount`, in roubles.
    #[serde(with = "rub")]
    pub amount: Money,
    /// `currency_alpha` (`RUR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_alpha: Option<String>,
    /// `note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `smstosender`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smstosender: Option<u8>,
    /// `creating_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating_date: Option<String>,
    /// `fee`, in roubles.
    #[serde(default, with = "rub::option", skip_serializing_if = "Option::is_none")]
    pub fee: Option<Money>,
    /// `amount_charge`, in roubles.
    #[serde(default, with = "rub::option", skip_serializing_if = "Option::is_none")]
    pub amount_charge: Option<Money>,
    /// `currency_charge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_charge: Option<String>,
    /// `rate`, exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Exact>,
    /// `unseen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen: Option<bool>,
    /// `sender`: personal data and address as sent (the address is an object or `[]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<serde_json::Value>,
    /// `receiver`, as `sender`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<serde_json::Value>,
}

/// How [`Client::pay_and_follow`] ended.
///
/// ```
/// fn show(flow: &mserver::TwoPhase) -> Option<&str> {
///     match flow {
///         mserver::TwoPhase::Redirect { url, .. } => Some(url),
///         _ => None,
///     }
/// }
/// # let _ = show;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum TwoPhase {
    /// The user did not accept the `total`: the payment stays created, not paid.
    NotAccepted(Answer<Payment>),
    /// The user must enter the card on `url`; follow with [`Client::follow_payment`] after.
    Redirect {
        /// The `pay-payment` answer.
        paid: Answer<Payment>,
        /// `card.payment_page_url`.
        url: String,
    },
    /// `get-payment` was followed: final (completed or declined) or still pending at the
    /// deadline. `meta.next_action` of the last answer is in [`next_action`].
    Followed(Settled<Answer<Payment>>),
}

fn another_payment(op: &Operation, what: &str, sent: &str, got: &str) -> Error {
    op.outcome_unknown(format!(
        "the answer names another payment ({what} {got}, not {sent}): not taken as ours"
    ))
}

impl Client {
    /// `create-payment`: creates a payment of any type, at most once: transient failures
    /// (I/O error, timeout, 5xx) are resent with the same `client_payment_id`. When every
    /// attempt failed, the error is outcome-unknown carrying the id: create again with it.
    /// An answer for another `client_payment_id` is outcome-unknown too.
    ///
    /// ```no_run
    /// use mserver::{CreatePaymentRequest, PaymentType};
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let req = CreatePaymentRequest::new(PaymentType::Inout, mserver::parse_rub("100").expect("amount"))
    ///     .service(834, [("phoneNumber", "9267101283")]);
    /// let created = client.create_payment(&req).await?;
    /// println!("pay {:?} for {}", created.data.total, created.data.amount);
    /// # Ok(()) }
    /// ```
    pub async fn create_payment(
        &self,
        req: &CreatePaymentRequest,
    ) -> Result<Answer<Payment>, Error> {
        req.validate()?;
        let id = req.client_payment_id.as_str();
        let op = Operation::new(PROVIDER, "create-payment", Effect::Once)
            .keyed(id)
            .advise("create the payment again with the same client_payment_id")
            .amount(req.amount.minor, req.amount.currency.code());
        let answer: Answer<Payment> = self
            .call_json(
                op.clone(),
                Method::Post,
                "/payments".into(),
                Auth::Client,
                req,
            )
            .await?;
        if answer.data.client_payment_id != id {
            return Err(another_payment(
                &op,
                "client_payment_id",
                id,
                &answer.data.client_payment_id,
            ));
        }
        Ok(answer)
    }

    /// `pay-payment`: confirms payment `id` (or switches an `out` payment to `inout` with a
    /// saved card). Sent once: a lost answer is outcome-unknown naming `get-payment` with the
    /// id. An answer for another payment is outcome-unknown too.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let paid = client.pay_payment(&mserver::PayPaymentRequest::new(25818)).await?;
    /// if let Some(url) = paid.data.payment_page_url() {
    ///     println!("send the user to {url}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pay_payment(&self, req: &PayPaymentRequest) -> Result<Answer<Payment>, Error> {
        let op = Operation::new(PROVIDER, "pay-payment", Effect::Once)
            .reconcile_with(Reconcile::new("get-payment").param("id", req.id.to_string()));
        let path = format!("/payments/{}/pay", req.id);
        let answer: Answer<Payment> = match (&req.kind, req.card) {
            (None, None) => {
                self.call_plain(op.clone(), Method::Post, path, Auth::Client, &[])
                    .await?
            }
            (Some(kind @ PaymentType::Inout), Some(card)) => {
                let body = PayBody { kind, card };
                self.call_json(op.clone(), Method::Post, path, Auth::Client, &body)
                    .await?
            }
            (Some(PaymentType::Inout), None) | (None, Some(_)) => {
                return Err(Error::invalid(
                    "card",
                    "switching to inout takes both type inout and a card",
                ));
            }
            (Some(other), _) => {
                return Err(Error::invalid(
                    "type",
                    format!("only inout switches a payment at pay time, got {other}"),
                ));
            }
        };
        if answer.data.id != req.id {
            return Err(another_payment(
                &op,
                "id",
                &req.id.to_string(),
                &answer.data.id.to_string(),
            ));
        }
        Ok(answer)
    }

    /// `get-payment`: a payment's current state.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let p = client.get_payment(&mserver::GetPaymentRequest { id: 1401089237231 }).await?;
    /// println!("{:?}", p.data.outcome());
    /// # Ok(()) }
    /// ```
    pub async fn get_payment(&self, req: &GetPaymentRequest) -> Result<Answer<Payment>, Error> {
        self.call_plain(
            GET_PAYMENT,
            Method::Get,
            format!("/payments/{}", req.id),
            Auth::Client,
            &[],
        )
        .await
    }

    /// `payment-bill`: mails an anonymous payment's receipt (application token).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let req = mserver::PaymentBillRequest { id: 34123, email: "vasya@petrov.xxx".into(), language: Some("ru_RU".into()) };
    /// client.payment_bill(&req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn payment_bill(&self, req: &PaymentBillRequest) -> Result<Answer<Done>, Error> {
        let email = req.email.trim();
        if email.is_empty() || !email.contains('@') || email.len() != req.email.len() {
            return Err(Error::invalid("email", "must be an e-mail address"));
        }
        if let Some(lang) = &req.language
            && (lang.is_empty()
                || !lang
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            return Err(Error::invalid("language", "a locale such as ru_RU"));
        }
        let got = self
            .call(
                PAYMENT_BILL,
                Method::Post,
                "/payments/bill".into(),
                Auth::Client,
                |r| {
                    let r = r.json(req)?;
                    Ok(match &req.language {
                        Some(lang) => r.header("Accept-Language", lang.as_str()),
                        None => r,
                    })
                },
            )
            .await?;
        answer::fresh(&PAYMENT_BILL, got)
    }

    /// `list-payments`: one page of the history.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let page = client.list_payments(&mserver::ListPaymentsRequest::default()).await?;
    /// println!("{} payments", page.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_payments(
        &self,
        req: &ListPaymentsRequest,
    ) -> Result<Answer<Vec<Payment>>, Error> {
        req.validate()?;
        self.call_plain(
            LIST_PAYMENTS,
            Method::Get,
            "/payments".into(),
            Auth::Client,
            &req.query(),
        )
        .await
    }

    /// The whole history as a stream, page after page from `filter.page` (or 0), each page
    /// of `filter.size` (or [`DEFAULT_PAGE_SIZE`]); a short or empty page is the last.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let all: Vec<mserver::Payment> = client.payments(mserver::ListPaymentsRequest::default()).try_collect().await?;
    /// println!("{}", all.len());
    /// # Ok(()) }
    /// ```
    pub fn payments(
        &self,
        filter: ListPaymentsRequest,
    ) -> impl Stream<Item = Result<Payment, Error>> + '_ {
        let size = filter.size.unwrap_or(DEFAULT_PAGE_SIZE);
        paging::pages(filter.page.unwrap_or(0), move |page| {
            let req = ListPaymentsRequest {
                page: Some(page),
                size: Some(size),
                ..filter.clone()
            };
            async move {
                let answer = self.list_payments(&req).await?;
                let short = answer.data.len() < size as usize;
                let no_more = answer.meta.has_next_page == Some(false);
                Ok(if short || no_more {
                    Page::last(answer.data)
                } else {
                    Page::more(answer.data)
                })
            }
        })
    }

    /// `reset-unseen`: zeroes the unseen payments counter (a GET that changes state: sent
    /// once).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.reset_unseen(&mserver::NoInput {}).await?;
    /// # Ok(()) }
    /// ```
    pub async fn reset_unseen(&self, _req: &crate::NoInput) -> Result<Answer<Done>, Error> {
        self.call_plain(
            RESET_UNSEEN,
            Method::Get,
            "/payments/reset_unseen".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// `best-p2p-webhook`: reports a Best transfer (no credentials).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let req = mserver::BestP2pRequest {
    ///     payment_id: 12345678,
    ///     sender: mserver::BestParty { id: 7777777, phone: "+79250101212".into() },
    ///     recipient: mserver::BestParty { id: 88888888, phone: "+79110992233".into() },
    /// };
    /// client.best_p2p_webhook(&req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn best_p2p_webhook(&self, req: &BestP2pRequest) -> Result<Answer<Done>, Error> {
        for (field, party) in [
            ("sender.phone", &req.sender),
            ("recipient.phone", &req.recipient),
        ] {
            Phone::new(party.phone.as_str())
                .map_err(|_| Error::invalid(field, "must be a phone in international format"))?;
        }
        self.call_json(
            BEST_P2P,
            Method::Post,
            "/payments/best/p2p".into(),
            Auth::None,
            req,
        )
        .await
    }

    /// `list-best-payments`: the wallet's Best transfers.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let best = client.list_best_payments(&mserver::NoInput {}).await?;
    /// println!("{}", best.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_best_payments(
        &self,
        _req: &crate::NoInput,
    ) -> Result<Answer<Vec<BestPayment>>, Error> {
        self.call_plain(
            LIST_BEST,
            Method::Get,
            "/payments/best".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// `reset-best-unseen`: zeroes the unseen Best transfers counter (sent once).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.reset_best_unseen(&mserver::NoInput {}).await?;
    /// # Ok(()) }
    /// ```
    pub async fn reset_best_unseen(&self, _req: &crate::NoInput) -> Result<Answer<Done>, Error> {
        self.call_plain(
            RESET_BEST_UNSEEN,
            Method::Get,
            "/payments/best/reset_unseen".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// Follows payment `id` with `get-payment` every `interval` until it is completed or
    /// declined, or until `deadline` ([`Settled::StillPending`] then: ask again later). An
    /// unknown status is not final and never success.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let settled = client.follow_payment(25818, Duration::from_secs(2), Duration::from_secs(60)).await?;
    /// println!("paid: {}", settled.succeeded());
    /// # Ok(()) }
    /// ```
    pub async fn follow_payment(
        &self,
        id: u64,
        interval: Duration,
        deadline: Duration,
    ) -> Result<Settled<Answer<Payment>>, Error> {
        poll::until(interval, deadline, || async move {
            self.get_payment(&GetPaymentRequest { id }).await
        })
        .await
    }

    /// The two-phase flow in one call: creates the payment, shows its `total` to `accept`
    /// (the user agrees to the full cost or not), pays it, then either returns the card
    /// page the user must be sent to or follows `get-payment` every `interval` until
    /// completed or declined, within `deadline`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use mserver::{CreatePaymentRequest, PaymentType, TwoPhase};
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let req = CreatePaymentRequest::new(PaymentType::Out, mserver::parse_rub("100").expect("amount"))
    ///     .service(834, [("phoneNumber", "9267101283")]);
    /// let flow = client
    ///     .pay_and_follow(&req, |p| p.data.total.is_some_and(|t| t.minor <= 10_500), Duration::from_secs(2), Duration::from_secs(60))
    ///     .await?;
    /// match flow {
    ///     TwoPhase::NotAccepted(_) => println!("cancelled by the user"),
    ///     TwoPhase::Redirect { url, .. } => println!("send the user to {url}"),
    ///     TwoPhase::Followed(settled) => println!("paid: {}", settled.succeeded()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pay_and_follow(
        &self,
        req: &CreatePaymentRequest,
        accept: impl FnOnce(&Answer<Payment>) -> bool,
        interval: Duration,
        deadline: Duration,
    ) -> Result<TwoPhase, Error> {
        if interval.is_zero() {
            return Err(Error::invalid("interval", "must be longer than zero"));
        }
        let created = self.create_payment(req).await?;
        if !accept(&created) {
            return Ok(TwoPhase::NotAccepted(created));
        }
        let id = created.data.id;
        let paid = self.pay_payment(&PayPaymentRequest::new(id)).await?;
        if paid.data.status.is_final() {
            return Ok(TwoPhase::Followed(Settled::Final(paid)));
        }
        if let Some(url) = paid.data.payment_page_url() {
            let url = url.to_owned();
            return Ok(TwoPhase::Redirect { paid, url });
        }
        Ok(TwoPhase::Followed(
            self.follow_payment(id, interval, deadline).await?,
        ))
    }
}
