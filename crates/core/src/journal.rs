//! The hook a write-ahead intent journal plugs into: before a call that changes state
//! leaves, the engine records an *intent* (what is being done, and the ids its status call
//! needs), marks it dispatched, and resolves it with the outcome once the answer is read. An
//! answer that never comes leaves the intent unresolved, so a process that dies mid-call
//! leaves a record that a recoverer can settle by asking the provider's status.
//!
//! This module holds only the types and the two traits; the stores (SQLite, PostgreSQL) and
//! the recoverer live in the `kassa-journal` crate, so a client that does not use a journal
//! compiles none of them.
//!
//! - [`Journal`]: what the engine calls. Set one with
//!   [`EngineBuilder::journal`](crate::EngineBuilder::journal) (each provider's client
//!   builder passes it on). `Read` and `Auth` calls never touch it.
//! - [`Reconciler`]: what a provider client implements so a recoverer can settle an intent
//!   from its status call.
//!
//! ```
//! use kassa_core::journal::{Intent, Resolution};
//! use kassa_core::{Effect, Operation, Reconcile};
//! let op = Operation::new("anor-bm", "pay", Effect::Once)
//!     .reconcile_with(Reconcile::new("status").param("billId", "935191"))
//!     .amount(150_000, "UZS");
//! let intent = Intent::for_operation(&op);
//! assert_eq!(intent.reconcile_operation.as_deref(), Some("status"));
//! assert_eq!(intent.ids, vec![("billId".to_string(), "935191".to_string())]);
//! assert_eq!(intent.amount_minor, Some(150_000));
//! assert_eq!(Resolution::NotSent.kind(), "not-sent");
//! ```

use std::fmt;

use crate::error::{BoxError, Error};
use crate::ops::EffectKind;
use crate::request::Operation;

/// A call that changes state, as recorded before it leaves. It holds no secret and no full
/// card number: only the names of the call, its idempotency key, the ids its status call
/// needs, and the amount.
///
/// ```
/// use kassa_core::{Effect, Operation};
/// let intent = kassa_core::journal::Intent::for_operation(
///     &Operation::new("requisite-uz", "payment", Effect::Once).keyed("order-1"),
/// );
/// assert_eq!(intent.key.as_deref(), Some("order-1"));
/// assert_eq!(intent.effect, kassa_core::ops::EffectKind::Keyed);
/// assert_eq!(intent.id.len(), 36);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// A new id that sorts by creation time (a UUID version 7, as text).
    pub id: String,
    /// Provider name, as in the catalogue (`anor-bm`).
    pub provider: String,
    /// Operation name, as in the catalogue (`pay`).
    pub operation: String,
    /// `Keyed` or `Once` (the journal never sees `Read` or `Auth`).
    pub effect: EffectKind,
    /// The idempotency key of a `Keyed` call.
    pub key: Option<String>,
    /// The status call that settles it (`status`), when known before sending.
    pub reconcile_operation: Option<String>,
    /// That call's parameters, under the provider's wire names (`billId`, `orderId`).
    pub ids: Vec<(String, String)>,
    /// The amount in minor units, when the call moves one.
    pub amount_minor: Option<i64>,
    /// Its currency code (`UZS`, `KGS`, `RUB`).
    pub currency: Option<String>,
}

