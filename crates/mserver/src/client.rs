//! [`Client`] and [`ClientBuilder`]: configuration only (base URL, token URL, credentials,
//! extra headers, and the engine settings: transport, retry, budget, timeouts, TLS and
//! answer cap). The call path is
//! [`Client::call`] below and `answer.rs`.

use std::fmt;
use std::sync::Arc;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::token::TokenCache;
use kassa_core::{
    Engine, EngineBuilder, Error, Method, Operation, Request, RetryBudget, RetryPolicy, Timeouts,
    Tls, Transport,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::PROVIDER;
use crate::answer::{self, Conditional};
use crate::auth::{AdminCredentials, ApplicationToken, Credentials, Phone, REFRESH_AHEAD};

/// The document's API address, with its `/v1` path prefix.
///
/// ```
/// assert!(mserver::DEFAULT_BASE_URL.ends_with("/v1"));
/// ```
pub const DEFAULT_BASE_URL: &str = "https://sandbox.wallet.best/v1";

/// The document's token service address (another host than the API).
///
/// ```
/// assert!(mserver::DEFAULT_TOKEN_URL.ends_with("/oauth/token"));
/// ```
pub const DEFAULT_TOKEN_URL: &str = "https://www.synq.ru/mserver2-dev/oauth/token";

/// The header that marks a call made with the application token.
///
/// ```
/// assert_eq!(mserver::AUTHORIZATION_TYPE, "X-Authorization-Type");
/// ```
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
    pub(crate) headers: Vec<(String, String)>,
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

/// Header names the client sets itself, which [`ClientBuilder::header`] refuses.
const OWN_HEADERS: &[&str] = &[
    "authorization",
    "x-authorization-type",
    "if-modified-since",
    "accept",
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
];

/// Builds a [`Client`]: a base URL, at most one kind of credentials, extra headers, and the
/// engine settings. The API's engine is built from them; the token service's engine takes
/// the same settings and the API engine's own transport and retry budget, so both share
/// one connection pool and one budget.
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
    headers: Vec<(String, String)>,
    journal: Option<Arc<dyn kassa_core::journal::Journal>>,
}

impl fmt::Debug for ClientBuilder {
    /// Extra headers show by name only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field(
                "token_url",
                &kassa_core::secret::redact_text(&self.token_url),
            )
            .field("credentials", &self.credentials)
            .field("headers", &headers)
            .field("engine_settings", &self.engine.len())
            .field("journal", &self.journal)
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
            headers: Vec::new(),
            journal: None,
        }
    }
}

/// An HTTP header name: a token of RFC 9110 (letters, digits and ``!#$%&'*+-.^_`|~``).
fn header_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// An HTTP header value: visible ASCII, spaces and tabs inside, no control characters.
fn header_value_ok(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
        && value.trim_matches([' ', '\t']) == value
}

