//! [`Client`] and [`ClientBuilder`]: configuration only (base URL, credentials, and the
//! engine's transport, retry, timeouts, TLS and answer cap). The call path is in
//! `answer.rs`, the token's lifecycle in `auth.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use kassa_core::secret::SecretString;
use kassa_core::token::TokenCache;
use kassa_core::{
    Engine, EngineBuilder, Error, RetryBudget, RetryPolicy, Timeouts, Tls, Transport,
};

use crate::PROVIDER;
use crate::auth::{AuthenticateResponse, Credentials, DeviceId};

/// The document's API address.
pub const DEFAULT_BASE_URL: &str = "https://www.mobilnik.kg:6666";

/// The `client` query parameter: "константа всегда 4".
pub const CLIENT_ID: &str = "4";

/// A Mobilnik client. Cheap to clone: clones share the engine, the retry budget and the
/// token.
///
/// The first call authenticates (`/authentication/`) and keeps the token; when a call is
/// answered `USER_NOT_AUTHORIZED` (27), the client authenticates again and repeats that
/// call once (the server refused it, so nothing took effect).
///
/// ```no_run
/// use kassa_core::secret::SecretString;
/// use mobilnik::{Client, DeviceId, ServiceListRequest};
///
/// # async fn run() -> Result<(), kassa_core::Error> {
/// let client = Client::builder()
///     .login("agent01")
///     .password(SecretString::from("from-your-vault".to_owned()))
///     .device_id(DeviceId::from_mac("00:1A:2B:3C:4D:5E")?)
///     .device_name("shop-17.example.kg")
///     .build()?;
/// let services = client.service_list(&ServiceListRequest {}).await?;
/// println!("{} services", services.services.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) engine: Engine,
    pub(crate) credentials: Credentials,
    pub(crate) tokens: TokenCache<AuthenticateResponse>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.inner.engine)
            .field("credentials", &self.inner.credentials)
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

/// One engine setting, applied to the [`EngineBuilder`] when the client is built (the base
/// URL may be set last, and the engine builder takes it first).
type EngineSetting = Arc<dyn Fn(EngineBuilder) -> EngineBuilder + Send + Sync>;

/// Builds a [`Client`]. Login, password, device id and device name are required; the
/// engine settings (transport, retry, budget, timeouts, TLS, answer cap) go to kassa-core's
/// [`EngineBuilder`].
///
/// ```
/// use std::time::Duration;
/// use kassa_core::{RetryPolicy, Timeouts, secret::SecretString};
/// use mobilnik::{Client, DeviceId};
///
/// let client = Client::builder()
///     .base_url("https://www.mobilnik.kg:6666")
///     .login("test")
///     .password(SecretString::from("test-password".to_owned()))
///     .device_id(DeviceId::new("test-device-id")?)
///     .device_name("kassa-test")
///     .timeouts(Timeouts::default().attempt(Duration::from_secs(20)))
///     .retry(RetryPolicy { max_attempts: 2, ..RetryPolicy::default() })
///     .build()?;
/// assert_eq!(client.base_url(), "https://www.mobilnik.kg:6666");
/// assert!(!format!("{client:?}").contains("test-password"));
///
/// let missing = Client::builder().login("test").build().unwrap_err();
/// assert_eq!(missing.field(), Some("password"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    engine: Vec<EngineSetting>,
    login: Option<String>,
    password: Option<SecretString>,
    device_id: Option<DeviceId>,
    device_name: Option<String>,
}

impl fmt::Debug for ClientBuilder {
    /// The password never prints; the engine builder hides the URL's credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("login", &self.login)
            .field(
                "password",
                &self.password.as_ref().map(|_| kassa_core::secret::REDACTED),
            )
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .field("engine", &self.engine_builder())
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            engine: Vec::new(),
            login: None,
            password: None,
            device_id: None,
            device_name: None,
        }
    }
}

