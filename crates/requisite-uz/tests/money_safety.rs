//! payment and payment-budget are sent at most once, a success answer that does not say
//! what happened is outcome-unknown, and bad input never leaves the client.

mod common;

use common::{BASIC, client};
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Money};
use requisite_uz::{
    CardType, Code, PaymentBudgetRequest, PaymentRequest, ServiceId, StatementRequest,
    StatementRow, code_of,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORDER: &str = "009445151277";

fn payment() -> PaymentRequest {
    PaymentRequest {
        order_id: ORDER.into(),
        receiver_name: "Test".into(),
        mfo_receiver: "01091".into(),
        receiver_account: "29801000990248844444".into(),
        inn_receiver: Some("123456789".into()),
        purpose: "Test 24/7".into(),
        service_id: ServiceId(2),
        amount: Money::new(500_000, Currency::UZS),
        commission_amount: Money::new(20_000, Currency::UZS),
        ref_number: Some("016351273642".into()),
        card_type: Some(CardType::Humo),
        card_number: CardNumber::new("9860531554896678").ok(),
    }
}

fn budget() -> PaymentBudgetRequest {
    PaymentBudgetRequest {
        order_id: ORDER.into(),
        receiver_account: "400522860262837950100251028".into(),
        inn_receiver: "207099143".into(),
        purpose_code: "09510".into(),
        purpose: "11Test 24/7".into(),
        service_id: ServiceId(1),
        amount: Money::new(500_000, Currency::UZS),
        commission_amount: Money::new(20_000, Currency::UZS),
        ref_number: None,
        card_type: None,
        card_number: None,
    }
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// The two money calls: name, path, and a runner.
const CALLS: [(&str, &str); 2] = [
    ("payment", "/api/v2/payment"),
    ("payment-budget", "/api/v2/paymentBudget"),
];

async fn run(c: &requisite_uz::Client, name: &str) -> Result<requisite_uz::PaymentResult, Error> {
    match name {
        "payment" => c.payment(&payment()).await,
        "payment-budget" => c.payment_budget(&budget()).await,
        other => panic!("no such call {other}"),
    }
}

fn assert_outcome_unknown(err: &Error, name: &str, case: &str) {
    let unknown = err
        .outcome_unknown()
        .unwrap_or_else(|| panic!("{name} / {case}: expected outcome-unknown, got {err:?}"));
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some(format!("payment-status with orderId={ORDER}").as_str()),
        "{name} / {case}"
    );
    assert!(err.may_have_taken_effect(), "{name} / {case}");
    assert!(!err.is_auth(), "{name} / {case}");
}

/// A 401/403 that does not carry the credentials refusal is outcome-unknown; the money
/// call is received exactly once whatever the answer.
#[tokio::test]
async fn an_unexplained_credentials_refusal_on_a_payment_is_outcome_unknown() {
    let unknown_cases = [
        ("401 empty", ResponseTemplate::new(401)),
        (
            "401 html",
            ResponseTemplate::new(401).set_body_raw("<html>login</html>", "text/html"),
        ),
        ("403 empty", ResponseTemplate::new(403)),
        (
            "401 with 2222",
            json(
                401,
                r#"{"status":"error","code":2222,"message":"Критическая ошибка","data":null}"#,
            ),
        ),
        (
            "401 with 1111",
            json(
                401,
                r#"{"status":"error","code":1111,"message":"Системная ошибка","data":null}"#,
            ),
        ),
    ];
    for (name, route) in CALLS {
        for (case, answer) in &unknown_cases {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(route))
                .and(header("authorization", BASIC))
                .respond_with(answer.clone())
                .expect(1)
                .mount(&server)
                .await;
            let err = run(&client(&server.uri()), name).await.expect_err(case);
            assert_outcome_unknown(&err, name, case);
            server.verify().await;
        }
        {
            // the code rides along as the cause
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(route))
                .respond_with(json(401, r#"{"status":"error","code":2222}"#))
                .expect(1)
                .mount(&server)
                .await;
            let err = run(&client(&server.uri()), name).await.expect_err("2222");
            assert_eq!(code_of(&err), Some(&Code::CriticalError));
        }
    }
}

/// The credentials refusal (an envelope naming 1004 or the HTTP status itself) says the
/// order was not created: an auth error, sent once (HTTP Basic has nothing to refresh).
#[tokio::test]
async fn the_credentials_refusal_is_auth_and_sent_once() {
    for (name, route) in CALLS {
        for body in [
            r#"{"status":"error","code":401,"message":"Unauthorized","data":null}"#,
            r#"{"status":"error","code":1004,"message":"Пользователь не найден","data":null}"#,
        ] {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(route))
                .respond_with(json(401, body))
                .expect(1)
                .mount(&server)
                .await;
            let err = run(&client(&server.uri()), name).await.expect_err(body);
            assert!(err.is_auth(), "{name}: {err:?}");
            assert!(!err.may_have_taken_effect(), "{name}");
            server.verify().await;
        }
    }
}

