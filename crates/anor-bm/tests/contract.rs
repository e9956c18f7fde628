//! Contract tests: every fixture in `fixtures/anor-bm/` is mounted strictly on wiremock
//! (method, path, exact query, authorization header, JSON body, expected once), the client
//! sends the fixture's request, and the outcome is asserted and snapshotted.
//!
//! Requests are read from the fixture's `request.json` with the request types' own
//! `Deserialize` (the wire names), so the same JSON a tool would pass is what goes out.

mod common;

use anor_bm::{
    Bill, BillRequest, BillStatus, CheckRequest, Client, Code, ExtPayRequest, HoldMoreRequest,
    PayRequest, RefreshTokenRequest, ReversePartialRequest, SendOtpRequest, StatusRequest,
    VerifyOtpRequest,
};
use common::{P, TOKEN, assert_no_secret, client, view};
use kassa_core::{Currency, Error, Money};
use kassa_testkit::{Fixture, mount_on};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wiremock::MockServer;

/// What a case must end in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// A parsed answer.
    Answer,
    /// A refusal with this catalogue code.
    Rejected(&'static str),
    /// A refused token or credentials with this code.
    Auth(&'static str),
    /// Outcome unknown: money may have moved, ask status.
    Unknown,
    /// Outcome unknown because the bank answered this catalogue code, which says money may
    /// have moved: ask status; the code is still found (`anor_bm::code_of`).
    UnknownCode(&'static str),
    /// An answer the protocol does not explain, on a call that moves no money.
    Http(u16),
}

use Expect::*;

/// Every fixture case and its expected outcome. `every_fixture_is_in_the_table` keeps this
/// in step with the folder.
const CASES: &[(&str, &str, Expect)] = &[
    ("login", "ok", Answer),
    ("login", "ok_elided", Answer),
    ("login", "bad_credentials", Auth("bad_credentials")),
    ("login", "invalid_password", Auth("invalid_password")),
    ("refresh-token", "ok", Answer),
    ("refresh-token", "ok_elided", Answer),
    ("send-otp", "ok", Answer),
    (
        "send-otp",
        "bank_not_supported",
        Rejected("bank_not_supported"),
    ),
    (
        "send-otp",
        "card_already_exists",
        Rejected("card_already_exists"),
    ),
    ("send-otp", "card_not_found", Rejected("card_not_found")),
    ("send-otp", "sms_info_is_off", Rejected("sms_info_is_off")),
    ("send-otp", "success_false", Rejected("card_not_found")),
    ("verify-otp", "ok", Answer),
    (
        "verify-otp",
        "activation_code_sent",
        Rejected("activation_code_sent"),
    ),
    (
        "verify-otp",
        "code_entry_limit_exceeded_restart",
        Rejected("code_entry_limit_exceeded_restart"),
    ),
    (
        "verify-otp",
        "code_expired_restart",
        Rejected("code_expired_restart"),
    ),
    (
        "verify-otp",
        "invalid_code_retry",
        Rejected("invalid_code_retry"),
    ),
    (
        "verify-otp",
        "invalid_code_sms_sent",
        Rejected("invalid_code_sms_sent"),
    ),
    ("get-user-cards", "ok", Answer),
    ("unregistered-check", "ok", Answer),
    (
        "unregistered-check",
        "card_not_valid",
        Rejected("card_not_valid"),
    ),
    (
        "unregistered-check",
        "limit_exceeded",
        Rejected("limit_exceeded"),
    ),
    (
        "unregistered-check",
        "service_not_active",
        Rejected("service_not_active"),
    ),
    (
        "unregistered-check",
        "service_not_found",
        Rejected("service_not_found"),
    ),
    ("unregistered-pay", "ok", Answer),
    (
        "unregistered-pay",
        "bill_not_found",
        Rejected("bill_not_found"),
    ),
    (
        "unregistered-pay",
        "bill_not_valid",
        Rejected("bill_not_valid"),
    ),
    (
        "unregistered-pay",
        "insufficient_funds",
        Rejected("insufficient_funds"),
    ),
    (
        "unregistered-pay",
        "invalid_code_retry",
        Rejected("invalid_code_retry"),
    ),
    ("unregistered-pay", "debit_error", Rejected("debit_error")),
    (
        "unregistered-pay",
        "billing_error_reversed",
        Rejected("billing_error_reversed"),
    ),
    (
        "unregistered-pay",
        "billing_error_will_reverse",
        UnknownCode("billing_error_will_reverse"),
    ),
    (
        "unregistered-pay",
        "billing_error_need_reverse",
        UnknownCode("billing_error_need_reverse"),
    ),
    ("unregistered-pay", "timeout", UnknownCode("timeout")),
    ("unregistered-pay", "html_502", Unknown),
    (
        "unregistered-pay",
        "result_error",
        Rejected("bill_not_valid"),
    ),
    ("unregistered-pay", "result_comment", Unknown),
    // bad_bill_id_example (billId -1) is refused before sending: its own test below.
    ("hold", "ok", Unknown),
    ("hold", "ok_repaired", Answer),
    ("hold", "bill_not_found", Rejected("bill_not_found")),
    ("hold", "insufficient_funds", Rejected("insufficient_funds")),
    ("hold-confirm", "ok", Answer),
    (
        "hold-confirm",
        "billing_error_need_reverse",
        UnknownCode("billing_error_need_reverse"),
    ),
    ("hold-confirm", "timeout", UnknownCode("timeout")),
    ("hold-confirm", "internal_error", Unknown),
    ("hold-more", "ok", Unknown),
    ("hold-more", "ok_repaired", Answer),
    (
        "hold-more",
        "insufficient_funds",
        Rejected("insufficient_funds"),
    ),
    ("hold-more", "limit_exceeded", Rejected("limit_exceeded")),
    ("cancel", "ok", Answer),
    ("cancel", "bill_not_found", Rejected("bill_not_found")),
    ("hold-reverse", "ok", Answer),
    ("hold-reverse", "bill_not_found", Rejected("bill_not_found")),
    ("hold-reverse-partial", "ok", Answer),
    (
        "hold-reverse-partial",
        "invalid_params",
        Rejected("invalid_params"),
    ),
    ("status", "ok", Answer),
    ("status", "ok_repaired", Answer),
    ("status", "ok_by_agent_tran_id", Answer),
    ("status", "bill_not_found", Rejected("bill_not_found")),
    ("status", "unlisted_code", Rejected("bill_expired")),
    ("status", "html_502", Http(502)),
    ("status", "unavailable_503", Http(503)),
    ("ext-pay", "ok", Answer),
    ("ext-pay", "card_not_found", Rejected("card_not_found")),
    (
        "ext-pay",
        "insufficient_funds_on_deposit",
        Rejected("insufficient_funds_on_deposit"),
    ),
    (
        "ext-pay",
        "p2p_request_not_valid",
        Rejected("p2p_request_not_valid"),
    ),
];

const SPECIAL: &[(&str, &str)] = &[("unregistered-pay", "bad_bill_id_example")];

fn expected(op: &str, case: &str) -> Expect {
    CASES
        .iter()
        .find(|(o, c, _)| *o == op && *c == case)
        .map(|(_, _, e)| *e)
        .unwrap_or_else(|| panic!("{op}/{case} is not in the CASES table"))
}

/// A server with the fixture mounted, plus `login/ok` first when the call needs a token.
async fn server_for(fixture: &Fixture, needs_login: bool) -> MockServer {
    let server = MockServer::start().await;
    if needs_login {
        mount_on(&server, &Fixture::load(P, "login", "ok")).await;
    }
    mount_on(&server, fixture).await;
    server
}

/// Asserts explicitly what the strict mock also checks: one request to the fixture's path,
/// with its method, authorization header (or none) and JSON body.
async fn assert_sent(server: &MockServer, fixture: &Fixture) {
    let got = server.received_requests().await.expect("recording on");
    let mine: Vec<_> = got
        .iter()
        .filter(|r| r.url.path() == fixture.request.path)
        .collect();
    assert_eq!(
        mine.len(),
        1,
        "{}: one request to {}",
        fixture.name,
        fixture.request.path
    );
    let r = mine[0];
    assert_eq!(
        r.method.as_str(),
        fixture.request.method,
        "{}",
        fixture.name
    );
    let auth = r
        .headers
        .get("authorization")
        .map(|v| v.to_str().expect("ascii").to_owned());
    assert_eq!(
        auth,
        fixture.request.headers.get("authorization").cloned(),
        "{}: authorization header",
        fixture.name
    );
    match &fixture.request.json {
        Some(json) => {
            let body: serde_json::Value = serde_json::from_slice(&r.body).expect("a JSON body");
            assert_eq!(&body, json, "{}: body", fixture.name);
            assert_eq!(
                r.headers.get("content-type").map(|v| v.as_bytes()),
                Some(&b"application/json"[..]),
                "{}: the document requires Content-Type: application/json",
                fixture.name
            );
        }
        None => assert!(r.body.is_empty(), "{}: no body", fixture.name),
    }
}

fn check_outcome<T: Serialize>(name: &str, result: &Result<T, Error>, expect: Expect) {
    match (expect, result) {
        (Answer, Result::Ok(_)) => {}
        (Rejected(code), Err(e @ Error::Rejected(_))) | (Auth(code), Err(e @ Error::Auth(_))) => {
            assert_eq!(e.provider_code().as_deref(), Some(code), "{name}: {e}");
            let typed = e.code::<Code>().expect("typed code");
            assert_eq!(typed, &Code::from_raw(code), "{name}");
            assert_eq!(
                e.may_have_taken_effect(),
                typed.money_may_have_moved(),
                "{name}: money-may-have-moved follows the code"
            );
            if let Some(status) = typed.http_status() {
                let got = e.rejection().and_then(|r| r.http_status);
                assert!(
                    got == Some(status) || got == Some(200),
                    "{name}: HTTP {got:?}"
                );
            }
        }
        (UnknownCode(code), Err(e)) => {
            let unknown = e
                .outcome_unknown()
                .unwrap_or_else(|| panic!("{name}: {e:?}"));
            assert!(
                unknown
                    .reconcile
                    .as_ref()
                    .is_some_and(|r| r.operation == "status"),
                "{name}: names the status call: {e}"
            );
            assert_eq!(anor_bm::code_of(e), Some(&Code::from_raw(code)), "{name}");
            assert!(e.may_have_taken_effect(), "{name}");
            assert!(!e.is_retryable(), "{name}: never retried blindly");
        }
        (Unknown, Err(e)) => {
            assert!(e.outcome_unknown().is_some(), "{name}: {e:?}");
            assert!(e.may_have_taken_effect(), "{name}");
            assert!(!e.is_retryable(), "{name}: never retried blindly");
        }
        (Http(status), Err(e @ Error::Http { status: s, .. })) => {
            assert_eq!(*s, status, "{name}: {e}");
            assert!(!e.may_have_taken_effect(), "{name}");
        }
        (expect, Result::Ok(v)) => panic!(
            "{name}: expected {expect:?}, got an answer {}",
            serde_json::to_string(v).unwrap_or_default()
        ),
        (expect, Err(e)) => panic!("{name}: expected {expect:?}, got {e:?}"),
    }
}

/// Runs one case: mounts, sends, asserts what was sent and what came back, snapshots.
/// Returns the parsed answer for case-specific checks.
async fn run<Req, T, F, Fut>(
    op: &str,
    case: &str,
    fixture: Fixture,
    needs_login: bool,
    call: F,
) -> Option<T>
where
    Req: DeserializeOwned,
    T: Serialize,
    F: FnOnce(Client, Req) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let name = format!("{op}/{case}");
    let server = server_for(&fixture, needs_login).await;
    let req: Req = serde_json::from_value(
        fixture
            .request
            .json
            .clone()
            .unwrap_or(serde_json::Value::Null),
    )
    .unwrap_or_else(|e| panic!("{name}: the request does not read as the typed request: {e}"));
    let result = call(client(&server.uri()), req).await;
    server.verify().await;
    assert_sent(&server, &fixture).await;
    check_outcome(&name, &result, expected(op, case));
    let snap = format!("{op}__{case}");
    match &result {
        Result::Ok(v) => {
            let shown = serde_json::to_string(v).expect("serializes");
            assert_no_secret(&shown);
            kassa_testkit::snapshot!(snap, v);
        }
        Err(e) => {
            assert_no_secret(&format!("{e} {e:?}"));
            kassa_testkit::snapshot!(snap, &view(e));
        }
    }
    result.ok()
}

fn cases(op: &str) -> Vec<(String, Fixture)> {
    Fixture::cases(P, op)
        .into_iter()
        .filter(|(case, _)| !SPECIAL.contains(&(op, case.as_str())))
        .collect()
}

#[test]
fn every_fixture_is_in_the_table_and_every_operation_has_fixtures() {
    let ops = Fixture::operations(P);
    let catalogue: Vec<&str> = anor_bm::ROUTES.iter().map(|(o, _, _)| *o).collect();
    let mut sorted = catalogue.clone();
    sorted.sort();
    assert_eq!(ops, sorted, "a fixture folder per catalogue operation");
    let mut n = 0;
    for op in &ops {
        for (case, f) in Fixture::cases(P, op) {
            if !SPECIAL.contains(&(op.as_str(), case.as_str())) {
                expected(op, &case);
            }
            let (_, method, path) = anor_bm::ROUTES
                .iter()
                .find(|(o, _, _)| o == op)
                .expect("in the catalogue");
            assert_eq!(f.request.method, *method, "{op}/{case}");
            assert_eq!(f.request.path, *path, "{op}/{case}");
            n += 1;
        }
    }
    assert_eq!(
        n,
        CASES.len() + SPECIAL.len(),
        "the table lists every fixture once"
    );
}

#[tokio::test]
async fn login() {
    for (case, f) in cases("login") {
        let answer =
            run(
                "login",
                &case,
                f,
                false,
                |c: Client, _: serde_json::Value| async move {
                    c.login(&anor_bm::LoginRequest {}).await
                },
            )
            .await;
        if let Some(a) = answer {
            use kassa_core::secret::ExposeSecret;
            assert_eq!(a.status_code, 0);
            assert_eq!(a.result.access_token.expose_secret(), TOKEN);
            assert_eq!(a.result.expires_in, Some(86398));
            assert_eq!(a.result.scope.as_deref(), Some("openid"));
        }
    }
}

#[tokio::test]
async fn refresh_token() {
    for (case, f) in cases("refresh-token") {
        let answer = run(
            "refresh-token",
            &case,
            f,
            false,
            |c: Client, r: RefreshTokenRequest| async move { c.refresh_token(&r).await },
        )
        .await;
        let a = answer.expect("refresh answers");
        assert_eq!(a.result.token_type.as_deref(), Some("bearer"));
        assert!(a.result.refresh_token.is_some());
    }
}

#[tokio::test]
async fn send_otp() {
    for (case, f) in cases("send-otp") {
        if let Some(sent) = run(
            "send-otp",
            &case,
            f,
            true,
            |c: Client, r: SendOtpRequest| async move { c.send_otp(&r).await },
        )
        .await
        {
            assert_eq!(sent.id, 1907947016);
            assert_eq!(sent.phone_mask.as_deref(), Some("99897*****87"));
        }
    }
}

#[tokio::test]
async fn verify_otp() {
    for (case, f) in cases("verify-otp") {
        if let Some(token) = run(
            "verify-otp",
            &case,
            f,
            true,
            |c: Client, r: VerifyOtpRequest| async move { c.verify_otp(&r).await },
        )
        .await
        {
            assert_eq!(token.expose(), "5e82af24-480b-40cd-8c76-769a28bd7f3d");
        }
    }
}

#[tokio::test]
async fn get_user_cards() {
    for (case, f) in cases("get-user-cards") {
        let cards = run(
            "get-user-cards",
            &case,
            f,
            true,
            |c: Client, _: serde_json::Value| async move {
                c.get_user_cards(&anor_bm::GetUserCardsRequest {}).await
            },
        )
        .await
        .expect("cards");
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].pan.as_str(), "860048*****2454");
        assert_eq!(cards[1].card_type.as_deref(), Some("HUMO"));
        assert_eq!(
            cards[0].expiry.map(|e| (e.month(), e.year())),
            Some((5, 78))
        );
    }
}

