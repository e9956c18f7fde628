//! End-to-end against kassa-sandbox's mserver emulator, which was written from the
//! provider's document independently of this crate: a wallet created and activated by its
//! SMS code, read back; the services catalogue page by page and a 304 on the second read; an
//! `out` payment created (twice with the same key, one payment), paid and followed to
//! `completed` with the balance down by its total; one beyond the balance declined.

use kassa_core::Money;
use kassa_sandbox::Sandbox;
use kassa_sandbox::mserver::seed;
use mserver::{
    ActivateWalletRequest, ClientPaymentId, Conditional, CreatePaymentRequest, CreateWalletRequest,
    DeclineReason, GetPaymentRequest, ListServicesRequest, NoInput, PayPaymentRequest,
    PaymentStatus, PaymentType, Phone,
};

fn base(sandbox: &Sandbox) -> String {
    format!("{}/v1", sandbox.url("mserver"))
}

fn wallet_client(sandbox: &Sandbox, phone: &str, password: &str) -> mserver::Client {
    mserver::Client::builder()
        .base_url(base(sandbox))
        .wallet(phone, password.into())
        .expect("phone")
        .build()
        .expect("client")
}

fn rub(text: &str) -> Money {
    mserver::parse_rub(text).expect("an amount")
}

#[tokio::test]
async fn a_wallet_pays_a_service_from_the_catalogue() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let phone = "+79990000100";
    let password = "sandbox-pw";
    let anonymous = mserver::Client::builder()
        .base_url(base(&sandbox))
        .build()
        .expect("client");
    let created = anonymous
        .create_wallet(&CreateWalletRequest {
            phone: Phone::new(phone).expect("phone"),
            password: password.into(),
        })
        .await
        .expect("create-wallet");
    assert_eq!(created.data.phone, phone);
    let code = created
        .dev
        .and_then(|d| d.security_code)
        .expect("the sandbox shows the code");
    assert_eq!(mserver::ExposeSecret::expose_secret(&code), seed::SMS_CODE);
    assert!(!format!("{code:?}").contains(seed::SMS_CODE));
    let code = mserver::ExposeSecret::expose_secret(&code).to_owned();
    anonymous
        .activate_wallet(&ActivateWalletRequest {
            phone: Phone::new(phone).expect("phone"),
            code,
        })
        .await
        .expect("activate-wallet");

    let client = wallet_client(&sandbox, phone, password);
    let wallet = client.get_wallet(&NoInput {}).await.expect("get-wallet");
    assert_eq!(wallet.data.phone, phone);
    let start = wallet.data.amount;
    assert_eq!(start, rub("1000"));

    // The catalogue, page by page.
    let mut ids = Vec::new();
    let mut request_time = None;
    for page in 1.. {
        let answer = client
            .list_services(&ListServicesRequest {
                page: Some(page),
                size: Some(100),
                modified_since: None,
            })
            .await
            .expect("list-services");
        let Conditional::Modified(answer) = answer else {
            panic!("no If-Modified-Since was sent, yet 304");
        };
        request_time = answer.meta.request_time;
        ids.extend(answer.data.iter().map(|s| s.id));
        if answer.meta.has_next_page != Some(true) {
            assert_eq!(page, 4);
            break;
        }
    }
    assert_eq!(ids.len(), 320);
    let again = client
        .list_services(&ListServicesRequest {
            page: None,
            size: None,
            modified_since: request_time,
        })
        .await
        .expect("list-services, conditional");
    assert!(again.is_not_modified());

    // Two-phase payment, created twice with one key.
    let key = ClientPaymentId::new();
    let payment = CreatePaymentRequest::new(PaymentType::Out, rub("100.50"))
        .with_id(key.clone())
        .service(1, [("phoneNumber", "9261234567")]);
    let first = client
        .create_payment(&payment)
        .await
        .expect("create-payment");
    let second = client
        .create_payment(&payment)
        .await
        .expect("create-payment again");
    assert_eq!(first.data.id, second.data.id);
    assert_eq!(first.data.status, PaymentStatus::Created);
    let total = first.data.total.expect("a total");

    let paid = client
        .pay_payment(&PayPaymentRequest::new(first.data.id))
        .await
        .expect("pay-payment");
    assert_eq!(paid.data.status, PaymentStatus::Processing);
    let got = client
        .get_payment(&GetPaymentRequest { id: first.data.id })
        .await
        .expect("get-payment");
    assert_eq!(got.data.status, PaymentStatus::Completed);
    let after = client.get_wallet(&NoInput {}).await.expect("get-wallet");
    assert_eq!(
        after.data.amount,
        start.checked_sub(total).expect("same currency")
    );
    assert_eq!(after.data.amount, rub("899.50"));

    // Beyond the balance: declined for lack of funds, nothing taken.
    let big = CreatePaymentRequest::new(PaymentType::Out, rub("5000"))
        .service(1, [("phoneNumber", "9261234567")]);
    let big = client.create_payment(&big).await.expect("create-payment");
    client
        .pay_payment(&PayPaymentRequest::new(big.data.id))
        .await
        .expect("pay-payment");
    let got = client
        .get_payment(&GetPaymentRequest { id: big.data.id })
        .await
        .expect("get-payment");
    assert_eq!(got.data.status, PaymentStatus::Declined);
    assert_eq!(
        got.data.decline_reason,
        Some(DeclineReason::InsufficientFunds)
    );
    let last = client.get_wallet(&NoInput {}).await.expect("get-wallet");
    assert_eq!(last.data.amount, after.data.amount);
}

