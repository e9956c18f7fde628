//! The recoverer's rules, each against a fake reconciler and a real SQLite journal; its
//! settings; two recoverers racing on one file; and `run` as a service.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use kassa_core::journal::{Intent, Journal, Reconciler, Resolution, Verdict};
use kassa_core::{Effect, Error, Operation, Reconcile, Sent};
use kassa_journal::recover::Outcome;
use kassa_journal::sqlite::Clock;
use kassa_journal::{Recoverer, SqliteJournal, State, Store};

const TIMEOUT: Duration = Duration::from_secs(30);
const GRACE: Duration = Duration::from_secs(60);
const CARD: &str = "8600123412341234";

/// A clock the test moves by hand.
#[derive(Clone)]
struct Hand(Arc<AtomicU64>);

impl Hand {
    fn new() -> Hand {
        Hand(Arc::new(AtomicU64::new(1_800_000_000_000)))
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

type Answer = dyn Fn(&Intent, u32) -> Result<Verdict, Error> + Send + Sync;

/// A reconciler whose answer a test gives (by intent and call number); counts its calls.
struct Fake {
    provider: &'static str,
    answer: Box<Answer>,
    calls: Mutex<HashMap<String, u32>>,
}

impl Fake {
    fn new(
        answer: impl Fn(&Intent, u32) -> Result<Verdict, Error> + Send + Sync + 'static,
    ) -> Arc<Fake> {
        Arc::new(Fake {
            provider: "anor-bm",
            answer: Box::new(answer),
            calls: Mutex::default(),
        })
    }
    fn calls(&self, id: &str) -> u32 {
        self.calls
            .lock()
            .expect("lock")
            .get(id)
            .copied()
            .unwrap_or(0)
    }
    fn total(&self) -> u32 {
        self.calls.lock().expect("lock").values().sum()
    }
}

#[kassa_core::async_trait]
impl Reconciler for Fake {
    fn provider(&self) -> &'static str {
        self.provider
    }
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error> {
        let n = {
            let mut calls = self.calls.lock().expect("lock");
            let n = calls.entry(intent.id.clone()).or_default();
            *n += 1;
            *n
        };
        tokio::task::yield_now().await;
        (self.answer)(intent, n)
    }
}

fn pay(provider: &str, bill: &str) -> Intent {
    let mut i = Intent::for_operation(
        &Operation::new("anor-bm", "pay", Effect::Once)
            .reconcile_with(Reconcile::new("status").param("billId", bill.to_owned()))
            .amount(150_000, "UZS"),
    );
    i.provider = provider.to_owned();
    i
}

struct Setup {
    _dir: tempfile::TempDir,
    file: std::path::PathBuf,
    hand: Hand,
    journal: Arc<SqliteJournal>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("journal.sqlite");
    let hand = Hand::new();
    let journal = Arc::new(
        SqliteJournal::open(&file)
            .expect("opens")
            .with_clock(hand.clock()),
    );
    Setup {
        _dir: dir,
        file,
        hand,
        journal,
    }
}

impl Setup {
    /// Records an intent (dispatched unless `recorded_only`), then lets its grace pass.
    async fn left_by_a_dead_process(&self, bill: &str, recorded_only: bool) -> Intent {
        let i = pay("anor-bm", bill);
        self.journal
            .record(
                &i,
                format!(r#"{{"card":"{CARD}","billId":"{bill}"}}"#).as_bytes(),
            )
            .await
            .expect("records");
        if !recorded_only {
            self.journal.dispatched(&i.id).await.expect("dispatched");
        }
        i
    }
    fn recoverer(&self, fake: Arc<Fake>, max_attempts: u32) -> Recoverer {
        Recoverer::builder(self.journal.clone(), TIMEOUT)
            .reconciler(fake)
            .owner("test")
            .grace(GRACE)
            .lease(Duration::from_secs(120))
            .max_attempts(max_attempts)
            .build()
            .expect("recoverer")
    }
    async fn state(&self, id: &str) -> State {
        self.journal
            .entry(id)
            .await
            .expect("reads")
            .expect("kept")
            .state
    }
}

fn failed_status() -> Error {
    Error::Transport {
        provider: "anor-bm",
        operation: "status",
        sent: Sent::No,
        source: "connection refused by 127.0.0.1:9".into(),
    }
}

#[test]
fn grace_must_be_longer_than_the_call_timeout() {
    let store = Arc::new(SqliteJournal::open_in_memory().expect("opens"));
    for grace in [Duration::from_secs(10), TIMEOUT] {
        let err = Recoverer::builder(store.clone(), TIMEOUT)
            .grace(grace)
            .build()
            .expect_err("too short");
        assert_eq!(err.field, "grace");
        let text = err.to_string();
        assert!(
            text.contains("grace") && text.contains("call timeout"),
            "{text}"
        );
    }
    let ok = Recoverer::builder(store.clone(), TIMEOUT)
        .grace(TIMEOUT + Duration::from_millis(1))
        .build()
        .expect("just above");
    assert_eq!(ok.grace(), TIMEOUT + Duration::from_millis(1));
    let default = Recoverer::builder(store.clone(), TIMEOUT)
        .build()
        .expect("defaults");
    assert!(default.grace() > TIMEOUT);
    assert!(default.lease() > TIMEOUT);
    for (b, field) in [
        (
            Recoverer::builder(store.clone(), TIMEOUT).lease(TIMEOUT),
            "lease",
        ),
        (Recoverer::builder(store.clone(), TIMEOUT).batch(0), "batch"),
        (
            Recoverer::builder(store.clone(), TIMEOUT).max_attempts(0),
            "max_attempts",
        ),
        (
            Recoverer::builder(store.clone(), TIMEOUT).owner(" "),
            "owner",
        ),
    ] {
        assert_eq!(b.build().expect_err("refused").field, field);
    }
}

#[tokio::test]
async fn a_final_answer_settles_the_intent() {
    let s = setup();
    let paid = s.left_by_a_dead_process("1", false).await;
    let refused = s.left_by_a_dead_process("2", false).await;
    s.hand.advance(GRACE);
    let fake = Fake::new(|i, _| {
        Ok(Verdict::Final(
            if kassa_core::journal::id_of(i, "billId") == Some("1") {
                Resolution::Succeeded
            } else {
                Resolution::Refused {
                    code: Some("-31".into()),
                    message: "no funds".into(),
                }
            },
        ))
    });
    let report = s.recoverer(fake.clone(), 5).run_once().await.expect("runs");
    assert_eq!((report.claimed, report.settled), (2, 2), "{report}");
    assert_eq!(
        s.state(&paid.id).await,
        State::Resolved(Resolution::Succeeded)
    );
    assert_eq!(
        s.state(&refused.id).await,
        State::Resolved(Resolution::Refused {
            code: Some("-31".into()),
            message: "no funds".into()
        })
    );
    assert_eq!(fake.total(), 2);
    assert!(s.journal.open_entries().await.expect("lists").is_empty());
}

#[tokio::test]
async fn not_found_for_an_intent_never_dispatched_settles_it_as_not_sent() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", true).await;
    s.hand.advance(GRACE);
    let report = s
        .recoverer(Fake::new(|_, _| Ok(Verdict::NotFound)), 5)
        .run_once()
        .await
        .expect("runs");
    assert_eq!(report.settled, 1, "{report}");
    assert_eq!(
        report.lines[0].outcome,
        Outcome::Settled(Resolution::NotSent)
    );
    assert_eq!(s.state(&i.id).await, State::Resolved(Resolution::NotSent));
}

#[tokio::test]
async fn not_final_or_unreconcilable_for_an_intent_never_dispatched_settles_it_as_not_sent() {
    for verdict in [
        Verdict::Pending("CHECK_OK".into()),
        Verdict::Unreconcilable("no status call before the answer".into()),
    ] {
        let s = setup();
        let i = s.left_by_a_dead_process("1", true).await;
        s.hand.advance(GRACE);
        let v = verdict.clone();
        let report = s
            .recoverer(Fake::new(move |_, _| Ok(v.clone())), 5)
            .run_once()
            .await
            .expect("runs");
        assert_eq!(report.settled, 1, "{verdict:?}: {report}");
        assert_eq!(s.state(&i.id).await, State::Resolved(Resolution::NotSent));
        // The same verdict on a dispatched intent is not "not sent".
        let s = setup();
        let i = s.left_by_a_dead_process("1", false).await;
        s.hand.advance(GRACE);
        let v = verdict.clone();
        s.recoverer(Fake::new(move |_, _| Ok(v.clone())), 5)
            .run_once()
            .await
            .expect("runs");
        assert_ne!(s.state(&i.id).await, State::Resolved(Resolution::NotSent));
    }
}

#[tokio::test]
async fn not_found_for_a_dispatched_intent_parks_it() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE);
    let report = s
        .recoverer(Fake::new(|_, _| Ok(Verdict::NotFound)), 5)
        .run_once()
        .await
        .expect("runs");
    assert_eq!(report.parked, 1, "{report}");
    match s.state(&i.id).await {
        State::Parked(why) => assert!(why.contains("no such payment"), "{why}"),
        other => panic!("not parked: {other:?}"),
    }
}

