//! Contract tests: every fixture of every mobilnik operation is mounted strictly on
//! wiremock, called through the client, its query asserted parameter by parameter, its
//! outcome asserted, and snapshotted (the parsed answer, or a summary of the error).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{auth_query, client, map, query_of, received_on};
use kassa_core::ops::EffectKind;
use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::{Currency, Error, Money, Sent};
use kassa_testkit::{ErrorView, Fixture};
use mobilnik::{
    CheckPaymentRequest, CheckRequisiteRequest, Client, Code, DeviceId, OperationId,
    PaymentRequest, PaymentStatus, TransferRequest, code_of, som,
};
use serde::Serialize;
use wiremock::MockServer;

const PROVIDER: &str = "mobilnik";
const OPERATIONS: [&str; 6] = [
    "authenticate",
    "check-payment",
    "check-requisite",
    "payment",
    "service-list",
    "transfer-request",
];

/// What a fixture's answer must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Auth(i64),
    Rejected(i64),
    OutcomeUnknown(i64),
    Http(u16),
}

/// The crate's contract, written out independently of its code: 0 or no `status_code` is
/// success, 27 (and refused credentials on authenticate) re-authenticates, SYSTEM_FAILURE
/// on a money call is outcome-unknown, every other code is a refusal.
fn expected(op: &str, f: &Fixture) -> Expect {
    if f.response.status != 200 {
        return Expect::Http(f.response.status);
    }
    let code = f
        .response
        .json
        .as_ref()
        .and_then(|j| j.get("status_code"))
        .and_then(serde_json::Value::as_i64);
    match code {
        None | Some(0) => Expect::Ok,
        Some(27) => Expect::Auth(27),
        Some(c @ (1 | 7 | 8 | 9)) if op == "authenticate" => Expect::Auth(c),
        Some(-2) if op == "payment" || op == "transfer-request" => Expect::OutcomeUnknown(-2),
        Some(c) => Expect::Rejected(c),
    }
}

fn text<'a>(q: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    q.get(key)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("fixture query lacks {key}"))
}

/// Calls `op` through the crate's operation table with the parameters the fixture's query
/// holds (all but the ones the client adds itself: `id`, `token`, `client`, and the
/// credentials of `authenticate`); the answer as JSON text.
async fn call(client: &Client, op: &str, q: &BTreeMap<String, String>) -> Result<String, Error> {
    if op == "transfer-request" {
        assert_eq!(
            text(q, "status"),
            "2",
            "transfer-request always sends status=2"
        );
    }
    let params: BTreeMap<&str, &str> = if op == "authenticate" {
        BTreeMap::new()
    } else {
        q.iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "token" | "client"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    };
    let params = serde_json::to_string(&params).expect("parameters as JSON");
    mobilnik::call_json(client, op, &params).await
}

/// True when the client uses the effect `read` for `op`.
fn is_read(op: &str) -> bool {
    mobilnik::OPERATIONS
        .iter()
        .any(|o| o.name == op && o.effect == EffectKind::Read)
}

/// A client whose credentials are the ones the authenticate fixture expects.
fn client_for_login(uri: &str, q: &BTreeMap<String, String>) -> Client {
    Client::builder()
        .base_url(uri)
        .login(text(q, "login"))
        .password(SecretString::from(text(q, "password").to_owned()))
        .device_id(DeviceId::new(text(q, "id")).expect("device id"))
        .device_name(text(q, "device"))
        .transport(common::quiet_transport())
        .timeouts(kassa_core::Timeouts::none())
        .build()
        .expect("client builds")
}

/// What a snapshot shows of an error: testkit's view, the code's name in the catalogue, the
/// provider's own message of a refusal and whether the request was sent.
#[derive(Serialize)]
struct CodeView {
    #[serde(flatten)]
    error: ErrorView,
    name: Option<&'static str>,
    provider_message: Option<String>,
    was_sent: String,
}

impl CodeView {
    fn of(err: &Error) -> CodeView {
        CodeView {
            error: ErrorView::of(err),
            name: code_of(err).map(Code::name),
            provider_message: err.rejection().map(|r| r.message.clone()),
            was_sent: format!("{:?}", err.was_sent()),
        }
    }
}

