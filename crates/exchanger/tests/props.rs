//! Property tests: no answer decoder of the client panics, whatever the answer. Every
//! fixture answer of every operation is mutated (byte flips, truncations, splices from
//! other answers, deletions, a number quoted, a string unquoted or made a number, a number
//! made extreme) and read through the operation table (`call_json`, as the CLI does) on a
//! canned transport. Errors are fine; a panic, an answer that is not JSON, a read whose
//! failure says money may have moved, or a bare decode error on a call that changes state
//! is not.

use std::sync::{Arc, LazyLock};

use kassa_core::{RetryPolicy, Timeouts, Transport};
use kassa_testkit::Fixture;
use kassa_testkit::mutate::apply;
use kassa_testkit::props::{Harness, block_on, mutation};
use proptest::prelude::*;

const P: &str = "exchanger";

/// Operations read locally (none here; the bid callback has its own test).
const LOCAL: &[&str] = &[];

fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> exchanger::Client {
    exchanger::Client::builder("http://canned.invalid")
        .login("test-login")
        .key("test-key")
        .transport(transport)
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

/// The form's fields; get-calc's `cd` as its (name, value) pairs.
fn params(op: &str, f: &Fixture) -> String {
    let mut map = serde_json::Map::new();
    for (k, v) in f.request.form.iter().flatten() {
        if op == "get-calc" && k == "cd" {
            let once: String = form_urlencoded::parse(format!("x={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let pairs: Vec<(String, String)> = form_urlencoded::parse(once.as_bytes())
                .map(|(a, b)| (a.into_owned(), b.into_owned()))
                .collect();
            map.insert("cd".into(), serde_json::json!(pairs));
        } else {
            map.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// The fixture cases and how to call one on a transport.
static H: LazyLock<Harness> = LazyLock::new(|| {
    Harness::new(
        P,
        exchanger::OPERATIONS,
        LOCAL,
        params,
        |case, transport| {
            let client = client(case.op, &case.fixture, transport);
            block_on(exchanger::call_json(&client, case.op, &case.params))
        },
    )
});

kassa_testkit::harness_tests!(H);

/// The bid callbacks' form bodies.
static CALLBACKS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    Fixture::cases(P, "bid-callback")
        .into_iter()
        .map(|(_, f)| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(f.request.form.iter().flatten())
                .finish()
                .into_bytes()
        })
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    /// A mutated callback body is read or refused naming `bid_id`, never a panic.
    #[test]
    fn a_mutated_bid_callback_is_read_or_refused(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let body = apply(&CALLBACKS[pick % CALLBACKS.len()], &mutations, H.donors());
        match exchanger::parse_callback(&body) {
            Ok(cb) => drop(format!("{:?}", cb.claimed())),
            Err(e) => prop_assert_eq!(e.field(), Some("bid_id"), "{}", e),
        }
    }

    /// Any bytes at all.
    #[test]
    fn any_bid_callback_body_is_read_or_refused(body in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Err(e) = exchanger::parse_callback(&body) {
            prop_assert_eq!(e.field(), Some("bid_id"));
        }
    }
}
