//! Fault tests: expired tokens, timeouts, 5xx, HTML pages, cut connections, reconcile,
//! concurrency and secrecy. Time-dependent tests run on tokio's paused clock.

mod common;

use std::sync::Arc;
use std::time::Duration;

use anor_bm::{
    BillRequest, BillStatus, CheckRequest, Client, ExtPayRequest, HoldMoreRequest, Otp, PayRequest,
    ReconcileOptions, Reconciled, ReversePartialRequest, SendOtpRequest, StatusRequest,
    VerifyOtpRequest,
};
use common::{P, PASSWORD, REFRESH, TOKEN, assert_no_secret, client, client_with, quiet_transport};
use kassa_core::secret::CardNumber;
use kassa_core::{
    Currency, Error, Money, Request, Response, RetryPolicy, Sent, Timeouts, Transport,
    TransportError,
};
use kassa_testkit::{Fixture, faults, mount_on};
use tokio::sync::watch;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const LOGIN: &str = "/api/ext/user/login";
const REFRESH_PATH: &str = "/api/ext/user/refresh-token";
const STATUS: &str = "/services/bmms/api/agent/status";
const PAY: &str = "/services/bmms/api/agent/unregistered-pay";
const CHECK: &str = "/services/bmms/api/agent/unregistered-check";

fn token_answer(access: &str, refresh: &str, expires_in: u64) -> ResponseTemplate {
    faults::json_body(
        200,
        &format!(
            r#"{{"statusCode":0,"statusMessage":"OK","result":{{"access_token":"{access}","token_type":"bearer","refresh_token":"{refresh}","expires_in":{expires_in},"scope":"openid"}}}}"#
        ),
    )
}

fn bill_json(status: &str) -> String {
    format!(
        r#"{{"id":936532,"amount":1000,"currency":860,"responseText":"OK","success":true,"status":"{status}"}}"#
    )
}

async fn mount_login(server: &MockServer, access: &str, expires_in: u64, times: u64) {
    Mock::given(method("POST"))
        .and(path(LOGIN))
        .and(body_json(
            serde_json::json!({"username": "test-user", "password": PASSWORD}),
        ))
        .respond_with(token_answer(access, REFRESH, expires_in))
        .expect(times)
        .named("login")
        .mount(server)
        .await;
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .expect("recording on")
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

fn bearer_of(r: &wiremock::Request) -> String {
    r.headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_401_on_an_expired_token_gives_one_refresh_and_one_retry() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .and(body_json(serde_json::json!({"refreshToken": REFRESH})))
        .respond_with(token_answer("test-token-2", "test-refresh-token-2", 86398))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .and(header("authorization", "Bearer test-token"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .and(header("authorization", "Bearer test-token-2"))
        .respond_with(faults::json_body(200, &bill_json("SUCCESS")))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let bill = c
        .status(&StatusRequest::bill(936532))
        .await
        .expect("retried with the refreshed token");
    assert_eq!(bill.status, BillStatus::Success);
    assert_eq!(c.token_fetches(), 2, "one login, one refresh");
    assert_eq!(requests_to(&server, LOGIN).await.len(), 1);
    assert_eq!(requests_to(&server, REFRESH_PATH).await.len(), 1);
    let calls = requests_to(&server, STATUS).await;
    assert_eq!(calls.len(), 2, "one call, one retry");
    assert_eq!(bearer_of(&calls[1]), "Bearer test-token-2");
    assert!(
        requests_to(&server, REFRESH_PATH).await[0]
            .headers
            .get("authorization")
            .is_none()
    );
    server.verify().await;
}

#[tokio::test]
async fn a_refused_refresh_logs_in_again_and_a_second_401_is_an_auth_error() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "POST",
        LOGIN,
        vec![
            token_answer(TOKEN, REFRESH, 86398),
            token_answer("test-token-2", REFRESH, 86398),
        ],
    )
    .await;
    let refused = Fixture::load(P, "login", "bad_credentials").response_template();
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(refused)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let err = c
        .get_user_cards(&anor_bm::GetUserCardsRequest {})
        .await
        .expect_err("still refused");
    assert!(err.is_auth(), "{err:?}");
    assert!(!err.may_have_taken_effect());
    let calls = requests_to(&server, "/services/partnercardms/api/get-user-cards").await;
    assert_eq!(calls.len(), 2, "the call is repeated once, not more");
    assert_eq!(bearer_of(&calls[0]), "Bearer test-token");
    assert_eq!(
        bearer_of(&calls[1]),
        "Bearer test-token-2",
        "logged in again after the refused refresh"
    );
    assert_eq!(c.token_fetches(), 2);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn tokens_are_refreshed_ahead_of_expires_in() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 300, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(token_answer("test-token-2", "test-refresh-token-2", 300))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .respond_with(faults::json_body(200, &bill_json("SUCCESS")))
        .expect(3)
        .mount(&server)
        .await;
    let c = Client::builder(server.uri(), "test-user", PASSWORD)
        .transport(quiet_transport())
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .refresh_ahead(Duration::from_secs(60))
        .build()
        .expect("client");
    let ask = StatusRequest::bill(936532);
    c.status(&ask).await.expect("first");
    tokio::time::advance(Duration::from_secs(200)).await;
    c.status(&ask).await.expect("100 s left: same token");
    tokio::time::advance(Duration::from_secs(50)).await;
    c.status(&ask).await.expect("50 s left: refreshed first");
    let calls = requests_to(&server, STATUS).await;
    let bearers: Vec<String> = calls.iter().map(bearer_of).collect();
    assert_eq!(
        bearers,
        [
            "Bearer test-token",
            "Bearer test-token",
            "Bearer test-token-2"
        ]
    );
    server.verify().await;
}

/// Answers after a long (real) delay and reports each arrival on a watch channel.
struct SlowAndSignal(watch::Sender<usize>);

impl Respond for SlowAndSignal {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        self.0.send_modify(|n| *n += 1);
        faults::json_body(200, &bill_json("SUCCESS")).set_delay(Duration::from_secs(3))
    }
}

