//! What the PostgreSQL journal adds to one call: record + dispatched + resolve, one call after
//! another on one connection, against the server `KASSA_TEST_POSTGRES_URL` names or a
//! throwaway one on loopback (`kassa_journal::pg_server`), with the server's default
//! durability (`fsync` on, `synchronous_commit` on).
//!
//! ```text
//! cargo run --release -p kassa-journal --features postgres --example pg_cost [CALLS]
//! ```

use std::time::{Duration, Instant};

use kassa_core::journal::{Intent, Journal, Resolution};
use kassa_core::{Effect, Operation, Reconcile};
use kassa_journal::{PostgresJournal, pg_server};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let calls: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 2000,
    };
    let server = pg_server::shared()?;
    let schema = pg_server::unique_name("journal_cost");
    let journal = PostgresJournal::connect_in(server.url(), &schema).await?;
    let body = br#"{"card":"8600123412341234","amount":"1500.00"}"#;
    let mut times = Vec::with_capacity(calls);
    for n in 0..calls + 200 {
        let op = Operation::new("anor-bm", "pay", Effect::Once)
            .reconcile_with(Reconcile::new("status").param("billId", n.to_string()))
            .amount(150_000, "UZS");
        let intent = Intent::for_operation(&op);
        let start = Instant::now();
        journal.record(&intent, body).await?;
        journal.dispatched(&intent.id).await?;
        journal.resolve(&intent.id, &Resolution::Succeeded).await?;
        // The first 200 warm the connection's statement cache and the server's buffers.
        if n >= 200 {
            times.push(start.elapsed());
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "postgres journal, {} calls (record + dispatched + resolve): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(at(1.0)),
    );
    let (client, connection) = kassa_journal::postgres::tokio_postgres::connect(
        server.url(),
        kassa_journal::postgres::tokio_postgres::NoTls,
    )
    .await?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await?;
    Ok(())
}
