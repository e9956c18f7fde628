//! Payments: the same client_payment_id on every retry of create-payment, pay-payment sent
//! once, answers for another payment never taken as ours, typed outcomes, exact roubles,
//! the history as a stream and the two-phase flow.

mod common;

use std::time::Duration;

use common::*;
use futures_util::TryStreamExt;
use kassa_core::poll::Settled;
use kassa_core::{RetryPolicy, Timeouts};
use kassa_testkit::Fixture;
use kassa_testkit::faults::delayed;
use mserver::{
    ClientPaymentId, CreatePaymentRequest, DeclineReason, GetPaymentRequest, ListPaymentsRequest,
    NextAction, PayPaymentRequest, PaymentOutcome, PaymentStatus, PaymentType, TwoPhase,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PROVIDER: &str = "mserver";

fn retry(n: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: n,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        ..RetryPolicy::default()
    }
}

fn client(uri: &str, attempts: u32) -> mserver::Client {
    wallet_client_with(uri, quiet_transport(), Timeouts::none(), retry(attempts))
}

fn rub(text: &str) -> kassa_core::Money {
    mserver::parse_rub(text).expect("an amount")
}

/// The document's `out` payment, with the fixture's client_payment_id.
fn out_payment() -> CreatePaymentRequest {
    CreatePaymentRequest::new(PaymentType::Out, rub("100"))
        .with_id(ClientPaymentId::parse("e731a7e2-c553-4295-867e-1023359bee28").expect("uuid"))
        .service(
            61,
            [
                ("phoneNumber", "9267101283"),
                ("BIK", "044583151"),
                ("Name", "name"),
                ("SName", "sname"),
                ("Fam", "fam"),
            ],
        )
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).expect("a JSON body")
}

/// A payment answer for `id` with `status`.
fn payment(id: u64, status: &str, extra: Value) -> ResponseTemplate {
    let mut data = json!({
        "id": id, "client_payment_id": "021c6d23-7508-4e35-ad92-852308a47689",
        "amount": 100, "total": 103, "status": status, "type": "inout",
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    ResponseTemplate::new(200).set_body_json(json!({"meta": {"code": 200}, "data": data}))
}

#[tokio::test]
async fn a_503_then_200_on_create_payment_resends_the_same_client_payment_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let ok = Fixture::load(PROVIDER, "create-payment", "resent_same_key");
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(ok.response_template())
        .mount(&server)
        .await;
    let req = out_payment();
    let created = client(&server.uri(), 3)
        .create_payment(&req)
        .await
        .expect("created on the second attempt");
    assert_eq!(created.data.id, 1401089240377);
    let sent = server.received_requests().await.expect("recorded");
    assert_eq!(sent.len(), 2, "one 503, one resend");
    let ids: Vec<Value> = sent
        .iter()
        .map(|r| body(r)["client_payment_id"].clone())
        .collect();
    let want = json!(req.client_payment_id.as_str());
    assert_eq!(ids, [want.clone(), want]);
    assert_eq!(
        body(&sent[0]),
        body(&sent[1]),
        "the same request both times"
    );
}

#[tokio::test]
async fn a_fresh_client_payment_id_is_made_once_and_kept_across_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let req = CreatePaymentRequest::new(PaymentType::In, rub("100"));
    let id = req.client_payment_id.as_str().to_owned();
    assert_eq!(id, id.to_lowercase());
    let e = client(&server.uri(), 3)
        .create_payment(&req)
        .await
        .expect_err("every attempt fails");
    server.verify().await;
    let sent = server.received_requests().await.expect("recorded");
    assert!(sent.iter().all(|r| body(r)["client_payment_id"] == id));
    // The caller may re-create with the same id: the error says so.
    assert!(e.resend_with_same_key_is_safe(), "{e:?}");
}

