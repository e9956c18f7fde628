//! The engine against wiremock: retries by effect, timeouts, Retry-After, the retry budget,
//! the token cache and secrecy. Time-dependent tests run on tokio's paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use kassa_core::secret::SecretString;
use kassa_core::token::{Fetched, TokenCache};
use kassa_core::{
    Effect, Engine, Error, Method, Operation, Param, Request, ReqwestTransport, Response,
    RetryBudget, RetryPolicy, Sent, Timeouts, Transport, TransportError,
};
use kassa_testkit::faults;
use tokio::sync::watch;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const READ: Operation = Operation::new("test", "status", Effect::Read);
const ONCE: Operation = Operation::new("test", "pay", Effect::Once);

/// A transport with no idle-pool timer, so a paused clock only jumps to the engine's timers.
fn quiet_transport() -> Arc<dyn Transport> {
    let client = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds");
    Arc::new(ReqwestTransport::from_client(client))
}

fn engine(uri: &str, timeouts: Timeouts, retry: RetryPolicy) -> Engine {
    Engine::builder("test", uri)
        .transport(quiet_transport())
        .timeouts(timeouts)
        .retry(retry)
        .build()
        .expect("engine builds")
}

#[derive(Debug)]
struct Counting {
    inner: Arc<dyn Transport>,
    sends: AtomicUsize,
}

#[async_trait]
impl Transport for Counting {
    async fn send(&self, base: &str, req: &Request) -> Result<Response, TransportError> {
        self.sends.fetch_add(1, Ordering::SeqCst);
        self.inner.send(base, req).await
    }
}

#[tokio::test(start_paused = true)]
async fn read_on_503_503_200_succeeds_after_three_requests() {
    let server = MockServer::start().await;
    faults::status_sequence(
        &server,
        "GET",
        "/status",
        &[503, 503],
        faults::json_body(200, "{}"),
    )
    .await;
    let e = engine(&server.uri(), Timeouts::none(), RetryPolicy::default());
    let resp = e
        .execute(&Request::new(READ, Method::Get, "/status"))
        .await
        .expect("third attempt succeeds");
    assert_eq!(resp.status, 200);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
}

#[tokio::test(start_paused = true)]
async fn keyed_call_resends_the_same_key_on_every_attempt() {
    let server = MockServer::start().await;
    faults::status_sequence(
        &server,
        "POST",
        "/payments",
        &[500, 503],
        faults::json_body(200, "{}"),
    )
    .await;
    let e = engine(&server.uri(), Timeouts::none(), RetryPolicy::default());
    let op = Operation::new("test", "create-payment", Effect::Once)
        .keyed("9b2f6f1e-5a4e-4d8e-a3c1-0f1e2d3c4b5a");
    let req = Request::new(op, Method::Post, "/payments")
        .header("idempotency-key", "9b2f6f1e-5a4e-4d8e-a3c1-0f1e2d3c4b5a")
        .json(&serde_json::json!({"client_payment_id": "9b2f6f1e-5a4e-4d8e-a3c1-0f1e2d3c4b5a", "amount": 9971.34}))
        .expect("body");
    let resp = e
        .execute(&req)
        .await
        .expect("succeeds on the third attempt");
    assert_eq!(resp.status, 200);
    let got = server.received_requests().await.expect("recording on");
    assert_eq!(got.len(), 3);
    for r in &got {
        assert_eq!(
            r.headers.get("idempotency-key").map(|v| v.as_bytes()),
            Some(&b"9b2f6f1e-5a4e-4d8e-a3c1-0f1e2d3c4b5a"[..])
        );
        assert_eq!(
            r.body, got[0].body,
            "every attempt carries the same body and key"
        );
    }
}

/// Answers after a long (real) delay and reports each arrival on a watch channel.
struct SlowAndSignal(watch::Sender<usize>);

impl Respond for SlowAndSignal {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        self.0.send_modify(|n| *n += 1);
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3))
    }
}

