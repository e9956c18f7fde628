//! The safe payment flow on its paths, on tokio's paused clock (no timers but the flow's
//! own waits; a lost answer is either a real attempt timeout or a transport that drops the
//! answer after the server produced it).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{PROVIDER, SilentAfterDelivery, body_json, client, client_with, quiet_transport};
use kassa_core::{
    CallOptions, Error, Request, Response, Sent, Timeouts, Transport, TransportError,
};
use kassa_testkit::{Fixture, faults};
use requisite_uz::{
    Client, Code, Order, PaymentBudgetRequest, PaymentRequest, PaymentStatus, SafeOutcome,
    SafePayOptions, code_of, wire,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Sends through the real transport, then loses the answer of the first `n` requests to
/// `path` as a timeout would: the server has processed them, the client never learns how.
#[derive(Debug)]
struct LoseAnswers {
    inner: Arc<dyn Transport>,
    path: &'static str,
    remaining: AtomicUsize,
}

impl LoseAnswers {
    fn new(path: &'static str, n: usize) -> Arc<LoseAnswers> {
        Arc::new(LoseAnswers {
            inner: quiet_transport(),
            path,
            remaining: AtomicUsize::new(n),
        })
    }
}

#[kassa_core::async_trait]
impl Transport for LoseAnswers {
    async fn send(&self, base: &str, req: &Request) -> Result<Response, TransportError> {
        let resp = self.inner.send(base, req).await?;
        let lose = req.path == self.path
            && self
                .remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        if lose {
            return Err(TransportError {
                sent: Sent::Maybe,
                timeout: true,
                source: "the answer was lost".into(),
            });
        }
        Ok(resp)
    }
}

fn payment_of(op: &str, case: &str) -> Order {
    let fixture = Fixture::load(PROVIDER, op, case);
    let text = fixture
        .request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    match op {
        "payment" => {
            Order::from(wire::from_json::<PaymentRequest>(&text).expect("payment request"))
        }
        _ => Order::from(wire::from_json::<PaymentBudgetRequest>(&text).expect("budget request")),
    }
}

fn opts() -> SafePayOptions {
    SafePayOptions {
        deadline: Duration::from_secs(60),
        poll_interval: Duration::from_secs(5),
        ..SafePayOptions::default()
    }
}

async fn mount(server: &MockServer, op: &str, case: &str) {
    kassa_testkit::mount_on(server, &Fixture::load(PROVIDER, op, case)).await;
}

async fn posts(server: &MockServer, to: &str) -> Vec<serde_json::Value> {
    server
        .received_requests()
        .await
        .expect("recording on")
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == to)
        .map(body_json)
        .collect()
}

async fn gets(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("recording on")
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count()
}

