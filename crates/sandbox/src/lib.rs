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
//! | `/exchanger` | exchanger user API v1 (Premium Exchanger engine) |
//! | `/mserver/v1` | mserver wallet API (token service at `/mserver/oauth/token`) |
//!
//! Fault switches per provider and route (added latency, a forced status, a dropped
//! connection) let users rehearse failures, from Rust ([`Sandbox::faults`]) or over HTTP
//! (`POST /_sandbox/faults`, `DELETE /_sandbox/faults`). The exchanger's bid callbacks
//! are listed at `GET /_sandbox/exchanger/callbacks`.
//!
//! Every money-moving operation an emulator commits or refuses is written to the
//! [`ledger`] of money movements ([`Sandbox::ledger`], `GET /_sandbox/ledger`): what the
//! provider says happened, answer or no answer.
//!
//! The sandbox's [`Clock`] dates what the emulators write; tests set it to any hour, from
//! Rust ([`Sandbox::clock`], [`Builder::clock`]) or over HTTP (`PUT /_sandbox/clock`).
//! Its state lives in memory; [`Sandbox::state`] takes a copy as a serializable [`State`]
//! and [`Builder::state`] starts a sandbox on one (how the `kassa` CLI keeps the state of
//! its embedded sandbox from one call to the next).
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
pub mod clock;
// exchanger
pub mod exchanger;
pub mod faults;
pub mod ledger;
pub mod mobilnik;
// mserver
pub mod mserver;
pub mod requisite_uz;
mod shared;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use clock::Clock;
pub use faults::{Fault, Faults};
pub use ledger::{LEDGER_CAP, Ledger};
use shared::Shared;
pub use state::{State, StateError};

/// The providers the sandbox emulates, by their catalogue names (also their path prefixes).
pub const PROVIDERS: [&str; 5] = [
    "anor-bm",
    "requisite-uz",
    "mobilnik",
    // exchanger
    "exchanger",
    // mserver
    "mserver",
];

/// Builds the whole sandbox: every provider under its prefix, fault switches applied,
/// the control routes under `/_sandbox`. Each call starts from fresh seed state.
///
/// ```
/// let (router, faults) = kassa_sandbox::router();
/// # let _ = (router, faults);
/// ```
pub fn router() -> (Router, Faults) {
    let parts = assemble(&State::default(), Clock::system()).unwrap_or_else(|_| fresh());
    (parts.router, parts.faults)
}

/// The whole sandbox on a state, with handles on each emulator's state.
struct Parts {
    router: Router,
    faults: Faults,
    ledger: Ledger,
    handles: Handles,
}

#[derive(Clone)]
struct Handles {
    anor_bm: Shared<anor_bm::Emulator>,
    requisite_uz: Shared<requisite_uz::Emulator>,
    mobilnik: Shared<mobilnik::Emulator>,
    // exchanger
    exchanger: Shared<exchanger::Emulator>,
    // mserver
    mserver: Shared<mserver::Emulator>,
}

impl Handles {
    fn state(&self) -> State {
        State {
            anor_bm: self.anor_bm.snapshot(),
            requisite_uz: self.requisite_uz.snapshot(),
            mobilnik: self.mobilnik.snapshot(),
            // exchanger
            exchanger: self.exchanger.snapshot(),
            // mserver
            mserver: self.mserver.snapshot(),
            ..State::default()
        }
    }
}

/// Every emulator built (its router and its state handle), before mounting.
struct Built {
    anor_bm: (Router, Shared<anor_bm::Emulator>),
    requisite_uz: (Router, Shared<requisite_uz::Emulator>),
    mobilnik: (Router, Shared<mobilnik::Emulator>),
    exchanger: (Router, Shared<exchanger::Emulator>),
    mserver: (Router, Shared<mserver::Emulator>),
}

fn fresh() -> Parts {
    let ledger = Ledger::default();
    let built = Built {
        anor_bm: shared::build(None, Clock::system(), ledger.clone()),
        requisite_uz: shared::build(None, Clock::system(), ledger.clone()),
        mobilnik: shared::build(None, Clock::system(), ledger.clone()),
        exchanger: shared::build(None, Clock::system(), ledger.clone()),
        mserver: shared::build(None, Clock::system(), ledger.clone()),
    };
    mount(built, Faults::default(), Clock::system(), ledger)
}

fn assemble(state: &State, clock: Clock) -> Result<Parts, StateError> {
    let ledger = Ledger::default();
    let built = Built {
        anor_bm: build(&state.anor_bm, &clock, &ledger)?,
        requisite_uz: build(&state.requisite_uz, &clock, &ledger)?,
        mobilnik: build(&state.mobilnik, &clock, &ledger)?,
        exchanger: build(&state.exchanger, &clock, &ledger)?,
        mserver: build(&state.mserver, &clock, &ledger)?,
    };
    Ok(mount(built, Faults::default(), clock, ledger))
}

