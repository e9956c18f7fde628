//! [`Client`] and [`ClientBuilder`]: configuration only (base URL, HTTP Basic credentials,
//! transport, retry, timeouts, TLS); the builder wraps kassa-core's `EngineBuilder`.

use std::fmt;
use std::sync::Arc;

use kassa_core::secret::SecretString;
use kassa_core::{Engine, Error, RetryBudget, RetryPolicy, Timeouts, Transport};

use crate::PROVIDER;
use crate::auth::Basic;
use crate::services::ServicesSlot;

/// The client of the payment-by-requisites API. Cheap to clone; clones share the engine,
/// the retry budget and the cached services list.
///
/// Every request carries HTTP Basic credentials. The password never appears in `Debug`,
/// errors or traces.
///
/// ```no_run
/// use requisite_uz::{BalanceRequest, Client, ServiceId};
/// # async fn run() -> Result<(), kassa_core::Error> {
/// let client = Client::builder("https://bank.example/")
///     .credentials("gray", "p@ssw0rd")
///     .build()?;
/// for service in client.services().await? {
///     println!("{} {} {:?}", service.id, service.name, service.kind);
/// }
/// let balance = client.balance(&BalanceRequest { service_id: ServiceId(34) }).await?;
/// println!("{}", balance.balance);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) engine: Engine,
    pub(crate) auth: Basic,
    pub(crate) services: ServicesSlot,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.engine)
            .field("username", &self.auth.username())
            .field("password", &kassa_core::secret::REDACTED)
            .finish()
    }
}

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use kassa_core::{RetryPolicy, Timeouts};
///
/// let client = requisite_uz::Client::builder("http://127.0.0.1:8080")
///     .credentials("gray", "p@ssw0rd")
///     .timeouts(Timeouts::default().attempt(Duration::from_secs(20)))
///     .retry(RetryPolicy { max_attempts: 2, ..RetryPolicy::default() })
///     .build()?;
/// assert!(!format!("{client:?}").contains("p@ssw0rd"));
///
/// let err = requisite_uz::Client::builder("http://127.0.0.1:8080").build().unwrap_err();
/// assert_eq!(err.field(), Some("username"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub struct ClientBuilder {
    engine: kassa_core::EngineBuilder,
    base_url: String,
    username: Option<String>,
    password: Option<SecretString>,
}

/// Written by hand: the base URL is shown through [`kassa_core::secret::redact_text`]
/// (credentials in its userinfo or query never print), and the engine builder, which holds
/// the raw URL, is left out.
///
/// ```
/// let b = requisite_uz::Client::builder("https://bank.example/api?password=hunter2")
///     .credentials("gray", "p@ssw0rd");
/// let shown = format!("{b:?}");
/// assert!(!shown.contains("hunter2") && !shown.contains("p@ssw0rd"), "{shown}");
/// ```
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field("username", &self.username)
            .field(
                "password",
                &self.password.as_ref().map(|_| kassa_core::secret::REDACTED),
            )
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sets the HTTP Basic username and password sent with every request.
    pub fn credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> ClientBuilder {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// Uses another transport (a test fake, a reqwest client with a proxy or own roots).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.engine = self.engine.transport(transport);
        self
    }

    /// Sets the retry policy (reads only are retried after they may have been sent;
    /// payments never are).
    pub fn retry(mut self, retry: RetryPolicy) -> ClientBuilder {
        self.engine = self.engine.retry(retry);
        self
    }

    /// Sets the timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> ClientBuilder {
        self.engine = self.engine.timeouts(timeouts);
        self
    }

    /// Shares a retry budget with other clients.
    pub fn budget(mut self, budget: Arc<RetryBudget>) -> ClientBuilder {
        self.engine = self.engine.budget(budget);
        self
    }

    /// TLS settings from PEM bytes: the bank's private CA, a client certificate (mutual
    /// TLS), native roots (with the `native-roots` feature). A bad PEM fails
    /// [`ClientBuilder::build`] naming `tls.root_pem` or `tls.identity_pem`.
    ///
    /// ```
    /// let err = requisite_uz::Client::builder("https://bank.example")
    ///     .credentials("u", "p")
    ///     .tls(kassa_core::Tls::new().identity_pem(b"not a pem".to_vec()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("tls.identity_pem"));
    /// ```
    pub fn tls(mut self, tls: kassa_core::Tls) -> ClientBuilder {
        self.engine = self.engine.tls(tls);
        self
    }

    /// Caps an answer's size in bytes (default 32 MiB, far above a long statement page);
    /// a larger one fails the call (outcome-unknown on a payment).
    ///
    /// ```
    /// let c = requisite_uz::Client::builder("http://h").credentials("u", "p").max_answer_bytes(8 << 20).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> ClientBuilder {
        self.engine = self.engine.max_answer_bytes(limit);
        self
    }

    /// Records every call that moves money or changes state (`Keyed` and `Once`) in
    /// `journal` before it is sent, and resolves it with its outcome, so an answer lost
    /// with the process is settled later from `payment-status` (see [`Client`]'s
    /// [`Reconciler`](kassa_core::journal::Reconciler) implementation). Reads and
    /// authentication are never recorded.
    ///
    /// ```
    /// # use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
    /// # #[derive(Debug)] struct Nowhere;
    /// # #[kassa_core::async_trait] impl Journal for Nowhere {
    /// #     async fn record(&self, _: &Intent, _: &[u8]) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn dispatched(&self, _: &str) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn resolve(&self, _: &str, _: &Resolution) -> Result<(), JournalError> { Ok(()) }
    /// # }
    /// let client = requisite_uz::Client::builder("http://h").credentials("u", "p")
    ///     .journal(std::sync::Arc::new(Nowhere))
    ///     .build()?;
    /// assert!(client.journal().is_some());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(
        mut self,
        journal: std::sync::Arc<dyn kassa_core::journal::Journal>,
    ) -> ClientBuilder {
        self.engine = self.engine.journal(journal);
        self
    }

    /// Builds the client. Fails with [`Error::InvalidInput`] when the base URL is not an
    /// http(s) URL, or the username or password is missing, or the username holds a `:`
    /// (HTTP Basic cannot carry it).
    pub fn build(self) -> Result<Client, Error> {
        let auth = Basic::new(self.username, self.password)?;
        let engine = auth.register(self.engine).build()?;
        Ok(Client {
            engine,
            auth,
            services: ServicesSlot::default(),
        })
    }
}

impl Client {
    /// Starts building a client for the API at `base_url` (e.g. `https://host:port`; the
    /// `/api/v2/...` paths are added to it).
    ///
    /// ```
    /// let client = requisite_uz::Client::builder("http://127.0.0.1:1/")
    ///     .credentials("u", "p")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:1");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        let base_url = base_url.into();
        ClientBuilder {
            engine: Engine::builder(PROVIDER, base_url.clone()).classify(crate::answer::transient),
            base_url,
            username: None,
            password: None,
        }
    }

    /// The intent journal set with [`ClientBuilder::journal`], if any.
    ///
    /// ```
    /// let client = requisite_uz::Client::builder("http://h").credentials("u", "p").build()?;
    /// assert!(client.journal().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(&self) -> Option<&std::sync::Arc<dyn kassa_core::journal::Journal>> {
        self.engine.journal()
    }

    /// The base URL (no trailing slash).
    ///
    /// ```
    /// let client = requisite_uz::Client::builder("https://bank.example/").credentials("u", "p").build()?;
    /// assert_eq!(client.base_url(), "https://bank.example");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        self.engine.base_url()
    }
}
