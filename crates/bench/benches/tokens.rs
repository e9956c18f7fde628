//! Token fetches for 1,000 concurrent cold calls: the time of the burst, and the token
//! requests the server saw (printed; the `table` binary reports them against the target).

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use kassa_bench::tokens;

const CALLS: usize = 1_000;

fn cold(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut g = c.benchmark_group("cold-1000");
    g.sample_size(10);
    for (name, mserver) in [
        ("anor-bm login", false),
        ("mserver application token", true),
    ] {
        let mut most = 0;
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let burst = rt.block_on(async {
                        if mserver {
                            tokens::mserver(CALLS).await
                        } else {
                            tokens::anor_bm(CALLS).await
                        }
                    });
                    total += t.elapsed();
                    assert_eq!(burst.succeeded, CALLS, "{burst:?}");
                    most = most.max(burst.token_requests);
                }
                total
            })
        });
        println!("{name}: at most {most} token request(s) per {CALLS} cold calls");
    }
    g.finish();
}

criterion_group!(benches, cold);
criterion_main!(benches);
