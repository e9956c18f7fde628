//! [`Client`] and [`ClientBuilder`]: configuration only (base URL, token URL, credentials,
//! and the engines' transport, retry, budget, timeouts, TLS and answer cap). The call path is
//! [`Client::call`] below and `answer.rs`.

use std::fmt;
use std::sync::Arc;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::token::TokenCache;
use kassa_core::{
    Engine, EngineBuilder, Error, Method, Operation, Request, ReqwestTransport, RetryBudget,
    RetryPolicy, Timeouts, Tls, Transport,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::PROVIDER;
use crate::answer::{self, Conditional};
use crate::auth::{AdminCredentials, ApplicationToken, Credentials, Phone, REFRESH_AHEAD};

/// The document's API address, with its `/v1` path prefix.
pub const DEFAULT_BASE_URL: &str = "https://sandbox.wallet.best/v1";

/// The document's token service address (another host than the API).
pub const DEFAULT_TOKEN_URL: &str = "https://www.synq.ru/mserver2-dev/oauth/token";

/// The header that marks a call made with the application token.
pub const AUTHORIZATION_TYPE: &str = "X-Authorization-Type";

/// An mserver client. Cheap to clone: clones share the engines, the retry budget and the
/// application token.
///
/// ```
/// let client = mserver::Client::builder()
///     .wallet("+79261111111", "from-your-vault".into())?
///     .build()?;
/// assert_eq!(client.base_url(), mserver::DEFAULT_BASE_URL);
/// assert!(!format!("{client:?}").contains("from-your-vault"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) engine: Engine,
    pub(crate) token_engine: Engine,
    pub(crate) credentials: Credentials,
    pub(crate) tokens: TokenCache<ApplicationToken>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.inner.engine)
            .field("token_engine", &self.inner.token_engine)
            .field("credentials", &self.inner.credentials)
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

type EngineSetting = Arc<dyn Fn(EngineBuilder) -> EngineBuilder + Send + Sync>;

/// Builds a [`Client`]: a base URL, at most one kind of credentials, and the engine
/// settings, applied to both the API's engine and the token service's (they share one
/// transport and one retry budget).
///
/// ```
/// use mserver::Client;
/// let app = Client::builder()
///     .base_url("https://sandbox.wallet.best/v1")
///     .token_url("https://auth.example.com/oauth/token")
///     .application("client-id", "client-secret".into())
///     .build()?;
/// assert_eq!(app.token_url(), "https://auth.example.com/oauth/token");
/// assert_eq!(Client::builder().wallet("89261111111", "p".into()).unwrap_err().field(), Some("phone"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token_url: String,
    engine: Vec<EngineSetting>,
    credentials: Credentials,
    transport: Option<Arc<dyn Transport>>,
    budget: Option<Arc<RetryBudget>>,
    // Kept only to build the one transport both engines share when none is given.
    timeouts: Timeouts,
    tls: Tls,
    max_answer_bytes: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field(
                "token_url",
                &kassa_core::secret::redact_text(&self.token_url),
            )
            .field("credentials", &self.credentials)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token_url: DEFAULT_TOKEN_URL.to_owned(),
            engine: Vec::new(),
            credentials: Credentials::None,
            transport: None,
            budget: None,
            timeouts: Timeouts::default(),
            tls: Tls::new(),
            max_answer_bytes: None,
        }
    }
}

