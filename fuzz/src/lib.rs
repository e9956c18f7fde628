//! The fuzz harness shared by the targets: every operation of a provider's operation table
//! is called through the crate's own `call_json` (as the CLI does) against a canned
//! transport that answers the fuzzed operation's request with the fuzz input, and every
//! other request (the login, the application token) with the operation's `ok` fixture.
//!
//! An input is `[operation][answer][body...]`:
//! - byte 0 picks the operation (its index in the crate's `OPERATIONS`, modulo the number
//!   of operations plus the provider's inbound decoders, which come after them);
//! - byte 1 picks the HTTP status (low nibble, an index in [`STATUSES`]) and the content
//!   type (high bit set: `text/html`, else `application/json`);
//! - the rest is the answer body (for an inbound decoder: the request body it reads).
//!
//! `seed.py` writes each fixture's answer in this form, as the targets' seed corpus.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kassa_core::ops::{EffectKind, OperationInfo};
use kassa_core::{Error, Request, Response, Transport, TransportError, async_trait};
use serde::Deserialize;
use serde_json::value::RawValue;

pub mod providers;

/// The statuses byte 1 chooses from (every status a fixture answers with, and a few more).
pub const STATUSES: [u16; 14] = [
    200, 201, 204, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503,
];

/// The base URL every client is given (nothing is ever sent to it).
pub const BASE: &str = "http://fuzz.invalid";

/// Requests one call may make before the transport refuses (pages, polls, a token refresh).
const MAX_REQUESTS: usize = 12;

/// A fixture file, as much of it as the harness needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Fixture {
    /// The request the fixture records.
    pub request: FixtureRequest,
    /// The answer it records.
    pub response: FixtureResponse,
    /// `<operation>/<case>`.
    #[serde(skip)]
    pub name: String,
}

/// A fixture's request.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureRequest {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The path below the base URL.
    pub path: String,
    /// Query pairs.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Headers (lower-case names).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    /// A form body.
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    /// A multipart body (only its presence matters here).
    #[serde(default)]
    pub multipart: Option<serde_json::Value>,
}

/// A fixture's answer.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body, its text as written.
    #[serde(default)]
    pub json: Option<Box<RawValue>>,
    /// A text body.
    #[serde(default)]
    pub text: Option<String>,
}

impl FixtureResponse {
    /// The body's bytes, exactly as the fixture writes them.
    pub fn body(&self) -> Vec<u8> {
        match (&self.json, &self.text) {
            (Some(json), _) => json.get().as_bytes().to_vec(),
            (None, Some(text)) => text.as_bytes().to_vec(),
            (None, None) => Vec::new(),
        }
    }

    /// The answer as the transport gives it.
    pub fn to_response(&self) -> Response {
        Response {
            status: self.status,
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            body: self.body(),
        }
    }
}

/// The fixtures folder of the repository.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every case of `op` of `provider`, `ok*` cases first, then by name.
pub fn cases(provider: &str, op: &str) -> Vec<Fixture> {
    let dir = fixtures_dir().join(provider).join(op);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a fixture reads");
        let mut f: Fixture =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let case = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        f.name = format!("{op}/{case}");
        out.push(f);
    }
    out.sort_by_key(|f| (!f.name.contains("/ok"), f.name.clone()));
    out
}

/// One provider crate, as the harness drives it.
pub trait Provider: 'static {
    /// The fixtures folder's name.
    const NAME: &'static str;
    /// The crate's client.
    type Client;
    /// The operation table.
    fn operations() -> &'static [OperationInfo];
    /// A client for `op`, with the credentials `fixture`'s request shows, on `transport`,
    /// one attempt per call and no timeouts.
    fn client(op: &str, fixture: &Fixture, transport: Arc<dyn Transport>) -> Self::Client;
    /// The `call_json` parameters of `fixture`'s request.
    fn params(op: &str, fixture: &Fixture) -> String;
    /// `call_json`.
    fn call(
        client: &Self::Client,
        op: &str,
        params: &str,
    ) -> impl std::future::Future<Output = Result<String, Error>>;
    /// Operations of the table decoded locally, with no request (fed the body directly).
    fn local(_op: &str, _body: &[u8]) -> bool {
        false
    }
    /// How many inbound decoders the provider has beyond its operations.
    const INBOUND: usize = 0;
    /// Feeds `body` to inbound decoder `index`.
    fn inbound(_index: usize, _body: &[u8]) {}
}

/// The transport of one fuzz input: the fuzzed operation answers the input; any other
/// operation its fixture's `ok` answer.
#[derive(Debug)]
pub struct Canned {
    answers: Arc<HashMap<&'static str, Response>>,
    fuzzed: &'static str,
    answer: Response,
    seen: Mutex<Vec<&'static str>>,
}

