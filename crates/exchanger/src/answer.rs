//! The exchanger's envelope, `{"error": 0|"0"|1|"1"|3..., "error_text": "...",
//! "error_fields": ..., "data": ...}`: the only place where a [`Response`] becomes a result,
//! through [`kassa_core::answer::read`].
//!
//! - `error` 0 (a number or a string) on a 2xx answer is success; `data` is read. `data`
//!   written as `[]`, `{}` or `null` (or absent) is "no data": an empty list for the listing
//!   operations, [`Code::Empty`] where an object was expected.
//! - Any other `error` is refused with the [`Code`] its text names (unknown errors kept, with
//!   their text as the message, and `error_fields` quoted after it when not empty);
//!   [`Error::from_code`] applies the money-safety rule.
//! - An answer with no `error` (HTML, an empty body, a 5xx) is unexplained: outcome-unknown
//!   on a call that changes state.

use kassa_core::answer::{self, Data, Envelope, Head, OnePass, RawValue};
use kassa_core::{Error, Method, Operation, Request, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Code;

/// The envelope, parsed once; `data` kept raw until the head says success.
#[derive(Deserialize)]
pub(crate) struct Wire<'a> {
    #[serde(default, deserialize_with = "kassa_core::lenient::code_text_opt")]
    error: Option<String>,
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    error_text: Option<String>,
    #[serde(borrow, default)]
    error_fields: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// True for `[]`, `{}` and `null`: the engine's way of writing "nothing".
fn is_nothing(raw: &RawValue) -> bool {
    let text: String = raw.get().chars().filter(|c| !c.is_whitespace()).collect();
    matches!(text.as_str(), "[]" | "{}" | "null")
}

/// The exchanger's envelope (see the [module documentation](self)).
pub(crate) struct Exchanger;

impl Envelope for Exchanger {
    type Code = Code;
    type Wire<'a> = Wire<'a>;
    // The data is read where it stands, in the pass that reads the head ("nothing", `[]`
    // or `{}`, is left to the usual reading, which makes it `None`).
    const ONE_PASS: Option<OnePass> = Some(OnePass::Field("data"));

    fn head(_op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
        let Some(wire) = wire else {
            return Head::Unexplained;
        };
        let Some(error) = wire.error.as_deref() else {
            return Head::Unexplained;
        };
        let success = (200..300).contains(&status);
        if error == "0" {
            return if success {
                Head::Success
            } else {
                Head::Unexplained
            };
        }
        let text = wire.error_text.as_deref().unwrap_or_default().trim();
        let code = Code::read(error, text);
        let mut message = kassa_core::secret::redact_text(text);
        if let Some(fields) = wire.error_fields.filter(|f| !is_nothing(f)) {
            message = format!(
                "{message} (error_fields: {})",
                kassa_core::secret::redact_text(fields.get())
            );
        }
        Head::Refused { code, message }
    }

    fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
        Data::Field("data", wire.data.filter(|d| !is_nothing(d)))
    }
}

/// Reads an answer of `op`: `None` when the data is "nothing".
pub(crate) fn read<T: DeserializeOwned>(
    op: &Operation,
    resp: &Response,
) -> Result<Option<T>, Error> {
    answer::read::<Exchanger, Option<T>>(op, resp)
}

impl Client {
    /// Sends `form` to `/api/userapi/v1/<method>` with the API headers, reads the envelope
    /// (`None`: no data) and hands the data to `then`, inside the engine's exchange (so an
    /// intent journal resolves on what `then` returns); every error is scrubbed of the
    /// client's secrets.
    pub(crate) async fn call<T: DeserializeOwned, R>(
        &self,
        op: &Operation,
        method: &str,
        form: &(impl Serialize + ?Sized),
        then: impl FnOnce(Option<T>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let engine = &self.inner.engine;
        let path = format!(
            "/api/userapi/v1/{method}{}",
            if self.inner.trailing_slash { "/" } else { "" }
        );
        let req = self
            .inner
            .credentials
            .apply(Request::new(op.clone(), Method::Post, path))
            .form_of(form)?;
        engine
            .exchange(&req, |resp| read::<T>(op, resp).and_then(then))
            .await
            .map_err(|e| engine.scrub_error(e))
    }

    /// A call whose data is an object: no data is [`Code::Empty`].
    pub(crate) async fn object<T: DeserializeOwned>(
        &self,
        op: Operation,
        method: &str,
        form: &(impl Serialize + ?Sized),
    ) -> Result<T, Error> {
        self.call(&op, method, form, |data: Option<T>| {
            data.ok_or_else(|| {
                Error::from_code(
                    &op,
                    Some(200),
                    Code::Empty,
                    "an empty answer where an object was expected",
                )
            })
        })
        .await
    }

    /// A call whose data is a listing: no data is an empty listing.
    pub(crate) async fn listing<T: DeserializeOwned + Default>(
        &self,
        op: Operation,
        method: &str,
        form: &(impl Serialize + ?Sized),
    ) -> Result<T, Error> {
        self.call(&op, method, form, |data: Option<T>| {
            Ok(data.unwrap_or_default())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROVIDER;
    use kassa_core::Effect;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    const READ: Operation = Operation::new(PROVIDER, "bid-info", Effect::Read);
    const ONCE: Operation = Operation::new(PROVIDER, "create-bid", Effect::Once);

    #[test]
    fn error_as_a_number_or_a_string_and_nothing_as_none() {
        for body in [
            r#"{"error":0,"data":{"a":1}}"#,
            r#"{"error":"0","error_text":"","data":{"a":1}}"#,
        ] {
            let v: Option<serde_json::Value> = read(&READ, &resp(200, body)).expect(body);
            assert_eq!(v.expect("data")["a"], 1);
        }
        for body in [
            r#"{"error":"0","data":[]}"#,
            r#"{"error":0,"data":{}}"#,
            r#"{"error":0}"#,
        ] {
            let v: Option<serde_json::Value> = read(&READ, &resp(200, body)).expect(body);
            assert!(v.is_none(), "{body}");
        }
    }

    #[test]
    fn errors_are_typed_by_their_text_and_unknown_ones_kept() {
        let e = read::<serde_json::Value>(
            &READ,
            &resp(
                200,
                r#"{"error":"1","error_text":"no bid exists","error_fields":[],"data":[]}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(crate::code_of(&e), Some(&Code::NoBidExists));
        let e = read::<serde_json::Value>(
            &READ,
            &resp(
                200,
                r#"{"error":5,"error_text":"bad","error_fields":{"account2":"wrong"}}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(crate::code_of(&e), Some(&Code::Unknown("5".into())));
        let message = &e.rejection().expect("refused").message;
        assert!(
            message.contains("bad") && message.contains("account2"),
            "{message}"
        );
        let e = read::<serde_json::Value>(&ONCE, &resp(200, r#"{"error":5,"error_text":"?"}"#))
            .unwrap_err();
        assert!(e.outcome_unknown().is_some(), "{e:?}");
        let e = read::<serde_json::Value>(&ONCE, &resp(200, "<html>")).unwrap_err();
        assert!(e.may_have_taken_effect(), "{e:?}");
    }
}
