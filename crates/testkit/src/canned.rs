//! A transport with answers loaded beforehand, for the property tests: the operation under
//! test answers a given (mutated) body, every other operation (the login, a token) its
//! fixtures' first 2xx answer. Nothing goes to the network.
//!
//! ```
//! use std::sync::Arc;
//! use kassa_core::{Effect, Method, Operation, Request, Response, Transport};
//! use kassa_testkit::canned::{Canned, ok_answers};
//!
//! let answer = Response { status: 200, headers: vec![], body: b"{}".to_vec() };
//! let canned = Canned::new(ok_answers("anor-bm"), "status", answer);
//! let req = Request::new(Operation::new("anor-bm", "login", Effect::Auth), Method::Post, "/x");
//! let got = tokio::runtime::Builder::new_current_thread().build()?.block_on(canned.send("http://h", &req));
//! assert_eq!(got.map(|r| r.status).ok(), Some(200));
//! assert_eq!(canned.seen(), ["login"]);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use kassa_core::ops::EffectKind;
use kassa_core::{Error, Request, Response, Transport, TransportError, async_trait};

use crate::Fixture;

/// Requests one call may make before the transport refuses (pages, polls, a refresh).
pub const MAX_REQUESTS: usize = 12;

/// Every operation's first 2xx fixture answer, by operation name.
///
/// ```
/// assert!(kassa_testkit::canned::ok_answers("anor-bm").contains_key("login"));
/// ```
pub fn ok_answers(provider: &str) -> Arc<BTreeMap<String, Response>> {
    let mut out = BTreeMap::new();
    for op in Fixture::operations(provider) {
        let mut cases = Fixture::cases(provider, &op);
        cases.sort_by_key(|(case, _)| (!case.starts_with("ok"), case.clone()));
        if let Some((_, f)) = cases
            .into_iter()
            .find(|(_, f)| (200..300).contains(&f.response.status))
        {
            out.insert(op, answer_of(&f));
        }
    }
    Arc::new(out)
}

/// A fixture's answer as a transport gives it (status, lower-case headers, body).
///
/// ```
/// let f = kassa_testkit::Fixture::load("anor-bm", "status", "ok");
/// assert_eq!(kassa_testkit::canned::answer_of(&f).status, 200);
/// ```
pub fn answer_of(f: &Fixture) -> Response {
    Response {
        status: f.response.status,
        headers: f
            .response
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect(),
        body: f.response_body(),
    }
}

/// Answers operation `op` with one answer, any other with the loaded fixture answers (a
/// `500` when there is none); after [`MAX_REQUESTS`] it refuses (nothing sent).
#[derive(Debug)]
pub struct Canned {
    answers: Arc<BTreeMap<String, Response>>,
    op: String,
    answer: Response,
    seen: Mutex<Vec<String>>,
}

impl Canned {
    /// A transport answering `op` with `answer`.
    ///
    /// ```
    /// use kassa_core::Response;
    /// let c = kassa_testkit::canned::Canned::new(Default::default(), "pay", Response { status: 200, headers: vec![], body: vec![] });
    /// assert!(c.seen().is_empty());
    /// ```
    pub fn new(answers: Arc<BTreeMap<String, Response>>, op: &str, answer: Response) -> Canned {
        Canned {
            answers,
            op: op.to_owned(),
            answer,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// The operations requested so far, in order.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl Transport for Canned {
    async fn send(&self, _base_url: &str, req: &Request) -> Result<Response, TransportError> {
        let name = req.operation.name;
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.len() >= MAX_REQUESTS {
                return Err(TransportError::not_sent(std::io::Error::other(
                    "the canned transport's request limit",
                )));
            }
            seen.push(name.to_owned());
        }
        if name == self.op {
            return Ok(self.answer.clone());
        }
        Ok(self.answers.get(name).cloned().unwrap_or_else(|| Response {
            status: 500,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: b"no canned answer".to_vec(),
        }))
    }
}

/// What any answer must come to, however broken: an answer that is JSON text, or an error
/// whose text and Debug form can be written, and that never says money may have moved
/// when the operation only reads; on a call that changes state, an unreadable answer is
/// never a bare [`Error::Decode`] (it is outcome-unknown).
///
/// ```
/// use kassa_core::{Error, ops::EffectKind};
/// kassa_testkit::canned::assert_sound("status", EffectKind::Read, &Ok("{}".to_owned()));
/// kassa_testkit::canned::assert_sound("status", EffectKind::Read, &Err(Error::invalid("x", "bad")));
/// ```
///
/// # Panics
///
/// When it does not.
pub fn assert_sound(op: &str, effect: EffectKind, result: &Result<String, Error>) {
    match result {
        Ok(text) => {
            // JSON by the grammar: numbers are kept exact, so one past a float's range
            // (`1e400`) is still JSON.
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                panic!("{op}: the answer is not JSON ({e}): {text}");
            }
        }
        Err(e) => {
            let shown = format!("{e} {e:?}");
            assert!(!shown.trim().is_empty(), "{op}: an error with no text");
            match effect {
                EffectKind::Read => assert!(
                    !e.may_have_taken_effect(),
                    "{op}: a read's failure says money may have moved: {e:?}"
                ),
                EffectKind::Once | EffectKind::Keyed => assert!(
                    !matches!(e, Error::Decode { .. }),
                    "{op}: an unreadable answer to a call that changes state must be \
                     outcome-unknown, not a bare decode error: {e:?}"
                ),
                EffectKind::Auth => {}
            }
        }
    }
}
