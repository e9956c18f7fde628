//! Cards, invoices and templates: the calls that may move money or bind a card are never
//! resent; templates refuse non-bearer clients before sending.

mod common;

use std::time::Duration;

use common::*;
use kassa_core::{Error, RetryPolicy, Sent, Timeouts};
use mserver::{CreateCardRequest, InvoiceRequest, TemplateRequest};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn retry(n: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: n,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        ..RetryPolicy::default()
    }
}

fn card() -> CreateCardRequest {
    CreateCardRequest {
        card_success_url: "http://ya.ru".into(),
        card_failure_url: "http://google.com".into(),
    }
}

fn invoice() -> InvoiceRequest {
    InvoiceRequest {
        id: "5422dd02b7f47b52010041a9".into(),
    }
}

const PAY: &str = "/invoices/5422dd02b7f47b52010041a9/pay";

/// A server answering `t` to `m p`, expecting exactly one request; a client allowed three
/// attempts and the given per-attempt timeout.
async fn once(
    m: &str,
    p: &str,
    t: ResponseTemplate,
    attempt: Option<Duration>,
) -> (MockServer, mserver::Client) {
    let server = MockServer::start().await;
    Mock::given(method(m))
        .and(path(p))
        .respond_with(t)
        .expect(1)
        .mount(&server)
        .await;
    let timeouts = match attempt {
        Some(d) => Timeouts::none().attempt(d),
        None => Timeouts::none(),
    };
    let client = wallet_client_with(&server.uri(), quiet_transport(), timeouts, retry(3));
    (server, client)
}

