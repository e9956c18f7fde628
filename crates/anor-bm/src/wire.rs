//! Small wire types and serde helpers shared by the request and answer types: card expiry,
//! OTP, masked card numbers, exact decimals, the numeric ISO 4217 currency, and readers that
//! take a number or a string for the same field (the document drifts between the two).

use std::fmt;

use kassa_core::Currency;
use kassa_core::secret::mask_card_numbers;
use kassa_core::secret::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A card's expiry, written `MMYY` on the wire (`"0727"` is July 2027).
///
/// The document says `YYMM` for send-otp and `MMyy` elsewhere; every example (`"0727"`,
/// `"1025"`, `"0578"`) only reads as `MMYY`, so this is the format kassa sends and reads.
/// `MM/YY` is accepted on input too.
///
/// ```
/// use anor_bm::CardExpiry;
/// let exp: CardExpiry = "0727".parse()?;
/// assert_eq!((exp.month(), exp.year()), (7, 27));
/// assert_eq!(exp.to_string(), "0727");
/// assert_eq!("07/27".parse::<CardExpiry>()?, exp);
/// assert!("2707".parse::<CardExpiry>().is_err(), "month 27");
/// assert!("MMyy".parse::<CardExpiry>().is_err());
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardExpiry {
    month: u8,
    year: u8,
}

impl CardExpiry {
    /// An expiry from a month (1–12) and a two-digit year (0–99).
    ///
    /// ```
    /// assert_eq!(anor_bm::CardExpiry::new(10, 25)?.to_string(), "1025");
    /// assert!(anor_bm::CardExpiry::new(13, 25).is_err());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn new(month: u8, year: u8) -> Result<CardExpiry, kassa_core::Error> {
        if !(1..=12).contains(&month) {
            return Err(kassa_core::Error::invalid(
                "exp",
                format!("the month must be 01 to 12, got {month:02}"),
            ));
        }
        if year > 99 {
            return Err(kassa_core::Error::invalid("exp", "the year has two digits"));
        }
        Ok(CardExpiry { month, year })
    }

    /// Reads `MMYY` or `MM/YY`, naming `field` in the error.
    ///
    /// ```
    /// let err = anor_bm::CardExpiry::parse_field("1", "expiry").unwrap_err();
    /// assert_eq!(err.field(), Some("expiry"));
    /// ```
    pub fn parse_field(text: &str, field: &str) -> Result<CardExpiry, kassa_core::Error> {
        let digits: String = text.trim().chars().filter(|c| *c != '/').collect();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(kassa_core::Error::invalid(
                field,
                "a card expiry is 4 digits, MMYY (e.g. 0727)",
            ));
        }
        let month = digits[..2].parse::<u8>().unwrap_or(0);
        let year = digits[2..].parse::<u8>().unwrap_or(0);
        CardExpiry::new(month, year).map_err(|e| match e {
            kassa_core::Error::InvalidInput { reason, .. } => {
                kassa_core::Error::invalid(field, reason)
            }
            other => other,
        })
    }

    /// The month, 1 to 12.
    ///
    /// ```
    /// assert_eq!("0578".parse::<anor_bm::CardExpiry>()?.month(), 5);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The two-digit year.
    ///
    /// ```
    /// assert_eq!("0578".parse::<anor_bm::CardExpiry>()?.year(), 78);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn year(&self) -> u8 {
        self.year
    }
}

impl std::str::FromStr for CardExpiry {
    type Err = kassa_core::Error;
    fn from_str(s: &str) -> Result<CardExpiry, kassa_core::Error> {
        CardExpiry::parse_field(s, "exp")
    }
}

impl fmt::Display for CardExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}", self.month, self.year)
    }
}

impl Serialize for CardExpiry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CardExpiry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CardExpiry, D::Error> {
        let text = kassa_core::lenient::text(d)?;
        text.parse()
            .map_err(|e: kassa_core::Error| de::Error::custom(e.to_string()))
    }
}

