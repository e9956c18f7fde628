//! Requests a provider sends to us (webhooks, callbacks): what was proven and what was
//! only claimed.
//!
//! A notification is a claim until its signature is checked. [`verify`] compares the
//! signature the provider sent with the one computed over the received bytes, in constant
//! time, and only it makes a [`Verified`] value. Anything else is [`Unverified`]: treat it
//! as a hint and ask the provider's status call to learn the truth.
//!
//! ```
//! use kassa_core::inbound::{self, Verified};
//! let body = br#"{"billId": 7, "status": "PAID"}"#;
//! let computed = b"c0ffee"; // the provider crate computes it over `body` with its secret
//! match inbound::verify(body.to_vec(), computed, b"c0ffee") {
//!     Ok(verified) => assert_eq!(verified.get().len(), body.len()),
//!     Err(unverified) => panic!("{}", unverified.reason()),
//! }
//! ```

use std::fmt;

use subtle::ConstantTimeEq;

/// Compares two byte strings in time that depends only on their lengths, never on where
/// they differ (for signatures and tokens).
///
/// ```
/// use kassa_core::inbound::constant_time_eq;
/// assert!(constant_time_eq(b"abc", b"abc"));
/// assert!(!constant_time_eq(b"abc", b"abd"));
/// assert!(!constant_time_eq(b"abc", b"ab"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A value whose signature was checked. Made only by [`verify`].
///
/// ```
/// let v = kassa_core::inbound::verify("paid", b"sig", b"sig").expect("signed");
/// assert_eq!(*v.get(), "paid");
/// assert_eq!(v.into_inner(), "paid");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T>(T);

impl<T> Verified<T> {
    /// The verified value.
    ///
    /// ```
    /// let v = kassa_core::inbound::verify(1, b"s", b"s").expect("signed");
    /// assert_eq!(*v.get(), 1);
    /// ```
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The verified value, by value.
    ///
    /// ```
    /// let v = kassa_core::inbound::verify(1, b"s", b"s").expect("signed");
    /// assert_eq!(v.into_inner(), 1);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }

    /// The same proof over a value derived from this one (the parsed body of a verified
    /// byte string).
    ///
    /// ```
    /// let v = kassa_core::inbound::verify(b"7".to_vec(), b"s", b"s").expect("signed");
    /// let n = v.map(|b| b.len());
    /// assert_eq!(*n.get(), 1);
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verified<U> {
        Verified(f(self.0))
    }
}

/// A value nobody vouched for: a notification without a signature, or whose signature
/// did not match. Its content is what the sender *claims*; ask the provider's status call
/// to learn the truth before acting on it (never credit or ship on it).
///
/// ```
/// use kassa_core::inbound::Unverified;
/// let u = Unverified::new("PAID", "the provider does not sign notifications");
/// assert_eq!(*u.claimed(), "PAID");
/// assert!(u.reason().contains("does not sign"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Unverified<T> {
    value: T,
    reason: &'static str,
}

impl<T> Unverified<T> {
    /// A claim, with the reason it is not verified.
    ///
    /// ```
    /// let u = kassa_core::inbound::Unverified::new(1, "no signature header");
    /// assert_eq!(u.reason(), "no signature header");
    /// ```
    pub fn new(value: T, reason: &'static str) -> Unverified<T> {
        Unverified { value, reason }
    }

    /// What the sender claims: a hint to ask the provider's status call, not a fact.
    ///
    /// ```
    /// let u = kassa_core::inbound::Unverified::new("PAID", "unsigned");
    /// assert_eq!(*u.claimed(), "PAID");
    /// ```
    pub fn claimed(&self) -> &T {
        &self.value
    }

    /// The claim, by value (to find what to ask the status call about).
    ///
    /// ```
    /// let u = kassa_core::inbound::Unverified::new(7u64, "unsigned");
    /// assert_eq!(u.into_claimed(), 7);
    /// ```
    pub fn into_claimed(self) -> T {
        self.value
    }

    /// Why it is not verified.
    ///
    /// ```
    /// let u = kassa_core::inbound::verify((), b"a", b"b").unwrap_err();
    /// assert_eq!(u.reason(), "the signature does not match");
    /// ```
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl<T: fmt::Debug> fmt::Debug for Unverified<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unverified")
            .field("claimed", &self.value)
            .field("reason", &self.reason)
            .finish()
    }
}

/// Checks `presented` (the signature the request carried) against `computed` (the one
/// the provider crate computed over the received bytes with the shared secret), in
/// constant time. Equal and non-empty: [`Verified`]; else [`Unverified`].
///
/// ```
/// use kassa_core::inbound::verify;
/// assert!(verify("x", b"abc", b"abc").is_ok());
/// assert!(verify("x", b"abc", b"ABC").is_err());
/// assert!(verify("x", b"", b"").is_err());
/// ```
pub fn verify<T>(
    value: T,
    computed: &[u8],
    presented: &[u8],
) -> Result<Verified<T>, Unverified<T>> {
    if computed.is_empty() || presented.is_empty() {
        return Err(Unverified::new(value, "no signature to check"));
    }
    if constant_time_eq(computed, presented) {
        Ok(Verified(value))
    } else {
        Err(Unverified::new(value, "the signature does not match"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_matching_signature_verifies() {
        let body = br#"{"id": 1, "status": "PAID"}"#.to_vec();
        let ok = verify(body.clone(), b"9f86d081", b"9f86d081").expect("matches");
        assert_eq!(ok.get(), &body);
        for (computed, presented, why) in [
            (&b"9f86d081"[..], &b"9f86d082"[..], "does not match"),
            (b"9f86d081", b"9f86d08", "does not match"),
            (b"9f86d081", b"9F86D081", "does not match"),
            (b"9f86d081", b"", "no signature"),
            (b"", b"", "no signature"),
        ] {
            let err = verify(body.clone(), computed, presented).expect_err("must not verify");
            assert!(err.reason().contains(why), "{}", err.reason());
            assert_eq!(err.claimed(), &body);
        }
    }

    #[test]
    fn constant_time_eq_is_plain_equality() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sama"));
        assert!(!constant_time_eq(b"same", b"same "));
    }
}
