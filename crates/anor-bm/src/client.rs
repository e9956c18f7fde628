//! [`Client`] and [`ClientBuilder`]: base URL, credentials, transport, retries, timeouts and
//! the shared token cache.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use kassa_core::secret::SecretString;
use kassa_core::token::TokenCache;
use kassa_core::{
    Body, Engine, Error, Method, Operation, Request, Response, RetryPolicy, Timeouts, Transport,
};
use serde::Serialize;

use crate::PROVIDER;
use crate::auth::{LoginRequest, Session};
use crate::error::{ErrorBody, refusal};

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
    base_url: String,
    username: String,
    password: SecretString,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    refresh_ahead: Duration,
    tls: kassa_core::Tls,
    max_answer_bytes: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &kassa_core::secret::redact_text(&self.base_url))
            .field("username", &self.username)
            .field("password", &kassa_core::secret::REDACTED)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("refresh_ahead", &self.refresh_ahead)
            .field("tls", &self.tls)
            .field("max_answer_bytes", &self.max_answer_bytes)
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
        self.transport = Some(transport);
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
        self.retry = retry;
        self
    }

    /// Sets the timeouts (default: 10 s connect, 30 s per attempt, 60 s per call).
    ///
    /// ```
    /// let c = anor_bm::Client::builder("http://h:1", "u", "p").timeouts(kassa_core::Timeouts::none()).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn timeouts(mut self, timeouts: Timeouts) -> ClientBuilder {
        self.timeouts = timeouts;
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
        self.tls = tls;
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
        self.max_answer_bytes = Some(limit);
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
        let mut engine = Engine::builder(PROVIDER, self.base_url)
            .retry(self.retry)
            .timeouts(self.timeouts)
            .tls(self.tls)
            .secret(kassa_core::secret::ExposeSecret::expose_secret(
                &self.password,
            ));
        if let Some(limit) = self.max_answer_bytes {
            engine = engine.max_answer_bytes(limit);
        }
        if let Some(t) = self.transport {
            engine = engine.transport(t);
        }
        Ok(Client {
            inner: Arc::new(Inner {
                engine: engine.build()?,
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
        ClientBuilder {
            base_url: base_url.into(),
            username: username.into(),
            password: SecretString::from(password.into()),
            transport: None,
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            refresh_ahead: Duration::from_secs(60),
            tls: kassa_core::Tls::default(),
            max_answer_bytes: None,
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
        self.guarded(async {
            self.inner
                .tokens
                .get(|prev| self.fetch_session(prev))
                .await
                .map(|_| ())
        })
        .await
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The one place every public operation's result passes through: the client's own
    /// secrets (the password, and every access and refresh token it received) are removed
    /// from any provider text the error quotes (messages, excerpts, decode messages, causes,
    /// and a code the catalogue does not list), so a bank that echoes them back never makes
    /// kassa print them.
    pub(crate) async fn guarded<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        call.await.map_err(|e| self.scrub(e))
    }

    /// Removes the client's secrets from `err` (see [`Client::guarded`]).
    pub(crate) fn scrub(&self, err: Error) -> Error {
        let err = self.inner.engine.scrub_error(err);
        self.scrub_codes(err)
    }

    /// The text with the client's secrets removed.
    fn scrub_text(&self, text: &str) -> String {
        match self
            .inner
            .engine
            .scrub_error(Error::invalid(String::new(), text))
        {
            Error::InvalidInput { reason, .. } => reason,
            _ => kassa_core::secret::REDACTED.to_owned(),
        }
    }

    /// A code the catalogue does not list is the bank's own text, kept as it came: the core
    /// scrubs messages, not codes, so it is scrubbed here, down an outcome-unknown's cause.
    fn scrub_codes(&self, err: Error) -> Error {
        let clean = |r: &mut kassa_core::Rejection| {
            if let Some(crate::Code::Unknown(raw)) = r.code_as::<crate::Code>() {
                let scrubbed = self.scrub_text(raw);
                if scrubbed != *raw {
                    r.code = Box::new(crate::Code::Unknown(scrubbed));
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
                        Ok(inner) => Box::new(self.scrub_codes(*inner)) as kassa_core::BoxError,
                        Err(other) => other,
                    });
                Error::OutcomeUnknown(o)
            }
            other => other,
        }
    }

    pub(crate) fn refresh_ahead(&self) -> Duration {
        self.inner.refresh_ahead
    }

    pub(crate) fn login_request(&self) -> LoginRequest {
        LoginRequest {
            username: self.inner.username.clone(),
            password: self.inner.password.clone(),
        }
    }

    /// Sends a bearer call and returns the bank's answer whatever its status, except a 401,
    /// which [`refused_token`] reads: [`Error::Auth`] (the token cache refreshes once and the
    /// call is sent once more) only when it certainly means nothing took effect.
    pub(crate) async fn bearer_call<B: Serialize + ?Sized>(
        &self,
        op: &Operation,
        method: Method,
        path: &'static str,
        body: Option<&B>,
    ) -> Result<Response, Error> {
        let body =
            match body {
                Some(b) => Body::Json(serde_json::to_vec(b).map_err(|e| {
                    Error::invalid("body", format!("cannot be written as JSON: {e}"))
                })?),
                None => Body::None,
            };
        self.inner
            .tokens
            .with_token(
                |prev| self.fetch_session(prev),
                |token| {
                    let mut req =
                        Request::new(op.clone(), method, path).bearer(&token.value.access);
                    req.body = body.clone();
                    async move {
                        let resp = self.inner.engine.execute(&req).await?;
                        if resp.status == 401 {
                            return match refused_token(op, &resp) {
                                Some(err) => Err(err),
                                None => Ok(resp),
                            };
                        }
                        Ok(resp)
                    }
                },
            )
            .await
            .map_err(|e| self.scrub(e))
    }
}

/// Reads a 401 answer to a bearer call: [`Error::Auth`] only when it certainly means the
/// call was not processed, so that the token cache may refresh and send it once more.
///
/// - `activation_code_sent` (a wrong OTP) is handed back as an answer (`None`): resending
///   would not help.
/// - On a call that only reads (or logs in), any other 401 is a refused token.
/// - On a call that moves money, only the catalogue's credentials refusals
///   (`bad_credentials`, `invalid_password`) are a refused token. A 401 naming a code that
///   says money may have moved (`timeout`, `billing_error_need_reverse`, ...), naming any
///   other code, or explaining nothing (empty, HTML) is outcome-unknown with the status call
///   to ask: it is never resent.
fn refused_token(op: &Operation, resp: &Response) -> Option<Error> {
    let body = kassa_core::decode::json_plain::<ErrorBody>(op, &resp.body).ok();
    let named = body
        .as_ref()
        .and_then(|b| b.code().map(|c| (c, b.message())));
    let moves_money = op.effect.changes_state();
    match named {
        Some((crate::Code::ActivationCodeSent, _)) => None,
        Some((code, message)) if !moves_money || code.refuses_token() => {
            Some(refusal(op, 401, code, message))
        }
        Some((code, message)) => {
            tracing::warn!(
                operation = op.name,
                // an unlisted code is the bank's own text: not logged
                code = if matches!(code, crate::Code::Unknown(_)) {
                    "unlisted"
                } else {
                    code.raw()
                },
                "a payment call was answered 401 with a code that is not a token refusal: outcome unknown, not resent"
            );
            Some(op.outcome_unknown(Error::rejected(
                crate::PROVIDER,
                op.name,
                Some(401),
                code,
                message,
            )))
        }
        None if moves_money => {
            tracing::warn!(
                operation = op.name,
                "a payment call was answered 401 without a token refusal: outcome unknown, not resent"
            );
            Some(op.outcome_unknown(resp.unexpected(&crate::client::as_read(op))))
        }
        None => Some(crate::error::from_error_answer(op, resp)),
    }
}

/// The same operation as a read: used to build the plain HTTP error kept as the cause of an
/// outcome-unknown error (a 401 is not a 5xx, so `unexpected` would not wrap it itself).
pub(crate) fn as_read(op: &Operation) -> Operation {
    Operation::new(op.provider, op.name, kassa_core::Effect::Read)
}
