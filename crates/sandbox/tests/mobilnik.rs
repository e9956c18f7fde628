//! The Mobilnik emulator driven over raw HTTP (reqwest), through `kassa_sandbox::spawn()`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use kassa_sandbox::Fault;
use kassa_sandbox::mobilnik::seed;
use serde_json::{Value, json};

const PROVIDER: &str = "mobilnik";

struct Api {
    sandbox: kassa_sandbox::Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        let sandbox = kassa_sandbox::spawn().await.unwrap();
        // No pool timer: with a paused clock it would make time jump ahead.
        let http = reqwest::Client::builder()
            .pool_idle_timeout(None)
            .build()
            .unwrap();
        Api { sandbox, http }
    }

    async fn raw(&self, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.sandbox.url(PROVIDER)))
            .query(query)
            .send()
            .await
            .unwrap()
    }

    /// A call that must answer HTTP 200 JSON; returns (raw text, parsed).
    async fn call_text(&self, path: &str, query: &[(&str, &str)]) -> (String, Value) {
        let resp = self.raw(path, query).await;
        assert_eq!(resp.status(), 200, "{path}");
        let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("application/json"), "{ct}");
        let text = resp.text().await.unwrap();
        let value: Value = serde_json::from_slice(text.as_bytes()).unwrap();
        (text, value)
    }

    async fn call(&self, path: &str, query: &[(&str, &str)]) -> Value {
        self.call_text(path, query).await.1
    }

    async fn login_as(&self, login: &str) -> Value {
        self.call(
            "/authentication/",
            &[
                ("id", seed::DEVICE_ID),
                ("login", login),
                ("password", seed::PASSWORD),
                ("device", seed::DEVICE),
                ("client", seed::CLIENT),
            ],
        )
        .await
    }

    async fn token_of(&self, login: &str) -> String {
        let v = self.login_as(login).await;
        assert_eq!(v["status_code"], 0, "{v}");
        v["token"].as_str().unwrap().to_owned()
    }

    async fn token(&self) -> String {
        self.token_of(seed::LOGIN).await
    }

    /// The balance as a login sees it on a fresh authentication (raw JSON text).
    async fn balance_of(&self, login: &str) -> String {
        let v = self.login_as(login).await;
        v["balance"].to_string()
    }

    async fn authed(&self, path: &str, token: &str, extra: &[(&str, &str)]) -> Value {
        let mut q = vec![
            ("id", seed::DEVICE_ID),
            ("token", token),
            ("client", seed::CLIENT),
        ];
        q.extend_from_slice(extra);
        self.call(path, &q).await
    }

    async fn pay(&self, token: &str, service: &str, requisite: &str, amount: &str) -> Value {
        self.authed(
            "/payment/",
            token,
            &[
                ("service_id", service),
                ("requisite", requisite),
                ("amount", amount),
            ],
        )
        .await
    }

    async fn check(&self, token: &str, operation_id: &str) -> Value {
        self.authed("/check_payment/", token, &[("operation_id", operation_id)])
            .await
    }

    async fn transfer(&self, token: &str, wallet: &str, amount: &str) -> Value {
        self.authed(
            "/transfer_request/",
            token,
            &[
                ("service_id", "2"),
                ("customer_id", wallet),
                ("amount", amount),
                ("comment", "test transfer"),
                ("status", "2"),
            ],
        )
        .await
    }
}

fn s(n: i64) -> String {
    n.to_string()
}

fn assert_code(v: &Value, code: i64, name: &str) {
    assert_eq!(v, &json!({"status_code": code, "message": name}));
}

