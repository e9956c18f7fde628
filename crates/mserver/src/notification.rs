//! Inbound payment notifications: mserver POSTs a payment's status change to the
//! integrator with `app_id` and `access_token = sha1(app_id + app_secret)` (lower-case
//! hex). [`verify_payment_notification`] is framework-free: give it the body bytes, the
//! query pairs and the headers; it checks the token in constant time and returns the typed
//! [`PaymentEvent`] or a [`Refusal`].
//!
//! The document does not say where `app_id` and `access_token` travel, so each place is
//! read: the query, the headers (`app_id` / `access_token`, also `X-App-Id` /
//! `X-Access-Token`, any case, `-` or `_`) and the body's top level. Places that disagree
//! are refused.
//!
//! Calling it from an axum handler (axum is the integrator's dependency, not this crate's):
//!
//! ```text
//! use axum::{body::Bytes, extract::{Query, State}, http::{HeaderMap, StatusCode}};
//! use std::collections::HashMap;
//!
//! async fn notification(
//!     State(app): State<AppState>,
//!     Query(query): Query<HashMap<String, String>>,
//!     headers: HeaderMap,
//!     body: Bytes,
//! ) -> StatusCode {
//!     let headers = headers.iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
//!     match mserver::verify_payment_notification(&body, &query, headers, &app.app_id, &app.app_secret) {
//!         Ok(event) => {
//!             app.record(event.into_inner()).await; // complete, decline, undo, redo, ...
//!             StatusCode::OK
//!         }
//!         Err(refusal) => StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN),
//!     }
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use kassa_core::inbound::{self, Verified};
use kassa_core::secret::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::payments::{Payment, PaymentStatus};

/// A notification's `type`.
///
/// ```
/// assert_eq!(mserver::EventKind::from_raw("undo"), mserver::EventKind::Undo);
/// assert_eq!(mserver::EventKind::from_raw("refund").as_str(), "refund");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `complete`: the payment was completed.
    Complete,
    /// `decline`: the payment was declined.
    Decline,
    /// `undo`: a completed payment was turned back (declined after all).
    Undo,
    /// `redo`: a declined payment was completed after all.
    Redo,
    /// A type this version does not know, kept as sent.
    Unknown(String),
}

impl EventKind {
    /// Reads the wire text; others are kept as [`EventKind::Unknown`].
    ///
    /// ```
    /// assert_eq!(mserver::EventKind::from_raw("redo"), mserver::EventKind::Redo);
    /// ```
    pub fn from_raw(raw: &str) -> EventKind {
        match raw {
            "complete" => EventKind::Complete,
            "decline" => EventKind::Decline,
            "undo" => EventKind::Undo,
            "redo" => EventKind::Redo,
            other => EventKind::Unknown(other.to_owned()),
        }
    }

    /// The wire text.
    ///
    /// ```
    /// assert_eq!(mserver::EventKind::Complete.as_str(), "complete");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Complete => "complete",
            EventKind::Decline => "decline",
            EventKind::Undo => "undo",
            EventKind::Redo => "redo",
            EventKind::Unknown(s) => s,
        }
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<EventKind, D::Error> {
        Ok(EventKind::from_raw(&String::deserialize(d)?))
    }
}

/// A payment status notification: the payment as it is now, and the change.
///
/// ```
/// let e: mserver::PaymentEvent = serde_json::from_str(r#"{"type": "undo", "from": "completed", "to": "declined",
///     "payment": {"id": 1, "client_payment_id": "x", "amount": 1, "status": "declined", "type": "in"}}"#)?;
/// assert_eq!(e.kind, mserver::EventKind::Undo);
/// assert_eq!(e.from, Some(mserver::PaymentStatus::Completed));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentEvent {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// `created_at`: when the change happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `from`: the status before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PaymentStatus>,
    /// `to`: the status after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PaymentStatus>,
    /// `payment`: the payment as it is now.
    pub payment: Payment,
}

/// Why a notification was refused. Never shows the secret or the expected token.
///
/// ```
/// let r = mserver::Refusal::WrongToken;
/// assert_eq!(r.status(), 403);
/// assert!(r.to_string().contains("access_token"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `access_token` anywhere.
    MissingToken,
    /// The `access_token` is not `sha1(app_id + app_secret)` for this integrator.
    WrongToken,
    /// `app_id` names another application.
    OtherApplication,
    /// Places (query, headers, body) carry different `app_id` or `access_token` values.
    Conflicting(&'static str),
    /// The token is right but the body is not a payment event: where it broke.
    Malformed(String),
}

impl Refusal {
    /// The HTTP status to answer with: 403 for a credentials refusal, 400 for a body that
    /// does not read.
    ///
    /// ```
    /// assert_eq!(mserver::Refusal::Malformed("x".into()).status(), 400);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) => 400,
            _ => 403,
        }
    }

    /// The field the refusal is about.
    ///
    /// ```
    /// assert_eq!(mserver::Refusal::OtherApplication.field(), "app_id");
    /// ```
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::MissingToken | Refusal::WrongToken => "access_token",
            Refusal::OtherApplication => "app_id",
            Refusal::Conflicting(field) => field,
            Refusal::Malformed(_) => "body",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MissingToken => f.write_str("no access_token in the query, headers or body"),
            Refusal::WrongToken => f.write_str("the access_token does not match"),
            Refusal::OtherApplication => f.write_str("the app_id names another application"),
            Refusal::Conflicting(field) => {
                write!(
                    f,
                    "the query, headers and body carry different `{field}` values"
                )
            }
            Refusal::Malformed(why) => write!(f, "not a payment event: {why}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// `app_id` / `access_token` as a header name: any case, `-` or `_`, with or without `x-`.
fn header_key(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase().replace('-', "_");
    let n = n.strip_prefix("x_").unwrap_or(&n);
    match n {
        "app_id" => Some("app_id"),
        "access_token" => Some("access_token"),
        _ => None,
    }
}

/// The one value of `field` across the places, or a conflict.
fn single(values: Vec<String>, field: &'static str) -> Result<Option<String>, Refusal> {
    let mut values = values.into_iter();
    let first = values.next();
    match &first {
        Some(v) if values.any(|o| o != *v) => Err(Refusal::Conflicting(field)),
        _ => Ok(first),
    }
}

/// The token mserver sends: `sha1(app_id + app_secret)` in lower-case hex.
fn expected_token(app_id: &str, app_secret: &SecretString) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(app_id.as_bytes());
    sha.update(app_secret.expose_secret().as_bytes());
    sha.digest().to_string()
}

