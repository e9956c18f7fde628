//! The rest of the mserver emulator over raw HTTP (reqwest): the wallet-account calls
//! (password reset, admin delete), person, picture, find, settings, the wallet-status
//! webhook, reference data, anonymous payments with the application token, unseen
//! counters, best transfers, invoice duplicates and the payment notifications.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use kassa_sandbox::mserver::seed;
use serde_json::{Value, json};

mod common;
use common::mserver::{Api, basic, error, out_payment, wallet};

#[tokio::test]
async fn a_password_is_changed_with_the_sms_code() {
    let api = Api::start().await;
    let phone = "+79990000201";
    let old = api.new_wallet(phone).await;

    // No code asked yet: refused.
    let (s, body) = api
        .post(
            "/wallet/reset_password",
            None,
            json!({"phone": phone, "code": seed::SMS_CODE, "password": "brand-new-pw"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_code"));

    let (s, body) = api
        .post(
            "/wallet/send_password_reset_code",
            None,
            json!({"phone": "+7999"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_phone"));
    let (s, body) = api
        .post(
            "/wallet/send_password_reset_code",
            None,
            json!({"phone": "+79990000299"}),
        )
        .await;
    assert_eq!((s, error(&body)), (404, "wallet_not_found"));
    let (s, body) = api
        .post(
            "/wallet/send_password_reset_code",
            None,
            json!({"phone": phone}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["data"]["phone"], phone);
    assert_eq!(
        body["dev"]["security_code"],
        seed::SMS_CODE,
        "a development server"
    );

    let (s, body) = api
        .post(
            "/wallet/reset_password",
            None,
            json!({"phone": phone, "code": "000000", "password": "brand-new-pw"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_code"));
    let (s, body) = api
        .post(
            "/wallet/reset_password",
            None,
            json!({"phone": phone, "code": seed::SMS_CODE, "password": "short"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_password"));
    let (s, body) = api
        .post(
            "/wallet/reset_password",
            None,
            json!({"phone": phone, "code": seed::SMS_CODE, "password": "brand-new-pw"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");

    let (s, _) = api.get_opt("/wallet", Some(&old)).await;
    assert_eq!(s, 401, "the old password no longer works");
    let (s, body) = api
        .get_opt("/wallet", Some(&basic(phone, "brand-new-pw")))
        .await;
    assert_eq!(s, 200, "{body}");
    // The code is used up.
    let (s, body) = api
        .post(
            "/wallet/reset_password",
            None,
            json!({"phone": phone, "code": seed::SMS_CODE, "password": "another-pw"}),
        )
        .await;
    assert_eq!((s, error(&body)), (422, "invalid_code"));
}

#[tokio::test]
async fn only_the_admin_deletes_a_wallet() {
    let api = Api::start().await;
    let phone = "+79990000202";
    let auth = api.new_wallet(phone).await;
    let path = "/wallet/%2B79990000202";

    let (s, _) = api.delete(path, None).await;
    assert_eq!(s, 401);
    let (s, body) = api.delete(path, Some(&auth)).await;
    assert_eq!((s, error(&body)), (403, "insufficient_scope"));
    let (s, _) = api
        .delete(path, Some(&basic(seed::ADMIN_LOGIN, "wrong-password")))
        .await;
    assert_eq!(s, 401);
    let admin = basic(seed::ADMIN_LOGIN, seed::ADMIN_PASSWORD);
    let (s, body) = api.delete(path, Some(&admin)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body, json!({"meta": {"code": 200}}));

    let (s, _) = api.get_opt("/wallet", Some(&auth)).await;
    assert_eq!(s, 401, "the wallet is gone");
    let (s, body) = api.delete(path, Some(&admin)).await;
    assert_eq!((s, error(&body)), (404, "wallet_not_found"));
    // The phone is free again.
    let (s, _) = api
        .post(
            "/wallet",
            None,
            json!({"phone": phone, "password": "secret-pw"}),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn person_data_is_checked_stored_and_shown_on_the_wallet() {
    let api = Api::start().await;
    let w = wallet();
    let (s, body) = api.get_opt("/wallet/person", Some(&w)).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["status"], "no_data");

    let person = json!({
        "family_name": "Арсеньев", "given_name": "Алексей", "patronymic_name": "Александрович",
        "passport_series_number": "2202655885", "passport_issued_at": "2012-02-27",
        "itn": "330500938709", "ssn": "11223344595",
    });
    for (field, bad) in [
        ("passport_series_number", json!("22026")),
        ("passport_issued_at", json!("27.02.2012")),
        ("itn", json!("12ab")),
        ("given_name", json!("")),
    ] {
        let mut body = person.clone();
        body[field] = bad;
        let (s, answer) = api.post("/wallet/person", Some(&w), body).await;
        assert_eq!(s, 422, "{field}");
        assert_eq!(answer["meta"]["details"], field);
    }
    let (s, body) = api.post("/wallet/person", Some(&w), person.clone()).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["data"]["status"], "data_entered");
    assert_eq!(body["data"]["family_name"], "Арсеньев");
    let (_, got) = api.get_opt("/wallet/person", Some(&w)).await;
    assert_eq!(got["data"]["passport_series_number"], "2202655885");
    let (_, wallet) = api.get_opt("/wallet", Some(&w)).await;
    assert_eq!(wallet["data"]["person_status"], "data_entered");

    // Another wallet with the same passport is refused.
    let other = api.new_wallet("+79990000203").await;
    let (s, body) = api.post("/wallet/person", Some(&other), person).await;
    assert_eq!((s, error(&body)), (422, "passport_already_exists"));
}

fn multipart(boundary: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.bin\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[tokio::test]
async fn a_picture_is_uploaded_checked_by_type_and_size_and_deleted() {
    let api = Api::start().await;
    let w = wallet();
    let upload = |content_type: &'static str, bytes: Vec<u8>| {
        let body = multipart("XyZ-boundary", content_type, &bytes);
        api.send(
            api.http
                .post(api.url("/wallet/picture"))
                .header("authorization", wallet())
                .header("content-type", "multipart/form-data; boundary=XyZ-boundary")
                .body(body),
        )
    };
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(b"\r\n--not-the-boundary\r\n rest of a picture");
    let (s, body) = upload("image/jpeg", jpeg.clone()).await;
    assert_eq!(s, 200, "{body}");
    let (_, got) = api.get_opt("/wallet", Some(&w)).await;
    let url = got["data"]["picture_url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(".jpg"), "{url}");

    let (s, body) = upload("image/gif", b"GIF89a....".to_vec()).await;
    assert_eq!((s, body["meta"]["details"].as_str()), (422, Some("file")));
    let (s, body) = upload("image/png", jpeg.clone()).await;
    assert_eq!(s, 422, "a declared type the bytes contradict: {body}");
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.resize(seed::MAX_PICTURE_BYTES + 1, 0);
    let (s, body) = upload("image/png", png).await;
    assert_eq!((s, body["meta"]["details"].as_str()), (422, Some("file")));
    // Not multipart at all.
    let (s, body) = api.post("/wallet/picture", Some(&w), json!({})).await;
    assert_eq!((s, body["meta"]["details"].as_str()), (422, Some("file")));
    let (_, got) = api.get_opt("/wallet", Some(&w)).await;
    assert_eq!(
        got["data"]["picture_url"],
        url.as_str(),
        "refusals change nothing"
    );

    let (s, body) = api.delete("/wallet/picture", Some(&w)).await;
    assert_eq!(s, 200, "{body}");
    let (_, got) = api.get_opt("/wallet", Some(&w)).await;
    assert!(got["data"]["picture_url"].is_null());
}

#[tokio::test]
async fn wallets_are_found_in_both_request_shapes() {
    let api = Api::start().await;
    let w = wallet();
    let me = api.new_wallet("+79990000204").await;
    let _ = me;
    // Created but never activated: not found.
    api.post(
        "/wallet",
        None,
        json!({"phone": "+79990000205", "password": "secret-pw"}),
    )
    .await;
    let (s, body) = api
        .post(
            "/wallet/find",
            Some(&w),
            json!({"contacts": [{"phone": "+79990000204"}, {"phone": "+79990000205"}, {"phone": "+79990000206"}]}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["data"], json!(["+79990000204"]));
    let (s, body) = api
        .post(
            "/wallet/find",
            Some(&w),
            json!({"phones": ["+79990000204", "+79990000205", seed::PHONE]}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        body["data"],
        json!([{"phone": "+79990000204"}, {"phone": seed::PHONE}])
    );
    let (s, body) = api.post("/wallet/find", Some(&w), json!({})).await;
    assert_eq!(
        (s, body["meta"]["details"].as_str()),
        (422, Some("contacts"))
    );
    let (s, _) = api.post("/wallet/find", None, json!({"phones": []})).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn points_settings_and_the_status_webhook() {
    let api = Api::start().await;
    let w = wallet();
    let text = api.raw("/wallet/replenishment_points", &w).await;
    assert!(
        text.contains("\"latitude\":55.616371"),
        "exact coordinates: {text}"
    );
    let text = api.raw("/locations?group=verification", &w).await;
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["group"], "verification");

    let (s, body) = api
        .post(
            "/wallet/settings",
            Some(&w),
            json!({"email": "not-an-email", "email_send_frequency": "daily"}),
        )
        .await;
    assert_eq!((s, body["meta"]["details"].as_str()), (422, Some("email")));
    let (s, body) = api
        .post(
            "/wallet/settings",
            Some(&w),
            json!({"email": "test@wallet.best", "email_send_frequency": "daily"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let (_, got) = api.get_opt("/wallet", Some(&w)).await;
    assert_eq!(got["data"]["email"], "test@wallet.best");
    assert_eq!(got["data"]["verified"], false);

    let webhook = |token: &str| {
        format!(
            "/wallet/status?webhook_client_id={}&webhook_client_token={token}",
            seed::WEBHOOK_CLIENT_ID
        )
    };
    let (s, _) = api
        .post(
            &webhook("wrong"),
            None,
            json!({"phone": seed::PHONE, "verified": true}),
        )
        .await;
    assert_eq!(s, 401);
    let (s, body) = api
        .post(
            &webhook(seed::WEBHOOK_CLIENT_TOKEN),
            None,
            json!({"phone": seed::PHONE, "verified": true}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let (_, got) = api.get_opt("/wallet", Some(&w)).await;
    assert_eq!(got["data"]["verified"], true);
    assert_eq!(got["data"]["level"], "identified");
}

#[tokio::test]
async fn reference_data_errors_options_groups_mnp_operator_order_geo() {
    let api = Api::start().await;
    let w = wallet();
    let (s, body) = api.get_opt("/errors", None).await;
    assert_eq!(s, 200);
    let codes: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"wallet_not_found") && codes.contains(&"invalid_phone"));
    let since = body["meta"]["request_time"].as_i64().unwrap();
    let resp = api
        .http
        .get(api.url("/errors"))
        .header("if-modified-since", since.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 304);

    let (s, body) = api.get_opt("/options", Some(&w)).await;
    assert_eq!(s, 200);
    assert!(
        body["data"]["support_phone"]
            .as_str()
            .unwrap()
            .starts_with('+')
    );
    let (s, _) = api.get_opt("/options", None).await;
    assert_eq!(s, 401);

    let (s, body) = api.get_opt("/services/groups", Some(&w)).await;
    assert_eq!(s, 200);
    let groups = body["data"].as_array().unwrap();
    assert_eq!(groups.len(), 8);
    let total: usize = groups
        .iter()
        .map(|g| g["services"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 320);
    assert_eq!(body["meta"]["suggestion_rules"]["+7926"], 17);

    let (s, body) = api
        .get_opt(
            "/services/mnp?provider_id=beline&provider_region_code=ru",
            Some(&w),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["id"], 9);
    assert_eq!(body["data"]["parameters"][0]["id"], "phoneNumber");
    let (s, body) = api.get_opt("/services/mnp?provider_id=mts", Some(&w)).await;
    assert_eq!(
        (s, body["meta"]["details"].as_str()),
        (422, Some("provider_region_code"))
    );

    // No auth for the operator lookup.
    let (s, body) = api.get_opt("/services/mobile/79261111111", None).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["id"], 17);
    assert_eq!(body["data"]["minsum"], 1);
    let (s, body) = api.get_opt("/services/mobile/12ab", None).await;
    assert_eq!((s, error(&body)), (422, "invalid_phone"));

    let (s, body) = api
        .post(
            "/services/order",
            Some(&w),
            json!({"title": "Новый сервис"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["message_type"], "conversation");
    assert!(
        body["data"]["messages"][0]["html"]
            .as_str()
            .unwrap()
            .contains("Новый сервис")
    );
    let (s, body) = api.post("/services/order", Some(&w), json!({})).await;
    assert_eq!((s, body["meta"]["details"].as_str()), (422, Some("title")));

    let (s, body) = api
        .get_opt(
            "/geo?filter_by=title&title=%D0%BC%D0%BE%D1%81%D0%BA%D0%B2",
            Some(&w),
        )
        .await;
    assert_eq!(s, 200);
    let titles: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Москва", "Москвина"]);
    assert_eq!(body["meta"]["geo"]["title"], "Москва");
    let (s, body) = api.get_opt("/geo", Some(&w)).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_anonymous_payment_is_made_with_the_application_token() {
    let api = Api::start().await;
    let token = api.app_token().await;
    let key = "021c6d23-7508-4e35-ad92-852308a47689";
    let body = json!({
        "type": "inout", "client_payment_id": key, "amount": 100, "service": 17,
        "parameters": {"phoneNumber": "9267101283"},
    });
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;

    // Without a wallet only the transit payment exists.
    let (s, answer) = api
        .app(
            post.clone(),
            "/payments",
            &token,
            Some(out_payment(key, json!(100))),
        )
        .await;
    assert_eq!((s, answer["meta"]["details"].as_str()), (422, Some("type")));
    let (s, first) = api
        .app(post.clone(), "/payments", &token, Some(body.clone()))
        .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["data"]["status"], "created");
    assert_eq!(first["data"]["type"], "inout");
    assert_eq!(first["data"]["card"]["state"], "created");
    assert!(first["data"].get("wallet").is_none());
    let (_, again) = api.app(post.clone(), "/payments", &token, Some(body)).await;
    assert_eq!(
        again["data"]["id"], first["data"]["id"],
        "one payment per key"
    );
    let id = first["data"]["id"].as_u64().unwrap();

    // Not the wallet's payment, nor the other way round.
    let (s, _) = api
        .get_opt(&format!("/payments/{id}"), Some(&wallet()))
        .await;
    assert_eq!(s, 404);

    let (s, paid) = api
        .app(post.clone(), &format!("/payments/{id}/pay"), &token, None)
        .await;
    assert_eq!(s, 200, "{paid}");
    assert_eq!(paid["data"]["status"], "processing");
    assert_eq!(paid["meta"]["next_action"], "get");
    let page = paid["data"]["card"]["payment_page_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = api.http.get(&page).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (s, got) = api.app(get, &format!("/payments/{id}"), &token, None).await;
    assert_eq!(s, 200);
    assert_eq!(got["data"]["status"], "completed");
    assert_eq!(got["data"]["card"]["state"], "used");

    // The receipt by e-mail: the application only, for its own payments.
    let (s, answer) = api
        .app(
            post.clone(),
            "/payments/bill",
            &token,
            Some(json!({"id": id, "email": "vasya@petrov.xxx"})),
        )
        .await;
    assert_eq!(s, 200, "{answer}");
    let (s, answer) = api
        .app(
            post.clone(),
            "/payments/bill",
            &token,
            Some(json!({"id": id, "email": "vasya"})),
        )
        .await;
    assert_eq!(
        (s, answer["meta"]["details"].as_str()),
        (422, Some("email"))
    );
    let (s, _) = api
        .app(
            post,
            "/payments/bill",
            &token,
            Some(json!({"id": 1, "email": "vasya@petrov.xxx"})),
        )
        .await;
    assert_eq!(s, 404);
    let (s, answer) = api
        .post(
            "/payments/bill",
            Some(&wallet()),
            json!({"id": id, "email": "vasya@petrov.xxx"}),
        )
        .await;
    assert_eq!((s, error(&answer)), (403, "insufficient_scope"));
    // The wallet's balance never moved.
    let (_, w) = api.get_opt("/wallet", Some(&wallet())).await;
    assert_eq!(w["data"]["amount"], 1000);
}

#[tokio::test]
async fn unseen_payments_are_counted_and_reset() {
    let api = Api::start().await;
    let w = wallet();
    for key in [
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
    ] {
        let (_, p) = api
            .post("/payments", Some(&w), out_payment(key, json!(10)))
            .await;
        let id = p["data"]["id"].as_u64().unwrap();
        api.post(&format!("/payments/{id}/pay"), Some(&w), json!({}))
            .await;
    }
    let (_, got) = api.get_opt("/wallet", Some(&w)).await;
    assert_eq!(got["meta"]["urgent_data"]["unseen_payments"], 2);
    let (_, body) = api.get_opt("/payments/reset_unseen", Some(&w)).await;
    assert_eq!(body["data"], "ok");
    assert_eq!(body["meta"]["urgent_data"]["unseen_payments"], 0);

    // Listing a payment marks it seen.
    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            out_payment("00000000-0000-4000-8000-000000000003", json!(10)),
        )
        .await;
    let id = p["data"]["id"].as_u64().unwrap();
    let (_, paid) = api
        .post(&format!("/payments/{id}/pay"), Some(&w), json!({}))
        .await;
    assert_eq!(paid["meta"]["urgent_data"]["unseen_payments"], 1);
    let (_, list) = api.get_opt("/payments?page=0&size=1", Some(&w)).await;
    assert_eq!(list["data"][0]["unseen"], true);
    assert_eq!(list["meta"]["urgent_data"]["unseen_payments"], 0);
    let (_, list) = api.get_opt("/payments?page=0&size=1", Some(&w)).await;
    assert!(list["data"][0].get("unseen").is_none());
}

#[tokio::test]
async fn best_transfers_are_logged_listed_and_reset() {
    let api = Api::start().await;
    let w = wallet();
    let other = api.new_wallet("+79110992233").await;
    let transfer = json!({
        "payment_id": 12_345_678,
        "sender": {"id": 7_777_777, "phone": seed::PHONE},
        "recipient": {"id": 88_888_888, "phone": "+79110992233"},
    });
    let (s, body) = api.post("/payments/best/p2p", None, transfer.clone()).await;
    assert_eq!(s, 200, "{body}");
    // Logged once however often it is reported.
    api.post("/payments/best/p2p", None, transfer).await;
    let (s, body) = api
        .post(
            "/payments/best/p2p",
            None,
            json!({"payment_id": 1, "sender": {"id": 1, "phone": "123"}, "recipient": {"id": 2, "phone": seed::PHONE}}),
        )
        .await;
    assert_eq!(
        (s, body["meta"]["details"].as_str()),
        (422, Some("sender.phone"))
    );

    let (s, body) = api.get_opt("/payments/best", Some(&w)).await;
    assert_eq!(s, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["number"], 12_345_678);
    assert_eq!(body["data"][0]["unseen"], true);
    assert_eq!(body["meta"]["urgent_data"]["unseen_payments_best"], 0);
    let (_, body) = api.get_opt("/payments/best", Some(&w)).await;
    assert_eq!(body["data"][0]["unseen"], false);

    let (_, body) = api
        .get_opt("/payments/best/reset_unseen", Some(&other))
        .await;
    assert_eq!(body["data"], "ok");
    let (_, body) = api.get_opt("/payments/best", Some(&other)).await;
    assert_eq!(
        body["data"][0]["unseen"], false,
        "reset before the first read"
    );
    let (s, _) = api.get_opt("/payments/best", None).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn an_invoice_is_duplicated_by_its_recipient() {
    let api = Api::start().await;
    let recipient = api.new_wallet("+79990000207").await;
    let (s, _) = api
        .post(
            "/invoices",
            Some(&recipient),
            json!({"payer": seed::PHONE, "amount": 350, "message": "Test invoice"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, created) = api.get_opt("/invoices/created", Some(&recipient)).await;
    let id = created["data"][0]["_id"].as_str().unwrap().to_owned();
    api.get_opt(&format!("/invoices/{id}/cancel"), Some(&recipient))
        .await;

    let (s, _) = api
        .get_opt(&format!("/invoices/{id}/duplicate"), Some(&wallet()))
        .await;
    assert_eq!(s, 404, "the payer cannot duplicate it");
    let (s, copy) = api
        .get_opt(&format!("/invoices/{id}/duplicate"), Some(&recipient))
        .await;
    assert_eq!(s, 200, "{copy}");
    assert_ne!(copy["data"]["_id"], id.as_str());
    assert_eq!(copy["data"]["amount"], 350);
    assert_eq!(copy["data"]["payer"], seed::PHONE);
    assert!(copy["data"]["status"].is_null());
    let (_, to_pay) = api.get_opt("/invoices", Some(&wallet())).await;
    assert_eq!(to_pay["data"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------

/// What a loopback receiver got: (query, body) per POST.
type Received = Arc<Mutex<Vec<(Vec<(String, String)>, Value)>>>;

async fn receiver() -> (String, Received, tokio::task::JoinHandle<()>) {
    async fn take(
        State(got): State<Received>,
        Query(q): Query<Vec<(String, String)>>,
        body: Bytes,
    ) -> &'static str {
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        got.lock().unwrap().push((q, body));
        "ok"
    }
    let got: Received = Arc::default();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(take))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, got, task)
}

/// Waits (bounded) until `got` holds `n` notifications.
async fn wait_for(got: &Received, n: usize) -> Vec<(Vec<(String, String)>, Value)> {
    for _ in 0..500 {
        if got.lock().unwrap().len() >= n {
            return got.lock().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "{n} notifications did not arrive: {:?}",
        got.lock().unwrap()
    );
}

async fn deliveries(api: &Api, n: usize) -> Vec<Value> {
    for _ in 0..500 {
        let (_, body) = api
            .control(reqwest::Method::GET, "/mserver/notifications", None)
            .await;
        let list = body["deliveries"].as_array().unwrap().clone();
        if list.len() >= n {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{n} deliveries were not logged");
}

fn sha1_hex(text: &str) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(text.as_bytes());
    sha.digest().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_change_is_posted_to_the_registered_url() {
    let api = Api::start().await;
    let (url, got, _task) = receiver().await;
    let w = wallet();

    let (s, body) = api
        .control(
            reqwest::Method::PUT,
            "/mserver/notification-url",
            Some(json!({"url": "ftp://x"})),
        )
        .await;
    assert_eq!((s, body["field"].as_str()), (422, Some("url")));
    let (s, body) = api
        .control(
            reqwest::Method::PUT,
            "/mserver/notification-url",
            Some(json!({"url": url})),
        )
        .await;
    assert_eq!(s, 200, "{body}");

    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            out_payment("10000000-0000-4000-8000-000000000001", json!(100.5)),
        )
        .await;
    let id = p["data"]["id"].as_u64().unwrap();
    let (_, paid) = api
        .post(&format!("/payments/{id}/pay"), Some(&w), json!({}))
        .await;
    assert_eq!(
        paid["data"]["status"], "processing",
        "the answer did not wait"
    );

    let all = wait_for(&got, 2).await;
    let token = sha1_hex(&format!("{}{}", seed::APP_ID, seed::APP_SECRET));
    for (query, _) in &all {
        assert!(
            query.contains(&("app_id".into(), seed::APP_ID.into())),
            "{query:?}"
        );
        assert!(
            query.contains(&("access_token".into(), token.clone())),
            "{query:?}"
        );
    }
    let (_, first) = &all[0];
    assert_eq!(first["type"], "process");
    assert_eq!(
        (first["from"].as_str(), first["to"].as_str()),
        (Some("created"), Some("processing"))
    );
    let (_, second) = &all[1];
    assert_eq!(second["type"], "complete");
    assert_eq!(
        (second["from"].as_str(), second["to"].as_str()),
        (Some("processing"), Some("completed"))
    );
    assert_eq!(second["payment"]["id"], id);
    assert_eq!(second["payment"]["status"], "completed");
    assert_eq!(second["payment"]["amount"], json!(100.5));
    assert!(second["created_at"].as_str().unwrap().ends_with('Z'));

    // Declined for lack of funds.
    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            out_payment("10000000-0000-4000-8000-000000000002", json!(5000)),
        )
        .await;
    let declined = p["data"]["id"].as_u64().unwrap();
    api.post(&format!("/payments/{declined}/pay"), Some(&w), json!({}))
        .await;
    let all = wait_for(&got, 4).await;
    assert_eq!(all[3].1["type"], "decline");
    assert_eq!(all[3].1["payment"]["decline_reason"], "insufficient_funds");

    // The log: url without query, event, payment, status.
    let log = deliveries(&api, 4).await;
    assert_eq!(log[1]["url"], url.as_str());
    assert_eq!(log[1]["event"], "complete");
    assert_eq!(log[1]["payment"], id);
    assert_eq!(log[1]["status"], 200);
    assert!(
        !log.iter().any(|d| d.to_string().contains(&token)),
        "no token in the log"
    );

    // Cleared: nothing is sent (nor kept to send later).
    let (s, _) = api
        .control(reqwest::Method::DELETE, "/mserver/notification-url", None)
        .await;
    assert_eq!(s, 200);
    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            out_payment("10000000-0000-4000-8000-000000000003", json!(1)),
        )
        .await;
    let unheard = p["data"]["id"].as_u64().unwrap();
    api.post(&format!("/payments/{unheard}/pay"), Some(&w), json!({}))
        .await;
    api.sandbox.set_mserver_notification_url(Some(url.clone()));
    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            out_payment("10000000-0000-4000-8000-000000000004", json!(2)),
        )
        .await;
    let heard = p["data"]["id"].as_u64().unwrap();
    api.post(&format!("/payments/{heard}/pay"), Some(&w), json!({}))
        .await;
    let all = wait_for(&got, 6).await;
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|(_, b)| b["payment"]["id"] != unheard));
    assert_eq!(all[5].1["payment"]["id"], heard);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_payment_is_notified_when_the_card_pays_and_a_dead_url_is_logged() {
    let api = Api::start().await;
    let (url, got, _task) = receiver().await;
    api.sandbox.set_mserver_notification_url(Some(url));
    let w = wallet();
    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            json!({"type": "in", "client_payment_id": "20000000-0000-4000-8000-000000000001", "amount": 100}),
        )
        .await;
    let id = p["data"]["id"].as_u64().unwrap();
    let (_, paid) = api
        .post(&format!("/payments/{id}/pay"), Some(&w), json!({}))
        .await;
    let all = wait_for(&got, 1).await;
    assert_eq!(all[0].1["type"], "process");
    let page = paid["data"]["card"]["payment_page_url"].as_str().unwrap();
    api.http.get(page).send().await.unwrap();
    let all = wait_for(&got, 2).await;
    assert_eq!(all[1].1["type"], "complete");
    assert_eq!(all[1].1["payment"]["type"], "in");

    // Nobody listens there: the delivery is logged as failed, the API answers anyway.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/gone?secret=1", dead.local_addr().unwrap());
    drop(dead);
    api.sandbox
        .set_mserver_notification_url(Some(dead_url.clone()));
    let (_, p) = api
        .post(
            "/payments",
            Some(&w),
            out_payment("20000000-0000-4000-8000-000000000002", json!(1)),
        )
        .await;
    let id = p["data"]["id"].as_u64().unwrap();
    let (s, _) = api
        .post(&format!("/payments/{id}/pay"), Some(&w), json!({}))
        .await;
    assert_eq!(s, 200);
    let log = deliveries(&api, 4).await;
    let failed = &log[3];
    assert_eq!(failed["url"], dead_url.split('?').next().unwrap());
    assert!(failed["status"].is_null());
    assert!(
        failed["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    assert!(!failed.to_string().contains("access_token"));
}
