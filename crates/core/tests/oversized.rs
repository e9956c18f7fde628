//! An answer far larger than the cap: the call fails with the size error, promptly, and the
//! process's peak memory stays a small multiple of the cap. Its own test binary, so the
//! counting allocator sees only this test.

use std::alloc::System;
use std::time::{Duration, Instant};

use cap::Cap;
use kassa_core::{Effect, Engine, Error, Method, Operation, Request, Timeouts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const ANSWER: usize = 256 * 1024 * 1024;
const CAP: usize = 32 * 1024 * 1024;

/// Serves one answer of `ANSWER` bytes per connection, streamed in 64 KiB writes from one
/// buffer; with `declare` it sends `Content-Length`, else it streams until closed.
async fn serve(declare: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let header = if declare {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {ANSWER}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                        .to_owned()
                };
                if sock.write_all(header.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < ANSWER {
                    if sock.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    format!("http://{addr}")
}

async fn call(base: &str, op: Operation) -> (Error, Duration) {
    let engine = Engine::builder("test", base)
        .timeouts(Timeouts::default().total(Duration::from_secs(20)))
        .build()
        .expect("engine");
    let started = Instant::now();
    let err = engine
        .execute(&Request::new(op, Method::Get, "/statement"))
        .await
        .expect_err("an answer past the cap fails");
    (err, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_answer_fails_promptly_with_bounded_memory() {
    let before = ALLOC.allocated();

    // Streamed with no length: reading stops as soon as it passes the cap.
    let streamed = serve(false).await;
    let (err, took) = call(&streamed, Operation::new("test", "statement", Effect::Read)).await;
    let text = err.to_string();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        text.contains("larger than the 33554432 bytes allowed"),
        "{text}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    eprintln!("streamed 256 MiB answer: failed after {took:?}: {text}");

    // On a payment the same failure is outcome-unknown, and is not resent.
    let (err, _) = call(&streamed, Operation::new("test", "pay", Effect::Once)).await;
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert!(err.to_string().contains("max_answer_bytes"), "{err}");

    // Declared by Content-Length: refused before reading the body.
    let declared = serve(true).await;
    let (err, took_declared) =
        call(&declared, Operation::new("test", "statement", Effect::Read)).await;
    assert!(
        err.to_string()
            .contains(&format!("declares {ANSWER} bytes")),
        "{err}"
    );
    assert!(
        took_declared < Duration::from_secs(5),
        "took {took_declared:?}"
    );

    let peak = ALLOC.max_allocated();
    eprintln!(
        "peak heap {:.1} MiB (before the calls {:.1} MiB), cap {} MiB, answer {} MiB",
        peak as f64 / 1048576.0,
        before as f64 / 1048576.0,
        CAP >> 20,
        ANSWER >> 20
    );
    assert!(peak < 3 * CAP, "peak {peak} bytes for a cap of {CAP}");
}