impl Canned {
    /// The operations requested so far, in order.
    pub fn seen(&self) -> Vec<&'static str> {
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
                    "the fuzz transport's request limit",
                )));
            }
            seen.push(name);
        }
        if name == self.fuzzed {
            return Ok(self.answer.clone());
        }
        Ok(self.answers.get(name).cloned().unwrap_or_else(|| Response {
            status: 500,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: b"no canned answer".to_vec(),
        }))
    }
}

/// An operation ready to fuzz: the fixture its client and parameters come from.
struct Plan {
    op: &'static str,
    effect: EffectKind,
    fixture: Fixture,
    params: String,
}

/// The fuzz driver of provider `P`.
pub struct Harness<P: Provider> {
    rt: tokio::runtime::Runtime,
    answers: Arc<HashMap<&'static str, Response>>,
    plans: Vec<Option<Plan>>,
    _p: std::marker::PhantomData<P>,
}

impl<P: Provider> Harness<P> {
    /// Loads the fixtures and finds, for every operation, a fixture whose parameters make
    /// the client send the operation's request. Panics naming any operation none does
    /// (the target would then not cover its decoder).
    pub fn new() -> Harness<P> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a runtime");
        let mut answers = HashMap::new();
        for info in P::operations() {
            if let Some(ok) = cases(P::NAME, info.name)
                .into_iter()
                .find(|f| (200..300).contains(&f.response.status))
            {
                answers.insert(info.name, ok.response.to_response());
            }
        }
        let answers = Arc::new(answers);
        let mut plans = Vec::new();
        let mut missing = Vec::new();
        for info in P::operations() {
            if P::local(info.name, b"{}") {
                plans.push(None);
                continue;
            }
            let mut found = None;
            for f in cases(P::NAME, info.name) {
                let params = P::params(info.name, &f);
                let canned = Arc::new(Canned {
                    answers: answers.clone(),
                    fuzzed: info.name,
                    answer: f.response.to_response(),
                    seen: Mutex::new(Vec::new()),
                });
                let client = P::client(info.name, &f, canned.clone());
                let _ = rt.block_on(P::call(&client, info.name, &params));
                if canned.seen().contains(&info.name) {
                    found = Some(Plan {
                        op: info.name,
                        effect: info.effect,
                        fixture: f,
                        params,
                    });
                    break;
                }
            }
            if found.is_none() {
                missing.push(info.name);
            }
            plans.push(found);
        }
        assert!(
            missing.is_empty(),
            "{}: no fixture makes these operations send: {missing:?}",
            P::NAME
        );
        Harness {
            rt,
            answers,
            plans,
            _p: std::marker::PhantomData,
        }
    }

    /// Runs one input. Panics (a finding) when a decoder panics, when an answer is not
    /// JSON, or when a read's failure claims money may have moved.
    pub fn run(&self, data: &[u8]) {
        let Some((&pick, rest)) = data.split_first() else {
            return;
        };
        let (sel, body) = rest.split_first().unwrap_or((&0, &[]));
        let n = self.plans.len() + P::INBOUND;
        let index = pick as usize % n;
        if index >= self.plans.len() {
            P::inbound(index - self.plans.len(), body);
            return;
        }
        let info = &P::operations()[index];
        if P::local(info.name, body) {
            return;
        }
        let Some(plan) = &self.plans[index] else {
            return;
        };
        let status = STATUSES[(sel & 0x0f) as usize % STATUSES.len()];
        let content_type = if sel & 0x80 != 0 {
            "text/html"
        } else {
            "application/json"
        };
        let canned = Arc::new(Canned {
            answers: self.answers.clone(),
            fuzzed: plan.op,
            answer: Response {
                status,
                headers: vec![("content-type".into(), content_type.into())],
                body: body.to_vec(),
            },
            seen: Mutex::new(Vec::new()),
        });
        let client = P::client(plan.op, &plan.fixture, canned);
        let result = self.rt.block_on(P::call(&client, plan.op, &plan.params));
        match result {
            Ok(answer) => {
                // JSON by the grammar: numbers are kept exact, so one past a float's range
                // (`1e400`) is still JSON.
                if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&answer) {
                    panic!("{}: the answer is not JSON ({e}): {answer}", plan.op);
                }
            }
            Err(e) => {
                // Display and Debug run the redaction and excerpt code.
                let text = format!("{e} {e:?}");
                assert!(!text.is_empty());
                if plan.effect == EffectKind::Read {
                    assert!(
                        !e.may_have_taken_effect(),
                        "{}: a read's failure says money may have moved: {e:?}",
                        plan.op
                    );
                }
            }
        }
    }
}

impl<P: Provider> Default for Harness<P> {
    fn default() -> Self {
        Self::new()
    }
}
