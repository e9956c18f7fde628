//! The provider crates' shared property test: no answer decoder panics, whatever the answer.
//!
//! A [`Harness`] holds every fixture case of a provider whose request the client sends,
//! and reads each one's answer through the operation table (`call_json`, as the CLI does) on
//! a [`Canned`] transport. Unchanged, every answer must be sound; mutated (byte flips,
//! truncations, splices from other answers, deletions, a number quoted, a string unquoted or
//! made a number, a number made extreme: [`mutation`]), it may be an error but never a
//! panic, never a read whose failure says money may have moved, and never a bare decode
//! error on a call that changes state ([`assert_sound`]).
//!
//! A provider's `tests/props.rs` gives the harness its operation table, how a fixture
//! becomes `--params`, and how to call one case on a transport:
//!
//! ```no_run
//! use std::sync::LazyLock;
//! use kassa_testkit::props::{Harness, block_on, json_text};
//! # mod anor_bm {
//! #     pub static OPERATIONS: &[kassa_core::ops::OperationInfo] = &[];
//! #     pub struct Client;
//! #     pub async fn call_json(_: &Client, _: &str, _: &str) -> Result<String, kassa_core::Error> { Ok(String::new()) }
//! # }
//! static H: LazyLock<Harness> = LazyLock::new(|| {
//!     Harness::new("anor-bm", anor_bm::OPERATIONS, &[], |_op, f| json_text(f), |case, _transport| {
//!         let client = anor_bm::Client; // built on `_transport`
//!         block_on(anor_bm::call_json(&client, case.op, &case.params))
//!     })
//! });
//! H.every_operation_has_a_case_that_is_sent();
//! H.every_unmutated_answer_is_sound();
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use kassa_core::ops::{EffectKind, OperationInfo};
use kassa_core::{Error, Response, Transport};
use proptest::prelude::*;

use crate::Fixture;
use crate::canned::{Canned, answer_of, assert_sound, ok_answers};
use crate::mutate::{Mutation, apply};

/// proptest, for [`harness_tests!`](crate::harness_tests) (the calling crate need not name it).
#[doc(hidden)]
pub use proptest;

/// One fixture case whose request the client sends.
pub struct Case {
    /// The operation.
    pub op: &'static str,
    /// Its effect, from the operation table.
    pub effect: EffectKind,
    /// The fixture.
    pub fixture: Fixture,
    /// The fixture's request as `call_json` parameters.
    pub params: String,
}

/// Calls one case on a transport: builds the provider's client on it and runs
/// `call_json` (usually through [`block_on`]).
type Run = dyn Fn(&Case, Arc<dyn Transport>) -> Result<String, Error> + Send + Sync;

/// A provider's fixture cases and how to call them (see the module documentation).
pub struct Harness {
    ops: &'static [OperationInfo],
    local: Vec<&'static str>,
    answers: Arc<BTreeMap<String, Response>>,
    cases: Vec<Case>,
    donors: Vec<Vec<u8>>,
    run: Box<Run>,
}