impl ClientBuilder {
    /// The API address, with its version prefix (default [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.base_url = base_url.into();
        self
    }

    /// The token service's full address (default [`DEFAULT_TOKEN_URL`]); may be on another
    /// host than the API.
    pub fn token_url(mut self, token_url: impl Into<String>) -> ClientBuilder {
        self.token_url = token_url.into();
        self
    }

    /// A wallet's phone (international format, checked here) and password, sent as HTTP
    /// Basic.
    pub fn wallet(
        mut self,
        phone: impl Into<String>,
        password: SecretString,
    ) -> Result<ClientBuilder, Error> {
        let phone = Phone::new(phone)?;
        if password.expose_secret().is_empty() {
            return Err(Error::invalid("password", "must not be empty"));
        }
        self.credentials = Credentials::Wallet { phone, password };
        Ok(self)
    }

    /// An OAuth bearer token the integrator already holds (with its scopes).
    pub fn bearer(mut self, token: SecretString) -> ClientBuilder {
        self.credentials = Credentials::Bearer(token);
        self
    }

    /// Application credentials: exchanged at the token URL for an application token, which
    /// calls then send with `X-Authorization-Type: application`.
    pub fn application(
        mut self,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> ClientBuilder {
        self.credentials = Credentials::Application {
            client_id: client_id.into(),
            client_secret,
        };
        self
    }

    fn with(
        mut self,
        setting: impl Fn(EngineBuilder) -> EngineBuilder + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.engine.push(Arc::new(setting));
        self
    }

    /// Another transport (a proxy-aware reqwest client, a test fake), for both engines.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.transport = Some(transport);
        self
    }

    /// The retry policy for calls that may be retried.
    pub fn retry(self, retry: RetryPolicy) -> ClientBuilder {
        self.with(move |e| e.retry(retry.clone()))
    }

    /// Shares a retry budget with other clients (both engines use it).
    ///
    /// ```
    /// let b = mserver::Client::builder().budget(std::sync::Arc::new(kassa_core::RetryBudget::default()));
    /// # drop(b);
    /// ```
    pub fn budget(mut self, budget: Arc<RetryBudget>) -> ClientBuilder {
        self.budget = Some(budget);
        self
    }

    /// Connect, per-attempt and whole-call timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> ClientBuilder {
        self.timeouts = timeouts;
        self.with(move |e| e.timeouts(timeouts))
    }

    /// TLS settings (a private CA, a client certificate, native roots).
    pub fn tls(mut self, tls: Tls) -> ClientBuilder {
        self.tls = tls.clone();
        self.with(move |e| e.tls(tls.clone()))
    }

    /// Caps an answer's size in bytes (default 32 MiB).
    ///
    /// ```
    /// let b = mserver::Client::builder().max_answer_bytes(4 << 20);
    /// assert!(format!("{b:?}").contains("4194304"));
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> ClientBuilder {
        self.max_answer_bytes = Some(limit);
        self.with(move |e| e.max_answer_bytes(limit))
    }

    fn engine_builder(
        &self,
        base_url: &str,
        transport: &Arc<dyn Transport>,
        budget: &Arc<RetryBudget>,
    ) -> EngineBuilder {
        let start = Engine::builder(PROVIDER, base_url.to_owned());
        let mut b = self
            .engine
            .iter()
            .fold(start, |engine, setting| setting(engine));
        b = b.transport(transport.clone()).budget(budget.clone());
        match &self.credentials {
            Credentials::None => b,
            Credentials::Wallet { password, .. } => b.secret(password.expose_secret()),
            Credentials::Bearer(token) => b.secret(token.expose_secret()),
            Credentials::Application { client_secret, .. } => {
                b.secret(client_secret.expose_secret())
            }
        }
    }

    /// Builds the client; fails naming `base_url`, `token_url` or a TLS field.
    pub fn build(self) -> Result<Client, Error> {
        let transport: Arc<dyn Transport> = match &self.transport {
            Some(t) => t.clone(),
            None => Arc::new(ReqwestTransport::configured(
                &self.timeouts,
                &self.tls,
                self.max_answer_bytes.unwrap_or(32 << 20),
            )?),
        };
        let budget = self.budget.clone().unwrap_or_default();
        let engine = self
            .engine_builder(&self.base_url, &transport, &budget)
            .build()?;
        let token_engine = self
            .engine_builder(&self.token_url, &transport, &budget)
            .build()
            .map_err(|e| match e.field() {
                Some("base_url") => Error::invalid("token_url", "must be an absolute http(s) URL"),
                _ => e,
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                engine,
                token_engine,
                credentials: self.credentials,
                tokens: TokenCache::new(REFRESH_AHEAD),
            }),
        })
    }
}