#[tokio::test]
async fn pending_is_released_asked_again_after_grace_and_parked_after_max_attempts() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE);
    let fake = Fake::new(|_, _| Ok(Verdict::Pending("PROCESSING".into())));
    let r = s.recoverer(fake.clone(), 3);
    let first = r.run_once().await.expect("runs");
    assert_eq!(first.pending, 1, "{first}");
    assert_eq!(
        first.lines[0].outcome,
        Outcome::Pending("PROCESSING".into())
    );
    assert_eq!(s.state(&i.id).await, State::Dispatched);
    // Within the grace after the release: not asked.
    s.hand.advance(GRACE - Duration::from_secs(1));
    assert_eq!(r.run_once().await.expect("runs").claimed, 0);
    assert_eq!(fake.calls(&i.id), 1);
    s.hand.advance(Duration::from_secs(1));
    assert_eq!(r.run_once().await.expect("runs").pending, 1);
    s.hand.advance(GRACE);
    let third = r.run_once().await.expect("runs");
    assert_eq!(third.parked, 1, "{third}");
    assert_eq!(fake.calls(&i.id), 3);
    match s.state(&i.id).await {
        State::Parked(why) => {
            assert!(
                why.contains("3 attempts") && why.contains("PROCESSING"),
                "{why}"
            )
        }
        other => panic!("not parked: {other:?}"),
    }
    s.hand.advance(GRACE);
    assert_eq!(r.run_once().await.expect("runs").claimed, 0, "parked stays");
}

