//! The recoverer: settles the intents a dead (or cut-off) process left unresolved, by
//! asking each one's provider for its status. It never sends a payment again: it only asks.
//!
//! For each unresolved intent it claims (last changed at least `grace` ago, under a lease):
//!
//! | the provider's status says | the intent becomes |
//! |---|---|
//! | final: succeeded / refused | resolved so |
//! | no such payment, and the intent was never dispatched | resolved as not sent |
//! | not final, or cannot settle it, and the intent was never dispatched | resolved as not sent (see below) |
//! | no such payment, but it was dispatched | parked: a person must check |
//! | not final yet | released, asked again after `grace`; parked after `max_attempts` |
//! | cannot settle this intent (no status call, an id missing) | parked, with the reason |
//! | (the status call failed) | released; parked after `max_attempts` |
//! | (no reconciler for its provider) | parked: "no reconciler for provider X" |
//!
//! An intent still `recorded` was never sent: the engine sends a call only after its
//! `dispatched` mark is durable, so a process that died before that mark sent nothing. Its
//! status is still asked (a final answer settles it as the provider says); an answer that
//! is not final, or no status call at all, settles it as not sent.
//!
//! `grace` must be longer than the clients' total call timeout, so an intent whose call is
//! still in flight in a live process is never worked: [`RecovererBuilder::build`] refuses a
//! shorter one.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict};
//! use kassa_journal::{Recoverer, SqliteJournal};
//!
//! struct Paid;
//! #[kassa_core::async_trait]
//! impl Reconciler for Paid {
//!     fn provider(&self) -> &'static str { "anor-bm" }
//!     async fn reconcile(&self, _: &Intent) -> Result<Verdict, kassa_core::Error> {
//!         Ok(Verdict::Final(Resolution::Succeeded))
//!     }
//! }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let store = Arc::new(SqliteJournal::open_in_memory()?);
//! let recoverer = Recoverer::builder(store, Duration::from_secs(30))
//!     .reconciler(Arc::new(Paid))
//!     .owner("billing-1")
//!     .grace(Duration::from_secs(120))
//!     .build()?;
//! let report = recoverer.run_once().await?;
//! assert_eq!(report.claimed, 0);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(()) }).unwrap();
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use kassa_core::journal::{JournalError, Reconciler, Resolution, Verdict};

use crate::{Entry, State, Store};

/// Builds a [`Recoverer`]; see [`Recoverer::builder`].
///
/// ```
/// use std::time::Duration;
/// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
/// let r = kassa_journal::Recoverer::builder(store, Duration::from_secs(30))
///     .lease(Duration::from_secs(600))
///     .batch(50)
///     .max_attempts(20)
///     .build()?;
/// assert_eq!(r.grace(), Duration::from_secs(90));
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub struct RecovererBuilder {
    store: Arc<dyn Store>,
    call_timeout: Duration,
    reconcilers: Vec<Arc<dyn Reconciler>>,
    owner: Option<String>,
    grace: Option<Duration>,
    lease: Option<Duration>,
    batch: usize,
    max_attempts: u32,
}

