//! [`Client`] and [`ClientBuilder`]: base URL, HTTP Basic credentials, transport, retry and
//! timeouts; and the reading of the provider's envelope shared by every operation.

use std::fmt;
use std::sync::{Arc, RwLock};

use kassa_core::secret::SecretString;
use kassa_core::{
    CallOptions, Engine, Error, Method, Operation, RawCode, Request, Response, RetryBudget,
    RetryPolicy, Timeouts, Transport, decode,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::error::Code;
use crate::services::Service;

/// The client of the payment-by-requisites API. Cheap to clone; clones share the engine,
/// the retry budget and the cached services list.
///
/// Every request carries HTTP Basic credentials. The password never appears in `Debug`,
/// errors or traces.
///
/// ```no_run
/// use requisite_uz::{Client, ServiceId};
/// # async fn run() -> Result<(), kassa_core::Error> {
/// let client = Client::builder("https://bank.example/")
///     .credentials("gray", "p@ssw0rd")
///     .build()?;
/// for service in client.services().await? {
///     println!("{} {} {:?}", service.id, service.name, service.kind);
/// }
/// let balance = client.balance(ServiceId(34)).await?;
/// println!("{}", balance.balance);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) engine: Engine,
    username: String,
    password: SecretString,
    services: Arc<RwLock<Option<Arc<[Service]>>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.engine)
            .field("username", &self.username)
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

    /// Builds the client. Fails with [`Error::InvalidInput`] when the base URL is not an
    /// http(s) URL, or the username or password is missing, or the username holds a `:`
    /// (HTTP Basic cannot carry it).
    pub fn build(self) -> Result<Client, Error> {
        let username = self
            .username
            .ok_or_else(|| Error::invalid("username", "credentials are required"))?;
        if username.is_empty() {
            return Err(Error::invalid("username", "must not be empty"));
        }
        if username.contains(':') || username.chars().any(char::is_control) {
            return Err(Error::invalid(
                "username",
                "HTTP Basic cannot carry `:` or control characters in a username",
            ));
        }
        let password = self
            .password
            .ok_or_else(|| Error::invalid("password", "credentials are required"))?;
        // The password, and the Basic credential it travels in: a bank that echoes either
        // back never makes an error print it.
        let basic = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{username}:{}",
                kassa_core::secret::ExposeSecret::expose_secret(&password)
            ))
        };
        let engine = self
            .engine
            .secret(kassa_core::secret::ExposeSecret::expose_secret(&password))
            .secret(&basic)
            .build()?;
        Ok(Client {
            engine,
            username,
            password,
            services: Arc::new(RwLock::new(None)),
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
            engine: Engine::builder(PROVIDER, base_url.clone()),
            base_url,
            username: None,
            password: None,
        }
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

    /// The services list the last successful [`Client::services`] call returned, if any.
    /// Payment checks use it to know whether a service needs card fields.
    ///
    /// ```
    /// let client = requisite_uz::Client::builder("http://127.0.0.1:1").credentials("u", "p").build()?;
    /// assert!(client.cached_services().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn cached_services(&self) -> Option<Arc<[Service]>> {
        self.services
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn remember_services(&self, list: &[Service]) {
        let mut slot = self.services.write().unwrap_or_else(|p| p.into_inner());
        *slot = Some(Arc::from(list));
    }

    /// Sends one request and reads the envelope: `data` as `T` on success, the typed error
    /// otherwise.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: Operation,
        method: Method,
        path: String,
        body: Option<&(impl Serialize + ?Sized)>,
        options: Option<&CallOptions>,
    ) -> Result<T, Error> {
        let mut req =
            Request::new(op.clone(), method, path).basic_auth(&self.username, &self.password);
        if let Some(body) = body {
            req = req.json(body)?;
        }
        if let Some(options) = options {
            req = req.options(options.clone());
        }
        let resp = self
            .engine
            .execute(&req)
            .await
            .map_err(|e| self.engine.scrub_error(e))?;
        read_answer(&op, &resp).map_err(|e| self.engine.scrub_error(e))
    }
}

