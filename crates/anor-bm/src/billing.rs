//! The billing calls (`/services/bmms/api/agent/...`): check a bill, pay it with the card
//! holder's SMS code, hold / confirm / top up / release a hold, cancel, ask the status, and
//! reconcile after a lost answer. They all answer one [`Bill`].

use std::fmt;
use std::time::Duration;

use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Effect, Error, Method, Operation, Reconcile, Response};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::client::Client;
use crate::error::{error_in_success, from_error_answer};
use crate::wire::{CardExpiry, Extra, Otp, limits};
use crate::{PROVIDER, lenient};

pub(crate) const CHECK_PATH: &str = "/services/bmms/api/agent/unregistered-check";
pub(crate) const PAY_PATH: &str = "/services/bmms/api/agent/unregistered-pay";
pub(crate) const HOLD_PATH: &str = "/services/bmms/api/agent/hold/v2/otp";
pub(crate) const CONFIRM_PATH: &str = "/services/bmms/api/agent/hold/v2/confirm";
pub(crate) const MORE_PATH: &str = "/services/bmms/api/agent/hold/v2/more";
pub(crate) const CANCEL_PATH: &str = "/services/bmms/api/agent/cancel/v3";
pub(crate) const REVERSE_PATH: &str = "/services/bmms/api/agent/hold/v2/reverse";
pub(crate) const REVERSE_PARTIAL_PATH: &str = "/services/bmms/api/agent/hold/v2/reverse/partial";
pub(crate) const STATUS_PATH: &str = "/services/bmms/api/agent/status";

const STATUS: Operation = Operation::new(PROVIDER, "status", Effect::Read);

/// The largest top-up `hold-more` allows, in percent of the first hold.
pub const HOLD_MORE_LIMIT_PERCENT: i64 = 30;

/// The state of a bill as the bank reports it in `status`.
///
/// The document shows four values; any other is kept in [`BillStatus::Unknown`] and is
/// never taken for success.
///
/// ```
/// use anor_bm::BillStatus;
/// let s: BillStatus = serde_json::from_str(r#""HOLD_SUCCESS""#)?;
/// assert_eq!(s, BillStatus::HoldSuccess);
/// let odd: BillStatus = serde_json::from_str(r#""PROCESSING""#)?;
/// assert_eq!(odd, BillStatus::Unknown("PROCESSING".into()));
/// assert!(!odd.is_final());
/// assert_eq!(serde_json::to_string(&odd)?, r#""PROCESSING""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BillStatus {
    /// `CHECK_OK`: the bill was created by `unregistered-check`; nothing is paid or held yet.
    CheckOk,
    /// `SUCCESS`: paid (`unregistered-pay`), or a hold confirmed (`hold-confirm`). The
    /// document also shows it as the answer of `hold`.
    Success,
    /// `HOLD_SUCCESS`: money is held on the card (`hold`, `hold-more`,
    /// `hold-reverse-partial`).
    HoldSuccess,
    /// `CANCELLED`: the payment was cancelled (`cancel`) or the hold released
    /// (`hold-reverse`).
    Cancelled,
    /// A value the document does not show, kept as it came. Not a success.
    Unknown(String),
}

impl BillStatus {
    /// The value as the bank writes it.
    ///
    /// ```
    /// assert_eq!(anor_bm::BillStatus::CheckOk.as_str(), "CHECK_OK");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            BillStatus::CheckOk => "CHECK_OK",
            BillStatus::Success => "SUCCESS",
            BillStatus::HoldSuccess => "HOLD_SUCCESS",
            BillStatus::Cancelled => "CANCELLED",
            BillStatus::Unknown(s) => s,
        }
    }

    /// Reads a status value.
    ///
    /// ```
    /// assert_eq!(anor_bm::BillStatus::parse("CANCELLED"), anor_bm::BillStatus::Cancelled);
    /// ```
    pub fn parse(raw: &str) -> BillStatus {
        match raw {
            "CHECK_OK" => BillStatus::CheckOk,
            "SUCCESS" => BillStatus::Success,
            "HOLD_SUCCESS" => BillStatus::HoldSuccess,
            "CANCELLED" => BillStatus::Cancelled,
            other => BillStatus::Unknown(other.to_owned()),
        }
    }

    /// True for the states in which money has settled one way or the other: `SUCCESS`,
    /// `HOLD_SUCCESS`, `CANCELLED`. `CHECK_OK` (nothing done yet) and unknown values are
    /// not final.
    ///
    /// ```
    /// assert!(anor_bm::BillStatus::Success.is_final());
    /// assert!(!anor_bm::BillStatus::CheckOk.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            BillStatus::Success | BillStatus::HoldSuccess | BillStatus::Cancelled
        )
    }
}

impl fmt::Display for BillStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BillStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BillStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BillStatus, D::Error> {
        Ok(BillStatus::parse(&String::deserialize(d)?))
    }
}

