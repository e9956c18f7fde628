//! `ext-pay`: a payout from a company (legal entity) account to a person's card.

use kassa_core::{Currency, Effect, Error, Method, Money, Operation, Reconcile, Response};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::answer;
use crate::client::Client;
use crate::wire::{CardExpiry, Extra, limits, positive_amount, uzs_currency};
use crate::{CardParams, Decimal, PROVIDER};

pub(crate) const EXT_PAY_PATH: &str = "/services/bmms/api/ext/agent/pay";

/// The `from.type` of a payout: always `ACCOUNT`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountKind;

impl Serialize for AccountKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("ACCOUNT")
    }
}

impl<'de> Deserialize<'de> for AccountKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AccountKind, D::Error> {
        let s = String::deserialize(d)?;
        if s == "ACCOUNT" {
            Ok(AccountKind)
        } else {
            Err(serde::de::Error::custom(format!(
                "from.type must be ACCOUNT, got {s:?}"
            )))
        }
    }
}

/// The `to.type` of a payout: the table says `ACCOUNT`, the example sends `PAN`. Both are
/// accepted on input; `PAN` is sent, as the example does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardKind;

impl Serialize for CardKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("PAN")
    }
}

impl<'de> Deserialize<'de> for CardKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CardKind, D::Error> {
        let s = String::deserialize(d)?;
        if s == "PAN" || s == "ACCOUNT" {
            Ok(CardKind)
        } else {
            Err(serde::de::Error::custom(format!(
                "to.type must be PAN (or ACCOUNT), got {s:?}"
            )))
        }
    }
}

/// The company account money leaves (`from.params`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountParams {
    /// The legal entity's account.
    pub account: String,
    /// The sender bank's MFO (5 digits).
    pub mfo: String,
    /// The client's name.
    pub name: String,
}

/// The payout's source (`from`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutFrom {
    /// `ACCOUNT`.
    #[serde(rename = "type", default)]
    pub kind: AccountKind,
    /// The currency, ISO 4217 numeric on the wire.
    #[serde(default = "crate::wire::uzs", with = "crate::wire::currency")]
    pub currency: Currency,
    /// The account.
    pub params: AccountParams,
}

/// The payout's destination (`to`): a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutTo {
    /// `PAN`.
    #[serde(rename = "type", default)]
    pub kind: CardKind,
    /// The currency, ISO 4217 numeric on the wire.
    #[serde(default = "crate::wire::uzs", with = "crate::wire::currency")]
    pub currency: Currency,
    /// The card (`exp` is `MMYY`).
    pub params: CardParams,
}

/// The body of `ext-pay`. `agentTranId` is the merchant's unique transaction id (a number,
/// as the table and the example send it; a string of digits is accepted on input); the
/// status call finds the payout by it.
///
/// ```
/// use anor_bm::ExtPayRequest;
/// use kassa_core::{Currency, Money, secret::CardNumber};
/// let req = ExtPayRequest::new(
///     1668782814, "20208000900000000001", "01183", "viplati",
///     CardNumber::new("9860600000002487")?, "1025".parse()?, Money::new(100, Currency::UZS),
/// );
/// assert!(req.validate().is_ok());
/// let json = serde_json::to_value(&req).expect("json");
/// assert_eq!(json["agentTranId"], 1668782814_u64);
/// assert_eq!(json["from"]["type"], "ACCOUNT");
/// assert_eq!(json["to"]["type"], "PAN");
/// assert_eq!(json["to"]["params"]["pan"], "9860600000002487");
/// assert!(!format!("{req:?}").contains("9860600000002487"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct ExtPayRequest {
    /// The merchant's unique transaction id (the status call finds the payout by it).
    #[serde(deserialize_with = "kassa_core::lenient::int")]
    pub agent_tran_id: i64,
    /// The company account.
    pub from: PayoutFrom,
    /// The card.
    pub to: PayoutTo,
    /// The amount, in tiyin on the wire.
    #[serde(with = "crate::wire::tiyin")]
    pub amount: Money,
}

impl ExtPayRequest {
    /// A payout of `amount` (UZS) from the company account to the card.
    pub fn new(
        agent_tran_id: i64,
        account: impl Into<String>,
        mfo: impl Into<String>,
        name: impl Into<String>,
        pan: kassa_core::secret::CardNumber,
        exp: CardExpiry,
        amount: Money,
    ) -> ExtPayRequest {
        ExtPayRequest {
            agent_tran_id,
            from: PayoutFrom {
                kind: AccountKind,
                currency: Currency::UZS,
                params: AccountParams {
                    account: account.into(),
                    mfo: mfo.into(),
                    name: name.into(),
                },
            },
            to: PayoutTo {
                kind: CardKind,
                currency: Currency::UZS,
                params: CardParams { pan, exp },
            },
            amount,
        }
    }