/// Runs every fixture case of `op` and asserts it.
async fn run_cases(op: &str) {
    let cases = Fixture::cases(PROVIDER, op);
    assert!(!cases.is_empty(), "{op} has no fixture");
    for (case, fixture) in cases {
        let name = format!("{op}/{case}");
        let expect = expected(op, &fixture);
        let server = MockServer::start().await;
        let repeats: u64 = match expect {
            Expect::Auth(27) if op != "authenticate" => 2,
            // "Temporarily" on a read is asked again like a 503.
            Expect::Rejected(12 | 14) if is_read(op) => 3,
            Expect::Http(status) if status >= 500 => 3,
            _ => 1,
        };
        if op != "authenticate" {
            Fixture::load(PROVIDER, "authenticate", "ok")
                .mock()
                .expect(if repeats == 2 { 2 } else { 1 })
                .mount(&server)
                .await;
        }
        fixture.mock().expect(repeats).mount(&server).await;
        kassa_testkit::catch_all().mount(&server).await;

        let q = &fixture.request.query;
        let client = if op == "authenticate" {
            client_for_login(&server.uri(), q)
        } else {
            client(&server.uri())
        };
        let result = call(&client, op, q).await;
        server.verify().await;

        // Every request: GET, no body; the operation's query exactly the fixture's.
        let all = server.received_requests().await.expect("recording on");
        for r in &all {
            assert_eq!(r.method.as_str(), "GET", "{name}");
            assert!(r.body.is_empty(), "{name}: GET with a body");
            assert!(
                !r.headers.contains_key("authorization"),
                "{name}: no auth header"
            );
        }
        let on_op = received_on(&server, &fixture.request.path).await;
        assert_eq!(
            on_op.len() as u64,
            repeats,
            "{name}: requests on the operation"
        );
        for r in &on_op {
            assert_eq!(&query_of(r), q, "{name}: every query parameter");
        }
        if op != "authenticate" {
            assert_eq!(
                all[0].url.path(),
                "/authentication/",
                "{name}: logs in first"
            );
            for r in received_on(&server, "/authentication/").await {
                assert_eq!(query_of(&r), auth_query(), "{name}: authenticate's query");
            }
        }

        let snapshot_name = format!("{op}__{case}");
        match (expect, result) {
            (Expect::Ok, Ok(answer)) => {
                let raw = serde_json::value::RawValue::from_string(answer).expect("json text");
                kassa_testkit::snapshot!(snapshot_name, &raw);
            }
            (Expect::Ok, Err(err)) => panic!("{name}: expected success, got {err}"),
            (_, Ok(answer)) => panic!("{name}: expected {expect:?}, got success {answer}"),
            (expect, Err(err)) => {
                match expect {
                    Expect::Auth(_) => assert!(err.is_auth(), "{name}: {err:?}"),
                    Expect::Rejected(_) => {
                        assert!(matches!(err, Error::Rejected(_)), "{name}: {err:?}");
                    }
                    Expect::OutcomeUnknown(_) => {
                        assert!(err.outcome_unknown().is_some(), "{name}: {err:?}");
                        assert!(
                            err.to_string().contains("no way to look a payment up"),
                            "{name}: {err}"
                        );
                    }
                    Expect::Http(status) => {
                        assert!(
                            matches!(err, Error::Http { status: s, .. } if s == status),
                            "{name}: {err:?}"
                        );
                    }
                    Expect::Ok => unreachable!(),
                }
                if let Expect::Auth(n) | Expect::Rejected(n) | Expect::OutcomeUnknown(n) = expect {
                    let code = code_of(&err).unwrap_or_else(|| panic!("{name}: no code"));
                    assert_eq!(code.number(), Some(n), "{name}");
                    let placeholder = fixture
                        .response
                        .json
                        .as_ref()
                        .and_then(|j| j.get("message"))
                        .and_then(serde_json::Value::as_str);
                    assert_eq!(Some(code.name()), placeholder, "{name}: code table");
                }
                let moved = matches!(expect, Expect::OutcomeUnknown(_));
                assert_eq!(err.may_have_taken_effect(), moved, "{name}");
                assert_eq!(
                    err.was_sent(),
                    if moved { Sent::Maybe } else { Sent::Yes },
                    "{name}"
                );
                kassa_testkit::snapshot!(snapshot_name, &CodeView::of(&err));
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn authenticate_every_case() {
    run_cases("authenticate").await;
}

#[tokio::test(start_paused = true)]
async fn service_list_every_case() {
    run_cases("service-list").await;
}

#[tokio::test(start_paused = true)]
async fn check_requisite_every_case() {
    run_cases("check-requisite").await;
}

#[tokio::test(start_paused = true)]
async fn payment_every_case() {
    run_cases("payment").await;
}

#[tokio::test(start_paused = true)]
async fn check_payment_every_case() {
    run_cases("check-payment").await;
}

#[tokio::test(start_paused = true)]
async fn transfer_request_every_case() {
    run_cases("transfer-request").await;
}

#[test]
fn fixtures_cover_the_catalogue_and_every_documented_code() {
    assert_eq!(Fixture::operations(PROVIDER), OPERATIONS.to_vec());
    let mut seen = BTreeSet::new();
    for op in OPERATIONS {
        for (case, f) in Fixture::cases(PROVIDER, op) {
            let catalogue_path = match op {
                "authenticate" => "/authentication/",
                "service-list" => "/service_list/",
                "check-requisite" => "/check_requisite/",
                "payment" => "/payment/",
                "check-payment" => "/check_payment/",
                _ => "/transfer_request/",
            };
            assert_eq!(f.request.path, catalogue_path, "{op}/{case}");
            assert_eq!(f.request.method, "GET", "{op}/{case}");
            if let Some(code) = f
                .response
                .json
                .as_ref()
                .and_then(|j| j.get("status_code"))
                .and_then(serde_json::Value::as_i64)
            {
                seen.insert(code);
            }
        }
    }
    for code in Code::documented() {
        let n = code.number().expect("documented");
        assert!(seen.contains(&n), "no fixture answers {code}");
    }
}

/// Mounts authenticate/ok and `op/case` on a fresh server.
async fn serve(op: &str, case: &str) -> MockServer {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "authenticate", "ok")).await;
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, op, case)).await;
    server
}

