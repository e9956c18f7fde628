//! The intent journal in the demo: an anor-bm payment whose answer the sandbox drops stays
//! unresolved in a SQLite journal, and the recoverer settles it from the bank's status.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use anor_bm::{BillStatus, CheckRequest, Otp, PayRequest};
use kassa_core::journal::Reconciler;
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Money};
use kassa_journal::{Recoverer, SqliteJournal, State, Store};
use kassa_sandbox::anor_bm::{paths, seed};
use kassa_sandbox::{Fault, Sandbox};

use super::{Tour, timeouts};

/// The steps are anor-bm's: its payment, its status call.
const P: &str = "anor-bm";

/// A journal file in the temporary directory, removed when the tour ends.
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.0.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

pub(super) async fn run(sandbox: &Sandbox, tour: &mut Tour) {
    let file = TempFile(
        std::env::temp_dir().join(format!("kassa-demo-journal-{}.db", std::process::id())),
    );
    // The journal's clock: the demo moves it past the grace period instead of waiting.
    let ahead = Arc::new(AtomicU64::new(0));
    let clock = {
        let ahead = ahead.clone();
        Arc::new(move || SystemTime::now() + Duration::from_secs(ahead.load(Ordering::SeqCst)))
    };
    let journal = match SqliteJournal::open(&file.0) {
        Ok(j) => Arc::new(j.with_clock(clock)),
        Err(e) => {
            tour.step(
                P,
                "open",
                Err(format!("cannot open {}: {e}", file.0.display())),
            );
            return;
        }
    };
    let built = anor_bm::Client::builder(sandbox.url("anor-bm"), seed::USERNAME, seed::PASSWORD)
        .timeouts(timeouts())
        .journal(journal.clone())
        .build();
    let client = match built {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tour.step(P, "client", Err(e.to_string()));
            return;
        }
    };
    let (pan, exp, otp) = match (
        CardNumber::new(seed::RICH_CARD.pan),
        seed::RICH_CARD.expiry.parse(),
        Otp::new(seed::OTP),
    ) {
        (Ok(p), Ok(e), Ok(o)) => (p, e, o),
        _ => {
            tour.step(
                P,
                "seed card",
                Err("the seed card does not validate".into()),
            );
            return;
        }
    };
    let check = CheckRequest::new(
        "30",
        seed::RECIPIENT_ID,
        Money::new(75_000, Currency::UZS),
        "demo-journal-1",
        pan,
        exp,
    );
    let bill = match client.unregistered_check(&check).await {
        Ok(b) if b.status == BillStatus::CheckOk => b,
        Ok(b) => {
            tour.step(
                P,
                "check",
                Err(format!("bill {} is {}", b.id, b.status.as_str())),
            );
            return;
        }
        Err(e) => {
            tour.step(P, "check", Err(e.to_string()));
            return;
        }
    };

    // The bank debits the card, and the answer never comes back.
    sandbox
        .faults()
        .set(Fault::drop_connection("anor-bm", paths::UNREGISTERED_PAY).times(1));
    let lost = client
        .unregistered_pay(&PayRequest::new(bill.id, otp))
        .await;
    let open = journal.open_entries().await;
    let outcome = match (&lost, &open) {
        (Err(e), Ok(entries)) if e.may_have_taken_effect() => match entries.as_slice() {
            [one]
                if one.intent.operation == "unregistered-pay" && one.state == State::Dispatched =>
            {
                Ok(format!(
                    "answer lost (outcome unknown); the journal keeps intent {} dispatched, to ask status with billId {}",
                    one.intent.id, bill.id
                ))
            }
            other => Err(format!(
                "the journal holds {} open intents, expected the one payment",
                other.len()
            )),
        },
        (Ok(_), _) => Err("the payment answered: the sandbox did not drop it".into()),
        (Err(e), _) if !e.may_have_taken_effect() => Err(format!("refused instead: {e}")),
        (_, Err(e)) => Err(format!("the journal failed: {e}")),
        (Err(e), Ok(_)) => Err(e.to_string()),
    };
    if !tour.step(P, "journal-lost-answer", outcome) {
        return;
    }

    // A restarted service runs the recoverer: past the grace period it asks the status.
    let reconciler: Arc<dyn Reconciler> = client.clone();
    let recoverer = Recoverer::builder(journal.clone(), Duration::from_secs(30))
        .reconciler(reconciler)
        .owner("kassa-demo")
        .build();
    let recoverer = match recoverer {
        Ok(r) => r,
        Err(e) => {
            tour.step(P, "recover", Err(e.to_string()));
            return;
        }
    };
    ahead.store(3_600, Ordering::SeqCst);
    let outcome = match recoverer.run_once().await {
        Ok(report) => match journal.open_entries().await {
            Ok(left) if report.settled == 1 && left.is_empty() => Ok(format!(
                "the bank's status says SUCCESS: the intent is resolved as succeeded ({})",
                report
                    .lines
                    .first()
                    .map(|l| l.to_string())
                    .unwrap_or_default()
            )),
            Ok(left) => Err(format!("{report}; {} intents still open", left.len())),
            Err(e) => Err(format!("the journal failed: {e}")),
        },
        Err(e) => Err(format!("the recoverer failed: {e}")),
    };
    tour.step(P, "journal-recover", outcome);
}
