//! Serde helpers that read and write [`Money`] in each wire shape, exactly.
//!
//! Decoding reads the raw JSON token (number or string) as text, so `9971.34` never passes
//! through a float; extra decimal places are refused. Use them with `#[serde(with = ...)]`:
//!
//! | module | reads | writes |
//! |---|---|---|
//! | `<cur>::minor_number` | `500000` or `"500000"` minor units | `500000` |
//! | `<cur>::minor_string` | `500000` or `"500000"` minor units | `"500000"` |
//! | `<cur>::major_number` | `9971.34` or `"9971.34"` major units | `9971.34` |
//! | `<cur>::major_string` | `9971.34` or `"9971.34"` major units | `"9971.34"` |
//!
//! Each has an `option` sub-module for `Option<Money>` fields (`null` or absent is `None`;
//! add `#[serde(default)]`).
//!
//! ```
//! use kassa_core::Money;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Payment {
//!     #[serde(with = "kassa_core::money::serde::rub::major_number")]
//!     amount: Money,
//!     #[serde(default, with = "kassa_core::money::serde::rub::major_number::option")]
//!     fee: Option<Money>,
//! }
//!
//! let p: Payment = serde_json::from_str(r#"{"amount": 9971.34}"#)?;
//! assert_eq!(p.amount.minor, 997_134);
//! assert_eq!(serde_json::to_string(&p)?, r#"{"amount":9971.34,"fee":null}"#);
//! assert!(serde_json::from_str::<Payment>(r#"{"amount": 9971.345}"#).is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Decoding needs the JSON text itself (`serde_json::from_str`/`from_slice`): like every
//! `RawValue` field, these do not work behind `#[serde(flatten)]` or untagged enums.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::money::{Currency, Money};

/// Which unit a wire token is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Minor units (tiyin, kopecks): an integer.
    Minor,
    /// Major units (sum, roubles): a decimal with up to the currency's exponent places.
    Major,
}

/// Reads a raw JSON token (a number, or a string holding a number) as money, exactly.
///
/// ```
/// use kassa_core::{money::serde::{read_token, Unit}, Currency};
/// assert_eq!(read_token("\"500000\"", Unit::Minor, Currency::UZS)?.minor, 500_000);
/// assert_eq!(read_token("9971.34", Unit::Major, Currency::RUB)?.minor, 997_134);
/// assert!(read_token("true", Unit::Major, Currency::RUB).is_err());
/// # Ok::<(), kassa_core::MoneyError>(())
/// ```
pub fn read_token(raw: &str, unit: Unit, currency: Currency) -> Result<Money, crate::MoneyError> {
    let raw = raw.trim();
    // A string's content is read as it is: spaces inside the quotes are refused.
    let text = if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        inner
    } else {
        raw
    };
    match unit {
        Unit::Minor => Money::parse_minor(text, currency),
        Unit::Major => Money::parse_major(text, currency),
    }
}

/// Deserializes a money token in `unit` of `currency`.
///
/// ```
/// use kassa_core::{money::serde::{deserialize_money, Unit}, Currency};
/// let mut de = serde_json::Deserializer::from_str("\"12.50\"");
/// let m = deserialize_money(&mut de, Unit::Major, Currency::KGS)?;
/// assert_eq!(m.minor, 1250);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn deserialize_money<'de, D: Deserializer<'de>>(
    deserializer: D,
    unit: Unit,
    currency: Currency,
) -> Result<Money, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    read_token(raw.get(), unit, currency).map_err(D::Error::custom)
}

/// Deserializes an optional money token: `null` is `None`.
///
/// ```
/// use kassa_core::{money::serde::{deserialize_money_opt, Unit}, Currency};
/// let mut de = serde_json::Deserializer::from_str("null");
/// assert_eq!(deserialize_money_opt(&mut de, Unit::Minor, Currency::UZS)?, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn deserialize_money_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
    unit: Unit,
    currency: Currency,
) -> Result<Option<Money>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
    match raw {
        None => Ok(None),
        Some(raw) if raw.get().trim() == "null" => Ok(None),
        Some(raw) => read_token(raw.get(), unit, currency)
            .map(Some)
            .map_err(D::Error::custom),
    }
}

/// Serializes money in `unit`, as a JSON number (`as_string == false`) or a string.
///
/// Numbers are written as exact decimal text through `serde_json`'s raw values; other
/// serializers see a string.
///
/// ```
/// use kassa_core::{money::serde::{serialize_money, Unit}, Currency, Money};
/// let mut out = Vec::new();
/// serialize_money(&Money::new(5, Currency::RUB), Unit::Major, false, &mut serde_json::Serializer::new(&mut out))?;
/// assert_eq!(out, b"0.05");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn serialize_money<S: Serializer>(
    money: &Money,
    unit: Unit,
    as_string: bool,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match (unit, as_string) {
        (Unit::Minor, false) => serializer.serialize_i64(money.minor),
        (Unit::Minor, true) => serializer.collect_str(&money.minor),
        (Unit::Major, true) => serializer.serialize_str(&money.to_major_string()),
        (Unit::Major, false) => {
            let raw = RawValue::from_string(money.to_major_string())
                .map_err(<S::Error as serde::ser::Error>::custom)?;
            raw.serialize(serializer)
        }
    }
}

