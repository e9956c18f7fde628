//! The bank's answers: the only place where a [`Response`] becomes a result, through
//! kassa-core's answer path ([`kassa_core::answer`]).
//!
//! The bank answers in three shapes:
//!
//! - the billing and payout calls answer bare: a 2xx body is the data itself (read leniently,
//!   the document's own examples being broken JSON at times); a refusal is a catalogue body
//!   (`{"langs", "status", "detail", "title"}`), sometimes inside a 200, sometimes with the
//!   catalogue's HTTP status, and once as `{"id", "result": {refusal}}` ([`Bare`]);
//! - the card calls answer `{"success": bool, "exception": code, "data": ...}` ([`Cards`]);
//! - the auth calls answer `{"statusCode", "statusMessage", "result"}` (read in `auth.rs`).
//!
//! What a code means is decided by kassa-core from the catalogue's flags
//! ([`kassa_core::Error::from_code`]). Two rules are the bank's own: a 401 naming no code
//! is a refused token on a read and outcome-unknown on a call that changes state (never
//! resent); and bearer calls read their answer inside the token cache, so that only a
//! credentials refusal ([`kassa_core::ProviderCode::refresh_helps`]) is resent with a fresh
//! token.

use kassa_core::answer::{self, Data, Envelope, Head, OnePass, RawValue};
use kassa_core::{Body, Effect, Error, Method, Operation, Request, Response, decode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::client::Client;
use crate::error::{Code, ErrorBody, Langs};

/// Every field any of the bank's answer shapes may carry, parsed once.
///
/// The catalogue's fields are those of [`ErrorBody`], listed here rather than flattened: a
/// flattened struct would make the borrowed `data` unreadable.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Wire<'a> {
    #[serde(default)]
    langs: Option<Langs>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    exception: Option<String>,
    #[serde(default)]
    status_code: Option<i64>,
    #[serde(default)]
    status_message: Option<String>,
    /// The document's `{"id", "result": {refusal}}` (a wrong pay request, HTTP 200).
    #[serde(default, deserialize_with = "error_body_or_none")]
    result: Option<ErrorBody>,
    /// The card calls' flag.
    #[serde(default)]
    success: Option<bool>,
    /// The card calls' data.
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

fn error_body_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ErrorBody>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

impl Wire<'_> {
    /// The code and message the answer names, if any.
    fn named(&self) -> Option<(Code, String)> {
        let own = ErrorBody {
            langs: self.langs.clone(),
            status: None,
            detail: self.detail.clone(),
            title: self.title.clone(),
            exception: self.exception.clone(),
            status_code: self.status_code,
            status_message: self.status_message.clone(),
        };
        [self.result.as_ref(), Some(&own)]
            .into_iter()
            .flatten()
            .find_map(|b| b.code().map(|c| (c, b.message())))
    }
}

/// The head every shape shares: a named code is a refusal; a 401 naming none is the bank
/// refusing the token (only reached on a read: see [`read_bare`]).
fn refusal_head(status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
    match wire.and_then(Wire::named) {
        Some((code, message)) => Head::Refused { code, message },
        None if status == 401 => Head::Refused {
            code: Code::no_code_401(),
            message: "the bank refused the token or the credentials".to_owned(),
        },
        None => Head::Unexplained,
    }
}

/// The billing and payout calls: a 2xx body is the data itself.
pub(crate) struct Bare;

impl Envelope for Bare {
    type Code = Code;
    type Wire<'a> = Wire<'a>;
    const BARE_SUCCESS: bool = true;

    fn head(_op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
        refusal_head(status, wire)
    }

    fn data<'a>(_wire: &Self::Wire<'a>) -> Data<'a> {
        Data::Whole
    }
}

/// The card calls: `{"success": bool, "exception": code, "data": ...}`, read leniently (the
/// document's examples are broken JSON at times).
pub(crate) struct Cards;

impl Envelope for Cards {
    type Code = Code;
    type Wire<'a> = Wire<'a>;
    const LENIENT: bool = true;
    const ONE_PASS: Option<OnePass> = Some(OnePass::Field("data"));

