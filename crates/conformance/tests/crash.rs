//! Crash tests of the intent journal: a child process (`crash_child`) makes one
//! money-moving call against a sandbox running in this process, with a SQLite journal, and
//! is killed with SIGKILL at each named point of that call and at random moments. After each
//! run the recoverer settles the journal from the providers' status calls, and the journal is
//! compared with the sandbox's ledger of money movements:
//!
//! - no lost outcome: every movement the sandbox committed is an intent resolved as
//!   succeeded, or parked with a reason for a person;
//! - no phantom: no intent is resolved as succeeded without a committed movement;
//! - no duplicate: at most one movement per intent (the recoverer never sends again);
//! - nothing left open: every intent is resolved or parked.
//!
//! `KASSA_CRASH_RUNS=10000 cargo test -p kassa-conformance --release --test crash` runs the
//! longer version (the default is 360 named-point runs and 40 random ones).

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use kassa_core::journal::{Reconciler, Resolution};
use kassa_core::secret::SecretString;
use kassa_journal::{Recoverer, SqliteJournal, State};
use kassa_sandbox::Sandbox;
use kassa_sandbox::ledger::Outcome as Moved;

/// Every money-moving call the child makes, by provider.
const CALLS: [(&str, &str); 15] = [
    ("anor-bm", "unregistered-pay"),
    ("anor-bm", "hold"),
    ("anor-bm", "hold-confirm"),
    ("anor-bm", "hold-reverse"),
    ("anor-bm", "cancel"),
    ("anor-bm", "ext-pay"),
    ("requisite-uz", "payment"),
    ("requisite-uz", "payment-budget"),
    ("mobilnik", "payment"),
    ("mobilnik", "transfer-request"),
    ("mserver", "pay-payment"),
    ("exchanger", "pay-bid"),
    ("exchanger", "success-bid"),
    ("exchanger", "cancel-bid"),
    ("exchanger", "add-partner-payout"),
];

const POINTS: [&str; 6] = [
    "before-record",
    "after-record",
    "after-dispatched",
    "after-send",
    "after-answer",
    "after-resolve",
];

/// The clients' total call timeout in the child; the recoverer's grace is above it.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

fn base(sandbox: &Sandbox, provider: &str) -> String {
    match provider {
        "mserver" => format!("{}/v1", sandbox.url(provider)),
        _ => sandbox.url(provider),
    }
}

fn reconcilers(sandbox: &Sandbox) -> Vec<Arc<dyn Reconciler>> {
    use kassa_sandbox::{anor_bm, exchanger as ex, mobilnik as mo, mserver as ms, requisite_uz};
    let built: Vec<Arc<dyn Reconciler>> = vec![
        Arc::new(
            ::anor_bm::Client::builder(
                base(sandbox, "anor-bm"),
                anor_bm::seed::USERNAME,
                anor_bm::seed::PASSWORD,
            )
            .build()
            .expect("anor-bm client"),
        ),
        Arc::new(
            ::requisite_uz::Client::builder(base(sandbox, "requisite-uz"))
                .credentials(
                    requisite_uz::seed::FIXTURE_USERNAME,
                    SecretString::from(requisite_uz::seed::FIXTURE_PASSWORD.to_owned()),
                )
                .build()
                .expect("requisite-uz client"),
        ),
        Arc::new(
            ::mobilnik::Client::builder()
                .base_url(base(sandbox, "mobilnik"))
                .login(mo::seed::LOGIN)
                .password(SecretString::from(mo::seed::PASSWORD.to_owned()))
                .device_id(::mobilnik::DeviceId::new(mo::seed::DEVICE_ID).expect("id"))
                .device_name(mo::seed::DEVICE)
                .build()
                .expect("mobilnik client"),
        ),
        Arc::new(
            ::mserver::Client::builder()
                .base_url(base(sandbox, "mserver"))
                .wallet(ms::seed::PHONE, ms::seed::PASSWORD.into())
                .expect("phone")
                .build()
                .expect("mserver client"),
        ),
        Arc::new(
            ::exchanger::Client::builder(base(sandbox, "exchanger"))
                .login(ex::seed::API_LOGIN)
                .key(SecretString::from(ex::seed::API_KEY.to_owned()))
                .build()
                .expect("exchanger client"),
        ),
    ];
    built
}

