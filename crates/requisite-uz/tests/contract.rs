//! Every fixture of `fixtures/requisite-uz/` mounted strictly on wiremock, called through the
//! client, its request asserted (method, path, HTTP Basic header, body), its answer
//! asserted and snapshotted.

mod common;

use std::collections::BTreeSet;

use common::{BASIC, PROVIDER, body_json, client};
use kassa_core::{Currency, Error, Money};
use kassa_testkit::{ErrorView, Fixture};
use requisite_uz::{
    Code, Direction, PaymentBudgetRequest, PaymentRequest, PaymentStatus, ServiceId, ServiceType,
    StatementRequest, call_json, code_of, wire,
};
use serde::Serialize;

/// What a snapshot shows of an error: testkit's view, and what the catalogue says of the
/// code.
#[derive(Serialize)]
struct CodeView {
    #[serde(flatten)]
    error: ErrorView,
    meaning: Option<&'static str>,
    action: Option<&'static str>,
}

impl CodeView {
    fn of(err: &Error) -> CodeView {
        let code = code_of(err);
        CodeView {
            error: ErrorView::of(err),
            meaning: code.map(Code::meaning),
            action: code.map(Code::action),
        }
    }
}

/// What a snapshot shows: the parsed answer, or the typed error.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Parsed {
    Answer(serde_json::Value),
    Error(CodeView),
}

