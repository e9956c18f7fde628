//! Property tests: no answer decoder of the client panics, whatever the answer. Every
//! fixture answer of every operation is mutated (byte flips, truncations, splices from
//! other answers, deletions, a number quoted, a string unquoted or made a number, a number
//! made extreme) and read through the operation table (`call_json`, as the CLI does) on a
//! canned transport. Errors are fine; a panic, an answer that is not JSON, a read whose
//! failure says money may have moved, or a bare decode error on a call that changes state
//! is not.

use std::sync::{Arc, LazyLock};

use kassa_core::ops::EffectKind;
use kassa_core::{Error, Response, RetryPolicy, Timeouts, Transport};
use kassa_testkit::Fixture;
use kassa_testkit::canned::{Canned, answer_of, assert_sound, ok_answers};
use kassa_testkit::mutate::{Mutation, apply};
use proptest::prelude::*;
use std::collections::BTreeMap;

const P: &str = "mobilnik";

/// One fixture case whose request the client sends.
struct Case {
    op: &'static str,
    effect: EffectKind,
    fixture: Fixture,
    params: String,
}

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

/// Calls `op` with `params` on a canned transport answering `answer`; the result and the
/// operations the client asked for.
fn call(case: &Case, answer: Response) -> (Result<String, Error>, Vec<String>) {
    let canned = Arc::new(Canned::new(ANSWERS.clone(), case.op, answer));
    let client = client(case.op, &case.fixture, canned.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let result = rt.block_on(mobilnik::call_json(&client, case.op, &case.params));
    (result, canned.seen())
}

static ANSWERS: LazyLock<Arc<BTreeMap<String, Response>>> = LazyLock::new(|| ok_answers(P));

/// Every fixture case (of an operation the client sends) whose request goes out.
static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for info in mobilnik::OPERATIONS {
        if LOCAL.contains(&info.name) {
            continue;
        }
        for (_, fixture) in Fixture::cases(P, info.name) {
            let case = Case {
                op: info.name,
                effect: info.effect,
                params: params(info.name, &fixture),
                fixture,
            };
            let (_, seen) = call(&case, answer_of(&case.fixture));
            if seen.iter().any(|s| s == info.name) {
                out.push(case);
            }
        }
    }
    out
});

/// Every fixture answer, the donors of the splices.
static DONORS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    Fixture::operations(P)
        .iter()
        .flat_map(|op| Fixture::cases(P, op))
        .map(|(_, f)| f.response_body())
        .collect()
});

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (
            any::<usize>(),
            any::<usize>(),
            any::<usize>(),
            any::<usize>()
        )
            .prop_map(|(at, donor, from, len)| Mutation::Splice {
                at,
                donor,
                from,
                len
            }),
        any::<usize>().prop_map(|nth| Mutation::QuoteNumber { nth }),
        any::<usize>().prop_map(|nth| Mutation::UnquoteString { nth }),
        (any::<usize>(), any::<i64>())
            .prop_map(|(nth, value)| Mutation::StringToNumber { nth, value }),
        (any::<usize>(), any::<usize>())
            .prop_map(|(nth, pick)| Mutation::ReplaceNumber { nth, pick }),
    ]
}

#[test]
fn every_operation_has_a_case_that_is_sent() {
    for info in mobilnik::OPERATIONS {
        if LOCAL.contains(&info.name) {
            continue;
        }
        assert!(
            CASES.iter().any(|c| c.op == info.name),
            "{}: no fixture's request is sent, so its answer is not mutated",
            info.name
        );
    }
}

#[test]
fn every_unmutated_answer_is_sound() {
    for case in CASES.iter() {
        let (result, _) = call(case, answer_of(&case.fixture));
        assert_sound(case.op, case.effect, &result);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_decoder_panics_on_a_mutated_answer(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let case = &CASES[pick % CASES.len()];
        let mut answer = answer_of(&case.fixture);
        answer.body = apply(&answer.body, &mutations, &DONORS);
        let (result, _) = call(case, answer);
        assert_sound(case.op, case.effect, &result);
    }
}
