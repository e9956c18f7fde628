//! The SQLite store: durability across reopen, no request body in the file, the keyed
//! hash, claims (exclusive across two journals on one file, leases, grace), the lease
//! owner's settle/park/release, and the engine's hook writing real rows.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
use kassa_core::ops::EffectKind;
use kassa_core::{Body, Effect, Engine, Error, Method, Operation, Reconcile, Request};
use kassa_journal::sqlite::Clock;
use kassa_journal::{SqliteJournal, State, Store};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CARD: &str = "8600123412341234";
const BODY: &str =
    r#"{"card":"8600123412341234","expiry":"2912","password":"hunter2-secret","amount":150000}"#;

/// A clock the test moves by hand.
#[derive(Clone)]
struct Hand(Arc<AtomicU64>);

impl Hand {
    fn at(secs: u64) -> Hand {
        Hand(Arc::new(AtomicU64::new(secs * 1000)))
    }
    fn clock(&self) -> Clock {
        let t = self.0.clone();
        Arc::new(move || UNIX_EPOCH + Duration::from_millis(t.load(Ordering::SeqCst)))
    }
    fn advance(&self, d: Duration) {
        self.0.fetch_add(
            u64::try_from(d.as_millis()).expect("small"),
            Ordering::SeqCst,
        );
    }
}

fn pay(bill: &str) -> Intent {
    Intent::for_operation(
        &Operation::new("anor-bm", "pay", Effect::Once)
            .reconcile_with(Reconcile::new("status").param("billId", bill.to_owned()))
            .amount(150_000, "UZS"),
    )
}

fn open(path: &Path, hand: &Hand) -> SqliteJournal {
    SqliteJournal::open(path)
        .expect("opens")
        .with_clock(hand.clock())
}

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_recorded_intent_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let hand = Hand::at(1_800_000_000);
    let mut intent = pay("935191");
    intent.key = Some("order-77".into());
    intent.effect = EffectKind::Keyed;
    {
        let j = open(&file, &hand);
        j.record(&intent, BODY.as_bytes()).await.expect("records");
        j.dispatched(&intent.id).await.expect("dispatched");
    } // dropped: the connection is closed, as when the process ends
    let j = open(&file, &hand);
    let entry = j.entry(&intent.id).await.expect("reads").expect("kept");
    assert_eq!(entry.intent, intent);
    assert_eq!(entry.state, State::Dispatched);
    assert_eq!(entry.recorded_at_ms, 1_800_000_000_000);
    assert_eq!(entry.attempts, 0);
    assert_eq!(entry.request_hash, j.hasher().hash(BODY.as_bytes()));
    assert_eq!(j.open_entries().await.expect("lists").len(), 1);
}

#[tokio::test]
async fn the_file_is_in_wal_mode_and_the_journal_syncs_fully() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let j = SqliteJournal::open(&file).expect("opens");
    j.record(&pay("1"), b"{}").await.expect("records");
    // WAL is kept in the file: another connection sees it.
    let other = rusqlite::Connection::open(&file).expect("opens");
    let mode: String = other
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("reads");
    assert_eq!(mode, "wal");
    assert!(dir.path().join("journal.sqlite-wal").exists());
}

fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for f in std::fs::read_dir(dir).expect("lists") {
        let f = f.expect("entry");
        bytes.extend(std::fs::read(f.path()).expect("reads"));
    }
    bytes
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_files_hold_no_part_of_the_request_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let hand = Hand::at(1_800_000_000);
    let j = open(&file, &hand);
    let intent = pay("935191");
    j.record(&intent, BODY.as_bytes()).await.expect("records");
    j.dispatched(&intent.id).await.expect("dispatched");
    j.resolve(&intent.id, &Resolution::Succeeded)
        .await
        .expect("resolved");
    let bytes = all_bytes(dir.path());
    // The probe works: what the intent holds is in the files.
    assert!(contains(&bytes, "935191"), "the bill id is kept");
    assert!(contains(&bytes, &intent.id));
    for part in [CARD, "123412341234", "hunter2-secret", "2912", BODY] {
        assert!(
            !contains(&bytes, part),
            "{part:?} found in the journal files"
        );
    }
    drop(j);
    // After a checkpoint folds the WAL into the main file, still nothing.
    let c = rusqlite::Connection::open(&file).expect("opens");
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    drop(c);
    let bytes = all_bytes(dir.path());
    assert!(contains(&bytes, "935191"));
    assert!(!contains(&bytes, CARD));
    assert!(!contains(&bytes, "hunter2-secret"));
}