    /// Checks the request before it is sent.
    ///
    /// ```
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let mut req = anor_bm::ExtPayRequest::new(1, "2020", "1183", "n",
    ///     CardNumber::new("9860600000002487")?, "1025".parse()?, Money::new(100, Currency::UZS));
    /// assert_eq!(req.validate().unwrap_err().field(), Some("from.params.mfo"));
    /// req.from.params.mfo = "01183".into();
    /// req.amount = Money::new(-1, Currency::UZS);
    /// assert_eq!(req.validate().unwrap_err().field(), Some("amount"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.agent_tran_id <= 0 {
            return Err(Error::invalid("agentTranId", "must be a positive number"));
        }
        let p = &self.from.params;
        kassa_core::text::free_text("from.params.account", &p.account, limits::ACCOUNT)?;
        if p.mfo.len() != 5 || !p.mfo.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("from.params.mfo", "an MFO is 5 digits"));
        }
        kassa_core::text::free_text("from.params.name", &p.name, limits::NAME)?;
        positive_amount("amount", &self.amount)?;
        uzs_currency(self.from.currency, &self.amount)
            .map_err(|e| rename_field(e, "currency", "from.currency"))?;
        uzs_currency(self.to.currency, &self.amount)
            .map_err(|e| rename_field(e, "currency", "to.currency"))
    }
}

fn rename_field(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::InvalidInput { field, reason } if field == from => Error::invalid(to, reason),
        other => other,
    }
}

/// One side of a payout answer (`sender`, `recipient`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutParty {
    /// The party as the bank describes it (a JSON document in a string; card numbers
    /// masked).
    #[serde(default, deserialize_with = "masked_opt_string")]
    pub name: Option<String>,
    /// The amount, tiyin.
    #[serde(default, with = "kassa_core::money::serde::uzs::minor_number::option")]
    pub amount: Option<Money>,
    /// The commission, tiyin.
    #[serde(default, with = "kassa_core::money::serde::uzs::minor_number::option")]
    pub commission_amount: Option<Money>,
    /// The commission rate, exact (`0.4`).
    #[serde(default)]
    pub commission: Option<Decimal>,
    /// The currency, ISO 4217 numeric on the wire.
    #[serde(default, with = "crate::wire::currency::option")]
    pub currency: Option<Currency>,
    /// Extra data (`ACCOUNT`, `EXT_ID`), card numbers masked.
    #[serde(default)]
    pub data: Option<Extra>,
}

fn masked_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(kassa_core::lenient::text_opt(d)?.map(|s| kassa_core::secret::mask_card_numbers(&s)))
}

/// The `ext-pay` answer.
///
/// The table calls the billing id `bmId`, the answer `bmlId`: both are read, `bmlId` is
/// written. `agentTranId` comes back as a string although it is sent as a number: both are
/// read, a string is written, as the answer does.
///
/// Only `success: true` with `statusCode` 0 is a success ([`Payout::is_success`]);
/// [`Client::ext_pay`] turns any other answer into outcome-unknown naming the status call.
///
/// ```
/// let p: anor_bm::Payout = serde_json::from_str(r#"{"amount":100,"currency":860,
///     "agentTranId":"1668782814","success":true,"statusCode":0,"statusMessage":"SUCCESS","bmId":173388802}"#)?;
/// assert_eq!(p.agent_tran_id, Some(1668782814));
/// assert_eq!(p.bml_id, Some(173388802));
/// assert!(p.is_success());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    /// The amount, tiyin.
    #[serde(with = "kassa_core::money::serde::uzs::minor_number")]
    pub amount: Money,
    /// The currency, ISO 4217 numeric on the wire.
    #[serde(default, with = "crate::wire::currency::option")]
    pub currency: Option<Currency>,
    /// The merchant's transaction id, echoed.
    #[serde(
        default,
        deserialize_with = "kassa_core::lenient::int_opt",
        serialize_with = "opt_int_as_string"
    )]
    pub agent_tran_id: Option<i64>,
    /// Whether the payment was authorized.
    #[serde(default)]
    pub authorized: Option<bool>,
    /// A promo code.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub promo: Option<String>,
    /// The bank's success flag.
    pub success: bool,
    /// 0 on success.
    #[serde(default, deserialize_with = "kassa_core::lenient::int_opt")]
    pub status_code: Option<i64>,
    /// `SUCCESS` on success.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub status_message: Option<String>,
    /// The company side.
    #[serde(default)]
    pub sender: Option<PayoutParty>,
    /// The card side.
    #[serde(default)]
    pub recipient: Option<PayoutParty>,
    /// The transaction's id in the billing (`bmlId`; the table says `bmId`).
    #[serde(
        default,
        alias = "bmId",
        deserialize_with = "kassa_core::lenient::int_opt"
    )]
    pub bml_id: Option<i64>,
}

