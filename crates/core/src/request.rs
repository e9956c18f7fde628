//! Requests as plain data, and the answers a [`Transport`](crate::Transport) gives back.
//!
//! ```
//! use kassa_core::{Effect, Method, Operation, Request};
//! use kassa_core::secret::SecretString;
//!
//! const STATUS: Operation = Operation::new("anor-bm", "status", Effect::Read);
//! let req = Request::new(STATUS, Method::Post, "/services/bmms/api/agent/status")
//!     .bearer(&SecretString::from("t0ken"))
//!     .json(&serde_json::json!({"billId": 1}))?;
//! assert!(!format!("{req:?}").contains("t0ken"));
//! # Ok::<(), kassa_core::Error>(())
//! ```

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::error::{Error, Reconcile};

/// What sending an operation can do on the provider's side; it decides retries.
///
/// ```
/// use kassa_core::Effect;
/// assert!(Effect::Read.retries_after_sent());
/// assert!(Effect::Keyed("order-1".into()).retries_after_sent());
/// assert!(!Effect::Once.retries_after_sent());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Reads state; safe to repeat.
    Read,
    /// Obtains or refreshes credentials; safe to repeat.
    Auth,
    /// Changes state, and carries the provider's idempotency key: repeats are resent with
    /// the same key and the provider applies them once.
    ///
    /// The rule: an operation is `Keyed` only when the provider answers a repeated key with
    /// the same result as the first request (mserver's `client_payment_id`). When it
    /// refuses a repeated id, or applies it twice (requisite-uz's `orderId`, exchanger's
    /// `api_id`, anor-bm's `agentTranId` on ext-pay), the operation is [`Effect::Once`]
    /// with a reconcile step naming the status call. Use
    /// [`IdempotencyKey`](crate::idempotency::IdempotencyKey) for the key, and
    /// [`Error::resend_with_same_key_is_safe`] to decide a caller's own resend.
    Keyed(String),
    /// Changes state with no idempotency key: resent only when it certainly never left.
    Once,
}

impl Effect {
    /// True when a request that may have reached the provider can be sent again.
    ///
    /// ```
    /// assert!(kassa_core::Effect::Auth.retries_after_sent());
    /// ```
    pub fn retries_after_sent(&self) -> bool {
        !matches!(self, Effect::Once)
    }

    /// True when the operation may move money or change state.
    ///
    /// ```
    /// assert!(kassa_core::Effect::Once.changes_state());
    /// assert!(!kassa_core::Effect::Read.changes_state());
    /// ```
    pub fn changes_state(&self) -> bool {
        matches!(self, Effect::Keyed(_) | Effect::Once)
    }

    /// The name used in the catalogue: `read`, `auth`, `keyed`, `once`.
    ///
    /// ```
    /// assert_eq!(kassa_core::Effect::Keyed("k".into()).name(), "keyed");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Auth => "auth",
            Effect::Keyed(_) => "keyed",
            Effect::Once => "once",
        }
    }
}

/// An operation of a provider's API: its catalogue names and its effect.
///
/// ```
/// use kassa_core::{Effect, Operation};
/// let op = Operation::new("requisite-uz", "payment", Effect::Once).keyed("order-1");
/// assert_eq!(op.effect, Effect::Keyed("order-1".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Provider name, as in the catalogue (`anor-bm`).
    pub provider: &'static str,
    /// Operation name, as in the catalogue (`unregistered-pay`).
    pub name: &'static str,
    /// What sending it can do.
    pub effect: Effect,
    /// How to learn its outcome if the answer is lost.
    pub reconcile: Option<Reconcile>,
    /// What to tell the caller when there is no status call.
    pub advice: Option<&'static str>,
    /// The amount it moves, in minor units, and its currency code, for the intent journal.
    pub amount: Option<(i64, &'static str)>,
}

impl Operation {
    /// An operation with no reconcile step.
    ///
    /// ```
    /// const OP: kassa_core::Operation = kassa_core::Operation::new("p", "op", kassa_core::Effect::Read);
    /// assert_eq!(OP.name, "op");
    /// ```
    pub const fn new(provider: &'static str, name: &'static str, effect: Effect) -> Operation {
        Operation {
            provider,
            name,
            effect,
            reconcile: None,
            advice: None,
            amount: None,
        }
    }

