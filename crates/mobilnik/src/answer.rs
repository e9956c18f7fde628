//! Mobilnik's answer: a flat JSON object with `status_code` (0 = OK) and `message` beside
//! the data fields, always read through [`kassa_core::answer::read`]. This module is the
//! only place where a [`Response`] becomes a result, and where a call is sent with the
//! session token.
//!
//! - A 2xx with `status_code` 0 (or, where the document leaves it out, none) is success: the
//!   whole object is the data.
//! - Any other code, on a 2xx or a 4xx, is the provider's refusal: [`Error::from_code`]
//!   decides (see [`crate::error`]). The message defaults to the code's name.
//! - A 5xx is read by its status, code or none. A 401 or 403 naming no code on a payment or
//!   a transfer is outcome-unknown: only `USER_NOT_AUTHORIZED` (27) says it was refused.
//! - A 2xx that cannot be read is a decode error quoting where it broke (outcome-unknown on
//!   a payment or a transfer).
//! - A read answered 2xx with `SERVICE_TEMPORARILY_SUSPENDED` (12) or
//!   `SERVICE_TEMPORARILY_UNAVAILABLE` (14) is asked again like a 503 ([`temporarily`]).

use std::marker::PhantomData;

use kassa_core::answer::{self, Data, Envelope, Head, OnePass};
use kassa_core::engine::Transient;
use kassa_core::{Effect, Engine, Error, Method, Operation, Param, Request, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::{CLIENT_ID, Client};
use crate::error::Code;
use crate::wire::opt_string;

/// Whether an operation's answer must carry `status_code` (the document lists it in the
/// answers of `authenticate` and `transfer-request` only; the provider notes say every
/// answer has it; both shapes are accepted where the document leaves it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusField {
    Required,
    Optional,
}

/// The head of an answer where `status_code` may be missing.
#[derive(Deserialize)]
struct OptionalHead {
    #[serde(default, deserialize_with = "kassa_core::lenient::code_text_opt")]
    status_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    message: Option<String>,
}

/// The head of an answer that must say `status_code`: without it (or with `null`) the body
/// is not a readable head, and the decode error names the missing field.
#[derive(Deserialize)]
struct RequiredHead {
    #[serde(deserialize_with = "kassa_core::lenient::code_text")]
    status_code: String,
    #[serde(default, deserialize_with = "opt_string")]
    message: Option<String>,
}

/// What a head says: its `status_code` (when it has one) and `message`.
trait HeadFields {
    fn fields(&self) -> (Option<&str>, Option<&str>);
}

impl HeadFields for OptionalHead {
    fn fields(&self) -> (Option<&str>, Option<&str>) {
        (self.status_code.as_deref(), self.message.as_deref())
    }
}

impl HeadFields for RequiredHead {
    fn fields(&self) -> (Option<&str>, Option<&str>) {
        (Some(self.status_code.as_str()), self.message.as_deref())
    }
}

/// Mobilnik's envelope, with the head `W`: [`OptionalHead`] where the document leaves
/// `status_code` out, [`RequiredHead`] where it must be there.
struct Mobilnik<W>(PhantomData<W>);

impl<W: HeadFields + DeserializeOwned> Envelope for Mobilnik<W> {
    type Code = Code;
    type Wire<'a> = W;
    // The whole object is read as the data in one pass; the head's fields on the way.
    const ONE_PASS: Option<OnePass> = Some(OnePass::Whole(&["status_code", "message"]));

    fn head(_op: &Operation, status: u16, wire: Option<&W>) -> Head<Code> {
        head(status, wire.map(HeadFields::fields))
    }

    /// The head's fields sit beside the data's: the whole object is the data.
    fn data<'a>(_wire: &W) -> Data<'a> {
        Data::Whole
    }
}

fn head(status: u16, head: Option<(Option<&str>, Option<&str>)>) -> Head<Code> {
    let success = (200..300).contains(&status);
    // A 5xx is read by its status, whatever code it carries.
    if status >= 500 {
        return Head::Unexplained;
    }
    let Some((code, message)) = head else {
        // An unreadable success: the decode explains where it broke.
        return if success {
            Head::Success
        } else {
            Head::Unexplained
        };
    };
    match code.map(Code::from_raw) {
        None | Some(Code::Ok) if success => Head::Success,
        None | Some(Code::Ok) => Head::Unexplained,
        Some(code) => {
            let message = message
                .map(|m| kassa_core::secret::redact_text(m.trim()))
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| code.name().to_owned());
            Head::Refused { code, message }
        }
    }
}

