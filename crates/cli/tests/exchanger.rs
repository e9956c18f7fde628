//! `kassa exchanger <operation>` on the built binary: every operation against the sandbox
//! (in-process with `--base-url`, and the embedded one keeping its state between calls),
//! every fixture against wiremock, every error kind, the credentials from the environment,
//! and a TRACE log that never holds the API key.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Env, Run, fixture_server, kassa};
use kassa_sandbox::Fault;
use kassa_sandbox::exchanger::seed;
use kassa_testkit::Fixture;
use serde_json::{Value, json};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P: &str = "exchanger";

/// The sandbox's (and the fixtures') credentials.
fn creds() -> Env {
    assert_eq!(
        common::EXCHANGER_ENV.map(|(_, v)| v),
        [seed::API_LOGIN, seed::API_KEY]
    );
    common::env_for(P)
}

const BID: &str = r#"{"direction_id": 12, "calc_amount": "0.015", "calc_action": 1, "account1": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "account2": "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb", "cf6": "test@example.com"}"#;

/// The example bid with more fields.
fn bid_with(extra: Value) -> String {
    let mut v: Value = serde_json::from_str(BID).expect("json");
    for (k, x) in extra.as_object().expect("object") {
        v[k] = x.clone();
    }
    v.to_string()
}

/// One call against `url` with the sandbox's credentials.
async fn at(url: &str, op: &str, params: &str) -> Run {
    kassa(&[P, op, "--params", params, "--base-url", url], &creds()).await
}

/// One call that must succeed; its answer.
async fn ok(url: &str, op: &str, params: &str) -> Value {
    let run = at(url, op, params).await;
    assert_eq!(run.code, 0, "{op} {params}: {run:?}");
    run.json()
}

