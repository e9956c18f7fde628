//! `kassa mserver`, run on the built binary: every operation against its wiremock fixture
//! (the fixtures' strict matchers prove the exact request) and against a live sandbox, every
//! error kind, the credentials from the environment in their order of preference, a 304,
//! `--all`, an upload, `verify-notification`, and a TRACE log free of every secret.

mod common;

use std::io::Write as _;
use std::process::Stdio;

use common::{Run, fixture_server, kassa};
use kassa_testkit::{Fixture, mount_on};
use serde_json::{Value, json};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The fixtures' wallet, as HTTP Basic.
const WALLET_BASIC: &str = "Basic Kzc5MjYxMTExMTExOnRlc3QtcGFzc3dvcmQ=";
/// The fixtures' admin, as HTTP Basic.
const ADMIN_BASIC: &str = "Basic dGVzdC1hZG1pbjp0ZXN0LWFkbWluLXBhc3N3b3Jk";
/// The fixtures' application, as HTTP Basic.
const CLIENT_BASIC: &str = "Basic dGVzdC1jbGllbnQtaWQ6dGVzdC1jbGllbnQtc2VjcmV0";

const WALLET_ENV: [(&str, &str); 2] = [
    ("KASSA_MSERVER_PHONE", "+79261111111"),
    ("KASSA_MSERVER_PASSWORD", "test-password"),
];
const CLIENT_ENV: [(&str, &str); 2] = [
    ("KASSA_MSERVER_CLIENT_ID", "test-client-id"),
    ("KASSA_MSERVER_CLIENT_SECRET", "test-client-secret"),
];
const ADMIN_ENV: [(&str, &str); 2] = [
    ("KASSA_MSERVER_ADMIN_LOGIN", "test-admin"),
    ("KASSA_MSERVER_ADMIN_PASSWORD", "test-admin-password"),
];
const TOKEN_ENV: [(&str, &str); 1] = [("KASSA_MSERVER_TOKEN", "test-access-token")];

/// Every secret the tests' credentials hold, and their Basic forms.
const SECRETS: [&str; 9] = [
    "test-password",
    "test-client-secret",
    "test-admin-password",
    "test-access-token",
    "test-app-secret",
    "test-webhook-token",
    WALLET_BASIC,
    ADMIN_BASIC,
    CLIENT_BASIC,
];

/// A JPEG's first bytes (the sandbox and the client check the type by them).
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0xFF, 0xD9,
];

fn args<'a>(op: &'a str, params: &'a str, url: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["mserver", op, "--params", params, "--base-url", url];
    a.extend_from_slice(more);
    a
}

/// A file of its own in the temporary directory, named `name`.
fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kassa-mserver-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("a file");
    file
}

/// The success case of an operation's fixtures.
fn success_case(op: &str) -> Fixture {
    let cases = Fixture::cases("mserver", op);
    for preferred in ["ok_repaired", "ok", "ok_out", "ok_inout"] {
        if let Some((_, f)) = cases.iter().find(|(c, _)| c == preferred) {
            return f.clone();
        }
    }
    panic!("mserver/{op} has no success fixture")
}

