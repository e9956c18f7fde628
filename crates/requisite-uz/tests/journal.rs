//! The intent journal: both money-moving operations record an intent naming
//! `payment-status` with the `orderId` they send and their amount, no intent holds a secret
//! or a card number, and the client's `Reconciler` maps each `payment-status` answer to its
//! verdict, against the fixtures and against the sandbox.

mod common;

use std::sync::Arc;

use common::{PASSWORD, PROVIDER, USERNAME, quiet_transport};
use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict};
use kassa_core::ops::EffectKind;
use kassa_core::{Effect, Error, Operation, Reconcile, RetryPolicy, Timeouts};
use kassa_testkit::journal::Memory;
use kassa_testkit::{Fixture, mount_on};
use requisite_uz::{Client, OPERATIONS, RECONCILED_ONLY_FROM_THE_ANSWER};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn journaled(uri: &str, journal: Arc<Memory>) -> Client {
    Client::builder(uri)
        .credentials(USERNAME, PASSWORD)
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .journal(journal)
        .build()
        .expect("client builds")
}

/// Sends the `ok` fixture of `op` with a journal; the fixture and the intents recorded.
async fn send_ok_case(op: &str) -> (Fixture, Vec<Intent>) {
    let fixture = Fixture::load(PROVIDER, op, "ok");
    let server = MockServer::start().await;
    mount_on(&server, &fixture).await;
    let journal = Arc::new(Memory::new());
    let params = fixture
        .request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    requisite_uz::call_json(&journaled(&server.uri(), journal.clone()), op, &params)
        .await
        .unwrap_or_else(|e| panic!("{op}/ok: {e}"));
    let id = journal.last().map(|i| i.id).unwrap_or_default();
    assert_eq!(
        journal.kinds(),
        ["record", "dispatched", "resolve succeeded"],
        "{op}"
    );
    assert!(journal.was_dispatched(&id));
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
        let (fixture, intents) = send_ok_case(info.name).await;
        assert_eq!(intents.len(), 1, "{}", info.name);
        let intent = &intents[0];
        assert_eq!(
            (intent.provider.as_str(), intent.operation.as_str()),
            (PROVIDER, info.name)
        );
        assert_eq!(intent.effect, info.effect);
        if listed {
            assert_eq!(
                intent.reconcile_operation, None,
                "{}: take it off the list",
                info.name
            );
            continue;
        }
        let json = fixture.request.json.as_ref().expect("a JSON body");
        let order_id = json["orderId"].as_str().expect("an orderId");
        assert_eq!(
            intent.reconcile_operation.as_deref(),
            Some("payment-status"),
            "{}",
            info.name
        );
        assert_eq!(
            intent.ids,
            vec![("orderId".to_owned(), order_id.to_owned())]
        );
        let amount: i64 = json["amount"]
            .as_str()
            .expect("amount as text")
            .parse()
            .expect("tiyin");
        assert_eq!(intent.amount_minor, Some(amount), "{}", info.name);
        assert_eq!(intent.currency.as_deref(), Some("UZS"));
    }
    assert_eq!(walked, 2, "payment and payment-budget");
}

#[tokio::test]
async fn no_intent_holds_a_secret_or_a_card_number() {
    for op in ["payment", "payment-budget"] {
        let (fixture, intents) = send_ok_case(op).await;
        let json = fixture.request.json.as_ref().expect("a JSON body");
        let card = json["cardNumber"]
            .as_str()
            .expect("the fixture sends a card");
        for intent in intents {
            let text = format!("{intent:?}");
            for secret in [
                PASSWORD,
                common::BASIC,
                "dGVzdC11c2VyOnRlc3QtcGFzc3dvcmQ=",
                card,
            ] {
                assert!(!text.contains(secret), "{op}: {secret} leaked: {text}");
            }
        }
    }
}

fn intent(order_id: &str) -> Intent {
    Intent::for_operation(
        &Operation::new(PROVIDER, "payment", Effect::Once)
            .reconcile_with(Reconcile::new("payment-status").param("orderId", order_id)),
    )
}

/// Reconciles an intent for the `orderId` of the payment-status fixture `case`.
async fn reconcile_case(case: &str) -> Result<Verdict, Error> {
    let fixture = Fixture::load(PROVIDER, "payment-status", case);
    let order_id = fixture
        .request
        .path
        .strip_prefix("/api/v2/payment/")
        .expect("a payment-status path")
        .to_owned();
    let server = MockServer::start().await;
    mount_on(&server, &fixture).await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    assert_eq!(client.provider(), PROVIDER);
    let verdict = client.reconcile(&intent(&order_id)).await;
    server.verify().await;
    verdict
}

#[tokio::test]
async fn posted_is_succeeded() {
    assert_eq!(
        reconcile_case("ok").await.expect("asked"),
        Verdict::Final(Resolution::Succeeded)
    );
}