fn rows() -> Vec<Value> {
    let run = common::run(&["list", P], &[]);
    run.json().as_array().expect("rows").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exchanger_operation_describes_its_fields_and_its_example_is_accepted() {
    let rows = rows();
    assert_eq!(rows.len(), 16);
    let mut described = BTreeMap::new();
    for row in &rows {
        let op = row["operation"].as_str().expect("operation").to_owned();
        let d = kassa(&["describe", P, &op, "--json"], &[]).await.json();
        let help = kassa(&[P, &op, "--help"], &[]).await;
        assert_eq!(help.code, 0, "{help:?}");
        for field in d["fields"].as_array().expect("fields") {
            let name = field["name"].as_str().expect("a name");
            let line = help
                .stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{op} --help lacks {name}"));
            let required = field["required"].as_bool().expect("required or not");
            assert!(
                line.contains(if required { "required" } else { "optional" }),
                "{line}"
            );
            assert!(line.contains(field["type"].as_str().expect("a type")));
            assert!(!field["about"].as_str().unwrap_or_default().is_empty());
        }
        assert!(help.stdout.contains("Example"), "{}", help.stdout);
        described.insert(op, d);
    }
    for row in &rows {
        let op = row["operation"].as_str().expect("operation");
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let url = sandbox.url(P);
        let mut steps: Vec<String> = described[op]["after"]
            .as_array()
            .expect("after")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_owned())
            .collect();
        steps.push(op.to_owned());
        for step in steps {
            let example = described[&step]["example"].to_string();
            let run = at(&url, &step, &example).await;
            assert_eq!(run.code, 0, "{step} (for {op}) with {example}: {run:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_against_the_sandbox() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url(P);

    let me = ok(&url, "test", "{}").await;
    assert_eq!(me["partner_id"], 12);
    let currencies = ok(&url, "get-direction-currencies", "{}").await;
    assert_eq!(currencies["give"].as_array().map(Vec::len), Some(2));
    let directions = ok(&url, "get-directions", r#"{"currency_id_give": "1"}"#).await;
    assert_eq!(directions[0]["direction_id"], 12, "{directions}");
    let direction = at(&url, "get-direction", r#"{"direction_id": 12}"#).await;
    // decimals are printed as the exact numbers the wire carried
    assert!(
        direction.stdout.contains("\"reserve\": 152340.55,")
            && direction.stdout.contains("\"course_get\": 64215.30781,"),
        "{direction:?}"
    );
    assert_eq!(direction.json()["id"], 12);
    let quote = ok(
        &url,
        "get-calc",
        r#"{"direction_id": 12, "calc_amount": "0.015", "calc_action": 1}"#,
    )
    .await;
    let printed = at(
        &url,
        "get-calc",
        r#"{"direction_id": 12, "calc_amount": "0.015", "calc_action": 1}"#,
    )
    .await
    .stdout;
    assert!(
        printed.contains("\"sum_get\": 963.23,") && printed.contains("\"sum_give_com\": 0.0152,"),
        "exact decimals: {printed}"
    );
    assert_eq!(quote["changed"], false);

    // a bid without api_id: the CLI made one and shows it
    let bid = ok(&url, "create-bid", BID).await;
    let api_id = bid["api_id"]
        .as_str()
        .expect("an api_id is shown")
        .to_owned();
    assert_eq!(api_id.len(), 36, "a UUID: {api_id}");
    assert_eq!(bid["status"], "new");
    let hash = bid["hash"].as_str().expect("hash").to_owned();
    let found = ok(
        &url,
        "get-exchanges",
        &json!({"api_id": api_id, "status_history": 1}).to_string(),
    )
    .await;
    let items = found["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{found}");
    assert_eq!(items[0]["id"], bid["id"]);
    assert_eq!(items[0]["api_id"], api_id.as_str());

    let info = ok(&url, "bid-info", &json!({"hash": hash}).to_string()).await;
    assert_eq!(info["id"], bid["id"]);
    let paid = ok(&url, "pay-bid", &json!({"hash": hash}).to_string()).await;
    assert_eq!(paid["status"], "payed");
    let done = ok(&url, "success-bid", &json!({"hash": hash}).to_string()).await;
    assert_eq!(done["status"], "success");
    let info = ok(&url, "bid-info", &json!({"id": bid["id"]}).to_string()).await;
    assert_eq!(info["status"], "success");

    // a bid with the caller's api_id, cancelled
    let other = ok(&url, "create-bid", &bid_with(json!({"api_id": "shell-7"}))).await;
    assert_eq!(other["api_id"], "shell-7");
    let cancelled = ok(
        &url,
        "cancel-bid",
        &json!({"hash": other["hash"]}).to_string(),
    )
    .await;
    assert_eq!(cancelled["status"], "cancel");

    // partner: a partner bid done accrues a reward; the balance is paid out
    let partner = ok(&url, "create-bid", &bid_with(json!({"partner_id": 12}))).await;
    ok(
        &url,
        "pay-bid",
        &json!({"hash": partner["hash"]}).to_string(),
    )
    .await;
    ok(
        &url,
        "success-bid",
        &json!({"hash": partner["hash"]}).to_string(),
    )
    .await;
    let theirs = ok(&url, "get-partner-exchanges", r#"{"status_history": 1}"#).await;
    let items = theirs["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{theirs}");
    assert_eq!(items[0]["accrued"], true, "{theirs}");
    let info = ok(&url, "get-partner-info", "{}").await;
    assert_eq!(info["partner_id"], 12, "{info}");
    let links = ok(&url, "get-partner-links", r#"{"limit": 2}"#).await;
    assert!(
        links["items"].as_array().is_some_and(|l| l.len() <= 2),
        "{links}"
    );
    let payout = ok(
        &url,
        "add-partner-payout",
        r#"{"method_id": 7, "account": "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"}"#,
    )
    .await;
    assert_eq!(payout["payout_id"], 32);
    let payouts = ok(&url, "get-partner-payouts", r#"{"id": 32}"#).await;
    assert_eq!(payouts["items"][0]["id"], 32, "{payouts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_sandbox_keeps_the_bid_between_calls() {
    let state = common::fresh_state_file();
    let state_text = state.to_string_lossy().into_owned();
    let env: Env = vec![(
        "KASSA_SANDBOX_STATE",
        Box::leak(state_text.into_boxed_str()),
    )];
    let bid = kassa(&[P, "create-bid", "--params", BID], &env).await;
    assert!(bid.stderr.contains("embedded sandbox"), "{bid:?}");
    let bid = bid.json();
    let hash = bid["hash"].as_str().expect("hash");
    let paid = kassa(
        &[P, "pay-bid", "--params", &json!({"hash": hash}).to_string()],
        &env,
    )
    .await
    .json();
    assert_eq!(paid["status"], "payed");
    let info = kassa(
        &[
            P,
            "bid-info",
            "--params",
            &json!({"id": bid["id"]}).to_string(),
        ],
        &env,
    )
    .await
    .json();
    assert_eq!(info["status"], "payed");
    let _ = std::fs::remove_file(&state);
}

/// The `--params` of a fixture's form: the fields as they are, get-calc's already encoded
/// `cd` as `cd_encoded`.
fn fixture_params(op: &str, f: &Fixture) -> String {
    let form = f.request.form.clone().unwrap_or_default();
    let map: serde_json::Map<String, Value> = form
        .into_iter()
        .map(|(k, v)| {
            let k = if op == "get-calc" && k == "cd" {
                "cd_encoded".to_owned()
            } else {
                k
            };
            (k, Value::String(v))
        })
        .collect();
    Value::Object(map).to_string()
}

/// What a fixture must give on the command line: exit code, kind, and the provider's code.
fn expected(op: &str, case: &str) -> (i32, &'static str, Value) {
    match (op, case) {
        (_, c) if c.starts_with("ok") || c == "empty" => (0, "", Value::Null),
        (_, "api_disabled") => (3, "auth", json!("Api disabled")),
        (_, "method_not_supported") => (3, "rejected", json!("Method not supported")),
        (_, "no_bid") => (3, "rejected", json!("no bid exists")),
        (_, "direction_not_found") => (3, "rejected", json!("direction not found")),
        // a refusal the document does not name, to a call that changes state
        ("cancel-bid", "not_allowed") => (4, "outcome_unknown", json!(1)),
        other => panic!("no expectation for {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_against_wiremock() {
    let mut ran = 0;
    for op in Fixture::operations(P) {
        if op == "bid-callback" {
            continue; // inbound: see check_callback's tests
        }
        for (case, _) in Fixture::cases(P, &op) {
            if case == "ok_trailing_slash" {
                continue; // the CLI sends no trailing slash
            }
            let f = Fixture::load(P, &op, &case);
            let server = fixture_server(&[(P, &op, &case)]).await;
            let mut env = creds();
            if case == "ok_lang" {
                env.push(("KASSA_EXCHANGER_LANG", "en_US"));
            }
            let run = kassa(
                &[
                    P,
                    &op,
                    "--params",
                    &fixture_params(&op, &f),
                    "--base-url",
                    &server.uri(),
                ],
                &env,
            )
            .await;
            server.verify().await;
            let (code, kind, provider_code) = expected(&op, &case);
            assert_eq!(run.code, code, "{op}/{case}: {run:?}");
            if code == 0 {
                let answer = run.json();
                if op == "create-bid" {
                    assert_eq!(answer["api_id"], "order-42", "{op}/{case}");
                    assert_eq!(answer["id"], 1350, "{op}/{case}");
                }
                if op == "test" && case == "ok_lang" {
                    assert_eq!(answer["locale"], "en_US");
                }
            } else {
                let e = run.error();
                assert_eq!(e["kind"], kind, "{op}/{case}: {run:?}");
                assert_eq!(e["code"], provider_code, "{op}/{case}: {run:?}");
                if kind == "outcome_unknown" {
                    assert_eq!(e["reconcile"]["operation"], "bid-info", "{run:?}");
                    assert_eq!(
                        e["reconcile"]["params"]["hash"],
                        f.request.form.as_ref().expect("form")["hash"].as_str(),
                        "{run:?}"
                    );
                }
            }
            ran += 1;
        }
    }
    assert!(ran >= 45, "fixtures run: {ran}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_names_the_field_and_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let long = "x".repeat(65);
    let cases: Vec<(&str, String, &str)> = vec![
        ("create-bid", bid_with(json!({"calc_amount": "-1"})), "calc_amount"),
        ("create-bid", bid_with(json!({"calc_amount": "1e-3"})), "calc_amount"),
        ("create-bid", bid_with(json!({"calc_action": 5})), "calc_action"),
        ("create-bid", bid_with(json!({"api_id": long})), "api_id"),
        ("create-bid", bid_with(json!({"callback_url": "ftp://x"})), "callback_url"),
        ("create-bid", bid_with(json!({"bogus": 1})), "bogus"),
        ("get-calc", r#"{"direction_id": 12, "calc_action": 1}"#.into(), "calc_amount"),
        ("bid-info", "{}".into(), "id"),
        ("pay-bid", r#"{"hash": " "}"#.into(), "hash"),
        (
            "cancel-bid",
            r#"{"hash": "c3f641ab7aa4", "api_actions": {"type": "link", "cancel": "disabled", "pay": "api"}}"#.into(),
            "api_actions.cancel",
        ),
        ("add-partner-payout", r#"{"method_id": 7, "account": ""}"#.into(), "account"),
        ("test", r#"{"x": 1}"#.into(), "x"),
        ("get-exchanges", r#"{"limit": "ten"}"#.into(), "limit"),
    ];
    for (op, params, field) in cases {
        let run = at(&server.uri(), op, &params).await;
        let e = run.error();
        assert_eq!(
            (run.code, e["kind"].clone()),
            (2, json!("invalid_input")),
            "{op} {params}: {run:?}"
        );
        assert!(
            run.message().contains(field),
            "{op} {params}: names {field}: {run:?}"
        );
        assert_eq!(e["may_have_taken_effect"], false);
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_bid_is_outcome_unknown_naming_get_exchanges_with_the_api_id() {
    // a 503 (nothing made), with and without the caller's api_id
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/userapi/v1/create_bid"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    for given in [Some("mine-1"), None] {
        let params = match given {
            Some(a) => bid_with(json!({"api_id": a})),
            None => BID.to_owned(),
        };
        let run = at(&server.uri(), "create-bid", &params).await;
        let e = run.error();
        assert_eq!(run.code, 4, "{run:?}");
        assert_eq!(e["kind"], "outcome_unknown");
        assert_eq!(e["may_have_taken_effect"], true);
        assert_eq!(e["reconcile"]["operation"], "get-exchanges", "{run:?}");
        let api_id = e["reconcile"]["params"]["api_id"]
            .as_str()
            .expect("the api_id is named");
        match given {
            Some(a) => assert_eq!(api_id, a),
            None => assert_eq!(api_id.len(), 36, "a generated UUID: {api_id}"),
        }
    }
    let sent = server.received_requests().await.unwrap_or_default();
    assert_eq!(sent.len(), 2, "each sent once");
    // the generated api_id named is the one that was sent
    let body = String::from_utf8_lossy(&sent[1].body).into_owned();
    let run = at(&server.uri(), "create-bid", BID).await;
    let named = run.error()["reconcile"]["params"]["api_id"]
        .as_str()
        .expect("named")
        .to_owned();
    let last = server.received_requests().await.unwrap_or_default();
    let last_body = String::from_utf8_lossy(&last[2].body).into_owned();
    assert!(
        last_body.contains(&format!("api_id={named}")),
        "{last_body}"
    );
    assert!(body.contains("api_id="), "{body}");

    // against the sandbox: the connection drops after the bid is made; the reconcile step
    // run as printed finds exactly that one bid
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url(P);
    sandbox
        .faults()
        .set(Fault::drop_connection(P, "/api/userapi/v1/create_bid").times(1));
    let run = at(&url, "create-bid", BID).await;
    let e = run.error();
    assert_eq!(e["kind"], "outcome_unknown", "{run:?}");
    let reconcile = &e["reconcile"];
    let step = reconcile["operation"].as_str().expect("an operation");
    let found = ok(&url, step, &reconcile["params"].to_string()).await;
    let items = found["items"].as_array().expect("the bid was made");
    assert_eq!(items.len(), 1, "{found}");
    assert_eq!(items[0]["api_id"], reconcile["params"]["api_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_pay_bid_names_bid_info_with_the_hash() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url(P);
    let bid = ok(&url, "create-bid", BID).await;
    sandbox
        .faults()
        .set(Fault::status(P, "/api/userapi/v1/pay_bid", 503).times(1));
    let run = at(&url, "pay-bid", &json!({"hash": bid["hash"]}).to_string()).await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone()),
        (4, json!("outcome_unknown")),
        "{run:?}"
    );
    assert_eq!(e["reconcile"]["operation"], "bid-info");
    assert_eq!(e["reconcile"]["params"]["hash"], bid["hash"]);
    let info = ok(&url, "bid-info", &e["reconcile"]["params"].to_string()).await;
    assert_eq!(
        info["status"], "new",
        "the 503 answered instead of the exchanger"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_carries_the_providers_code_and_transport_keeps_its_cause() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url(P);
    let run = at(&url, "bid-info", r#"{"id": 9999}"#).await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone()),
        (3, json!("rejected")),
        "{run:?}"
    );
    assert_eq!(e["code"], "no bid exists");
    let run = at(&url, "get-direction", r#"{"direction_id": 999}"#).await;
    assert_eq!(run.error()["code"], "direction not found", "{run:?}");
    // the sandbox refuses a second move of a finished bid, naming it
    let bid = ok(&url, "create-bid", BID).await;
    ok(
        &url,
        "cancel-bid",
        &json!({"hash": bid["hash"]}).to_string(),
    )
    .await;
    let run = at(&url, "pay-bid", &json!({"hash": bid["hash"]}).to_string()).await;
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.message().contains("cancel"), "{run:?}");
    // wrong key: auth
    let run = kassa(
        &[P, "test", "--base-url", &url],
        &[
            ("KASSA_EXCHANGER_API_LOGIN", seed::API_LOGIN),
            ("KASSA_EXCHANGER_API_KEY", "wrong-key"),
        ],
    )
    .await;
    let e = run.error();
    assert_eq!((run.code, e["kind"].clone()), (3, json!("auth")), "{run:?}");
    assert_eq!(e["code"], "Api disabled");

    let closed = kassa_testkit::faults::closed_port().await;
    let run = kassa(
        &[P, "get-directions", "--base-url", &closed, "--timeout", "5"],
        &creds(),
    )
    .await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone()),
        (5, json!("transport")),
        "{run:?}"
    );
    assert!(
        run.message().to_ascii_lowercase().contains("refused"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_environment() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/userapi/v1/test"))
        .and(header("api-login", "shell-login"))
        .and(header("api-key", "shell-key-5d1e"))
        .and(header("api-lang", "en_US"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "error": 0, "error_text": "",
            "data": {"ip": "127.0.0.1", "user_id": "3", "locale": "en_US", "partner_id": "0"}
        })))
        .expect(2)
        .mount(&server)
        .await;
    let full: Env = vec![
        ("KASSA_EXCHANGER_API_LOGIN", "shell-login"),
        ("KASSA_EXCHANGER_API_KEY", "shell-key-5d1e"),
        ("KASSA_EXCHANGER_LANG", "en_US"),
    ];
    let me = kassa(&[P, "test", "--base-url", &server.uri()], &full)
        .await
        .json();
    assert_eq!(me["user_id"], 3);
    // the base URL from KASSA_EXCHANGER_URL works the same
    let mut by_var = full.clone();
    let uri: &'static str = Box::leak(server.uri().into_boxed_str());
    by_var.push(("KASSA_EXCHANGER_URL", uri));
    let run = kassa(&[P, "test"], &by_var).await;
    assert!(!run.stderr.contains("embedded sandbox"), "{run:?}");
    assert_eq!(run.json()["locale"], "en_US");
    server.verify().await;

    for (missing, env) in [
        (
            "KASSA_EXCHANGER_API_KEY",
            vec![("KASSA_EXCHANGER_API_LOGIN", "shell-login")],
        ),
        (
            "KASSA_EXCHANGER_API_LOGIN",
            vec![("KASSA_EXCHANGER_API_KEY", "shell-key-5d1e")],
        ),
    ] {
        let run = kassa(&[P, "test", "--base-url", &server.uri()], &env).await;
        let e = run.error();
        assert_eq!(
            (run.code, e["kind"].clone()),
            (2, json!("invalid_input")),
            "{run:?}"
        );
        assert!(run.message().contains(missing), "{run:?}");
    }
    let mut bad_lang = creds();
    bad_lang.push(("KASSA_EXCHANGER_LANG", "klingon"));
    let run = kassa(&[P, "test", "--base-url", &server.uri()], &bad_lang).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.message().contains("KASSA_EXCHANGER_LANG"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_log_never_holds_the_api_key() {
    const KEY: &str = "exchanger-key-7f3a9c";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/userapi/v1/test"))
        .and(header("api-key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "error": 0, "error_text": "",
            "data": {"ip": "127.0.0.1", "user_id": "3", "locale": "ru_RU", "partner_id": "0"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/userapi/v1/create_bid"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(10)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/userapi/v1/bid_info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "error": "1", "error_text": "Api disabled"
        })))
        .mount(&server)
        .await;
    let env: Env = vec![
        ("KASSA_EXCHANGER_API_LOGIN", "trace-login"),
        ("KASSA_EXCHANGER_API_KEY", KEY),
        ("RUST_LOG", "trace"),
    ];
    for (op, params, code) in [
        ("test", "{}", 0),
        ("create-bid", BID, 4),
        ("bid-info", r#"{"id": 1350}"#, 3),
    ] {
        let run = kassa(
            &[
                P,
                op,
                "--params",
                params,
                "--base-url",
                &server.uri(),
                "-vvv",
            ],
            &env,
        )
        .await;
        assert_eq!(run.code, code, "{op}: {run:?}");
        assert!(run.stderr.lines().count() > 5, "TRACE is on: {run:?}");
        assert!(run.stderr.contains("kassa.call"), "{op}: {run:?}");
        assert!(!run.stderr.contains(KEY), "{op}: the key reached stderr");
        assert!(!run.stdout.contains(KEY), "{op}: the key reached stdout");
    }
}

/// What `effect_holds` of tests/contract.rs checks, for the exchanger's rows: a `once`
/// operation's example, answered 503, is sent exactly once and its error names the listed
/// reconcile step (with its parameter when the row names one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_says_the_effect_the_client_really_uses() {
    let mut checked = Vec::new();
    for row in rows() {
        if row["effect"] != "once" {
            continue;
        }
        let op = row["operation"].as_str().expect("operation");
        let example =
            kassa(&["describe", P, op, "--json"], &[]).await.json()["example"].to_string();
        let at_path = Fixture::load(P, op, "ok").request.path.clone();
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(at_path.as_str()))
            .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
            .mount(&server)
            .await;
        let run = kassa(
            &[
                P,
                op,
                "--params",
                &example,
                "--base-url",
                &server.uri(),
                "--timeout",
                "20",
            ],
            &creds(),
        )
        .await;
        let sent = server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == at_path)
            .count();
        assert_eq!(sent, 1, "{op} is sent once: {run:?}");
        let e = run.error();
        assert_eq!(e["kind"], "outcome_unknown", "{run:?}");
        let listed = row["reconcile"].as_str().expect("a reconcile step");
        let (step, by) = listed.split_once(" by ").unwrap_or((listed, ""));
        assert_eq!(e["reconcile"]["operation"], step, "{run:?}");
        if !by.is_empty() {
            assert!(e["reconcile"]["params"].get(by).is_some(), "{run:?}");
        }
        checked.push(op.to_owned());
    }
    assert_eq!(
        checked,
        [
            "create-bid",
            "cancel-bid",
            "pay-bid",
            "success-bid",
            "add-partner-payout"
        ]
    );
}