fn reconcile_of(e: &Error) -> String {
    let o = e
        .outcome_unknown()
        .unwrap_or_else(|| panic!("outcome-unknown: {e:?}"));
    o.reconcile
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_timeout_on_pay_invoice_is_outcome_unknown_after_one_request() {
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(5));
    let (server, client) = once("POST", PAY, slow, Some(Duration::from_millis(200))).await;
    let e = client.pay_invoice(&invoice()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    let r = reconcile_of(&e);
    assert!(
        r.contains("list-invoices") && r.contains("5422dd02b7f47b52010041a9"),
        "{r}"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_timeout_on_create_card_is_outcome_unknown_after_one_request() {
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(5));
    let (server, client) = once("POST", "/cards", slow, Some(Duration::from_millis(200))).await;
    let e = client.create_card(&card()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    assert!(reconcile_of(&e).contains("list-cards"), "{e}");
    server.verify().await;
}

#[tokio::test]
async fn a_5xx_on_pay_invoice_and_create_card_is_sent_once() {
    let (server, client) = once("POST", PAY, ResponseTemplate::new(503), None).await;
    let e = client.pay_invoice(&invoice()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
    let (server, client) = once("POST", "/cards", ResponseTemplate::new(502), None).await;
    let e = client.create_card(&card()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_401_with_a_code_is_a_credentials_refusal_sent_once() {
    let body = json!({"meta": {"code": 401, "error": "wallet_disabled"}});
    let t = ResponseTemplate::new(401).set_body_json(body.clone());
    let (server, client) = once("POST", PAY, t, None).await;
    let e = client.pay_invoice(&invoice()).await.unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert!(!e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
    let t = ResponseTemplate::new(401).set_body_json(body);
    let (server, client) = once("POST", "/cards", t, None).await;
    let e = client.create_card(&card()).await.unwrap_err();
    assert!(e.is_auth() && !e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn an_unknown_code_on_pay_invoice_is_outcome_unknown_sent_once() {
    let t = ResponseTemplate::new(409)
        .set_body_json(json!({"meta": {"code": 409, "error": "brand_new_code"}}));
    let (server, client) = once("POST", PAY, t, None).await;
    let e = client.pay_invoice(&invoice()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    assert_eq!(
        mserver::code_of(&e).map(mserver::Code::raw),
        Some("brand_new_code")
    );
    server.verify().await;
}

fn paid(status: &str) -> serde_json::Value {
    json!({"meta": {"code": 200}, "data": {"meta": {"code": 200, "next_action": "pay"},
        "data": {"id": 1401089242256u64, "amount": 300, "total": 300, "status": status, "type": "p2p"}}})
}

#[tokio::test]
async fn an_unknown_payment_status_in_pay_invoice_is_outcome_unknown() {
    let t = ResponseTemplate::new(200).set_body_json(paid("settled_maybe"));
    let (server, client) = once("POST", PAY, t, None).await;
    let e = client.pay_invoice(&invoice()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    assert!(reconcile_of(&e).contains("list-invoices"), "{e}");
    server.verify().await;
    let t = ResponseTemplate::new(200).set_body_json(paid("completed"));
    let (server, client) = once("POST", PAY, t, None).await;
    let ok = client
        .pay_invoice(&invoice())
        .await
        .expect("a known status reads");
    assert_eq!(ok.data.data.amount.minor, 30000);
    assert_eq!(ok.data.meta.next_action.as_deref(), Some("pay"));
    server.verify().await;
}

#[tokio::test]
async fn an_error_inside_the_nested_envelope_is_not_a_success() {
    let body = json!({"meta": {"code": 200}, "data": {"meta": {"code": 422, "error": "brand_new_code",
        "error_message": "insufficient funds"}}});
    let (server, client) = once(
        "POST",
        PAY,
        ResponseTemplate::new(200).set_body_json(body),
        None,
    )
    .await;
    let e = client.pay_invoice(&invoice()).await.unwrap_err();
    assert!(
        e.may_have_taken_effect(),
        "an unknown code on a once call: {e:?}"
    );
    assert_eq!(
        mserver::code_of(&e).map(mserver::Code::raw),
        Some("brand_new_code")
    );
    server.verify().await;
}

#[tokio::test]
async fn an_unknown_card_state_is_kept() {
    let body = json!({"meta": {"code": 200}, "data": {"id": 62, "state": "frozen", "title": "5417150000002399"}});
    let (server, client) = once(
        "GET",
        "/cards/62",
        ResponseTemplate::new(200).set_body_json(body),
        None,
    )
    .await;
    let c = client
        .get_card(&mserver::CardRequest { id: 62 })
        .await
        .expect("reads");
    assert_eq!(c.data.state, mserver::CardState::Unknown("frozen".into()));
    let title = c.data.title.expect("a title");
    assert_eq!(
        title.as_str(),
        "541715******2399",
        "a full number is masked on reading"
    );
    assert!(!format!("{title:?}").contains("5417150000002399"));
    server.verify().await;
}

#[tokio::test]
async fn template_calls_with_a_wallet_or_application_client_send_nothing() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().expect(0).mount(&server).await;
    let wallet = wallet_client(&server.uri());
    let e = wallet
        .get_template(&TemplateRequest {
            id: "5422dd02b7f47b52010041a9".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("credentials"), "{e}");
    assert!(e.to_string().contains("bearer"), "{e}");
    assert_eq!(e.was_sent(), Sent::No);
    let e = wallet
        .delete_template(&TemplateRequest { id: "x".into() })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("credentials"));
    let app = app_client(&server.uri(), &server.uri(), CLIENT_SECRET);
    let e = app
        .list_templates(&mserver::ListTemplatesRequest::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("application token"), "{e}");
    server.verify().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().expect(0).mount(&server).await;
    let client = wallet_client(&server.uri());
    let e = client
        .create_card(&CreateCardRequest {
            card_success_url: "ya.ru".into(),
            ..card()
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("card_success_url"));
    let e = client
        .pay_invoice(&InvoiceRequest {
            id: "../wallet".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("id"));
    let e = client
        .create_invoice(&mserver::CreateInvoiceRequest {
            payer: "89261111111".into(),
            amount: mserver::Money::new(100, mserver::Currency::RUB),
            message: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("payer"));
    let e = client
        .create_invoice(&mserver::CreateInvoiceRequest {
            payer: "+79261111111".into(),
            amount: mserver::Money::new(0, mserver::Currency::RUB),
            message: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("amount"));
    let e = client
        .list_cards(&mserver::ListCardsRequest {
            state: vec![mserver::CardState::Unknown("a,b".into())],
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("state"));
    server.verify().await;
}

#[test]
fn amounts_are_exact_and_sent_as_the_document_writes_them() {
    let r: mserver::CreateInvoiceRequest =
        serde_json::from_str(r#"{"payer": "+79261111111", "amount": 9971.34}"#).expect("reads");
    assert_eq!(r.amount.minor, 997134);
    assert!(
        serde_json::to_string(&r)
            .expect("writes")
            .contains(r#""amount":9971.34"#)
    );
    let e = serde_json::from_str::<mserver::CreateInvoiceRequest>(
        r#"{"payer": "+79261111111", "amount": 0.001}"#,
    );
    assert!(e.is_err(), "more than kopecks is an error, not a rounding");
    let i: mserver::Invoice = serde_json::from_str(
        r#"{"_id": "a", "payer": "+1", "amount": 0.5, "recipient": "+2", "status": "refunded"}"#,
    )
    .expect("reads");
    assert_eq!(i.amount.minor, 50);
    assert_eq!(
        i.status,
        Some(mserver::InvoiceStatus::Unknown("refunded".into()))
    );
}
