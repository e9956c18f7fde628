//! payment (`POST /api/v2/payment`), payment-budget (`POST /api/v2/paymentBudget`) and
//! payment-status (`GET /api/v2/payment/{orderId}`): payment orders by requisites, to the
//! state budget, and their status.

use std::fmt;

use kassa_core::poll::Settles;
use kassa_core::secret::CardNumber;
use kassa_core::{CallOptions, Currency, Effect, Error, Method, Money, Operation, Reconcile};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PROVIDER;
use crate::client::Client;
use crate::services::Service;
use crate::wire::ServiceId;

/// The payment operation for one order: sent once, reconciled by payment-status.
///
/// The catalogue calls payment and payment-budget `keyed` on `orderId`, but the bank
/// refuses a repeated `orderId` instead of answering it again, so the engine must never
/// resend them: they are `Once`, and a lost answer is outcome-unknown naming
/// `payment-status` with the `orderId`.
/// The same holds for payment-budget (`name`).
pub(crate) fn order_op(name: &'static str, order_id: &str) -> Operation {
    Operation::new(PROVIDER, name, Effect::Once)
        .reconcile_with(Reconcile::new("payment-status").param("orderId", order_id))
}

/// What payment and payment-budget share: a request creating one order, sent once to its
/// path, checked the same way and answered with a [`PaymentResult`].
pub(crate) trait PaymentOrder: Serialize + Sync {
    /// The catalogue name.
    const OPERATION: &'static str;
    /// The path it is posted to.
    const PATH: &'static str;
    /// `orderId`.
    fn order_id(&self) -> &str;
    /// `serviceId`.
    fn service_id(&self) -> ServiceId;
    /// `amount`.
    fn amount(&self) -> Money;
    /// Every check before sending, against `service` when known.
    fn check(&self, service: Option<&Service>) -> Result<(), Error>;
}

/// payment-status: a read.
pub(crate) const PAYMENT_STATUS: Operation =
    Operation::new(PROVIDER, "payment-status", Effect::Read);

/// The card type of a payment funded from a card (`cardType`).
///
/// ```
/// use requisite_uz::CardType;
/// assert_eq!(serde_json::to_string(&CardType::Humo)?, "\"HUMO\"");
/// assert!(serde_json::from_str::<CardType>("\"VISA\"").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardType {
    /// `UZCARD`
    #[serde(rename = "UZCARD")]
    Uzcard,
    /// `HUMO`
    #[serde(rename = "HUMO")]
    Humo,
}

/// A payment order by requisites, to a company's account (`POST /api/v2/payment`).
///
/// Field names on the wire are the document's (`mfoReceiver`, `comissionAmount` with one
/// `m`, ...); amounts are tiyin written as strings; the card number is sent in full but
/// shown masked in `Debug`.
///
/// ```
/// use kassa_core::{secret::CardNumber, Currency, Money};
/// use requisite_uz::{CardType, PaymentRequest, ServiceId};
///
/// let req = PaymentRequest {
///     order_id: "009445151277".into(),
///     receiver_name: "Test".into(),
///     mfo_receiver: "01091".into(),
///     receiver_account: "29801000990248844444".into(),
///     inn_receiver: Some("123456789".into()),
///     purpose: "Test 24/7".into(),
///     service_id: ServiceId(2),
///     amount: Money::new(500_000, Currency::UZS),
///     commission_amount: Money::new(20_000, Currency::UZS),
///     ref_number: Some("016351273642".into()),
///     card_type: Some(CardType::Humo),
///     card_number: Some(CardNumber::new("9860531554896678")?),
/// };
/// req.validate()?;
/// let json = serde_json::to_value(&req).map_err(|e| kassa_core::Error::invalid("body", e.to_string()))?;
/// assert_eq!(json["amount"], "500000");
/// assert_eq!(json["comissionAmount"], "20000");
/// assert_eq!(json["serviceId"], "2");
/// assert!(!format!("{req:?}").contains("9860531554896678"));
///
/// let bad = PaymentRequest { mfo_receiver: "1091".into(), ..req.clone() };
/// assert_eq!(bad.validate().unwrap_err().field(), Some("mfoReceiver"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// `orderId`: the partner's order number, unique, no spaces. The bank refuses a second
    /// payment with the same one.
    #[serde(rename = "orderId")]
    pub order_id: String,
    /// `receiverName`: the receiver's name.
    #[serde(rename = "receiverName")]
    pub receiver_name: String,
    /// `mfoReceiver`: the receiver's bank code, 5 digits (`00401`).
    #[serde(rename = "mfoReceiver")]
    pub mfo_receiver: String,
    /// `receiverAccount`: the receiver's account, 20 digits.
    #[serde(rename = "receiverAccount")]
    pub receiver_account: String,
    /// `innReceiver`: the receiver's INN, 9 digits (optional here).
    #[serde(
        rename = "innReceiver",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inn_receiver: Option<String>,
    /// `purpose`: the payment details.
    pub purpose: String,
    /// `serviceId`: the service (sent as a string).
    #[serde(rename = "serviceId", with = "crate::wire::service_id_string")]
    pub service_id: ServiceId,
    /// `amount`: what the payer pays, without the commission; UZS, sent as tiyin text.
    #[serde(with = "crate::wire::tiyin_string")]
    pub amount: Money,
    /// `comissionAmount` (sic): the commission; UZS, sent as tiyin text; may be zero.
    #[serde(rename = "comissionAmount", with = "crate::wire::tiyin_string")]
    pub commission_amount: Money,
    /// `refNumber`: the payment's reference number; required for `WORKING_WITH_CARD`.
    #[serde(rename = "refNumber", default, skip_serializing_if = "Option::is_none")]
    pub ref_number: Option<String>,
    /// `cardType`: `UZCARD` or `HUMO`; required for `WORKING_WITH_CARD`.
    #[serde(rename = "cardType", default, skip_serializing_if = "Option::is_none")]
    pub card_type: Option<CardType>,
    /// `cardNumber`: the payer's card, 16 digits; required for `WORKING_WITH_CARD`.
    #[serde(
        rename = "cardNumber",
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_card_opt"
    )]
    pub card_number: Option<CardNumber>,
}