fn assert_bill(bill: &Bill, id: i64, amount_tiyin: i64, status: BillStatus) {
    assert_eq!(bill.id, id);
    assert_eq!(bill.amount, Some(Money::new(amount_tiyin, Currency::UZS)));
    assert_eq!(bill.currency, Some(Currency::UZS));
    assert_eq!(bill.status, status);
}

#[tokio::test]
async fn unregistered_check() {
    for (case, f) in cases("unregistered-check") {
        if let Some(bill) = run(
            "unregistered-check",
            &case,
            f,
            true,
            |c: Client, r: CheckRequest| async move { c.unregistered_check(&r).await },
        )
        .await
        {
            assert_bill(&bill, 935191, 100, BillStatus::CheckOk);
            let data = bill.data.as_ref().expect("data");
            assert_eq!(data.get_str("leftSeconds"), Some("120"));
            assert_eq!(data.get_str("phone"), Some("+9***275"));
        }
    }
}

#[tokio::test]
async fn unregistered_pay() {
    for (case, f) in cases("unregistered-pay") {
        let result = run(
            "unregistered-pay",
            &case,
            f,
            true,
            |c: Client, r: PayRequest| async move {
                let out = c.unregistered_pay(&r).await;
                if let Err(e) = &out
                    && let Some(u) = e.outcome_unknown()
                {
                    assert_eq!(
                        u.reconcile.as_ref().map(|r| r.to_string()).as_deref(),
                        Some("status with billId=777"),
                        "a lost pay answer carries the billId"
                    );
                }
                out
            },
        )
        .await;
        if let Some(bill) = result {
            assert_bill(&bill, 936532, 1000, BillStatus::Success);
        }
    }
}