impl ClientBuilder {
    /// The API address, with its version prefix (default [`DEFAULT_BASE_URL`]).
    ///
    /// ```
    /// let c = mserver::Client::builder().base_url("http://127.0.0.1:8080/v1").build()?;
    /// assert_eq!(c.base_url(), "http://127.0.0.1:8080/v1");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.base_url = base_url.into();
        self
    }

    /// The token service's full address (default [`DEFAULT_TOKEN_URL`]); may be on another
    /// host than the API.
    ///
    /// ```
    /// let c = mserver::Client::builder().token_url("https://auth.example.com/oauth/token").build()?;
    /// assert_eq!(c.token_url(), "https://auth.example.com/oauth/token");
    /// let err = mserver::Client::builder().token_url("auth.example.com").build().unwrap_err();
    /// assert_eq!(err.field(), Some("token_url"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn token_url(mut self, token_url: impl Into<String>) -> ClientBuilder {
        self.token_url = token_url.into();
        self
    }

    /// A wallet's phone (international format, checked here) and password, sent as HTTP
    /// Basic.
    ///
    /// ```
    /// let b = mserver::Client::builder().wallet("+79261111111", "from-your-vault".into())?;
    /// assert!(!format!("{b:?}").contains("from-your-vault"));
    /// assert_eq!(mserver::Client::builder().wallet("+79261111111", "".into()).unwrap_err().field(), Some("password"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
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
    ///
    /// ```
    /// let b = mserver::Client::builder().bearer("oauth-token-value".into());
    /// assert!(!format!("{b:?}").contains("oauth-token-value"));
    /// ```
    pub fn bearer(mut self, token: SecretString) -> ClientBuilder {
        self.credentials = Credentials::Bearer(token);
        self
    }

    /// Application credentials: exchanged at the token URL for an application token, which
    /// calls then send with `X-Authorization-Type: application`.
    ///
    /// ```
    /// let b = mserver::Client::builder().application("client-id", "client-secret-value".into());
    /// assert!(format!("{b:?}").contains("client-id"));
    /// assert!(!format!("{b:?}").contains("client-secret-value"));
    /// ```
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

    /// A header sent on every call, the token call included (an integrator's
    /// `X-Project-ID`). Setting a name again replaces its value. Refused, naming `header`:
    /// a name that is not an HTTP token, or one the client sets itself (`Authorization`,
    /// `X-Authorization-Type`, `If-Modified-Since`, `Accept`, `Content-Type`, ...); a value
    /// with control characters or non-ASCII text is refused naming `header.<name>`.
    ///
    /// ```
    /// let b = mserver::Client::builder().header("X-Project-ID", "42")?;
    /// assert!(format!("{b:?}").contains("X-Project-ID"));
    /// let own = mserver::Client::builder().header("authorization", "Basic x").unwrap_err();
    /// assert_eq!(own.field(), Some("header"));
    /// let bad = mserver::Client::builder().header("X-Project-ID", "4\r\n2").unwrap_err();
    /// assert_eq!(bad.field(), Some("header.X-Project-ID"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn header(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<ClientBuilder, Error> {
        let (name, value) = (name.into(), value.into());
        if !header_name_ok(&name) {
            return Err(Error::invalid(
                "header",
                format!(
                    "`{}` is not an HTTP header name",
                    kassa_core::secret::redact_text(&name)
                ),
            ));
        }
        if OWN_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(&name)) {
            return Err(Error::invalid(
                "header",
                format!("`{name}` is set by the client itself"),
            ));
        }
        if !header_value_ok(&value) {
            return Err(Error::invalid(
                format!("header.{name}"),
                "visible ASCII only, no control characters or surrounding spaces",
            ));
        }
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value));
        Ok(self)
    }

    fn with(
        mut self,
        setting: impl Fn(EngineBuilder) -> EngineBuilder + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.engine.push(Arc::new(setting));
        self
    }

    /// Another transport (a proxy-aware reqwest client, a test fake), for both engines.
    ///
    /// ```
    /// let t = std::sync::Arc::new(kassa_core::ReqwestTransport::new(&kassa_core::Timeouts::default())?);
    /// let c = mserver::Client::builder().transport(t).build()?;
    /// # drop(c);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn transport(self, transport: Arc<dyn Transport>) -> ClientBuilder {
        self.with(move |e| e.transport(transport.clone()))
    }

    /// The retry policy for calls that may be retried (both engines).
    ///
    /// ```
    /// let c = mserver::Client::builder().retry(kassa_core::RetryPolicy::none()).build()?;
    /// # drop(c);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn retry(self, retry: RetryPolicy) -> ClientBuilder {
        self.with(move |e| e.retry(retry.clone()))
    }

    /// Shares a retry budget with other clients (both engines use it).
    ///
    /// ```
    /// let b = mserver::Client::builder().budget(std::sync::Arc::new(kassa_core::RetryBudget::default()));
    /// # drop(b);
    /// ```
    pub fn budget(self, budget: Arc<RetryBudget>) -> ClientBuilder {
        self.with(move |e| e.budget(budget.clone()))
    }

    /// Connect, per-attempt and whole-call timeouts (both engines).
    ///
    /// ```
    /// use std::time::Duration;
    /// let t = kassa_core::Timeouts::default().attempt(Duration::from_secs(15));
    /// let c = mserver::Client::builder().timeouts(t).build()?;
    /// # drop(c);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn timeouts(self, timeouts: Timeouts) -> ClientBuilder {
        self.with(move |e| e.timeouts(timeouts))
    }

    /// TLS settings (a private CA, a client certificate, native roots); a bad PEM fails
    /// [`ClientBuilder::build`] naming its field.
    ///
    /// ```
    /// let err = mserver::Client::builder()
    ///     .tls(kassa_core::Tls::new().identity_pem(b"not pem".to_vec()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("tls.identity_pem"));
    /// ```
    pub fn tls(self, tls: Tls) -> ClientBuilder {
        self.with(move |e| e.tls(tls.clone()))
    }

    /// Records every call that moves money or changes state (`Keyed` and `Once`) in
    /// `journal` before it is sent, and resolves it with its outcome, so an answer lost
    /// with the process is settled later from its status call (see [`Client`]'s
    /// [`Reconciler`](kassa_core::journal::Reconciler) implementation). Reads and
    /// authentication are never recorded: only the API engine gets the journal, never the
    /// token service's.
    ///
    /// ```
    /// # use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
    /// # #[derive(Debug)] struct Nowhere;
    /// # #[kassa_core::async_trait] impl Journal for Nowhere {
    /// #     async fn record(&self, _: &Intent, _: &[u8]) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn dispatched(&self, _: &str) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn resolve(&self, _: &str, _: &Resolution) -> Result<(), JournalError> { Ok(()) }
    /// # }
    /// let client = mserver::Client::builder()
    ///     .journal(std::sync::Arc::new(Nowhere))
    ///     .build()?;
    /// assert!(client.journal().is_some());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(mut self, journal: Arc<dyn kassa_core::journal::Journal>) -> ClientBuilder {
        self.journal = Some(journal);
        self
    }

    /// Caps an answer's size in bytes (default 32 MiB).
    ///
    /// ```
    /// let c = mserver::Client::builder().max_answer_bytes(4 << 20).build()?;
    /// assert!(format!("{c:?}").contains("4194304"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn max_answer_bytes(self, limit: usize) -> ClientBuilder {
        self.with(move |e| e.max_answer_bytes(limit))
    }

    fn engine_builder(&self, base_url: &str) -> EngineBuilder {
        let start = Engine::builder(PROVIDER, base_url.to_owned());
        let b = self
            .engine
            .iter()
            .fold(start, |engine, setting| setting(engine));
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
    ///
    /// ```
    /// let err = mserver::Client::builder().base_url("ftp://h/v1").build().unwrap_err();
    /// assert_eq!(err.field(), Some("base_url"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let mut api = self.engine_builder(&self.base_url);
        if let Some(journal) = &self.journal {
            api = api.journal(journal.clone());
        }
        let engine = api.build()?;
        // The token engine takes the API engine's transport and budget: one pool, one
        // budget, and the transport settings are not built twice.
        let token_engine = self
            .engine_builder(&self.token_url)
            .transport(engine.transport())
            .budget(engine.budget_handle())
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
                headers: self.headers,
                tokens: TokenCache::new(REFRESH_AHEAD),
            }),
        })
    }
}

