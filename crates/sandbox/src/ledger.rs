//! The ledger of money movements: one entry for every money-moving operation an emulator
//! commits (the balance moved, the payment or bill recorded) and for every one it refuses,
//! in the order they happened, across all five providers.
//!
//! It is what the provider says happened, to compare with what a client believes: after a
//! dropped answer ([`crate::Fault::drop_connection`]) the entry is there even though the
//! client never heard of it. An entry names the ids the provider's status call takes
//! (`billId`, `agentTranId`, `orderId`, `operation_id`, `client_payment_id`, payment `id`,
//! bid `id`, `hash` and `api_id`, payout `payout_id`), the amount in minor units and its
//! currency, and never a secret: no token, password, API key or full card number (a card is
//! shown masked, as the emulators mask it elsewhere).
//!
//! Read it from Rust ([`crate::Sandbox::ledger`]) or over HTTP: `GET /_sandbox/ledger`
//! (a JSON array of [`Entry`]; `?provider=anor-bm` keeps one provider's, `?since=N` the
//! entries after sequence number `N`), `DELETE /_sandbox/ledger` to empty it (sequence
//! numbers go on). It keeps the newest [`LEDGER_CAP`] entries; an older one is dropped
//! first, which a reader sees as a gap before the first sequence number it gets.
//!
//! ```
//! let ledger = kassa_sandbox::Ledger::default();
//! assert!(ledger.entries().is_empty());
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};

/// How many entries a ledger keeps: the newest 100,000. Enough for 10,000 crash runs of up
/// to ten money movements each, every one still there to check when the last run ends.
pub const LEDGER_CAP: usize = 100_000;

/// What the emulator did with a money-moving request.
///
/// ```
/// use kassa_sandbox::ledger::Outcome;
/// assert_eq!(serde_json::to_string(&Outcome::Committed).expect("json"), "\"committed\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done: the money moved (or the payment, bill or bid was recorded); a status call
    /// reports it.
    Committed,
    /// Refused with the provider's code ([`Entry::code`]); nothing moved by this request.
    Refused,
}

/// One money movement (or refusal) as the provider saw it.
///
/// ```
/// let ledger = kassa_sandbox::Ledger::default();
/// for entry in ledger.entries() {
///     println!("{} {} {} {:?}", entry.seq, entry.provider, entry.operation, entry.result);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its place in the ledger, from 1, one more for each entry of any provider.
    pub seq: u64,
    /// The provider's catalogue name (`anor-bm`, `requisite-uz`, `mobilnik`, `mserver`,
    /// `exchanger`).
    pub provider: String,
    /// The operation's name in the operation tables (`unregistered-pay`, `payment`, ...).
    pub operation: String,
    /// The ids a status call takes, by the provider's own field names.
    pub ids: BTreeMap<String, String>,
    /// The amount in minor units (tiyin, tyiyn, kopecks, satoshi...); `None` for a refused
    /// request that named none.
    pub amount_minor: Option<i64>,
    /// The amount's currency code (`UZS`, `KGS`, `RUB`, `BTC`...); empty for an exchanger
    /// refusal, which names no amount.
    pub currency: String,
    /// Committed or refused.
    pub result: Outcome,
    /// The provider's refusal code (`None` when committed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Entry {
    /// The id named `name`, if the entry has it.
    ///
    /// ```
    /// let e = kassa_sandbox::ledger::Entry {
    ///     seq: 1, provider: "requisite-uz".into(), operation: "payment".into(),
    ///     ids: [("orderId".to_owned(), "o-1".to_owned())].into(),
    ///     amount_minor: Some(100_000), currency: "UZS".into(),
    ///     result: kassa_sandbox::ledger::Outcome::Committed, code: None,
    /// };
    /// assert_eq!(e.id("orderId"), Some("o-1"));
    /// assert!(e.is_committed());
    /// ```
    pub fn id(&self, name: &str) -> Option<&str> {
        self.ids.get(name).map(String::as_str)
    }

    /// Whether the operation was committed.
    ///
    /// ```
    /// let ledger = kassa_sandbox::Ledger::default();
    /// assert_eq!(ledger.entries().iter().filter(|e| e.is_committed()).count(), 0);
    /// ```
    pub fn is_committed(&self) -> bool {
        self.result == Outcome::Committed
    }
}

#[derive(Debug)]
struct Inner {
    entries: VecDeque<Entry>,
    next_seq: u64,
    cap: usize,
}

impl Default for Inner {
    fn default() -> Inner {
        Inner {
            entries: VecDeque::new(),
            next_seq: 1,
            cap: LEDGER_CAP,
        }
    }
}

/// A sandbox's ledger. Cheap to clone; clones share the entries.
///
/// ```
/// let ledger = kassa_sandbox::Ledger::default();
/// let same = ledger.clone();
/// same.clear();
/// assert!(ledger.entries().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Ledger(Arc<Mutex<Inner>>);

