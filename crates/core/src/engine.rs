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
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument as _;

use crate::error::{Error, Sent};
use crate::request::{Request, Response, Timeouts};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::transport::{ReqwestTransport, Transport, TransportError, retry_after};

/// Sends requests for one provider client. Cheap to clone; clones share the retry budget.
#[derive(Clone)]
pub struct Engine {
    provider: &'static str,
    base_url: String,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    budget: Arc<RetryBudget>,
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
            .finish()
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
#[derive(Debug)]
pub struct EngineBuilder {
    provider: &'static str,
    base_url: String,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    budget: Option<Arc<RetryBudget>>,
}

impl EngineBuilder {
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

    /// Builds the engine; fails when the base URL is not an absolute http(s) URL.
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
            None => Arc::new(ReqwestTransport::new(&self.timeouts)?),
        };
        Ok(Engine {
            provider: self.provider,
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            transport,
            retry: self.retry,
            timeouts: self.timeouts,
            budget: self.budget.unwrap_or_default(),
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
        }
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
            let sending = self.transport.send(&self.base_url, req);
            let result = match limit {
                Some(limit) => match tokio::time::timeout(limit, sending).await {
                    Ok(r) => r,
                    Err(_) => Err(TransportError {
                        sent: Sent::Maybe,
                        timeout: true,
                        source: format!("no answer within {limit:?}").into(),
                    }),
                },
                None => sending.await,
            };
            let may_retry_more = attempt < max_attempts;
            match result {
                Ok(resp) => {
                    span.record("status", resp.status);
                    let transient = resp.status >= 500 || resp.status == 429;
                    if transient && op.effect.retries_after_sent() && may_retry_more {
                        let wait = match retry_after(&resp) {
                            Some(asked) => self.retry.bounded_retry_after(asked),
                            None => self.retry.backoff(attempt - 1),
                        };
                        if self.fits(deadline, wait) && self.budget.try_withdraw() {
                            tracing::debug!(
                                attempt,
                                status = resp.status,
                                wait_ms = wait.as_millis() as u64,
                                "transient answer, retrying"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    if resp.is_success() {
                        self.budget.deposit();
                    }
                    span.record("outcome", "answered");
                    tracing::debug!(attempt, status = resp.status, "answered");
                    return Ok(resp);
                }
                Err(err) => {
                    maybe_sent |= err.sent != Sent::No;
                    let allowed = err.sent == Sent::No || op.effect.retries_after_sent();
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
                        source: Box::new(err),
                    });
                }
            }
        }
    }

    fn fits(&self, deadline: Option<Instant>, wait: Duration) -> bool {
        deadline.is_none_or(|d| Instant::now() + wait < d)
    }
}