#[tokio::test]
async fn the_hash_is_the_same_for_the_same_body_and_differs_across_journals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hand = Hand::at(1_800_000_000);
    let a = open(&dir.path().join("a.sqlite"), &hand);
    let b = open(&dir.path().join("b.sqlite"), &hand);
    let (i1, i2, i3) = (pay("1"), pay("1"), pay("1"));
    a.record(&i1, BODY.as_bytes()).await.expect("records");
    a.record(&i2, BODY.as_bytes()).await.expect("records");
    b.record(&i3, BODY.as_bytes()).await.expect("records");
    let h = |j: &SqliteJournal, id: &str| {
        let j = j.clone();
        let id = id.to_owned();
        async move {
            j.entry(&id)
                .await
                .expect("reads")
                .expect("kept")
                .request_hash
        }
    };
    let (h1, h2, h3) = (
        h(&a, &i1.id).await,
        h(&a, &i2.id).await,
        h(&b, &i3.id).await,
    );
    assert_eq!(h1, h2, "same body, same journal");
    assert_ne!(h1, h3, "same body, another journal's key");
    assert_eq!(h1.len(), 64);
    // The key is the file's: reopening gives the same hash.
    let a2 = open(&dir.path().join("a.sqlite"), &hand);
    assert_eq!(a2.hasher().hash(BODY.as_bytes()), h1);
    // And a different body hashes differently.
    assert_ne!(a2.hasher().hash(b"{}"), h1);
    // The key never shows in Debug.
    assert!(!format!("{a2:?}").contains(&format!("{:?}", a2.hasher().key())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_journals_on_one_file_never_claim_the_same_intent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let hand = Hand::at(1_800_000_000);
    let first = open(&file, &hand);
    let second = open(&file, &hand);
    let mut ids = Vec::new();
    for n in 0..200 {
        let i = pay(&n.to_string());
        first.record(&i, b"{}").await.expect("records");
        ids.push(i.id);
    }
    hand.advance(HOUR);
    let claimed: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let j = if worker % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let claimed = claimed.clone();
        tasks.push(tokio::spawn(async move {
            let owner = format!("worker-{worker}");
            loop {
                let batch = j.claim(&owner, MINUTE, HOUR, 7).await.expect("claims");
                if batch.is_empty() {
                    return;
                }
                for e in batch {
                    *claimed
                        .lock()
                        .expect("lock")
                        .entry(e.intent.id.clone())
                        .or_default() += 1;
                    assert!(
                        j.settle(&e.intent.id, &owner, &Resolution::NotSent)
                            .await
                            .expect("settles"),
                        "the claimant settles it"
                    );
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    let claimed = claimed.lock().expect("lock").clone();
    assert_eq!(claimed.len(), 200, "every intent claimed");
    assert!(
        claimed.values().all(|&n| n == 1),
        "an intent claimed twice: {claimed:?}"
    );
    assert!(first.open_entries().await.expect("lists").is_empty());
}

#[tokio::test]
async fn an_expired_lease_lets_another_owner_claim() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hand = Hand::at(1_800_000_000);
    let j = open(&dir.path().join("j.sqlite"), &hand);
    let i = pay("1");
    j.record(&i, b"{}").await.expect("records");
    hand.advance(HOUR);
    let a = j.claim("a", MINUTE, MINUTE, 10).await.expect("claims");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].attempts, 1);
    hand.advance(Duration::from_secs(59));
    assert!(
        j.claim("b", MINUTE, MINUTE, 10)
            .await
            .expect("claims")
            .is_empty(),
        "a's lease still holds"
    );
    hand.advance(Duration::from_secs(1));
    let b = j.claim("b", MINUTE, MINUTE, 10).await.expect("claims");
    assert_eq!(b.len(), 1, "a's lease expired");
    assert_eq!(b[0].attempts, 2);
    // a lost it: its word no longer counts.
    assert!(
        !j.settle(&i.id, "a", &Resolution::Succeeded)
            .await
            .expect("runs")
    );
    assert!(!j.park(&i.id, "a", "why").await.expect("runs"));
    assert!(!j.release(&i.id, "a").await.expect("runs"));
    assert!(
        j.settle(&i.id, "b", &Resolution::Succeeded)
            .await
            .expect("runs")
    );
    assert_eq!(
        j.entry(&i.id).await.expect("reads").expect("kept").state,
        State::Resolved(Resolution::Succeeded)
    );
}

#[tokio::test]
async fn an_expired_lease_cannot_settle_even_if_no_one_else_claimed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hand = Hand::at(1_800_000_000);
    let j = open(&dir.path().join("j.sqlite"), &hand);
    let i = pay("1");
    j.record(&i, b"{}").await.expect("records");
    hand.advance(HOUR);
    assert_eq!(
        j.claim("a", MINUTE, MINUTE, 1).await.expect("claims").len(),
        1
    );
    hand.advance(MINUTE);
    assert!(
        !j.settle(&i.id, "a", &Resolution::Succeeded)
            .await
            .expect("runs")
    );
    assert!(
        j.entry(&i.id)
            .await
            .expect("reads")
            .expect("kept")
            .state
            .is_unresolved()
    );
}

#[tokio::test]
async fn grace_counts_from_the_last_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hand = Hand::at(1_800_000_000);
    let j = open(&dir.path().join("j.sqlite"), &hand);
    let i = pay("1");
    j.record(&i, b"{}").await.expect("records");
    hand.advance(Duration::from_secs(100));
    j.dispatched(&i.id).await.expect("dispatched");
    hand.advance(Duration::from_secs(119));
    let grace = Duration::from_secs(120);
    assert!(
        j.claim("a", grace, MINUTE, 10)
            .await
            .expect("claims")
            .is_empty(),
        "dispatched 119 s ago: still in its grace"
    );
    hand.advance(Duration::from_secs(1));
    let got = j.claim("a", grace, MINUTE, 10).await.expect("claims");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].state, State::Dispatched);
    // Released: asked again only after another grace.
    assert!(j.release(&i.id, "a").await.expect("releases"));
    hand.advance(Duration::from_secs(119));
    assert!(
        j.claim("b", grace, MINUTE, 10)
            .await
            .expect("claims")
            .is_empty()
    );
    hand.advance(Duration::from_secs(1));
    let again = j.claim("b", grace, MINUTE, 10).await.expect("claims");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
}