/// The bill every billing call answers: `unregistered-check`, `unregistered-pay`, `hold`,
/// `hold-confirm`, `hold-more`, `cancel`, `hold-reverse`, `hold-reverse-partial`, `status`.
///
/// A bill answer means the bank answered; [`Bill::status`] says what happened. Amounts are
/// tiyin. Fields the tables list but the examples omit (or the reverse) are optional.
///
/// ```
/// let bill: anor_bm::Bill = serde_json::from_str(r#"{
///     "id": 935191, "amount": 100, "currency": 860, "status": "CHECK_OK",
///     "success": true, "data": {"leftSeconds": "120"}
/// }"#)?;
/// assert_eq!(bill.id, 935191);
/// assert_eq!(bill.amount.map(|m| m.minor), Some(100));
/// assert_eq!(bill.currency, Some(kassa_core::Currency::UZS));
/// assert_eq!(bill.status, anor_bm::BillStatus::CheckOk);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
    /// The bill's number in the bank (`billId` of the other calls).
    #[serde(deserialize_with = "crate::wire::int::deserialize")]
    pub id: i64,
    /// The recipient's short name.
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub recipient_short_name: Option<String>,
    /// The session number.
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub session_id: Option<String>,
    /// Amount ratio (in the tables, in no example).
    #[serde(default, deserialize_with = "crate::wire::int::option::deserialize")]
    pub amount_ratio: Option<i64>,
    /// The amount in tiyin; after `hold-reverse-partial`, what stays held.
    #[serde(default, with = "kassa_core::money::serde::uzs::minor_number::option")]
    pub amount: Option<kassa_core::Money>,
    /// The client's account at the merchant.
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub account: Option<String>,
    /// The currency (ISO 4217 numeric on the wire, 860).
    #[serde(default, with = "crate::wire::currency::option")]
    pub currency: Option<Currency>,
    /// External id: the system's, the recipient's internal one.
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub ext_id: Option<String>,
    /// When the bank received the request (ISO 8601 text, as sent).
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub request_time: Option<String>,
    /// When the bank answered (ISO 8601 text, as sent).
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub response_time: Option<String>,
    /// The bank's message (`OK`).
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub response_text: Option<String>,
    /// The bank's success flag ("false is not a success, but depends on the status").
    #[serde(default)]
    pub success: Option<bool>,
    /// The bill's state.
    pub status: BillStatus,
    /// Extra data (`{"phone", "leftSeconds", "recipientAmount", ...}`), full card numbers
    /// masked.
    #[serde(default)]
    pub data: Option<Extra>,
    /// The gateway's name.
    #[serde(default, deserialize_with = "crate::wire::opt_string::deserialize")]
    pub gateway_name: Option<String>,
    /// Sender details (null in the examples).
    #[serde(default)]
    pub sender: Option<Extra>,
    /// Receiver details (null in the examples).
    #[serde(default)]
    pub receiver: Option<Extra>,
}

impl Bill {
    /// Amounts are read as tiyin; when the bill names another currency kassa knows, the
    /// amount is tagged with it (every known currency has 2 decimal places).
    fn normalize(mut self) -> Bill {
        if let (Some(amount), Some(currency)) = (self.amount.as_mut(), self.currency) {
            amount.currency = currency;
        }
        self
    }
}

/// The card of `unregistered-check` and `hold-more` (`params`): its number and expiry.
///
/// `exp` is read from `exp` or `expiry` (send-otp's example uses the latter) and sent as
/// `exp`.
///
/// ```
/// let p: anor_bm::CardParams = serde_json::from_str(r#"{"pan":"9860080312345678","expiry":"0727"}"#)?;
/// assert_eq!(serde_json::to_string(&p)?, r#"{"pan":"9860080312345678","exp":"0727"}"#);
/// assert!(!format!("{p:?}").contains("9860080312345678"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardParams {
    /// The card number (sent in full, masked everywhere else).
    #[serde(serialize_with = "kassa_core::secret::expose_card")]
    pub pan: CardNumber,
    /// The card's expiry, `MMYY`.
    #[serde(alias = "expiry")]
    pub exp: CardExpiry,
}

/// The body of `unregistered-check`: creates the bill that `unregistered-pay` and `hold`
/// take. `agentTranId` is the idempotency key: resending the same check is safe.
///
/// `amount` is sent as a number (the table says String; every answer and the other calls
/// use numbers; strings are accepted on input).
///
/// ```
/// use anor_bm::CheckRequest;
/// use kassa_core::{Currency, Money, secret::CardNumber};
/// let req = CheckRequest::new("30", 1, Money::new(100, Currency::UZS), "1628592866",
///     CardNumber::new("9860080312345678")?, "0727".parse()?);
/// assert!(req.validate().is_ok());
/// let json = serde_json::to_value(&req).expect("json");
/// assert_eq!(json["amount"], 100);
/// assert_eq!(json["currency"], 860);
/// assert_eq!(json["params"]["exp"], "0727");
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CheckRequest {
    /// The client's account (order) at the merchant.
    #[serde(deserialize_with = "crate::wire::lenient_string")]
    pub account: String,
    /// The recipient (merchant service) id.
    #[serde(deserialize_with = "crate::wire::int::deserialize")]
    pub recipient_id: i64,
    /// The amount, in tiyin on the wire.
    #[serde(with = "crate::wire::tiyin")]
    pub amount: kassa_core::Money,
    /// The currency, ISO 4217 numeric on the wire (860).
    #[serde(default = "crate::wire::uzs", with = "crate::wire::currency")]
    pub currency: Currency,
    /// The merchant's unique transaction id: the idempotency key.
    #[serde(deserialize_with = "crate::wire::lenient_string")]
    pub agent_tran_id: String,
    /// The card to pay with.
    pub params: CardParams,
}

