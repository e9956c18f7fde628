//! # kassa-testkit
//!
//! Test helpers shared by every kassa provider crate (dev-dependency only):
//!
//! - [`Fixture`]: loads a recorded exchange from `fixtures/<provider>/<operation>/<case>.json`.
//! - [`mount`] / [`mount_on`]: puts a fixture on a fresh wiremock server with strict
//!   matchers (method, path, exact query, auth header, JSON or form body) and `expect(1)`,
//!   plus a catch-all that names any request the fixture did not expect.
//! - [`faults`]: delays, status sequences, raw bodies and a server that cuts connections.
//! - [`snapshot!`]: an insta YAML snapshot of a parsed payload, amounts kept exact.
//! - [`logs`]: captures tracing output at TRACE level to prove it holds no secret.
//! - [`quiet_transport`]: a transport with no idle-pool timer, for tests on a paused clock.
//! - [`errors`]: the kind of an error by name, and an [`ErrorView`] for snapshots.
//! - [`journal::Memory`]: an in-memory intent journal that keeps intents and events.
//! - [`canned`] and [`mutate`]: a transport with loaded answers and the body mutations of
//!   the property tests.
//!
//! ```no_run
//! # async fn t() {
//! let fixture = kassa_testkit::Fixture::load("anor-bm", "status", "ok");
//! let server = kassa_testkit::mount(&fixture).await;
//! // point the client at server.uri(), call the operation, then:
//! // kassa_testkit::snapshot!("status_ok", &parsed);
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod canned;
pub mod errors;
pub mod faults;
mod inbound;
pub mod journal;
pub mod logs;
mod mserver_params;
pub mod multipart;
pub mod mutate;
pub mod node;
pub mod params;
pub mod props;
pub mod transport;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, ResponseTemplate};

pub use errors::{ErrorView, kind, kind_snake};
pub use insta;
pub use node::yaml_view;
pub use transport::quiet_transport;
pub use wiremock;

/// The request half of a recorded exchange.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureRequest {
    /// HTTP method.
    pub method: String,
    /// Path (with path parameters filled in).
    pub path: String,
    /// Exact query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Headers to match (lower-case names).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default)]
    pub json: Option<Value>,
    /// A form body.
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    /// A `multipart/form-data` body: part name -> value, file name, content type.
    #[serde(default)]
    pub multipart: Option<BTreeMap<String, multipart::FixturePart>>,
    /// A raw body, matched byte for byte (a signed webhook's exact bytes).
    #[serde(default)]
    pub text: Option<String>,
}

/// The response half of a recorded exchange.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers to send.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default)]
    pub json: Option<Value>,
    /// A raw body (not valid JSON, HTML, empty).
    #[serde(default)]
    pub text: Option<String>,
}

/// One recorded exchange.
#[derive(Debug, Clone, Deserialize)]
pub struct Fixture {
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Where it comes from (document section).
    #[serde(default)]
    pub source: String,
    /// The request the client must send.
    pub request: FixtureRequest,
    /// The answer the server gives.
    pub response: FixtureResponse,
    /// `<provider>/<operation>/<case>`, filled in by the loader.
    #[serde(skip)]
    pub name: String,
}

/// The workspace's `fixtures/` folder.
///
/// ```
/// assert!(kassa_testkit::fixtures_dir().ends_with("fixtures"));
/// ```
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

impl Fixture {
    /// Loads `fixtures/<provider>/<operation>/<case>.json`; panics with the reason (tests only).
    pub fn load(provider: &str, operation: &str, case: &str) -> Fixture {
        let file = fixtures_dir()
            .join(provider)
            .join(operation)
            .join(format!("{case}.json"));
        Fixture::load_file(&file, format!("{provider}/{operation}/{case}"))
    }

