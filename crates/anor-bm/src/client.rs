//! [`Client`] and [`ClientBuilder`]: configuration only (base URL, credentials, the engine's
//! transport, retries, timeouts and TLS, the shared token cache). The builder wraps
//! [`EngineBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::token::TokenCache;
use kassa_core::{Engine, EngineBuilder, Error, RetryPolicy, Timeouts, Transport};

use crate::PROVIDER;
use crate::auth::{Credentials, Session};

/// The Anor Bank billing merchant client. Cheap to clone: clones share one engine, one retry
/// budget and one token cache, so any number of concurrent calls share one login.
///
/// Every call but `login` and `refresh-token` sends `Authorization: Bearer <access_token>`.
/// The client logs in on first use and refreshes the token ahead of `expires_in`. When the
/// bank answers 401 it refreshes (or logs in again) once and repeats the call once, but on
/// a call that moves money only when the 401 is the catalogue's refusal of the credentials
/// (`bad_credentials`, `invalid_password`), which says nothing took effect. Any other 401
/// to such a call (a code saying money may have moved, another code, no explanation) is
/// [`kassa_core::Error::OutcomeUnknown`] naming the status call, and is never resent.
///
/// ```no_run
/// use anor_bm::{CardExpiry, CheckRequest, Client, Otp, PayRequest};
/// use kassa_core::{Currency, Money, secret::CardNumber};
///
/// # async fn run() -> Result<(), kassa_core::Error> {
/// let client = Client::builder("http://10.0.0.1:8080", "agent", "secret").build()?;
/// let bill = client
///     .unregistered_check(&CheckRequest::new(
///         "order-30",
///         1,
///         Money::new(100_000, Currency::UZS),
///         "agent-tran-1",
///         CardNumber::new("8600492968156744")?,
///         "0727".parse::<CardExpiry>()?,
///     ))
///     .await?;
/// let paid = client.unregistered_pay(&PayRequest::new(bill.id, Otp::new("445566")?)).await?;
/// println!("{:?}", paid.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    username: String,
    password: SecretString,
    tokens: TokenCache<Session>,
    refresh_ahead: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.inner.engine)
            .field("username", &self.inner.username)
            .field("password", &kassa_core::secret::REDACTED)
            .field("tokens", &self.inner.tokens)
            .field("refresh_ahead", &self.inner.refresh_ahead)
            .finish()
    }
}

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use kassa_core::{RetryPolicy, Timeouts};
/// let client = anor_bm::Client::builder("http://10.0.0.1:8080", "agent", "secret")
///     .timeouts(Timeouts::default().attempt(Duration::from_secs(20)))
///     .retry(RetryPolicy { max_attempts: 2, ..RetryPolicy::default() })
///     .refresh_ahead(Duration::from_secs(120))
///     .build()?;
/// assert!(!format!("{client:?}").contains("secret"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub struct ClientBuilder {
    engine: EngineBuilder,
    base_url: String,
    username: String,
    password: SecretString,
    refresh_ahead: Duration,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field("username", &self.username)
            .field("password", &kassa_core::secret::REDACTED)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses another transport (a test fake, a reqwest client with proxies or root
    /// certificates).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let transport = Arc::new(kassa_core::ReqwestTransport::from_client(reqwest::Client::new()));
    /// let c = anor_bm::Client::builder("http://h:1", "u", "p").transport(transport).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.engine = self.engine.transport(transport);
        self
    }

    /// Sets the retry policy (which calls may be retried at all is fixed by each
    /// operation's effect).
    ///
    /// ```
    /// let c = anor_bm::Client::builder("http://h:1", "u", "p").retry(kassa_core::RetryPolicy::none()).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn retry(mut self, retry: RetryPolicy) -> ClientBuilder {
        self.engine = self.engine.retry(retry);
        self
    }

    /// Sets the timeouts (default: 10 s connect, 30 s per attempt, 60 s per call).
    ///
    /// ```
    /// let c = anor_bm::Client::builder("http://h:1", "u", "p").timeouts(kassa_core::Timeouts::none()).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn timeouts(mut self, timeouts: Timeouts) -> ClientBuilder {
        self.engine = self.engine.timeouts(timeouts);
        self
    }

    /// How long before `expires_in` runs out the token is refreshed (default 60 s; for a
    /// token living less than twice this, at half its life).
    ///
    /// ```
    /// let c = anor_bm::Client::builder("http://h:1", "u", "p").refresh_ahead(std::time::Duration::ZERO).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn refresh_ahead(mut self, ahead: Duration) -> ClientBuilder {
        self.refresh_ahead = ahead;
        self
    }

    /// TLS settings from PEM bytes: the bank's private CA, a client certificate (mutual
    /// TLS), native roots (with the `native-roots` feature). A bad PEM fails
    /// [`ClientBuilder::build`] naming `tls.root_pem` or `tls.identity_pem`.
    ///
    /// ```
    /// let err = anor_bm::Client::builder("https://bank.example", "u", "p")
    ///     .tls(kassa_core::Tls::new().add_root_pem(b"not a pem".to_vec()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("tls.root_pem"));
    /// ```
    pub fn tls(mut self, tls: kassa_core::Tls) -> ClientBuilder {
        self.engine = self.engine.tls(tls);
        self
    }

    /// Caps an answer's size in bytes (default 32 MiB); a larger one fails the call
    /// (outcome-unknown on a payment).
    ///
    /// ```
    /// let c = anor_bm::Client::builder("http://h:1", "u", "p").max_answer_bytes(8 << 20).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> ClientBuilder {
        self.engine = self.engine.max_answer_bytes(limit);
        self
    }

    /// Records every call that moves money or changes state (`Keyed` and `Once`) in
    /// `journal` before it is sent, and resolves it with its outcome, so an answer lost
    /// with the process is settled later from `status` (see [`Client`]'s
    /// [`Reconciler`](kassa_core::journal::Reconciler) implementation). Login and token
    /// refresh are never recorded.
    ///
    /// ```
    /// # use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
    /// # #[derive(Debug)] struct Nowhere;
    /// # #[kassa_core::async_trait] impl Journal for Nowhere {
    /// #     async fn record(&self, _: &Intent, _: &[u8]) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn dispatched(&self, _: &str) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn resolve(&self, _: &str, _: &Resolution) -> Result<(), JournalError> { Ok(()) }
    /// # }
    /// let client = anor_bm::Client::builder("http://h:1", "u", "p")
    ///     .journal(std::sync::Arc::new(Nowhere))
    ///     .build()?;
    /// assert!(client.journal().is_some());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(mut self, journal: Arc<dyn kassa_core::journal::Journal>) -> ClientBuilder {
        self.engine = self.engine.journal(journal);
        self
    }

    /// Builds the client; fails when the base URL is not an absolute http(s) URL or the
    /// username is empty. Nothing is sent until the first call.
    ///
    /// ```
    /// assert_eq!(anor_bm::Client::builder("ip:port", "u", "p").build().unwrap_err().field(), Some("base_url"));
    /// assert_eq!(anor_bm::Client::builder("http://h", " ", "p").build().unwrap_err().field(), Some("username"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        if self.username.trim().is_empty() {
            return Err(Error::invalid("username", "must not be empty"));
        }
        let engine = self.engine.secret(self.password.expose_secret()).build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                engine,
                username: self.username,
                password: self.password,
                tokens: TokenCache::new(self.refresh_ahead),
                refresh_ahead: self.refresh_ahead,
            }),
        })
    }
}