impl ClientBuilder {
    /// The API address (default [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.base_url = base_url.into();
        self
    }

    /// The `login` registered with Mobilnik (the document types it `String(10)`).
    pub fn login(mut self, login: impl Into<String>) -> ClientBuilder {
        self.login = Some(login.into());
        self
    }

    /// The `password`. It travels in the query string of `/authentication/`; the client
    /// keeps it out of every URL it prints, error, span and `Debug` output.
    pub fn password(mut self, password: SecretString) -> ClientBuilder {
        self.password = Some(password);
        self
    }

    /// The `id` of this device (see [`DeviceId`] for a stable derived one).
    pub fn device_id(mut self, device_id: DeviceId) -> ClientBuilder {
        self.device_id = Some(device_id);
        self
    }

    /// The `device`: "the name of the application or device, or a domain".
    pub fn device_name(mut self, device_name: impl Into<String>) -> ClientBuilder {
        self.device_name = Some(device_name.into());
        self
    }

    fn with(
        mut self,
        setting: impl Fn(EngineBuilder) -> EngineBuilder + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.engine.push(Arc::new(setting));
        self
    }

    /// Another transport (a proxy-aware reqwest client, a test fake).
    pub fn transport(self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.with(move |e| e.transport(transport.clone()))
    }

    /// The retry policy for calls that may be retried (reads and `authenticate`; payments
    /// and transfers only when they certainly never left).
    pub fn retry(self, retry: RetryPolicy) -> ClientBuilder {
        self.with(move |e| e.retry(retry.clone()))
    }

    /// Shares a retry budget with other clients.
    ///
    /// ```
    /// let budget = std::sync::Arc::new(kassa_core::RetryBudget::default());
    /// let b = mobilnik::Client::builder().budget(budget);
    /// # drop(b);
    /// ```
    pub fn budget(self, budget: Arc<RetryBudget>) -> ClientBuilder {
        self.with(move |e| e.budget(budget.clone()))
    }

    /// Connect, per-attempt and whole-call timeouts (on by default: 10 s, 30 s, 60 s).
    pub fn timeouts(self, timeouts: Timeouts) -> ClientBuilder {
        self.with(move |e| e.timeouts(timeouts))
    }

    /// TLS settings from PEM bytes: a private CA, a client certificate (mutual TLS), native
    /// roots (with the `native-roots` feature). A bad PEM fails [`ClientBuilder::build`]
    /// naming `tls.root_pem` or `tls.identity_pem`.
    ///
    /// ```
    /// let err = mobilnik::Client::builder()
    ///     .login("l").password("p".into()).device_id(mobilnik::DeviceId::derive("d")).device_name("d")
    ///     .tls(kassa_core::Tls::new().add_root_pem(b"not a pem".to_vec()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("tls.root_pem"));
    /// ```
    pub fn tls(self, tls: Tls) -> ClientBuilder {
        self.with(move |e| e.tls(tls.clone()))
    }

    /// Records every call that moves money or changes state (`Keyed` and `Once`) in
    /// `journal` before it is sent, and resolves it with its outcome, so an answer lost
    /// with the process is left open for a person or the recoverer (see [`Client`]'s
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
    /// let client = mobilnik::Client::builder()
    ///     .login("l").password("p".into()).device_id(mobilnik::DeviceId::derive("d")).device_name("d")
    ///     .journal(std::sync::Arc::new(Nowhere))
    ///     .build()?;
    /// assert!(client.journal().is_some());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(self, journal: Arc<dyn kassa_core::journal::Journal>) -> ClientBuilder {
        self.with(move |e| e.journal(journal.clone()))
    }

    /// Caps an answer's size in bytes (default 32 MiB); a larger one fails the call.
    ///
    /// ```
    /// let b = mobilnik::Client::builder().max_answer_bytes(4 << 20);
    /// assert!(format!("{b:?}").contains("4194304"));
    /// ```
    pub fn max_answer_bytes(self, limit: usize) -> ClientBuilder {
        self.with(move |e| e.max_answer_bytes(limit))
    }

    /// The engine builder with every setting so far applied, and the body-code
    /// classifier that asks a read answered "temporarily unavailable" again.
    fn engine_builder(&self) -> EngineBuilder {
        let start =
            Engine::builder(PROVIDER, self.base_url.clone()).classify(crate::answer::temporarily);
        self.engine
            .iter()
            .fold(start, |engine, setting| setting(engine))
    }

    /// Builds the client. Fails with [`Error::InvalidInput`] naming the wire field
    /// (`login`, `password`, `id`, `device`, `base_url`) when one is missing or blank.
    pub fn build(self) -> Result<Client, Error> {
        let login = required("login", self.login.clone())?;
        let password = self
            .password
            .clone()
            .ok_or_else(|| Error::invalid("password", "required"))?;
        let exposed = kassa_core::secret::ExposeSecret::expose_secret(&password);
        if exposed.is_empty() {
            return Err(Error::invalid("password", "must not be empty"));
        }
        let device_id = self
            .device_id
            .clone()
            .ok_or_else(|| Error::invalid("id", "required: the device id (see DeviceId)"))?;
        let device_name = required("device", self.device_name.clone())?;
        let engine = self.engine_builder().secret(exposed).build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                engine,
                credentials: Credentials {
                    login,
                    password,
                    device_id,
                    device_name,
                },
                // The document gives the token no lifetime: it is used until refused (27).
                tokens: TokenCache::new(Duration::ZERO),
            }),
        })
    }
}

