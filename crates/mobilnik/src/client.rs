//! [`Client`] and [`ClientBuilder`]: base URL, credentials, transport, retry, timeouts,
//! and the token every call after `authenticate` carries.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kassa_core::secret::SecretString;
use kassa_core::token::{Fetched, TokenCache};
use kassa_core::{
    Effect, Engine, Error, Method, Operation, Param, Request, RetryPolicy, Timeouts, Tls, Transport,
};
use serde::de::DeserializeOwned;

use crate::PROVIDER;
use crate::auth::{AuthenticateResponse, Credentials, DeviceId};
use crate::wire::{StatusField, read_answer};

/// The document's API address.
pub const DEFAULT_BASE_URL: &str = "https://www.mobilnik.kg:6666";

/// The `client` query parameter: "константа всегда 4".
pub const CLIENT_ID: &str = "4";

const AUTHENTICATE: Operation = Operation::new(PROVIDER, "authenticate", Effect::Auth);

/// A Mobilnik client. Cheap to clone: clones share the engine, the retry budget and the
/// token.
///
/// The first call authenticates (`/authentication/`) and keeps the token; when a call is
/// answered `USER_NOT_AUTHORIZED` (27), the client authenticates again and repeats that
/// call once (the server refused it, so nothing took effect).
///
/// ```no_run
/// use kassa_core::secret::SecretString;
/// use mobilnik::{Client, DeviceId};
///
/// # async fn run() -> Result<(), kassa_core::Error> {
/// let client = Client::builder()
///     .login("agent01")
///     .password(SecretString::from("from-your-vault".to_owned()))
///     .device_id(DeviceId::from_mac("00:1A:2B:3C:4D:5E")?)
///     .device_name("shop-17.example.kg")
///     .build()?;
/// let services = client.service_list().await?;
/// println!("{} services", services.services.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    credentials: Credentials,
    tokens: TokenCache<AuthenticateResponse>,
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

/// Builds a [`Client`]. Login, password, device id and device name are required.
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
pub struct ClientBuilder {
    base_url: String,
    login: Option<String>,
    password: Option<SecretString>,
    device_id: Option<DeviceId>,
    device_name: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    tls: Tls,
    max_answer_bytes: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field("login", &self.login)
            .field(
                "password",
                &self.password.as_ref().map(|_| kassa_core::secret::REDACTED),
            )
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("tls", &self.tls)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            login: None,
            password: None,
            device_id: None,
            device_name: None,
            transport: None,
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            tls: Tls::default(),
            max_answer_bytes: None,
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

