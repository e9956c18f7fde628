//! The default transport's failures keep their cause; a slow body is cut at the deadline;
//! `Retry-After` is honoured in both its forms.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use kassa_core::{
    Effect, Engine, Error, Method, Operation, Request, Response, RetryPolicy, Timeouts, Transport,
    TransportError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const READ: Operation = Operation::new("test", "status", Effect::Read);

fn one_try(base: &str) -> Engine {
    Engine::builder("test", base)
        .retry(RetryPolicy::none())
        .build()
        .expect("engine")
}

#[tokio::test]
async fn connection_refused_is_said() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let base = format!("http://agent:pw-in-url-77@127.0.0.1:{port}/?password=q-secret-88");
    let err = one_try(&base)
        .execute(&Request::new(READ, Method::Get, "/x"))
        .await
        .expect_err("closed port");
    let text = err.to_string();
    assert!(
        text.contains(&format!("connection refused by 127.0.0.1:{port}")),
        "{text}"
    );
    assert!(text.contains("nothing was sent"), "{text}");
    let all = format!("{err} {err:?}");
    assert!(
        !all.contains("pw-in-url-77") && !all.contains("q-secret-88"),
        "{all}"
    );
}

#[tokio::test]
async fn dns_failure_names_the_host() {
    let err = one_try("http://no-such-host.invalid:8080")
        .execute(&Request::new(READ, Method::Get, "/x"))
        .await
        .expect_err("no such host");
    let text = err.to_string();
    assert!(
        text.contains("DNS lookup of no-such-host.invalid failed"),
        "{text}"
    );
    assert!(!text.contains("transport failure"), "{text}");
}

#[derive(Debug)]
struct Never;

#[async_trait]
impl Transport for Never {
    async fn send(&self, _: &str, _: &Request) -> Result<Response, TransportError> {
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_says_how_long() {
    let engine = Engine::builder("test", "http://127.0.0.1:1")
        .transport(Arc::new(Never))
        .timeouts(Timeouts::none().attempt(Duration::from_secs(1)))
        .retry(RetryPolicy::none())
        .build()
        .expect("engine");
    let err = engine
        .execute(&Request::new(READ, Method::Get, "/x"))
        .await
        .expect_err("times out");
    assert!(err.to_string().contains("timed out after 1 s"), "{err}");
}

/// Sends headers promising a large body, then one byte every 50 ms.
async fn trickle() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    if sock.write_all(b" ").await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_body_slower_than_the_deadline_fails_at_the_deadline() {
    let base = trickle().await;
    let engine = Engine::builder("test", &base)
        .timeouts(Timeouts::none().total(Duration::from_millis(600)))
        .build()
        .expect("engine");
    let started = std::time::Instant::now();
    let err = engine
        .execute(&Request::new(READ, Method::Get, "/x"))
        .await
        .expect_err("deadline");
    let took = started.elapsed();
    assert!(err.to_string().contains("timed out after 600 ms"), "{err}");
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    // On a payment it is outcome-unknown.
    let pay = Operation::new("test", "pay", Effect::Once);
    let err = engine
        .execute(&Request::new(pay, Method::Post, "/pay"))
        .await
        .expect_err("deadline");
    assert!(err.may_have_taken_effect(), "{err:?}");
}

/// Answers 503 with a `Retry-After` header first, then 200.
#[derive(Debug)]
struct BusyOnce {
    retry_after: String,
    sends: AtomicUsize,
}

#[async_trait]
impl Transport for BusyOnce {
    async fn send(&self, _: &str, _: &Request) -> Result<Response, TransportError> {
        if self.sends.fetch_add(1, Ordering::SeqCst) == 0 {
            Ok(Response {
                status: 503,
                headers: vec![("retry-after".into(), self.retry_after.clone())],
                body: Vec::new(),
            })
        } else {
            Ok(Response {
                status: 200,
                headers: vec![],
                body: b"{}".to_vec(),
            })
        }
    }
}

/// 2023-11-14 22:13:20 UTC.
fn fixed_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

async fn waited(retry_after: &str) -> Duration {
    let transport = Arc::new(BusyOnce {
        retry_after: retry_after.to_owned(),
        sends: AtomicUsize::new(0),
    });
    let engine = Engine::builder("test", "http://127.0.0.1:1")
        .transport(transport.clone())
        .timeouts(Timeouts::none())
        .clock(fixed_now)
        .build()
        .expect("engine");
    let started = tokio::time::Instant::now();
    let resp = engine
        .execute(&Request::new(READ, Method::Get, "/x"))
        .await
        .expect("answered");
    assert_eq!(resp.status, 200);
    assert_eq!(transport.sends.load(Ordering::SeqCst), 2);
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured_and_bounded() {
    let secs = waited("7").await;
    assert!(
        secs >= Duration::from_secs(7) && secs < Duration::from_millis(7100),
        "{secs:?}"
    );
    let date = waited("Tue, 14 Nov 2023 22:13:27 GMT").await;
    assert!(
        date >= Duration::from_secs(7) && date < Duration::from_millis(7100),
        "{date:?}"
    );
    // An hour away is cut to max_retry_after (30 s), as the seconds form is.
    let far = waited("Tue, 14 Nov 2023 23:13:20 GMT").await;
    assert!(
        far >= Duration::from_secs(30) && far < Duration::from_millis(30_100),
        "{far:?}"
    );
    // A date already past means no wait.
    let past = waited("Tue, 14 Nov 2023 22:00:00 GMT").await;
    assert!(past < Duration::from_millis(100), "{past:?}");
}

#[tokio::test]
async fn a_too_large_answer_from_any_transport_is_refused() {
    #[derive(Debug)]
    struct Big;
    #[async_trait]
    impl Transport for Big {
        async fn send(&self, _: &str, _: &Request) -> Result<Response, TransportError> {
            Ok(Response {
                status: 200,
                headers: vec![],
                body: vec![b'x'; 2048],
            })
        }
    }
    let engine = Engine::builder("test", "http://127.0.0.1:1")
        .transport(Arc::new(Big))
        .max_answer_bytes(1024)
        .build()
        .expect("engine");
    let err = engine
        .execute(&Request::new(READ, Method::Get, "/x"))
        .await
        .expect_err("too large");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("1024 bytes allowed"), "{err}");
}
