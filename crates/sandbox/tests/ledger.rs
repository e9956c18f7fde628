//! The ledger of money movements and the commit-then-drop fault, for every provider: each
//! money-moving operation, its answer dropped by a fault set over HTTP, is committed once in
//! the ledger; the provider's status call reports it; an id never seen is not found (the
//! provider's own way); the ledger over HTTP is `Sandbox::ledger()`, and holds no secret.

use base64::Engine as _;
use kassa_sandbox::Sandbox;
use kassa_sandbox::ledger::{Entry, Outcome};
use serde_json::{Value, json};

/// A JSON body (the workspace's reqwest has no `json` feature).
trait JsonBody {
    fn json_body(self, value: &impl serde::Serialize) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, value: &impl serde::Serialize) -> Self {
        self.header("content-type", "application/json")
            .body(serde_json::to_vec(value).expect("encode"))
    }
}

/// A JSON answer.
trait ReadJson {
    async fn read_json<T: serde::de::DeserializeOwned>(self) -> Result<T, String>;
}

impl ReadJson for reqwest::Response {
    async fn read_json<T: serde::de::DeserializeOwned>(self) -> Result<T, String> {
        let text = self.text().await.map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    }
}

struct T {
    sb: Sandbox,
    http: reqwest::Client,
}

impl T {
    async fn start() -> T {
        T {
            sb: kassa_sandbox::spawn().await.expect("sandbox starts"),
            http: reqwest::Client::builder()
                .pool_idle_timeout(None)
                .build()
                .expect("client"),
        }
    }

    /// Sets a fault over HTTP, as a crash test in another process does.
    async fn fault(&self, fault: Value) {
        let resp = self
            .http
            .post(format!("{}/_sandbox/faults", self.sb.base_url()))
            .json_body(&fault)
            .send()
            .await
            .expect("faults answer");
        assert_eq!(resp.status().as_u16(), 201, "{fault}");
    }

    /// Drops the answer of the next `method` request to `route` of `provider`.
    async fn drop_next(&self, provider: &str, method: &str, route: &str) {
        self.fault(json!({
            "provider": provider, "route": route, "method": method,
            "drop_connection": true, "times": 1,
        }))
        .await;
    }

    /// Sends a request whose answer must never arrive.
    async fn lost(&self, req: reqwest::RequestBuilder) {
        match req.send().await {
            Err(_) => {}
            Ok(resp) => {
                let status = resp.status();
                let body = resp.bytes().await;
                assert!(body.is_err(), "an answer arrived: {status} {body:?}");
            }
        }
    }

    /// The ledger over HTTP, with an optional query.
    async fn ledger_http(&self, query: &str) -> Vec<Entry> {
        let resp = self
            .http
            .get(format!("{}/_sandbox/ledger{query}", self.sb.base_url()))
            .send()
            .await
            .expect("ledger answers");
        assert_eq!(resp.status().as_u16(), 200);
        resp.read_json().await.expect("ledger is JSON entries")
    }
}

/// The one committed entry of `operation` of `provider` whose id `name` is `value` (a
/// refusal of the same id may be there too).
#[track_caller]
fn once(sb: &Sandbox, provider: &str, operation: &str, name: &str, value: &str) -> Entry {
    let found: Vec<Entry> = sb
        .ledger()
        .into_iter()
        .filter(|e| e.provider == provider && e.operation == operation && e.is_committed())
        .filter(|e| e.id(name) == Some(value))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{provider} {operation} {name}={value}: {found:?}"
    );
    let entry = found.into_iter().next().expect("one entry");
    assert_eq!(entry.result, Outcome::Committed, "{entry:?}");
    entry
}

// ---------------------------------------------------------------------------------------
// anor-bm

mod anor {
    pub use kassa_sandbox::anor_bm::{paths, seed};
}

