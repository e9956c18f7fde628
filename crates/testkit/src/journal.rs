//! [`Memory`]: an in-memory intent journal for tests. It keeps every recorded intent and
//! the ordered events the engine sent it (record, dispatched, resolve with its kind), so a
//! test can check what a client recorded before sending and how it was resolved.
//!
//! ```
//! use std::sync::Arc;
//! use kassa_core::journal::{Intent, Journal, Resolution};
//! use kassa_core::{Effect, Operation, Reconcile};
//! use kassa_testkit::journal::{Event, Memory};
//! # tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(async {
//! let journal = Arc::new(Memory::new());
//! let op = Operation::new("anor-bm", "pay", Effect::Once)
//!     .reconcile_with(Reconcile::new("status").param("billId", "7"));
//! let intent = Intent::for_operation(&op);
//! journal.record(&intent, b"{}").await.expect("recorded");
//! journal.dispatched(&intent.id).await.expect("dispatched");
//! journal.resolve(&intent.id, &Resolution::Succeeded).await.expect("resolved");
//! assert_eq!(journal.intents(), vec![intent.clone()]);
//! assert_eq!(journal.kinds(), ["record", "dispatched", "resolve succeeded"]);
//! assert_eq!(journal.resolution(&intent.id), Some(Resolution::Succeeded));
//! assert!(journal.unresolved().is_empty());
//! # });
//! ```

use std::sync::Mutex;

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};

/// One call the engine made on the journal, in order.
///
/// ```
/// let e = kassa_testkit::journal::Event::Dispatched("id-1".into());
/// assert_eq!(e.id(), "id-1");
/// assert_eq!(e.kind(), "dispatched");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An intent was recorded; the length of the request body it came with.
    Record {
        /// The intent's id.
        id: String,
        /// How many bytes the request body held (the body itself is not kept).
        request_len: usize,
    },
    /// The intent was marked as about to leave.
    Dispatched(String),
    /// The intent was resolved.
    Resolve(String, Resolution),
}

impl Event {
    /// The intent id the event is about.
    ///
    /// ```
    /// use kassa_testkit::journal::Event;
    /// assert_eq!(Event::Record { id: "a".into(), request_len: 2 }.id(), "a");
    /// ```
    pub fn id(&self) -> &str {
        match self {
            Event::Record { id, .. } | Event::Dispatched(id) | Event::Resolve(id, _) => id,
        }
    }

    /// `record`, `dispatched`, or `resolve <kind>` (`resolve succeeded`).
    ///
    /// ```
    /// use kassa_core::journal::Resolution;
    /// use kassa_testkit::journal::Event;
    /// assert_eq!(Event::Resolve("a".into(), Resolution::NotSent).kind(), "resolve not-sent");
    /// ```
    pub fn kind(&self) -> String {
        match self {
            Event::Record { .. } => "record".to_owned(),
            Event::Dispatched(_) => "dispatched".to_owned(),
            Event::Resolve(_, r) => format!("resolve {}", r.kind()),
        }
    }
}

/// An intent journal held in memory (for tests only: nothing survives the process). It may
/// be told to refuse every record, to test that a failure to record sends nothing.
///
/// ```
/// use kassa_core::journal::{Intent, Journal};
/// use kassa_core::{Effect, Operation};
/// # tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(async {
/// let journal = kassa_testkit::journal::Memory::refusing();
/// let intent = Intent::for_operation(&Operation::new("p", "pay", Effect::Once));
/// assert!(journal.record(&intent, b"").await.is_err());
/// assert!(journal.intents().is_empty());
/// # });
/// ```
#[derive(Debug, Default)]
pub struct Memory {
    intents: Mutex<Vec<Intent>>,
    events: Mutex<Vec<Event>>,
    refuse_record: bool,
}

impl Memory {
    /// An empty journal.
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::new().events().is_empty());
    /// ```
    pub fn new() -> Memory {
        Memory::default()
    }

    /// A journal whose every `record` fails (as a full disk would).
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::refusing().intents().is_empty());
    /// ```
    pub fn refusing() -> Memory {
        Memory {
            refuse_record: true,
            ..Memory::default()
        }
    }

    /// Every intent recorded, in order.
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::new().intents().is_empty());
    /// ```
    pub fn intents(&self) -> Vec<Intent> {
        lock(&self.intents).clone()
    }

    /// The last intent recorded.
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::new().last().is_none());
    /// ```
    pub fn last(&self) -> Option<Intent> {
        lock(&self.intents).last().cloned()
    }

    /// Every event, in order.
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::new().events().is_empty());
    /// ```
    pub fn events(&self) -> Vec<Event> {
        lock(&self.events).clone()
    }

    /// The kinds of every event, in order (`record`, `dispatched`, `resolve refused`).
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::new().kinds().is_empty());
    /// ```
    pub fn kinds(&self) -> Vec<String> {
        lock(&self.events).iter().map(Event::kind).collect()
    }

    /// How intent `id` was last resolved, if it was.
    ///
    /// ```
    /// assert_eq!(kassa_testkit::journal::Memory::new().resolution("x"), None);
    /// ```
    pub fn resolution(&self, id: &str) -> Option<Resolution> {
        lock(&self.events).iter().rev().find_map(|e| match e {
            Event::Resolve(i, r) if i == id => Some(r.clone()),
            _ => None,
        })
    }

    /// The intents recorded and never resolved (what a recoverer would claim).
    ///
    /// ```
    /// assert!(kassa_testkit::journal::Memory::new().unresolved().is_empty());
    /// ```
    pub fn unresolved(&self) -> Vec<Intent> {
        self.intents()
            .into_iter()
            .filter(|i| self.resolution(&i.id).is_none())
            .collect()
    }

    /// Whether intent `id` was marked dispatched.
    ///
    /// ```
    /// assert!(!kassa_testkit::journal::Memory::new().was_dispatched("x"));
    /// ```
    pub fn was_dispatched(&self, id: &str) -> bool {
        lock(&self.events)
            .iter()
            .any(|e| matches!(e, Event::Dispatched(i) if i == id))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A test that panicked while holding the lock leaves the data as it was; keep reading it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[kassa_core::async_trait]
impl Journal for Memory {
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError> {
        if self.refuse_record {
            return Err("the test journal refuses every record".into());
        }
        lock(&self.intents).push(intent.clone());
        lock(&self.events).push(Event::Record {
            id: intent.id.clone(),
            request_len: request.len(),
        });
        Ok(())
    }

    async fn dispatched(&self, id: &str) -> Result<(), JournalError> {
        lock(&self.events).push(Event::Dispatched(id.to_owned()));
        Ok(())
    }

    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError> {
        lock(&self.events).push(Event::Resolve(id.to_owned(), resolution.clone()));
        Ok(())
    }
}