/// What one run showed.
#[derive(Debug, Default)]
struct Tally {
    runs: u64,
    killed: u64,
    intents: u64,
    succeeded: u64,
    not_sent: u64,
    refused: u64,
    parked: u64,
    committed: u64,
    violations: Vec<String>,
}

/// Runs the child once and checks the journal against the ledger afterwards.
async fn run_once(
    dir: &Path,
    run: u64,
    provider: &str,
    operation: &str,
    point: &str,
    kill_after: Option<Duration>,
    tally: &mut Tally,
) {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let path = dir.join(format!("run-{run}.db"));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_crash_child"))
        .args([
            provider,
            operation,
            &base(&sandbox, provider),
            path.to_str().expect("a UTF-8 path"),
            point,
            &run.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the child starts");
    if let Some(after) = kill_after {
        tokio::select! {
            _ = tokio::time::sleep(after) => { let _ = child.start_kill(); }
            _ = child.wait() => {}
        }
    }
    let out = child.wait_with_output().await.expect("the child ends");
    tally.runs += 1;
    let where_ = format!("run {run} {provider} {operation} at {point}");
    match out.status.signal() {
        Some(9) => tally.killed += 1,
        Some(s) => tally
            .violations
            .push(format!("{where_}: ended by signal {s}")),
        None if out.status.success() => {}
        None => tally.violations.push(format!(
            "{where_}: exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
    if kill_after.is_none() && point != "none" && out.status.signal().is_none() {
        // The named point was not reached (an answer that ends the call earlier); the run
        // is still checked below.
    }

    // Recover: a clock past the grace period, moved on between passes so released
    // intents are asked again.
    let offset = Arc::new(AtomicU64::new(3_600));
    let clock = {
        let offset = offset.clone();
        Arc::new(move || SystemTime::now() + Duration::from_secs(offset.load(Ordering::SeqCst)))
    };
    let store = Arc::new(
        SqliteJournal::open(&path)
            .expect("the journal opens")
            .with_clock(clock),
    );
    let recoverer = Recoverer::builder(store.clone(), CALL_TIMEOUT)
        .reconcilers(reconcilers(&sandbox))
        .owner(format!("crash-test-{run}"))
        .grace(CALL_TIMEOUT + Duration::from_secs(1))
        .max_attempts(4)
        .build()
        .expect("a recoverer");
    for _ in 0..5 {
        if let Err(e) = recoverer.run_once().await {
            tally.violations.push(format!("{where_}: recoverer: {e}"));
        }
        offset.fetch_add(3_600, Ordering::SeqCst);
    }

    // Compare.
    let entries = kassa_journal::Store::all_entries(&*store)
        .await
        .expect("entries");
    let ledger = sandbox.ledger();
    let mut by_op: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
    for e in &entries {
        tally.intents += 1;
        let slot = by_op.entry(e.intent.operation.clone()).or_default();
        slot.0 += 1;
        match &e.state {
            State::Resolved(Resolution::Succeeded) => {
                tally.succeeded += 1;
                slot.1 += 1;
            }
            State::Resolved(Resolution::NotSent) => tally.not_sent += 1,
            State::Resolved(Resolution::Refused { .. }) => tally.refused += 1,
            State::Parked(why) => {
                tally.parked += 1;
                slot.2 += 1;
                if why.trim().is_empty() {
                    tally
                        .violations
                        .push(format!("{where_}: parked without a reason"));
                }
            }
            open => tally.violations.push(format!(
                "{where_}: intent {} {} left {}",
                e.intent.operation,
                e.intent.id,
                open.name()
            )),
        }
    }
    for m in ledger.iter().filter(|m| m.result == Moved::Committed) {
        tally.committed += 1;
        by_op.entry(m.operation.clone()).or_default().3 += 1;
    }
    for (op, (intents, succeeded, parked, committed)) in by_op {
        if committed > intents {
            tally.violations.push(format!(
                "{where_}: {op}: {committed} movements for {intents} intents (a lost outcome or a duplicate)"
            ));
        }
        if succeeded > committed {
            tally.violations.push(format!(
                "{where_}: {op}: {succeeded} intents succeeded, {committed} movements (a phantom)"
            ));
        }
        if committed > succeeded + parked {
            tally.violations.push(format!(
                "{where_}: {op}: {committed} movements, {succeeded} succeeded and {parked} parked (a lost outcome)"
            ));
        }
    }
}

fn runs_wanted() -> u64 {
    std::env::var("KASSA_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_every_named_point_and_at_random_no_outcome_is_lost_or_doubled() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let wanted = runs_wanted();
    // Rounds of every call at every named point (4 rounds, 360 runs, by default), the rest
    // at random moments.
    let named_rounds = (wanted * 9 / 10) / (CALLS.len() * POINTS.len()) as u64;
    let mut tally = Tally::default();
    let mut per_point: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut run = 0;
    for _ in 0..named_rounds.max(1) {
        for (provider, operation) in CALLS {
            for point in POINTS {
                run += 1;
                let before = tally.killed;
                run_once(
                    dir.path(),
                    run,
                    provider,
                    operation,
                    point,
                    None,
                    &mut tally,
                )
                .await;
                let slot = per_point.entry(point).or_default();
                slot.0 += 1;
                slot.1 += tally.killed - before;
            }
        }
    }
    let mut seed = 0x5eed_u64;
    while run < wanted.max(run + 8) && run < wanted {
        run += 1;
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (provider, operation) = CALLS[(seed >> 33) as usize % CALLS.len()];
        let after = Duration::from_micros((seed >> 40) % 20_000);
        run_once(
            dir.path(),
            run,
            provider,
            operation,
            "none",
            Some(after),
            &mut tally,
        )
        .await;
    }
    eprintln!("{tally:#?}\nper named point (runs, killed there): {per_point:?}");
    assert!(tally.violations.is_empty(), "{:#?}", tally.violations);
    assert!(tally.runs >= 300.min(wanted), "{} runs", tally.runs);
    // Every named point was reached and killed the child in most of its runs.
    for (point, (runs, killed)) in &per_point {
        assert!(
            killed * 2 > *runs,
            "{point}: killed in {killed} of {runs} runs"
        );
    }
    // The runs moved money and left work for the recoverer.
    assert!(tally.committed > 0 && tally.succeeded > 0 && tally.not_sent > 0);
}

/// One ask of a status: the intent, which recoverer, and when it started and ended.
type Ask = (String, &'static str, std::time::Instant, std::time::Instant);

/// A reconciler that notes every ask.
struct Counting {
    inner: Arc<dyn Reconciler>,
    who: &'static str,
    asked: Arc<std::sync::Mutex<Vec<Ask>>>,
}

#[kassa_core::async_trait]
impl Reconciler for Counting {
    fn provider(&self) -> &'static str {
        self.inner.provider()
    }
    async fn reconcile(
        &self,
        intent: &kassa_core::journal::Intent,
    ) -> Result<kassa_core::journal::Verdict, kassa_core::Error> {
        let start = std::time::Instant::now();
        let verdict = self.inner.reconcile(intent).await;
        self.asked.lock().expect("lock").push((
            intent.id.clone(),
            self.who,
            start,
            std::time::Instant::now(),
        ));
        verdict
    }
}

/// Runs `r` until a run claims nothing.
async fn drain(r: &Recoverer) {
    loop {
        let report = r.run_once().await.expect("a pass");
        if report.claimed == 0 {
            break;
        }
    }
}

/// Calls whose ids are unique per run, so many runs can share one sandbox and one journal.
const SHARED_CALLS: [(&str, &str); 4] = [
    ("anor-bm", "unregistered-pay"),
    ("requisite-uz", "payment"),
    ("mserver", "pay-payment"),
    ("exchanger", "pay-bid"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_recoverers_work_each_crashed_intent_once() {
    use kassa_journal::PostgresJournal;
    let server = kassa_journal::pg_server::shared().expect("a PostgreSQL server");
    let schema = kassa_journal::pg_server::unique_name("crash");
    let spec = format!("{}#{schema}", server.url());
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let points = [
        "after-record",
        "after-dispatched",
        "after-send",
        "after-answer",
    ];
    let mut killed = 0;
    for run in 0..48u64 {
        let (provider, operation) = SHARED_CALLS[run as usize % SHARED_CALLS.len()];
        let point = points[(run as usize / SHARED_CALLS.len()) % points.len()];
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_crash_child"))
            .args([
                provider,
                operation,
                &base(&sandbox, provider),
                &spec,
                point,
                &format!("pg-{run}"),
            ])
            .kill_on_drop(true)
            .output()
            .await
            .expect("the child runs");
        assert!(
            out.status.signal() == Some(9),
            "run {run} {provider} {operation} at {point} was not killed: {out:?}"
        );
        killed += 1;
    }
    // Two recoverers on their own connections, at the same time, pass after pass. The
    // children are dead, so no call is in flight: a grace of a few milliseconds is honest.
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut recoverers = Vec::new();
    for who in ["a", "b"] {
        let store = Arc::new(
            PostgresJournal::connect_in(server.url(), &schema)
                .await
                .expect("connects"),
        );
        let reconcilers = reconcilers(&sandbox)
            .into_iter()
            .map(|inner| -> Arc<dyn Reconciler> {
                Arc::new(Counting {
                    inner,
                    who,
                    asked: asked.clone(),
                })
            })
            .collect();
        recoverers.push(
            Recoverer::builder(store, Duration::from_millis(1))
                .grace(Duration::from_millis(2))
                .lease(Duration::from_secs(60))
                .batch(5)
                .owner(format!("recoverer-{who}"))
                .reconcilers(reconcilers)
                .max_attempts(6)
                .build()
                .expect("a recoverer"),
        );
    }
    for _ in 0..6 {
        // Each recoverer claims in batches of 5 until nothing is left for it in this pass.
        tokio::join!(drain(&recoverers[0]), drain(&recoverers[1]));
        // Released intents are asked again once their grace has passed (the database's
        // clock decides it).
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let store = PostgresJournal::connect_in(server.url(), &schema)
        .await
        .expect("connects");
    let open = kassa_journal::Store::open_entries(&store)
        .await
        .expect("entries");
    let asked = asked.lock().expect("lock").clone();
    // No intent was ever asked by two recoverers at once.
    let mut per_intent: BTreeMap<String, Vec<(std::time::Instant, std::time::Instant, &str)>> =
        BTreeMap::new();
    for (id, who, start, end) in &asked {
        per_intent
            .entry(id.clone())
            .or_default()
            .push((*start, *end, who));
    }
    for (id, asks) in per_intent.iter_mut() {
        asks.sort();
        for pair in asks.windows(2) {
            assert!(
                pair[1].0 >= pair[0].1,
                "intent {id} asked by {} while {} was asking",
                pair[1].2,
                pair[0].2
            );
        }
    }
    let both: std::collections::BTreeSet<&str> = asked.iter().map(|(_, w, _, _)| *w).collect();
    assert_eq!(both.len(), 2, "both recoverers worked: {both:?}");
    // Every intent is settled or parked; compare with the ledger per operation.
    let mut by_op: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for m in sandbox.ledger() {
        if m.result == Moved::Committed {
            by_op.entry(m.operation.clone()).or_default().0 += 1;
        }
    }
    for e in &open {
        assert!(
            matches!(e.state, State::Parked(_)),
            "intent {} {} left {}",
            e.intent.operation,
            e.intent.id,
            e.state.name()
        );
    }
    // Compare the settled intents with the ledger, per operation.
    let all = kassa_journal::Store::all_entries(&store)
        .await
        .expect("entries");
    for e in &all {
        let slot = by_op.entry(e.intent.operation.clone()).or_default();
        match e.state {
            State::Resolved(Resolution::Succeeded) => slot.1 += 1,
            State::Parked(_) => slot.2 += 1,
            _ => {}
        }
        // Asked again only while not final (released), never past the attempts allowed.
        let n = per_intent.get(&e.intent.id).map_or(0, Vec::len);
        assert!(
            n <= 6,
            "intent {} {} asked {n} times",
            e.intent.operation,
            e.intent.id
        );
    }
    for (op, (committed, succeeded, parked)) in &by_op {
        assert!(
            succeeded <= committed,
            "{op}: {succeeded} succeeded, {committed} committed (a phantom)"
        );
        assert!(
            committed <= &(succeeded + parked),
            "{op}: {committed} committed, {succeeded} succeeded, {parked} parked (a lost outcome)"
        );
    }
    eprintln!(
        "{killed} children killed, {} intents, {} asks by {both:?}, {} parked; (committed, succeeded, parked) per operation {by_op:?}",
        all.len(),
        asked.len(),
        open.len()
    );
    // One intent per call the children made: 48 killed calls, and the 36 that went before
    // them (anor-bm's check, mserver's create-payment, exchanger's create-bid, 12 each).
    assert_eq!(all.len(), 48 + 36, "one intent per call the children made");
}
