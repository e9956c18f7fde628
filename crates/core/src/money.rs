//! Exact money: an amount in minor units of a currency, never a float.
//!
//! ```
//! use kassa_core::{Currency, Money};
//!
//! let price = Money::parse_major("9971.34", Currency::RUB)?;
//! assert_eq!(price.minor, 997_134);
//! assert_eq!(price.to_string(), "9 971.34 RUB");
//! assert!(Money::parse_major("9971.345", Currency::RUB).is_err());
//! # Ok::<(), kassa_core::MoneyError>(())
//! ```

use std::fmt;

#[path = "money_serde.rs"]
pub mod serde;

/// An ISO 4217 currency that knows its numeric code and minor-unit exponent.
///
/// ```
/// use kassa_core::Currency;
/// assert_eq!(Currency::UZS.numeric(), 860);
/// assert_eq!(Currency::from_numeric(417), Some(Currency::KGS));
/// assert_eq!(Currency::RUB.exponent(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Currency {
    /// Uzbek sum (minor unit: tiyin).
    UZS,
    /// Kyrgyz som (minor unit: tyiyn).
    KGS,
    /// Russian rouble (minor unit: kopeck).
    RUB,
    /// US dollar.
    USD,
    /// Euro.
    EUR,
    /// Kazakh tenge.
    KZT,
}

impl Currency {
    /// Every currency kassa knows.
    ///
    /// ```
    /// assert!(kassa_core::Currency::ALL.contains(&kassa_core::Currency::EUR));
    /// ```
    pub const ALL: [Currency; 6] = [
        Currency::UZS,
        Currency::KGS,
        Currency::RUB,
        Currency::USD,
        Currency::EUR,
        Currency::KZT,
    ];

    /// The alphabetic ISO 4217 code, e.g. `"UZS"`.
    ///
    /// ```
    /// assert_eq!(kassa_core::Currency::KGS.code(), "KGS");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Currency::UZS => "UZS",
            Currency::KGS => "KGS",
            Currency::RUB => "RUB",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
            Currency::KZT => "KZT",
        }
    }

    /// The numeric ISO 4217 code, e.g. `860` for UZS.
    ///
    /// ```
    /// assert_eq!(kassa_core::Currency::RUB.numeric(), 643);
    /// ```
    pub const fn numeric(self) -> u16 {
        match self {
            Currency::UZS => 860,
            Currency::KGS => 417,
            Currency::RUB => 643,
            Currency::USD => 840,
            Currency::EUR => 978,
            Currency::KZT => 398,
        }
    }

    /// How many decimal places the minor unit has (2 for all currencies kassa knows).
    ///
    /// ```
    /// assert_eq!(kassa_core::Currency::UZS.exponent(), 2);
    /// ```
    pub const fn exponent(self) -> u32 {
        match self {
            Currency::UZS
            | Currency::KGS
            | Currency::RUB
            | Currency::USD
            | Currency::EUR
            | Currency::KZT => 2,
        }
    }

    /// Looks a currency up by its numeric code.
    ///
    /// ```
    /// assert_eq!(kassa_core::Currency::from_numeric(860), Some(kassa_core::Currency::UZS));
    /// assert_eq!(kassa_core::Currency::from_numeric(1), None);
    /// ```
    pub fn from_numeric(code: u16) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.numeric() == code)
    }

    /// Looks a currency up by its alphabetic code (case-insensitive).
    ///
    /// ```
    /// assert_eq!(kassa_core::Currency::from_code("rub"), Some(kassa_core::Currency::RUB));
    /// ```
    pub fn from_code(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }

    fn scale(self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why an amount could not be read or computed.
///
/// ```
/// use kassa_core::{Currency, Money, MoneyError};
/// let err = Money::parse_major("1.001", Currency::UZS).unwrap_err();
/// assert!(matches!(err, MoneyError::TooPrecise { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The text is not a decimal number.
    #[error("`{text}` is not a decimal amount")]
    Malformed {
        /// The offending text (amounts are not secret).
        text: String,
    },
    /// More decimal places than the currency's minor unit allows.
    #[error("`{text}` has more than {exponent} decimal places for {currency}")]
    TooPrecise {
        /// The offending text.
        text: String,
        /// The currency it was read as.
        currency: Currency,
        /// The currency's exponent.
        exponent: u32,
    },
    /// Written in a form kassa does not read as an amount: exponent form (`1e3`), spaces
    /// (` 100`, `1 000`), a sign or point without digits.
    #[error("`{text}` is not a plain decimal amount: {reason}")]
    NotPlain {
        /// The offending text.
        text: String,
        /// What is wrong with its form.
        reason: &'static str,
    },
    /// The amount does not fit in 64-bit minor units.
    #[error("`{text}` does not fit in 64-bit minor units")]
    Overflow {
        /// The offending text or operation.
        text: String,
    },
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The left-hand currency.
        left: Currency,
        /// The right-hand currency.
        right: Currency,
    },
}

