//! Fault tests: timeouts, 5xx, cut connections, unreadable bodies, re-authentication,
//! checks before sending, and secrecy of the password and the token. Time-dependent tests
//! run on tokio's paused clock.

mod common;

use std::time::Duration;

use common::{InMemoryLogin, client, client_with, quiet_transport, received_on};
use kassa_core::secret::SecretString;
use kassa_core::{Error, RetryPolicy, Sent, Timeouts};
use kassa_testkit::{Fixture, faults};
use mobilnik::{
    CheckPaymentRequest, CheckRequisiteRequest, Client, Code, DeviceId, PaymentRequest,
    PaymentStatus, StatusCode, TransferRequest, code_of, som, status_code_of,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const PROVIDER: &str = "mobilnik";

fn pay_request() -> PaymentRequest {
    PaymentRequest::new(1, "0555123456", som("150.50").expect("amount"))
}

fn transfer() -> TransferRequest {
    TransferRequest::new(
        2,
        "0555765432",
        som("200").expect("amount"),
        "test transfer",
    )
}

fn login_body(token: &str) -> String {
    format!(
        r#"{{"account": 1234567, "name": " ", "token": "{token}", "status_code": 0, "balance": 1043}}"#
    )
}

/// Answers too late and reports each arrival (from wiremock's own thread).
struct SlowAndSignal(std::sync::mpsc::Sender<()>);

impl Respond for SlowAndSignal {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let _ = self.0.send(());
        ResponseTemplate::new(200)
            .set_body_string(r#"{"status_code": 0, "balance": 892.5, "operation_id": 1}"#)
            .set_delay(Duration::from_secs(3))
    }
}

/// Mounts authenticate/ok and a route that answers too late on a fresh server, and starts
/// a gate that returns once the route's request has arrived (false after 30 s real time).
///
/// Paused-clock caveat: the clock auto-advances as soon as the runtime waits on I/O, so
/// the client's 1 s timeout could fire before its request reached the server. Tokio does
/// not auto-advance while a `spawn_blocking` task runs, so the gate holds the clock still
/// until the server has the request; then the timeout fires deterministically.
async fn slow_route(route: &str) -> (MockServer, tokio::task::JoinHandle<bool>) {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    let (tx, rx) = std::sync::mpsc::channel();
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(SlowAndSignal(tx))
        .expect(1)
        .mount(&server)
        .await;
    let gate =
        tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)).is_ok());
    (server, gate)
}

fn assert_payment_unknown(err: &Error, operation: &str) {
    let unknown = err
        .outcome_unknown()
        .unwrap_or_else(|| panic!("outcome unknown: {err:?}"));
    assert_eq!(unknown.operation, operation);
    assert_eq!(unknown.key, None, "mobilnik takes no idempotency key");
    assert!(unknown.reconcile.is_none(), "no status call can find it");
    let advice = unknown.advice.expect("advice");
    assert!(advice.contains("no way to look a"), "{advice}");
    assert!(advice.contains("check the wallet balance"), "{advice}");
    assert!(err.may_have_taken_effect());
    assert!(!err.is_retryable());
    assert_eq!(err.was_sent(), Sent::Maybe);
}

fn one_second_client(uri: &str) -> Client {
    client_with(
        uri,
        quiet_transport(),
        Timeouts::none().attempt(Duration::from_secs(1)),
        RetryPolicy::default(),
    )
}

