//! [`Client`] and [`ClientBuilder`]: configuration only (the exchanger's domain, the API
//! login and key, the language, transport, retry, timeouts, TLS). The builder wraps
//! kassa-core's `EngineBuilder`.

use std::fmt;
use std::sync::Arc;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::{Engine, Error, Param, Request, RetryBudget, RetryPolicy, Timeouts, Transport};

use crate::PROVIDER;

/// The API credentials: the login, the key (a secret) and the optional language.
#[derive(Clone)]
pub(crate) struct Credentials {
    login: String,
    key: SecretString,
    lang: Option<String>,
}

impl Credentials {
    /// Adds the `API-LOGIN`, `API-KEY` and (when set) `API-LANG` headers.
    pub(crate) fn apply(&self, req: Request) -> Request {
        let req = req
            .header("API-LOGIN", self.login.as_str())
            .header("API-KEY", Param::secret(self.key.expose_secret()));
        match &self.lang {
            Some(lang) => req.header("API-LANG", lang.as_str()),
            None => req,
        }
    }
}

pub(crate) struct Inner {
    pub(crate) engine: Engine,
    pub(crate) credentials: Credentials,
    pub(crate) trailing_slash: bool,
}

/// The client of one exchanger site's user API. Cheap to clone.
///
/// The API key travels in the `API-KEY` header; it never appears in `Debug`, errors or
/// traces.
///
/// ```
/// let client = exchanger::Client::builder("https://exchanger.example")
///     .login("api-login")
///     .key("api-key-value")
///     .language("en_US")
///     .build()?;
/// assert!(!format!("{client:?}").contains("api-key-value"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.inner.engine)
            .field("login", &self.inner.credentials.login)
            .field("key", &kassa_core::secret::REDACTED)
            .field("lang", &self.inner.credentials.lang)
            .finish()
    }
}

impl Client {
    /// The intent journal set with [`ClientBuilder::journal`], if any.
    ///
    /// ```
    /// let client = exchanger::Client::builder("http://h:1").login("l").key("k").build()?;
    /// assert!(client.journal().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(&self) -> Option<&std::sync::Arc<dyn kassa_core::journal::Journal>> {
        self.inner.engine.journal()
    }

    /// Starts a builder for the exchanger at `base_url` (the site's own domain: any site
    /// running the engine).
    ///
    /// ```
    /// let err = exchanger::Client::builder("https://exchanger.example").build().unwrap_err();
    /// assert_eq!(err.field(), Some("login"));
    /// ```
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        let base_url = base_url.into();
        ClientBuilder {
            engine: Engine::builder(PROVIDER, base_url.clone()),
            base_url,
            login: None,
            key: None,
            lang: None,
            trailing_slash: false,
        }
    }
}

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// let client = exchanger::Client::builder("http://127.0.0.1:8080")
///     .login("api-login")
///     .key("api-key-value")
///     .timeouts(kassa_core::Timeouts::default().attempt(Duration::from_secs(20)))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub struct ClientBuilder {
    engine: kassa_core::EngineBuilder,
    base_url: String,
    login: Option<String>,
    key: Option<SecretString>,
    lang: Option<String>,
    trailing_slash: bool,
}