#[tokio::test]
async fn pending_that_turns_final_is_settled() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE);
    let fake = Fake::new(|_, n| {
        Ok(if n < 2 {
            Verdict::Pending("PROCESSING".into())
        } else {
            Verdict::Final(Resolution::Succeeded)
        })
    });
    let r = s.recoverer(fake, 5);
    assert_eq!(r.run_once().await.expect("runs").pending, 1);
    s.hand.advance(GRACE);
    assert_eq!(r.run_once().await.expect("runs").settled, 1);
    assert_eq!(s.state(&i.id).await, State::Resolved(Resolution::Succeeded));
}

#[tokio::test]
async fn unreconcilable_parks_the_intent_with_its_reason() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE);
    let fake = Fake::new(|_, _| {
        Ok(Verdict::Unreconcilable(
            "pay has no status call: ask the bank by billId".into(),
        ))
    });
    let report = s.recoverer(fake, 5).run_once().await.expect("runs");
    assert_eq!(report.parked, 1);
    assert_eq!(
        s.state(&i.id).await,
        State::Parked("pay has no status call: ask the bank by billId".into())
    );
}

#[tokio::test]
async fn a_failing_status_call_is_released_then_parked_after_max_attempts() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE);
    let fake = Fake::new(|_, _| Err(failed_status()));
    let r = s.recoverer(fake.clone(), 2);
    let first = r.run_once().await.expect("runs");
    assert_eq!(first.failed, 1, "{first}");
    assert!(first.to_string().contains("connection refused"), "{first}");
    assert_eq!(s.state(&i.id).await, State::Dispatched);
    s.hand.advance(GRACE);
    let second = r.run_once().await.expect("runs");
    assert_eq!(second.parked, 1, "{second}");
    match s.state(&i.id).await {
        State::Parked(why) => {
            assert!(
                why.contains("failed 2 times") && why.contains("connection refused"),
                "{why}"
            )
        }
        other => panic!("not parked: {other:?}"),
    }
    assert_eq!(fake.calls(&i.id), 2);
}

#[tokio::test]
async fn an_intent_of_a_provider_without_a_reconciler_is_parked() {
    let s = setup();
    let i = pay("mserver", "1");
    s.journal.record(&i, b"{}").await.expect("records");
    s.journal.dispatched(&i.id).await.expect("dispatched");
    s.hand.advance(GRACE);
    let fake = Fake::new(|_, _| Ok(Verdict::Final(Resolution::Succeeded)));
    let report = s.recoverer(fake.clone(), 5).run_once().await.expect("runs");
    assert_eq!(report.parked, 1);
    assert_eq!(
        s.state(&i.id).await,
        State::Parked("no reconciler for provider mserver".into())
    );
    assert_eq!(fake.total(), 0, "anor-bm's reconciler is not asked");
}

#[tokio::test]
async fn intents_within_their_grace_are_not_asked() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE - Duration::from_millis(1));
    let fake = Fake::new(|_, _| Ok(Verdict::Final(Resolution::Succeeded)));
    let r = s.recoverer(fake.clone(), 5);
    assert_eq!(r.run_once().await.expect("runs").claimed, 0);
    assert_eq!(fake.total(), 0);
    s.hand.advance(Duration::from_millis(1));
    assert_eq!(r.run_once().await.expect("runs").settled, 1);
    assert_eq!(fake.calls(&i.id), 1);
}

