//! Contract tests: every fixture in `fixtures/anor-bm/` is mounted strictly on wiremock
//! (method, path, exact query, authorization header, JSON body, expected once), the
//! fixture's request is sent through the crate's operation table (`anor_bm::call_json`, as
//! the CLI does), and the outcome is asserted and snapshotted. The typed answers of the
//! successful cases are then checked field by field through the client's own methods.
//!
//! Requests are the fixture's `request.json` text, read by the request types' own
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
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
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

fn check_outcome(name: &str, fixture: &Fixture, result: &Result<String, Error>, expect: Expect) {
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
            assert_names_status(name, fixture, e);
            assert_eq!(anor_bm::code_of(e), Some(&Code::from_raw(code)), "{name}");
            assert!(e.may_have_taken_effect(), "{name}");
            assert!(!e.is_retryable(), "{name}: never retried blindly");
        }
        (Unknown, Err(e)) => {
            assert_names_status(name, fixture, e);
            assert!(e.may_have_taken_effect(), "{name}");
            assert!(!e.is_retryable(), "{name}: never retried blindly");
        }
        (Http(status), Err(e @ Error::Http { status: s, .. })) => {
            assert_eq!(*s, status, "{name}: {e}");
            assert!(!e.may_have_taken_effect(), "{name}");
        }
        (expect, Result::Ok(v)) => panic!("{name}: expected {expect:?}, got an answer {v}"),
        (expect, Err(e)) => panic!("{name}: expected {expect:?}, got {e:?}"),
    }
}

/// An outcome-unknown names the status call with the request's own `billId`.
fn assert_names_status(name: &str, fixture: &Fixture, e: &Error) {
    let unknown = e
        .outcome_unknown()
        .unwrap_or_else(|| panic!("{name}: {e:?}"));
    let bill_id = fixture
        .request
        .json
        .as_ref()
        .and_then(|j| j.get("billId"))
        .unwrap_or_else(|| panic!("{name}: the request has a billId"));
    assert_eq!(
        unknown.reconcile.as_ref().map(ToString::to_string),
        Some(format!("status with billId={bill_id}")),
        "{name}: a lost answer names the status call with the request's billId: {e}"
    );
}

/// True when `op` obtains the token itself, so no `login/ok` comes first.
fn is_login(op: &str) -> bool {
    matches!(op, "login" | "refresh-token")
}

/// The parameters `call_json` gets: the fixture's JSON body as text, except for `login`,
/// whose body the client builds from its credentials.
fn params(op: &str, fixture: &Fixture) -> String {
    match (&fixture.request.json, op) {
        (_, "login") | (None, _) => String::new(),
        (Some(json), _) => json.to_string(),
    }
}

/// Runs every case of `op` (but the special ones): mounts, sends through the operation
/// table, asserts what was sent and what came back, snapshots.
async fn run_operation(op: &str) {
    let cases = cases(op);
    assert!(!cases.is_empty(), "{op} has no fixture");
    for (case, fixture) in cases {
        let name = format!("{op}/{case}");
        let server = server_for(&fixture, !is_login(op)).await;
        let result = anor_bm::call_json(&client(&server.uri()), op, &params(op, &fixture)).await;
        server.verify().await;
        assert_sent(&server, &fixture).await;
        check_outcome(&name, &fixture, &result, expected(op, &case));
        let snap = format!("{op}__{case}");
        match result {
            Result::Ok(answer) => {
                assert_no_secret(&answer);
                let raw = RawValue::from_string(answer).expect("the answer is JSON");
                kassa_testkit::snapshot!(snap, &raw);
            }
            Err(e) => {
                assert_no_secret(&format!("{e} {e:?}"));
                kassa_testkit::snapshot!(snap, &view(&e));
            }
        }
    }
}

