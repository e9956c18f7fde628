//! The built `kassa` binary, run as a user would: every operation of the three providers
//! against wiremock (the fixtures' strict matchers prove the exact request) and against a
//! live sandbox (state carried from call to call), each error kind with its exit code and
//! stderr JSON, credentials from the environment, and a TRACE log free of secrets.

mod common;

use std::collections::BTreeMap;

use common::{ANOR_ENV, MOBILNIK_ENV, REQUISITE_ENV, env_for, fixture_server, kassa, standalone};
use kassa_testkit::{Fixture, mount_on};
use serde_json::{Value, json};
use wiremock::MockServer;

/// The success case of an operation's fixtures.
fn success_case(provider: &str, operation: &str) -> Fixture {
    let cases = Fixture::cases(provider, operation);
    // `ok_repaired` where the document's own example is not valid JSON
    for preferred in ["ok_repaired", "ok", "accepted"] {
        if let Some((_, f)) = cases.iter().find(|(c, _)| c == preferred) {
            return f.clone();
        }
    }
    panic!("{provider}/{operation} has no ok fixture")
}

/// The CLI parameters that reproduce a fixture's request: the JSON body, or the query less
/// what the client adds itself, or the path parameter.
fn params_for(provider: &str, operation: &str, f: &Fixture) -> String {
    let req = &f.request;
    let value = match (provider, operation) {
        ("mobilnik", _) => {
            let own = [
                "id", "login", "password", "device", "client", "token", "status",
            ];
            let map: BTreeMap<&String, &String> = req
                .query
                .iter()
                .filter(|(k, _)| !own.contains(&k.as_str()))
                .collect();
            json!(map)
        }
        // the credentials come from the environment; login takes no parameters
        ("anor-bm", "login") => json!({}),
        ("requisite-uz", "payment-status") => {
            json!({"orderId": req.path.rsplit('/').next().unwrap_or_default()})
        }
        ("requisite-uz", "balance") => {
            json!({"serviceId": req.path.split('/').nth(4).unwrap_or_default()})
        }
        _ => req.json.clone().unwrap_or_else(|| json!({})),
    };
    value.to_string()
}

