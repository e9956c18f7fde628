//! The intent journal: every `Once` operation records an intent naming its status call
//! with ids known before sending (`create-bid` its `api_id`, the bid actions the bid's
//! `hash`), or is listed in `RECONCILED_ONLY_FROM_THE_ANSWER`; no intent holds a secret or
//! an account; the client's `Reconciler` maps each status answer to its verdict, against
//! the fixtures and the sandbox.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{KEY, LOGIN, quiet_transport};
use exchanger::{Client, OPERATIONS, RECONCILED_ONLY_FROM_THE_ANSWER};
use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict};
use kassa_core::ops::EffectKind;
use kassa_core::{Effect, Error, Operation, Reconcile, RetryPolicy, Timeouts};
use kassa_testkit::journal::Memory;
use kassa_testkit::{Fixture, mount_on};
use wiremock::MockServer;

const P: &str = "exchanger";

fn journaled(uri: &str, journal: Arc<Memory>) -> Client {
    Client::builder(uri)
        .login(LOGIN)
        .key(KEY)
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .retry(RetryPolicy::none())
        .journal(journal)
        .build()
        .expect("client builds")
}

fn form(fixture: &Fixture) -> BTreeMap<String, String> {
    fixture.request.form.clone().unwrap_or_default()
}

/// Sends the `ok` fixture of `op` with a journal; the fixture and the journal.
async fn send_ok_case(op: &str) -> (Fixture, Arc<Memory>) {
    let fixture = Fixture::load(P, op, "ok");
    let server = MockServer::start().await;
    mount_on(&server, &fixture).await;
    let journal = Arc::new(Memory::new());
    let params: serde_json::Map<String, serde_json::Value> = form(&fixture)
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    exchanger::call_json(
        &journaled(&server.uri(), journal.clone()),
        op,
        &serde_json::Value::Object(params).to_string(),
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
        if listed {
            let quiet = MockServer::start().await;
            let client = journaled(&quiet.uri(), Arc::new(Memory::new()));
            assert!(matches!(
                client.reconcile(intent).await.expect("nothing to ask"),
                Verdict::Unreconcilable(_)
            ));
            assert!(
                quiet
                    .received_requests()
                    .await
                    .expect("recording")
                    .is_empty()
            );
            continue;
        }
        assert!(intent.reconcile_operation.is_some(), "{}", info.name);
        assert!(!intent.ids.is_empty(), "{}", info.name);
        let sent = form(&fixture);
        for (name, value) in &intent.ids {
            assert_eq!(
                sent.get(name),
                Some(value),
                "{}: {name} is what was sent",
                info.name
            );
        }
    }
    assert_eq!(
        walked, 5,
        "create, cancel, pay, success, add-partner-payout"
    );
}