impl CheckRequest {
    /// A check for `amount` (UZS) on `account` of `recipient_id`, paid with the card.
    pub fn new(
        account: impl Into<String>,
        recipient_id: i64,
        amount: kassa_core::Money,
        agent_tran_id: impl Into<String>,
        pan: CardNumber,
        exp: CardExpiry,
    ) -> CheckRequest {
        CheckRequest {
            account: account.into(),
            recipient_id,
            amount,
            currency: Currency::UZS,
            agent_tran_id: agent_tran_id.into(),
            params: CardParams { pan, exp },
        }
    }

    /// Checks the request before it is sent.
    ///
    /// ```
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let mut req = anor_bm::CheckRequest::new("30", 1, Money::new(0, Currency::UZS), "t-1",
    ///     CardNumber::new("9860080312345678")?, "0727".parse()?);
    /// assert_eq!(req.validate().unwrap_err().field(), Some("amount"));
    /// req.amount = Money::new(100, Currency::UZS);
    /// req.agent_tran_id = " ".into();
    /// assert_eq!(req.validate().unwrap_err().field(), Some("agentTranId"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        kassa_core::text::free_text("account", &self.account, limits::ACCOUNT)?;
        if self.recipient_id <= 0 {
            return Err(Error::invalid(
                "recipientId",
                "must be a positive recipient id",
            ));
        }
        positive_amount("amount", &self.amount)?;
        uzs_currency(self.currency, &self.amount)?;
        non_empty("agentTranId", &self.agent_tran_id)?;
        kassa_core::text::free_text("agentTranId", &self.agent_tran_id, limits::AGENT_TRAN_ID)
    }
}

/// The SMS code of `unregistered-pay` and `hold` (`params`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtpParams {
    /// The card holder's SMS code.
    pub otp: Otp,
}

/// The body of `unregistered-pay` and of `hold`: the bill and the card holder's SMS code.
/// `params` is sent as an object, as the example does (the table says String).
///
/// ```
/// use anor_bm::{Otp, PayRequest};
/// let req = PayRequest::new(777, Otp::new("445566")?);
/// assert_eq!(
///     serde_json::to_string(&req).expect("json"),
///     r#"{"billId":777,"type":"PC","params":{"otp":"445566"}}"#
/// );
/// assert!(!format!("{req:?}").contains("445566"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    /// The bill's id (`id` of the check answer).
    #[serde(rename = "billId", deserialize_with = "crate::wire::int::deserialize")]
    pub bill_id: i64,
    /// The payment type (`PC` in the examples).
    #[serde(rename = "type", default = "pc")]
    pub kind: String,
    /// The SMS code.
    pub params: OtpParams,
}

fn pc() -> String {
    "PC".to_owned()
}

impl PayRequest {
    /// A payment (or hold) of `bill_id` with type `PC` and the SMS code.
    pub fn new(bill_id: i64, otp: Otp) -> PayRequest {
        PayRequest {
            bill_id,
            kind: pc(),
            params: OtpParams { otp },
        }
    }

    /// Checks the request before it is sent.
    ///
    /// ```
    /// let req = anor_bm::PayRequest::new(-1, anor_bm::Otp::new("1")?);
    /// assert_eq!(req.validate().unwrap_err().field(), Some("billId"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        positive_bill(self.bill_id)?;
        kassa_core::text::free_text("type", &self.kind, limits::KIND)
    }
}

/// The body of `hold-confirm`, `cancel` and `hold-reverse`: just the bill.
///
/// ```
/// assert_eq!(serde_json::to_string(&anor_bm::BillRequest::new(777))?, r#"{"billId":777}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillRequest {
    /// The bill's id.
    #[serde(rename = "billId", deserialize_with = "crate::wire::int::deserialize")]
    pub bill_id: i64,
}

impl BillRequest {
    /// A request naming `bill_id`.
    pub fn new(bill_id: i64) -> BillRequest {
        BillRequest { bill_id }
    }

    /// Checks the request before it is sent.
    ///
    /// ```
    /// assert!(anor_bm::BillRequest::new(0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        positive_bill(self.bill_id)
    }
}

