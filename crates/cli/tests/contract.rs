//! The CLI's contract, run on the built binary: the JSON error line is the last stderr line
//! even at TRACE, an answer that is a credential is printed whole on stdout and nowhere on
//! stderr, every operation describes its parameters with an example that works, the error
//! line carries the provider's code and the transport cause, `kassa list` says the effect
//! the client really uses, and the output is not doubled.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{ANOR_ENV, Env, REQUISITE_ENV, env_for, fixture_server, kassa};
use kassa_testkit::{Fixture, mount_on};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn with_trace(env: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut env = env.to_vec();
    env.push(("RUST_LOG", "trace"));
    env
}

/// A server that answers each fixture's request path with its answer, however often it is
/// asked (the fixtures' own mocks expect one call per run).
async fn answering_server(fixtures: &[(&str, &str, &str)]) -> MockServer {
    let server = MockServer::start().await;
    for (p, o, c) in fixtures {
        let f = Fixture::load(p, o, c);
        Mock::given(path(f.request.path.as_str()))
            .respond_with(f.response_template())
            .mount(&server)
            .await;
    }
    server
}

/// The request body of a fixture as `--params`.
fn body_params(f: &Fixture) -> String {
    f.request
        .json
        .clone()
        .unwrap_or_else(|| json!({}))
        .to_string()
}

