//! Typed decode of large answers: each crate's own answer reading against serde_json into
//! plain structs (MB/s). Peak heap is measured by the `table` binary.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kassa_bench::decode::{KassaDecoder, Payload, plain_decode};

fn decode(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for p in Payload::ALL {
        let body = p.build(p.rows());
        let decoder = KassaDecoder::new(p);
        let mut g = c.benchmark_group(format!("decode/{}", p.label()));
        g.sample_size(10);
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function("kassa", |b| {
            b.iter_batched(
                || decoder.load(body.clone()),
                |()| black_box(rt.block_on(decoder.decode()).expect("kassa reads")),
                BatchSize::PerIteration,
            )
        });
        g.bench_function("serde_json", |b| {
            b.iter(|| black_box(plain_decode(p, &body).expect("serde_json reads")))
        });
        g.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