/// A payment order to the state budget (`POST /api/v2/paymentBudget`).
///
/// ```
/// use kassa_core::{Currency, Money};
/// use requisite_uz::{PaymentBudgetRequest, ServiceId};
///
/// let req = PaymentBudgetRequest {
///     order_id: "1000002".into(),
///     receiver_account: "400522860262837950100251028".into(),
///     inn_receiver: "207099143".into(),
///     purpose_code: "00401".into(),
///     purpose: "За патент за январь 2020 года".into(),
///     service_id: ServiceId(33),
///     amount: Money::new(500_000, Currency::UZS),
///     commission_amount: Money::zero(Currency::UZS),
///     ref_number: None,
///     card_type: None,
///     card_number: None,
/// };
/// req.validate()?;
/// let short = PaymentBudgetRequest { inn_receiver: "12345".into(), ..req };
/// assert_eq!(short.validate().unwrap_err().field(), Some("innReceiver"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentBudgetRequest {
    /// `orderId`: as in [`PaymentRequest`]'s `order_id`.
    #[serde(rename = "orderId")]
    pub order_id: String,
    /// `receiverAccount`: the budget receiver's personal account, 27 digits.
    #[serde(rename = "receiverAccount")]
    pub receiver_account: String,
    /// `innReceiver`: the budget receiver's INN, 9 digits (required here).
    #[serde(rename = "innReceiver")]
    pub inn_receiver: String,
    /// `purposeCode`: the payment purpose code, 5 digits.
    #[serde(rename = "purposeCode")]
    pub purpose_code: String,
    /// `purpose`: the payment details.
    pub purpose: String,
    /// `serviceId`: the service (sent as a string).
    #[serde(rename = "serviceId", with = "crate::wire::service_id_string")]
    pub service_id: ServiceId,
    /// `amount`: UZS, sent as tiyin text, without the commission.
    #[serde(with = "crate::wire::tiyin_string")]
    pub amount: Money,
    /// `comissionAmount` (sic): UZS, sent as tiyin text; may be zero.
    #[serde(rename = "comissionAmount", with = "crate::wire::tiyin_string")]
    pub commission_amount: Money,
    /// `refNumber`: required for `WORKING_WITH_CARD`.
    #[serde(rename = "refNumber", default, skip_serializing_if = "Option::is_none")]
    pub ref_number: Option<String>,
    /// `cardType`: required for `WORKING_WITH_CARD`.
    #[serde(rename = "cardType", default, skip_serializing_if = "Option::is_none")]
    pub card_type: Option<CardType>,
    /// `cardNumber`: 16 digits; required for `WORKING_WITH_CARD`.
    #[serde(
        rename = "cardNumber",
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_card_opt"
    )]
    pub card_number: Option<CardNumber>,
}

fn expose_card_opt<S: Serializer>(card: &Option<CardNumber>, s: S) -> Result<S::Ok, S::Error> {
    match card {
        Some(card) => kassa_core::secret::expose_card(card, s),
        None => s.serialize_none(),
    }
}