/// The CLI parameters that reproduce a fixture's request: its JSON body, its query, its
/// `If-Modified-Since` under the header's name, its path values; the picture as `@path`.
fn params_for(op: &str, f: &Fixture) -> Value {
    let req = &f.request;
    let mut p = match &req.json {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for (k, v) in &req.query {
        if k.starts_with("webhook_client_") {
            // the webhook's credentials come from the environment (env_for)
            continue;
        }
        let value = match (op, k.as_str()) {
            ("list-payments", "page" | "size") => json!(v.parse::<u32>().expect("a number")),
            ("list-payments", "type" | "status") => json!(v.split(',').collect::<Vec<_>>()),
            _ => json!(v),
        };
        p.insert(k.clone(), value);
    }
    if let Some(since) = req.headers.get("if-modified-since") {
        p.insert(
            "If-Modified-Since".into(),
            json!(since.parse::<i64>().expect("a timestamp")),
        );
    }
    let last = req.path.rsplit('/').next().unwrap_or_default().to_owned();
    let number = |s: &str| json!(s.parse::<u64>().expect("an id"));
    match op {
        "get-service" | "get-card" | "delete-card" | "get-payment" => {
            p.insert("id".into(), number(&last));
        }
        "mobile-operator" => {
            p.insert("phone".into(), json!(last));
        }
        "delete-wallet" => {
            p.insert("phone".into(), json!(last.replace("%2B", "+")));
        }
        "get-template" | "update-template" | "delete-template" => {
            p.insert("id".into(), json!(last));
        }
        "cancel-invoice" | "duplicate-invoice" | "pay-invoice" => {
            p.insert(
                "id".into(),
                json!(req.path.split('/').nth(2).expect("an id")),
            );
        }
        "pay-payment" => {
            p.insert(
                "id".into(),
                number(req.path.rsplit('/').nth(1).expect("an id")),
            );
        }
        "payment-bill" => {
            if let Some(lang) = req.headers.get("accept-language") {
                p.insert("language".into(), json!(lang));
            }
        }
        "upload-picture" => {
            let part = &req.multipart.as_ref().expect("multipart")["file"];
            let file = temp_file(part.filename.as_deref().unwrap_or("image.jpg"), JPEG);
            p.insert("file".into(), json!(format!("@{}", file.display())));
        }
        _ => {}
    }
    Value::Object(p)
}

/// The environment that gives a fixture's credentials, and the application token its
/// call is made with (to be answered by the token service), if any.
fn env_for(f: &Fixture) -> (Vec<(&'static str, &'static str)>, Option<String>) {
    if f.request.query.contains_key("webhook_client_token") {
        assert_eq!(
            f.request.query["webhook_client_token"],
            "test-webhook-token"
        );
        return (
            vec![
                ("KASSA_MSERVER_WEBHOOK_CLIENT_ID", "mserver"),
                ("KASSA_MSERVER_WEBHOOK_TOKEN", "test-webhook-token"),
            ],
            None,
        );
    }
    let auth = f.request.headers.get("authorization").map(String::as_str);
    if f.request.headers.contains_key("x-authorization-type") {
        let token = auth
            .and_then(|a| a.strip_prefix("Bearer "))
            .expect("a bearer token");
        return (CLIENT_ENV.to_vec(), Some(token.to_owned()));
    }
    let env = match auth {
        None => vec![],
        Some(WALLET_BASIC) => WALLET_ENV.to_vec(),
        // +79261111111:wrong-password
        Some("Basic Kzc5MjYxMTExMTExOndyb25nLXBhc3N3b3Jk") => vec![
            ("KASSA_MSERVER_PHONE", "+79261111111"),
            ("KASSA_MSERVER_PASSWORD", "wrong-password"),
        ],
        Some(ADMIN_BASIC) => ADMIN_ENV.to_vec(),
        // test-client-id:wrong-secret
        Some("Basic dGVzdC1jbGllbnQtaWQ6d3Jvbmctc2VjcmV0") => vec![
            ("KASSA_MSERVER_CLIENT_ID", "test-client-id"),
            ("KASSA_MSERVER_CLIENT_SECRET", "wrong-secret"),
        ],
        Some(CLIENT_BASIC) => CLIENT_ENV.to_vec(),
        Some("Bearer test-access-token") => TOKEN_ENV.to_vec(),
        Some(other) => panic!("credentials the tests do not know: {other}"),
    };
    (env, None)
}

/// The token service answering `token` (meta/data, as the document's token service does).
async fn mount_token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("authorization", CLIENT_BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200},
            "data": {"access_token": token, "token_type": "bearer", "expires_in": 599}
        })))
        .mount(server)
        .await;
}

/// The mock of a fixture: its own, except for the picture, whose file part is a real JPEG
/// (the fixture's text cannot hold one); method, path, credentials, file name and type
/// still come from the fixture.
fn mock_for(op: &str, f: &Fixture) -> Mock {
    if op != "upload-picture" {
        return f.mock();
    }
    let part = f.request.multipart.as_ref().expect("multipart")["file"].clone();
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
    let mut m = Mock::given(method("POST")).and(path(f.request.path.as_str()));
    for (k, v) in &f.request.headers {
        m = m.and(header(k.as_str(), v.as_str()));
    }
    m.and(RealJpeg(part))
        .respond_with(f.response_template())
        .expect(1)
}

