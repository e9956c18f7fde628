//! Money: `payment` (`/payment/`), `check-payment` (`/check_payment/`) and
//! `transfer-request` (`/transfer_request/`).
//!
//! **`payment` and `transfer-request` move money over GET with no idempotency key.** The
//! client never resends them once they may have reached the server (the only repeat is
//! after `USER_NOT_AUTHORIZED`, which the server answered without doing anything). A lost
//! answer is [`Error::OutcomeUnknown`]: Mobilnik has no way to look a payment or a
//! transfer up by a client key, so check the wallet balance ([`Client::authenticate`]
//! returns it) and the provider's records before paying again.

use std::fmt;

use kassa_core::{Currency, Effect, Error, Money, Operation, Param};
use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

use crate::PROVIDER;
use crate::answer::StatusField;
use crate::client::Client;
use crate::wire;

const CHECK_PAYMENT: Operation = Operation::new(PROVIDER, "check-payment", Effect::Read);

/// What an outcome-unknown payment tells the caller to do.
pub const PAYMENT_ADVICE: &str = "Mobilnik takes no idempotency key and has no way to look a payment up by a client key: do not resend it; check the wallet balance (authenticate returns it) and the provider's records first";

/// What an outcome-unknown transfer tells the caller to do.
pub const TRANSFER_ADVICE: &str = "Mobilnik takes no idempotency key and has no way to look a transfer up by a client key: do not resend it; check the wallet balance (authenticate returns it) and the provider's records first";

fn payment_op() -> Operation {
    Operation::new(PROVIDER, "payment", Effect::Once).advise(PAYMENT_ADVICE)
}

fn transfer_op() -> Operation {
    Operation::new(PROVIDER, "transfer-request", Effect::Once).advise(TRANSFER_ADVICE)
}

/// Reads an amount of som written as decimal text (`"150.50"`, `"200"`), exactly; more
/// than 2 decimal places or anything not a decimal number is [`Error::InvalidInput`] for
/// `amount`. (Whether the amount is positive is checked when the request is validated.)
///
/// ```
/// let a = mobilnik::som("150.50")?;
/// assert_eq!(a.minor, 15_050);
/// assert_eq!(a.to_major_string(), "150.50");
/// assert_eq!(mobilnik::som("1.005").unwrap_err().field(), Some("amount"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn som(text: &str) -> Result<Money, Error> {
    crate::wire::som_string::read(text).map_err(|reason| Error::invalid("amount", reason))
}

pub(crate) fn check_service_id(service_id: u64) -> Result<(), Error> {
    if service_id == 0 {
        return Err(Error::invalid(
            "service_id",
            "must be a positive service code",
        ));
    }
    Ok(())
}

/// The longest `requisite` or `customer_id` kassa sends. The document gives no limit.
pub(crate) const REQUISITE_MAX: usize = 100;
/// The longest `comment` kassa sends. The document gives no limit.
pub(crate) const COMMENT_MAX: usize = 255;

fn check_amount(amount: &Money) -> Result<(), Error> {
    if amount.currency != Currency::KGS {
        return Err(Error::invalid(
            "amount",
            format!("must be in som (KGS), got {}", amount.currency),
        ));
    }
    if !amount.is_positive() {
        return Err(Error::invalid("amount", "must be positive"));
    }
    Ok(())
}

/// The id Mobilnik gives a payment (`operation_id`); check-payment takes it.
///
/// ```
/// let id: mobilnik::OperationId = serde_json::from_str("\"987654321\"")?;
/// assert_eq!(id, mobilnik::OperationId(987_654_321));
/// assert_eq!(serde_json::to_string(&id)?, "987654321");
/// assert_eq!(id.to_string(), "987654321");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OperationId(pub u64);