impl T {
    async fn anor(&self, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .anor_req(path, body)
            .send()
            .await
            .expect("anor answers");
        let status = resp.status().as_u16();
        (status, resp.read_json().await.expect("anor JSON"))
    }

    fn anor_req(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.sb.url("anor-bm")))
            .header(
                "authorization",
                format!("Bearer {}", anor::seed::ACCESS_TOKEN),
            )
            .json_body(&body)
    }

    /// Drops the answer of `path` once, sends `body` to it, and finds the commit.
    async fn anor_lost(&self, path: &str, body: &Value, operation: &str, bill: &str) -> Entry {
        self.drop_next("anor-bm", "POST", path).await;
        self.lost(self.anor_req(path, body)).await;
        once(&self.sb, "anor-bm", operation, "billId", bill)
    }

    async fn anor_status(&self, by: Value) -> Value {
        let (status, body) = self.anor(anor::paths::STATUS, &by).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

fn check_body(tran: &str, amount: i64) -> Value {
    let card = anor::seed::RICH_CARD;
    json!({
        "account": "30", "recipientId": anor::seed::RECIPIENT_ID, "amount": amount,
        "currency": 860, "agentTranId": tran,
        "params": {"pan": card.pan, "exp": card.expiry},
    })
}

fn otp(bill: &str) -> Value {
    json!({"billId": bill.parse::<i64>().expect("bill id"), "type": "PC", "params": {"otp": anor::seed::OTP}})
}

fn bill(bill: &str, more: Value) -> Value {
    let mut body = json!({"billId": bill.parse::<i64>().expect("bill id")});
    if let (Some(b), Value::Object(m)) = (body.as_object_mut(), more) {
        b.extend(m);
    }
    body
}

#[tokio::test]
async fn anor_bm_every_money_operation_is_committed_once_when_its_answer_is_dropped() {
    use anor::paths;
    let t = T::start().await;

    // unregistered-check: the bill exists, found by agentTranId.
    t.drop_next("anor-bm", "POST", paths::UNREGISTERED_CHECK)
        .await;
    t.lost(t.anor_req(paths::UNREGISTERED_CHECK, &check_body("lost-check", 1_000)))
        .await;
    let check = once(
        &t.sb,
        "anor-bm",
        "unregistered-check",
        "agentTranId",
        "lost-check",
    );
    assert_eq!(check.amount_minor, Some(1_000));
    assert_eq!(check.currency, "UZS");
    let id = check.id("billId").expect("billId").to_owned();
    let seen = t.anor_status(json!({"agentTranId": "lost-check"})).await;
    assert_eq!(seen["status"], "CHECK_OK");
    assert_eq!(seen["id"].to_string(), id);

    // unregistered-pay
    let pay = t
        .anor_lost(paths::UNREGISTERED_PAY, &otp(&id), "unregistered-pay", &id)
        .await;
    assert_eq!(pay.amount_minor, Some(1_000));
    assert_eq!(pay.id("agentTranId"), Some("lost-check"));
    assert_eq!(
        t.anor_status(bill(&id, json!({}))).await["status"],
        "SUCCESS"
    );

    // cancel
    t.anor_lost(paths::CANCEL, &bill(&id, json!({})), "cancel", &id)
        .await;
    assert_eq!(
        t.anor_status(bill(&id, json!({}))).await["status"],
        "CANCELLED"
    );

    // hold, hold-more, hold-reverse-partial, hold-confirm on one bill
    let (_, held) = t
        .anor(paths::UNREGISTERED_CHECK, &check_body("hold-1", 1_000))
        .await;
    let h = held["id"].to_string();
    t.anor_lost(paths::HOLD, &otp(&h), "hold", &h).await;
    assert_eq!(
        t.anor_status(bill(&h, json!({}))).await["status"],
        "HOLD_SUCCESS"
    );
    let more = t
        .anor_lost(
            paths::HOLD_MORE,
            &bill(&h, json!({"amount": 100})),
            "hold-more",
            &h,
        )
        .await;
    assert_eq!(more.amount_minor, Some(100));
    assert_eq!(t.anor_status(bill(&h, json!({}))).await["amount"], 1_100);
    let partial = t
        .anor_lost(
            paths::HOLD_REVERSE_PARTIAL,
            &bill(&h, json!({"reverseAmount": 50})),
            "hold-reverse-partial",
            &h,
        )
        .await;
    assert_eq!(partial.amount_minor, Some(50));
    assert_eq!(t.anor_status(bill(&h, json!({}))).await["amount"], 1_050);
    let confirmed = t
        .anor_lost(
            paths::HOLD_CONFIRM,
            &bill(&h, json!({})),
            "hold-confirm",
            &h,
        )
        .await;
    assert_eq!(confirmed.amount_minor, Some(1_050));
    assert_eq!(
        t.anor_status(bill(&h, json!({}))).await["status"],
        "SUCCESS"
    );

    // hold-reverse on another
    let (_, held) = t
        .anor(paths::UNREGISTERED_CHECK, &check_body("hold-2", 2_000))
        .await;
    let h2 = held["id"].to_string();
    let (status, _) = t.anor(paths::HOLD, &otp(&h2)).await;
    assert_eq!(status, 200);
    t.anor_lost(
        paths::HOLD_REVERSE,
        &bill(&h2, json!({})),
        "hold-reverse",
        &h2,
    )
    .await;
    assert_eq!(
        t.anor_status(bill(&h2, json!({}))).await["status"],
        "CANCELLED"
    );

    // ext-pay: a payout, found by its agentTranId
    let card = anor::seed::RICH_CARD;
    let payout = json!({
        "agentTranId": 1_668_782_814_i64,
        "from": {"type": "ACCOUNT", "currency": 860, "params": {
            "account": anor::seed::MERCHANT_ACCOUNT, "mfo": anor::seed::MERCHANT_MFO,
            "name": anor::seed::MERCHANT_NAME}},
        "to": {"type": "PAN", "currency": 860, "params": {"pan": card.pan, "exp": card.expiry}},
        "amount": 10_000,
    });
    t.drop_next("anor-bm", "POST", paths::EXT_PAY).await;
    t.lost(t.anor_req(paths::EXT_PAY, &payout)).await;
    let paid = once(&t.sb, "anor-bm", "ext-pay", "agentTranId", "1668782814");
    assert_eq!(paid.amount_minor, Some(10_000));
    let pan = paid.id("pan").expect("masked card");
    assert!(!pan.contains(card.pan) && pan.contains('*'), "{pan}");
    let seen = t
        .anor_status(json!({"agentTranId": 1_668_782_814_i64}))
        .await;
    assert_eq!(seen["status"], "SUCCESS");
    assert_eq!(seen["extId"], "1668782814");
    assert_eq!(seen["amount"], 10_000);
    assert_eq!(seen["id"].to_string(), paid.id("bmlId").expect("bmlId"));

    // Never seen: the catalogue's bill_not_found, by either id.
    for unknown in [json!({"billId": 1}), json!({"agentTranId": "never-sent"})] {
        let (status, body) = t.anor(paths::STATUS, &unknown).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["detail"], "bill_not_found", "{body}");
    }

    // Nine operations, twelve commits (three checks, two holds); a refusal is written as one.
    let (status, _) = t.anor(paths::UNREGISTERED_PAY, &otp(&id)).await;
    assert_eq!(status, 400, "a cancelled bill is not paid again");
    let ledger = t.sb.ledger();
    let committed = ledger.iter().filter(|e| e.is_committed()).count();
    assert_eq!(committed, 12, "{ledger:#?}");
    let refused = ledger.last().expect("an entry");
    assert_eq!(refused.result, Outcome::Refused);
    assert_eq!(refused.code.as_deref(), Some("bill_not_valid"));
    assert_eq!(refused.id("billId"), Some(id.as_str()));
}

