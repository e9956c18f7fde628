//! The engine's intent-journal hook: what it records, in which order, and that a failure
//! to record sends nothing.

use std::sync::{Arc, Mutex};

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
use kassa_core::{
    Effect, Engine, Error, Method, Operation, Reconcile, Request, ReqwestTransport, Sent, Timeouts,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Default)]
struct Log {
    events: Mutex<Vec<String>>,
    intents: Mutex<Vec<Intent>>,
    resolutions: Mutex<Vec<Resolution>>,
    refuse_record: bool,
}

#[kassa_core::async_trait]
impl Journal for Log {
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError> {
        if self.refuse_record {
            return Err("disk full".into());
        }
        self.intents.lock().expect("lock").push(intent.clone());
        self.events.lock().expect("lock").push(format!(
            "record {} {}",
            intent.operation,
            request.len()
        ));
        Ok(())
    }
    async fn dispatched(&self, id: &str) -> Result<(), JournalError> {
        assert_eq!(
            self.intents
                .lock()
                .expect("lock")
                .last()
                .expect("an intent")
                .id,
            id
        );
        self.events.lock().expect("lock").push("dispatched".into());
        Ok(())
    }
    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError> {
        assert_eq!(
            self.intents
                .lock()
                .expect("lock")
                .last()
                .expect("an intent")
                .id,
            id
        );
        self.events
            .lock()
            .expect("lock")
            .push(format!("resolve {}", resolution.kind()));
        self.resolutions
            .lock()
            .expect("lock")
            .push(resolution.clone());
        Ok(())
    }
}

fn engine(uri: &str, log: Arc<Log>) -> Engine {
    engine_with_secret(uri, log, "")
}

/// An engine that also registers `secret` (none when empty) to scrub from what it writes.
fn engine_with_secret(uri: &str, log: Arc<Log>, secret: &str) -> Engine {
    let client = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .expect("client");
    let b = Engine::builder("test", uri)
        .transport(Arc::new(ReqwestTransport::from_client(client)))
        .timeouts(Timeouts::default())
        .journal(log);
    let b = if secret.is_empty() {
        b
    } else {
        b.secret(secret)
    };
    b.build().expect("engine")
}

fn pay() -> Operation {
    Operation::new("test", "pay", Effect::Once)
        .reconcile_with(Reconcile::new("status").param("billId", "935191"))
        .amount(150_000, "UZS")
}

fn request(op: Operation) -> Request {
    Request::new(op, Method::Post, "/pay")
        .json(&serde_json::json!({"card": "8600123412341234", "amount": 1500}))
        .expect("json")
}

fn status_of(resp: &kassa_core::Response) -> Result<u16, Error> {
    Ok(resp.status)
}

#[tokio::test]
async fn a_once_call_is_recorded_dispatched_sent_and_resolved_in_that_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/pay"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let e = engine(&server.uri(), log.clone());
    assert_eq!(
        e.exchange(&request(pay()), status_of)
            .await
            .expect("succeeds"),
        200
    );
    let events = log.events.lock().expect("lock").clone();
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events[0].starts_with("record pay "), "{events:?}");
    assert_eq!(events[1..], ["dispatched", "resolve succeeded"]);
    let intent = log.intents.lock().expect("lock")[0].clone();
    assert_eq!(intent.provider, "test");
    assert_eq!(intent.reconcile_operation.as_deref(), Some("status"));
    assert_eq!(intent.ids, [("billId".to_string(), "935191".to_string())]);
    assert_eq!(
        (intent.amount_minor, intent.currency.as_deref()),
        (Some(150_000), Some("UZS"))
    );
    // The intent itself holds nothing of the body.
    assert!(!format!("{intent:?}").contains("8600123412341234"));
}

#[tokio::test]
async fn a_refused_record_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let log = Arc::new(Log {
        refuse_record: true,
        ..Log::default()
    });
    let e = engine(&server.uri(), log);
    let err = e
        .exchange(&request(pay()), status_of)
        .await
        .expect_err("fails");
    assert!(matches!(err, Error::Journal { .. }), "{err:?}");
    assert_eq!(err.was_sent(), Sent::No);
    assert!(!err.may_have_taken_effect());
    assert!(err.to_string().contains("disk full"), "{err}");
}

#[tokio::test]
async fn an_outcome_unknown_leaves_the_intent_unresolved() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let e = engine(&server.uri(), log.clone());
    let err = e
        .exchange(&request(pay()), |resp| {
            if resp.status == 503 {
                Err(pay().outcome_unknown(std::io::Error::other("503")))
            } else {
                Ok(resp.status)
            }
        })
        .await
        .unwrap_err();
    assert!(err.may_have_taken_effect());
    let events = log.events.lock().expect("lock").clone();
    assert_eq!(events.len(), 2, "recorded and dispatched only: {events:?}");
    assert_eq!(events[1], "dispatched");
}

#[tokio::test]
async fn a_refusal_is_resolved_as_refused_with_its_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let e = engine(&server.uri(), log.clone());
    let _ = e
        .exchange(&request(pay()), |_| {
            Err::<u16, _>(Error::rejected(
                "test",
                "pay",
                Some(400),
                kassa_core::RawCode("-31".into()),
                "no funds",
            ))
        })
        .await
        .unwrap_err();
    assert_eq!(log.events.lock().expect("lock")[2], "resolve refused");
}

#[tokio::test]
async fn reads_and_calls_without_a_journal_never_touch_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let e = engine(&server.uri(), log.clone());
    let read = Request::new(
        Operation::new("test", "status", Effect::Read),
        Method::Get,
        "/s",
    );
    assert_eq!(e.exchange(&read, status_of).await.expect("succeeds"), 200);
    assert!(log.events.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_refusal_echoing_a_secret_is_stored_scrubbed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let e = engine_with_secret(&server.uri(), log.clone(), "s3cr3t-pw");
    let err = e
        .exchange(&request(pay()), |_| {
            Err::<u16, _>(Error::rejected(
                "test",
                "pay",
                Some(400),
                kassa_core::RawCode("bad-s3cr3t-pw".into()),
                "wrong password s3cr3t-pw",
            ))
        })
        .await
        .expect_err("refused");
    // The refusal carried the secret (each provider client scrubs the error it returns).
    assert!(err.to_string().contains("s3cr3t-pw"), "{err}");
    let stored = log.resolutions.lock().expect("lock").clone();
    assert_eq!(stored.len(), 1);
    let text = format!("{stored:?}");
    assert!(!text.contains("s3cr3t-pw"), "{text}");
    assert!(matches!(&stored[0], Resolution::Refused { .. }), "{text}");
}
