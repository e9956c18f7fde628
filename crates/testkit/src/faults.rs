//! Fault injection for wiremock tests: slow answers, status sequences, raw bodies, and a
//! server that cuts every connection.
//!
//! ```no_run
//! # async fn t() {
//! use kassa_testkit::faults;
//! let server = wiremock::MockServer::start().await;
//! // 503, 503, then 200 {"ok":true}, each expected exactly once
//! faults::status_sequence(&server, "GET", "/status", &[503, 503], faults::json_body(200, r#"{"ok":true}"#)).await;
//! # }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A template with a raw body and content type (truncated JSON, an HTML error page, ...).
pub fn raw_body(status: u16, content_type: &str, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type)
}

/// A template with a JSON body given as text.
pub fn json_body(status: u16, body: &str) -> ResponseTemplate {
    raw_body(status, "application/json", body)
}

/// A template that answers only after `delay` (past the client's timeout, typically).
pub fn delayed(template: ResponseTemplate, delay: Duration) -> ResponseTemplate {
    template.set_delay(delay)
}

/// Mounts answers for `method path`: first each of `statuses` (empty body) once, in order,
/// then `last` once. Every step is expected exactly once.
pub async fn status_sequence(
    server: &MockServer,
    http_method: &str,
    http_path: &str,
    statuses: &[u16],
    last: ResponseTemplate,
) {
    sequence(
        server,
        http_method,
        http_path,
        statuses
            .iter()
            .map(|s| ResponseTemplate::new(*s))
            .chain(std::iter::once(last))
            .collect(),
    )
    .await;
}

/// Mounts `steps` for `method path`, each answered once in order and expected once.
pub async fn sequence(
    server: &MockServer,
    http_method: &str,
    http_path: &str,
    steps: Vec<ResponseTemplate>,
) {
    for (i, step) in steps.into_iter().enumerate() {
        Mock::given(method(http_method))
            .and(path(http_path))
            .respond_with(step)
            .up_to_n_times(1)
            .with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX - 1))
            .named(format!("step {} of {http_method} {http_path}", i + 1))
            .expect(1)
            .mount(server)
            .await;
    }
}

/// A server that accepts connections, reads what arrives, and closes without answering.
#[derive(Debug, Clone)]
pub struct CutServer {
    uri: String,
    connections: Arc<AtomicUsize>,
    requests: watch::Receiver<usize>,
}

impl CutServer {
    /// Starts it on a free loopback port.
    pub async fn start() -> CutServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local address: {e}"));
        let connections = Arc::new(AtomicUsize::new(0));
        let (tx, requests) = watch::channel(0_usize);
        let c = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let mut buf = vec![0_u8; 16 * 1024];
                let mut got = 0;
                // Read until the end of the request head, then hang up.
                while let Ok(read) = socket.read(&mut buf[got..]).await {
                    if read == 0 {
                        break;
                    }
                    got += read;
                    if buf[..got].windows(4).any(|w| w == b"\r\n\r\n") || got == buf.len() {
                        tx.send_modify(|count| *count += 1);
                        break;
                    }
                }
                drop(socket);
            }
        });
        CutServer {
            uri: format!("http://{addr}"),
            connections,
            requests,
        }
    }

    /// Its base URL.
    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// Requests whose head arrived before the cut.
    pub fn requests(&self) -> usize {
        *self.requests.borrow()
    }

    /// Waits until at least `n` request heads arrived (no timers: safe on a paused clock).
    pub async fn wait_for_requests(&self, n: usize) {
        let mut rx = self.requests.clone();
        let _ = rx.wait_for(|count| *count >= n).await;
    }

    /// Connections accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Sockets [`closed_port`] keeps bound for the rest of the process.
static HELD: std::sync::Mutex<Vec<tokio::net::TcpSocket>> = std::sync::Mutex::new(Vec::new());

/// A loopback URL where nothing listens (connections are refused). The port stays bound,
/// never listening, for the rest of the process, so no server a neighbouring test starts
/// can be given it.
///
/// ```
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// # rt.block_on(async {
/// let url = kassa_testkit::faults::closed_port().await;
/// assert!(reqwest::get(&url).await.unwrap_err().is_connect());
/// # });
/// ```
pub async fn closed_port() -> String {
    let socket =
        tokio::net::TcpSocket::new_v4().unwrap_or_else(|e| panic!("cannot open a socket: {e}"));
    socket
        .bind(([127, 0, 0, 1], 0).into())
        .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"));
    let addr = socket
        .local_addr()
        .unwrap_or_else(|e| panic!("no local address: {e}"));
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(socket);
    format!("http://{addr}")
}