// ---------------------------------------------------------------------------------------
// Every catalogue operation through the operation table
// ---------------------------------------------------------------------------------------

fn app_client(sandbox: &Sandbox) -> mserver::Client {
    mserver::Client::builder()
        .base_url(base(sandbox))
        .token_url(format!("{}/oauth/token", sandbox.url("mserver")))
        .application(seed::CLIENT_ID, seed::CLIENT_SECRET.into())
        .build()
        .expect("client")
}

/// A wallet's bearer token from the sandbox's token service (`grant_type=password`),
/// over a bare HTTP/1.1 exchange (this crate's client asks only application tokens).
async fn wallet_token(sandbox: &Sandbox, phone: &str, password: &str) -> String {
    use base64::Engine as _;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let form = format!(
        "grant_type=password&username=%2B{}&password={password}",
        &phone[1..]
    );
    let client = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        seed::CLIENT_ID,
        seed::CLIENT_SECRET
    ));
    let request = format!(
        "POST /mserver/oauth/token HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {client}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{form}",
        sandbox.addr(),
        form.len()
    );
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let body = answer.split("\r\n\r\n").nth(1).expect("a body");
    let value: serde_json::Value = serde_json::from_str(body).expect("json");
    value["data"]["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

#[tokio::test]
async fn every_catalogue_operation_is_served_by_the_sandbox() {
    use serde_json::{Value, json};
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let anonymous = mserver::Client::builder()
        .base_url(base(&sandbox))
        .build()
        .expect("client");
    let w = wallet_client(&sandbox, seed::PHONE, seed::PASSWORD);
    let app = app_client(&sandbox);
    let mut served = std::collections::BTreeSet::new();
    macro_rules! call {
        ($client:expr, $name:literal, $params:expr) => {{
            let params: Value = $params;
            let out = mserver::call_json(&$client, $name, &params.to_string())
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", $name));
            served.insert($name.to_owned());
            serde_json::from_str::<Value>(&out).expect("json out")
        }};
    }

    // Wallet accounts.
    let b_phone = "+79990000301";
    let c_phone = "+79990000302";
    call!(
        anonymous,
        "create-wallet",
        json!({"phone": b_phone, "password": "b-password"})
    );
    call!(
        anonymous,
        "resend-activation-code",
        json!({"phone": b_phone})
    );
    call!(
        anonymous,
        "activate-wallet",
        json!({"phone": b_phone, "code": seed::SMS_CODE})
    );
    call!(
        anonymous,
        "request-password-code",
        json!({"phone": b_phone})
    );
    call!(
        anonymous,
        "change-password",
        json!({"phone": b_phone, "code": seed::SMS_CODE, "password": "b-password-2"})
    );
    let b = wallet_client(&sandbox, b_phone, "b-password-2");
    let got = call!(b, "get-wallet", json!({}));
    assert_eq!(got["data"]["phone"], b_phone);
    call!(
        anonymous,
        "create-wallet",
        json!({"phone": c_phone, "password": "c-password"})
    );
    call!(
        anonymous,
        "delete-wallet",
        json!({"phone": c_phone, "admin": {"login": seed::ADMIN_LOGIN, "password": seed::ADMIN_PASSWORD}})
    );
    call!(
        w,
        "put-person",
        json!({"family_name": "Арсеньев", "given_name": "Алексей", "passport_series_number": "2202655885", "passport_issued_at": "2012-02-27"})
    );
    let person = call!(w, "get-person", json!({}));
    assert_eq!(person["data"]["status"], "data_entered");
    call!(
        w,
        "upload-picture",
        json!({"file_name": "me.png", "bytes": [137, 80, 78, 71, 13, 10, 26, 10, 0, 0]})
    );
    call!(w, "delete-picture", json!({}));
    let found = call!(w, "find-wallets", json!({"phones": [b_phone, c_phone]}));
    assert_eq!(found["data"], json!([b_phone]));
    let found = call!(
        w,
        "find-wallets",
        json!({"phones": [b_phone], "shape": "phones"})
    );
    assert_eq!(found["data"], json!([b_phone]));
    call!(w, "replenishment-points", json!({}));
    call!(
        w,
        "wallet-settings",
        json!({"email": "test@wallet.best", "email_send_frequency": "daily"})
    );
    call!(
        anonymous,
        "wallet-status-webhook",
        json!({"webhook_client_id": seed::WEBHOOK_CLIENT_ID, "webhook_client_token": seed::WEBHOOK_CLIENT_TOKEN, "phone": b_phone, "verified": true})
    );

    // Reference data.
    call!(anonymous, "errors", json!({}));
    call!(w, "options", json!({}));
    call!(w, "list-services", json!({"page": 2, "size": 50}));
    call!(w, "list-groups", json!({}));
    let groups = call!(w, "services-by-groups", json!({}));
    assert_eq!(
        groups["modified"]["data"].as_array().map(Vec::len),
        Some(8),
        "{groups}"
    );
    call!(w, "get-service", json!({"id": 42}));
    call!(
        w,
        "service-by-mnp",
        json!({"provider_id": "beline", "provider_region_code": "ru"})
    );
    let operator = call!(
        anonymous,
        "mobile-operator",
        json!({"phone": "+79261111111"})
    );
    assert_eq!(operator["data"]["id"], 17);
    call!(w, "order-service", json!({"title": "Новый сервис"}));
    call!(w, "geo", json!({"filter_by": "title", "title": "моск"}));
    call!(app, "application-token", json!({}));
    call!(w, "list-locations", json!({}));
    call!(w, "limits", json!({}));

    // Cards.
    let card = call!(
        w,
        "create-card",
        json!({"card_success_url": "http://ya.ru", "card_failure_url": "http://google.com"})
    );
    let card = card["data"]["id"].as_u64().expect("a card id");
    call!(w, "get-card", json!({"id": card}));
    call!(w, "list-cards", json!({"state": "active,pending"}));
    call!(w, "delete-card", json!({"id": card}));

    // Invoices: b asks w, twice; w pays the copy.
    call!(
        b,
        "create-invoice",
        json!({"payer": seed::PHONE, "amount": "350", "message": "Test invoice"})
    );
    let created = call!(b, "list-created-invoices", json!({}));
    let first = created["data"][0]["_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let copy = call!(b, "duplicate-invoice", json!({"id": first}));
    let copy = copy["data"]["_id"].as_str().expect("an id").to_owned();
    call!(b, "cancel-invoice", json!({"id": first}));
    let to_pay = call!(w, "list-invoices", json!({}));
    assert_eq!(to_pay["data"].as_array().map(Vec::len), Some(2));
    let p2p = call!(w, "pay-invoice", json!({"id": copy}));
    let p2p = p2p["data"]["data"]["id"].as_u64().expect("a payment id");
    call!(w, "pay-payment", json!({"id": p2p}));

    // Templates, with the wallet's bearer token.
    let token = wallet_token(&sandbox, seed::PHONE, seed::PASSWORD).await;
    let bearer = mserver::Client::builder()
        .base_url(base(&sandbox))
        .bearer(token.into())
        .build()
        .expect("client");
    let t = call!(
        bearer,
        "create-template",
        json!({"name": "Телефон", "amount": "100", "type": "private", "service_id": 1, "parameters": {"phoneNumber": "9261234567"}})
    );
    let t = t["data"]["id"].as_str().expect("a template id").to_owned();
    call!(bearer, "list-templates", json!({}));
    call!(bearer, "get-template", json!({"id": t}));
    call!(
        bearer,
        "update-template",
        json!({"id": t, "name": "Телефон 2", "amount": "150", "type": "private", "service_id": 1, "params": {"phoneNumber": "9261234567"}})
    );
    call!(bearer, "delete-template", json!({"id": t}));

    // Payments: the wallet's, then an anonymous one with its receipt.
    let p = call!(
        w,
        "create-payment",
        json!({"type": "out", "amount": "10", "service": 1, "parameters": {"phoneNumber": "9261234567"}})
    );
    let id = p["data"]["id"].as_u64().expect("an id");
    call!(w, "pay-payment", json!({"id": id}));
    let got = call!(w, "get-payment", json!({"id": id}));
    assert_eq!(got["data"]["status"], "completed");
    call!(w, "list-payments", json!({"page": 0, "size": 10}));
    call!(w, "reset-unseen", json!({}));
    let anon = call!(
        app,
        "create-payment",
        json!({"type": "inout", "amount": "100", "service": 17, "parameters": {"phoneNumber": "9267101283"}})
    );
    let anon = anon["data"]["id"].as_u64().expect("an id");
    let paid = call!(app, "pay-payment", json!({"id": anon}));
    assert!(paid["data"]["card"]["payment_page_url"].is_string());
    call!(app, "get-payment", json!({"id": anon}));
    call!(
        app,
        "payment-bill",
        json!({"id": anon, "email": "vasya@petrov.xxx"})
    );

    // Best transfers.
    call!(
        anonymous,
        "best-p2p-webhook",
        json!({"payment_id": p2p, "sender": {"id": 1, "phone": seed::PHONE}, "recipient": {"id": 2, "phone": b_phone}})
    );
    let best = call!(b, "list-best-payments", json!({}));
    assert_eq!(best["data"][0]["number"], p2p);
    assert_eq!(best["data"][0]["amount"], json!(350));
    call!(b, "reset-best-unseen", json!({}));

    // Exactly the catalogue's non-inbound mserver rows.
    let catalogue = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/src/catalogue.tsv"
    ))
    .expect("the catalogue");
    let rows: std::collections::BTreeSet<String> = catalogue
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.first() == Some(&"mserver") && c.get(5) != Some(&"inbound"))
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(rows.len(), 52);
    assert_eq!(served, rows);
}