fn opt_int_as_string<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

impl Payout {
    /// True only for `success: true` with `statusCode` 0 (or absent).
    ///
    /// ```
    /// let p: anor_bm::Payout = serde_json::from_str(r#"{"amount":1,"success":true,"statusCode":5}"#)?;
    /// assert!(!p.is_success());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn is_success(&self) -> bool {
        self.success && self.status_code.is_none_or(|c| c == 0)
    }
}

/// The operation of `ext-pay` on `agent_tran_id`: `Once` (the document does not promise
/// that a repeated `agentTranId` is answered instead of paid again), reconciled by asking
/// `status` with the `agentTranId`.
fn ext_pay_op(agent_tran_id: i64) -> Operation {
    Operation::new(PROVIDER, "ext-pay", Effect::Once)
        .reconcile_with(Reconcile::new("status").param("agentTranId", agent_tran_id.to_string()))
}

/// Checks that a payout answer says the payout went through, for the payout sent: anything
/// else (`success: false`, a non-zero `statusCode`, a contradiction, another `agentTranId`
/// or amount) is outcome-unknown naming `status with agentTranId=...`, never `Ok`.
fn answered_payout(
    op: &Operation,
    resp: &Response,
    req: &ExtPayRequest,
    payout: Payout,
) -> Result<Payout, Error> {
    let unclear = |path: &str, message: String| Err(answer::unclear(op, resp, path, message));
    if let Some(echoed) = payout.agent_tran_id
        && echoed != req.agent_tran_id
    {
        return unclear(
            "agentTranId",
            format!(
                "the answer is about agentTranId {echoed}, the call sent {}",
                req.agent_tran_id
            ),
        );
    }
    if payout.amount != req.amount {
        return unclear(
            "amount",
            format!(
                "the answer names {} tiyin, the call sent {} tiyin",
                payout.amount.minor, req.amount.minor
            ),
        );
    }
    let message_says_success = payout
        .status_message
        .as_deref()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("SUCCESS"));
    if !payout.is_success() || (payout.status_message.is_some() && !message_says_success) {
        return unclear(
            "success",
            format!(
                "the answer does not say the payout went through (success {}, statusCode {:?}, statusMessage {:?})",
                payout.success, payout.status_code, payout.status_message
            ),
        );
    }
    Ok(payout)
}

/// Reads an ext-pay answer. A payout is `Ok` only when the answer says it went through: a
/// code in a 2xx answer is kept (as the cause of an outcome-unknown) but never read as
/// "not paid", since the payout may have been made.
fn read_payout(op: &Operation, resp: &Response) -> Result<Payout, Error> {
    if !resp.is_success() {
        return answer::read_bare(op, resp);
    }
    kassa_core::decode::json_lenient::<Payout>(op, &resp.body).map_err(|unreadable| {
        match answer::refusal_in_success(op, resp) {
            Some(coded) if coded.outcome_unknown().is_some() => coded,
            Some(coded) => op.outcome_unknown(coded),
            None => unreadable,
        }
    })
}

impl Client {
    /// `ext-pay` (`POST /services/bmms/api/ext/agent/pay`): pays from a company account to
    /// a person's card. Never resent once it may have reached the bank (the document does
    /// not promise that a repeated `agentTranId` is answered instead of paid again): a lost
    /// or unclear answer is [`Error::OutcomeUnknown`] naming `status with agentTranId=...`
    /// (see [`Client::reconcile_outcome`]). `Ok` means the bank said the payout went
    /// through, for this `agentTranId` and amount.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use std::time::Duration;
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let req = anor_bm::ExtPayRequest::new(
    ///     1668782814, "20208000900000000001", "01183", "viplati",
    ///     CardNumber::new("9860600000002487")?, "1025".parse()?, Money::new(10_000, Currency::UZS),
    /// );
    /// match client.ext_pay(&req).await {
    ///     Ok(payout) => println!("paid out, billing id {:?}", payout.bml_id),
    ///     Err(e) if e.outcome_unknown().is_some() => {
    ///         // never pay out again blindly: ask status with the agentTranId
    ///         let learned = client.reconcile_outcome(&e, Duration::from_secs(60)).await?;
    ///         println!("{}", learned.bill().status);
    ///     }
    ///     Err(e) => println!("refused: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ext_pay(&self, req: &ExtPayRequest) -> Result<Payout, Error> {
        req.validate()?;
        let op = ext_pay_op(req.agent_tran_id).amount(req.amount.minor, req.amount.currency.code());
        self.bearer_call(&op, Method::Post, EXT_PAY_PATH, Some(req), |op, resp| {
            answered_payout(op, resp, req, read_payout(op, resp)?)
        })
        .await
    }
}
