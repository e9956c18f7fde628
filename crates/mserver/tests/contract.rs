//! Contract tests: every fixture of the operations this crate implements is mounted
//! strictly on wiremock, called through `mserver::call_json`, its outcome asserted against
//! an explicit case table, and snapshotted (the parsed answer, or a view of the error).

mod common;

use std::collections::BTreeSet;

use common::*;
use kassa_core::Error;
use kassa_testkit::{ErrorView, Fixture};
use mserver::{Code, code_of};
use serde_json::{Value, json};
use wiremock::MockServer;

const PROVIDER: &str = "mserver";

/// What a case must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A success answer.
    Ok,
    /// A success that must read the same as its `ok_repaired` twin.
    SameAs(&'static str),
    /// 304: `not_modified`.
    NotModified,
    /// Refused by the client before sending, naming the field.
    Local(&'static str),
    /// A credentials refusal with this code.
    Auth(&'static str),
    /// A refusal with this code.
    Rejected(&'static str),
    /// An HTTP error with no code.
    Http(u16),
    // payments (issue 12)
    /// Outcome-unknown after one request, naming this reconcile operation.
    Unknown(Option<&'static str>),
}

use Expect::*;

/// Every case of every operation of this half, written out independently of the code.
const CASES: &[(&str, &str, Expect)] = &[
    (
        "activate-wallet",
        "already_active",
        Rejected("already_active"),
    ),
    ("activate-wallet", "code_expired", Rejected("code_expired")),
    (
        "activate-wallet",
        "failure_limit_exceeded",
        Rejected("failure_limit_exceeded"),
    ),
    ("activate-wallet", "invalid_code", Rejected("invalid_code")),
    ("activate-wallet", "ok", Ok),
    ("application-token", "invalid_client", Auth("unauthorized")),
    ("application-token", "ok", Ok),
    ("application-token", "ok_oauth_shape", SameAs("ok")),
    ("change-password", "code_expired", Rejected("code_expired")),
    (
        "change-password",
        "failure_limit_exceeded",
        Rejected("failure_limit_exceeded"),
    ),
    ("change-password", "invalid_code", Rejected("invalid_code")),
    ("change-password", "missing_code", Local("code")),
    ("change-password", "ok", Ok),
    ("create-wallet", "invalid_password", Local("password")),
    ("create-wallet", "invalid_phone", Local("phone")),
    ("create-wallet", "missing_password", Local("password")),
    ("create-wallet", "missing_phone", Local("phone")),
    ("create-wallet", "ok", Ok),
    ("create-wallet", "ok_dev_security_code", Ok),
    (
        "create-wallet",
        "phone_already_exists",
        Rejected("phone_already_exists"),
    ),
    (
        "create-wallet",
        "wallet_not_active",
        Auth("wallet_not_active"),
    ),
    ("delete-picture", "ok", SameAs("ok_repaired")),
    ("delete-picture", "ok_repaired", Ok),
    ("delete-wallet", "not_found", Rejected("wallet_not_found")),
    ("delete-wallet", "ok", Ok),
    ("errors", "not_modified", NotModified),
    ("errors", "ok", Ok),
    ("find-wallets", "ok", Ok),
    ("find-wallets", "ok_upstream", SameAs("ok")),
    ("geo", "ok", Ok),
    (
        "get-person",
        "insufficient_scope",
        Auth("insufficient_scope"),
    ),
    ("get-person", "ok", Ok),
    ("get-service", "not_found", Http(404)),
    ("get-service", "ok", Ok),
    ("get-service", "ok_upstream", Ok),
    ("get-wallet", "ok", Ok),
    ("get-wallet", "reset_password", Auth("reset_password")),
    ("get-wallet", "unauthorized", Auth("unauthorized")),
    ("get-wallet", "wallet_disabled", Auth("wallet_disabled")),
    ("get-wallet", "wallet_not_active", Auth("wallet_not_active")),
    ("list-groups", "not_modified", NotModified),
    ("list-groups", "ok", Ok),
    ("list-services", "not_modified", NotModified),
    ("list-services", "ok", Ok),
    ("list-services", "ok_upstream", Ok),
    ("mobile-operator", "ok", Ok),
    ("options", "ok", Ok),
    ("options", "wallet_disabled", Auth("wallet_disabled")),
    ("order-service", "ok", Ok),
    ("put-person", "duplicate_passport", Http(422)),
    (
        "put-person",
        "insufficient_scope",
        Auth("insufficient_scope"),
    ),
    ("put-person", "ok", Ok),
    ("replenishment-points", "ok", Ok),
    (
        "request-password-code",
        "not_found",
        Rejected("wallet_not_found"),
    ),
    ("request-password-code", "ok", Ok),
    (
        "resend-activation-code",
        "already_active",
        Rejected("already_active"),
    ),
    (
        "resend-activation-code",
        "failure_limit_exceeded",
        Rejected("failure_limit_exceeded"),
    ),
    ("resend-activation-code", "ok", Ok),
    (
        "resend-activation-code",
        "resend_limit_exceeded",
        Rejected("resend_limit_exceeded"),
    ),
    ("service-by-mnp", "ok", Ok),
    ("services-by-groups", "not_modified", NotModified),
    ("services-by-groups", "ok", Ok),
    ("upload-picture", "ok", SameAs("ok_repaired")),
    ("upload-picture", "ok_repaired", Ok),
    ("wallet-settings", "ok", SameAs("ok_repaired")),
    ("wallet-settings", "ok_repaired", Ok),
    ("wallet-status-webhook", "ok", SameAs("ok_repaired")),
    ("wallet-status-webhook", "ok_repaired", Ok),
    // cards, invoices, templates (issue 12)
    ("cancel-invoice", "not_found", Http(404)),
    ("cancel-invoice", "ok", Ok),
    (
        "create-card",
        "insufficient_scope",
        Auth("insufficient_scope"),
    ),
    ("create-card", "ok", Ok),
    ("create-invoice", "ok", SameAs("ok_repaired")),
    ("create-invoice", "ok_repaired", Ok),
    ("create-template", "ok", Ok),
    ("delete-card", "not_found", Http(404)),
    ("delete-card", "ok", Ok),
    ("delete-template", "ok", Ok),
    ("duplicate-invoice", "ok", Ok),
    ("get-card", "not_found", Http(404)),
    ("get-card", "ok", Ok),
    ("get-template", "not_found", Http(404)),
    ("get-template", "ok", Ok),
    ("limits", "ok", Ok),
    (
        "list-cards",
        "insufficient_scope",
        Auth("insufficient_scope"),
    ),
    ("list-cards", "ok", Ok),
    ("list-created-invoices", "ok", Ok),
    ("list-invoices", "ok", Ok),
    ("list-locations", "ok", Ok),
    ("list-templates", "ok", Ok),
    ("pay-invoice", "ok", Ok),
    ("update-template", "ok", Ok),
    // payments (issue 12)
    ("best-p2p-webhook", "ok", Ok),
    (
        "create-payment",
        "insufficient_scope",
        Auth("insufficient_scope"),
    ),
    ("create-payment", "ok_anonymous", Ok),
    ("create-payment", "ok_in", Ok),
    // The document's example answers another client_payment_id than it sent: not ours.
    ("create-payment", "ok_in_saved_card", Unknown(None)),
    ("create-payment", "ok_in_store_card", Ok),
    ("create-payment", "ok_inout", Ok),
    ("create-payment", "ok_inout_saved_card", Ok),
    ("create-payment", "ok_inout_store_card", Ok),
    ("create-payment", "ok_out", Ok),
    ("create-payment", "ok_out_deferred", Unknown(None)),
    ("create-payment", "ok_p2p", Ok),
    ("create-payment", "resent_same_key", Ok),
    (
        "create-payment",
        "wallet_not_active",
        Auth("wallet_not_active"),
    ),
    ("get-payment", "declined", Ok),
    ("get-payment", "not_found", Http(404)),
    ("get-payment", "ok", Ok),
    ("list-best-payments", "empty", Ok),
    ("list-best-payments", "ok", Ok),
    ("list-payments", "ok", Ok),
    ("list-payments", "ok_filtered_empty", Ok),
    ("pay-payment", "not_found", Http(404)),
    ("pay-payment", "ok_anonymous", Ok),
    ("pay-payment", "ok_in", Ok),
    ("pay-payment", "ok_in_saved_card", Ok),
    ("pay-payment", "ok_in_store_card", Ok),
    ("pay-payment", "ok_inout", Ok),
    // The document's example answers payment 25818 for /payments/25832/pay: not ours.
    (
        "pay-payment",
        "ok_switch_to_inout",
        Unknown(Some("get-payment")),
    ),
    ("payment-bill", "ok", Ok),
    ("payment-notification", "bad_token", Local("access_token")),
    ("payment-notification", "ok_complete", Ok),
    ("payment-notification", "ok_decline", Ok),
    ("payment-notification", "ok_redo", Ok),
    ("payment-notification", "ok_undo", Ok),
    ("reset-best-unseen", "ok", Ok),
    ("reset-unseen", "ok", Ok),
];

/// A JPEG's first bytes, for the picture upload (the fixture's file text is not one).
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];

#[test]
fn the_case_table_is_every_fixture_of_every_operation() {
    let table: BTreeSet<(String, String)> = CASES
        .iter()
        .map(|(o, c, _)| ((*o).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(table.len(), CASES.len(), "no case twice");
    let ops: BTreeSet<&str> = mserver::OPERATIONS.iter().map(|o| o.name).collect();
    let mut on_disk = BTreeSet::new();
    for op in &ops {
        for (case, _) in Fixture::cases(PROVIDER, op) {
            on_disk.insert(((*op).to_owned(), case));
        }
    }
    assert_eq!(table, on_disk);
    let covered: BTreeSet<&str> = CASES.iter().map(|(o, _, _)| *o).collect();
    assert_eq!(covered, ops, "every operation has cases");
}

/// The call's parameters, read from the fixture's request.
fn params(op: &str, f: &Fixture) -> Value {
    let req = &f.request;
    let mut p = match &req.json {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for (k, v) in &req.query {
        let v = match (op, v.parse::<u32>()) {
            ("list-services", Result::Ok(n)) => json!(n),
            _ => json!(v),
        };
        p.insert(k.clone(), v);
    }
    if let Some(since) = req.headers.get("if-modified-since") {
        p.insert(
            "modified_since".into(),
            json!(since.parse::<i64>().expect("a timestamp")),
        );
    }
    let last = req.path.rsplit('/').next().unwrap_or_default().to_owned();
    match op {
        "get-service" => {
            p.insert("id".into(), json!(last.parse::<u64>().expect("an id")));
        }
        "mobile-operator" => {
            p.insert("phone".into(), json!(last));
        }
        "delete-wallet" => {
            p.insert("phone".into(), json!(last.replace("%2B", "+")));
            p.insert(
                "admin".into(),
                json!({"login": ADMIN, "password": ADMIN_PASSWORD}),
            );
        }
        "find-wallets" => {
            if let Some(contacts) = p.remove("contacts") {
                let phones: Vec<Value> = contacts
                    .as_array()
                    .expect("a list")
                    .iter()
                    .map(|c| c["phone"].clone())
                    .collect();
                p.insert("phones".into(), json!(phones));
            } else {
                p.insert("shape".into(), json!("phones"));
            }
        }
        // cards, invoices, templates (issue 12)
        "get-card" | "delete-card" => {
            p.insert("id".into(), json!(last.parse::<u64>().expect("an id")));
        }
        "get-template" | "update-template" | "delete-template" => {
            p.insert("id".into(), json!(last));
        }
        "cancel-invoice" | "duplicate-invoice" | "pay-invoice" => {
            let id = req.path.split('/').nth(2).expect("/invoices/{id}/...");
            p.insert("id".into(), json!(id));
        }
        "upload-picture" => {
            p.insert("bytes".into(), json!(JPEG));
            let part = &req.multipart.as_ref().expect("multipart")["file"];
            p.insert("file_name".into(), json!(part.filename));
        }
        // payments (issue 12)
        "pay-payment" => {
            let id = req.path.rsplit('/').nth(1).expect("an id");
            p.insert("id".into(), json!(id.parse::<u64>().expect("an id")));
        }
        "get-payment" => {
            p.insert("id".into(), json!(last.parse::<u64>().expect("an id")));
        }
        "payment-bill" => {
            if let Some(lang) = req.headers.get("accept-language") {
                p.insert("language".into(), json!(lang));
            }
        }
        "list-payments" => {
            for k in ["page", "size"] {
                if let Some(n) = p.get(k).and_then(Value::as_str) {
                    let n: u32 = n.parse().expect("a number");
                    p.insert(k.into(), json!(n));
                }
            }
            for k in ["type", "status"] {
                if let Some(list) = p.get(k).and_then(Value::as_str) {
                    let items: Vec<&str> = list.split(',').collect();
                    p.insert(k.into(), json!(items));
                }
            }
        }
        "payment-notification" => {
            let body = req.json.as_ref().expect("a JSON body").to_string();
            p = serde_json::Map::new();
            p.insert("body".into(), json!(body));
            p.insert("query".into(), json!(req.query));
            p.insert("headers".into(), json!(req.headers));
            p.insert("app_id".into(), json!(APP_ID));
            p.insert("app_secret".into(), json!(APP_SECRET));
        }
        _ => {}
    }
    Value::Object(p)
}

/// The mock for a case: the fixture's own, except for the picture, whose file part must be
/// a real JPEG (the fixture's text cannot hold one): method, path, credentials, file name
/// and content type still come from the fixture.
fn mock_for(op: &str, f: &Fixture) -> wiremock::Mock {
    if op != "upload-picture" {
        return f.mock();
    }
    let part = f.request.multipart.as_ref().expect("multipart")["file"].clone();
    let jpeg = kassa_testkit::multipart::FixturePart {
        value: String::new(),
        filename: part.filename.clone(),
        content_type: part.content_type.clone(),
    };
    struct RealJpeg(kassa_testkit::multipart::FixturePart);
    impl wiremock::Match for RealJpeg {
        fn matches(&self, r: &wiremock::Request) -> bool {
            let ct = r
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let Some(parts) = kassa_testkit::multipart::parse(ct, &r.body) else {
                return false;
            };
            parts.len() == 1
                && parts.get("file").is_some_and(|p| {
                    p.data == JPEG
                        && p.filename == self.0.filename
                        && p.content_type == self.0.content_type
                })
        }
    }
    let mut m = wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(f.request.path.as_str()));
    for (k, v) in &f.request.headers {
        m = m.and(wiremock::matchers::header(k.as_str(), v.as_str()));
    }
    m.and(RealJpeg(jpeg))
        .respond_with(f.response_template())
        .expect(1)
}

/// Runs one case; its answer as JSON, or the error.
async fn run(op: &str, case: &str, expect: Expect) -> Result<Value, Error> {
    run_text(op, case, expect)
        .await
        .map(|text| serde_json::from_str(&text).expect("answers are JSON"))
}

/// A client with the credentials the fixture's `authorization` shows: the wallet's Basic
/// (the phone and password decoded from it), or the usual wallet when the call sends none
/// or admin credentials (those come with the call).
fn client_for(uri: &str, f: &Fixture) -> mserver::Client {
    use base64::Engine as _;
    let auth = f.request.headers.get("authorization");
    // payments (issue 12): anonymous payments (the application token, fetched from the
    // mock server) and bearer calls.
    if f.request.headers.contains_key("x-authorization-type") {
        return app_client(uri, uri, CLIENT_SECRET);
    }
    if auth.is_some_and(|a| a == &format!("Bearer {BEARER}")) {
        return bearer_client(uri);
    }
    let basic = auth.and_then(|a| a.strip_prefix("Basic ")).map(|b| {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b)
            .expect("base64");
        String::from_utf8(raw).expect("text")
    });
    match basic {
        Some(pair) if pair.starts_with('+') => {
            let (phone, password) = pair.split_once(':').expect("phone:password");
            mserver::Client::builder()
                .base_url(v1(uri))
                .wallet(phone, password.into())
                .expect("phone")
                .transport(quiet_transport())
                .timeouts(kassa_core::Timeouts::none())
                .build()
                .expect("client builds")
        }
        // cards, invoices, templates (issue 12)
        _ if auth.is_some_and(|a| a == &format!("Bearer {BEARER}")) => bearer_client(uri),
        _ => wallet_client(uri),
    }
}

/// Runs one case; its answer as JSON text, numbers as the client wrote them.
async fn run_text(op: &str, case: &str, expect: Expect) -> Result<String, Error> {
    let f = Fixture::load(PROVIDER, op, case);
    let server = MockServer::start().await;
    let sends = if matches!(expect, Local(_)) { 0 } else { 1 };
    // payments (issue 12): a notification is verified locally, nothing is sent.
    let sends = if op == "payment-notification" {
        0
    } else {
        sends
    };
    mock_for(op, &f).expect(sends).mount(&server).await;
    if f.request.headers.contains_key("x-authorization-type") {
        app_token_mock("test-app-token").mount(&server).await;
    }
    kassa_testkit::catch_all().mount(&server).await;
    let client = if op == "application-token" {
        let secret = if case == "invalid_client" {
            "wrong-secret"
        } else {
            CLIENT_SECRET
        };
        // The token URL on the mock server, the API elsewhere (never called).
        app_client("http://127.0.0.1:9", &server.uri(), secret)
    } else {
        client_for(&server.uri(), &f)
    };
    let params = params(op, &f).to_string();
    let result = mserver::call_json(&client, op, &params).await;
    server.verify().await;
    result
}

fn view(err: &Error) -> Value {
    json!({
        "error": ErrorView::of(err),
        "code": code_of(err).map(Code::raw),
        "field": err.field(),
        "scope": mserver::missing_scope(err),
    })
}

#[tokio::test]
async fn every_case_of_the_table() {
    for &(op, case, expect) in CASES {
        let name = format!("{op}/{case}");
        let text = run_text(op, case, expect).await;
        let result = text
            .as_ref()
            .map(|t| serde_json::from_str::<Value>(t).expect("answers are JSON"));
        match (expect, &result) {
            (Ok, Result::Ok(v)) => {
                assert!(
                    v.get("not_modified").is_none() && v != "not_modified",
                    "{name}"
                );
            }
            (SameAs(twin), Result::Ok(v)) => {
                let other = run(op, twin, Ok).await.expect("the twin reads");
                assert_eq!(v, &other, "{name} reads as {twin}");
            }
            (NotModified, Result::Ok(v)) => assert_eq!(v, "not_modified", "{name}"),
            (Local(field), Err(e)) => {
                assert_eq!(e.field(), Some(field), "{name}: {e}");
                assert_eq!(e.was_sent(), kassa_core::Sent::No, "{name}");
            }
            (Auth(code), Err(e)) => {
                assert!(e.is_auth(), "{name}: {e:?}");
                assert_eq!(code_of(e).map(Code::raw), Some(code), "{name}");
                assert!(!e.may_have_taken_effect(), "{name}");
            }
            (Rejected(code), Err(e)) => {
                assert!(matches!(e, Error::Rejected(_)), "{name}: {e:?}");
                assert_eq!(code_of(e).map(Code::raw), Some(code), "{name}");
                assert!(!e.may_have_taken_effect(), "{name}");
                if let Some(field) = Code::from_raw(code).field() {
                    assert!(
                        e.to_string().contains(&format!("field `{field}`")),
                        "{name}: {e}"
                    );
                }
            }
            (Http(status), Err(Error::Http { status: got, .. })) => {
                assert_eq!(*got, status, "{name}");
            }
            // payments (issue 12)
            (Unknown(reconcile), Err(e)) => {
                let o = e.outcome_unknown().expect("outcome unknown");
                assert_eq!(
                    o.reconcile.as_ref().map(|r| r.operation),
                    reconcile,
                    "{name}"
                );
                assert!(e.may_have_taken_effect(), "{name}");
            }
            (want, got) => panic!("{name}: expected {want:?}, got {got:?}"),
        }
        // The answer's own text, so amounts show as the client wrote them (2370.00).
        let shown = match &text {
            Result::Ok(t) => serde_json::value::RawValue::from_string(t.clone()).expect("JSON"),
            Err(e) => serde_json::value::to_raw_value(&view(e)).expect("JSON"),
        };
        kassa_testkit::snapshot!(format!("{op}__{case}"), &shown);
    }
}

#[tokio::test]
async fn insufficient_scope_names_the_scope() {
    let e = run(
        "get-person",
        "insufficient_scope",
        Auth("insufficient_scope"),
    )
    .await
    .unwrap_err();
    assert_eq!(mserver::missing_scope(&e).as_deref(), Some("person.read"));
    assert!(e.to_string().contains("person.read"), "{e}");
}

#[tokio::test]
async fn answers_keep_meta_money_and_coordinates_exact() {
    let text = run_text("list-services", "ok", Ok).await.expect("reads");
    assert!(
        text.contains(r#""urgent_data":{"amount":2370.00,"#),
        "{text}"
    );
    assert!(
        text.contains(r#""rate":{"fix":0.00,"percent":0}"#),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let m = &v["modified"]["meta"];
    assert_eq!(m["has_next_page"], true);
    assert_eq!(m["request_time"], 1407428185);
    assert_eq!(m["urgent_data"]["unseen_payments"], 1);
    assert_eq!(m["suggestions"].as_array().map(Vec::len), Some(3));
    let p = run_text("replenishment-points", "ok", Ok)
        .await
        .expect("reads");
    assert!(
        p.contains(r#""longitude":37.211893,"latitude":55.616371"#),
        "{p}"
    );
    let g = run("geo", "ok", Ok).await.expect("reads");
    assert_eq!(g["meta"]["geo"]["title"], "Лобня");
    let s = run("services-by-groups", "ok", Ok)
        .await
        .expect("reads the braces");
    let groups = s["modified"]["data"].as_array().expect("a list");
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[1]["services"][0]["name"], "Одноклассники");
    assert_eq!(s["modified"]["meta"]["suggestion_rules"]["+7900"], 3);
    let d = run("create-wallet", "ok_dev_security_code", Ok)
        .await
        .expect("reads");
    // the SMS code is read (a secret: redacted when the answer is written out)
    assert_eq!(d["dev"]["security_code"], "[REDACTED]");
    let w = run_text("get-wallet", "ok", Ok).await.expect("reads");
    assert!(
        w.contains(r#""time":0.363231"#),
        "meta.time kept exactly: {w}"
    );
}