#[tokio::test]
async fn the_report_names_the_intent_and_none_of_its_request() {
    let s = setup();
    let i = s.left_by_a_dead_process("935191", false).await;
    s.hand.advance(GRACE);
    let report = s
        .recoverer(Fake::new(|_, _| Err(failed_status())), 5)
        .run_once()
        .await
        .expect("runs");
    let text = report.to_string();
    assert!(text.contains(&i.id), "{text}");
    assert!(text.contains("anor-bm pay billId=935191"), "{text}");
    assert!(text.starts_with("claimed 1: settled 0, parked 0, pending 0, failed 1"));
    assert!(!text.contains(CARD), "{text}");
    assert!(!format!("{report:?}").contains(CARD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_recoverers_racing_on_one_file_work_each_intent_exactly_once() {
    let s = setup();
    let mut ids = Vec::new();
    for n in 0..120 {
        ids.push(
            s.left_by_a_dead_process(&n.to_string(), n % 3 == 0)
                .await
                .id,
        );
    }
    s.hand.advance(GRACE);
    // One reconciler shared by both, so its counts cover every call made.
    let fake = Fake::new(|_, _| Ok(Verdict::Final(Resolution::Succeeded)));
    let other = Arc::new(
        SqliteJournal::open(&s.file)
            .expect("opens")
            .with_clock(s.hand.clock()),
    );
    let recoverers = [
        Arc::new(
            Recoverer::builder(s.journal.clone(), TIMEOUT)
                .reconciler(fake.clone())
                .owner("host-a")
                .grace(GRACE)
                .batch(7)
                .build()
                .expect("a"),
        ),
        Arc::new(
            Recoverer::builder(other, TIMEOUT)
                .reconciler(fake.clone())
                .owner("host-b")
                .grace(GRACE)
                .batch(7)
                .build()
                .expect("b"),
        ),
    ];
    let mut tasks = Vec::new();
    for r in recoverers {
        tasks.push(tokio::spawn(async move {
            let mut settled = 0;
            loop {
                let report = r.run_once().await.expect("runs");
                if report.claimed == 0 {
                    return settled;
                }
                assert_eq!(report.settled, report.claimed, "{report}");
                settled += report.settled;
            }
        }));
    }
    let mut settled = Vec::new();
    for t in tasks {
        settled.push(t.await.expect("recoverer"));
    }
    assert_eq!(settled.iter().sum::<usize>(), 120, "{settled:?}");
    for id in &ids {
        assert_eq!(
            fake.calls(id),
            1,
            "intent {id} asked {} times",
            fake.calls(id)
        );
        assert!(matches!(s.state(id).await, State::Resolved(_)));
    }
    assert_eq!(fake.total(), 120);
}

#[tokio::test]
async fn run_works_at_once_at_start_and_stops_on_shutdown() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    s.hand.advance(GRACE);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Mutex::new(Some(tx));
    let fake = Fake::new(move |_, _| {
        if let Some(tx) = tx.lock().expect("lock").take() {
            let _ = tx.send(());
        }
        Ok(Verdict::Final(Resolution::Succeeded))
    });
    let r = s.recoverer(fake.clone(), 5);
    // An hour's interval: only the run at start can have asked.
    tokio::time::timeout(
        Duration::from_secs(30),
        r.run(Duration::from_secs(3600), async {
            let _ = rx.await;
        }),
    )
    .await
    .expect("stops on shutdown");
    assert_eq!(fake.calls(&i.id), 1);
}

#[tokio::test]
async fn run_asks_again_on_each_interval() {
    let s = setup();
    let i = s.left_by_a_dead_process("1", false).await;
    // A journal whose clock moves a grace period on every reading: each release is past
    // its grace by the next run's claim.
    let t = Arc::new(AtomicU64::new(1_900_000_000_000));
    let stepping: Clock = Arc::new(move || {
        let g = u64::try_from(GRACE.as_millis()).expect("small");
        UNIX_EPOCH + Duration::from_millis(t.fetch_add(g, Ordering::SeqCst))
    });
    let journal = Arc::new(
        SqliteJournal::open(&s.file)
            .expect("opens")
            .with_clock(stepping),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Mutex::new(Some(tx));
    let fake = Fake::new(move |_, n| {
        if n == 3
            && let Some(tx) = tx.lock().expect("lock").take()
        {
            let _ = tx.send(());
        }
        Ok(Verdict::Pending("PROCESSING".into()))
    });
    let r = Recoverer::builder(journal, TIMEOUT)
        .reconciler(fake.clone())
        .grace(GRACE)
        .max_attempts(10)
        .build()
        .expect("recoverer");
    tokio::time::timeout(
        Duration::from_secs(30),
        r.run(Duration::from_millis(1), async {
            let _ = rx.await;
        }),
    )
    .await
    .expect("stops on shutdown");
    assert_eq!(fake.calls(&i.id), 3, "asked at start and on two intervals");
    assert_eq!(s.state(&i.id).await, State::Dispatched);
}