#[tokio::test]
async fn unregistered_pay_wrong_request_example_is_refused_before_sending() {
    let fixture = Fixture::load(P, "unregistered-pay", "bad_bill_id_example");
    let server = MockServer::start().await;
    fixture.mock().expect(0).mount(&server).await;
    kassa_testkit::catch_all().mount(&server).await;
    let req: PayRequest = serde_json::from_value(fixture.request.json.clone().expect("json"))
        .expect("billId -1 still reads");
    let err = client(&server.uri())
        .unregistered_pay(&req)
        .await
        .expect_err("billId -1 is refused");
    assert_eq!(err.field(), Some("billId"), "{err}");
    assert_eq!(err.was_sent(), kassa_core::Sent::No);
    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(0),
        "not even a login"
    );
    kassa_testkit::snapshot!("unregistered-pay__bad_bill_id_example", &view(&err));
}

#[tokio::test]
async fn hold() {
    for (case, f) in cases("hold") {
        if let Some(bill) = run(
            "hold",
            &case,
            f,
            true,
            |c: Client, r: PayRequest| async move { c.hold(&r).await },
        )
        .await
        {
            assert_bill(&bill, 936532, 1000, BillStatus::Success);
        }
    }
}

#[tokio::test]
async fn hold_confirm() {
    for (case, f) in cases("hold-confirm") {
        if let Some(bill) = run(
            "hold-confirm",
            &case,
            f,
            true,
            |c: Client, r: BillRequest| async move { c.hold_confirm(&r).await },
        )
        .await
        {
            assert_bill(&bill, 936532, 1000, BillStatus::Success);
            assert_eq!(bill.ext_id.as_deref(), Some("EXT_PAY ID"));
        }
    }
}