#[tokio::test]
async fn a_timeout_on_unregistered_pay_is_outcome_unknown_after_exactly_one_request() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    let (tx, mut arrivals) = watch::channel(0);
    Mock::given(method("POST"))
        .and(path(PAY))
        .respond_with(SlowAndSignal(tx))
        .expect(1)
        .mount(&server)
        .await;
    let c = client_with(
        &server.uri(),
        RetryPolicy::default(),
        Timeouts::none().attempt(Duration::from_secs(1)),
    );
    // Log in on the real clock, then pause it: once the runtime idles, the clock jumps to
    // the pay attempt's 1 s timer while the server still holds its answer for 3 s.
    c.authenticate().await.expect("login");
    tokio::time::pause();
    // Keep the runtime busy until the request has reached the server, so the paused clock
    // cannot jump to the timeout before the request is even written.
    let mut reached = arrivals.clone();
    let busy = tokio::spawn(async move {
        while *reached.borrow_and_update() < 1 {
            tokio::task::yield_now().await;
        }
    });
    let err = c
        .unregistered_pay(&PayRequest::new(777, Otp::new("445566").expect("otp")))
        .await
        .expect_err("times out");
    busy.await.expect("the request arrived");
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(unknown.operation, "unregistered-pay");
    assert_eq!(
        unknown.reconcile.as_ref().map(|r| r.to_string()).as_deref(),
        Some("status with billId=777")
    );
    assert_eq!(err.was_sent(), Sent::Maybe);
    assert!(err.may_have_taken_effect());
    assert!(!err.is_retryable());
    arrivals
        .wait_for(|n| *n >= 1)
        .await
        .expect("the bank saw it");
    assert_eq!(requests_to(&server, PAY).await.len(), 1, "never resent");
}

