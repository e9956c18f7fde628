//! Faults: timeouts, 5xx, HTML, 304, truncated bodies, each counting the requests sent.
//! Reads are retried; operations that change state are never resent once they may have
//! reached the server.

mod common;

use std::time::Duration;

use common::*;
use kassa_core::{Error, RetryPolicy, Timeouts};
use kassa_testkit::faults::{delayed, json_body, raw_body};
use mserver::{ConditionalRequest, NoInput, WalletSettingsRequest};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn retry(n: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: n,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        ..RetryPolicy::default()
    }
}

fn settings() -> WalletSettingsRequest {
    WalletSettingsRequest {
        email: "test@wallet.best".into(),
        email_send_frequency: "daily".into(),
    }
}

async fn answering(http_method: &str, p: &str, t: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(http_method))
        .and(path(p))
        .respond_with(t)
        .expect(times)
        .mount(&server)
        .await;
    server
}

/// `wallet-settings` (a `once` call) answered with `t`: sent exactly once whatever the
/// retry policy (three attempts allowed); its error.
async fn settings_answered(t: ResponseTemplate) -> Error {
    let server = answering("POST", "/wallet/settings", t, 1).await;
    let client = wallet_client_with(&server.uri(), quiet_transport(), Timeouts::none(), retry(3));
    let e = client
        .wallet_settings(&settings())
        .await
        .expect_err("a once call fails here");
    server.verify().await;
    e
}

/// `get-wallet` (a read) answered with `t` once; its error.
async fn wallet_answered(t: ResponseTemplate) -> Error {
    let server = answering("GET", "/wallet", t, 1).await;
    let e = wallet_client(&server.uri())
        .get_wallet(&NoInput {})
        .await
        .expect_err("a read fails here");
    server.verify().await;
    e
}

#[tokio::test]
async fn a_5xx_on_a_read_is_asked_again_then_reported() {
    let server = answering("GET", "/wallet", ResponseTemplate::new(503), 3).await;
    let client = wallet_client_with(&server.uri(), quiet_transport(), Timeouts::none(), retry(3));
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert!(matches!(e, Error::Http { status: 503, .. }), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_5xx_on_a_once_operation_is_sent_once_and_outcome_unknown() {
    let e = settings_answered(ResponseTemplate::new(502)).await;
    assert!(e.may_have_taken_effect(), "{e:?}");
}

#[tokio::test]
async fn a_5xx_with_a_code_is_read_by_its_status() {
    let body = r#"{"meta": {"code": 500, "error": "wallet_not_found"}}"#;
    let e = settings_answered(json_body(500, body)).await;
    assert!(e.may_have_taken_effect(), "{e:?}");
}

#[tokio::test]
async fn an_html_page_on_a_read_is_an_http_error_quoting_it() {
    let html = "<html><body>Bad gateway</body></html>";
    let e = wallet_answered(raw_body(200, "text/html", html)).await;
    assert!(
        matches!(e, Error::Http { status: 200, .. } | Error::Decode { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("Bad gateway"), "{e}");
    assert!(!e.may_have_taken_effect());
}

#[tokio::test]
async fn an_html_page_on_a_once_operation_is_outcome_unknown() {
    let e = settings_answered(raw_body(200, "text/html", "<html>ok?</html>")).await;
    assert!(e.may_have_taken_effect(), "{e:?}");
}

#[tokio::test]
async fn a_truncated_body_says_where_it_broke() {
    let cut = r#"{"meta": {"code": 200}, "data": {"phone": "+79261111111", "amount": 12"#;
    let e = wallet_answered(json_body(200, cut)).await;
    assert!(
        matches!(e, Error::Http { .. } | Error::Decode { .. }),
        "{e:?}"
    );
    assert!(!e.may_have_taken_effect());
    let e = settings_answered(json_body(200, r#"{"meta": {"co"#)).await;
    assert!(
        e.may_have_taken_effect(),
        "a cut answer to a once call: {e:?}"
    );
}

#[tokio::test]
async fn a_wrong_amount_in_a_success_names_the_path() {
    let body = r#"{"meta": {"code": 200}, "data": {"phone": "+79261111111", "amount": 12.345}}"#;
    let e = wallet_answered(json_body(200, body)).await;
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("data.amount"), "{e}");
}

#[tokio::test]
async fn a_304_is_not_modified_and_sent_once() {
    let server = answering("GET", "/groups", ResponseTemplate::new(304), 1).await;
    let got = wallet_client(&server.uri())
        .list_groups(&ConditionalRequest {
            modified_since: Some(1423147436),
        })
        .await
        .expect("a 304 is no error");
    assert!(got.is_not_modified());
    server.verify().await;
}

#[tokio::test]
async fn a_304_to_a_once_operation_is_outcome_unknown() {
    let e = settings_answered(ResponseTemplate::new(304)).await;
    assert!(e.may_have_taken_effect(), "{e:?}");
}

/// A server that answers `method path` only after an hour, expecting `times` requests, and a
/// client whose attempts time out after 300 ms with `attempts` tries. Real time: a paused
/// clock would fire the timeout before the request reaches the server.
async fn slow(
    http_method: &str,
    p: &str,
    times: u64,
    attempts: u32,
) -> (MockServer, mserver::Client) {
    let slow = delayed(ResponseTemplate::new(200), Duration::from_secs(3600));
    let server = answering(http_method, p, slow, times).await;
    let timeouts = Timeouts::none().attempt(Duration::from_millis(300));
    let client = wallet_client_with(&server.uri(), quiet_transport(), timeouts, retry(attempts));
    (server, client)
}

#[tokio::test]
async fn a_timeout_on_a_read_is_retried() {
    let (server, client) = slow("GET", "/wallet", 2, 2).await;
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_timeout_on_a_once_operation_is_never_resent() {
    let (server, client) = slow("POST", "/wallet/settings", 1, 3).await;
    let e = client.wallet_settings(&settings()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let uri = kassa_testkit::faults::closed_port().await;
    let client = wallet_client_with(&uri, quiet_transport(), Timeouts::none(), retry(2));
    let e = client.wallet_settings(&settings()).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(!e.may_have_taken_effect(), "never connected: {e:?}");
}