impl<'de> Deserialize<'de> for OperationId {
    /// Reads a number or a string of digits.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OperationId, D::Error> {
        wire::u64_lenient(d).map(OperationId)
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u64> for OperationId {
    fn from(id: u64) -> OperationId {
        OperationId(id)
    }
}

/// The parameters of `payment`: pay `amount` som to `requisite` of service `service_id`.
///
/// ```
/// use mobilnik::{PaymentRequest, som};
/// let req = PaymentRequest::new(1, "0555123456", som("150.50")?);
/// assert!(req.validate().is_ok());
/// assert_eq!(
///     serde_json::to_string(&req).map_err(|e| kassa_core::Error::invalid("json", e.to_string()))?,
///     r#"{"service_id":1,"requisite":"0555123456","amount":"150.50"}"#
/// );
/// let from_json: PaymentRequest =
///     serde_json::from_str(r#"{"service_id": 1, "requisite": "0555123456", "amount": "150.50"}"#)
///         .map_err(|e| kassa_core::Error::invalid("json", e.to_string()))?;
/// assert_eq!(from_json, req);
/// assert_eq!(PaymentRequest::new(1, "x", som("0")?).validate().unwrap_err().field(), Some("amount"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PaymentWire")]
pub struct PaymentRequest {
    /// `service_id`: «Код услуги», positive.
    #[serde(deserialize_with = "wire::u64_lenient")]
    pub service_id: u64,
    /// `requisite`: «Реквизит» (phone, account or contract number), not blank.
    pub requisite: String,
    /// `amount`: «Сумма оплаты» in som, positive, sent as decimal text (`"150.50"`).
    #[serde(with = "crate::wire::som_string")]
    pub amount: Money,
}

impl PaymentRequest {
    /// A payment of `amount` to `requisite` of service `service_id`.
    ///
    /// ```
    /// let req = mobilnik::PaymentRequest::new(1, "0555123456", mobilnik::som("10")?);
    /// assert_eq!(req.amount.minor, 1_000);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn new(service_id: u64, requisite: impl Into<String>, amount: Money) -> PaymentRequest {
        PaymentRequest {
            service_id,
            requisite: requisite.into(),
            amount,
        }
    }

    /// Checks what can be checked before sending: a positive service id, a requisite,
    /// a positive amount in som. The error names the wire field.
    ///
    /// ```
    /// let usd = kassa_core::Money::new(100, kassa_core::Currency::USD);
    /// assert!(mobilnik::PaymentRequest::new(1, "x", usd).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_service_id(self.service_id)?;
        kassa_core::text::free_text("requisite", &self.requisite, REQUISITE_MAX)?;
        check_amount(&self.amount)
    }
}

/// The answer of `payment`.
///
/// ```
/// let p: mobilnik::PaymentResponse =
///     serde_json::from_str(r#"{"status_code": 0, "balance": 892.5, "operation_id": 987654321}"#)?;
/// assert_eq!(p.balance.minor, 89_250);
/// assert_eq!(p.operation_id.0, 987_654_321);
/// assert_eq!(serde_json::to_string(&p)?, r#"{"balance":892.50,"operation_id":987654321}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentResponse {
    /// `balance`: «Остаток баланса», what is left in the wallet, in som, read exactly.
    #[serde(with = "kassa_core::money::serde::kgs::major_number")]
    pub balance: Money,
    /// `operation_id`: «Уникальный идентификатор операции»; pass it to check-payment.
    pub operation_id: OperationId,
}

/// The parameters of `check-payment`.
///
/// ```
/// let req: mobilnik::CheckPaymentRequest = serde_json::from_str(r#"{"operation_id": "987654321"}"#)?;
/// assert_eq!(req, mobilnik::CheckPaymentRequest::new(987_654_321));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckPaymentRequest {
    /// `operation_id`: what payment answered.
    pub operation_id: OperationId,
}

impl CheckPaymentRequest {
    /// Asks for the status of one payment.
    ///
    /// ```
    /// assert_eq!(mobilnik::CheckPaymentRequest::new(7).operation_id.0, 7);
    /// ```
    pub fn new(operation_id: impl Into<OperationId>) -> CheckPaymentRequest {
        CheckPaymentRequest {
            operation_id: operation_id.into(),
        }
    }
}

