//! The faults every operation that moves money meets (create-bid, cancel-bid, pay-bid,
//! success-bid, add-partner-payout): a 401 with a code, a 401 with an unknown code, an
//! unknown status, an answer about another bid, a 1 GiB answer, a malformed API key. Each
//! request is sent at most once (`expect(1)`, or a counting server).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{KEY, LOGIN, client, form_of, received_on};
use exchanger::{
    BidId, BidInfoRequest, BidStatus, CalcAction, Client, Code, CreateBidRequest, code_of,
};
use kassa_core::{Error, RetryPolicy, Sent, Timeouts};
use kassa_testkit::{ErrorView, Fixture, faults};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROVIDER: &str = "exchanger";
const CREATE: &str = "/api/userapi/v1/create_bid";
const EXCHANGES: &str = "/api/userapi/v1/get_exchanges";

/// The five operations that move money: (operation, method, parameters, reconcile step).
const MOVING: [(&str, &str, &str, &str); 5] = [
    (
        "create-bid",
        "create_bid",
        r#"{"direction_id": "12", "calc_amount": "0.015", "calc_action": "1", "api_id": "order-42"}"#,
        "get-exchanges with api_id=order-42",
    ),
    (
        "cancel-bid",
        "cancel_bid",
        r#"{"hash": "9f8e7d6c5b4a"}"#,
        "bid-info with hash=9f8e7d6c5b4a",
    ),
    (
        "pay-bid",
        "pay_bid",
        r#"{"hash": "9f8e7d6c5b4a"}"#,
        "bid-info with hash=9f8e7d6c5b4a",
    ),
    (
        "success-bid",
        "success_bid",
        r#"{"hash": "9f8e7d6c5b4a"}"#,
        "bid-info with hash=9f8e7d6c5b4a",
    ),
    (
        "add-partner-payout",
        "add_partner_payout",
        r#"{"method_id": "7", "account": "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"}"#,
        "get-partner-payouts",
    ),
];

fn request() -> CreateBidRequest {
    CreateBidRequest::new(12, "0.015".parse().expect("amount"), CalcAction::Give).api_id("order-42")
}