/// Written by hand: the key never prints, the base URL is redacted.
///
/// ```
/// let b = exchanger::Client::builder("https://exchanger.example").login("l").key("k-secret-1");
/// assert!(!format!("{b:?}").contains("k-secret-1"));
/// ```
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field("login", &self.login)
            .field(
                "key",
                &self.key.as_ref().map(|_| kassa_core::secret::REDACTED),
            )
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sets the API login (`API-LOGIN`).
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").login("api-login");
    /// ```
    pub fn login(mut self, login: impl Into<String>) -> ClientBuilder {
        self.login = Some(login.into());
        self
    }

    /// Sets the API key (`API-KEY`), a secret.
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").key("api-key");
    /// ```
    pub fn key(mut self, key: impl Into<SecretString>) -> ClientBuilder {
        self.key = Some(key.into());
        self
    }

    /// Forces the answers' language (`API-LANG`: `ru_RU`, `en_US`).
    ///
    /// ```
    /// let err = exchanger::Client::builder("https://x.example").login("l").key("k").language("en US").build().unwrap_err();
    /// assert_eq!(err.field(), Some("lang"));
    /// ```
    pub fn language(mut self, lang: impl Into<String>) -> ClientBuilder {
        self.lang = Some(lang.into());
        self
    }

    /// Sends every method's path with a trailing slash (`/api/userapi/v1/test/`), as the
    /// vendor's own client does; some sites' rewrites want it.
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").trailing_slash(true);
    /// ```
    pub fn trailing_slash(mut self, on: bool) -> ClientBuilder {
        self.trailing_slash = on;
        self
    }

    /// Uses another transport.
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").transport(std::sync::Arc::new(kassa_core::ReqwestTransport::new(&kassa_core::Timeouts::default()).expect("transport")));
    /// ```
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.engine = self.engine.transport(transport);
        self
    }

    /// Sets the retry policy (only reads are retried once they may have been sent).
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").retry(kassa_core::RetryPolicy::default());
    /// ```
    pub fn retry(mut self, retry: RetryPolicy) -> ClientBuilder {
        self.engine = self.engine.retry(retry);
        self
    }

    /// Sets the timeouts.
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").timeouts(kassa_core::Timeouts::none());
    /// ```
    pub fn timeouts(mut self, timeouts: Timeouts) -> ClientBuilder {
        self.engine = self.engine.timeouts(timeouts);
        self
    }

    /// Shares a retry budget with other clients.
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").budget(std::sync::Arc::new(kassa_core::RetryBudget::default()));
    /// ```
    pub fn budget(mut self, budget: Arc<RetryBudget>) -> ClientBuilder {
        self.engine = self.engine.budget(budget);
        self
    }

    /// TLS settings (a private CA, a client certificate, native roots).
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").tls(kassa_core::Tls::new());
    /// ```
    pub fn tls(mut self, tls: kassa_core::Tls) -> ClientBuilder {
        self.engine = self.engine.tls(tls);
        self
    }

    /// The largest answer read, in bytes.
    ///
    /// ```
    /// let _ = exchanger::Client::builder("https://x.example").max_answer_bytes(1 << 20);
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> ClientBuilder {
        self.engine = self.engine.max_answer_bytes(limit);
        self
    }

    /// Records every call that moves money or changes state (`Keyed` and `Once`) in
    /// `journal` before it is sent, and resolves it with its outcome, so an answer lost
    /// with the process is settled later from `get-exchanges` or `bid-info` (see [`Client`]'s
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
    /// let client = exchanger::Client::builder("http://h:1").login("l").key("k")
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

    /// Builds the client; a missing or malformed setting is an error naming it.
    ///
    /// ```
    /// let err = exchanger::Client::builder("https://x.example").login("l").build().unwrap_err();
    /// assert_eq!(err.field(), Some("key"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let login = self
            .login
            .filter(|l| !l.trim().is_empty())
            .ok_or_else(|| Error::invalid("login", "the API login is required"))?;
        if !login.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Error::invalid(
                "login",
                "printable ASCII only (it travels in the API-LOGIN header)",
            ));
        }
        let key = self
            .key
            .filter(|k| !k.expose_secret().trim().is_empty())
            .ok_or_else(|| Error::invalid("key", "the API key is required"))?;
        // Checked here, not when the header is built, so a malformed key is refused before
        // anything is sent; the message never quotes the key.
        if !key.expose_secret().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "key",
                "visible ASCII only, no spaces or control characters (it travels in the API-KEY header)",
            ));
        }
        if let Some(lang) = &self.lang
            && !(lang.len() == 5
                && lang.as_bytes()[2] == b'_'
                && lang
                    .bytes()
                    .enumerate()
                    .all(|(i, b)| i == 2 || b.is_ascii_alphabetic()))
        {
            return Err(Error::invalid("lang", "a locale such as ru_RU or en_US"));
        }
        let engine = self.engine.secret(key.expose_secret()).build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                engine,
                credentials: Credentials {
                    login,
                    key,
                    lang: self.lang,
                },
                trailing_slash: self.trailing_slash,
            }),
        })
    }
}