/// A success envelope that does not say what happened (an unlisted payment_status, no
/// doc_id) is outcome-unknown naming payment-status, not `Ok`.
#[tokio::test]
async fn a_success_answer_that_does_not_say_what_happened_is_outcome_unknown() {
    let cases = [
        (
            "unknown status",
            r#"{"status":"success","code":0,"data":{"payment_status":"В обработке","doc_id":"1180_1"}}"#,
        ),
        (
            "empty status",
            r#"{"status":"success","code":0,"data":{"payment_status":"","doc_id":"1180_1"}}"#,
        ),
        (
            "empty doc_id",
            r#"{"status":"success","code":0,"data":{"payment_status":"Введен","doc_id":""}}"#,
        ),
    ];
    for (name, route) in CALLS {
        for (case, body) in cases {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(route))
                .respond_with(json(200, body))
                .expect(1)
                .mount(&server)
                .await;
            let err = run(&client(&server.uri()), name).await.expect_err(case);
            assert_outcome_unknown(&err, name, case);
            server.verify().await;
        }
    }
}

/// An orderId that a server would decode into another path is refused before anything is
/// sent, for payment creation (it is the later payment-status path) and for payment-status.
#[tokio::test]
async fn order_ids_that_break_the_status_path_are_refused_before_sending() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let c = client(&server.uri());
    for bad in [
        "a/b",
        "a\\b",
        "a?b",
        "a#b",
        "a%2Fb",
        ".",
        "..",
        "...",
        "a b",
        "a\u{0}b",
        "a\u{202E}b",
        "",
    ] {
        let mut p = payment();
        p.order_id = bad.into();
        let err = c.payment(&p).await.expect_err(bad);
        assert_eq!(err.field(), Some("orderId"), "{bad:?}: {err}");
        let mut b = budget();
        b.order_id = bad.into();
        let err = c.payment_budget(&b).await.expect_err(bad);
        assert_eq!(err.field(), Some("orderId"), "{bad:?}: {err}");
        let err = c.payment_status(bad).await.expect_err(bad);
        assert_eq!(err.field(), Some("orderId"), "{bad:?}: {err}");
    }
    let mut p = payment();
    p.order_id = "1".repeat(101);
    assert_eq!(
        c.payment(&p).await.expect_err("long").field(),
        Some("orderId")
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

/// Control and bidirectional characters and over-long text in receiverName, purpose and
/// refNumber are refused before sending, naming the field (the bank's 1015/1016).
#[tokio::test]
async fn unprintable_or_over_long_text_is_refused_before_sending() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let c = client(&server.uri());
    type Change = fn(&mut PaymentRequest);
    let cases: [(&str, Change); 7] = [
        ("receiverName", |r| r.receiver_name = "Test\u{202E}".into()),
        ("receiverName", |r| r.receiver_name = "Test\u{7}".into()),
        ("receiverName", |r| r.receiver_name = "я".repeat(257)),
        ("purpose", |r| r.purpose = "Test\u{2066}24/7".into()),
        ("purpose", |r| r.purpose = "line\nbreak".into()),
        ("purpose", |r| r.purpose = "x".repeat(501)),
        ("refNumber", |r| r.ref_number = Some("0163\u{200E}".into())),
    ];
    for (field, change) in cases {
        let mut p = payment();
        change(&mut p);
        let err = c.payment(&p).await.expect_err(field);
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let mut b = budget();
    b.purpose = "За патент\u{202B}".into();
    assert_eq!(
        c.payment_budget(&b).await.expect_err("bidi").field(),
        Some("purpose")
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

/// Request types refuse an unknown field by name; amounts are spoken of in tiyin.
#[test]
fn unknown_fields_are_refused_and_amount_errors_speak_in_tiyin() {
    let mut good = serde_json::to_value(payment()).expect("json");
    good["orderID"] = serde_json::json!("x");
    let err = serde_json::from_value::<PaymentRequest>(good)
        .expect_err("typo")
        .to_string();
    assert!(err.contains("unknown field `orderID`"), "{err}");
    let mut good = serde_json::to_value(budget()).expect("json");
    good["purposecode"] = serde_json::json!("00401");
    let err = serde_json::from_value::<PaymentBudgetRequest>(good)
        .expect_err("typo")
        .to_string();
    assert!(err.contains("unknown field `purposecode`"), "{err}");
    let err = serde_json::from_str::<StatementRequest>(
        r#"{"type":"0","lastId":0,"fromDate":"2023-01-01","toDate":"2023-02-21","serviceId":27,"page":2}"#,
    )
    .expect_err("typo")
    .to_string();
    assert!(err.contains("unknown field `page`"), "{err}");

    for (amount, shown) in [("\"1.5\"", "\"1.5\""), ("500.25", "500.25")] {
        let mut p = serde_json::to_value(payment()).expect("json");
        p["amount"] = serde_json::from_str(amount).expect("token");
        let err = serde_json::from_value::<PaymentRequest>(p)
            .expect_err(amount)
            .to_string();
        assert!(
            err.contains(&format!(
                "tiyin: a whole number (1 sum = 100 tiyin), got {shown}"
            )),
            "{err}"
        );
        assert!(!err.contains("decimal places"), "{err}");
    }
}

/// innReceiver (and innPayer) sent as null stay None and are written back as null.
#[test]
fn statement_inn_null_stays_null() {
    let row: StatementRow = serde_json::from_str(
        r#"{"id":1,"docNumber":"1","docDate":"2023-02-01 16:32:23","paymentDate":"2023-02-01 00:00:00",
            "type":"Приход","innPayer":null,"innReceiver":null,"amount":400,"purpose":"тест","status":"Проведен"}"#,
    )
    .expect("row");
    assert_eq!(row.inn_receiver, None);
    assert_eq!(row.inn_payer, None);
    let back = serde_json::to_value(&row).expect("json");
    assert_eq!(back["innReceiver"], serde_json::Value::Null);
    assert_eq!(back["innPayer"], serde_json::Value::Null);
    let row: StatementRow = serde_json::from_str(
        r#"{"id":1,"docDate":"2023-02-01 16:32:23","paymentDate":"2023-02-01 00:00:00",
            "type":"Приход","innReceiver":"307692757","amount":400,"status":"Проведен"}"#,
    )
    .expect("row");
    assert_eq!(row.inn_receiver.as_deref(), Some("307692757"));
}

/// The builder's Debug shows the base URL redacted: a password in its query never prints.
#[test]
fn the_builder_debug_hides_the_base_url_secrets() {
    let b = requisite_uz::Client::builder("https://bank.example/?password=hunter2&x=1")
        .credentials("gray", "p@ssw0rd");
    let shown = format!("{b:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("p@ssw0rd"), "{shown}");
    assert!(shown.contains("bank.example"), "{shown}");
}