#[tokio::test]
async fn only_the_lease_owner_settles_parks_or_releases_an_unresolved_intent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hand = Hand::at(1_800_000_000);
    let j = open(&dir.path().join("j.sqlite"), &hand);
    let (i1, i2) = (pay("1"), pay("2"));
    j.record(&i1, b"{}").await.expect("records");
    j.record(&i2, b"{}").await.expect("records");
    // Unclaimed: no one may settle it.
    assert!(
        !j.settle(&i1.id, "a", &Resolution::NotSent)
            .await
            .expect("runs")
    );
    hand.advance(HOUR);
    assert_eq!(
        j.claim("a", MINUTE, MINUTE, 10)
            .await
            .expect("claims")
            .len(),
        2
    );
    assert!(
        !j.settle(&i1.id, "b", &Resolution::NotSent)
            .await
            .expect("runs")
    );
    assert!(!j.park(&i1.id, "b", "x").await.expect("runs"));
    assert!(!j.release(&i1.id, "b").await.expect("runs"));
    let refused = Resolution::Refused {
        code: Some("-31".into()),
        message: "no funds".into(),
    };
    assert!(j.settle(&i1.id, "a", &refused).await.expect("runs"));
    assert!(
        j.park(&i2.id, "a", "the status call is gone")
            .await
            .expect("runs")
    );
    // Settled or parked: not again.
    assert!(!j.park(&i1.id, "a", "x").await.expect("runs"));
    assert!(
        !j.settle(&i2.id, "a", &Resolution::Succeeded)
            .await
            .expect("runs")
    );
    let e1 = j.entry(&i1.id).await.expect("reads").expect("kept");
    assert_eq!(e1.state, State::Resolved(refused));
    let e2 = j.entry(&i2.id).await.expect("reads").expect("kept");
    assert_eq!(e2.state, State::Parked("the status call is gone".into()));
    // Parked intents are listed for a person; resolved ones are not.
    let open_ids: Vec<String> = j
        .open_entries()
        .await
        .expect("lists")
        .into_iter()
        .map(|e| e.intent.id)
        .collect();
    assert_eq!(open_ids, vec![i2.id]);
    // Parked intents are never claimed again.
    hand.advance(HOUR);
    assert!(
        j.claim("c", MINUTE, MINUTE, 10)
            .await
            .expect("claims")
            .is_empty()
    );
}

