//! A write-ahead intent journal for kassa clients.
//!
//! kassa says "outcome unknown, ask the status with billId 935191" when an answer is lost.
//! This crate makes that advice durable: every `Keyed` and `Once` call is recorded before
//! it leaves ([`kassa_core::journal::Journal`], set on a client's builder), and a
//! [recoverer](recover) settles whatever a dead process left unresolved, by asking each
//! provider's status call ([`kassa_core::journal::Reconciler`]).
//!
//! Provider crates do not depend on this one; a client without a journal compiles none of
//! it.
//!
//! ```
//! use kassa_journal::{Entry, State};
//! let state = State::Parked("no status call".into());
//! assert_eq!(state.name(), "parked");
//! ```

#![warn(missing_docs)]

pub mod hash;
#[cfg(feature = "postgres")]
pub mod pg_server;
#[cfg(feature = "postgres")]
pub mod postgres;

#[cfg(feature = "postgres")]
pub use postgres::PostgresJournal;
pub mod recover;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use recover::{Recoverer, RecovererBuilder, Report};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteJournal;

use std::time::Duration;

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};

/// Where an intent stands.
///
/// ```
/// assert!(kassa_journal::State::Dispatched.is_unresolved());
/// assert!(!kassa_journal::State::Parked("why".into()).is_unresolved());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Recorded; not yet sent (or the process died before it could be).
    Recorded,
    /// About to leave, or gone; its answer not read.
    Dispatched,
    /// Settled: by the call's own answer, or by the recoverer.
    Resolved(Resolution),
    /// The recoverer could not settle it: a person must (the text says why).
    Parked(String),
}

impl State {
    /// `recorded`, `dispatched`, `resolved`, `parked`.
    ///
    /// ```
    /// assert_eq!(kassa_journal::State::Recorded.name(), "recorded");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            State::Recorded => "recorded",
            State::Dispatched => "dispatched",
            State::Resolved(_) => "resolved",
            State::Parked(_) => "parked",
        }
    }

    /// True for recorded and dispatched intents: the ones a recoverer works.
    ///
    /// ```
    /// assert!(kassa_journal::State::Recorded.is_unresolved());
    /// ```
    pub fn is_unresolved(&self) -> bool {
        matches!(self, State::Recorded | State::Dispatched)
    }
}

/// One intent as a store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The intent as recorded.
    pub intent: Intent,
    /// Where it stands.
    pub state: State,
    /// A keyed hash of the request body (hex): the same request gives the same hash in the
    /// same journal; the body itself is never stored.
    pub request_hash: String,
    /// When it was recorded, milliseconds since 1970 (UTC).
    pub recorded_at_ms: i64,
    /// When it last changed, milliseconds since 1970 (UTC).
    pub updated_at_ms: i64,
    /// How many times a recoverer has asked its status.
    pub attempts: u32,
}

/// A store of intents: the engine's [`Journal`] hook, plus what a recoverer and a person
/// need. Implemented by the SQLite and PostgreSQL stores.
#[kassa_core::async_trait]
pub trait Store: Journal {
    /// Unresolved (recorded or dispatched) and parked intents, oldest first.
    async fn open_entries(&self) -> Result<Vec<Entry>, JournalError>;
    /// Every intent, resolved ones included, oldest first (for audits, `kassa journal
    /// list --all` and tests; a recoverer needs only [`Store::open_entries`]).
    async fn all_entries(&self) -> Result<Vec<Entry>, JournalError>;
    /// One intent, by id.
    async fn entry(&self, id: &str) -> Result<Option<Entry>, JournalError>;
    /// Claims up to `limit` unresolved intents last changed at least `grace` ago and not
    /// under another owner's unexpired lease, for `lease`, as `owner`: two recoverers never
    /// hold the same intent at once. Each claim counts one attempt.
    async fn claim(
        &self,
        owner: &str,
        grace: Duration,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Entry>, JournalError>;
    /// Resolves a claimed intent; false (and nothing changed) when `owner` no longer holds
    /// its lease or it is no longer unresolved.
    async fn settle(
        &self,
        id: &str,
        owner: &str,
        resolution: &Resolution,
    ) -> Result<bool, JournalError>;
    /// Parks a claimed intent with `reason`; false as for [`Store::settle`].
    async fn park(&self, id: &str, owner: &str, reason: &str) -> Result<bool, JournalError>;
    /// Gives a claimed intent back (its status was not final yet), so it is asked again
    /// after the grace period; false as for [`Store::settle`].
    async fn release(&self, id: &str, owner: &str) -> Result<bool, JournalError>;
}
