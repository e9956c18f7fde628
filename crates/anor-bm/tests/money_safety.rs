//! Every call that moves money is sent at most once when the answer does not certainly say
//! "not processed", and a success answer that does not say what happened is not `Ok`.

mod common;

use anor_bm::{
    BillRequest, CheckRequest, Client, ExtPayRequest, HoldMoreRequest, Otp, PayRequest,
    ReversePartialRequest,
};
use common::{PASSWORD, REFRESH, client};
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Money};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LOGIN: &str = "/api/ext/user/login";
const BILL: i64 = 936532;
const AGENT_TRAN_ID: i64 = 1668782814;

fn token_answer(access: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!(
            r#"{{"statusCode":0,"statusMessage":"OK","result":{{"access_token":"{access}","token_type":"bearer","refresh_token":"{REFRESH}","expires_in":86398}}}}"#
        ),
        "application/json",
    )
}

async fn mount_login(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path(LOGIN))
        .respond_with(token_answer("test-token"))
        .expect(times)
        .named("login")
        .mount(server)
        .await;
}

fn catalogue_error(status: u16, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        format!(
            r#"{{"langs":{{"en":"{detail}"}},"status":{status},"detail":"{detail}","title":"{detail}"}}"#
        ),
        "application/json",
    )
}

fn bill_answer(id: i64, status: &str, success: bool) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!(
            r#"{{"id":{id},"amount":1000,"currency":860,"responseText":"OK","success":{success},"status":"{status}"}}"#
        ),
        "application/json",
    )
}

fn card() -> CardNumber {
    CardNumber::new("9860080312345678").expect("card")
}

fn uzs(minor: i64) -> Money {
    Money::new(minor, Currency::UZS)
}

fn ext_pay_request() -> ExtPayRequest {
    ExtPayRequest::new(
        AGENT_TRAN_ID,
        "20208000900000000001",
        "01183",
        "viplati",
        CardNumber::new("9860601234562487").expect("card"),
        "1025".parse().expect("exp"),
        uzs(100),
    )
}

/// One money-moving call of the client: its name, its path, and how to run it.
struct MoneyCall {
    name: &'static str,
    path: &'static str,
    reconcile: String,
}

fn money_calls() -> Vec<MoneyCall> {
    let on_bill = format!("status with billId={BILL}");
    let by_tran = |t: &str| format!("status with agentTranId={t}");
    vec![
        MoneyCall {
            name: "unregistered-check",
            path: "/services/bmms/api/agent/unregistered-check",
            reconcile: by_tran("order-30-try-1"),
        },
        MoneyCall {
            name: "unregistered-pay",
            path: "/services/bmms/api/agent/unregistered-pay",
            reconcile: on_bill.clone(),
        },
        MoneyCall {
            name: "hold",
            path: "/services/bmms/api/agent/hold/v2/otp",
            reconcile: on_bill.clone(),
        },
        MoneyCall {
            name: "hold-confirm",
            path: "/services/bmms/api/agent/hold/v2/confirm",
            reconcile: on_bill.clone(),
        },
        MoneyCall {
            name: "hold-more",
            path: "/services/bmms/api/agent/hold/v2/more",
            reconcile: on_bill.clone(),
        },
        MoneyCall {
            name: "cancel",
            path: "/services/bmms/api/agent/cancel/v3",
            reconcile: on_bill.clone(),
        },
        MoneyCall {
            name: "hold-reverse",
            path: "/services/bmms/api/agent/hold/v2/reverse",
            reconcile: on_bill.clone(),
        },
        MoneyCall {
            name: "hold-reverse-partial",
            path: "/services/bmms/api/agent/hold/v2/reverse/partial",
            reconcile: on_bill,
        },
        MoneyCall {
            name: "ext-pay",
            path: "/services/bmms/api/ext/agent/pay",
            reconcile: by_tran(&AGENT_TRAN_ID.to_string()),
        },
    ]
}