#[tokio::test(start_paused = true)]
async fn a_payment_that_times_out_is_outcome_unknown_after_exactly_one_request() {
    let (server, arrived) = slow_route("/payment/").await;
    let client = one_second_client(&server.uri());
    let err = client.payment(&pay_request()).await.expect_err("times out");
    assert!(arrived.await.expect("gate"), "the server saw the payment");
    assert_payment_unknown(&err, "payment");
    assert!(err.to_string().contains("timed out after 1 s"), "{err}");
    assert_eq!(
        received_on(&server, "/payment/").await.len(),
        1,
        "never resent"
    );
    assert_eq!(received_on(&server, "/authentication/").await.len(), 1);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_transfer_that_times_out_is_outcome_unknown_after_exactly_one_request() {
    let (server, arrived) = slow_route("/transfer_request/").await;
    let client = one_second_client(&server.uri());
    let err = client
        .transfer_request(&transfer())
        .await
        .expect_err("times out");
    assert!(arrived.await.expect("gate"), "the server saw the transfer");
    assert_payment_unknown(&err, "transfer-request");
    assert_eq!(
        received_on(&server, "/transfer_request/").await.len(),
        1,
        "never resent"
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn code_27_then_success_authenticates_twice_and_pays_twice() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "GET",
        "/authentication/",
        vec![
            faults::json_body(200, &login_body("token-1")),
            faults::json_body(200, &login_body("token-2")),
        ],
    )
    .await;
    Mock::given(path("/payment/"))
        .and(query_param("token", "token-1"))
        .respond_with(faults::json_body(
            200,
            r#"{"status_code": 27, "message": "USER_NOT_AUTHORIZED"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/payment/"))
        .and(query_param("token", "token-2"))
        .respond_with(faults::json_body(
            200,
            r#"{"status_code": 0, "balance": 892.5, "operation_id": 987654321}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let paid = client
        .payment(&pay_request())
        .await
        .expect("paid after re-authenticating");
    assert_eq!(paid.operation_id.0, 987_654_321);
    assert_eq!(received_on(&server, "/authentication/").await.len(), 2);
    assert_eq!(received_on(&server, "/payment/").await.len(), 2);
    assert_eq!(client.authentications(), 2);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn code_27_twice_is_an_auth_error_after_one_repeat() {
    let server = MockServer::start().await;
    Mock::given(path("/authentication/"))
        .respond_with(faults::json_body(200, &login_body("t")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/check_payment/"))
        .respond_with(faults::json_body(200, r#"{"status_code": 27}"#))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .check_payment(&CheckPaymentRequest::new(1))
        .await
        .expect_err("refused twice");
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(
        err.code::<StatusCode>(),
        Some(&StatusCode::UserNotAuthorized)
    );
    assert_eq!(
        err.rejection().map(|r| r.message.as_str()),
        Some("USER_NOT_AUTHORIZED"),
        "the code's name stands in for a missing message"
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_refused_re_authentication_does_not_repeat_the_payment() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "GET",
        "/authentication/",
        vec![
            faults::json_body(200, &login_body("t")),
            faults::json_body(200, r#"{"status_code": 9, "message": "USER_BLOCKED"}"#),
        ],
    )
    .await;
    Mock::given(path("/payment/"))
        .respond_with(faults::json_body(200, r#"{"status_code": 27}"#))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .payment(&pay_request())
        .await
        .expect_err("blocked");
    assert!(err.is_auth());
    assert_eq!(err.operation(), Some("authenticate"));
    assert_eq!(err.code::<StatusCode>(), Some(&StatusCode::UserBlocked));
    assert!(!err.may_have_taken_effect());
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_503_on_check_payment_is_retried() {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    faults::sequence(
        &server,
        "GET",
        "/check_payment/",
        vec![
            Fixture::load(PROVIDER, "check-payment", "http_503").response_template(),
            Fixture::load(PROVIDER, "check-payment", "processed").response_template(),
        ],
    )
    .await;
    let answer = client(&server.uri())
        .check_payment(&CheckPaymentRequest::new(987_654_321))
        .await
        .expect("second attempt answers");
    assert_eq!(answer.status_id, PaymentStatus::Processed);
    assert_eq!(received_on(&server, "/check_payment/").await.len(), 2);
    server.verify().await;
}

/// A read answered 200 with "temporarily" (12, 14) is asked again like a 503; a payment
/// answered the same is a refusal and is not resent.
#[tokio::test(start_paused = true)]
async fn a_temporarily_unavailable_read_is_retried_and_a_payment_is_not() {
    for (code, name) in [
        (12, "SERVICE_TEMPORARILY_SUSPENDED"),
        (14, "SERVICE_TEMPORARILY_UNAVAILABLE"),
    ] {
        let busy = format!(r#"{{"status_code": {code}, "message": "{name}"}}"#);
        let server = MockServer::start().await;
        kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
        faults::sequence(
            &server,
            "GET",
            "/check_requisite/",
            vec![
                faults::json_body(200, &busy),
                Fixture::load(PROVIDER, "check-requisite", "ok").response_template(),
            ],
        )
        .await;
        let who = client(&server.uri())
            .check_requisite(&CheckRequisiteRequest::new(1, "0555123456"))
            .await
            .expect("the second attempt answers");
        assert_eq!(who.customer_name, "Асанов Асан");
        assert_eq!(received_on(&server, "/check_requisite/").await.len(), 2);
        server.verify().await;

        let server = MockServer::start().await;
        kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
        Mock::given(path("/payment/"))
            .respond_with(faults::json_body(200, &busy))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server.uri())
            .payment(&pay_request())
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::Rejected(_)), "{err:?}");
        assert!(!err.may_have_taken_effect());
        assert_eq!(code_of(&err).and_then(Code::number), Some(code));
        assert_eq!(
            received_on(&server, "/payment/").await.len(),
            1,
            "not resent"
        );
        server.verify().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_503_on_a_payment_is_outcome_unknown_and_not_resent() {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    faults::status_sequence(&server, "GET", "/payment/", &[], ResponseTemplate::new(503)).await;
    let err = client(&server.uri())
        .payment(&pay_request())
        .await
        .expect_err("503");
    assert_payment_unknown(&err, "payment");
    assert_eq!(received_on(&server, "/payment/").await.len(), 1);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_payment_whose_connection_is_cut_is_outcome_unknown_and_not_resent() {
    let cut = faults::CutServer::start().await;
    let transport = InMemoryLogin::new(&cut.uri());
    let client = client_with(
        &cut.uri(),
        transport.clone(),
        Timeouts::none(),
        RetryPolicy::default(),
    );
    let err = client.payment(&pay_request()).await.expect_err("cut");
    assert_payment_unknown(&err, "payment");
    cut.wait_for_requests(1).await;
    assert_eq!(cut.connections(), 1);
    assert_eq!(transport.sends(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_check_payment_whose_connection_is_cut_is_retried() {
    let cut = faults::CutServer::start().await;
    let transport = InMemoryLogin::new(&cut.uri());
    let client = client_with(
        &cut.uri(),
        transport.clone(),
        Timeouts::none(),
        RetryPolicy::default(),
    );
    let err = client
        .check_payment(&CheckPaymentRequest::new(1))
        .await
        .expect_err("cut every time");
    assert!(
        matches!(
            err,
            Error::Transport {
                sent: Sent::Maybe,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.may_have_taken_effect());
    cut.wait_for_requests(3).await;
    assert_eq!(transport.sends(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_payment_to_a_closed_port_is_retried_and_nothing_was_sent() {
    let closed = faults::closed_port().await;
    let transport = InMemoryLogin::new(&closed);
    let client = client_with(
        &closed,
        transport.clone(),
        Timeouts::none(),
        RetryPolicy::default(),
    );
    let err = client.payment(&pay_request()).await.expect_err("refused");
    assert!(
        matches!(err, Error::Transport { sent: Sent::No, .. }),
        "{err:?}"
    );
    assert!(!err.may_have_taken_effect());
    assert_eq!(
        transport.sends(),
        3,
        "it never left, so it may be tried again"
    );
}

#[tokio::test(start_paused = true)]
async fn an_html_page_answering_a_payment_is_outcome_unknown() {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    faults::sequence(
        &server,
        "GET",
        "/payment/",
        vec![faults::raw_body(
            200,
            "text/html",
            "<html><body>Gateway</body></html>",
        )],
    )
    .await;
    let err = client(&server.uri())
        .payment(&pay_request())
        .await
        .expect_err("unreadable");
    assert_payment_unknown(&err, "payment");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn an_html_page_answering_a_read_is_a_decode_error() {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    faults::sequence(
        &server,
        "GET",
        "/service_list/",
        vec![faults::raw_body(
            200,
            "text/html",
            "<html>maintenance</html>",
        )],
    )
    .await;
    let err = client(&server.uri())
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect_err("unreadable");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("<html>maintenance"), "{err}");
    server.verify().await;
}

async fn answer_with(path_: &str, body: &str) -> MockServer {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    faults::sequence(&server, "GET", path_, vec![faults::json_body(200, body)]).await;
    server
}

#[tokio::test(start_paused = true)]
async fn an_unknown_code_is_never_success() {
    let server = answer_with("/service_list/", r#"{"status_code": 42, "services": []}"#).await;
    let err = client(&server.uri())
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect_err("unknown code");
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(
        err.code::<StatusCode>(),
        Some(&StatusCode::Unknown("42".into()))
    );
    server.verify().await;

    let server = answer_with(
        "/transfer_request/",
        r#"{"status_code": "E5", "message": "?"}"#,
    )
    .await;
    let err = client(&server.uri())
        .transfer_request(&transfer())
        .await
        .expect_err("unknown code");
    assert_payment_unknown(&err, "transfer-request");
    assert_eq!(
        status_code_of(&err),
        Some(&StatusCode::Unknown("E5".into()))
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_transfer_answer_without_status_code_is_outcome_unknown() {
    let server = answer_with("/transfer_request/", r#"{"message": "accepted"}"#).await;
    let err = client(&server.uri())
        .transfer_request(&transfer())
        .await
        .expect_err("no code");
    assert_payment_unknown(&err, "transfer-request");
    assert!(err.to_string().contains("status_code"), "{err}");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn codes_and_ids_written_as_strings_are_read() {
    let server = answer_with(
        "/payment/",
        r#"{"status_code": "0", "balance": "892.50", "operation_id": "987654321"}"#,
    )
    .await;
    let paid = client(&server.uri())
        .payment(&pay_request())
        .await
        .expect("paid");
    assert_eq!(paid.balance.minor, 89_250);
    assert_eq!(paid.operation_id.0, 987_654_321);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_balance_with_more_than_two_decimals_is_not_rounded() {
    let server = answer_with(
        "/payment/",
        r#"{"status_code": 0, "balance": 892.4999999999, "operation_id": 5}"#,
    )
    .await;
    let err = client(&server.uri())
        .payment(&pay_request())
        .await
        .expect_err("inexact");
    assert_payment_unknown(&err, "payment");
    assert!(err.to_string().contains("balance"), "{err}");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_4xx_that_carries_a_code_is_a_refusal() {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    faults::sequence(
        &server,
        "GET",
        "/check_requisite/",
        vec![faults::json_body(404, r#"{"status_code": 13}"#)],
    )
    .await;
    let err = client(&server.uri())
        .check_requisite(&CheckRequisiteRequest::new(1, "0555123456"))
        .await
        .expect_err("not found");
    assert_eq!(
        err.code::<StatusCode>(),
        Some(&StatusCode::RequisiteNotFound)
    );
    assert_eq!(err.rejection().and_then(|r| r.http_status), Some(404));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn bad_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let client = client(&server.uri());
    let usd = kassa_core::Money::new(100, kassa_core::Currency::USD);
    let cases: Vec<(&str, Result<(), Error>)> = vec![
        (
            "requisite",
            client
                .check_requisite(&CheckRequisiteRequest::new(1, "  "))
                .await
                .map(drop),
        ),
        (
            "service_id",
            client
                .check_requisite(&CheckRequisiteRequest::new(0, "0555123456"))
                .await
                .map(drop),
        ),
        (
            "requisite",
            client
                .payment(&PaymentRequest::new(1, "", som("1").expect("amount")))
                .await
                .map(drop),
        ),
        (
            "amount",
            client
                .payment(&PaymentRequest::new(
                    1,
                    "0555123456",
                    som("0").expect("amount"),
                ))
                .await
                .map(drop),
        ),
        (
            "amount",
            client
                .payment(&PaymentRequest::new(
                    1,
                    "0555123456",
                    som("-5").expect("amount"),
                ))
                .await
                .map(drop),
        ),
        (
            "amount",
            client
                .payment(&PaymentRequest::new(1, "0555123456", usd))
                .await
                .map(drop),
        ),
        (
            "service_id",
            client
                .payment(&PaymentRequest::new(
                    0,
                    "0555123456",
                    som("1").expect("amount"),
                ))
                .await
                .map(drop),
        ),
        (
            "customer_id",
            client
                .transfer_request(&TransferRequest::new(2, " ", som("1").expect("amount"), ""))
                .await
                .map(drop),
        ),
        (
            "amount",
            client
                .transfer_request(&TransferRequest::new(
                    2,
                    "0555765432",
                    som("0.00").expect("amount"),
                    "",
                ))
                .await
                .map(drop),
        ),
        ("amount", som("150.505").map(drop)),
        ("amount", som("1,5").map(drop)),
    ];
    for (field, result) in cases {
        let err = result.expect_err(field);
        assert_eq!(err.field(), Some(field), "{err}");
        assert_eq!(err.was_sent(), Sent::No);
    }
    assert_eq!(client.authentications(), 0, "not even a login");
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
    server.verify().await;
}

#[tokio::test]
async fn builder_refuses_missing_credentials() {
    let field = |b: mobilnik::ClientBuilder| {
        b.build()
            .expect_err("incomplete")
            .field()
            .map(str::to_owned)
    };
    let full = || {
        Client::builder()
            .login("test")
            .password(SecretString::from("p".to_owned()))
            .device_id(DeviceId::derive("host"))
            .device_name("kassa")
    };
    assert!(full().build().is_ok());
    assert_eq!(field(Client::builder()), Some("login".into()));
    assert_eq!(field(full().login(" ")), Some("login".into()));
    assert_eq!(
        field(full().password(SecretString::from(String::new()))),
        Some("password".into())
    );
    assert_eq!(field(full().device_name("")), Some("device".into()));
    assert_eq!(field(full().base_url("ftp://x")), Some("base_url".into()));
    assert_eq!(
        field(
            Client::builder()
                .login("test")
                .password(SecretString::from("p".to_owned()))
                .device_name("kassa")
        ),
        Some("id".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_authentication() {
    let server = MockServer::start().await;
    Mock::given(path("/authentication/"))
        .respond_with(
            faults::json_body(200, &login_body("test-token")).set_delay(Duration::from_millis(50)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/service_list/"))
        .and(query_param("token", "test-token"))
        .respond_with(faults::json_body(
            200,
            r#"{"status_code": 0, "services": [], "categories": []}"#,
        ))
        .expect(20)
        .mount(&server)
        .await;
    let client = client_with(
        &server.uri(),
        quiet_transport(),
        Timeouts::default(),
        RetryPolicy::default(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let c = client.clone();
        tasks.spawn(async move { c.service_list(&mobilnik::ServiceListRequest {}).await });
    }
    while let Some(done) = tasks.join_next().await {
        assert!(done.expect("task").expect("listed").services.is_empty());
    }
    assert_eq!(client.authentications(), 1);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn authenticate_always_fetches_a_fresh_token_for_later_calls() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "GET",
        "/authentication/",
        vec![
            faults::json_body(200, &login_body("token-1")),
            faults::json_body(200, &login_body("token-2")),
        ],
    )
    .await;
    for token in ["token-1", "token-2"] {
        Mock::given(path("/service_list/"))
            .and(query_param("token", token))
            .respond_with(faults::json_body(200, r#"{"status_code": 0}"#))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server.uri());
    client
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("first token");
    let me = client
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("fresh login");
    assert_eq!(
        kassa_core::secret::ExposeSecret::expose_secret(&me.token),
        "token-2"
    );
    client
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("second token");
    assert_eq!(client.authentications(), 2);
    server.verify().await;
}

/// Current-thread runtime: the capture sees this thread's tracing output at TRACE.
#[tokio::test]
async fn neither_password_nor_token_reaches_urls_errors_debug_or_traces() {
    const PASSWORD: &str = "pa55-Secret-Q9";
    const TOKEN: &str = "tok-5ecret-7f3a9c";
    let capture = kassa_testkit::logs::Capture::start();
    let server = MockServer::start().await;
    Mock::given(path("/authentication/"))
        .and(query_param("password", PASSWORD))
        .respond_with(faults::json_body(200, &login_body(TOKEN)))
        .mount(&server)
        .await;
    // Answers that echo the token back, to errors that quote excerpts.
    Mock::given(path("/service_list/"))
        .and(query_param("token", TOKEN))
        .respond_with(faults::raw_body(
            200,
            "text/html",
            &format!("<html>?token={TOKEN}&password={PASSWORD}</html>"),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/payment/"))
        .and(query_param("token", TOKEN))
        .respond_with(faults::raw_body(
            503,
            "text/plain",
            &format!("token={TOKEN}"),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/check_requisite/"))
        .and(query_param("token", TOKEN))
        .respond_with(faults::json_body(
            200,
            &format!(r#"{{"status_code": 13, "message": "token={TOKEN} unknown"}}"#),
        ))
        .mount(&server)
        .await;

    let recorder = common::DebugRecorder::new();
    let make = |uri: &str| {
        Client::builder()
            .base_url(uri)
            .login("test")
            .password(SecretString::from(PASSWORD.to_owned()))
            .device_id(DeviceId::new("test-device-id").expect("id"))
            .device_name("kassa-test")
            .transport(recorder.clone())
            .timeouts(Timeouts::none())
            .retry(RetryPolicy::none())
            .build()
            .expect("client")
    };
    let client = make(&server.uri());
    let me = client
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("logs in");
    let mut shown = vec![
        format!("{client:?}"),
        format!("{me:?}"),
        serde_json::to_string(&me).expect("json"),
        format!(
            "{:?}",
            Client::builder().password(SecretString::from(PASSWORD.to_owned()))
        ),
    ];
    let errors = vec![
        client
            .service_list(&mobilnik::ServiceListRequest {})
            .await
            .expect_err("html"),
        client.payment(&pay_request()).await.expect_err("503"),
        client
            .check_requisite(&CheckRequisiteRequest::new(1, "0555123456"))
            .await
            .expect_err("13"),
        // A login to a closed port: the password is in the URL reqwest failed on.
        make(&faults::closed_port().await)
            .authenticate(&mobilnik::AuthenticateRequest {})
            .await
            .expect_err("closed"),
    ];
    for err in &errors {
        shown.push(format!("{err} {err:?}"));
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            shown.push(format!("{s} {s:?}"));
            source = s.source();
        }
        if let Some(o) = err.outcome_unknown() {
            shown.push(format!("{:?}", o.source));
        }
    }
    // Every request as the client built it: the secret query values print redacted.
    let requests = recorder.seen();
    assert_eq!(requests.len(), 5, "{requests:?}");
    assert!(
        requests[0].contains(r#"("password", [REDACTED])"#),
        "{}",
        requests[0]
    );
    assert!(
        requests[1].contains(r#"("token", [REDACTED])"#),
        "{}",
        requests[1]
    );
    shown.extend(requests);
    for text in &shown {
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
    assert!(
        matches!(errors[3], Error::Transport { sent: Sent::No, .. }),
        "{:?}",
        errors[3]
    );
    // The password and the token did reach the server, in the query.
    let auth = received_on(&server, "/authentication/").await;
    assert_eq!(
        common::query_of(&auth[0])
            .get("password")
            .map(String::as_str),
        Some(PASSWORD)
    );
    capture.assert_free_of(&[PASSWORD, TOKEN]);
    let logs = capture.text();
    assert!(
        logs.contains("kassa.call"),
        "the capture saw the calls: {logs}"
    );
    assert!(logs.contains("mobilnik"), "{logs}");
    assert!(logs.contains("payment"), "{logs}");
}
