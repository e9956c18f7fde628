//! Contract tests: every fixture of every exchanger operation is mounted strictly on
//! wiremock and called through `exchanger::call_json`; the form body and the three API
//! headers are asserted, the outcome is asserted against an explicit table, and the answer
//! (or the error) is snapshotted. The inbound bid callback's fixtures are parsed.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{KEY, LOGIN, form_of, received_on};
use exchanger::{BidId, BidStatus, Client, Code, code_of, parse_callback};
use kassa_core::{Error, Sent};
use kassa_testkit::{ErrorView, Fixture};
use serde::Serialize;

const PROVIDER: &str = "exchanger";

/// What a fixture's answer must become.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Ok,
    Auth(Code),
    Rejected(Code),
    OutcomeUnknown(Code),
    Inbound,
}

use Expect::*;

/// The crate's contract, written out case by case.
fn cases() -> Vec<(&'static str, &'static str, Expect)> {
    vec![
        (
            "add-partner-payout",
            "method_not_supported",
            Rejected(Code::MethodNotSupported),
        ),
        ("add-partner-payout", "ok", Ok),
        ("add-partner-payout", "ok_numeric_id", Ok),
        ("bid-callback", "ok", Inbound),
        ("bid-callback", "ok_no_status", Inbound),
        ("bid-callback", "ok_unknown_status", Inbound),
        ("bid-info", "no_bid", Rejected(Code::NoBidExists)),
        ("bid-info", "ok_by_hash", Ok),
        ("bid-info", "ok_by_id", Ok),
        ("cancel-bid", "no_bid", Rejected(Code::NoBidExists)),
        // An error the document does not name, answered to a call that changes state: the
        // client cannot tell it did nothing.
        (
            "cancel-bid",
            "not_allowed",
            OutcomeUnknown(Code::Unknown("1".into())),
        ),
        ("cancel-bid", "ok", Ok),
        ("cancel-bid", "ok_bare_status", Ok),
        ("create-bid", "api_disabled", Auth(Code::ApiDisabled)),
        (
            "create-bid",
            "direction_not_found",
            Rejected(Code::DirectionNotFound),
        ),
        ("create-bid", "ok", Ok),
        ("create-bid", "ok_pay_link", Ok),
        (
            "get-calc",
            "direction_not_found",
            Rejected(Code::DirectionNotFound),
        ),
        ("get-calc", "ok", Ok),
        ("get-calc", "ok_changed", Ok),
        (
            "get-direction",
            "direction_not_found",
            Rejected(Code::DirectionNotFound),
        ),
        ("get-direction", "ok", Ok),
        ("get-direction", "ok_no_limits", Ok),
        ("get-direction-currencies", "empty", Ok),
        ("get-direction-currencies", "ok", Ok),
        ("get-direction-currencies", "ok_filtered_keyed", Ok),
        ("get-directions", "empty", Ok),
        ("get-directions", "ok", Ok),
        ("get-directions", "ok_keyed", Ok),
        ("get-exchanges", "empty", Ok),
        ("get-exchanges", "ok", Ok),
        ("get-exchanges", "ok_by_api_id", Ok),
        ("get-exchanges", "ok_items_keyed", Ok),
        ("get-partner-exchanges", "empty", Ok),
        ("get-partner-exchanges", "ok", Ok),
        ("get-partner-exchanges", "ok_items_keyed", Ok),
        (
            "get-partner-info",
            "method_not_supported",
            Rejected(Code::MethodNotSupported),
        ),
        ("get-partner-info", "ok", Ok),
        ("get-partner-info", "ok_commission_keyed", Ok),
        ("get-partner-links", "empty", Ok),
        ("get-partner-links", "ok", Ok),
        ("get-partner-payouts", "empty", Ok),
        ("get-partner-payouts", "ok", Ok),
        ("pay-bid", "no_bid", Rejected(Code::NoBidExists)),
        ("pay-bid", "ok", Ok),
        ("pay-bid", "ok_bare_status", Ok),
        ("success-bid", "no_bid", Rejected(Code::NoBidExists)),
        ("success-bid", "ok", Ok),
        ("success-bid", "ok_bare_status", Ok),
        ("test", "api_disabled", Auth(Code::ApiDisabled)),
        (
            "test",
            "method_not_supported",
            Rejected(Code::MethodNotSupported),
        ),
        ("test", "ok", Ok),
        ("test", "ok_lang", Ok),
        ("test", "ok_trailing_slash", Ok),
    ]
}

#[test]
fn the_case_table_is_the_fixtures_folder() {
    let table: BTreeSet<(String, String)> = cases()
        .into_iter()
        .map(|(op, case, _)| (op.to_owned(), case.to_owned()))
        .collect();
    let mut folders = BTreeSet::new();
    for op in Fixture::operations(PROVIDER) {
        for (case, _) in Fixture::cases(PROVIDER, &op) {
            folders.insert((op.clone(), case));
        }
    }
    assert_eq!(table, folders);
    let mut ops: Vec<&str> = exchanger::OPERATIONS.iter().map(|o| o.name).collect();
    ops.push("bid-callback");
    ops.sort_unstable();
    assert_eq!(Fixture::operations(PROVIDER), ops);
}

