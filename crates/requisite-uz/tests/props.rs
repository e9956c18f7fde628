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

const P: &str = "requisite-uz";

/// Operations read locally (none here).
const LOCAL: &[&str] = &[];

fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> requisite_uz::Client {
    requisite_uz::Client::builder("http://canned.invalid")
        .credentials("test-user", "test-password")
        .transport(transport)
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

/// The fixture's JSON body, or the id in its path.
fn params(op: &str, f: &Fixture) -> String {
    let path = f.request.path.as_str();
    let id = match op {
        "payment-status" => path
            .strip_prefix("/api/v2/payment/")
            .map(|id| ("orderId", id)),
        "balance" => path
            .strip_prefix("/api/v2/account/")
            .and_then(|p| p.strip_suffix("/balance"))
            .map(|id| ("serviceId", id)),
        _ => None,
    };
    match id {
        Some((name, id)) => serde_json::json!({ name: id }).to_string(),
        None => json_text(f),
    }
}

/// The fixture cases and how to call one on a transport.
static H: LazyLock<Harness> = LazyLock::new(|| {
    Harness::new(
        P,
        requisite_uz::OPERATIONS,
        LOCAL,
        params,
        |case, transport| {
            let client = client(case.op, &case.fixture, transport);
            block_on(requisite_uz::call_json(&client, case.op, &case.params))
        },
    )
});

kassa_testkit::harness_tests!(H);
