//! The fault matrix: every provider × every effect its operation table has × twelve faults.
//!
//! Each cell calls one representative operation of the effect through the provider's
//! `call_json` (as the CLI does) against a loopback server that does the fault: wiremock for
//! the faults an HTTP answer can carry, a raw `TcpListener` for the socket faults (closed,
//! reset, silent, a body that stalls) and a bound socket that does not listen for refused. Logins and tokens the client fetches first go
//! to a normal fixture server (a routing transport sends their paths there), so the fault
//! hits the operation itself. The cell records how many requests the fault server saw, how
//! many the client tried, and the error class, and checks them against the rules:
//!
//! - nothing reached the provider: every effect may try again (`max_attempts` tries), and the
//!   error says nothing was sent;
//! - `read` and `auth` are retried on transport failures, 5xx and 429, and never say money
//!   may have moved;
//! - `keyed` is retried the same way, every time with the same key, and a failure after it
//!   may have arrived is outcome-unknown naming that key and a reconcile step or advice;
//! - `once` is never sent twice; a failure after it may have arrived is outcome-unknown;
//! - a 429 is refused before processing, on every effect; a `Retry-After` is waited.
//!
//! (Deviations from these rules are listed with the table, which is printed too.)
//!
//! The whole matrix is then compared with the table in `docs/reliability.md` (between the
//! `fault-matrix` markers) and printed on a mismatch, ready to paste.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kassa_core::ops::EffectKind;
use kassa_core::{
    Error, Request, Response, RetryPolicy, Sent, Timeouts, Transport, TransportError,
};
use kassa_testkit::{Fixture, faults};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, watch};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Attempts per call (the default policy's number).
const ATTEMPTS: u32 = 3;
/// The client's per-attempt timeout: the silent server and the stalled body run into it.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(800);

/// The faults, in the table's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Refused,
    Close,
    Reset,
    Silent,
    SlowBody,
    S500,
    S503RetryAfter,
    S429,
    Truncated,
    Html,
    Empty,
    WrongType,
}

use Fault::*;

const FAULTS: [Fault; 12] = [
    Refused,
    Close,
    Reset,
    Silent,
    SlowBody,
    S500,
    S503RetryAfter,
    S429,
    Truncated,
    Html,
    Empty,
    WrongType,
];

impl Fault {
    /// The column heading.
    fn heading(self) -> &'static str {
        match self {
            Refused => "connect refused",
            Close => "close before answer",
            Reset => "reset mid-body",
            Silent => "timeout before headers",
            SlowBody => "slow body past timeout",
            S500 => "500",
            S503RetryAfter => "503 + Retry-After",
            S429 => "429",
            Truncated => "truncated JSON",
            Html => "HTML page (200)",
            Empty => "empty 200",
            WrongType => "wrong content type",
        }
    }

    /// True for the faults done on the socket (the raw server), false for HTTP answers.
    fn on_socket(self) -> bool {
        matches!(self, Refused | Close | Reset | Silent | SlowBody)
    }

    /// True when the engine treats the failure as transient (worth another attempt for an
    /// effect that may be resent).
    fn transient(self) -> bool {
        matches!(
            self,
            Refused | Close | Reset | Silent | SlowBody | S500 | S503RetryAfter | S429
        )
    }
}

/// One row: a provider's operation standing for one effect.
#[derive(Debug, Clone, Copy)]
struct Subject {
    provider: &'static str,
    effect: EffectKind,
    op: &'static str,
    /// The fixture case whose request is sent and whose success answer is the template.
    case: &'static str,
    /// The login the client does first, served normally: `(operation, case)`.
    login: Option<(&'static str, &'static str)>,
    /// The JSON body field holding the idempotency key of a keyed operation.
    key: Option<&'static str>,
}

const fn row(
    provider: &'static str,
    effect: EffectKind,
    op: &'static str,
    case: &'static str,
) -> Subject {
    Subject {
        provider,
        effect,
        op,
        case,
        login: None,
        key: None,
    }
}

const ANOR_LOGIN: Option<(&str, &str)> = Some(("login", "ok"));
const MOBILNIK_LOGIN: Option<(&str, &str)> = Some(("authenticate", "ok"));