#[tokio::test]
async fn main_flow_end_to_end() {
    let api = Api::start().await;

    let (text, auth) = api
        .call_text(
            "/authentication/",
            &[
                ("id", seed::DEVICE_ID),
                ("login", seed::LOGIN),
                ("password", seed::PASSWORD),
                ("device", seed::DEVICE),
                ("client", seed::CLIENT),
            ],
        )
        .await;
    assert_eq!(auth["status_code"], 0);
    assert_eq!(auth["account"], seed::ACCOUNT);
    assert_eq!(auth["name"], seed::NAME);
    assert_eq!(auth["phonenumber"], seed::PHONENUMBER);
    assert_eq!(auth["email"], seed::EMAIL);
    assert_eq!(auth["avatar"], Value::Null);
    assert!(text.contains("\"balance\":1043.00"), "{text}");
    let token = auth["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    let list = api.authed("/service_list/", &token, &[]).await;
    assert_eq!(list["status_code"], 0);
    assert_eq!(
        list["services"][0],
        json!({"id": 1, "name": "Beeline KG", "category_id": 1})
    );
    assert_eq!(list["services"].as_array().unwrap().len(), 5);
    assert_eq!(list["categories"][1], json!({"id": 2, "name": "Переводы"}));

    let checked = api
        .authed(
            "/check_requisite/",
            &token,
            &[("service_id", "1"), ("requisite", seed::REQUISITE)],
        )
        .await;
    assert_eq!(
        checked,
        json!({"status_code": 0, "customer_name": seed::REQUISITE_NAME})
    );

    let (text, paid) = api
        .call_text(
            "/payment/",
            &[
                ("id", seed::DEVICE_ID),
                ("token", &token),
                ("client", "4"),
                ("service_id", "1"),
                ("requisite", seed::REQUISITE),
                ("amount", "150.50"),
            ],
        )
        .await;
    assert_eq!(paid["status_code"], 0);
    assert_eq!(paid["operation_id"], seed::FIRST_OPERATION_ID);
    assert!(text.contains("\"balance\":892.50"), "{text}");
    let op = seed::FIRST_OPERATION_ID.to_string();

    assert_eq!(
        api.check(&token, &op).await,
        json!({"status_code": 0, "status_id": 0})
    );
    assert_eq!(
        api.check(&token, &op).await,
        json!({"status_code": 0, "status_id": 1})
    );
    assert_eq!(
        api.check(&token, &op).await,
        json!({"status_code": 0, "status_id": 1})
    );

    assert_eq!(
        api.transfer(&token, seed::WALLET, "200.00").await,
        json!({"status_code": 0, "message": "OK"})
    );

    // A second payment takes the next operation id; the balance keeps both debits.
    let paid = api
        .pay(
            &token,
            &s(seed::SERVICE_INTERNET),
            seed::INTERNET_REQUISITE,
            "0.5",
        )
        .await;
    assert_eq!(paid["operation_id"], seed::FIRST_OPERATION_ID + 1);
    assert_eq!(paid["balance"].to_string(), "692.0");
    assert_eq!(api.balance_of(seed::LOGIN).await, "692.0");
}

#[tokio::test]
async fn authentication_errors() {
    let api = Api::start().await;
    let base = |login: &'static str, password: &'static str| {
        vec![
            ("id", seed::DEVICE_ID),
            ("login", login),
            ("password", password),
            ("device", seed::DEVICE),
            ("client", seed::CLIENT),
        ]
    };
    let v = api
        .call("/authentication/", &base(seed::LOGIN, "wrong-password"))
        .await;
    assert_code(&v, 1, "WRONG_PASSWORD");
    let v = api
        .call(
            "/authentication/",
            &base(seed::UNKNOWN_LOGIN, seed::PASSWORD),
        )
        .await;
    assert_code(&v, 8, "USER_NOT_FOUND");
    let v = api
        .call(
            "/authentication/",
            &base(seed::BLOCKED_LOGIN, seed::PASSWORD),
        )
        .await;
    assert_code(&v, 9, "USER_BLOCKED");
    let v = api
        .call(
            "/authentication/",
            &base(seed::BAD_FORMAT_LOGIN, seed::PASSWORD),
        )
        .await;
    assert_code(&v, 7, "WRONG_LOGIN_FORMAT");

    for missing in ["id", "login", "password", "device", "client"] {
        let q: Vec<_> = base(seed::LOGIN, seed::PASSWORD)
            .into_iter()
            .filter(|(k, _)| *k != missing)
            .collect();
        let v = api.call("/authentication/", &q).await;
        assert_code(&v, -3, "NOT_ENOUGH_PARAMETERS");
    }
    let mut q = base(seed::LOGIN, seed::PASSWORD);
    q[4] = ("client", "5");
    assert_code(
        &api.call("/authentication/", &q).await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );

    // Only GET is served.
    let resp = api
        .http
        .post(format!("{}/authentication/", api.sandbox.url(PROVIDER)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn every_call_needs_a_valid_token() {
    let api = Api::start().await;
    let unauthorized = |v: Value| assert_code(&v, 27, "USER_NOT_AUTHORIZED");
    for token in ["", "not-a-token", "51a772eb9ad41026435c9ff5a2bab20d"] {
        unauthorized(api.authed("/service_list/", token, &[]).await);
        unauthorized(
            api.authed(
                "/check_requisite/",
                token,
                &[("service_id", "1"), ("requisite", seed::REQUISITE)],
            )
            .await,
        );
        unauthorized(api.pay(token, "1", seed::REQUISITE, "10").await);
        unauthorized(api.check(token, "987654321").await);
        unauthorized(api.transfer(token, seed::WALLET, "10").await);
    }
    unauthorized(
        api.call(
            "/service_list/",
            &[("id", seed::DEVICE_ID), ("client", "4")],
        )
        .await,
    );
    // Nothing moved.
    assert_eq!(api.balance_of(seed::LOGIN).await, "1043.0");
}

#[tokio::test]
async fn a_fresh_authentication_replaces_the_token() {
    let api = Api::start().await;
    let first = api.token().await;
    assert_eq!(
        api.authed("/service_list/", &first, &[]).await["status_code"],
        0
    );
    let second = api.token().await;
    assert_ne!(first, second);
    assert_code(
        &api.authed("/service_list/", &first, &[]).await,
        27,
        "USER_NOT_AUTHORIZED",
    );
    assert_eq!(
        api.authed("/service_list/", &second, &[]).await["status_code"],
        0
    );
    // Another login's authentication leaves this token alone.
    let _ = api.token_of(seed::SHORT_LOGIN).await;
    assert_eq!(
        api.authed("/service_list/", &second, &[]).await["status_code"],
        0
    );
}

#[tokio::test(start_paused = true)]
async fn tokens_expire_on_tokios_clock() {
    let api = Api::start().await;
    let token = api.token().await;
    let short = api.token_of(seed::SHORT_LOGIN).await;

    tokio::time::advance(seed::SHORT_TOKEN_LIFETIME - Duration::from_millis(1)).await;
    assert_eq!(
        api.authed("/service_list/", &short, &[]).await["status_code"],
        0
    );
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_code(
        &api.authed("/service_list/", &short, &[]).await,
        27,
        "USER_NOT_AUTHORIZED",
    );
    assert_eq!(
        api.authed("/service_list/", &token, &[]).await["status_code"],
        0
    );

    tokio::time::advance(seed::TOKEN_LIFETIME).await;
    assert_code(
        &api.pay(&token, "1", seed::REQUISITE, "10").await,
        27,
        "USER_NOT_AUTHORIZED",
    );
    // Logging in again gives a working token; the refused payment debited nothing.
    let token = api.token().await;
    assert_eq!(
        api.authed("/service_list/", &token, &[]).await["status_code"],
        0
    );
    assert_eq!(api.balance_of(seed::LOGIN).await, "1043.0");
}

#[tokio::test]
async fn check_requisite_errors() {
    let api = Api::start().await;
    let token = api.token().await;
    let check = |service: String, requisite: &'static str| {
        let api = &api;
        let token = token.clone();
        async move {
            api.authed(
                "/check_requisite/",
                &token,
                &[("service_id", &service), ("requisite", requisite)],
            )
            .await
        }
    };
    assert_code(
        &check(s(seed::SERVICE_MOBILE), seed::UNKNOWN_REQUISITE).await,
        13,
        "REQUISITE_NOT_FOUND",
    );
    // A requisite of another service is not found either.
    assert_code(
        &check(s(seed::SERVICE_INTERNET), seed::REQUISITE).await,
        13,
        "REQUISITE_NOT_FOUND",
    );
    assert_code(
        &check(s(seed::UNKNOWN_SERVICE), seed::REQUISITE).await,
        11,
        "SERVICE_NOT_EXISTS",
    );
    assert_code(
        &check(s(seed::SERVICE_SUSPENDED), seed::REQUISITE).await,
        12,
        "SERVICE_TEMPORARILY_SUSPENDED",
    );
    assert_code(
        &check(s(seed::SERVICE_UNAVAILABLE), seed::REQUISITE).await,
        14,
        "SERVICE_TEMPORARILY_UNAVAILABLE",
    );
    assert_code(
        &check("one".into(), seed::REQUISITE).await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    assert_code(
        &check(s(seed::SERVICE_MOBILE), "").await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    assert_eq!(
        check(s(seed::SERVICE_INTERNET), seed::INTERNET_REQUISITE).await,
        json!({"status_code": 0, "customer_name": seed::INTERNET_REQUISITE_NAME})
    );
    // Wallets are the requisites of the transfer service.
    assert_eq!(
        check(s(seed::SERVICE_WALLET_TRANSFER), seed::WALLET).await,
        json!({"status_code": 0, "customer_name": seed::WALLET_NAME})
    );
    assert_eq!(
        check(s(seed::SERVICE_WALLET_TRANSFER), seed::SHORT_PHONENUMBER).await,
        json!({"status_code": 0, "customer_name": seed::SHORT_NAME})
    );
}

#[tokio::test]
async fn payment_errors_debit_nothing() {
    let api = Api::start().await;
    let token = api.token().await;
    for amount in [
        "", "abc", "1.234", "-5", "0", "0.00", "1,50", "1e3", "+5", " 5", "1.",
    ] {
        let v = api.pay(&token, "1", seed::REQUISITE, amount).await;
        assert_code(&v, -3, "NOT_ENOUGH_PARAMETERS");
    }
    let v = api
        .authed(
            "/payment/",
            &token,
            &[("service_id", "1"), ("requisite", seed::REQUISITE)],
        )
        .await;
    assert_code(&v, -3, "NOT_ENOUGH_PARAMETERS");
    let v = api
        .call(
            "/payment/",
            &[
                ("token", &token),
                ("client", "4"),
                ("service_id", "1"),
                ("requisite", seed::REQUISITE),
                ("amount", "10"),
            ],
        )
        .await;
    assert_code(&v, -3, "NOT_ENOUGH_PARAMETERS");

    let pay = |service: i64, requisite: &'static str, amount: &'static str| {
        let api = &api;
        let token = token.clone();
        async move { api.pay(&token, &s(service), requisite, amount).await }
    };
    assert_code(
        &pay(seed::SERVICE_MOBILE, seed::REQUISITE, "1043.01").await,
        15,
        "INSUFFICIENT_FUNDS_FOR_OPERATION",
    );
    assert_code(
        &pay(seed::SERVICE_MOBILE, seed::UNKNOWN_REQUISITE, "10").await,
        13,
        "REQUISITE_NOT_FOUND",
    );
    assert_code(
        &pay(seed::UNKNOWN_SERVICE, seed::REQUISITE, "10").await,
        11,
        "SERVICE_NOT_EXISTS",
    );
    assert_code(
        &pay(seed::SERVICE_SUSPENDED, seed::REQUISITE, "10").await,
        12,
        "SERVICE_TEMPORARILY_SUSPENDED",
    );
    assert_code(
        &pay(seed::SERVICE_UNAVAILABLE, seed::REQUISITE, "10").await,
        14,
        "SERVICE_TEMPORARILY_UNAVAILABLE",
    );
    assert_code(
        &pay(seed::SERVICE_WALLET_TRANSFER, seed::WALLET, "10").await,
        -1,
        "WRONG_OPERATION",
    );
    assert_code(
        &pay(seed::SERVICE_MOBILE, seed::SYSTEM_FAILURE_REQUISITE, "10").await,
        -2,
        "SYSTEM_FAILURE",
    );
    assert_eq!(api.balance_of(seed::LOGIN).await, "1043.0");
}

#[tokio::test]
async fn funds_run_out() {
    let api = Api::start().await;
    let token = api.token().await;
    let (text, v) = api
        .call_text(
            "/payment/",
            &[
                ("id", seed::DEVICE_ID),
                ("token", &token),
                ("client", "4"),
                ("service_id", "1"),
                ("requisite", seed::REQUISITE),
                ("amount", "1000"),
            ],
        )
        .await;
    assert_eq!(v["status_code"], 0);
    assert!(text.contains("\"balance\":43.00"), "{text}");
    assert_code(
        &api.pay(&token, "1", seed::REQUISITE, "43.01").await,
        15,
        "INSUFFICIENT_FUNDS_FOR_OPERATION",
    );
    assert_code(
        &api.transfer(&token, seed::WALLET, "43.01").await,
        15,
        "INSUFFICIENT_FUNDS_FOR_OPERATION",
    );
    assert_eq!(
        api.transfer(&token, seed::WALLET, "40").await["status_code"],
        0
    );
    let (text, v) = api
        .call_text(
            "/payment/",
            &[
                ("id", seed::DEVICE_ID),
                ("token", &token),
                ("client", "4"),
                ("service_id", "1"),
                ("requisite", seed::REQUISITE),
                ("amount", "3"),
            ],
        )
        .await;
    assert_eq!(v["status_code"], 0);
    assert!(text.contains("\"balance\":0.00"), "{text}");
    assert_code(
        &api.pay(&token, "1", seed::REQUISITE, "0.01").await,
        15,
        "INSUFFICIENT_FUNDS_FOR_OPERATION",
    );
}

#[tokio::test]
async fn annulled_and_failed_payments_are_refunded() {
    let api = Api::start().await;
    let token = api.token().await;

    let paid = api.pay(&token, "1", seed::ANNULLED_REQUISITE, "100").await;
    assert_eq!(paid["balance"].to_string(), "943.0");
    let op = paid["operation_id"].to_string();
    assert_eq!(api.check(&token, &op).await["status_id"], 0);
    assert_eq!(api.balance_of(seed::LOGIN).await, "943.0");
    let token = api.token().await;
    assert_eq!(
        api.check(&token, &op).await,
        json!({"status_code": 0, "status_id": 2})
    );
    assert_eq!(api.check(&token, &op).await["status_id"], 2);
    assert_eq!(api.balance_of(seed::LOGIN).await, "1043.0");
    let token = api.token().await;

    let paid = api.pay(&token, "1", seed::ERROR_REQUISITE, "43").await;
    assert_eq!(paid["balance"].to_string(), "1000.0");
    let op = paid["operation_id"].to_string();
    assert_eq!(api.check(&token, &op).await["status_id"], 0);
    assert_eq!(api.check(&token, &op).await["status_id"], 3);
    assert_eq!(api.check(&token, &op).await["status_id"], 3);
    assert_eq!(api.balance_of(seed::LOGIN).await, "1043.0");
}

#[tokio::test]
async fn check_payment_errors() {
    let api = Api::start().await;
    let token = api.token().await;
    let op = api.pay(&token, "1", seed::REQUISITE, "10").await["operation_id"].to_string();

    assert_code(&api.check(&token, "1").await, -1, "WRONG_OPERATION");
    assert_code(&api.check(&token, "abc").await, -3, "NOT_ENOUGH_PARAMETERS");
    assert_code(
        &api.authed("/check_payment/", &token, &[]).await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    // Another login does not see this operation.
    let other = api.token_of(seed::SHORT_LOGIN).await;
    assert_code(&api.check(&other, &op).await, -1, "WRONG_OPERATION");
    // The document lists only operation_id (and the token): id and client are optional.
    let v = api
        .call(
            "/check_payment/",
            &[("token", &token), ("operation_id", &op)],
        )
        .await;
    assert_eq!(v, json!({"status_code": 0, "status_id": 0}));
}

#[tokio::test]
async fn transfers_move_money_between_wallets() {
    let api = Api::start().await;
    let token = api.token().await;
    assert_eq!(
        api.transfer(&token, seed::SHORT_PHONENUMBER, "43.50").await,
        json!({"status_code": 0, "message": "OK"})
    );
    assert_eq!(api.balance_of(seed::SHORT_LOGIN).await, "543.5");
    assert_eq!(api.balance_of(seed::LOGIN).await, "999.5");
    let token = api.token().await;

    assert_code(
        &api.transfer(&token, seed::UNKNOWN_WALLET, "10").await,
        10,
        "PHONE_NOT_FOUND_IN_DB",
    );
    assert_code(
        &api.transfer(&token, seed::PHONENUMBER, "10").await,
        -1,
        "WRONG_OPERATION",
    );
    assert_code(
        &api.transfer(&token, seed::WALLET, "5000").await,
        15,
        "INSUFFICIENT_FUNDS_FOR_OPERATION",
    );
    assert_code(
        &api.transfer(&token, seed::WALLET, "1.001").await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    let transfer = |service: &'static str, status: Option<&'static str>, comment: bool| {
        let api = &api;
        let token = token.clone();
        async move {
            let mut q = vec![
                ("service_id", service),
                ("customer_id", seed::WALLET),
                ("amount", "10"),
            ];
            if comment {
                q.push(("comment", ""));
            }
            if let Some(status) = status {
                q.push(("status", status));
            }
            api.authed("/transfer_request/", &token, &q).await
        }
    };
    assert_code(
        &transfer("2", Some("1"), true).await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    assert_code(
        &transfer("2", None, true).await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    assert_code(
        &transfer("2", Some("2"), false).await,
        -3,
        "NOT_ENOUGH_PARAMETERS",
    );
    assert_code(
        &transfer("999", Some("2"), true).await,
        11,
        "SERVICE_NOT_EXISTS",
    );
    assert_code(&transfer("1", Some("2"), true).await, -1, "WRONG_OPERATION");
    // An empty comment is accepted.
    assert_eq!(transfer("2", Some("2"), true).await["status_code"], 0);
    assert_eq!(api.balance_of(seed::LOGIN).await, "989.5");
}

#[tokio::test]
async fn forced_status_answers_instead_of_the_emulator() {
    let api = Api::start().await;
    let token = api.token().await;
    api.sandbox
        .faults()
        .set(Fault::status(PROVIDER, "/payment/", 503).times(1));
    let resp = api
        .raw(
            "/payment/",
            &[
                ("id", seed::DEVICE_ID),
                ("token", &token),
                ("client", "4"),
                ("service_id", "1"),
                ("requisite", seed::REQUISITE),
                ("amount", "100"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 503);
    // Nothing happened: the next payment is the first operation, from the full balance.
    let paid = api.pay(&token, "1", seed::REQUISITE, "100").await;
    assert_eq!(paid["operation_id"], seed::FIRST_OPERATION_ID);
    assert_eq!(paid["balance"].to_string(), "943.0");
}

#[tokio::test]
async fn dropped_payment_answer_is_visible_through_check_payment() {
    let api = Api::start().await;
    let token = api.token().await;
    api.sandbox
        .faults()
        .set(Fault::drop_connection(PROVIDER, "/payment/").times(1));
    let sent = api
        .http
        .get(format!("{}/payment/", api.sandbox.url(PROVIDER)))
        .query(&[
            ("id", seed::DEVICE_ID),
            ("token", &token),
            ("client", "4"),
            ("service_id", "1"),
            ("requisite", seed::REQUISITE),
            ("amount", "150.50"),
        ])
        .send()
        .await;
    let lost = match sent {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(lost, "the answer should have been cut");
    // The payment happened: its operation exists and the balance is debited.
    let op = seed::FIRST_OPERATION_ID.to_string();
    assert_eq!(
        api.check(&token, &op).await,
        json!({"status_code": 0, "status_id": 0})
    );
    assert_eq!(api.check(&token, &op).await["status_id"], 1);
    assert_eq!(api.balance_of(seed::LOGIN).await, "892.5");
}

#[tokio::test]
async fn faults_over_http_cut_a_transfer() {
    let api = Api::start().await;
    let token = api.token().await;
    let fault = json!({
        "provider": "mobilnik",
        "route": "/transfer_request/",
        "drop_connection": true,
        "times": 1
    });
    let resp = api
        .http
        .post(format!("{}/_sandbox/faults", api.sandbox.base_url()))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&fault).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let sent = api
        .http
        .get(format!("{}/transfer_request/", api.sandbox.url(PROVIDER)))
        .query(&[
            ("id", seed::DEVICE_ID),
            ("token", &token),
            ("client", "4"),
            ("service_id", "2"),
            ("customer_id", seed::SHORT_PHONENUMBER),
            ("amount", "100"),
            ("comment", "cut"),
            ("status", "2"),
        ])
        .send()
        .await;
    let lost = match sent {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(lost);
    assert!(api.sandbox.faults().list().is_empty());
    // The transfer went through on the emulator's side.
    assert_eq!(api.balance_of(seed::LOGIN).await, "943.0");
    assert_eq!(api.balance_of(seed::SHORT_LOGIN).await, "600.0");
}

#[tokio::test(start_paused = true)]
async fn latency_with_a_paused_clock() {
    let api = Api::start().await;
    api.sandbox.faults().set(Fault::latency(
        PROVIDER,
        "/authentication/",
        Duration::from_secs(20),
    ));
    let before = tokio::time::Instant::now();
    let token = api.token().await;
    assert!(before.elapsed() >= Duration::from_secs(20));
    assert_eq!(
        api.authed("/service_list/", &token, &[]).await["status_code"],
        0
    );
}