/// A one-time code from an SMS: digits only. Never printed; sent on the wire only.
///
/// ```
/// use anor_bm::Otp;
/// let otp = Otp::new("445566")?;
/// assert_eq!(format!("{otp:?}"), "Otp([REDACTED])");
/// assert_eq!(otp.expose(), "445566");
/// assert_eq!(Otp::new("44-55").unwrap_err().field(), Some("otp"));
/// assert!(Otp::new("").is_err());
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Otp(SecretString);

impl Otp {
    /// Checks that the code is 1 to 12 ASCII digits.
    pub fn new(code: &str) -> Result<Otp, kassa_core::Error> {
        let code = code.trim();
        if code.is_empty() || code.len() > 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(kassa_core::Error::invalid(
                "otp",
                format!(
                    "an SMS code is 1 to 12 digits only; got {} characters",
                    code.chars().count()
                ),
            ));
        }
        Ok(Otp(SecretString::from(code.to_owned())))
    }

    /// The code, for the wire.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Otp({})", kassa_core::secret::REDACTED)
    }
}

impl Serialize for Otp {
    /// Writes the code: `Otp` appears in request types only, whose JSON is the wire.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Otp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Otp, D::Error> {
        let text = kassa_core::lenient::text(d)?;
        Otp::new(&text).map_err(|e| de::Error::custom(e.to_string()))
    }
}

/// A card number as an answer shows it (`"860048*****2454"`). Whatever the bank sends, a
/// run of 12 to 19 digits (a full card number) is masked to its first 6 and last 4 digits
/// when read, so a full number never reaches a log or a snapshot.
///
/// ```
/// let pan: anor_bm::MaskedPan = serde_json::from_str(r#""8600490212346744""#)?;
/// assert_eq!(pan.as_str(), "860049******6744");
/// let shown: anor_bm::MaskedPan = serde_json::from_str(r#""860048*****2454""#)?;
/// assert_eq!(shown.as_str(), "860048*****2454");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks any full card number in `text`.
    ///
    /// ```
    /// assert_eq!(anor_bm::MaskedPan::new("9860080312345678").as_str(), "986008******5678");
    /// ```
    pub fn new(text: &str) -> MaskedPan {
        MaskedPan(mask_card_numbers(text))
    }

    /// The masked text.
    ///
    /// ```
    /// assert_eq!(anor_bm::MaskedPan::new("x").as_str(), "x");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MaskedPan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MaskedPan, D::Error> {
        Ok(MaskedPan::new(&kassa_core::lenient::text(d)?))
    }
}

/// Free-form extra data of an answer (`data`, `sender`, `receiver`): any JSON, kept as it
/// came except that full card numbers inside strings are masked when read. The tables type
/// these fields as strings; the examples give objects, `{}` or `null`. A string holding a
/// JSON object is read as that object.
///
/// ```
/// let d: anor_bm::Extra = serde_json::from_str(r#"{"ccy":"860","leftSeconds":"120"}"#)?;
/// assert_eq!(d.get_str("leftSeconds"), Some("120"));
/// let s: anor_bm::Extra = serde_json::from_str(r#""{\"debt\":\"123\"}""#)?;
/// assert_eq!(s.get_str("debt"), Some("123"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Extra(pub serde_json::Value);

impl Extra {
    /// A string member of an object, if there is one.
    ///
    /// ```
    /// let d = anor_bm::Extra(serde_json::json!({"a": "b", "n": 1}));
    /// assert_eq!(d.get_str("a"), Some("b"));
    /// assert_eq!(d.get_str("n"), None);
    /// ```
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.as_str())
    }
}

fn mask_value(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = mask_card_numbers(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_value),
        serde_json::Value::Object(map) => map.values_mut().for_each(mask_value),
        _ => {}
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Extra, D::Error> {
        let mut v = serde_json::Value::deserialize(d)?;
        if let serde_json::Value::String(s) = &v
            && let Ok(inner @ serde_json::Value::Object(_)) = serde_json::from_str(s)
        {
            v = inner;
        }
        mask_value(&mut v);
        Ok(Extra(v))
    }
}

/// Writes an integer as a JSON string (`"1907947016"`).
pub(crate) fn int_as_string<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

