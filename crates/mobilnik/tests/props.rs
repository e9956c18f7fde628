//! Property tests: no answer decoder of the client panics, whatever the answer. Every
//! fixture answer of every operation is mutated (byte flips, truncations, splices from
//! other answers, deletions, a number quoted, a string unquoted or made a number, a number
//! made extreme) and read through the operation table (`call_json`, as the CLI does) on a
//! canned transport. Errors are fine; a panic, an answer that is not JSON, a read whose
//! failure says money may have moved, or a bare decode error on a call that changes state
//! is not.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use kassa_core::{RetryPolicy, Timeouts, Transport};
use kassa_testkit::Fixture;
use kassa_testkit::props::{Harness, block_on};

const P: &str = "mobilnik";

/// Operations read locally (none here).
const LOCAL: &[&str] = &[];

fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> mobilnik::Client {
    mobilnik::Client::builder()
        .base_url("http://canned.invalid")
        .login("test")
        .password(mobilnik::SecretString::from("test-password".to_owned()))
        .device_id(mobilnik::DeviceId::new("test-device-id").expect("device id"))
        .device_name("kassa-test")
        .transport(transport)
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

/// The query's fields but those the client adds itself.
fn params(op: &str, f: &Fixture) -> String {
    let params: BTreeMap<&str, &str> = if op == "authenticate" {
        BTreeMap::new()
    } else {
        f.request
            .query
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "token" | "client"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    };
    serde_json::to_string(&params).expect("parameters as JSON")
}

/// The fixture cases and how to call one on a transport.
static H: LazyLock<Harness> = LazyLock::new(|| {
    Harness::new(P, mobilnik::OPERATIONS, LOCAL, params, |case, transport| {
        let client = client(case.op, &case.fixture, transport);
        block_on(mobilnik::call_json(&client, case.op, &case.params))
    })
});

kassa_testkit::harness_tests!(H);
