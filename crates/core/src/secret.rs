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

/// Key names whose values are hidden by [`redact_text`] and near which [`excerpt`] shows
/// nothing. Matched case-insensitively as a part of the key (`access_token`, `X-Api-Key`).
pub(crate) const SECRET_KEYS: [&str; 16] = [
    "password",
    "passwd",
    "pwd",
    "token",
    "secret",
    "authorization",
    "api-key",
    "api_key",
    "apikey",
    "private",
    "otp",
    "cvv",
    "cvc",
    "security_code",
    "sms_code",
    "credential",
];

/// True when a key (a JSON key, a query or form name, a header name) names a secret.
///
/// ```
/// use kassa_core::secret::is_secret_key;
/// assert!(is_secret_key("access_token"));
/// assert!(is_secret_key("X-Api-Key"));
/// assert!(!is_secret_key("amount"));
/// ```
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|k| key.contains(k))
}

/// Hides secrets in a piece of provider text (an answer body, a URL, a message):
///
/// - the user and password of a URL (`http://user:pass@host`) become `[REDACTED]`;
/// - the value of every key that names a password, token, key, secret, OTP or code becomes
///   `[REDACTED]`, whatever its JSON type (string, number, array, object, `true`, `null`),
///   in JSON (`"key": value`), queries and forms (`key=value`) and headers (`Key: value`);
/// - every card number, written as 12 to 19 digits in a row or in groups split by single
///   spaces or dashes, keeps only its first 6 and last 4 digits.
///
/// ```
/// use kassa_core::secret::redact_text;
/// let body = r#"{"access_token":"eyJhbGci","pan":"8600490212346744","amount":100}"#;
/// assert_eq!(
///     redact_text(body),
///     r#"{"access_token":"[REDACTED]","pan":"860049******6744","amount":100}"#
/// );
/// assert_eq!(redact_text("/auth/?login=a&password=hunter2&x=1"), "/auth/?login=a&password=[REDACTED]&x=1");
/// assert_eq!(redact_text("http://agent:hunter2@bank.example/api"), "http://[REDACTED]@bank.example/api");
/// assert_eq!(redact_text("card 8600 4929 6815 6744"), "card 8600 49** **** 6744");
/// assert_eq!(redact_text(r#"{"token": ["a", {"b": 1}]}"#), r#"{"token": [REDACTED]}"#);
/// ```
pub fn redact_text(text: &str) -> String {
    let masked = mask_digit_runs(text);
    let keyed = redact_keyed_values(&masked);
    redact_userinfo(&keyed)
}

/// Masks every card number in free text (a provider's message, a description, a
/// counterparty field): runs of 12 to 19 digits, also in groups split by single spaces or
/// dashes, keep their first 6 and last 4 digits; every other digit becomes `*`. Shorter
/// and longer runs (amounts, ids, phone numbers) stay as they are.
///
/// ```
/// use kassa_core::secret::mask_card_numbers;
/// assert_eq!(mask_card_numbers("card 8600490212346744 paid"), "card 860049******6744 paid");
/// assert_eq!(mask_card_numbers("8600 4929 6815 6744"), "8600 49** **** 6744");
/// assert_eq!(mask_card_numbers("bill 12345, phone 998901234567890123456"), "bill 12345, phone 998901234567890123456");
/// ```
pub fn mask_card_numbers(text: &str) -> String {
    mask_digit_runs(text)
}

/// Masks card numbers: runs of 12 to 19 digits, possibly split into groups by single
/// spaces or dashes (`8600 4929 6815 6744`, `8600-4929-6815-6744`). The separators stay;
/// every digit but the first 6 and the last 4 becomes `*`.
fn mask_digit_runs(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run: digits, with single separators between digit groups.
        let start = i;
        let mut end = i;
        let mut digits = 0usize;
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                end = j;
            } else if matches!(bytes[j], b' ' | b'-')
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_digit()
                && j > start
            {
                j += 1;
            } else {
                break;
            }
        }
        if (12..=19).contains(&digits) {
            out.push_str(&text[copied..start]);
            let mut seen = 0usize;
            for &b in &bytes[start..end] {
                if b.is_ascii_digit() {
                    seen += 1;
                    if seen <= 6 || seen > digits - 4 {
                        out.push(char::from(b));
                    } else {
                        out.push('*');
                    }
                } else {
                    out.push(char::from(b));
                }
            }
            copied = end;
        }
        i = end.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// Hides the `user:password@` part of every URL in `text`.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let authority_start = i + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let authority_len = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..authority_len];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_len..];
    }
    out.push_str(rest);
    out
}

