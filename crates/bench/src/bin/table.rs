//! Prints the side-by-side table of `docs/performance.md`: kassa ÷ hand-written, median of
//! interleaved rounds, against the targets.
//!
//! ```text
//! cargo run --release -p kassa-bench --bin table [-- --rounds 5]
//! ```
//!
//! Peak heap is measured in a child process of this same binary per payload and side
//! (`table --peak <payload> <kassa|plain> <file>`), so that each peak starts from a clean
//! high-water mark of the counting allocator.

use std::alloc::System;
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use cap::Cap;
use kassa_bench::calls::{Kassa, Plain, Provider};
use kassa_bench::decode::{KassaDecoder, Payload, plain_decode};
use kassa_bench::server::Server;
use kassa_bench::stats::{median, percentile};
use kassa_bench::tokens;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const SEQUENTIAL: usize = 5_000;
const IN_FLIGHT: usize = 64;
const PER_TASK: usize = 200;
const COLD_CALLS: usize = 1_000;

const P50_TARGET: f64 = 1.03;
const THROUGHPUT_TARGET: f64 = 0.97;
const DECODE_TARGET: f64 = 0.9;
const HEAP_TARGET: f64 = 1.6;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--peak") {
        peak_child(&args[2..]);
        return;
    }
    if args.get(1).map(String::as_str) == Some("--peak-call") {
        peak_call_child(&args[2..]);
        return;
    }
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(5usize);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    eprintln!("per-call overhead, {rounds} interleaved rounds...");
    let overhead = rt.block_on(overhead(rounds));
    eprintln!("typed decode...");
    let decode = rt.block_on(decode(rounds));
    eprintln!("peak heap (child processes)...");
    let heap: Vec<Heap> = Payload::ALL.iter().map(|p| peak(*p)).collect();
    eprintln!("token fetches...");
    let tokens = rt.block_on(token_fetches(rounds));
    print(rounds, &overhead, &decode, &heap, &tokens);
}

/// Median ratios and absolute medians of one provider.
struct Overhead {
    p50: f64,
    p99: f64,
    throughput: f64,
    kassa_p50_us: f64,
    plain_p50_us: f64,
    kassa_per_s: f64,
    plain_per_s: f64,
}

async fn sequential<F, Fut>(call: F) -> (Duration, Duration)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut samples = Vec::with_capacity(SEQUENTIAL);
    for _ in 0..SEQUENTIAL {
        let t = Instant::now();
        assert!(call().await, "a call failed");
        samples.push(t.elapsed());
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
    )
}