/// The fixtures a call needs before its own: a login for anor-bm's bearer calls, an
/// authentication for mobilnik's token calls.
fn prerequisites(provider: &str, operation: &str) -> Vec<Fixture> {
    match (provider, operation) {
        ("anor-bm", "login" | "refresh-token") => vec![],
        ("anor-bm", _) => vec![Fixture::load("anor-bm", "login", "ok")],
        ("mobilnik", "authenticate") => vec![],
        ("mobilnik", _) => vec![Fixture::load("mobilnik", "authenticate", "ok")],
        _ => vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_sends_its_fixture_request_and_prints_the_answer() {
    let list = kassa(&["list"], &[]).await.json();
    let ops: Vec<(String, String)> = list
        .as_array()
        .expect("list is an array")
        .iter()
        .map(|e| {
            (
                e["provider"].as_str().unwrap_or_default().to_owned(),
                e["operation"].as_str().unwrap_or_default().to_owned(),
            )
        })
        // mserver's and exchanger's fixtures run in tests/mserver.rs and tests/exchanger.rs
        .filter(|(p, _)| ["anor-bm", "requisite-uz", "mobilnik"].contains(&p.as_str()))
        .collect();
    assert_eq!(ops.len(), 27, "15 anor-bm + 6 requisite-uz + 6 mobilnik");
    for (provider, operation) in &ops {
        let server = MockServer::start().await;
        for pre in prerequisites(provider, operation) {
            mount_on(&server, &pre).await;
        }
        let fixture = success_case(provider, operation);
        mount_on(&server, &fixture).await;
        let params = params_for(provider, operation, &fixture);
        let run = kassa(
            &[
                provider,
                operation,
                "--params",
                &params,
                "--base-url",
                &server.uri(),
            ],
            &env_for(provider),
        )
        .await;
        assert_eq!(run.code, 0, "{provider} {operation} with {params}: {run:?}");
        let answer = run.json();
        assert!(!answer.is_null(), "{provider} {operation}: {answer}");
        assert!(
            !run.stderr.contains("sandbox"),
            "a configured base URL must not start the sandbox: {run:?}"
        );
        // an answer that is itself a credential prints it (tests/contract.rs)
        let credential = matches!(
            operation.as_str(),
            "login" | "refresh-token" | "authenticate"
        );
        for secret in ["test-password", "test-token", "test-refresh-token"] {
            assert!(
                (credential && secret != "test-password") || !run.stdout.contains(secret),
                "{provider} {operation} printed a secret: {}",
                run.stdout
            );
        }
        server.verify().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anor_bm_operations_chain_against_a_live_sandbox() {
    use kassa_sandbox::anor_bm::seed;
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url("anor-bm");
    let env = [
        ("KASSA_ANOR_BM_USERNAME", seed::USERNAME),
        ("KASSA_ANOR_BM_PASSWORD", seed::PASSWORD),
    ];
    let call = |op: &'static str, params: Value| {
        let url = url.clone();
        async move {
            kassa(
                &[
                    "anor-bm",
                    op,
                    "--params",
                    &params.to_string(),
                    "--base-url",
                    &url,
                ],
                &env,
            )
            .await
        }
    };
    let card = json!({"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry});
    let check = |tran: &str, amount: i64| {
        json!({"account": "30", "recipientId": seed::RECIPIENT_ID, "amount": amount, "currency": 860,
               "agentTranId": tran, "params": card})
    };

    let login = call("login", json!({})).await.json();
    assert!(
        login["result"]["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty() && t != "[REDACTED]"),
        "the token asked for is printed: {login}"
    );
    let refreshed = call(
        "refresh-token",
        json!({"refreshToken": seed::REFRESH_TOKEN}),
    )
    .await
    .json();
    assert_eq!(refreshed["statusCode"], 0);

    // check, pay, status
    let bill = call("unregistered-check", check("cli-1", 100_000))
        .await
        .json();
    assert_eq!(bill["status"], "CHECK_OK");
    assert_eq!(bill["amount"], 100_000, "tiyin as the wire carries them");
    let id = bill["id"].as_i64().expect("billId");
    let paid = call(
        "unregistered-pay",
        json!({"billId": id, "type": "PC", "params": {"otp": seed::OTP}}),
    )
    .await
    .json();
    assert_eq!(paid["status"], "SUCCESS");
    let status = call("status", json!({"billId": id})).await.json();
    assert_eq!(status["status"], "SUCCESS");
    let by_tran = call("status", json!({"agentTranId": "cli-1"})).await.json();
    assert_eq!(by_tran["id"], id);

    // check, hold, more, confirm
    let hold_id = call("unregistered-check", check("cli-2", 100_000))
        .await
        .json()["id"]
        .clone();
    let held = call(
        "hold",
        json!({"billId": hold_id, "type": "PC", "params": {"otp": seed::OTP}}),
    )
    .await
    .json();
    assert_eq!(held["status"], "HOLD_SUCCESS");
    let more = call(
        "hold-more",
        json!({"billId": hold_id, "amount": 20_000, "type": "UZCARD", "params": card}),
    )
    .await
    .json();
    assert_eq!(more["amount"], 120_000);
    let confirmed = call("hold-confirm", json!({"billId": hold_id}))
        .await
        .json();
    assert_eq!(confirmed["status"], "SUCCESS");

    // check, hold, release part, release the rest
    let part_id = call("unregistered-check", check("cli-3", 80_000))
        .await
        .json()["id"]
        .clone();
    call(
        "hold",
        json!({"billId": part_id, "type": "PC", "params": {"otp": seed::OTP}}),
    )
    .await
    .json();
    let partial = call(
        "hold-reverse-partial",
        json!({"billId": part_id, "reverseAmount": 30_000}),
    )
    .await
    .json();
    assert_eq!(partial["amount"], 50_000, "what stays held");
    let reversed = call("hold-reverse", json!({"billId": part_id}))
        .await
        .json();
    assert_eq!(reversed["status"], "CANCELLED");

    // pay, then cancel
    let cancel_id = call("unregistered-check", check("cli-4", 10_000))
        .await
        .json()["id"]
        .clone();
    call(
        "unregistered-pay",
        json!({"billId": cancel_id, "type": "PC", "params": {"otp": seed::OTP}}),
    )
    .await
    .json();
    let cancelled = call("cancel", json!({"billId": cancel_id})).await.json();
    assert_eq!(cancelled["status"], "CANCELLED");

    // card binding by OTP
    let sent = call(
        "send-otp",
        json!({"pan": seed::POOR_CARD.pan, "expiry": seed::POOR_CARD.expiry}),
    )
    .await
    .json();
    let otp_id = sent["id"].clone();
    let token = call(
        "verify-otp",
        json!({"id": otp_id.to_string().trim_matches('"'), "otp": seed::OTP}),
    )
    .await;
    assert_eq!(token.code, 0, "{token:?}");
    let cards = call("get-user-cards", json!({})).await;
    let cards_json = cards.json();
    assert!(
        cards_json.as_array().is_some_and(|a| !a.is_empty()),
        "{cards_json}"
    );
    assert!(
        !cards.stdout.contains(seed::POOR_CARD.pan),
        "full card numbers never print"
    );

    // company to card payout
    let payout = call(
        "ext-pay",
        json!({"agentTranId": 5_550_001, "amount": 100_000,
               "from": {"type": "ACCOUNT", "currency": 860, "params": {"account": seed::MERCHANT_ACCOUNT, "mfo": seed::MERCHANT_MFO, "name": seed::MERCHANT_NAME}},
               "to": {"type": "PAN", "currency": 860, "params": {"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry}}}),
    )
    .await
    .json();
    assert_eq!(payout["success"], true, "{payout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requisite_uz_operations_chain_against_a_live_sandbox() {
    use kassa_sandbox::requisite_uz::seed;
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url("requisite-uz");
    let env = [
        ("KASSA_REQUISITE_UZ_USERNAME", seed::FIXTURE_USERNAME),
        ("KASSA_REQUISITE_UZ_PASSWORD", seed::FIXTURE_PASSWORD),
    ];
    let call = |op: &'static str, params: Value| {
        let url = url.clone();
        async move {
            kassa(
                &[
                    "requisite-uz",
                    op,
                    "--params",
                    &params.to_string(),
                    "--base-url",
                    &url,
                ],
                &env,
            )
            .await
        }
    };
    let services = call("services", json!({})).await.json();
    assert!(
        services.as_array().is_some_and(|s| s.len() == 3),
        "{services}"
    );
    let service = seed::SERVICE_SPLIT_ID.to_string();
    let before = call("balance", json!({"serviceId": service})).await.json();
    assert_eq!(
        before["balance"],
        seed::SERVICE_SPLIT_BALANCE.to_string(),
        "tiyin as a string, as on the wire"
    );
    let order = json!({"orderId": "cli-order-1", "receiverName": seed::RECEIVER_NAME, "mfoReceiver": seed::RECEIVER_MFO,
        "receiverAccount": seed::RECEIVER_ACCOUNT, "innReceiver": seed::RECEIVER_INN, "purpose": "kassa cli test",
        "serviceId": service, "amount": "1000000", "comissionAmount": "1000"});
    let created = call("payment", order.clone()).await.json();
    assert_eq!(created["payment_status"], "Введен", "{created}");
    // The sandbox refuses a repeated orderId with a code the document does not list; an
    // undocumented answer to a payment never counts as "nothing happened".
    let again = call("payment", order).await;
    assert_eq!(again.code, 4, "an orderId is never paid twice: {again:?}");
    assert_eq!(
        again.error()["reconcile"],
        json!({"operation": "payment-status", "params": {"orderId": "cli-order-1"}})
    );
    let mut status = Value::Null;
    for _ in 0..3 {
        status = call("payment-status", json!({"orderId": "cli-order-1"}))
            .await
            .json();
        if status["payment_status"] == "Проведен" {
            break;
        }
    }
    assert_eq!(status["payment_status"], "Проведен", "{status}");
    let after = call("balance", json!({"serviceId": service})).await.json();
    assert_eq!(
        after["balance"],
        (seed::SERVICE_SPLIT_BALANCE - 1_001_000).to_string()
    );
    let budget = call(
        "payment-budget",
        json!({"orderId": "cli-budget-1",
               "receiverAccount": seed::BUDGET_ACCOUNT, "innReceiver": seed::BUDGET_INN, "purposeCode": seed::PURPOSE_CODE,
               "purpose": "kassa cli budget", "serviceId": service, "amount": "50000", "comissionAmount": "0"}),
    )
    .await;
    assert_eq!(budget.code, 0, "{budget:?}");
    let statement = call(
        "statement",
        json!({"type": "0", "lastId": 0, "fromDate": "2000-01-01", "toDate": "2099-12-31", "serviceId": seed::SERVICE_SPLIT_ID}),
    )
    .await;
    assert_eq!(statement.code, 0, "{statement:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobilnik_operations_chain_against_a_live_sandbox() {
    use kassa_sandbox::mobilnik::seed;
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url("mobilnik");
    let env = [
        ("KASSA_MOBILNIK_LOGIN", seed::LOGIN),
        ("KASSA_MOBILNIK_PASSWORD", seed::PASSWORD),
        ("KASSA_MOBILNIK_DEVICE_ID", seed::DEVICE_ID),
        ("KASSA_MOBILNIK_DEVICE", seed::DEVICE),
    ];
    let call = |op: &'static str, params: Value| {
        let url = url.clone();
        async move {
            kassa(
                &[
                    "mobilnik",
                    op,
                    "--params",
                    &params.to_string(),
                    "--base-url",
                    &url,
                ],
                &env,
            )
            .await
        }
    };
    let me = call("authenticate", json!({})).await;
    assert_eq!(me.json()["account"], seed::ACCOUNT);
    assert!(
        me.stdout.contains("\"balance\": 1043.00"),
        "balance as the wire carries it: {}",
        me.stdout
    );
    assert!(!me.stdout.contains(seed::PASSWORD));
    let services = call("service-list", json!({})).await.json();
    assert!(
        services["services"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    let who = call(
        "check-requisite",
        json!({"service_id": 1, "requisite": seed::REQUISITE}),
    )
    .await
    .json();
    assert_eq!(who["customer_name"], seed::REQUISITE_NAME);
    // --params @FILE reads the same object from a file
    let file = std::env::temp_dir().join(format!("kassa-cli-params-{}.json", std::process::id()));
    std::fs::write(
        &file,
        json!({"service_id": 1, "requisite": seed::REQUISITE}).to_string(),
    )
    .expect("params file");
    let at_file = format!("@{}", file.display());
    let from_file = kassa(
        &[
            "mobilnik",
            "check-requisite",
            "--params",
            &at_file,
            "--base-url",
            &url,
        ],
        &env,
    )
    .await;
    let _ = std::fs::remove_file(&file);
    assert_eq!(from_file.json()["customer_name"], seed::REQUISITE_NAME);
    let paid_run = call(
        "payment",
        json!({"service_id": 1, "requisite": seed::REQUISITE, "amount": "43.00"}),
    )
    .await;
    let paid = paid_run.json();
    assert!(
        paid_run.stdout.contains("\"balance\": 1000.00"),
        "{}",
        paid_run.stdout
    );
    let op = paid["operation_id"].clone();
    let status = call("check-payment", json!({"operation_id": op}))
        .await
        .json();
    assert!(
        status["status_id"] == 0 || status["status_id"] == 1,
        "{status}"
    );
    let sent = call(
        "transfer-request",
        json!({"service_id": 2, "customer_id": seed::WALLET, "amount": "1000.00", "comment": "rent"}),
    )
    .await
    .json();
    assert_eq!(sent["message"], "OK");
    let broke = call(
        "payment",
        json!({"service_id": 1, "requisite": seed::REQUISITE, "amount": "1.00"}),
    )
    .await;
    assert_eq!(broke.code, 3, "funds ran out: {broke:?}");
    assert_eq!(broke.error()["code"], 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_base_url_the_embedded_sandbox_answers() {
    let run = kassa(&["mobilnik", "authenticate"], &[]).await;
    let me = run.json();
    assert_eq!(me["account"], 1_234_567);
    assert!(
        run.stderr.contains("embedded sandbox"),
        "said on stderr: {run:?}"
    );
    let demo = kassa(&["demo"], &[]).await;
    assert_eq!(demo.code, 0, "{demo:?}");
    assert_demo_ran_every_provider(&demo.json());
}

/// The steps `kassa demo` must show, per provider: all five providers' main flows.
const DEMO_STEPS: [(&str, &[&str]); 5] = [
    (
        "anor-bm",
        &[
            "login",
            "unregistered-check",
            "unregistered-pay",
            "status",
            "hold",
            "hold-confirm",
            "hold-reverse-partial",
            "journal-lost-answer",
            "journal-recover",
        ],
    ),
    (
        "requisite-uz",
        &[
            "services",
            "balance",
            "payment",
            "payment-status",
            "statement",
        ],
    ),
    (
        "mobilnik",
        &[
            "authenticate",
            "service-list",
            "check-requisite",
            "payment",
            "check-payment",
        ],
    ),
    (
        "mserver",
        &[
            "create-wallet",
            "activate-wallet",
            "get-wallet",
            "list-services",
            "if-modified-since",
            "get-service",
            "create-payment",
            "pay-payment",
            "get-payment",
            "balance",
            "notification",
        ],
    ),
    (
        "exchanger",
        &[
            "get-directions",
            "get-calc",
            "create-bid",
            "get-exchanges",
            "pay-bid",
            "success-bid",
            "bid-info",
            "callback",
        ],
    ),
];

/// The demo's summary: ok, every step ok, and every provider's steps there, mserver's
/// declined payment and verified notification and the exchanger's confirmed callback
/// among them.
fn assert_demo_ran_every_provider(summary: &Value) {
    assert_eq!(summary["ok"], true, "{summary}");
    let steps = summary["steps"].as_array().expect("steps is an array");
    assert!(
        steps.iter().all(|s| s["ok"] == true),
        "every step ok: {summary}"
    );
    let detail = |provider: &str, step: &str| -> Vec<String> {
        steps
            .iter()
            .filter(|s| s["provider"] == provider && s["step"] == step)
            .map(|s| s["detail"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for (provider, names) in DEMO_STEPS {
        for name in names {
            assert!(
                !detail(provider, name).is_empty(),
                "{provider} {name} missing from the demo: {summary}"
            );
        }
    }
    let listed: std::collections::BTreeSet<&str> = steps
        .iter()
        .filter_map(|s| s["provider"].as_str())
        .collect();
    assert_eq!(listed.len(), 5, "exactly the five providers: {listed:?}");

    // mserver: the wallet refused until activated, one payment completed, one declined for lack of funds, the balance fell by
    // the total and then did not move, the notification of the completed one verified
    let wallet = detail("mserver", "get-wallet");
    assert!(wallet[0].contains("wallet_not_active"), "{wallet:?}");
    assert!(wallet[1].ends_with("holds 1 000.00 RUB"), "{wallet:?}");
    let followed = detail("mserver", "get-payment");
    assert_eq!(followed.len(), 2, "{followed:?}");
    assert!(followed[0].ends_with("completed"), "{followed:?}");
    assert!(
        followed[1].contains("declined: insufficient_funds"),
        "{followed:?}"
    );
    let balances = detail("mserver", "balance");
    assert!(balances[0].contains("fell by the total"), "{balances:?}");
    assert!(balances[1].contains("nothing taken"), "{balances:?}");
    assert!(detail("mserver", "list-services")[0].starts_with("320 services over 4 pages"));
    assert!(detail("mserver", "if-modified-since")[0].contains("304"));
    let paid = followed[0]
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let notified = &detail("mserver", "notification")[0];
    assert!(
        notified.starts_with(&format!("payment {paid} ")) && notified.contains("→ completed"),
        "{notified}"
    );

    // exchanger: the callback of the bid's success, confirmed by bid_info
    let callback = &detail("exchanger", "callback")[0];
    assert!(
        callback.contains("success; bid_info confirms success"),
        "{callback}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_error_kind_has_its_exit_code_and_stderr_json() {
    // invalid input: nothing is sent
    let bad = kassa(
        &[
            "anor-bm",
            "status",
            "--params",
            "{\"billId\": -1}",
            "--base-url",
            "http://127.0.0.1:9",
        ],
        &ANOR_ENV,
    )
    .await;
    assert_eq!(bad.code, 2, "{bad:?}");
    let e = bad.error();
    assert_eq!(
        (
            e["kind"].as_str(),
            e["code"].is_null(),
            e["may_have_taken_effect"].as_bool()
        ),
        (Some("invalid_input"), true, Some(false))
    );
    let not_json = kassa(&["anor-bm", "status", "--params", "{billId"], &ANOR_ENV).await;
    assert_eq!(
        (not_json.code, not_json.error()["kind"].clone()),
        (2, json!("invalid_input"))
    );

    // rejected: the bank's code
    let server = fixture_server(&[
        ("anor-bm", "login", "ok"),
        ("anor-bm", "status", "bill_not_found"),
    ])
    .await;
    let params = params_for(
        "anor-bm",
        "status",
        &Fixture::load("anor-bm", "status", "bill_not_found"),
    );
    let run = kassa(
        &[
            "anor-bm",
            "status",
            "--params",
            &params,
            "--base-url",
            &server.uri(),
        ],
        &ANOR_ENV,
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.error()["kind"], "rejected");
    assert_eq!(run.error()["code"], "bill_not_found");

    // the bank says money may have moved: outcome unknown on a payment, whatever the HTTP
    // status, with the status call to ask and the bank's code kept
    let f = Fixture::load("anor-bm", "unregistered-pay", "billing_error_need_reverse");
    let server = fixture_server(&[
        ("anor-bm", "login", "ok"),
        ("anor-bm", "unregistered-pay", "billing_error_need_reverse"),
    ])
    .await;
    let run = kassa(
        &[
            "anor-bm",
            "unregistered-pay",
            "--params",
            &params_for("anor-bm", "unregistered-pay", &f),
            "--base-url",
            &server.uri(),
        ],
        &ANOR_ENV,
    )
    .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(run.error()["kind"], "outcome_unknown");
    assert_eq!(run.error()["code"], "billing_error_need_reverse");
    assert_eq!(run.error()["reconcile"]["operation"], "status");
    assert_eq!(run.error()["may_have_taken_effect"], true);

    // auth
    let server = fixture_server(&[("anor-bm", "login", "bad_credentials")]).await;
    let run = kassa(
        &["anor-bm", "login", "--base-url", &server.uri()],
        &ANOR_ENV,
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.error()["kind"], "auth");
    assert_eq!(run.error()["code"], "bad_credentials");

    // outcome unknown: an HTML 502 answer to a payment, with the status call to ask
    let f = Fixture::load("anor-bm", "unregistered-pay", "html_502");
    let server = fixture_server(&[
        ("anor-bm", "login", "ok"),
        ("anor-bm", "unregistered-pay", "html_502"),
    ])
    .await;
    let run = kassa(
        &[
            "anor-bm",
            "unregistered-pay",
            "--params",
            &params_for("anor-bm", "unregistered-pay", &f),
            "--base-url",
            &server.uri(),
        ],
        &ANOR_ENV,
    )
    .await;
    assert_eq!(run.code, 4, "{run:?}");
    let e = run.error();
    assert_eq!(e["kind"], "outcome_unknown");
    assert_eq!(e["may_have_taken_effect"], true);
    let bill_id = f
        .request
        .json
        .as_ref()
        .map(|j| j["billId"].to_string())
        .unwrap_or_default();
    assert_eq!(
        e["reconcile"],
        json!({"operation": "status", "params": {"billId": bill_id}})
    );

    // transport: nobody listens
    let closed = kassa_testkit::faults::closed_port().await;
    let run = kassa(
        &[
            "requisite-uz",
            "services",
            "--base-url",
            &closed,
            "--timeout",
            "5",
        ],
        &REQUISITE_ENV,
    )
    .await;
    assert_eq!(run.code, 5, "{run:?}");
    assert_eq!(run.error()["kind"], "transport");
    assert_eq!(run.error()["may_have_taken_effect"], false);

    // decode: an answer that is not the provider's shape
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(kassa_testkit::faults::json_body(
            200,
            r#"{"status":"success","code":0,"data":[{"id":"x"}]}"#,
        ))
        .mount(&server)
        .await;
    let run = kassa(
        &["requisite-uz", "services", "--base-url", &server.uri()],
        &REQUISITE_ENV,
    )
    .await;
    assert_eq!(run.code, 5, "{run:?}");
    assert_eq!(run.error()["kind"], "decode");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_only_from_the_environment() {
    let server = fixture_server(&[("anor-bm", "login", "ok")]).await;
    let missing = kassa(
        &["anor-bm", "login", "--base-url", &server.uri()],
        &[("KASSA_ANOR_BM_USERNAME", "test-user")],
    )
    .await;
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.error()["message"]
            .as_str()
            .is_some_and(|m| m.contains("KASSA_ANOR_BM_PASSWORD"))
    );
    // the URL from the environment, the credentials from the environment: the login
    // fixture only matches the body with test-user / test-password
    let run = kassa(
        &["anor-bm", "login"],
        &[
            ANOR_ENV[0],
            ANOR_ENV[1],
            ("KASSA_ANOR_BM_URL", &server.uri()),
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_hold_no_password_token_or_card_number() {
    let server = fixture_server(&[
        ("mobilnik", "authenticate", "ok"),
        ("mobilnik", "payment", "ok"),
    ])
    .await;
    let f = Fixture::load("mobilnik", "payment", "ok");
    let mut env = MOBILNIK_ENV.to_vec();
    env.push(("RUST_LOG", "trace"));
    let run = kassa(
        &[
            "mobilnik",
            "payment",
            "--params",
            &params_for("mobilnik", "payment", &f),
            "--base-url",
            &server.uri(),
        ],
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("kassa.call"),
        "TRACE output is there: {}",
        run.stderr
    );
    for secret in ["test-password", "test-token"] {
        assert!(!run.stderr.contains(secret), "{secret} in the trace log");
        assert!(!run.stdout.contains(secret), "{secret} in the answer");
    }

    let f = Fixture::load("anor-bm", "send-otp", "ok");
    let pan = f
        .request
        .json
        .as_ref()
        .and_then(|j| j["pan"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(pan.len(), 16);
    let server = fixture_server(&[("anor-bm", "login", "ok"), ("anor-bm", "send-otp", "ok")]).await;
    let mut env = ANOR_ENV.to_vec();
    env.push(("RUST_LOG", "trace"));
    let run = kassa(
        &[
            "anor-bm",
            "send-otp",
            "--params",
            &params_for("anor-bm", "send-otp", &f),
            "--base-url",
            &server.uri(),
            "-vv",
        ],
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    for secret in ["test-password", "test-token", pan.as_str()] {
        assert!(
            !run.stderr.contains(secret),
            "a secret in the trace log: {}",
            run.stderr.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standalone_sandbox_prints_its_urls_and_serves_every_provider() {
    let (mut child, started, _stderr) = standalone(&["--port", "0"]);
    let requisite = started["providers"]["requisite-uz"]
        .as_str()
        .expect("a URL per provider")
        .to_owned();
    assert!(
        started["providers"]["anor-bm"]
            .as_str()
            .is_some_and(|u| u.ends_with("/anor-bm"))
    );
    // mserver's URL is what KASSA_MSERVER_URL takes: with the API's version prefix
    let mserver = started["providers"]["mserver"]
        .as_str()
        .expect("mserver's URL")
        .to_owned();
    assert!(mserver.ends_with("/mserver/v1"), "{mserver}");
    let errors = reqwest::get(format!("{mserver}/errors"))
        .await
        .expect("the sandbox answers");
    assert_eq!(errors.status(), 200);
    let answer = reqwest::Client::new()
        .get(format!("{requisite}/api/v2/services"))
        .basic_auth("test-user", Some("test-password"))
        .send()
        .await
        .expect("the sandbox answers");
    assert_eq!(answer.status().as_u16(), 200);
    let body: Value = serde_json::from_slice(&answer.bytes().await.expect("body")).expect("JSON");
    assert_eq!(body["status"], "success");
    let _ = child.kill();
    let _ = child.wait();
}