/// The envelope's head: `{"status": ..., "code": ..., "message": ...}`; `data` is read
/// separately once the head says success.
#[derive(Deserialize)]
struct Head {
    #[serde(default, deserialize_with = "crate::wire::text")]
    status: String,
    #[serde(default, deserialize_with = "crate::wire::code")]
    code: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::text")]
    message: String,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

impl Head {
    fn is_success(&self) -> bool {
        self.status.trim().eq_ignore_ascii_case("success")
            && self.code.as_deref().is_none_or(|c| c == "0")
    }
}

/// Reads an answer of `op`.
///
/// - HTTP 401/403: [`Error::Auth`].
/// - Success envelope (`status` "success", `code` 0 or absent): `data` as `T`. For a
///   payment an unreadable answer is outcome-unknown (the provider did answer).
/// - Error envelope: the code, typed (see [`refusal`]).
/// - Anything else: [`Response::unexpected`].
pub(crate) fn read_answer<T: DeserializeOwned>(
    op: &Operation,
    resp: &Response,
) -> Result<T, Error> {
    if resp.status == 401 || resp.status == 403 {
        return Err(refused_credentials(op, resp));
    }
    if !resp.is_success() {
        // An error envelope with a code still says what happened; anything else is unexplained.
        return match decode::json_plain::<Head>(op, &resp.body) {
            Ok(head) if head.code.as_deref().is_some_and(|c| c != "0") => {
                Err(refusal(op, Some(resp.status), &head))
            }
            _ => Err(resp.unexpected(op)),
        };
    }
    let head: Head = decode::json(op, &resp.body)?;
    if !head.is_success() {
        return Err(refusal(op, Some(resp.status), &head));
    }
    let data: Data<T> = decode::json(op, &resp.body)?;
    Ok(data.data)
}

/// Reads an HTTP 401/403 answer.
///
/// An error envelope refusing the credentials (code 1004, user not found, or the HTTP
/// status itself, `{"status": "error", "code": 401, "message": "Unauthorized"}`) is
/// [`Error::Auth`]: the order was not created. An envelope naming another code is read as
/// that code (on a payment 1111, 2222 and unlisted codes are outcome-unknown). A 401/403
/// that explains nothing (empty, HTML) is [`Error::Auth`] on a read and outcome-unknown
/// naming payment-status on a payment. The client never sends a payment twice: HTTP Basic
/// has no token to refresh.
fn refused_credentials(op: &Operation, resp: &Response) -> Error {
    let head = decode::json_plain::<Head>(op, &resp.body).ok().filter(|h| {
        h.code
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty() && c != "0")
    });
    let excerpt = kassa_core::secret::excerpt(&String::from_utf8_lossy(&resp.body), 0, 120);
    let plain = || {
        Error::auth(
            op.provider,
            op.name,
            Some(resp.status),
            RawCode(format!("HTTP {}", resp.status)),
            excerpt.clone(),
        )
    };
    let refuses_credentials = |head: &Head| {
        let code = head.code.as_deref().map(str::trim).unwrap_or_default();
        code == "1004" || code == resp.status.to_string()
    };
    match head {
        Some(head) if refuses_credentials(&head) => Error::auth(
            op.provider,
            op.name,
            Some(resp.status),
            Code::from_raw(head.code.as_deref().unwrap_or_default()),
            head.message.clone(),
        ),
        Some(head) => refusal(op, Some(resp.status), &head),
        None if op.effect.changes_state() => {
            tracing::warn!(
                operation = op.name,
                status = resp.status,
                "a payment was answered with an unexplained credentials refusal: outcome unknown"
            );
            op.outcome_unknown(plain())
        }
        None => plain(),
    }
}

/// Turns an error envelope into the typed error.
///
/// On a state-changing operation (payment, payment-budget) only a definite refusal is
/// [`Error::Rejected`]; 1111, 2222, an undocumented code or a missing code mean the order
/// may exist, so they become outcome-unknown naming payment-status and the orderId, with the
/// refusal kept as the cause.
fn refusal(op: &Operation, http_status: Option<u16>, head: &Head) -> Error {
    let code = Code::from_raw(head.code.as_deref().unwrap_or(""));
    let definite = code.is_definite_refusal();
    let err = if code == Code::UserNotFound {
        Error::auth(
            op.provider,
            op.name,
            http_status,
            code,
            head.message.clone(),
        )
    } else {
        Error::rejected(
            op.provider,
            op.name,
            http_status,
            code,
            head.message.clone(),
        )
    };
    if op.effect.changes_state() && !definite {
        tracing::warn!(
            operation = op.name,
            code = err.provider_code().unwrap_or_default(),
            "payment answered with a code that leaves its outcome unknown"
        );
        op.outcome_unknown(err)
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_core::{Effect, Reconcile};

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    const READ: Operation = Operation::new(PROVIDER, "balance", Effect::Read);

    fn pay() -> Operation {
        Operation::new(PROVIDER, "payment", Effect::Once)
            .reconcile_with(Reconcile::new("payment-status").param("orderId", "A1"))
    }

    #[test]
    fn success_needs_the_word_success_and_code_zero_or_none() {
        let ok: Result<u32, Error> =
            read_answer(&READ, &answer(200, r#"{"status":"success","data":5}"#));
        assert_eq!(ok.ok(), Some(5));
        let ok: Result<u32, Error> = read_answer(
            &READ,
            &answer(200, r#"{"status":"success","code":"0","data":5}"#),
        );
        assert_eq!(ok.ok(), Some(5));
        for body in [
            r#"{"status":"success","code":7,"data":5}"#,
            r#"{"status":"done","code":0,"data":5}"#,
            r#"{"code":0,"data":5}"#,
        ] {
            let err = read_answer::<u32>(&READ, &answer(200, body)).expect_err(body);
            assert!(matches!(err, Error::Rejected(_)), "{body}: {err:?}");
        }
    }

    #[test]
    fn unexplained_payment_answers_are_outcome_unknown() {
        for body in [
            r#"{"status":"error","code":4242,"message":"?","data":null}"#,
            r#"{"status":"error","message":"no code","data":null}"#,
            r#"{"status":"success","code":0,"data":null}"#,
            "<html>gateway</html>",
        ] {
            let err =
                read_answer::<crate::PaymentResult>(&pay(), &answer(200, body)).expect_err(body);
            let unknown = err
                .outcome_unknown()
                .unwrap_or_else(|| panic!("{body}: {err:?}"));
            assert_eq!(
                unknown
                    .reconcile
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
                Some("payment-status with orderId=A1")
            );
        }
    }

    #[test]
    fn non_200_answers_keep_a_code_when_they_carry_one() {
        let err = read_answer::<u32>(
            &pay(),
            &answer(
                500,
                r#"{"status":"error","code":1013,"message":"Счёт не найден"}"#,
            ),
        )
        .expect_err("refused");
        assert_eq!(err.code::<Code>(), Some(&Code::AccountNotFound));
        let err =
            read_answer::<u32>(&pay(), &answer(502, "<html>Bad Gateway</html>")).expect_err("5xx");
        assert!(err.may_have_taken_effect());
        let err = read_answer::<u32>(&READ, &answer(404, "nope")).expect_err("404");
        assert!(matches!(err, Error::Http { status: 404, .. }), "{err:?}");
        let err = read_answer::<u32>(&READ, &answer(401, "")).expect_err("401");
        assert!(err.is_auth());
    }
}