// ---------------------------------------------------------------------------------------
// requisite-uz

mod requisite {
    pub use kassa_sandbox::requisite_uz::seed;
}

impl T {
    fn requisite_req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            requisite::seed::USERNAME,
            requisite::seed::PASSWORD
        ));
        self.http
            .request(method, format!("{}{path}", self.sb.url("requisite-uz")))
            .header("authorization", format!("Basic {auth}"))
    }

    async fn requisite_status(&self, order: &str) -> Value {
        let resp = self
            .requisite_req(reqwest::Method::GET, &format!("/api/v2/payment/{order}"))
            .send()
            .await
            .expect("status answers");
        resp.read_json().await.expect("status JSON")
    }
}

#[tokio::test]
async fn requisite_uz_payments_are_committed_once_when_their_answers_are_dropped() {
    use requisite::seed;
    let t = T::start().await;
    let payment = json!({
        "orderId": "lost-order-1", "amount": "1000000", "comissionAmount": "20000",
        "purpose": "Test 24/7", "serviceId": seed::SERVICE_HUMO_ID.to_string(),
        "receiverName": seed::RECEIVER_NAME, "mfoReceiver": seed::RECEIVER_MFO,
        "receiverAccount": seed::RECEIVER_ACCOUNT, "innReceiver": seed::RECEIVER_INN,
        "cardType": "HUMO", "cardNumber": seed::HUMO_CARD, "refNumber": seed::REF_NUMBER,
    });
    let budget = json!({
        "orderId": "lost-order-2", "amount": "500000", "comissionAmount": "20000",
        "purpose": "За патент за январь 2020 года", "purposeCode": seed::PURPOSE_CODE,
        "innReceiver": seed::BUDGET_INN, "receiverAccount": seed::BUDGET_ACCOUNT,
        "refNumber": seed::REF_NUMBER, "cardType": "UZCARD", "cardNumber": seed::UZCARD_CARD,
        "serviceId": seed::SERVICE_UZCARD_ID.to_string(),
    });
    for (path, body, operation, order, amount) in [
        (
            "/api/v2/payment",
            &payment,
            "payment",
            "lost-order-1",
            1_000_000,
        ),
        (
            "/api/v2/paymentBudget",
            &budget,
            "payment-budget",
            "lost-order-2",
            500_000,
        ),
    ] {
        t.drop_next("requisite-uz", "POST", path).await;
        t.lost(
            t.requisite_req(reqwest::Method::POST, path)
                .json_body(&body),
        )
        .await;
        let entry = once(&t.sb, "requisite-uz", operation, "orderId", order);
        assert_eq!(entry.amount_minor, Some(amount));
        assert_eq!(entry.currency, "UZS");
        // The first read shows it entered, the next one final.
        let first = t.requisite_status(order).await;
        assert_eq!(first["data"]["payment_status"], "Введен", "{first}");
        let last = t.requisite_status(order).await;
        assert_eq!(last["data"]["payment_status"], "Проведен", "{last}");
        assert_eq!(
            last["data"]["doc_id"].as_str(),
            entry.id("doc_id"),
            "{last}"
        );
    }
    // Never seen: code 1008.
    let unknown = t.requisite_status("never-sent").await;
    assert_eq!(unknown["status"], "error", "{unknown}");
    assert_eq!(unknown["code"], 1008, "{unknown}");

    // The same orderId again: refused, written as a refusal, not a second payment.
    let resp = t
        .requisite_req(reqwest::Method::POST, "/api/v2/payment")
        .json_body(&payment)
        .send()
        .await
        .expect("answer");
    let again: Value = resp.read_json().await.expect("JSON");
    assert_eq!(again["status"], "error", "{again}");
    once(&t.sb, "requisite-uz", "payment", "orderId", "lost-order-1");
    let last = t.sb.ledger().pop().expect("an entry");
    assert_eq!(last.result, Outcome::Refused);
    assert_eq!(
        last.code.as_deref(),
        Some(again["code"].to_string().as_str())
    );
}