/// The JSON parameters `call_json` takes for a fixture's form: the fields as they are,
/// but get-calc's `cd` given as its (name, value) pairs, so the client's encoding is what
/// the strict mock checks.
fn params(op: &str, form: &BTreeMap<String, String>) -> String {
    let mut map = serde_json::Map::new();
    for (k, v) in form {
        if op == "get-calc" && k == "cd" {
            let once: String = form_urlencoded::parse(format!("x={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .expect("decodes");
            let pairs: Vec<(String, String)> = form_urlencoded::parse(once.as_bytes())
                .map(|(a, b)| (a.into_owned(), b.into_owned()))
                .collect();
            map.insert("cd".into(), serde_json::to_value(pairs).expect("pairs"));
        } else {
            map.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::Value::Object(map).to_string()
}

#[derive(Serialize)]
struct CodeView {
    #[serde(flatten)]
    error: ErrorView,
    provider_message: Option<String>,
}

fn client_for(uri: &str, case: &str) -> Client {
    let b = Client::builder(uri)
        .login(LOGIN)
        .key(KEY)
        .transport(kassa_testkit::quiet_transport())
        .timeouts(kassa_core::Timeouts::none());
    let b = match case {
        "ok_lang" => b.language("en_US"),
        "ok_trailing_slash" => b.trailing_slash(true),
        _ => b,
    };
    b.build().expect("client builds")
}

async fn run(op: &str, case: &str, expect: Expect) {
    let name = format!("{op}/{case}");
    let fixture = Fixture::load(PROVIDER, op, case);
    if expect == Inbound {
        let (_headers, body) = fixture.inbound();
        let cb = parse_callback(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cb.claimed().bid_id, BidId(1350), "{name}");
        assert!(cb.reason().contains("bid_info"), "{name}");
        let form = fixture.request.form.clone().unwrap_or_default();
        assert_eq!(
            cb.claimed().status.as_ref().map(BidStatus::raw),
            form.get("status").map(String::as_str),
            "{name}"
        );
        if case == "ok_unknown_status" {
            assert!(
                matches!(cb.claimed().status, Some(BidStatus::Unknown(_))),
                "{name}"
            );
        }
        kassa_testkit::snapshot!(format!("{op}__{case}"), cb.claimed());
        return;
    }
    let server = kassa_testkit::mount(&fixture).await;
    let client = client_for(&server.uri(), case);
    let form = fixture.request.form.clone().unwrap_or_default();
    let result = exchanger::call_json(&client, op, &params(op, &form)).await;
    server.verify().await;

    let all = server.received_requests().await.expect("recording on");
    assert_eq!(all.len(), 1, "{name}: one request");
    let on = received_on(&server, &fixture.request.path).await;
    assert_eq!(on.len(), 1, "{name}: on {}", fixture.request.path);
    let r = &on[0];
    assert_eq!(r.method.as_str(), "POST", "{name}");
    assert_eq!(form_of(r), form, "{name}: the form body");
    let header = |h: &str| {
        r.headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("api-login").as_deref(), Some(LOGIN), "{name}");
    assert_eq!(header("api-key").as_deref(), Some(KEY), "{name}");
    assert_eq!(
        header("api-lang").as_deref(),
        (case == "ok_lang").then_some("en_US"),
        "{name}"
    );
    assert!(
        header("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")),
        "{name}"
    );

    let snapshot_name = format!("{op}__{case}");
    match (expect, result) {
        (Ok, Result::Ok(answer)) => {
            let raw = serde_json::value::RawValue::from_string(answer).expect("json text");
            kassa_testkit::snapshot!(snapshot_name, &raw);
        }
        (Ok, Err(err)) => panic!("{name}: expected success, got {err}"),
        (expect, Result::Ok(answer)) => panic!("{name}: expected {expect:?}, got {answer}"),
        (expect, Err(err)) => {
            let code = match &expect {
                Auth(c) => {
                    assert!(err.is_auth(), "{name}: {err:?}");
                    c
                }
                Rejected(c) => {
                    assert!(matches!(err, Error::Rejected(_)), "{name}: {err:?}");
                    c
                }
                OutcomeUnknown(c) => {
                    assert!(err.outcome_unknown().is_some(), "{name}: {err:?}");
                    c
                }
                Ok | Inbound => unreachable!(),
            };
            assert_eq!(code_of(&err), Some(code), "{name}");
            let text = fixture
                .response
                .json
                .as_ref()
                .and_then(|j| j["error_text"].as_str());
            let message = err.rejection_anywhere().map(|r| r.message.clone());
            assert_eq!(message.as_deref(), text, "{name}: the error's text is kept");
            let moved = matches!(expect, OutcomeUnknown(_));
            assert_eq!(err.may_have_taken_effect(), moved, "{name}");
            assert_eq!(
                err.was_sent(),
                if moved { Sent::Maybe } else { Sent::Yes },
                "{name}"
            );
            kassa_testkit::snapshot!(
                snapshot_name,
                &CodeView {
                    error: ErrorView::of(&err),
                    provider_message: message,
                }
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_fixture_case() {
    for (op, case, expect) in cases() {
        run(op, case, expect).await;
    }
}