impl Client {
    /// Starts building a client for the bank at `base_url` (the document shows
    /// `http://ip:port`) with the agent's `username` and `password`.
    ///
    /// ```
    /// let client = anor_bm::Client::builder("http://10.0.0.1:8080", "agent", "secret").build()?;
    /// assert_eq!(client.base_url(), "http://10.0.0.1:8080");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn builder(
        base_url: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> ClientBuilder {
        let base_url = base_url.into();
        ClientBuilder {
            engine: Engine::builder(PROVIDER, base_url.clone()),
            base_url,
            username: username.into(),
            password: SecretString::from(password.into()),
            refresh_ahead: Duration::from_secs(60),
        }
    }

    /// The base URL (no trailing slash).
    ///
    /// ```
    /// let client = anor_bm::Client::builder("http://h:1/", "u", "p").build()?;
    /// assert_eq!(client.base_url(), "http://h:1");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        self.inner.engine.base_url()
    }

    /// The intent journal set with [`ClientBuilder::journal`], if any.
    ///
    /// ```
    /// let client = anor_bm::Client::builder("http://h:1", "u", "p").build()?;
    /// assert!(client.journal().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(&self) -> Option<&Arc<dyn kassa_core::journal::Journal>> {
        self.inner.engine.journal()
    }

    /// How many times the client fetched a token (logins and refreshes) so far.
    ///
    /// ```
    /// let client = anor_bm::Client::builder("http://h:1", "u", "p").build()?;
    /// assert_eq!(client.token_fetches(), 0);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn token_fetches(&self) -> u64 {
        self.inner.tokens.fetches()
    }

    /// Makes sure the client holds a usable token: logs in (or refreshes) now unless it
    /// already has one. Calls do this by themselves; use it to check the credentials at
    /// start-up.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// client.authenticate().await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.inner
            .tokens
            .get(|prev| self.fetch_session(prev))
            .await
            .map(|_| ())
            .map_err(|e| self.engine().scrub_error(e))
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn tokens(&self) -> &TokenCache<Session> {
        &self.inner.tokens
    }

    pub(crate) fn refresh_ahead(&self) -> Duration {
        self.inner.refresh_ahead
    }

    pub(crate) fn credentials(&self) -> Credentials {
        Credentials {
            username: self.inner.username.clone(),
            password: self.inner.password.clone(),
        }
    }
}