/// The body of `hold-more`: adds `amount` to a hold, without an OTP, up to 30 % of the first
/// hold.
///
/// `firstHold` is not sent: when given, an `amount` above 30 % of it is refused before
/// anything is sent. (The bank's limit applies to what was added so far in all; kassa sees
/// one call, so pass what is left of the 30 % when you top up more than once.)
///
/// ```
/// use anor_bm::HoldMoreRequest;
/// use kassa_core::{Currency, Money, secret::CardNumber};
/// let req = HoldMoreRequest::new(100000051, Money::new(155000, Currency::UZS), "UZCARD",
///     CardNumber::new("9860080312345678")?, "0727".parse()?)
///     .first_hold(Money::new(500000, Currency::UZS));
/// assert_eq!(req.validate().unwrap_err().field(), Some("amount"), "155000 > 30% of 500000");
/// let ok = req.clone().first_hold(Money::new(516667, Currency::UZS));
/// assert!(ok.validate().is_ok());
/// assert!(serde_json::to_value(&ok).expect("json").get("firstHold").is_none(), "never sent");
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldMoreRequest {
    /// The held bill's id.
    #[serde(rename = "billId", deserialize_with = "crate::wire::int::deserialize")]
    pub bill_id: i64,
    /// The amount to add, in tiyin on the wire.
    #[serde(with = "crate::wire::tiyin")]
    pub amount: kassa_core::Money,
    /// The payment type (`UZCARD` in the example).
    #[serde(rename = "type")]
    pub kind: String,
    /// The card.
    pub params: CardParams,
    /// The first hold's amount, to check the 30 % limit; never sent.
    #[serde(
        rename = "firstHold",
        default,
        skip_serializing,
        deserialize_with = "crate::wire::tiyin::option::deserialize"
    )]
    pub first_hold: Option<kassa_core::Money>,
}

impl HoldMoreRequest {
    /// Adds `amount` to the hold of `bill_id` on the card.
    pub fn new(
        bill_id: i64,
        amount: kassa_core::Money,
        kind: impl Into<String>,
        pan: CardNumber,
        exp: CardExpiry,
    ) -> HoldMoreRequest {
        HoldMoreRequest {
            bill_id,
            amount,
            kind: kind.into(),
            params: CardParams { pan, exp },
            first_hold: None,
        }
    }

    /// Sets the first hold's amount so the 30 % limit is checked before sending.
    pub fn first_hold(mut self, first_hold: kassa_core::Money) -> HoldMoreRequest {
        self.first_hold = Some(first_hold);
        self
    }

    /// Checks the request before it is sent, the 30 % limit included when `firstHold` is
    /// known.
    pub fn validate(&self) -> Result<(), Error> {
        positive_bill(self.bill_id)?;
        positive_amount("amount", &self.amount)?;
        uzs_currency(Currency::UZS, &self.amount)?;
        kassa_core::text::free_text("type", &self.kind, limits::KIND)?;
        if let Some(first) = self.first_hold {
            positive_amount("firstHold", &first)?;
            if first.currency != self.amount.currency {
                return Err(Error::invalid(
                    "firstHold",
                    "must be in the amount's currency",
                ));
            }
            let limit = i128::from(first.minor) * i128::from(HOLD_MORE_LIMIT_PERCENT);
            if i128::from(self.amount.minor) * 100 > limit {
                return Err(Error::invalid(
                    "amount",
                    format!(
                        "{} is more than {HOLD_MORE_LIMIT_PERCENT}% of the first hold ({})",
                        self.amount, first
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The body of `hold-reverse-partial`: releases `reverseAmount` of a hold. The answer's
/// `amount` is what stays held.
///
/// ```
/// use kassa_core::{Currency, Money};
/// let req = anor_bm::ReversePartialRequest::new(777, Money::new(100, Currency::UZS));
/// assert_eq!(serde_json::to_string(&req)?, r#"{"billId":777,"reverseAmount":100}"#);
/// let zero = anor_bm::ReversePartialRequest::new(777, Money::new(0, Currency::UZS));
/// assert_eq!(zero.validate().unwrap_err().field(), Some("reverseAmount"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReversePartialRequest {
    /// The held bill's id.
    #[serde(rename = "billId", deserialize_with = "crate::wire::int::deserialize")]
    pub bill_id: i64,
    /// The amount to release, in tiyin on the wire.
    #[serde(rename = "reverseAmount", with = "crate::wire::tiyin")]
    pub reverse_amount: kassa_core::Money,
}

impl ReversePartialRequest {
    /// Releases `reverse_amount` of the hold of `bill_id`.
    pub fn new(bill_id: i64, reverse_amount: kassa_core::Money) -> ReversePartialRequest {
        ReversePartialRequest {
            bill_id,
            reverse_amount,
        }
    }

    /// Checks the request before it is sent.
    pub fn validate(&self) -> Result<(), Error> {
        positive_bill(self.bill_id)?;
        positive_amount("reverseAmount", &self.reverse_amount)?;
        uzs_currency(Currency::UZS, &self.reverse_amount).map_err(|_| {
            Error::invalid(
                "reverseAmount",
                "amounts are tiyin: the currency must be UZS",
            )
        })
    }
}

/// The body of `status`: `billId`, `agentTranId`, or both; at least one.
///
/// ```
/// use anor_bm::StatusRequest;
/// assert_eq!(serde_json::to_string(&StatusRequest::bill(777))?, r#"{"billId":777}"#);
/// assert_eq!(
///     serde_json::to_string(&StatusRequest::agent_tran("1628592866"))?,
///     r#"{"agentTranId":"1628592866"}"#
/// );
/// let none: StatusRequest = serde_json::from_str("{}")?;
/// assert_eq!(none.validate().unwrap_err().field(), Some("billId"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct StatusRequest {
    /// The bill's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::int::option::deserialize"
    )]
    pub bill_id: Option<i64>,
    /// The merchant's transaction id given to `unregistered-check`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::opt_string::deserialize"
    )]
    pub agent_tran_id: Option<String>,
}

impl StatusRequest {
    /// Asks by bill id.
    pub fn bill(bill_id: i64) -> StatusRequest {
        StatusRequest {
            bill_id: Some(bill_id),
            agent_tran_id: None,
        }
    }

