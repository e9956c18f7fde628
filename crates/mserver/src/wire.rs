//! Wire helpers shared by the areas: exact number text, localized text.

use std::collections::BTreeMap;

use kassa_core::answer::RawValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JSON number kept exactly as written (`55.616371`), never through floating point.
///
/// ```
/// let n: mserver::Exact = serde_json::from_str("55.616371")?;
/// assert_eq!(n.as_str(), "55.616371");
/// assert_eq!(serde_json::to_string(&n)?, "55.616371");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exact(String);

impl Exact {
    /// The number's text.
    ///
    /// ```
    /// let n: mserver::Exact = serde_json::from_str("0.10")?;
    /// assert_eq!(n.as_str(), "0.10");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Exact, D::Error> {
        let raw: &RawValue = Deserialize::deserialize(d)?;
        let text = raw.get().trim();
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        if !is_number(text) {
            return Err(serde::de::Error::custom(format!(
                "expected a number, got {text}"
            )));
        }
        Ok(Exact(text.to_owned()))
    }
}

/// `-?digits(.digits)?([eE][+-]?digits)?`: a JSON number's shape (leading zeros let
/// through); `--`, `1.2.3`, `e` or `+` are not numbers.
fn is_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    digits(int) && frac.is_none_or(digits) && exponent.is_none_or(digits)
}

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match RawValue::from_string(self.0.clone()) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

/// A text the document gives either plainly or per locale (`{"ru_RU": "..."}`).
///
/// ```
/// let t: mserver::Text = serde_json::from_str(r#"{"ru_RU": "10 цифр"}"#)?;
/// assert_eq!(t.text(), "10 цифр");
/// let p: mserver::Text = serde_json::from_str(r#""10 цифр""#)?;
/// assert_eq!(p.text(), "10 цифр");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// A plain text.
    Plain(String),
    /// One text per locale.
    Localized(BTreeMap<String, String>),
}

impl Text {
    /// The plain text, or the `ru_RU` one, or any.
    ///
    /// ```
    /// let t: mserver::Text = serde_json::from_str(r#"{"en_US": "10 digits", "ru_RU": "10 цифр"}"#)?;
    /// assert_eq!(t.text(), "10 цифр");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn text(&self) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Localized(m) => m
                .get("ru_RU")
                .or_else(|| m.values().next())
                .map_or("", String::as_str),
        }
    }
}

/// A phone that identifies a wallet (`wallet`, `destination`).
///
/// ```
/// let w: mserver::WalletRef = serde_json::from_str(r#"{"phone": "+79261111111"}"#)?;
/// assert_eq!(w.phone, "+79261111111");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletRef {
    /// `phone`.
    pub phone: String,
}