/// One emulator on its part of a state file (seed state when absent), writing to `ledger`.
fn build<E: shared::Emulator>(
    part: &serde_json::Value,
    clock: &Clock,
    ledger: &Ledger,
) -> Result<(Router, Shared<E>), StateError> {
    Ok(shared::build(
        State::part(part, E::PROVIDER)?,
        clock.clone(),
        ledger.clone(),
    ))
}

fn mount(built: Built, faults: Faults, clock: Clock, ledger: Ledger) -> Parts {
    let Built {
        anor_bm: (anor, a),
        requisite_uz: (requisite, r),
        mobilnik: (mobil, m),
        exchanger: (ex, ex_state),
        mserver: (ms, ms_state),
    } = built;
    let router = Router::new();
    let router = shared::mount::<anor_bm::Emulator>(router, anor, &faults);
    let router = shared::mount::<requisite_uz::Emulator>(router, requisite, &faults);
    let router = shared::mount::<mobilnik::Emulator>(router, mobil, &faults);
    let router = shared::mount::<exchanger::Emulator>(router, ex, &faults);
    let router = shared::mount::<mserver::Emulator>(router, ms, &faults);
    let router = router
        .nest(
            "/_sandbox",
            faults::control_router(faults.clone())
                .merge(clock::control_router(clock))
                .merge(ledger::control_router(ledger.clone()))
                .merge(exchanger::control_router(&ex_state))
                .merge(mserver::control_router(ms_state.clone())),
        )
        .route("/", get(index));
    Parts {
        router,
        faults,
        ledger,
        handles: Handles {
            anor_bm: a,
            requisite_uz: r,
            mobilnik: m,
            exchanger: ex_state,
            mserver: ms_state,
        },
    }
}

async fn index() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "kassa-sandbox": env!("CARGO_PKG_VERSION"),
        "providers": PROVIDERS,
        "faults": "/_sandbox/faults",
        "clock": "/_sandbox/clock",
        "ledger": "/_sandbox/ledger",
        "exchanger_callbacks": "/_sandbox/exchanger/callbacks",
        "mserver_notification_url": "/_sandbox/mserver/notification-url",
        "mserver_notifications": "/_sandbox/mserver/notifications",
    }))
}

/// One request the sandbox served, for a request log: no body, no query, no header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query (whose values may be credentials).
    pub path: String,
    /// The answer's HTTP status.
    pub status: u16,
    /// From the request's arrival to the answer's head.
    pub latency: Duration,
}

impl std::fmt::Display for Served {
    /// `POST /anor-bm/api/ext/user/login 200 3 ms`
    ///
    /// ```
    /// let s = kassa_sandbox::Served {
    ///     method: "GET".into(), path: "/".into(), status: 200,
    ///     latency: std::time::Duration::from_micros(1500),
    /// };
    /// assert_eq!(s.to_string(), "GET / 200 1.5 ms");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.latency.as_secs_f64() * 1_000.0;
        write!(
            f,
            "{} {} {} {ms:.1} ms",
            self.method, self.path, self.status
        )
    }
}

/// Called with each request served (see [`Builder::on_served`]).
pub type OnServed = Arc<dyn Fn(&Served) + Send + Sync>;

async fn log_request(
    axum::extract::State(sink): axum::extract::State<Option<OnServed>>,
    req: Request,
    next: Next,
) -> Response {
    let started = tokio::time::Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let answer = next.run(req).await;
    let served = Served {
        method,
        path,
        status: answer.status().as_u16(),
        latency: started.elapsed(),
    };
    tracing::info!(
        method = %served.method,
        path = %served.path,
        status = served.status,
        latency_ms = served.latency.as_secs_f64() * 1_000.0,
        "sandbox served"
    );
    if let Some(sink) = sink {
        sink(&served);
    }
    answer
}