macro_rules! shape_module {
    ($name:ident, $cur:expr, $unit:expr, $as_string:expr, $doc:literal) => {
        #[doc = $doc]
        pub mod $name {
            use super::super::{Unit, deserialize_money, deserialize_money_opt, serialize_money};
            use crate::money::{Currency, Money};
            use serde::{Deserializer, Serializer};

            const CURRENCY: Currency = $cur;
            const UNIT: Unit = $unit;

            /// Writes the amount in this shape.
            pub fn serialize<S: Serializer>(money: &Money, s: S) -> Result<S::Ok, S::Error> {
                serialize_money(money, UNIT, $as_string, s)
            }

            /// Reads the amount from a number or a string token, exactly.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
                deserialize_money(d, UNIT, CURRENCY)
            }

            /// The same shape for `Option<Money>`: `null` is `None`.
            pub mod option {
                use super::*;

                /// Writes `null` for `None`, else the amount in this shape.
                pub fn serialize<S: Serializer>(
                    money: &Option<Money>,
                    s: S,
                ) -> Result<S::Ok, S::Error> {
                    match money {
                        Some(m) => serialize_money(m, UNIT, $as_string, s),
                        None => s.serialize_none(),
                    }
                }

                /// Reads `null` as `None`, else the amount, exactly.
                pub fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<Option<Money>, D::Error> {
                    deserialize_money_opt(d, UNIT, CURRENCY)
                }
            }
        }
    };
}

macro_rules! currency_module {
    ($modname:ident, $cur:expr, $code:literal) => {
        #[doc = concat!("Wire shapes for ", $code, " amounts.")]
        pub mod $modname {
            shape_module!(
                minor_number,
                $cur,
                Unit::Minor,
                false,
                "Minor units; reads a number or a string, writes a number."
            );
            shape_module!(
                minor_string,
                $cur,
                Unit::Minor,
                true,
                "Minor units; reads a number or a string, writes a string."
            );
            shape_module!(
                major_number,
                $cur,
                Unit::Major,
                false,
                "Major units; reads a number or a string, writes a number."
            );
            shape_module!(
                major_string,
                $cur,
                Unit::Major,
                true,
                "Major units; reads a number or a string, writes a string."
            );
        }
    };
}

currency_module!(uzs, Currency::UZS, "UZS");
currency_module!(kgs, Currency::KGS, "KGS");
currency_module!(rub, Currency::RUB, "RUB");
currency_module!(usd, Currency::USD, "USD");
currency_module!(eur, Currency::EUR, "EUR");
currency_module!(kzt, Currency::KZT, "KZT");

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize)]
    struct Tiyin {
        #[serde(with = "uzs::minor_string")]
        amount: Money,
    }

    #[derive(Debug, Deserialize, Serialize)]
    struct Roubles {
        #[serde(with = "rub::major_number")]
        amount: Money,
        #[serde(default, with = "rub::major_number::option")]
        fee: Option<Money>,
    }

    #[test]
    fn tiyin_string_round_trips() {
        let t: Tiyin = serde_json::from_str(r#"{"amount":"500000"}"#).expect("decodes");
        assert_eq!(t.amount, Money::new(500_000, Currency::UZS));
        assert_eq!(
            serde_json::to_string(&t).expect("encodes"),
            r#"{"amount":"500000"}"#
        );
        let n: Tiyin = serde_json::from_str(r#"{"amount":500000}"#).expect("number too");
        assert_eq!(n.amount.minor, 500_000);
    }

    #[test]
    fn roubles_number_is_read_from_the_token() {
        let r: Roubles =
            serde_json::from_str(r#"{"amount":9971.34,"fee":"0.10"}"#).expect("decodes");
        assert_eq!(r.amount.minor, 997_134);
        assert_eq!(r.fee.map(|m| m.minor), Some(10));
        assert_eq!(
            serde_json::to_string(&r).expect("encodes"),
            r#"{"amount":9971.34,"fee":0.10}"#
        );
        let big: Roubles =
            serde_json::from_str(r#"{"amount":1234567890123456.78}"#).expect("exact");
        assert_eq!(big.amount.minor, 123_456_789_012_345_678);
    }

    #[test]
    fn bad_tokens_are_refused_with_the_reason() {
        let err = serde_json::from_str::<Roubles>(r#"{"amount":9971.345}"#).unwrap_err();
        assert!(
            err.to_string().contains("more than 2 decimal places"),
            "{err}"
        );
        let err = serde_json::from_str::<Roubles>(r#"{"amount":true}"#).unwrap_err();
        assert!(err.to_string().contains("not a decimal amount"), "{err}");
        let err =
            serde_json::from_str::<Tiyin>(r#"{"amount":"99999999999999999999"}"#).unwrap_err();
        assert!(err.to_string().contains("does not fit"), "{err}");
    }

    #[test]
    fn exponent_form_and_spaces_are_refused_naming_the_field() {
        for body in [
            r#"{"amount":1e3}"#,
            r#"{"amount":"1e3"}"#,
            r#"{"amount":1.5E2}"#,
            r#"{"amount":" 100"}"#,
            r#"{"amount":"100 "}"#,
            r#"{"amount":"1 000"}"#,
        ] {
            let mut de = serde_json::Deserializer::from_str(body);
            let err = serde_path_to_error::deserialize::<_, Roubles>(&mut de).unwrap_err();
            assert_eq!(err.path().to_string(), "amount", "{body}");
            assert!(
                err.to_string().contains("not a plain decimal amount"),
                "{body}: {err}"
            );
        }
        let err = serde_json::from_str::<Roubles>(r#"{"amount":"9971.345"}"#).unwrap_err();
        assert!(err.to_string().contains("decimal places"), "{err}");
    }
}
