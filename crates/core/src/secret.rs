//! Secrets: card numbers that print masked, serde helpers for `SecretString`, and the
//! redaction used for every excerpt of a provider's answer.
//!
//! ```
//! use kassa_core::secret::CardNumber;
//! let card = CardNumber::new("8600490212346744")?;
//! assert_eq!(card.to_string(), "860049******6744");
//! assert_eq!(format!("{card:?}"), "CardNumber(860049******6744)");
//! assert_eq!(card.expose(), "8600490212346744");
//! # Ok::<(), kassa_core::Error>(())
//! ```

use std::fmt;

pub use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// A full card number (PAN). Debug, Display and `Serialize` show only the first 6 and last
/// 4 digits; [`CardNumber::expose`] and [`expose_card`] give the full number for the wire.
///
/// ```
/// use kassa_core::secret::CardNumber;
/// assert!(CardNumber::new("8600 4902 1234 6744").is_ok());
/// assert!(CardNumber::new("8600-49").is_err());
/// let json = serde_json::to_string(&CardNumber::new("9860080312345678")?)?;
/// assert_eq!(json, r#""986008******5678""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Validates a card number: 12 to 19 digits once spaces are removed.
    /// Fails with [`Error::InvalidInput`] naming the field `card_number`.
    ///
    /// ```
    /// assert!(kassa_core::secret::CardNumber::new("12345").is_err());
    /// ```
    pub fn new(number: &str) -> Result<CardNumber, Error> {
        Self::for_field(number, "card_number")
    }

    /// Validates a card number and names `field` in the error.
    ///
    /// ```
    /// let err = kassa_core::secret::CardNumber::for_field("x", "pan").unwrap_err();
    /// assert_eq!(err.field(), Some("pan"));
    /// ```
    pub fn for_field(number: &str, field: &str) -> Result<CardNumber, Error> {
        let digits: String = number.chars().filter(|c| *c != ' ').collect();
        if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                field,
                format!(
                    "a card number is 12 to 19 digits; got {} characters",
                    digits.chars().count()
                ),
            ));
        }
        Ok(CardNumber(digits))
    }

    /// The full number, for the wire only.
    ///
    /// ```
    /// let c = kassa_core::secret::CardNumber::new("8600490212346744")?;
    /// assert_eq!(c.expose().len(), 16);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form: first 6, then `*`, then last 4 digits.
    ///
    /// ```
    /// let c = kassa_core::secret::CardNumber::new("8600490212346744")?;
    /// assert_eq!(c.masked(), "860049******6744");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn masked(&self) -> String {
        mask_pan(&self.0)
    }

    /// The last four digits.
    ///
    /// ```
    /// let c = kassa_core::secret::CardNumber::new("8600490212346744")?;
    /// assert_eq!(c.last4(), "6744");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

