//! The bill every billing call answers, and how an answer becomes one.

use std::fmt;

use kassa_core::poll::Settles;
use kassa_core::{Currency, Error, Operation, Response};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::answer;
use crate::wire::Extra;

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
    #[serde(deserialize_with = "kassa_core::lenient::int")]
    pub id: i64,
    /// The recipient's short name.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub recipient_short_name: Option<String>,
    /// The session number.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub session_id: Option<String>,
    /// Amount ratio (in the tables, in no example).
    #[serde(default, deserialize_with = "kassa_core::lenient::int_opt")]
    pub amount_ratio: Option<i64>,
    /// The amount in tiyin; after `hold-reverse-partial`, what stays held.
    #[serde(default, with = "kassa_core::money::serde::uzs::minor_number::option")]
    pub amount: Option<kassa_core::Money>,
    /// The client's account at the merchant.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub account: Option<String>,
    /// The currency (ISO 4217 numeric on the wire, 860).
    #[serde(default, with = "crate::wire::currency::option")]
    pub currency: Option<Currency>,
    /// External id: the system's, the recipient's internal one.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub ext_id: Option<String>,
    /// When the bank received the request (ISO 8601 text, as sent).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub request_time: Option<String>,
    /// When the bank answered (ISO 8601 text, as sent).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub response_time: Option<String>,
    /// The bank's message (`OK`).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
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
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
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
    pub(crate) fn normalize(mut self) -> Bill {
        if let (Some(amount), Some(currency)) = (self.amount.as_mut(), self.currency) {
            amount.currency = currency;
        }
        self
    }
}

/// Reads a billing answer as a bill (see [`answer::read_bare`]); on a call that changes
/// state the bill must say what happened ([`answered_bill`]); `bill_id` is the bill the
/// call named.
pub(crate) fn read_bill(
    op: &Operation,
    resp: &Response,
    bill_id: Option<i64>,
) -> Result<Bill, Error> {
    let bill = answer::read_bare::<Bill>(op, resp)?.normalize();
    if op.effect.changes_state() {
        answered_bill(op, resp, bill, bill_id)
    } else {
        Ok(bill)
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
    let unclear = |path: &str, message: String| Err(answer::unclear(op, resp, path, message));
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

/// A bill is final when its state is ([`BillStatus::is_final`]); it succeeded when paid or
/// held.
///
/// ```
/// use kassa_core::poll::Settles;
/// let bill: anor_bm::Bill = serde_json::from_str(r#"{"id": 1, "status": "HOLD_SUCCESS"}"#)?;
/// assert!(bill.is_final() && bill.succeeded());
/// # Ok::<(), serde_json::Error>(())
/// ```
impl Settles for Bill {
    fn is_final(&self) -> bool {
        self.status.is_final()
    }

    fn succeeded(&self) -> bool {
        matches!(self.status, BillStatus::Success | BillStatus::HoldSuccess)
    }
}