/// Runs the call named `name` against the client; the answer is dropped.
async fn run(c: &Client, name: &str) -> Result<(), Error> {
    let otp = || Otp::new("445566").expect("otp");
    match name {
        "unregistered-check" => c
            .unregistered_check(&CheckRequest::new(
                "30",
                1,
                uzs(1000),
                "order-30-try-1",
                card(),
                "0727".parse().expect("exp"),
            ))
            .await
            .map(drop),
        "unregistered-pay" => c
            .unregistered_pay(&PayRequest::new(BILL, otp()))
            .await
            .map(drop),
        "hold" => c.hold(&PayRequest::new(BILL, otp())).await.map(drop),
        "hold-confirm" => c.hold_confirm(&BillRequest::new(BILL)).await.map(drop),
        "hold-more" => c
            .hold_more(&HoldMoreRequest::new(
                BILL,
                uzs(100),
                "UZCARD",
                card(),
                "0727".parse().expect("exp"),
            ))
            .await
            .map(drop),
        "cancel" => c.cancel(&BillRequest::new(BILL)).await.map(drop),
        "hold-reverse" => c.hold_reverse(&BillRequest::new(BILL)).await.map(drop),
        "hold-reverse-partial" => c
            .hold_reverse_partial(&ReversePartialRequest::new(BILL, uzs(100)))
            .await
            .map(drop),
        "ext-pay" => c.ext_pay(&ext_pay_request()).await.map(drop),
        other => panic!("no such call {other}"),
    }
}

fn assert_outcome_unknown(err: &Error, call: &MoneyCall, case: &str) {
    let unknown = err.outcome_unknown().unwrap_or_else(|| {
        panic!(
            "{} / {case}: expected outcome-unknown, got {err:?}",
            call.name
        )
    });
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some(call.reconcile.as_str()),
        "{} / {case}: names the status call",
        call.name
    );
    assert!(err.may_have_taken_effect(), "{} / {case}", call.name);
    assert!(!err.is_retryable(), "{} / {case}", call.name);
    assert!(
        !err.is_auth(),
        "{} / {case}: not a token refusal",
        call.name
    );
}

/// A 401 whose body says money may have moved, names another code, or explains nothing:
/// the money call is received exactly once and the caller gets outcome-unknown naming the
/// status call. Before the fix, the token cache refreshed and sent the payment again.
#[tokio::test]
async fn a_401_that_is_not_a_token_refusal_is_never_resent() {
    let cases: Vec<(&str, ResponseTemplate)> = vec![
        ("401 timeout", catalogue_error(401, "timeout")),
        (
            "401 billing_error_need_reverse",
            catalogue_error(401, "billing_error_need_reverse"),
        ),
        (
            "401 billing_error_will_reverse",
            catalogue_error(401, "billing_error_will_reverse"),
        ),
        ("401 internal_error", catalogue_error(401, "internal_error")),
        ("401 unlisted code", catalogue_error(401, "brand_new_code")),
        ("401 empty", ResponseTemplate::new(401)),
        (
            "401 html",
            ResponseTemplate::new(401).set_body_raw("<html>401</html>", "text/html"),
        ),
    ];
    for call in money_calls() {
        for (case, answer) in &cases {
            let server = MockServer::start().await;
            mount_login(&server, 1).await;
            Mock::given(method("POST"))
                .and(path(call.path))
                .respond_with(answer.clone())
                .expect(1)
                .named(format!("{} once", call.name))
                .mount(&server)
                .await;
            let c = client(&server.uri());
            let err = run(&c, call.name).await.expect_err(case);
            assert_outcome_unknown(&err, &call, case);
            assert_eq!(c.token_fetches(), 1, "{} / {case}: no refresh", call.name);
            server.verify().await;
        }
    }
}

/// The catalogue's credentials refusal (`bad_credentials`, 401) says the call was not
/// processed: the client logs in again and sends it once more, still on every money call.
#[tokio::test]
async fn the_documented_token_refusal_is_resent_once_with_a_new_token() {
    for call in money_calls() {
        let server = MockServer::start().await;
        // the stale token's refresh is refused: the client logs in again
        Mock::given(method("POST"))
            .and(path("/api/ext/user/refresh-token"))
            .respond_with(catalogue_error(401, "bad_credentials"))
            .mount(&server)
            .await;
        mount_login(&server, 2).await;
        Mock::given(method("POST"))
            .and(path(call.path))
            .respond_with(catalogue_error(401, "bad_credentials"))
            .up_to_n_times(1)
            .expect(1)
            .named("refused once")
            .mount(&server)
            .await;
        let ok = if call.name == "ext-pay" {
            ResponseTemplate::new(200).set_body_raw(
                format!(
                    r#"{{"amount":100,"currency":860,"agentTranId":"{AGENT_TRAN_ID}","success":true,"statusCode":0,"statusMessage":"SUCCESS","bmlId":1}}"#
                ),
                "application/json",
            )
        } else {
            let status = match call.name {
                "unregistered-check" => "CHECK_OK",
                "hold" | "hold-more" | "hold-reverse-partial" => "HOLD_SUCCESS",
                "cancel" | "hold-reverse" => "CANCELLED",
                _ => "SUCCESS",
            };
            bill_answer(BILL, status, true)
        };
        Mock::given(method("POST"))
            .and(path(call.path))
            .respond_with(ok)
            .expect(1)
            .named("answered the second time")
            .mount(&server)
            .await;
        let c = client(&server.uri());
        run(&c, call.name)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", call.name));
        server.verify().await;
    }
}

