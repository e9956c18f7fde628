//! The mserver emulator driven over raw HTTP (reqwest), through `kassa_sandbox::spawn()`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use kassa_sandbox::mserver::seed;
use serde_json::{Value, json};

mod common;
use common::mserver::{Api, basic, error, out_payment, wallet};

#[tokio::test]
async fn a_wallet_is_created_activated_and_read() {
    let api = Api::start().await;
    let phone = "+79990000001";
    let (s, body) = api
        .post(
            "/wallet",
            None,
            json!({"phone": phone, "password": "secret-pw"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["meta"]["code"], 200);
    assert_eq!(body["data"]["phone"], phone);
    assert_eq!(body["dev"]["security_code"], seed::SMS_CODE);

    let auth = basic(phone, "secret-pw");
    let (s, body) = api.get("/wallet", &auth).await;
    assert_eq!((s, error(&body)), (401, "wallet_not_active"));

    let (s, body) = api
        .post(
            "/wallet/activate",
            None,
            json!({"phone": phone, "code": "000000"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_code"));
    let (s, _) = api
        .post(
            "/wallet/activate",
            None,
            json!({"phone": phone, "code": seed::SMS_CODE}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, body) = api
        .post(
            "/wallet/activate",
            None,
            json!({"phone": phone, "code": seed::SMS_CODE}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "already_active"));

    let (s, body) = api.get("/wallet", &auth).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["phone"], phone);
    assert_eq!(body["data"]["amount"], 1000);
    assert_eq!(body["meta"]["urgent_data"]["amount"], 1000);

    let (s, body) = api.get("/wallet", &basic(phone, "wrong-pw")).await;
    assert_eq!((s, error(&body)), (401, "unauthorized"));
    let (s, body) = api
        .post(
            "/wallet",
            None,
            json!({"phone": phone, "password": "secret-pw"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "phone_already_exists"));
    let (s, body) = api
        .post(
            "/wallet",
            None,
            json!({"phone": "79990000002", "password": "secret-pw"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_phone"));
    let (s, body) = api.post("/wallet", None, json!({"phone": phone})).await;
    assert_eq!((s, error(&body)), (422, "missing_password"));
}

#[tokio::test(start_paused = true)]
async fn codes_expire_and_wrong_codes_run_out() {
    let api = Api::start().await;
    let (s, _) = api
        .post(
            "/wallet",
            None,
            json!({"phone": "+79990000003", "password": "secret-pw"}),
        )
        .await;
    assert_eq!(s, 200);
    tokio::time::advance(Duration::from_secs(seed::CODE_TTL_SECS + 1)).await;
    let activate = json!({"phone": "+79990000003", "code": seed::SMS_CODE});
    let (s, body) = api.post("/wallet/activate", None, activate.clone()).await;
    assert_eq!((s, error(&body)), (422, "code_expired"));
    let (s, _) = api
        .post(
            "/wallet/resend_code",
            None,
            json!({"phone": "+79990000003"}),
        )
        .await;
    assert_eq!(s, 200);
    for _ in 0..seed::CODE_FAILURES {
        let (s, body) = api
            .post(
                "/wallet/activate",
                None,
                json!({"phone": "+79990000003", "code": "1"}),
            )
            .await;
        assert_eq!((s, error(&body)), (422, "invalid_code"));
    }
    let (s, body) = api.post("/wallet/activate", None, activate).await;
    assert_eq!((s, error(&body)), (422, "failure_limit_exceeded"));
    let (s, body) = api
        .post(
            "/wallet/activate",
            None,
            json!({"phone": "+70000000000", "code": "1"}),
        )
        .await;
    assert_eq!((s, error(&body)), (404, "wallet_not_found"));
}

#[tokio::test]
async fn the_catalogue_spans_pages_with_groups_and_patterns() {
    let api = Api::start().await;
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let (s, body) = api
            .get(&format!("/services?page={page}&size=50"), &wallet())
            .await;
        assert_eq!(s, 200);
        assert_eq!(body["meta"]["page"]["total_elements"], 320);
        let items = body["data"].as_array().unwrap();
        for item in items {
            assert!(!item["groups"][0]["id"].as_str().unwrap().is_empty());
            ids.push(item["id"].as_u64().unwrap());
        }
        if body["meta"]["has_next_page"] != true {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 7);
    assert!(ids.len() >= 300);
    assert_eq!(ids, (1..=320).collect::<Vec<u64>>());

    let (s, body) = api.get("/services/1", &wallet()).await;
    assert_eq!(s, 200);
    let param = &body["data"]["parameters"][0];
    assert_eq!(param["id"], "phoneNumber");
    assert_eq!(param["pattern"], "^\\d{10}$");
    assert_eq!(param["patterns"][0]["pattern"], "^\\d{10}$");
    let (s, body) = api.get("/services/999", &wallet()).await;
    assert_eq!((s, body["meta"]["code"].clone()), (404, json!(404)));

    let (s, body) = api.get("/groups", &wallet()).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 8);
    let (s, _) = api.get("/services?size=0", &wallet()).await;
    assert_eq!(s, 422);
    let (s, _) = api.get("/services", "Basic bm9uZTpub25l").await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn if_modified_since_is_answered_304_when_nothing_changed() {
    let api = Api::start().await;
    let (s, body) = api.get("/services", &wallet()).await;
    assert_eq!(s, 200);
    let stamp = body["meta"]["request_time"].as_i64().unwrap();
    assert!(stamp >= seed::CATALOGUE_MODIFIED);
    let conditional = |since: i64| {
        api.http
            .get(api.url("/services"))
            .header("authorization", wallet())
            .header("if-modified-since", since.to_string())
    };
    let resp = conditional(stamp).send().await.unwrap();
    assert_eq!(resp.status(), 304);
    assert!(resp.text().await.unwrap().is_empty());
    // A copy older than the catalogue's last change gets the catalogue again.
    let resp = conditional(seed::CATALOGUE_MODIFIED - 1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test(start_paused = true)]
async fn tokens_are_issued_and_expire() {
    let api = Api::start().await;
    let app = basic(seed::CLIENT_ID, seed::CLIENT_SECRET);
    let (s, body) = api.token(&app, "grant_type=client_credentials").await;
    assert_eq!(s, 200);
    assert_eq!(body["meta"]["code"], 200);
    assert_eq!(body["data"]["token_type"], "bearer");
    assert!(body["data"]["expires_in"].as_u64().unwrap() <= seed::TOKEN_TTL_SECS);
    let token = body["data"]["access_token"].as_str().unwrap().to_owned();

    let as_app = |path: &str| {
        api.http
            .get(api.url(path))
            .header("authorization", format!("Bearer {token}"))
            .header("x-authorization-type", "application")
    };
    let (s, _) = api.send(as_app("/services")).await;
    assert_eq!(s, 200);
    let (s, body) = api.send(as_app("/wallet")).await;
    assert_eq!((s, error(&body)), (403, "insufficient_scope"));
    let (s, body) = api.get("/services", &format!("Bearer {token}")).await;
    assert_eq!((s, error(&body)), (401, "invalid_token"));

    let (s, body) = api
        .token(
            &basic(seed::CLIENT_ID, "wrong"),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!((s, body["error"].clone()), (401, json!("unauthorized")));
    let (s, _) = api.token(&app, "grant_type=implicit").await;
    assert_eq!(s, 400);

    // A wallet's own token.
    let form = format!(
        "grant_type=password&username={}&password={}",
        seed::PHONE.replace('+', "%2B"),
        seed::PASSWORD
    );
    let (s, body) = api.token(&app, &form).await;
    assert_eq!(s, 200);
    let wallet_token = format!("Bearer {}", body["data"]["access_token"].as_str().unwrap());
    let (s, body) = api.get("/wallet", &wallet_token).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["phone"], seed::PHONE);

    tokio::time::advance(Duration::from_secs(seed::TOKEN_TTL_SECS + 1)).await;
    let (s, body) = api.send(as_app("/services")).await;
    assert_eq!((s, error(&body)), (401, "token_expired"));
    let (s, body) = api.get("/wallet", &wallet_token).await;
    assert_eq!((s, error(&body)), (401, "token_expired"));
}

#[tokio::test]
async fn a_resent_create_makes_one_payment_and_pay_moves_the_balance() {
    let api = Api::start().await;
    let auth = api.new_wallet("+79990000010").await;
    let key = "e731a7e2-c553-4295-867e-1023359bee28";
    let (s, first) = api
        .post("/payments", Some(&auth), out_payment(key, json!(100.5)))
        .await;
    assert_eq!(s, 200);
    assert_eq!(first["data"]["status"], "created");
    assert_eq!(first["data"]["amount"], json!(100.5));
    assert_eq!(first["meta"]["next_action"], "pay");
    for _ in 0..3 {
        let (s, again) = api
            .post("/payments", Some(&auth), out_payment(key, json!(100.5)))
            .await;
        assert_eq!(s, 200);
        assert_eq!(again["data"]["id"], first["data"]["id"]);
    }
    let (_, list) = api.get("/payments", &auth).await;
    assert_eq!(list["meta"]["page"]["total_elements"], 1);

    let id = first["data"]["id"].as_u64().unwrap();
    let (s, paid) = api
        .post(&format!("/payments/{id}/pay"), Some(&auth), json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(paid["data"]["status"], "processing");
    assert_eq!(paid["meta"]["next_action"], "get");
    // Paying again moves nothing.
    let (s, _) = api
        .post(&format!("/payments/{id}/pay"), Some(&auth), json!({}))
        .await;
    assert_eq!(s, 200);
    let (s, got) = api.get(&format!("/payments/{id}"), &auth).await;
    assert_eq!(s, 200);
    assert_eq!(got["data"]["status"], "completed");
    assert!(got["data"]["processed_at"].is_string());
    let (_, w) = api.get("/wallet", &auth).await;
    assert_eq!(w["data"]["amount"], json!(899.5));

    // The same key on another wallet is another payment.
    let (s, other) = api
        .post("/payments", Some(&wallet()), out_payment(key, json!(1)))
        .await;
    assert_eq!(s, 200);
    assert_ne!(other["data"]["id"], first["data"]["id"]);
}

#[tokio::test]
async fn a_payment_beyond_the_balance_is_declined() {
    let api = Api::start().await;
    let auth = api.new_wallet("+79990000011").await;
    let (s, created) = api
        .post(
            "/payments",
            Some(&auth),
            out_payment("0a0a0a0a-0000-4000-8000-000000000001", json!(1000.01)),
        )
        .await;
    assert_eq!(s, 200);
    let id = created["data"]["id"].as_u64().unwrap();
    let (_, paid) = api
        .post(&format!("/payments/{id}/pay"), Some(&auth), json!({}))
        .await;
    assert_eq!(paid["data"]["status"], "processing");
    let (_, got) = api.get(&format!("/payments/{id}"), &auth).await;
    assert_eq!(got["data"]["status"], "declined");
    assert_eq!(got["data"]["decline_reason"], "insufficient_funds");
    let (_, w) = api.get("/wallet", &auth).await;
    assert_eq!(w["data"]["amount"], 1000);
}

#[tokio::test]
async fn bad_payments_are_refused_naming_the_field() {
    let api = Api::start().await;
    let key = "0a0a0a0a-0000-4000-8000-000000000002";
    let cases = [
        (out_payment("NOT-A-UUID", json!(1)), "client_payment_id"),
        (out_payment(key, json!(1.234)), "amount"),
        (out_payment(key, json!(-5)), "amount"),
        (
            json!({"type": "out", "client_payment_id": key, "amount": 1, "service": 1,
                   "parameters": {"phoneNumber": "12"}}),
            "parameters.phoneNumber",
        ),
    ];
    for (body, field) in cases {
        let (s, answer) = api.post("/payments", Some(&wallet()), body).await;
        assert_eq!((s, error(&answer)), (422, "invalid_data"), "{field}");
        assert_eq!(answer["meta"]["details"], field);
    }
    let (s, _) = api.get("/payments/42", &wallet()).await;
    assert_eq!(s, 404);
    let (s, _) = api
        .post("/payments", None, out_payment(key, json!(1)))
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn an_in_payment_gets_a_payment_page_that_credits_the_wallet() {
    let api = Api::start().await;
    let auth = api.new_wallet("+79990000012").await;
    let (s, created) = api
        .post(
            "/payments",
            Some(&auth),
            json!({"type": "in", "client_payment_id": "0a0a0a0a-0000-4000-8000-000000000003", "amount": 250}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(created["data"]["card"]["state"], "created");
    let id = created["data"]["id"].as_u64().unwrap();
    let (_, paid) = api
        .post(&format!("/payments/{id}/pay"), Some(&auth), json!({}))
        .await;
    assert_eq!(paid["data"]["status"], "processing");
    assert_eq!(paid["data"]["card"]["state"], "pending");
    let url = paid["data"]["card"]["payment_page_url"].as_str().unwrap();
    assert!(url.starts_with(&api.sandbox.url("mserver")), "{url}");
    let (s, _) = api.send(api.http.get(url)).await;
    assert_eq!(s, 200);
    let (_, got) = api.get(&format!("/payments/{id}"), &auth).await;
    assert_eq!(got["data"]["status"], "completed");
    let (_, w) = api.get("/wallet", &auth).await;
    assert_eq!(w["data"]["amount"], 1250);
}

#[tokio::test]
async fn payments_are_listed_newest_first_in_pages() {
    let api = Api::start().await;
    let auth = api.new_wallet("+79990000013").await;
    for n in 1..=3 {
        let key = format!("0a0a0a0a-0000-4000-8000-00000000001{n}");
        let (s, _) = api
            .post("/payments", Some(&auth), out_payment(&key, json!(n)))
            .await;
        assert_eq!(s, 200);
    }
    let (s, page0) = api.get("/payments?page=0&size=2", &auth).await;
    assert_eq!(s, 200);
    assert_eq!(page0["meta"]["page"]["total_elements"], 3);
    assert_eq!(page0["meta"]["has_next_page"], true);
    assert_eq!(page0["data"][0]["amount"], 3);
    let (_, page1) = api.get("/payments?page=1&size=2", &auth).await;
    assert_eq!(page1["data"].as_array().unwrap().len(), 1);
    assert_eq!(page1["data"][0]["amount"], 1);
    assert_eq!(page1["meta"]["has_next_page"], false);
}

#[tokio::test]
async fn the_state_survives_a_state_file() {
    let api = Api::start().await;
    let auth = api.new_wallet("+79990000014").await;
    let saved = api.sandbox.state().to_json();
    let state = kassa_sandbox::State::from_json(&saved).unwrap();
    let again = kassa_sandbox::Sandbox::builder()
        .state(state)
        .spawn()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/v1/wallet", again.url("mserver")))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_card_is_bound_through_its_page_listed_and_deleted() {
    let api = Api::start().await;
    let auth = api.new_wallet("+79990000020").await;
    let (s, created) = api.post("/cards", Some(&auth), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(created["data"]["state"], "pending");
    let id = created["data"]["id"].as_u64().unwrap();
    let url = created["data"]["payment_page_url"].as_str().unwrap();
    let (_, pending) = api.get("/cards?state=active", &auth).await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 0);
    let (s, _) = api.send(api.http.get(url)).await;
    assert_eq!(s, 200);
    let (s, card) = api.get(&format!("/cards/{id}"), &auth).await;
    assert_eq!(s, 200);
    assert_eq!(card["data"]["state"], "active");
    assert!(card["data"]["title"].as_str().unwrap().contains("******"));
    let (_, active) = api.get("/cards?state=active,pending", &auth).await;
    assert_eq!(active["data"].as_array().unwrap().len(), 1);
    // Another wallet does not see it.
    let (s, _) = api.get(&format!("/cards/{id}"), &wallet()).await;
    assert_eq!(s, 404);
    let resp = api
        .http
        .delete(api.url(&format!("/cards/{id}")))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (s, _) = api.get(&format!("/cards/{id}"), &auth).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn paying_an_invoice_changes_both_wallets() {
    let api = Api::start().await;
    let recipient = api.new_wallet("+79990000030").await;
    let payer = api.new_wallet("+79990000031").await;
    let (s, _) = api
        .post(
            "/invoices",
            Some(&recipient),
            json!({"payer": "+79990000031", "amount": 350.25, "message": "Test invoice"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, made) = api.get("/invoices/created", &recipient).await;
    assert_eq!(made["data"].as_array().unwrap().len(), 1);
    let (_, to_pay) = api.get("/invoices", &payer).await;
    let invoice = &to_pay["data"][0];
    assert_eq!(invoice["amount"], json!(350.25));
    assert_eq!(invoice["status"], Value::Null);
    let id = invoice["_id"].as_str().unwrap().to_owned();

    let (s, answer) = api
        .post(&format!("/invoices/{id}/pay"), Some(&payer), json!({}))
        .await;
    assert_eq!(s, 200);
    let payment = &answer["data"]["data"];
    assert_eq!(payment["type"], "p2p");
    assert_eq!(answer["data"]["meta"]["next_action"], "pay");
    let pid = payment["id"].as_u64().unwrap();
    let (s, _) = api
        .post(&format!("/payments/{pid}/pay"), Some(&payer), json!({}))
        .await;
    assert_eq!(s, 200);
    let (_, got) = api.get(&format!("/payments/{pid}"), &payer).await;
    assert_eq!(got["data"]["status"], "completed");

    let (_, p) = api.get("/wallet", &payer).await;
    assert_eq!(p["data"]["amount"], json!(649.75));
    let (_, r) = api.get("/wallet", &recipient).await;
    assert_eq!(r["data"]["amount"], json!(1350.25));
    let (_, made) = api.get("/invoices/created", &recipient).await;
    assert_eq!(made["data"][0]["status"], "completed");
    assert_eq!(made["data"][0]["payment_id"], pid);

    // A second invoice, canceled, cannot be paid.
    let (s, _) = api
        .post(
            "/invoices",
            Some(&recipient),
            json!({"payer": "+79990000031", "amount": 1}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, made) = api.get("/invoices/created", &recipient).await;
    let second = made["data"][1]["_id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .get(&format!("/invoices/{second}/cancel"), &recipient)
        .await;
    assert_eq!(s, 200);
    let (s, body) = api
        .post(&format!("/invoices/{second}/pay"), Some(&payer), json!({}))
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_data"));
    let (s, _) = api
        .post(
            "/invoices",
            Some(&recipient),
            json!({"payer": "+70000000000", "amount": 1}),
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn templates_are_created_read_updated_and_deleted() {
    let api = Api::start().await;
    let auth = wallet();
    let (s, created) = api
        .post(
            "/payments/templates",
            Some(&auth),
            json!({"name": "Template", "amount": 350, "type": "public", "service_id": 1,
                   "parameters": {"phoneNumber": "9261234567"}, "disabled": ["phoneNumber"]}),
        )
        .await;
    assert_eq!(s, 200);
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);
    let (_, got) = api.get(&format!("/payments/templates/{id}"), &auth).await;
    assert_eq!(got["data"]["amount"]["value"], 350);
    assert_eq!(got["data"]["parameters"]["phoneNumber"], "9261234567");
    let (s, _) = api
        .post(
            &format!("/payments/templates/{id}"),
            Some(&auth),
            json!({"name": "Renamed", "amount": 400, "type": "public", "service_id": 1,
                   "params": {"phoneNumber": "9260000000"}, "disabled": []}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, list) = api.get("/payments/templates", &auth).await;
    assert_eq!(list["data"][0]["name"], "Renamed");
    assert_eq!(list["data"][0]["parameters"]["phoneNumber"], "9260000000");
    let (s, body) = api
        .post(
            "/payments/templates",
            Some(&auth),
            json!({"name": "x", "service_id": 9999}),
        )
        .await;
    assert_eq!(
        (s, body["meta"]["details"].clone()),
        (422, json!("service_id"))
    );
    let resp = api
        .http
        .delete(api.url(&format!("/payments/templates/{id}")))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (s, _) = api.get(&format!("/payments/templates/{id}"), &auth).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn limits_are_listed_by_level() {
    let api = Api::start().await;
    let (s, body) = api.get("/limits", &wallet()).await;
    assert_eq!(s, 200);
    let first = &body["data"][0]["limits"];
    assert_eq!(first.as_array().unwrap().len(), 3);
    assert_eq!(first[1]["value"], "60000");
    assert!(body["meta"]["urgent_data"]["amount"].is_number());
}
