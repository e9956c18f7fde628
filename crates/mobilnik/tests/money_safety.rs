//! payment and transfer-request are sent at most once unless the answer is the documented
//! token refusal (27), constants and unknown fields are handled as the document says, and
//! bad text never leaves the client.

mod common;

use common::client;
use kassa_core::Error;
use mobilnik::{
    CheckRequisiteRequest, PAYMENT_ADVICE, PaymentRequest, TRANSFER_ADVICE, TransferRequest, som,
    status_code_of,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

async fn mount_login(server: &MockServer, times: u64) {
    Mock::given(method("GET"))
        .and(path("/authentication/"))
        .respond_with(json(
            200,
            r#"{"account": 1234567, "name": " ", "token": "test-token", "status_code": 0, "balance": 1043}"#,
        ))
        .expect(times)
        .named("authenticate")
        .mount(server)
        .await;
}

const CALLS: [(&str, &str, &str); 2] = [
    ("payment", "/payment/", PAYMENT_ADVICE),
    ("transfer-request", "/transfer_request/", TRANSFER_ADVICE),
];

async fn run(c: &mobilnik::Client, name: &str) -> Result<(), Error> {
    match name {
        "payment" => c
            .payment(&PaymentRequest::new(
                1,
                "0555123456",
                som("150.50").expect("amount"),
            ))
            .await
            .map(drop),
        "transfer-request" => c
            .transfer_request(&TransferRequest::new(
                2,
                "0555765432",
                som("200").expect("amount"),
                "test transfer",
            ))
            .await
            .map(drop),
        other => panic!("no such call {other}"),
    }
}

/// A 401/403 with no status code, or an answer whose code does not refuse the token, is
/// never resent: the money call is received exactly once and the caller gets
/// outcome-unknown with the advice to check before paying again (Mobilnik has no status
/// call by a client key).
#[tokio::test]
async fn an_unexplained_refusal_on_a_money_call_is_outcome_unknown_and_not_resent() {
    let cases = [
        ("401 empty", ResponseTemplate::new(401)),
        (
            "401 html",
            ResponseTemplate::new(401).set_body_raw("<html>no</html>", "text/html"),
        ),
        ("403 empty", ResponseTemplate::new(403)),
        ("401 SYSTEM_FAILURE", json(401, r#"{"status_code": -2}"#)),
        ("200 SYSTEM_FAILURE", json(200, r#"{"status_code": -2}"#)),
        ("200 unlisted code", json(200, r#"{"status_code": 4242}"#)),
    ];
    for (name, route, advice) in CALLS {
        for (case, answer) in &cases {
            let server = MockServer::start().await;
            mount_login(&server, 1).await;
            Mock::given(method("GET"))
                .and(path(route))
                .respond_with(answer.clone())
                .expect(1)
                .named(format!("{name} once"))
                .mount(&server)
                .await;
            let c = client(&server.uri());
            let err = run(&c, name).await.expect_err(case);
            let unknown = err
                .outcome_unknown()
                .unwrap_or_else(|| panic!("{name} / {case}: {err:?}"));
            assert_eq!(unknown.advice, Some(advice), "{name} / {case}");
            assert!(err.may_have_taken_effect(), "{name} / {case}");
            assert!(!err.is_auth(), "{name} / {case}");
            assert_eq!(c.authentications(), 1, "{name} / {case}: no new token");
            server.verify().await;
        }
    }
}

/// USER_NOT_AUTHORIZED (27), even on an HTTP 401, is the documented token refusal: the
/// client authenticates again and sends the call once more.
#[tokio::test]
async fn the_documented_token_refusal_is_resent_once() {
    for (name, route, _) in CALLS {
        let server = MockServer::start().await;
        mount_login(&server, 2).await;
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(json(401, r#"{"status_code": 27}"#))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        let ok = if name == "payment" {
            r#"{"status_code": 0, "balance": 892.5, "operation_id": 987654321}"#
        } else {
            r#"{"status_code": 0, "message": "OK"}"#
        };
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(json(200, ok))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server.uri());
        run(&c, name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(c.authentications(), 2);
        server.verify().await;
    }
}

/// The codes of a money call's refusal stay readable through outcome-unknown.
#[tokio::test]
async fn the_code_of_an_unclear_answer_is_kept() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/payment/"))
        .respond_with(json(200, r#"{"status_code": -2}"#))
        .expect(1)
        .mount(&server)
        .await;
    let err = run(&client(&server.uri()), "payment")
        .await
        .expect_err("system failure");
    assert_eq!(
        status_code_of(&err),
        Some(&mobilnik::StatusCode::SystemFailure)
    );
}

/// The document's constants are accepted with their value and refused otherwise, naming
/// the field; any other unknown field is refused by name.
#[test]
fn constants_are_accepted_with_the_documented_value_only() {
    let t: TransferRequest = serde_json::from_str(
        r#"{"service_id": 2, "customer_id": "0555765432", "amount": "200", "comment": "c", "client": 4, "status": 2}"#,
    )
    .expect("documented constants");
    assert_eq!(
        t,
        TransferRequest::new(2, "0555765432", som("200").expect("amount"), "c")
    );
    let t: TransferRequest = serde_json::from_str(
        r#"{"service_id": 2, "customer_id": "0555765432", "amount": "200", "client": "4", "status": "2"}"#,
    )
    .expect("as strings too");
    assert_eq!(t.comment, "");
    let p: PaymentRequest = serde_json::from_str(
        r#"{"service_id": 1, "requisite": "0555123456", "amount": "150.50", "client": 4}"#,
    )
    .expect("client 4");
    assert_eq!(p.requisite, "0555123456");
    let r: CheckRequisiteRequest =
        serde_json::from_str(r#"{"service_id": 1, "requisite": "0555123456", "client": 4}"#)
            .expect("client 4");
    assert_eq!(r, CheckRequisiteRequest::new(1, "0555123456"));

    for (json, needle) in [
        (
            r#"{"service_id": 2, "customer_id": "w", "amount": "1", "status": 3}"#,
            "`status` is a constant of the document: it must be 2",
        ),
        (
            r#"{"service_id": 2, "customer_id": "w", "amount": "1", "client": 5}"#,
            "`client` is a constant of the document: it must be 4",
        ),
        (
            r#"{"service_id": 2, "customer_id": "w", "amount": "1", "coment": "x"}"#,
            "unknown field `coment`",
        ),
    ] {
        let err = serde_json::from_str::<TransferRequest>(json)
            .expect_err(json)
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
    let err = serde_json::from_str::<PaymentRequest>(
        r#"{"service_id": 1, "requisite": "x", "amount": "1", "client": 3}"#,
    )
    .expect_err("client 3")
    .to_string();
    assert!(err.contains("it must be 4"), "{err}");
    let err = serde_json::from_str::<CheckRequisiteRequest>(
        r#"{"service_id": 1, "requisite": "x", "requsite": "y"}"#,
    )
    .expect_err("typo")
    .to_string();
    assert!(err.contains("unknown field `requsite`"), "{err}");
}

/// Amounts are spoken of in som.
#[test]
fn amount_errors_speak_in_som() {
    let err = serde_json::from_str::<PaymentRequest>(
        r#"{"service_id": 1, "requisite": "x", "amount": "1.005"}"#,
    )
    .expect_err("too precise")
    .to_string();
    assert!(
        err.contains("som: at most 2 decimal places (1 som = 100 tyiyn)"),
        "{err}"
    );
    let err = som("1.005").expect_err("too precise");
    assert_eq!(err.field(), Some("amount"));
    assert!(
        err.to_string().contains("som: at most 2 decimal places"),
        "{err}"
    );
}

/// Control and bidirectional characters or over-long text are refused before sending.
#[tokio::test]
async fn unprintable_or_over_long_text_is_refused_before_sending() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let c = client(&server.uri());
    let amount = || som("1").expect("amount");
    let cases: Vec<(&str, Result<(), Error>)> = vec![
        (
            "requisite",
            c.payment(&PaymentRequest::new(1, "0555\u{202E}123", amount()))
                .await
                .map(drop),
        ),
        (
            "requisite",
            c.check_requisite(&CheckRequisiteRequest::new(1, "0555\n"))
                .await
                .map(drop),
        ),
        (
            "customer_id",
            c.transfer_request(&TransferRequest::new(2, "w".repeat(101), amount(), ""))
                .await
                .map(drop),
        ),
        (
            "comment",
            c.transfer_request(&TransferRequest::new(2, "w", amount(), "hi\u{2067}"))
                .await
                .map(drop),
        ),
        (
            "comment",
            c.transfer_request(&TransferRequest::new(2, "w", amount(), "x".repeat(256)))
                .await
                .map(drop),
        ),
    ];
    for (field, result) in cases {
        let err = result.expect_err(field);
        assert_eq!(err.field(), Some(field), "{err}");
    }
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}
