//! One error type that says what happened to the money.
//!
//! Every [`Error`] answers three questions without reading strings:
//! [`Error::was_sent`], [`Error::may_have_taken_effect`] and [`Error::is_retryable`].
//!
//! ```
//! use kassa_core::{Error, Sent};
//! let err = Error::invalid("amount", "must be positive");
//! assert_eq!(err.was_sent(), Sent::No);
//! assert!(!err.may_have_taken_effect());
//! assert_eq!(err.field(), Some("amount"));
//! ```

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;

use crate::request::Operation;

/// A boxed error kept as a `source()`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Whether a request left this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Certainly not: nothing reached the provider (bad input, connection refused, DNS).
    No,
    /// Perhaps: the request may have reached the provider (timeout, reset after writing).
    Maybe,
    /// Yes: the provider answered.
    Yes,
}

impl fmt::Display for Sent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sent::No => "nothing was sent",
            Sent::Maybe => "the request may have reached the provider",
            Sent::Yes => "the provider answered",
        })
    }
}

/// A provider's own error code, typed by the provider crate (e.g. an enum of its catalogue).
///
/// Keep an `Unknown(String)` case so codes the crate does not know yet are kept as they came.
///
/// ```
/// use kassa_core::ProviderCode;
/// #[derive(Debug)]
/// enum Code { NotFound, Unknown(String) }
/// impl std::fmt::Display for Code {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.raw()) }
/// }
/// impl ProviderCode for Code {
///     fn raw(&self) -> String {
///         match self { Code::NotFound => "not_found".into(), Code::Unknown(s) => s.clone() }
///     }
/// }
/// assert_eq!(Code::NotFound.raw(), "not_found");
/// assert!(!Code::NotFound.may_have_taken_effect());
/// ```
pub trait ProviderCode: fmt::Debug + fmt::Display + Send + Sync + Any {
    /// The code exactly as the provider sent it (`"bill_not_found"`, `"1008"`, `"27"`).
    fn raw(&self) -> String;
    /// True when the provider says money may have moved despite the refusal
    /// (e.g. a failed debit that still needs a reverse).
    fn may_have_taken_effect(&self) -> bool {
        false
    }
    /// True when the same request may simply be sent again later.
    fn is_retryable(&self) -> bool {
        false
    }
    /// True when the code says, by the provider's document, that the request was refused
    /// and nothing took effect (not enough funds, unknown account, bad amount). Only such a
    /// code is a plain refusal on an operation that changes state; any other code there
    /// leaves the outcome unknown. Default: false, the safe answer for a code nobody checked.
    fn is_definite_refusal(&self) -> bool {
        false
    }
    /// True when the code refuses the credentials, the token or the session: nothing was
    /// done, and the caller must fix the credentials ([`Error::Auth`]).
    fn is_credentials(&self) -> bool {
        false
    }
    /// True when the code is the provider's documented "the token expired" answer: a fresh
    /// token and one resend may help. Such a code is a credentials refusal too.
    fn refresh_helps(&self) -> bool {
        false
    }
    /// What this code means on `op`: the one money-safety rule, applied by
    /// [`Error::from_code`]. The default reads the predicates above and the operation's effect:
    ///
    /// | code says | `Read` / `Auth` | `Keyed` / `Once` |
    /// |---|---|---|
    /// | credentials ([`is_credentials`](Self::is_credentials), [`refresh_helps`](Self::refresh_helps)) | [`Disposition::Credentials`] | [`Disposition::Credentials`] |
    /// | money may have moved ([`may_have_taken_effect`](Self::may_have_taken_effect)) | [`Disposition::Refused`] | [`Disposition::MoneyMayHaveMoved`] |
    /// | definite refusal ([`is_definite_refusal`](Self::is_definite_refusal)) | [`Disposition::Refused`] | [`Disposition::Refused`] |
    /// | anything else, unknown codes included | [`Disposition::Refused`] | [`Disposition::OutcomeUnknown`] |
    ///
    /// Override it only for a code whose meaning the table cannot say, and say why.
    ///
    /// ```
    /// use kassa_core::{Disposition, Effect, Operation, ProviderCode, RawCode};
    /// let code = RawCode("E42".into());
    /// assert_eq!(code.disposition(&Operation::new("p", "status", Effect::Read)), Disposition::Refused);
    /// assert_eq!(code.disposition(&Operation::new("p", "pay", Effect::Once)), Disposition::OutcomeUnknown);
    /// ```
    fn disposition(&self, op: &Operation) -> Disposition {
        if self.is_credentials() || self.refresh_helps() {
            return Disposition::Credentials;
        }
        if !op.effect.changes_state() {
            return Disposition::Refused;
        }
        if self.may_have_taken_effect() {
            Disposition::MoneyMayHaveMoved
        } else if self.is_definite_refusal() {
            Disposition::Refused
        } else {
            Disposition::OutcomeUnknown
        }
    }
}

