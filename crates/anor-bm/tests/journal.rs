//! The intent journal: every `Keyed` and `Once` operation records an intent that names
//! `status` with ids known before sending (or is listed in
//! `RECONCILED_ONLY_FROM_THE_ANSWER`), no intent holds a secret, and the client's
//! `Reconciler` maps each `status` answer to its verdict, against the fixtures and against
//! the sandbox.

mod common;

use std::sync::Arc;

use anor_bm::{Client, OPERATIONS, RECONCILED_ONLY_FROM_THE_ANSWER};
use common::{P, PASSWORD, USER, assert_no_secret};
use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict};
use kassa_core::ops::EffectKind;
use kassa_core::{Effect, Error, Operation, Reconcile, RetryPolicy, Timeouts};
use kassa_testkit::journal::Memory;
use kassa_testkit::{Fixture, mount_on, quiet_transport};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STATUS_PATH: &str = "/services/bmms/api/agent/status";

fn journaled(uri: &str, journal: Arc<Memory>) -> Client {
    Client::builder(uri, USER, PASSWORD)
        .transport(quiet_transport())
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .journal(journal)
        .build()
        .expect("client builds")
}

fn is_listed(op: &str) -> bool {
    RECONCILED_ONLY_FROM_THE_ANSWER
        .iter()
        .any(|(o, _)| *o == op)
}

/// Sends the `ok` fixture of `op` through the operation table with a journal, and returns
/// the fixture and the intents recorded.
async fn send_ok_case(op: &str) -> (Fixture, Vec<Intent>, Memory) {
    let fixture = Fixture::load(P, op, "ok");
    let server = MockServer::start().await;
    mount_on(&server, &Fixture::load(P, "login", "ok")).await;
    mount_on(&server, &fixture).await;
    let journal = Arc::new(Memory::new());
    let params = fixture
        .request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    // The outcome does not matter here (hold/ok is outcome-unknown by design): the intent
    // is recorded before anything is sent.
    let _ = anor_bm::call_json(&journaled(&server.uri(), journal.clone()), op, &params).await;
    let intents = journal.intents();
    let memory = Arc::try_unwrap(journal).expect("the client is gone");
    (fixture, intents, memory)
}

#[tokio::test]
async fn every_keyed_or_once_operation_names_its_status_or_is_listed() {
    let mut walked = 0;
    for info in OPERATIONS {
        if !matches!(info.effect, EffectKind::Keyed | EffectKind::Once) {
            assert!(!is_listed(info.name), "{} is not Keyed/Once", info.name);
            continue;
        }
        walked += 1;
        let (fixture, intents, memory) = send_ok_case(info.name).await;
        assert_eq!(intents.len(), 1, "{}: one intent, {intents:?}", info.name);
        let intent = &intents[0];
        assert_eq!(intent.operation, info.name);
        assert_eq!(intent.provider, P);
        assert_eq!(intent.effect, info.effect, "{}", info.name);
        assert_eq!(
            memory.kinds()[..2],
            ["record", "dispatched"],
            "{}",
            info.name
        );
        if is_listed(info.name) {
            assert_eq!(
                intent.reconcile_operation, None,
                "{} is listed but names a status call: take it off the list",
                info.name
            );
            continue;
        }
        assert_eq!(
            intent.reconcile_operation.as_deref(),
            Some("status"),
            "{}: {intent:?}",
            info.name
        );
        assert!(!intent.ids.is_empty(), "{}: no ids", info.name);
        let json = fixture.request.json.as_ref().expect("a JSON body");
        for (name, value) in &intent.ids {
            assert!(!value.is_empty(), "{}: {name} is empty", info.name);
            let sent = json.get(name).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            assert_eq!(
                sent.as_deref(),
                Some(value.as_str()),
                "{}: {name}",
                info.name
            );
        }
        let amount = json
            .get("amount")
            .or_else(|| json.get("reverseAmount"))
            .and_then(serde_json::Value::as_i64);
        assert_eq!(intent.amount_minor, amount, "{}: the amount", info.name);
        if amount.is_some() {
            assert_eq!(intent.currency.as_deref(), Some("UZS"), "{}", info.name);
        }
    }
    assert_eq!(walked, 11, "every Keyed/Once operation was walked");
    for (op, _) in RECONCILED_ONLY_FROM_THE_ANSWER {
        assert!(
            OPERATIONS.iter().any(|o| o.name == *op),
            "{op} is listed but not in OPERATIONS"
        );
    }
}

#[tokio::test]
async fn no_intent_holds_a_secret_or_a_card_number() {
    for info in OPERATIONS {
        if !matches!(info.effect, EffectKind::Keyed | EffectKind::Once) {
            continue;
        }
        let (_, intents, _) = send_ok_case(info.name).await;
        assert!(!intents.is_empty(), "{}", info.name);
        for intent in intents {
            let text = format!("{intent:?}");
            assert_no_secret(&text);
            for other in ["445566", "0727", "1025"] {
                assert!(!text.contains(other), "{other} leaked: {text}");
            }
        }
    }
}

fn intent(op: &'static str, id: &'static str, value: &str) -> Intent {
    Intent::for_operation(
        &Operation::new(P, op, Effect::Once)
            .reconcile_with(Reconcile::new("status").param(id, value)),
    )
}

/// A server answering `login/ok` and the status fixture `case`.
async fn status_server(case: &str) -> MockServer {
    let server = MockServer::start().await;
    mount_on(&server, &Fixture::load(P, "login", "ok")).await;
    mount_on(&server, &Fixture::load(P, "status", case)).await;
    server
}

