//! The sandbox's memory stays flat over 100,000 calls.
//!
//! A counting global allocator ([`cap`]) measures the heap in use while one sandbox router
//! serves 100,000 mixed calls in-process (`tower::ServiceExt::oneshot`, no sockets): reads
//! and state-changing calls for every provider, logins and token grants included. The calls
//! are chosen so that none creates a record the sandbox keeps by design (a new bill, order,
//! operation, payment, bid): those are the state a test inspects, and each one is kept.
//! Everything else must be bounded: tokens, OTP sessions, delivery logs, queues. Some calls
//! move money (a tiyin held more and released, 0.01 sent to another wallet) or are refused
//! it, and the ledger of money movements keeps one entry for each by design (up to its cap):
//! it is emptied (`DELETE /_sandbox/ledger`, which frees it) before each measure.
//!
//! The heap in use after call 100,000 may exceed that after call 50,000 by less than
//! [`BOUND`]: 64 KiB over 50,000 calls, about 1.3 bytes a call. A leak of one token per
//! login (some 100 bytes with its map slot, one login per round of 33 calls) would add some
//! 150 KB over the second half, one small allocation per call far more; heap noise in a
//! steady state (a map's capacity, the allocator's own bookkeeping) is a few KiB.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use cap::Cap;
use serde_json::{Value, json};
use tower::ServiceExt as _;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// How many calls in all; the heap is measured after half and after all of them.
const CALLS: usize = 100_000;

/// How much the heap in use may grow over the second half of the calls.
const BOUND: usize = 64 * 1024;