/// The end (exclusive) of the JSON value starting at `start`: a string, an array or object
/// (brackets balanced, strings skipped), or a bare token (number, `true`, `null`). A value
/// cut short runs to the end of `bytes`.
fn json_value_end(bytes: &[u8], start: usize) -> usize {
    let mut k = start;
    match bytes.get(start) {
        Some(b'"') => {
            k += 1;
            while k < bytes.len() && bytes[k] != b'"' {
                if bytes[k] == b'\\' {
                    k += 1;
                }
                k += 1;
            }
            (k + 1).min(bytes.len())
        }
        Some(b'[' | b'{') => {
            let mut depth = 0usize;
            let mut in_string = false;
            while k < bytes.len() {
                let b = bytes[k];
                if in_string {
                    if b == b'\\' {
                        k += 1;
                    } else if b == b'"' {
                        in_string = false;
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return k + 1;
                            }
                        }
                        _ => {}
                    }
                }
                k += 1;
            }
            bytes.len()
        }
        _ => {
            while k < bytes.len()
                && !matches!(bytes[k], b',' | b'}' | b']' | b'&' | b'\n' | b'\r' | b';')
            {
                k += 1;
            }
            // keep trailing spaces outside the redaction
            while k > start && bytes[k - 1] == b' ' {
                k -= 1;
            }
            k
        }
    }
}

/// Replaces the value after `key":` (JSON), `key:` (headers), `key=` (query, form) with
/// `[REDACTED]` when the key names a secret, whatever the value's type.
fn redact_keyed_values(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    let is_key_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    while i < bytes.len() {
        if !is_key_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_key_byte(bytes[i]) {
            i += 1;
        }
        if !is_secret_key(&text[start..i]) {
            continue;
        }
        let mut j = i;
        if j < bytes.len() && bytes[j] == b'"' {
            j += 1;
        }
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let value_start = if j < bytes.len() && bytes[j] == b':' {
            j += 1;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                j += 1;
            }
            j
        } else if j == i && j < bytes.len() && bytes[j] == b'=' {
            j + 1
        } else {
            continue;
        };
        if value_start >= bytes.len() {
            continue;
        }
        let value_end = if bytes[value_start] == b'"' {
            // keep the quotes: "key":"[REDACTED]"
            let end = json_value_end(bytes, value_start);
            out.push_str(&text[copied..=value_start]);
            out.push_str(REDACTED);
            copied = if end > value_start + 1 && bytes[end - 1] == b'"' {
                end - 1
            } else {
                end
            };
            i = end.max(value_start + 1);
            continue;
        } else if bytes[value_start - 1] == b'=' {
            let mut k = value_start;
            while k < bytes.len() && !matches!(bytes[k], b'&' | b' ' | b'\n' | b'"' | b'\'' | b'#')
            {
                k += 1;
            }
            k
        } else {
            json_value_end(bytes, value_start)
        };
        if value_end > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
        }
        i = value_end.max(value_start);
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// What an excerpt shows when it is withheld because a secret field is near.
pub const EXCERPT_WITHHELD: &str = "(excerpt withheld: a secret field is near)";

/// How far around an excerpt's window a secret key makes it withheld, in bytes.
const SECRET_MARGIN: usize = 96;

/// Cuts a redacted excerpt of at most `width` characters around byte offset `at`.
///
/// Works on a bounded window of the text, never on the whole of it. When a key naming a
/// secret appears in or near the window, or the window lies inside a value (a long string,
/// an array, an object) under such a key, nothing is shown but [`EXCERPT_WITHHELD`]:
/// a damaged answer is not guessed at.
///
/// ```
/// use kassa_core::secret::{excerpt, EXCERPT_WITHHELD};
/// let text = format!("{}{}", "a".repeat(100), r#"{"password":"x"}"#);
/// assert_eq!(excerpt(&text, 105, 40), EXCERPT_WITHHELD);
/// assert_eq!(excerpt(r#"{"amount": 1.5x}"#, 13, 40), r#"{"amount": 1.5x}"#);
/// ```
pub fn excerpt(text: &str, at: usize, width: usize) -> String {
    excerpt_bytes(text.as_bytes(), at, width)
}