    /// The same operation carrying an idempotency key.
    ///
    /// ```
    /// let op = kassa_core::Operation::new("p", "pay", kassa_core::Effect::Once).keyed("k1");
    /// assert_eq!(op.key(), Some("k1"));
    /// ```
    pub fn keyed(mut self, key: impl Into<String>) -> Operation {
        self.effect = Effect::Keyed(key.into());
        self
    }

    /// The same operation with the status call that reconciles it.
    ///
    /// ```
    /// use kassa_core::{Operation, Effect, Reconcile};
    /// let op = Operation::new("p", "pay", Effect::Once).reconcile_with(Reconcile::new("status"));
    /// assert!(op.reconcile.is_some());
    /// ```
    pub fn reconcile_with(mut self, reconcile: Reconcile) -> Operation {
        self.reconcile = Some(reconcile);
        self
    }

    /// The same operation with advice for a lost answer when no status call exists.
    ///
    /// ```
    /// let op = kassa_core::Operation::new("p", "pay", kassa_core::Effect::Once).advise("check the balance");
    /// assert_eq!(op.advice, Some("check the balance"));
    /// ```
    pub fn advise(mut self, advice: &'static str) -> Operation {
        self.advice = Some(advice);
        self
    }

    /// The same operation moving `minor` units of `currency` (kept in the intent journal).
    ///
    /// ```
    /// let op = kassa_core::Operation::new("p", "pay", kassa_core::Effect::Once).amount(150_000, "UZS");
    /// assert_eq!(op.amount, Some((150_000, "UZS")));
    /// ```
    pub fn amount(mut self, minor: i64, currency: &'static str) -> Operation {
        self.amount = Some((minor, currency));
        self
    }

    /// The idempotency key, for keyed operations.
    ///
    /// ```
    /// assert_eq!(kassa_core::Operation::new("p", "op", kassa_core::Effect::Read).key(), None);
    /// ```
    pub fn key(&self) -> Option<&str> {
        match &self.effect {
            Effect::Keyed(k) => Some(k),
            _ => None,
        }
    }

    /// The outcome-unknown error for this operation, with its key and reconcile step.
    ///
    /// ```
    /// use kassa_core::{Operation, Effect};
    /// let e = Operation::new("p", "pay", Effect::Once).outcome_unknown(std::io::Error::other("reset"));
    /// assert!(e.may_have_taken_effect());
    /// ```
    pub fn outcome_unknown(&self, cause: impl Into<crate::error::BoxError>) -> Error {
        let mut o = crate::error::OutcomeUnknown::new(self.provider, self.name).with_source(cause);
        o.key = self.key().map(str::to_owned);
        o.reconcile = self.reconcile.clone();
        o.advice = self.advice;
        Error::OutcomeUnknown(Box::new(o))
    }
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name (`"GET"`).
    ///
    /// ```
    /// assert_eq!(kassa_core::Method::Delete.as_str(), "DELETE");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A query, form or header value: plain, or secret (never printed).
///
/// ```
/// use kassa_core::Param;
/// let p = Param::secret("hunter2");
/// assert_eq!(format!("{p:?}"), "[REDACTED]");
/// assert_eq!(p.expose(), "hunter2");
/// ```
#[derive(Clone)]
pub enum Param {
    /// A value that may be logged.
    Plain(String),
    /// A value that must never be logged.
    Secret(SecretString),
}

impl Param {
    /// A secret value.
    ///
    /// ```
    /// assert!(kassa_core::Param::secret("x").is_secret());
    /// ```
    pub fn secret(value: impl Into<String>) -> Param {
        Param::Secret(SecretString::from(value.into()))
    }

    /// The value, for the wire.
    ///
    /// ```
    /// assert_eq!(kassa_core::Param::from("4").expose(), "4");
    /// ```
    pub fn expose(&self) -> &str {
        match self {
            Param::Plain(s) => s,
            Param::Secret(s) => s.expose_secret(),
        }
    }