/// Which credentials an operation sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// The catalogue's `none`: no credentials.
    None,
    /// The client's credentials (wallet, bearer or application).
    Client,
    /// Admin Basic credentials for this call.
    Admin(&'a AdminCredentials),
}

impl Client {
    /// Starts building a client.
    ///
    /// ```
    /// assert!(mserver::Client::builder().build().is_ok(), "credentials are optional");
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The API address in use (no trailing slash).
    ///
    /// ```
    /// let c = mserver::Client::builder().base_url("http://127.0.0.1:1/v1/").build()?;
    /// assert_eq!(c.base_url(), "http://127.0.0.1:1/v1");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        self.inner.engine.base_url()
    }

    /// The token service address in use.
    ///
    /// ```
    /// assert_eq!(mserver::Client::builder().build()?.token_url(), mserver::DEFAULT_TOKEN_URL);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn token_url(&self) -> &str {
        self.inner.token_engine.base_url()
    }

    /// How many application tokens this client has fetched for its calls.
    ///
    /// ```
    /// assert_eq!(mserver::Client::builder().build()?.token_fetches(), 0);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn token_fetches(&self) -> u64 {
        self.inner.tokens.fetches()
    }

    /// Sends one operation with its credentials and reads the answer (a 304 is
    /// [`Conditional::NotModified`]). With the application token, a credentials refusal
    /// fetches a new token and sends the call once more (the server refused it).
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: Operation,
        method: Method,
        path: String,
        auth: Auth<'_>,
        build: impl Fn(Request) -> Result<Request, Error>,
    ) -> Result<Conditional<T>, Error> {
        let inner = &self.inner;
        let engine = &inner.engine;
        let base = || build(Request::new(op.clone(), method, path.clone()));
        let result = match (auth, &inner.credentials) {
            (Auth::None, _) => {
                let req = base()?;
                answer::send(engine, &req).await
            }
            (Auth::Admin(admin), _) => {
                engine.remember_secret(admin.password.expose_secret());
                let req = base()?.basic_auth(&admin.login, &admin.password);
                answer::send(engine, &req).await
            }
            (Auth::Client, Credentials::None) => Err(Error::invalid(
                "credentials",
                "this operation needs wallet, bearer or application credentials",
            )),
            (Auth::Client, Credentials::Wallet { phone, password }) => {
                let req = base()?.basic_auth(phone.as_str(), password);
                answer::send(engine, &req).await
            }
            (Auth::Client, Credentials::Bearer(token)) => {
                let req = base()?.bearer(token);
                answer::send(engine, &req).await
            }
            (Auth::Client, Credentials::Application { .. }) => {
                let req = base()?;
                inner
                    .tokens
                    .with_token(
                        |_previous| self.fetch_token(),
                        |token| {
                            let req = req
                                .clone()
                                .bearer(&token.value.access_token)
                                .header(AUTHORIZATION_TYPE, "application");
                            async move { answer::send(engine, &req).await }
                        },
                    )
                    .await
            }
        };
        result.map_err(|e| engine.scrub_error(e))
    }

    /// [`Client::call`] with a JSON body.
    pub(crate) async fn call_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        op: Operation,
        method: Method,
        path: String,
        auth: Auth<'_>,
        body: &B,
    ) -> Result<T, Error> {
        let got = self
            .call(op.clone(), method, path, auth, |r| r.json(body))
            .await?;
        answer::fresh(&op, got)
    }

    /// [`Client::call`] with no body and no If-Modified-Since.
    pub(crate) async fn call_plain<T: DeserializeOwned>(
        &self,
        op: Operation,
        method: Method,
        path: String,
        auth: Auth<'_>,
        query: &[(&'static str, String)],
    ) -> Result<T, Error> {
        let got = self
            .call(op.clone(), method, path, auth, |mut r| {
                for (k, v) in query {
                    r = r.query(*k, v.as_str());
                }
                Ok(r)
            })
            .await?;
        answer::fresh(&op, got)
    }
}
