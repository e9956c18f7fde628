//! The [`Engine`]: sends a [`Request`] through a [`Transport`] with timeouts, the retries
//! its [`Effect`](crate::Effect) allows, a retry budget and one tracing span per call.
//!
//! ```no_run
//! use kassa_core::{Effect, Engine, Method, Operation, Request};
//! # async fn run() -> Result<(), kassa_core::Error> {
//! let engine = Engine::builder("anor-bm", "http://10.0.0.1:8080").build()?;
//! let req = Request::new(Operation::new("anor-bm", "get-user-cards", Effect::Read), Method::Get, "/cards");
//! let answer = engine.execute(&req).await?;
//! println!("HTTP {}", answer.status);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::journal::{Intent, Journal, Resolution};
use crate::ops::EffectKind;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use tracing::Instrument as _;

use crate::error::{BoxError, Error, Sent};
use crate::request::{Operation, Request, Response, Timeouts};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::secret::Scrubber;
use crate::tls::Tls;
use crate::transport::{
    AnswerTooLarge, DEFAULT_MAX_ANSWER_BYTES, ReqwestTransport, Transport, TransportError,
    human_duration, retry_after,
};

/// The wall clock the engine reads to turn a `Retry-After` date into a wait; tests set
/// their own with [`EngineBuilder::clock`].
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A body-code retry classifier: looks at an answer the HTTP status calls fine and says
/// when it is transient all the same (a `200` whose body code means "temporarily
/// unavailable"); see [`EngineBuilder::classify`].
pub type Classifier = Arc<dyn Fn(&Operation, &Response) -> Option<Transient> + Send + Sync>;

/// A classifier's verdict: the answer is transient and worth resending, like a 503.
///
/// ```
/// let t = kassa_core::engine::Transient::new("service temporarily unavailable");
/// assert_eq!(t.retry_after, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transient {
    /// Why, for the trace (`"code 12: service unavailable"`); never a body excerpt.
    pub reason: &'static str,
    /// How long the provider asked to wait, when its body says so; bounded like a
    /// `Retry-After`. Without it the answer's `Retry-After` header or the backoff decides.
    pub retry_after: Option<Duration>,
}

impl Transient {
    /// A transient verdict.
    ///
    /// ```
    /// assert_eq!(kassa_core::engine::Transient::new("busy").reason, "busy");
    /// ```
    pub fn new(reason: &'static str) -> Transient {
        Transient {
            reason,
            retry_after: None,
        }
    }

    /// The same, asking to wait `wait` first.
    ///
    /// ```
    /// use std::time::Duration;
    /// let t = kassa_core::engine::Transient::new("busy").after(Duration::from_secs(2));
    /// assert_eq!(t.retry_after, Some(Duration::from_secs(2)));
    /// ```
    pub fn after(mut self, wait: Duration) -> Transient {
        self.retry_after = Some(wait);
        self
    }
}

/// Sends requests for one provider client. Cheap to clone; clones share the retry budget.
#[derive(Clone)]
pub struct Engine {
    provider: &'static str,
    base_url: String,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    budget: Arc<RetryBudget>,
    max_answer_bytes: usize,
    secrets: Arc<RwLock<Scrubber>>,
    clock: Clock,
    classify: Option<Classifier>,
    journal: Option<Arc<dyn Journal>>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("provider", &self.provider)
            .field("base_url", &crate::secret::redact_text(&self.base_url))
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("budget", &self.budget.available())
            .field("max_answer_bytes", &self.max_answer_bytes)
            .field("journal", &self.journal)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Engine`].
///
/// ```
/// use std::time::Duration;
/// use kassa_core::{Engine, RetryPolicy, Timeouts};
/// let engine = Engine::builder("mobilnik", "https://www.mobilnik.kg:6666")
///     .timeouts(Timeouts::default().attempt(Duration::from_secs(15)))
///     .retry(RetryPolicy { max_attempts: 2, ..RetryPolicy::default() })
///     .build()?;
/// assert_eq!(engine.base_url(), "https://www.mobilnik.kg:6666");
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub struct EngineBuilder {
    provider: &'static str,
    base_url: String,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    budget: Option<Arc<RetryBudget>>,
    tls: Tls,
    max_answer_bytes: usize,
    secrets: Scrubber,
    clock: Option<Clock>,
    classify: Option<Classifier>,
    journal: Option<Arc<dyn Journal>>,
}

impl fmt::Debug for EngineBuilder {
    /// The base URL's user and password, and every registered secret, stay hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("provider", &self.provider)
            .field("base_url", &crate::secret::redact_text(&self.base_url))
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("tls", &self.tls)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .field("secrets", &self.secrets.len())
            .field("journal", &self.journal)
            .finish_non_exhaustive()
    }
}