    /// Asks by the merchant's transaction id.
    pub fn agent_tran(agent_tran_id: impl Into<String>) -> StatusRequest {
        StatusRequest {
            bill_id: None,
            agent_tran_id: Some(agent_tran_id.into()),
        }
    }

    /// The status request an outcome-unknown error names (`status with billId=...` or
    /// `agentTranId=...`), if it names one.
    ///
    /// ```
    /// let r = kassa_core::Reconcile::new("status").param("billId", "777");
    /// assert_eq!(anor_bm::StatusRequest::from_reconcile(&r), Some(anor_bm::StatusRequest::bill(777)));
    /// ```
    pub fn from_reconcile(reconcile: &Reconcile) -> Option<StatusRequest> {
        if reconcile.operation != "status" {
            return None;
        }
        let mut req = StatusRequest::default();
        for (name, value) in &reconcile.params {
            match *name {
                "billId" => req.bill_id = value.parse().ok(),
                "agentTranId" => req.agent_tran_id = Some(value.clone()),
                _ => {}
            }
        }
        req.validate().ok().map(|()| req)
    }

    /// Checks that at least one of `billId`, `agentTranId` is given.
    pub fn validate(&self) -> Result<(), Error> {
        let agent = self
            .agent_tran_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        match (self.bill_id, agent) {
            (None, None) => Err(Error::invalid(
                "billId",
                "status needs billId or agentTranId (at least one)",
            )),
            (Some(id), _) if id <= 0 => Err(Error::invalid("billId", "must be a positive bill id")),
            (_, Some(agent)) => {
                kassa_core::text::free_text("agentTranId", agent, limits::AGENT_TRAN_ID)
            }
            _ => Ok(()),
        }
    }
}

fn non_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

fn positive_bill(bill_id: i64) -> Result<(), Error> {
    if bill_id <= 0 {
        Err(Error::invalid(
            "billId",
            format!("must be a positive bill id (the `id` of the check answer), got {bill_id}"),
        ))
    } else {
        Ok(())
    }
}

pub(crate) fn positive_amount(field: &str, amount: &kassa_core::Money) -> Result<(), Error> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be positive, got {amount}"),
        ))
    }
}

pub(crate) fn uzs_currency(currency: Currency, amount: &kassa_core::Money) -> Result<(), Error> {
    if currency != Currency::UZS {
        return Err(Error::invalid(
            "currency",
            format!("this API takes sum (UZS, 860), got {}", currency.code()),
        ));
    }
    if amount.currency != Currency::UZS {
        return Err(Error::invalid(
            "amount",
            format!(
                "amounts are tiyin: the currency must be UZS, got {}",
                amount.currency.code()
            ),
        ));
    }
    Ok(())
}

/// Reads a billing answer: a bill on 2xx (repaired when the JSON is plainly broken), the
/// error a 2xx carries instead (`{"id", "result": {...}}`, a bare catalogue error), or the
/// refusal of a non-2xx answer. An unreadable 2xx on a call that moves money is
/// outcome-unknown.
pub(crate) fn read_bill(op: &Operation, resp: &Response) -> Result<Bill, Error> {
    if !resp.is_success() {
        return Err(from_error_answer(op, resp));
    }
    match lenient::decode_plain::<Bill>(op, &resp.body) {
        Ok(bill) => Ok(bill.normalize()),
        Err(e) => Err(error_in_success(op, resp).unwrap_or_else(|| lenient::money_safe(op, e))),
    }
}

