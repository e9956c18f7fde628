//! The intent journal: every `Keyed` and `Once` operation records an intent that names its
//! status call with ids known before sending, or is listed in
//! `RECONCILED_ONLY_FROM_THE_ANSWER` (and then the client's `Reconciler` says it cannot
//! settle it, asking nothing); amounts are recorded; no intent holds a secret; each status
//! answer maps to its verdict, against the fixtures and the sandbox.

mod common;

use std::sync::Arc;

use common::{
    ADMIN_PASSWORD, APP_TOKEN, BEARER, CLIENT_SECRET, PASSWORD, PHONE, WEBHOOK_TOKEN,
    quiet_transport,
};
use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict};
use kassa_core::ops::EffectKind;
use kassa_core::{Currency, Effect, Money, Operation, Reconcile, RetryPolicy, Timeouts};
use kassa_testkit::journal::Memory;
use kassa_testkit::{Fixture, mount_on};
use mserver::{Client, OPERATIONS, RECONCILED_ONLY_FROM_THE_ANSWER};
use wiremock::MockServer;

const P: &str = "mserver";

/// A client with the credentials the fixture's `authorization` shows (bearer or the
/// fixtures' wallet), with `journal`.
fn journaled(uri: &str, fixture: Option<&Fixture>, journal: Arc<Memory>) -> Client {
    let bearer = fixture
        .and_then(|f| f.request.headers.get("authorization"))
        .is_some_and(|a| a.starts_with("Bearer "));
    let builder = Client::builder().base_url(uri);
    let builder = if bearer {
        builder.bearer(BEARER.into())
    } else {
        builder.wallet(PHONE, PASSWORD.into()).expect("phone")
    };
    builder
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .retry(RetryPolicy::none())
        .journal(journal)
        .build()
        .expect("client builds")
}

/// The first `ok` case of `op` (any case when it has none).
fn ok_case(op: &str) -> Fixture {
    let cases = Fixture::cases(P, op);
    cases
        .iter()
        .find(|(c, _)| c.starts_with("ok"))
        .or_else(|| cases.first())
        .map(|(_, f)| f.clone())
        .unwrap_or_else(|| panic!("{op} has no fixture"))
}

/// Sends `op` with the parameters of its `ok` fixture to a server that answers nothing
/// (the intent is recorded before sending, whatever the answer); the fixture and the
/// intents.
async fn send(op: &str) -> (Fixture, Vec<Intent>) {
    let fixture = ok_case(op);
    let server = MockServer::start().await;
    let journal = Arc::new(Memory::new());
    let params = serde_json::Value::Object(kassa_testkit::params::mserver(op, &fixture));
    let client = journaled(&server.uri(), Some(&fixture), journal.clone());
    let _ = mserver::call_json(&client, op, &params.to_string()).await;
    (fixture, journal.intents())
}