    /// True for secret values.
    ///
    /// ```
    /// assert!(!kassa_core::Param::from("x").is_secret());
    /// ```
    pub fn is_secret(&self) -> bool {
        matches!(self, Param::Secret(_))
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Plain(s) => write!(f, "{s:?}"),
            Param::Secret(_) => f.write_str(crate::secret::REDACTED),
        }
    }
}

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param::Plain(s.to_owned())
    }
}

impl From<String> for Param {
    fn from(s: String) -> Param {
        Param::Plain(s)
    }
}

impl From<&SecretString> for Param {
    fn from(s: &SecretString) -> Param {
        Param::Secret(s.clone())
    }
}

/// One part of a multipart body.
#[derive(Clone)]
pub struct Part {
    /// Form field name.
    pub name: String,
    /// File name, for file parts.
    pub file_name: Option<String>,
    /// Content type of the part.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Part {
    /// A text field.
    ///
    /// ```
    /// let p = kassa_core::Part::text("orderId", "42");
    /// assert_eq!((p.name.as_str(), p.data.as_slice()), ("orderId", &b"42"[..]));
    /// assert_eq!(p.content_type, "text/plain; charset=utf-8");
    /// ```
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Part {
        Part {
            name: name.into(),
            file_name: None,
            content_type: "text/plain; charset=utf-8".to_owned(),
            data: value.into().into_bytes(),
        }
    }

    /// A file.
    ///
    /// ```
    /// let p = kassa_core::Part::file("document", "act.pdf", "application/pdf", b"%PDF".to_vec());
    /// assert_eq!(p.file_name.as_deref(), Some("act.pdf"));
    /// ```
    pub fn file(
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        data: Vec<u8>,
    ) -> Part {
        Part {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: content_type.into(),
            data,
        }
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// A request body.
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// A JSON document, already serialized.
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded` fields.
    Form(Vec<(String, Param)>),
    /// `multipart/form-data` parts.
    Multipart(Vec<Part>),
}

impl Body {
    /// The body as one run of bytes, for a journal's keyed hash of the request (the JSON
    /// text; form fields as `name=value` lines; parts as name, file name, type and bytes).
    /// Never logged or stored as is.
    ///
    /// ```
    /// use kassa_core::{Body, Param};
    /// assert_eq!(&*Body::Json(b"{}".to_vec()).bytes(), b"{}");
    /// let form = Body::Form(vec![("a".into(), Param::Plain("1".into()))]);
    /// assert_eq!(&*form.bytes(), b"a=1\n");
    /// assert!(Body::None.bytes().is_empty());
    /// ```
    pub fn bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        use std::borrow::Cow;
        match self {
            Body::None => Cow::Borrowed(&[]),
            Body::Json(b) => Cow::Borrowed(b),
            Body::Form(fields) => {
                let mut out = Vec::new();
                for (name, value) in fields {
                    out.extend_from_slice(name.as_bytes());
                    out.push(b'=');
                    out.extend_from_slice(value.expose().as_bytes());
                    out.push(b'\n');
                }
                Cow::Owned(out)
            }
            Body::Multipart(parts) => {
                let mut out = Vec::new();
                for p in parts {
                    for field in [
                        p.name.as_bytes(),
                        p.file_name.as_deref().unwrap_or("").as_bytes(),
                        p.content_type.as_bytes(),
                        &p.data,
                    ] {
                        out.extend_from_slice(&(field.len() as u64).to_le_bytes());
                        out.extend_from_slice(field);
                    }
                }
                Cow::Owned(out)
            }
        }
    }
}

impl fmt::Debug for Body {
    /// Bodies may hold passwords and card numbers: only their shape is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(b) => write!(f, "Json({} bytes)", b.len()),
            Body::Form(fields) => {
                let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                write!(f, "Form({names:?})")
            }
            Body::Multipart(parts) => write!(f, "Multipart({parts:?})"),
        }
    }
}