impl Intent {
    /// The intent of sending `op` now, with a new id.
    ///
    /// ```
    /// use kassa_core::{Effect, Operation};
    /// let a = kassa_core::journal::Intent::for_operation(&Operation::new("p", "pay", Effect::Once));
    /// let b = kassa_core::journal::Intent::for_operation(&Operation::new("p", "pay", Effect::Once));
    /// assert!(a.id != b.id);
    /// assert!(a.reconcile_operation.is_none());
    /// ```
    pub fn for_operation(op: &Operation) -> Intent {
        Intent {
            id: new_id(),
            provider: op.provider.to_owned(),
            operation: op.name.to_owned(),
            effect: EffectKind::of(&op.effect),
            key: op.key().map(str::to_owned),
            reconcile_operation: op.reconcile.as_ref().map(|r| r.operation.to_owned()),
            ids: op
                .reconcile
                .as_ref()
                .map(|r| {
                    r.params
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            amount_minor: op.amount.map(|(minor, _)| minor),
            currency: op.amount.map(|(_, c)| c.to_owned()),
        }
    }
}

/// A new intent id: a UUID version 7 (milliseconds since 1970, then random bits), so ids
/// sort by the time they were made.
fn new_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let random = fastrand::u128(..).to_le_bytes();
    let mut tail = [0u8; 10];
    tail.copy_from_slice(&random[..10]);
    uuid::Builder::from_unix_timestamp_millis(millis, &tail)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// How a recorded call ended.
///
/// ```
/// use kassa_core::journal::Resolution;
/// assert_eq!(Resolution::Succeeded.kind(), "succeeded");
/// let r = Resolution::Refused { code: Some("-31".into()), message: "no funds".into() };
/// assert_eq!(r.kind(), "refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The provider accepted it.
    Succeeded,
    /// The provider refused it (or settled it as failed); nothing took effect.
    Refused {
        /// The provider's code, if it gave one.
        code: Option<String>,
        /// What was said (redacted, as in kassa's errors).
        message: String,
    },
    /// It never left this process.
    NotSent,
}

impl Resolution {
    /// A short name for stores and listings: `succeeded`, `refused`, `not-sent`.
    ///
    /// ```
    /// assert_eq!(kassa_core::journal::Resolution::NotSent.kind(), "not-sent");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Resolution::Succeeded => "succeeded",
            Resolution::Refused { .. } => "refused",
            Resolution::NotSent => "not-sent",
        }
    }

    /// The resolution a call's result gives, or `None` when the outcome is unknown (the
    /// intent then stays unresolved for the recoverer).
    ///
    /// ```
    /// use kassa_core::journal::Resolution;
    /// use kassa_core::{Effect, Operation};
    /// let op = Operation::new("p", "pay", Effect::Once);
    /// assert_eq!(Resolution::of(&Ok::<(), _>(())), Some(Resolution::Succeeded));
    /// assert_eq!(Resolution::of::<()>(&Err(op.outcome_unknown(std::io::Error::other("reset")))), None);
    /// assert_eq!(Resolution::of::<()>(&Err(kassa_core::Error::invalid("amount", "zero"))), Some(Resolution::NotSent));
    /// ```
    pub fn of<T>(result: &Result<T, Error>) -> Option<Resolution> {
        match result {
            Ok(_) => Some(Resolution::Succeeded),
            Err(e) if e.may_have_taken_effect() => None,
            Err(e) => match e.was_sent() {
                crate::error::Sent::No => Some(Resolution::NotSent),
                crate::error::Sent::Maybe => None,
                crate::error::Sent::Yes => Some(Resolution::Refused {
                    code: e.provider_code(),
                    message: e.to_string(),
                }),
            },
        }
    }
}

/// A failure of the journal itself (the store could not be written).
pub type JournalError = BoxError;

/// Where the engine records what it is about to do. Implemented by the stores of the
/// `kassa-journal` crate; the engine calls it only for `Keyed` and `Once` operations.
///
/// - [`record`](Journal::record) runs before anything is sent, and must be durable when it
///   returns: if it fails, the call is not sent and the caller gets [`Error::Journal`].
/// - [`dispatched`](Journal::dispatched) runs just before the first byte leaves.
/// - [`resolve`](Journal::resolve) runs once the answer is read, when it says how the call
///   ended. An outcome-unknown leaves the intent unresolved. A failure here is logged and
///   the call's own result is still returned (the recoverer settles the intent later).
///
/// ```
/// use std::sync::Mutex;
/// use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
/// #[derive(Debug, Default)]
/// struct InMemory(Mutex<Vec<String>>);
/// #[kassa_core::async_trait]
/// impl Journal for InMemory {
///     async fn record(&self, intent: &Intent, _request: &[u8]) -> Result<(), JournalError> {
///         self.0.lock().unwrap().push(format!("record {}", intent.operation));
///         Ok(())
///     }
///     async fn dispatched(&self, _id: &str) -> Result<(), JournalError> {
///         self.0.lock().unwrap().push("dispatched".into());
///         Ok(())
///     }
///     async fn resolve(&self, _id: &str, r: &Resolution) -> Result<(), JournalError> {
///         self.0.lock().unwrap().push(r.kind().into());
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Journal: Send + Sync + fmt::Debug {
    /// Records `intent` durably. `request` is the body about to be sent: a store may keep a
    /// keyed hash of it (to recognise the same request later), never the body itself.
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError>;
    /// Marks intent `id` as about to leave.
    async fn dispatched(&self, id: &str) -> Result<(), JournalError>;
    /// Resolves intent `id`.
    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError>;
}

/// What a provider's status call says of an intent.
///
/// ```
/// use kassa_core::journal::Verdict;
/// assert!(Verdict::Final(kassa_core::journal::Resolution::Succeeded).is_final());
/// assert!(!Verdict::Pending("PENDING".into()).is_final());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The provider's answer is final: the call succeeded, or failed with nothing moved.
    Final(Resolution),
    /// The provider knows nothing of it (so, for an intent never dispatched, it was never
    /// sent).
    NotFound,
    /// Not final yet; the text names the state seen.
    Pending(String),
    /// The status cannot settle this intent (no status call, or an id is missing); the text
    /// says why, for a person.
    Unreconcilable(String),
}

impl Verdict {
    /// True for [`Verdict::Final`].
    ///
    /// ```
    /// assert!(!kassa_core::journal::Verdict::NotFound.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Verdict::Final(_))
    }
}