/// Verifies and reads a payment notification. `body` is the request's bytes; `query` and
/// `headers` its name/value pairs; `app_id` and `app_secret` the integrator's. The token
/// is compared in constant time; an `app_id` that is present must be ours. Only then is the
/// body read as a [`PaymentEvent`].
///
/// ```
/// use mserver::{verify_payment_notification, EventKind, Refusal};
/// let secret: mserver::SecretString = "test-app-secret".into();
/// let body = br#"{"type": "complete", "from": "processing", "to": "completed",
///     "payment": {"id": 1, "client_payment_id": "x", "amount": 1, "status": "completed", "type": "in"}}"#;
/// let good = [("app_id", "test-app-id"), ("access_token", "36849797cc664a7dcf42fc7bf1d5e03249445e07")];
/// let event = verify_payment_notification(body, good, [("content-type", "application/json")], "test-app-id", &secret)
///     .expect("genuine");
/// assert_eq!(event.get().kind, EventKind::Complete);
/// let forged = [("app_id", "test-app-id"), ("access_token", "0000000000000000000000000000000000000000")];
/// let no_headers: [(&str, &str); 0] = [];
/// assert_eq!(verify_payment_notification(body, forged, no_headers, "test-app-id", &secret).unwrap_err(), Refusal::WrongToken);
/// ```
pub fn verify_payment_notification<Q, QK, QV, H, HK, HV>(
    body: &[u8],
    query: Q,
    headers: H,
    app_id: &str,
    app_secret: &SecretString,
) -> Result<Verified<PaymentEvent>, Refusal>
where
    Q: IntoIterator<Item = (QK, QV)>,
    QK: AsRef<str>,
    QV: AsRef<str>,
    H: IntoIterator<Item = (HK, HV)>,
    HK: AsRef<str>,
    HV: AsRef<str>,
{
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    let mut put = |key: &str, value: &str| match key {
        "app_id" => ids.push(value.trim().to_owned()),
        "access_token" => tokens.push(value.trim().to_owned()),
        _ => {}
    };
    for (k, v) in query {
        put(k.as_ref(), v.as_ref());
    }
    for (k, v) in headers {
        if let Some(key) = header_key(k.as_ref()) {
            put(key, v.as_ref());
        }
    }
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    if let Some(serde_json::Value::Object(top)) = &parsed {
        for key in ["app_id", "access_token"] {
            if let Some(serde_json::Value::String(v)) = top.get(key) {
                put(key, v);
            }
        }
    }
    let id = single(ids, "app_id")?;
    let token = single(tokens, "access_token")?.ok_or(Refusal::MissingToken)?;
    if id.as_deref().is_some_and(|id| id != app_id) {
        return Err(Refusal::OtherApplication);
    }
    let expected = expected_token(app_id, app_secret);
    let presented = token.to_ascii_lowercase();
    let verified = inbound::verify(body, expected.as_bytes(), presented.as_bytes())
        .map_err(|_| Refusal::WrongToken)?;
    let event: PaymentEvent = serde_json::from_slice(verified.get()).map_err(|e| {
        Refusal::Malformed(format!("line {}, column {}: {e}", e.line(), e.column()))
    })?;
    Ok(verified.map(|_| event))
}

/// The `payment-notification` row of the operation table: a notification given as
/// parameters, verified locally (nothing is sent).
///
/// ```
/// let r: mserver::PaymentNotificationRequest = serde_json::from_str(
///     r#"{"body": "{}", "query": {"app_id": "a"}, "app_id": "a", "app_secret": "s"}"#)?;
/// assert!(!format!("{r:?}").contains("\"s\""));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Deserialize)]
pub struct PaymentNotificationRequest {
    /// The request's body, as received.
    pub body: String,
    /// Its query pairs.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Its headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The integrator's app id.
    pub app_id: String,
    /// The integrator's app secret.
    pub app_secret: SecretString,
}

impl Client {
    /// Verifies a payment notification given as a [`PaymentNotificationRequest`] (for the
    /// operation table and the CLI); a refusal is [`kassa_core::Error::InvalidInput`]
    /// naming the field. Servers call [`verify_payment_notification`] directly.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client, req: mserver::PaymentNotificationRequest) -> Result<(), kassa_core::Error> {
    /// let event = client.payment_notification(&req).await?;
    /// println!("{:?}", event.kind);
    /// # Ok(()) }
    /// ```
    pub async fn payment_notification(
        &self,
        req: &PaymentNotificationRequest,
    ) -> Result<PaymentEvent, kassa_core::Error> {
        verify_payment_notification(
            req.body.as_bytes(),
            &req.query,
            &req.headers,
            &req.app_id,
            &req.app_secret,
        )
        .map(Verified::into_inner)
        .map_err(|r| kassa_core::Error::invalid(r.field(), r.to_string()))
    }
}