/// What a provider's code means for the operation it answered; see
/// [`ProviderCode::disposition`] and [`Error::from_code`].
///
/// ```
/// use kassa_core::Disposition;
/// assert!(Disposition::MoneyMayHaveMoved.may_have_taken_effect());
/// assert!(!Disposition::Refused.may_have_taken_effect());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disposition {
    /// Refused; nothing took effect: [`Error::Rejected`].
    Refused,
    /// The credentials or the token were refused; nothing took effect: [`Error::Auth`].
    Credentials,
    /// The code does not say the request was refused on a call that changes state:
    /// [`Error::OutcomeUnknown`] naming the reconcile step, the refusal as its source.
    OutcomeUnknown,
    /// The code says money may have moved (a failed debit that needs a reverse):
    /// [`Error::OutcomeUnknown`] naming the reconcile step, the refusal as its source.
    MoneyMayHaveMoved,
}

impl Disposition {
    /// True for the dispositions that leave money possibly moved.
    ///
    /// ```
    /// assert!(kassa_core::Disposition::OutcomeUnknown.may_have_taken_effect());
    /// ```
    pub fn may_have_taken_effect(self) -> bool {
        matches!(
            self,
            Disposition::OutcomeUnknown | Disposition::MoneyMayHaveMoved
        )
    }
}

/// A code kassa keeps as text only, for providers or cases without a typed catalogue.
///
/// ```
/// use kassa_core::{ProviderCode, RawCode};
/// assert_eq!(RawCode("E42".into()).raw(), "E42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCode(pub String);

impl fmt::Display for RawCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ProviderCode for RawCode {
    fn raw(&self) -> String {
        self.0.clone()
    }
}

/// The provider answered and refused the request (or the credentials).
///
/// ```
/// use kassa_core::{Rejection, RawCode};
/// let r = Rejection::new("anor-bm", "status", Some(400), RawCode("bill_not_found".into()), "Bill not found");
/// assert_eq!(r.code.raw(), "bill_not_found");
/// assert!(r.to_string().contains("bill_not_found"));
/// ```
#[derive(Debug)]
pub struct Rejection {
    /// Provider name, as in the operation catalogue.
    pub provider: &'static str,
    /// Operation name, as in the operation catalogue.
    pub operation: &'static str,
    /// HTTP status of the answer, when it came over HTTP.
    pub http_status: Option<u16>,
    /// The provider's code, typed by the provider crate.
    pub code: Box<dyn ProviderCode>,
    /// The provider's message (not a secret; shown as the provider wrote it).
    pub message: String,
    /// Whether money may have moved: the code's own
    /// [`ProviderCode::may_have_taken_effect`], except on an operation that moves no
    /// money (a `Read` or `Auth` refused through [`Error::from_code`]), where it is false.
    pub may_have_taken_effect: bool,
}

impl Rejection {
    /// Builds a rejection.
    ///
    /// ```
    /// let r = kassa_core::Rejection::new("p", "op", None, kassa_core::RawCode("1".into()), "no");
    /// assert_eq!(r.http_status, None);
    /// ```
    pub fn new(
        provider: &'static str,
        operation: &'static str,
        http_status: Option<u16>,
        code: impl ProviderCode,
        message: impl Into<String>,
    ) -> Rejection {
        Rejection {
            provider,
            operation,
            http_status,
            may_have_taken_effect: code.may_have_taken_effect(),
            code: Box::new(code),
            message: message.into(),
        }
    }

