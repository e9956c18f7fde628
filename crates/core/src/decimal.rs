//! Exact decimals read from the raw JSON token, and amounts in named currencies that are
//! not ISO 4217 (`BTC`, `USDTTRC20`, `CARDRUB`).
//!
//! [`Decimal`] keeps the digits as written: `"1.50"` stays `1.50` (scale kept), a number
//! and a string of the same digits are the same value, and nothing is rounded: text with
//! an exponent (`1e-5`), spaces, a `+`, or more precision than 28 decimal places is
//! refused. For ISO currencies with minor units use [`crate::Money`].
//!
//! ```
//! use kassa_core::decimal::{CodedAmount, Decimal};
//! let a: Decimal = serde_json::from_str("0.00001234")?;
//! let b: Decimal = serde_json::from_str("\"0.00001234\"")?;
//! assert_eq!(a, b);
//! assert_eq!(serde_json::to_string(&a)?, "0.00001234");
//! let fee = CodedAmount::parse("0.00001234", "BTC")?;
//! assert_eq!(fee.to_string(), "0.00001234 BTC");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// Re-exported so users name one version.
pub use rust_decimal;

/// Why a text is not an exact decimal or a currency code.
///
/// ```
/// let e = kassa_core::decimal::Decimal::parse("1e-5").unwrap_err();
/// assert!(e.to_string().contains("1e-5"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not `-?digits(.digits)?`.
    #[error(
        "`{0}` is not a plain decimal number (digits, an optional `-` and `.`; no exponent, no spaces)"
    )]
    Syntax(String),
    /// More digits than an exact decimal holds (28 decimal places, 96-bit value).
    #[error("`{0}` has more precision than an exact decimal holds; it is not rounded")]
    TooPrecise(String),
    /// Not a currency code.
    #[error(
        "`{0}` is not a currency code (2 to 20 upper-case letters, digits, `_` or `-`, starting with a letter)"
    )]
    Currency(String),
}

/// An exact decimal as a provider wrote it, read from a JSON number or string and written
/// back as a JSON number with the same digits.
///
/// ```
/// use kassa_core::decimal::Decimal;
/// let d: Decimal = serde_json::from_str("\"1.50\"")?;
/// assert_eq!(d.to_string(), "1.50");
/// assert_eq!(serde_json::to_string(&d)?, "1.50");
/// assert!(serde_json::from_str::<Decimal>("1e-5").is_err());
/// assert!(serde_json::from_str::<Decimal>("\" 1\"").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Decimal(rust_decimal::Decimal);

impl Decimal {
    /// Parses `-?digits(.digits)?` exactly (no spaces, exponent, `+` or rounding).
    ///
    /// ```
    /// use kassa_core::decimal::Decimal;
    /// assert_eq!(Decimal::parse("-12.50")?.to_string(), "-12.50");
    /// assert!(Decimal::parse("1.").is_err());
    /// assert!(Decimal::parse("0.00000000000000000000000000001").is_err());
    /// # Ok::<(), kassa_core::decimal::DecimalError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let body = text.strip_prefix('-').unwrap_or(text);
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(int) && frac.is_none_or(digits)) {
            return Err(DecimalError::Syntax(text.to_owned()));
        }
        rust_decimal::Decimal::from_str_exact(text)
            .map(Decimal)
            .map_err(|_| DecimalError::TooPrecise(text.to_owned()))
    }

    /// The value, for arithmetic.
    ///
    /// ```
    /// let d = kassa_core::decimal::Decimal::parse("2.5")?;
    /// assert_eq!(d.value().scale(), 1);
    /// # Ok::<(), kassa_core::decimal::DecimalError>(())
    /// ```
    pub fn value(self) -> rust_decimal::Decimal {
        self.0
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(d: rust_decimal::Decimal) -> Decimal {
        Decimal(d)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(d: Decimal) -> rust_decimal::Decimal {
        d.0
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Decimal, DecimalError> {
        Decimal::parse(s)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Decimal {
    /// A JSON number with the digits as read (`0.40` stays `0.40`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match RawValue::from_string(self.0.to_string()) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_str(&self.0.to_string()),
        }
    }
}

/// Reads a raw JSON token (a number, or a string holding one) exactly.
fn read_raw(raw: &str) -> Result<Decimal, DecimalError> {
    // A string with no escape is its own text: read it in place.
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
        && !inner.contains('\\')
    {
        return Decimal::parse(inner);
    }
    if raw.starts_with('"') {
        let text: String =
            serde_json::from_str(raw).map_err(|_| DecimalError::Syntax(raw.to_owned()))?;
        Decimal::parse(&text)
    } else {
        Decimal::parse(raw)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        read_raw(raw.get()).map_err(de::Error::custom)
    }
}

/// `with` helpers writing a [`Decimal`] as a JSON string (`"0.00001234"`); reading takes a
/// number or a string, as [`Decimal`] does.
///
/// ```
/// use kassa_core::decimal::Decimal;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Rate { #[serde(with = "kassa_core::decimal::string")] rate: Decimal }
/// let r: Rate = serde_json::from_str(r#"{"rate": 91.50}"#)?;
/// assert_eq!(serde_json::to_string(&r)?, r#"{"rate":"91.50"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod string {
    use super::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the decimal as a JSON string.
    ///
    /// ```
    /// let d = kassa_core::decimal::Decimal::parse("1.50")?;
    /// assert_eq!(kassa_core::decimal::string::serialize(&d, serde_json::value::Serializer)?, "1.50");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    /// Reads a number or a string, exactly.
    ///
    /// ```
    /// let d = kassa_core::decimal::string::deserialize(&mut serde_json::Deserializer::from_str("\"7.0\""))?;
    /// assert_eq!(d.to_string(), "7.0");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        Decimal::deserialize(d)
    }
}

