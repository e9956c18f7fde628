//! The journal's cost per call: what the engine adds to a `Keyed` or `Once` call (record,
//! dispatched, resolve: three committed transactions) on a file journal with
//! `synchronous=FULL`, one call at a time and 16 in flight. p50/p99: `cargo run --release
//! -p kassa-journal --example cost`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kassa_core::journal::{Intent, Journal, Resolution};
use kassa_core::{Effect, Operation, Reconcile};
use kassa_journal::SqliteJournal;

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

fn journal(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = SqliteJournal::open(dir.path().join("journal.sqlite")).expect("opens");
    let memory = SqliteJournal::open_in_memory().expect("opens");

    let mut g = c.benchmark_group("journal/one-call");
    g.sample_size(20);
    g.bench_function("file-synchronous-full", |b| {
        b.to_async(&rt).iter(|| one_call(&file))
    });
    g.bench_function("in-memory", |b| b.to_async(&rt).iter(|| one_call(&memory)));
    g.finish();

    let mut g = c.benchmark_group("journal/16-in-flight");
    g.sample_size(10);
    g.throughput(Throughput::Elements(16));
    g.bench_function("file-synchronous-full", |b| {
        b.to_async(&rt).iter(|| async {
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let j = file.clone();
                    tokio::spawn(async move { one_call(&j).await })
                })
                .collect();
            for t in tasks {
                t.await.expect("a call");
            }
        })
    });
    g.finish();
}

criterion_group!(benches, journal);
criterion_main!(benches);
