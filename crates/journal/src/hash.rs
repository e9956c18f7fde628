//! The keyed hash of a request: HMAC-SHA-256 under a random key made with the journal and
//! kept in it. The same request gives the same hash in the same journal, so a store can tell
//! whether a repeated `Keyed` call is the same request; a hash cannot be tested against a
//! guessed card number without the journal's key. The body itself is never stored.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A journal's request hasher.
///
/// ```
/// use kassa_journal::hash::RequestHasher;
/// let h = RequestHasher::from_key([7; 32]);
/// assert_eq!(h.hash(b"{}"), h.hash(b"{}"));
/// assert_ne!(h.hash(b"{}"), RequestHasher::from_key([8; 32]).hash(b"{}"));
/// assert_eq!(h.hash(b"{}").len(), 64);
/// ```
#[derive(Clone)]
pub struct RequestHasher {
    key: [u8; 32],
}

impl fmt::Debug for RequestHasher {
    /// The key is never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestHasher(..)")
    }
}

impl RequestHasher {
    /// A hasher with a new random key from the operating system.
    ///
    /// ```
    /// let a = kassa_journal::hash::RequestHasher::random()?;
    /// let b = kassa_journal::hash::RequestHasher::random()?;
    /// assert_ne!(a.key(), b.key());
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn random() -> Result<RequestHasher, kassa_core::journal::JournalError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| format!("no random key: {e}"))?;
        Ok(RequestHasher { key })
    }

    /// A hasher with a key kept by the store.
    ///
    /// ```
    /// let h = kassa_journal::hash::RequestHasher::from_key([1; 32]);
    /// assert_eq!(h.key(), &[1; 32]);
    /// ```
    pub fn from_key(key: [u8; 32]) -> RequestHasher {
        RequestHasher { key }
    }

    /// The key, for the store to keep.
    ///
    /// ```
    /// assert_eq!(kassa_journal::hash::RequestHasher::from_key([2; 32]).key().len(), 32);
    /// ```
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The hash of `request`, as 64 lower-case hex digits.
    ///
    /// ```
    /// let h = kassa_journal::hash::RequestHasher::from_key([0; 32]);
    /// assert!(h.hash(b"x").chars().all(|c| c.is_ascii_hexdigit()));
    /// ```
    pub fn hash(&self, request: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(request);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
