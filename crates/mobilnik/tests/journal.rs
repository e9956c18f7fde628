//! The intent journal: Mobilnik's money-moving calls know no status id before they are
//! sent, so both are listed in `RECONCILED_ONLY_FROM_THE_ANSWER` and record an intent with
//! no reconcile step (and their amount); no intent holds a secret; the client's
//! `Reconciler` parks such intents as unreconcilable and settles one that names
//! `check-payment` with an `operation_id`, against the fixtures and the sandbox.

mod common;

use std::sync::Arc;

use common::{DEVICE, DEVICE_ID, LOGIN, PASSWORD, TOKEN, quiet_transport};
use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict};
use kassa_core::ops::EffectKind;
use kassa_core::secret::SecretString;
use kassa_core::{Effect, Error, Operation, Reconcile, RetryPolicy, Timeouts};
use kassa_testkit::journal::Memory;
use kassa_testkit::{Fixture, mount_on};
use mobilnik::{Client, DeviceId, OPERATIONS, RECONCILED_ONLY_FROM_THE_ANSWER};
use wiremock::MockServer;

const P: &str = "mobilnik";

fn journaled(uri: &str, journal: Arc<Memory>) -> Client {
    Client::builder()
        .base_url(uri)
        .login(LOGIN)
        .password(SecretString::from(PASSWORD.to_owned()))
        .device_id(DeviceId::new(DEVICE_ID).expect("device id"))
        .device_name(DEVICE)
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .retry(RetryPolicy::none())
        .journal(journal)
        .build()
        .expect("client builds")
}

/// The parameters of a fixture's request: its query without what the client adds.
fn params(fixture: &Fixture) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fixture
        .request
        .query
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "token" | "client" | "status"))
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Sends the `ok` fixture of `op` with a journal; the fixture and the journal.
async fn send_ok_case(op: &str) -> (Fixture, Arc<Memory>) {
    let fixture = Fixture::load(P, op, "ok");
    let server = MockServer::start().await;
    mount_on(&server, &Fixture::load(P, "authenticate", "ok")).await;
    mount_on(&server, &fixture).await;
    let journal = Arc::new(Memory::new());
    mobilnik::call_json(
        &journaled(&server.uri(), journal.clone()),
        op,
        &params(&fixture),
    )
    .await
    .unwrap_or_else(|e| panic!("{op}/ok: {e}"));
    server.verify().await;
    (fixture, journal)
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
        let (fixture, journal) = send_ok_case(info.name).await;
        let intents = journal.intents();
        assert_eq!(intents.len(), 1, "{}: {intents:?}", info.name);
        let intent = &intents[0];
        assert_eq!(intent.operation, info.name);
        assert_eq!(intent.effect, info.effect);
        assert_eq!(
            journal.kinds(),
            ["record", "dispatched", "resolve succeeded"]
        );
        // The amount, in tyiyn, from the som the request sent.
        let som = &fixture.request.query["amount"];
        let minor = mobilnik::som(som).expect("an amount").minor;
        assert_eq!(intent.amount_minor, Some(minor), "{}", info.name);
        assert_eq!(intent.currency.as_deref(), Some("KGS"));
        if listed {
            assert_eq!(
                intent.reconcile_operation, None,
                "{} is listed but names a status call: take it off the list",
                info.name
            );
            assert!(intent.ids.is_empty());
        } else {
            assert!(intent.reconcile_operation.is_some(), "{}", info.name);
            assert!(!intent.ids.is_empty(), "{}", info.name);
        }
    }
    assert_eq!(walked, 2, "payment and transfer-request");
}

#[tokio::test]
async fn no_intent_holds_a_secret() {
    for op in ["payment", "transfer-request"] {
        let (_, journal) = send_ok_case(op).await;
        for intent in journal.intents() {
            let text = format!("{intent:?}");
            for secret in [PASSWORD, TOKEN, DEVICE_ID] {
                assert!(!text.contains(secret), "{op}: {secret} leaked: {text}");
            }
        }
    }
}