/// `(provider, operation, effect, reconcile)` of every row of `kassa list` (piped: JSON).
async fn listed() -> Vec<(String, String, String, Option<String>)> {
    let run = kassa(&["list"], &[]).await;
    assert!(run.stderr.is_empty(), "list writes nothing else: {run:?}");
    run.json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (
                s("provider"),
                s("operation"),
                s("effect"),
                e["reconcile"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_trace_the_json_error_line_is_always_the_last_stderr_line() {
    // three failing operations: a refusal over a pooled keep-alive connection, an
    // outcome-unknown payment, a connection refused
    let refused = answering_server(&[
        ("anor-bm", "login", "ok"),
        ("anor-bm", "status", "bill_not_found"),
    ])
    .await;
    let unknown = answering_server(&[("requisite-uz", "payment", "code_1111_system_error")]).await;
    let closed = kassa_testkit::faults::closed_port().await;
    let status_params = body_params(&Fixture::load("anor-bm", "status", "bill_not_found"));
    let pay_params = body_params(&Fixture::load(
        "requisite-uz",
        "payment",
        "code_1111_system_error",
    ));
    let cases: Vec<(Vec<String>, Env, &str)> = vec![
        (
            vec![
                "anor-bm".into(),
                "status".into(),
                "--params".into(),
                status_params,
                "--base-url".into(),
                refused.uri(),
            ],
            with_trace(&ANOR_ENV),
            "rejected",
        ),
        (
            vec![
                "requisite-uz".into(),
                "payment".into(),
                "--params".into(),
                pay_params,
                "--base-url".into(),
                unknown.uri(),
            ],
            with_trace(&REQUISITE_ENV),
            "outcome_unknown",
        ),
        (
            vec![
                "requisite-uz".into(),
                "services".into(),
                "--base-url".into(),
                closed,
                "--timeout".into(),
                "5".into(),
            ],
            with_trace(&REQUISITE_ENV),
            "transport",
        ),
    ];
    let mut runs = Vec::new();
    for (args, env, kind) in cases {
        runs.push(tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            for i in 0..50 {
                let run = common::run(&args, &env);
                assert!(
                    run.stderr.lines().count() > 3,
                    "TRACE output is there: {run:?}"
                );
                let e = run.error();
                assert_eq!(e["kind"], kind, "run {i}: {run:?}");
            }
        }));
    }
    for r in runs {
        r.await.expect("50 runs, every last line the error object");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_is_a_credential_is_printed_whole_on_stdout_only() {
    let cases: [(&str, &str, &str, &[&str]); 5] = [
        (
            "anor-bm",
            "login",
            "{}",
            &["/result/access_token", "/result/refresh_token"],
        ),
        (
            "anor-bm",
            "refresh-token",
            r#"{"refreshToken": "test-refresh-token"}"#,
            &["/result/access_token", "/result/refresh_token"],
        ),
        (
            "anor-bm",
            "verify-otp",
            r#"{"id": "1907947016", "otp": "123321"}"#,
            &["/data"],
        ),
        ("mobilnik", "authenticate", "{}", &["/token"]),
        ("mserver", "application-token", "{}", &["/access_token"]),
    ];
    for (provider, operation, params, pointers) in cases {
        let fixture = Fixture::load(provider, operation, "ok");
        let sent: Value = serde_json::from_slice(&fixture.response_body()).expect("JSON answer");
        // mserver's token answer is wrapped in meta/data; what is printed is the token itself
        let sent = if provider == "mserver" {
            sent["data"].clone()
        } else {
            sent
        };
        let server = MockServer::start().await;
        if provider == "anor-bm" && operation == "verify-otp" {
            mount_on(&server, &Fixture::load("anor-bm", "login", "ok")).await;
        }
        mount_on(&server, &fixture).await;
        let run = kassa(
            &[
                provider,
                operation,
                "--params",
                params,
                "--base-url",
                &server.uri(),
            ],
            &with_trace(&effect_env(provider)),
        )
        .await;
        let shown = run.json();
        assert!(
            !run.stdout.contains("[REDACTED]"),
            "{provider} {operation}: {}",
            run.stdout
        );
        assert!(run.stderr.contains("kassa.call"), "TRACE is on: {run:?}");
        for pointer in pointers {
            let token = sent
                .pointer(pointer)
                .and_then(Value::as_str)
                .expect("the token the server sent");
            let printed = if *pointer == "/data" {
                shown.as_str()
            } else {
                shown.pointer(pointer).and_then(Value::as_str)
            };
            assert_eq!(printed, Some(token), "{provider} {operation}: {shown}");
            assert!(
                !run.stderr.contains(token),
                "{provider} {operation}: the token reached stderr"
            );
        }
        assert!(!run.stderr.contains("test-password"));
        assert!(!run.stderr.contains("test-client-secret"));
        assert!(!run.stdout.contains("test-password"));
        server.verify().await;
    }
}

/// Splits a shell command line of the docs (words, single-quoted words).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_describes_its_fields_and_its_example_is_accepted() {
    let rows = listed().await;
    assert_eq!(rows.len(), 95);
    let mut described = BTreeMap::new();
    for (provider, operation, _, _) in &rows {
        let d = kassa(&["describe", provider, operation, "--json"], &[])
            .await
            .json();
        assert_eq!(d["operation"], operation.as_str());
        let help = kassa(&[provider, operation, "--help"], &[]).await;
        assert_eq!(help.code, 0, "{help:?}");
        for field in d["fields"].as_array().expect("fields") {
            let name = field["name"].as_str().expect("a name");
            let line = help
                .stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{provider} {operation} --help lacks {name}"));
            let required = field["required"].as_bool().expect("required or not");
            assert!(
                line.contains(if required { "required" } else { "optional" }),
                "{line}"
            );
            assert!(line.contains(field["type"].as_str().expect("a type")));
        }
        assert!(help.stdout.contains("Example"), "{}", help.stdout);
        described.insert((provider.clone(), operation.clone()), d);
    }
    // each example, after the examples it builds on, against a fresh sandbox
    for (provider, operation, _, _) in &rows {
        let d = &described[&(provider.clone(), operation.clone())];
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let url = sandbox_url(&sandbox, provider);
        let mut steps: Vec<String> = d["after"]
            .as_array()
            .expect("after")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_owned())
            .collect();
        steps.push(operation.clone());
        for step in steps {
            let example = described[&(provider.clone(), step.clone())]["example"].to_string();
            // the examples' file paths are the repository root's; the tests run in the crate
            let example = example.replace(
                "\"@crates/cli/",
                &format!("\"@{}/", env!("CARGO_MANIFEST_DIR")),
            );
            let run = kassa(
                &[provider, &step, "--params", &example, "--base-url", &url],
                &step_env(provider, operation, &step),
            )
            .await;
            assert_eq!(
                run.code, 0,
                "{provider} {step} (for {operation}) with {example}: {run:?}"
            );
        }
    }
}

/// The sandbox's base URL for `provider`: mserver's takes the API's `/v1` prefix.
fn sandbox_url(sandbox: &kassa_sandbox::Sandbox, provider: &str) -> String {
    let url = sandbox.url(provider);
    if provider == "mserver" {
        format!("{url}/v1")
    } else {
        url
    }
}

/// The environment of one step of an example chain: the sandbox's credentials, except
/// where the descriptions say an example runs as someone else: mserver's `pay-invoice` is
/// made by the payer (the wallet `create-wallet` made), and the payment whose bill
/// `payment-bill` mails is an anonymous one (only the application's credentials).
fn step_env(provider: &str, operation: &str, step: &str) -> Vec<(&'static str, &'static str)> {
    let mut env = sandbox_env(provider);
    match (provider, operation, step) {
        ("mserver", "pay-invoice", "pay-invoice") => {
            env.retain(|(k, _)| !k.starts_with("KASSA_MSERVER_P"));
            env.push(("KASSA_MSERVER_PHONE", "+79262222222"));
            env.push(("KASSA_MSERVER_PASSWORD", "secret-2"));
        }
        ("mserver", "payment-bill", "create-payment") => {
            env.retain(|(k, _)| !k.starts_with("KASSA_MSERVER_P"));
        }
        _ => {}
    }
    env
}

fn sandbox_env(provider: &str) -> Vec<(&'static str, &'static str)> {
    use kassa_sandbox::{anor_bm, exchanger, mobilnik, mserver, requisite_uz};
    match provider {
        "mserver" => vec![
            ("KASSA_MSERVER_PHONE", mserver::seed::PHONE),
            ("KASSA_MSERVER_PASSWORD", mserver::seed::PASSWORD),
            ("KASSA_MSERVER_CLIENT_ID", mserver::seed::CLIENT_ID),
            ("KASSA_MSERVER_CLIENT_SECRET", mserver::seed::CLIENT_SECRET),
            ("KASSA_MSERVER_ADMIN_LOGIN", mserver::seed::ADMIN_LOGIN),
            (
                "KASSA_MSERVER_ADMIN_PASSWORD",
                mserver::seed::ADMIN_PASSWORD,
            ),
            (
                "KASSA_MSERVER_WEBHOOK_CLIENT_ID",
                mserver::seed::WEBHOOK_CLIENT_ID,
            ),
            (
                "KASSA_MSERVER_WEBHOOK_TOKEN",
                mserver::seed::WEBHOOK_CLIENT_TOKEN,
            ),
        ],
        "exchanger" => vec![
            ("KASSA_EXCHANGER_API_LOGIN", exchanger::seed::API_LOGIN),
            ("KASSA_EXCHANGER_API_KEY", exchanger::seed::API_KEY),
        ],
        "anor-bm" => vec![
            ("KASSA_ANOR_BM_USERNAME", anor_bm::seed::USERNAME),
            ("KASSA_ANOR_BM_PASSWORD", anor_bm::seed::PASSWORD),
        ],
        "requisite-uz" => vec![
            (
                "KASSA_REQUISITE_UZ_USERNAME",
                requisite_uz::seed::FIXTURE_USERNAME,
            ),
            (
                "KASSA_REQUISITE_UZ_PASSWORD",
                requisite_uz::seed::FIXTURE_PASSWORD,
            ),
        ],
        _ => vec![
            ("KASSA_MOBILNIK_LOGIN", mobilnik::seed::LOGIN),
            ("KASSA_MOBILNIK_PASSWORD", mobilnik::seed::PASSWORD),
            ("KASSA_MOBILNIK_DEVICE_ID", mobilnik::seed::DEVICE_ID),
            ("KASSA_MOBILNIK_DEVICE", mobilnik::seed::DEVICE),
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_examples_of_docs_cli_md_work() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md"))
        .expect("docs/cli.md");
    let mut ran = 0;
    for line in doc.lines() {
        let Some(rest) = line.trim().strip_prefix("cargo run -p kassa -- ") else {
            continue;
        };
        let command = rest.split(" #").next().unwrap_or(rest);
        let words = shell_words(command);
        // `demo` has its own test; `sandbox` serves until interrupted
        if matches!(words.first().map(String::as_str), Some("demo" | "sandbox")) {
            continue;
        }
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let run = kassa(&args, &[]).await;
        assert_eq!(run.code, 0, "docs/cli.md: {command}: {run:?}");
        run.json();
        ran += 1;
    }
    assert!(ran >= 3, "the doc's calls were found ({ran})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_line_carries_the_providers_code_outcome_unknown_included() {
    for (case, code) in [
        ("code_1111_system_error", json!(1111)),
        ("code_2222_critical", json!(2222)),
        ("code_1013_account_not_found", json!(1013)),
    ] {
        let f = Fixture::load("requisite-uz", "payment", case);
        let server = fixture_server(&[("requisite-uz", "payment", case)]).await;
        let run = kassa(
            &[
                "requisite-uz",
                "payment",
                "--params",
                &body_params(&f),
                "--base-url",
                &server.uri(),
            ],
            &REQUISITE_ENV,
        )
        .await;
        let e = run.error();
        assert_eq!(e["code"], code, "{case}: {run:?}");
        if case == "code_1013_account_not_found" {
            assert_eq!((run.code, e["kind"].clone()), (3, json!("rejected")));
        } else {
            assert_eq!((run.code, e["kind"].clone()), (4, json!("outcome_unknown")));
            assert_eq!(e["reconcile"]["operation"], "payment-status");
        }
    }
    // a timeout carried no answer, so no code, and the message says what happened
    let f = Fixture::load("requisite-uz", "payment", "ok");
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let run = kassa(
        &[
            "requisite-uz",
            "payment",
            "--params",
            &body_params(&f),
            "--base-url",
            &server.uri(),
            "--timeout",
            "1",
        ],
        &REQUISITE_ENV,
    )
    .await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone(), e["code"].clone()),
        (4, json!("outcome_unknown"), Value::Null),
        "{run:?}"
    );
    assert!(run.message().contains("timed out"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_errors_keep_their_cause() {
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
    assert_eq!(run.error()["kind"], "transport", "{run:?}");
    let m = run.message().to_ascii_lowercase();
    assert!(m.contains("refused"), "{m}");
    assert!(!m.ends_with("transport failure"), "{m}");

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let run = kassa(
        &[
            "requisite-uz",
            "services",
            "--base-url",
            &server.uri(),
            "--timeout",
            "1",
        ],
        &REQUISITE_ENV,
    )
    .await;
    assert_eq!(run.error()["kind"], "transport", "{run:?}");
    assert!(run.message().contains("timed out"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_is_not_doubled() {
    // piped: JSON on stdout, nothing on stderr; --json says the same
    let piped = kassa(&["list", "anor-bm"], &[]).await;
    assert!(piped.stderr.is_empty(), "{piped:?}");
    assert_eq!(piped.json().as_array().map(Vec::len), Some(15));
    let flagged = kassa(&["list", "--json"], &[]).await;
    assert_eq!(flagged.json().as_array().map(Vec::len), Some(95));

    // an argument error: clap's text once, then the JSON line
    for args in [
        &["anor-bm", "status", "--bogus"][..],
        &["anor-bm", "statu"][..],
        &["nosuch"][..],
    ] {
        let run = kassa(args, &[]).await;
        assert_eq!(run.code, 2, "{run:?}");
        let e = run.error();
        let message = e["message"].as_str().unwrap_or_default();
        let key = message.split(';').next().unwrap_or(message);
        let human: Vec<&str> = run.stderr.lines().filter(|l| !l.starts_with('{')).collect();
        let said = human.iter().filter(|l| l.contains(key)).count();
        assert_eq!(said, 1, "said once besides the JSON line: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_v_shows_kassas_spans_and_three_add_the_http_library() {
    let server = answering_server(&[("anor-bm", "login", "ok"), ("anor-bm", "status", "ok")]).await;
    let params = body_params(&Fixture::load("anor-bm", "status", "ok"));
    let args = [
        "anor-bm",
        "status",
        "--params",
        &params,
        "--base-url",
        &server.uri(),
    ];
    let chatter = ["hyper", "reqwest", "h2::", "rustls"];
    let v = kassa(&[&args[..], &["-v"]].concat(), &ANOR_ENV).await;
    assert_eq!(v.code, 0, "{v:?}");
    for shown in [
        "kassa.call{",
        "operation=\"status\"",
        "attempt=1",
        "status=200",
        "outcome=\"answered\"",
        "time.busy=",
    ] {
        assert!(v.stderr.contains(shown), "-v shows {shown}: {}", v.stderr);
    }
    for lib in chatter {
        assert!(
            !v.stderr.contains(lib),
            "-v keeps {lib} quiet: {}",
            v.stderr
        );
    }
    let vvv = kassa(&[&args[..], &["-vvv"]].concat(), &ANOR_ENV).await;
    assert_eq!(vvv.code, 0, "{vvv:?}");
    assert!(vvv.stderr.contains("hyper"), "{}", vvv.stderr);

    // a failure's cause is on the span's event at -v
    let closed = kassa_testkit::faults::closed_port().await;
    let failed = kassa(
        &["requisite-uz", "services", "--base-url", &closed, "-v"],
        &REQUISITE_ENV,
    )
    .await;
    let log = failed.stderr.to_ascii_lowercase();
    assert!(
        log.contains("outcome=\"transport\"") && log.contains("cause=") && log.contains("refused"),
        "{}",
        failed.stderr
    );
    assert!(failed.error()["kind"] == "transport");
}

/// The path an operation's example is sent to: the catalogue's path with the example's
/// path values (`{id}`, `{phone}`; below the base URL, as mserver's `/v1` prefix is in it),
/// or, for the first three providers, the path of the operation's `ok` fixture.
fn op_path(provider: &str, operation: &str, template: &str, example: &Value) -> String {
    if !matches!(provider, "mserver" | "exchanger") {
        let row = kassa_testkit::Fixture::load(provider, operation, "ok");
        return row.request.path.clone();
    }
    let mut path = String::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        let (name, tail) = after.split_once('}').expect("a closed {name}");
        let value = match &example[name] {
            Value::String(s) => s.replace('+', "%2B"),
            other => other.to_string(),
        };
        path.push_str(before);
        path.push_str(&value);
        rest = tail;
    }
    path.push_str(rest);
    path
}

/// The credentials a provider's calls take in [`effect_holds`]: the fixtures' values.
fn effect_env(provider: &str) -> Env {
    match provider {
        // a bearer token for the wallet's calls, the application's for its own, the admin's
        "mserver" => vec![
            ("KASSA_MSERVER_TOKEN", "test-access-token"),
            ("KASSA_MSERVER_CLIENT_ID", "test-client-id"),
            ("KASSA_MSERVER_CLIENT_SECRET", "test-client-secret"),
            ("KASSA_MSERVER_ADMIN_LOGIN", "test-admin"),
            ("KASSA_MSERVER_ADMIN_PASSWORD", "test-admin-password"),
            ("KASSA_MSERVER_WEBHOOK_CLIENT_ID", "mserver"),
            ("KASSA_MSERVER_WEBHOOK_TOKEN", "test-webhook-token"),
        ],
        "exchanger" => vec![
            ("KASSA_EXCHANGER_API_LOGIN", "test-login"),
            ("KASSA_EXCHANGER_API_KEY", "test-key"),
        ],
        other => env_for(other),
    }
}

/// Sends one state-changing operation's example to a server that answers 503 and checks
/// what the client did against the row of `kassa list`: a `once` operation is sent exactly
/// once and names the listed reconcile step; a `keyed` one is resent.
async fn effect_holds(provider: &str, operation: &str, effect: &str, reconcile: Option<&str>) {
    let described = kassa(&["describe", provider, operation, "--json"], &[])
        .await
        .json();
    let example = described["example"].to_string();
    // a file the example uploads is the repository root's; the tests run in the crate
    let example = example.replace(
        "\"@crates/cli/",
        &format!("\"@{}/", env!("CARGO_MANIFEST_DIR")),
    );
    let server = MockServer::start().await;
    match provider {
        "anor-bm" => mount_on(&server, &Fixture::load("anor-bm", "login", "ok")).await,
        "mobilnik" => mount_on(&server, &Fixture::load("mobilnik", "authenticate", "ok")).await,
        // the application's token, for the calls that take it
        "mserver" => {
            let token = Fixture::load("mserver", "application-token", "ok");
            Mock::given(method("POST"))
                .and(path(token.request.path.as_str()))
                .respond_with(token.response_template())
                .mount(&server)
                .await;
        }
        _ => {}
    }
    let template = described["path"]
        .as_str()
        .unwrap_or_else(|| panic!("{provider} {operation}: no path in {described}"));
    let at = op_path(provider, operation, template, &described["example"]);
    let verb = described["method"].as_str().expect("a method").to_owned();
    let verb = verb.as_str();
    Mock::given(method(verb))
        .and(path(at.as_str()))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let run = kassa(
        &[
            provider,
            operation,
            "--params",
            &example,
            "--base-url",
            &server.uri(),
            "--timeout",
            "20",
        ],
        &effect_env(provider),
    )
    .await;
    assert_ne!(run.code, 0, "{run:?}");
    let sent = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == at)
        .count();
    if effect == "once" {
        assert_eq!(sent, 1, "{provider} {operation} is listed once: {run:?}");
        if let Some(reconcile) = reconcile {
            let e = run.error();
            assert_eq!(e["kind"], "outcome_unknown", "{run:?}");
            // `op by param`, or a step with no parameter (`list-templates`)
            let (op, by) = match reconcile.split_once(" by ") {
                Some((op, by)) => (op, Some(by)),
                None => (reconcile, None),
            };
            assert_eq!(e["reconcile"]["operation"], op, "{run:?}");
            if let Some(by) = by {
                assert!(e["reconcile"]["params"].get(by).is_some(), "{run:?}");
            }
        }
    } else {
        assert!(sent > 1, "{provider} {operation} is listed keyed: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_says_the_effect_the_client_really_uses() {
    let mut checked = 0;
    let mut per_provider: BTreeMap<String, usize> = BTreeMap::new();
    for (provider, operation, effect, reconcile) in listed().await {
        // ext-pay has its own test below
        if (effect != "once" && effect != "keyed") || operation == "ext-pay" {
            continue;
        }
        effect_holds(&provider, &operation, &effect, reconcile.as_deref()).await;
        checked += 1;
        *per_provider.entry(provider).or_default() += 1;
    }
    assert_eq!(
        per_provider.get("mserver"),
        Some(&27),
        "mserver's 26 once rows and create-payment"
    );
    assert_eq!(per_provider.get("exchanger"), Some(&5));
    assert_eq!(checked, 46, "every state-changing row but ext-pay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ext_pay_is_sent_once_and_reconciled_by_status_with_its_agent_tran_id() {
    let rows = listed().await;
    let (_, _, effect, reconcile) = rows
        .iter()
        .find(|r| r.0 == "anor-bm" && r.1 == "ext-pay")
        .expect("listed");
    assert_eq!(
        (effect.as_str(), reconcile.as_deref()),
        ("once", Some("status by agentTranId"))
    );
    effect_holds("anor-bm", "ext-pay", effect, reconcile.as_deref()).await;
}
