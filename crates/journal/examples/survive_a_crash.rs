//! A payment whose answer is lost stays open in the journal file, and a recoverer (as a
//! restarted service would run it) settles it from the bank's status.
//!
//! Runs anywhere: the bank is kassa's sandbox, started in this process, which debits the
//! card and then drops the answer. Nothing is sent outside this machine.
//!
//! ```sh
//! cargo run -p kassa-journal --example survive_a_crash
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use anor_bm::{CheckRequest, Client, Otp, PayRequest};
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Money};
use kassa_journal::{Recoverer, SqliteJournal, Store};
use kassa_sandbox::Fault;
use kassa_sandbox::anor_bm::{paths, seed};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let sandbox = kassa_sandbox::spawn().await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("kassa-journal.sqlite");

    // This example moves the journal's clock instead of waiting out the grace period.
    let later = Arc::new(AtomicU64::new(0));
    let clock = {
        let later = later.clone();
        Arc::new(move || SystemTime::now() + Duration::from_secs(later.load(Ordering::SeqCst)))
    };
    let journal = Arc::new(SqliteJournal::open(&file)?.with_clock(clock));

    // One journal per process, given to every client that moves money.
    let client = Arc::new(
        Client::builder(sandbox.url("anor-bm"), seed::USERNAME, seed::PASSWORD)
            .journal(journal.clone())
            .build()?,
    );
    let bill = client
        .unregistered_check(&CheckRequest::new(
            "30",
            seed::RECIPIENT_ID,
            Money::new(125_000, Currency::UZS),
            "order-1001",
            CardNumber::new(seed::RICH_CARD.pan)?,
            seed::RICH_CARD.expiry.parse()?,
        ))
        .await?;

    // The bank debits the card; the answer never arrives.
    sandbox
        .faults()
        .set(Fault::drop_connection("anor-bm", paths::UNREGISTERED_PAY).times(1));
    let err = client
        .unregistered_pay(&PayRequest::new(bill.id, Otp::new(seed::OTP)?))
        .await
        .expect_err("the sandbox drops this answer");
    println!("the payment: {err}");

    // Had the process died here, this is what the next one finds in the file.
    for entry in journal.open_entries().await? {
        println!(
            "open in the journal: {} {} {}, ask {:?} with {:?}",
            entry.intent.id,
            entry.intent.operation,
            entry.state.name(),
            entry.intent.reconcile_operation,
            entry.intent.ids
        );
    }

    // At start (and on an interval), a recoverer settles what is open, past its grace.
    let recoverer = Recoverer::builder(journal.clone(), Duration::from_secs(60))
        .reconciler(client.clone())
        .owner("example")
        .build()?;
    later.store(600, Ordering::SeqCst);
    let report = recoverer.run_once().await?;
    println!("{report}");
    assert!(journal.open_entries().await?.is_empty());
    Ok(())
}
