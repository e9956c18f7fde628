//! mserver's envelope `{"meta": {...}, "data": ...}`, read through
//! [`kassa_core::answer::read`]: the only place a [`Response`] becomes a result.
//!
//! - `meta.error` names the code ([`Code`]); `meta.error_message` and `meta.details` the
//!   message. A 401 without a code is a credentials refusal too.
//! - A 2xx with no `meta.error` is success; every answer is read whole as [`Answer`], so
//!   `meta` (urgent data, request time, paging, suggestions, geo) is exposed beside `data`.
//! - A 5xx, or a 4xx with no code, is read by its HTTP status.
//! - The document's examples are broken JSON in places (trailing commas, elisions, lists
//!   written with braces, a doubled outer brace): such a body is repaired conservatively
//!   ([`Envelope::LENIENT`] and [`repair_braces`]) before it is read.

use std::collections::BTreeMap;

use kassa_core::answer::{self, Data, Envelope, Head, OnePass, RawValue};
use kassa_core::{Engine, Error, Money, Operation, Request, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::Code;
use crate::services::{Place, ServiceSummary};
use crate::wire::Exact;

#[derive(Deserialize)]
struct WireMeta {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

/// The head of an answer: `meta`, or (the token service's own shape) a top-level `error`.
#[derive(Deserialize)]
pub(crate) struct Wire<'a> {
    #[serde(default)]
    meta: Option<WireMeta>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(borrow, default)]
    #[allow(dead_code)]
    data: Option<&'a RawValue>,
}

struct Mserver;

impl Envelope for Mserver {
    type Code = Code;
    type Wire<'a> = Wire<'a>;
    const LENIENT: bool = true;
    // The whole object is read as `Answer<T>` in one pass; the head's fields on the way.
    const ONE_PASS: Option<OnePass> = Some(OnePass::Whole(&["meta", "error", "error_description"]));

    fn head(_op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
        if status >= 500 {
            return Head::Unexplained;
        }
        let (code, message, details) = match wire {
            Some(Wire {
                meta: Some(meta), ..
            }) => (
                meta.error.as_deref(),
                meta.error_message.as_deref(),
                meta.details.as_ref(),
            ),
            Some(w) => (w.error.as_deref(), w.error_description.as_deref(), None),
            None => (None, None, None),
        };
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        match code {
            Some(code) => {
                let code = Code::from_raw(code);
                Head::Refused {
                    message: message_of(&code, message, details),
                    code,
                }
            }
            None if (200..300).contains(&status) => Head::Success,
            None if status == 401 => Head::Refused {
                code: Code::Unauthorized,
                message: message
                    .map(kassa_core::secret::redact_text)
                    .unwrap_or_else(|| {
                        "HTTP 401 without a code: the credentials are refused".into()
                    }),
            },
            None => Head::Unexplained,
        }
    }

    fn data<'a>(_wire: &Self::Wire<'a>) -> Data<'a> {
        Data::Whole
    }
}

/// The refusal's message: names the missing scope (403) or the field (422) when known.
fn message_of(code: &Code, message: Option<&str>, details: Option<&serde_json::Value>) -> String {
    let text = message
        .map(|m| kassa_core::secret::redact_text(m.trim()))
        .filter(|m| !m.is_empty());
    let details = details.map(|d| match d {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let mut out = match (code, &details) {
        (Code::InsufficientScope, Some(scope)) => format!("missing scope `{scope}`"),
        _ => match code.field() {
            Some(field) => format!("field `{field}`"),
            None => code
                .facts()
                .map_or_else(|| code.raw().to_owned(), |f| f.meaning.to_owned()),
        },
    };
    if let Some(text) = text {
        out.push_str(": ");
        out.push_str(&text);
    }
    if let (Some(d), false) = (&details, matches!(code, Code::InsufficientScope)) {
        out.push_str(&format!(" ({d})"));
    }
    out
}

/// The missing scope a 403 `insufficient_scope` refusal names (`meta.details`).
///
/// ```
/// let err = kassa_core::Error::rejected("mserver", "get-person", Some(403),
///     mserver::Code::InsufficientScope, "missing scope `person.read`: no rights");
/// assert_eq!(mserver::missing_scope(&err), Some("person.read".to_owned()));
/// ```
pub fn missing_scope(err: &Error) -> Option<String> {
    let r = err.rejection_anywhere()?;
    if crate::code_of(err) != Some(&Code::InsufficientScope) {
        return None;
    }
    let rest = r.message.strip_prefix("missing scope `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// Lists the document writes with braces (`"data": { {...}, {...} }`) become lists; a
/// doubled outer brace (`{ { "meta": ... } }`) becomes one. Strings are left alone.
/// `None` when there is nothing of the kind.
///
/// ```
/// let fixed = mserver::repair_braces(r#"{"data": { {"id": 1}, {"id": 2} }}"#).expect("repaired");
/// assert_eq!(fixed, r#"{"data": [ {"id": 1}, {"id": 2} ]}"#);
/// assert_eq!(mserver::repair_braces(r#"{ { "meta": {"code": 200} } }"#).as_deref(), Some(r#"  { "meta": {"code": 200} }  "#));
/// assert_eq!(mserver::repair_braces(r#"{"a": "{ {"}"#), None);
/// ```
pub fn repair_braces(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = bytes.to_vec();
    // Stack of (position of the opening brace, whether it is rewritten).
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut changed = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                let rewrite = b == b'{' && next == Some(&b'{');
                if rewrite {
                    changed = true;
                    out[i] = if stack.is_empty() { b' ' } else { b'[' };
                }
                stack.push((i, rewrite));
            }
            b'}' | b']' => {
                let (_, rewritten) = stack.pop()?;
                if rewritten {
                    out[i] = if stack.is_empty() { b' ' } else { b']' };
                }
            }
            _ => {}
        }
    }
    if !changed || in_string || !stack.is_empty() {
        return None;
    }
    String::from_utf8(out).ok()
}

/// The body to read: as it came when it is JSON, else with braces and the plain slips of the
/// document's examples repaired when that makes it JSON.
fn readable(resp: &Response) -> Option<Response> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(&resp.body).is_ok() {
        return None;
    }
    let text = std::str::from_utf8(&resp.body).ok()?;
    let braces = repair_braces(text)?;
    let fixed = kassa_core::repair::repair(&braces).unwrap_or(braces);
    serde_json::from_str::<serde::de::IgnoredAny>(&fixed).ok()?;
    Some(Response {
        status: resp.status,
        headers: resp.headers.clone(),
        body: fixed.into_bytes(),
    })
}