/// One operation per effect per provider, each with a fixture whose request is sent.
const SUBJECTS: [Subject; 15] = [
    row("anor-bm", EffectKind::Auth, "login", "ok"),
    Subject {
        login: ANOR_LOGIN,
        ..row("anor-bm", EffectKind::Read, "status", "ok")
    },
    Subject {
        login: ANOR_LOGIN,
        key: Some("agentTranId"),
        ..row("anor-bm", EffectKind::Keyed, "unregistered-check", "ok")
    },
    Subject {
        login: ANOR_LOGIN,
        ..row("anor-bm", EffectKind::Once, "unregistered-pay", "ok")
    },
    row("requisite-uz", EffectKind::Read, "payment-status", "ok"),
    row("requisite-uz", EffectKind::Once, "payment", "ok"),
    row("mobilnik", EffectKind::Auth, "authenticate", "ok"),
    Subject {
        login: MOBILNIK_LOGIN,
        ..row("mobilnik", EffectKind::Read, "check-payment", "processed")
    },
    Subject {
        login: MOBILNIK_LOGIN,
        ..row("mobilnik", EffectKind::Once, "payment", "ok")
    },
    row("mserver", EffectKind::Auth, "application-token", "ok"),
    row("mserver", EffectKind::Read, "get-payment", "ok"),
    Subject {
        key: Some("client_payment_id"),
        ..row("mserver", EffectKind::Keyed, "create-payment", "ok_in")
    },
    row("mserver", EffectKind::Once, "pay-payment", "ok_in"),
    row("exchanger", EffectKind::Read, "bid-info", "ok_by_id"),
    row("exchanger", EffectKind::Once, "create-bid", "ok"),
];

/// The effects an operation table has, in the order of [`EffectKind`].
fn effects_of(table: &[kassa_core::ops::OperationInfo]) -> Vec<&'static str> {
    let kinds: BTreeSet<u8> = table
        .iter()
        .map(|o| match o.effect {
            EffectKind::Read => 0,
            EffectKind::Auth => 1,
            EffectKind::Keyed => 2,
            EffectKind::Once => 3,
        })
        .collect();
    kinds
        .into_iter()
        .map(|k| ["read", "auth", "keyed", "once"][usize::from(k)])
        .collect()
}

fn table_of(provider: &str) -> &'static [kassa_core::ops::OperationInfo] {
    match provider {
        "anor-bm" => anor_bm::OPERATIONS,
        "requisite-uz" => requisite_uz::OPERATIONS,
        "mobilnik" => mobilnik::OPERATIONS,
        "mserver" => mserver::OPERATIONS,
        "exchanger" => exchanger::OPERATIONS,
        other => panic!("unknown provider {other}"),
    }
}

const PROVIDERS: [&str; 5] = [
    "anor-bm",
    "requisite-uz",
    "mobilnik",
    "mserver",
    "exchanger",
];

#[test]
fn the_rows_cover_every_effect_of_every_table() {
    for provider in PROVIDERS {
        let table = table_of(provider);
        let mut rows: Vec<&str> = SUBJECTS
            .iter()
            .filter(|s| s.provider == provider)
            .map(|s| {
                let listed = table
                    .iter()
                    .find(|o| o.name == s.op)
                    .unwrap_or_else(|| panic!("{provider} {} is not in its table", s.op));
                assert_eq!(listed.effect, s.effect, "{provider} {}", s.op);
                s.effect.name()
            })
            .collect();
        let order = |e: &&str| {
            ["read", "auth", "keyed", "once"]
                .iter()
                .position(|x| x == e)
        };
        rows.sort_by_key(order);
        assert_eq!(rows, effects_of(table), "{provider}: one row per effect");
    }
}

// ---------------------------------------------------------------------------------------
// The client side: a routing, counting transport and each provider's call.

/// Sends the login paths to the login server and everything else where the client asked,
/// counting the operation's attempts.
#[derive(Debug)]
struct Routed {
    inner: Arc<dyn Transport>,
    login: Option<(String, String)>,
    attempts: Mutex<u32>,
}

#[kassa_core::async_trait]
impl Transport for Routed {
    async fn send(&self, base_url: &str, req: &Request) -> Result<Response, TransportError> {
        if let Some((login_path, login_base)) = &self.login
            && req.path == *login_path
        {
            return self.inner.send(login_base, req).await;
        }
        *self.attempts.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.inner.send(base_url, req).await
    }
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: ATTEMPTS,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        // A `Retry-After: 1` is honoured, cut to this.
        max_retry_after: Duration::from_millis(20),
    }
}