fn request_text(fixture: &Fixture) -> String {
    fixture
        .request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// The operation's parameters as the CLI takes them: the fixture's JSON body, or the path
/// parameter.
fn params(op: &str, fixture: &Fixture) -> String {
    let path = fixture.request.path.as_str();
    match op {
        "payment-status" => {
            let id = path
                .strip_prefix("/api/v2/payment/")
                .expect("a payment-status path");
            serde_json::json!({ "orderId": id }).to_string()
        }
        "balance" => {
            let id = path
                .strip_prefix("/api/v2/account/")
                .and_then(|p| p.strip_suffix("/balance"))
                .expect("a balance path");
            serde_json::json!({ "serviceId": id }).to_string()
        }
        _ => request_text(fixture),
    }
}

/// Calls the operation through the crate's operation table, as the CLI does.
async fn call(
    client: &requisite_uz::Client,
    op: &str,
    fixture: &Fixture,
) -> Result<serde_json::Value, Error> {
    let answer = call_json(client, op, &params(op, fixture)).await?;
    Ok(serde_json::from_str(&answer).expect("the answer is JSON"))
}

/// The code a case is about, from its name: `code_1013_...` or `code_unknown_...`.
fn expected_code(case: &str) -> Option<Code> {
    let rest = case.strip_prefix("code_")?;
    if rest.starts_with("unknown") {
        return Some(Code::Unknown("4242".into()));
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(Code::from_raw(&digits))
}

/// Fixtures whose request the typed client refuses to send, with the field it names.
const UNSENDABLE: [(&str, &str, &str); 3] = [
    // A missing field is named by its own path (core's `ops::parse`).
    (
        "payment-budget",
        "code_1017_missing_required_fields",
        "purposeCode",
    ),
    // Unprintable text is refused before sending (the bank would answer 1015/1016).
    (
        "payment",
        "code_1015_receiver_name_unprintable",
        "receiverName",
    ),
    ("payment", "code_1016_purpose_unprintable", "purpose"),
];

async fn run_operation(op: &str) -> usize {
    let cases = Fixture::cases(PROVIDER, op);
    assert!(!cases.is_empty(), "no fixtures for {op}");
    for (case, fixture) in &cases {
        if let Some((_, _, field)) = UNSENDABLE.iter().find(|(o, c, _)| *o == op && c == case) {
            let server = wiremock::MockServer::start().await;
            kassa_testkit::catch_all().mount(&server).await;
            let err = call(&client(&server.uri()), op, fixture)
                .await
                .expect_err(case);
            assert_eq!(err.field(), Some(*field), "{op}/{case}: {err}");
            assert_eq!(
                server.received_requests().await.map(|r| r.len()),
                Some(0),
                "{op}/{case}"
            );
            kassa_testkit::snapshot!(format!("{op}__{case}"), &Parsed::Error(CodeView::of(&err)));
            continue;
        }
        let server = kassa_testkit::mount(fixture).await;
        let result = call(&client(&server.uri()), op, fixture).await;

        // The request: method, path, HTTP Basic, body.
        let got = server.received_requests().await.expect("recording on");
        assert_eq!(got.len(), 1, "{op}/{case}: one request");
        let sent = &got[0];
        assert_eq!(sent.method.as_str(), fixture.request.method, "{op}/{case}");
        assert_eq!(sent.url.path(), fixture.request.path, "{op}/{case}");
        assert_eq!(sent.url.query(), None, "{op}/{case}: no query");
        assert_eq!(
            sent.headers
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some(BASIC),
            "{op}/{case}"
        );
        match &fixture.request.json {
            Some(json) => assert_eq!(&body_json(sent), json, "{op}/{case}: body"),
            None => assert!(sent.body.is_empty(), "{op}/{case}: no body"),
        }

        // The answer.
        let parsed = match (expected_code(case), result) {
            (None, Ok(answer)) => Parsed::Answer(answer),
            (None, Err(e)) => panic!("{op}/{case}: {e}"),
            (Some(code), Ok(answer)) => panic!("{op}/{case}: expected {code}, got {answer}"),
            (Some(code), Err(err)) => {
                assert_eq!(code_of(&err), Some(&code), "{op}/{case}: {err}");
                let state_changing = op == "payment" || op == "payment-budget";
                if state_changing && !code.is_definite_refusal() {
                    let order_id = fixture
                        .request
                        .json
                        .as_ref()
                        .and_then(|j| j["orderId"].as_str());
                    let unknown = err
                        .outcome_unknown()
                        .unwrap_or_else(|| panic!("{op}/{case}: {err:?}"));
                    assert_eq!(
                        unknown.reconcile.as_ref().map(ToString::to_string),
                        order_id.map(|id| format!("payment-status with orderId={id}")),
                        "{op}/{case}"
                    );
                    assert!(err.may_have_taken_effect(), "{op}/{case}");
                } else if code == Code::UserNotFound {
                    assert!(err.is_auth(), "{op}/{case}: {err:?}");
                } else {
                    assert!(matches!(err, Error::Rejected(_)), "{op}/{case}: {err:?}");
                    assert!(!err.may_have_taken_effect(), "{op}/{case}");
                    let message = fixture
                        .response
                        .json
                        .as_ref()
                        .and_then(|j| j["message"].as_str());
                    assert_eq!(
                        err.rejection().map(|r| r.message.as_str()),
                        message,
                        "{op}/{case}"
                    );
                }
                assert!(!err.is_retryable(), "{op}/{case}");
                Parsed::Error(CodeView::of(&err))
            }
        };
        kassa_testkit::snapshot!(format!("{op}__{case}"), &parsed);
        server.verify().await;
    }
    cases.len()
}

#[tokio::test]
async fn services_fixtures() {
    assert_eq!(run_operation("services").await, 1);
}

#[tokio::test]
async fn payment_fixtures() {
    assert_eq!(run_operation("payment").await, 13);
}

#[tokio::test]
async fn payment_budget_fixtures() {
    assert_eq!(run_operation("payment-budget").await, 7);
}

#[tokio::test]
async fn payment_status_fixtures() {
    assert_eq!(run_operation("payment-status").await, 5);
}

#[tokio::test]
async fn balance_fixtures() {
    assert_eq!(run_operation("balance").await, 5);
}

#[tokio::test]
async fn statement_fixtures() {
    assert_eq!(run_operation("statement").await, 6);
}

#[test]
fn every_documented_code_has_a_fixture() {
    let mut seen = BTreeSet::new();
    for op in Fixture::operations(PROVIDER) {
        for (case, _) in Fixture::cases(PROVIDER, &op) {
            if let Some(code) = expected_code(&case) {
                seen.insert(code.raw().to_owned());
            }
        }
    }
    for code in Code::DOCUMENTED {
        assert!(seen.contains(code.raw()), "no fixture for code {code}");
    }
    assert_eq!(
        Fixture::operations(PROVIDER),
        [
            "balance",
            "payment",
            "payment-budget",
            "payment-status",
            "services",
            "statement"
        ]
    );
}

#[tokio::test]
async fn services_are_typed() {
    let fixture = Fixture::load(PROVIDER, "services", "ok");
    let server = kassa_testkit::mount(&fixture).await;
    let services = client(&server.uri()).services().await.expect("services");
    let kinds: Vec<(u64, ServiceType, bool)> = services
        .iter()
        .map(|s| (s.id.0, s.kind.clone(), s.activated))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (34, ServiceType::WorkingWithCard, true),
            (35, ServiceType::WorkingWithCard, true),
            (33, ServiceType::CardIsOptional, true),
        ]
    );
    assert_eq!(services[2].name, "Расщепления");
}

#[tokio::test]
async fn payment_statuses_are_typed() {
    for (op, case, status, doc_id) in [
        ("payment", "ok", PaymentStatus::Entered, "1180_1841519885"),
        (
            "payment",
            "ok_uzcard_conducted",
            PaymentStatus::Posted,
            "1180_1841519902",
        ),
        ("payment-budget", "ok", PaymentStatus::Entered, "1290084933"),
        (
            "payment-status",
            "ok",
            PaymentStatus::Posted,
            "1180_1841519885",
        ),
        (
            "payment-status",
            "status_entered",
            PaymentStatus::Entered,
            "1290084933",
        ),
        (
            "payment-status",
            "status_deleted",
            PaymentStatus::Deleted,
            "1180_1841519886",
        ),
    ] {
        let fixture = Fixture::load(PROVIDER, op, case);
        let server = kassa_testkit::mount(&fixture).await;
        let answer = call(&client(&server.uri()), op, &fixture)
            .await
            .expect(case);
        let result: requisite_uz::PaymentResult =
            serde_json::from_value(answer).expect("a payment result");
        assert_eq!(
            (result.payment_status, result.doc_id.as_str()),
            (status, doc_id),
            "{op}/{case}"
        );
    }
}