/// A builder setting that cannot work, naming the setting.
///
/// ```
/// use std::time::Duration;
/// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
/// let err = kassa_journal::Recoverer::builder(store, Duration::from_secs(30))
///     .grace(Duration::from_secs(10))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.field, "grace");
/// # Ok::<(), kassa_core::journal::JournalError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting: `grace`, `lease`, `batch`, `max_attempts`, `owner`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "recoverer: {}: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl RecovererBuilder {
    /// Adds the reconciler of one provider (by its [`Reconciler::provider`] name; a later
    /// one for the same provider replaces an earlier one).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use kassa_core::journal::{Intent, Reconciler, Verdict};
    /// struct Nothing;
    /// #[kassa_core::async_trait]
    /// impl Reconciler for Nothing {
    ///     fn provider(&self) -> &'static str { "mobilnik" }
    ///     async fn reconcile(&self, _: &Intent) -> Result<Verdict, kassa_core::Error> {
    ///         Ok(Verdict::NotFound)
    ///     }
    /// }
    /// let store = Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(30))
    ///     .reconciler(Arc::new(Nothing))
    ///     .build()?;
    /// assert_eq!(r.providers(), vec!["mobilnik"]);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn reconciler(mut self, reconciler: Arc<dyn Reconciler>) -> RecovererBuilder {
        self.reconcilers.push(reconciler);
        self
    }

    /// Adds several reconcilers (see [`RecovererBuilder::reconciler`]).
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(30))
    ///     .reconcilers(Vec::new())
    ///     .build()?;
    /// assert!(r.providers().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn reconcilers(mut self, reconcilers: Vec<Arc<dyn Reconciler>>) -> RecovererBuilder {
        self.reconcilers.extend(reconcilers);
        self
    }

    /// The name this instance claims under; must differ between instances sharing a
    /// store (by default `recoverer-<pid>-<random>`).
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(30))
    ///     .owner("host-a")
    ///     .build()?;
    /// assert_eq!(r.owner(), "host-a");
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn owner(mut self, owner: impl Into<String>) -> RecovererBuilder {
        self.owner = Some(owner.into());
        self
    }

    /// How long an intent must have been left unchanged before it is worked: longer than
    /// the clients' total call timeout (by default three times it).
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, Duration::from_secs(30))
    ///     .grace(Duration::from_secs(31))
    ///     .build()?;
    /// assert_eq!(r.grace(), Duration::from_secs(31));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn grace(mut self, grace: Duration) -> RecovererBuilder {
        self.grace = Some(grace);
        self
    }

    /// How long a claim holds an intent against other instances: longer than the clients'
    /// call timeout (a status call must fit in it; by default the call timeout times the
    /// batch size plus one, at least a minute).
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, Duration::from_secs(30))
    ///     .lease(Duration::from_secs(300))
    ///     .build()?;
    /// assert_eq!(r.lease(), Duration::from_secs(300));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn lease(mut self, lease: Duration) -> RecovererBuilder {
        self.lease = Some(lease);
        self
    }

    /// How many intents one claim takes at most (20 by default).
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let b = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(30));
    /// assert_eq!(b.batch(0).build().unwrap_err().field, "batch");
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn batch(mut self, batch: usize) -> RecovererBuilder {
        self.batch = batch;
        self
    }

    /// How many times an intent's status is asked (counting the claims) before a
    /// not-final answer or a failing status call parks it (10 by default).
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(30))
    ///     .max_attempts(3)
    ///     .build()?;
    /// assert_eq!(r.max_attempts(), 3);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> RecovererBuilder {
        self.max_attempts = attempts;
        self
    }

    /// The recoverer, or the setting that cannot work: a `grace` not above the call
    /// timeout, a `lease` not above it, a zero `batch` or `max_attempts`, an empty `owner`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let err = kassa_journal::Recoverer::builder(store, Duration::from_secs(30))
    ///     .grace(Duration::from_secs(30))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("grace"));
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn build(self) -> Result<Recoverer, ConfigError> {
        let timeout = self.call_timeout;
        let grace = self.grace.unwrap_or(timeout.saturating_mul(3));
        if grace <= timeout || grace.is_zero() {
            return Err(ConfigError {
                field: "grace",
                message: format!(
                    "{grace:?} must be longer than the clients' total call timeout \
                     ({timeout:?}), or a call still in flight could be worked"
                ),
            });
        }
        if self.batch == 0 {
            return Err(ConfigError {
                field: "batch",
                message: "must be at least 1".into(),
            });
        }
        if self.max_attempts == 0 {
            return Err(ConfigError {
                field: "max_attempts",
                message: "must be at least 1".into(),
            });
        }
        let per_batch = u32::try_from(self.batch.saturating_add(1)).unwrap_or(u32::MAX);
        let lease = self.lease.unwrap_or_else(|| {
            timeout
                .saturating_mul(per_batch)
                .max(Duration::from_secs(60))
        });
        if lease <= timeout {
            return Err(ConfigError {
                field: "lease",
                message: format!(
                    "{lease:?} must be longer than the clients' call timeout ({timeout:?}), \
                     or a status call could outlive its claim"
                ),
            });
        }
        let owner = match self.owner {
            Some(o) if o.trim().is_empty() => {
                return Err(ConfigError {
                    field: "owner",
                    message: "must not be empty".into(),
                });
            }
            Some(o) => o,
            None => format!(
                "recoverer-{}-{:08x}",
                std::process::id(),
                u32::from_le_bytes(random4())
            ),
        };
        let reconcilers = self
            .reconcilers
            .into_iter()
            .map(|r| (r.provider().to_owned(), r))
            .collect();
        Ok(Recoverer {
            store: self.store,
            reconcilers,
            owner,
            grace,
            lease,
            batch: self.batch,
            max_attempts: self.max_attempts,
        })
    }
}