/// Checks that a bill answered to a call that moves money says what happened; otherwise
/// the answer is outcome-unknown naming the status call, never `Ok`:
///
/// - a status the document does not list ([`BillStatus::Unknown`]);
/// - a contradiction: `"success": false` with `SUCCESS` or `HOLD_SUCCESS`;
/// - another bill than the one the call named.
pub(crate) fn answered_bill(
    op: &Operation,
    resp: &Response,
    bill: Bill,
    bill_id: Option<i64>,
) -> Result<Bill, Error> {
    let unclear = |path: &str, message: String| {
        Err(op.outcome_unknown(Error::Decode {
            provider: PROVIDER,
            operation: op.name,
            path: path.to_owned(),
            message,
            excerpt: kassa_core::secret::excerpt(&String::from_utf8_lossy(&resp.body), 0, 120),
        }))
    };
    if let Some(sent) = bill_id
        && bill.id != sent
    {
        return unclear(
            "id",
            format!(
                "the answer is about bill {}, the call named bill {sent}",
                bill.id
            ),
        );
    }
    if let BillStatus::Unknown(raw) = &bill.status {
        return unclear(
            "status",
            format!(
                "the bill status {raw:?} is not one the document lists: what happened is unknown"
            ),
        );
    }
    if bill.success == Some(false)
        && matches!(bill.status, BillStatus::Success | BillStatus::HoldSuccess)
    {
        return unclear(
            "success",
            format!(
                "the answer contradicts itself: \"success\": false with status {}",
                bill.status
            ),
        );
    }
    Ok(bill)
}

/// The operation of a call on `bill_id` that moves money: never resent once it may have
/// reached the bank; a lost answer names `status with billId=...`.
fn once_on_bill(name: &'static str, bill_id: i64) -> Operation {
    Operation::new(PROVIDER, name, Effect::Once)
        .reconcile_with(Reconcile::new("status").param("billId", bill_id.to_string()))
}

/// How [`Client::reconcile`] polls `status`.
///
/// ```
/// use std::time::Duration;
/// use anor_bm::{BillStatus, ReconcileOptions};
/// let o = ReconcileOptions::after("hold-confirm", Duration::from_secs(60));
/// assert_eq!(o.until, vec![BillStatus::Success, BillStatus::Cancelled]);
/// let o = ReconcileOptions::new(Duration::from_secs(30)).interval(Duration::from_secs(5));
/// assert_eq!(o.interval, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Stop asking after this long.
    pub timeout: Duration,
    /// Wait between two asks (default 2 s).
    pub interval: Duration,
    /// The states that settle the question (default: `SUCCESS`, `HOLD_SUCCESS`, `CANCELLED`).
    pub until: Vec<BillStatus>,
}

impl ReconcileOptions {
    /// Ask for up to `timeout`, until a final state.
    pub fn new(timeout: Duration) -> ReconcileOptions {
        ReconcileOptions {
            timeout,
            interval: Duration::from_secs(2),
            until: vec![
                BillStatus::Success,
                BillStatus::HoldSuccess,
                BillStatus::Cancelled,
            ],
        }
    }

    /// The states that settle a lost answer of `operation`:
    ///
    /// | operation | settled by |
    /// |---|---|
    /// | unregistered-check | any state (the bill exists) |
    /// | unregistered-pay, hold-confirm | `SUCCESS`, `CANCELLED` |
    /// | hold, hold-more | `HOLD_SUCCESS`, `SUCCESS`, `CANCELLED` (for hold-more compare the amount) |
    /// | cancel, hold-reverse | `CANCELLED` |
    /// | hold-reverse-partial | `HOLD_SUCCESS`, `CANCELLED` (compare the amount) |
    pub fn after(operation: &str, timeout: Duration) -> ReconcileOptions {
        use BillStatus::*;
        let until = match operation {
            "unregistered-check" => vec![CheckOk, Success, HoldSuccess, Cancelled],
            "unregistered-pay" | "hold-confirm" => vec![Success, Cancelled],
            "hold" | "hold-more" => vec![HoldSuccess, Success, Cancelled],
            "cancel" | "hold-reverse" => vec![Cancelled],
            "hold-reverse-partial" => vec![HoldSuccess, Cancelled],
            _ => return ReconcileOptions::new(timeout),
        };
        ReconcileOptions {
            until,
            ..ReconcileOptions::new(timeout)
        }
    }

    /// Sets the wait between two asks.
    pub fn interval(mut self, interval: Duration) -> ReconcileOptions {
        self.interval = interval;
        self
    }

    /// Sets the states that settle the question.
    pub fn until(mut self, states: &[BillStatus]) -> ReconcileOptions {
        self.until = states.to_vec();
        self
    }
}

/// What [`Client::reconcile`] learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// The bill reached one of the awaited states.
    Settled(Bill),
    /// The deadline passed; the last bill seen, in a state not awaited.
    Pending(Bill),
}

impl Reconciled {
    /// The bill, settled or not.
    pub fn bill(&self) -> &Bill {
        match self {
            Reconciled::Settled(b) | Reconciled::Pending(b) => b,
        }
    }
}

impl Client {
    /// Sends a billing call and reads its bill. On a call that moves money the bill must
    /// say what happened (see [`answered_bill`]); `bill_id` is the bill the call named.
    async fn bill_call<B: Serialize>(
        &self,
        op: Operation,
        path: &'static str,
        body: &B,
        bill_id: Option<i64>,
    ) -> Result<Bill, Error> {
        let resp = self
            .bearer_call(&op, Method::Post, path, Some(body))
            .await?;
        let bill = read_bill(&op, &resp)?;
        if op.effect.changes_state() {
            answered_bill(&op, &resp, bill, bill_id)
        } else {
            Ok(bill)
        }
    }

