//! Money safety: a create-bid whose answer is lost is never sent again before
//! `get_exchanges` by `api_id` has been asked; cancel and pay are refused before sending when
//! the bid's `api_actions` do not allow them; bid_info needs an id or a hash; the client
//! makes an `api_id` when none is given; a callback is confirmed with bid_info.

mod common;

use std::time::Duration;

use common::{client, client_with, form_of, quiet_transport, received_on};
use exchanger::{
    Bid, BidActionRequest, BidId, BidInfoRequest, BidStatus, CalcAction, CreateBidRequest,
    CreateOnce, parse_callback,
};
use kassa_core::{RetryPolicy, Sent, Timeouts};
use kassa_testkit::Fixture;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const PROVIDER: &str = "exchanger";
const CREATE: &str = "/api/userapi/v1/create_bid";
const EXCHANGES: &str = "/api/userapi/v1/get_exchanges";

fn request() -> CreateBidRequest {
    let mut req = CreateBidRequest::new(12, "0.015".parse().expect("amount"), CalcAction::Give)
        .api_id("order-42");
    req.callback_url = Some("https://merchant.example/exchanger/callback".into());
    req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
    req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
    req.email = Some("test@example.com".into());
    req
}

/// Answers too late and reports each arrival (from wiremock's own thread).
struct SlowAndSignal(std::sync::mpsc::Sender<()>);

impl Respond for SlowAndSignal {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let _ = self.0.send(());
        Fixture::load(PROVIDER, "create-bid", "ok")
            .response_template()
            .set_delay(Duration::from_secs(30))
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_bid_that_times_out_is_not_resent_until_get_exchanges_by_api_id_is_asked() {
    let server = MockServer::start().await;
    let (tx, rx) = std::sync::mpsc::channel();
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(SlowAndSignal(tx))
        .expect(1)
        .mount(&server)
        .await;
    // The gate holds the paused clock still until the server has the request (tokio does
    // not auto-advance while a blocking task runs).
    let gate =
        tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)).is_ok());
    let hasty = client_with(
        &server.uri(),
        quiet_transport(),
        Timeouts::none().attempt(Duration::from_secs(1)),
        RetryPolicy::default(),
    );
    let err = hasty.create_bid(&request()).await.expect_err("times out");
    assert!(gate.await.expect("gate"), "the server saw the bid");
    let unknown = err.outcome_unknown().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(unknown.operation, "create-bid");
    assert_eq!(
        kassa_testkit::ErrorView::of(&err).reconcile.as_deref(),
        Some("get-exchanges with api_id=order-42")
    );
    assert_eq!(err.was_sent(), Sent::Maybe);
    assert!(!err.is_retryable());
    assert_eq!(received_on(&server, CREATE).await.len(), 1, "never resent");

    // Retrying through create_bid_once asks get_exchanges by api_id first: the bid is
    // there, nothing is created again.
    kassa_testkit::mount_on(
        &server,
        &Fixture::load(PROVIDER, "get-exchanges", "ok_by_api_id"),
    )
    .await;
    // A client without the 1 s attempt timeout: on the paused clock the timer would fire
    // while the lookup waits on the loopback socket.
    let patient = client(&server.uri());
    let again = patient
        .create_bid_once(&request())
        .await
        .expect("looked up");
    let CreateOnce::Existing(found) = again else {
        panic!("expected the existing bid, got {again:?}")
    };
    assert_eq!(found.id, BidId(1350));
    assert_eq!(found.api_id, "order-42");
    assert_eq!(
        received_on(&server, CREATE).await.len(),
        1,
        "still one create_bid"
    );
    let asked = received_on(&server, EXCHANGES).await;
    assert_eq!(asked.len(), 1);
    assert_eq!(
        form_of(&asked[0]).get("api_id").map(String::as_str),
        Some("order-42")
    );
    server.verify().await;
}

#[tokio::test]
async fn create_bid_once_creates_only_after_get_exchanges_found_nothing() {
    let server = MockServer::start().await;
    // get-exchanges/empty asks for order-43: use that api_id.
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "get-exchanges", "empty")).await;
    let mut fixture = Fixture::load(PROVIDER, "create-bid", "ok");
    fixture
        .request
        .form
        .as_mut()
        .expect("form")
        .insert("api_id".into(), "order-43".into());
    kassa_testkit::mount_on(&server, &fixture).await;
    let client = client(&server.uri());
    let mut req = request();
    req.api_id = Some("order-43".into());
    let created = client.create_bid_once(&req).await.expect("created");
    let CreateOnce::Created(bid) = created else {
        panic!("expected a new bid, got {created:?}")
    };
    assert_eq!(bid.api_id.as_deref(), Some("order-43"));
    let all = server.received_requests().await.expect("recording");
    let paths: Vec<&str> = all.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths, [EXCHANGES, CREATE], "looked up before creating");
    server.verify().await;
}