/// A currency named by a provider's own code, not an ISO 4217 one: `BTC`, `USDTTRC20`,
/// `CARDRUB`. 2 to 20 characters: upper-case ASCII letters, digits, `_` or `-`, starting
/// with a letter.
///
/// ```
/// use kassa_core::decimal::CurrencyCode;
/// assert_eq!(CurrencyCode::new("USDTTRC20")?.as_str(), "USDTTRC20");
/// assert!(CurrencyCode::new("btc").is_err());
/// assert!(CurrencyCode::new("B TC").is_err());
/// # Ok::<(), kassa_core::decimal::DecimalError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    /// Validates a code.
    ///
    /// ```
    /// assert!(kassa_core::decimal::CurrencyCode::new("CARDRUB").is_ok());
    /// ```
    pub fn new(code: &str) -> Result<CurrencyCode, DecimalError> {
        let ok = (2..=20).contains(&code.len())
            && code.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(CurrencyCode(code.to_owned()))
        } else {
            Err(DecimalError::Currency(code.to_owned()))
        }
    }

    /// The code.
    ///
    /// ```
    /// assert_eq!(kassa_core::decimal::CurrencyCode::new("BTC")?.as_str(), "BTC");
    /// # Ok::<(), kassa_core::decimal::DecimalError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CurrencyCode {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<CurrencyCode, DecimalError> {
        CurrencyCode::new(s)
    }
}

impl<'de> Deserialize<'de> for CurrencyCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CurrencyCode, D::Error> {
        // Read in place (no owned copy of the text first).
        struct Code;
        impl de::Visitor<'_> for Code {
            type Value = CurrencyCode;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CurrencyCode, E> {
                CurrencyCode::new(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Code)
    }
}

/// An exact amount in a named currency (`0.00001234 BTC`).
///
/// ```
/// use kassa_core::decimal::CodedAmount;
/// let a = CodedAmount::parse("100.00", "USDTTRC20")?;
/// assert_eq!(a.value.to_string(), "100.00");
/// assert_eq!(a.currency.as_str(), "USDTTRC20");
/// assert_eq!(serde_json::to_string(&a)?, r#"{"value":100.00,"currency":"USDTTRC20"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodedAmount {
    /// The exact value, scale kept.
    pub value: Decimal,
    /// The currency's code.
    pub currency: CurrencyCode,
}

impl CodedAmount {
    /// Parses a value and a code.
    ///
    /// ```
    /// assert!(kassa_core::decimal::CodedAmount::parse("1e3", "BTC").is_err());
    /// ```
    pub fn parse(value: &str, currency: &str) -> Result<CodedAmount, DecimalError> {
        Ok(CodedAmount {
            value: Decimal::parse(value)?,
            currency: CurrencyCode::new(currency)?,
        })
    }
}

impl fmt::Display for CodedAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn number_and_string_tokens_give_the_same_exact_value() {
        for (num, text) in [
            ("0.00001234", "\"0.00001234\""),
            ("1.50", "\"1.50\""),
            ("-12.5", "\"-12.5\""),
            (
                "79228162514264337593543950335",
                "\"79228162514264337593543950335\"",
            ),
            (
                "0.0000000000000000000000000001",
                "\"0.0000000000000000000000000001\"",
            ),
        ] {
            let a = read(num).expect(num);
            let b = read(text).expect(text);
            assert_eq!(a, b, "{num}");
            assert_eq!(a.to_string(), num);
            assert_eq!(serde_json::to_string(&a).expect("writes"), num);
        }
        assert_eq!(read("1.50").expect("scale").value().scale(), 2);
    }

    #[test]
    fn exponents_spaces_and_extra_precision_are_refused_not_rounded() {
        for bad in [
            "1e-5",
            "1E5",
            "\"1e-5\"",
            "\" 1\"",
            "\"1 \"",
            "\"+1\"",
            "\"1.\"",
            "\".5\"",
            "\"\"",
            "\"abc\"",
            "true",
            "null",
            "0.00000000000000000000000000001",
            "79228162514264337593543950336",
        ] {
            assert!(read(bad).is_err(), "{bad} was accepted");
        }
        let err = read("0.00000000000000000000000000001").unwrap_err();
        assert!(err.to_string().contains("not rounded"), "{err}");
    }

    #[test]
    fn replaces_the_text_decimal_on_the_wire() {
        // What a text-keeping decimal did: read a number or a string, write a number.
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Fee {
            rate: Decimal,
        }
        let f: Fee = serde_json::from_str(r#"{"rate": 0.40}"#).expect("reads");
        assert_eq!(
            serde_json::to_string(&f).expect("writes"),
            r#"{"rate":0.40}"#
        );
        let f: Fee = serde_json::from_str(r#"{"rate": "0.0"}"#).expect("reads");
        assert_eq!(
            serde_json::to_string(&f).expect("writes"),
            r#"{"rate":0.0}"#
        );
    }

    #[test]
    fn coded_amounts_validate_the_code() {
        for ok in ["BTC", "USDTTRC20", "CARDRUB", "USDT_TRC20", "QIWI-RUB"] {
            assert!(CurrencyCode::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "B",
            "btc",
            "1BTC",
            "B TC",
            "BTC\n",
            "ABCDEFGHIJKLMNOPQRSTU",
        ] {
            assert!(CurrencyCode::new(bad).is_err(), "{bad:?}");
        }
        let a: CodedAmount =
            serde_json::from_str(r#"{"value": "0.00001234", "currency": "BTC"}"#).expect("reads");
        assert_eq!(a.to_string(), "0.00001234 BTC");
        assert!(serde_json::from_str::<CodedAmount>(r#"{"value": 1, "currency": "b"}"#).is_err());
    }
}