/// [`excerpt`] of raw bytes (an answer body that may not be UTF-8); only the window is
/// converted, so the cost does not grow with the body.
///
/// ```
/// let body = [b"{\"id\": \"".as_slice(), &[0xff; 8], b"\"}"].concat();
/// let ex = kassa_core::secret::excerpt_bytes(&body, 8, 40);
/// assert!(ex.contains('\u{FFFD}'));
/// ```
pub fn excerpt_bytes(body: &[u8], at: usize, width: usize) -> String {
    let at = at.min(body.len());
    // Byte window: a character is at most 4 bytes.
    let half = width.saturating_mul(2);
    let mut start = at.saturating_sub(half);
    let mut end = at.saturating_add(half).min(body.len());
    // Widen over digit runs cut by the window so a card number is masked whole.
    while start > 0
        && (body[start - 1].is_ascii_digit() || matches!(body[start - 1], b' ' | b'-'))
        && at - start < half + 32
    {
        start -= 1;
    }
    while end < body.len()
        && (body[end].is_ascii_digit() || matches!(body[end], b' ' | b'-'))
        && end - at < half + 32
    {
        end += 1;
    }
    if near_secret(body, start, end) {
        return EXCERPT_WITHHELD.to_owned();
    }
    let window = String::from_utf8_lossy(&body[start..end]);
    let redacted = redact_text(&window);
    // Centre on `at` in characters of the (lightly changed) window.
    let at_in_window = String::from_utf8_lossy(&body[start..at]).chars().count();
    let chars: Vec<char> = redacted.chars().collect();
    let centre = at_in_window.min(chars.len());
    let from = centre.saturating_sub(width / 2);
    let to = (from + width).min(chars.len());
    let from = to.saturating_sub(width).min(from);
    let mut out: String = chars[from..to].iter().collect();
    if start + from > 0 || from > 0 {
        out.insert(0, '…');
    }
    if end < body.len() || to < chars.len() {
        out.push('…');
    }
    out.replace(['\n', '\r'], " ")
}

/// True when a secret key appears within [`SECRET_MARGIN`] bytes of `[start, end)`, or
/// before the opening of a string, array or object that encloses `start`.
fn near_secret(body: &[u8], start: usize, end: usize) -> bool {
    let from = start.saturating_sub(SECRET_MARGIN);
    let to = end.saturating_add(SECRET_MARGIN).min(body.len());
    if has_secret_key(&body[from..to]) {
        return true;
    }
    // The openings of the values that enclose `start` (one pass over what precedes it).
    let mut openings: Vec<usize> = Vec::new();
    let mut string_open: Option<usize> = None;
    let mut k = 0;
    while k < start {
        let b = body[k];
        if string_open.is_some() {
            if b == b'\\' {
                k += 1;
            } else if b == b'"' {
                string_open = None;
            }
        } else {
            match b {
                b'"' => string_open = Some(k),
                b'[' | b'{' => openings.push(k),
                b']' | b'}' => {
                    openings.pop();
                }
                _ => {}
            }
        }
        k += 1;
    }
    openings
        .into_iter()
        .chain(string_open)
        .any(|p| has_secret_key(&body[p.saturating_sub(SECRET_MARGIN)..p]))
}

/// True when `bytes` hold a key naming a secret, also when it is damaged: a space put in,
/// one letter missing, added or changed (`passord`, `acces_token`), case changed.
fn has_secret_key(bytes: &[u8]) -> bool {
    let text: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .any(secret_word)
}

fn secret_word(word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    if SECRET_KEYS.iter().any(|k| word.contains(k)) {
        return true;
    }
    let w = word.as_bytes();
    SECRET_KEYS.iter().filter(|k| k.len() >= 5).any(|k| {
        let k = k.as_bytes();
        (k.len() - 1..=k.len() + 1)
            .any(|len| len <= w.len() && w.windows(len).any(|part| within_one_edit(part, k)))
    })
}