async fn kassa_throughput(k: &Kassa, p: Provider) -> f64 {
    let t = Instant::now();
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let k = k.clone();
            tokio::spawn(async move {
                for _ in 0..PER_TASK {
                    k.call(p).await.expect("a kassa call");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("joins");
    }
    (IN_FLIGHT * PER_TASK) as f64 / t.elapsed().as_secs_f64()
}

async fn plain_throughput(h: &Plain, p: Provider) -> f64 {
    let t = Instant::now();
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move {
                for _ in 0..PER_TASK {
                    h.call(p).await.expect("a hand-written call");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("joins");
    }
    (IN_FLIGHT * PER_TASK) as f64 / t.elapsed().as_secs_f64()
}

async fn overhead(rounds: usize) -> Vec<Overhead> {
    let server = Server::start().await;
    let kassa = Kassa::new(&server.uri());
    let plain = Plain::new(&server.uri());
    let mut out = Vec::new();
    for p in Provider::ALL {
        // Warm both: logins, pooled connections.
        for _ in 0..200 {
            kassa.call(p).await.expect("a kassa call");
            plain.call(p).await.expect("a hand-written call");
        }
        let (mut p50, mut p99, mut thr) = (Vec::new(), Vec::new(), Vec::new());
        let (mut k50, mut h50, mut kps, mut hps) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let kassa_seq = || async { kassa.call(p).await.is_ok() };
            let plain_seq = || async { plain.call(p).await.is_ok() };
            let ((k_50, k_99), (h_50, h_99)) = if round % 2 == 0 {
                let k = sequential(kassa_seq).await;
                (k, sequential(plain_seq).await)
            } else {
                let h = sequential(plain_seq).await;
                (sequential(kassa_seq).await, h)
            };
            let (k_t, h_t) = if round % 2 == 0 {
                let k = kassa_throughput(&kassa, p).await;
                (k, plain_throughput(&plain, p).await)
            } else {
                let h = plain_throughput(&plain, p).await;
                (kassa_throughput(&kassa, p).await, h)
            };
            p50.push(k_50.as_secs_f64() / h_50.as_secs_f64());
            p99.push(k_99.as_secs_f64() / h_99.as_secs_f64());
            thr.push(k_t / h_t);
            k50.push(k_50.as_secs_f64() * 1e6);
            h50.push(h_50.as_secs_f64() * 1e6);
            kps.push(k_t);
            hps.push(h_t);
        }
        eprintln!("  {}", p.label());
        out.push(Overhead {
            p50: median(&mut p50),
            p99: median(&mut p99),
            throughput: median(&mut thr),
            kassa_p50_us: median(&mut k50),
            plain_p50_us: median(&mut h50),
            kassa_per_s: median(&mut kps),
            plain_per_s: median(&mut hps),
        });
    }
    assert_eq!(server.unknown(), 0, "a request went to an unknown path");
    out
}

/// Median MB/s of kassa and by hand, and the median of the per-round ratios.
struct Decode {
    kassa_mbs: f64,
    plain_mbs: f64,
    ratio: f64,
    bytes: usize,
}

async fn decode(rounds: usize) -> Vec<Decode> {
    let mut out = Vec::new();
    for p in Payload::ALL {
        let body = p.build(p.rows());
        let decoder = KassaDecoder::new(p);
        let mb = body.len() as f64 / 1e6;
        let kassa_once = async |decoder: &KassaDecoder| {
            decoder.load(body.clone());
            let t = Instant::now();
            let (n, v) = decoder.decode().await.expect("kassa reads the payload");
            let e = t.elapsed();
            assert_eq!(n, p.rows());
            drop(black_box(v));
            e
        };
        let plain_once = || {
            let t = Instant::now();
            let (n, v) = plain_decode(p, &body).expect("serde_json reads the payload");
            let e = t.elapsed();
            assert_eq!(n, p.rows());
            drop(black_box(v));
            e
        };
        // Warm up once each.
        kassa_once(&decoder).await;
        plain_once();
        let (mut ks, mut hs, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (k, h) = if round % 2 == 0 {
                let k = kassa_once(&decoder).await;
                (k, plain_once())
            } else {
                let h = plain_once();
                (kassa_once(&decoder).await, h)
            };
            ks.push(mb / k.as_secs_f64());
            hs.push(mb / h.as_secs_f64());
            ratio.push(h.as_secs_f64() / k.as_secs_f64());
        }
        eprintln!("  {}", p.label());
        out.push(Decode {
            kassa_mbs: median(&mut ks),
            plain_mbs: median(&mut hs),
            ratio: median(&mut ratio),
            bytes: body.len(),
        });
    }
    out
}

/// Peak heap ÷ payload, kassa and by hand, each from a child process.
struct Heap {
    /// The decode alone, above the body already held.
    decode: (f64, f64),
    /// The whole call over the loopback server, from before the request to the typed
    /// answer (the body as the transport reads it counted).
    call: (f64, f64),
}

fn peak(p: Payload) -> Heap {
    let body = p.build(p.rows());
    let file = std::env::temp_dir().join(format!(
        "kassa-bench-{}-{}.json",
        std::process::id(),
        p.name()
    ));
    std::fs::write(&file, &body).expect("the payload is written");
    let exe = std::env::current_exe().expect("this binary's path");
    let run = |mode: &str, side: &str| -> f64 {
        let out = Command::new(&exe)
            .args([mode, p.name(), side])
            .arg(&file)
            .output()
            .expect("the child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "peak {} {side}: {}{}",
            p.name(),
            text,
            String::from_utf8_lossy(&out.stderr)
        );
        let peak: f64 = text.trim().parse().expect("the child prints its peak");
        peak / body.len() as f64
    };
    let r = Heap {
        decode: (run("--peak", "kassa"), run("--peak", "plain")),
        call: (run("--peak-call", "kassa"), run("--peak-call", "plain")),
    };
    let _ = std::fs::remove_file(&file);
    r
}

/// Child: reads the payload file, decodes it once, prints the peak heap the decode took
/// above what was held before it (the answer body not counted), in bytes.
fn peak_child(args: &[String]) {
    let p = args
        .first()
        .and_then(|n| Payload::from_name(n))
        .expect("a payload name");
    let side = args.get(1).expect("kassa or plain").clone();
    let file = args.get(2).expect("a payload file");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let decoder = KassaDecoder::new(p);
    // Read exactly the file's size: no growth spike above the body.
    let body = std::fs::read(file).expect("the payload file reads");
    let (before, high_before, held) = if side == "kassa" {
        decoder.load(body);
        let before = ALLOC.allocated();
        let high = ALLOC.max_allocated();
        let (n, v) = rt
            .block_on(decoder.decode())
            .expect("kassa reads the payload");
        assert_eq!(n, p.rows());
        (before, high, v)
    } else {
        let before = ALLOC.allocated();
        let high = ALLOC.max_allocated();
        let (n, v) = plain_decode(p, &body).expect("serde_json reads the payload");
        assert_eq!(n, p.rows());
        (before, high, v)
    };
    let peak = ALLOC.max_allocated();
    drop(black_box(held));
    assert!(
        peak > high_before,
        "the decode never passed the earlier high-water mark: not measurable"
    );
    println!("{}", peak - before);
}

/// Child: serves the payload file on a loopback server in this process, makes one whole
/// call (kassa's client with its default transport, or reqwest + serde_json), prints the
/// peak heap from before the request to the typed answer, in bytes. The server's copy of
/// the payload is held before the measure starts.
fn peak_call_child(args: &[String]) {
    let p = args
        .first()
        .and_then(|n| Payload::from_name(n))
        .expect("a payload name");
    let side = args.get(1).expect("kassa or plain").clone();
    let file = args.get(2).expect("a payload file");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let body = std::fs::read(file).expect("the payload file reads");
    let answer = kassa_bench::server::Answer {
        status: 200,
        content_type: Some("application/json".into()),
        body: body.into(),
    };
    let server = rt.block_on(Server::with([(p.path().to_owned(), answer)].into()));
    let uri = server.uri();
    let kassa = KassaDecoder::on(p, &uri);
    let http = reqwest::Client::new();
    let before = ALLOC.allocated();
    let high_before = ALLOC.max_allocated();
    let held = if side == "kassa" {
        let (n, v) = rt.block_on(kassa.decode()).expect("kassa reads the answer");
        assert_eq!(n, p.rows());
        v
    } else {
        let (n, v) = rt
            .block_on(kassa_bench::decode::plain_call(p, &http, &uri))
            .expect("the hand-written call reads the answer");
        assert_eq!(n, p.rows());
        v
    };
    let peak = ALLOC.max_allocated();
    drop(black_box(held));
    assert!(
        peak > high_before,
        "the call never passed the earlier high-water mark: not measurable"
    );
    assert_eq!(server.hits(p.path()), 1, "one request");
    println!("{}", peak - before);
}

async fn token_fetches(rounds: usize) -> [(u64, u64); 2] {
    let mut out = [(0, 0); 2];
    for (i, slot) in out.iter_mut().enumerate() {
        let mut seen = Vec::new();
        for _ in 0..rounds {
            let b = if i == 0 {
                tokens::anor_bm(COLD_CALLS).await
            } else {
                tokens::mserver(COLD_CALLS).await
            };
            assert_eq!(b.succeeded, COLD_CALLS, "every cold call succeeds: {b:?}");
            seen.push(b.token_requests);
        }
        *slot = (
            seen.iter().copied().min().unwrap_or(0),
            seen.iter().copied().max().unwrap_or(0),
        );
    }
    out
}

fn mark(ok: bool) -> &'static str {
    if ok { "✅" } else { "❌" }
}

fn print(
    rounds: usize,
    overhead: &[Overhead],
    decode: &[Decode],
    heap: &[Heap],
    tokens: &[(u64, u64); 2],
) {
    println!(
        "Per-call overhead, kassa ÷ hand-written (median of {rounds} interleaved rounds; \
         {SEQUENTIAL} sequential calls, {IN_FLIGHT}×{PER_TASK} calls with {IN_FLIGHT} in flight):\n"
    );
    print!("| measure | target |");
    for p in Provider::ALL {
        print!(" {} |", p.label());
    }
    println!();
    print!("|---|---|");
    for _ in Provider::ALL {
        print!("---|");
    }
    println!();
    print!("| sequential p50 latency | ≤ {P50_TARGET:.2} |");
    for o in overhead {
        print!(" {:.2} {} |", o.p50, mark(o.p50 <= P50_TARGET));
    }
    println!();
    print!("| sequential p99 latency | — |");
    for o in overhead {
        print!(" {:.2} |", o.p99);
    }
    println!();
    print!("| throughput, {IN_FLIGHT} in flight | ≥ {THROUGHPUT_TARGET:.2} |");
    for o in overhead {
        print!(
            " {:.2} {} |",
            o.throughput,
            mark(o.throughput >= THROUGHPUT_TARGET)
        );
    }
    println!();
    print!("| p50 µs, kassa / by hand | |");
    for o in overhead {
        print!(" {:.0} / {:.0} |", o.kassa_p50_us, o.plain_p50_us);
    }
    println!();
    print!("| calls/s, kassa / by hand | |");
    for o in overhead {
        print!(" {:.0} / {:.0} |", o.kassa_per_s, o.plain_per_s);
    }
    println!();

    println!(
        "\nTyped decode, kassa ÷ serde_json into plain structs (MB/s median of {rounds} \
         interleaved rounds; peak heap ÷ payload size, of the decode alone above the body \
         already held, and of the whole call over the loopback server):\n"
    );
    println!(
        "| payload | size | MB/s kassa / by hand | decode ratio (≥ {DECODE_TARGET}) | decode peak heap kassa (≤ {HEAP_TARGET}×) | by hand | whole-call peak heap kassa | by hand |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for ((p, d), h) in Payload::ALL.iter().zip(decode).zip(heap) {
        let (hk, hp) = h.decode;
        let (ck, cp) = h.call;
        println!(
            "| {} | {:.1} MB | {:.0} / {:.0} | {:.2} {} | {:.2}× {} | {:.2}× | {:.2}× | {:.2}× |",
            p.label(),
            d.bytes as f64 / 1e6,
            d.kassa_mbs,
            d.plain_mbs,
            d.ratio,
            mark(d.ratio >= DECODE_TARGET),
            hk,
            mark(hk <= HEAP_TARGET),
            hp,
            ck,
            cp
        );
    }

    println!(
        "\nToken fetches for {COLD_CALLS} concurrent cold calls (requests seen by the server, \
         min–max over {rounds} runs; target 1):\n"
    );
    println!("| client | token requests |");
    println!("|---|---|");
    for (name, (lo, hi)) in ["anor-bm login", "mserver application token"]
        .iter()
        .zip(tokens)
    {
        let seen = if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo}–{hi}")
        };
        println!("| {name} | {seen} {} |", mark(*hi == 1));
    }
}