    /// The typed code, when it is of type `C`.
    ///
    /// ```
    /// use kassa_core::{Rejection, RawCode};
    /// let r = Rejection::new("p", "op", None, RawCode("x".into()), "");
    /// assert_eq!(r.code_as::<RawCode>(), Some(&RawCode("x".into())));
    /// ```
    pub fn code_as<C: ProviderCode>(&self) -> Option<&C> {
        let any: &dyn Any = self.code.as_ref();
        any.downcast_ref::<C>()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} refused", self.provider, self.operation)?;
        if let Some(status) = self.http_status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, ": {}", self.code.raw())?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if self.may_have_taken_effect {
            f.write_str(" [money may have moved: check the status before acting]")?;
        }
        Ok(())
    }
}

/// How to learn what became of a request whose answer was lost.
///
/// ```
/// let r = kassa_core::Reconcile::new("status").param("billId", "935191");
/// assert_eq!(r.to_string(), "status with billId=935191");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconcile {
    /// The operation to ask, as named in the catalogue (`status`, `payment-status`).
    pub operation: &'static str,
    /// Its parameters, under the provider's wire names.
    pub params: Vec<(&'static str, String)>,
}

impl Reconcile {
    /// A reconcile step that asks `operation`.
    ///
    /// ```
    /// assert!(kassa_core::Reconcile::new("status").params.is_empty());
    /// ```
    pub fn new(operation: &'static str) -> Reconcile {
        Reconcile {
            operation,
            params: Vec::new(),
        }
    }

    /// Adds a parameter.
    ///
    /// ```
    /// let r = kassa_core::Reconcile::new("payment-status").param("orderId", "A-1");
    /// assert_eq!(r.params, vec![("orderId", "A-1".to_string())]);
    /// ```
    pub fn param(mut self, name: &'static str, value: impl Into<String>) -> Reconcile {
        self.params.push((name, value.into()));
        self
    }
}

impl fmt::Display for Reconcile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation)?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " with " } else { ", " })?;
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

/// The request may have reached the provider and its answer is unknown: money may have
/// moved. Never resend blindly; ask [`OutcomeUnknown::reconcile`] first.
///
/// ```
/// use kassa_core::{OutcomeUnknown, Reconcile};
/// let o = OutcomeUnknown::new("anor-bm", "unregistered-pay")
///     .with_reconcile(Reconcile::new("status").param("billId", "1"));
/// assert!(o.to_string().contains("ask status with billId=1"));
/// ```
#[derive(Debug)]
pub struct OutcomeUnknown {
    /// Provider name.
    pub provider: &'static str,
    /// The operation whose outcome is unknown.
    pub operation: &'static str,
    /// The idempotency key the request carried, if any.
    pub key: Option<String>,
    /// The status call that tells what happened, when the provider has one.
    pub reconcile: Option<Reconcile>,
    /// What to do when there is no status call.
    pub advice: Option<&'static str>,
    /// What went wrong (timeout, reset, unreadable answer).
    pub source: Option<BoxError>,
}

impl OutcomeUnknown {
    /// An outcome-unknown error for an operation.
    ///
    /// ```
    /// let o = kassa_core::OutcomeUnknown::new("p", "pay");
    /// assert!(o.reconcile.is_none());
    /// ```
    pub fn new(provider: &'static str, operation: &'static str) -> OutcomeUnknown {
        OutcomeUnknown {
            provider,
            operation,
            key: None,
            reconcile: None,
            advice: None,
            source: None,
        }
    }

    /// Names the status call to ask.
    ///
    /// ```
    /// let o = kassa_core::OutcomeUnknown::new("p", "pay").with_reconcile(kassa_core::Reconcile::new("status"));
    /// assert!(o.reconcile.is_some());
    /// ```
    pub fn with_reconcile(mut self, reconcile: Reconcile) -> OutcomeUnknown {
        self.reconcile = Some(reconcile);
        self
    }

    /// Sets the advice for providers with no status call.
    ///
    /// ```
    /// let o = kassa_core::OutcomeUnknown::new("p", "pay").with_advice("check the balance");
    /// assert!(o.to_string().contains("check the balance"));
    /// ```
    pub fn with_advice(mut self, advice: &'static str) -> OutcomeUnknown {
        self.advice = Some(advice);
        self
    }