/// True when `a` becomes `b` by at most one insertion, deletion or substitution.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[prefix + 1.min(short.len() - prefix)..] == long[prefix + 1.min(long.len() - prefix)..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// The client's own secrets, removed by value from provider text quoted in errors.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// Every form a secret may take in provider text: as given, JSON-escaped,
    /// percent-encoded (`%20` and `+` for spaces).
    forms: Vec<SecretString>,
    /// The forms of each value registered while the client runs (tokens), oldest first,
    /// at most [`MAX_REMEMBERED`]: a client that refreshes its token every few minutes
    /// for months keeps a bounded list.
    remembered: std::collections::VecDeque<Vec<SecretString>>,
}

/// How many values registered while a client runs (tokens) are kept for scrubbing: the
/// current one and a few before it, which a provider may still echo.
pub(crate) const MAX_REMEMBERED: usize = 8;

/// Shorter values are not registered: removing them would mangle every message.
const MIN_SECRET_LEN: usize = 4;

/// Percent-encodes everything but unreserved characters; `plus` writes spaces as `+`.
fn percent_encode(value: &str, plus: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' if plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Scrubber {
    /// Every form `value` may take in provider text, or none when it is too short.
    fn forms_of(value: &str) -> Vec<SecretString> {
        if value.chars().count() < MIN_SECRET_LEN {
            return Vec::new();
        }
        let json = serde_json::to_string(value).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(value)
            .to_owned();
        let mut forms: Vec<SecretString> = Vec::with_capacity(4);
        for form in [
            value.to_owned(),
            json,
            percent_encode(value, false),
            percent_encode(value, true),
        ] {
            if !forms.iter().any(|f| f.expose_secret() == form) {
                forms.push(SecretString::from(form));
            }
        }
        forms
    }

    /// Registers a secret for the client's whole life (a password, an API key).
    pub(crate) fn add(&mut self, value: &str) {
        for form in Self::forms_of(value) {
            if !self
                .forms
                .iter()
                .any(|f| f.expose_secret() == form.expose_secret())
            {
                self.forms.push(form);
            }
        }
        // Longest first, so a secret inside another is not half-replaced.
        self.forms
            .sort_by_key(|f| std::cmp::Reverse(f.expose_secret().len()));
    }

    /// Registers a value the client received while running (a token); only the last
    /// [`MAX_REMEMBERED`] are kept.
    pub(crate) fn remember(&mut self, value: &str) {
        let forms = Self::forms_of(value);
        let Some(first) = forms.first() else {
            return;
        };
        let known = self
            .forms
            .iter()
            .any(|f| f.expose_secret() == first.expose_secret())
            || self.remembered.iter().any(|group| {
                group
                    .first()
                    .is_some_and(|f| f.expose_secret() == first.expose_secret())
            });
        if known {
            return;
        }
        if self.remembered.len() == MAX_REMEMBERED {
            self.remembered.pop_front();
        }
        self.remembered.push_back(forms);
    }

    /// Every form to scrub, longest first.
    fn all_forms(&self) -> Vec<&SecretString> {
        let mut all: Vec<&SecretString> = self
            .forms
            .iter()
            .chain(self.remembered.iter().flatten())
            .collect();
        all.sort_by_key(|f| std::cmp::Reverse(f.expose_secret().len()));
        all
    }

    pub(crate) fn len(&self) -> usize {
        self.forms.len() + self.remembered.iter().map(Vec::len).sum::<usize>()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.forms.is_empty() && self.remembered.is_empty()
    }

    /// Replaces every registered secret in `text`, and a secret cut short at either edge
    /// of an excerpt (`…` next to at least 4 of its characters).
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let all = self.all_forms();
        for form in &all {
            let secret = form.expose_secret();
            if out.contains(secret) {
                out = out.replace(secret, REDACTED);
            }
        }
        for form in &all {
            let secret = form.expose_secret();
            let chars: Vec<(usize, char)> = secret.char_indices().collect();
            // `…tail` at the start: a suffix of the secret.
            if let Some(rest) = out.strip_prefix('…') {
                for &(i, _) in chars.iter().rev() {
                    let suffix = &secret[i..];
                    if suffix.chars().count() >= MIN_SECRET_LEN && rest.starts_with(suffix) {
                        out = format!("…{REDACTED}{}", &rest[suffix.len()..]);
                        break;
                    }
                }
            }
            // `head…` at the end: a prefix of the secret.
            if let Some(rest) = out.strip_suffix('…') {
                for &(i, _) in chars.iter().skip(MIN_SECRET_LEN) {
                    let prefix = &secret[..i];
                    if let Some(head) = rest.strip_suffix(prefix) {
                        out = format!("{head}{REDACTED}…");
                        break;
                    }
                }
            }
        }
        out
    }

    fn scrub_source(&self, source: crate::error::BoxError) -> crate::error::BoxError {
        match source.downcast::<Error>() {
            Ok(inner) => Box::new(self.scrub_error(*inner)),
            Err(other) => {
                let text = other.to_string();
                let scrubbed = self.scrub(&text);
                if scrubbed == text {
                    other
                } else {
                    Box::new(ScrubbedCause(scrubbed))
                }
            }
        }
    }

    /// Scrubs a refusal's message and its code: a code the provider's catalogue does not
    /// list is the provider's own text and may echo a secret. Such a code is replaced by a
    /// [`RawCode`](crate::RawCode) holding the scrubbed text; the refusal's disposition
    /// (`may_have_taken_effect`) is a field and does not change.
    fn scrub_rejection(&self, r: &mut crate::error::Rejection) {
        r.message = self.scrub(&r.message);
        let raw = r.code.raw();
        let clean = self.scrub(&raw);
        if clean != raw {
            r.code = Box::new(crate::error::RawCode(clean));
        }
    }

    pub(crate) fn scrub_error(&self, err: Error) -> Error {
        match err {
            Error::InvalidInput { field, reason } => Error::InvalidInput {
                field,
                reason: self.scrub(&reason),
            },
            Error::Rejected(mut r) => {
                self.scrub_rejection(&mut r);
                Error::Rejected(r)
            }
            Error::Auth(mut r) => {
                self.scrub_rejection(&mut r);
                Error::Auth(r)
            }
            Error::OutcomeUnknown(mut o) => {
                o.source = o.source.map(|s| self.scrub_source(s));
                Error::OutcomeUnknown(o)
            }
            Error::Transport {
                provider,
                operation,
                sent,
                source,
            } => Error::Transport {
                provider,
                operation,
                sent,
                source: self.scrub_source(source),
            },
            Error::Journal {
                provider,
                operation,
                source,
            } => Error::Journal {
                provider,
                operation,
                source: self.scrub_source(source),
            },
            Error::Http {
                provider,
                operation,
                status,
                excerpt,
            } => Error::Http {
                provider,
                operation,
                status,
                excerpt: self.scrub(&excerpt),
            },
            Error::Decode {
                provider,
                operation,
                path,
                message,
                excerpt,
            } => Error::Decode {
                provider,
                operation,
                path: self.scrub(&path),
                message: self.scrub(&message),
                excerpt: self.scrub(&excerpt),
            },
        }
    }
}