    fn head(_op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
        match wire {
            Some(w) if w.success == Some(true) => Head::Success,
            Some(w) if w.success == Some(false) => match refusal_head(status, wire) {
                Head::Refused { code, message } if !message.is_empty() => {
                    Head::Refused { code, message }
                }
                Head::Refused { code, .. } => Head::Refused {
                    code,
                    message: "the bank answered success: false".to_owned(),
                },
                _ => Head::Refused {
                    code: Code::Unknown("success_false".to_owned()),
                    message: "the bank answered success: false".to_owned(),
                },
            },
            _ => refusal_head(status, wire),
        }
    }

    fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
        Data::Field("data", wire.data)
    }
}

/// A 401 naming no code, answered to a call that changes state: the bank did not say the
/// token was refused, so the call may have been processed; outcome-unknown, never resent.
fn unexplained_401(op: &Operation, resp: &Response) -> Option<Error> {
    if resp.status != 401 || !op.effect.changes_state() {
        return None;
    }
    let named = serde_json::from_slice::<Wire<'_>>(&resp.body)
        .ok()
        .and_then(|w| w.named());
    if named.is_some() {
        return None;
    }
    tracing::warn!(
        operation = op.name,
        "a payment call was answered 401 without a token refusal: outcome unknown, not resent"
    );
    let as_read = Operation::new(op.provider, op.name, Effect::Read);
    Some(op.outcome_unknown(resp.unexpected(&as_read)))
}

/// Reads a bare answer as `T`: a 2xx body (repaired when its JSON is plainly broken), or the
/// refusal a 2xx carries instead of the data, or the refusal of a non-2xx answer.
pub(crate) fn read_bare<T: DeserializeOwned>(op: &Operation, resp: &Response) -> Result<T, Error> {
    if let Some(err) = unexplained_401(op, resp) {
        return Err(err);
    }
    if !resp.is_success() {
        return answer::read::<Bare, T>(op, resp);
    }
    decode::json_lenient::<T>(op, &resp.body)
        .map_err(|unreadable| refusal_in_success(op, resp).unwrap_or(unreadable))
}

/// The refusal a 2xx answer carries instead of the data (`{"detail": ...}`,
/// `{"exception": ...}`, `{"id", "result": {...}}`), if it names a code.
pub(crate) fn refusal_in_success(op: &Operation, resp: &Response) -> Option<Error> {
    let (code, message) = serde_json::from_slice::<Wire<'_>>(&resp.body)
        .ok()?
        .named()?;
    Some(Error::from_code(op, Some(resp.status), code, message))
}

/// Reads a card call's answer as `T` (its `data`); a broken body is repaired by the answer
/// path ([`Envelope::LENIENT`]).
pub(crate) fn read_cards<T: DeserializeOwned>(op: &Operation, resp: &Response) -> Result<T, Error> {
    if let Some(err) = unexplained_401(op, resp) {
        return Err(err);
    }
    answer::read::<Cards, T>(op, resp)
}

impl Client {
    /// Sends a bearer call and reads its answer with `read`, inside the token cache: when
    /// the answer is [`Error::Auth`] (a credentials refusal, which says nothing took effect)
    /// the token is refreshed and the call sent once more. The client's secrets are
    /// scrubbed from any error.
    pub(crate) async fn bearer_call<B: Serialize + ?Sized, T>(
        &self,
        op: &Operation,
        method: Method,
        path: &'static str,
        body: Option<&B>,
        read: impl Fn(&Operation, &Response) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let body =
            match body {
                Some(b) => Body::Json(serde_json::to_vec(b).map_err(|e| {
                    Error::invalid("body", format!("cannot be written as JSON: {e}"))
                })?),
                None => Body::None,
            };
        let read = &read;
        self.tokens()
            .with_token(
                |prev| self.fetch_session(prev),
                |token| {
                    let mut req =
                        Request::new(op.clone(), method, path).bearer(&token.value.access);
                    req.body = body.clone();
                    async move { self.engine().exchange(&req, |resp| read(op, resp)).await }
                },
            )
            .await
            .map_err(|e| self.engine().scrub_error(e))
    }
}

/// The error for a 2xx answer to a call that changes state which does not say what
/// happened (an unlisted bill status, a contradiction, another bill or payout): the bank
/// answered, the outcome is unknown; `path` and `message` say what is unclear.
pub(crate) fn unclear(op: &Operation, resp: &Response, path: &str, message: String) -> Error {
    op.outcome_unknown(Error::Decode {
        provider: op.provider,
        operation: op.name,
        path: path.to_owned(),
        message,
        excerpt: kassa_core::secret::excerpt_bytes(&resp.body, 0, 120),
    })
}