// ---------------------------------------------------------------------------------------
// mobilnik

mod mobil {
    pub use kassa_sandbox::mobilnik::seed;
}

impl T {
    fn mobil_req(&self, path: &str, query: &[(&str, &str)]) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.sb.url("mobilnik")))
            .query(query)
    }

    async fn mobil(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let resp = self.mobil_req(path, query).send().await.expect("answers");
        resp.read_json().await.expect("JSON")
    }

    async fn mobil_login(&self) -> Value {
        use mobil::seed;
        self.mobil(
            "/authentication/",
            &[
                ("id", seed::DEVICE_ID),
                ("login", seed::LOGIN),
                ("password", seed::PASSWORD),
                ("device", seed::DEVICE),
                ("client", seed::CLIENT),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn mobilnik_payments_and_transfers_are_committed_once_when_their_answers_are_dropped() {
    use mobil::seed;
    let t = T::start().await;
    let login = t.mobil_login().await;
    let token = login["token"].as_str().expect("token").to_owned();
    assert_eq!(login["balance"], json!(1043.0), "{login}");

    t.drop_next("mobilnik", "GET", "/payment/").await;
    t.lost(t.mobil_req(
        "/payment/",
        &[
            ("id", seed::DEVICE_ID),
            ("token", &token),
            ("client", seed::CLIENT),
            ("service_id", "1"),
            ("requisite", seed::REQUISITE),
            ("amount", "150.50"),
        ],
    ))
    .await;
    let paid = once(&t.sb, "mobilnik", "payment", "requisite", seed::REQUISITE);
    assert_eq!(paid.amount_minor, Some(15_050));
    assert_eq!(paid.currency, "KGS");
    let operation = paid.id("operation_id").expect("operation id").to_owned();
    // The first check shows it in progress, the next one final (1: processed).
    let check = [
        ("token", token.as_str()),
        ("operation_id", operation.as_str()),
    ];
    assert_eq!(t.mobil("/check_payment/", &check).await["status_id"], 0);
    assert_eq!(t.mobil("/check_payment/", &check).await["status_id"], 1);
    // Never seen: WRONG_OPERATION.
    let unknown = t
        .mobil(
            "/check_payment/",
            &[("token", token.as_str()), ("operation_id", "1")],
        )
        .await;
    assert_eq!(unknown["status_code"], -1, "{unknown}");
    assert_eq!(unknown["message"], "WRONG_OPERATION", "{unknown}");

    // transfer-request: no status call of its own; the ledger and the balance show it.
    t.drop_next("mobilnik", "GET", "/transfer_request/").await;
    t.lost(t.mobil_req(
        "/transfer_request/",
        &[
            ("id", seed::DEVICE_ID),
            ("token", &token),
            ("client", seed::CLIENT),
            ("service_id", "2"),
            ("customer_id", seed::WALLET),
            ("amount", "10.00"),
            ("comment", "lost"),
            ("status", "2"),
        ],
    ))
    .await;
    let moved = once(
        &t.sb,
        "mobilnik",
        "transfer-request",
        "customer_id",
        seed::WALLET,
    );
    assert_eq!(moved.amount_minor, Some(1_000));
    let after = t.mobil_login().await;
    assert_eq!(
        after["balance"],
        json!(882.5),
        "1043 - 150.50 - 10: {after}"
    );
}

// ---------------------------------------------------------------------------------------
// mserver

mod ms {
    pub use kassa_sandbox::mserver::seed;
}

impl T {
    fn ms_req(&self, method: reqwest::Method, path: &str, auth: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/v1{path}", self.sb.url("mserver")))
            .header("authorization", auth)
    }

    async fn ms(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: &str,
        body: Value,
    ) -> (u16, Value) {
        let resp = self
            .ms_req(method, path, auth)
            .json_body(&body)
            .send()
            .await
            .expect("answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn basic(login: &str, password: &str) -> String {
    let raw = format!("{login}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

#[tokio::test]
async fn mserver_payments_and_invoices_are_committed_once_when_their_answers_are_dropped() {
    use reqwest::Method;
    let t = T::start().await;
    let wallet = basic(ms::seed::PHONE, ms::seed::PASSWORD);
    let key = "7d0b3c1e-4a7f-4f3a-9d1e-2b6c8a9e0f11";
    let body = json!({
        "type": "out", "client_payment_id": key, "amount": 100,
        "service": 1, "parameters": {"phoneNumber": "9261234567"},
    });

    // create-payment: the payment exists, answered to a resend with the same key.
    t.drop_next("mserver", "POST", "/v1/payments").await;
    t.lost(
        t.ms_req(Method::POST, "/payments", &wallet)
            .json_body(&body),
    )
    .await;
    let created = once(&t.sb, "mserver", "create-payment", "client_payment_id", key);
    assert_eq!(created.amount_minor, Some(10_000));
    assert_eq!(created.currency, "RUB");
    let id = created.id("id").expect("payment id").to_owned();
    let (status, again) = t.ms(Method::POST, "/payments", &wallet, body.clone()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["data"]["id"].to_string(), id, "the same payment");
    once(&t.sb, "mserver", "create-payment", "client_payment_id", key);

    // pay-payment: the route names the id as {id}.
    t.drop_next("mserver", "POST", "/v1/payments/{id}/pay")
        .await;
    t.lost(
        t.ms_req(Method::POST, &format!("/payments/{id}/pay"), &wallet)
            .json_body(&json!({})),
    )
    .await;
    let paid = once(&t.sb, "mserver", "pay-payment", "id", &id);
    assert!(paid.amount_minor.is_some_and(|a| a >= 10_000), "{paid:?}");
    let (status, seen) = t
        .ms(
            Method::GET,
            &format!("/payments/{id}"),
            &wallet,
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["data"]["status"], "completed", "{seen}");

    // pay-invoice: an invoice to the seed wallet, paid with its answer dropped.
    let recipient = "+79990000077";
    for (path, body) in [
        (
            "/wallet",
            json!({"phone": recipient, "password": "secret-pw"}),
        ),
        (
            "/wallet/activate",
            json!({"phone": recipient, "code": ms::seed::SMS_CODE}),
        ),
    ] {
        let (status, answer) = t.ms(Method::POST, path, "", body).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    let (status, _) = t
        .ms(
            Method::POST,
            "/invoices",
            &basic(recipient, "secret-pw"),
            json!({"payer": ms::seed::PHONE, "amount": 12.5, "message": "lost"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, to_pay) = t.ms(Method::GET, "/invoices", &wallet, Value::Null).await;
    let invoice = to_pay["data"][0]["_id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    t.drop_next("mserver", "POST", "/v1/invoices/*/pay").await;
    t.lost(
        t.ms_req(Method::POST, &format!("/invoices/{invoice}/pay"), &wallet)
            .json_body(&json!({})),
    )
    .await;
    let made = once(&t.sb, "mserver", "pay-invoice", "invoice", &invoice);
    assert_eq!(made.amount_minor, Some(1_250));
    let pid = made.id("id").expect("payment id");
    let (status, seen) = t
        .ms(
            Method::GET,
            &format!("/payments/{pid}"),
            &wallet,
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["data"]["status"], "created", "{seen}");

    // Never seen: 404.
    let (status, _) = t
        .ms(Method::GET, "/payments/999999", &wallet, Value::Null)
        .await;
    assert_eq!(status, 404);
}

// ---------------------------------------------------------------------------------------
// exchanger

impl T {
    fn ex_req(&self, method: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        use kassa_sandbox::exchanger::seed;
        self.http
            .post(format!(
                "{}/api/userapi/v1/{method}",
                self.sb.url("exchanger")
            ))
            .header("API-LOGIN", seed::API_LOGIN)
            .header("API-KEY", seed::API_KEY)
            .form(form)
    }

    async fn ex(&self, method: &str, form: &[(&str, &str)]) -> Value {
        let resp = self.ex_req(method, form).send().await.expect("answers");
        resp.read_json().await.expect("JSON")
    }

    async fn ex_lost(&self, method: &str, form: &[(&str, &str)]) {
        self.drop_next("exchanger", "POST", &format!("/api/userapi/v1/{method}"))
            .await;
        self.lost(self.ex_req(method, form)).await;
    }
}

fn bid_form<'a>(api_id: &'a str, partner: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("direction_id", "12"),
        ("calc_amount", "0.015"),
        ("calc_action", "1"),
        ("api_id", api_id),
        ("partner_id", partner),
        ("account1", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
        ("account2", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
        ("cf6", "test@example.com"),
    ]
}

#[tokio::test]
async fn exchanger_bids_and_payouts_are_committed_once_when_their_answers_are_dropped() {
    let t = T::start().await;

    // create-bid: found again by api_id with get_exchanges.
    t.ex_lost("create_bid", &bid_form("lost-bid", "12")).await;
    let created = once(&t.sb, "exchanger", "create-bid", "api_id", "lost-bid");
    assert_eq!(created.currency, "BTC");
    let id = created.id("id").expect("bid id").to_owned();
    let hash = created.id("hash").expect("hash").to_owned();
    let rows = t.ex("get_exchanges", &[("api_id", "lost-bid")]).await;
    let row = &rows["data"]["items"][&id];
    assert_eq!(row["status"], "new", "{rows}");
    // amount_give (0.015 and the direction's commission) in satoshi
    assert_eq!(row["amount_give"], "0.0152", "{rows}");
    assert_eq!(created.amount_minor, Some(1_520_000));

    // pay-bid, success-bid: bid_info by id shows each.
    for (method, operation, status) in [
        ("pay_bid", "pay-bid", "payed"),
        ("success_bid", "success-bid", "success"),
    ] {
        t.ex_lost(method, &[("hash", &hash)]).await;
        once(&t.sb, "exchanger", operation, "id", &id);
        let info = t.ex("bid_info", &[("id", &id)]).await;
        assert_eq!(info["data"]["status"], status, "{info}");
    }

    // cancel-bid on another bid
    let other = t.ex("create_bid", &bid_form("cancel-me", "0")).await;
    let other_hash = other["data"]["hash"].as_str().expect("hash").to_owned();
    t.ex_lost("cancel_bid", &[("hash", &other_hash)]).await;
    once(&t.sb, "exchanger", "cancel-bid", "hash", &other_hash);
    let info = t.ex("bid_info", &[("hash", &other_hash)]).await;
    assert_eq!(info["data"]["status"], "cancel", "{info}");

    // add-partner-payout: get_partner_payouts by id shows it.
    t.ex_lost(
        "add_partner_payout",
        &[
            ("method_id", "7"),
            ("account", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
        ],
    )
    .await;
    let payout =
        t.sb.ledger()
            .into_iter()
            .find(|e| e.operation == "add-partner-payout")
            .expect("the payout is in the ledger");
    assert!(payout.is_committed());
    let payout_id = payout.id("payout_id").expect("payout id").to_owned();
    once(
        &t.sb,
        "exchanger",
        "add-partner-payout",
        "payout_id",
        &payout_id,
    );
    let rows = t.ex("get_partner_payouts", &[("id", &payout_id)]).await;
    assert_eq!(rows["data"]["items"][0]["id"], payout_id.as_str(), "{rows}");
    assert!(
        !serde_json::to_string(&payout)
            .expect("json")
            .contains("TQ7Na"),
        "no account"
    );

    // Never seen: "no bid exists", and no rows for an unknown api_id or payout.
    let unknown = t.ex("bid_info", &[("id", "1")]).await;
    assert_eq!(unknown["error"], "1", "{unknown}");
    assert_eq!(unknown["error_text"], "no bid exists", "{unknown}");
    assert_eq!(
        t.ex("get_exchanges", &[("api_id", "never")]).await["data"],
        json!([])
    );
    assert_eq!(
        t.ex("get_partner_payouts", &[("id", "1")]).await["data"],
        json!([])
    );
}

// ---------------------------------------------------------------------------------------
// The ledger itself

#[tokio::test]
async fn the_ledger_over_http_is_the_ledger_and_holds_no_secret() {
    let t = T::start().await;
    // A payout to a full card number, a requisite payment naming one, a refused payment.
    let card = anor::seed::RICH_CARD;
    let (status, _) = t
        .anor(
            anor::paths::EXT_PAY,
            &json!({
                "agentTranId": 42,
                "from": {"type": "ACCOUNT", "currency": 860, "params": {
                    "account": anor::seed::MERCHANT_ACCOUNT, "mfo": anor::seed::MERCHANT_MFO,
                    "name": anor::seed::MERCHANT_NAME}},
                "to": {"type": "PAN", "currency": 860, "params": {"pan": card.pan, "exp": card.expiry}},
                "amount": 500,
            }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .anor(anor::paths::UNREGISTERED_CHECK, &check_body("s-1", 700))
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .anor(
            anor::paths::UNREGISTERED_PAY,
            &json!({"billId": 1, "params": {"otp": "1"}}),
        )
        .await;
    assert_eq!(status, 400);
    let login = t.mobil_login().await;
    let token = login["token"].as_str().expect("token").to_owned();
    t.mobil(
        "/payment/",
        &[
            ("id", mobil::seed::DEVICE_ID),
            ("token", &token),
            ("client", mobil::seed::CLIENT),
            ("service_id", "1"),
            ("requisite", mobil::seed::REQUISITE),
            ("amount", "1.00"),
        ],
    )
    .await;

    let all = t.sb.ledger();
    assert_eq!(all.len(), 4, "{all:#?}");
    assert_eq!(t.ledger_http("").await, all);
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    let anor_only = t.ledger_http("?provider=anor-bm").await;
    assert_eq!(anor_only, all[..3].to_vec());
    assert_eq!(t.ledger_http("?since=2").await, all[2..].to_vec());

    let text = serde_json::to_string(&all).expect("json");
    for secret in [
        card.pan,
        anor::seed::ACCESS_TOKEN,
        anor::seed::PASSWORD,
        mobil::seed::PASSWORD,
        token.as_str(),
        ms::seed::PASSWORD,
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }

    // The index lists it; DELETE empties it and the numbers go on.
    let index: Value = t
        .http
        .get(t.sb.base_url())
        .send()
        .await
        .expect("index")
        .read_json()
        .await
        .expect("JSON");
    assert_eq!(index["ledger"], "/_sandbox/ledger");
    let resp = t
        .http
        .delete(format!("{}/_sandbox/ledger", t.sb.base_url()))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status().as_u16(), 204);
    assert!(t.sb.ledger().is_empty());
    let (status, _) = t
        .anor(anor::paths::UNREGISTERED_CHECK, &check_body("s-2", 700))
        .await;
    assert_eq!(status, 200);
    assert_eq!(t.sb.ledger()[0].seq, 5);
}

#[tokio::test]
async fn a_garbled_answer_also_commits_first() {
    let t = T::start().await;
    t.fault(json!({
        "provider": "exchanger", "route": "/api/userapi/v1/create_bid",
        "garbage": true, "times": 1,
    }))
    .await;
    let resp = t
        .ex_req("create_bid", &bid_form("garbled", "0"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.expect("body");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    once(&t.sb, "exchanger", "create-bid", "api_id", "garbled");
    assert!(t.sb.faults().list().is_empty(), "times(1) is spent");
}