/// An exact amount: `minor` units (tiyin, kopecks, cents) of `currency`.
///
/// Arithmetic is checked: overflow and mixing currencies are errors.
///
/// ```
/// use kassa_core::{Currency, Money};
/// let a = Money::new(500_000, Currency::UZS);
/// assert_eq!(a.to_string(), "5 000.00 UZS");
/// let b = a.checked_add(Money::new(1, Currency::UZS))?;
/// assert_eq!(b.minor, 500_001);
/// assert!(a.checked_add(Money::new(1, Currency::RUB)).is_err());
/// # Ok::<(), kassa_core::MoneyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount in minor units (1/100 of the major unit for every known currency).
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// An amount of `minor` units.
    ///
    /// ```
    /// let m = kassa_core::Money::new(100, kassa_core::Currency::KGS);
    /// assert_eq!(m.to_major_string(), "1.00");
    /// ```
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero of a currency.
    ///
    /// ```
    /// assert!(kassa_core::Money::zero(kassa_core::Currency::UZS).is_zero());
    /// ```
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Reads minor units written as a decimal integer, e.g. `"500000"` tiyin.
    ///
    /// ```
    /// let m = kassa_core::Money::parse_minor("500000", kassa_core::Currency::UZS)?;
    /// assert_eq!(m.minor, 500_000);
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn parse_minor(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let minor = parse_scaled(text, 0)?;
        Ok(Money { minor, currency })
    }

    /// Reads major units written as a decimal, e.g. `"9971.34"` roubles, exactly.
    /// More decimal places than the currency allows is an error, never a rounding.
    /// Exponent form (`1e3`) and spaces (` 100`, `1 000`) are refused: an amount is
    /// written as plain digits with an optional sign and point.
    ///
    /// ```
    /// use kassa_core::{Currency, Money, MoneyError};
    /// assert_eq!(Money::parse_major("100", Currency::USD)?.minor, 10_000);
    /// assert!(matches!(Money::parse_major("1e3", Currency::USD), Err(MoneyError::NotPlain { .. })));
    /// assert!(matches!(Money::parse_major("1 000", Currency::USD), Err(MoneyError::NotPlain { .. })));
    /// assert_eq!(Money::parse_major("-0.5", Currency::USD)?.minor, -50);
    /// assert!(Money::parse_major("0.005", Currency::USD).is_err());
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let minor = parse_scaled(text, currency.exponent()).map_err(|e| match e {
            MoneyError::TooPrecise { text, .. } => MoneyError::TooPrecise {
                text,
                currency,
                exponent: currency.exponent(),
            },
            other => other,
        })?;
        Ok(Money { minor, currency })
    }

    /// True when the amount is zero.
    ///
    /// ```
    /// assert!(!kassa_core::Money::new(1, kassa_core::Currency::UZS).is_zero());
    /// ```
    pub const fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// True when the amount is above zero.
    ///
    /// ```
    /// assert!(kassa_core::Money::new(1, kassa_core::Currency::UZS).is_positive());
    /// ```
    pub const fn is_positive(&self) -> bool {
        self.minor > 0
    }

    /// Adds two amounts of one currency.
    ///
    /// ```
    /// use kassa_core::{Currency, Money};
    /// let sum = Money::new(1, Currency::UZS).checked_add(Money::new(2, Currency::UZS))?;
    /// assert_eq!(sum.minor, 3);
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| MoneyError::Overflow {
                text: format!("{} + {}", self.minor, other.minor),
            })?;
        Ok(Money { minor, ..self })
    }

    /// Subtracts an amount of the same currency.
    ///
    /// ```
    /// use kassa_core::{Currency, Money};
    /// let rest = Money::new(5, Currency::KGS).checked_sub(Money::new(2, Currency::KGS))?;
    /// assert_eq!(rest.minor, 3);
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or_else(|| MoneyError::Overflow {
                text: format!("{} - {}", self.minor, other.minor),
            })?;
        Ok(Money { minor, ..self })
    }

    /// Multiplies by a whole factor.
    ///
    /// ```
    /// use kassa_core::{Currency, Money};
    /// assert_eq!(Money::new(7, Currency::EUR).checked_mul(3)?.minor, 21);
    /// assert!(Money::new(i64::MAX, Currency::EUR).checked_mul(2).is_err());
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(factor)
            .ok_or_else(|| MoneyError::Overflow {
                text: format!("{} * {factor}", self.minor),
            })?;
        Ok(Money { minor, ..self })
    }

    /// `self * numerator / denominator`, rounded toward zero, computed without overflow
    /// in between; e.g. 30% of a hold is `checked_ratio(30, 100)`.
    ///
    /// ```
    /// use kassa_core::{Currency, Money};
    /// assert_eq!(Money::new(1_000, Currency::UZS).checked_ratio(30, 100)?.minor, 300);
    /// # Ok::<(), kassa_core::MoneyError>(())
    /// ```
    pub fn checked_ratio(self, numerator: i64, denominator: i64) -> Result<Money, MoneyError> {
        let overflow = || MoneyError::Overflow {
            text: format!("{} * {numerator} / {denominator}", self.minor),
        };
        let wide = i128::from(self.minor)
            .checked_mul(i128::from(numerator))
            .and_then(|v| v.checked_div(i128::from(denominator)))
            .ok_or_else(overflow)?;
        let minor = i64::try_from(wide).map_err(|_| overflow())?;
        Ok(Money { minor, ..self })
    }

    /// The amount in major units as plain decimal text, e.g. `"9971.34"`, `"-0.05"`.
    ///
    /// ```
    /// let m = kassa_core::Money::new(997_134, kassa_core::Currency::RUB);
    /// assert_eq!(m.to_major_string(), "9971.34");
    /// ```
    pub fn to_major_string(&self) -> String {
        let (sign, whole, frac) = self.parts();
        let exp = self.currency.exponent() as usize;
        if exp == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{frac:0exp$}")
        }
    }

    fn parts(&self) -> (&'static str, u64, u64) {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = self.currency.scale().unsigned_abs();
        (sign, abs / scale, abs % scale)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    /// `5 000.00 UZS`: thousands separated by spaces, every minor digit shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, whole, frac) = self.parts();
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(ch);
        }
        let exp = self.currency.exponent() as usize;
        if exp == 0 {
            write!(f, "{sign}{grouped} {}", self.currency)
        } else {
            write!(f, "{sign}{grouped}.{frac:0exp$} {}", self.currency)
        }
    }
}