    /// `unregistered-check` (`POST /services/bmms/api/agent/unregistered-check`): checks the
    /// bill and creates it; its `id` is the `billId` of pay, hold and the rest. Keyed by
    /// `agentTranId`: retried with the same key on timeouts and 5xx.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let bill = client
    ///     .unregistered_check(&anor_bm::CheckRequest::new(
    ///         "30", 1, Money::new(100_000, Currency::UZS), "order-30-try-1",
    ///         CardNumber::new("9860080312345678")?, "0727".parse()?,
    ///     ))
    ///     .await?;
    /// assert_eq!(bill.status, anor_bm::BillStatus::CheckOk);
    /// # Ok(()) }
    /// ```
    pub async fn unregistered_check(&self, req: &CheckRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            let op = Operation::new(PROVIDER, "unregistered-check", Effect::Once)
                .keyed(req.agent_tran_id.clone())
                .reconcile_with(
                    Reconcile::new("status").param("agentTranId", req.agent_tran_id.clone()),
                );
            self.bill_call(op, CHECK_PATH, req, None).await
        })
        .await
    }

    /// `unregistered-pay` (`POST /services/bmms/api/agent/unregistered-pay`): pays the bill
    /// with the card holder's SMS code. Never resent once it may have reached the bank: a
    /// lost answer, a 401 that is not the catalogue's token refusal, or a bill answer that
    /// does not say what happened (an unlisted status, `"success": false` with `SUCCESS`,
    /// another bill) is [`Error::OutcomeUnknown`] naming `status with billId=...`
    /// (see [`Client::reconcile_outcome`]).
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use anor_bm::{BillStatus, Otp, PayRequest};
    /// match client.unregistered_pay(&PayRequest::new(935191, Otp::new("445566")?)).await {
    ///     Ok(bill) if bill.status == BillStatus::Success => println!("paid"),
    ///     Ok(bill) if matches!(bill.status, BillStatus::CheckOk | BillStatus::Cancelled) => {
    ///         println!("not paid: {}", bill.status)
    ///     }
    ///     Ok(bill) => println!("unclear ({}): ask status first", bill.status),
    ///     Err(e) if e.may_have_taken_effect() => println!("ask status first: {e}"),
    ///     Err(e) => println!("refused: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn unregistered_pay(&self, req: &PayRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("unregistered-pay", req.bill_id),
                PAY_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `hold` (`POST /services/bmms/api/agent/hold/v2/otp`): holds the bill's amount on the
    /// card with the SMS code (after `unregistered-check`). Never resent once it may have
    /// reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let held = client.hold(&anor_bm::PayRequest::new(935191, anor_bm::Otp::new("225588")?)).await?;
    /// println!("{}", held.status);
    /// # Ok(()) }
    /// ```
    pub async fn hold(&self, req: &PayRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("hold", req.bill_id),
                HOLD_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `hold-confirm` (`POST /services/bmms/api/agent/hold/v2/confirm`): debits the held
    /// money. Never resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let done = client.hold_confirm(&anor_bm::BillRequest::new(935191)).await?;
    /// assert_eq!(done.status, anor_bm::BillStatus::Success);
    /// # Ok(()) }
    /// ```
    pub async fn hold_confirm(&self, req: &BillRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("hold-confirm", req.bill_id),
                CONFIRM_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `hold-more` (`POST /services/bmms/api/agent/hold/v2/more`): adds up to 30 % of the
    /// first hold, without an OTP. With [`HoldMoreRequest::first_hold`] set, a larger amount
    /// is refused before sending. Never resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let req = anor_bm::HoldMoreRequest::new(
    ///     100000051, Money::new(150_000, Currency::UZS), "UZCARD",
    ///     CardNumber::new("9860080312345678")?, "0727".parse()?,
    /// )
    /// .first_hold(Money::new(500_000, Currency::UZS));
    /// let bill = client.hold_more(&req).await?;
    /// println!("{}", bill.status);
    /// # Ok(()) }
    /// ```
    pub async fn hold_more(&self, req: &HoldMoreRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("hold-more", req.bill_id),
                MORE_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `cancel` (`POST /services/bmms/api/agent/cancel/v3`): cancels a payment made with
    /// `unregistered-pay`, or a confirmed hold. Needs a special role at the bank. Never
    /// resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let bill = client.cancel(&anor_bm::BillRequest::new(935191)).await?;
    /// assert_eq!(bill.status, anor_bm::BillStatus::Cancelled);
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self, req: &BillRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("cancel", req.bill_id),
                CANCEL_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `hold-reverse` (`POST /services/bmms/api/agent/hold/v2/reverse`): releases a hold
    /// that was not confirmed (a confirmed one is undone with [`Client::cancel`]). Never
    /// resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let bill = client.hold_reverse(&anor_bm::BillRequest::new(935191)).await?;
    /// assert_eq!(bill.status, anor_bm::BillStatus::Cancelled);
    /// # Ok(()) }
    /// ```
    pub async fn hold_reverse(&self, req: &BillRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("hold-reverse", req.bill_id),
                REVERSE_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `hold-reverse-partial` (`POST /services/bmms/api/agent/hold/v2/reverse/partial`):
    /// releases part of a hold; the answer's `amount` is what stays held. Never resent once
    /// it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::{Currency, Money};
    /// let req = anor_bm::ReversePartialRequest::new(935191, Money::new(10_000, Currency::UZS));
    /// let bill = client.hold_reverse_partial(&req).await?;
    /// println!("still held: {:?}", bill.amount);
    /// # Ok(()) }
    /// ```
    pub async fn hold_reverse_partial(&self, req: &ReversePartialRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(
                once_on_bill("hold-reverse-partial", req.bill_id),
                REVERSE_PARTIAL_PATH,
                req,
                Some(req.bill_id),
            )
            .await
        })
        .await
    }

    /// `status` (`POST /services/bmms/api/agent/status`): the bill by `billId` or
    /// `agentTranId`. A read: retried on timeouts, 5xx and 429.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let bill = client.status(&anor_bm::StatusRequest::bill(935191)).await?;
    /// println!("{}", bill.status);
    /// # Ok(()) }
    /// ```
    pub async fn status(&self, req: &StatusRequest) -> Result<Bill, Error> {
        self.guarded(async {
            req.validate()?;
            self.bill_call(STATUS, STATUS_PATH, req, None).await
        })
        .await
    }

    /// Asks `status` until the bill reaches one of `opts.until` or `opts.timeout` passes.
    ///
    /// Retryable failures of `status` (transport, 5xx) are asked again; a refusal
    /// (`bill_not_found`, ...) is returned at once. At the deadline: the last bill seen as
    /// [`Reconciled::Pending`], or the last error when no bill was seen.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use std::time::Duration;
    /// use anor_bm::{ReconcileOptions, Reconciled, StatusRequest};
    /// let opts = ReconcileOptions::after("unregistered-pay", Duration::from_secs(60));
    /// match client.reconcile(&StatusRequest::bill(935191), &opts).await? {
    ///     Reconciled::Settled(bill) => println!("settled: {}", bill.status),
    ///     Reconciled::Pending(bill) => println!("still {}: ask again later", bill.status),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reconcile(
        &self,
        lookup: &StatusRequest,
        opts: &ReconcileOptions,
    ) -> Result<Reconciled, Error> {
        self.guarded(async {
            lookup.validate()?;
            let deadline = tokio::time::Instant::now() + opts.timeout;
            let mut last_bill: Option<Bill> = None;
            let mut last_error: Option<Error> = None;
            loop {
                match self.status(lookup).await {
                    Ok(bill) if opts.until.contains(&bill.status) => {
                        return Ok(Reconciled::Settled(bill));
                    }
                    Ok(bill) => {
                        tracing::debug!(status = %bill.status, "reconcile: not settled yet");
                        last_bill = Some(bill);
                    }
                    Err(e) if e.is_retryable() => {
                        tracing::debug!(error = %e, "reconcile: status failed, asking again");
                        last_error = Some(e);
                    }
                    Err(e) => return Err(e),
                }
                if tokio::time::Instant::now() + opts.interval >= deadline {
                    break;
                }
                tokio::time::sleep(opts.interval).await;
            }
            match (last_bill, last_error) {
                (Some(bill), _) => Ok(Reconciled::Pending(bill)),
                (None, Some(e)) => Err(e),
                (None, None) => Err(Error::invalid("timeout", "no status was asked")),
            }
        })
        .await
    }

    /// Reconciles the outcome-unknown error of a billing call: asks the status it names
    /// until the states [`ReconcileOptions::after`] gives for its operation, for up to
    /// `timeout`. Errors that are not outcome-unknown, or name no status call, are refused
    /// as invalid input (field `error`).
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use std::time::Duration;
    /// let req = anor_bm::PayRequest::new(935191, anor_bm::Otp::new("445566")?);
    /// if let Err(e) = client.unregistered_pay(&req).await {
    ///     if e.outcome_unknown().is_some() {
    ///         let learned = client.reconcile_outcome(&e, Duration::from_secs(60)).await?;
    ///         println!("{}", learned.bill().status);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reconcile_outcome(
        &self,
        err: &Error,
        timeout: Duration,
    ) -> Result<Reconciled, Error> {
        self.guarded(async {
            let unknown = err
                .outcome_unknown()
                .ok_or_else(|| Error::invalid("error", "not an outcome-unknown error"))?;
            let lookup = unknown
                .reconcile
                .as_ref()
                .and_then(StatusRequest::from_reconcile)
                .ok_or_else(|| Error::invalid("error", "names no status call to ask"))?;
            let opts = ReconcileOptions::after(unknown.operation, timeout);
            self.reconcile(&lookup, &opts).await
        })
        .await
    }
}