fn timeouts() -> Timeouts {
    Timeouts::none()
        .attempt(ATTEMPT_TIMEOUT)
        .connect(ATTEMPT_TIMEOUT)
}

fn json_text(f: &Fixture) -> String {
    f.request
        .json
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default()
}

/// Calls the subject's operation through its provider's `call_json`, the operation's
/// requests going to `base`.
async fn call(
    s: &Subject,
    f: &Fixture,
    base: &str,
    t: Arc<dyn Transport>,
) -> Result<String, Error> {
    match s.provider {
        "anor-bm" => {
            let c = anor_bm::Client::builder(base, "test-user", "test-password")
                .transport(t)
                .retry(retry())
                .timeouts(timeouts())
                .build()?;
            let params = if s.op == "login" {
                String::new()
            } else {
                json_text(f)
            };
            anor_bm::call_json(&c, s.op, &params).await
        }
        "requisite-uz" => {
            let c = requisite_uz::Client::builder(base)
                .credentials("test-user", "test-password")
                .transport(t)
                .retry(retry())
                .timeouts(timeouts())
                .build()?;
            let params = match s.op {
                "payment-status" => {
                    let id = f.request.path.rsplit('/').next().unwrap_or_default();
                    serde_json::json!({ "orderId": id }).to_string()
                }
                _ => json_text(f),
            };
            requisite_uz::call_json(&c, s.op, &params).await
        }
        "mobilnik" => {
            let c = mobilnik::Client::builder()
                .base_url(base)
                .login("test")
                .password(kassa_core::secret::SecretString::from(
                    "test-password".to_owned(),
                ))
                .device_id(mobilnik::DeviceId::new("test-device-id")?)
                .device_name("kassa-test")
                .transport(t)
                .retry(retry())
                .timeouts(timeouts())
                .build()?;
            let params: serde_json::Map<String, Value> = if s.op == "authenticate" {
                serde_json::Map::new()
            } else {
                f.request
                    .query
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "id" | "token" | "client"))
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect()
            };
            mobilnik::call_json(&c, s.op, &Value::Object(params).to_string()).await
        }
        "mserver" => {
            let b = mserver::Client::builder();
            let b = if s.op == "application-token" {
                b.base_url("http://127.0.0.1:9")
                    .token_url(format!("{base}/oauth/token"))
                    .application("test-client-id", "test-client-secret".into())
            } else {
                b.base_url(base)
                    .wallet("+79261111111", "test-password".into())?
            };
            let c = b.transport(t).retry(retry()).timeouts(timeouts()).build()?;
            let mut params = match &f.request.json {
                Some(Value::Object(m)) => m.clone(),
                _ => serde_json::Map::new(),
            };
            let mut segments = f.request.path.rsplit('/');
            let id = match s.op {
                "get-payment" => segments.next(),
                "pay-payment" => segments.nth(1),
                _ => None,
            };
            if let Some(id) = id {
                let id: u64 = id.parse().unwrap_or_else(|e| panic!("{}: {e}", f.name));
                params.insert("id".into(), id.into());
            }
            mserver::call_json(&c, s.op, &Value::Object(params).to_string()).await
        }
        "exchanger" => {
            let c = exchanger::Client::builder(base)
                .login("test-login")
                .key("test-key")
                .transport(t)
                .retry(retry())
                .timeouts(timeouts())
                .build()?;
            let params: serde_json::Map<String, Value> = f
                .request
                .form
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            exchanger::call_json(&c, s.op, &Value::Object(params).to_string()).await
        }
        other => panic!("unknown provider {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// The server side.

/// What the fault server saw of one request to the operation.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    body: Vec<u8>,
}

/// A raw loopback server doing one socket fault to every request, recording each request.
struct RawServer {
    uri: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Dropped with the server: the connections it holds open are closed then.
    _stop: watch::Sender<()>,
}