/// Timeouts; `None` turns one off. On by default: 10 s connect, 30 s per attempt, 60 s for
/// the whole call including retries.
///
/// ```
/// use std::time::Duration;
/// let t = kassa_core::Timeouts::default().attempt(Duration::from_secs(5));
/// assert_eq!(t.attempt, Some(Duration::from_secs(5)));
/// assert_eq!(t.total, Some(Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting (TCP and TLS). Applied by the transport when it is built.
    pub connect: Option<Duration>,
    /// One attempt: sending and reading the whole answer.
    pub attempt: Option<Duration>,
    /// The whole call, retries and waits included.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Some(Duration::from_secs(10)),
            attempt: Some(Duration::from_secs(30)),
            total: Some(Duration::from_secs(60)),
        }
    }
}

impl Timeouts {
    /// No timeouts at all (tests with a paused clock use this).
    ///
    /// ```
    /// assert_eq!(kassa_core::Timeouts::none().total, None);
    /// ```
    pub fn none() -> Timeouts {
        Timeouts {
            connect: None,
            attempt: None,
            total: None,
        }
    }

    /// Sets the per-attempt timeout.
    ///
    /// ```
    /// let t = kassa_core::Timeouts::none().attempt(std::time::Duration::from_secs(1));
    /// assert!(t.attempt.is_some());
    /// ```
    pub fn attempt(mut self, d: Duration) -> Timeouts {
        self.attempt = Some(d);
        self
    }

    /// Sets the whole-call timeout.
    ///
    /// ```
    /// let t = kassa_core::Timeouts::none().total(std::time::Duration::from_secs(9));
    /// assert!(t.total.is_some());
    /// ```
    pub fn total(mut self, d: Duration) -> Timeouts {
        self.total = Some(d);
        self
    }

    /// Sets the connect timeout.
    ///
    /// ```
    /// let t = kassa_core::Timeouts::none().connect(std::time::Duration::from_secs(2));
    /// assert!(t.connect.is_some());
    /// ```
    pub fn connect(mut self, d: Duration) -> Timeouts {
        self.connect = Some(d);
        self
    }
}

/// Per-call settings that override the client's.
///
/// ```
/// use std::time::Duration;
/// let opts = kassa_core::CallOptions::default().total_timeout(Duration::from_secs(5)).max_attempts(1);
/// assert_eq!(opts.max_attempts, Some(1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Overrides the per-attempt timeout (`Some(None)` turns it off).
    pub attempt_timeout: Option<Option<Duration>>,
    /// Overrides the whole-call timeout (`Some(None)` turns it off).
    pub total_timeout: Option<Option<Duration>>,
    /// Overrides the number of attempts.
    pub max_attempts: Option<u32>,
}

impl CallOptions {
    /// Sets the per-attempt timeout for this call.
    ///
    /// ```
    /// let o = kassa_core::CallOptions::default().attempt_timeout(std::time::Duration::from_secs(1));
    /// assert!(o.attempt_timeout.is_some());
    /// ```
    pub fn attempt_timeout(mut self, d: Duration) -> CallOptions {
        self.attempt_timeout = Some(Some(d));
        self
    }

    /// Sets the whole-call timeout for this call.
    ///
    /// ```
    /// let o = kassa_core::CallOptions::default().total_timeout(std::time::Duration::from_secs(1));
    /// assert!(o.total_timeout.is_some());
    /// ```
    pub fn total_timeout(mut self, d: Duration) -> CallOptions {
        self.total_timeout = Some(Some(d));
        self
    }

    /// Sets the number of attempts for this call (at least 1).
    ///
    /// ```
    /// assert_eq!(kassa_core::CallOptions::default().max_attempts(0).max_attempts, Some(1));
    /// ```
    pub fn max_attempts(mut self, n: u32) -> CallOptions {
        self.max_attempts = Some(n.max(1));
        self
    }
}

/// One request to a provider, as data.
#[derive(Debug, Clone)]
pub struct Request {
    /// The operation it serves.
    pub operation: Operation,
    /// HTTP method.
    pub method: Method,
    /// Path below the client's base URL, starting with `/`.
    pub path: String,
    /// Query parameters, in order.
    pub query: Vec<(String, Param)>,
    /// Headers (lower-case names).
    pub headers: Vec<(String, Param)>,
    /// The body.
    pub body: Body,
    /// Per-call overrides.
    pub options: CallOptions,
}