impl EngineBuilder {
    /// Replaces the base URL given to [`Engine::builder`] (for client builders whose URL
    /// may be set after the other settings).
    ///
    /// ```
    /// let engine = kassa_core::Engine::builder("p", "http://a").base_url("http://b/").build()?;
    /// assert_eq!(engine.base_url(), "http://b");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(mut self, base_url: impl Into<String>) -> EngineBuilder {
        self.base_url = base_url.into();
        self
    }

    /// Uses another transport (a test fake, another HTTP stack).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> EngineBuilder {
        self.transport = Some(transport);
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> EngineBuilder {
        self.retry = retry;
        self
    }

    /// Sets the timeouts (the connect timeout applies to the default transport).
    pub fn timeouts(mut self, timeouts: Timeouts) -> EngineBuilder {
        self.timeouts = timeouts;
        self
    }

    /// Shares a retry budget (e.g. between clients of one provider).
    pub fn budget(mut self, budget: Arc<RetryBudget>) -> EngineBuilder {
        self.budget = Some(budget);
        self
    }

    /// Sets the TLS settings of the default transport: a private CA, a client certificate
    /// (mutual TLS), native roots. Ignored when [`EngineBuilder::transport`] is set.
    ///
    /// ```
    /// let err = kassa_core::Engine::builder("p", "https://h")
    ///     .tls(kassa_core::Tls::new().identity_pem(b"not pem".to_vec()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("tls.identity_pem"));
    /// ```
    pub fn tls(mut self, tls: Tls) -> EngineBuilder {
        self.tls = tls;
        self
    }

    /// Caps an answer's size, in bytes (default
    /// [`DEFAULT_MAX_ANSWER_BYTES`], 32 MiB).
    /// A larger answer fails the call: outcome-unknown on an operation that moves money
    /// (the provider did receive it), a transport error otherwise. It is never retried.
    ///
    /// ```
    /// let e = kassa_core::Engine::builder("p", "http://h").max_answer_bytes(1 << 20).build()?;
    /// assert_eq!(e.max_answer_bytes(), 1 << 20);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> EngineBuilder {
        self.max_answer_bytes = limit;
        self
    }

    /// Registers one of the client's own secrets (a password, an API key) so that
    /// [`Engine::scrub_error`] removes it from any provider text an error quotes, even
    /// when the provider echoes it back somewhere no key names it. Values shorter than 4
    /// characters are not registered (removing them would mangle every message).
    ///
    /// ```
    /// use kassa_core::{Engine, Error, RawCode};
    /// let engine = Engine::builder("p", "http://h").secret("hunter2!").build()?;
    /// let err = Error::auth("p", "login", Some(401), RawCode("bad".into()), "user agent/hunter2! refused");
    /// assert!(!engine.scrub_error(err).to_string().contains("hunter2!"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn secret(mut self, value: &str) -> EngineBuilder {
        self.secrets.add(value);
        self
    }

    /// Sets the wall clock used to read a `Retry-After` given as an HTTP date.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let fixed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let e = kassa_core::Engine::builder("p", "http://h").clock(move || fixed).build()?;
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn clock(
        mut self,
        clock: impl Fn() -> SystemTime + Send + Sync + 'static,
    ) -> EngineBuilder {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Adds a body-code retry classifier, consulted beside the `5xx or 429` rule for
    /// operations that may be resent (`Read`, `Auth`, `Keyed`; never `Once`). When it
    /// calls an answer [`Transient`], the engine retries it like a 503: with backoff (or the
    /// wait the verdict or the `Retry-After` header asks, bounded), within the attempt
    /// limit, the deadline and the retry budget. The last answer is returned as it came
    /// when no retry is left, for the provider crate to read.
    ///
    /// ```
    /// use kassa_core::engine::Transient;
    /// use kassa_core::Engine;
    /// // Codes 12 and 14 in a 200 answer mean "try again later".
    /// let engine = Engine::builder("p", "http://h")
    ///     .classify(|_op, resp| {
    ///         let body = std::str::from_utf8(&resp.body).ok()?;
    ///         (body.contains(r#""status_code":12"#) || body.contains(r#""status_code":14"#))
    ///             .then(|| Transient::new("temporarily unavailable"))
    ///     })
    ///     .build()?;
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn classify(
        mut self,
        classify: impl Fn(&Operation, &Response) -> Option<Transient> + Send + Sync + 'static,
    ) -> EngineBuilder {
        self.classify = Some(Arc::new(classify));
        self
    }

    /// Records every `Keyed` and `Once` call in `journal` before it is sent, and resolves
    /// it with its outcome ([`crate::journal`]). Calls made through
    /// [`Engine::exchange`] use it; `Read` and `Auth` calls never do.
    ///
    /// ```
    /// # use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
    /// # #[derive(Debug)] struct Nowhere;
    /// # #[kassa_core::async_trait] impl Journal for Nowhere {
    /// #     async fn record(&self, _: &Intent, _: &[u8]) -> Result<(), JournalError> { Err("full".into()) }
    /// #     async fn dispatched(&self, _: &str) -> Result<(), JournalError> { Ok(()) }
    /// #     async fn resolve(&self, _: &str, _: &Resolution) -> Result<(), JournalError> { Ok(()) }
    /// # }
    /// let engine = kassa_core::Engine::builder("p", "http://127.0.0.1:1")
    ///     .journal(std::sync::Arc::new(Nowhere))
    ///     .build()?;
    /// assert!(engine.journal().is_some());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(mut self, journal: Arc<dyn Journal>) -> EngineBuilder {
        self.journal = Some(journal);
        self
    }

    /// Builds the engine; fails when the base URL is not an absolute http(s) URL, or the
    /// TLS settings hold a bad PEM ([`Error::InvalidInput`] naming `tls.root_pem` or
    /// `tls.identity_pem`).
    pub fn build(self) -> Result<Engine, Error> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::invalid("base_url", format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid(
                "base_url",
                "must start with http:// or https://",
            ));
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
            None => Arc::new(ReqwestTransport::configured(
                &self.timeouts,
                &self.tls,
                self.max_answer_bytes,
            )?),
        };
        let mut secrets = self.secrets;
        // The base URL's password is a secret too.
        if let Some(password) = url.password() {
            secrets.add(password);
        }
        Ok(Engine {
            provider: self.provider,
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            transport,
            retry: self.retry,
            timeouts: self.timeouts,
            budget: self.budget.unwrap_or_default(),
            max_answer_bytes: self.max_answer_bytes,
            secrets: Arc::new(RwLock::new(secrets)),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
            classify: self.classify,
            journal: self.journal,
        })
    }
}