#[tokio::test]
async fn deleted_is_refused() {
    let verdict = reconcile_case("status_deleted").await.expect("asked");
    assert!(
        matches!(&verdict, Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "Удален"),
        "{verdict:?}"
    );
}

#[tokio::test]
async fn entered_is_pending() {
    assert_eq!(
        reconcile_case("status_entered").await.expect("asked"),
        Verdict::Pending("Введен".into())
    );
}

#[tokio::test]
async fn no_data_for_the_order_is_not_found() {
    assert_eq!(
        reconcile_case("code_1008_not_found").await.expect("asked"),
        Verdict::NotFound
    );
}

#[tokio::test]
async fn a_failed_status_call_is_an_error_to_ask_again() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/payment/009445151277"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .credentials(USERNAME, PASSWORD)
        .transport(quiet_transport())
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds");
    let err = client
        .reconcile(&intent("009445151277"))
        .await
        .expect_err("502");
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
}

#[tokio::test]
async fn no_step_or_no_order_id_is_unreconcilable_and_asks_nothing() {
    let server = MockServer::start().await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    let no_step = Intent::for_operation(&Operation::new(PROVIDER, "payment", Effect::Once));
    let no_id = Intent::for_operation(
        &Operation::new(PROVIDER, "payment", Effect::Once)
            .reconcile_with(Reconcile::new("payment-status")),
    );
    let other = Intent {
        provider: "anor-bm".into(),
        ..intent("1")
    };
    for i in [no_step, no_id, other] {
        let verdict = client.reconcile(&i).await.expect("nothing to ask");
        assert!(matches!(verdict, Verdict::Unreconcilable(_)), "{verdict:?}");
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

mod sandbox {
    use super::*;
    use kassa_core::secret::SecretString;
    use kassa_core::{Currency, Money};
    use kassa_sandbox::Fault;
    use kassa_sandbox::requisite_uz::seed;
    use requisite_uz::{PaymentRequest, ServiceId};

    fn request(order_id: &str, tiyin: i64) -> PaymentRequest {
        PaymentRequest {
            order_id: order_id.into(),
            receiver_name: seed::RECEIVER_NAME.into(),
            mfo_receiver: seed::RECEIVER_MFO.into(),
            receiver_account: seed::RECEIVER_ACCOUNT.into(),
            inn_receiver: Some(seed::RECEIVER_INN.into()),
            purpose: format!("journal {order_id}"),
            service_id: ServiceId(seed::SERVICE_SPLIT_ID),
            amount: Money::new(tiyin, Currency::UZS),
            commission_amount: Money::new(1_000, Currency::UZS),
            ref_number: None,
            card_type: None,
            card_number: None,
        }
    }

    #[tokio::test]
    async fn a_payment_whose_answer_is_lost_is_reconciled_to_succeeded() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = Client::builder(sandbox.url("requisite-uz"))
            .credentials(
                seed::USERNAME,
                SecretString::from(seed::PASSWORD.to_owned()),
            )
            .journal(journal.clone())
            .build()
            .expect("client");
        sandbox
            .faults()
            .set(Fault::drop_connection("requisite-uz", "/api/v2/payment").times(1));
        let err = client
            .payment(&request("journal-1", 400_000))
            .await
            .expect_err("the answer is lost");
        assert!(err.may_have_taken_effect(), "{err:?}");
        let pay = journal.last().expect("recorded");
        assert_eq!(journal.unresolved(), vec![pay.clone()]);
        assert_eq!(pay.amount_minor, Some(400_000));
        assert!(journal.was_dispatched(&pay.id));
        // The bank answers «Введен» on the first read and the outcome from the second on.
        assert_eq!(
            client.reconcile(&pay).await.expect("asked"),
            Verdict::Pending("Введен".into())
        );
        assert_eq!(
            client.reconcile(&pay).await.expect("asked"),
            Verdict::Final(Resolution::Succeeded)
        );
    }

    #[tokio::test]
    async fn an_order_the_bank_deletes_is_refused_and_an_unknown_order_not_found() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = Client::builder(sandbox.url("requisite-uz"))
            .credentials(
                seed::USERNAME,
                SecretString::from(seed::PASSWORD.to_owned()),
            )
            .journal(journal.clone())
            .build()
            .expect("client");
        let amount = i64::try_from(seed::AMOUNT_DELETED_BY_BANK).expect("fits");
        client
            .payment(&request("journal-2", amount))
            .await
            .expect("created");
        let pay = journal.last().expect("recorded");
        assert_eq!(journal.resolution(&pay.id), Some(Resolution::Succeeded));
        assert_eq!(
            client.reconcile(&pay).await.expect("asked"),
            Verdict::Pending("Введен".into())
        );
        assert!(matches!(
            client.reconcile(&pay).await.expect("asked"),
            Verdict::Final(Resolution::Refused { .. })
        ));
        assert_eq!(
            client
                .reconcile(&intent("never-sent"))
                .await
                .expect("asked"),
            Verdict::NotFound
        );
    }
}