impl Request {
    /// A request with no query, headers or body.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Get, "/x");
    /// assert_eq!(r.path, "/x");
    /// ```
    pub fn new(operation: Operation, method: Method, path: impl Into<String>) -> Request {
        Request {
            operation,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            options: CallOptions::default(),
        }
    }

    /// Adds a query parameter.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Param, Request};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Get, "/")
    ///     .query("login", "a").query("password", Param::secret("b"));
    /// assert!(!format!("{r:?}").contains("\"b\""));
    /// ```
    pub fn query(mut self, name: impl Into<String>, value: impl Into<Param>) -> Request {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header (the name is lower-cased).
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Get, "/").header("API-LANG", "ru_RU");
    /// assert_eq!(r.headers[0].0, "api-lang");
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Param>) -> Request {
        self.headers
            .push((name.into().to_ascii_lowercase(), value.into()));
        self
    }

    /// Adds `authorization: Bearer <token>` as a secret header.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request, secret::SecretString};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Get, "/").bearer(&SecretString::from("t"));
    /// assert_eq!(r.headers[0].1.expose(), "Bearer t");
    /// ```
    pub fn bearer(self, token: &SecretString) -> Request {
        let value = format!("Bearer {}", token.expose_secret());
        self.header("authorization", Param::secret(value))
    }

    /// Adds HTTP Basic `authorization` as a secret header.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request, secret::SecretString};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Get, "/")
    ///     .basic_auth("test-user", &SecretString::from("test-password"));
    /// assert_eq!(r.headers[0].1.expose(), "Basic dGVzdC11c2VyOnRlc3QtcGFzc3dvcmQ=");
    /// ```
    pub fn basic_auth(self, username: &str, password: &SecretString) -> Request {
        let raw = format!("{username}:{}", password.expose_secret());
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        self.header("authorization", Param::secret(value))
    }

    /// Sets a JSON body.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Post, "/").json(&[1, 2])?;
    /// assert!(matches!(r.body, kassa_core::Body::Json(_)));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Request, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("cannot be written as JSON: {e}")))?;
        self.body = Body::Json(bytes);
        Ok(self)
    }

    /// Sets a form body.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Post, "/").form(vec![("a".into(), "1".into())]);
    /// assert!(matches!(r.body, kassa_core::Body::Form(_)));
    /// ```
    pub fn form(mut self, fields: Vec<(String, Param)>) -> Request {
        self.body = Body::Form(fields);
        self
    }

    /// Sets a form body from a `Serialize` value: a flat struct or map whose fields are
    /// strings, numbers or booleans; `None` fields are left out; lists and objects are
    /// refused, naming the field. A field whose name is a secret's (`password`, `token`,
    /// see [`is_secret_key`](crate::secret::is_secret_key)) or whose value holds a card
    /// number becomes a [`Param::Secret`], so values written with
    /// `serialize_with = "kassa_core::secret::expose"` or `expose_card` stay secret.
    /// Numbers keep their exact text.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Request, Body, secret::SecretString};
    /// #[derive(serde::Serialize)]
    /// struct Login {
    ///     login: String,
    ///     #[serde(serialize_with = "kassa_core::secret::expose")]
    ///     password: SecretString,
    ///     #[serde(skip_serializing_if = "Option::is_none")]
    ///     otp_hint: Option<u32>,
    /// }
    /// let op = Operation::new("p", "login", Effect::Auth);
    /// let r = Request::new(op, Method::Post, "/login")
    ///     .form_of(&Login { login: "agent".into(), password: SecretString::from("hunter2"), otp_hint: None })?;
    /// let Body::Form(fields) = &r.body else { unreachable!() };
    /// assert_eq!(fields[0].1.expose(), "agent");
    /// assert!(fields[1].1.is_secret());
    /// assert!(!format!("{r:?}").contains("hunter2"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn form_of<T: Serialize + ?Sized>(self, body: &T) -> Result<Request, Error> {
        let fields = form_fields(body)?;
        Ok(self.form(fields))
    }

    /// Sets a `multipart/form-data` body.
    ///
    /// ```
    /// use kassa_core::{Effect, Method, Operation, Part, Request, Body};
    /// let r = Request::new(Operation::new("p", "upload", Effect::Once), Method::Post, "/upload")
    ///     .multipart(vec![Part::text("id", "7"), Part::file("doc", "a.pdf", "application/pdf", vec![1, 2])]);
    /// assert!(matches!(&r.body, Body::Multipart(parts) if parts.len() == 2));
    /// ```
    pub fn multipart(mut self, parts: Vec<Part>) -> Request {
        self.body = Body::Multipart(parts);
        self
    }

    /// Sets per-call options.
    ///
    /// ```
    /// use kassa_core::{CallOptions, Effect, Method, Operation, Request};
    /// let r = Request::new(Operation::new("p", "op", Effect::Read), Method::Get, "/").options(CallOptions::default().max_attempts(1));
    /// assert_eq!(r.options.max_attempts, Some(1));
    /// ```
    pub fn options(mut self, options: CallOptions) -> Request {
        self.options = options;
        self
    }
}

