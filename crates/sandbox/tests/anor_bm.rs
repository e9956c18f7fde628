//! The Anor BM emulator driven over loopback HTTP with raw requests.

use kassa_sandbox::Fault;
use kassa_sandbox::anor_bm::{paths, seed};
use serde_json::{Value, json};

struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Api {
    fn new(sandbox: &kassa_sandbox::Sandbox) -> Api {
        Api {
            base: sandbox.url("anor-bm"),
            http: reqwest::Client::new(),
            token: seed::ACCESS_TOKEN.to_owned(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("body");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        (status, value)
    }

    async fn post_as(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).expect("encode"));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.post_as(path, Some(&self.token), &body).await
    }

    async fn cards(&self) -> (u16, Value) {
        let req = self
            .http
            .get(format!("{}{}", self.base, paths::GET_USER_CARDS))
            .header("authorization", format!("Bearer {}", self.token));
        self.send(req).await
    }

    async fn login(&mut self) {
        let (status, body) = self
            .post_as(
                paths::LOGIN,
                None,
                &json!({"username": seed::USERNAME, "password": seed::PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        self.token = body["result"]["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
    }

    /// A bill of `amount` tiyin on `card`, answered CHECK_OK.
    async fn check(&self, tran: &str, amount: i64, card: &seed::TestCard) -> Value {
        let (status, body) = self
            .post(paths::UNREGISTERED_CHECK, check_body(tran, amount, card))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "CHECK_OK");
        body
    }

    async fn pay(&self, path: &str, bill: i64, otp: &str) -> (u16, Value) {
        self.post(
            path,
            json!({"billId": bill, "type": "PC", "params": {"otp": otp}}),
        )
        .await
    }

    async fn status(&self, bill: i64) -> Value {
        let (status, body) = self.post(paths::STATUS, json!({"billId": bill})).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

fn check_body(tran: &str, amount: i64, card: &seed::TestCard) -> Value {
    json!({
        "account": "30",
        "recipientId": seed::RECIPIENT_ID,
        "amount": amount,
        "currency": 860,
        "agentTranId": tran,
        "params": {"pan": card.pan, "exp": card.expiry},
    })
}

fn ext_pay_body(tran: Value, amount: i64, pan: &str, exp: &str) -> Value {
    json!({
        "agentTranId": tran,
        "from": {
            "type": "ACCOUNT",
            "currency": 860,
            "params": {"account": seed::MERCHANT_ACCOUNT, "mfo": seed::MERCHANT_MFO, "name": seed::MERCHANT_NAME},
        },
        "to": {"type": "PAN", "currency": 860, "params": {"pan": pan, "exp": exp}},
        "amount": amount,
    })
}

/// Asserts a catalogue error: HTTP status, `status`, `detail`, `title` = `langs.ru`.
#[track_caller]
fn assert_error(answer: &(u16, Value), http: u16, detail: &str) {
    let (status, body) = answer;
    assert_eq!(*status, http, "{body}");
    assert_eq!(body["status"], http, "{body}");
    assert_eq!(body["detail"], detail, "{body}");
    assert_eq!(body["title"], body["langs"]["ru"], "{body}");
    assert!(body["langs"]["uz"].is_string() && body["langs"]["en"].is_string());
}

fn id(bill: &Value) -> i64 {
    bill["id"].as_i64().expect("bill id")
}

async fn sandbox() -> (kassa_sandbox::Sandbox, Api) {
    let sandbox = kassa_sandbox::spawn().await.expect("spawn");
    let api = Api::new(&sandbox);
    (sandbox, api)
}

#[tokio::test]
async fn login_answers_a_token_pair_and_refuses_bad_credentials() {
    let (_sb, mut api) = sandbox().await;
    let (status, body) = api
        .post_as(
            paths::LOGIN,
            None,
            &json!({"username": seed::USERNAME, "password": seed::PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["statusCode"], 0);
    assert_eq!(body["statusMessage"], "OK");
    let result = &body["result"];
    assert_eq!(result["token_type"], "bearer");
    assert_eq!(result["expires_in"], seed::EXPIRES_IN);
    assert_eq!(result["scope"], "openid");
    assert!(result["refresh_token"].is_string());
    api.token = result["access_token"].as_str().expect("token").to_owned();
    assert_eq!(api.cards().await.0, 200);

    let wrong_user = api
        .post_as(
            paths::LOGIN,
            None,
            &json!({"username": "nobody", "password": seed::PASSWORD}),
        )
        .await;
    assert_error(&wrong_user, 401, "bad_credentials");
    let wrong_password = api
        .post_as(
            paths::LOGIN,
            None,
            &json!({"username": seed::USERNAME, "password": "nope"}),
        )
        .await;
    assert_error(&wrong_password, 401, "invalid_password");
    let missing = api
        .post_as(paths::LOGIN, None, &json!({"username": seed::USERNAME}))
        .await;
    assert_error(&missing, 400, "invalid_params");
}

#[tokio::test]
async fn calls_without_a_valid_bearer_are_refused() {
    let (_sb, api) = sandbox().await;
    let body = json!({"billId": 1});
    assert_error(
        &api.post_as(paths::STATUS, None, &body).await,
        401,
        "bad_credentials",
    );
    assert_error(
        &api.post_as(paths::STATUS, Some("forged"), &body).await,
        401,
        "bad_credentials",
    );
    let req = api
        .http
        .get(format!("{}{}", api.base, paths::GET_USER_CARDS));
    assert_error(&api.send(req).await, 401, "bad_credentials");
    // The seed token works at once.
    assert_error(&api.post(paths::STATUS, body).await, 400, "bill_not_found");
}

#[tokio::test]
async fn malformed_requests_get_catalogue_errors() {
    let (_sb, api) = sandbox().await;
    let url = format!("{}{}", api.base, paths::STATUS);
    let auth = format!("Bearer {}", api.token);
    let broken = api
        .http
        .post(&url)
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body("{\"billId\": 777,}");
    assert_error(&api.send(broken).await, 400, "parse_error");
    let no_type = api
        .http
        .post(&url)
        .header("authorization", &auth)
        .body("{\"billId\": 777}");
    assert_error(&api.send(no_type).await, 400, "invalid_request");
    let unknown = api.http.post(format!("{}/services/nope", api.base));
    assert_error(&api.send(unknown).await, 404, "not_found");
    assert_error(
        &api.post(paths::STATUS, json!({})).await,
        400,
        "invalid_params",
    );
    assert_error(
        &api.post(paths::STATUS, json!({"billId": "x"})).await,
        400,
        "invalid_params",
    );
}

#[tokio::test]
async fn card_binding_by_otp() {
    let (_sb, api) = sandbox().await;
    let (status, cards) = api.cards().await;
    assert_eq!(status, 200);
    assert_eq!(
        cards,
        json!({"success": true, "exception": null, "data": []})
    );

    // The example's spelling `expiry`.
    let (status, sent) = api
        .post(
            paths::SEND_OTP,
            json!({"pan": seed::RICH_CARD.pan, "expiry": seed::RICH_CARD.expiry}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["success"], true);
    assert_eq!(sent["exception"], Value::Null);
    assert_eq!(sent["data"]["id"], seed::FIRST_OTP_ID);
    assert_eq!(sent["data"]["phoneMask"], "99897*****87");
    let otp_id = sent["data"]["id"].clone();

    let wrong = api
        .post(paths::VERIFY_OTP, json!({"id": otp_id, "otp": "000000"}))
        .await;
    assert_error(&wrong, 400, "invalid_code_retry");
    // The example sends id as a string.
    let (status, verified) = api
        .post(
            paths::VERIFY_OTP,
            json!({"id": otp_id.to_string(), "otp": seed::OTP}),
        )
        .await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["success"], true);
    let token = verified["data"].as_str().expect("card token");
    assert_eq!(token.len(), 36);
    // The session is spent.
    let again = api
        .post(paths::VERIFY_OTP, json!({"id": otp_id, "otp": seed::OTP}))
        .await;
    assert_error(&again, 404, "object_not_found");

    // The table's spelling `exp`.
    let (status, sent) = api
        .post(
            paths::SEND_OTP,
            json!({"pan": seed::POOR_CARD.pan, "exp": seed::POOR_CARD.expiry}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let (status, _) = api
        .post(
            paths::VERIFY_OTP,
            json!({"id": sent["data"]["id"], "otp": seed::OTP}),
        )
        .await;
    assert_eq!(status, 200);

    let (_, cards) = api.cards().await;
    assert_eq!(
        cards["data"],
        json!([
            {"bankName": "AnorBank", "cardType": "UZCARD", "cardHolderName": "Asliddin Mukhiddinov",
             "pan": "860049*****6744", "expiry": "0727"},
            {"bankName": "KapitalBank", "cardType": "HUMO", "cardHolderName": "Asliddin Mukhiddinov",
             "pan": "986048*****2454", "expiry": "0528"},
        ])
    );

    let bound = api
        .post(
            paths::SEND_OTP,
            json!({"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry}),
        )
        .await;
    assert_error(&bound, 400, "card_already_exists");
}

#[tokio::test]
async fn send_otp_refuses_unusable_cards() {
    let (_sb, api) = sandbox().await;
    let send = |pan: &str, exp: &str| api.post(paths::SEND_OTP, json!({"pan": pan, "exp": exp}));
    assert_error(
        &send(seed::UNKNOWN_PAN, "0727").await,
        400,
        "card_not_found",
    );
    assert_error(
        &send(seed::FOREIGN_PAN, "0727").await,
        400,
        "bank_not_supported",
    );
    assert_error(
        &send(seed::NO_SMS_CARD.pan, seed::NO_SMS_CARD.expiry).await,
        400,
        "sms_info_is_off",
    );
    assert_error(
        &send(seed::RICH_CARD.pan, "0199").await,
        400,
        "card_not_valid",
    );
    assert_error(&send("8600*****", "MMyy").await, 400, "card_not_valid");
    assert_error(
        &api.post(paths::SEND_OTP, json!({"pan": seed::RICH_CARD.pan}))
            .await,
        400,
        "invalid_params",
    );
    // YYMM, as the table says, is accepted too.
    let (status, _) = send(seed::RICH_CARD.pan, "2707").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_codes_exhaust_the_otp() {
    let (_sb, api) = sandbox().await;
    let (_, sent) = api
        .post(
            paths::SEND_OTP,
            json!({"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry}),
        )
        .await;
    let otp_id = sent["data"]["id"].clone();
    for _ in 1..seed::OTP_ATTEMPTS {
        let wrong = api
            .post(paths::VERIFY_OTP, json!({"id": otp_id, "otp": "111111"}))
            .await;
        assert_error(&wrong, 400, "invalid_code_retry");
    }
    let last = api
        .post(paths::VERIFY_OTP, json!({"id": otp_id, "otp": "111111"}))
        .await;
    assert_error(&last, 400, "code_entry_limit_exceeded_restart");
    let right = api
        .post(paths::VERIFY_OTP, json!({"id": otp_id, "otp": seed::OTP}))
        .await;
    assert_error(&right, 400, "code_entry_limit_exceeded_restart");
    let (_, cards) = api.cards().await;
    assert_eq!(cards["data"], json!([]));
}

#[tokio::test]
async fn check_pay_status_cancel() {
    let (_sb, api) = sandbox().await;
    let bill = api.check("order-1", 100_000, &seed::RICH_CARD).await;
    assert_eq!(bill["id"], seed::FIRST_BILL_ID);
    assert_eq!(bill["amount"], 100_000);
    assert_eq!(bill["currency"], 860);
    assert_eq!(bill["account"], "30");
    assert_eq!(bill["extId"], "order-1");
    assert_eq!(bill["recipientShortName"], seed::RECIPIENT_NAME);
    assert_eq!(bill["success"], true);
    assert_eq!(bill["responseText"], "OK");
    assert_eq!(bill["data"]["leftSeconds"], "120");
    assert_eq!(bill["data"]["recipientAmount"], "100000.00");
    assert_eq!(bill["data"]["phone"], "+9***587");
    let bill_id = id(&bill);
    assert_eq!(api.status(bill_id).await["status"], "CHECK_OK");

    let wrong = api.pay(paths::UNREGISTERED_PAY, bill_id, "000000").await;
    assert_error(&wrong, 400, "invalid_code_retry");
    let (status, paid) = api.pay(paths::UNREGISTERED_PAY, bill_id, seed::OTP).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["id"], bill_id);
    assert_eq!(paid["status"], "SUCCESS");
    assert_eq!(paid["amount"], 100_000);
    let twice = api.pay(paths::UNREGISTERED_PAY, bill_id, seed::OTP).await;
    assert_error(&twice, 400, "bill_not_valid");

    // By agentTranId, as a string or as a number.
    let (status, by_key) = api
        .post(paths::STATUS, json!({"agentTranId": "order-1"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(by_key["id"], bill_id);
    assert_eq!(by_key["status"], "SUCCESS");

    let (status, cancelled) = api.post(paths::CANCEL, json!({"billId": bill_id})).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["data"], json!({}));
    assert_eq!(api.status(bill_id).await["status"], "CANCELLED");
    let again = api.post(paths::CANCEL, json!({"billId": bill_id})).await;
    assert_error(&again, 400, "bill_not_valid");
}

#[tokio::test]
async fn unknown_bills_and_missing_keys() {
    let (_sb, api) = sandbox().await;
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, -1, seed::OTP).await,
        400,
        "bill_not_found",
    );
    assert_error(
        &api.pay(paths::HOLD, 777, seed::OTP).await,
        400,
        "bill_not_found",
    );
    for path in [
        paths::HOLD_CONFIRM,
        paths::CANCEL,
        paths::HOLD_REVERSE,
        paths::STATUS,
    ] {
        assert_error(
            &api.post(path, json!({"billId": 777})).await,
            400,
            "bill_not_found",
        );
    }
    assert_error(
        &api.post(paths::STATUS, json!({"agentTranId": 1_628_592_866_i64}))
            .await,
        400,
        "bill_not_found",
    );
    assert_error(
        &api.post(paths::STATUS, json!({"billId": null})).await,
        400,
        "invalid_params",
    );
    assert_error(
        &api.post(
            paths::UNREGISTERED_PAY,
            json!({"billId": 777, "type": "PC"}),
        )
        .await,
        400,
        "invalid_params",
    );
}

#[tokio::test]
async fn check_validates_and_is_keyed_by_agent_tran_id() {
    let (_sb, api) = sandbox().await;
    let card = &seed::RICH_CARD;
    let with = |change: Value| {
        let mut body = check_body("k-1", 10_000, card);
        if let (Some(b), Some(c)) = (body.as_object_mut(), change.as_object()) {
            for (k, v) in c {
                b.insert(k.clone(), v.clone());
            }
        }
        api.post(paths::UNREGISTERED_CHECK, body)
    };
    assert_error(
        &with(json!({"recipientId": 99})).await,
        400,
        "service_not_found",
    );
    assert_error(
        &with(json!({"recipientId": seed::INACTIVE_RECIPIENT_ID})).await,
        400,
        "service_not_active",
    );
    assert_error(
        &with(json!({"amount": seed::MAX_BILL_AMOUNT + 1})).await,
        400,
        "limit_exceeded",
    );
    assert_error(&with(json!({"amount": 0})).await, 400, "invalid_params");
    assert_error(&with(json!({"currency": 840})).await, 400, "invalid_params");
    assert_error(
        &with(json!({"params": {"pan": "9860*****", "exp": "MMyy"}})).await,
        400,
        "card_not_valid",
    );
    assert_error(
        &with(json!({"params": {"pan": seed::UNKNOWN_PAN, "exp": "0727"}})).await,
        400,
        "card_not_found",
    );
    assert_error(
        &with(json!({"params": {"pan": seed::NO_SMS_CARD.pan, "exp": seed::NO_SMS_CARD.expiry}}))
            .await,
        400,
        "sms_info_is_off",
    );

    // The table types amount as a String: "10000" is the same as 10000.
    let (status, first) = with(json!({"amount": "10000"})).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = with(json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(second["id"], first["id"], "same agentTranId, same bill");
    assert_error(
        &with(json!({"amount": 20_000})).await,
        400,
        "invalid_request",
    );
    let other = api.check("k-2", 10_000, card).await;
    assert_ne!(other["id"], first["id"]);
}

#[tokio::test]
async fn insufficient_funds_until_money_comes_back() {
    let (_sb, api) = sandbox().await;
    let card = &seed::POOR_CARD;
    let big = api.check("big", card.balance + 1, card).await;
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&big), seed::OTP).await,
        400,
        "insufficient_funds",
    );
    assert_eq!(api.status(id(&big)).await["status"], "CHECK_OK");

    let first = api.check("first", 60_000, card).await;
    let second = api.check("second", 60_000, card).await;
    let (status, _) = api
        .pay(paths::UNREGISTERED_PAY, id(&first), seed::OTP)
        .await;
    assert_eq!(status, 200);
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&second), seed::OTP)
            .await,
        400,
        "insufficient_funds",
    );
    assert_error(
        &api.pay(paths::HOLD, id(&second), seed::OTP).await,
        400,
        "insufficient_funds",
    );
    let (status, _) = api.post(paths::CANCEL, json!({"billId": id(&first)})).await;
    assert_eq!(status, 200);
    let (status, paid) = api
        .pay(paths::UNREGISTERED_PAY, id(&second), seed::OTP)
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "SUCCESS");
}

#[tokio::test]
async fn hold_more_partial_reverse_confirm_cancel() {
    let (_sb, api) = sandbox().await;
    let bill = api.check("hold-1", 100_000, &seed::RICH_CARD).await;
    let bill_id = id(&bill);
    // Nothing held yet.
    assert_error(
        &api.post(paths::HOLD_CONFIRM, json!({"billId": bill_id}))
            .await,
        400,
        "bill_not_valid",
    );
    assert_error(
        &api.pay(paths::HOLD, bill_id, "999999").await,
        400,
        "invalid_code_retry",
    );
    let (status, held) = api.pay(paths::HOLD, bill_id, seed::OTP).await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["status"], "HOLD_SUCCESS");
    assert_eq!(held["amount"], 100_000);
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, bill_id, seed::OTP).await,
        400,
        "bill_not_valid",
    );

    let more = |amount: i64| {
        api.post(
            paths::HOLD_MORE,
            json!({"billId": bill_id, "amount": amount, "type": "UZCARD",
                   "params": {"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry}}),
        )
    };
    let (status, more1) = more(20_000).await;
    assert_eq!(status, 200, "{more1}");
    assert_eq!(more1["status"], "HOLD_SUCCESS");
    assert_eq!(more1["amount"], 120_000);
    // 30 % of the first hold is 30 000 in total: 20 000 + 10 001 is over.
    assert_error(&more(10_001).await, 400, "limit_exceeded");
    let (status, more2) = more(10_000).await;
    assert_eq!(status, 200);
    assert_eq!(more2["amount"], 130_000);
    assert_error(&more(1).await, 400, "limit_exceeded");
    let other_card = api
        .post(
            paths::HOLD_MORE,
            json!({"billId": bill_id, "amount": 1, "params": {"pan": seed::POOR_CARD.pan, "exp": seed::POOR_CARD.expiry}}),
        )
        .await;
    assert_error(&other_card, 400, "card_not_valid");

    let partial = |amount: i64| {
        api.post(
            paths::HOLD_REVERSE_PARTIAL,
            json!({"billId": bill_id, "reverseAmount": amount}),
        )
    };
    let (status, rest) = partial(30_000).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["status"], "HOLD_SUCCESS");
    assert_eq!(rest["amount"], 100_000, "what stays held");
    assert_error(&partial(100_001).await, 400, "invalid_params");
    assert_error(&partial(100_000).await, 400, "invalid_params");
    assert_eq!(api.status(bill_id).await["amount"], 100_000);

    let (status, confirmed) = api
        .post(paths::HOLD_CONFIRM, json!({"billId": bill_id}))
        .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "SUCCESS");
    assert_eq!(confirmed["amount"], 100_000);
    // After a confirmed hold, undo with cancel, not hold-reverse.
    assert_error(
        &api.post(paths::HOLD_REVERSE, json!({"billId": bill_id}))
            .await,
        400,
        "bill_not_valid",
    );
    assert_error(&more(1).await, 400, "bill_not_valid");
    let (status, cancelled) = api.post(paths::CANCEL, json!({"billId": bill_id})).await;
    assert_eq!(status, 200);
    assert_eq!(cancelled["status"], "CANCELLED");
}

#[tokio::test]
async fn hold_reverse_releases_the_money() {
    let (_sb, api) = sandbox().await;
    let card = &seed::POOR_CARD;
    let bill = api.check("hold-2", 80_000, card).await;
    let bill_id = id(&bill);
    let (status, _) = api.pay(paths::HOLD, bill_id, seed::OTP).await;
    assert_eq!(status, 200);
    // 80 000 of 100 000 held: another 30 000 does not fit.
    let other = api.check("hold-3", 30_000, card).await;
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&other), seed::OTP)
            .await,
        400,
        "insufficient_funds",
    );
    // Neither does the 30 % top-up of 24 000 beyond the 20 000 left.
    assert_error(
        &api.post(
            paths::HOLD_MORE,
            json!({"billId": bill_id, "amount": 24_000}),
        )
        .await,
        400,
        "insufficient_funds",
    );

    let (status, reversed) = api
        .post(paths::HOLD_REVERSE, json!({"billId": bill_id}))
        .await;
    assert_eq!(status, 200, "{reversed}");
    assert_eq!(reversed["status"], "CANCELLED");
    assert_eq!(reversed["amount"], 80_000);
    assert_eq!(api.status(bill_id).await["status"], "CANCELLED");
    assert_error(
        &api.post(paths::HOLD_CONFIRM, json!({"billId": bill_id}))
            .await,
        400,
        "bill_not_valid",
    );
    assert_error(
        &api.post(paths::HOLD_REVERSE, json!({"billId": bill_id}))
            .await,
        400,
        "bill_not_valid",
    );
    assert_error(
        &api.post(paths::CANCEL, json!({"billId": bill_id})).await,
        400,
        "bill_not_valid",
    );
    let (status, _) = api
        .pay(paths::UNREGISTERED_PAY, id(&other), seed::OTP)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn magic_amounts_trigger_debit_error_and_timeout() {
    let (_sb, api) = sandbox().await;
    let failing = api
        .check("debit", seed::DEBIT_ERROR_AMOUNT, &seed::RICH_CARD)
        .await;
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&failing), seed::OTP)
            .await,
        500,
        "debit_error",
    );
    assert_eq!(api.status(id(&failing)).await["status"], "CHECK_OK");

    let slow = api
        .check("slow", seed::TIMEOUT_AMOUNT, &seed::RICH_CARD)
        .await;
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&slow), seed::OTP).await,
        500,
        "timeout",
    );
    let (status, by_key) = api
        .post(paths::STATUS, json!({"agentTranId": "slow"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(by_key["status"], "SUCCESS", "the payment went through");
}

#[tokio::test]
async fn ext_pay_is_keyed_by_agent_tran_id() {
    let (_sb, api) = sandbox().await;
    let card = &seed::POOR_CARD;
    let (status, paid) = api
        .post(
            paths::EXT_PAY,
            ext_pay_body(json!(1_668_782_814_i64), 100, card.pan, card.expiry),
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["success"], true);
    assert_eq!(paid["statusCode"], 0);
    assert_eq!(paid["statusMessage"], "SUCCESS");
    assert_eq!(paid["agentTranId"], "1668782814");
    assert_eq!(paid["amount"], 100);
    assert_eq!(paid["bmlId"], seed::FIRST_BML_ID);
    assert_eq!(paid["recipient"]["data"]["ACCOUNT"], "986048*****2454");
    assert_eq!(
        paid["recipient"]["name"],
        "{\"pan\":\"986048*****2454\",\"exp\":\"0528\"}"
    );
    assert_eq!(paid["sender"]["data"]["ACCOUNT"], seed::MERCHANT_ACCOUNT);

    // The same agentTranId as a string: the same payout, not a second one.
    let (status, again) = api
        .post(
            paths::EXT_PAY,
            ext_pay_body(json!("1668782814"), 100, card.pan, card.expiry),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(again, paid);
    let changed = api
        .post(
            paths::EXT_PAY,
            ext_pay_body(json!(1_668_782_814_i64), 200, card.pan, card.expiry),
        )
        .await;
    assert_error(&changed, 400, "p2p_request_not_valid");

    // The payout reached the card: it can now pay 100 000 + 100 tiyin.
    let bill = api.check("after-payout", card.balance + 100, card).await;
    let (status, _) = api.pay(paths::UNREGISTERED_PAY, id(&bill), seed::OTP).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn ext_pay_errors() {
    let (_sb, api) = sandbox().await;
    let card = &seed::RICH_CARD;
    assert_error(
        &api.post(
            paths::EXT_PAY,
            ext_pay_body(json!(1), 100, seed::UNKNOWN_PAN, "1025"),
        )
        .await,
        400,
        "card_not_found",
    );
    assert_error(
        &api.post(
            paths::EXT_PAY,
            ext_pay_body(json!(2), seed::MERCHANT_DEPOSIT, card.pan, card.expiry),
        )
        .await,
        400,
        "insufficient_funds_on_deposit",
    );
    let mut wrong_from = ext_pay_body(json!(3), 100, card.pan, card.expiry);
    wrong_from["from"]["type"] = json!("PAN");
    assert_error(
        &api.post(paths::EXT_PAY, wrong_from).await,
        400,
        "p2p_request_not_valid",
    );
    let mut wrong_account = ext_pay_body(json!(4), 100, card.pan, card.expiry);
    wrong_account["from"]["params"]["account"] = json!("20208000*****001");
    assert_error(
        &api.post(paths::EXT_PAY, wrong_account).await,
        400,
        "p2p_request_not_valid",
    );
    // The table's to.type ACCOUNT and the `expiry` spelling are accepted.
    let mut table = ext_pay_body(json!(5), 100, card.pan, card.expiry);
    table["to"] = json!({"type": "ACCOUNT", "currency": 860, "params": {"pan": card.pan, "expiry": card.expiry}});
    let (status, body) = api.post(paths::EXT_PAY, table).await;
    assert_eq!(status, 200, "{body}");
    // The deposit less what was paid out (and its commission) is what is left.
    assert_error(
        &api.post(
            paths::EXT_PAY,
            ext_pay_body(
                json!(6),
                seed::MERCHANT_DEPOSIT - 100,
                card.pan,
                card.expiry,
            ),
        )
        .await,
        400,
        "insufficient_funds_on_deposit",
    );
}

#[tokio::test]
async fn forced_status_changes_nothing() {
    let (sb, api) = sandbox().await;
    let bill = api.check("forced", 1_000, &seed::RICH_CARD).await;
    sb.faults()
        .set(Fault::status("anor-bm", paths::UNREGISTERED_PAY, 503).times(1));
    let resp = api
        .http
        .post(format!("{}{}", api.base, paths::UNREGISTERED_PAY))
        .header("authorization", format!("Bearer {}", api.token))
        .header("content-type", "application/json")
        .body(
            serde_json::to_vec(&json!({"billId": id(&bill), "params": {"otp": seed::OTP}}))
                .expect("encode"),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(api.status(id(&bill)).await["status"], "CHECK_OK");
    let (status, _) = api.pay(paths::UNREGISTERED_PAY, id(&bill), seed::OTP).await;
    assert_eq!(status, 200, "the switch was for one request");
}

#[tokio::test]
async fn dropped_connection_after_the_payment_is_visible_in_status() {
    let (sb, api) = sandbox().await;
    let bill = api.check("dropped", 1_000, &seed::RICH_CARD).await;
    // Over HTTP, as an app in another language would set it.
    let fault = json!({"provider": "anor-bm", "route": paths::UNREGISTERED_PAY, "drop_connection": true, "times": 1});
    let resp = api
        .http
        .post(format!("{}/_sandbox/faults", sb.base_url()))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&fault).expect("encode"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 201);

    let lost = api
        .http
        .post(format!("{}{}", api.base, paths::UNREGISTERED_PAY))
        .header("authorization", format!("Bearer {}", api.token))
        .header("content-type", "application/json")
        .body(
            serde_json::to_vec(
                &json!({"billId": id(&bill), "type": "PC", "params": {"otp": seed::OTP}}),
            )
            .expect("encode"),
        )
        .send()
        .await;
    let failed = match lost {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(failed, "the answer must be lost");
    let status = api.status(id(&bill)).await;
    assert_eq!(status["status"], "SUCCESS");
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&bill), seed::OTP).await,
        400,
        "bill_not_valid",
    );
}

#[tokio::test(start_paused = true)]
async fn tokens_and_otps_expire_on_tokio_time() {
    let (_sb, mut api) = sandbox().await;
    let (status, logged) = api
        .post_as(
            paths::LOGIN,
            None,
            &json!({"username": seed::USERNAME, "password": seed::PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    api.token = logged["result"]["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let refresh = logged["result"]["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();

    let bill = api.check("otp-ttl", 1_000, &seed::RICH_CARD).await;
    tokio::time::advance(std::time::Duration::from_secs(seed::OTP_TTL_SECS + 1)).await;
    assert_error(
        &api.pay(paths::UNREGISTERED_PAY, id(&bill), seed::OTP).await,
        400,
        "code_expired_restart",
    );
    let status = api.status(id(&bill)).await;
    assert_eq!(status["status"], "CHECK_OK");
    assert_eq!(status["data"]["leftSeconds"], "0");

    tokio::time::advance(std::time::Duration::from_secs(seed::EXPIRES_IN)).await;
    assert_error(
        &api.post(paths::STATUS, json!({"billId": id(&bill)})).await,
        401,
        "bad_credentials",
    );
    assert_error(
        &api.post_as(
            paths::STATUS,
            Some(seed::ACCESS_TOKEN),
            &json!({"billId": 1}),
        )
        .await,
        401,
        "bad_credentials",
    );

    let unknown = api
        .post_as(
            paths::REFRESH_TOKEN,
            None,
            &json!({"refreshToken": "forged"}),
        )
        .await;
    assert_error(&unknown, 401, "bad_credentials");
    let (status, refreshed) = api
        .post_as(
            paths::REFRESH_TOKEN,
            None,
            &json!({"refreshToken": refresh}),
        )
        .await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(refreshed["statusCode"], 0);
    assert_eq!(refreshed["result"]["expires_in"], seed::EXPIRES_IN);
    let fresh = refreshed["result"]["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_ne!(fresh, api.token);
    api.token = fresh;
    assert_eq!(api.status(id(&bill)).await["status"], "CHECK_OK");

    tokio::time::advance(std::time::Duration::from_secs(seed::REFRESH_EXPIRES_IN)).await;
    let expired = api
        .post_as(
            paths::REFRESH_TOKEN,
            None,
            &json!({"refreshToken": refresh}),
        )
        .await;
    assert_error(&expired, 401, "bad_credentials");
    api.login().await;
    assert_eq!(api.status(id(&bill)).await["status"], "CHECK_OK");
}

#[tokio::test(start_paused = true)]
async fn latency_delays_the_answer_on_tokio_time() {
    let (sb, api) = sandbox().await;
    sb.faults()
        .set(Fault::latency("anor-bm", paths::STATUS, std::time::Duration::from_secs(30)).times(1));
    let started = tokio::time::Instant::now();
    assert_error(
        &api.post(paths::STATUS, json!({"billId": 1})).await,
        400,
        "bill_not_found",
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(30));
}