fn mask_pan(digits: &str) -> String {
    let n = digits.len();
    if n < 11 {
        return "*".repeat(n);
    }
    format!("{}{}{}", &digits[..6], "*".repeat(n - 10), &digits[n - 4..])
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for CardNumber {
    /// Serializes the *masked* number; request types use [`expose_card`] for the wire.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

impl<'de> Deserialize<'de> for CardNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CardNumber, D::Error> {
        let s = String::deserialize(d)?;
        CardNumber::new(&s).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

/// `serialize_with` helper that writes the full card number: use it on request fields only.
///
/// ```
/// use kassa_core::secret::CardNumber;
/// #[derive(serde::Serialize)]
/// struct Bind { #[serde(serialize_with = "kassa_core::secret::expose_card")] pan: CardNumber }
/// let json = serde_json::to_string(&Bind { pan: CardNumber::new("8600490212346744")? })?;
/// assert_eq!(json, r#"{"pan":"8600490212346744"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn expose_card<S: Serializer>(card: &CardNumber, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(card.expose())
}

/// `serialize_with` helper that writes a secret's value: use it on request fields only.
///
/// ```
/// use kassa_core::secret::SecretString;
/// #[derive(serde::Serialize)]
/// struct Login { #[serde(serialize_with = "kassa_core::secret::expose")] password: SecretString }
/// let json = serde_json::to_string(&Login { password: SecretString::from("p@ss") })?;
/// assert_eq!(json, r#"{"password":"p@ss"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn expose<S: Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

/// `serialize_with` helper that writes `"[REDACTED]"`: use it on response fields that hold
/// tokens, so snapshots and printed answers never carry them.
///
/// ```
/// use kassa_core::secret::SecretString;
/// #[derive(serde::Serialize)]
/// struct Token { #[serde(serialize_with = "kassa_core::secret::redacted")] token: SecretString }
/// let json = serde_json::to_string(&Token { token: SecretString::from("abc") })?;
/// assert_eq!(json, r#"{"token":"[REDACTED]"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn redacted<S: Serializer, T: ?Sized>(_secret: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(REDACTED)
}

/// Key names whose string values are hidden by [`redact_text`].
const SECRET_KEYS: [&str; 11] = [
    "password",
    "token",
    "secret",
    "authorization",
    "api-key",
    "api_key",
    "apikey",
    "otp",
    "cvv",
    "security_code",
    "sms_code",
];

/// Hides secrets in a piece of provider text (an answer body, a URL): values of keys that
/// name a password, token, key, secret, OTP or code become `[REDACTED]`, and every run of
/// 12 to 19 digits (a card number) keeps only its first 6 and last 4 digits.
///
/// ```
/// use kassa_core::secret::redact_text;
/// let body = r#"{"access_token":"eyJhbGci","pan":"8600490212346744","amount":100}"#;
/// assert_eq!(
///     redact_text(body),
///     r#"{"access_token":"[REDACTED]","pan":"860049******6744","amount":100}"#
/// );
/// assert_eq!(redact_text("/auth/?login=a&password=hunter2&x=1"), "/auth/?login=a&password=[REDACTED]&x=1");
/// ```
pub fn redact_text(text: &str) -> String {
    let masked = mask_digit_runs(text);
    redact_keyed_values(&masked)
}

fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if (12..=19).contains(&run.len()) {
            out.push_str(&mask_pan(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            run.push(ch);
        } else {
            flush(&mut run, &mut out);
            out.push(ch);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Replaces the value after `key":` (JSON), `key=` (query, form) with `[REDACTED]` when
/// the key names a secret.
fn redact_keyed_values(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        // Find the end of an identifier-like key.
        if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-')
            {
                i += 1;
            }
            let key = text[start..i].to_ascii_lowercase();
            if !SECRET_KEYS.iter().any(|k| key.contains(k)) {
                continue;
            }
            // JSON: "key" : "value"
            let mut j = i;
            if j < bytes.len() && bytes[j] == b'"' {
                j += 1;
            }
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b':' {
                j += 1;
                while j < bytes.len() && bytes[j] == b' ' {
                    j += 1;
                }
                if j < bytes.len() && bytes[j] == b'"' {
                    let value_start = j + 1;
                    let mut k = value_start;
                    while k < bytes.len() && bytes[k] != b'"' {
                        if bytes[k] == b'\\' {
                            k += 1;
                        }
                        k += 1;
                    }
                    let k = k.min(bytes.len());
                    out.push_str(&text[copied..value_start]);
                    out.push_str(REDACTED);
                    copied = k;
                    i = k;
                } else if j < bytes.len() && (bytes[j].is_ascii_digit()) {
                    let mut k = j;
                    while k < bytes.len() && bytes[k].is_ascii_alphanumeric() {
                        k += 1;
                    }
                    out.push_str(&text[copied..j]);
                    out.push_str(REDACTED);
                    copied = k;
                    i = k;
                }
            } else if j == i && j < bytes.len() && bytes[j] == b'=' {
                // query or form: key=value up to & or whitespace
                let value_start = j + 1;
                let mut k = value_start;
                while k < bytes.len() && !matches!(bytes[k], b'&' | b' ' | b'\n' | b'"' | b'\'') {
                    k += 1;
                }
                out.push_str(&text[copied..value_start]);
                out.push_str(REDACTED);
                copied = k;
                i = k;
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// Cuts a redacted excerpt of at most `width` characters around byte offset `at`.
///
/// ```
/// let text = format!("{}{}", "a".repeat(100), r#"{"password":"x"}"#);
/// let ex = kassa_core::secret::excerpt(&text, 105, 40);
/// assert!(ex.contains("[REDACTED]") && !ex.contains("\"x\""));
/// ```
pub fn excerpt(text: &str, at: usize, width: usize) -> String {
    let redacted = redact_text(text);
    // Offsets shift when values are replaced; scale the position proportionally.
    let pos = if text.is_empty() {
        0
    } else {
        at.min(text.len()) * redacted.len() / text.len()
    };
    let chars: Vec<char> = redacted.chars().collect();
    let char_pos = redacted
        .char_indices()
        .position(|(b, _)| b >= pos)
        .unwrap_or(chars.len());
    let half = width / 2;
    let start = char_pos.saturating_sub(half);
    let end = (start + width).min(chars.len());
    let mut out: String = chars[start..end].iter().collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_never_prints_in_full() {
        let c = CardNumber::new("9860080312345678").expect("valid");
        for shown in [
            format!("{c:?}"),
            c.to_string(),
            serde_json::to_string(&c).expect("json"),
        ] {
            assert!(!shown.contains("9860080312345678"), "{shown}");
            assert!(shown.contains("986008******5678"), "{shown}");
        }
    }

    #[test]
    fn redaction_covers_json_query_and_cards() {
        let text = r#"{"refresh_token": "r1", "otp":"123456","pan":"8600123412341234","n":5} ?password=p&token=t"#;
        let out = redact_text(text);
        for secret in ["r1", "123456\"", "8600123412341234", "=p&", "=t"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("\"n\":5"));
    }

    #[test]
    fn excerpt_is_short_and_redacted() {
        let body = format!(r#"{{"access_token":"SECRET","x":"{}"}}"#, "y".repeat(500));
        let ex = excerpt(&body, 0, 60);
        assert!(ex.chars().count() <= 62);
        assert!(!ex.contains("SECRET"));
    }
}