/// The `success: false` answers of a 401 that names a wrong OTP stay what they were: a
/// refusal that is not resent.
#[tokio::test]
async fn a_wrong_otp_401_is_a_refusal_not_resent() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/services/bmms/api/agent/unregistered-pay"))
        .respond_with(catalogue_error(401, "activation_code_sent"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let err = run(&c, "unregistered-pay").await.expect_err("wrong otp");
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(err.provider_code().as_deref(), Some("activation_code_sent"));
    assert!(!err.may_have_taken_effect());
    server.verify().await;
}

/// A bill answer to a money call that does not say what happened is outcome-unknown: an
/// unlisted status, `success: false` with `SUCCESS`/`HOLD_SUCCESS`, or another bill.
#[tokio::test]
async fn a_bill_answer_that_does_not_say_what_happened_is_outcome_unknown() {
    for call in money_calls()
        .into_iter()
        .filter(|c| c.name != "ext-pay" && c.name != "unregistered-check")
    {
        let cases = [
            ("unknown status", bill_answer(BILL, "PROCESSING", true)),
            (
                "success false + SUCCESS",
                bill_answer(BILL, "SUCCESS", false),
            ),
            (
                "success false + HOLD_SUCCESS",
                bill_answer(BILL, "HOLD_SUCCESS", false),
            ),
            ("another bill", bill_answer(BILL + 1, "SUCCESS", true)),
        ];
        for (case, answer) in cases {
            let server = MockServer::start().await;
            mount_login(&server, 1).await;
            Mock::given(method("POST"))
                .and(path(call.path))
                .respond_with(answer)
                .expect(1)
                .mount(&server)
                .await;
            let err = run(&client(&server.uri()), call.name)
                .await
                .expect_err(case);
            assert_outcome_unknown(&err, &call, case);
            server.verify().await;
        }
    }
    // unregistered-check: an unlisted status is not a bill to pay
    let check = money_calls()
        .into_iter()
        .find(|c| c.name == "unregistered-check")
        .expect("check");
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(check.path))
        .respond_with(bill_answer(BILL, "WAITING", true))
        .expect(1)
        .mount(&server)
        .await;
    let err = run(&client(&server.uri()), check.name)
        .await
        .expect_err("unknown");
    assert_outcome_unknown(&err, &check, "unknown status");
}

/// An ext-pay answer that does not say the payout went through, for this agentTranId and
/// amount, is outcome-unknown naming `status with agentTranId=...`.
#[tokio::test]
async fn an_ext_pay_answer_that_does_not_say_what_happened_is_outcome_unknown() {
    let call = money_calls()
        .into_iter()
        .find(|c| c.name == "ext-pay")
        .expect("ext-pay");
    let answer = |tran: &str, amount: i64, success: bool, code: i64, message: &str| {
        ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"{{"amount":{amount},"currency":860,"agentTranId":"{tran}","success":{success},"statusCode":{code},"statusMessage":"{message}"}}"#
            ),
            "application/json",
        )
    };
    let t = AGENT_TRAN_ID.to_string();
    let cases = [
        ("another agentTranId", answer("1", 100, true, 0, "SUCCESS")),
        ("another amount", answer(&t, 999, true, 0, "SUCCESS")),
        ("success false", answer(&t, 100, false, 5, "FAILED")),
        (
            "success false + SUCCESS",
            answer(&t, 100, false, 0, "SUCCESS"),
        ),
        ("success true + code 7", answer(&t, 100, true, 7, "SUCCESS")),
        ("success true + ERROR", answer(&t, 100, true, 0, "ERROR")),
    ];
    for (case, template) in cases {
        let server = MockServer::start().await;
        mount_login(&server, 1).await;
        Mock::given(method("POST"))
            .and(path(call.path))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        let err = run(&client(&server.uri()), call.name)
            .await
            .expect_err(case);
        assert_outcome_unknown(&err, &call, case);
        server.verify().await;
    }
}

