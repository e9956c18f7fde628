//! What a test shows of a [`kassa_core::Error`]: its kind by name, and a serializable view
//! for snapshots that holds everything a caller may act on.
//!
//! ```
//! use kassa_core::{Effect, Error, Operation, RawCode};
//! let pay = Operation::new("p", "pay", Effect::Once);
//! let err = Error::from_code(&pay, Some(200), RawCode("1111".into()), "try later");
//! assert_eq!(kassa_testkit::kind(&err), "OutcomeUnknown");
//! assert_eq!(kassa_testkit::kind_snake(&err), "outcome_unknown");
//! let view = kassa_testkit::ErrorView::of(&err);
//! assert_eq!(view.code.as_deref(), Some("1111"));
//! assert!(view.may_have_taken_effect);
//! ```

use kassa_core::Error;
use serde::Serialize;

/// The error's kind, as its variant is named: `InvalidInput`, `Rejected`, `Auth`,
/// `OutcomeUnknown`, `Transport`, `Http`, `Decode` (`other` for a kind added later).
///
/// ```
/// assert_eq!(kassa_testkit::kind(&kassa_core::Error::invalid("a", "b")), "InvalidInput");
/// ```
pub fn kind(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput { .. } => "InvalidInput",
        Error::Rejected(_) => "Rejected",
        Error::Auth(_) => "Auth",
        Error::OutcomeUnknown(_) => "OutcomeUnknown",
        Error::Transport { .. } => "Transport",
        Error::Http { .. } => "Http",
        Error::Decode { .. } => "Decode",
        _ => "other",
    }
}

/// The error's kind in snake case, as the CLI's error line names it: `invalid_input`,
/// `rejected`, `auth`, `outcome_unknown`, `transport`, `http`, `decode` (`other` for a kind
/// added later).
///
/// ```
/// assert_eq!(kassa_testkit::kind_snake(&kassa_core::Error::invalid("a", "b")), "invalid_input");
/// ```
pub fn kind_snake(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput { .. } => "invalid_input",
        Error::Rejected(_) => "rejected",
        Error::Auth(_) => "auth",
        Error::OutcomeUnknown(_) => "outcome_unknown",
        Error::Transport { .. } => "transport",
        Error::Http { .. } => "http",
        Error::Decode { .. } => "decode",
        _ => "other",
    }
}

/// What a snapshot shows of an error: its kind, its text, the provider's code (found through
/// an outcome-unknown's cause too), and the answers to "may money have moved", "retry?" and
/// "what to ask". A provider's test view can add its own fields beside it with
/// `#[serde(flatten)]`.
///
/// ```
/// let view = kassa_testkit::ErrorView::of(&kassa_core::Error::invalid("amount", "must be positive"));
/// assert_eq!(view.kind, "InvalidInput");
/// assert_eq!(view.field.as_deref(), Some("amount"));
/// assert_eq!(view.code, None);
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct ErrorView {
    /// [`kind`] of the error.
    pub kind: &'static str,
    /// Its `Display` text.
    pub message: String,
    /// The operation it belongs to.
    pub operation: Option<&'static str>,
    /// The provider's raw code, here or down the source chain.
    pub code: Option<String>,
    /// The HTTP status of a refusal (here or down the source chain) or of an HTTP error.
    pub http_status: Option<u16>,
    /// The field of an invalid-input error.
    pub field: Option<String>,
    /// [`Error::may_have_taken_effect`].
    pub may_have_taken_effect: bool,
    /// [`Error::is_retryable`].
    pub retryable: bool,
    /// The status call an outcome-unknown names.
    pub reconcile: Option<String>,
    /// The idempotency key an outcome-unknown carries.
    pub key: Option<String>,
    /// The advice an outcome-unknown gives when there is no status call.
    pub advice: Option<String>,
}

impl ErrorView {
    /// The view of `e`.
    ///
    /// ```
    /// use kassa_core::{Effect, Error, Operation, RawCode, Reconcile};
    /// let pay = Operation::new("p", "pay", Effect::Once).reconcile_with(Reconcile::new("status"));
    /// let view = kassa_testkit::ErrorView::of(&pay.outcome_unknown(std::io::Error::other("reset")));
    /// assert_eq!(view.reconcile.as_deref(), Some("status"));
    /// ```
    pub fn of(e: &Error) -> ErrorView {
        let unknown = e.outcome_unknown();
        ErrorView {
            kind: kind(e),
            message: e.to_string(),
            operation: e.operation(),
            code: e.provider_code_anywhere(),
            http_status: e
                .rejection_anywhere()
                .and_then(|r| r.http_status)
                .or(match e {
                    Error::Http { status, .. } => Some(*status),
                    _ => None,
                }),
            field: e.field().map(str::to_owned),
            may_have_taken_effect: e.may_have_taken_effect(),
            retryable: e.is_retryable(),
            reconcile: unknown
                .and_then(|u| u.reconcile.as_ref())
                .map(ToString::to_string),
            key: unknown.and_then(|u| u.key.clone()),
            advice: unknown.and_then(|u| u.advice).map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_core::{Effect, Operation, RawCode, Reconcile};

    #[test]
    fn the_view_reads_through_an_outcome_unknown() {
        let pay = Operation::new("p", "pay", Effect::Once)
            .keyed("k-9")
            .reconcile_with(Reconcile::new("status").param("id", "9"));
        let e = Error::from_code(&pay, Some(503), RawCode("busy".into()), "later");
        let v = ErrorView::of(&e);
        assert_eq!(
            (v.kind, v.code.as_deref(), v.http_status),
            ("OutcomeUnknown", Some("busy"), Some(503))
        );
        assert_eq!(v.reconcile.as_deref(), Some("status with id=9"));
        assert_eq!(v.key.as_deref(), Some("k-9"));
        assert_eq!(v.operation, Some("pay"));
        assert!(v.may_have_taken_effect && !v.retryable);
        assert_eq!(kind_snake(&e), "outcome_unknown");
    }
}
