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
use kassa_testkit::props::{Harness, block_on, json_text};

const P: &str = "anor-bm";

/// Operations read locally (none here).
const LOCAL: &[&str] = &[];

fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> anor_bm::Client {
    anor_bm::Client::builder("http://canned.invalid", "test-user", "test-password")
        .transport(transport)
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

/// The fixture's JSON body (the client builds `login`'s itself).
fn params(op: &str, f: &Fixture) -> String {
    if op == "login" {
        String::new()
    } else {
        json_text(f)
    }
}

/// The fixture cases and how to call one on a transport.
static H: LazyLock<Harness> = LazyLock::new(|| {
    Harness::new(P, anor_bm::OPERATIONS, LOCAL, params, |case, transport| {
        let client = client(case.op, &case.fixture, transport);
        block_on(anor_bm::call_json(&client, case.op, &case.params))
    })
});

kassa_testkit::harness_tests!(H);