#[tokio::test]
async fn resolve_is_idempotent_and_refuses_a_contradiction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hand = Hand::at(1_800_000_000);
    let j = open(&dir.path().join("j.sqlite"), &hand);
    let i = pay("1");
    assert!(j.dispatched(&i.id).await.is_err(), "unknown intent");
    assert!(j.resolve(&i.id, &Resolution::Succeeded).await.is_err());
    j.record(&i, b"{}").await.expect("records");
    assert!(
        j.record(&i, b"{}").await.is_err(),
        "the same id is not recorded twice"
    );
    j.dispatched(&i.id).await.expect("dispatched");
    assert!(j.dispatched(&i.id).await.is_err(), "already dispatched");
    j.resolve(&i.id, &Resolution::Succeeded)
        .await
        .expect("resolves");
    j.resolve(&i.id, &Resolution::Succeeded)
        .await
        .expect("the same again is fine");
    let err = j
        .resolve(&i.id, &Resolution::NotSent)
        .await
        .expect_err("contradiction");
    assert!(
        err.to_string().contains("already resolved as succeeded"),
        "{err}"
    );
}

#[tokio::test]
async fn open_entries_lists_the_oldest_first() {
    let j = SqliteJournal::open_in_memory().expect("opens");
    // Ids sort by the time they were made (UUID v7); recorded out of order here.
    let ids: Vec<String> = (0..5)
        .map(|n| format!("01900000-0000-7000-8000-00000000000{n}"))
        .collect();
    for n in [3, 0, 4, 1, 2] {
        let mut i = pay(&n.to_string());
        i.id = ids[n].clone();
        j.record(&i, b"{}").await.expect("records");
    }
    let listed: Vec<String> = j
        .open_entries()
        .await
        .expect("lists")
        .into_iter()
        .map(|e| e.intent.id)
        .collect();
    assert_eq!(listed, ids);
}

/// Delegates to the SQLite journal and notes the row's state after each step.
#[derive(Debug)]
struct Watched {
    inner: SqliteJournal,
    seen: Mutex<Vec<(String, String)>>,
}

impl Watched {
    async fn note(&self, id: &str) -> Result<(), JournalError> {
        let e = self.inner.entry(id).await?.ok_or("row missing")?;
        let what = match &e.state {
            State::Resolved(r) => format!("resolved {}", r.kind()),
            s => s.name().to_owned(),
        };
        self.seen.lock().expect("lock").push((id.to_owned(), what));
        Ok(())
    }
}

#[kassa_core::async_trait]
impl Journal for Watched {
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError> {
        self.inner.record(intent, request).await?;
        self.note(&intent.id).await
    }
    async fn dispatched(&self, id: &str) -> Result<(), JournalError> {
        self.inner.dispatched(id).await?;
        self.note(id).await
    }
    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError> {
        self.inner.resolve(id, resolution).await?;
        self.note(id).await
    }
}

