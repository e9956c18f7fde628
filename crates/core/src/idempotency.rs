//! Idempotency keys: the value a provider uses to apply a repeated request once.
//!
//! Mark an operation [`Effect::Keyed`](crate::Effect::Keyed) only when the provider
//! answers a repeated key with the same result; otherwise it is
//! [`Effect::Once`](crate::Effect::Once) with a reconcile step (see the rule on `Keyed`).
//!
//! ```
//! use kassa_core::{Effect, Operation, idempotency::IdempotencyKey};
//! let key = IdempotencyKey::new_v4();
//! let op = Operation::new("p", "payment", Effect::Once).keyed(key.clone());
//! assert_eq!(op.key(), Some(key.as_str()));
//! ```

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Sent};

/// A validated idempotency key: 1 to 255 printable ASCII characters, no whitespace.
///
/// ```
/// use kassa_core::idempotency::IdempotencyKey;
/// assert_eq!(IdempotencyKey::new("order-1")?.as_str(), "order-1");
/// assert!(IdempotencyKey::new("").is_err());
/// assert!(IdempotencyKey::new("a b").is_err());
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Validates a key; the error names the field `idempotency key`.
    ///
    /// ```
    /// let e = kassa_core::idempotency::IdempotencyKey::new("ключ").unwrap_err();
    /// assert_eq!(e.field(), Some("idempotency key"));
    /// ```
    pub fn new(key: impl Into<String>) -> Result<IdempotencyKey, Error> {
        let key = key.into();
        if key.is_empty() || key.len() > 255 {
            return Err(Error::invalid(
                "idempotency key",
                format!("must be 1 to 255 characters, got {}", key.chars().count()),
            ));
        }
        if let Some(c) = key.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(Error::invalid(
                "idempotency key",
                format!("printable ASCII without spaces only, got {c:?}"),
            ));
        }
        Ok(IdempotencyKey(key))
    }

    /// A fresh random key: a lower-case UUID v4 (`8c5f…-4…`, 36 characters).
    ///
    /// ```
    /// let k = kassa_core::idempotency::IdempotencyKey::new_v4();
    /// assert_eq!(k.as_str().len(), 36);
    /// assert_eq!(&k.as_str()[14..15], "4");
    /// assert_ne!(k, kassa_core::idempotency::IdempotencyKey::new_v4());
    /// ```
    pub fn new_v4() -> IdempotencyKey {
        let bytes = fastrand::u128(..).to_le_bytes();
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        IdempotencyKey(id.hyphenated().to_string())
    }

    /// The key's text.
    ///
    /// ```
    /// assert_eq!(kassa_core::idempotency::IdempotencyKey::new("k1")?.as_str(), "k1");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> String {
        k.0
    }
}

impl FromStr for IdempotencyKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<IdempotencyKey, Error> {
        IdempotencyKey::new(s)
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IdempotencyKey, D::Error> {
        let s = String::deserialize(d)?;
        IdempotencyKey::new(s).map_err(de::Error::custom)
    }
}

impl Error {
    /// True when sending the same request again *with the same idempotency key* is safe:
    /// the call was [`Effect::Keyed`](crate::Effect::Keyed) and its outcome is unknown (the
    /// provider applies the key once and answers the repeat with the first result), or
    /// nothing was sent, or the error is retryable as [`Error::is_retryable`] says.
    /// False for an outcome-unknown `Once` call (reconcile first), for refusals that are
    /// not retryable and for bad input.
    ///
    /// ```
    /// use kassa_core::{Effect, Error, Operation};
    /// let keyed = Operation::new("p", "payment", Effect::Once).keyed("k1");
    /// assert!(keyed.outcome_unknown(std::io::Error::other("reset")).resend_with_same_key_is_safe());
    /// let once = Operation::new("p", "pay", Effect::Once);
    /// assert!(!once.outcome_unknown(std::io::Error::other("reset")).resend_with_same_key_is_safe());
    /// assert!(!Error::invalid("amount", "must be positive").resend_with_same_key_is_safe());
    /// ```
    pub fn resend_with_same_key_is_safe(&self) -> bool {
        match self {
            Error::OutcomeUnknown(o) => o.key.is_some(),
            Error::InvalidInput { .. } => false,
            other => other.was_sent() == Sent::No || other.is_retryable(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Effect, Operation, RawCode};

    #[test]
    fn keys_are_validated() {
        assert!(IdempotencyKey::new("a".repeat(255)).is_ok());
        for bad in [
            String::new(),
            "a".repeat(256),
            "a b".into(),
            "a\tb".into(),
            "a\n".into(),
            "é".into(),
            "\u{7f}".into(),
        ] {
            let err = IdempotencyKey::new(bad.clone()).expect_err(&bad);
            assert_eq!(err.field(), Some("idempotency key"), "{bad:?}");
        }
        assert!(serde_json::from_str::<IdempotencyKey>(r#""x y""#).is_err());
        let k: IdempotencyKey = serde_json::from_str(r#""order-7""#).expect("reads");
        assert_eq!(serde_json::to_string(&k).expect("writes"), r#""order-7""#);
    }

    #[test]
    fn v4_keys_are_lower_case_uuids_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let k = IdempotencyKey::new_v4();
            let id = uuid::Uuid::parse_str(k.as_str()).expect("a uuid");
            assert_eq!(id.get_version_num(), 4);
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(k.as_str(), k.as_str().to_ascii_lowercase());
            assert!(IdempotencyKey::new(k.as_str()).is_ok());
            assert!(seen.insert(k));
        }
    }

    #[test]
    fn only_keyed_or_unsent_failures_may_be_resent_with_the_key() {
        let keyed = Operation::new("p", "payment", Effect::Once).keyed("k1");
        let once = Operation::new("p", "pay", Effect::Once);
        assert!(
            keyed
                .outcome_unknown(std::io::Error::other("timeout"))
                .resend_with_same_key_is_safe()
        );
        assert!(
            !once
                .outcome_unknown(std::io::Error::other("timeout"))
                .resend_with_same_key_is_safe()
        );
        let unsent = Error::Transport {
            provider: "p",
            operation: "pay",
            sent: Sent::No,
            source: "connection refused".into(),
        };
        assert!(unsent.resend_with_same_key_is_safe());
        let refused = Error::rejected("p", "pay", Some(400), RawCode("bad".into()), "no");
        assert!(!refused.resend_with_same_key_is_safe());
    }
}
