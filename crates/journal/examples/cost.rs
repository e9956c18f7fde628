//! The journal's cost per call, as p50 and p99 (criterion gives neither p99 nor the floor):
//!
//! - `journal`: what the engine adds to one `Keyed`/`Once` call with a file journal: record,
//!   dispatched, resolve (three committed transactions, `synchronous=FULL`), through
//!   `SqliteJournal` (tokio's blocking pool, one shared connection).
//! - `raw FULL`: the same three statements on a bare connection on the caller's thread: the
//!   floor, almost all of it the disk's sync.
//! - `raw NORMAL`: the same with `synchronous=NORMAL` (what durability across power loss
//!   costs; NORMAL in WAL mode survives a killed process, not a power cut).
//! - `raw FULL, blocking pool`: the bare statements, each on tokio's blocking pool as the
//!   journal runs them (the cost of the hop).
//! - `open`: opening a connection with the journal's settings (what one connection per call
//!   would add, three times a call).
//! - `16 in flight`: calls made by 16 tasks at once, per call (commits are serialized).
//!
//! ```text
//! cargo run --release -p kassa-journal --example cost -- [CALLS] [DIR]
//! ```
//!
//! `DIR` is where the journal file is made (a new temporary directory by default): measure
//! on the disk the service will use.

use std::path::Path;
use std::time::{Duration, Instant};

use kassa_core::journal::{Intent, Journal, Resolution};
use kassa_core::{Effect, Operation, Reconcile};
use kassa_journal::SqliteJournal;
use rusqlite::{Connection, params};

const BODY: &[u8] =
    br#"{"card":"8600123412341234","expiry":"2912","amount":150000,"billId":"935191"}"#;

fn intent() -> Intent {
    Intent::for_operation(
        &Operation::new("anor-bm", "pay", Effect::Once)
            .reconcile_with(Reconcile::new("status").param("billId", "935191"))
            .amount(150_000, "UZS"),
    )
}

async fn one_call(j: &SqliteJournal) {
    let i = intent();
    j.record(&i, BODY).await.expect("records");
    j.dispatched(&i.id).await.expect("dispatched");
    j.resolve(&i.id, &Resolution::Succeeded)
        .await
        .expect("resolves");
}

fn raw_connection(file: &Path, sync: &str) -> Connection {
    let c = Connection::open(file).expect("opens");
    c.busy_timeout(Duration::from_secs(5)).expect("timeout");
    c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
        .expect("wal");
    c.execute_batch(&format!(
        "PRAGMA synchronous={sync};
         CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, h TEXT, state TEXT, at INTEGER);"
    ))
    .expect("schema");
    c
}

fn raw_call(c: &Connection, n: u64) {
    let id = format!("{n:020}");
    c.execute(
        "INSERT INTO t (id, h, state, at) VALUES (?1, ?2, 'recorded', ?3)",
        params![id, "0".repeat(64), 1],
    )
    .expect("insert");
    c.execute(
        "UPDATE t SET state = 'dispatched', at = 2 WHERE id = ?1",
        [&id],
    )
    .expect("update");
    c.execute(
        "UPDATE t SET state = 'resolved', at = 3 WHERE id = ?1",
        [&id],
    )
    .expect("update");
}

struct Stats {
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort_unstable();
    let n = v.len();
    let total: Duration = v.iter().sum();
    Stats {
        p50: v[n * 50 / 100],
        p99: v[(n * 99 / 100).min(n - 1)],
        mean: total / u32::try_from(n).expect("a count"),
    }
}

fn print(name: &str, s: &Stats) {
    println!(
        "{name:<28} p50 {:>9.1} µs   p99 {:>9.1} µs   mean {:>9.1} µs",
        s.p50.as_secs_f64() * 1e6,
        s.p99.as_secs_f64() * 1e6,
        s.mean.as_secs_f64() * 1e6
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let calls: usize = args
        .next()
        .map(|a| a.parse().expect("CALLS is a number"))
        .unwrap_or(2000);
    let keep;
    let dir = match args.next() {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            keep = tempfile::tempdir().expect("a temporary directory");
            keep.path().to_path_buf()
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "{calls} calls, journal in {} (WAL; synchronous=FULL unless named)",
        dir.display()
    );

    let file = dir.join("cost-journal.sqlite");
    let journal = SqliteJournal::open(&file).expect("opens");
    let journal_times = rt.block_on(async {
        for _ in 0..50 {
            one_call(&journal).await; // warm-up
        }
        let mut v = Vec::with_capacity(calls);
        for _ in 0..calls {
            let t = Instant::now();
            one_call(&journal).await;
            v.push(t.elapsed());
        }
        v
    });
    print("journal (3 commits)", &stats(journal_times));

    for sync in ["FULL", "NORMAL"] {
        let raw_file = dir.join(format!("cost-raw-{sync}.sqlite"));
        let c = raw_connection(&raw_file, sync);
        for n in 0..50 {
            raw_call(&c, n);
        }
        let mut v = Vec::with_capacity(calls);
        for n in 0..calls as u64 {
            let t = Instant::now();
            raw_call(&c, 1000 + n);
            v.push(t.elapsed());
        }
        print(&format!("raw {sync} (3 commits)"), &stats(v));
    }

    // The same bare statements, each sent to tokio's blocking pool as the journal does: the
    // cost of keeping SQLite off the async worker threads.
    let shared = std::sync::Arc::new(std::sync::Mutex::new(raw_connection(
        &dir.join("cost-raw-hop.sqlite"),
        "FULL",
    )));
    let hop = rt.block_on(async {
        let mut v = Vec::with_capacity(calls);
        for n in 0..calls as u64 {
            let t = Instant::now();
            for step in 0..3 {
                let c = shared.clone();
                tokio::task::spawn_blocking(move || {
                    let c = c.lock().expect("lock");
                    let id = format!("{n:020}");
                    if step == 0 {
                        c.execute(
                            "INSERT INTO t (id, h, state, at) VALUES (?1, ?2, 'recorded', 1)",
                            params![id, "0".repeat(64)],
                        )
                    } else {
                        c.execute(
                            "UPDATE t SET state = 'x', at = ?2 WHERE id = ?1",
                            params![id, step],
                        )
                    }
                    .expect("runs");
                })
                .await
                .expect("a blocking task");
            }
            v.push(t.elapsed());
        }
        v
    });
    print("raw FULL, blocking pool", &stats(hop));

    let opens = calls.min(500);
    let mut v = Vec::with_capacity(opens);
    for _ in 0..opens {
        let t = Instant::now();
        let c = raw_connection(&dir.join("cost-raw-FULL.sqlite"), "FULL");
        v.push(t.elapsed());
        drop(c);
    }
    print("open a connection", &stats(v));

    let per_call = rt.block_on(async {
        let rounds = (calls / 16).max(1);
        let mut v = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let j = journal.clone();
                    tokio::spawn(async move { one_call(&j).await })
                })
                .collect();
            for task in tasks {
                task.await.expect("a call");
            }
            v.push(t.elapsed() / 16);
        }
        v
    });
    print("16 in flight, per call", &stats(per_call));
}