/// A partial JSON body after headers announcing a longer one.
const HEAD_AND_PART: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{\"data\":{\"id\":";

impl RawServer {
    async fn start(fault: Fault) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let uri = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = watch::channel(());
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let mut stopped = stopped.clone();
                let accepted = tokio::select! {
                    a = listener.accept() => a,
                    _ = stopped.changed() => return,
                };
                let Ok((socket, _)) = accepted else { return };
                tokio::spawn(serve(socket, fault, log.clone(), stopped));
            }
        });
        RawServer {
            uri,
            seen,
            _stop: stop,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Reads one request (head and `content-length` body); `None` at end of stream.
async fn read_request(socket: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let target = head.split_whitespace().nth(1).unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    Some(Seen {
        path,
        body: buf[head_end..head_end + length].to_vec(),
    })
}

async fn serve(
    mut socket: TcpStream,
    fault: Fault,
    log: Arc<Mutex<Vec<Seen>>>,
    mut stopped: watch::Receiver<()>,
) {
    let Some(seen) = read_request(&mut socket).await else {
        return;
    };
    log.lock().unwrap_or_else(|p| p.into_inner()).push(seen);
    match fault {
        Close => drop(socket),
        Reset => {
            let _ = socket.write_all(HEAD_AND_PART).await;
            let _ = socket.flush().await;
            // SO_LINGER 0: closing sends RST instead of FIN.
            let _ = socket.set_zero_linger();
            drop(socket);
        }
        Silent => {
            let _ = stopped.changed().await;
        }
        SlowBody => {
            let _ = socket.write_all(HEAD_AND_PART).await;
            let _ = socket.flush().await;
            let _ = stopped.changed().await;
        }
        other => panic!("{other:?} is not a socket fault"),
    }
}

/// The HTTP answer a fault gives, for wiremock; `ok` is the fixture's success body.
fn template(fault: Fault, ok: &[u8]) -> ResponseTemplate {
    match fault {
        S500 => ResponseTemplate::new(500),
        S503RetryAfter => ResponseTemplate::new(503).insert_header("retry-after", "1"),
        S429 => ResponseTemplate::new(429),
        Truncated => {
            ResponseTemplate::new(200).set_body_raw(ok[..ok.len() / 2].to_vec(), "application/json")
        }
        Html => faults::raw_body(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>",
        ),
        Empty => ResponseTemplate::new(200).set_body_raw(Vec::new(), "application/json"),
        WrongType => ResponseTemplate::new(200).set_body_raw(ok.to_vec(), "text/plain"),
        other => panic!("{other:?} is not an HTTP fault"),
    }
}

// ---------------------------------------------------------------------------------------
// One cell.

/// What a cell came to.
#[derive(Debug)]
struct Cell {
    /// The error class as the table shows it.
    class: String,
    /// Requests the fault server saw.
    seen: usize,
    /// Attempts the client made on the operation.
    attempts: u32,
    /// Rule violations found.
    problems: Vec<String>,
}

impl Cell {
    fn text(&self) -> String {
        if self.seen == self.attempts as usize {
            format!("{} ·{}", self.class, self.seen)
        } else {
            format!("{} ·{}/{}", self.class, self.seen, self.attempts)
        }
    }
}

fn class_of(result: &Result<String, Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(Error::Transport { sent: Sent::No, .. }) => "not sent".into(),
        Err(Error::Transport { .. }) => "transport".into(),
        Err(Error::Http { status, .. }) => format!("http {status}"),
        Err(Error::Decode { .. }) => "decode".into(),
        Err(Error::Rejected(_)) => "refused".into(),
        Err(Error::Auth(_)) => "auth refused".into(),
        Err(Error::OutcomeUnknown(o)) => match &o.reconcile {
            Some(r) => format!("unknown→{}", r.operation),
            None if o.advice.is_some() => "unknown (advice)".into(),
            None => "unknown (no step)".into(),
        },
        Err(Error::InvalidInput { field, .. }) => format!("invalid {field}"),
        Err(other) => format!("other: {other}"),
    }
}