impl Ledger {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every entry kept, oldest first.
    ///
    /// ```
    /// assert!(kassa_sandbox::Ledger::default().entries().is_empty());
    /// ```
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().entries.iter().cloned().collect()
    }

    /// The entries of one provider (`None`: all) after sequence number `since` (`0`: all).
    ///
    /// ```
    /// let ledger = kassa_sandbox::Ledger::default();
    /// assert!(ledger.select(Some("mobilnik"), 0).is_empty());
    /// ```
    pub fn select(&self, provider: Option<&str>, since: u64) -> Vec<Entry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.seq > since && provider.is_none_or(|p| e.provider == p))
            .cloned()
            .collect()
    }

    /// Empties the ledger and frees its memory; the next entry still takes the next
    /// sequence number.
    ///
    /// ```
    /// let ledger = kassa_sandbox::Ledger::default();
    /// ledger.clear();
    /// assert!(ledger.entries().is_empty());
    /// ```
    pub fn clear(&self) {
        self.lock().entries = VecDeque::new();
    }

    fn append(&self, mut entry: Entry) -> u64 {
        let mut inner = self.lock();
        entry.seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.entries.len() >= inner.cap {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
        inner.next_seq - 1
    }

    #[cfg(test)]
    fn with_cap(cap: usize) -> Ledger {
        Ledger(Arc::new(Mutex::new(Inner {
            cap,
            ..Inner::default()
        })))
    }
}

/// One emulator's pen on the sandbox's ledger: its provider's name, and how many
/// operations it committed (so a handler can tell whether a failed call had committed
/// before failing, and record a refusal only when it had not).
#[derive(Debug, Clone, Default)]
pub(crate) struct Book {
    ledger: Ledger,
    provider: &'static str,
    commits: u64,
}

/// The ids of an entry, by the provider's field names.
pub(crate) type Ids<'a> = &'a [(&'a str, String)];

impl Book {
    /// Writes to `ledger` as `provider` from now on.
    pub(crate) fn attach(&mut self, ledger: Ledger, provider: &'static str) {
        self.ledger = ledger;
        self.provider = provider;
    }

    /// How many operations this emulator committed so far.
    pub(crate) fn commits(&self) -> u64 {
        self.commits
    }

    fn entry(
        &self,
        operation: &str,
        ids: Ids<'_>,
        amount_minor: Option<i64>,
        currency: &str,
        result: Outcome,
        code: Option<String>,
    ) -> Entry {
        Entry {
            seq: 0,
            provider: self.provider.to_owned(),
            operation: operation.to_owned(),
            ids: ids
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            amount_minor,
            currency: currency.to_owned(),
            result,
            code,
        }
    }

    /// Records a committed operation.
    pub(crate) fn commit(&mut self, operation: &str, ids: Ids<'_>, amount: i64, currency: &str) {
        self.commits += 1;
        let entry = self.entry(
            operation,
            ids,
            Some(amount),
            currency,
            Outcome::Committed,
            None,
        );
        self.ledger.append(entry);
    }

    /// Records a refused operation with the provider's `code`.
    pub(crate) fn refuse(
        &mut self,
        operation: &str,
        ids: Ids<'_>,
        amount: Option<i64>,
        currency: &str,
        code: impl Into<String>,
    ) {
        let entry = self.entry(
            operation,
            ids,
            amount,
            currency,
            Outcome::Refused,
            Some(code.into()),
        );
        self.ledger.append(entry);
    }
}

#[derive(Deserialize)]
struct Filter {
    provider: Option<String>,
    #[serde(default)]
    since: u64,
}

/// `/_sandbox/ledger`: read (GET, `?provider=`, `?since=`), empty (DELETE).
pub(crate) fn control_router(ledger: Ledger) -> Router {
    Router::new()
        .route("/ledger", get(read).delete(clear))
        .with_state(ledger)
}

async fn read(
    State(ledger): State<Ledger>,
    Query(filter): Query<Filter>,
) -> axum::Json<Vec<Entry>> {
    axum::Json(ledger.select(filter.provider.as_deref(), filter.since))
}

async fn clear(State(ledger): State<Ledger>) -> StatusCode {
    ledger.clear();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_go_on_past_the_cap_and_a_clear() {
        let ledger = Ledger::with_cap(3);
        let mut book = Book::default();
        book.attach(ledger.clone(), "p");
        for i in 0..5 {
            book.commit("pay", &[("id", i.to_string())], 100, "UZS");
        }
        let seqs: Vec<u64> = ledger.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 4, 5], "the oldest go first");
        assert_eq!(book.commits(), 5);
        book.refuse("pay", &[], None, "UZS", "NO_MONEY");
        assert_eq!(ledger.select(None, 5).len(), 1);
        assert_eq!(ledger.select(Some("q"), 0).len(), 0);
        ledger.clear();
        book.commit("pay", &[], 1, "UZS");
        assert_eq!(ledger.entries()[0].seq, 7);
        assert_eq!(book.commits(), 6, "a refusal is not a commit");
    }
}