/// Reads an answer of `op`: HTTP status, then `meta.error`, then the typed body.
pub(crate) fn read<T: DeserializeOwned>(op: &Operation, resp: &Response) -> Result<T, Error> {
    // A good answer is read in one pass; anything else (a body to repair included) the
    // usual way.
    if let Some(data) = answer::one_pass::<Mserver, T>(op, resp) {
        return Ok(data);
    }
    match readable(resp) {
        Some(fixed) => answer::read::<Mserver, T>(op, &fixed),
        None => answer::read::<Mserver, T>(op, resp),
    }
}

/// Sends `req` and reads its answer; every error is scrubbed of the client's secrets.
/// A 304 is [`Conditional::NotModified`] when `conditional`, an error otherwise.
pub(crate) async fn send<T: DeserializeOwned>(
    engine: &Engine,
    req: &Request,
) -> Result<Conditional<T>, Error> {
    engine
        .exchange(req, |resp| {
            if resp.status == 304 {
                return Ok(Conditional::NotModified);
            }
            read(&req.operation, resp).map(Conditional::Modified)
        })
        .await
        .map_err(|e| engine.scrub_error(e))
}

/// What the client reads of `meta` on every answer.
///
/// ```
/// let meta: mserver::Meta = serde_json::from_str(
///     r#"{"code": 200, "urgent_data": {"amount": 9971.34, "unseen_payments": 2}, "has_next_page": true}"#)?;
/// assert_eq!(meta.urgent_data.and_then(|u| u.amount).map(|m| m.minor), Some(997134));
/// assert_eq!(meta.has_next_page, Some(true));
/// let timed: mserver::Meta = serde_json::from_str(r#"{"code": 200, "time": 0.363231}"#)?;
/// assert_eq!(timed.time.as_ref().map(mserver::Exact::as_str), Some("0.363231"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// `code`: the HTTP status, repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// `urgent_data`: the wallet's balance and unseen payments, on any answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_data: Option<UrgentData>,
    /// `request_time`: a UNIX timestamp; give it back as "modified since" to a
    /// conditional read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_time: Option<i64>,
    /// `has_next_page`: paged lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_next_page: Option<bool>,
    /// `page`: `total_elements` of paged lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageMeta>,
    /// `total_elements` at the top of `meta` (the upstream shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_elements: Option<u64>,
    /// `next_action`: `update`, `pay`, `get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<String>,
    /// `suggestions`: services suggested beside a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<ServiceSummary>>,
    /// `suggestion_rules`: phone prefix → group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion_rules: Option<BTreeMap<String, u64>>,
    /// `geo`: the place the server detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Place>,
    /// `time`: how long the server took, in seconds, exactly as written (`0.363231`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Exact>,
}

/// `meta.page`.
///
/// ```
/// let p: mserver::PageMeta = serde_json::from_str(r#"{"total_elements": 3}"#)?;
/// assert_eq!(p.total_elements, Some(3));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    /// `total_elements`.
    #[serde(default)]
    pub total_elements: Option<u64>,
}