/// Flattens a `Serialize` value into form fields, in field order.
fn form_fields<T: Serialize + ?Sized>(body: &T) -> Result<Vec<(String, Param)>, Error> {
    use serde::de::{MapAccess, Visitor};
    use serde_json::value::RawValue;

    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = Vec<(String, Box<RawValue>)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a struct or a map of fields")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }

    let json = serde_json::to_vec(body)
        .map_err(|e| Error::invalid("body", format!("cannot be written as a form: {e}")))?;
    let raw = serde::Deserializer::deserialize_map(
        &mut serde_json::Deserializer::from_slice(&json),
        Fields,
    )
    .map_err(|_| Error::invalid("body", "a form is a flat struct or map of fields"))?;
    let mut fields = Vec::with_capacity(raw.len());
    for (name, value) in raw {
        let text = value.get();
        let value = match text.as_bytes().first() {
            Some(b'n') => continue,
            Some(b'"') => serde_json::from_str::<String>(text)
                .map_err(|e| Error::invalid(name.clone(), format!("cannot be written: {e}")))?,
            Some(b'[' | b'{') => {
                return Err(Error::invalid(
                    name,
                    "a form field must be a string, a number or a boolean, not a list or an object",
                ));
            }
            _ => text.to_owned(),
        };
        let secret = crate::secret::is_secret_key(&name)
            || crate::secret::mask_card_numbers(&value) != value;
        let param = if secret {
            Param::secret(value)
        } else {
            Param::Plain(value)
        };
        fields.push((name, param));
    }
    Ok(fields)
}

/// An answer, as received.
#[derive(Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for Response {
    /// Bodies may hold tokens: only their size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl Response {
    /// The first value of a header.
    ///
    /// ```
    /// let r = kassa_core::Response { status: 200, headers: vec![("retry-after".into(), "2".into())], body: vec![] };
    /// assert_eq!(r.header("Retry-After"), Some("2"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True for 2xx.
    ///
    /// ```
    /// assert!(kassa_core::Response { status: 204, headers: vec![], body: vec![] }.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error for a status the provider's protocol does not explain: [`Error::Http`]
    /// with a redacted excerpt, wrapped as outcome-unknown on an operation that changes
    /// state unless the status certainly means the request was refused before it was
    /// processed ([`refused_before_processing`]). So a 5xx, an unexplained 401 or 403, a 409
    /// or a redirect on a payment is outcome-unknown; a 400, 404 or 422 is not.
    ///
    /// ```
    /// use kassa_core::{Effect, Operation, Response};
    /// let pay = Operation::new("p", "pay", Effect::Once);
    /// let answer = |status| Response { status, headers: vec![], body: b"<html>no</html>".to_vec() };
    /// assert!(answer(502).unexpected(&pay).may_have_taken_effect());
    /// assert!(answer(401).unexpected(&pay).may_have_taken_effect());
    /// assert!(!answer(422).unexpected(&pay).may_have_taken_effect());
    /// assert!(!answer(502).unexpected(&Operation::new("p", "status", Effect::Read)).may_have_taken_effect());
    /// ```
    pub fn unexpected(&self, op: &Operation) -> Error {
        let excerpt = crate::secret::excerpt_bytes(&self.body, 0, 120);
        let http = Error::Http {
            provider: op.provider,
            operation: op.name,
            status: self.status,
            excerpt,
        };
        if op.effect.changes_state() && !refused_before_processing(self.status) {
            op.outcome_unknown(http)
        } else {
            http
        }
    }
}

