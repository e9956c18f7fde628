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

#[tokio::test]
async fn a_5xx_on_a_read_is_asked_again_then_reported() {
    let server = answering("GET", "/v1/wallet", ResponseTemplate::new(503), 3).await;
    let client = wallet_client_with(&server.uri(), quiet_transport(), Timeouts::none(), retry(3));
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert!(matches!(e, Error::Http { status: 503, .. }), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_5xx_on_a_once_operation_is_sent_once_and_outcome_unknown() {
    let server = answering("POST", "/v1/wallet/settings", ResponseTemplate::new(502), 1).await;
    let client = wallet_client_with(&server.uri(), quiet_transport(), Timeouts::none(), retry(3));
    let e = client.wallet_settings(&settings()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_5xx_with_a_code_is_read_by_its_status() {
    let body = r#"{"meta": {"code": 500, "error": "wallet_not_found"}}"#;
    let server = answering("POST", "/v1/wallet/settings", json_body(500, body), 1).await;
    let client = wallet_client_with(&server.uri(), quiet_transport(), Timeouts::none(), retry(3));
    let e = client.wallet_settings(&settings()).await.unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn an_html_page_on_a_read_is_an_http_error_quoting_it() {
    let html = "<html><body>Bad gateway</body></html>";
    let server = answering("GET", "/v1/wallet", raw_body(200, "text/html", html), 1).await;
    let e = wallet_client(&server.uri())
        .get_wallet(&NoInput {})
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Http { status: 200, .. } | Error::Decode { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("Bad gateway"), "{e}");
    assert!(!e.may_have_taken_effect());
    server.verify().await;
}

#[tokio::test]
async fn an_html_page_on_a_once_operation_is_outcome_unknown() {
    let server = answering(
        "POST",
        "/v1/wallet/settings",
        raw_body(200, "text/html", "<html>ok?</html>"),
        1,
    )
    .await;
    let e = wallet_client(&server.uri())
        .wallet_settings(&settings())
        .await
        .unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_truncated_body_says_where_it_broke() {
    let cut = r#"{"meta": {"code": 200}, "data": {"phone": "+79261111111", "amount": 12"#;
    let server = answering("GET", "/v1/wallet", json_body(200, cut), 1).await;
    let e = wallet_client(&server.uri())
        .get_wallet(&NoInput {})
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Http { .. } | Error::Decode { .. }),
        "{e:?}"
    );
    assert!(!e.may_have_taken_effect());
    server.verify().await;

    let server = answering(
        "POST",
        "/v1/wallet/settings",
        json_body(200, r#"{"meta": {"co"#),
        1,
    )
    .await;
    let e = wallet_client(&server.uri())
        .wallet_settings(&settings())
        .await
        .unwrap_err();
    assert!(
        e.may_have_taken_effect(),
        "a cut answer to a once call: {e:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_wrong_amount_in_a_success_names_the_path() {
    let body = r#"{"meta": {"code": 200}, "data": {"phone": "+79261111111", "amount": 12.345}}"#;
    let server = answering("GET", "/v1/wallet", json_body(200, body), 1).await;
    let e = wallet_client(&server.uri())
        .get_wallet(&NoInput {})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("data.amount"), "{e}");
    server.verify().await;
}

#[tokio::test]
async fn a_304_is_not_modified_and_sent_once() {
    let server = answering("GET", "/v1/groups", ResponseTemplate::new(304), 1).await;
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
    let server = answering("POST", "/v1/wallet/settings", ResponseTemplate::new(304), 1).await;
    let e = wallet_client(&server.uri())
        .wallet_settings(&settings())
        .await
        .unwrap_err();
    assert!(e.may_have_taken_effect(), "{e:?}");
    server.verify().await;
}

// Real time: the attempt timeout is 300 ms and the server waits an hour; a paused clock
// would fire the timeout before the request reaches the server.
#[tokio::test]
async fn a_timeout_on_a_read_is_retried() {
    let slow = delayed(ResponseTemplate::new(200), Duration::from_secs(3600));
    let server = answering("GET", "/v1/wallet", slow, 2).await;
    let client = wallet_client_with(
        &server.uri(),
        quiet_transport(),
        Timeouts::none().attempt(Duration::from_millis(300)),
        retry(2),
    );
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    server.verify().await;
}

// Real time: the attempt timeout is 300 ms and the server waits an hour; a paused clock
// would fire the timeout before the request reaches the server.
#[tokio::test]
async fn a_timeout_on_a_once_operation_is_never_resent() {
    let slow = delayed(ResponseTemplate::new(200), Duration::from_secs(3600));
    let server = answering("POST", "/v1/wallet/settings", slow, 1).await;
    let client = wallet_client_with(
        &server.uri(),
        quiet_transport(),
        Timeouts::none().attempt(Duration::from_millis(300)),
        retry(3),
    );
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