/// `status_id` of check-payment: «0=Принят, но не обработан 1=Обработан 2=Аннулирован
/// 3=Ошибка». Values the document does not list are kept as [`PaymentStatus::Unknown`]
/// and are never taken for success.
///
/// ```
/// use mobilnik::PaymentStatus;
/// let s: PaymentStatus = serde_json::from_str("1")?;
/// assert_eq!(s, PaymentStatus::Processed);
/// assert!(s.is_final() && s.is_processed());
/// assert_eq!(serde_json::from_str::<PaymentStatus>("\"0\"")?, PaymentStatus::Accepted);
/// let odd: PaymentStatus = serde_json::from_str("7")?;
/// assert_eq!(odd, PaymentStatus::Unknown("7".into()));
/// assert!(!odd.is_processed() && !odd.is_final());
/// assert_eq!(serde_json::to_string(&PaymentStatus::Annulled)?, "2");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentStatus {
    /// 0: accepted, not processed yet (ask again later).
    Accepted,
    /// 1: processed: the payment went through.
    Processed,
    /// 2: annulled: the payment was cancelled.
    Annulled,
    /// 3: ended in error.
    Error,
    /// A value the document does not list, as it came.
    Unknown(String),
}

impl PaymentStatus {
    /// The status for a wire number.
    ///
    /// ```
    /// assert_eq!(mobilnik::PaymentStatus::from_number(3), mobilnik::PaymentStatus::Error);
    /// ```
    pub fn from_number(n: i64) -> PaymentStatus {
        match n {
            0 => PaymentStatus::Accepted,
            1 => PaymentStatus::Processed,
            2 => PaymentStatus::Annulled,
            3 => PaymentStatus::Error,
            other => PaymentStatus::Unknown(other.to_string()),
        }
    }

    /// The wire number, when it is one.
    ///
    /// ```
    /// assert_eq!(mobilnik::PaymentStatus::Annulled.number(), Some(2));
    /// ```
    pub fn number(&self) -> Option<i64> {
        match self {
            PaymentStatus::Accepted => Some(0),
            PaymentStatus::Processed => Some(1),
            PaymentStatus::Annulled => Some(2),
            PaymentStatus::Error => Some(3),
            PaymentStatus::Unknown(raw) => raw.parse().ok(),
        }
    }

    /// True when the payment went through (`1`).
    ///
    /// ```
    /// assert!(!mobilnik::PaymentStatus::Accepted.is_processed());
    /// ```
    pub fn is_processed(&self) -> bool {
        matches!(self, PaymentStatus::Processed)
    }

    /// True when the status will not change any more: processed, annulled or error.
    ///
    /// ```
    /// assert!(mobilnik::PaymentStatus::Error.is_final());
    /// assert!(!mobilnik::PaymentStatus::Accepted.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Processed | PaymentStatus::Annulled | PaymentStatus::Error
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentStatus::Accepted => f.write_str("accepted (0)"),
            PaymentStatus::Processed => f.write_str("processed (1)"),
            PaymentStatus::Annulled => f.write_str("annulled (2)"),
            PaymentStatus::Error => f.write_str("error (3)"),
            PaymentStatus::Unknown(raw) => write!(f, "unknown ({raw})"),
        }
    }
}

impl Serialize for PaymentStatus {
    /// The wire number (an unknown value that is not a number is written as its text).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.number(), self) {
            (Some(n), _) => s.serialize_i64(n),
            (None, PaymentStatus::Unknown(raw)) => s.serialize_str(raw),
            (None, _) => s.serialize_str(""),
        }
    }
}

impl<'de> Deserialize<'de> for PaymentStatus {
    /// Reads a number or a string holding one ([`kassa_core::lenient::code_text`]); any other
    /// text is kept as unknown.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PaymentStatus, D::Error> {
        let raw = kassa_core::lenient::code_text(d)?;
        Ok(match raw.parse::<i64>() {
            Ok(n) => PaymentStatus::from_number(n),
            Err(_) => PaymentStatus::Unknown(raw),
        })
    }
}

/// The answer of `check-payment`.
///
/// ```
/// let r: mobilnik::CheckPaymentResponse = serde_json::from_str(r#"{"status_code": 0, "status_id": 1}"#)?;
/// assert!(r.status_id.is_processed());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckPaymentResponse {
    /// `status_id`: where the payment stands.
    pub status_id: PaymentStatus,
}

