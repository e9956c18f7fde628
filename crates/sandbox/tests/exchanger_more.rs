//! The exchanger emulator's bid callback (delivered to a loopback receiver, listed at
//! `GET /_sandbox/exchanger/callbacks`) and its fault switches, met by the exchanger client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use exchanger::{
    BidActionRequest, BidInfoRequest, BidStatus, CalcAction, Client, CreateBidRequest,
    ExchangesRequest,
};
use kassa_sandbox::Fault;
use kassa_sandbox::exchanger::seed;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROVIDER: &str = "exchanger";
const CREATE: &str = "/api/userapi/v1/create_bid";
const PAY: &str = "/api/userapi/v1/pay_bid";

fn client(sandbox: &kassa_sandbox::Sandbox) -> Client {
    Client::builder(sandbox.url(PROVIDER))
        .login(seed::API_LOGIN)
        .key(seed::API_KEY)
        .build()
        .unwrap()
}

fn bid_request(api_id: Option<&str>, callback: Option<String>) -> CreateBidRequest {
    let mut req = CreateBidRequest::new(12, "0.015".parse().unwrap(), CalcAction::Give);
    req.api_id = api_id.map(str::to_owned);
    req.callback_url = callback;
    req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
    req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
    req.email = Some("test@example.com".into());
    req
}

/// `GET /_sandbox/exchanger/callbacks`.
async fn deliveries(sandbox: &kassa_sandbox::Sandbox) -> Vec<Value> {
    let text = reqwest::get(format!(
        "{}/_sandbox/exchanger/callbacks",
        sandbox.base_url()
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v.as_array().expect("a list").clone()
}

/// Polls the delivered list (every 20 ms, at most 10 s) until it holds `n` deliveries.
async fn wait_for_deliveries(sandbox: &kassa_sandbox::Sandbox, n: usize) -> Vec<Value> {
    let polled = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let list = deliveries(sandbox).await;
            if list.len() >= n {
                return list;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    polled.unwrap_or_else(|_| panic!("{n} callbacks were not delivered within 10 s"))
}

/// The `(bid_id, status)` of each callback the receiver got, in arrival order.
async fn received(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            assert_eq!(r.method.as_str(), "POST");
            assert!(
                r.headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded")),
                "a form: {r:?}"
            );
            let form: Vec<(String, String)> = form_pairs(&r.body);
            let get = |k: &str| {
                form.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            assert_eq!(form.len(), 2, "bid_id and status only: {form:?}");
            (get("bid_id"), get("status"))
        })
        .collect()
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

async fn receiver() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cb"))
        .respond_with(ResponseTemplate::new(200).set_body_string("OK"))
        .mount(&server)
        .await;
    server
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn every_status_change_is_posted_once_in_order_and_listed() {
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let server = receiver().await;
    let c = client(&sandbox);
    let url = format!("{}/cb", server.uri());

    let bid = c
        .create_bid(&bid_request(Some("cb-1"), Some(url.clone())))
        .await
        .unwrap();
    let act = BidActionRequest::for_bid(&bid);
    c.pay_bid(&act).await.unwrap();
    // asking for the status the bid has changes nothing and posts nothing
    c.pay_bid(&act).await.unwrap();
    c.success_bid(&BidActionRequest::hash(bid.hash.clone()))
        .await
        .unwrap();
    let list = wait_for_deliveries(&sandbox, 3).await;
    let id = bid.id.to_string();
    assert_eq!(
        received(&server).await,
        pairs(&[(&id, "new"), (&id, "payed"), (&id, "success")])
    );

    // another bid, cancelled
    let other = c
        .create_bid(&bid_request(Some("cb-2"), Some(url.clone())))
        .await
        .unwrap();
    c.cancel_bid(&BidActionRequest::for_bid(&other))
        .await
        .unwrap();
    let list2 = wait_for_deliveries(&sandbox, 5).await;
    let other_id = other.id.to_string();
    assert_eq!(
        received(&server).await,
        pairs(&[
            (&id, "new"),
            (&id, "payed"),
            (&id, "success"),
            (&other_id, "new"),
            (&other_id, "cancel"),
        ])
    );
    assert_eq!(&list2[..3], &list[..3], "the list only grows at its end");
    for (d, status) in list2
        .iter()
        .zip(["new", "payed", "success", "new", "cancel"])
    {
        assert_eq!(d["url"], url.as_str());
        assert_eq!(d["status"], status);
        assert_eq!(d["http_status"], 200);
        assert!(d["error"].is_null(), "{d}");
    }
    assert_eq!(list2[0]["bid_id"], id.as_str());
    assert_eq!(list2[4]["bid_id"], other_id.as_str());

    // a bid without a callback_url posts nothing
    let quiet = c
        .create_bid(&bid_request(Some("cb-3"), None))
        .await
        .unwrap();
    c.cancel_bid(&BidActionRequest::for_bid(&quiet))
        .await
        .unwrap();
    // a callback of a later bid proves the queue ran past the quiet one
    c.create_bid(&bid_request(Some("cb-4"), Some(url.clone())))
        .await
        .unwrap();
    let list3 = wait_for_deliveries(&sandbox, 6).await;
    assert_eq!(list3.len(), 6);
    assert_ne!(list3[5]["bid_id"], quiet.id.to_string().as_str());
    assert_eq!(received(&server).await.len(), 6);
}

#[tokio::test]
async fn the_answer_never_waits_for_the_receiver_and_failures_are_listed() {
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&slow)
        .await;
    let closed = kassa_testkit_free_port().await;
    let c = client(&sandbox);

    let started = tokio::time::Instant::now();
    let bid = c
        .create_bid(&bid_request(
            Some("slow-1"),
            Some(format!("{}/cb", slow.uri())),
        ))
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "create_bid answered in {:?}",
        started.elapsed()
    );
    c.create_bid(&bid_request(Some("down-1"), Some(format!("{closed}/cb"))))
        .await
        .unwrap();
    let list = wait_for_deliveries(&sandbox, 2).await;
    assert_eq!(list[0]["bid_id"], bid.id.to_string().as_str());
    assert!(list[0]["http_status"].is_null(), "{}", list[0]);
    assert!(
        list[0]["error"].as_str().unwrap().contains("timed out"),
        "{}",
        list[0]
    );
    assert!(list[1]["http_status"].is_null(), "{}", list[1]);
    assert!(
        list[1]["error"]
            .as_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("refused"),
        "{}",
        list[1]
    );
}

/// A loopback URL where nothing listens.
async fn kassa_testkit_free_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// The bids listed for `api_id`.
async fn bids_with(c: &Client, api_id: &str) -> usize {
    c.get_exchanges(&ExchangesRequest::by_api_id(api_id))
        .await
        .unwrap()
        .items
        .iter()
        .filter(|e| e.api_id == api_id)
        .count()
}

/// The reconcile step of an outcome-unknown error: its operation and its parameters.
fn reconcile(e: &exchanger::Error) -> (&'static str, Vec<(&'static str, String)>) {
    let unknown = e
        .outcome_unknown()
        .unwrap_or_else(|| panic!("outcome unknown: {e:?}"));
    let r = unknown.reconcile.as_ref().expect("a reconcile step");
    (r.operation, r.params.clone())
}