/// Parses decimal text into an integer scaled by `10^exponent`, exactly.
fn parse_scaled(text: &str, exponent: u32) -> Result<i64, MoneyError> {
    let malformed = || MoneyError::Malformed {
        text: text.to_owned(),
    };
    let too_precise = || MoneyError::TooPrecise {
        text: text.to_owned(),
        currency: Currency::UZS,
        exponent,
    };
    let overflow = || MoneyError::Overflow {
        text: text.to_owned(),
    };

    let not_plain = |reason| MoneyError::NotPlain {
        text: text.to_owned(),
        reason,
    };
    if text.contains(['e', 'E']) && text.bytes().any(|b| b.is_ascii_digit()) {
        return Err(not_plain(
            "exponent form is not accepted; write the digits out",
        ));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(not_plain(
            "spaces are not accepted, around or inside the digits",
        ));
    }
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp_part) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || mantissa.ends_with('.') && exponent == 0 && frac_part.is_empty() && int_part.is_empty()
    {
        return Err(malformed());
    }
    if mantissa.starts_with('.') || mantissa.ends_with('.') {
        return Err(malformed());
    }
    let shift: i64 = match exp_part {
        None => 0,
        Some(e) => {
            let (eneg, edigits) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if edigits.is_empty() || !all_digits(edigits) || edigits.len() > 4 {
                return Err(malformed());
            }
            let v: i64 = edigits.parse().map_err(|_| malformed())?;
            if eneg { -v } else { v }
        }
    };
    // digits * 10^(shift - frac_len) * 10^exponent must be an integer.
    let digits: String = format!("{int_part}{frac_part}");
    let frac_len = i64::try_from(frac_part.len()).map_err(|_| overflow())?;
    let power = shift - frac_len + i64::from(exponent);
    let trimmed = digits.trim_start_matches('0');
    let mut value: i128 = 0;
    if power >= 0 {
        for b in trimmed.bytes() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i128::from(b - b'0')))
                .filter(|v| *v <= i128::from(u64::MAX))
                .ok_or_else(overflow)?;
        }
        for _ in 0..power {
            if value == 0 {
                break;
            }
            value = value
                .checked_mul(10)
                .filter(|v| *v <= i128::from(u64::MAX))
                .ok_or_else(overflow)?;
        }
    } else {
        let cut = usize::try_from(-power).map_err(|_| too_precise())?;
        if cut > trimmed.len() {
            if trimmed.bytes().any(|b| b != b'0') {
                return Err(too_precise());
            }
        } else {
            let (keep, dropped) = trimmed.split_at(trimmed.len() - cut);
            if dropped.bytes().any(|b| b != b'0') {
                return Err(too_precise());
            }
            for b in keep.bytes() {
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(i128::from(b - b'0')))
                    .filter(|v| *v <= i128::from(u64::MAX))
                    .ok_or_else(overflow)?;
            }
        }
    }
    let signed = if negative { -value } else { value };
    i64::try_from(signed).map_err(|_| overflow())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roubles_with_kopecks_are_exact() {
        assert_eq!(
            Money::parse_major("9971.34", Currency::RUB).map(|m| m.minor),
            Ok(997_134)
        );
    }

    #[test]
    fn tiyin_text_stays_as_is() {
        assert_eq!(
            Money::parse_minor("500000", Currency::UZS).map(|m| m.minor),
            Ok(500_000)
        );
    }

    #[test]
    fn large_amounts_are_exact() {
        assert_eq!(
            Money::parse_major("1234567890123456.78", Currency::UZS).map(|m| m.minor),
            Ok(123_456_789_012_345_678)
        );
    }

    #[test]
    fn extra_precision_is_refused() {
        let err = Money::parse_major("9971.345", Currency::RUB).unwrap_err();
        assert!(
            matches!(
                err,
                MoneyError::TooPrecise {
                    currency: Currency::RUB,
                    exponent: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        // trailing zeros are not extra precision
        assert_eq!(
            Money::parse_major("9971.3400", Currency::RUB).map(|m| m.minor),
            Ok(997_134)
        );
        // minor units take no fraction
        assert!(Money::parse_minor("10.5", Currency::UZS).is_err());
    }

    #[test]
    fn overflow_is_refused() {
        assert!(matches!(
            Money::parse_major("92233720368547758.08", Currency::UZS),
            Err(MoneyError::Overflow { .. })
        ));
        assert!(matches!(
            Money::parse_minor("9223372036854775808", Currency::UZS),
            Err(MoneyError::Overflow { .. })
        ));
        assert_eq!(
            Money::parse_minor("-9223372036854775808", Currency::UZS).map(|m| m.minor),
            Ok(i64::MIN)
        );
        assert!(
            Money::new(i64::MAX, Currency::UZS)
                .checked_add(Money::new(1, Currency::UZS))
                .is_err()
        );
    }

    #[test]
    fn mixing_currencies_is_refused() {
        let err = Money::new(1, Currency::UZS)
            .checked_add(Money::new(1, Currency::RUB))
            .unwrap_err();
        assert_eq!(
            err,
            MoneyError::CurrencyMismatch {
                left: Currency::UZS,
                right: Currency::RUB
            }
        );
        assert!(
            Money::new(1, Currency::UZS)
                .checked_sub(Money::new(1, Currency::KGS))
                .is_err()
        );
    }

    #[test]
    fn exponent_form_and_spaces_are_refused() {
        for bad in ["1e3", "1.5e2", "12345E-2", "0e99", "1E+2"] {
            let err = Money::parse_major(bad, Currency::USD).unwrap_err();
            assert!(
                matches!(err, MoneyError::NotPlain { .. }) && err.to_string().contains("exponent"),
                "{bad}: {err}"
            );
            assert!(Money::parse_minor(bad, Currency::UZS).is_err(), "{bad}");
        }
        for bad in [" 100", "100 ", "1 000", "1\u{a0}000", "\t5", "1 000.50"] {
            let err = Money::parse_major(bad, Currency::USD).unwrap_err();
            assert!(
                matches!(err, MoneyError::NotPlain { .. }) && err.to_string().contains("spaces"),
                "{bad:?}: {err}"
            );
        }
        // Extra precision stays its own error.
        assert!(matches!(
            Money::parse_major("1.001", Currency::USD),
            Err(MoneyError::TooPrecise { .. })
        ));
    }

    #[test]
    fn malformed_text_is_refused() {
        for bad in [
            "", "-", ".", "1.", ".5", "1,5", "1 000", "abc", "1e", "--1", "0x10", "NaN",
        ] {
            assert!(
                Money::parse_major(bad, Currency::USD).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(
            Money::new(500_000, Currency::UZS).to_string(),
            "5 000.00 UZS"
        );
        assert_eq!(
            Money::new(-123_456_789, Currency::KGS).to_string(),
            "-1 234 567.89 KGS"
        );
        assert_eq!(Money::new(5, Currency::RUB).to_string(), "0.05 RUB");
        assert_eq!(Money::new(-5, Currency::RUB).to_major_string(), "-0.05");
        assert_eq!(
            Money::new(i64::MIN, Currency::RUB).to_major_string(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn ratio_is_computed_wide() {
        assert_eq!(
            Money::new(i64::MAX, Currency::UZS)
                .checked_ratio(1, 2)
                .map(|m| m.minor),
            Ok(i64::MAX / 2)
        );
        assert!(Money::new(1, Currency::UZS).checked_ratio(1, 0).is_err());
    }
}