#[tokio::test(start_paused = true)]
async fn once_call_that_times_out_is_outcome_unknown_after_exactly_one_request() {
    let server = MockServer::start().await;
    let (tx, mut arrivals) = watch::channel(0);
    Mock::given(method("POST"))
        .and(path("/pay"))
        .respond_with(SlowAndSignal(tx))
        .expect(1)
        .mount(&server)
        .await;
    let e = engine(
        &server.uri(),
        Timeouts::none().attempt(Duration::from_secs(1)),
        RetryPolicy::default(),
    );
    let op = ONCE.reconcile_with(kassa_core::Reconcile::new("status").param("billId", "935191"));
    // Keep the runtime busy until the server has the request: a paused clock only jumps to
    // the attempt timeout when the runtime is idle, so the timeout cannot fire before the
    // request was written.
    let mut seen = arrivals.clone();
    let busy = tokio::spawn(async move {
        while *seen.borrow_and_update() < 1 {
            tokio::task::yield_now().await;
        }
    });
    let err = e
        .execute(&Request::new(op, Method::Post, "/pay"))
        .await
        .expect_err("times out");
    busy.await
        .expect("the busy task ends once the request arrived");
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(unknown.operation, "pay");
    assert_eq!(
        unknown.reconcile.as_ref().map(|r| r.to_string()),
        Some("status with billId=935191".to_owned())
    );
    assert_eq!(err.was_sent(), Sent::Maybe);
    assert!(err.may_have_taken_effect());
    assert!(!err.is_retryable());
    arrivals.wait_for(|n| *n >= 1).await.expect("server saw it");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

#[tokio::test(start_paused = true)]
async fn once_call_to_a_closed_port_is_retried_and_says_nothing_was_sent() {
    let uri = faults::closed_port().await;
    let counting = Arc::new(Counting {
        inner: quiet_transport(),
        sends: AtomicUsize::new(0),
    });
    let e = Engine::builder("test", uri)
        .transport(counting.clone())
        .timeouts(Timeouts::none())
        .build()
        .expect("engine");
    let err = e
        .execute(&Request::new(ONCE, Method::Post, "/pay"))
        .await
        .expect_err("nobody listens");
    assert_eq!(
        counting.sends.load(Ordering::SeqCst),
        3,
        "retried: it never left"
    );
    assert_eq!(err.was_sent(), Sent::No);
    assert!(!err.may_have_taken_effect());
    assert!(err.is_retryable());
    assert!(
        matches!(err, Error::Transport { sent: Sent::No, .. }),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn once_call_whose_connection_is_cut_is_outcome_unknown_and_not_resent() {
    let cut = faults::CutServer::start().await;
    let e = engine(&cut.uri(), Timeouts::none(), RetryPolicy::default());
    let err = e
        .execute(&Request::new(ONCE, Method::Post, "/pay"))
        .await
        .expect_err("cut");
    assert!(err.may_have_taken_effect(), "{err:?}");
    cut.wait_for_requests(1).await;
    assert_eq!(
        cut.connections(),
        1,
        "a Once call is never resent after it may have left"
    );
}

#[tokio::test(start_paused = true)]
async fn read_call_whose_connection_is_cut_is_retried() {
    let cut = faults::CutServer::start().await;
    let e = engine(&cut.uri(), Timeouts::none(), RetryPolicy::default());
    let err = e
        .execute(&Request::new(READ, Method::Get, "/status"))
        .await
        .expect_err("cut every time");
    assert!(
        matches!(
            err,
            Error::Transport {
                sent: Sent::Maybe,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.may_have_taken_effect(), "reads move no money");
    cut.wait_for_requests(3).await;
    assert_eq!(cut.connections(), 3);
}

#[tokio::test(start_paused = true)]
async fn once_call_on_503_is_not_resent() {
    let server = MockServer::start().await;
    faults::status_sequence(&server, "POST", "/pay", &[], ResponseTemplate::new(503)).await;
    let e = engine(&server.uri(), Timeouts::none(), RetryPolicy::default());
    let resp = e
        .execute(&Request::new(ONCE, Method::Post, "/pay"))
        .await
        .expect("the answer is handed back");
    assert_eq!(resp.status, 503);
    assert!(resp.unexpected(&ONCE).may_have_taken_effect());
}

async fn retry_after_wait(seconds: &str, cap: Duration) -> Duration {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "GET",
        "/status",
        vec![
            ResponseTemplate::new(429).insert_header("retry-after", seconds),
            ResponseTemplate::new(200),
        ],
    )
    .await;
    let e = engine(
        &server.uri(),
        Timeouts::none(),
        RetryPolicy {
            max_retry_after: cap,
            ..RetryPolicy::default()
        },
    );
    let start = tokio::time::Instant::now();
    let resp = e
        .execute(&Request::new(READ, Method::Get, "/status"))
        .await
        .expect("second attempt");
    assert_eq!(resp.status, 200);
    start.elapsed()
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let waited = retry_after_wait("2", Duration::from_secs(30)).await;
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2100),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped() {
    let waited = retry_after_wait("3600", Duration::from_secs(30)).await;
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_millis(30100),
        "waited {waited:?}"
    );
}

/// Real clock: a paused clock would jump to the deadline while the request is in flight.
#[tokio::test]
async fn whole_call_deadline_stops_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "20"))
        .mount(&server)
        .await;
    let e = engine(
        &server.uri(),
        Timeouts::none().total(Duration::from_secs(10)),
        RetryPolicy::default(),
    );
    let resp = e
        .execute(&Request::new(READ, Method::Get, "/status"))
        .await
        .expect("the last answer is handed back");
    assert_eq!(resp.status, 503);
    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(1),
        "a 20 s wait does not fit a 10 s deadline"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_budget_limits_retries_across_calls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let e = Engine::builder("test", server.uri())
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .budget(Arc::new(RetryBudget::new(5, 5, 1)))
        .build()
        .expect("engine");
    for _ in 0..2 {
        let resp = e
            .execute(&Request::new(READ, Method::Get, "/status"))
            .await
            .expect("answer");
        assert_eq!(resp.status, 503);
    }
    // first call: 1 + 1 retry (the budget pays once), second call: no retry left
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
    assert_eq!(e.budget().available(), 0);
}