/// A provider client that can settle an intent from its status call (the reconcile step
/// its operation table names). Each provider crate implements it for its `Client`.
///
/// ```
/// use kassa_core::journal::{Intent, Reconciler, Verdict};
/// struct AlwaysPaid;
/// #[kassa_core::async_trait]
/// impl Reconciler for AlwaysPaid {
///     fn provider(&self) -> &'static str { "p" }
///     async fn reconcile(&self, _intent: &Intent) -> Result<Verdict, kassa_core::Error> {
///         Ok(Verdict::Final(kassa_core::journal::Resolution::Succeeded))
///     }
/// }
/// assert_eq!(AlwaysPaid.provider(), "p");
/// ```
#[async_trait::async_trait]
pub trait Reconciler: Send + Sync {
    /// The provider this client talks to (`anor-bm`).
    fn provider(&self) -> &'static str;
    /// Asks the provider how `intent` ended. An error means "ask again later" (the status
    /// call failed in transit, or was refused for a reason that is not about the intent).
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error>;
}

/// The parameter named `name` among an intent's ids.
///
/// ```
/// let mut i = kassa_core::journal::Intent::for_operation(
///     &kassa_core::Operation::new("p", "pay", kassa_core::Effect::Once),
/// );
/// i.ids.push(("billId".into(), "7".into()));
/// assert_eq!(kassa_core::journal::id_of(&i, "billId"), Some("7"));
/// assert_eq!(kassa_core::journal::id_of(&i, "orderId"), None);
/// ```
pub fn id_of<'a>(intent: &'a Intent, name: &str) -> Option<&'a str> {
    intent
        .ids
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// What every provider's [`Reconciler`] checks before it asks anything: that `intent` is
/// of `provider` and names its status call. Gives that call's name, or the
/// [`Verdict::Unreconcilable`] saying why not: another provider's intent, or an operation
/// with no reconcile step, explained by its row in `only_from_answer` (the crate's table of
/// operations whose status ids come only in the answer) when it has one.
///
/// ```
/// use kassa_core::journal::{status_step, Intent, Verdict};
/// use kassa_core::{Effect, Operation, Reconcile};
/// let table = [("transfer", "no status call")];
/// let paid = Intent::for_operation(
///     &Operation::new("p", "pay", Effect::Once).reconcile_with(Reconcile::new("status")),
/// );
/// assert_eq!(status_step(&paid, "p", &table), Ok("status"));
/// let other = status_step(&paid, "q", &table).unwrap_err();
/// assert!(matches!(other, Verdict::Unreconcilable(why) if why.contains("of p, not q")));
/// let sent = Intent::for_operation(&Operation::new("p", "transfer", Effect::Once));
/// let none = status_step(&sent, "p", &table).unwrap_err();
/// assert!(matches!(none, Verdict::Unreconcilable(why) if why.contains("no status call")));
/// ```
pub fn status_step<'a>(
    intent: &'a Intent,
    provider: &str,
    only_from_answer: &[(&str, &str)],
) -> Result<&'a str, Verdict> {
    if intent.provider != provider {
        return Err(Verdict::Unreconcilable(format!(
            "the intent is of {}, not {provider}",
            intent.provider
        )));
    }
    intent.reconcile_operation.as_deref().ok_or_else(|| {
        let why = only_from_answer
            .iter()
            .find(|(op, _)| *op == intent.operation)
            .map_or("it has no reconcile step", |(_, why)| why);
        Verdict::Unreconcilable(format!(
            "{} cannot be settled from a status call: {why}",
            intent.operation
        ))
    })
}

/// The verdict for an intent naming a status call `step` that the provider's reconciler
/// does not settle by.
///
/// ```
/// let i = kassa_core::journal::Intent::for_operation(
///     &kassa_core::Operation::new("p", "pay", kassa_core::Effect::Once),
/// );
/// let v = kassa_core::journal::unknown_step(&i, "lookup");
/// assert!(matches!(v, kassa_core::journal::Verdict::Unreconcilable(why) if why.contains("lookup")));
/// ```
pub fn unknown_step(intent: &Intent, step: &str) -> Verdict {
    Verdict::Unreconcilable(format!(
        "{} names the status call {step}, which this client does not settle by",
        intent.operation
    ))
}

/// The id `name` among an intent's ids, not blank; else the [`Verdict::Unreconcilable`]
/// naming it.
///
/// ```
/// let mut i = kassa_core::journal::Intent::for_operation(
///     &kassa_core::Operation::new("p", "pay", kassa_core::Effect::Once),
/// );
/// i.ids.push(("billId".into(), " ".into()));
/// assert!(kassa_core::journal::required_id(&i, "billId").is_err());
/// i.ids[0].1 = "7".into();
/// assert_eq!(kassa_core::journal::required_id(&i, "billId"), Ok("7"));
/// ```
pub fn required_id<'a>(intent: &'a Intent, name: &str) -> Result<&'a str, Verdict> {
    id_of(intent, name)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            Verdict::Unreconcilable(format!(
                "{} holds no {name} to ask its status with",
                intent.operation
            ))
        })
}