    fn load_file(file: &Path, name: String) -> Fixture {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("fixture {name}: cannot read {}: {e}", file.display()));
        let mut f: Fixture = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("fixture {name}: not in the fixture format: {e}"));
        f.name = name;
        f
    }

    /// Every case of one operation, sorted by case name: `(case, fixture)`.
    pub fn cases(provider: &str, operation: &str) -> Vec<(String, Fixture)> {
        let dir = fixtures_dir().join(provider).join(operation);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("no fixtures in {}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.strip_suffix(".json").map(str::to_owned)
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|case| {
                let f = Fixture::load(provider, operation, &case);
                (case, f)
            })
            .collect()
    }

    /// The operations that have a fixture folder for `provider`, sorted.
    pub fn operations(provider: &str) -> Vec<String> {
        let dir = fixtures_dir().join(provider);
        let mut ops: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("no fixtures in {}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        ops.sort();
        ops
    }

    /// The response body as bytes (`json` serialized, or `text` as is).
    pub fn response_body(&self) -> Vec<u8> {
        match (&self.response.json, &self.response.text) {
            (Some(v), _) => serde_json::to_vec(v).unwrap_or_default(),
            (None, Some(t)) => t.clone().into_bytes(),
            (None, None) => Vec::new(),
        }
    }

    /// The response as a wiremock template (status, headers, body).
    pub fn response_template(&self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.response.status);
        let content_type = self
            .response
            .headers
            .get("content-type")
            .cloned()
            .unwrap_or_else(|| "application/json".to_owned());
        for (k, v) in &self.response.headers {
            if k != "content-type" {
                t = t.insert_header(k.as_str(), v.as_str());
            }
        }
        t.set_body_raw(self.response_body(), &content_type)
    }

    /// A strict mock for this fixture's request, answering its response, expected once.
    pub fn mock(&self) -> Mock {
        let req = &self.request;
        let mut builder = Mock::given(method(req.method.to_uppercase().as_str()))
            .and(path(req.path.as_str()))
            .and(ExactQuery(req.query.clone()));
        for (k, v) in &req.headers {
            builder = builder.and(wiremock::matchers::header(k.as_str(), v.as_str()));
        }
        if !req.headers.contains_key("authorization") {
            builder = builder.and(HeaderAbsent("authorization"));
        }
        builder = match (&req.json, &req.form, &req.multipart, &req.text) {
            (Some(json), ..) => builder.and(JsonBody(json.clone())),
            (None, Some(form), ..) => builder.and(FormBody(form.clone())),
            (None, None, Some(parts), _) => builder.and(multipart::MultipartBody(parts.clone())),
            (None, None, None, Some(text)) => {
                builder.and(wiremock::matchers::body_bytes(text.clone().into_bytes()))
            }
            (None, None, None, None) => builder.and(EmptyBody),
        };
        builder
            .respond_with(self.response_template())
            .named(format!("fixture {}", self.name))
            .expect(1)
    }
}

/// Starts a fresh server with `fixture` mounted strictly, plus the catch-all.
pub async fn mount(fixture: &Fixture) -> MockServer {
    let server = MockServer::start().await;
    mount_on(&server, fixture).await;
    server
}

/// Mounts `fixture` (and the catch-all, once per server is enough but harmless twice) on
/// an existing server, for flows of several calls.
pub async fn mount_on(server: &MockServer, fixture: &Fixture) {
    fixture.mock().mount(server).await;
    catch_all().mount(server).await;
}

/// A mock that answers any request no other mock matched with HTTP 599 and a body naming
/// it, and fails verification (`expect(0)`), so wiremock lists the unexpected request.
pub fn catch_all() -> Mock {
    Mock::given(wiremock::matchers::any())
        .respond_with(UnmatchedResponder)
        .with_priority(u8::MAX)
        .named("catch-all: a request no fixture expected (listed below)")
        .expect(0)
}

struct UnmatchedResponder;

impl wiremock::Respond for UnmatchedResponder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let keys: Vec<String> = request
            .url
            .query_pairs()
            .map(|(k, _)| k.into_owned())
            .collect();
        ResponseTemplate::new(599).set_body_string(format!(
            "kassa-testkit: no fixture matched {} {} (query keys {:?}, {} body bytes)",
            request.method,
            request.url.path(),
            keys,
            request.body.len()
        ))
    }
}

/// Matches when the query holds exactly these parameters (no more, no fewer).
#[derive(Debug)]
pub struct ExactQuery(pub BTreeMap<String, String>);

impl Match for ExactQuery {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let got: BTreeMap<String, String> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        got == self.0
    }
}

/// Matches when a header is absent.
#[derive(Debug)]
pub struct HeaderAbsent(pub &'static str);

impl Match for HeaderAbsent {
    fn matches(&self, request: &wiremock::Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

/// Matches a JSON body equal to the value (numbers compared by value).
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl Match for JsonBody {
    fn matches(&self, request: &wiremock::Request) -> bool {
        serde_json::from_slice::<Value>(&request.body).is_ok_and(|v| v == self.0)
    }
}

/// Matches a `x-www-form-urlencoded` body with exactly these fields.
#[derive(Debug)]
pub struct FormBody(pub BTreeMap<String, String>);

impl Match for FormBody {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let got: BTreeMap<String, String> = url_pairs(&request.body);
        got == self.0
    }
}

fn url_pairs(body: &[u8]) -> BTreeMap<String, String> {
    wiremock::http::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body)))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Matches an empty body.
#[derive(Debug)]
pub struct EmptyBody;

impl Match for EmptyBody {
    fn matches(&self, request: &wiremock::Request) -> bool {
        request.body.is_empty()
    }
}

/// Snapshots a parsed payload as YAML with insta. The value is written through
/// `serde_json` first, so exact amounts stay exact and redacting serializers apply; then
/// numbers that are not integers appear as quoted decimal text.
///
/// ```no_run
/// # let parsed = serde_json::json!({"id": 1});
/// kassa_testkit::snapshot!("status_ok", &parsed);
/// ```
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        $crate::insta::assert_yaml_snapshot!($name, $crate::yaml_view($value))
    };
}
