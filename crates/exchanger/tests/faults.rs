//! Fault tests: 5xx, HTML bodies, cut connections, a closed port, oversized answers, on a
//! read (asked again) and on create-bid (never resent: outcome-unknown naming get-exchanges
//! by api_id). Run on tokio's paused clock: the retry back-off takes no real time.

mod common;

use common::{client, client_with, quiet_transport, received_on};
use exchanger::{CalcAction, Client, CreateBidRequest, ExchangesRequest};
use kassa_core::{Error, RetryPolicy, Sent, Timeouts};
use kassa_testkit::{Fixture, faults};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const PROVIDER: &str = "exchanger";
const CREATE: &str = "/api/userapi/v1/create_bid";
const EXCHANGES: &str = "/api/userapi/v1/get_exchanges";

fn request() -> CreateBidRequest {
    CreateBidRequest::new(12, "0.015".parse().expect("amount"), CalcAction::Give).api_id("order-42")
}

fn assert_create_unknown(err: &Error) {
    let unknown = err
        .outcome_unknown()
        .unwrap_or_else(|| panic!("outcome unknown: {err:?}"));
    assert_eq!(unknown.operation, "create-bid");
    assert_eq!(
        kassa_testkit::ErrorView::of(err).reconcile.as_deref(),
        Some("get-exchanges with api_id=order-42")
    );
    assert!(err.may_have_taken_effect());
    assert!(!err.is_retryable());
    assert_eq!(err.was_sent(), Sent::Maybe);
}

async fn answering(route: &str, template: wiremock::ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[tokio::test(start_paused = true)]
async fn a_read_answered_503_is_asked_again_and_then_succeeds() {
    let server = MockServer::start().await;
    let ok = Fixture::load(PROVIDER, "get-exchanges", "ok").response_template();
    faults::status_sequence(&server, "POST", EXCHANGES, &[503, 502], ok).await;
    let found = client(&server.uri())
        .get_exchanges(&ExchangesRequest::default())
        .await
        .expect("third time");
    assert_eq!(found.items.len(), 1);
    assert_eq!(received_on(&server, EXCHANGES).await.len(), 3);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_read_answered_503_every_time_gives_up_after_the_policy() {
    let server = answering(EXCHANGES, wiremock::ResponseTemplate::new(503)).await;
    let err = client(&server.uri())
        .get_exchanges(&ExchangesRequest::default())
        .await
        .expect_err("503");
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(received_on(&server, EXCHANGES).await.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn create_bid_answered_5xx_or_html_is_outcome_unknown_after_one_request() {
    for template in [
        wiremock::ResponseTemplate::new(503),
        wiremock::ResponseTemplate::new(500),
        faults::raw_body(200, "text/html", "<html><body>maintenance</body></html>"),
        faults::raw_body(200, "application/json", ""),
        faults::json_body(200, r#"{"error":"0","data":{"id":"x"}}"#),
    ] {
        let server = answering(CREATE, template).await;
        let err = client(&server.uri())
            .create_bid(&request())
            .await
            .expect_err("unclear");
        assert_create_unknown(&err);
        assert_eq!(received_on(&server, CREATE).await.len(), 1, "never resent");
    }
}

#[tokio::test(start_paused = true)]
async fn create_bid_answered_400_was_refused_before_processing() {
    let server = answering(CREATE, wiremock::ResponseTemplate::new(400)).await;
    let err = client(&server.uri())
        .create_bid(&request())
        .await
        .expect_err("400");
    assert!(matches!(err, Error::Http { status: 400, .. }), "{err:?}");
    assert!(!err.may_have_taken_effect());
    assert_eq!(received_on(&server, CREATE).await.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_read_answered_html_is_a_clear_error() {
    let server = answering(
        EXCHANGES,
        faults::raw_body(200, "text/html", "<html>oops</html>"),
    )
    .await;
    let err = client(&server.uri())
        .get_exchanges(&ExchangesRequest::default())
        .await
        .expect_err("html");
    assert!(!err.may_have_taken_effect(), "{err:?}");
    assert!(
        err.to_string().contains("oops") || err.to_string().contains("html"),
        "{err}"
    );
}

#[tokio::test]
async fn a_cut_connection_on_create_bid_is_outcome_unknown_and_not_resent() {
    let cut = faults::CutServer::start().await;
    let c = client_with(
        &cut.uri(),
        quiet_transport(),
        Timeouts::none(),
        RetryPolicy::default(),
    );
    let err = c.create_bid(&request()).await.expect_err("cut");
    assert_create_unknown(&err);
    assert_eq!(cut.requests(), 1, "never resent");
}

#[tokio::test]
async fn a_cut_connection_on_a_read_is_asked_again() {
    let cut = faults::CutServer::start().await;
    let c = client_with(
        &cut.uri(),
        quiet_transport(),
        Timeouts::none(),
        RetryPolicy::default(),
    );
    let err = c
        .get_exchanges(&ExchangesRequest::default())
        .await
        .expect_err("cut");
    assert!(!err.may_have_taken_effect(), "{err:?}");
    cut.wait_for_requests(3).await;
    assert_eq!(cut.requests(), 3);
}

#[tokio::test]
async fn a_closed_port_never_sent_the_bid() {
    let uri = faults::closed_port().await;
    let c: Client = client_with(
        &uri,
        quiet_transport(),
        Timeouts::none(),
        RetryPolicy::none(),
    );
    let err = c.create_bid(&request()).await.expect_err("closed");
    assert_eq!(err.was_sent(), Sent::No, "{err:?}");
    assert!(!err.may_have_taken_effect());
}

#[tokio::test]
async fn an_oversized_answer_is_refused_without_reading_it_all() {
    let big = format!(
        r#"{{"error":0,"data":{{"items":[],"pad":"{}"}}}}"#,
        "x".repeat(64 * 1024)
    );
    let server = answering(EXCHANGES, faults::json_body(200, &big)).await;
    let c = Client::builder(server.uri())
        .login(common::LOGIN)
        .key(common::KEY)
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .retry(RetryPolicy::none())
        .max_answer_bytes(4096)
        .build()
        .expect("client");
    let err = c
        .get_exchanges(&ExchangesRequest::default())
        .await
        .expect_err("too big");
    assert!(
        err.to_string().contains("4096") || format!("{err:?}").contains("TooLarge"),
        "{err:?}"
    );
}