#[tokio::test]
async fn hold_more() {
    for (case, f) in cases("hold-more") {
        if let Some(bill) = run(
            "hold-more",
            &case,
            f,
            true,
            |c: Client, r: HoldMoreRequest| async move { c.hold_more(&r).await },
        )
        .await
        {
            assert_bill(&bill, 100000051, 155000, BillStatus::HoldSuccess);
            assert_eq!(bill.account, None);
            assert_eq!(bill.data, None);
        }
    }
}

#[tokio::test]
async fn cancel() {
    for (case, f) in cases("cancel") {
        if let Some(bill) = run(
            "cancel",
            &case,
            f,
            true,
            |c: Client, r: BillRequest| async move { c.cancel(&r).await },
        )
        .await
        {
            assert_bill(&bill, 936532, 1000, BillStatus::Cancelled);
        }
    }
}

#[tokio::test]
async fn hold_reverse() {
    for (case, f) in cases("hold-reverse") {
        if let Some(bill) = run(
            "hold-reverse",
            &case,
            f,
            true,
            |c: Client, r: BillRequest| async move { c.hold_reverse(&r).await },
        )
        .await
        {
            assert_bill(&bill, 936532, 1000, BillStatus::Cancelled);
        }
    }
}

#[tokio::test]
async fn hold_reverse_partial() {
    for (case, f) in cases("hold-reverse-partial") {
        if let Some(bill) = run(
            "hold-reverse-partial",
            &case,
            f,
            true,
            |c: Client, r: ReversePartialRequest| async move { c.hold_reverse_partial(&r).await },
        )
        .await
        {
            assert_bill(&bill, 100151854, 100000, BillStatus::HoldSuccess);
            assert_eq!(bill.session_id, None);
        }
    }
}