/// The parameters of `transfer-request`: send `amount` som to the wallet `customer_id`.
/// The wire parameter `status` is always `2` (the document gives no meaning) and is added
/// by the client.
///
/// ```
/// use mobilnik::{TransferRequest, som};
/// let req = TransferRequest::new(2, "0555765432", som("200")?, "test transfer");
/// assert!(req.validate().is_ok());
/// let json = r#"{"service_id": 2, "customer_id": "0555765432", "amount": "200.00", "comment": "test transfer"}"#;
/// let from_json: TransferRequest =
///     serde_json::from_str(json).map_err(|e| kassa_core::Error::invalid("json", e.to_string()))?;
/// assert_eq!(from_json, req);
/// assert_eq!(TransferRequest::new(2, "", som("1")?, "").validate().unwrap_err().field(), Some("customer_id"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "TransferWire")]
pub struct TransferRequest {
    /// `service_id`: «Код услуги» of the transfer service, positive.
    #[serde(deserialize_with = "wire::u64_lenient")]
    pub service_id: u64,
    /// `customer_id`: «Номер кошелька», the receiving wallet, not blank.
    pub customer_id: String,
    /// `amount`: «Сумма оплаты» in som, positive, sent as decimal text (`"200.00"`).
    #[serde(with = "crate::wire::som_string")]
    pub amount: Money,
    /// `comment`: «Коментарий к платежу» (may be empty).
    #[serde(default)]
    pub comment: String,
}

impl TransferRequest {
    /// A transfer of `amount` to the wallet `customer_id`.
    ///
    /// ```
    /// let t = mobilnik::TransferRequest::new(2, "0555765432", mobilnik::som("5")?, "rent");
    /// assert_eq!(t.comment, "rent");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn new(
        service_id: u64,
        customer_id: impl Into<String>,
        amount: Money,
        comment: impl Into<String>,
    ) -> TransferRequest {
        TransferRequest {
            service_id,
            customer_id: customer_id.into(),
            amount,
            comment: comment.into(),
        }
    }

    /// Checks what can be checked before sending: a positive service id, a wallet number,
    /// a positive amount in som. The error names the wire field.
    ///
    /// ```
    /// let t = mobilnik::TransferRequest::new(0, "w", mobilnik::som("5")?, "");
    /// assert_eq!(t.validate().unwrap_err().field(), Some("service_id"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_service_id(self.service_id)?;
        kassa_core::text::free_text("customer_id", &self.customer_id, REQUISITE_MAX)?;
        kassa_core::text::optional_text("comment", &self.comment, COMMENT_MAX)?;
        check_amount(&self.amount)
    }
}

/// The answer of `transfer-request` (its `status_code` was `0`).
///
/// ```
/// let r: mobilnik::TransferResponse = serde_json::from_str(r#"{"status_code": 0, "message": "OK"}"#)?;
/// assert_eq!(r.message, "OK");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferResponse {
    /// `message`: «Сообщение», the provider's text (not documented further).
    #[serde(default, deserialize_with = "wire::string_lenient")]
    pub message: String,
}

