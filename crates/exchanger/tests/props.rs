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

const P: &str = "exchanger";

/// One fixture case whose request the client sends.
struct Case {
    op: &'static str,
    effect: EffectKind,
    fixture: Fixture,
    params: String,
}

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
    let result = rt.block_on(exchanger::call_json(&client, case.op, &case.params));
    (result, canned.seen())
}

static ANSWERS: LazyLock<Arc<BTreeMap<String, Response>>> = LazyLock::new(|| ok_answers(P));

/// Every fixture case (of an operation the client sends) whose request goes out.
static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for info in exchanger::OPERATIONS {
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
    for info in exchanger::OPERATIONS {
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
        let body = apply(&CALLBACKS[pick % CALLBACKS.len()], &mutations, &DONORS);
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