#[tokio::test]
async fn status() {
    for (case, f) in cases("status") {
        if let Some(bill) = run(
            "status",
            &case,
            f,
            true,
            |c: Client, r: StatusRequest| async move { c.status(&r).await },
        )
        .await
        {
            let want = if case == "ok_by_agent_tran_id" {
                BillStatus::Success
            } else {
                BillStatus::Cancelled
            };
            assert_bill(&bill, 936532, 1000, want);
        }
    }
}

#[tokio::test]
async fn ext_pay() {
    for (case, f) in cases("ext-pay") {
        if let Some(p) = run(
            "ext-pay",
            &case,
            f,
            true,
            |c: Client, r: ExtPayRequest| async move { c.ext_pay(&r).await },
        )
        .await
        {
            assert!(p.is_success());
            assert_eq!(p.amount, Money::new(100, Currency::UZS));
            assert_eq!(p.agent_tran_id, Some(1668782814));
            assert_eq!(p.bml_id, Some(173388802));
            let sender = p.sender.as_ref().expect("sender");
            assert_eq!(
                sender
                    .commission
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
                Some("0.4")
            );
            let recipient = p.recipient.as_ref().expect("recipient");
            assert_eq!(
                recipient
                    .commission
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
                Some("0.0")
            );
            assert_eq!(
                recipient.commission_amount,
                Some(Money::new(0, Currency::UZS))
            );
        }
    }
}
