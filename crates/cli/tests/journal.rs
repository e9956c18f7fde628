//! `--journal`, `kassa journal list` and `kassa journal recover`, run as a user would:
//! a payment whose answer the sandbox drops stays open in the SQLite journal, `list` shows
//! it with the status call to ask, and `recover` settles it from the bank's status.

mod common;

use common::kassa;
use kassa_sandbox::Fault;
use kassa_sandbox::anor_bm::{paths, seed};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_listed_and_recovered_from_the_journal() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url("anor-bm");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let journal = dir.path().join("journal.db");
    let journal = journal.to_str().expect("a UTF-8 path");
    let env = [
        ("KASSA_ANOR_BM_URL", url.as_str()),
        ("KASSA_ANOR_BM_USERNAME", seed::USERNAME),
        ("KASSA_ANOR_BM_PASSWORD", seed::PASSWORD),
    ];
    let call = |op: &'static str, params: Value| async move {
        kassa(
            &[
                "anor-bm",
                op,
                "--params",
                &params.to_string(),
                "--journal",
                journal,
            ],
            &env,
        )
        .await
    };
    let card = json!({"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry});
    let bill = call(
        "unregistered-check",
        json!({"account": "30", "recipientId": seed::RECIPIENT_ID, "amount": 50_000,
               "currency": 860, "agentTranId": "cli-journal-1", "params": card}),
    )
    .await
    .json();
    let id = bill["id"].as_i64().expect("billId");

    // Nothing open: the check was answered.
    let listed = kassa(&["journal", "list", "--journal", journal, "--json"], &env)
        .await
        .json();
    assert_eq!(listed, json!([]));

    sandbox
        .faults()
        .set(Fault::drop_connection("anor-bm", paths::UNREGISTERED_PAY).times(1));
    let lost = call(
        "unregistered-pay",
        json!({"billId": id, "type": "PC", "params": {"otp": seed::OTP}}),
    )
    .await;
    assert_ne!(lost.code, 0, "{lost:?}");
    assert!(lost.stderr.contains("outcome_unknown"), "{lost:?}");

    let listed = kassa(&["journal", "list", "--journal", journal, "--json"], &env)
        .await
        .json();
    let open = listed.as_array().expect("a list");
    assert_eq!(open.len(), 1, "{listed}");
    assert_eq!(open[0]["operation"], "unregistered-pay");
    assert_eq!(open[0]["state"], "dispatched");
    assert_eq!(open[0]["reconcile"], "status");
    assert_eq!(open[0]["ids"], json!([["billId", id.to_string()]]));
    assert!(!listed.to_string().contains(seed::RICH_CARD.pan));

    // The CLI's process is gone, so no call is in flight: a short grace is honest here.
    // Without it, the intent is too young for the default grace and is left for later.
    let early = kassa(&["journal", "recover", "--journal", journal], &env).await;
    assert_eq!(early.code, 0, "{early:?}");
    assert!(early.stdout.contains("claimed 0"), "{early:?}");
    let refused = kassa(
        &["journal", "recover", "--journal", journal, "--grace", "5"],
        &env,
    )
    .await;
    assert_ne!(
        refused.code, 0,
        "a grace under the calls' 60 s: {refused:?}"
    );
    assert!(refused.stderr.contains("grace"), "{refused:?}");
    let recovered = kassa(
        &[
            "journal",
            "recover",
            "--journal",
            journal,
            "--timeout",
            "10",
            "--calls-timeout",
            "0.001",
            "--grace",
            "0.002",
        ],
        &env,
    )
    .await;
    assert_eq!(recovered.code, 0, "{recovered:?}");
    assert!(
        recovered.stdout.contains("settled 1")
            && recovered.stdout.contains("unregistered-pay")
            && recovered.stdout.contains("settled succeeded"),
        "{recovered:?}"
    );
    let listed = kassa(&["journal", "list", "--journal", journal, "--json"], &env)
        .await
        .json();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn journal_commands_name_the_journal_they_need() {
    let run = kassa(&["journal", "list"], &[]).await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("--journal") && run.stderr.contains("KASSA_JOURNAL_URL"),
        "{run:?}"
    );
    let run = kassa(&["journal", "recover", "--grace", "x"], &[]).await;
    assert_ne!(run.code, 0, "{run:?}");
}