/// The successful cases of `op`, each with a client on a fresh server that answers it
/// strictly once (after `login/ok` when the call needs a token) and the typed request,
/// for the checks of the typed answer.
async fn answered<Req: DeserializeOwned>(op: &str) -> Vec<(String, MockServer, Client, Req)> {
    let mut out = Vec::new();
    for (o, case, expect) in CASES {
        if *o != op || *expect != Answer {
            continue;
        }
        let fixture = Fixture::load(P, op, case);
        let server = server_for(&fixture, !is_login(op)).await;
        let text = params(op, &fixture);
        let req: Req = serde_json::from_str(if text.is_empty() { "{}" } else { &text })
            .unwrap_or_else(|e| panic!("{op}/{case}: the request does not read: {e}"));
        let client = client(&server.uri());
        out.push(((*case).to_owned(), server, client, req));
    }
    assert!(!out.is_empty(), "{op} has no successful case");
    out
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
    run_operation("login").await;
    for (case, server, c, req) in answered::<anor_bm::LoginRequest>("login").await {
        use kassa_core::secret::ExposeSecret;
        let a = c.login(&req).await.expect(&case);
        assert_eq!(a.status_code, 0);
        assert_eq!(a.result.access_token.expose_secret(), TOKEN);
        assert_eq!(a.result.expires_in, Some(86398));
        assert_eq!(a.result.scope.as_deref(), Some("openid"));
        server.verify().await;
    }
}

#[tokio::test]
async fn refresh_token() {
    run_operation("refresh-token").await;
    for (case, server, c, req) in answered::<RefreshTokenRequest>("refresh-token").await {
        let a = c.refresh_token(&req).await.expect(&case);
        assert_eq!(a.result.token_type.as_deref(), Some("bearer"));
        assert!(a.result.refresh_token.is_some());
        server.verify().await;
    }
}

#[tokio::test]
async fn send_otp() {
    run_operation("send-otp").await;
    for (case, server, c, req) in answered::<SendOtpRequest>("send-otp").await {
        let sent = c.send_otp(&req).await.expect(&case);
        assert_eq!(sent.id, 1907947016);
        assert_eq!(sent.phone_mask.as_deref(), Some("99897*****87"));
        server.verify().await;
    }
}

#[tokio::test]
async fn verify_otp() {
    run_operation("verify-otp").await;
    for (case, server, c, req) in answered::<VerifyOtpRequest>("verify-otp").await {
        let token = c.verify_otp(&req).await.expect(&case);
        assert_eq!(token.expose(), "5e82af24-480b-40cd-8c76-769a28bd7f3d");
        server.verify().await;
    }
}

#[tokio::test]
async fn get_user_cards() {
    run_operation("get-user-cards").await;
    for (case, server, c, req) in answered::<anor_bm::GetUserCardsRequest>("get-user-cards").await {
        let cards = c.get_user_cards(&req).await.expect(&case);
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].pan.as_str(), "860048*****2454");
        assert_eq!(cards[1].card_type.as_deref(), Some("HUMO"));
        assert_eq!(
            cards[0].expiry.map(|e| (e.month(), e.year())),
            Some((5, 78))
        );
        server.verify().await;
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
    run_operation("unregistered-check").await;
    for (case, server, c, req) in answered::<CheckRequest>("unregistered-check").await {
        let bill = c.unregistered_check(&req).await.expect(&case);
        assert_bill(&bill, 935191, 100, BillStatus::CheckOk);
        let data = bill.data.as_ref().expect("data");
        assert_eq!(data.get_str("leftSeconds"), Some("120"));
        assert_eq!(data.get_str("phone"), Some("+9***275"));
        server.verify().await;
    }
}

#[tokio::test]
async fn unregistered_pay() {
    run_operation("unregistered-pay").await;
    for (case, server, c, req) in answered::<PayRequest>("unregistered-pay").await {
        let bill = c.unregistered_pay(&req).await.expect(&case);
        assert_bill(&bill, 936532, 1000, BillStatus::Success);
        server.verify().await;
    }
}

