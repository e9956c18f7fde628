//! Secrets never show: a provider echoing the client's password, bearer token, client
//! secret, application token, admin password or webhook token never makes an error, a
//! `Debug` output or a TRACE log print them.

mod common;

use base64::Engine as _;
use common::*;
use kassa_testkit::Fixture;
use kassa_testkit::logs::Capture;
use mserver::{AdminCredentials, Client, DeleteWalletRequest, NoInput, Phone, WalletStatusRequest};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn echo(secret: &str) -> ResponseTemplate {
    let body = serde_json::json!({"meta": {"code": 422, "error": "invalid_phone",
        "error_message": format!("bad {secret} here"), "details": secret}});
    ResponseTemplate::new(422).set_body_json(body)
}

fn basic(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

fn all_secrets() -> Vec<String> {
    vec![
        PASSWORD.into(),
        BEARER.into(),
        CLIENT_SECRET.into(),
        APP_TOKEN.into(),
        ADMIN_PASSWORD.into(),
        WEBHOOK_TOKEN.into(),
        basic(PHONE, PASSWORD),
        basic(CLIENT_ID, CLIENT_SECRET),
        basic(ADMIN, ADMIN_PASSWORD),
    ]
}

fn assert_free(text: &str, what: &str) {
    for s in all_secrets() {
        assert!(
            !text.contains(&s),
            "{what} shows a secret of {} chars: {text}",
            s.len()
        );
    }
}

#[tokio::test]
async fn echoed_secrets_never_show_in_errors_debug_or_trace_logs() {
    let capture = Capture::start();
    let api = MockServer::start().await;
    let tokens = MockServer::start().await;

    // The wallet: its password echoed back.
    Mock::given(method("GET"))
        .and(path("/wallet"))
        .respond_with(echo(PASSWORD))
        .mount(&api)
        .await;
    let wallet = wallet_client(&api.uri());
    let e = wallet.get_wallet(&NoInput {}).await.unwrap_err();
    assert_free(&e.to_string(), "a wallet error");
    assert_free(&format!("{e:?}"), "a wallet error's Debug");
    assert_free(&format!("{wallet:?}"), "the wallet client's Debug");

    // A bearer token echoed back.
    Mock::given(method("GET"))
        .and(path("/wallet/person"))
        .respond_with(echo(BEARER))
        .mount(&api)
        .await;
    let bearer = Client::builder()
        .base_url(v1(&api.uri()))
        .bearer(BEARER.into())
        .transport(quiet_transport())
        .build()
        .expect("builds");
    let e = bearer.get_person(&NoInput {}).await.unwrap_err();
    assert_free(&e.to_string(), "a bearer error");
    assert_free(&format!("{bearer:?}"), "the bearer client's Debug");

    // The application token and the client secret echoed back.
    Fixture::load("mserver", "application-token", "ok")
        .mock()
        .expect(3)
        .mount(&tokens)
        .await;
    Mock::given(method("GET"))
        .and(path("/options"))
        .respond_with(echo(&format!("{APP_TOKEN} {CLIENT_SECRET}")))
        .mount(&api)
        .await;
    let app = app_client(&api.uri(), &tokens.uri(), CLIENT_SECRET);
    let e = app.options(&NoInput {}).await.unwrap_err();
    assert_free(&e.to_string(), "an application error");
    assert_free(&format!("{e:?}"), "an application error's Debug");
    assert_free(&format!("{app:?}"), "the application client's Debug");
    let token = app
        .application_token(&mserver::ApplicationTokenRequest {})
        .await
        .expect("a token");
    assert_free(&format!("{token:?}"), "the token's Debug");
    assert_free(
        &serde_json::to_string(&token).expect("json"),
        "the token's JSON",
    );
    let json = mserver::call_json(&app, "application-token", "{}")
        .await
        .expect("a token");
    assert_free(&json, "application-token through call_json");

    // The admin password, given per call.
    Mock::given(method("DELETE"))
        .and(path("/wallet/%2B79261111111"))
        .respond_with(echo(ADMIN_PASSWORD))
        .mount(&api)
        .await;
    let req = DeleteWalletRequest {
        phone: Phone::new(PHONE).expect("phone"),
        admin: AdminCredentials::new(ADMIN, ADMIN_PASSWORD.into()),
    };
    assert_free(&format!("{req:?}"), "delete-wallet's request");
    let e = wallet.delete_wallet(&req).await.unwrap_err();
    assert_free(&e.to_string(), "a delete-wallet error");

    // The webhook token, in the query.
    Mock::given(method("POST"))
        .and(path("/wallet/status"))
        .respond_with(echo(WEBHOOK_TOKEN))
        .mount(&api)
        .await;
    let req = WalletStatusRequest {
        webhook_client_id: "mserver".into(),
        webhook_client_token: WEBHOOK_TOKEN.into(),
        phone: Phone::new("+12345675578").expect("phone"),
        verified: true,
    };
    assert_free(&format!("{req:?}"), "the webhook request");
    let e = wallet.wallet_status_webhook(&req).await.unwrap_err();
    assert_free(&e.to_string(), "a webhook error");

    // The builders.
    let b = Client::builder()
        .wallet(PHONE, PASSWORD.into())
        .expect("phone");
    assert_free(&format!("{b:?}"), "a wallet builder");
    let b = Client::builder().application(CLIENT_ID, CLIENT_SECRET.into());
    assert_free(&format!("{b:?}"), "an application builder");

    let refs: Vec<String> = all_secrets();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    assert!(!capture.text().is_empty(), "the capture sees the calls");
    capture.assert_free_of(&refs);
}
