//! Each kind of credentials sends what the document shows; the application token is
//! fetched once for any number of concurrent calls, from a token URL on another port.

mod common;

use std::sync::Arc;

use common::*;
use kassa_testkit::Fixture;
use mserver::{Client, NoInput};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn wallet_answer() -> ResponseTemplate {
    Fixture::load("mserver", "get-wallet", "ok").response_template()
}

#[tokio::test]
async fn a_wallet_sends_basic_with_its_phone_and_password() {
    let server = MockServer::start().await;
    // The document's Basic value for +79261111111:test-password.
    Mock::given(method("GET"))
        .and(path("/wallet"))
        .and(header(
            "authorization",
            "Basic Kzc5MjYxMTExMTExOnRlc3QtcGFzc3dvcmQ=",
        ))
        .and(kassa_testkit::HeaderAbsent("x-authorization-type"))
        .respond_with(wallet_answer())
        .expect(1)
        .mount(&server)
        .await;
    let wallet = wallet_client(&server.uri())
        .get_wallet(&NoInput {})
        .await
        .expect("reads");
    assert_eq!(wallet.data.amount.to_major_string(), "1237.00");
}

#[tokio::test]
async fn a_bearer_token_is_sent_as_is() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wallet/person"))
        .and(header("authorization", "Bearer test-access-token"))
        .and(kassa_testkit::HeaderAbsent("x-authorization-type"))
        .respond_with(Fixture::load("mserver", "get-person", "ok").response_template())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(v1(&server.uri()))
        .bearer(BEARER.into())
        .transport(quiet_transport())
        .timeouts(kassa_core::Timeouts::none())
        .build()
        .expect("builds");
    let person = client.get_person(&NoInput {}).await.expect("reads");
    assert_eq!(person.data.status.as_deref(), Some("data_verified"));
}

#[tokio::test]
async fn operations_without_credentials_send_none_even_from_a_wallet_client() {
    let f = Fixture::load("mserver", "mobile-operator", "ok");
    let server = kassa_testkit::mount(&f).await;
    let client = wallet_client(&server.uri());
    let op = client
        .mobile_operator(&mserver::MobileOperatorRequest {
            phone: "+79261111111".into(),
        })
        .await
        .expect("reads");
    assert_eq!(op.data.id, 834);
    server.verify().await;
}

#[tokio::test]
async fn operations_needing_credentials_refuse_a_client_without_them() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let client = Client::builder()
        .base_url(v1(&server.uri()))
        .transport(quiet_transport())
        .build()
        .expect("builds");
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert_eq!(e.field(), Some("credentials"));
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_cold_calls_fetch_one_application_token_from_another_port() {
    // Two hundred, not more: each call holds a socket at both ends, and the suite must pass
    // under the usual limit of 1,024 open files (the single-flight itself is proven for any
    // number of waiters by the token cache's own tests).
    let tokens = MockServer::start().await;
    let api = MockServer::start().await;
    assert_ne!(tokens.address().port(), api.address().port());
    Fixture::load("mserver", "application-token", "ok")
        .mock()
        .expect(1)
        .mount(&tokens)
        .await;
    kassa_testkit::catch_all().mount(&tokens).await;
    Mock::given(method("GET"))
        .and(path("/wallet"))
        .and(header(
            "authorization",
            format!("Bearer {APP_TOKEN}").as_str(),
        ))
        .and(header("x-authorization-type", "application"))
        .respond_with(wallet_answer())
        .expect(200)
        .mount(&api)
        .await;
    kassa_testkit::catch_all().mount(&api).await;
    let client = Arc::new(app_client(&api.uri(), &tokens.uri(), CLIENT_SECRET));
    let mut calls = Vec::new();
    for _ in 0..200 {
        let client = client.clone();
        calls.push(tokio::spawn(
            async move { client.get_wallet(&NoInput {}).await },
        ));
    }
    for call in calls {
        call.await.expect("joins").expect("the call succeeds");
    }
    assert_eq!(client.token_fetches(), 1);
    assert_eq!(tokens.received_requests().await.expect("recorded").len(), 1);
    tokens.verify().await;
    api.verify().await;
}

#[tokio::test]
async fn a_refused_application_token_is_fetched_again_and_the_call_sent_once_more() {
    let tokens = MockServer::start().await;
    let api = MockServer::start().await;
    Fixture::load("mserver", "application-token", "ok")
        .mock()
        .expect(2)
        .mount(&tokens)
        .await;
    kassa_testkit::faults::sequence(
        &api,
        "GET",
        "/wallet",
        vec![
            Fixture::load("mserver", "get-wallet", "unauthorized").response_template(),
            wallet_answer(),
        ],
    )
    .await;
    let client = app_client(&api.uri(), &tokens.uri(), CLIENT_SECRET);
    client
        .get_wallet(&NoInput {})
        .await
        .expect("the second try succeeds");
    assert_eq!(client.token_fetches(), 2);
    tokens.verify().await;
    api.verify().await;
}

#[tokio::test]
async fn refused_client_credentials_are_an_auth_error_and_no_api_call() {
    let tokens = MockServer::start().await;
    let api = MockServer::start().await;
    Fixture::load("mserver", "application-token", "invalid_client")
        .mock()
        .mount(&tokens)
        .await;
    kassa_testkit::catch_all().mount(&api).await;
    let client = app_client(&api.uri(), &tokens.uri(), "wrong-secret");
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert!(!e.to_string().contains("wrong-secret"), "{e}");
    api.verify().await;
}

#[tokio::test(start_paused = true)]
async fn the_application_token_is_fetched_again_ahead_of_its_expiry() {
    let tokens = MockServer::start().await;
    let api = MockServer::start().await;
    // expires_in 599 s; the client refreshes 60 s ahead (mserver::REFRESH_AHEAD).
    Fixture::load("mserver", "application-token", "ok")
        .mock()
        .expect(2)
        .mount(&tokens)
        .await;
    Mock::given(method("GET"))
        .and(path("/wallet"))
        .respond_with(wallet_answer())
        .expect(3)
        .mount(&api)
        .await;
    let client = app_client(&api.uri(), &tokens.uri(), CLIENT_SECRET);
    client.get_wallet(&NoInput {}).await.expect("first call");
    tokio::time::advance(std::time::Duration::from_secs(500)).await;
    client
        .get_wallet(&NoInput {})
        .await
        .expect("99 s left: the same token");
    assert_eq!(client.token_fetches(), 1);
    tokio::time::advance(std::time::Duration::from_secs(50)).await;
    client
        .get_wallet(&NoInput {})
        .await
        .expect("49 s left: a new token");
    assert_eq!(client.token_fetches(), 2);
    tokens.verify().await;
    api.verify().await;
}