// ---------------------------------------------------------------------------------------
// Payment notifications, verified by this crate
// ---------------------------------------------------------------------------------------

/// Waits (bounded) until the receiver holds `n` requests.
async fn received(server: &wiremock::MockServer, n: usize) -> Vec<wiremock::Request> {
    for _ in 0..500 {
        let got = server.received_requests().await.unwrap_or_default();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{n} notifications did not arrive");
}

fn verify(
    request: &wiremock::Request,
    secret: &str,
) -> Result<mserver::PaymentEvent, mserver::Refusal> {
    let query: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    mserver::verify_payment_notification(
        &request.body,
        query,
        headers,
        seed::APP_ID,
        &secret.into(),
    )
    .map(|v| v.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_notifications_verify_with_the_app_secret() {
    use mserver::{EventKind, Refusal};
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    sandbox.set_mserver_notification_url(Some(format!("{}/mserver/events", receiver.uri())));
    let client = wallet_client(&sandbox, seed::PHONE, seed::PASSWORD);

    let ok = client
        .create_payment(
            &CreatePaymentRequest::new(PaymentType::Out, rub("100.50"))
                .service(1, [("phoneNumber", "9261234567")]),
        )
        .await
        .expect("create-payment");
    client
        .pay_payment(&PayPaymentRequest::new(ok.data.id))
        .await
        .expect("pay-payment");
    let short = client
        .create_payment(
            &CreatePaymentRequest::new(PaymentType::Out, rub("5000"))
                .service(1, [("phoneNumber", "9261234567")]),
        )
        .await
        .expect("create-payment");
    let got = received(&receiver, 2).await;
    client
        .pay_payment(&PayPaymentRequest::new(short.data.id))
        .await
        .expect("pay-payment");
    let got = {
        let _ = got;
        received(&receiver, 4).await
    };

    let events: Vec<mserver::PaymentEvent> = got
        .iter()
        .map(|r| verify(r, seed::APP_SECRET).expect("a genuine notification"))
        .collect();
    let kinds: Vec<(u64, EventKind)> = events
        .iter()
        .map(|e| (e.payment.id, e.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ok.data.id, EventKind::Unknown("process".into())),
            (ok.data.id, EventKind::Complete),
            (short.data.id, EventKind::Unknown("process".into())),
            (short.data.id, EventKind::Decline),
        ]
    );
    assert_eq!(events[1].from, Some(PaymentStatus::Processing));
    assert_eq!(events[1].to, Some(PaymentStatus::Completed));
    assert_eq!(events[1].payment.amount, rub("100.50"));
    assert_eq!(
        events[3].payment.decline_reason,
        Some(DeclineReason::InsufficientFunds)
    );
    for r in &got {
        assert_eq!(r.url.path(), "/mserver/events");
        assert_eq!(
            verify(r, "another-secret").unwrap_err(),
            Refusal::WrongToken,
            "a wrong secret is refused"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Fault switches: the client's reconcile advice holds against the emulator
// ---------------------------------------------------------------------------------------

async fn balance(client: &mserver::Client) -> Money {
    client
        .get_wallet(&NoInput {})
        .await
        .expect("get-wallet")
        .data
        .amount
}

async fn created_payment(client: &mserver::Client) -> mserver::Payment {
    client
        .create_payment(
            &CreatePaymentRequest::new(PaymentType::Out, rub("100"))
                .service(1, [("phoneNumber", "9261234567")]),
        )
        .await
        .expect("create-payment")
        .data
}

fn reconcile_names_get_payment(e: &kassa_core::Error, id: u64) {
    let unknown = e
        .outcome_unknown()
        .unwrap_or_else(|| panic!("outcome unknown expected: {e:?}"));
    let reconcile = unknown.reconcile.as_ref().expect("a reconcile step");
    assert_eq!(reconcile.operation, "get-payment");
    assert_eq!(reconcile.params, vec![("id", id.to_string())]);
}

#[tokio::test]
async fn a_503_on_pay_is_outcome_unknown_and_nothing_moved() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = wallet_client(&sandbox, seed::PHONE, seed::PASSWORD);
    let start = balance(&client).await;
    let payment = created_payment(&client).await;
    sandbox.faults().set(
        kassa_sandbox::Fault::status("mserver", &format!("/v1/payments/{}/pay", payment.id), 503)
            .times(1),
    );
    let e = client
        .pay_payment(&PayPaymentRequest::new(payment.id))
        .await
        .expect_err("503");
    reconcile_names_get_payment(&e, payment.id);
    // Reconcile as advised: the 503 answered instead of the emulator.
    let got = client
        .get_payment(&GetPaymentRequest { id: payment.id })
        .await
        .expect("get-payment");
    assert_eq!(got.data.status, PaymentStatus::Created);
    assert_eq!(balance(&client).await, start);
    // Paying now (after asking) moves it once.
    client
        .pay_payment(&PayPaymentRequest::new(payment.id))
        .await
        .expect("pay-payment");
    let total = payment.total.expect("a total");
    assert_eq!(
        balance(&client).await,
        start.checked_sub(total).expect("rub")
    );
}

#[tokio::test]
async fn a_dropped_pay_is_outcome_unknown_and_the_balance_moved_once() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = wallet_client(&sandbox, seed::PHONE, seed::PASSWORD);
    let start = balance(&client).await;
    let payment = created_payment(&client).await;
    sandbox.faults().set(
        kassa_sandbox::Fault::drop_connection(
            "mserver",
            &format!("/v1/payments/{}/pay", payment.id),
        )
        .times(1),
    );
    let e = client
        .pay_payment(&PayPaymentRequest::new(payment.id))
        .await
        .expect_err("dropped");
    reconcile_names_get_payment(&e, payment.id);
    let got = client
        .get_payment(&GetPaymentRequest { id: payment.id })
        .await
        .expect("get-payment");
    assert_eq!(got.data.status, PaymentStatus::Completed);
    let total = payment.total.expect("a total");
    let after = start.checked_sub(total).expect("rub");
    assert_eq!(balance(&client).await, after);
    // A pay sent again anyway moves nothing more.
    client
        .pay_payment(&PayPaymentRequest::new(payment.id))
        .await
        .expect("pay-payment");
    assert_eq!(balance(&client).await, after);
}

#[tokio::test]
async fn a_dropped_create_resent_with_its_key_makes_one_payment() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let once = mserver::Client::builder()
        .base_url(base(&sandbox))
        .wallet(seed::PHONE, seed::PASSWORD.into())
        .expect("phone")
        .retry(mserver::RetryPolicy {
            max_attempts: 1,
            ..mserver::RetryPolicy::default()
        })
        .build()
        .expect("client");
    let request = |key: &ClientPaymentId| {
        CreatePaymentRequest::new(PaymentType::Out, rub("100"))
            .with_id(key.clone())
            .service(1, [("phoneNumber", "9261234567")])
    };
    let in_state = |key: &ClientPaymentId| sandbox.state().to_json().matches(key.as_str()).count();

    // No retries allowed: the caller hears of the lost answer and resends with the key.
    sandbox
        .faults()
        .set(kassa_sandbox::Fault::drop_connection("mserver", "/v1/payments").times(1));
    let key = ClientPaymentId::new();
    let e = once
        .create_payment(&request(&key))
        .await
        .expect_err("the answer was lost");
    assert!(e.may_have_taken_effect(), "{e:?}");
    assert!(
        e.to_string().contains(key.as_str()),
        "the key is named: {e}"
    );
    assert_eq!(in_state(&key), 1, "the emulator made the payment");
    let resent = once
        .create_payment(&request(&key))
        .await
        .expect("create-payment again");
    assert_eq!(resent.data.client_payment_id, key.as_str());
    assert_eq!(resent.data.status, PaymentStatus::Created);
    assert_eq!(in_state(&key), 1, "one payment with the key");

    // With the default policy the client resends by itself, with the same key.
    let client = wallet_client(&sandbox, seed::PHONE, seed::PASSWORD);
    sandbox
        .faults()
        .set(kassa_sandbox::Fault::drop_connection("mserver", "/v1/payments").times(1));
    let key = ClientPaymentId::new();
    let made = client
        .create_payment(&request(&key))
        .await
        .expect("resent by the client");
    assert!(sandbox.faults().list().is_empty(), "the drop was spent");
    assert_eq!(made.data.client_payment_id, key.as_str());
    assert_eq!(in_state(&key), 1, "one payment with the key");
    assert_ne!(made.data.id, resent.data.id);
}