/// The payment-status request: the `orderId` sent to payment or payment-budget. A bare
/// `&str` or `String` converts into one.
///
/// ```
/// use requisite_uz::PaymentStatusRequest;
/// let req: PaymentStatusRequest = requisite_uz::wire::from_json(r#"{"orderId":"1000001"}"#)?;
/// assert_eq!(req, PaymentStatusRequest::from("1000001"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentStatusRequest {
    /// `orderId` (a path parameter on the wire).
    #[serde(rename = "orderId")]
    pub order_id: String,
}

impl From<&str> for PaymentStatusRequest {
    fn from(order_id: &str) -> PaymentStatusRequest {
        PaymentStatusRequest {
            order_id: order_id.to_owned(),
        }
    }
}

impl From<String> for PaymentStatusRequest {
    fn from(order_id: String) -> PaymentStatusRequest {
        PaymentStatusRequest { order_id }
    }
}

impl From<&PaymentStatusRequest> for PaymentStatusRequest {
    fn from(req: &PaymentStatusRequest) -> PaymentStatusRequest {
        req.clone()
    }
}

/// The `data` of a payment, payment-budget or payment-status answer.
///
/// ```
/// use requisite_uz::{PaymentResult, PaymentStatus};
/// let r: PaymentResult = serde_json::from_str(r#"{"payment_status":"Проведен","doc_id":"1180_1841519885"}"#)?;
/// assert_eq!(r.payment_status, PaymentStatus::Posted);
/// assert_eq!(r.doc_id, "1180_1841519885");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentResult {
    /// `payment_status`: where the payment order stands.
    pub payment_status: PaymentStatus,
    /// `doc_id`: the bank's document reference, opaque (`1180_1841519885` for payments,
    /// bare digits for budget payments; also read from a number).
    #[serde(deserialize_with = "crate::wire::text")]
    pub doc_id: String,
}

/// `payment_status`.
///
/// Only [`PaymentStatus::Posted`] is success. [`PaymentStatus::Entered`] is pending, and an
/// unknown value is never taken for success.
///
/// ```
/// use requisite_uz::PaymentStatus;
/// let s: PaymentStatus = serde_json::from_str("\"Введен\"")?;
/// assert_eq!(s, PaymentStatus::Entered);
/// assert!(!s.is_final() && !s.is_success());
/// assert_eq!(serde_json::to_string(&PaymentStatus::Deleted)?, "\"Удален\"");
/// let odd: PaymentStatus = serde_json::from_str("\"Отложен\"")?;
/// assert_eq!(odd, PaymentStatus::Unknown("Отложен".into()));
/// assert!(!odd.is_success());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// «Введен»: entered, not final; ask payment-status again later.
    Entered,
    /// «Проведен»: executed; the payment is done.
    Posted,
    /// «Удален»: the bank's core system refused the order. Paying again needs a new order
    /// with a new `orderId` (an `orderId` cannot be paid twice).
    Deleted,
    /// A value the document does not list, kept as it came; treated as pending.
    Unknown(String),
}

impl PaymentStatus {
    /// The wire value (the document's spelling).
    ///
    /// ```
    /// assert_eq!(requisite_uz::PaymentStatus::Posted.as_str(), "Проведен");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            PaymentStatus::Entered => "Введен",
            PaymentStatus::Posted => "Проведен",
            PaymentStatus::Deleted => "Удален",
            PaymentStatus::Unknown(s) => s,
        }
    }

    /// Reads a wire value; the spellings with «ё» (`Введён`, `Проведён`, `Удалён`) are
    /// read as the document's.
    ///
    /// ```
    /// use requisite_uz::PaymentStatus;
    /// assert_eq!(PaymentStatus::from_wire("Проведён"), PaymentStatus::Posted);
    /// ```
    pub fn from_wire(s: &str) -> PaymentStatus {
        match s.trim().replace('ё', "е").as_str() {
            "Введен" => PaymentStatus::Entered,
            "Проведен" => PaymentStatus::Posted,
            "Удален" => PaymentStatus::Deleted,
            _ => PaymentStatus::Unknown(s.to_owned()),
        }
    }

    /// True for «Проведен» and «Удален», which no later answer changes.
    ///
    /// ```
    /// assert!(requisite_uz::PaymentStatus::Deleted.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, PaymentStatus::Posted | PaymentStatus::Deleted)
    }

    /// True only for «Проведен».
    ///
    /// ```
    /// assert!(requisite_uz::PaymentStatus::Posted.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, PaymentStatus::Posted)
    }
}