impl Client {
    /// **payment** (`GET /payment/`, «ОПЛАТА»): pays `amount` som from the wallet to
    /// `requisite` of service `service_id`; answers the remaining balance and the
    /// `operation_id` that check-payment takes.
    ///
    /// **No idempotency key: never resent once it may have reached the server.** A lost
    /// answer (timeout, cut connection, 5xx, unreadable body, `SYSTEM_FAILURE` or an
    /// unknown code) is [`Error::OutcomeUnknown`] with [`PAYMENT_ADVICE`]: the payment
    /// cannot be looked up by a client key, so check the balance and the provider's
    /// records before paying again. A refusal (`INSUFFICIENT_FUNDS_FOR_OPERATION`, ...) is
    /// [`Error::Rejected`]: nothing moved.
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// use mobilnik::{PaymentRequest, som};
    /// match client.payment(&PaymentRequest::new(1, "0555123456", som("150.50")?)).await {
    ///     Ok(paid) => println!("operation {} paid, {} left", paid.operation_id, paid.balance),
    ///     Err(e) if e.may_have_taken_effect() => eprintln!("DO NOT PAY AGAIN YET: {e}"),
    ///     Err(e) => eprintln!("refused, nothing moved: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn payment(&self, req: &PaymentRequest) -> Result<PaymentResponse, Error> {
        req.validate()?;
        let params = [
            ("service_id", Param::from(req.service_id.to_string())),
            ("requisite", Param::from(req.requisite.as_str())),
            ("amount", Param::from(req.amount.to_major_string())),
        ];
        let op = payment_op().amount(req.amount.minor, req.amount.currency.code());
        self.call(&op, "/payment/", &params, StatusField::Optional)
            .await
    }

    /// **check-payment** (`GET /check_payment/`, «ПРОВЕРКА СТАТУСА ОПЛАТЫ»): the status
    /// of a payment by its `operation_id`. Sends `id`, `token` and `client` too (the
    /// document's table lists only `operation_id`). Reads only; retried on transient
    /// failures (a 503 is asked again).
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// use mobilnik::{CheckPaymentRequest, OperationId};
    /// let status = client.check_payment(&CheckPaymentRequest::new(OperationId(987654321))).await?;
    /// println!("{}", status.status_id);
    /// # Ok(()) }
    /// ```
    pub async fn check_payment(
        &self,
        req: &CheckPaymentRequest,
    ) -> Result<CheckPaymentResponse, Error> {
        let params = [("operation_id", Param::from(req.operation_id.to_string()))];
        self.call(
            &CHECK_PAYMENT,
            "/check_payment/",
            &params,
            StatusField::Optional,
        )
        .await
    }

    /// **transfer-request** (`GET /transfer_request/`, «ПЕРЕВОД ДЕНЕГ»): sends `amount`
    /// som to the wallet `customer_id`, with `comment` and the fixed `status=2`.
    ///
    /// **No idempotency key, no operation id, no status call: never resent once it may
    /// have reached the server.** A lost answer, a `SYSTEM_FAILURE`, an unknown code or
    /// an answer without `status_code` is [`Error::OutcomeUnknown`] with
    /// [`TRANSFER_ADVICE`]. A refusal (`PHONE_NOT_FOUND_IN_DB`, ...) is
    /// [`Error::Rejected`]: nothing moved.
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// use mobilnik::{TransferRequest, som};
    /// let sent = client
    ///     .transfer_request(&TransferRequest::new(2, "0555765432", som("200")?, "rent"))
    ///     .await?;
    /// println!("{}", sent.message);
    /// # Ok(()) }
    /// ```
    pub async fn transfer_request(&self, req: &TransferRequest) -> Result<TransferResponse, Error> {
        req.validate()?;
        let params = [
            ("service_id", Param::from(req.service_id.to_string())),
            ("customer_id", Param::from(req.customer_id.as_str())),
            ("amount", Param::from(req.amount.to_major_string())),
            ("comment", Param::from(req.comment.as_str())),
            ("status", Param::from("2")),
        ];
        let op = transfer_op().amount(req.amount.minor, req.amount.currency.code());
        self.call(&op, "/transfer_request/", &params, StatusField::Required)
            .await
    }
}

/// The wire shape of [`PaymentRequest`] as a caller may write it: the document's constant
/// `client` is accepted when it is 4; any other field is refused by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentWire {
    #[serde(deserialize_with = "wire::u64_lenient")]
    service_id: u64,
    requisite: String,
    #[serde(with = "crate::wire::som_string")]
    amount: Money,
    #[serde(default, rename = "client")]
    _client: Option<wire::ClientConstant>,
}

impl From<PaymentWire> for PaymentRequest {
    fn from(w: PaymentWire) -> PaymentRequest {
        PaymentRequest {
            service_id: w.service_id,
            requisite: w.requisite,
            amount: w.amount,
        }
    }
}

/// The wire shape of [`TransferRequest`] as a caller may write it: the document's
/// constants `client` (4) and `status` (2) are accepted with those values only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferWire {
    #[serde(deserialize_with = "wire::u64_lenient")]
    service_id: u64,
    customer_id: String,
    #[serde(with = "crate::wire::som_string")]
    amount: Money,
    #[serde(default)]
    comment: String,
    #[serde(default, rename = "client")]
    _client: Option<wire::ClientConstant>,
    #[serde(default, rename = "status")]
    _status: Option<wire::TransferStatusConstant>,
}

impl From<TransferWire> for TransferRequest {
    fn from(w: TransferWire) -> TransferRequest {
        TransferRequest {
            service_id: w.service_id,
            customer_id: w.customer_id,
            amount: w.amount,
            comment: w.comment,
        }
    }
}