#[tokio::test]
async fn every_keyed_or_once_operation_names_its_status_or_is_listed() {
    let mut walked = 0;
    for info in OPERATIONS {
        let listed = RECONCILED_ONLY_FROM_THE_ANSWER
            .iter()
            .any(|(o, _)| *o == info.name);
        if !matches!(info.effect, EffectKind::Keyed | EffectKind::Once) {
            assert!(!listed, "{} is not Keyed/Once", info.name);
            continue;
        }
        walked += 1;
        let (fixture, intents) = send(info.name).await;
        assert_eq!(intents.len(), 1, "{}: {intents:?}", info.name);
        let intent = &intents[0];
        assert_eq!(intent.operation, info.name);
        assert_eq!(intent.effect, info.effect, "{}", info.name);
        // A listed operation is one the reconciler cannot settle: it says so and asks
        // nothing.
        let quiet = MockServer::start().await;
        let client = journaled(&quiet.uri(), Some(&fixture), Arc::new(Memory::new()));
        if listed {
            let verdict = client.reconcile(intent).await.expect("nothing to ask");
            assert!(
                matches!(verdict, Verdict::Unreconcilable(_)),
                "{} is listed but settles: {verdict:?}",
                info.name
            );
            assert!(
                quiet
                    .received_requests()
                    .await
                    .expect("recording")
                    .is_empty(),
                "{}",
                info.name
            );
        } else {
            assert!(intent.reconcile_operation.is_some(), "{}", info.name);
            assert!(!intent.ids.is_empty(), "{}: no ids", info.name);
            for (name, value) in &intent.ids {
                assert!(!value.is_empty(), "{}: {name}", info.name);
                assert!(
                    fixture.request.path.ends_with(&format!("/{value}"))
                        || fixture.request.path.contains(&format!("/{value}/")),
                    "{}: {name}={value} is the id in the path {}",
                    info.name,
                    fixture.request.path
                );
            }
        }
        // The calls that move (or ask for) an amount record it; a template's amount is a
        // default kept for later, not moved by saving it.
        let moves = matches!(info.name, "create-payment" | "create-invoice");
        let amount = fixture.request.json.as_ref().and_then(|j| j.get("amount"));
        assert!(
            !moves || amount.is_some(),
            "{}: the fixture sends an amount",
            info.name
        );
        if !moves {
            assert_eq!(intent.amount_minor, None, "{}", info.name);
        }
        if let Some(amount) = amount.filter(|_| moves) {
            let text = amount
                .as_str()
                .map_or_else(|| amount.to_string(), str::to_owned);
            let rub = Money::parse_major(&text, Currency::RUB).expect("an amount");
            assert_eq!(intent.amount_minor, Some(rub.minor), "{}", info.name);
            assert_eq!(intent.currency.as_deref(), Some("RUB"));
        }
    }
    assert_eq!(walked, 27, "every Keyed/Once operation was walked");
}

#[tokio::test]
async fn no_intent_holds_a_secret() {
    for info in OPERATIONS {
        if !matches!(info.effect, EffectKind::Keyed | EffectKind::Once) {
            continue;
        }
        let (fixture, intents) = send(info.name).await;
        let basic = fixture.request.headers.get("authorization").cloned();
        for intent in intents {
            let text = format!("{intent:?}");
            let mut secrets = vec![
                PASSWORD,
                BEARER,
                CLIENT_SECRET,
                APP_TOKEN,
                ADMIN_PASSWORD,
                WEBHOOK_TOKEN,
            ];
            if let Some(b) = basic.as_deref().and_then(|b| b.split_once(' ')) {
                secrets.push(b.1);
            }
            for secret in secrets {
                assert!(
                    !text.contains(secret),
                    "{}: {secret} leaked: {text}",
                    info.name
                );
            }
        }
    }
}

fn intent(op: &'static str, step: &'static str, id_name: &'static str, id: &str) -> Intent {
    Intent::for_operation(
        &Operation::new(P, op, Effect::Once)
            .reconcile_with(Reconcile::new(step).param(id_name, id)),
    )
}

/// Reconciles `intent` against the fixture `op/case` mounted alone.
async fn against(op: &str, case: &str, intent: &Intent) -> Verdict {
    let fixture = Fixture::load(P, op, case);
    let server = MockServer::start().await;
    mount_on(&server, &fixture).await;
    let client = journaled(&server.uri(), Some(&fixture), Arc::new(Memory::new()));
    assert_eq!(client.provider(), "mserver");
    let verdict = client.reconcile(intent).await.expect("asked");
    server.verify().await;
    verdict
}

#[tokio::test]
async fn get_payment_settles_pay_payment() {
    let ok = intent("pay-payment", "get-payment", "id", "1401089237231");
    assert_eq!(
        against("get-payment", "ok", &ok).await,
        Verdict::Final(Resolution::Succeeded)
    );
    let declined = intent("pay-payment", "get-payment", "id", "1401089244491");
    assert!(matches!(
        against("get-payment", "declined", &declined).await,
        Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "insufficient_funds"
    ));
    let missing = intent("pay-payment", "get-payment", "id", "1");
    assert_eq!(
        against("get-payment", "not_found", &missing).await,
        Verdict::NotFound
    );
}