fn basic(login: &str, password: &str) -> String {
    let raw = format!("{login}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// What the driver keeps between calls: the tokens it was given and the records it made
/// in its set-up.
struct Driver {
    router: Router,
    anor_token: String,
    anor_refresh: String,
    anor_hold_bill: i64,
    mobilnik_token: String,
    mobilnik_operation: String,
    mserver_payment: u64,
    mserver_template: String,
    bid_id: String,
    bid_hash: String,
}

/// One request.
struct Call {
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Call {
    fn get(uri: impl Into<String>) -> Call {
        Call {
            method: "GET",
            uri: uri.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn post(uri: impl Into<String>) -> Call {
        Call {
            method: "POST",
            ..Call::get(uri)
        }
    }

    fn delete(uri: impl Into<String>) -> Call {
        Call {
            method: "DELETE",
            ..Call::get(uri)
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.headers.push((name, value.into()));
        self
    }

    fn json(self, body: &Value) -> Call {
        let mut call = self.header("content-type", "application/json");
        call.body = body.to_string().into_bytes();
        call
    }

    fn form(self, fields: &[(&str, &str)]) -> Call {
        let mut call = self.header("content-type", "application/x-www-form-urlencoded");
        call.body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish()
            .into_bytes();
        call
    }

    fn query(mut self, fields: &[(&str, &str)]) -> Call {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.uri = format!("{}?{query}", self.uri);
        self
    }
}

/// The requests of one provider prefix.
mod anor {
    pub(super) use kassa_sandbox::anor_bm::{paths, seed};
    pub(super) fn uri(path: &str) -> String {
        format!("/anor-bm{path}")
    }
}

fn exchanger(method: &str, fields: &[(&str, &str)]) -> Call {
    use kassa_sandbox::exchanger::seed;
    Call::post(format!("/exchanger/api/userapi/v1/{method}"))
        .header("api-login", seed::API_LOGIN)
        .header("api-key", seed::API_KEY)
        .form(fields)
}

fn requisite(call: Call) -> Call {
    use kassa_sandbox::requisite_uz::seed;
    call.header("authorization", basic(seed::USERNAME, seed::PASSWORD))
}

fn requisite_payment(order_id: &str) -> Value {
    use kassa_sandbox::requisite_uz::seed;
    json!({
        "orderId": order_id,
        "amount": "500000",
        "comissionAmount": "0",
        "purpose": "memory test",
        "serviceId": seed::SERVICE_HUMO_ID.to_string(),
        "receiverName": seed::RECEIVER_NAME,
        "mfoReceiver": seed::RECEIVER_MFO,
        "receiverAccount": seed::RECEIVER_ACCOUNT,
        "innReceiver": seed::RECEIVER_INN,
        "cardType": "HUMO",
        "cardNumber": seed::HUMO_CARD,
        "refNumber": seed::REF_NUMBER,
    })
}

fn mobilnik(path: &str, fields: &[(&str, &str)]) -> Call {
    use kassa_sandbox::mobilnik::seed;
    let mut all = vec![("id", seed::DEVICE_ID), ("client", seed::CLIENT)];
    all.extend_from_slice(fields);
    Call::get(format!("/mobilnik{path}")).query(&all)
}

fn mserver(call: Call) -> Call {
    use kassa_sandbox::mserver::seed;
    call.header("authorization", basic(seed::PHONE, seed::PASSWORD))
}

const MSERVER_KEY: &str = "0b0b0b0b-0000-4000-8000-000000000001";

fn mserver_payment() -> Value {
    json!({
        "type": "out",
        "client_payment_id": MSERVER_KEY,
        "amount": 10,
        "service": 1,
        "parameters": {"phoneNumber": "9261234567"},
    })
}

fn mserver_template() -> Value {
    json!({
        "name": "memory",
        "service_id": 1,
        "amount": 10,
        "params": {"phoneNumber": "9261234567"},
    })
}

fn bid_form(amount: &'static str) -> [(&'static str, &'static str); 7] {
    [
        ("direction_id", "12"),
        ("calc_amount", amount),
        ("calc_action", "1"),
        ("api_id", "memory"),
        ("account1", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
        ("account2", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
        ("cf6", "test@example.com"),
    ]
}

/// How many calls one round makes (see [`Driver::step`]).
const ROUND: usize = 33;

async fn send(router: &Router, call: Call) -> (StatusCode, Bytes) {
    let mut req = Request::builder().method(call.method).uri(call.uri);
    for (name, value) in call.headers {
        req = req.header(name, value);
    }
    let req = req.body(Body::from(call.body)).unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body)
}

async fn json_of(router: &Router, call: Call) -> Value {
    let (status, body) = send(router, call).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

impl Driver {
    /// Empties the ledger of money movements (kept by design, see the module's note).
    async fn clear_ledger(&self) {
        let (status, _) = send(&self.router, Call::delete("/_sandbox/ledger")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    /// The records the calls work on, made once: a held bill and a payout (anor-bm), an
    /// order (requisite-uz), an operation (mobilnik), a paid payment and a template
    /// (mserver), a paid bid (exchanger).
    async fn set_up() -> Driver {
        let (router, _faults) = kassa_sandbox::router();
        let r = &router;
        let login = json_of(
            r,
            Call::post(anor::uri(anor::paths::LOGIN))
                .json(&json!({"username": anor::seed::USERNAME, "password": anor::seed::PASSWORD})),
        )
        .await;
        let anor_token = login["result"]["access_token"].as_str().unwrap().to_owned();
        let anor_refresh = login["result"]["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let card = anor::seed::RICH_CARD;
        let bill = json_of(
            r,
            Call::post(anor::uri(anor::paths::UNREGISTERED_CHECK))
                .header("authorization", format!("Bearer {anor_token}"))
                .json(&json!({
                    "account": "30", "recipientId": anor::seed::RECIPIENT_ID,
                    "amount": 1_000_000, "currency": 860, "agentTranId": "memory-hold",
                    "params": {"pan": card.pan, "exp": card.expiry},
                })),
        )
        .await;
        let anor_hold_bill = bill["id"].as_i64().unwrap();
        let held = json_of(
            r,
            Call::post(anor::uri(anor::paths::HOLD))
                .header("authorization", format!("Bearer {anor_token}"))
                .json(&json!({"billId": anor_hold_bill, "params": {"otp": anor::seed::OTP}})),
        )
        .await;
        assert_eq!(held["status"], "HOLD_SUCCESS");

        let order = json_of(
            r,
            requisite(Call::post("/requisite-uz/api/v2/payment"))
                .json(&requisite_payment("memory-order")),
        )
        .await;
        assert_eq!(order["status"], "success", "{order}");

        use kassa_sandbox::mobilnik::seed as mob;
        let auth = json_of(
            r,
            mobilnik(
                "/authentication/",
                &[
                    ("login", mob::LOGIN),
                    ("password", mob::PASSWORD),
                    ("device", mob::DEVICE),
                ],
            ),
        )
        .await;
        let mobilnik_token = auth["token"].as_str().unwrap().to_owned();
        let paid = json_of(
            r,
            mobilnik(
                "/payment/",
                &[
                    ("token", &mobilnik_token),
                    ("service_id", "1"),
                    ("requisite", mob::REQUISITE),
                    ("amount", "1.00"),
                ],
            ),
        )
        .await;
        let mobilnik_operation = paid["operation_id"].to_string();

        let created = json_of(
            r,
            mserver(Call::post("/mserver/v1/payments")).json(&mserver_payment()),
        )
        .await;
        let mserver_payment = created["data"]["id"].as_u64().unwrap();
        let path = format!("/mserver/v1/payments/{mserver_payment}/pay");
        json_of(r, mserver(Call::post(path)).json(&json!({}))).await;
        let path = format!("/mserver/v1/payments/{mserver_payment}");
        let got = json_of(r, mserver(Call::get(path))).await;
        assert_eq!(got["data"]["status"], "completed", "{got}");

        let bid = json_of(r, exchanger("create_bid", &bid_form("0.015"))).await;
        let bid_id = bid["data"]["id"].as_str().unwrap().to_owned();
        let bid_hash = bid["data"]["hash"].as_str().unwrap().to_owned();
        json_of(r, exchanger("pay_bid", &[("hash", &bid_hash)])).await;

        Driver {
            router,
            anor_token,
            anor_refresh,
            anor_hold_bill,
            mobilnik_token,
            mobilnik_operation,
            mserver_payment,
            mserver_template: String::new(),
            bid_id,
            bid_hash,
        }
    }

    fn anor(&self, path: &str, body: &Value) -> Call {
        Call::post(anor::uri(path))
            .header("authorization", format!("Bearer {}", self.anor_token))
            .json(body)
    }

    /// Call `step` of a round (`0..ROUND`).
    async fn step(&mut self, step: usize) {
        use kassa_sandbox::mobilnik::seed as mob;
        let r = &self.router.clone();
        let bill = self.anor_hold_bill;
        match step {
            // anor-bm: a login and a refresh (each a new token pair), the bill, one tiyin
            // more held and one released, the cards, the same payout again, an OTP sent
            // and never confirmed.
            0 => {
                let body =
                    json!({"username": anor::seed::USERNAME, "password": anor::seed::PASSWORD});
                let v = json_of(r, Call::post(anor::uri(anor::paths::LOGIN)).json(&body)).await;
                self.anor_refresh = v["result"]["refresh_token"].as_str().unwrap().to_owned();
            }
            1 => {
                let body = json!({"refreshToken": self.anor_refresh});
                let v = json_of(
                    r,
                    Call::post(anor::uri(anor::paths::REFRESH_TOKEN)).json(&body),
                )
                .await;
                self.anor_token = v["result"]["access_token"].as_str().unwrap().to_owned();
            }
            2 => {
                let v = json_of(r, self.anor(anor::paths::STATUS, &json!({"billId": bill}))).await;
                assert_eq!(v["status"], "HOLD_SUCCESS");
            }
            3 => {
                let body = json!({"billId": bill, "amount": 1});
                json_of(r, self.anor(anor::paths::HOLD_MORE, &body)).await;
            }
            4 => {
                let body = json!({"billId": bill, "reverseAmount": 1});
                json_of(r, self.anor(anor::paths::HOLD_REVERSE_PARTIAL, &body)).await;
            }
            5 => {
                let call = Call::get(anor::uri(anor::paths::GET_USER_CARDS))
                    .header("authorization", format!("Bearer {}", self.anor_token));
                json_of(r, call).await;
            }
            6 => {
                let card = anor::seed::POOR_CARD;
                let body = json!({
                    "agentTranId": "memory-payout",
                    "from": {"type": "ACCOUNT", "currency": 860, "params": {
                        "account": anor::seed::MERCHANT_ACCOUNT, "mfo": anor::seed::MERCHANT_MFO,
                        "name": anor::seed::MERCHANT_NAME}},
                    "to": {"type": "PAN", "currency": 860, "params": {"pan": card.pan, "exp": card.expiry}},
                    "amount": 100,
                });
                let v = json_of(r, self.anor(anor::paths::EXT_PAY, &body)).await;
                assert_eq!(v["success"], true);
            }
            7 => {
                let card = anor::seed::POOR_CARD;
                let body = json!({"pan": card.pan, "exp": card.expiry});
                let v = json_of(r, self.anor(anor::paths::SEND_OTP, &body)).await;
                assert_eq!(v["success"], true, "{v}");
            }
            // requisite-uz: services, a balance, the order's status (read twice it turns
            // final), the same orderId again (refused), a statement page.
            8 => {
                json_of(r, requisite(Call::get("/requisite-uz/api/v2/services"))).await;
            }
            9 => {
                let path = "/requisite-uz/api/v2/account/35/balance";
                json_of(r, requisite(Call::get(path))).await;
            }
            10 => {
                let path = "/requisite-uz/api/v2/payment/memory-order";
                let v = json_of(r, requisite(Call::get(path))).await;
                assert_eq!(v["status"], "success");
            }
            11 => {
                let call = requisite(Call::post("/requisite-uz/api/v2/payment"))
                    .json(&requisite_payment("memory-order"));
                let v = json_of(r, call).await;
                assert_ne!(v["status"], "success", "a second order: {v}");
            }
            12 => {
                let body = json!({"type": "0", "lastId": "0", "fromDate": "2000-01-01",
                    "toDate": "2999-12-31", "serviceId": "35"});
                let call = requisite(Call::post("/requisite-uz/api/v2/account/payments"));
                json_of(r, call.json(&body)).await;
            }
            // mobilnik: a login (a new token), the services, a requisite, 0.01 sent to
            // another wallet, the operation's status.
            13 => {
                let fields = [
                    ("login", mob::LOGIN),
                    ("password", mob::PASSWORD),
                    ("device", mob::DEVICE),
                ];
                let v = json_of(r, mobilnik("/authentication/", &fields)).await;
                self.mobilnik_token = v["token"].as_str().unwrap().to_owned();
            }
            14 => {
                let fields = [("token", self.mobilnik_token.as_str())];
                json_of(r, mobilnik("/service_list/", &fields)).await;
            }
            15 => {
                let fields = [
                    ("token", self.mobilnik_token.as_str()),
                    ("service_id", "1"),
                    ("requisite", mob::REQUISITE),
                ];
                json_of(r, mobilnik("/check_requisite/", &fields)).await;
            }
            16 => {
                let fields = [
                    ("token", self.mobilnik_token.as_str()),
                    ("service_id", "2"),
                    ("customer_id", mob::WALLET),
                    ("amount", "0.01"),
                    ("comment", "memory"),
                    ("status", "2"),
                ];
                let v = json_of(r, mobilnik("/transfer_request/", &fields)).await;
                assert_eq!(v["status_code"], 0, "{v}");
            }
            17 => {
                let fields = [
                    ("token", self.mobilnik_token.as_str()),
                    ("operation_id", self.mobilnik_operation.as_str()),
                ];
                let v = json_of(r, mobilnik("/check_payment/", &fields)).await;
                assert_eq!(v["status_code"], 0, "{v}");
            }
            // mserver: an application token, the wallet, the same payment created and paid
            // again, read, listed, a template made, changed and deleted.
            18 => {
                use kassa_sandbox::mserver::seed;
                let call = Call::post("/mserver/oauth/token")
                    .header("authorization", basic(seed::CLIENT_ID, seed::CLIENT_SECRET))
                    .form(&[("grant_type", "client_credentials")]);
                json_of(r, call).await;
            }
            19 => {
                json_of(r, mserver(Call::get("/mserver/v1/wallet"))).await;
            }
            20 => {
                let call = mserver(Call::post("/mserver/v1/payments")).json(&mserver_payment());
                let v = json_of(r, call).await;
                assert_eq!(v["data"]["id"], self.mserver_payment);
            }
            21 => {
                let path = format!("/mserver/v1/payments/{}/pay", self.mserver_payment);
                json_of(r, mserver(Call::post(path)).json(&json!({}))).await;
            }
            22 => {
                let path = format!("/mserver/v1/payments/{}", self.mserver_payment);
                let v = json_of(r, mserver(Call::get(path))).await;
                assert_eq!(v["data"]["status"], "completed");
            }
            23 => {
                let path = "/mserver/v1/payments?page=0&size=5";
                json_of(r, mserver(Call::get(path))).await;
            }
            24 => {
                let call =
                    mserver(Call::post("/mserver/v1/payments/templates")).json(&mserver_template());
                let v = json_of(r, call).await;
                self.mserver_template = v["data"]["id"].as_str().unwrap().to_owned();
            }
            25 => {
                let path = format!("/mserver/v1/payments/templates/{}", self.mserver_template);
                json_of(r, mserver(Call::post(path)).json(&mserver_template())).await;
            }
            26 => {
                let path = format!("/mserver/v1/payments/templates/{}", self.mserver_template);
                json_of(r, mserver(Call::delete(path))).await;
            }
            // exchanger: a direction, a quote, the bid, the bid in the list, the bid paid
            // again (no change), a bid refused (outside the limits).
            27 => {
                json_of(r, exchanger("get_direction", &[("direction_id", "12")])).await;
            }
            28 => {
                let fields = [
                    ("direction_id", "12"),
                    ("calc_amount", "0.015"),
                    ("calc_action", "1"),
                ];
                json_of(r, exchanger("get_calc", &fields)).await;
            }
            29 => {
                json_of(r, exchanger("bid_info", &[("hash", &self.bid_hash)])).await;
            }
            30 => {
                let v = json_of(r, exchanger("get_exchanges", &[("id", &self.bid_id)])).await;
                assert_eq!(v["data"]["items"][&self.bid_id]["status"], "payed");
            }
            31 => {
                json_of(r, exchanger("pay_bid", &[("hash", &self.bid_hash)])).await;
            }
            32 => {
                let v = json_of(r, exchanger("create_bid", &bid_form("1000000"))).await;
                assert_eq!(v["error"], "1", "refused: {v}");
            }
            _ => unreachable!("a round has {ROUND} calls"),
        }
    }
}

#[tokio::test]
async fn memory_stays_flat_over_100_000_calls() {
    let mut driver = Driver::set_up().await;
    let start = ALLOC.allocated();
    let mut half = 0;
    let started = std::time::Instant::now();
    for call in 0..CALLS {
        driver.step(call % ROUND).await;
        if call + 1 == CALLS / 2 {
            driver.clear_ledger().await;
            half = ALLOC.allocated();
        }
    }
    driver.clear_ledger().await;
    let end = ALLOC.allocated();
    eprintln!(
        "heap in use: {start} B after set-up, {half} B after {} calls, {end} B after {CALLS} \
         calls ({:+} B over the second half); {:.1} s",
        CALLS / 2,
        end as i64 - half as i64,
        started.elapsed().as_secs_f64()
    );
    assert!(
        end < half + BOUND,
        "the heap grew by {} B over the last {} calls (bound {BOUND} B)",
        end - half,
        CALLS / 2
    );
}