#[tokio::test(start_paused = true)]
async fn posted_at_once_needs_no_status_call() {
    let server = MockServer::start().await;
    mount(&server, "payment", "ok_uzcard_conducted").await;
    let order = payment_of("payment", "ok_uzcard_conducted");
    let done = client(&server.uri())
        .pay_safely(&order, &opts())
        .await
        .expect("posted");
    assert!(done.is_posted());
    assert!(matches!(&done.outcome, SafeOutcome::Posted(r) if r.doc_id == "1180_1841519902"));
    assert_eq!((done.creates, done.status_checks), (1, 0));
    assert_eq!(done.order_id, "100001");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn lost_answer_then_posted_asks_status_and_never_creates_again() {
    let server = MockServer::start().await;
    mount(&server, "payment", "ok").await;
    mount(&server, "payment-status", "ok").await;
    let client = client_with(&server.uri(), LoseAnswers::new("/api/v2/payment", 1));
    let done = client
        .pay_safely(&payment_of("payment", "ok"), &opts())
        .await
        .expect("resolved");
    assert!(
        matches!(&done.outcome, SafeOutcome::Posted(r) if r.payment_status == PaymentStatus::Posted)
    );
    assert_eq!((done.creates, done.status_checks), (1, 1));
    assert_eq!(posts(&server, "/api/v2/payment").await.len(), 1);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn lost_answer_then_1008_creates_once_more_with_the_same_order_id() {
    let server = MockServer::start().await;
    let again = Fixture::load(PROVIDER, "payment", "ok_recreated_after_1008");
    again.mock().expect(2).mount(&server).await;
    mount(&server, "payment-status", "code_1008_not_found").await;
    let client = client_with(&server.uri(), LoseAnswers::new("/api/v2/payment", 1));
    let order = payment_of("payment", "ok_recreated_after_1008");
    let done = client.pay_safely(&order, &opts()).await.expect("resolved");
    assert!(done.is_posted(), "{done:?}");
    assert_eq!((done.creates, done.status_checks), (2, 1));
    let bodies = posts(&server, "/api/v2/payment").await;
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "the same body both times");
    assert!(
        bodies.iter().all(|b| b["orderId"] == "009445151299"),
        "{bodies:?}"
    );
    assert_eq!(Some(&bodies[0]), again.request.json.as_ref());
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn code_2222_then_deleted() {
    let server = MockServer::start().await;
    mount(&server, "payment", "code_2222_critical").await;
    mount(&server, "payment-status", "status_deleted_after_2222").await;
    let order = payment_of("payment", "code_2222_critical");
    let done = client(&server.uri())
        .pay_safely(&order, &opts())
        .await
        .expect("resolved");
    assert!(
        matches!(&done.outcome, SafeOutcome::Deleted(r) if r.payment_status == PaymentStatus::Deleted)
    );
    assert!(!done.is_posted());
    assert_eq!((done.creates, done.status_checks), (1, 1));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_timeout_on_payment_is_resolved_through_payment_status() {
    let server = MockServer::start().await;
    mount(&server, "payment", "ok").await;
    mount(&server, "payment-status", "ok").await;
    let silent = SilentAfterDelivery::new("/api/v2/payment");
    let opts = SafePayOptions {
        create_options: CallOptions::default().attempt_timeout(Duration::from_secs(1)),
        ..opts()
    };
    let start = tokio::time::Instant::now();
    let done = client_with(&server.uri(), silent.clone())
        .pay_safely(&payment_of("payment", "ok"), &opts)
        .await
        .expect("resolved");
    assert!(done.is_posted(), "{done:?}");
    assert_eq!((done.creates, done.status_checks), (1, 1));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(6),
        "1 s attempt timeout, then one 5 s wait"
    );
    assert_eq!(silent.delivered.load(Ordering::SeqCst), 1);
    assert_eq!(
        posts(&server, "/api/v2/payment").await.len(),
        1,
        "exactly one payment request"
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn payment_timeout_is_outcome_unknown_after_one_request_then_resume_resolves_it() {
    let server = MockServer::start().await;
    mount(&server, "payment", "ok").await;
    mount(&server, "payment-status", "ok").await;
    let client = Client::builder(server.uri())
        .credentials(common::USERNAME, common::PASSWORD)
        .transport(SilentAfterDelivery::new("/api/v2/payment"))
        .timeouts(Timeouts::none().attempt(Duration::from_secs(1)))
        .build()
        .expect("client");
    let Order::Payment(req) = payment_of("payment", "ok") else {
        panic!("a payment");
    };
    let start = tokio::time::Instant::now();
    let err = client.payment(&req).await.expect_err("times out");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1),
        "the attempt timeout"
    );
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(unknown.operation, "payment");
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("payment-status with orderId=009445151277")
    );
    assert!(err.to_string().contains("timed out after 1 s"), "{err}");
    assert_eq!(err.was_sent(), Sent::Maybe);
    assert!(err.may_have_taken_effect() && !err.is_retryable());
    assert_eq!(
        posts(&server, "/api/v2/payment").await.len(),
        1,
        "never resent"
    );

    // The client's 1 s attempt timeout would fire at once on the paused clock while the
    // status call waits on the socket: turn it off for the status calls.
    let opts = SafePayOptions {
        status_options: CallOptions {
            attempt_timeout: Some(None),
            ..CallOptions::default()
        },
        ..opts()
    };
    let done = client
        .resume_safely(&Order::Payment(req), &opts)
        .await
        .expect("resolved");
    assert!(done.is_posted());
    assert_eq!((done.creates, done.status_checks), (0, 1));
    assert_eq!(
        posts(&server, "/api/v2/payment").await.len(),
        1,
        "still one"
    );
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn entered_is_pending_until_the_deadline_never_success() {
    let server = MockServer::start().await;
    mount(&server, "payment-budget", "ok").await;
    Fixture::load(PROVIDER, "payment-status", "status_entered")
        .mock()
        .expect(6)
        .mount(&server)
        .await;
    kassa_testkit::catch_all().mount(&server).await;
    let opts = SafePayOptions {
        deadline: Duration::from_secs(30),
        ..opts()
    };
    let start = tokio::time::Instant::now();
    let done = client(&server.uri())
        .pay_safely(&payment_of("payment-budget", "ok"), &opts)
        .await
        .expect("pending is an answer");
    assert!(
        matches!(&done.outcome, SafeOutcome::Pending(r) if r.payment_status == PaymentStatus::Entered)
    );
    assert!(!done.is_posted());
    assert_eq!(
        (done.creates, done.status_checks),
        (1, 6),
        "one check every 5 s for 30 s"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn entered_then_posted() {
    let server = MockServer::start().await;
    mount(&server, "payment", "ok").await;
    mount(&server, "payment-status", "ok").await;
    let done = client(&server.uri())
        .pay_safely(&payment_of("payment", "ok"), &opts())
        .await
        .expect("posted");
    assert!(done.is_posted());
    assert_eq!((done.creates, done.status_checks), (1, 1));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn failing_status_calls_never_lead_to_a_second_creation() {
    let server = MockServer::start().await;
    mount(&server, "payment", "ok").await;
    Mock::given(method("GET"))
        .and(path("/api/v2/payment/009445151277"))
        .respond_with(ResponseTemplate::new(503))
        .expect(4)
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), LoseAnswers::new("/api/v2/payment", 1));
    let opts = SafePayOptions {
        deadline: Duration::from_secs(20),
        status_options: CallOptions::default().max_attempts(1),
        ..opts()
    };
    let err = client
        .pay_safely(&payment_of("payment", "ok"), &opts)
        .await
        .expect_err("no status learned");
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("payment-status with orderId=009445151277")
    );
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert_eq!(
        posts(&server, "/api/v2/payment").await.len(),
        1,
        "created once only"
    );
    assert_eq!(gets(&server).await, 4);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn creations_stop_at_max_creates_and_report_the_1008() {
    let server = MockServer::start().await;
    Fixture::load(PROVIDER, "payment", "ok_recreated_after_1008")
        .mock()
        .expect(2)
        .mount(&server)
        .await;
    Fixture::load(PROVIDER, "payment-status", "code_1008_not_found")
        .mock()
        .expect(2)
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), LoseAnswers::new("/api/v2/payment", 5));
    let opts = SafePayOptions {
        max_creates: 2,
        ..opts()
    };
    let err = client
        .pay_safely(&payment_of("payment", "ok_recreated_after_1008"), &opts)
        .await
        .expect_err("gave up");
    assert_eq!(code_of(&err), Some(&Code::NoData), "{err}");
    assert!(
        !err.may_have_taken_effect(),
        "the bank says there is no such order"
    );
    let bodies = posts(&server, "/api/v2/payment").await;
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| b["orderId"] == "009445151299"));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_definite_refusal_ends_the_flow_without_status_calls() {
    let server = MockServer::start().await;
    mount(&server, "payment", "code_1013_account_not_found").await;
    let err = client(&server.uri())
        .pay_safely(
            &payment_of("payment", "code_1013_account_not_found"),
            &opts(),
        )
        .await
        .expect_err("refused");
    assert_eq!(code_of(&err), Some(&Code::AccountNotFound));
    assert!(!err.may_have_taken_effect());
    assert_eq!(gets(&server).await, 0);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn options_that_would_flood_or_never_create_are_refused() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let client = client(&server.uri());
    let order = payment_of("payment", "ok");
    let fast = SafePayOptions {
        poll_interval: Duration::from_millis(10),
        ..opts()
    };
    let err = client
        .pay_safely(&order, &fast)
        .await
        .expect_err("too fast");
    assert_eq!(err.field(), Some("poll_interval"));
    let never = SafePayOptions {
        max_creates: 0,
        ..opts()
    };
    let err = client
        .resume_safely(&order, &never)
        .await
        .expect_err("no creation");
    assert_eq!(err.field(), Some("max_creates"));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

#[tokio::test(start_paused = true)]
async fn an_invalid_order_sends_nothing() {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let Order::Payment(mut req) = payment_of("payment", "ok") else {
        panic!("a payment");
    };
    req.order_id = "0094 45".into();
    let err = client(&server.uri())
        .pay_safely(&Order::Payment(req), &opts())
        .await
        .expect_err("invalid");
    assert_eq!(err.field(), Some("orderId"));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

#[tokio::test(start_paused = true)]
async fn a_refused_status_call_is_outcome_unknown_not_a_new_payment() {
    let server = MockServer::start().await;
    mount(&server, "payment", "code_1111_system_error").await;
    faults::status_sequence(
        &server,
        "GET",
        "/api/v2/payment/009445151285",
        &[],
        ResponseTemplate::new(401),
    )
    .await;
    let err = client(&server.uri())
        .pay_safely(&payment_of("payment", "code_1111_system_error"), &opts())
        .await
        .expect_err("cannot learn the status");
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("payment-status with orderId=009445151285"),
        "{err}"
    );
    assert_eq!(posts(&server, "/api/v2/payment").await.len(), 1);
    server.verify().await;
}