#[tokio::test]
async fn unregistered_pay_wrong_request_example_is_refused_before_sending() {
    let fixture = Fixture::load(P, "unregistered-pay", "bad_bill_id_example");
    let server = MockServer::start().await;
    fixture.mock().expect(0).mount(&server).await;
    kassa_testkit::catch_all().mount(&server).await;
    let params = params("unregistered-pay", &fixture);
    assert!(params.contains(r#""billId":-1"#), "{params}");
    let err = anor_bm::call_json(&client(&server.uri()), "unregistered-pay", &params)
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
    run_operation("hold").await;
    for (case, server, c, req) in answered::<PayRequest>("hold").await {
        let bill = c.hold(&req).await.expect(&case);
        assert_bill(&bill, 936532, 1000, BillStatus::Success);
        server.verify().await;
    }
}

#[tokio::test]
async fn hold_confirm() {
    run_operation("hold-confirm").await;
    for (case, server, c, req) in answered::<BillRequest>("hold-confirm").await {
        let bill = c.hold_confirm(&req).await.expect(&case);
        assert_bill(&bill, 936532, 1000, BillStatus::Success);
        assert_eq!(bill.ext_id.as_deref(), Some("EXT_PAY ID"));
        server.verify().await;
    }
}

#[tokio::test]
async fn hold_more() {
    run_operation("hold-more").await;
    for (case, server, c, req) in answered::<HoldMoreRequest>("hold-more").await {
        let bill = c.hold_more(&req).await.expect(&case);
        assert_bill(&bill, 100000051, 155000, BillStatus::HoldSuccess);
        assert_eq!(bill.account, None);
        assert_eq!(bill.data, None);
        server.verify().await;
    }
}

#[tokio::test]
async fn cancel() {
    run_operation("cancel").await;
    for (case, server, c, req) in answered::<BillRequest>("cancel").await {
        let bill = c.cancel(&req).await.expect(&case);
        assert_bill(&bill, 936532, 1000, BillStatus::Cancelled);
        server.verify().await;
    }
}

#[tokio::test]
async fn hold_reverse() {
    run_operation("hold-reverse").await;
    for (case, server, c, req) in answered::<BillRequest>("hold-reverse").await {
        let bill = c.hold_reverse(&req).await.expect(&case);
        assert_bill(&bill, 936532, 1000, BillStatus::Cancelled);
        server.verify().await;
    }
}

#[tokio::test]
async fn hold_reverse_partial() {
    run_operation("hold-reverse-partial").await;
    for (case, server, c, req) in answered::<ReversePartialRequest>("hold-reverse-partial").await {
        let bill = c.hold_reverse_partial(&req).await.expect(&case);
        assert_bill(&bill, 100151854, 100000, BillStatus::HoldSuccess);
        assert_eq!(bill.session_id, None);
        server.verify().await;
    }
}

#[tokio::test]
async fn status() {
    run_operation("status").await;
    for (case, server, c, req) in answered::<StatusRequest>("status").await {
        let bill = c.status(&req).await.expect(&case);
        let want = if case == "ok_by_agent_tran_id" {
            BillStatus::Success
        } else {
            BillStatus::Cancelled
        };
        assert_bill(&bill, 936532, 1000, want);
        server.verify().await;
    }
}

#[tokio::test]
async fn ext_pay() {
    run_operation("ext-pay").await;
    for (case, server, c, req) in answered::<ExtPayRequest>("ext-pay").await {
        let p = c.ext_pay(&req).await.expect(&case);
        assert!(p.is_success());
        assert_eq!(p.amount, Money::new(100, Currency::UZS));
        assert_eq!(p.agent_tran_id, Some(1668782814));
        assert_eq!(p.bml_id, Some(173388802));
        let commissions = [&p.sender, &p.recipient].map(|party| {
            party
                .as_ref()
                .and_then(|x| x.commission.as_ref())
                .map(ToString::to_string)
        });
        assert_eq!(commissions, [Some("0.4".into()), Some("0.0".into())]);
        let recipient = p.recipient.as_ref().expect("recipient");
        assert_eq!(
            recipient.commission_amount,
            Some(Money::new(0, Currency::UZS))
        );
        server.verify().await;
    }
}