impl Inner {
    /// Adds the builder's extra headers ([`ClientBuilder::header`]).
    pub(crate) fn with_headers(&self, req: Request) -> Request {
        self.headers.iter().fold(req, |r, (name, value)| {
            r.header(name.as_str(), value.as_str())
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

    /// The intent journal set with [`ClientBuilder::journal`], if any.
    ///
    /// ```
    /// let client = mserver::Client::builder().build()?;
    /// assert!(client.journal().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(&self) -> Option<&std::sync::Arc<dyn kassa_core::journal::Journal>> {
        self.inner.engine.journal()
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
        let base = || build(inner.with_headers(Request::new(op.clone(), method, path.clone())));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Nowhere;

    #[kassa_core::async_trait]
    impl kassa_core::journal::Journal for Nowhere {
        async fn record(
            &self,
            _: &kassa_core::journal::Intent,
            _: &[u8],
        ) -> Result<(), kassa_core::journal::JournalError> {
            Ok(())
        }
        async fn dispatched(&self, _: &str) -> Result<(), kassa_core::journal::JournalError> {
            Ok(())
        }
        async fn resolve(
            &self,
            _: &str,
            _: &kassa_core::journal::Resolution,
        ) -> Result<(), kassa_core::journal::JournalError> {
            Ok(())
        }
    }

    #[test]
    fn only_the_api_engine_gets_the_journal() {
        let client = Client::builder()
            .journal(Arc::new(Nowhere))
            .build()
            .expect("builds");
        assert!(client.inner.engine.journal().is_some());
        assert!(client.inner.token_engine.journal().is_none());
        assert!(format!("{:?}", Client::builder().journal(Arc::new(Nowhere))).contains("Nowhere"));
    }

    #[test]
    fn the_token_engine_takes_the_api_engines_transport_and_budget() {
        // Nothing given: the API engine builds its transport and budget, the token engine
        // takes both.
        let client = Client::builder().build().expect("builds");
        let inner = &client.inner;
        assert!(Arc::ptr_eq(
            &inner.engine.transport(),
            &inner.token_engine.transport()
        ));
        assert!(Arc::ptr_eq(
            &inner.engine.budget_handle(),
            &inner.token_engine.budget_handle()
        ));
        // A budget shared with other clients is the one both engines draw on.
        let shared = Arc::new(RetryBudget::default());
        let client = Client::builder()
            .budget(shared.clone())
            .build()
            .expect("builds");
        assert!(Arc::ptr_eq(
            &client.inner.token_engine.budget_handle(),
            &shared
        ));
        assert!(Arc::ptr_eq(&client.inner.engine.budget_handle(), &shared));
    }

    #[test]
    fn extra_headers_replace_by_name_and_refuse_what_the_client_sets() {
        let b = Client::builder()
            .header("X-Project-ID", "1")
            .and_then(|b| b.header("x-project-id", "2"))
            .expect("valid");
        assert_eq!(b.headers, [("x-project-id".to_owned(), "2".to_owned())]);
        for own in ["Authorization", "X-Authorization-Type", "if-modified-since"] {
            let e = Client::builder().header(own, "v").unwrap_err();
            assert_eq!(e.field(), Some("header"), "{own}");
        }
        for bad in ["", "X Project", "X-Проект", "a:b"] {
            let e = Client::builder().header(bad, "v").unwrap_err();
            assert_eq!(e.field(), Some("header"), "{bad:?}");
        }
        for bad in ["a\nb", "a\rb", " lead", "trail ", "\u{0}", "проект"] {
            let e = Client::builder().header("X-Project-ID", bad).unwrap_err();
            assert_eq!(e.field(), Some("header.X-Project-ID"), "{bad:?}");
        }
    }
}