#[tokio::test]
async fn a_bad_client_payment_id_or_missing_service_is_refused_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server.uri(), 3);
    let upper: Result<CreatePaymentRequest, _> = serde_json::from_value(json!({
        "type": "in", "amount": 1, "client_payment_id": "E731A7E2-C553-4295-867E-1023359BEE28"
    }));
    assert!(upper.unwrap_err().to_string().contains("client_payment_id"));
    let no_service = CreatePaymentRequest::new(PaymentType::Out, rub("1"));
    let e = c.create_payment(&no_service).await.unwrap_err();
    assert_eq!(e.field(), Some("service"));
    let p2p = CreatePaymentRequest::new(PaymentType::P2p, rub("1")).to_wallet("8926", None);
    assert_eq!(
        c.create_payment(&p2p).await.unwrap_err().field(),
        Some("destination")
    );
    let zero = CreatePaymentRequest::new(PaymentType::In, rub("0"));
    assert_eq!(
        c.create_payment(&zero).await.unwrap_err().field(),
        Some("amount")
    );
    let half = PayPaymentRequest {
        id: 1,
        kind: Some(PaymentType::Inout),
        card: None,
    };
    assert_eq!(
        c.pay_payment(&half).await.unwrap_err().field(),
        Some("card")
    );
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty()
    );
}

