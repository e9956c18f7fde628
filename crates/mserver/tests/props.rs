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

const P: &str = "mserver";

/// Operations read locally: the payment notification (its own property below).
const LOCAL: &[&str] = &["payment-notification"];

/// The client the fixture's authorization shows: the application's, a bearer's or the
/// wallet's.
fn client(op: &str, f: &Fixture, transport: Arc<dyn Transport>) -> mserver::Client {
    let base = "http://canned.invalid";
    let b = mserver::Client::builder()
        .base_url(base)
        .transport(transport)
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none());
    let auth = f.request.headers.get("authorization");
    let b = if op == "application-token" || f.request.headers.contains_key("x-authorization-type") {
        b.token_url(format!("{base}/oauth/token"))
            .application("test-client-id", "test-client-secret".into())
    } else if auth.is_some_and(|a| a == "Bearer test-access-token") {
        b.bearer("test-access-token".into())
    } else {
        b.wallet("+79261111111", "test-password".into())
            .expect("a wallet")
    };
    b.build().expect("client builds")
}

/// The JSON body, query and path parameters, as the contract tests give them.
fn params(op: &str, f: &Fixture) -> String {
    serde_json::Value::Object(kassa_testkit::params::mserver(op, f)).to_string()
}

/// The fixture cases and how to call one on a transport.
static H: LazyLock<Harness> = LazyLock::new(|| {
    Harness::new(P, mserver::OPERATIONS, LOCAL, params, |case, transport| {
        let client = client(case.op, &case.fixture, transport);
        block_on(mserver::call_json(&client, case.op, &case.params))
    })
});

kassa_testkit::harness_tests!(H);

/// The payment notifications' bodies (sent to us, verified locally).
static NOTIFICATIONS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    Fixture::cases(P, "payment-notification")
        .into_iter()
        .filter_map(|(_, f)| f.request.json.map(|j| j.to_string().into_bytes()))
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// A notification with a genuine token and a mutated body is read or refused, never
    /// a panic; a refusal names a field.
    #[test]
    fn a_mutated_payment_notification_is_read_or_refused(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let body = apply(&NOTIFICATIONS[pick % NOTIFICATIONS.len()], &mutations, H.donors());
        let secret = mserver::SecretString::from("test-app-secret".to_owned());
        let query = [
            ("app_id", "test-app-id"),
            ("access_token", "36849797cc664a7dcf42fc7bf1d5e03249445e07"),
        ];
        let headers = [("content-type", "application/json")];
        match mserver::verify_payment_notification(&body, query, headers, "test-app-id", &secret) {
            Ok(event) => drop(format!("{:?}", event.get())),
            Err(refusal) => prop_assert!(!refusal.field().is_empty(), "{refusal}"),
        }
    }
}

/// A regression case found with the property above: `Exact` took any run of digits,
/// signs, points and exponent letters for a number (`"--"`, `"1.2.3"`), and passed it on.
#[test]
fn an_exact_number_is_a_number() {
    for bad in [
        "\"--\"",
        "\"1.2.3\"",
        "\"e\"",
        "\"+\"",
        "\"1e\"",
        "\".5\"",
        "\"1.\"",
        "\"-\"",
        "\"1-2\"",
    ] {
        assert!(
            serde_json::from_str::<mserver::Exact>(bad).is_err(),
            "{bad} read as a number"
        );
    }
    for good in [
        "0",
        "-0.5",
        "55.616371",
        "\"0.10\"",
        "1e400",
        "1.5E-5",
        "2e+3",
        "\"007\"",
    ] {
        let n: mserver::Exact = serde_json::from_str(good).expect(good);
        assert_eq!(n.as_str(), good.trim_matches('"'));
    }
}