#[tokio::test]
async fn no_intent_holds_a_secret_or_an_account() {
    for info in OPERATIONS {
        if !matches!(info.effect, EffectKind::Keyed | EffectKind::Once) {
            continue;
        }
        let (fixture, journal) = send_ok_case(info.name).await;
        let sent = form(&fixture);
        for intent in journal.intents() {
            let text = format!("{intent:?}");
            let mut secrets = vec![KEY];
            secrets.extend(
                ["account1", "account2", "account", "cf6"]
                    .iter()
                    .filter_map(|k| sent.get(*k).map(String::as_str)),
            );
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

fn by_hash(op: &'static str, hash: &str) -> Intent {
    Intent::for_operation(
        &Operation::new(P, op, Effect::Once)
            .reconcile_with(Reconcile::new("bid-info").param("hash", hash)),
    )
}

fn by_api_id(api_id: &str) -> Intent {
    Intent::for_operation(
        &Operation::new(P, "create-bid", Effect::Once)
            .reconcile_with(Reconcile::new("get-exchanges").param("api_id", api_id)),
    )
}

/// Reconciles `intent` against the fixture `op/case` mounted alone.
async fn against(op: &str, case: &str, intent: &Intent) -> Result<Verdict, Error> {
    let server = MockServer::start().await;
    mount_on(&server, &Fixture::load(P, op, case)).await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    assert_eq!(client.provider(), "exchanger");
    let verdict = client.reconcile(intent).await;
    server.verify().await;
    verdict
}

#[tokio::test]
async fn get_exchanges_settles_create_bid() {
    assert_eq!(
        against("get-exchanges", "ok_by_api_id", &by_api_id("order-42"))
            .await
            .expect("asked"),
        Verdict::Final(Resolution::Succeeded)
    );
    assert_eq!(
        against("get-exchanges", "empty", &by_api_id("order-43"))
            .await
            .expect("asked"),
        Verdict::NotFound
    );
}

#[tokio::test]
async fn bid_info_settles_the_bid_actions() {
    // bid-info/ok_by_hash answers `payed`.
    let hash = "9f8e7d6c5b4a";
    assert_eq!(
        against("bid-info", "ok_by_hash", &by_hash("pay-bid", hash))
            .await
            .expect("asked"),
        Verdict::Final(Resolution::Succeeded)
    );
    assert_eq!(
        against("bid-info", "ok_by_hash", &by_hash("success-bid", hash))
            .await
            .expect("asked"),
        Verdict::Pending("payed".into())
    );
    assert!(matches!(
        against("bid-info", "ok_by_hash", &by_hash("cancel-bid", hash))
            .await
            .expect("asked"),
        Verdict::Pending(_)
    ));
}

#[tokio::test]
async fn no_bid_is_not_found_and_a_failed_ask_is_an_error() {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/api/userapi/v1/bid_info"))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!(
                {"error": "1", "error_text": "no bid exists", "error_fields": [], "data": []}
            )),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    assert_eq!(
        client
            .reconcile(&by_hash("pay-bid", "0000"))
            .await
            .expect("asked"),
        Verdict::NotFound
    );
    let broken = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/api/userapi/v1/bid_info"))
        .respond_with(wiremock::ResponseTemplate::new(502).set_body_string("bad gateway"))
        .expect(1)
        .mount(&broken)
        .await;
    let client = journaled(&broken.uri(), Arc::new(Memory::new()));
    assert!(client.reconcile(&by_hash("pay-bid", "0000")).await.is_err());
}

#[tokio::test]
async fn no_step_or_no_id_is_unreconcilable_and_asks_nothing() {
    let server = MockServer::start().await;
    let client = journaled(&server.uri(), Arc::new(Memory::new()));
    let no_step = Intent::for_operation(&Operation::new(P, "add-partner-payout", Effect::Once));
    let no_id = Intent::for_operation(
        &Operation::new(P, "pay-bid", Effect::Once).reconcile_with(Reconcile::new("bid-info")),
    );
    let other = Intent {
        provider: "mserver".into(),
        ..by_hash("pay-bid", "1")
    };
    for i in [no_step, no_id, other] {
        assert!(matches!(
            client.reconcile(&i).await.expect("nothing to ask"),
            Verdict::Unreconcilable(_)
        ));
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
    use exchanger::{BidActionRequest, CalcAction, CreateBidRequest};
    use kassa_core::secret::SecretString;
    use kassa_sandbox::Fault;
    use kassa_sandbox::exchanger::seed;

    #[tokio::test]
    async fn a_bid_whose_pay_answer_is_lost_is_reconciled_to_succeeded() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let journal = Arc::new(Memory::new());
        let client = Client::builder(sandbox.url("exchanger"))
            .login(seed::API_LOGIN)
            .key(SecretString::from(seed::API_KEY.to_owned()))
            .journal(journal.clone())
            .build()
            .expect("client");
        let mut req = CreateBidRequest::new(
            seed::DIRECTION_BTC_USDT.id,
            "0.015".parse().expect("amount"),
            CalcAction::Give,
        )
        .api_id("journal-1");
        req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
        req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
        req.email = Some("test@example.com".into());
        let bid = client.create_bid(&req).await.expect("create_bid");
        sandbox
            .faults()
            .set(Fault::drop_connection("exchanger", "/api/userapi/v1/pay_bid").times(1));
        let err = client
            .pay_bid(&BidActionRequest::for_bid(&bid))
            .await
            .expect_err("the answer is lost");
        assert!(err.may_have_taken_effect(), "{err:?}");

        let intents = journal.intents();
        assert_eq!(intents.len(), 2, "{intents:?}");
        let (create, pay) = (&intents[0], &intents[1]);
        assert_eq!(journal.resolution(&create.id), Some(Resolution::Succeeded));
        assert_eq!(journal.unresolved(), vec![pay.clone()]);
        assert_eq!(pay.ids, vec![("hash".to_owned(), bid.hash.clone())]);
        assert_eq!(
            client.reconcile(pay).await.expect("asked"),
            Verdict::Final(Resolution::Succeeded)
        );
        assert_eq!(
            client.reconcile(create).await.expect("asked"),
            Verdict::Final(Resolution::Succeeded)
        );
        let text = format!("{intents:?}");
        assert!(!text.contains(seed::API_KEY) && !text.contains("bc1qxy2kgdy"));
    }
}