impl Engine {
    /// Starts building an engine for `provider` at `base_url`.
    ///
    /// ```
    /// let b = kassa_core::Engine::builder("p", "http://127.0.0.1:1");
    /// assert!(b.build().is_ok());
    /// ```
    pub fn builder(provider: &'static str, base_url: impl Into<String>) -> EngineBuilder {
        EngineBuilder {
            provider,
            base_url: base_url.into(),
            transport: None,
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            budget: None,
            tls: Tls::default(),
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
            secrets: Scrubber::default(),
            clock: None,
            classify: None,
            journal: None,
        }
    }

    /// The cap on an answer's size, in bytes.
    ///
    /// ```
    /// let e = kassa_core::Engine::builder("p", "http://h").build()?;
    /// assert_eq!(e.max_answer_bytes(), 32 * 1024 * 1024);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn max_answer_bytes(&self) -> usize {
        self.max_answer_bytes
    }

    /// Registers a secret learnt at run time (a session token) so that
    /// [`Engine::scrub_error`] removes it too; see [`EngineBuilder::secret`]. The last 8
    /// such values are kept (the current token and a few before it), so a client that
    /// refreshes its token for months holds a bounded list.
    ///
    /// ```
    /// use kassa_core::{Engine, Error};
    /// let engine = Engine::builder("p", "http://h").build()?;
    /// engine.remember_secret("tok-123456");
    /// let err = Error::invalid("x", "echo tok-123456");
    /// assert_eq!(engine.scrub_error(err).to_string(), "invalid `x`: echo [REDACTED]");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn remember_secret(&self, value: &str) {
        let mut secrets = self.secrets.write().unwrap_or_else(|p| p.into_inner());
        secrets.remember(value);
    }

    /// Removes the client's registered secrets from a piece of provider text.
    ///
    /// ```
    /// let engine = kassa_core::Engine::builder("p", "http://h").secret("hunter2-Pass").build()?;
    /// assert_eq!(engine.scrub_text("you sent hunter2-Pass"), "you sent [REDACTED]");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn scrub_text(&self, text: &str) -> String {
        let secrets = self.secrets.read().unwrap_or_else(|p| p.into_inner());
        secrets.scrub(text)
    }

    /// Removes the client's registered secrets from the text of `err`: a refusal's message,
    /// an excerpt, a decode message, and the text of the cause an outcome-unknown or
    /// transport error carries. Provider clients pass every error through it, so a
    /// provider that echoes the password or key back never makes kassa print it.
    ///
    /// ```
    /// use kassa_core::{Engine, Error};
    /// let engine = Engine::builder("p", "http://agent:s3cr3t-pw@h").build()?;
    /// let err = Error::Http { provider: "p", operation: "op", status: 500, excerpt: "bad s3cr3t-pw".into() };
    /// assert_eq!(engine.scrub_error(err).to_string(), "p op: unexpected HTTP 500: bad [REDACTED]");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn scrub_error(&self, err: Error) -> Error {
        let secrets = self.secrets.read().unwrap_or_else(|p| p.into_inner());
        if secrets.is_empty() {
            return err;
        }
        secrets.scrub_error(err)
    }

    /// The provider name.
    ///
    /// ```
    /// assert_eq!(kassa_core::Engine::builder("p", "http://h").build()?.provider(), "p");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The base URL (no trailing slash).
    ///
    /// ```
    /// assert_eq!(kassa_core::Engine::builder("p", "http://h/").build()?.base_url(), "http://h");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The retry budget this engine draws on.
    ///
    /// ```
    /// assert_eq!(kassa_core::Engine::builder("p", "http://h").build()?.budget().available(), 500);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    /// The retry budget this engine draws on, shared: give it to another engine's
    /// [`EngineBuilder::budget`] so both draw on the one budget.
    ///
    /// ```
    /// use kassa_core::Engine;
    /// let api = Engine::builder("p", "http://api").build()?;
    /// let token = Engine::builder("p", "http://auth").budget(api.budget_handle()).build()?;
    /// assert!(std::sync::Arc::ptr_eq(&api.budget_handle(), &token.budget_handle()));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn budget_handle(&self) -> Arc<RetryBudget> {
        self.budget.clone()
    }

    /// The transport this engine sends through (the one given to
    /// [`EngineBuilder::transport`], or the one it built from its timeouts, TLS settings and
    /// answer cap): give it to another engine of the same client (a token service on
    /// another host) so both share one connection pool and its settings.
    ///
    /// ```
    /// use kassa_core::Engine;
    /// let api = Engine::builder("p", "http://api").build()?;
    /// let token = Engine::builder("p", "http://auth").transport(api.transport()).build()?;
    /// assert!(std::sync::Arc::ptr_eq(&api.transport(), &token.transport()));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn transport(&self) -> Arc<dyn Transport> {
        self.transport.clone()
    }

    /// The intent journal, if one was set.
    ///
    /// ```
    /// assert!(kassa_core::Engine::builder("p", "http://127.0.0.1:1").build()?.journal().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn journal(&self) -> Option<&Arc<dyn Journal>> {
        self.journal.as_ref()
    }

    /// Sends `req` with [`Engine::execute`] and reads its answer with `read`; with a
    /// journal set and a `Keyed` or `Once` operation, the call is first recorded (a failure
    /// to record is [`Error::Journal`] and nothing is sent), marked dispatched, and after
    /// `read` resolved with its outcome. An outcome-unknown leaves the intent unresolved
    /// for the recoverer. Every provider sends its calls through here.
    ///
    /// ```
    /// use kassa_core::{Effect, Engine, Method, Operation, Request};
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let engine = Engine::builder("p", "http://127.0.0.1:9").build()?;
    /// let req = Request::new(Operation::new("p", "status", Effect::Read), Method::Get, "/s");
    /// // Nothing listens on port 9: a read fails in transit, the journal is not asked.
    /// let err = engine.exchange(&req, |_resp| Ok(())).await.unwrap_err();
    /// assert_eq!(err.was_sent(), kassa_core::Sent::No);
    /// # Ok::<(), kassa_core::Error>(()) }).unwrap();
    /// ```
    pub async fn exchange<T>(
        &self,
        req: &Request,
        read: impl FnOnce(&Response) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let op = &req.operation;
        let journal = match (&self.journal, EffectKind::of(&op.effect)) {
            (Some(j), EffectKind::Keyed | EffectKind::Once) => j,
            _ => return self.execute(req).await.and_then(|resp| read(&resp)),
        };
        let intent = Intent::for_operation(op);
        let unrecorded = |source: crate::error::BoxError| Error::Journal {
            provider: op.provider,
            operation: op.name,
            source,
        };
        journal
            .record(&intent, &req.body.bytes())
            .await
            .map_err(unrecorded)?;
        journal.dispatched(&intent.id).await.map_err(unrecorded)?;
        let result = self.execute(req).await.and_then(|resp| read(&resp));
        // The refusal's words are scrubbed of the client's secrets before they are stored
        // (a provider may echo a credential; the caller's error is scrubbed the same way).
        let resolution = Resolution::of(&result).map(|r| match r {
            Resolution::Refused { code, message } => Resolution::Refused {
                code: code.map(|c| self.scrub_text(&c)),
                message: self.scrub_text(&message),
            },
            other => other,
        });
        if let Some(resolution) = resolution
            && let Err(e) = journal.resolve(&intent.id, &resolution).await
        {
            tracing::warn!(
                intent = %intent.id,
                error = %e,
                "the journal could not resolve the intent; the recoverer will"
            );
        }
        result
    }

    /// Sends `req`, retrying as its effect allows, and returns the final answer whatever
    /// its HTTP status (the provider crate reads its own error shapes).
    ///
    /// - Read, Auth and Keyed requests are retried on connect errors, timeouts, 5xx and
    ///   429, Keyed always with the same key (it is part of the request).
    /// - Once requests are retried only when they certainly never left.
    /// - A failure after a state-changing request may have left is
    ///   [`Error::OutcomeUnknown`] naming the key and the status call to ask.
    pub async fn execute(&self, req: &Request) -> Result<Response, Error> {
        let op = &req.operation;
        let span = tracing::info_span!(
            "kassa.call",
            provider = op.provider,
            operation = op.name,
            effect = op.effect.name(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        self.run(req).instrument(span).await
    }

    async fn run(&self, req: &Request) -> Result<Response, Error> {
        let op = &req.operation;
        let span = tracing::Span::current();
        let max_attempts = req
            .options
            .max_attempts
            .unwrap_or(self.retry.max_attempts)
            .max(1);
        let attempt_limit = req.options.attempt_timeout.unwrap_or(self.timeouts.attempt);
        let total = req.options.total_timeout.unwrap_or(self.timeouts.total);
        let deadline = total.map(|t| Instant::now() + t);
        let mut maybe_sent = false;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let limit = match (attempt_limit, remaining) {
                (Some(a), Some(r)) => Some(a.min(r)),
                (a, r) => a.or(r),
            };
            // Which limit a timeout is: the attempt's, or what was left of the call's.
            let by_deadline = match (attempt_limit, remaining) {
                (Some(a), Some(r)) => r < a,
                (None, Some(_)) => true,
                _ => false,
            };
            let sending = self.transport.send(&self.base_url, req);
            let result = match limit {
                Some(limit) => match tokio::time::timeout(limit, sending).await {
                    Ok(r) => r,
                    Err(_) => Err(TransportError {
                        sent: Sent::Maybe,
                        timeout: true,
                        source: match total {
                            Some(total) if by_deadline => format!(
                                "timed out after {} (the call's deadline)",
                                human_duration(total)
                            ),
                            _ => format!("timed out after {}", human_duration(limit)),
                        }
                        .into(),
                    }),
                },
                None => sending.await,
            };
            let may_retry_more = attempt < max_attempts;
            // A transport of the caller's own is held to the same cap.
            let result = match result {
                Ok(resp) if resp.body.len() > self.max_answer_bytes => {
                    Err(TransportError::maybe_sent(AnswerTooLarge {
                        limit: self.max_answer_bytes,
                        declared: None,
                    }))
                }
                other => other,
            };
            match result {
                Ok(resp) => {
                    span.record("status", resp.status);
                    let by_status = resp.status >= 500 || resp.status == 429;
                    // The body classifier is asked only where a resend is allowed.
                    let by_body = match &self.classify {
                        Some(classify) if !by_status && op.effect.retries_after_sent() => {
                            classify(op, &resp)
                        }
                        _ => None,
                    };
                    let transient = by_status || by_body.is_some();
                    if transient && op.effect.retries_after_sent() && may_retry_more {
                        let asked = by_body
                            .as_ref()
                            .and_then(|t| t.retry_after)
                            .or_else(|| retry_after(&resp, (self.clock)()));
                        let wait = match asked {
                            Some(asked) => self.retry.bounded_retry_after(asked),
                            None => self.retry.backoff(attempt - 1),
                        };
                        if self.fits(deadline, wait) && self.budget.try_withdraw() {
                            tracing::debug!(
                                attempt,
                                status = resp.status,
                                reason = by_body.as_ref().map_or("status", |t| t.reason),
                                wait_ms = wait.as_millis() as u64,
                                "transient answer, retrying"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    if resp.is_success() && !transient {
                        self.budget.deposit();
                    }
                    span.record("outcome", "answered");
                    tracing::debug!(attempt, status = resp.status, "answered");
                    return Ok(resp);
                }
                Err(err) => {
                    maybe_sent |= err.sent != Sent::No;
                    // An oversized answer would be as large again.
                    let oversized = err.source.is::<AnswerTooLarge>();
                    let allowed =
                        !oversized && (err.sent == Sent::No || op.effect.retries_after_sent());
                    if allowed && may_retry_more {
                        let wait = self.retry.backoff(attempt - 1);
                        if self.fits(deadline, wait) && self.budget.try_withdraw() {
                            tracing::debug!(attempt, sent = ?err.sent, timeout = err.timeout, wait_ms = wait.as_millis() as u64, "transport failure, retrying");
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    if maybe_sent && op.effect.changes_state() {
                        span.record("outcome", "outcome_unknown");
                        tracing::warn!(
                            attempt,
                            "outcome unknown: the request may have taken effect"
                        );
                        return Err(op.outcome_unknown(err));
                    }
                    span.record("outcome", "transport_error");
                    tracing::debug!(attempt, sent = ?err.sent, "transport failure");
                    return Err(Error::Transport {
                        provider: op.provider,
                        operation: op.name,
                        sent: if maybe_sent { Sent::Maybe } else { Sent::No },
                        source: Box::new(err) as BoxError,
                    });
                }
            }
        }
    }

    fn fits(&self, deadline: Option<Instant>, wait: Duration) -> bool {
        deadline.is_none_or(|d| Instant::now() + wait < d)
    }
}
