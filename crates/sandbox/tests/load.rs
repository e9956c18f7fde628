//! The sandbox under load: for every money-moving conflict, 50 concurrent conflicting
//! requests against one spawned sandbox (loopback, raw HTTP) give exactly one success and
//! never overdraw. Balances and state are read back through the API afterwards.
//!
//! Each emulator keeps its state behind one mutex and changes it in one critical section
//! per request (check and act together, never across an `.await`); these tests hold it to
//! that from outside, with the requests really in flight together on a multi-threaded
//! runtime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;

use base64::Engine as _;
use serde_json::{Value, json};

/// How many conflicting requests are in flight at once.
const N: usize = 50;

/// Runs `N` requests made by `make(i)` at once (each on a task of its own) and gives back
/// their answers in order.
async fn all_at_once<F, Fut, T>(make: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(N));
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let request = make(i);
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                request.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(N);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// A client with `N` connections to the sandbox open already, so that the conflicting
/// requests arrive together instead of one connection set-up after another.
async fn http(sandbox: &kassa_sandbox::Sandbox) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(N)
        .build()
        .unwrap();
    let url = sandbox.base_url();
    let warm = all_at_once(|_| {
        let (http, url) = (http.clone(), url.clone());
        async move { http.get(url).send().await.unwrap().bytes().await.unwrap() }
    })
    .await;
    assert_eq!(warm.len(), N);
    http
}

/// An exact decimal amount (`"1043.00"`, `1000`, `"995.5"`) in hundredths, never via f64.
fn hundredths(text: &str) -> i64 {
    let text = text.trim().trim_matches('"');
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 2, "more than 2 decimals: {text}");
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

/// The raw JSON text of `"field": <value>` in `body` (to read money exactly).
fn raw_field<'a>(body: &'a str, field: &str) -> &'a str {
    let key = format!("\"{field}\":");
    let at = body
        .find(&key)
        .unwrap_or_else(|| panic!("no {field} in {body}"))
        + key.len();
    let rest = body[at..].trim_start();
    let end = rest.find([',', '}']).unwrap();
    rest[..end].trim()
}

/// The sandbox's state as JSON (what `kassa_sandbox::State::to_json` writes).
fn saved(sandbox: &kassa_sandbox::Sandbox) -> Value {
    serde_json::from_str(&sandbox.state().to_json()).unwrap()
}

// ---------------------------------------------------------------------------------------
// anor-bm
// ---------------------------------------------------------------------------------------

mod anor {
    use super::*;
    use kassa_sandbox::anor_bm::{paths, seed};

    pub(super) struct Anor {
        pub(super) base: String,
        pub(super) http: reqwest::Client,
    }

    impl Anor {
        pub(super) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
            post(&self.http, &self.base, path, body).await
        }