/// HTTP statuses that certainly mean a request was refused before it was processed, even
/// when the provider's protocol does not explain the answer: malformed (400), unknown path
/// or method (404, 405), a body or media type the server does not take (406, 411, 413, 414,
/// 415), invalid content (422) and throttling (429). Any other unexplained status on a
/// state-changing call may hide a processed request.
///
/// ```
/// assert!(kassa_core::request::refused_before_processing(422));
/// assert!(!kassa_core::request::refused_before_processing(401));
/// assert!(!kassa_core::request::refused_before_processing(504));
/// ```
pub fn refused_before_processing(status: u16) -> bool {
    matches!(
        status,
        400 | 404 | 405 | 406 | 411 | 413 | 414 | 415 | 422 | 429
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::CardNumber;

    const OP: Operation = Operation::new("p", "op", Effect::Once);

    #[derive(Serialize)]
    struct Pay {
        #[serde(rename = "billId")]
        bill_id: u64,
        amount: crate::decimal::Decimal,
        #[serde(serialize_with = "crate::secret::expose_card")]
        pan: CardNumber,
        #[serde(serialize_with = "crate::secret::expose")]
        api_key: SecretString,
        note: Option<String>,
        flag: bool,
    }

    #[test]
    fn form_of_writes_fields_in_order_with_secrets_marked() {
        let pay = Pay {
            bill_id: 7,
            amount: crate::decimal::Decimal::parse("0.00001234").expect("decimal"),
            pan: CardNumber::new("8600490212346744").expect("card"),
            api_key: SecretString::from("k3y-value"),
            note: None,
            flag: true,
        };
        let r = Request::new(OP, Method::Post, "/")
            .form_of(&pay)
            .expect("form");
        let Body::Form(fields) = &r.body else {
            panic!("{:?}", r.body)
        };
        let got: Vec<(&str, &str, bool)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose(), v.is_secret()))
            .collect();
        assert_eq!(
            got,
            [
                ("billId", "7", false),
                ("amount", "0.00001234", false),
                ("pan", "8600490212346744", true),
                ("api_key", "k3y-value", true),
                ("flag", "true", false),
            ]
        );
        let debug = format!("{r:?} {fields:?}");
        assert!(!debug.contains("8600490212346744"), "{debug}");
        assert!(!debug.contains("k3y-value"), "{debug}");
    }

    #[test]
    fn form_of_refuses_nested_values_naming_the_field() {
        let err = Request::new(OP, Method::Post, "/")
            .form_of(&serde_json::json!({"a": "1", "items": [1, 2]}))
            .unwrap_err();
        assert_eq!(err.field(), Some("items"));
        let err = Request::new(OP, Method::Post, "/")
            .form_of(&[1, 2])
            .unwrap_err();
        assert_eq!(err.field(), Some("body"));
    }

    #[test]
    fn multipart_parts_never_print_their_bytes() {
        let r = Request::new(OP, Method::Post, "/").multipart(vec![
            Part::text("pan", "8600490212346744"),
            Part::file("doc", "a.pdf", "application/pdf", b"secret-bytes".to_vec()),
        ]);
        let debug = format!("{r:?}");
        assert!(
            !debug.contains("8600490212346744") && !debug.contains("secret-bytes"),
            "{debug}"
        );
        assert!(debug.contains("a.pdf"), "{debug}");
    }
}