/// «Проведен» and «Удален» are final; only «Проведен» succeeded. For
/// [`kassa_core::poll::until`].
///
/// ```
/// use kassa_core::poll::Settles;
/// use requisite_uz::PaymentStatus;
/// assert!(PaymentStatus::Deleted.is_final() && !Settles::succeeded(&PaymentStatus::Deleted));
/// assert!(!Settles::is_final(&PaymentStatus::Unknown("Отложен".into())));
/// ```
impl Settles for PaymentStatus {
    fn is_final(&self) -> bool {
        PaymentStatus::is_final(self)
    }

    fn succeeded(&self) -> bool {
        self.is_success()
    }
}

/// As its [`PaymentStatus`].
///
/// ```
/// use kassa_core::poll::Settles;
/// use requisite_uz::{PaymentResult, PaymentStatus};
/// let r = PaymentResult { payment_status: PaymentStatus::Posted, doc_id: "1180_1".into() };
/// assert!(r.is_final() && r.succeeded());
/// ```
impl Settles for PaymentResult {
    fn is_final(&self) -> bool {
        self.payment_status.is_final()
    }

    fn succeeded(&self) -> bool {
        self.payment_status.is_success()
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for PaymentStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PaymentStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PaymentStatus, D::Error> {
        crate::wire::text(d).map(|s| PaymentStatus::from_wire(&s))
    }
}

/// A success answer to payment creation must say what happened: a `payment_status` the
/// document does not list, or no `doc_id`, is outcome-unknown naming payment-status with
/// the orderId, never `Ok`.
fn answered(op: &Operation, result: PaymentResult) -> Result<PaymentResult, Error> {
    let unclear = |path: &str, message: String, excerpt: String| {
        Err(op.outcome_unknown(Error::Decode {
            provider: PROVIDER,
            operation: op.name,
            path: path.to_owned(),
            message,
            excerpt,
        }))
    };
    if let PaymentStatus::Unknown(raw) = &result.payment_status {
        return unclear(
            "data.payment_status",
            format!(
                "the payment status {raw:?} is not one the document lists (Введен, Проведен, Удален): what happened is unknown"
            ),
            kassa_core::secret::excerpt(raw, 0, 80),
        );
    }
    if result.doc_id.trim().is_empty() {
        return unclear(
            "data.doc_id",
            "the answer names no payment order (empty doc_id)".to_owned(),
            String::new(),
        );
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// Checks before sending. Every error names the field by its wire name.

/// The longest `orderId` kassa sends. The document gives no limit; its examples reach 36
/// characters (a UUID).
pub(crate) const ORDER_ID_MAX: usize = 100;
/// The longest `receiverName`. The document gives no limit.
pub(crate) const RECEIVER_NAME_MAX: usize = 256;
/// The longest `purpose`. The document gives no limit.
pub(crate) const PURPOSE_MAX: usize = 500;
/// The longest `refNumber`. The document gives no limit; its example has 12 digits.
pub(crate) const REF_NUMBER_MAX: usize = 64;

/// `orderId` goes into the payment-status path (`/api/v2/payment/{orderId}`), so it is
/// checked as a path id when the payment is created, not only when its status is asked:
/// an order that payment-status cannot name could never be looked up.
pub(crate) fn check_order_id(order_id: &str) -> Result<(), Error> {
    kassa_core::text::path_id("orderId", order_id)?;
    kassa_core::text::free_text("orderId", order_id, ORDER_ID_MAX)
}

fn check_digits(field: &str, value: &str, len: usize) -> Result<(), Error> {
    if value.len() != len || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            field,
            format!(
                "must be exactly {len} digits; got {} characters",
                value.chars().count()
            ),
        ));
    }
    Ok(())
}

/// Free text: required, not longer than `max` characters, and printable (the bank refuses
/// unprintable text with 1015/1016; kassa refuses it before sending).
fn check_text(field: &str, value: &str, max: usize) -> Result<(), Error> {
    kassa_core::text::free_text(field, value, max)
}

fn check_amounts(amount: &Money, commission: &Money) -> Result<(), Error> {
    for (field, m) in [("amount", amount), ("comissionAmount", commission)] {
        if m.currency != Currency::UZS {
            return Err(Error::invalid(
                field,
                format!("must be in UZS (tiyin); got {}", m.currency),
            ));
        }
    }
    if !amount.is_positive() {
        return Err(Error::invalid("amount", "must be positive"));
    }
    if commission.minor < 0 {
        return Err(Error::invalid("comissionAmount", "must not be negative"));
    }
    Ok(())
}