#[tokio::test(start_paused = true)]
async fn per_call_options_override_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let e = engine(&server.uri(), Timeouts::none(), RetryPolicy::default());
    let req = Request::new(READ, Method::Get, "/status")
        .options(kassa_core::CallOptions::default().max_attempts(1));
    let resp = e.execute(&req).await.expect("answer");
    assert_eq!(resp.status, 503);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

async fn login(engine: &Engine) -> Result<Fetched<SecretString>, Error> {
    let op = Operation::new("test", "login", Effect::Auth);
    let resp = engine
        .execute(&Request::new(op.clone(), Method::Post, "/login"))
        .await?;
    #[derive(serde::Deserialize)]
    struct T {
        token: String,
    }
    let t: T = kassa_core::decode::json(&op, &resp.body)?;
    Ok(Fetched::new(
        SecretString::from(t.token),
        Some(Duration::from_secs(3600)),
    ))
}

async fn data(engine: &Engine, token: &SecretString) -> Result<u16, Error> {
    let resp = engine
        .execute(&Request::new(READ, Method::Get, "/data").bearer(token))
        .await?;
    if resp.status == 401 {
        return Err(Error::auth(
            "test",
            "status",
            Some(401),
            kassa_core::RawCode("expired".into()),
            "",
        ));
    }
    Ok(resp.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_fetch_one_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(
            faults::json_body(200, r#"{"token":"t1"}"#).set_delay(Duration::from_millis(50)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/data"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(200)
        .mount(&server)
        .await;
    let e = engine(&server.uri(), Timeouts::default(), RetryPolicy::default());
    let cache = Arc::new(TokenCache::<SecretString>::new(Duration::from_secs(30)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (e, cache) = (e.clone(), cache.clone());
        tasks.spawn(async move {
            cache
                .with_token(
                    |_| login(&e),
                    |t| {
                        let e = e.clone();
                        async move { data(&e, &t.value).await }
                    },
                )
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        assert_eq!(done.expect("task").expect("call"), 200);
    }
    assert_eq!(cache.fetches(), 1);
}

#[tokio::test]
async fn a_401_on_a_stale_token_refreshes_once_and_retries_once() {
    let server = MockServer::start().await;
    faults::sequence(
        &server,
        "POST",
        "/login",
        vec![
            faults::json_body(200, r#"{"token":"old"}"#),
            faults::json_body(200, r#"{"token":"new"}"#),
        ],
    )
    .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer new"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let e = engine(&server.uri(), Timeouts::default(), RetryPolicy::default());
    let cache = TokenCache::<SecretString>::new(Duration::from_secs(30));
    let status = cache
        .with_token(
            |_| login(&e),
            |t| {
                let e = e.clone();
                async move { data(&e, &t.value).await }
            },
        )
        .await
        .expect("retried with the new token");
    assert_eq!(status, 200);
    assert_eq!(cache.fetches(), 2);
}

#[tokio::test]
async fn invalidating_a_token_that_was_already_replaced_does_nothing() {
    let cache = TokenCache::<&'static str>::new(Duration::ZERO);
    let first = cache
        .get(|_| async { Ok(Fetched::new("a", None)) })
        .await
        .expect("first");
    assert!(cache.invalidate(&first).await);
    let second = cache
        .get(|prev| async move {
            assert_eq!(
                prev.map(|p| p.value),
                Some("a"),
                "the refresh sees the old token"
            );
            Ok(Fetched::new("b", None))
        })
        .await
        .expect("second");
    assert!(
        !cache.invalidate(&first).await,
        "a stale copy cannot evict the new token"
    );
    let again = cache
        .get(|_| async { Ok(Fetched::new("c", None)) })
        .await
        .expect("cached");
    assert_eq!(again.generation, second.generation);
}

#[tokio::test(start_paused = true)]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let cache = TokenCache::<u32>::new(Duration::from_secs(30));
    let fetch = |prev: Option<Arc<kassa_core::token::CachedToken<u32>>>| async move {
        Ok(Fetched::new(
            prev.map_or(1, |p| p.value + 1),
            Some(Duration::from_secs(100)),
        ))
    };
    assert_eq!(cache.get(fetch).await.expect("t").value, 1);
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(
        cache.get(fetch).await.expect("t").value,
        1,
        "still 40 s left"
    );
    tokio::time::advance(Duration::from_secs(15)).await;
    assert_eq!(
        cache.get(fetch).await.expect("t").value,
        2,
        "25 s left is inside the margin"
    );
}

#[tokio::test]
async fn no_secret_reaches_debug_errors_or_traces() {
    let capture = kassa_testkit::logs::Capture::start();
    let uri = faults::closed_port().await;
    let e = engine(&uri, Timeouts::default(), RetryPolicy::none());
    let password = SecretString::from("hunter2-secret".to_owned());
    let req = Request::new(
        Operation::new("test", "authenticate", Effect::Auth),
        Method::Get,
        "/auth/",
    )
    .query("login", "agent")
    .query("password", Param::from(&password))
    .basic_auth("agent", &password)
    .bearer(&SecretString::from("tok-9f8e7d".to_owned()))
    .json(&serde_json::json!({"pan": "8600490212346744"}))
    .expect("body");
    let err = e.execute(&req).await.expect_err("refused");
    let shown = format!(
        "{err} {err:?} {req:?} {e:?} {:?}",
        std::error::Error::source(&err)
    );
    for secret in [
        "hunter2-secret",
        "tok-9f8e7d",
        "aHVudGVyMi1zZWNyZXQ",
        "8600490212346744",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    capture.assert_free_of(&["hunter2-secret", "tok-9f8e7d", "8600490212346744"]);
    let logs = capture.text();
    assert!(
        logs.contains("provider=\"test\"") || logs.contains("provider=test"),
        "{logs}"
    );
    assert!(logs.contains("operation"), "{logs}");
}

/// A classifier for a provider that answers "try again later" as HTTP 200 with code 12.
fn engine_with_body_codes(uri: &str) -> Engine {
    Engine::builder("test", uri)
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .retry(RetryPolicy::default())
        .classify(|_op, resp| {
            let body: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
            (body["code"] == 12).then(|| kassa_core::engine::Transient::new("code 12"))
        })
        .build()
        .expect("engine builds")
}

async fn temporary_then_ok(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(faults::json_body(200, r#"{"code": 12}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(faults::json_body(200, r#"{"code": 0}"#))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test(start_paused = true)]
async fn read_answered_200_with_a_temporary_body_code_is_retried_and_counted() {
    let server = MockServer::start().await;
    temporary_then_ok(&server).await;
    let e = engine_with_body_codes(&server.uri());
    let before = e.budget().available();
    let resp = e
        .execute(&Request::new(READ, Method::Get, "/status"))
        .await
        .expect("the second attempt answers");
    assert_eq!(resp.body, br#"{"code": 0}"#);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
    // One retry withdrawn from the budget (cost 5), the final success refunded (1).
    assert_eq!(
        e.budget().available(),
        before - 5 + 1,
        "the retry was counted"
    );
    let drained = Engine::builder("test", server.uri())
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .budget(Arc::new(RetryBudget::new(0, 5, 1)))
        .classify(|_op, _resp| Some(kassa_core::engine::Transient::new("always")))
        .build()
        .expect("engine builds");
    drained
        .execute(&Request::new(READ, Method::Get, "/status"))
        .await
        .expect("answered");
    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(3),
        "an empty budget stops body-code retries"
    );
}

#[tokio::test(start_paused = true)]
async fn once_call_answered_200_with_a_temporary_body_code_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/pay"))
        .respond_with(faults::json_body(200, r#"{"code": 12}"#))
        .mount(&server)
        .await;
    let e = engine_with_body_codes(&server.uri());
    let resp = e
        .execute(&Request::new(ONCE, Method::Post, "/pay"))
        .await
        .expect("answered");
    assert_eq!(resp.body, br#"{"code": 12}"#);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}
