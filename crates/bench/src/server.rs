//! The loopback server: a minimal axum router answering each path with the recorded
//! fixture answer, and counting the requests it saw on each path.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use kassa_testkit::Fixture;

/// The fixtures the server answers with: `(provider, operation, case)`. The token
/// endpoints are there too, so that the clients log in once.
pub const FIXTURES: &[(&str, &str, &str)] = &[
    ("anor-bm", "login", "ok"),
    // `status/ok` is the document's example verbatim, which is not valid JSON (a comma is
    // missing); the hand-written side could not read it, so both read the repaired one.
    ("anor-bm", "status", "ok_repaired"),
    ("requisite-uz", "payment-status", "ok"),
    ("mobilnik", "authenticate", "ok"),
    // check-payment has no `ok` case: `processed` is its successful answer.
    ("mobilnik", "check-payment", "processed"),
    ("mserver", "get-payment", "ok"),
    ("mserver", "application-token", "ok"),
    // bid-info has no `ok` case: `ok_by_id` is the answer to the request by id.
    ("exchanger", "bid-info", "ok_by_id"),
];

/// One recorded answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when the fixture gives one.
    pub content_type: Option<String>,
    /// The body, exactly as sent.
    pub body: Bytes,
}

impl Answer {
    /// The response half of `fixture`: its JSON serialized, or its text verbatim.
    ///
    /// ```
    /// let f = kassa_testkit::Fixture::load("mobilnik", "check-payment", "processed");
    /// let a = kassa_bench::server::Answer::of(&f);
    /// assert_eq!(a.status, 200);
    /// assert!(a.body.starts_with(b"{"));
    /// ```
    pub fn of(fixture: &Fixture) -> Answer {
        let body = match (&fixture.response.json, &fixture.response.text) {
            (Some(json), _) => serde_json::to_vec(json).expect("a JSON value serializes"),
            (None, Some(text)) => text.clone().into_bytes(),
            (None, None) => Vec::new(),
        };
        Answer {
            status: fixture.response.status,
            content_type: fixture.response.headers.get("content-type").cloned(),
            body: Bytes::from(body),
        }
    }
}

#[derive(Debug)]
struct Routes {
    answers: HashMap<String, Answer>,
    hits: HashMap<String, AtomicU64>,
    unknown: AtomicU64,
}

/// A running loopback server; it stops when the runtime that started it shuts down.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    routes: Arc<Routes>,
}

impl Server {
    /// Starts the server on `127.0.0.1`, on a free port, answering [`FIXTURES`].
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = kassa_bench::server::Server::start().await;
    /// assert!(server.uri().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> Server {
        let answers = FIXTURES
            .iter()
            .map(|(p, o, c)| {
                let f = Fixture::load(p, o, c);
                (f.request.path.clone(), Answer::of(&f))
            })
            .collect();
        Server::with(answers).await
    }

    /// Starts a server answering `answers` (path → answer).
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = kassa_bench::server::Server::with(Default::default()).await;
    /// assert_eq!(server.unknown(), 0);
    /// # }
    /// ```
    pub async fn with(answers: HashMap<String, Answer>) -> Server {
        let hits = answers
            .keys()
            .map(|k| (k.clone(), AtomicU64::new(0)))
            .collect();
        let routes = Arc::new(Routes {
            answers,
            hits,
            unknown: AtomicU64::new(0),
        });
        let app = Router::new().fallback(answer).with_state(routes.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server { addr, routes }
    }

    /// `http://127.0.0.1:<port>`.
    ///
    /// ```no_run
    /// # async fn run(server: kassa_bench::server::Server) {
    /// println!("{}", server.uri());
    /// # }
    /// ```
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests were made to `path` so far.
    ///
    /// ```no_run
    /// # async fn run(server: kassa_bench::server::Server) {
    /// println!("{} logins", server.hits("/api/ext/user/login"));
    /// # }
    /// ```
    pub fn hits(&self, path: &str) -> u64 {
        self.routes
            .hits
            .get(path)
            .map_or(0, |h| h.load(Ordering::Relaxed))
    }

    /// How many requests went to a path the server has no answer for.
    ///
    /// ```no_run
    /// # async fn run(server: kassa_bench::server::Server) {
    /// assert_eq!(server.unknown(), 0);
    /// # }
    /// ```
    pub fn unknown(&self) -> u64 {
        self.routes.unknown.load(Ordering::Relaxed)
    }
}

async fn answer(State(routes): State<Arc<Routes>>, uri: Uri, _body: Bytes) -> Response {
    let path = uri.path();
    let Some(a) = routes.answers.get(path) else {
        routes.unknown.fetch_add(1, Ordering::Relaxed);
        let mut r = Response::new(Body::from(format!("no answer for {path}")));
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r;
    };
    if let Some(h) = routes.hits.get(path) {
        h.fetch_add(1, Ordering::Relaxed);
    }
    let mut r = Response::new(Body::from(a.body.clone()));
    *r.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
    if let Some(ct) = a
        .content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        r.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    r
}