/// How to start a sandbox: address, state, clock, request log.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use time::macros::datetime;
/// let sandbox = kassa_sandbox::Sandbox::builder()
///     .clock(kassa_sandbox::Clock::fixed(datetime!(2026-11-29 23:59 UTC)))
///     .on_served(|s| eprintln!("{s}"))
///     .spawn()
///     .await?;
/// # let _ = sandbox;
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct Builder {
    addr: Option<SocketAddr>,
    state: Option<State>,
    clock: Option<Clock>,
    on_served: Option<OnServed>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("addr", &self.addr)
            .field("state", &self.state)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Listen on `addr` (port 0 picks a free one); default a free loopback port.
    ///
    /// ```
    /// let b = kassa_sandbox::Sandbox::builder().addr(([0, 0, 0, 0], 8765).into());
    /// # let _ = b;
    /// ```
    pub fn addr(mut self, addr: SocketAddr) -> Builder {
        self.addr = Some(addr);
        self
    }

    /// Start on a saved state instead of the seed.
    ///
    /// ```
    /// let b = kassa_sandbox::Sandbox::builder().state(kassa_sandbox::State::default());
    /// # let _ = b;
    /// ```
    pub fn state(mut self, state: State) -> Builder {
        self.state = Some(state);
        self
    }

    /// Date everything by this clock (default: the system clock); keep a clone to set it.
    ///
    /// ```
    /// use time::macros::datetime;
    /// let clock = kassa_sandbox::Clock::fixed(datetime!(2026-11-29 19:01 UTC));
    /// let b = kassa_sandbox::Sandbox::builder().clock(clock.clone());
    /// # let _ = b;
    /// ```
    pub fn clock(mut self, clock: Clock) -> Builder {
        self.clock = Some(clock);
        self
    }

    /// Call `sink` with each request served (method, path, status, latency).
    ///
    /// ```
    /// let b = kassa_sandbox::Sandbox::builder().on_served(|s| eprintln!("{s}"));
    /// # let _ = b;
    /// ```
    pub fn on_served(mut self, sink: impl Fn(&Served) + Send + Sync + 'static) -> Builder {
        self.on_served = Some(Arc::new(sink));
        self
    }

    /// Starts the server in this process (on the current tokio runtime).
    ///
    /// An unreadable state is an [`std::io::ErrorKind::InvalidData`] error.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::Sandbox::builder().spawn().await?;
    /// # let _ = s;
    /// # Ok(()) }
    /// ```
    pub async fn spawn(self) -> std::io::Result<Sandbox> {
        let clock = self.clock.unwrap_or_default();
        let parts = assemble(&self.state.unwrap_or_default(), clock.clone())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let app = parts
            .router
            .layer(middleware::from_fn_with_state(self.on_served, log_request));
        let addr = self
            .addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
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
            faults: parts.faults,
            ledger: parts.ledger,
            clock,
            handles: parts.handles,
            shutdown: Some(tx),
        })
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    faults: Faults,
    ledger: Ledger,
    clock: Clock,
    handles: Handles,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("faults", &self.faults)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// How to start one with a state, a clock or a request log.
    ///
    /// ```
    /// let b = kassa_sandbox::Sandbox::builder();
    /// # let _ = b;
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The clock that dates what the emulators write; set it to run a flow at any hour.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use time::macros::datetime;
    /// let s = kassa_sandbox::spawn().await?;
    /// s.clock().set(datetime!(2026-11-29 23:59 UTC));
    /// # Ok(()) }
    /// ```
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A copy of every emulator's state now (to save, and start another sandbox on).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// let text = s.state().to_json();
    /// # let _ = text;
    /// # Ok(()) }
    /// ```
    pub fn state(&self) -> State {
        self.handles.state()
    }

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

    /// Every entry of the ledger of money movements now, oldest first: what each
    /// emulator committed or refused (see [`ledger`]). `GET /_sandbox/ledger` answers the
    /// same as JSON.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// // ... payments, some of whose answers a fault dropped ...
    /// for entry in s.ledger() {
    ///     println!("{} {} {:?} {:?}", entry.provider, entry.operation, entry.ids, entry.result);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn ledger(&self) -> Vec<ledger::Entry> {
        self.ledger.entries()
    }

    /// The ledger itself (to select entries, or empty it).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// let anor = s.ledger_handle().select(Some("anor-bm"), 0);
    /// # let _ = anor;
    /// # Ok(()) }
    /// ```
    pub fn ledger_handle(&self) -> &Ledger {
        &self.ledger
    }

    /// Sets (`Some`) or clears (`None`) the URL the mserver emulator POSTs payment
    /// notifications to, as `PUT`/`DELETE /_sandbox/mserver/notification-url` do.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let s = kassa_sandbox::spawn().await?;
    /// s.set_mserver_notification_url(Some("http://127.0.0.1:9000/mserver".into()));
    /// # Ok(()) }
    /// ```
    pub fn set_mserver_notification_url(&self, url: Option<String>) {
        self.handles.mserver.lock().set_notification_url(url);
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
    Sandbox::builder().spawn().await
}

/// Starts the sandbox on `addr` (port 0 picks a free one).
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let s = kassa_sandbox::bind(([127, 0, 0, 1], 0).into()).await?;
/// # let _ = s;
/// # Ok(()) }
/// ```
pub async fn bind(addr: SocketAddr) -> std::io::Result<Sandbox> {
    Sandbox::builder().addr(addr).spawn().await
}