fn check_card(
    ref_number: Option<&str>,
    card_type: Option<CardType>,
    card_number: Option<&CardNumber>,
    service: Option<&Service>,
) -> Result<(), Error> {
    if let Some(r) = ref_number {
        if r.is_empty() || r.chars().any(char::is_whitespace) {
            return Err(Error::invalid(
                "refNumber",
                "must not be empty or contain spaces",
            ));
        }
        kassa_core::text::free_text("refNumber", r, REF_NUMBER_MAX)?;
    }
    if let Some(card) = card_number {
        check_digits("cardNumber", card.expose(), 16)?;
    }
    match (card_type, card_number) {
        (Some(_), None) => {
            return Err(Error::invalid("cardNumber", "is required with cardType"));
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                "cardType",
                "is required with cardNumber (UZCARD or HUMO)",
            ));
        }
        _ => {}
    }
    if let Some(service) = service.filter(|s| s.kind.requires_card()) {
        let why = || format!("is required: service {} is WORKING_WITH_CARD", service.id);
        if ref_number.is_none() {
            return Err(Error::invalid("refNumber", why()));
        }
        if card_type.is_none() {
            return Err(Error::invalid("cardType", why()));
        }
        if card_number.is_none() {
            return Err(Error::invalid("cardNumber", why()));
        }
    }
    Ok(())
}

impl PaymentRequest {
    /// Checks every field before sending; the error names the wire field. Card fields are
    /// checked for shape; whether they are required depends on the service (see
    /// [`PaymentRequest::validate_for`]).
    pub fn validate(&self) -> Result<(), Error> {
        self.check(None)
    }

    /// Checks every field, and that `service` (which must be the request's `serviceId`)
    /// gets the `refNumber`, `cardType` and `cardNumber` it requires.
    ///
    /// ```
    /// use kassa_core::{Currency, Money};
    /// use requisite_uz::{PaymentRequest, Service, ServiceId, ServiceType};
    /// let service = Service { id: ServiceId(34), name: "UZCARD".into(), activated: true,
    ///     kind: ServiceType::WorkingWithCard, account: String::new() };
    /// let req = PaymentRequest {
    ///     order_id: "A-1".into(), receiver_name: "Test".into(), mfo_receiver: "01091".into(),
    ///     receiver_account: "29801000990248844444".into(), inn_receiver: None,
    ///     purpose: "rent".into(), service_id: ServiceId(34),
    ///     amount: Money::new(500_000, Currency::UZS), commission_amount: Money::zero(Currency::UZS),
    ///     ref_number: None, card_type: None, card_number: None,
    /// };
    /// assert_eq!(req.validate_for(&service).unwrap_err().field(), Some("refNumber"));
    /// ```
    pub fn validate_for(&self, service: &Service) -> Result<(), Error> {
        crate::services::same_service(self.service_id, service)?;
        self.check(Some(service))
    }
}

impl PaymentOrder for PaymentRequest {
    const OPERATION: &'static str = "payment";
    const PATH: &'static str = "/api/v2/payment";

    fn order_id(&self) -> &str {
        &self.order_id
    }

    fn service_id(&self) -> ServiceId {
        self.service_id
    }

    fn amount(&self) -> Money {
        self.amount
    }

    fn check(&self, service: Option<&Service>) -> Result<(), Error> {
        check_order_id(&self.order_id)?;
        check_text("receiverName", &self.receiver_name, RECEIVER_NAME_MAX)?;
        check_digits("mfoReceiver", &self.mfo_receiver, 5)?;
        check_digits("receiverAccount", &self.receiver_account, 20)?;
        if let Some(inn) = &self.inn_receiver {
            check_digits("innReceiver", inn, 9)?;
        }
        check_text("purpose", &self.purpose, PURPOSE_MAX)?;
        check_amounts(&self.amount, &self.commission_amount)?;
        check_card(
            self.ref_number.as_deref(),
            self.card_type,
            self.card_number.as_ref(),
            service,
        )
    }
}

impl PaymentBudgetRequest {
    /// Checks every field before sending; the error names the wire field.
    pub fn validate(&self) -> Result<(), Error> {
        self.check(None)
    }

    /// Checks every field and the card fields `service` requires (see
    /// [`PaymentRequest::validate_for`]).
    pub fn validate_for(&self, service: &Service) -> Result<(), Error> {
        crate::services::same_service(self.service_id, service)?;
        self.check(Some(service))
    }
}

impl PaymentOrder for PaymentBudgetRequest {
    const OPERATION: &'static str = "payment-budget";
    const PATH: &'static str = "/api/v2/paymentBudget";

    fn order_id(&self) -> &str {
        &self.order_id
    }

    fn service_id(&self) -> ServiceId {
        self.service_id
    }

    fn amount(&self) -> Money {
        self.amount
    }