#[tokio::test]
async fn the_p2p_request_sends_amount_never_the_documents_amont() {
    let req = CreatePaymentRequest::new(PaymentType::P2p, rub("100"))
        .to_wallet("+79261111112", Some("чай"));
    let text = serde_json::to_string(&req).expect("serializes");
    assert!(text.contains(r#""amount":100"#), "{text}");
    assert!(!text.contains("amont"), "{text}");
    // A request written with the document's typo is refused, not sent without an amount.
    let typo: Result<CreatePaymentRequest, _> = serde_json::from_value(json!({
        "type": "p2p", "amont": 100, "destination": "+79261111112"
    }));
    assert!(typo.unwrap_err().to_string().contains("amount"));
}

#[tokio::test]
async fn a_timeout_on_pay_payment_is_outcome_unknown_after_one_request_naming_get_payment() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments/25818/pay"))
        .respond_with(delayed(
            payment(25818, "processing", json!({})),
            Duration::from_secs(3600),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let timeouts = Timeouts::none().attempt(Duration::from_millis(300));
    let c = wallet_client_with(&server.uri(), quiet_transport(), timeouts, retry(3));
    let e = c
        .pay_payment(&PayPaymentRequest::new(25818))
        .await
        .expect_err("times out");
    server.verify().await;
    let o = e.outcome_unknown().expect("outcome unknown");
    let reconcile = o.reconcile.as_ref().expect("a status call");
    assert_eq!(reconcile.operation, "get-payment");
    assert_eq!(reconcile.params, [("id", "25818".to_owned())]);
    assert!(!e.resend_with_same_key_is_safe(), "pay-payment has no key");
    assert!(e.to_string().contains("get-payment with id=25818"), "{e}");
}

#[tokio::test]
async fn a_5xx_on_pay_payment_is_never_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments/25818/pay"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let e = client(&server.uri(), 3)
        .pay_payment(&PayPaymentRequest::new(25818))
        .await
        .unwrap_err();
    server.verify().await;
    assert!(e.may_have_taken_effect(), "{e:?}");
}

#[tokio::test]
async fn another_payments_answer_is_outcome_unknown_and_never_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(payment(77, "created", json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/payments/25818/pay"))
        .respond_with(payment(25819, "processing", json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri(), 3);
    let e = c.create_payment(&out_payment()).await.unwrap_err();
    let o = e.outcome_unknown().expect("outcome unknown");
    assert_eq!(
        o.key.as_deref(),
        Some("e731a7e2-c553-4295-867e-1023359bee28")
    );
    assert!(e.to_string().contains("another payment"), "{e}");
    let e = c
        .pay_payment(&PayPaymentRequest::new(25818))
        .await
        .unwrap_err();
    let o = e.outcome_unknown().expect("outcome unknown");
    assert_eq!(
        o.reconcile.as_ref().map(|r| r.operation),
        Some("get-payment")
    );
    assert!(e.to_string().contains("25819"), "{e}");
    server.verify().await;
}

#[tokio::test]
async fn a_401_with_a_code_on_create_payment_is_an_auth_error_sent_once() {
    let f = Fixture::load(PROVIDER, "create-payment", "wallet_not_active");
    let server = MockServer::start().await;
    f.mock().mount(&server).await;
    let e = client(&server.uri(), 3)
        .create_payment(&out_payment())
        .await
        .unwrap_err();
    server.verify().await;
    assert!(e.is_auth(), "{e:?}");
    assert_eq!(mserver::code_of(&e), Some(&mserver::Code::WalletNotActive));
    assert!(!e.may_have_taken_effect(), "{e:?}");
}

#[tokio::test]
async fn a_declined_payment_is_a_typed_outcome() {
    let f = Fixture::load(PROVIDER, "get-payment", "declined");
    let server = MockServer::start().await;
    f.mock().mount(&server).await;
    let p = client(&server.uri(), 1)
        .get_payment(&GetPaymentRequest { id: 1401089244491 })
        .await
        .expect("a declined payment is an answer, not an error");
    assert_eq!(
        p.data.outcome(),
        PaymentOutcome::Declined(Some(DeclineReason::InsufficientFunds))
    );
    assert_eq!(p.data.total.map(|t| t.minor), Some(101_500));
}

#[tokio::test]
async fn an_unknown_status_is_kept_and_never_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/5"))
        .respond_with(payment(
            5,
            "on_hold",
            json!({"decline_reason": "fraud_check"}),
        ))
        .mount(&server)
        .await;
    let c = client(&server.uri(), 1);
    let p = c
        .get_payment(&GetPaymentRequest { id: 5 })
        .await
        .expect("reads");
    assert_eq!(p.data.status, PaymentStatus::Unknown("on_hold".into()));
    assert_eq!(p.data.outcome(), PaymentOutcome::Unknown("on_hold".into()));
    assert_eq!(
        p.data.decline_reason,
        Some(DeclineReason::Unknown("fraud_check".into()))
    );
    let settled = c
        .follow_payment(5, Duration::from_millis(5), Duration::from_millis(12))
        .await
        .expect("follows");
    assert!(matches!(settled, Settled::StillPending(_)), "{settled:?}");
    assert!(!settled.succeeded());
}

#[tokio::test]
async fn roubles_are_exact_and_a_third_decimal_is_a_decode_error() {
    let f = Fixture::load(PROVIDER, "list-payments", "ok");
    let server = MockServer::start().await;
    f.mock().mount(&server).await;
    let c = client(&server.uri(), 1);
    let list = c
        .list_payments(&ListPaymentsRequest {
            page: Some(0),
            size: Some(35),
            ..Default::default()
        })
        .await
        .expect("reads");
    let balance = list
        .meta
        .urgent_data
        .and_then(|u| u.amount)
        .expect("amount");
    assert_eq!(balance.minor, 997_134, "9971.34 is 997134 kopecks");
    assert_eq!(list.data[0].total.map(|t| t.minor), Some(803));
    assert_eq!(mserver::parse_rub("9971.34").expect("exact").minor, 997_134);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/9"))
        .respond_with(payment(9, "completed", json!({"total": 8.031})))
        .mount(&server)
        .await;
    let e = client(&server.uri(), 1)
        .get_payment(&GetPaymentRequest { id: 9 })
        .await
        .expect_err("never rounded");
    assert!(e.to_string().contains("8.031"), "{e}");
}

#[tokio::test]
async fn the_history_streams_over_pages_with_its_filters() {
    let server = MockServer::start().await;
    let items = |ids: &[u64]| -> Value {
        ids.iter()
            .map(|id| {
                json!({"id": id, "client_payment_id": "x", "amount": 1, "status": "completed", "type": "out"})
            })
            .collect()
    };
    for (page, ids) in [("0", vec![1, 2]), ("1", vec![3])] {
        Mock::given(method("GET"))
            .and(path("/payments"))
            .and(query_param("page", page))
            .and(query_param("size", "2"))
            .and(query_param("type", "out,p2p"))
            .and(query_param("status", "completed,declined"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"meta": {"code": 200}, "data": items(&ids)})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server.uri(), 1);
    let filter = ListPaymentsRequest {
        page: None,
        size: Some(2),
        types: vec![PaymentType::Out, PaymentType::P2p],
        statuses: vec![PaymentStatus::Completed, PaymentStatus::Declined],
    };
    let all: Vec<mserver::Payment> = c.payments(filter).try_collect().await.expect("pages");
    let ids: Vec<u64> = all.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    server.verify().await;
}

/// Mounts the two-phase flow: create-payment answers 25778 (total 103), pay answers
/// `paid`, get-payment answers `then` in turn.
async fn flow(paid: ResponseTemplate, then: Vec<ResponseTemplate>, pays: u64) -> MockServer {
    let server = MockServer::start().await;
    let f = Fixture::load(PROVIDER, "create-payment", "ok_inout");
    f.mock().mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/payments/25778/pay"))
        .respond_with(paid)
        .expect(pays)
        .mount(&server)
        .await;
    let n = then.len();
    for (i, t) in then.into_iter().enumerate() {
        let m = Mock::given(method("GET")).and(path("/payments/25778"));
        let m = if i + 1 < n {
            m.respond_with(t).up_to_n_times(1)
        } else {
            m.respond_with(t)
        };
        m.with_priority(u8::try_from(i + 1).expect("few"))
            .mount(&server)
            .await;
    }
    server
}

fn inout_request() -> CreatePaymentRequest {
    CreatePaymentRequest::new(PaymentType::Inout, rub("100"))
        .with_id(ClientPaymentId::parse("021c6d23-7508-4e35-ad92-852308a47689").expect("uuid"))
        .service(834, [("phoneNumber", "9267101283")])
}

#[tokio::test]
async fn the_two_phase_flow_shows_the_total_pays_and_follows_until_declined() {
    let server = flow(
        payment(25778, "processing", json!({})),
        vec![
            payment(25778, "processing", json!({})),
            payment(25778, "declined", json!({"decline_reason": "invalid_data"})),
        ],
        1,
    )
    .await;
    let mut shown = None;
    let out = client(&server.uri(), 1)
        .pay_and_follow(
            &inout_request(),
            |created| {
                shown = created.data.total;
                assert_eq!(mserver::next_action(created), Some(NextAction::Pay));
                true
            },
            Duration::from_millis(5),
            Duration::from_secs(5),
        )
        .await
        .expect("followed");
    assert_eq!(shown.map(|t| t.minor), Some(10_300), "the user saw 103.00");
    let TwoPhase::Followed(Settled::Final(last)) = out else {
        panic!("expected a final status: {out:?}");
    };
    assert_eq!(
        last.data.outcome(),
        PaymentOutcome::Declined(Some(DeclineReason::InvalidData))
    );
    let gets = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(gets, 2);
    server.verify().await;
}

#[tokio::test]
async fn the_two_phase_flow_surfaces_the_card_page_and_pays_nothing_unaccepted() {
    let url = "https://pay.example/endpoint?cf=25778";
    let paid = payment(
        25778,
        "processing",
        json!({"card": {"state": "pending", "payment_page_url": url}}),
    );
    let server = flow(paid, vec![], 1).await;
    let out = client(&server.uri(), 1)
        .pay_and_follow(
            &inout_request(),
            |_| true,
            Duration::from_millis(5),
            Duration::from_secs(1),
        )
        .await
        .expect("paid");
    assert!(
        matches!(&out, TwoPhase::Redirect { url: u, .. } if u == url),
        "{out:?}"
    );
    server.verify().await;

    let server = flow(payment(25778, "processing", json!({})), vec![], 0).await;
    let out = client(&server.uri(), 1)
        .pay_and_follow(
            &inout_request(),
            |_| false,
            Duration::from_millis(5),
            Duration::from_secs(1),
        )
        .await
        .expect("created only");
    assert!(matches!(out, TwoPhase::NotAccepted(_)), "{out:?}");
    server.verify().await;
}

#[tokio::test(flavor = "current_thread")]
async fn an_anonymous_payment_sends_the_application_token_and_logs_no_secret() {
    let capture = kassa_testkit::logs::Capture::start();
    let f = Fixture::load(PROVIDER, "create-payment", "ok_anonymous");
    let server = MockServer::start().await;
    f.mock().mount(&server).await;
    app_token_mock("test-app-token").mount(&server).await;
    let c = app_client(&server.uri(), &server.uri(), CLIENT_SECRET);
    let req = CreatePaymentRequest::new(PaymentType::Inout, rub("100"))
        .with_id(ClientPaymentId::parse("021c6d23-7508-4e35-ad92-852308a47689").expect("uuid"))
        .service(834, [("phoneNumber", "9267101283")]);
    let created = c.create_payment(&req).await.expect("created");
    assert_eq!(created.data.id, 25778);
    server.verify().await;
    assert!(!format!("{c:?}").contains(CLIENT_SECRET));
    capture.assert_free_of(&[CLIENT_SECRET, "test-app-token"]);
}