#[tokio::test]
async fn a_lost_create_bid_answer_names_get_exchanges_by_api_id_and_makes_at_most_one_bid() {
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let c = client(&sandbox);
    // (fault, api_id given, bids afterwards): a forced 503 answers instead of the emulator,
    // a dropped connection lets it create the bid
    for (fault, given, made) in [
        (Fault::status(PROVIDER, CREATE, 503), Some("f-503"), 0),
        (Fault::drop_connection(PROVIDER, CREATE), Some("f-drop"), 1),
        (Fault::status(PROVIDER, CREATE, 503), None, 0),
        (Fault::drop_connection(PROVIDER, CREATE), None, 1),
    ] {
        sandbox.faults().set(fault.clone().times(1));
        let e = c
            .create_bid(&bid_request(given, None))
            .await
            .expect_err("the answer is lost");
        assert!(e.may_have_taken_effect(), "{fault:?}: {e}");
        let (op, params) = reconcile(&e);
        assert_eq!(op, "get-exchanges", "{fault:?}");
        assert_eq!(params.len(), 1, "{params:?}");
        assert_eq!(params[0].0, "api_id");
        let api_id = params[0].1.clone();
        if let Some(given) = given {
            assert_eq!(api_id, given);
        } else {
            assert!(!api_id.is_empty(), "a generated api_id is named");
        }
        assert!(
            sandbox.faults().list().is_empty(),
            "the fault was used once"
        );
        assert_eq!(bids_with(&c, &api_id).await, made, "{fault:?} {api_id}");

        // create_bid_once with that api_id makes the bid only if the lost call did not
        let retried = c
            .create_bid_once(&bid_request(Some(&api_id), None))
            .await
            .unwrap();
        let created = matches!(retried, exchanger::CreateOnce::Created(_));
        assert_eq!(created, made == 0, "{fault:?}");
        assert_eq!(
            bids_with(&c, &api_id).await,
            1,
            "at most one bid for {api_id}"
        );
    }
}

#[tokio::test]
async fn a_lost_pay_bid_answer_names_bid_info_by_hash_and_pays_at_most_once() {
    let sandbox = kassa_sandbox::spawn().await.unwrap();
    let c = client(&sandbox);
    for (fault, paid) in [
        (Fault::status(PROVIDER, PAY, 503), false),
        (Fault::drop_connection(PROVIDER, PAY), true),
    ] {
        let bid = c.create_bid(&bid_request(None, None)).await.unwrap();
        sandbox.faults().set(fault.clone().times(1));
        let e = c
            .pay_bid(&BidActionRequest::for_bid(&bid))
            .await
            .expect_err("the answer is lost");
        assert!(e.may_have_taken_effect(), "{fault:?}: {e}");
        let (op, params) = reconcile(&e);
        assert_eq!(op, "bid-info", "{fault:?}");
        assert_eq!(params, vec![("hash", bid.hash.clone())]);
        // sent once: the fault counted one request and was used up
        assert!(sandbox.faults().list().is_empty(), "sent exactly once");
        let now = c
            .bid_info(&BidInfoRequest::hash(bid.hash.clone()))
            .await
            .unwrap();
        let want = if paid {
            BidStatus::Payed
        } else {
            BidStatus::New
        };
        assert_eq!(now.status, want, "{fault:?}");
        let history = c
            .get_exchanges(&ExchangesRequest {
                id: Some(bid.id),
                status_history: Some(true),
                ..ExchangesRequest::default()
            })
            .await
            .unwrap();
        let payed = history.items[0]
            .statuses
            .iter()
            .filter(|s| s.status == BidStatus::Payed)
            .count();
        assert_eq!(payed, usize::from(paid), "paid at most once");
    }
}