        /// A bill of `amount` tiyin on `card`, `CHECK_OK`; its id.
        pub(super) async fn bill(&self, tran: &str, amount: i64, card: &seed::TestCard) -> i64 {
            let (status, body) = self
                .post(
                    paths::UNREGISTERED_CHECK,
                    json!({
                        "account": "30",
                        "recipientId": seed::RECIPIENT_ID,
                        "amount": amount,
                        "currency": 860,
                        "agentTranId": tran,
                        "params": {"pan": card.pan, "exp": card.expiry},
                    }),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["status"], "CHECK_OK");
            body["id"].as_i64().unwrap()
        }
    }

    pub(super) async fn post(
        http: &reqwest::Client,
        base: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let resp = http
            .post(format!("{base}{path}"))
            .bearer_auth(seed::ACCESS_TOKEN)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (
            status,
            serde_json::from_str(&resp.text().await.unwrap()).unwrap(),
        )
    }

    /// The seed cards' balances, in tiyin, as the sandbox's state holds them.
    pub(super) fn balances(sandbox: &kassa_sandbox::Sandbox) -> Vec<i64> {
        saved(sandbox)["anor-bm"]["cards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_i64().unwrap())
            .collect()
    }

    pub(super) fn pay_body(bill: i64) -> Value {
        json!({"billId": bill, "type": "PC", "params": {"otp": seed::OTP}})
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anor_bm_the_same_bill_paid_50_times_is_paid_once() {
    use kassa_sandbox::anor_bm::{paths, seed};
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let api = anor::Anor {
        base: sandbox.url("anor-bm"),
        http: http(&sandbox).await,
    };
    let amount = 1_234_500;
    let bill = api.bill("load-pay-1", amount, &seed::RICH_CARD).await;
    let before = anor::balances(&sandbox);

    let answers = all_at_once(|_| {
        let (http, base) = (api.http.clone(), api.base.clone());
        async move { anor::post(&http, &base, paths::UNREGISTERED_PAY, anor::pay_body(bill)).await }
    })
    .await;

    let paid: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(paid.len(), 1, "{answers:?}");
    assert_eq!(paid[0].1["status"], "SUCCESS");
    // Every other one is refused: the bill is no longer CHECK_OK.
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 400, "{body}");
        assert_eq!(body["detail"], "bill_not_valid", "{body}");
    }
    let (status, bill) = api.post(paths::STATUS, json!({"billId": bill})).await;
    assert_eq!(status, 200);
    assert_eq!(bill["status"], "SUCCESS");
    assert_eq!(bill["amount"], amount);
    let after = anor::balances(&sandbox);
    assert_eq!(after[0], before[0] - amount, "debited exactly once");
    assert_eq!(after[1..], before[1..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anor_bm_50_holds_past_the_card_balance_hold_once() {
    use kassa_sandbox::anor_bm::{paths, seed};
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let api = anor::Anor {
        base: sandbox.url("anor-bm"),
        http: http(&sandbox).await,
    };
    // The poor card holds 100 000 tiyin: one hold of 60 000 fits, two do not.
    let amount = 60_000;
    assert!(seed::POOR_CARD.balance >= amount && seed::POOR_CARD.balance < 2 * amount);
    let mut bills = Vec::new();
    for i in 0..N {
        bills.push(
            api.bill(&format!("load-hold-{i}"), amount, &seed::POOR_CARD)
                .await,
        );
    }
    let before = anor::balances(&sandbox);
    assert_eq!(before[1], seed::POOR_CARD.balance);

    let answers = all_at_once(|i| {
        let (http, base, bill) = (api.http.clone(), api.base.clone(), bills[i]);
        async move { anor::post(&http, &base, paths::HOLD, anor::pay_body(bill)).await }
    })
    .await;

    let held: Vec<usize> = (0..N).filter(|i| answers[*i].0 == 200).collect();
    assert_eq!(held.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(body["detail"], "insufficient_funds", "{status} {body}");
    }
    for (i, bill) in bills.iter().enumerate() {
        let (_, b) = api.post(paths::STATUS, json!({"billId": bill})).await;
        let want = if held.contains(&i) {
            "HOLD_SUCCESS"
        } else {
            "CHECK_OK"
        };
        assert_eq!(b["status"], want, "bill {i}");
    }
    let after = anor::balances(&sandbox);
    assert_eq!(after[1], before[1] - amount, "held exactly once");
    assert!(after.iter().all(|b| *b >= 0));
}

// ---------------------------------------------------------------------------------------
// requisite-uz
// ---------------------------------------------------------------------------------------

mod requisite {
    use super::*;
    use kassa_sandbox::requisite_uz::seed;

    pub(super) fn auth() -> String {
        let raw = format!("{}:{}", seed::USERNAME, seed::PASSWORD);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    pub(super) fn payment(order_id: &str, service: u64, amount: u64) -> Value {
        json!({
            "orderId": order_id,
            "amount": amount.to_string(),
            "comissionAmount": "0",
            "purpose": "load test",
            "serviceId": service.to_string(),
            "receiverName": seed::RECEIVER_NAME,
            "mfoReceiver": seed::RECEIVER_MFO,
            "receiverAccount": seed::RECEIVER_ACCOUNT,
            "innReceiver": seed::RECEIVER_INN,
            "cardType": "HUMO",
            "cardNumber": seed::HUMO_CARD,
            "refNumber": seed::REF_NUMBER,
        })
    }

    pub(super) async fn post(http: &reqwest::Client, url: String, body: Value) -> Value {
        let resp = http
            .post(url)
            .header("authorization", auth())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        serde_json::from_str(&resp.text().await.unwrap()).unwrap()
    }

    pub(super) async fn get(http: &reqwest::Client, url: String) -> Value {
        let resp = http
            .get(url)
            .header("authorization", auth())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        serde_json::from_str(&resp.text().await.unwrap()).unwrap()
    }

    pub(super) async fn balance(http: &reqwest::Client, base: &str, service: u64) -> u64 {
        let v = get(http, format!("{base}/api/v2/account/{service}/balance")).await;
        v["data"]["balance"].as_str().unwrap().parse().unwrap()
    }

    pub(super) fn is_success(v: &Value) -> bool {
        v["status"] == "success"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requisite_uz_the_same_order_id_50_times_is_one_payment() {
    use kassa_sandbox::requisite_uz::seed;
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (http(&sandbox).await, sandbox.url("requisite-uz"));
    let service = seed::SERVICE_HUMO_ID;
    let amount = 750_000;
    let before = requisite::balance(&http, &base, service).await;

    let answers = all_at_once(|_| {
        let (http, url) = (http.clone(), format!("{base}/api/v2/payment"));
        async move {
            requisite::post(
                &http,
                url,
                requisite::payment("load-order-1", service, amount),
            )
            .await
        }
    })
    .await;

    let created: Vec<&Value> = answers
        .iter()
        .filter(|v| requisite::is_success(v))
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|v| !requisite::is_success(v))
        .collect();
    assert_eq!(refused.len(), N - 1);
    for v in &refused {
        assert_eq!(v["code"], seed::CODE_DUPLICATE_ORDER, "{v}");
    }
    let status = requisite::get(&http, format!("{base}/api/v2/payment/load-order-1")).await;
    assert_eq!(status["data"]["doc_id"], created[0]["data"]["doc_id"]);
    let after = requisite::balance(&http, &base, service).await;
    assert_eq!(after, before - amount, "debited exactly once");
    // One order in the state, not fifty.
    assert_eq!(
        saved(&sandbox)["requisite-uz"]["orders"]
            .as_object()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requisite_uz_50_orders_past_the_balance_pay_once() {
    use kassa_sandbox::requisite_uz::seed;
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (http(&sandbox).await, sandbox.url("requisite-uz"));
    let service = seed::SERVICE_HUMO_ID;
    let before = requisite::balance(&http, &base, service).await;
    // One order fits in the balance, two do not.
    let amount = before / 2 + 1;

    let answers = all_at_once(|i| {
        let (http, url) = (http.clone(), format!("{base}/api/v2/payment"));
        async move {
            requisite::post(
                &http,
                url,
                requisite::payment(&format!("load-many-{i}"), service, amount),
            )
            .await
        }
    })
    .await;

    let created = answers.iter().filter(|v| requisite::is_success(v)).count();
    assert_eq!(created, 1, "{answers:?}");
    for v in answers.iter().filter(|v| !requisite::is_success(v)) {
        assert_eq!(v["code"], seed::CODE_INSUFFICIENT_BALANCE, "{v}");
    }
    let after = requisite::balance(&http, &base, service).await;
    assert_eq!(
        after,
        before - amount,
        "debited exactly once, never below zero"
    );
}

// ---------------------------------------------------------------------------------------
// mobilnik
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobilnik_50_payments_past_the_balance_pay_once() {
    use kassa_sandbox::mobilnik::seed;
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (http(&sandbox).await, sandbox.url("mobilnik"));
    let login = |http: reqwest::Client, base: String| async move {
        let text = http
            .get(format!("{base}/authentication/"))
            .query(&[
                ("id", seed::DEVICE_ID),
                ("login", seed::LOGIN),
                ("password", seed::PASSWORD),
                ("device", seed::DEVICE),
                ("client", seed::CLIENT),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status_code"], 0, "{v}");
        (
            v["token"].as_str().unwrap().to_owned(),
            hundredths(raw_field(&text, "balance")),
        )
    };
    let (token, before) = login(http.clone(), base.clone()).await;
    assert_eq!(before, hundredths(seed::BALANCE));
    // 600.00 of 1043.00: one payment fits, two do not.
    let amount = "600.00";
    assert!(before >= hundredths(amount) && before < 2 * hundredths(amount));

    let answers = all_at_once(|_| {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        async move {
            let text = http
                .get(format!("{base}/payment/"))
                .query(&[
                    ("id", seed::DEVICE_ID),
                    ("token", token.as_str()),
                    ("client", seed::CLIENT),
                    ("service_id", "1"),
                    ("requisite", seed::REQUISITE),
                    ("amount", amount),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            (text.clone(), serde_json::from_str::<Value>(&text).unwrap())
        }
    })
    .await;

    let paid: Vec<_> = answers
        .iter()
        .filter(|(_, v)| v["status_code"] == 0)
        .collect();
    assert_eq!(paid.len(), 1, "{answers:?}");
    let left = hundredths(raw_field(&paid[0].0, "balance"));
    assert_eq!(left, before - hundredths(amount));
    for (_, v) in answers.iter().filter(|(_, v)| v["status_code"] != 0) {
        assert_eq!(v["message"], "INSUFFICIENT_FUNDS_FOR_OPERATION", "{v}");
    }
    let (_, after) = login(http.clone(), base.clone()).await;
    assert_eq!(after, before - hundredths(amount), "debited exactly once");
    assert!(after >= 0);
}

// ---------------------------------------------------------------------------------------
// mserver
// ---------------------------------------------------------------------------------------

mod mserver {
    use super::*;
    use kassa_sandbox::mserver::seed;

    pub(super) fn wallet() -> String {
        let raw = format!("{}:{}", seed::PHONE, seed::PASSWORD);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    pub(super) fn out_payment(key: &str, roubles: i64) -> Value {
        json!({
            "type": "out",
            "client_payment_id": key,
            "amount": roubles,
            "service": 1,
            "parameters": {"phoneNumber": "9261234567"},
        })
    }

    pub(super) async fn post(http: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
        let resp = http
            .post(url)
            .header("authorization", wallet())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (
            status,
            serde_json::from_str(&resp.text().await.unwrap()).unwrap(),
        )
    }

    pub(super) async fn get(http: &reqwest::Client, url: String) -> (u16, String) {
        let resp = http
            .get(url)
            .header("authorization", wallet())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// The seed wallet's balance in kopecks.
    pub(super) async fn balance(http: &reqwest::Client, base: &str) -> i64 {
        let (status, text) = get(http, format!("{base}/wallet")).await;
        assert_eq!(status, 200, "{text}");
        hundredths(raw_field(&text, "amount"))
    }

    /// A payment's status and total (kopecks), read through the API.
    pub(super) async fn payment(http: &reqwest::Client, base: &str, id: u64) -> (String, i64) {
        let (status, text) = get(http, format!("{base}/payments/{id}")).await;
        assert_eq!(status, 200, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        (
            v["data"]["status"].as_str().unwrap().to_owned(),
            hundredths(raw_field(&text, "total")),
        )
    }

    pub(super) fn key(i: usize) -> String {
        format!("0a0a0a0a-0000-4000-8000-{i:012}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mserver_the_same_client_payment_id_50_times_is_one_payment() {
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (
        http(&sandbox).await,
        format!("{}/v1", sandbox.url("mserver")),
    );
    let key = mserver::key(1);

    let answers = all_at_once(|_| {
        let (http, url, body) = (
            http.clone(),
            format!("{base}/payments"),
            mserver::out_payment(&key, 100),
        );
        async move { mserver::post(&http, url, body).await }
    })
    .await;

    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let id = &answers[0].1["data"]["id"];
    assert!(id.is_u64());
    assert!(
        answers.iter().all(|(_, v)| v["data"]["id"] == *id),
        "one payment for one client_payment_id: {answers:?}"
    );
    let (_, list) = mserver::get(&http, format!("{base}/payments")).await;
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["meta"]["page"]["total_elements"], 1, "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mserver_the_same_payment_paid_50_times_moves_the_balance_once() {
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (
        http(&sandbox).await,
        format!("{}/v1", sandbox.url("mserver")),
    );
    let before = mserver::balance(&http, &base).await;
    let (s, created) = mserver::post(
        &http,
        format!("{base}/payments"),
        mserver::out_payment(&mserver::key(2), 100),
    )
    .await;
    assert_eq!(s, 200, "{created}");
    let id = created["data"]["id"].as_u64().unwrap();

    let answers = all_at_once(|_| {
        let (http, url) = (http.clone(), format!("{base}/payments/{id}/pay"));
        async move { mserver::post(&http, url, json!({})).await }
    })
    .await;

    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let (status, total) = mserver::payment(&http, &base, id).await;
    assert_eq!(status, "completed");
    let after = mserver::balance(&http, &base).await;
    assert_eq!(after, before - total, "debited exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mserver_50_payments_past_the_wallet_balance_complete_once() {
    use kassa_sandbox::mserver::seed;
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (
        http(&sandbox).await,
        format!("{}/v1", sandbox.url("mserver")),
    );
    let before = mserver::balance(&http, &base).await;
    assert_eq!(before, seed::START_BALANCE_KOPECKS);
    // 600 roubles (and the fee) of 1000: one fits, two do not.
    let mut ids = Vec::new();
    for i in 0..N {
        let (s, created) = mserver::post(
            &http,
            format!("{base}/payments"),
            mserver::out_payment(&mserver::key(100 + i), 600),
        )
        .await;
        assert_eq!(s, 200, "{created}");
        ids.push(created["data"]["id"].as_u64().unwrap());
    }

    let answers = all_at_once(|i| {
        let (http, url) = (http.clone(), format!("{base}/payments/{}/pay", ids[i]));
        async move { mserver::post(&http, url, json!({})).await }
    })
    .await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");

    let mut completed = Vec::new();
    for id in &ids {
        let (status, total) = mserver::payment(&http, &base, *id).await;
        match status.as_str() {
            "completed" => completed.push(total),
            "declined" => {}
            other => panic!("payment {id} is {other}"),
        }
    }
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert!(2 * completed[0] > before && completed[0] <= before);
    let after = mserver::balance(&http, &base).await;
    assert_eq!(after, before - completed[0], "debited exactly once");
    assert!(after >= 0);
}

// ---------------------------------------------------------------------------------------
// exchanger
// ---------------------------------------------------------------------------------------

mod exchanger {
    use super::*;
    use kassa_sandbox::exchanger::seed;

    pub(super) async fn call(
        http: &reqwest::Client,
        base: &str,
        method: &str,
        form: &[(&str, &str)],
    ) -> Value {
        let resp = http
            .post(format!("{base}/api/userapi/v1/{method}"))
            .header("API-LOGIN", seed::API_LOGIN)
            .header("API-KEY", seed::API_KEY)
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        serde_json::from_str(&resp.text().await.unwrap()).unwrap()
    }

    pub(super) fn ok(v: &Value) -> bool {
        v["error"] == json!(0) || v["error"] == json!("0")
    }

    pub(super) async fn bid(http: &reqwest::Client, base: &str, api_id: &str) -> Value {
        call(
            http,
            base,
            "create_bid",
            &[
                ("direction_id", "12"),
                ("calc_amount", "0.015"),
                ("calc_action", "1"),
                ("api_id", api_id),
                ("partner_id", "12"),
                ("account1", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
                ("account2", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
                ("cf6", "test@example.com"),
            ],
        )
        .await
    }

    /// (reserve of direction 12, the partner's balance), exact decimal text.
    pub(super) async fn money(http: &reqwest::Client, base: &str) -> (String, String) {
        let d = call(http, base, "get_direction", &[("direction_id", "12")]).await;
        let p = call(http, base, "get_partner_info", &[]).await;
        (
            d["data"]["reserve"].as_str().unwrap().to_owned(),
            p["data"]["balance"].as_str().unwrap().to_owned(),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanger_the_same_api_id_50_times_makes_50_distinct_bids() {
    // `api_id` is a lookup key, not a deduplication key (docs/exchanger.md): the engine
    // makes a bid per call. Under load none is lost or merged, and ids stay unique.
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (http(&sandbox).await, sandbox.url("exchanger"));
    let (reserve, _) = exchanger::money(&http, &base).await;

    let answers = all_at_once(|_| {
        let (http, base) = (http.clone(), base.clone());
        async move { exchanger::bid(&http, &base, "load-api-id").await }
    })
    .await;

    assert!(answers.iter().all(exchanger::ok), "{answers:?}");
    let mut ids: Vec<String> = answers
        .iter()
        .map(|v| v["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "every bid its own id");
    let listed = exchanger::call(
        &http,
        &base,
        "get_exchanges",
        &[("api_id", "load-api-id"), ("limit", "100")],
    )
    .await;
    let items = listed["data"]["items"].as_object().unwrap();
    assert_eq!(items.len(), N, "{listed}");
    // Creating moves no money.
    assert_eq!(exchanger::money(&http, &base).await.0, reserve);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanger_the_same_bid_paid_and_finished_50_times_moves_once() {
    use rust_decimal::Decimal;
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (http(&sandbox).await, sandbox.url("exchanger"));
    let bid = exchanger::bid(&http, &base, "load-pay").await;
    assert!(exchanger::ok(&bid), "{bid}");
    let hash = bid["data"]["hash"].as_str().unwrap().to_owned();
    let get: Decimal = bid["data"]["amount_get"].as_str().unwrap().parse().unwrap();
    let (reserve, balance) = exchanger::money(&http, &base).await;

    for method in ["pay_bid", "success_bid"] {
        let answers = all_at_once(|_| {
            let (http, base, hash) = (http.clone(), base.clone(), hash.clone());
            async move { exchanger::call(&http, &base, method, &[("hash", hash.as_str())]).await }
        })
        .await;
        // Asking for the status a bid has answers it again and changes nothing.
        assert!(answers.iter().all(exchanger::ok), "{method}: {answers:?}");
    }

    let info = exchanger::call(
        &http,
        &base,
        "get_exchanges",
        &[("api_id", "load-pay"), ("status_history", "1")],
    )
    .await;
    let item = info["data"]["items"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(item["status"], "success", "{item}");
    let history = item["statuses"].as_array().unwrap();
    assert_eq!(history.len(), 3, "new, payed, success once each: {item}");
    let (reserve_after, balance_after) = exchanger::money(&http, &base).await;
    let dec = |t: &str| t.parse::<Decimal>().unwrap();
    assert_eq!(
        dec(&reserve) - dec(&reserve_after),
        get,
        "the reserve fell by one bid"
    );
    let id = bid["data"]["id"].as_str().unwrap();
    let partner = exchanger::call(&http, &base, "get_partner_exchanges", &[]).await;
    let reward = dec(partner["data"]["items"][id]["partner_reward"]
        .as_str()
        .unwrap());
    assert!(reward > Decimal::ZERO);
    assert_eq!(
        dec(&balance_after) - dec(&balance),
        reward,
        "the partner's reward accrued once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanger_50_partner_payouts_at_once_pay_the_balance_once() {
    use rust_decimal::Decimal;
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let (http, base) = (http(&sandbox).await, sandbox.url("exchanger"));
    let before = exchanger::call(&http, &base, "get_partner_payouts", &[]).await;
    let before = before["data"]["items"].as_array().unwrap().len();
    let (_, balance) = exchanger::money(&http, &base).await;
    let balance: Decimal = balance.parse().unwrap();
    assert!(balance > Decimal::ZERO);

    let answers = all_at_once(|_| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let form = [
                ("method_id", "7"),
                ("account", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
            ];
            exchanger::call(&http, &base, "add_partner_payout", &form).await
        }
    })
    .await;

    let paid: Vec<&Value> = answers.iter().filter(|v| exchanger::ok(v)).collect();
    assert_eq!(paid.len(), 1, "{answers:?}");
    for v in answers.iter().filter(|v| !exchanger::ok(v)) {
        assert_eq!(
            v["error_text"], "the balance is less than the minimum payout",
            "{v}"
        );
    }
    let id = paid[0]["data"]["payout_id"].as_str().unwrap();
    let after = exchanger::call(&http, &base, "get_partner_payouts", &[]).await;
    assert_eq!(after["data"]["items"].as_array().unwrap().len(), before + 1);
    let one = exchanger::call(&http, &base, "get_partner_payouts", &[("id", id)]).await;
    let original: Decimal = one["data"]["items"][0]["original_amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(original, balance, "the whole balance, once");
    assert_eq!(exchanger::money(&http, &base).await.1, "0");
}