/// `meta.urgent_data`.
///
/// ```
/// let u: mserver::UrgentData = serde_json::from_str(r#"{"amount": 2370}"#)?;
/// assert_eq!(u.amount.map(|m| m.to_major_string()), Some("2370.00".to_owned()));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UrgentData {
    /// `amount`: the wallet's balance in roubles, exact.
    #[serde(
        default,
        with = "kassa_core::money::serde::rub::major_number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `unseen_payments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen_payments: Option<u64>,
    /// `unseen_payments_best`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen_payments_best: Option<u64>,
}

/// One answer: `meta` and the typed `data`.
///
/// ```
/// let a: mserver::Answer<Vec<String>> = serde_json::from_str(r#"{"meta": {"code": 200}, "data": ["+79990000000"]}"#)?;
/// assert_eq!(a.data, ["+79990000000"]);
/// assert_eq!(a.meta.code, Some(200));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer<T> {
    /// `meta`.
    #[serde(default)]
    pub meta: Meta,
    /// `data`.
    pub data: T,
    /// `dev`: what development servers add (`security_code`, the SMS code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<Dev>,
}

/// `dev`, beside `meta` and `data` on development servers: the SMS code, a secret. It is
/// redacted in `Debug` and when the answer is serialized (logs, snapshots); read it with
/// `expose_secret`.
///
/// ```
/// use mserver::ExposeSecret as _;
/// let d: mserver::Dev = serde_json::from_str(r#"{"security_code": "123456"}"#)?;
/// assert_eq!(d.security_code.as_ref().map(|c| c.expose_secret()), Some("123456"));
/// assert!(!format!("{d:?}").contains("123456"));
/// assert!(!serde_json::to_string(&d)?.contains("123456"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dev {
    /// `security_code`: the code the SMS would carry.
    #[serde(
        default,
        deserialize_with = "sms_code",
        serialize_with = "kassa_core::secret::redacted",
        skip_serializing_if = "Option::is_none"
    )]
    pub security_code: Option<kassa_core::secret::SecretString>,
}

impl PartialEq for Dev {
    fn eq(&self, other: &Dev) -> bool {
        use kassa_core::secret::ExposeSecret as _;
        self.security_code.as_ref().map(|c| c.expose_secret())
            == other.security_code.as_ref().map(|c| c.expose_secret())
    }
}

/// The SMS code as text (a number is taken as its digits), kept as a secret.
fn sms_code<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<kassa_core::secret::SecretString>, D::Error> {
    Ok(kassa_core::lenient::code_text_opt(d)?.map(kassa_core::secret::SecretString::from))
}

/// The answer of an operation whose `data` is absent or says nothing (`"ok"`).
///
/// ```
/// let a: mserver::Answer<mserver::Done> = serde_json::from_str(r#"{"meta": {"code": 200}}"#)?;
/// assert_eq!(a.data, mserver::Done);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Done;

impl Serialize for Done {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_none()
    }
}

impl<'de> Deserialize<'de> for Done {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Done, D::Error> {
        // Through `Option`, so an absent `data` reads too (serde asks a missing field for
        // an option).
        Option::<serde::de::IgnoredAny>::deserialize(d).map(|_| Done)
    }
}

/// The answer of a conditional read: fresh data, or `304 Not Modified` (keep your copy).
///
/// ```
/// let n: mserver::Conditional<u8> = mserver::Conditional::NotModified;
/// assert!(n.is_not_modified());
/// assert_eq!(serde_json::to_string(&n)?, r#""not_modified""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conditional<T> {
    /// The data changed (or no date was given): the answer.
    Modified(T),
    /// `304`: nothing changed since the given time.
    NotModified,
}

impl<T> Conditional<T> {
    /// True for [`Conditional::NotModified`].
    ///
    /// ```
    /// assert!(!mserver::Conditional::Modified(1).is_not_modified());
    /// ```
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Conditional::NotModified)
    }

    /// The answer, `None` when not modified.
    ///
    /// ```
    /// assert_eq!(mserver::Conditional::Modified(1).modified(), Some(1));
    /// ```
    pub fn modified(self) -> Option<T> {
        match self {
            Conditional::Modified(t) => Some(t),
            Conditional::NotModified => None,
        }
    }
}

/// Unwraps an answer that cannot be 304 (no If-Modified-Since was sent).
pub(crate) fn fresh<T>(op: &Operation, c: Conditional<T>) -> Result<T, Error> {
    match c {
        Conditional::Modified(t) => Ok(t),
        Conditional::NotModified => {
            let err = Error::Http {
                provider: op.provider,
                operation: op.name,
                status: 304,
                excerpt: "304 Not Modified to a request without If-Modified-Since".into(),
            };
            Err(if op.effect.changes_state() {
                op.outcome_unknown(err)
            } else {
                err
            })
        }
    }
}
