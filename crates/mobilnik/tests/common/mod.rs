//! Helpers shared by the contract and fault tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kassa_core::secret::SecretString;
use kassa_core::{
    Request, Response, RetryPolicy, Timeouts, Transport, TransportError, async_trait,
};
use mobilnik::{Client, DeviceId};

/// The fixtures' credentials.
pub const DEVICE_ID: &str = "test-device-id";
pub const LOGIN: &str = "test";
pub const PASSWORD: &str = "test-password";
pub const DEVICE: &str = "kassa-test";
pub const TOKEN: &str = "test-token";

/// A transport with no idle-pool timer (kassa-testkit's), so a paused clock only jumps to
/// the engine's timers.
pub use kassa_testkit::quiet_transport;

/// A client with the fixtures' credentials, no timeouts, default retries.
pub fn client(uri: &str) -> Client {
    client_with(
        uri,
        quiet_transport(),
        Timeouts::none(),
        RetryPolicy::default(),
    )
}

/// A client with the fixtures' credentials and the given transport, timeouts and retries.
pub fn client_with(
    uri: &str,
    transport: Arc<dyn Transport>,
    timeouts: Timeouts,
    retry: RetryPolicy,
) -> Client {
    Client::builder()
        .base_url(uri)
        .login(LOGIN)
        .password(SecretString::from(PASSWORD.to_owned()))
        .device_id(DeviceId::new(DEVICE_ID).expect("device id"))
        .device_name(DEVICE)
        .transport(transport)
        .timeouts(timeouts)
        .retry(retry)
        .build()
        .expect("client builds")
}

/// The query of a received request, as a map.
pub fn query_of(req: &wiremock::Request) -> BTreeMap<String, String> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `(name, value)` pairs as a map.
pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The requests the server received on `path`.
pub async fn received_on(server: &wiremock::MockServer, path: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}

/// The query `authenticate` must send with the fixtures' credentials.
pub fn auth_query() -> BTreeMap<String, String> {
    map(&[
        ("id", DEVICE_ID),
        ("login", LOGIN),
        ("password", PASSWORD),
        ("device", DEVICE),
        ("client", "4"),
    ])
}

/// Answers `/authentication/` in memory (no I/O, so a paused clock does not jump while
/// logging in) and sends every other request through `inner` to `target`.
#[derive(Debug)]
pub struct InMemoryLogin {
    pub token: String,
    pub target: String,
    pub inner: Arc<dyn Transport>,
    pub logins: AtomicUsize,
    pub sends: AtomicUsize,
}

impl InMemoryLogin {
    pub fn new(target: &str) -> Arc<InMemoryLogin> {
        Arc::new(InMemoryLogin {
            token: TOKEN.to_owned(),
            target: target.to_owned(),
            inner: quiet_transport(),
            logins: AtomicUsize::new(0),
            sends: AtomicUsize::new(0),
        })
    }

    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::SeqCst)
    }

    pub fn sends(&self) -> usize {
        self.sends.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Transport for InMemoryLogin {
    async fn send(&self, _base: &str, req: &Request) -> Result<Response, TransportError> {
        if req.path == "/authentication/" {
            self.logins.fetch_add(1, Ordering::SeqCst);
            let body = format!(
                r#"{{"account": 1234567, "name": " ", "token": "{}", "status_code": 0, "balance": 1043}}"#,
                self.token
            );
            return Ok(Response {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.into_bytes(),
            });
        }
        self.sends.fetch_add(1, Ordering::SeqCst);
        self.inner.send(&self.target, req).await
    }
}

/// Records the `Debug` text of every request the client hands to the transport.
#[derive(Debug)]
pub struct DebugRecorder {
    pub inner: Arc<dyn Transport>,
    pub seen: std::sync::Mutex<Vec<String>>,
}

impl DebugRecorder {
    pub fn new() -> Arc<DebugRecorder> {
        Arc::new(DebugRecorder {
            inner: quiet_transport(),
            seen: std::sync::Mutex::new(Vec::new()),
        })
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

#[async_trait]
impl Transport for DebugRecorder {
    async fn send(&self, base: &str, req: &Request) -> Result<Response, TransportError> {
        self.seen.lock().expect("lock").push(format!("{req:?}"));
        self.inner.send(base, req).await
    }
}
