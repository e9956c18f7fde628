//! Loops one measure for a profiler (`perf record -g`):
//!
//! ```text
//! cargo build --release -p kassa-bench --example profile
//! perf record -g target/release/examples/profile decode statement kassa 20
//! perf record -g target/release/examples/profile call anor-bm kassa 20000
//! target/release/examples/profile canned exchanger kassa 100000
//! ```

use std::hint::black_box;

use kassa_bench::calls::{Kassa, Plain, Provider};
use kassa_bench::decode::{KassaDecoder, Payload, plain_decode};
use kassa_bench::server::Server;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("decode");
    let name = args.get(2).map(String::as_str).unwrap_or("statement");
    let side = args.get(3).map(String::as_str).unwrap_or("kassa");
    let n: usize = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let t = std::time::Instant::now();
    if what == "canned" {
        // The exchanger client on an in-memory transport: kassa's own CPU per call, no
        // network, no server.
        let fixture = kassa_testkit::Fixture::load("exchanger", "bid-info", "ok_by_id");
        let body = kassa_bench::server::Answer::of(&fixture).body.to_vec();
        let transport = std::sync::Arc::new(kassa_bench::canned::CannedTransport::default());
        let client =
            kassa_bench::calls::exchanger_client("http://127.0.0.1:9", Some(transport.clone()));
        let req = exchanger::BidInfoRequest::id(exchanger::BidId(1350));
        rt.block_on(async {
            for _ in 0..n {
                transport.load(body.clone());
                black_box(client.bid_info(&req).await.expect("reads"));
            }
        });
        eprintln!(
            "canned exchanger bid-info: {:.2} µs a call",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
        return;
    }
    if what == "timers" {
        // The exchanger call three ways on one server, interleaved: kassa as built by
        // default, kassa without attempt and total timeouts, and by hand (p50 in µs).
        rt.block_on(async {
            let server = Server::start().await;
            let uri = server.uri();
            let kassa = kassa_bench::calls::exchanger_client(&uri, None);
            let bare = exchanger::Client::builder(&uri)
                .login(kassa_bench::calls::creds::EXCHANGER_LOGIN)
                .key(kassa_bench::calls::creds::EXCHANGER_KEY)
                .timeouts(kassa_core::Timeouts { connect: None, attempt: None, total: None })
                .build()
                .expect("builds");
            let plain = Plain::new(&uri);
            let thin = exchanger::Client::builder(&uri)
                .login(kassa_bench::calls::creds::EXCHANGER_LOGIN)
                .key(kassa_bench::calls::creds::EXCHANGER_KEY)
                .transport(std::sync::Arc::new(Thin(reqwest::Client::new())))
                .build()
                .expect("builds");
            let req = exchanger::BidInfoRequest::id(exchanger::BidId(1350));
            for round in 0..5 {
                let mut out = Vec::new();
                for side in 0..4 {
                    let mut samples = Vec::with_capacity(n);
                    for _ in 0..n {
                        let t = std::time::Instant::now();
                        match side {
                            0 => drop(black_box(kassa.bid_info(&req).await.expect("a call"))),
                            1 => drop(black_box(bare.bid_info(&req).await.expect("a call"))),
                            2 => drop(black_box(thin.bid_info(&req).await.expect("a call"))),
                            _ => plain.call(Provider::Exchanger).await.expect("a call"),
                        }
                        samples.push(t.elapsed());
                    }
                    samples.sort();
                    out.push(samples[n / 2].as_secs_f64() * 1e6);
                }
                let inside = {
                    let mut t =
                        std::mem::take(&mut *THIN.lock().unwrap_or_else(|e| e.into_inner()));
                    t.sort();
                    t.get(t.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e6)
                };
                eprintln!("round {round}: p50 µs kassa {:.1}, kassa without timers {:.1}, kassa on a thin transport {:.1} (p50 {inside:.1} inside the transport), by hand {:.1}", out[0], out[1], out[2], out[3]);
            }
        });
        return;
    }
    if what == "decode" {
        let p = Payload::from_name(name).expect("a payload name");
        let body = p.build(p.rows());
        let decoder = KassaDecoder::new(p);
        for _ in 0..n {
            if side == "kassa" {
                decoder.load(body.clone());
                let v = rt.block_on(decoder.decode()).expect("kassa reads");
                black_box(v);
            } else {
                black_box(plain_decode(p, &body).expect("serde_json reads"));
            }
        }
    } else {
        let p = Provider::ALL
            .into_iter()
            .find(|p| p.label().starts_with(name))
            .expect("a provider");
        rt.block_on(async {
            let server = Server::start().await;
            let kassa = Kassa::new(&server.uri());
            let plain = Plain::new(&server.uri());
            for _ in 0..n {
                if side == "kassa" {
                    kassa.call(p).await.expect("a kassa call");
                } else {
                    plain.call(p).await.expect("a plain call");
                }
            }
        });
    }
    eprintln!("{what} {name} {side} x{n}: {:?}", t.elapsed());
}

/// A transport doing what the hand-written side does: the URL formatted, the body read
/// whole by reqwest (no cap), the headers copied. It adds up the time spent inside it.
#[derive(Debug)]
struct Thin(reqwest::Client);

/// The time each [`Thin::send`] took.
static THIN: std::sync::Mutex<Vec<std::time::Duration>> = std::sync::Mutex::new(Vec::new());

#[kassa_core::async_trait]
impl kassa_core::Transport for Thin {
    async fn send(
        &self,
        base: &str,
        req: &kassa_core::Request,
    ) -> Result<kassa_core::Response, kassa_core::TransportError> {
        let started = std::time::Instant::now();
        let mut b = self.0.post(format!("{base}{}", req.path));
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.expose());
        }
        if let kassa_core::Body::Form(fields) = &req.body {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.expose()))
                .collect();
            b = b.form(&pairs);
        }
        let resp = b
            .send()
            .await
            .map_err(kassa_core::TransportError::maybe_sent)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = resp
            .bytes()
            .await
            .map_err(kassa_core::TransportError::maybe_sent)?;
        let answer = kassa_core::Response {
            status,
            headers,
            body: body.to_vec(),
        };
        THIN.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(started.elapsed());
        Ok(answer)
    }
}
