//! The value types every area shares, each handling one drift of the engine's answers in
//! one place: ids as numbers or strings ([`BidId`]), limits written `"no"`
//! ([`limit`]), statuses that grow ([`BidStatus`]), `api_actions` ([`ApiActions`]).
//!
//! ```
//! use exchanger::wire::{BidId, BidStatus};
//! let id: BidId = serde_json::from_str(r#""1350""#)?;
//! let status: BidStatus = serde_json::from_str(r#""somenewstatus""#)?;
//! assert_eq!(id, BidId(1350));
//! assert!(matches!(status, BidStatus::Unknown(_)) && !status.is_success());
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use kassa_core::decimal::Decimal;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A bid's id, written `1350` or `"1350"` by the exchanger: both are the same id.
///
/// ```
/// let a: exchanger::BidId = serde_json::from_str("1350")?;
/// let b: exchanger::BidId = serde_json::from_str("\"1350\"")?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "1350");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct BidId(pub u64);

impl<'de> Deserialize<'de> for BidId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BidId, D::Error> {
        kassa_core::lenient::uint(d).map(BidId)
    }
}

impl fmt::Display for BidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A minimum or maximum: a decimal, or `"no"` (or empty) when the exchanger sets none.
/// Anything else that is not an exact decimal (`"1e-5"`, `"12abc"`) is an error.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct L { #[serde(deserialize_with = "exchanger::wire::limit")] min_give: Option<kassa_core::decimal::Decimal> }
/// assert!(serde_json::from_str::<L>(r#"{"min_give": "no"}"#)?.min_give.is_none());
/// assert_eq!(serde_json::from_str::<L>(r#"{"min_give": "0.001"}"#)?.min_give.unwrap().to_string(), "0.001");
/// assert!(serde_json::from_str::<L>(r#"{"min_give": "1e-5"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
    let text = raw.get().trim();
    if matches!(text, "\"no\"" | "\"NO\"" | "\"\"" | "null") {
        return Ok(None);
    }
    serde_json::from_str::<Decimal>(text)
        .map(Some)
        .map_err(de::Error::custom)
}

/// An unsigned number written as a number or a string (`"12"`, `12`).
pub(crate) fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    kassa_core::lenient::uint(d)
}

/// Writes a flag as `1` or `0`, as the exchanger's form parameters want it.
pub(crate) fn flag_01<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(true) => s.serialize_u8(1),
        Some(false) => s.serialize_u8(0),
        None => s.serialize_none(),
    }
}

/// Reads an optional flag given as `0`/`1`/`"0"`/`"1"`/`true`/`false`.
pub(crate) fn flag_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    struct F(#[serde(deserialize_with = "kassa_core::lenient::flag")] bool);
    Option::<F>::deserialize(d).map(|f| f.map(|f| f.0))
}

/// Reads an optional unsigned number given as a number or a string.
pub(crate) fn uint_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    kassa_core::lenient::uint_opt(d)
}

/// Reads and writes a catalogue enum (see [`kassa_core::code_catalogue!`]) as its text: a
/// string or a number on the wire, unknown values kept, an empty value refused.
macro_rules! text_serde {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.raw())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = kassa_core::lenient::text(d)?;
                if text.trim().is_empty() {
                    return Err(de::Error::custom(concat!("an empty ", stringify!($name))));
                }
                Ok($name::from_raw(&text))
            }
        }
    };
}