#[tokio::test]
async fn balance_is_exact_tiyin() {
    let fixture = Fixture::load(PROVIDER, "balance", "ok");
    let server = kassa_testkit::mount(&fixture).await;
    let balance = client(&server.uri())
        .balance(ServiceId(2))
        .await
        .expect("balance");
    assert_eq!(balance.balance, Money::new(1100, Currency::UZS));
    assert_eq!(balance.balance.to_string(), "11.00 UZS");
}

#[tokio::test]
async fn statement_rows_are_typed() {
    let fixture = Fixture::load(PROVIDER, "statement", "ok");
    let server = kassa_testkit::mount(&fixture).await;
    let req: StatementRequest = wire::from_json(&request_text(&fixture)).expect("request");
    let rows = client(&server.uri())
        .statement(&req)
        .await
        .expect("statement");
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, 2_111_291_793);
    assert_eq!(row.amount, Money::new(400, Currency::UZS));
    assert_eq!(row.direction, Direction::Incoming);
    assert_eq!(row.doc_date, time::macros::datetime!(2023-02-01 16:32:23));
    assert_eq!(row.bank_day(), time::macros::date!(2023 - 02 - 01));
    assert_eq!(row.name_payer, "ООО \"MARKETPLACE TRADING\"");
    assert_eq!(row.status, PaymentStatus::Posted);
}

#[tokio::test]
async fn a_fetched_services_list_makes_card_fields_required_before_sending() {
    let server = wiremock::MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "services", "ok")).await;
    let client = client(&server.uri());
    let services = client.services().await.expect("services");
    assert_eq!(client.cached_services().map(|l| l.len()), Some(3));

    // The document's 1017 case (service 34, no card fields) is refused before sending.
    let fixture = Fixture::load(PROVIDER, "payment", "code_1017_missing_required_fields");
    let req: PaymentRequest = wire::from_json(&request_text(&fixture)).expect("request");
    let err = client
        .payment(&req)
        .await
        .expect_err("refNumber is required");
    assert_eq!(err.field(), Some("refNumber"), "{err}");
    assert!(err.to_string().contains("WORKING_WITH_CARD"), "{err}");

    // A service the list does not have is refused too.
    let other = PaymentRequest {
        service_id: ServiceId(2),
        ..req.clone()
    };
    assert_eq!(
        client.payment(&other).await.expect_err("unknown").field(),
        Some("serviceId")
    );

    // The service can be passed instead; it must be the request's.
    let optional = services.iter().find(|s| s.id == ServiceId(33)).expect("33");
    assert_eq!(
        client
            .payment_for(optional, &req)
            .await
            .expect_err("mismatch")
            .field(),
        Some("serviceId")
    );
    let mut off = services[0].clone();
    off.activated = false;
    assert_eq!(
        client
            .payment_for(&off, &req)
            .await
            .expect_err("off")
            .field(),
        Some("serviceId")
    );

    let budget_fixture = Fixture::load(PROVIDER, "payment-budget", "code_1017_card_fields_missing");
    let budget: PaymentBudgetRequest =
        wire::from_json(&request_text(&budget_fixture)).expect("request");
    assert_eq!(
        client
            .payment_budget(&budget)
            .await
            .expect_err("card")
            .field(),
        Some("refNumber")
    );

    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(1),
        "only services was sent"
    );
    server.verify().await;
}

#[tokio::test]
async fn wire_readers_name_the_field_for_a_cli() {
    let fixture = Fixture::load(PROVIDER, "payment", "ok");
    let mut json = fixture.request.json.clone().expect("json");
    json["cardType"] = "VISA".into();
    let err = wire::from_json::<PaymentRequest>(&json.to_string()).expect_err("VISA");
    assert_eq!(err.field(), Some("cardType"));
    json["cardType"] = "HUMO".into();
    json["cardNumber"] = serde_json::json!(9_860_531_554_896_678_u64);
    let err = wire::from_json::<PaymentRequest>(&json.to_string()).expect_err("a number");
    assert_eq!(err.field(), Some("cardNumber"));
    assert!(!err.to_string().contains("9860531554896678"), "{err}");
    json["cardNumber"] = "9860531554896678".into();
    json["amount"] = "50.5".into();
    let err = wire::from_json::<PaymentRequest>(&json.to_string()).expect_err("tiyin are whole");
    assert_eq!(err.field(), Some("amount"));
}