fn random4() -> [u8; 4] {
    let mut b = [0u8; 4];
    // A collision only matters between two instances started in the same process id; a
    // failure of the system's random source leaves the pid alone to tell them apart.
    let _ = getrandom::fill(&mut b);
    b
}

/// Settles unresolved intents from their providers' status calls.
///
/// ```
/// use std::time::Duration;
/// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
/// let r = kassa_journal::Recoverer::builder(store, Duration::from_secs(30)).build()?;
/// assert!(r.owner().starts_with("recoverer-"));
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub struct Recoverer {
    store: Arc<dyn Store>,
    reconcilers: HashMap<String, Arc<dyn Reconciler>>,
    owner: String,
    grace: Duration,
    lease: Duration,
    batch: usize,
    max_attempts: u32,
}

impl fmt::Debug for Recoverer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recoverer")
            .field("owner", &self.owner)
            .field("providers", &self.providers())
            .field("grace", &self.grace)
            .field("lease", &self.lease)
            .field("batch", &self.batch)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// What happened to one intent in a run.
///
/// ```
/// use kassa_journal::recover::Outcome;
/// assert_eq!(Outcome::Pending("PROCESSING".into()).name(), "pending");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Resolved so.
    Settled(Resolution),
    /// Parked for a person; the text says why.
    Parked(String),
    /// Not final yet; released, to be asked again after the grace period.
    Pending(String),
    /// The status call or the store failed; released (or the lease was lost), to be asked
    /// again. The text is the error (kassa's errors never hold a secret).
    Failed(String),
}

impl Outcome {
    /// `settled`, `parked`, `pending`, `failed`.
    ///
    /// ```
    /// assert_eq!(kassa_journal::recover::Outcome::Failed("x".into()).name(), "failed");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Settled(_) => "settled",
            Outcome::Parked(_) => "parked",
            Outcome::Pending(_) => "pending",
            Outcome::Failed(_) => "failed",
        }
    }
}

/// One intent's line in a [`Report`]: its names and ids, never its request.
///
/// ```
/// use kassa_journal::recover::{Line, Outcome};
/// let line = Line {
///     id: "0190".into(), provider: "anor-bm".into(), operation: "pay".into(),
///     ids: vec![("billId".into(), "935191".into())], attempts: 1,
///     outcome: Outcome::Settled(kassa_core::journal::Resolution::Succeeded),
/// };
/// assert_eq!(line.to_string(), "0190 anor-bm pay billId=935191 (attempt 1): settled succeeded");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The intent's id.
    pub id: String,
    /// Its provider.
    pub provider: String,
    /// Its operation.
    pub operation: String,
    /// The ids its status call uses.
    pub ids: Vec<(String, String)>,
    /// Its attempts, this one counted.
    pub attempts: u32,
    /// What happened.
    pub outcome: Outcome,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.id, self.provider, self.operation)?;
        for (k, v) in &self.ids {
            write!(f, " {k}={v}")?;
        }
        write!(f, " (attempt {}): {}", self.attempts, self.outcome.name())?;
        match &self.outcome {
            Outcome::Settled(r) => write!(f, " {}", r.kind()),
            Outcome::Parked(why) | Outcome::Pending(why) | Outcome::Failed(why) => {
                write!(f, ": {why}")
            }
        }
    }
}