#[tokio::test]
async fn an_intent_without_a_step_is_unreconcilable_and_asks_nothing() {
    let server = MockServer::start().await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    assert_eq!(client.provider(), "mobilnik");
    for op in ["payment", "transfer-request"] {
        let intent = Intent::for_operation(&Operation::new(P, op, Effect::Once));
        let verdict = client.reconcile(&intent).await.expect("nothing to ask");
        assert!(
            matches!(&verdict, Verdict::Unreconcilable(why) if why.contains("wallet balance")),
            "{verdict:?}"
        );
    }
    let no_id = Intent::for_operation(
        &Operation::new(P, "payment", Effect::Once).reconcile_with(Reconcile::new("check-payment")),
    );
    assert!(matches!(
        client.reconcile(&no_id).await.expect("nothing to ask"),
        Verdict::Unreconcilable(_)
    ));
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

fn with_operation_id(id: &str) -> Intent {
    Intent::for_operation(
        &Operation::new(P, "payment", Effect::Once)
            .reconcile_with(Reconcile::new("check-payment").param("operation_id", id)),
    )
}

/// Reconciles an intent naming `check-payment` with the fixture's operation id.
async fn reconcile_case(case: &str) -> Result<Verdict, Error> {
    let fixture = Fixture::load(P, "check-payment", case);
    let server = MockServer::start().await;
    mount_on(&server, &Fixture::load(P, "authenticate", "ok")).await;
    mount_on(&server, &fixture).await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    client
        .reconcile(&with_operation_id(&fixture.request.query["operation_id"]))
        .await
}

#[tokio::test]
async fn check_payment_answers_map_to_verdicts() {
    assert_eq!(
        reconcile_case("processed").await.expect("asked"),
        Verdict::Final(Resolution::Succeeded)
    );
    assert!(matches!(
        reconcile_case("annulled").await.expect("asked"),
        Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "2"
    ));
    assert!(matches!(
        reconcile_case("error").await.expect("asked"),
        Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "3"
    ));
    assert_eq!(
        reconcile_case("accepted").await.expect("asked"),
        Verdict::Pending("accepted (0)".into())
    );
    assert_eq!(
        reconcile_case("wrong_operation").await.expect("asked"),
        Verdict::NotFound
    );
    assert!(reconcile_case("http_503").await.is_err());
}

mod sandbox {
    use super::*;
    use kassa_sandbox::Fault;
    use kassa_sandbox::mobilnik::seed;
    use mobilnik::PaymentRequest;

    fn sandbox_client(base: &str, journal: Arc<Memory>) -> Client {
        Client::builder()
            .base_url(base)
            .login(seed::LOGIN)
            .password(SecretString::from(seed::PASSWORD.to_owned()))
            .device_id(DeviceId::new(seed::DEVICE_ID).expect("id"))
            .device_name(seed::DEVICE)
            .journal(journal)
            .build()
            .expect("client")
    }

    #[tokio::test]
    async fn a_payment_is_settled_from_the_operation_id_of_its_answer() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = sandbox_client(&sandbox.url("mobilnik"), journal.clone());
        let paid = client
            .payment(&PaymentRequest::new(
                1,
                seed::REQUISITE,
                mobilnik::som("150.50").expect("amount"),
            ))
            .await
            .expect("paid");
        let intent = journal.last().expect("recorded");
        assert_eq!(journal.resolution(&intent.id), Some(Resolution::Succeeded));
        assert_eq!(intent.amount_minor, Some(15_050));
        // Recorded before sending, the intent names no status call: it is for a person.
        assert!(matches!(
            client.reconcile(&intent).await.expect("nothing asked"),
            Verdict::Unreconcilable(_)
        ));
        // With the operation id its answer gave, check-payment settles it.
        let known = Intent {
            reconcile_operation: Some("check-payment".into()),
            ids: vec![("operation_id".into(), paid.operation_id.to_string())],
            ..intent
        };
        assert_eq!(
            client.reconcile(&known).await.expect("asked"),
            Verdict::Pending("accepted (0)".into())
        );
        assert_eq!(
            client.reconcile(&known).await.expect("asked"),
            Verdict::Final(Resolution::Succeeded)
        );
    }

    #[tokio::test]
    async fn a_payment_whose_answer_is_lost_stays_unresolved_for_a_person() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = sandbox_client(&sandbox.url("mobilnik"), journal.clone());
        client
            .authenticate(&mobilnik::AuthenticateRequest {})
            .await
            .expect("token");
        sandbox
            .faults()
            .set(Fault::drop_connection("mobilnik", "/payment/").times(1));
        let err = client
            .payment(&PaymentRequest::new(
                1,
                seed::REQUISITE,
                mobilnik::som("10").expect("amount"),
            ))
            .await
            .expect_err("the answer is lost");
        assert!(err.may_have_taken_effect(), "{err:?}");
        let intent = journal.last().expect("recorded");
        assert_eq!(journal.unresolved(), vec![intent.clone()]);
        assert!(journal.was_dispatched(&intent.id));
        assert!(matches!(
            client.reconcile(&intent).await.expect("nothing asked"),
            Verdict::Unreconcilable(why) if why.contains("operation_id")
        ));
    }
}