#[tokio::test]
async fn the_invoice_lists_settle_pay_and_cancel() {
    let paid = intent(
        "pay-invoice",
        "list-invoices",
        "_id",
        "5422dc24b7f47b52010041a8",
    );
    assert_eq!(
        against("list-invoices", "ok", &paid).await,
        Verdict::Final(Resolution::Succeeded)
    );
    let paying = intent(
        "pay-invoice",
        "list-invoices",
        "_id",
        "5422daccb7f47b52010041a7",
    );
    assert_eq!(
        against("list-invoices", "ok", &paying).await,
        Verdict::Pending("processing".into())
    );
    let unknown = intent(
        "pay-invoice",
        "list-invoices",
        "_id",
        "ffffffffffffffffffffffff",
    );
    assert_eq!(
        against("list-invoices", "ok", &unknown).await,
        Verdict::NotFound
    );
    let cancelled = intent(
        "cancel-invoice",
        "list-created-invoices",
        "_id",
        "5422cf7cb7f47b54010041a7",
    );
    assert_eq!(
        against("list-created-invoices", "ok", &cancelled).await,
        Verdict::Final(Resolution::Succeeded)
    );
}

#[tokio::test]
async fn a_deleted_card_or_template_that_is_gone_succeeded() {
    let card = intent("delete-card", "get-card", "id", "63");
    assert_eq!(
        against("get-card", "not_found", &card).await,
        Verdict::Final(Resolution::Succeeded)
    );
    let still = intent("delete-card", "get-card", "id", "62");
    assert!(matches!(
        against("get-card", "ok", &still).await,
        Verdict::Final(Resolution::Refused { .. })
    ));
    let fixture = Fixture::load(P, "get-template", "not_found");
    let id = fixture
        .request
        .path
        .rsplit('/')
        .next()
        .expect("an id")
        .to_owned();
    let template = intent("delete-template", "get-template", "id", &id);
    assert_eq!(
        against("get-template", "not_found", &template).await,
        Verdict::Final(Resolution::Succeeded)
    );
}

#[tokio::test]
async fn a_failed_status_call_is_an_error_to_ask_again() {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/payments/7"))
        .respond_with(wiremock::ResponseTemplate::new(502).set_body_string("bad gateway"))
        .expect(1)
        .mount(&server)
        .await;
    let client = journaled(&server.uri(), None, Arc::new(Memory::new()));
    let err = client
        .reconcile(&intent("pay-payment", "get-payment", "id", "7"))
        .await
        .expect_err("502");
    assert!(!err.may_have_taken_effect(), "{err:?}");
}

mod sandbox {
    use super::*;
    use kassa_sandbox::mserver::seed;
    use mserver::{CreatePaymentRequest, PayPaymentRequest, PaymentStatus, PaymentType};

    #[tokio::test]
    async fn a_paid_payment_is_reconciled_to_succeeded() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = Client::builder()
            .base_url(format!("{}/v1", sandbox.url("mserver")))
            .wallet(seed::PHONE, seed::PASSWORD.into())
            .expect("phone")
            .journal(journal.clone())
            .build()
            .expect("client");
        let amount = mserver::parse_rub("100.50").expect("amount");
        let created = client
            .create_payment(
                &CreatePaymentRequest::new(PaymentType::Out, amount)
                    .service(1, [("phoneNumber", "9261234567")]),
            )
            .await
            .expect("create-payment");
        let paid = client
            .pay_payment(&PayPaymentRequest::new(created.data.id))
            .await
            .expect("pay-payment");
        assert_eq!(paid.data.status, PaymentStatus::Processing);

        let intents = journal.intents();
        assert_eq!(intents.len(), 2, "{intents:?}");
        let (create, pay) = (&intents[0], &intents[1]);
        assert_eq!(create.amount_minor, Some(10_050));
        assert_eq!(
            create.key.as_deref(),
            Some(created.data.client_payment_id.as_str())
        );
        assert_eq!(
            pay.ids,
            vec![("id".to_owned(), created.data.id.to_string())]
        );
        assert_eq!(journal.resolution(&pay.id), Some(Resolution::Succeeded));
        assert_eq!(
            client.reconcile(pay).await.expect("asked"),
            Verdict::Final(Resolution::Succeeded)
        );
        assert!(matches!(
            client.reconcile(create).await.expect("nothing asked"),
            Verdict::Unreconcilable(_)
        ));
        assert!(!format!("{intents:?}").contains(seed::PASSWORD));
    }
}