/// A server answering `template` on `route`, expecting exactly one request.
async fn once_on(route: &str, template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// create-bid/ok's answer with `edit` applied to its data.
fn create_ok_with(edit: impl FnOnce(&mut serde_json::Value)) -> ResponseTemplate {
    let mut body = Fixture::load(PROVIDER, "create-bid", "ok")
        .response
        .json
        .expect("json");
    edit(&mut body["data"]);
    json(200, &body.to_string())
}

fn assert_unknown(err: &Error, op: &str, reconcile: &str) {
    let unknown = err
        .outcome_unknown()
        .unwrap_or_else(|| panic!("{op}: outcome unknown expected, got {err:?}"));
    assert_eq!(unknown.operation, op);
    let view = ErrorView::of(err);
    assert!(
        view.reconcile
            .as_deref()
            .is_some_and(|r| r.starts_with(reconcile)),
        "{op}: {view:?}"
    );
    assert!(err.may_have_taken_effect(), "{op}");
    assert!(!err.is_retryable(), "{op}");
    assert_eq!(err.was_sent(), Sent::Maybe, "{op}");
}

#[tokio::test]
async fn a_401_with_api_disabled_is_an_auth_error_sent_once_on_every_moving_operation() {
    for (op, route, params, _) in MOVING {
        let server = once_on(
            &format!("/api/userapi/v1/{route}"),
            json(401, r#"{"error": 1, "error_text": "Api disabled"}"#),
        )
        .await;
        let err = exchanger::call_json(&client(&server.uri()), op, params)
            .await
            .expect_err(op);
        assert!(err.is_auth(), "{op}: {err:?}");
        assert_eq!(code_of(&err), Some(&Code::ApiDisabled), "{op}");
        assert!(!err.may_have_taken_effect(), "{op}");
        server.verify().await;
    }
}

#[tokio::test]
async fn a_401_with_an_unknown_code_is_outcome_unknown_sent_once_on_every_moving_operation() {
    for (op, route, params, reconcile) in MOVING {
        let server = once_on(
            &format!("/api/userapi/v1/{route}"),
            json(401, r#"{"error": "17", "error_text": "token expired"}"#),
        )
        .await;
        let err = exchanger::call_json(&client(&server.uri()), op, params)
            .await
            .expect_err(op);
        assert_unknown(&err, op, reconcile);
        assert_eq!(code_of(&err), Some(&Code::Unknown("17".into())), "{op}");
        assert!(err.to_string().contains("token expired"), "{op}: {err}");
        server.verify().await;
    }
}

#[tokio::test]
async fn a_401_without_an_envelope_is_outcome_unknown_sent_once_on_every_moving_operation() {
    for (op, route, params, reconcile) in MOVING {
        let server = once_on(
            &format!("/api/userapi/v1/{route}"),
            faults::raw_body(401, "text/html", "<html>401 Authorization Required</html>"),
        )
        .await;
        let err = exchanger::call_json(&client(&server.uri()), op, params)
            .await
            .expect_err(op);
        assert_unknown(&err, op, reconcile);
        server.verify().await;
    }
}

#[tokio::test]
async fn an_unknown_status_is_kept_and_never_success_on_the_bid_operations() {
    let server = once_on(CREATE, create_ok_with(|d| d["status"] = "brandnew".into())).await;
    let bid = client(&server.uri())
        .create_bid(&request())
        .await
        .expect("a bid with a new status");
    assert_eq!(bid.status, BidStatus::Unknown("brandnew".into()));
    assert!(!bid.status.is_success() && !bid.status.is_final());
    server.verify().await;

    for (op, route, params, _) in &MOVING[1..4] {
        for body in [
            r#"{"error": 0, "data": {"status": "frozen", "status_title": "?"}}"#,
            r#"{"error": "0", "data": "frozen"}"#,
        ] {
            let server = once_on(&format!("/api/userapi/v1/{route}"), json(200, body)).await;
            let answer = exchanger::call_json(&client(&server.uri()), op, params)
                .await
                .unwrap_or_else(|e| panic!("{op}: {e}"));
            let v: serde_json::Value = serde_json::from_str(&answer).expect("json");
            assert_eq!(v["status"], "frozen", "{op}");
            let state: exchanger::BidState =
                serde_json::from_str(&serde_json::to_string(&v["status"]).expect("text"))
                    .expect("a state");
            assert!(!state.status.is_success(), "{op}");
            server.verify().await;
        }
    }
}

#[tokio::test]
async fn an_empty_status_is_a_decode_error_after_one_request() {
    for (op, route, params, reconcile) in &MOVING[1..4] {
        let server = once_on(
            &format!("/api/userapi/v1/{route}"),
            json(200, r#"{"error": 0, "data": {"status": ""}}"#),
        )
        .await;
        let err = exchanger::call_json(&client(&server.uri()), op, params)
            .await
            .expect_err(op);
        assert_unknown(&err, op, reconcile);
        server.verify().await;
    }
}

#[tokio::test]
async fn a_create_bid_answer_naming_another_api_id_is_not_taken_as_ours() {
    let server = once_on(
        CREATE,
        create_ok_with(|d| {
            d["id"] = "1351".into();
            d["api_id"] = "order-41".into();
        }),
    )
    .await;
    let err = client(&server.uri())
        .create_bid(&request())
        .await
        .expect_err("another bid");
    assert_unknown(&err, "create-bid", "get-exchanges with api_id=order-42");
    let text = format!("{err}");
    assert!(text.contains("order-41") && text.contains("1351"), "{text}");
    server.verify().await;

    // The same api_id echoed back is ours.
    let server = once_on(CREATE, create_ok_with(|d| d["api_id"] = "order-42".into())).await;
    let bid = client(&server.uri())
        .create_bid(&request())
        .await
        .expect("ours");
    assert_eq!(bid.api_id.as_deref(), Some("order-42"));
    server.verify().await;
}

#[tokio::test]
async fn a_bid_info_answer_about_another_bid_is_an_error() {
    let mut body = Fixture::load(PROVIDER, "bid-info", "ok_by_id")
        .response
        .json
        .expect("json");
    body["data"]["id"] = "1351".into();
    body["data"]["hash"] = "0000aaaa1111".into();
    for req in [
        BidInfoRequest::id(BidId(1350)),
        BidInfoRequest::hash("9f8e7d6c5b4a"),
    ] {
        let server = once_on("/api/userapi/v1/bid_info", json(200, &body.to_string())).await;
        let err = client(&server.uri())
            .bid_info(&req)
            .await
            .expect_err("another bid");
        let Error::Decode { path, message, .. } = &err else {
            panic!("{req:?}: a decode error expected, got {err:?}")
        };
        assert!(path == "data.id" || path == "data.hash", "{path}");
        assert!(message.contains("not the bid asked for"), "{message}");
        server.verify().await;
    }
}

#[tokio::test]
async fn create_bid_once_creates_nothing_when_get_exchanges_ignored_the_api_id() {
    let server = MockServer::start().await;
    // Bids listed, none with our api_id: the filter was not applied.
    Mock::given(method("POST"))
        .and(path(EXCHANGES))
        .respond_with(
            Fixture::load(PROVIDER, "get-exchanges", "ok_items_keyed").response_template(),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let mut req = request();
    req.api_id = Some("order-77".into());
    let err = client(&server.uri())
        .create_bid_once(&req)
        .await
        .expect_err("cannot tell");
    assert_unknown(&err, "create-bid", "get-exchanges with api_id=order-77");
    let asked = received_on(&server, EXCHANGES).await;
    assert_eq!(
        form_of(&asked[0]).get("api_id").map(String::as_str),
        Some("order-77")
    );
    server.verify().await;
}

/// A loopback server answering every request with a 1 GiB body (declared in
/// `Content-Length`, or streamed chunked), counting the requests it read.
async fn gigabyte_server(declared: bool) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut got = Vec::new();
                // Read the head and the form body (its Content-Length).
                loop {
                    let Ok(n) = sock.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if got.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                const GIB: usize = 1 << 30;
                let head = if declared {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {GIB}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                        .to_owned()
                };
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < GIB {
                    let out = if declared {
                        sock.write_all(&chunk).await
                    } else {
                        let mut c = format!("{:x}\r\n", chunk.len()).into_bytes();
                        c.extend_from_slice(&chunk);
                        c.extend_from_slice(b"\r\n");
                        sock.write_all(&c).await
                    };
                    if out.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    (format!("http://{addr}"), requests)
}

#[tokio::test]
async fn a_1_gib_answer_is_outcome_unknown_and_never_resent_on_every_moving_operation() {
    for declared in [true, false] {
        for (op, _, params, reconcile) in MOVING {
            let (uri, requests) = gigabyte_server(declared).await;
            let c = common::client_with(
                &uri,
                common::quiet_transport(),
                Timeouts::none(),
                RetryPolicy::default(),
            );
            let err = exchanger::call_json(&c, op, params).await.expect_err(op);
            assert_unknown(&err, op, reconcile);
            assert!(
                format!("{err:?}").contains("TooLarge") || err.to_string().contains("bytes"),
                "{op} (declared {declared}): {err:?}"
            );
            assert_eq!(
                requests.load(Ordering::SeqCst),
                1,
                "{op} (declared {declared}): never resent"
            );
        }
    }
}

#[tokio::test]
async fn a_malformed_api_key_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    for bad in [
        "k\r\nX-Injected: 1",
        "key with spaces",
        "ключ",
        "k\u{0}ey",
        "  ",
    ] {
        let err = Client::builder(server.uri())
            .login(LOGIN)
            .key(bad)
            .retry(RetryPolicy::none())
            .build()
            .expect_err(bad);
        assert_eq!(err.field(), Some("key"), "{bad:?}");
        assert!(!format!("{err} {err:?}").contains(bad.trim()) || bad.trim().is_empty());
    }
    let err = Client::builder(server.uri())
        .login("log\nin")
        .key(KEY)
        .build()
        .expect_err("login");
    assert_eq!(err.field(), Some("login"));
    server.verify().await;
}