/// ext-pay is `Once`: a 502 is answered with outcome-unknown naming the status call by
/// agentTranId, and `reconcile_outcome` asks exactly that.
#[tokio::test(start_paused = true)]
async fn ext_pay_reconciles_with_status_by_agent_tran_id() {
    let server = MockServer::start().await;
    mount_login(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/services/bmms/api/ext/agent/pay"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/bmms/api/agent/status"))
        .and(wiremock::matchers::body_json(
            serde_json::json!({"agentTranId": AGENT_TRAN_ID.to_string()}),
        ))
        .respond_with(bill_answer(BILL, "SUCCESS", true))
        .expect(1)
        .mount(&server)
        .await;
    let c = common::client_with(
        &server.uri(),
        kassa_core::RetryPolicy::default(),
        kassa_core::Timeouts::none(),
    );
    let err = c.ext_pay(&ext_pay_request()).await.expect_err("502");
    let learned = c
        .reconcile_outcome(&err, std::time::Duration::from_secs(10))
        .await
        .expect("status answers");
    assert_eq!(learned.bill().status, anor_bm::BillStatus::Success);
    server.verify().await;
}

/// Request types refuse a field they do not know, naming it, as mobilnik does.
#[test]
fn unknown_request_fields_are_refused_by_name() {
    let cases = [
        (
            "PayRequest",
            serde_json::from_str::<PayRequest>(
                r#"{"billId":1,"type":"PC","params":{"otp":"1"},"bilId":2}"#,
            )
            .map(drop),
            "bilId",
        ),
        (
            "BillRequest",
            serde_json::from_str::<BillRequest>(r#"{"billId":1,"amount":5}"#).map(drop),
            "amount",
        ),
        (
            "CheckRequest",
            serde_json::from_str::<CheckRequest>(
                r#"{"account":"30","recipientId":1,"amount":100,"agentTranId":"t","params":{"pan":"9860080312345678","exp":"0727"},"recipientID":2}"#,
            )
            .map(drop),
            "recipientID",
        ),
        (
            "CardParams in CheckRequest",
            serde_json::from_str::<CheckRequest>(
                r#"{"account":"30","recipientId":1,"amount":100,"agentTranId":"t","params":{"pan":"9860080312345678","exp":"0727","cvv":"123"}}"#,
            )
            .map(drop),
            "cvv",
        ),
        (
            "ExtPayRequest",
            serde_json::from_str::<ExtPayRequest>(
                r#"{"agentTranId":1,"from":{"type":"ACCOUNT","currency":860,"params":{"account":"a","mfo":"01183","name":"n","inn":"1"}},"to":{"type":"PAN","currency":860,"params":{"pan":"9860601234562487","exp":"1025"}},"amount":100}"#,
            )
            .map(drop),
            "inn",
        ),
        (
            "StatusRequest",
            serde_json::from_str::<anor_bm::StatusRequest>(r#"{"billid":1}"#).map(drop),
            "billid",
        ),
    ];
    for (name, result, field) in cases {
        let err = result.expect_err(name).to_string();
        assert!(
            err.contains(&format!("unknown field `{field}`")),
            "{name}: {err}"
        );
    }
}

/// Free text with control or bidirectional characters, or too long, is refused before
/// anything is sent, naming the field.
#[tokio::test]
async fn unprintable_or_over_long_text_is_refused_before_sending() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let c = client(&server.uri());
    let check = |account: &str, tran: &str| {
        CheckRequest::new(
            account,
            1,
            uzs(100),
            tran,
            card(),
            "0727".parse().expect("exp"),
        )
    };
    for (req, field) in [
        (check("30\u{202E}", "t-1"), "account"),
        (check("30\u{0}", "t-1"), "account"),
        (check(&"3".repeat(129), "t-1"), "account"),
        (check("30", "t\u{2066}1"), "agentTranId"),
    ] {
        let err = c.unregistered_check(&req).await.expect_err(field);
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let mut payout = ext_pay_request();
    payout.from.params.name = "viplati\u{200F}".into();
    let err = c.ext_pay(&payout).await.expect_err("bidi");
    assert_eq!(err.field(), Some("from.params.name"));
    payout.from.params.name = "x".repeat(257);
    let err = c.ext_pay(&payout).await.expect_err("long");
    assert_eq!(err.field(), Some("from.params.name"));
    assert!(err.to_string().contains("at most 256"), "{err}");
    let mut more = HoldMoreRequest::new(
        BILL,
        uzs(100),
        "UZ\u{7}CARD",
        card(),
        "0727".parse().expect("exp"),
    );
    assert_eq!(
        c.hold_more(&more).await.expect_err("type").field(),
        Some("type")
    );
    more.kind = "UZCARD".into();
    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(0),
        "nothing was sent"
    );
    // the password is not needed to see that: no login happened either
    assert_eq!(c.token_fetches(), 0, "{PASSWORD} unused");
}

/// An amount that is not a whole number of tiyin is refused in tiyin terms.
#[test]
fn amount_errors_speak_in_tiyin() {
    for (json, shown) in [
        (r#"{"billId":1,"reverseAmount":1.5}"#, "1.5"),
        (r#"{"billId":1,"reverseAmount":"10.25"}"#, "\"10.25\""),
        (r#"{"billId":1,"reverseAmount":"abc"}"#, "\"abc\""),
    ] {
        let err = serde_json::from_str::<ReversePartialRequest>(json)
            .expect_err(json)
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

/// A catalogue error answered with HTTP 200, in the document's `{"id", "result": {...}}`
/// shape (its answer to a wrong pay request).
fn result_envelope(detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!(
            r#"{{"id":{BILL},"result":{{"langs":{{"en":"{detail}"}},"status":500,"detail":"{detail}","title":"{detail}"}}}}"#
        ),
        "application/json",
    )
}

const MONEY_MOVED: [&str; 3] = [
    "timeout",
    "billing_error_need_reverse",
    "billing_error_will_reverse",
];

/// A code that says money may have moved, answered to a call that moves money, is
/// outcome-unknown whatever the HTTP status (its catalogue 500, or 200), naming the status
/// call; it is sent exactly once even with retries allowed, and its code is still found.
#[tokio::test(start_paused = true)]
async fn a_money_moved_code_is_outcome_unknown_at_any_status_and_never_resent() {
    for call in money_calls() {
        for code in MONEY_MOVED {
            let answers = [
                ("HTTP 500", catalogue_error(500, code)),
                ("HTTP 200", catalogue_error(200, code)),
                ("HTTP 200 result", result_envelope(code)),
            ];
            for (status, answer) in answers {
                let case = format!("{code} at {status}");
                let server = MockServer::start().await;
                mount_login(&server, 1).await;
                Mock::given(method("POST"))
                    .and(path(call.path))
                    .respond_with(answer)
                    .expect(1)
                    .named(format!("{} once", call.name))
                    .mount(&server)
                    .await;
                // retries allowed: a call that moves money is still sent once (the check is
                // keyed by agentTranId and would be retried on a 500: one attempt there)
                let retry = if call.name == "unregistered-check" {
                    kassa_core::RetryPolicy::none()
                } else {
                    kassa_core::RetryPolicy::default()
                };
                let c = common::client_with(&server.uri(), retry, kassa_core::Timeouts::none());
                let err = run(&c, call.name).await.expect_err(&case);
                assert_outcome_unknown(&err, &call, &case);
                assert_eq!(
                    anor_bm::code_of(&err),
                    Some(&anor_bm::Code::from_raw(code)),
                    "{} / {case}: the code is found through the cause",
                    call.name
                );
                assert!(
                    err.to_string().contains(code),
                    "{} / {case}: {err}",
                    call.name
                );
                server.verify().await;
            }
        }
    }
}

/// On a read a code never means money moved: `status` answered `timeout` stays a refusal
/// with its code. The read itself took no effect; the code still tells the caller that the
/// payment the bill is about may need a reverse.
#[tokio::test]
async fn a_money_moved_code_on_a_read_stays_a_refusal() {
    for code in MONEY_MOVED {
        let server = MockServer::start().await;
        mount_login(&server, 1).await;
        Mock::given(method("POST"))
            .and(path("/services/bmms/api/agent/status"))
            .respond_with(catalogue_error(500, code))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server.uri());
        let err = c
            .status(&anor_bm::StatusRequest::bill(BILL))
            .await
            .expect_err(code);
        assert!(matches!(err, Error::Rejected(_)), "{code}: {err:?}");
        assert_eq!(err.provider_code().as_deref(), Some(code));
        assert_eq!(anor_bm::code_of(&err), Some(&anor_bm::Code::from_raw(code)));
        assert!(
            !err.may_have_taken_effect(),
            "{code}: a read moves no money"
        );
        assert!(
            anor_bm::code_of(&err).is_some_and(anor_bm::Code::money_may_have_moved),
            "{code}"
        );
        server.verify().await;
    }
}