/// Reads an answer of `op`: HTTP status, then `status_code`, then the typed body.
pub(crate) fn read<T: DeserializeOwned>(
    op: &Operation,
    resp: &Response,
    status: StatusField,
) -> Result<T, Error> {
    let read = match status {
        StatusField::Required => answer::read::<Mobilnik<RequiredHead>, T>(op, resp),
        StatusField::Optional => answer::read::<Mobilnik<OptionalHead>, T>(op, resp),
    };
    read.map_err(|err| match err {
        // A refusal that names no code does not say a payment was not processed: only
        // USER_NOT_AUTHORIZED (27) does, and only that one is sent again.
        Error::Http {
            status: 401 | 403, ..
        } if op.effect.changes_state() => op.outcome_unknown(err),
        other => other,
    })
}

/// Sends `req` and reads its answer; every error is scrubbed of the client's secrets.
pub(crate) async fn send<T: DeserializeOwned>(
    engine: &Engine,
    req: &Request,
    status: StatusField,
) -> Result<T, Error> {
    engine
        .exchange(req, |resp| read(&req.operation, resp, status))
        .await
        .map_err(|e| engine.scrub_error(e))
}

/// The engine's body-code classifier: a read answered 2xx with a "temporarily" code
/// (12, 14) is transient, like a 503. Payments and transfers are never asked again.
pub(crate) fn temporarily(op: &Operation, resp: &Response) -> Option<Transient> {
    if op.effect != Effect::Read || !resp.is_success() {
        return None;
    }
    // Most answers carry neither code: skip parsing them.
    if !kassa_core::decode::may_hold(&resp.body, "status_code", &["12", "14"]) {
        return None;
    }
    let head: OptionalHead = serde_json::from_slice(&resp.body).ok()?;
    let code = Code::from_raw(head.status_code.as_deref()?);
    code.is_temporary().then(|| Transient::new(code.name()))
}

impl Client {
    /// Sends one token call: `id`, `token`, `client` and `params`, as a GET. On
    /// `USER_NOT_AUTHORIZED` authenticates again and repeats the call once.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: &Operation,
        path: &'static str,
        params: &[(&'static str, Param)],
        status: StatusField,
    ) -> Result<T, Error> {
        let inner = &self.inner;
        inner
            .tokens
            .with_token(
                |_previous| self.login(),
                |session| async move {
                    let mut req = Request::new(op.clone(), Method::Get, path)
                        .query("id", inner.credentials.device_id.as_str())
                        .query("token", Param::from(&session.value.token))
                        .query("client", CLIENT_ID);
                    for (name, value) in params {
                        req = req.query(*name, value.clone());
                    }
                    send(&inner.engine, &req, status).await
                },
            )
            .await
            .map_err(|e| inner.engine.scrub_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROVIDER;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    const READ: Operation = Operation::new(PROVIDER, "check-requisite", Effect::Read);
    const PAY: Operation = Operation::new(PROVIDER, "payment", Effect::Once);

    #[test]
    fn only_a_temporary_code_on_a_successful_read_is_transient() {
        for body in [r#"{"status_code": 12}"#, r#"{"status_code": "14"}"#] {
            assert!(temporarily(&READ, &resp(200, body)).is_some(), "{body}");
            assert!(temporarily(&PAY, &resp(200, body)).is_none(), "{body}");
            assert!(temporarily(&READ, &resp(404, body)).is_none(), "{body}");
        }
        for body in [
            r#"{"status_code": 13}"#,
            r#"{"status_code": 0}"#,
            "<html>",
            "{}",
        ] {
            assert!(temporarily(&READ, &resp(200, body)).is_none(), "{body}");
        }
    }

    #[test]
    fn a_missing_message_is_the_code_name_and_a_message_is_redacted() {
        let e = read::<serde_json::Value>(
            &READ,
            &resp(200, r#"{"status_code": 13}"#),
            StatusField::Optional,
        )
        .unwrap_err();
        assert_eq!(
            e.rejection().map(|r| r.message.as_str()),
            Some("REQUISITE_NOT_FOUND")
        );
        let e = read::<serde_json::Value>(
            &READ,
            &resp(200, r#"{"status_code": -1, "message": "bad token=abc123"}"#),
            StatusField::Optional,
        )
        .unwrap_err();
        assert!(!e.to_string().contains("abc123"), "{e}");
    }

    #[test]
    fn a_required_status_code_that_is_missing_is_a_decode_error() {
        let e = read::<serde_json::Value>(
            &READ,
            &resp(200, r#"{"message": "?"}"#),
            StatusField::Required,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        assert!(e.to_string().contains("status_code"), "{e}");
        let ok: serde_json::Value = read(
            &READ,
            &resp(200, r#"{"message": "?"}"#),
            StatusField::Optional,
        )
        .unwrap();
        assert_eq!(ok["message"], "?");
    }
}