/// The mserver rows of `kassa list`.
async fn operations() -> Vec<String> {
    kassa(&["list", "mserver"], &[])
        .await
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["operation"].as_str().expect("a name").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_sends_its_fixture_request_and_prints_the_answer() {
    let ops = operations().await;
    assert_eq!(ops.len(), 52, "every mserver operation but the inbound one");
    for op in &ops {
        let f = success_case(op);
        let server = MockServer::start().await;
        let (env, token) = env_for(&f);
        if let Some(token) = token {
            mount_token(&server, &token).await;
        }
        mock_for(op, &f).mount(&server).await;
        let params = params_for(op, &f).to_string();
        let run = kassa(&args(op, &params, &server.uri(), &[]), &env).await;
        assert_eq!(run.code, 0, "{op} with {params}: {run:?}");
        let answer = run.json();
        assert!(answer.is_object(), "{op}: {answer}");
        assert!(!run.stderr.contains("sandbox"), "{op}: {run:?}");
        for secret in SECRETS {
            assert!(!run.stdout.contains(secret), "{op} printed {secret}");
            assert!(!run.stderr.contains(secret), "{op} logged {secret}");
        }
        server.verify().await;
    }
}

/// Runs `kassa mserver <op>` against the sandbox at `url` with its seed wallet.
async fn on_sandbox(url: &str, op: &str, params: Value) -> Run {
    use kassa_sandbox::mserver::seed;
    let env = [
        ("KASSA_MSERVER_PHONE", seed::PHONE),
        ("KASSA_MSERVER_PASSWORD", seed::PASSWORD),
        ("KASSA_MSERVER_CLIENT_ID", seed::CLIENT_ID),
        ("KASSA_MSERVER_CLIENT_SECRET", seed::CLIENT_SECRET),
    ];
    kassa(&args(op, &params.to_string(), url, &[]), &env).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_pays_a_service_against_a_live_sandbox() {
    use kassa_sandbox::mserver::seed;
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = format!("{}/v1", sandbox.url("mserver"));

    // a new wallet, activated by its SMS code
    let created = on_sandbox(
        &url,
        "create-wallet",
        json!({"phone": "+79265555555", "password": "secret-5"}),
    )
    .await
    .json();
    assert_eq!(created["dev"]["security_code"], seed::SMS_CODE);
    let wrong = on_sandbox(
        &url,
        "activate-wallet",
        json!({"phone": "+79265555555", "code": "000000"}),
    )
    .await;
    assert_eq!(
        (wrong.code, wrong.error()["code"].clone()),
        (3, json!("invalid_code"))
    );
    on_sandbox(
        &url,
        "activate-wallet",
        json!({"phone": "+79265555555", "code": seed::SMS_CODE}),
    )
    .await
    .json();

    // the catalogue: one page with its paging fields, then a 304
    let page = on_sandbox(&url, "list-services", json!({"page": 2, "size": 50}))
        .await
        .json();
    assert_eq!(page["data"].as_array().map(Vec::len), Some(50));
    assert_eq!(page["meta"]["has_next_page"], true);
    assert_eq!(page["meta"]["page"]["total_elements"], 320);
    let since = page["meta"]["request_time"].as_i64().expect("request_time");
    let same = on_sandbox(&url, "list-services", json!({"If-Modified-Since": since})).await;
    assert_eq!(
        same.json(),
        json!({"not_modified": true, "If-Modified-Since": since,
               "message": "nothing changed since If-Modified-Since: keep the copy you have"})
    );
    let groups = on_sandbox(&url, "list-groups", json!({"If-Modified-Since": since})).await;
    assert_eq!(groups.json()["not_modified"], true);

    // an out payment: created with a fresh key, paid, completed, the balance fell
    let service = on_sandbox(&url, "get-service", json!({"id": 1}))
        .await
        .json();
    assert_eq!(service["data"]["parameters"][0]["id"], "phoneNumber");
    let before = on_sandbox(&url, "get-wallet", json!({})).await.json();
    let created = on_sandbox(
        &url,
        "create-payment",
        json!({"type": "out", "amount": 100, "service": 1, "parameters": {"phoneNumber": "9261111111"}}),
    )
    .await;
    let payment = created.json();
    let key = payment["data"]["client_payment_id"]
        .as_str()
        .expect("a key")
        .to_owned();
    assert!(
        created.stderr.contains(&key),
        "the fresh key is said: {created:?}"
    );
    // the same key again: the same payment
    let again = on_sandbox(
        &url,
        "create-payment",
        json!({"type": "out", "amount": 100, "service": 1, "parameters": {"phoneNumber": "9261111111"}, "client_payment_id": key}),
    )
    .await
    .json();
    assert_eq!(again["data"]["id"], payment["data"]["id"]);
    let id = payment["data"]["id"].clone();
    let paid = on_sandbox(&url, "pay-payment", json!({"id": id}))
        .await
        .json();
    assert_eq!(paid["data"]["status"], "processing");
    let done = on_sandbox(&url, "get-payment", json!({"id": id}))
        .await
        .json();
    assert_eq!(done["data"]["status"], "completed", "{done}");
    let after = on_sandbox(&url, "get-wallet", json!({})).await.json();
    let amount = |w: &Value| w["data"]["amount"].as_f64().expect("a balance");
    assert!(
        amount(&after) < amount(&before),
        "the balance fell: {before} {after}"
    );

    // every page of the history, and of the catalogue
    let all = on_sandbox(&url, "list-payments", json!({"size": 1}))
        .await
        .json();
    assert_eq!(all["data"].as_array().map(Vec::len), Some(1));
    let run = kassa(
        &args("list-services", "{\"size\": 100}", &url, &["--all"]),
        &WALLET_ENV,
    )
    .await;
    // the sandbox's seed wallet is the fixtures' wallet
    let every = run.json();
    assert_eq!(every["pages"], 4);
    assert_eq!(every["data"].as_array().map(Vec::len), Some(320));
    assert_eq!(every["meta"]["has_next_page"], false);
    let ids: std::collections::BTreeSet<u64> = every["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| s["id"].as_u64().expect("an id"))
        .collect();
    assert_eq!(ids.len(), 320, "no service twice");

    // a payment the balance cannot cover is declined
    let big = on_sandbox(
        &url,
        "create-payment",
        json!({"type": "out", "amount": 14999, "service": 1, "parameters": {"phoneNumber": "9261111111"}}),
    )
    .await
    .json();
    let big_id = big["data"]["id"].clone();
    on_sandbox(&url, "pay-payment", json!({"id": big_id}))
        .await
        .json();
    let declined = on_sandbox(&url, "get-payment", json!({"id": big_id}))
        .await
        .json();
    assert_eq!(declined["data"]["status"], "declined");
    assert_eq!(declined["data"]["decline_reason"], "insufficient_funds");

    // templates take a bearer token: the wallet's, fetched with the application's
    // credentials
    let template = on_sandbox(
        &url,
        "create-template",
        json!({"name": "t", "amount": 10, "type": "private", "service_id": 1, "parameters": {"phoneNumber": "9261111111"}}),
    )
    .await
    .json();
    let listed = on_sandbox(&url, "list-templates", json!({})).await.json();
    assert_eq!(listed["data"][0]["id"], template["data"]["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_is_uploaded_from_a_file_checked_before_sending() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = format!("{}/v1", sandbox.url("mserver"));
    let jpeg = temp_file("face.jpg", JPEG);
    let ok = on_sandbox(
        &url,
        "upload-picture",
        json!({"file": format!("@{}", jpeg.display())}),
    )
    .await;
    assert_eq!(ok.code, 0, "{ok:?}");

    // refused before anything is sent, naming the field: nobody listens at this URL
    let nobody = kassa_testkit::faults::closed_port().await;
    let gif = temp_file("face.gif", b"GIF89a....");
    let big = temp_file("big.jpg", JPEG);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(10 * 1024 * 1024 + 1))
        .expect("a big file");
    for (params, says) in [
        (
            json!({"file": format!("@{}", gif.display())}),
            "JPEG or PNG",
        ),
        (
            json!({"file": format!("@{}", big.display())}),
            "at most 10 MB",
        ),
        (json!({"file": "@/no/such/picture.jpg"}), "cannot read"),
        (json!({"file": "photo.jpg"}), "@path"),
        (json!({}), "required"),
    ] {
        let run = on_sandbox(&nobody, "upload-picture", params.clone()).await;
        assert_eq!(run.code, 2, "{params}: {run:?}");
        let message = run.message();
        assert!(
            message.contains("`file`") && message.contains(says),
            "{params}: {message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_follows_the_pages_of_a_paged_list_only() {
    let server = MockServer::start().await;
    for page in 0..3u32 {
        let data: Vec<Value> = (0..2)
            .map(|i| json!({"id": page * 2 + i + 1, "client_payment_id": "e731a7e2-c553-4295-867e-1023359bee28",
                             "amount": 1.50, "status": "completed", "type": "out"}))
            .collect();
        Mock::given(method("GET"))
            .and(path("/payments"))
            .and(wiremock::matchers::query_param("page", page.to_string()))
            .and(wiremock::matchers::query_param("size", "2"))
            .and(header("authorization", WALLET_BASIC))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"meta": {"code": 200, "has_next_page": page < 2}, "data": data}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let run = kassa(
        &args("list-payments", r#"{"size": 2}"#, &server.uri(), &["--all"]),
        &WALLET_ENV,
    )
    .await;
    let all = run.json();
    assert_eq!(all["pages"], 3);
    let ids: Vec<u64> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| p["id"].as_u64().expect("an id"))
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    assert!(
        run.stdout.contains("\"amount\": 1.50"),
        "amounts exact: {}",
        run.stdout
    );
    server.verify().await;

    for op in ["get-wallet", "pay-payment", "create-payment"] {
        let run = kassa(
            &args(op, "{}", "http://127.0.0.1:9", &["--all"]),
            &WALLET_ENV,
        )
        .await;
        assert_eq!(run.code, 2, "{op}: {run:?}");
        assert!(run.message().contains("not paged"), "{run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_304_says_nothing_changed_and_exits_zero() {
    for op in ["errors", "list-services", "list-groups"] {
        let f = Fixture::load("mserver", op, "not_modified");
        let server = fixture_server(&[("mserver", op, "not_modified")]).await;
        let (env, _) = env_for(&f);
        let params = params_for(op, &f).to_string();
        let run = kassa(&args(op, &params, &server.uri(), &[]), &env).await;
        let doc = run.json();
        assert_eq!(doc["not_modified"], true, "{op}: {doc}");
        assert_eq!(
            doc["If-Modified-Since"],
            f.request.headers["if-modified-since"]
                .parse::<i64>()
                .expect("a timestamp")
        );
        server.verify().await;
    }
    let bad = kassa(
        &args(
            "errors",
            r#"{"If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"}"#,
            "http://127.0.0.1:9",
            &[],
        ),
        &[],
    )
    .await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.message().contains("If-Modified-Since"), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_error_kind_has_its_exit_code_and_stderr_json() {
    // invalid input: nothing is sent
    let nobody = kassa_testkit::faults::closed_port().await;
    for (op, params, field) in [
        (
            "create-wallet",
            json!({"phone": "89261111111", "password": "secret-1"}),
            "phone",
        ),
        (
            "create-payment",
            json!({"type": "out", "amount": "1.005", "service": 1}),
            "amount",
        ),
        (
            "delete-wallet",
            json!({"phone": "+79261111111", "admin": {}}),
            "admin",
        ),
        (
            "wallet-status-webhook",
            json!({"phone": "+79261111111", "verified": true, "webhook_client_token": "t"}),
            "webhook_client_token",
        ),
    ] {
        let mut env = WALLET_ENV.to_vec();
        env.extend(ADMIN_ENV);
        let run = kassa(&args(op, &params.to_string(), &nobody, &[]), &env).await;
        let e = run.error();
        assert_eq!(
            (run.code, e["kind"].clone()),
            (2, json!("invalid_input")),
            "{run:?}"
        );
        assert!(run.message().contains(field), "{op}: {run:?}");
        assert_eq!(e["may_have_taken_effect"], false);
    }

    // rejected, with the provider's code
    for (op, case, code, kind) in [
        (
            "create-wallet",
            "phone_already_exists",
            "phone_already_exists",
            "rejected",
        ),
        (
            "activate-wallet",
            "invalid_code",
            "invalid_code",
            "rejected",
        ),
        ("get-wallet", "unauthorized", "unauthorized", "auth"),
        (
            "get-wallet",
            "wallet_not_active",
            "wallet_not_active",
            "auth",
        ),
        (
            "get-person",
            "insufficient_scope",
            "insufficient_scope",
            "auth",
        ),
        (
            "application-token",
            "invalid_client",
            "unauthorized",
            "auth",
        ),
    ] {
        let f = Fixture::load("mserver", op, case);
        let server = fixture_server(&[("mserver", op, case)]).await;
        let (env, _) = env_for(&f);
        let params = params_for(op, &f).to_string();
        let run = kassa(&args(op, &params, &server.uri(), &[]), &env).await;
        let e = run.error();
        assert_eq!(
            (run.code, e["kind"].clone(), e["code"].clone()),
            (3, json!(kind), json!(code)),
            "{op} {case}: {run:?}"
        );
    }

    // outcome unknown: a payment's lost answer names get-payment with its id
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments/1401089250000/pay"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .expect(1)
        .mount(&server)
        .await;
    let run = kassa(
        &args(
            "pay-payment",
            r#"{"id": 1401089250000}"#,
            &server.uri(),
            &["--timeout", "20"],
        ),
        &WALLET_ENV,
    )
    .await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone()),
        (4, json!("outcome_unknown")),
        "{run:?}"
    );
    assert_eq!(e["may_have_taken_effect"], true);
    assert_eq!(
        e["reconcile"],
        json!({"operation": "get-payment", "params": {"id": "1401089250000"}})
    );
    server.verify().await;

    // transport: nobody listens
    let run = kassa(
        &args("get-wallet", "{}", &nobody, &["--timeout", "5"]),
        &WALLET_ENV,
    )
    .await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone()),
        (5, json!("transport")),
        "{run:?}"
    );

    // decode: an answer that is not the provider's shape
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(kassa_testkit::faults::json_body(
            200,
            r#"{"meta": {"code": 200}, "data": {"id": "not a number"}}"#,
        ))
        .mount(&server)
        .await;
    let run = kassa(
        &args("get-payment", r#"{"id": 1}"#, &server.uri(), &[]),
        &WALLET_ENV,
    )
    .await;
    let e = run.error();
    assert_eq!(
        (run.code, e["kind"].clone()),
        (5, json!("decode")),
        "{run:?}"
    );
}

/// A server that answers `GET /wallet` to whichever credentials come, and says which.
async fn credentials_server() -> MockServer {
    let server = MockServer::start().await;
    let answer = |who: &str| {
        ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200},
            "data": {"phone": "+79261111111", "amount": 1, "name": who}
        }))
    };
    Mock::given(path("/wallet"))
        .and(header("authorization", WALLET_BASIC))
        .respond_with(answer("wallet"))
        .mount(&server)
        .await;
    Mock::given(path("/wallet"))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(answer("bearer"))
        .mount(&server)
        .await;
    Mock::given(path("/wallet"))
        .and(header("authorization", "Bearer test-app-token"))
        .and(header("x-authorization-type", "application"))
        .respond_with(answer("application"))
        .mount(&server)
        .await;
    mount_token(&server, "test-app-token").await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_environment_in_their_order_of_preference() {
    let server = credentials_server().await;
    let uri = server.uri();
    let who = |run: Run| run.json()["data"]["name"].clone();
    let all: Vec<(&str, &str)> = [&TOKEN_ENV[..], &WALLET_ENV[..], &CLIENT_ENV[..]].concat();
    let run = kassa(&args("get-wallet", "{}", &uri, &[]), &all).await;
    assert_eq!(who(run), "bearer");
    let wallet_and_app: Vec<(&str, &str)> = [&WALLET_ENV[..], &CLIENT_ENV[..]].concat();
    let run = kassa(&args("get-wallet", "{}", &uri, &[]), &wallet_and_app).await;
    assert_eq!(who(run), "wallet");
    let run = kassa(&args("get-wallet", "{}", &uri, &[]), &CLIENT_ENV).await;
    assert_eq!(who(run), "application");

    // the URL from the environment too, and the token URL elsewhere
    let tokens = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(header("authorization", CLIENT_BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "test-app-token", "token_type": "bearer", "expires_in": 599}),
        ))
        .expect(1)
        .mount(&tokens)
        .await;
    let token_url = format!("{}/auth/token", tokens.uri());
    let mut env = CLIENT_ENV.to_vec();
    env.push(("KASSA_MSERVER_URL", &uri));
    env.push(("KASSA_MSERVER_TOKEN_URL", &token_url));
    let run = kassa(&["mserver", "get-wallet"], &env).await;
    assert_eq!(who(run), "application");
    tokens.verify().await;

    // what is missing is named
    for (env, names) in [
        (vec![], "KASSA_MSERVER_PHONE"),
        (vec![WALLET_ENV[0]], "KASSA_MSERVER_PASSWORD"),
        (vec![CLIENT_ENV[1]], "KASSA_MSERVER_CLIENT_ID"),
    ] {
        let run = kassa(&args("get-wallet", "{}", &uri, &[]), &env).await;
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.message().contains(names), "{names}: {run:?}");
    }
    // a bearer call with bad parameters is refused before the wallet's token is fetched
    let nobody = kassa_testkit::faults::closed_port().await;
    let run = kassa(
        &args(
            "create-template",
            r#"{"name": "t", "amount": 1}"#,
            &nobody,
            &[],
        ),
        &wallet_and_app,
    )
    .await;
    assert_eq!(run.error()["kind"], "invalid_input", "{run:?}");
    // a bearer call takes the token, or the wallet's fetched with the application's
    let run = kassa(&args("list-templates", "{}", &uri, &[]), &WALLET_ENV).await;
    assert!(run.message().contains("KASSA_MSERVER_TOKEN"), "{run:?}");
    // an application call takes the application's credentials whatever else is set
    let run = kassa(
        &args("payment-bill", r#"{"id": 1, "email": "a@b.ru"}"#, &uri, &[]),
        &WALLET_ENV,
    )
    .await;
    assert!(run.message().contains("KASSA_MSERVER_CLIENT_ID"), "{run:?}");
    // delete-wallet takes the admin's
    let run = kassa(
        &args("delete-wallet", r#"{"phone": "+79261111111"}"#, &uri, &[]),
        &WALLET_ENV,
    )
    .await;
    assert!(
        run.message().contains("KASSA_MSERVER_ADMIN_LOGIN"),
        "{run:?}"
    );
    // the application token asked for is printed whole, and only on stdout
    let run = kassa(&args("application-token", "{}", &uri, &[]), &CLIENT_ENV).await;
    assert_eq!(run.json()["access_token"], "test-app-token");
    assert!(!run.stderr.contains("test-app-token"));
}

/// Runs the binary with `stdin` as its input.
fn with_stdin(cmd_args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Run {
    let mut cmd = common::command(cmd_args);
    cmd.envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("kassa runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("written");
    let out = child.wait_with_output().expect("kassa ends");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn verify_notification_checks_a_received_notification_locally() {
    let f = Fixture::load("mserver", "payment-notification", "ok_complete");
    let body = f.request.json.as_ref().expect("a body").to_string();
    let query = serde_json::to_string(&f.request.query).expect("query");
    let secret = [("KASSA_MSERVER_APP_SECRET", "test-app-secret")];
    let run = with_stdin(
        &["mserver", "verify-notification", "--params", &query],
        &secret,
        body.as_bytes(),
    );
    let shown = run.json();
    assert_eq!(shown["verified"], true);
    assert_eq!(shown["event"]["type"], "complete");
    assert_eq!(shown["event"]["payment"]["id"], 1_401_089_240_253_u64);
    // the query string form, the app id from the environment
    let token = &f.request.query["access_token"];
    let qs = format!("access_token={token}");
    let env = [secret[0], ("KASSA_MSERVER_APP_ID", "test-app-id")];
    let run = with_stdin(
        &["mserver", "verify-notification", "--params", &qs],
        &env,
        body.as_bytes(),
    );
    assert_eq!(run.json()["event"]["to"], "completed");

    // refused: another secret, a forged token, a changed app id, no secret
    let forged = "app_id=test-app-id&access_token=0000000000000000000000000000000000000000";
    for (params, env, says) in [
        (
            query.as_str(),
            vec![("KASSA_MSERVER_APP_SECRET", "another-secret")],
            "access_token",
        ),
        (forged, secret.to_vec(), "access_token"),
        (
            query.as_str(),
            vec![secret[0], ("KASSA_MSERVER_APP_ID", "another-app")],
            "app_id",
        ),
        (query.as_str(), vec![], "KASSA_MSERVER_APP_SECRET"),
    ] {
        let run = with_stdin(
            &["mserver", "verify-notification", "--params", params],
            &env,
            body.as_bytes(),
        );
        assert_eq!(run.code, 2, "{params}: {run:?}");
        assert!(run.message().contains(says), "{says}: {run:?}");
        assert!(!run.stderr.contains("test-app-secret") && !run.stderr.contains("another-secret"));
    }
    // the operation is listed, and so is exchanger's callback check
    let help = common::run(&["mserver", "--help"], &[]);
    assert!(help.stdout.contains("verify-notification"), "{help:?}");
    let help = common::run(&["mserver", "verify-notification", "--help"], &[]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("stdin") && help.stdout.contains("KASSA_MSERVER_APP_SECRET"));
    let described = common::run(
        &["describe", "mserver", "verify-notification", "--json"],
        &[],
    );
    assert_eq!(described.json()["local"], true, "{described:?}");
    let help = common::run(&["exchanger", "--help"], &[]);
    assert!(help.stdout.contains("check-callback"), "{help:?}");
    let help = common::run(&["exchanger", "check-callback", "--help"], &[]);
    assert_eq!(help.code, 0, "{help:?}");
    // the body on stdin reaches the check: an empty one is refused naming bid_id, and
    // nothing is sent (nobody listens at the URL)
    let run = with_stdin(
        &[
            "exchanger",
            "check-callback",
            "--base-url",
            "http://127.0.0.1:9",
        ],
        &[],
        b"",
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.message().contains("bid_id"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_hold_no_password_token_or_secret() {
    let trace = |env: &[(&'static str, &'static str)]| {
        let mut env = env.to_vec();
        env.push(("RUST_LOG", "trace"));
        env
    };
    let mut runs = Vec::new();
    // a wallet, a bearer token, the application (its secret and the token it gets), the
    // admin, the webhook's token
    for (op, case) in [
        ("get-wallet", "ok"),
        ("list-templates", "ok"),
        ("payment-bill", "ok"),
        ("delete-wallet", "ok"),
        ("wallet-status-webhook", "ok_repaired"),
        ("create-wallet", "ok"),
    ] {
        let f = Fixture::load("mserver", op, case);
        let server = MockServer::start().await;
        let (env, token) = env_for(&f);
        if let Some(token) = &token {
            mount_token(&server, token).await;
        }
        mount_on(&server, &f).await;
        let params = params_for(op, &f).to_string();
        let run = kassa(&args(op, &params, &server.uri(), &[]), &trace(&env)).await;
        assert_eq!(run.code, 0, "{op}: {run:?}");
        assert!(run.stderr.contains("kassa.call"), "TRACE is on: {run:?}");
        runs.push((op, run, token));
    }
    // the embedded sandbox: the wallet's token fetched for a bearer call. Each run starts
    // on a fresh state, whose first token is always the same: the application-token run
    // shows it
    let first = kassa(&["mserver", "application-token"], &[]).await.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let sandbox = kassa(&["mserver", "list-templates"], &trace(&[])).await;
    assert_eq!(sandbox.code, 0, "{sandbox:?}");
    runs.push(("list-templates (sandbox)", sandbox, Some(first)));
    // a notification checked with the app secret
    let f = Fixture::load("mserver", "payment-notification", "ok_complete");
    let query = serde_json::to_string(&f.request.query).expect("query");
    let verified = with_stdin(
        &["mserver", "verify-notification", "--params", &query],
        &trace(&[("KASSA_MSERVER_APP_SECRET", "test-app-secret")]),
        f.request
            .json
            .as_ref()
            .expect("body")
            .to_string()
            .as_bytes(),
    );
    assert_eq!(verified.code, 0, "{verified:?}");
    runs.push(("verify-notification", verified, None));
    for (op, run, token) in runs {
        for secret in SECRETS.iter().copied().chain(token.as_deref()) {
            assert!(!run.stderr.contains(secret), "{op}: {secret} in the log");
            assert!(!run.stdout.contains(secret), "{op}: {secret} in the answer");
        }
        assert!(
            !run.stderr.contains("test-password")
                && !run
                    .stderr
                    .contains(kassa_sandbox::mserver::seed::CLIENT_SECRET)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanger_check_callback_reads_the_body_on_stdin() {
    use kassa_sandbox::exchanger::seed;
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let url = sandbox.url("exchanger");
    let env = [
        ("KASSA_EXCHANGER_API_LOGIN", seed::API_LOGIN),
        ("KASSA_EXCHANGER_API_KEY", seed::API_KEY),
    ];
    let example = kassa(&["describe", "exchanger", "create-bid", "--json"], &[])
        .await
        .json()["example"]
        .to_string();
    let bid = kassa(
        &[
            "exchanger",
            "create-bid",
            "--params",
            &example,
            "--base-url",
            &url,
        ],
        &env,
    )
    .await
    .json();
    let id = bid["id"].as_u64().expect("a bid id");
    let body = format!("bid_id={id}&status=success");
    let checked = tokio::task::spawn_blocking(move || {
        with_stdin(
            &["exchanger", "check-callback", "--base-url", &url],
            &env,
            body.as_bytes(),
        )
    })
    .await
    .expect("the run ends")
    .json();
    assert_eq!(checked["bid_id"], id);
    assert_eq!(checked["claimed_status"], "success");
    assert_eq!(checked["confirmed_status"], bid["status"]);
    assert_eq!(checked["agree"], false, "{checked}");
}

/// A development server's SMS code is the answer asked for: printed whole on stdout, and
/// never in the TRACE log on stderr (the library redacts it everywhere else).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_development_sms_code_is_printed_on_stdout_only() {
    let run = kassa(
        &[
            "mserver",
            "create-wallet",
            "--params",
            r#"{"phone": "+79263333333", "password": "secret-3"}"#,
        ],
        &[("RUST_LOG", "trace")],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["dev"]["security_code"], "123456", "{run:?}");
    assert!(run.stderr.contains("kassa.call"), "TRACE is on: {run:?}");
    assert!(!run.stderr.contains("123456"), "{}", run.stderr);
    assert!(!run.stderr.contains("secret-3"), "{}", run.stderr);
}