fn required(field: &'static str, value: Option<String>) -> Result<String, Error> {
    match value {
        None => Err(Error::invalid(field, "required")),
        Some(v) if v.trim().is_empty() => Err(Error::invalid(field, "must not be empty")),
        Some(v) => Ok(v),
    }
}

impl Client {
    /// Starts building a client.
    ///
    /// ```
    /// let builder = mobilnik::Client::builder();
    /// assert!(builder.build().is_err(), "credentials are required");
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The intent journal set with [`ClientBuilder::journal`], if any.
    ///
    /// ```
    /// let client = mobilnik::Client::builder()
    ///     .login("l").password("p".into()).device_id(mobilnik::DeviceId::derive("d")).device_name("d").build()?;
    /// assert!(client.journal().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(&self) -> Option<&std::sync::Arc<dyn kassa_core::journal::Journal>> {
        self.inner.engine.journal()
    }

    /// The API address in use (no trailing slash).
    ///
    /// ```
    /// # use kassa_core::secret::SecretString;
    /// let client = mobilnik::Client::builder()
    ///     .login("test").password(SecretString::from("p".to_owned()))
    ///     .device_id(mobilnik::DeviceId::derive("host")).device_name("kassa")
    ///     .build()?;
    /// assert_eq!(client.base_url(), mobilnik::DEFAULT_BASE_URL);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        self.inner.engine.base_url()
    }

    /// The device id sent as `id`.
    ///
    /// ```
    /// # use kassa_core::secret::SecretString;
    /// let client = mobilnik::Client::builder()
    ///     .login("test").password(SecretString::from("p".to_owned()))
    ///     .device_id(mobilnik::DeviceId::new("test-device-id")?).device_name("kassa")
    ///     .build()?;
    /// assert_eq!(client.device_id().as_str(), "test-device-id");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn device_id(&self) -> &DeviceId {
        &self.inner.credentials.device_id
    }

    /// How many times this client has obtained a token (for monitoring re-authentication).
    ///
    /// ```
    /// # use kassa_core::secret::SecretString;
    /// # let client = mobilnik::Client::builder()
    /// #     .login("test").password(SecretString::from("p".to_owned()))
    /// #     .device_id(mobilnik::DeviceId::derive("host")).device_name("kassa").build()?;
    /// assert_eq!(client.authentications(), 0);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn authentications(&self) -> u64 {
        self.inner.tokens.fetches()
    }
}