fn engine_with(uri: &str, journal: Arc<dyn Journal>) -> Engine {
    Engine::builder("anor-bm", uri)
        .journal(journal)
        .build()
        .expect("engine")
}

fn pay_request(bill: &str) -> Request {
    let mut req = Request::new(
        Operation::new("anor-bm", "pay", Effect::Once)
            .reconcile_with(Reconcile::new("status").param("billId", bill.to_owned()))
            .amount(150_000, "UZS"),
        Method::Post,
        "/pay",
    );
    req.body = Body::Json(BODY.as_bytes().to_vec());
    req
}

#[tokio::test]
async fn an_engine_call_is_recorded_dispatched_and_resolved_in_the_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/pay"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let watched = Arc::new(Watched {
        inner: SqliteJournal::open(&file).expect("opens"),
        seen: Mutex::default(),
    });
    let e = engine_with(&server.uri(), watched.clone());
    let status = e
        .exchange(&pay_request("935191"), |r| Ok(r.status))
        .await
        .expect("succeeds");
    assert_eq!(status, 200);
    let seen = watched.seen.lock().expect("lock").clone();
    let steps: Vec<&str> = seen.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(steps, ["recorded", "dispatched", "resolved succeeded"]);
    // The row, read back from the file by a new journal.
    let again = SqliteJournal::open(&file).expect("reopens");
    let entry = again.entry(&seen[0].0).await.expect("reads").expect("kept");
    assert_eq!(entry.intent.operation, "pay");
    assert_eq!(
        entry.intent.ids,
        [("billId".to_string(), "935191".to_string())]
    );
    assert_eq!(entry.intent.amount_minor, Some(150_000));
    assert_eq!(entry.request_hash, again.hasher().hash(BODY.as_bytes()));
    assert!(again.open_entries().await.expect("lists").is_empty());
}

#[tokio::test]
async fn an_outcome_unknown_leaves_the_row_dispatched() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let journal = Arc::new(SqliteJournal::open(&file).expect("opens"));
    let e = engine_with(&server.uri(), journal.clone());
    let req = pay_request("935192");
    let err = e
        .exchange(&req, |resp| {
            if resp.status == 503 {
                Err(req
                    .operation
                    .outcome_unknown(std::io::Error::other("503 after the body was sent")))
            } else {
                Ok(resp.status)
            }
        })
        .await
        .expect_err("outcome unknown");
    assert!(err.may_have_taken_effect(), "{err:?}");
    let open = journal.open_entries().await.expect("lists");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, State::Dispatched);
    assert_eq!(
        open[0].intent.ids,
        [("billId".to_string(), "935192".to_string())]
    );
}

#[tokio::test]
async fn a_journal_that_cannot_write_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let journal = Arc::new(
        SqliteJournal::open(&file)
            .expect("opens")
            .with_busy_timeout(Duration::from_millis(50))
            .expect("sets"),
    );
    // Another connection holds the write lock; with a short busy timeout the record fails.
    let blocker = rusqlite::Connection::open(&file).expect("opens");
    blocker
        .execute_batch("BEGIN IMMEDIATE;")
        .expect("takes the lock");
    let e = engine_with(&server.uri(), journal.clone());
    let err = e
        .exchange(&pay_request("1"), |r| Ok(r.status))
        .await
        .expect_err("not recorded, not sent");
    assert!(matches!(err, Error::Journal { .. }), "{err:?}");
    assert!(!err.may_have_taken_effect());
    blocker.execute_batch("ROLLBACK;").expect("releases");
    assert!(journal.open_entries().await.expect("lists").is_empty());
}

#[test]
fn the_store_works_without_a_tokio_runtime() {
    let j = SqliteJournal::open_in_memory().expect("opens");
    let i = pay("1");
    // A bare executor: no tokio runtime, so the work runs inline.
    let fut = j.record(&i, b"{}");
    block_on(fut).expect("records");
    let entry = block_on(j.entry(&i.id)).expect("reads").expect("kept");
    assert_eq!(entry.state, State::Recorded);
}

/// Polls a future to completion on this thread (the store's futures complete without
/// waking when there is no runtime).
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
