//! # kassa-bench
//!
//! Side-by-side measurements of the kassa clients against hand-written
//! `reqwest` + `serde_json` code, on the same loopback server (never published, a
//! dependency of nothing):
//!
//! - [`server`]: a minimal axum server answering each path with its recorded fixture
//!   answer, counting the requests per path.
//! - [`calls`]: one read operation per provider, through the kassa client and by hand.
//! - [`payloads`] and [`decode`]: large answers built from the fixtures' row shapes,
//!   decoded by each crate's own answer reading and by serde_json into plain structs.
//! - [`tokens`]: token fetches for 1,000 concurrent cold calls.
//! - [`stats`]: percentiles and medians.
//!
//! `cargo bench -p kassa-bench` runs the criterion benches; `cargo run --release -p
//! kassa-bench --bin table` prints the table of `docs/performance.md`.
//!
//! ```no_run
//! # async fn run() {
//! let server = kassa_bench::server::Server::start().await;
//! let kassa = kassa_bench::calls::Kassa::new(&server.uri());
//! kassa.call(kassa_bench::calls::Provider::AnorBm).await.expect("answered");
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod calls;
pub mod canned;
pub mod decode;
pub mod payloads;
pub mod plain;
pub mod server;
pub mod stats;
pub mod tokens;