#[tokio::test(start_paused = true)]
async fn a_503_on_status_is_retried() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    faults::status_sequence(
        &server,
        "POST",
        STATUS,
        &[503, 503],
        faults::json_body(200, &bill_json("CANCELLED")),
    )
    .await;
    let c = client_with(&server.uri(), RetryPolicy::default(), Timeouts::none());
    let bill = c
        .status(&StatusRequest::bill(936532))
        .await
        .expect("third attempt answers");
    assert_eq!(bill.status, BillStatus::Cancelled);
    assert_eq!(requests_to(&server, STATUS).await.len(), 3);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn an_html_502_page_is_a_clear_error_not_a_panic() {
    // status (a read): retried, then a plain HTTP error quoting the page
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    let page = Fixture::load(P, "status", "html_502").response_template();
    Mock::given(method("POST"))
        .and(path(STATUS))
        .respond_with(page.clone())
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY))
        .respond_with(page)
        .expect(1)
        .mount(&server)
        .await;
    let c = client_with(&server.uri(), RetryPolicy::default(), Timeouts::none());
    let err = c.status(&StatusRequest::bill(777)).await.expect_err("502");
    match &err {
        Error::Http {
            status, excerpt, ..
        } => {
            assert_eq!(*status, 502);
            assert!(excerpt.contains("502 Bad Gateway"), "{excerpt}");
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert!(err.to_string().contains("unexpected HTTP 502"), "{err}");
    assert!(!err.may_have_taken_effect());

    // unregistered-pay (moves money): not resent, outcome unknown
    let err = c
        .unregistered_pay(&PayRequest::new(777, Otp::new("445566").expect("otp")))
        .await
        .expect_err("502");
    assert!(err.outcome_unknown().is_some(), "{err:?}");
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
    assert_eq!(requests_to(&server, PAY).await.len(), 1);
    server.verify().await;
}

/// Sends the login to wiremock and everything else to a server that cuts the connection.
#[derive(Debug)]
struct Route {
    login: String,
    rest: String,
    inner: Arc<dyn Transport>,
}

#[kassa_core::async_trait]
impl Transport for Route {
    async fn send(&self, _base: &str, req: &Request) -> Result<Response, TransportError> {
        let base = if req.path == LOGIN {
            &self.login
        } else {
            &self.rest
        };
        self.inner.send(base, req).await
    }
}

fn card() -> CardNumber {
    CardNumber::new("9860080312345678").expect("card")
}

#[tokio::test(start_paused = true)]
async fn calls_that_move_money_are_never_resent_after_a_cut_connection() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    let cut = faults::CutServer::start().await;
    let c = Client::builder(server.uri(), "test-user", PASSWORD)
        .transport(Arc::new(Route {
            login: server.uri(),
            rest: cut.uri(),
            inner: quiet_transport(),
        }))
        .timeouts(Timeouts::none())
        .build()
        .expect("client");
    let otp = || Otp::new("445566").expect("otp");
    let uzs = |minor| Money::new(minor, Currency::UZS);
    let results: Vec<(&str, Result<(), Error>)> = vec![
        (
            "unregistered-pay",
            c.unregistered_pay(&PayRequest::new(777, otp()))
                .await
                .map(drop),
        ),
        ("hold", c.hold(&PayRequest::new(777, otp())).await.map(drop)),
        (
            "hold-confirm",
            c.hold_confirm(&BillRequest::new(777)).await.map(drop),
        ),
        (
            "hold-more",
            c.hold_more(&HoldMoreRequest::new(
                777,
                uzs(100),
                "UZCARD",
                card(),
                "0727".parse().expect("exp"),
            ))
            .await
            .map(drop),
        ),
        ("cancel", c.cancel(&BillRequest::new(777)).await.map(drop)),
        (
            "hold-reverse",
            c.hold_reverse(&BillRequest::new(777)).await.map(drop),
        ),
        (
            "hold-reverse-partial",
            c.hold_reverse_partial(&ReversePartialRequest::new(777, uzs(100)))
                .await
                .map(drop),
        ),
        (
            "send-otp",
            c.send_otp(&SendOtpRequest::new(card(), "0727".parse().expect("exp")))
                .await
                .map(drop),
        ),
        (
            "verify-otp",
            c.verify_otp(&VerifyOtpRequest::new(1907947016, otp()))
                .await
                .map(drop),
        ),
    ];
    for (i, (op, result)) in results.iter().enumerate() {
        let err = result.as_ref().expect_err("cut");
        let unknown = err
            .outcome_unknown()
            .unwrap_or_else(|| panic!("{op}: {err:?}"));
        assert_eq!(unknown.operation, *op);
        if op.starts_with("hold") || *op == "cancel" || *op == "unregistered-pay" {
            assert_eq!(
                unknown.reconcile.as_ref().map(|r| r.to_string()).as_deref(),
                Some("status with billId=777"),
                "{op}"
            );
        } else {
            assert!(unknown.advice.is_some(), "{op}: says what to do instead");
        }
        cut.wait_for_requests(i + 1).await;
    }
    assert_eq!(
        cut.connections(),
        results.len(),
        "one connection per call: none resent"
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn keyed_calls_are_resent_with_the_same_key() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    let check = Fixture::load(P, "unregistered-check", "ok");
    faults::status_sequence(&server, "POST", CHECK, &[503], check.response_template()).await;
    let payout = Fixture::load(P, "ext-pay", "ok");
    faults::sequence(
        &server,
        "POST",
        "/services/bmms/api/ext/agent/pay",
        vec![ResponseTemplate::new(502)],
    )
    .await;
    let c = client_with(&server.uri(), RetryPolicy::default(), Timeouts::none());

    let req: CheckRequest =
        serde_json::from_value(check.request.json.clone().expect("json")).expect("request");
    let bill = c
        .unregistered_check(&req)
        .await
        .expect("second attempt answers");
    assert_eq!(bill.status, BillStatus::CheckOk);
    let sent = requests_to(&server, CHECK).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].body, sent[1].body,
        "the same agentTranId both times"
    );

    let req: ExtPayRequest =
        serde_json::from_value(payout.request.json.clone().expect("json")).expect("request");
    // ext-pay is not keyed: the document does not promise that a repeated agentTranId is
    // answered instead of paid again. A 502 is outcome-unknown naming the status call.
    let err = c.ext_pay(&req).await.expect_err("502 to a payout");
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("status with agentTranId=1668782814")
    );
    let sent = requests_to(&server, "/services/bmms/api/ext/agent/pay").await;
    assert_eq!(sent.len(), 1, "never resent");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn reconcile_asks_status_until_the_bill_settles() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    faults::sequence(
        &server,
        "POST",
        STATUS,
        vec![
            faults::json_body(200, &bill_json("CHECK_OK")),
            ResponseTemplate::new(503),
            faults::json_body(200, &bill_json("SUCCESS")),
        ],
    )
    .await;
    let c = client_with(&server.uri(), RetryPolicy::none(), Timeouts::none());
    let err = c
        .unregistered_pay(&PayRequest::new(936532, Otp::new("445566").expect("otp")))
        .await
        .expect_err("504");
    assert!(err.outcome_unknown().is_some(), "{err:?}");
    let start = tokio::time::Instant::now();
    let learned = c
        .reconcile_outcome(&err, Duration::from_secs(60))
        .await
        .expect("reconciled");
    match &learned {
        Reconciled::Settled(bill) => assert_eq!(bill.status, BillStatus::Success),
        other => panic!("{other:?}"),
    }
    assert!(
        start.elapsed() >= Duration::from_secs(4),
        "two waits of 2 s"
    );
    let asked = requests_to(&server, STATUS).await;
    assert_eq!(asked.len(), 3);
    for r in &asked {
        let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(body, serde_json::json!({"billId": 936532}));
    }
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn reconcile_returns_the_last_bill_at_the_deadline_and_stops_on_a_refusal() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .and(body_json(serde_json::json!({"agentTranId": "t-1"})))
        .respond_with(faults::json_body(200, &bill_json("CHECK_OK")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STATUS))
        .and(body_json(serde_json::json!({"billId": 5})))
        .respond_with(Fixture::load(P, "status", "bill_not_found").response_template())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let opts = ReconcileOptions::after("unregistered-pay", Duration::from_secs(10))
        .interval(Duration::from_secs(3));
    let out = c
        .reconcile(&StatusRequest::agent_tran("t-1"), &opts)
        .await
        .expect("answers");
    match out {
        Reconciled::Pending(bill) => assert_eq!(bill.status, BillStatus::CheckOk),
        other => panic!("{other:?}"),
    }
    // asked at 0, 3, 6 and 9 s; one more wait would pass the 10 s deadline
    assert_eq!(requests_to(&server, STATUS).await.len(), 4);
    let err = c
        .reconcile(&StatusRequest::bill(5), &opts)
        .await
        .expect_err("refused");
    assert_eq!(err.provider_code().as_deref(), Some("bill_not_found"));
    assert_eq!(
        requests_to(&server, STATUS).await.len(),
        5,
        "a refusal is not asked again"
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_calls_share_one_login() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LOGIN))
        .respond_with(token_answer(TOKEN, REFRESH, 86398).set_delay(Duration::from_millis(50)))
        .expect(1)
        .mount(&server)
        .await;
    let cards = Fixture::load(P, "get-user-cards", "ok");
    Mock::given(method("GET"))
        .and(path(cards.request.path.as_str()))
        .and(header("authorization", "Bearer test-token"))
        .respond_with(cards.response_template())
        .expect(100)
        .mount(&server)
        .await;
    let c = client_with(&server.uri(), RetryPolicy::default(), Timeouts::default());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let c = c.clone();
        tasks.spawn(async move { c.get_user_cards(&anor_bm::GetUserCardsRequest {}).await });
    }
    while let Some(done) = tasks.join_next().await {
        assert_eq!(done.expect("task").expect("call").len(), 2);
    }
    assert_eq!(c.token_fetches(), 1);
    server.verify().await;
}