/// A cause whose text held one of the client's secrets, kept as scrubbed text.
#[derive(Debug)]
struct ScrubbedCause(String);

impl fmt::Display for ScrubbedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScrubbedCause {}

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

    #[test]
    fn tokens_remembered_at_run_time_are_bounded() {
        let mut scrubber = Scrubber::default();
        scrubber.add("fixed-password-1");
        for n in 0..100 {
            scrubber.remember(&format!("token-number-{n:03}"));
        }
        // The fixed secret and the last MAX_REMEMBERED tokens, one form each here.
        assert_eq!(scrubber.len(), 1 + MAX_REMEMBERED);
        let text = "fixed-password-1 token-number-099 token-number-092 token-number-091";
        assert_eq!(
            scrubber.scrub(text),
            "[REDACTED] [REDACTED] [REDACTED] token-number-091"
        );
        // Remembering a value again does not push the others out.
        scrubber.remember("token-number-099");
        assert!(scrubber.scrub("token-number-092").contains(REDACTED));
    }

    #[test]
    fn card_numbers_in_free_text_are_masked_and_nothing_else() {
        for (text, want) in [
            ("Payer 8600490212346744 ok", "Payer 860049******6744 ok"),
            ("4000123412341234567", "400012*********4567"),
            ("pan 860049021234", "pan 860049**1234"),
            ("8600-4929-6815-6744", "8600-49**-****-6744"),
            (
                "sum 150000.00, bill 99887766",
                "sum 150000.00, bill 99887766",
            ),
            ("12345678901234567890", "12345678901234567890"),
        ] {
            let got = super::mask_card_numbers(text);
            assert_eq!(got, want, "{text}");
        }
    }
}