kassa_core::code_catalogue! {
    /// A bid's status (every status the provider notes list; new ones kept as
    /// [`BidStatus::Unknown`], never read as success).
    ///
    /// ```
    /// use exchanger::BidStatus;
    /// assert_eq!(BidStatus::from_raw("payed"), BidStatus::Payed);
    /// assert!(BidStatus::Success.is_final() && BidStatus::Success.is_success());
    /// assert!(!BidStatus::from_raw("brandnew").is_success());
    /// assert!(serde_json::from_str::<BidStatus>(r#""""#).is_err());
    /// ```
    pub enum BidStatus: &'static str {
        /// `new`: created, not paid.
        New = "new" => "created, not paid",
        /// `coldnew`: created, awaiting a merchant's confirmation.
        ColdNew = "coldnew" => "created, awaiting a merchant's confirmation",
        /// `cancel`: cancelled by the user.
        Cancel = "cancel" => "cancelled by the user",
        /// `delete`: deleted.
        Delete = "delete" => "deleted",
        /// `techpay`: paid, technical status.
        TechPay = "techpay" => "paid, technical status",
        /// `payed`: marked paid.
        Payed = "payed" => "marked paid",
        /// `coldpay`: payment awaiting confirmation.
        ColdPay = "coldpay" => "payment awaiting confirmation",
        /// `partpay`: partly paid.
        PartPay = "partpay" => "partly paid",
        /// `realpay`: payment received.
        RealPay = "realpay" => "payment received",
        /// `verify`: under verification.
        Verify = "verify" => "under verification",
        /// `mercherror`: merchant error.
        MerchError = "mercherror" => "merchant error",
        /// `error`: error.
        Error = "error" => "error",
        /// `payouterror`: payout error.
        PayoutError = "payouterror" => "payout error",
        /// `scrpayerror`: automatic payout error.
        ScrPayError = "scrpayerror" => "automatic payout error",
        /// `coldsuccess`: done, awaiting confirmation.
        ColdSuccess = "coldsuccess" => "done, awaiting confirmation",
        /// `partpayout`: partly paid out.
        PartPayout = "partpayout" => "partly paid out",
        /// `success`: done.
        Success = "success" => "done",
    }
}

text_serde!(BidStatus);

impl BidStatus {
    /// True only for `success`.
    ///
    /// ```
    /// assert!(!exchanger::BidStatus::ColdSuccess.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        *self == BidStatus::Success
    }

    /// True for the statuses after which nothing more happens (`success`, `cancel`,
    /// `delete`, `error`).
    ///
    /// ```
    /// assert!(exchanger::BidStatus::Cancel.is_final());
    /// assert!(!exchanger::BidStatus::New.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            BidStatus::Success | BidStatus::Cancel | BidStatus::Delete | BidStatus::Error
        )
    }
}

kassa_core::code_catalogue! {
    /// `api_actions.type`: how the bid is paid.
    ///
    /// ```
    /// assert_eq!(exchanger::PaymentType::from_raw("address"), exchanger::PaymentType::Address);
    /// ```
    pub enum PaymentType: &'static str {
        /// `finished`: nothing to pay.
        Finished = "finished" => "nothing to pay",
        /// `form`: a payment form.
        Form = "form" => "a payment form",
        /// `link`: a payment link.
        Link = "link" => "a payment link",
        /// `coupon`: a coupon.
        Coupon = "coupon" => "a coupon",
        /// `mypaid`: the user marks the bid paid.
        MyPaid = "mypaid" => "the user marks the bid paid",
        /// `myaction`: an action of the user.
        MyAction = "myaction" => "an action of the user",
        /// `address`: pay to an address.
        Address = "address" => "pay to an address",
    }
}

text_serde!(PaymentType);

kassa_core::code_catalogue! {
    /// A partner payout's status: `0` pending, `1` paid, `2` cancelled.
    ///
    /// ```
    /// let s: exchanger::PayoutStatus = serde_json::from_str("2")?;
    /// assert_eq!(s, exchanger::PayoutStatus::Cancelled);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum PayoutStatus: &'static str {
        /// `0`: pending.
        Pending = "0" => "pending",
        /// `1`: paid.
        Paid = "1" => "paid",
        /// `2`: cancelled.
        Cancelled = "2" => "cancelled",
    }
}

text_serde!(PayoutStatus);

kassa_core::code_catalogue! {
    /// `exchange_success`, with the document's meaning: `0` done, `1` not done (the
    /// opposite of what the name suggests). Prefer the bid's status.
    ///
    /// ```
    /// let s: exchanger::ExchangeSuccess = serde_json::from_str("\"0\"")?;
    /// assert_eq!(s, exchanger::ExchangeSuccess::Done);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum ExchangeSuccess: &'static str {
        /// `0`: the bid is done.
        Done = "0" => "the bid is done",
        /// `1`: the bid is not done.
        NotDone = "1" => "the bid is not done",
    }
}