async fn run_cell(s: Subject, fault: Fault, login_uri: Option<String>) -> Cell {
    let name = format!("{} {} × {}", s.provider, s.op, fault.heading());
    let f = Fixture::load(s.provider, s.op, s.case);
    let ok = f.response_body();
    let login = s.login.zip(login_uri).map(|((op, case), uri)| {
        let path = Fixture::load(s.provider, op, case).request.path;
        (path, uri)
    });
    let transport = Arc::new(Routed {
        inner: kassa_testkit::quiet_transport(),
        login,
        attempts: Mutex::new(0),
    });
    let started = std::time::Instant::now();
    let (result, seen) = if fault == Refused {
        // A socket bound to a port but not listening: connections to it are refused, and
        // the port stays ours, so no server of another cell running beside this one can be
        // given it (as a port closed and freed could be).
        let socket = TcpSocket::new_v4().expect("a socket");
        socket.bind(([127, 0, 0, 1], 0).into()).expect("bind");
        let base = format!("http://{}", socket.local_addr().expect("address"));
        let result = call(&s, &f, &base, transport.clone()).await;
        drop(socket);
        (result, Vec::new())
    } else if fault.on_socket() {
        let server = RawServer::start(fault).await;
        let result = call(&s, &f, &server.uri, transport.clone()).await;
        (result, server.seen())
    } else {
        let server = MockServer::start().await;
        Mock::given(method(f.request.method.as_str()))
            .and(path(f.request.path.as_str()))
            .respond_with(template(fault, &ok))
            .mount(&server)
            .await;
        let result = call(&s, &f, &server.uri(), transport.clone()).await;
        let seen = server
            .received_requests()
            .await
            .expect("recording on")
            .into_iter()
            .map(|r| Seen {
                path: r.url.path().to_owned(),
                body: r.body,
            })
            .collect();
        (result, seen)
    };
    let elapsed = started.elapsed();
    let attempts = *transport.attempts.lock().unwrap_or_else(|p| p.into_inner());
    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{name}: {what}"));
        }
    };
    for r in &seen {
        check(
            r.path == f.request.path,
            format!("a request to {} reached the fault server", r.path),
        );
    }
    if let Some(key) = s.key {
        let want = f.request.json.as_ref().and_then(|j| j.get(key)).cloned();
        check(want.is_some(), format!("the fixture has no `{key}`"));
        for r in &seen {
            let got = serde_json::from_slice::<Value>(&r.body)
                .ok()
                .and_then(|j| j.get(key).cloned());
            check(
                got == want,
                format!("resent with key {got:?}, not {want:?}"),
            );
        }
    }

    // How many requests the rules allow.
    let resendable = s.effect != EffectKind::Once;
    let want_attempts = if fault == Refused || (fault.transient() && resendable) {
        ATTEMPTS
    } else {
        1
    };
    let want_seen = if fault == Refused {
        0
    } else {
        want_attempts as usize
    };
    check(
        attempts == want_attempts,
        format!("{attempts} attempts, the rules give {want_attempts}"),
    );
    check(
        seen.len() == want_seen,
        format!(
            "the server saw {} requests, the rules give {want_seen}",
            seen.len()
        ),
    );
    if s.effect == EffectKind::Once {
        check(seen.len() <= 1, "a money-moving call was sent twice".into());
    }
    // `Retry-After: 1`, cut to the policy's 20 ms, is waited before each resend (the
    // backoff alone is at most 5 ms).
    if fault == S503RetryAfter && resendable {
        let floor = retry().max_retry_after * (ATTEMPTS - 1);
        check(
            elapsed >= floor,
            format!("resent after {elapsed:?}, before the Retry-After ({floor:?} in all)"),
        );
    }

    // The error class.
    let changes_state = matches!(s.effect, EffectKind::Keyed | EffectKind::Once);
    match (&result, fault) {
        (Err(e), Refused) => {
            check(
                matches!(e, Error::Transport { sent: Sent::No, .. }),
                format!("nothing was sent, but the error says {e:?}"),
            );
        }
        // Throttling is refused before processing (kassa_core::request::refused_before_processing):
        // a plain HTTP error that says nothing took effect, on every effect.
        (Err(e), S429) => {
            check(
                kassa_core::request::refused_before_processing(429)
                    && matches!(e, Error::Http { status: 429, .. })
                    && !e.may_have_taken_effect(),
                format!("a 429 is refused before processing, but the error says {e:?}"),
            );
        }
        (Err(e), _) if changes_state => match e.outcome_unknown() {
            Some(o) => {
                check(
                    o.reconcile.is_some() || o.advice.is_some(),
                    "outcome unknown without a reconcile step or advice".into(),
                );
                if let Some(key) = s.key {
                    let want = f.request.json.as_ref().and_then(|j| j.get(key));
                    check(
                        o.key.as_deref() == want.and_then(Value::as_str),
                        format!("outcome unknown names key {:?}, not the request's", o.key),
                    );
                }
            }
            None => check(
                false,
                format!(
                    "a call that changes state failed after it may have arrived, but the error is not outcome-unknown: {e}"
                ),
            ),
        },
        (Err(e), _) => {
            check(
                e.outcome_unknown().is_none() && !e.may_have_taken_effect(),
                format!("a {} call says money may have moved: {e}", s.effect.name()),
            );
        }
        (Ok(_), WrongType) => {}
        (Ok(answer), _) => check(false, format!("answered {answer} despite the fault")),
    }
    Cell {
        class: class_of(&result),
        seen: seen.len(),
        attempts,
        problems,
    }
}