    fn check(&self, service: Option<&Service>) -> Result<(), Error> {
        check_order_id(&self.order_id)?;
        check_digits("receiverAccount", &self.receiver_account, 27)?;
        check_digits("innReceiver", &self.inn_receiver, 9)?;
        check_digits("purposeCode", &self.purpose_code, 5)?;
        check_text("purpose", &self.purpose, PURPOSE_MAX)?;
        check_amounts(&self.amount, &self.commission_amount)?;
        check_card(
            self.ref_number.as_deref(),
            self.card_type,
            self.card_number.as_ref(),
            service,
        )
    }
}

impl Client {
    /// payment: creates a payment order by requisites (`POST /api/v2/payment`), sent once.
    ///
    /// The request is checked first ([`PaymentRequest::validate`]); when the client holds a
    /// services list (from [`Client::services`]), the service must be in it, activated, and
    /// get the card fields it requires.
    ///
    /// The answer's status is usually «Введен» (entered): that is pending, not success;
    /// follow it with [`Client::payment_status`], or use [`Client::pay_safely`], which does.
    /// A lost answer, 1111, 2222 or an undocumented code is [`Error::OutcomeUnknown`] naming
    /// `payment-status` and the `orderId`: do not create again before payment-status
    /// answers 1008.
    ///
    /// ```no_run
    /// # async fn run(client: requisite_uz::Client, req: requisite_uz::PaymentRequest) -> Result<(), kassa_core::Error> {
    /// match client.payment(&req).await {
    ///     Ok(r) => println!("order {} is {} (doc {})", req.order_id, r.payment_status, r.doc_id),
    ///     Err(e) if e.may_have_taken_effect() => println!("ask payment-status for {}: {e}", req.order_id),
    ///     Err(e) => println!("refused, nothing moved: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn payment(&self, req: &PaymentRequest) -> Result<PaymentResult, Error> {
        self.create(req, None).await
    }

    /// payment, checked against the service given (its `type` decides whether card fields
    /// are required) instead of the cached list.
    ///
    /// ```no_run
    /// # async fn run(client: requisite_uz::Client, service: requisite_uz::Service, req: requisite_uz::PaymentRequest) -> Result<(), kassa_core::Error> {
    /// let result = client.payment_for(&service, &req).await?;
    /// println!("{}", result.payment_status);
    /// # Ok(()) }
    /// ```
    pub async fn payment_for(
        &self,
        service: &Service,
        req: &PaymentRequest,
    ) -> Result<PaymentResult, Error> {
        self.create(req, Some(service)).await
    }

    /// payment-budget: creates a payment order to the state budget
    /// (`POST /api/v2/paymentBudget`), sent once; checked and answered as [`Client::payment`].
    ///
    /// ```no_run
    /// # async fn run(client: requisite_uz::Client, req: requisite_uz::PaymentBudgetRequest) -> Result<(), kassa_core::Error> {
    /// let result = client.payment_budget(&req).await?;
    /// println!("budget order {}: {} (doc {})", req.order_id, result.payment_status, result.doc_id);
    /// # Ok(()) }
    /// ```
    pub async fn payment_budget(&self, req: &PaymentBudgetRequest) -> Result<PaymentResult, Error> {
        self.create(req, None).await
    }

    /// payment-budget, checked against the service given.
    ///
    /// ```no_run
    /// # async fn run(client: requisite_uz::Client, service: requisite_uz::Service, req: requisite_uz::PaymentBudgetRequest) -> Result<(), kassa_core::Error> {
    /// let result = client.payment_budget_for(&service, &req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn payment_budget_for(
        &self,
        service: &Service,
        req: &PaymentBudgetRequest,
    ) -> Result<PaymentResult, Error> {
        self.create(req, Some(service)).await
    }

    /// Checks an order (against `given`, else the cached services list) and sends it.
    async fn create<R: PaymentOrder>(
        &self,
        req: &R,
        given: Option<&Service>,
    ) -> Result<PaymentResult, Error> {
        let service = self.service_for(req.service_id(), given)?;
        req.check(service.as_ref())?;
        self.send_order(req, None).await
    }

    /// Sends a checked order once and reads its answer.
    pub(crate) async fn send_order<R: PaymentOrder>(
        &self,
        req: &R,
        options: Option<&CallOptions>,
    ) -> Result<PaymentResult, Error> {
        tracing::debug!(operation = R::OPERATION, order_id = %req.order_id(), service_id = %req.service_id(), "creating a payment order");
        let amount = req.amount();
        let op =
            order_op(R::OPERATION, req.order_id()).amount(amount.minor, amount.currency.code());
        let result = self
            .call(
                op.clone(),
                Method::Post,
                R::PATH.to_owned(),
                Some(req),
                options,
            )
            .await?;
        answered(&op, result)
    }

    /// payment-status: where the payment order with this `orderId` stands
    /// (`GET /api/v2/payment/{orderId}`; works for payment and payment-budget orders).
    ///
    /// Read, retried (an answer with code 1111 too). Takes a [`PaymentStatusRequest`] (or a
    /// bare `orderId`). Code 1008 ([`crate::Code::NoData`], an [`Error::Rejected`]) means the
    /// bank has no such order: only then may it be created again, with the same `orderId`.
    ///
    /// ```no_run
    /// use requisite_uz::{code_of, Code, PaymentStatus, PaymentStatusRequest};
    /// # async fn run(client: requisite_uz::Client) -> Result<(), kassa_core::Error> {
    /// let req = PaymentStatusRequest { order_id: "009445151277".into() };
    /// match client.payment_status(&req).await {
    ///     Ok(r) if r.payment_status == PaymentStatus::Posted => println!("done: {}", r.doc_id),
    ///     Ok(r) => println!("not final yet: {}", r.payment_status),
    ///     Err(e) if code_of(&e) == Some(&Code::NoData) => println!("no such order: it may be created"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn payment_status(
        &self,
        req: impl Into<PaymentStatusRequest>,
    ) -> Result<PaymentResult, Error> {
        self.payment_status_with(&req.into().order_id, None).await
    }

    pub(crate) async fn payment_status_with(
        &self,
        order_id: &str,
        options: Option<&CallOptions>,
    ) -> Result<PaymentResult, Error> {
        check_order_id(order_id)?;
        let path = format!("/api/v2/payment/{}", crate::wire::path_segment(order_id));
        self.call(PAYMENT_STATUS, Method::Get, path, None::<&()>, options)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::ServiceType;

    type Change<T> = Box<dyn Fn(&mut T)>;

    fn payment() -> PaymentRequest {
        PaymentRequest {
            order_id: "009445151277".into(),
            receiver_name: "Test".into(),
            mfo_receiver: "01091".into(),
            receiver_account: "29801000990248844444".into(),
            inn_receiver: Some("123456789".into()),
            purpose: "Test 24/7".into(),
            service_id: ServiceId(2),
            amount: Money::new(500_000, Currency::UZS),
            commission_amount: Money::new(20_000, Currency::UZS),
            ref_number: Some("016351273642".into()),
            card_type: Some(CardType::Humo),
            card_number: CardNumber::new("9860531554896678").ok(),
        }
    }

    fn budget() -> PaymentBudgetRequest {
        PaymentBudgetRequest {
            order_id: "1000001".into(),
            receiver_account: "400522860262837950100251028".into(),
            inn_receiver: "207099143".into(),
            purpose_code: "09510".into(),
            purpose: "11Test 24/7".into(),
            service_id: ServiceId(1),
            amount: Money::new(500_000, Currency::UZS),
            commission_amount: Money::new(20_000, Currency::UZS),
            ref_number: None,
            card_type: None,
            card_number: None,
        }
    }

    fn field(r: Result<(), Error>) -> Option<String> {
        r.err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn each_payment_check_names_its_field() {
        assert_eq!(field(payment().validate()), None);
        let cases: Vec<(&str, Change<PaymentRequest>)> = vec![
            ("orderId", Box::new(|r| r.order_id = String::new())),
            ("orderId", Box::new(|r| r.order_id = "0094 45".into())),
            ("orderId", Box::new(|r| r.order_id = "0094\t45".into())),
            ("receiverName", Box::new(|r| r.receiver_name = " ".into())),
            ("mfoReceiver", Box::new(|r| r.mfo_receiver = "0109".into())),
            ("mfoReceiver", Box::new(|r| r.mfo_receiver = "0109a".into())),
            (
                "receiverAccount",
                Box::new(|r| r.receiver_account = "2980100099024884444".into()),
            ),
            (
                "innReceiver",
                Box::new(|r| r.inn_receiver = Some("12345".into())),
            ),
            ("purpose", Box::new(|r| r.purpose = String::new())),
            (
                "amount",
                Box::new(|r| r.amount = Money::zero(Currency::UZS)),
            ),
            (
                "amount",
                Box::new(|r| r.amount = Money::new(-1, Currency::UZS)),
            ),
            (
                "amount",
                Box::new(|r| r.amount = Money::new(1, Currency::RUB)),
            ),
            (
                "comissionAmount",
                Box::new(|r| r.commission_amount = Money::new(-1, Currency::UZS)),
            ),
            (
                "cardNumber",
                Box::new(|r| r.card_number = CardNumber::new("986053155489667").ok()),
            ),
            ("cardNumber", Box::new(|r| r.card_number = None)),
            ("cardType", Box::new(|r| r.card_type = None)),
            (
                "refNumber",
                Box::new(|r| r.ref_number = Some("01 63".into())),
            ),
        ];
        for (expected, change) in cases {
            let mut r = payment();
            change(&mut r);
            assert_eq!(field(r.validate()).as_deref(), Some(expected), "{r:?}");
        }
        let mut no_inn = payment();
        no_inn.inn_receiver = None;
        assert_eq!(
            field(no_inn.validate()),
            None,
            "innReceiver is optional in payment"
        );
        let mut free = payment();
        free.commission_amount = Money::zero(Currency::UZS);
        assert_eq!(field(free.validate()), None, "a zero commission is allowed");
    }

    #[test]
    fn each_budget_check_names_its_field() {
        assert_eq!(field(budget().validate()), None);
        let cases: Vec<(&str, Change<PaymentBudgetRequest>)> = vec![
            ("orderId", Box::new(|r| r.order_id = "a b".into())),
            (
                "receiverAccount",
                Box::new(|r| r.receiver_account = "29801000599024884444".into()),
            ),
            ("innReceiver", Box::new(|r| r.inn_receiver = "12345".into())),
            ("purposeCode", Box::new(|r| r.purpose_code = "951".into())),
            ("purpose", Box::new(|r| r.purpose = "\n".into())),
            (
                "amount",
                Box::new(|r| r.amount = Money::zero(Currency::UZS)),
            ),
            (
                "comissionAmount",
                Box::new(|r| r.commission_amount = Money::new(-5, Currency::UZS)),
            ),
            (
                "cardNumber",
                Box::new(|r| r.card_type = Some(CardType::Uzcard)),
            ),
        ];
        for (expected, change) in cases {
            let mut r = budget();
            change(&mut r);
            assert_eq!(field(r.validate()).as_deref(), Some(expected), "{r:?}");
        }
    }

    #[test]
    fn working_with_card_services_require_the_three_card_fields() {
        let mut service = Service {
            id: ServiceId(1),
            name: "HUMO".into(),
            activated: true,
            kind: ServiceType::WorkingWithCard,
            account: String::new(),
        };
        assert_eq!(
            field(budget().validate_for(&service)).as_deref(),
            Some("refNumber")
        );
        let mut with_ref = budget();
        with_ref.ref_number = Some("016351273642".into());
        assert_eq!(
            field(with_ref.validate_for(&service)).as_deref(),
            Some("cardType")
        );
        with_ref.card_type = Some(CardType::Humo);
        with_ref.card_number = CardNumber::new("9860531554896678").ok();
        assert_eq!(field(with_ref.validate_for(&service)), None);
        service.kind = ServiceType::CardIsOptional;
        assert_eq!(field(budget().validate_for(&service)), None);
        service.kind = ServiceType::Unknown("NEW".into());
        assert_eq!(field(budget().validate_for(&service)), None);
        service.id = ServiceId(2);
        assert_eq!(
            field(budget().validate_for(&service)).as_deref(),
            Some("serviceId")
        );
    }

    #[test]
    fn the_wire_body_is_the_documents() {
        let json = serde_json::to_value(payment()).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "orderId": "009445151277", "amount": "500000", "comissionAmount": "20000",
                "purpose": "Test 24/7", "serviceId": "2", "receiverName": "Test",
                "mfoReceiver": "01091", "receiverAccount": "29801000990248844444",
                "innReceiver": "123456789", "cardType": "HUMO",
                "cardNumber": "9860531554896678", "refNumber": "016351273642"
            })
        );
        let back: PaymentRequest = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, payment());
        let shown = format!("{:?}", payment());
        assert!(
            !shown.contains("9860531554896678") && shown.contains("986053******6678"),
            "{shown}"
        );
    }

    #[test]
    fn statuses_keep_unknown_values_and_only_posted_succeeds() {
        for (wire, status) in [
            ("Введен", PaymentStatus::Entered),
            ("Введён", PaymentStatus::Entered),
            ("Проведен", PaymentStatus::Posted),
            ("Удален", PaymentStatus::Deleted),
            ("Удалён", PaymentStatus::Deleted),
        ] {
            assert_eq!(PaymentStatus::from_wire(wire), status);
        }
        let unknown = PaymentStatus::from_wire("Отклонен");
        assert_eq!(unknown.as_str(), "Отклонен");
        assert!(!unknown.is_success() && !unknown.is_final());
    }
}