text_serde!(ExchangeSuccess);

/// `api_actions.pay` or `.cancel`: by this API, disabled, or a URL for the user.
///
/// ```
/// use exchanger::ApiAction;
/// assert_eq!(ApiAction::from_raw("api"), ApiAction::Api);
/// assert!(matches!(ApiAction::from_raw("https://x.example/pay/1/"), ApiAction::Link(_)));
/// assert!(!ApiAction::Disabled.allows_api());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiAction {
    /// `api`: done through this API (`cancel_bid`, `pay_bid`).
    Api,
    /// `disabled`: not possible.
    Disabled,
    /// A URL the user follows.
    Link(String),
    /// Any other value, kept.
    Unknown(String),
}

impl ApiAction {
    /// Reads a value.
    ///
    /// ```
    /// assert_eq!(exchanger::ApiAction::from_raw("disabled"), exchanger::ApiAction::Disabled);
    /// ```
    pub fn from_raw(raw: &str) -> ApiAction {
        let raw = raw.trim();
        match raw {
            "api" => ApiAction::Api,
            "disabled" => ApiAction::Disabled,
            url if url.starts_with("https://") || url.starts_with("http://") => {
                ApiAction::Link(url.to_owned())
            }
            other => ApiAction::Unknown(other.to_owned()),
        }
    }

    /// The value as the exchanger writes it.
    ///
    /// ```
    /// assert_eq!(exchanger::ApiAction::Api.as_str(), "api");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            ApiAction::Api => "api",
            ApiAction::Disabled => "disabled",
            ApiAction::Link(s) | ApiAction::Unknown(s) => s,
        }
    }

    /// True when the action is done through this API.
    ///
    /// ```
    /// assert!(exchanger::ApiAction::Api.allows_api());
    /// ```
    pub fn allows_api(&self) -> bool {
        *self == ApiAction::Api
    }
}

impl Serialize for ApiAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ApiAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ApiAction, D::Error> {
        kassa_core::lenient::text(d).map(|t| ApiAction::from_raw(&t))
    }
}

/// A bid's `api_actions`: how it is paid and cancelled.
///
/// ```
/// let a: exchanger::ApiActions = serde_json::from_str(r#"{"type": "address", "cancel": "api", "pay": "disabled", "pay_amount": "0.0152"}"#)?;
/// assert!(a.cancel.allows_api() && !a.pay.allows_api());
/// assert_eq!(a.pay_amount.unwrap().to_string(), "0.0152");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiActions {
    /// How the bid is paid.
    #[serde(rename = "type")]
    pub kind: PaymentType,
    /// How the bid is cancelled.
    pub cancel: ApiAction,
    /// How the bid is marked paid.
    pub pay: ApiAction,
    /// Payment instructions for the user.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub instruction: String,
    /// The amount to pay, in the "give" currency.
    #[serde(default)]
    pub pay_amount: Option<Decimal>,
}

/// A select field's options: written as an object (`{"1": "Москва"}`) or a list; kept as
/// (value, label) pairs in the exchanger's order.
///
/// ```
/// let o: exchanger::SelectOptions = serde_json::from_str(r#"{"1": "Москва", "2": "Санкт-Петербург"}"#)?;
/// assert_eq!(o.0[1], ("2".to_owned(), "Санкт-Петербург".to_owned()));
/// let empty: exchanger::SelectOptions = serde_json::from_str("[]")?;
/// assert!(empty.0.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SelectOptions(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for SelectOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SelectOptions, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = SelectOptions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("options as an object or a list")
            }
            fn visit_unit<E: de::Error>(self) -> Result<SelectOptions, E> {
                Ok(SelectOptions::default())
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SelectOptions, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(label)) = seq.next_element()? {
                    out.push((out.len().to_string(), label));
                }
                Ok(SelectOptions(out))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SelectOptions, A::Error> {
                let mut out = Vec::new();
                while let Some((key, Text(label))) = map.next_entry::<String, Text>()? {
                    out.push((key, label));
                }
                Ok(SelectOptions(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Text given as a string or a number.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        kassa_core::lenient::text(d).map(Text)
    }
}
