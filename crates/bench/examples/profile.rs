//! Loops one measure for a profiler (`perf record -g`):
//!
//! ```text
//! cargo build --release -p kassa-bench --example profile
//! perf record -g target/release/examples/profile decode statement kassa 20
//! perf record -g target/release/examples/profile call anor-bm kassa 20000
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