#[tokio::test]
async fn create_bid_once_needs_an_api_id_and_create_bid_makes_one() {
    let server = MockServer::start().await;
    let mut req = request();
    req.api_id = None;
    let client = client(&server.uri());
    let err = client
        .create_bid_once(&req)
        .await
        .expect_err("needs api_id");
    assert_eq!(err.field(), Some("api_id"));
    assert!(server.received_requests().await.expect("rec").is_empty());

    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(Fixture::load(PROVIDER, "create-bid", "ok").response_template())
        .expect(1)
        .mount(&server)
        .await;
    let bid = client.create_bid(&req).await.expect("created");
    let sent = form_of(&received_on(&server, CREATE).await[0]);
    let api_id = sent.get("api_id").expect("an api_id is always sent");
    assert_eq!(api_id.len(), 36, "a UUID: {api_id}");
    assert_eq!(bid.api_id.as_deref(), Some(api_id.as_str()));
}

fn bid_of(case: &str) -> Bid {
    let f = Fixture::load(PROVIDER, "create-bid", case);
    serde_json::from_value(f.response.json.expect("json")["data"].clone()).expect("a bid")
}

#[tokio::test]
async fn cancel_bid_on_a_bid_whose_cancel_is_disabled_sends_nothing() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let client = client(&server.uri());
    let bid = bid_of("ok_pay_link");
    assert_eq!(bid.api_actions.cancel, exchanger::ApiAction::Disabled);
    let err = client
        .cancel_bid(&BidActionRequest::for_bid(&bid))
        .await
        .expect_err("refused before sending");
    assert_eq!(err.field(), Some("api_actions.cancel"));
    assert_eq!(err.was_sent(), Sent::No);
    // pay is a URL for the user, not `api`.
    let err = client
        .pay_bid(&BidActionRequest::for_bid(&bid))
        .await
        .expect_err("refused before sending");
    assert_eq!(err.field(), Some("api_actions.pay"));
    assert!(
        server.received_requests().await.expect("rec").is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn cancel_bid_goes_out_when_the_bid_allows_it() {
    let fixture = Fixture::load(PROVIDER, "cancel-bid", "ok");
    let server = kassa_testkit::mount(&fixture).await;
    let client = client(&server.uri());
    let bid = bid_of("ok");
    assert!(
        bid.api_actions.cancel.allows_api(),
        "create-bid/ok allows cancel by API"
    );
    let state = client
        .cancel_bid(&BidActionRequest::for_bid(&bid))
        .await
        .expect("cancelled");
    assert_eq!(state.status, BidStatus::Cancel);
    server.verify().await;
}

#[tokio::test]
async fn bid_info_needs_an_id_or_a_hash_before_sending() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let client = client(&server.uri());
    for req in [BidInfoRequest::default(), BidInfoRequest::hash("  ")] {
        let err = client.bid_info(&req).await.expect_err("refused");
        assert_eq!(err.field(), Some("id"));
    }
    let err = exchanger::call_json(&client, "bid-info", "{}")
        .await
        .expect_err("refused");
    assert_eq!(err.field(), Some("id"));
    assert!(server.received_requests().await.expect("rec").is_empty());
}

#[tokio::test]
async fn a_callback_is_confirmed_with_bid_info() {
    let fixture = Fixture::load(PROVIDER, "bid-info", "ok_by_id");
    let server = kassa_testkit::mount(&fixture).await;
    let client = client(&server.uri());
    let (_, body) = Fixture::load(PROVIDER, "bid-callback", "ok").inbound();
    let claimed = parse_callback(&body).expect("parsed");
    assert_eq!(claimed.claimed().status, Some(BidStatus::Payed));
    let bid = client.confirm_callback(&claimed).await.expect("confirmed");
    assert_eq!(bid.id, BidId(1350));
    server.verify().await;
}

#[tokio::test]
async fn an_empty_answer_to_create_bid_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"error":"0","error_text":"","data":[]}"#,
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .create_bid(&request())
        .await
        .expect_err("empty");
    assert!(err.outcome_unknown().is_some(), "{err:?}");
    assert_eq!(exchanger::code_of(&err), Some(&exchanger::Code::Empty));
    server.verify().await;
}
