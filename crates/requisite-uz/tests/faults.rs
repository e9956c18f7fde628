//! Timeouts, 5xx, cut connections, HTML and truncated bodies, refused credentials, and
//! secrecy of the password and the card number.

mod common;

use std::time::Duration;

use common::{BASIC, PASSWORD, PROVIDER, USERNAME, client, quiet_transport};
use kassa_core::{Error, Sent, Timeouts};
use kassa_testkit::{Fixture, faults};
use requisite_uz::{
    Client, PaymentBudgetRequest, PaymentRequest, ServiceId, StatementRequest, wire,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn payment(case: &str) -> PaymentRequest {
    let f = Fixture::load(PROVIDER, "payment", case);
    wire::from_json(&f.request.json.map(|j| j.to_string()).unwrap_or_default()).expect("payment")
}

fn budget(case: &str) -> PaymentBudgetRequest {
    let f = Fixture::load(PROVIDER, "payment-budget", case);
    wire::from_json(&f.request.json.map(|j| j.to_string()).unwrap_or_default()).expect("budget")
}

#[tokio::test(start_paused = true)]
async fn a_cut_connection_on_payment_is_outcome_unknown_and_not_resent() {
    let cut = faults::CutServer::start().await;
    let err = client(&cut.uri())
        .payment(&payment("ok"))
        .await
        .expect_err("cut");
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert!(
        err.to_string()
            .contains("payment-status with orderId=009445151277"),
        "{err}"
    );
    cut.wait_for_requests(1).await;
    assert_eq!(
        cut.connections(),
        1,
        "a payment is never resent after it may have left"
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_and_says_nothing_was_sent() {
    let uri = faults::closed_port().await;
    let err = client(&uri)
        .payment(&payment("ok"))
        .await
        .expect_err("nobody listens");
    assert_eq!(err.was_sent(), Sent::No);
    assert!(!err.may_have_taken_effect());
    assert!(err.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn a_5xx_html_page_on_payment_is_outcome_unknown_after_one_request() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "POST",
        "/api/v2/paymentBudget",
        vec![faults::raw_body(
            502,
            "text/html",
            "<html><body>502 Bad Gateway</body></html>",
        )],
    )
    .await;
    let err = client(&server.uri())
        .payment_budget(&budget("ok"))
        .await
        .expect_err("502");
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(unknown.operation, "payment-budget");
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("payment-status with orderId=1000001")
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_200_on_payment_is_outcome_unknown() {
    for body in [
        "<html>maintenance</html>",
        r#"{"status":"success","code":0,"data":{"payment_status":"Введен""#,
    ] {
        let server = MockServer::start().await;
        faults::sequence(
            &server,
            "POST",
            "/api/v2/payment",
            vec![faults::json_body(200, body)],
        )
        .await;
        let err = client(&server.uri())
            .payment(&payment("ok"))
            .await
            .expect_err(body);
        assert!(err.outcome_unknown().is_some(), "{body}: {err:?}");
        server.verify().await;
    }
}

#[tokio::test(start_paused = true)]
async fn reads_are_retried_on_503_and_succeed() {
    let server = MockServer::start().await;
    let ok = Fixture::load(PROVIDER, "balance", "ok");
    faults::status_sequence(
        &server,
        "GET",
        "/api/v2/account/2/balance",
        &[503, 503],
        ok.response_template(),
    )
    .await;
    let balance = client(&server.uri())
        .balance(ServiceId(2))
        .await
        .expect("third attempt");
    assert_eq!(balance.balance.minor, 1100);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn unreadable_reads_are_decode_errors_with_the_path() {
    let server = MockServer::start().await;
    let body = r#"{"status":"success","data":[{"id":1,"docDate":"01.02.2023 16:32","paymentDate":"2023-02-01 00:00:00","type":"Приход","amount":400,"status":"Проведен"}]}"#;
    faults::sequence(
        &server,
        "POST",
        "/api/v2/account/payments",
        vec![faults::json_body(200, body)],
    )
    .await;
    let req = StatementRequest::new(
        ServiceId(27),
        time::macros::date!(2023 - 01 - 01),
        time::macros::date!(2023 - 02 - 21),
    );
    let err = client(&server.uri())
        .statement(&req)
        .await
        .expect_err("bad date");
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "data[0].docDate"),
        other => panic!("{other:?}"),
    }
    assert!(!err.may_have_taken_effect());
    server.verify().await;
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/services"))
        .respond_with(ResponseTemplate::new(401).set_body_string("Unauthorized"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri()).services().await.expect_err("401");
    assert!(err.is_auth(), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(PASSWORD) && !shown.contains(&BASIC[6..]),
        "{shown}"
    );
    server.verify().await;
}

#[tokio::test]
async fn no_password_or_card_number_reaches_debug_errors_or_traces() {
    let capture = kassa_testkit::logs::Capture::start();
    let server = MockServer::start().await;
    kassa_testkit::mount_on(
        &server,
        &Fixture::load(PROVIDER, "payment", "code_1111_system_error"),
    )
    .await;
    kassa_testkit::mount_on(
        &server,
        &Fixture::load(PROVIDER, "payment-status", "code_1008_not_found"),
    )
    .await;
    let client = Client::builder(server.uri())
        .credentials(USERNAME, PASSWORD)
        .transport(quiet_transport())
        .timeouts(Timeouts::default().attempt(Duration::from_secs(20)))
        .build()
        .expect("client");
    let req = payment("code_1111_system_error");
    let err = client.payment(&req).await.expect_err("1111");
    let err2 = client
        .payment_status("009445151299")
        .await
        .expect_err("1008");
    let builder = Client::builder("http://127.0.0.1:1").credentials(USERNAME, PASSWORD);
    let shown = format!(
        "{err} {err:?} {err2} {err2:?} {client:?} {req:?} {builder:?} {:?}",
        std::error::Error::source(&err)
    );
    let card = "9860531554896678";
    for secret in [PASSWORD, &BASIC[6..], card] {
        assert!(!shown.contains(secret), "a secret leaked: {shown}");
    }
    assert!(
        shown.contains("986053******6678"),
        "the card is shown masked: {shown}"
    );
    capture.assert_free_of(&[PASSWORD, &BASIC[6..], card]);
    let logs = capture.text();
    assert!(
        logs.contains("requisite-uz") && logs.contains("payment"),
        "{logs}"
    );
    server.verify().await;
}

const CODE_1111: &str =
    r#"{"status":"error","code":1111,"message":"Системная ошибка","data":null}"#;

#[tokio::test(start_paused = true)]
async fn a_read_answered_1111_is_asked_again_like_a_503() {
    let server = MockServer::start().await;
    let ok = Fixture::load(PROVIDER, "balance", "ok");
    faults::sequence(
        &server,
        "GET",
        "/api/v2/account/2/balance",
        vec![faults::json_body(200, CODE_1111), ok.response_template()],
    )
    .await;
    let balance = client(&server.uri())
        .balance(&requisite_uz::BalanceRequest {
            service_id: ServiceId(2),
        })
        .await
        .expect("the second answer");
    assert_eq!(balance.balance.minor, 1100);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_payment_answered_1111_is_not_resent() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "POST",
        "/api/v2/payment",
        vec![faults::json_body(200, CODE_1111)],
    )
    .await;
    kassa_testkit::catch_all().mount(&server).await;
    let err = client(&server.uri())
        .payment(&payment("ok"))
        .await
        .expect_err("1111");
    assert!(err.outcome_unknown().is_some(), "{err:?}");
    assert_eq!(
        requisite_uz::code_of(&err),
        Some(&requisite_uz::Code::SystemError)
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    server.verify().await;
}