impl Harness {
    /// Collects every fixture case of `provider`'s operations (but the `local` ones, read
    /// without a request) whose request the client sends with `params`.
    pub fn new(
        provider: &str,
        ops: &'static [OperationInfo],
        local: &[&'static str],
        params: impl Fn(&str, &Fixture) -> String,
        run: impl Fn(&Case, Arc<dyn Transport>) -> Result<String, Error> + Send + Sync + 'static,
    ) -> Harness {
        let mut h = Harness {
            ops,
            local: local.to_vec(),
            answers: ok_answers(provider),
            cases: Vec::new(),
            donors: Fixture::operations(provider)
                .iter()
                .flat_map(|op| Fixture::cases(provider, op))
                .map(|(_, f)| f.response_body())
                .collect(),
            run: Box::new(run),
        };
        for info in ops.iter().filter(|i| !h.local.contains(&i.name)) {
            for (_, fixture) in Fixture::cases(provider, info.name) {
                let case = Case {
                    op: info.name,
                    effect: info.effect,
                    params: params(info.name, &fixture),
                    fixture,
                };
                let (_, seen) = h.call(&case, answer_of(&case.fixture));
                if seen.iter().any(|s| s == info.name) {
                    h.cases.push(case);
                }
            }
        }
        h
    }

    /// Calls `case` on a canned transport answering `answer` (other operations, a login,
    /// get their fixtures' good answers); the result and the operations the client asked.
    pub fn call(&self, case: &Case, answer: Response) -> (Result<String, Error>, Vec<String>) {
        let canned = Arc::new(Canned::new(self.answers.clone(), case.op, answer));
        let result = (self.run)(case, canned.clone());
        (result, canned.seen())
    }

    /// Every fixture answer: the donors of the splices.
    pub fn donors(&self) -> &[Vec<u8>] {
        &self.donors
    }

    /// Every operation but the local ones has a case whose request is sent.
    pub fn every_operation_has_a_case_that_is_sent(&self) {
        for info in self.ops.iter().filter(|i| !self.local.contains(&i.name)) {
            assert!(
                self.cases.iter().any(|c| c.op == info.name),
                "{}: no fixture's request is sent, so its answer is not mutated",
                info.name
            );
        }
    }

    /// Every fixture answer, unchanged, is read soundly.
    pub fn every_unmutated_answer_is_sound(&self) {
        for case in &self.cases {
            let (result, _) = self.call(case, answer_of(&case.fixture));
            assert_sound(case.op, case.effect, &result);
        }
    }

    /// The case `pick` (modulo the count) with its answer mutated is read soundly.
    pub fn mutated_answer_is_sound(&self, pick: usize, mutations: &[Mutation]) {
        let case = &self.cases[pick % self.cases.len()];
        let mut answer = answer_of(&case.fixture);
        answer.body = apply(&answer.body, mutations, &self.donors);
        let (result, _) = self.call(case, answer);
        assert_sound(case.op, case.effect, &result);
    }
}

/// Runs `f` to its end on a current-thread runtime with tokio's clock paused (retries and
/// timeouts cost no time).
pub fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// The fixture's request JSON body as text, or nothing.
pub fn json_text(f: &Fixture) -> String {
    f.request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Any one mutation of an answer.
pub fn mutation() -> impl Strategy<Value = Mutation> {
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

/// The three tests every provider's `tests/props.rs` runs on its [`Harness`] `static`:
/// `every_operation_has_a_case_that_is_sent`, `every_unmutated_answer_is_sound`, and the
/// property `no_decoder_panics_on_a_mutated_answer` (1,024 cases of one to three
/// [`mutation`]s).
///
/// ```no_run
/// use std::sync::LazyLock;
/// use kassa_testkit::props::{Harness, block_on, json_text};
/// # mod anor_bm {
/// #     pub static OPERATIONS: &[kassa_core::ops::OperationInfo] = &[];
/// #     pub struct Client;
/// #     pub async fn call_json(_: &Client, _: &str, _: &str) -> Result<String, kassa_core::Error> { Ok(String::new()) }
/// # }
/// static H: LazyLock<Harness> = LazyLock::new(|| {
///     Harness::new("anor-bm", anor_bm::OPERATIONS, &[], |_op, f| json_text(f), |case, _t| {
///         block_on(anor_bm::call_json(&anor_bm::Client, case.op, &case.params))
///     })
/// });
/// kassa_testkit::harness_tests!(H);
/// ```
#[macro_export]
macro_rules! harness_tests {
    ($harness:ident) => {
        #[test]
        fn every_operation_has_a_case_that_is_sent() {
            $harness.every_operation_has_a_case_that_is_sent();
        }

        #[test]
        fn every_unmutated_answer_is_sound() {
            $harness.every_unmutated_answer_is_sound();
        }

        $crate::props::proptest::proptest! {
            #![proptest_config($crate::props::proptest::prelude::ProptestConfig {
                cases: 1024,
                failure_persistence: None,
                ..$crate::props::proptest::prelude::ProptestConfig::default()
            })]

            #[test]
            fn no_decoder_panics_on_a_mutated_answer(
                pick in $crate::props::proptest::prelude::any::<usize>(),
                mutations in $crate::props::proptest::collection::vec($crate::props::mutation(), 1..4),
            ) {
                $harness.mutated_answer_is_sound(pick, &mutations);
            }
        }
    };
}