pub(crate) mod currency {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(c: &Currency, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(c.numeric())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let raw = kassa_core::lenient::int(d)?;
        u16::try_from(raw)
            .ok()
            .and_then(Currency::from_numeric)
            .ok_or_else(|| de::Error::custom(format!("unknown ISO 4217 numeric currency {raw}")))
    }

    /// For `Option<Currency>` fields.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(
            c: &Option<Currency>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match c {
                Some(c) => s.serialize_u16(c.numeric()),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Currency>, D::Error> {
            #[derive(Deserialize)]
            struct W(#[serde(deserialize_with = "super::deserialize")] Currency);
            Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
        }
    }
}

/// The default currency of requests: UZS.
pub(crate) fn uzs() -> Currency {
    Currency::UZS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_masks_nested_card_numbers() {
        let e: Extra =
            serde_json::from_str(r#"{"a":{"ACCOUNT":"9860601234562487"},"b":[1]}"#).expect("reads");
        assert_eq!(e.0["a"]["ACCOUNT"], "986060******2487");
    }
}

/// Amounts in tiyin as the requests carry them: written as a JSON number, read from a
/// number or a string; an error speaks in tiyin ("a whole number of tiyin"), never in sum
/// decimal places.
pub(crate) mod tiyin {
    use kassa_core::money::serde::{Unit, read_token};
    use kassa_core::{Currency, Money, MoneyError};
    use serde::de::{self, Deserializer};
    use serde::{Deserialize, Serializer};
    use serde_json::value::RawValue;

    pub(crate) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        kassa_core::money::serde::uzs::minor_number::serialize(m, s)
    }

    /// The message for an amount that is not a whole number of tiyin.
    pub(crate) fn message(raw: &str, err: &MoneyError) -> String {
        match err {
            MoneyError::Overflow { .. } => format!("tiyin: {raw} is too large"),
            _ => format!("tiyin: a whole number (1 sum = 100 tiyin), got {raw}"),
        }
    }

    pub(crate) fn read(raw: &str) -> Result<Money, String> {
        read_token(raw, Unit::Minor, Currency::UZS).map_err(|e| message(raw.trim(), &e))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        read(raw.get()).map_err(de::Error::custom)
    }

    /// For `Option<Money>` fields (`null` or absent is `None`).
    pub(crate) mod option {
        use super::*;

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Money>, D::Error> {
            match Option::<Box<RawValue>>::deserialize(d)? {
                None => Ok(None),
                Some(raw) if raw.get().trim() == "null" => Ok(None),
                Some(raw) => read(raw.get()).map(Some).map_err(de::Error::custom),
            }
        }
    }
}

/// Free-text and id limits. The document gives none; these are far above every example
/// and keep a runaway value from being sent.
pub(crate) mod limits {
    /// `account`, the client's account (order) at the merchant.
    pub(crate) const ACCOUNT: usize = 128;
    /// `agentTranId` (as text).
    pub(crate) const AGENT_TRAN_ID: usize = 128;
    /// `from.params.name`, the payer's name.
    pub(crate) const NAME: usize = 256;
    /// `type`.
    pub(crate) const KIND: usize = 32;
}

/// Refuses an amount that is not positive, naming `field`.
pub(crate) fn positive_amount(
    field: &str,
    amount: &kassa_core::Money,
) -> Result<(), kassa_core::Error> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(kassa_core::Error::invalid(
            field,
            format!("must be positive, got {amount}"),
        ))
    }
}

/// Refuses a currency other than UZS: this API takes sum, amounts in tiyin.
pub(crate) fn uzs_currency(
    currency: Currency,
    amount: &kassa_core::Money,
) -> Result<(), kassa_core::Error> {
    if currency != Currency::UZS {
        return Err(kassa_core::Error::invalid(
            "currency",
            format!("this API takes sum (UZS, 860), got {}", currency.code()),
        ));
    }
    if amount.currency != Currency::UZS {
        return Err(kassa_core::Error::invalid(
            "amount",
            format!(
                "amounts are tiyin: the currency must be UZS, got {}",
                amount.currency.code()
            ),
        ));
    }
    Ok(())
}