/// A server answering the subject's login fixture, for as many logins as the cell needs.
async fn login_server(s: &Subject) -> Option<MockServer> {
    let (op, case) = s.login?;
    let server = MockServer::start().await;
    let f = Fixture::load(s.provider, op, case);
    Mock::given(method(f.request.method.as_str()))
        .and(path(f.request.path.as_str()))
        .respond_with(f.response_template())
        .mount(&server)
        .await;
    Some(server)
}

// ---------------------------------------------------------------------------------------
// The table.

const BEGIN: &str = "<!-- fault-matrix:begin -->";
const END: &str = "<!-- fault-matrix:end -->";

fn render(rows: &[(Subject, Vec<Cell>)]) -> String {
    let mut out = String::from("| provider | effect: operation |");
    for f in FAULTS {
        let _ = write!(out, " {} |", f.heading());
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(FAULTS.len()));
    out.push('\n');
    for (s, cells) in rows {
        let _ = write!(out, "| {} | {}: {} |", s.provider, s.effect.name(), s.op);
        for c in cells {
            let _ = write!(out, " {} |", c.text());
        }
        out.push('\n');
    }
    out
}

fn documented() -> String {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/reliability.md");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let start = text.find(BEGIN).map(|i| i + BEGIN.len());
    let end = text.find(END);
    match (start, end) {
        (Some(s), Some(e)) if s <= e => text[s..e].trim().to_owned(),
        _ => panic!("docs/reliability.md lacks the {BEGIN} … {END} markers"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_every_effect_every_fault() {
    // Cells run side by side, a bounded number at a time; only the two timeout columns
    // wait, for their timeouts.
    let limit = Arc::new(Semaphore::new(48));
    let mut rows = Vec::new();
    for s in SUBJECTS {
        let mut handles = Vec::new();
        for fault in FAULTS {
            let limit = limit.clone();
            handles.push(tokio::spawn(async move {
                let _permit = limit.acquire_owned().await.expect("semaphore open");
                let login = login_server(&s).await;
                let uri = login.as_ref().map(MockServer::uri);
                let cell = run_cell(s, fault, uri).await;
                drop(login);
                cell
            }));
        }
        rows.push((s, handles));
    }
    let mut done = Vec::new();
    let mut problems = Vec::new();
    for (s, handles) in rows {
        let mut cells = Vec::new();
        for h in handles {
            let cell = h.await.expect("the cell ran");
            problems.extend(cell.problems.iter().cloned());
            cells.push(cell);
        }
        done.push((s, cells));
    }
    let table = render(&done);
    let counts = summary(&done);
    println!("{counts}");
    assert!(
        problems.is_empty(),
        "rule violations:\n{}\n\nthe matrix as it ran:\n{table}",
        problems.join("\n")
    );
    let doc = documented();
    assert!(
        doc == table.trim(),
        "docs/reliability.md's fault matrix differs from the run; paste this between the markers:\n\n{table}"
    );
}

/// A line counting the cells by class.
fn summary(rows: &[(Subject, Vec<Cell>)]) -> String {
    let mut by_class = std::collections::BTreeMap::<String, usize>::new();
    let mut n = 0;
    for (_, cells) in rows {
        for c in cells {
            *by_class.entry(c.class.clone()).or_default() += 1;
            n += 1;
        }
    }
    let parts: Vec<String> = by_class.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(
        "{n} cells ({} rows × {} faults); {}",
        rows.len(),
        FAULTS.len(),
        parts.join(", ")
    )
}