#[tokio::test(start_paused = true)]
async fn authenticate_reads_every_field_and_keeps_the_token() {
    let server = kassa_testkit::mount(&Fixture::load(PROVIDER, "authenticate", "ok")).await;
    let client = client(&server.uri());
    let me = client
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("logs in");
    assert_eq!(me.account, 1_234_567);
    assert_eq!(me.name, " ");
    assert_eq!(me.token.expose_secret(), "test-token");
    assert_eq!(me.balance, Money::new(104_300, Currency::KGS));
    assert_eq!(me.email.as_deref(), Some("asd@sd.com"));
    assert_eq!(me.phonenumber.as_deref(), Some("5071234567"));
    assert_eq!(me.avatar, None);
    assert_eq!(client.authentications(), 1);
    let shown = serde_json::to_string(&me).expect("json");
    assert!(shown.contains(r#""token":"[REDACTED]""#), "{shown}");
    assert!(shown.contains(r#""balance":1043.00"#), "{shown}");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn the_document_example_logs_in() {
    let fixture = Fixture::load(PROVIDER, "authenticate", "document_example");
    let server = kassa_testkit::mount(&fixture).await;
    let me = client_for_login(&server.uri(), &fixture.request.query)
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("logs in");
    assert_eq!(me.token.expose_secret(), "51a772eb9ad41026435c9ff5a2bab20d");
    assert_eq!(me.balance.to_major_string(), "1043.00");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn service_list_types_services_and_categories() {
    let server = serve("service-list", "ok").await;
    let list = client(&server.uri())
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("lists");
    let services: Vec<_> = list
        .services
        .iter()
        .map(|s| (s.id, s.name.as_deref(), s.category_id))
        .collect();
    assert_eq!(
        services,
        vec![
            (Some(1), Some("Beeline KG"), Some(1)),
            (Some(2), Some("Перевод на кошелек Mobilnik"), Some(2)),
            (Some(3), Some("Интернет Saima Telecom"), Some(3)),
        ]
    );
    assert_eq!(list.categories.len(), 3);
    assert_eq!(list.categories[1].name.as_deref(), Some("Переводы"));
    assert!(list.services.iter().all(|s| s.extra.is_empty()));
    assert_eq!(list.services_in(2).count(), 1);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn check_requisite_names_the_customer() {
    for case in ["ok", "document_shape"] {
        let server = serve("check-requisite", case).await;
        let who = client(&server.uri())
            .check_requisite(&CheckRequisiteRequest::new(1, "0555123456"))
            .await
            .expect("found");
        assert_eq!(who.customer_name, "Асанов Асан", "{case}");
        server.verify().await;
    }
}

#[tokio::test(start_paused = true)]
async fn payment_reads_balance_and_operation_id_exactly() {
    for (case, balance, id) in [
        ("ok", 89_250, 987_654_321),
        ("document_shape", 104_300, 987_654_322),
    ] {
        let server = serve("payment", case).await;
        let paid = client(&server.uri())
            .payment(&PaymentRequest::new(
                1,
                "0555123456",
                som("150.50").expect("amount"),
            ))
            .await
            .expect("paid");
        assert_eq!(paid.balance, Money::new(balance, Currency::KGS), "{case}");
        assert_eq!(paid.operation_id, OperationId(id), "{case}");
        server.verify().await;
    }
}

#[tokio::test(start_paused = true)]
async fn check_payment_reads_every_status() {
    for (case, status) in [
        ("accepted", PaymentStatus::Accepted),
        ("processed", PaymentStatus::Processed),
        ("annulled", PaymentStatus::Annulled),
        ("error", PaymentStatus::Error),
        ("document_shape", PaymentStatus::Processed),
    ] {
        let server = serve("check-payment", case).await;
        let answer = client(&server.uri())
            .check_payment(&CheckPaymentRequest::new(987_654_321))
            .await
            .expect("status");
        assert_eq!(answer.status_id, status, "{case}");
        server.verify().await;
    }
}

#[tokio::test(start_paused = true)]
async fn transfer_request_sends_status_2_and_reads_the_message() {
    let server = serve("transfer-request", "ok").await;
    let sent = client(&server.uri())
        .transfer_request(&TransferRequest::new(
            2,
            "0555765432",
            som("200").expect("amount"),
            "test transfer",
        ))
        .await
        .expect("sent");
    assert_eq!(sent.message, "OK");
    let reqs = received_on(&server, "/transfer_request/").await;
    assert_eq!(
        query_of(&reqs[0]),
        map(&[
            ("id", "test-device-id"),
            ("token", "test-token"),
            ("client", "4"),
            ("service_id", "2"),
            ("customer_id", "0555765432"),
            ("amount", "200.00"),
            ("comment", "test transfer"),
            ("status", "2"),
        ])
    );
    server.verify().await;
}