async fn reconcile(server: &MockServer, intent: &Intent) -> Result<Verdict, Error> {
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    assert_eq!(client.provider(), "anor-bm");
    Reconciler::reconcile(&client, intent).await
}

#[tokio::test]
async fn a_successful_bill_settles_the_intent_as_succeeded() {
    // status/ok_by_agent_tran_id answers SUCCESS for agentTranId 1628592866.
    let server = status_server("ok_by_agent_tran_id").await;
    let verdict = reconcile(
        &server,
        &intent("unregistered-check", "agentTranId", "1628592866"),
    )
    .await
    .expect("asked");
    assert_eq!(verdict, Verdict::Final(Resolution::Succeeded));
}

#[tokio::test]
async fn a_cancelled_bill_refuses_a_payment_and_settles_a_cancel() {
    // status/ok answers CANCELLED for billId 777.
    let server = status_server("ok").await;
    let verdict = reconcile(&server, &intent("unregistered-pay", "billId", "777"))
        .await
        .expect("asked");
    assert!(
        matches!(&verdict, Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "CANCELLED"),
        "{verdict:?}"
    );
    let server = status_server("ok").await;
    let verdict = reconcile(&server, &intent("cancel", "billId", "777"))
        .await
        .expect("asked");
    assert_eq!(verdict, Verdict::Final(Resolution::Succeeded));
}

#[tokio::test]
async fn bill_not_found_is_not_found() {
    let server = status_server("bill_not_found").await;
    let verdict = reconcile(&server, &intent("unregistered-pay", "billId", "777"))
        .await
        .expect("asked");
    assert_eq!(verdict, Verdict::NotFound);
}

#[tokio::test]
async fn a_bill_not_settled_yet_is_pending() {
    let server = MockServer::start().await;
    mount_on(&server, &Fixture::load(P, "login", "ok")).await;
    let check = Fixture::load(P, "unregistered-check", "ok");
    let body = check.response.json.expect("the check answer");
    Mock::given(method("POST"))
        .and(path(STATUS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let verdict = reconcile(&server, &intent("unregistered-pay", "billId", "935191"))
        .await
        .expect("asked");
    assert_eq!(verdict, Verdict::Pending("CHECK_OK".into()));
}

#[tokio::test]
async fn a_failed_status_call_is_an_error_to_ask_again() {
    let server = status_server("html_502").await;
    let err = reconcile(&server, &intent("unregistered-pay", "billId", "777"))
        .await
        .expect_err("502");
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
}

#[tokio::test]
async fn no_step_or_no_id_is_unreconcilable_and_asks_nothing() {
    let server = MockServer::start().await;
    let no_step = Intent::for_operation(&Operation::new(P, "send-otp", Effect::Once));
    let no_id = Intent::for_operation(
        &Operation::new(P, "unregistered-pay", Effect::Once)
            .reconcile_with(Reconcile::new("status")),
    );
    let other = intent("unregistered-pay", "billId", "777");
    let other = Intent {
        provider: "mobilnik".into(),
        ..other
    };
    for i in [no_step, no_id, other] {
        let verdict = reconcile(&server, &i).await.expect("nothing to ask");
        assert!(matches!(verdict, Verdict::Unreconcilable(_)), "{verdict:?}");
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "nothing was asked"
    );
}

mod sandbox {
    use super::*;
    use anor_bm::{BillStatus, CheckRequest, Otp, PayRequest};
    use kassa_core::secret::CardNumber;
    use kassa_core::{Currency, Money};
    use kassa_sandbox::Fault;
    use kassa_sandbox::anor_bm::{paths, seed};

    #[tokio::test]
    async fn a_payment_whose_answer_is_lost_is_reconciled_to_succeeded() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = Client::builder(sandbox.url("anor-bm"), seed::USERNAME, seed::PASSWORD)
            .journal(journal.clone())
            .build()
            .expect("client");
        let card = &seed::POOR_CARD;
        let bill = client
            .unregistered_check(&CheckRequest::new(
                "30",
                seed::RECIPIENT_ID,
                Money::new(60_000, Currency::UZS),
                "journal-1",
                CardNumber::new(card.pan).expect("pan"),
                card.expiry.parse().expect("expiry"),
            ))
            .await
            .expect("check");
        assert_eq!(bill.status, BillStatus::CheckOk);
        sandbox
            .faults()
            .set(Fault::drop_connection("anor-bm", paths::UNREGISTERED_PAY).times(1));
        let err = client
            .unregistered_pay(&PayRequest::new(bill.id, Otp::new(seed::OTP).expect("otp")))
            .await
            .expect_err("the answer is lost");
        assert!(err.may_have_taken_effect(), "{err:?}");

        let intents = journal.intents();
        assert_eq!(intents.len(), 2, "{intents:?}");
        let (check, pay) = (&intents[0], &intents[1]);
        assert_eq!(check.amount_minor, Some(60_000));
        assert_eq!(journal.resolution(&check.id), Some(Resolution::Succeeded));
        assert_eq!(pay.operation, "unregistered-pay");
        assert!(journal.was_dispatched(&pay.id));
        assert_eq!(
            journal.unresolved(),
            vec![pay.clone()],
            "the lost answer stays open"
        );
        assert_eq!(
            Reconciler::reconcile(&client, pay)
                .await
                .expect("reconciled"),
            Verdict::Final(Resolution::Succeeded)
        );
        assert_eq!(
            Reconciler::reconcile(&client, check)
                .await
                .expect("reconciled"),
            Verdict::Final(Resolution::Succeeded)
        );
        assert!(!format!("{intents:?}").contains(card.pan));
    }
}