    /// Keeps the cause.
    ///
    /// ```
    /// let o = kassa_core::OutcomeUnknown::new("p", "pay").with_source(std::io::Error::other("reset"));
    /// assert!(o.source.is_some());
    /// ```
    pub fn with_source(mut self, source: impl Into<BoxError>) -> OutcomeUnknown {
        self.source = Some(source.into());
        self
    }
}

impl std::error::Error for OutcomeUnknown {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: outcome unknown, the request may have taken effect",
            self.provider, self.operation
        )?;
        if let Some(key) = &self.key {
            write!(f, " (key {key})")?;
        }
        if let Some(src) = &self.source {
            write!(f, " after: {src}")?;
        }
        if let Some(r) = &self.reconcile {
            write!(f, "; do not resend, ask {r}")?;
        }
        if let Some(a) = self.advice {
            write!(f, "; {a}")?;
        }
        Ok(())
    }
}

/// The one error of every kassa client.
///
/// Secrets never appear in it: transport errors drop URLs, excerpts are redacted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input is invalid; nothing was sent.
    #[error("invalid `{field}`: {reason}")]
    InvalidInput {
        /// The field, under the name the caller uses (`amount`, `billId`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The provider refused the request with its own code.
    #[error("{0}")]
    Rejected(Box<Rejection>),
    /// The provider refused the credentials or the token.
    #[error("authentication failed: {0}")]
    Auth(Box<Rejection>),
    /// The request may have taken effect and its answer is unknown. Its `source()` is the
    /// cause (the timeout, the reset, the unreadable answer).
    #[error(transparent)]
    OutcomeUnknown(Box<OutcomeUnknown>),
    /// The request failed in transit on an operation that moves no money. The message
    /// says the cause (`DNS lookup of host failed`, `connection refused by host:port`,
    /// `timed out after 1 s`) and may name the host, never the URL's user, password or query.
    #[error("{provider} {operation}: {cause} ({sent})", cause = transport_cause(source))]
    Transport {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// Whether it left.
        sent: Sent,
        /// The cause (URLs removed).
        #[source]
        source: BoxError,
    },
    /// An HTTP status the provider's protocol does not explain.
    #[error("{provider} {operation}: unexpected HTTP {status}: {excerpt}")]
    Http {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// The status.
        status: u16,
        /// A short redacted excerpt of the body.
        excerpt: String,
    },
    /// The answer could not be read.
    #[error(
        "{provider} {operation}: cannot read the answer at `{path}`: {message}; near `{excerpt}`"
    )]
    Decode {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// JSON path of the failure (`data.items[2].amount`), `.` for the whole body.
        path: String,
        /// What was wrong.
        message: String,
        /// A short redacted excerpt of the body around the failure.
        excerpt: String,
    },
    /// The intent journal could not record the call, so it was not sent.
    #[error("{provider} {operation}: not sent, the journal could not record it: {source}")]
    Journal {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// The store's error.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// Invalid input naming `field`.
    ///
    /// ```
    /// let e = kassa_core::Error::invalid("otp", "digits only");
    /// assert_eq!(e.to_string(), "invalid `otp`: digits only");
    /// ```
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A provider refusal.
    ///
    /// ```
    /// let e = kassa_core::Error::rejected("p", "op", Some(400), kassa_core::RawCode("c".into()), "m");
    /// assert_eq!(e.provider_code().as_deref(), Some("c"));
    /// ```
    pub fn rejected(
        provider: &'static str,
        operation: &'static str,
        http_status: Option<u16>,
        code: impl ProviderCode,
        message: impl Into<String>,
    ) -> Error {
        Error::Rejected(Box::new(Rejection::new(
            provider,
            operation,
            http_status,
            code,
            message,
        )))
    }

    /// An authentication refusal.
    ///
    /// ```
    /// let e = kassa_core::Error::auth("p", "login", Some(401), kassa_core::RawCode("bad_credentials".into()), "");
    /// assert!(e.is_auth());
    /// ```
    pub fn auth(
        provider: &'static str,
        operation: &'static str,
        http_status: Option<u16>,
        code: impl ProviderCode,
        message: impl Into<String>,
    ) -> Error {
        Error::Auth(Box::new(Rejection::new(
            provider,
            operation,
            http_status,
            code,
            message,
        )))
    }

    /// The error for a provider's `code` answered to `op`: the one place where a code
    /// becomes a refusal, a credentials refusal or an outcome-unknown, by
    /// [`ProviderCode::disposition`]. An outcome-unknown carries the operation's key and
    /// reconcile step, and keeps the refusal (with its typed code) as its source, where
    /// [`Error::code_anywhere`] finds it.
    ///
    /// ```
    /// use kassa_core::{Effect, Error, Operation, RawCode, Reconcile};
    /// let status = Operation::new("p", "status", Effect::Read);
    /// let e = Error::from_code(&status, Some(200), RawCode("E42".into()), "no such bill");
    /// assert!(matches!(e, Error::Rejected(_)));
    ///
    /// let pay = Operation::new("p", "pay", Effect::Once)
    ///     .reconcile_with(Reconcile::new("status").param("billId", "7"));
    /// let e = Error::from_code(&pay, Some(200), RawCode("E42".into()), "no such bill");
    /// assert!(e.may_have_taken_effect());
    /// assert_eq!(e.code_anywhere::<RawCode>(), Some(&RawCode("E42".into())));
    /// assert!(e.to_string().contains("ask status with billId=7"));
    /// ```
    pub fn from_code(
        op: &Operation,
        http_status: Option<u16>,
        code: impl ProviderCode,
        message: impl Into<String>,
    ) -> Error {
        let disposition = code.disposition(op);
        let mut rejection = Rejection::new(op.provider, op.name, http_status, code, message);
        rejection.may_have_taken_effect = disposition == Disposition::MoneyMayHaveMoved;
        match disposition {
            Disposition::Credentials => Error::Auth(Box::new(rejection)),
            Disposition::Refused => Error::Rejected(Box::new(rejection)),
            Disposition::OutcomeUnknown | Disposition::MoneyMayHaveMoved => {
                tracing::warn!(
                    provider = op.provider,
                    operation = op.name,
                    code = rejection.code.raw(),
                    "a call that changes state was answered with a code that leaves its outcome unknown"
                );
                op.outcome_unknown(Error::Rejected(Box::new(rejection)))
            }
        }
    }

    /// The refusal behind this error: its own, else the first one down its source chain
    /// (an outcome-unknown keeps the answer that left the outcome open as its cause).
    ///
    /// ```
    /// use kassa_core::{Effect, Error, Operation, RawCode};
    /// let pay = Operation::new("p", "pay", Effect::Once);
    /// let e = Error::from_code(&pay, Some(500), RawCode("1111".into()), "try later");
    /// assert_eq!(e.rejection_anywhere().map(|r| r.message.as_str()), Some("try later"));
    /// ```
    pub fn rejection_anywhere(&self) -> Option<&Rejection> {
        self.chain().find_map(Error::rejection)
    }

    /// The typed provider code of type `C`, in this error or down its source chain; the one
    /// function for "which code was it?", whether the code refused the call or left its
    /// outcome unknown.
    ///
    /// ```
    /// use kassa_core::{Effect, Error, Operation, RawCode};
    /// let pay = Operation::new("p", "pay", Effect::Once);
    /// let e = Error::from_code(&pay, None, RawCode("2222".into()), "");
    /// assert!(e.code::<RawCode>().is_none(), "the outcome is unknown, not refused");
    /// assert_eq!(e.code_anywhere::<RawCode>().map(|c| c.0.as_str()), Some("2222"));
    /// ```
    pub fn code_anywhere<C: ProviderCode>(&self) -> Option<&C> {
        self.chain().find_map(|e| e.code::<C>())
    }

    /// The provider's raw code, in this error or down its source chain; empty codes count
    /// as none. What an error line prints as "the code".
    ///
    /// ```
    /// use kassa_core::{Effect, Error, Operation, RawCode};
    /// let pay = Operation::new("p", "pay", Effect::Once);
    /// let e = Error::from_code(&pay, None, RawCode("1111".into()), "");
    /// assert_eq!(e.provider_code_anywhere().as_deref(), Some("1111"));
    /// assert_eq!(Error::invalid("a", "b").provider_code_anywhere(), None);
    /// ```
    pub fn provider_code_anywhere(&self) -> Option<String> {
        self.chain()
            .filter_map(Error::provider_code)
            .find(|c| !c.trim().is_empty())
    }

    /// This error and every kassa [`Error`] down its source chain.
    fn chain(&self) -> impl Iterator<Item = &Error> {
        let mut current: Option<&(dyn StdError + 'static)> = Some(self);
        std::iter::from_fn(move || {
            while let Some(e) = current {
                current = e.source();
                if let Some(found) = e.downcast_ref::<Error>() {
                    return Some(found);
                }
            }
            None
        })
    }

    /// Whether the request left this process.
    ///
    /// ```
    /// assert_eq!(kassa_core::Error::invalid("a", "b").was_sent(), kassa_core::Sent::No);
    /// ```
    pub fn was_sent(&self) -> Sent {
        match self {
            Error::InvalidInput { .. } | Error::Journal { .. } => Sent::No,
            Error::Rejected(_) | Error::Auth(_) | Error::Http { .. } | Error::Decode { .. } => {
                Sent::Yes
            }
            Error::OutcomeUnknown(_) => Sent::Maybe,
            Error::Transport { sent, .. } => *sent,
        }
    }

    /// Whether money may have moved: true for outcome-unknown and for refusals whose code
    /// says so. When true, ask the provider's status before doing anything else.
    ///
    /// ```
    /// let o = kassa_core::Error::OutcomeUnknown(Box::new(kassa_core::OutcomeUnknown::new("p", "pay")));
    /// assert!(o.may_have_taken_effect());
    /// ```
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Error::OutcomeUnknown(_) => true,
            Error::Rejected(r) | Error::Auth(r) => r.may_have_taken_effect,
            _ => false,
        }
    }

    /// Whether sending the same request again later is worth it and safe as far as kassa
    /// knows (never for outcome-unknown: reconcile first).
    ///
    /// ```
    /// assert!(!kassa_core::Error::invalid("a", "b").is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            Error::Rejected(r) => r.code.is_retryable() && !r.may_have_taken_effect,
            _ => false,
        }
    }

    /// True for [`Error::Auth`].
    ///
    /// ```
    /// assert!(!kassa_core::Error::invalid("a", "b").is_auth());
    /// ```
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth(_))
    }

    /// The field of an invalid-input error.
    ///
    /// ```
    /// assert_eq!(kassa_core::Error::invalid("mfo", "5 digits").field(), Some("mfo"));
    /// ```
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidInput { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The provider's raw code, for refusals.
    ///
    /// ```
    /// assert_eq!(kassa_core::Error::invalid("a", "b").provider_code(), None);
    /// ```
    pub fn provider_code(&self) -> Option<String> {
        self.rejection().map(|r| r.code.raw())
    }

    /// The refusal, for [`Error::Rejected`] and [`Error::Auth`].
    ///
    /// ```
    /// assert!(kassa_core::Error::invalid("a", "b").rejection().is_none());
    /// ```
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected(r) | Error::Auth(r) => Some(r),
            _ => None,
        }
    }

    /// The typed provider code, when the refusal carries one of type `C`.
    ///
    /// ```
    /// use kassa_core::{Error, RawCode};
    /// let e = Error::rejected("p", "op", None, RawCode("x".into()), "");
    /// assert!(e.code::<RawCode>().is_some());
    /// ```
    pub fn code<C: ProviderCode>(&self) -> Option<&C> {
        self.rejection().and_then(|r| r.code_as::<C>())
    }

    /// The outcome-unknown details.
    ///
    /// ```
    /// assert!(kassa_core::Error::invalid("a", "b").outcome_unknown().is_none());
    /// ```
    pub fn outcome_unknown(&self) -> Option<&OutcomeUnknown> {
        match self {
            Error::OutcomeUnknown(o) => Some(o),
            _ => None,
        }
    }

    /// The operation the error belongs to, when known.
    ///
    /// ```
    /// assert_eq!(kassa_core::Error::invalid("a", "b").operation(), None);
    /// ```
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput { .. } => None,
            Error::Rejected(r) | Error::Auth(r) => Some(r.operation),
            Error::OutcomeUnknown(o) => Some(o.operation),
            Error::Transport { operation, .. }
            | Error::Http { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Journal { operation, .. } => Some(operation),
        }
    }
}

