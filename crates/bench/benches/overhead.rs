//! Per-call overhead: each provider's read operation through the kassa client and by hand,
//! one call at a time and 64 in flight, on the same loopback server. Each call passes its
//! typed answer to `black_box` itself.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kassa_bench::calls::{Kassa, Plain, Provider};
use kassa_bench::server::Server;

const IN_FLIGHT: u64 = 64;

fn overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = rt.block_on(Server::start());
    let kassa = Kassa::new(&server.uri());
    let plain = Plain::new(&server.uri());
    for p in Provider::ALL {
        rt.block_on(async {
            kassa.call(p).await.expect("a kassa call");
            plain.call(p).await.expect("a hand-written call");
        });
        let mut g = c.benchmark_group(format!("call/{}", p.label()));
        g.bench_function("kassa", |b| {
            b.to_async(&rt)
                .iter(|| async { kassa.call(p).await.expect("a kassa call") })
        });
        g.bench_function("hand-written", |b| {
            b.to_async(&rt)
                .iter(|| async { plain.call(p).await.expect("a hand-written call") })
        });
        g.finish();

        let mut g = c.benchmark_group(format!("in-flight-64/{}", p.label()));
        g.throughput(Throughput::Elements(IN_FLIGHT));
        g.bench_function("kassa", |b| {
            b.to_async(&rt).iter(|| async {
                let tasks: Vec<_> = (0..IN_FLIGHT)
                    .map(|_| {
                        let k = kassa.clone();
                        tokio::spawn(async move { k.call(p).await.expect("a kassa call") })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("joins");
                }
            })
        });
        g.bench_function("hand-written", |b| {
            b.to_async(&rt).iter(|| async {
                let tasks: Vec<_> = (0..IN_FLIGHT)
                    .map(|_| {
                        let h = plain.clone();
                        tokio::spawn(async move { h.call(p).await.expect("a hand-written call") })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("joins");
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, overhead);
criterion_main!(benches);
