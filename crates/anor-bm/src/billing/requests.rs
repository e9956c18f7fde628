//! The request bodies of the billing calls.

use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Reconcile};
use serde::{Deserialize, Serialize};

use crate::wire::{CardExpiry, Otp, limits, positive_amount, uzs_currency};

/// The largest top-up `hold-more` allows, in percent of the first hold.
pub const HOLD_MORE_LIMIT_PERCENT: i64 = 30;

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
    #[serde(deserialize_with = "kassa_core::lenient::text")]
    pub account: String,
    /// The recipient (merchant service) id.
    #[serde(deserialize_with = "kassa_core::lenient::int")]
    pub recipient_id: i64,
    /// The amount, in tiyin on the wire.
    #[serde(with = "crate::wire::tiyin")]
    pub amount: kassa_core::Money,
    /// The currency, ISO 4217 numeric on the wire (860).
    #[serde(default = "crate::wire::uzs", with = "crate::wire::currency")]
    pub currency: Currency,
    /// The merchant's unique transaction id: the idempotency key.
    #[serde(deserialize_with = "kassa_core::lenient::text")]
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
    #[serde(rename = "billId", deserialize_with = "kassa_core::lenient::int")]
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
    #[serde(rename = "billId", deserialize_with = "kassa_core::lenient::int")]
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
    #[serde(rename = "billId", deserialize_with = "kassa_core::lenient::int")]
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
    #[serde(rename = "billId", deserialize_with = "kassa_core::lenient::int")]
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
        deserialize_with = "kassa_core::lenient::int_opt"
    )]
    pub bill_id: Option<i64>,
    /// The merchant's transaction id given to `unregistered-check`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "kassa_core::lenient::text_opt"
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