/// The words of a transport failure's cause, without the transport's own "sent" note.
fn transport_cause(source: &BoxError) -> String {
    match source.downcast_ref::<crate::transport::TransportError>() {
        Some(t) => t.source.to_string(),
        None => source.to_string(),
    }
}

impl From<crate::money::MoneyError> for Error {
    fn from(e: crate::money::MoneyError) -> Error {
        Error::invalid("amount", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Code {
        NeedReverse,
    }
    impl fmt::Display for Code {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("need_reverse")
        }
    }
    impl ProviderCode for Code {
        fn raw(&self) -> String {
            "need_reverse".into()
        }
        fn may_have_taken_effect(&self) -> bool {
            matches!(self, Code::NeedReverse)
        }
    }

    #[test]
    fn money_moving_refusals_say_so() {
        let e = Error::rejected("p", "pay", Some(500), Code::NeedReverse, "reverse needed");
        assert!(e.may_have_taken_effect());
        assert!(!e.is_retryable());
        assert_eq!(e.was_sent(), Sent::Yes);
        assert!(matches!(e.code::<Code>(), Some(Code::NeedReverse)));
        assert!(e.code::<RawCode>().is_none());
        assert!(e.to_string().contains("money may have moved"), "{e}");
    }

    #[test]
    fn outcome_unknown_names_the_status_call() {
        let mut o = OutcomeUnknown::new("requisite-uz", "payment")
            .with_reconcile(Reconcile::new("payment-status").param("orderId", "A-1"));
        o.key = Some("A-1".into());
        let e = Error::OutcomeUnknown(Box::new(o));
        assert_eq!(e.was_sent(), Sent::Maybe);
        assert!(e.may_have_taken_effect());
        assert!(!e.is_retryable());
        let text = e.to_string();
        assert!(
            text.contains("ask payment-status with orderId=A-1"),
            "{text}"
        );
        assert_eq!(e.operation(), Some("payment"));
    }

    /// A catalogue in the shape a provider writes it: the predicates, no disposition.
    #[derive(Debug, Clone, PartialEq)]
    enum Shop {
        NoFunds,
        BadPassword,
        TokenExpired,
        DebitNeedsReverse,
        Unknown(String),
    }
    impl fmt::Display for Shop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.raw())
        }
    }
    impl ProviderCode for Shop {
        fn raw(&self) -> String {
            match self {
                Shop::NoFunds => "no_funds".into(),
                Shop::BadPassword => "bad_password".into(),
                Shop::TokenExpired => "token_expired".into(),
                Shop::DebitNeedsReverse => "need_reverse".into(),
                Shop::Unknown(s) => s.clone(),
            }
        }
        fn is_definite_refusal(&self) -> bool {
            matches!(self, Shop::NoFunds)
        }
        fn is_credentials(&self) -> bool {
            matches!(self, Shop::BadPassword)
        }
        fn refresh_helps(&self) -> bool {
            matches!(self, Shop::TokenExpired)
        }
        fn may_have_taken_effect(&self) -> bool {
            matches!(self, Shop::DebitNeedsReverse)
        }
    }

    fn all_codes() -> Vec<Shop> {
        vec![
            Shop::NoFunds,
            Shop::BadPassword,
            Shop::TokenExpired,
            Shop::DebitNeedsReverse,
            Shop::Unknown("E999".into()),
        ]
    }

    fn once() -> Operation {
        Operation::new("shop", "pay", crate::Effect::Once)
            .reconcile_with(Reconcile::new("status").param("orderId", "A-1"))
    }

    #[test]
    fn a_code_on_a_read_never_says_money_moved() {
        for effect in [crate::Effect::Read, crate::Effect::Auth] {
            let op = Operation::new("shop", "status", effect);
            for code in all_codes() {
                assert!(
                    !code.disposition(&op).may_have_taken_effect(),
                    "{code} on {op:?}"
                );
                let e = Error::from_code(&op, Some(200), code.clone(), "m");
                assert!(!e.may_have_taken_effect(), "{code}: {e}");
                assert!(!e.to_string().contains("money may have moved"), "{e}");
                assert!(matches!(e, Error::Rejected(_) | Error::Auth(_)), "{e:?}");
                assert_eq!(e.code::<Shop>(), Some(&code));
            }
        }
        let read = Operation::new("shop", "status", crate::Effect::Read);
        assert!(Error::from_code(&read, Some(401), Shop::BadPassword, "").is_auth());
        assert!(Error::from_code(&read, Some(401), Shop::TokenExpired, "").is_auth());
    }

    #[test]
    fn on_a_once_call_only_a_definite_refusal_is_a_refusal() {
        let e = Error::from_code(&once(), Some(200), Shop::NoFunds, "not enough funds");
        assert!(matches!(e, Error::Rejected(_)), "{e:?}");
        assert!(!e.may_have_taken_effect());
        assert_eq!(e.code::<Shop>(), Some(&Shop::NoFunds));

        let e = Error::from_code(&once(), Some(200), Shop::Unknown("E999".into()), "?");
        assert!(matches!(e, Error::OutcomeUnknown(_)), "{e:?}");
        assert!(e.may_have_taken_effect());
        assert_eq!(e.code::<Shop>(), None, "not a refusal");
        assert_eq!(
            e.code_anywhere::<Shop>(),
            Some(&Shop::Unknown("E999".into()))
        );
        let o = e.outcome_unknown().expect("outcome unknown");
        assert_eq!(o.reconcile.as_ref().map(|r| r.operation), Some("status"));

        // Keyed is state-changing too, and keeps its key.
        let keyed = Operation::new("shop", "pay", crate::Effect::Once).keyed("k-1");
        let e = Error::from_code(&keyed, None, Shop::Unknown("E1".into()), "");
        assert_eq!(
            e.outcome_unknown().and_then(|o| o.key.as_deref()),
            Some("k-1")
        );
        // Credentials refusals mean nothing was done, on any call.
        assert!(Error::from_code(&once(), Some(401), Shop::BadPassword, "").is_auth());
    }

    #[test]
    fn a_money_moved_code_on_a_once_call_is_outcome_unknown_with_reconcile() {
        let e = Error::from_code(&once(), Some(500), Shop::DebitNeedsReverse, "reverse it");
        assert_eq!(
            Shop::DebitNeedsReverse.disposition(&once()),
            Disposition::MoneyMayHaveMoved
        );
        assert!(matches!(e, Error::OutcomeUnknown(_)), "{e:?}");
        assert!(e.may_have_taken_effect());
        assert!(!e.is_retryable());
        let text = e.to_string();
        assert!(text.contains("ask status with orderId=A-1"), "{text}");
        assert!(text.contains("money may have moved"), "{text}");
        assert_eq!(e.code_anywhere::<Shop>(), Some(&Shop::DebitNeedsReverse));
        assert_eq!(e.provider_code_anywhere().as_deref(), Some("need_reverse"));
        let r = e.rejection_anywhere().expect("the refusal is the source");
        assert_eq!(
            (r.http_status, r.message.as_str()),
            (Some(500), "reverse it")
        );
        assert!(r.may_have_taken_effect);
    }

    #[test]
    fn code_anywhere_looks_through_nested_sources_and_skips_empty_codes() {
        let inner = Error::rejected("p", "pay", None, RawCode(String::new()), "");
        let middle = OutcomeUnknown::new("p", "pay").with_source(Error::rejected(
            "p",
            "pay",
            None,
            RawCode("2222".into()),
            "",
        ));
        let outer = Error::OutcomeUnknown(Box::new(
            OutcomeUnknown::new("p", "pay").with_source(Error::OutcomeUnknown(Box::new(middle))),
        ));
        assert_eq!(
            outer.code_anywhere::<RawCode>(),
            Some(&RawCode("2222".into()))
        );
        assert_eq!(outer.provider_code_anywhere().as_deref(), Some("2222"));
        assert_eq!(inner.provider_code_anywhere(), None);
        assert!(inner.code_anywhere::<Shop>().is_none());
    }
}