    /// Another transport (a proxy-aware reqwest client, a test fake).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.transport = Some(transport);
        self
    }

    /// The retry policy for calls that may be retried (reads and `authenticate`; payments
    /// and transfers only when they certainly never left).
    pub fn retry(mut self, retry: RetryPolicy) -> ClientBuilder {
        self.retry = retry;
        self
    }

    /// Connect, per-attempt and whole-call timeouts (on by default: 10 s, 30 s, 60 s).
    pub fn timeouts(mut self, timeouts: Timeouts) -> ClientBuilder {
        self.timeouts = timeouts;
        self
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
    pub fn tls(mut self, tls: Tls) -> ClientBuilder {
        self.tls = tls;
        self
    }

    /// Caps an answer's size in bytes (default 32 MiB); a larger one fails the call.
    ///
    /// ```
    /// let b = mobilnik::Client::builder().max_answer_bytes(4 << 20);
    /// assert!(format!("{b:?}").contains("4194304"));
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> ClientBuilder {
        self.max_answer_bytes = Some(limit);
        self
    }

    /// Builds the client. Fails with [`Error::InvalidInput`] naming the wire field
    /// (`login`, `password`, `id`, `device`, `base_url`) when one is missing or blank.
    pub fn build(self) -> Result<Client, Error> {
        let login = required("login", self.login)?;
        let password = self
            .password
            .ok_or_else(|| Error::invalid("password", "required"))?;
        {
            use kassa_core::secret::ExposeSecret;
            if password.expose_secret().is_empty() {
                return Err(Error::invalid("password", "must not be empty"));
            }
        }
        let device_id = self
            .device_id
            .ok_or_else(|| Error::invalid("id", "required: the device id (see DeviceId)"))?;
        let device_name = required("device", self.device_name)?;
        let mut engine = Engine::builder(PROVIDER, self.base_url)
            .retry(self.retry)
            .timeouts(self.timeouts)
            .tls(self.tls)
            .secret(kassa_core::secret::ExposeSecret::expose_secret(&password));
        if let Some(limit) = self.max_answer_bytes {
            engine = engine.max_answer_bytes(limit);
        }
        if let Some(transport) = self.transport {
            engine = engine.transport(transport);
        }
        Ok(Client {
            inner: Arc::new(Inner {
                engine: engine.build()?,
                credentials: Credentials {
                    login,
                    password,
                    device_id,
                    device_name,
                },
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

    /// **authenticate** (`GET /authentication/`, «ПОЛУЧЕНИЕ ТОКЕНА»): logs in with
    /// `id`, `login`, `password`, `device` and `client=4`, keeps the new token for the
    /// calls that follow, and returns the account, name, contact data and current
    /// **balance** (the only read of the balance the API has).
    ///
    /// Always sends a request, even when a token is cached. Refused credentials
    /// (`WRONG_PASSWORD`, `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND`, `USER_BLOCKED`) are
    /// [`Error::Auth`]; other codes are [`Error::Rejected`]. Safe to retry.
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// let me = client.authenticate().await?;
    /// println!("account {} has {}", me.account, me.balance);
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(&self) -> Result<AuthenticateResponse, Error> {
        let fetched_here = AtomicBool::new(false);
        let fetch = |_previous| async {
            let answer = self.login().await;
            fetched_here.store(true, Ordering::SeqCst);
            answer
        };
        let current = self.inner.tokens.get(&fetch).await?;
        if fetched_here.load(Ordering::SeqCst) {
            return Ok(current.value.clone());
        }
        // A token was cached: replace it with a fresh one (if another call refreshed it
        // meanwhile, that fresh answer is returned).
        self.inner.tokens.invalidate(&current).await;
        let fresh = self.inner.tokens.get(&fetch).await?;
        Ok(fresh.value.clone())
    }

    async fn login(&self) -> Result<Fetched<AuthenticateResponse>, Error> {
        let c = &self.inner.credentials;
        let req = Request::new(AUTHENTICATE, Method::Get, "/authentication/")
            .query("id", c.device_id.as_str())
            .query("login", c.login.as_str())
            .query("password", Param::from(&c.password))
            .query("device", c.device_name.as_str())
            .query("client", CLIENT_ID);
        let engine = &self.inner.engine;
        let resp = engine.execute(&req).await.map_err(|e| scrub(engine, e))?;
        let answer: AuthenticateResponse = read_answer(&AUTHENTICATE, &resp, StatusField::Required)
            .map_err(|e| scrub(engine, e))?;
        engine.remember_secret(kassa_core::secret::ExposeSecret::expose_secret(
            &answer.token,
        ));
        // The document gives the token no lifetime: it is used until refused (27).
        Ok(Fetched::new(answer, None))
    }

    /// Sends one token call: `id`, `token`, `client` and `params`, as a GET. On
    /// `USER_NOT_AUTHORIZED` authenticates again and repeats the call once.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: &Operation,
        path: &'static str,
        params: &[(&'static str, Param)],
        status: StatusField,
    ) -> Result<T, Error> {
        self.inner
            .tokens
            .with_token(
                |_previous| self.login(),
                |session| async move {
                    let mut req = Request::new(op.clone(), Method::Get, path)
                        .query("id", self.inner.credentials.device_id.as_str())
                        .query("token", Param::from(&session.value.token))
                        .query("client", CLIENT_ID);
                    for (name, value) in params {
                        req = req.query(*name, value.clone());
                    }
                    let resp = self.inner.engine.execute(&req).await?;
                    read_answer(op, &resp, status)
                },
            )
            .await
            .map_err(|e| scrub(&self.inner.engine, e))
    }
}

/// Removes the client's secrets (the password, the session token) from the provider text an
/// error quotes: what [`Engine::scrub_error`] removes, and also a code the table does not
/// list (the provider's own text, kept as it came), down an outcome-unknown's cause.
pub(crate) fn scrub(engine: &Engine, err: Error) -> Error {
    let text = |raw: &str| match engine.scrub_error(Error::invalid(String::new(), raw)) {
        Error::InvalidInput { reason, .. } => reason,
        _ => kassa_core::secret::REDACTED.to_owned(),
    };
    scrub_codes(engine.scrub_error(err), &text)
}

fn scrub_codes(err: Error, text: &dyn Fn(&str) -> String) -> Error {
    let clean = |r: &mut kassa_core::Rejection| {
        if let Some(crate::StatusCode::Unknown(raw)) = r.code_as::<crate::StatusCode>() {
            let scrubbed = text(raw);
            if scrubbed != *raw {
                r.code = Box::new(crate::StatusCode::Unknown(scrubbed));
            }
        }
    };
    match err {
        Error::Rejected(mut r) => {
            clean(&mut r);
            Error::Rejected(r)
        }
        Error::Auth(mut r) => {
            clean(&mut r);
            Error::Auth(r)
        }
        Error::OutcomeUnknown(mut o) => {
            o.source = o
                .source
                .take()
                .map(|source| match source.downcast::<Error>() {
                    Ok(inner) => Box::new(scrub_codes(*inner, text)) as kassa_core::BoxError,
                    Err(other) => other,
                });
            Error::OutcomeUnknown(o)
        }
        other => other,
    }
}