/// What one run did: counts, and a line per intent.
///
/// ```
/// let report = kassa_journal::Report::default();
/// assert_eq!(report.to_string(), "claimed 0: settled 0, parked 0, pending 0, failed 0");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Intents claimed.
    pub claimed: usize,
    /// Resolved.
    pub settled: usize,
    /// Parked for a person.
    pub parked: usize,
    /// Not final yet, released.
    pub pending: usize,
    /// The status call or the store failed.
    pub failed: usize,
    /// One line per claimed intent, in claim order.
    pub lines: Vec<Line>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "claimed {}: settled {}, parked {}, pending {}, failed {}",
            self.claimed, self.settled, self.parked, self.pending, self.failed
        )?;
        for line in &self.lines {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

impl Report {
    fn push(&mut self, entry: &Entry, outcome: Outcome) {
        match outcome {
            Outcome::Settled(_) => self.settled += 1,
            Outcome::Parked(_) => self.parked += 1,
            Outcome::Pending(_) => self.pending += 1,
            Outcome::Failed(_) => self.failed += 1,
        }
        self.lines.push(Line {
            id: entry.intent.id.clone(),
            provider: entry.intent.provider.clone(),
            operation: entry.intent.operation.clone(),
            ids: entry.intent.ids.clone(),
            attempts: entry.attempts,
            outcome,
        });
    }
}

/// What to do with a claimed intent.
enum Step {
    Settle(Resolution),
    Park(String),
    Release(Outcome),
}

impl Recoverer {
    /// A builder over `store`; `call_timeout` is the clients' total call timeout (all
    /// retries included), which the grace period must exceed.
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(45)).build()?;
    /// assert!(r.grace() > std::time::Duration::from_secs(45));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn builder(store: Arc<dyn Store>, call_timeout: Duration) -> RecovererBuilder {
        RecovererBuilder {
            store,
            call_timeout,
            reconcilers: Vec::new(),
            owner: None,
            grace: None,
            lease: None,
            batch: 20,
            max_attempts: 10,
        }
    }

    /// The name it claims under.
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).owner("a").build()?;
    /// assert_eq!(r.owner(), "a");
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The grace period.
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).build()?;
    /// assert_eq!(r.grace(), std::time::Duration::from_secs(3));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// The lease a claim takes.
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).build()?;
    /// assert_eq!(r.lease(), std::time::Duration::from_secs(60));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The attempts before a not-final intent is parked.
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).build()?;
    /// assert_eq!(r.max_attempts(), 10);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The providers it has reconcilers for, sorted.
    ///
    /// ```
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).build()?;
    /// assert!(r.providers().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn providers(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.reconcilers.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Claims one batch of unresolved intents and works each one (see the
    /// [module](self) for the rules). Fails only when the claim itself fails; a failure on
    /// one intent is a `failed` line. One instance runs one pass at a time (a store lets an
    /// owner claim again what it already holds): run several instances, each with its own
    /// owner, for more throughput.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).build()?;
    /// assert_eq!(r.run_once().await?.lines.len(), 0);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(()) }).unwrap();
    /// ```
    pub async fn run_once(&self) -> Result<Report, JournalError> {
        let claimed = self
            .store
            .claim(&self.owner, self.grace, self.lease, self.batch)
            .await?;
        let mut report = Report {
            claimed: claimed.len(),
            ..Report::default()
        };
        for entry in claimed {
            let outcome = self.work(&entry).await;
            report.push(&entry, outcome);
        }
        Ok(report)
    }

    async fn work(&self, entry: &Entry) -> Outcome {
        let step = self.decide(entry).await;
        let id = &entry.intent.id;
        let (done, outcome) = match step {
            Step::Settle(r) => (
                self.store.settle(id, &self.owner, &r).await,
                Outcome::Settled(r),
            ),
            Step::Park(why) => (
                self.store.park(id, &self.owner, &why).await,
                Outcome::Parked(why),
            ),
            Step::Release(outcome) => (self.store.release(id, &self.owner).await, outcome),
        };
        match done {
            Ok(true) => outcome,
            Ok(false) => Outcome::Failed(format!(
                "the lease was lost before it could be {}: another instance will ask again",
                outcome.name()
            )),
            Err(e) => Outcome::Failed(format!("the store failed: {e}")),
        }
    }

    async fn decide(&self, entry: &Entry) -> Step {
        let intent = &entry.intent;
        let Some(reconciler) = self.reconcilers.get(&intent.provider) else {
            return Step::Park(format!("no reconciler for provider {}", intent.provider));
        };
        let exhausted = entry.attempts >= self.max_attempts;
        match reconciler.reconcile(intent).await {
            Ok(Verdict::Final(r)) => Step::Settle(r),
            Ok(Verdict::NotFound) if entry.state == State::Recorded => {
                Step::Settle(Resolution::NotSent)
            }
            Ok(Verdict::NotFound) => Step::Park(format!(
                "the provider knows no such payment, but it was {}: it may have been \
                 received under other ids; check by hand",
                entry.state.name()
            )),
            // Never dispatched, so never sent (the engine sends only after the durable
            // dispatched mark): the provider's "not done yet" or "cannot tell" is "not sent".
            Ok(Verdict::Pending(_) | Verdict::Unreconcilable(_))
                if entry.state == State::Recorded =>
            {
                Step::Settle(Resolution::NotSent)
            }
            Ok(Verdict::Pending(state)) if exhausted => Step::Park(format!(
                "still not final after {} attempts (last state {state})",
                entry.attempts
            )),
            Ok(Verdict::Pending(state)) => Step::Release(Outcome::Pending(state)),
            Ok(Verdict::Unreconcilable(why)) => Step::Park(why),
            Err(e) if exhausted => Step::Park(format!(
                "the status call failed {} times; last: {e}",
                entry.attempts
            )),
            Err(e) => Step::Release(Outcome::Failed(format!("the status call failed: {e}"))),
        }
    }

    /// Runs at once, then every `interval`, until `shutdown` completes (a run in progress
    /// is dropped at shutdown: its claims simply expire). Each report with a claim is
    /// logged at `info`, with its lines; a failed claim at `warn`, and the next run tries
    /// again.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let store = std::sync::Arc::new(kassa_journal::SqliteJournal::open_in_memory()?);
    /// let r = kassa_journal::Recoverer::builder(store, std::time::Duration::from_secs(1)).build()?;
    /// // A shutdown that is already done: it returns at once.
    /// r.run(std::time::Duration::from_secs(60), std::future::ready(())).await;
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(()) }).unwrap();
    /// ```
    pub async fn run(&self, interval: Duration, shutdown: impl Future<Output = ()>) {
        let mut shutdown = pin!(shutdown);
        loop {
            if let Some(result) = until(shutdown.as_mut(), self.run_once()).await {
                match result {
                    Ok(report) if report.claimed > 0 => {
                        tracing::info!(owner = %self.owner, "journal recovery: {}", report);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(owner = %self.owner, "journal recovery: claim failed: {e}")
                    }
                }
            } else {
                return;
            }
            if until(shutdown.as_mut(), tokio::time::sleep(interval))
                .await
                .is_none()
            {
                return;
            }
        }
    }
}

/// `work`'s output, or `None` when `stop` completes first. `work` is polled first, so
/// ready work still finishes when `stop` is already done.
async fn until<T>(
    mut stop: std::pin::Pin<&mut impl Future<Output = ()>>,
    work: impl Future<Output = T>,
) -> Option<T> {
    let mut work = pin!(work);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