#[tokio::test]
async fn no_secret_reaches_debug_errors_or_logs() {
    let capture = kassa_testkit::logs::Capture::start();
    let otp = "445566";
    let server = MockServer::start().await;
    mount_login(&server, TOKEN, 86398, 1).await;
    mount_on(&server, &Fixture::load(P, "send-otp", "ok")).await;
    mount_on(&server, &Fixture::load(P, "verify-otp", "ok")).await;
    mount_on(
        &server,
        &Fixture::load(P, "unregistered-pay", "billing_error_need_reverse"),
    )
    .await;
    mount_on(&server, &Fixture::load(P, "hold", "ok")).await;
    let c = client(&server.uri());
    let mut shown = vec![format!("{c:?}")];

    let send = SendOtpRequest::new(
        CardNumber::new("8600492968156744").expect("card"),
        "0727".parse().expect("exp"),
    );
    let sent = c.send_otp(&send).await.expect("sent");
    let verify = VerifyOtpRequest::new(sent.id, Otp::new("123321").expect("otp"));
    let token = c.verify_otp(&verify).await.expect("token");
    let pay = PayRequest::new(777, Otp::new(otp).expect("otp"));
    let need_reverse = c.unregistered_pay(&pay).await.expect_err("need reverse");
    assert!(need_reverse.may_have_taken_effect());
    let broken = c
        .hold(&PayRequest::new(936532, Otp::new("225588").expect("otp")))
        .await
        .expect_err("broken");
    shown.extend([
        format!("{send:?} {sent:?} {verify:?} {token:?} {pay:?}"),
        serde_json::to_string(&token).expect("json"),
        format!("{need_reverse} {need_reverse:?}"),
        format!("{broken} {broken:?}"),
        format!("{c:?}"),
    ]);

    // a login answer that cannot be read: the excerpt must not carry the token
    let other = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LOGIN))
        .respond_with(faults::json_body(
            200,
            r#"{"statusCode":0,"result":{"access_token":"test-token-leak","refresh_token":"test-refresh-token","expires_in":"soon"}}"#,
        ))
        .mount(&other)
        .await;
    let err = client(&other.uri())
        .login(&anor_bm::LoginRequest {})
        .await
        .expect_err("expires_in is not a number");
    shown.push(format!("{err} {err:?}"));
    let bad_login = Client::builder(other.uri(), "test-user", PASSWORD)
        .build()
        .expect("client");
    shown.push(format!("{bad_login:?}"));

    for text in &shown {
        assert_no_secret(text);
        for code in [otp, "123321", "225588", "test-token-leak"] {
            assert!(!text.contains(code), "{code} leaked: {text}");
        }
    }
    capture.assert_free_of(&[
        PASSWORD,
        TOKEN,
        REFRESH,
        "8600492968156744",
        "5e82af24-480b-40cd-8c76-769a28bd7f3d",
        otp,
        "123321",
        "test-token-leak",
    ]);
    let logs = capture.text();
    assert!(
        logs.contains("anor-bm"),
        "the capture saw the calls: {logs}"
    );
    assert!(logs.contains("unregistered-pay"), "{logs}");
    server.verify().await;
}
