//! # kassa-sandbox
//!
//! Stateful emulators of the providers' APIs, written from the providers' documents (not
//! from the kassa client crates, so they check the clients rather than mirror them).
//! One server, one path prefix per provider:
//!
//! | prefix | provider |
//! |---|---|
//! | `/anor-bm` | Anor Bank billing merchant API |
//! | `/requisite-uz` | payment by requisites |
//! | `/mobilnik` | Mobilnik wallet |
//!
//! Fault switches per provider and route (added latency, a forced status, a dropped
//! connection) let users rehearse failures, from Rust ([`Sandbox::faults`]) or over HTTP
//! (`POST /_sandbox/faults`, `DELETE /_sandbox/faults`).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sandbox = kassa_sandbox::spawn().await?;
//! let anor_base = sandbox.url("anor-bm"); // e.g. http://127.0.0.1:41234/anor-bm
//! // point anor_bm::Client at anor_base with kassa_sandbox::anor_bm::seed credentials
//! # let _ = anor_base;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod anor_bm;
pub mod faults;
pub mod mobilnik;
pub mod requisite_uz;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use faults::{Fault, Faults};

/// The providers the sandbox emulates, by their catalogue names (also their path prefixes).
pub const PROVIDERS: [&str; 3] = ["anor-bm", "requisite-uz", "mobilnik"];

/// Builds the whole sandbox: every provider under its prefix, fault switches applied,
/// the control routes under `/_sandbox`. Each call starts from fresh seed state.
///
/// ```
/// let (router, faults) = kassa_sandbox::router();
/// # let _ = (router, faults);
/// ```
pub fn router() -> (Router, Faults) {
    let faults = Faults::default();
    let app = Router::new()
        .nest(
            "/anor-bm",
            faults::layer(anor_bm::router(), faults.clone(), "anor-bm"),
        )
        .nest(
            "/requisite-uz",
            faults::layer(requisite_uz::router(), faults.clone(), "requisite-uz"),
        )
        .nest(
            "/mobilnik",
            faults::layer(mobilnik::router(), faults.clone(), "mobilnik"),
        )
        .nest("/_sandbox", faults::control_router(faults.clone()))
        .route("/", get(index));
    (app, faults)
}

async fn index() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "kassa-sandbox": env!("CARGO_PKG_VERSION"),
        "providers": PROVIDERS,
        "faults": "/_sandbox/faults",
    }))
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    faults: Faults,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// The server's root URL, e.g. `http://127.0.0.1:41234`.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// assert!(s.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL for one provider, e.g. `http://127.0.0.1:41234/anor-bm`.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// assert!(s.url("mobilnik").ends_with("/mobilnik"));
    /// # Ok(()) }
    /// ```
    pub fn url(&self, provider: &str) -> String {
        format!("http://{}/{provider}", self.addr)
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fault switches of this sandbox.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// s.faults().set(kassa_sandbox::Fault::status("anor-bm", "/services/bmms/api/agent/status", 503).times(1));
    /// # Ok(()) }
    /// ```
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stops the server.
    pub fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the sandbox in this process on a free loopback port.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let sandbox = kassa_sandbox::spawn().await?;
/// println!("sandbox at {}", sandbox.base_url());
/// # Ok(()) }
/// ```
pub async fn spawn() -> std::io::Result<Sandbox> {
    bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Starts the sandbox on `addr` (port 0 picks a free one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<Sandbox> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (app, faults) = router();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "sandbox server stopped");
        }
    });
    tracing::debug!(%addr, "sandbox listening");
    Ok(Sandbox {
        addr,
        faults,
        shutdown: Some(tx),
    })
}
