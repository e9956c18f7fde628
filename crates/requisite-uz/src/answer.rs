//! The provider's envelope, `{"status": "success"|"error", "code": n, "message": "...",
//! "data": ...}`: the only place where a [`Response`] becomes a result, through kassa-core's
//! answer path ([`kassa_core::answer::read`]).
//!
//! - Success: `status` "success" and `code` 0 or absent, on a 2xx answer; `data` is read.
//! - Any other envelope with HTTP 2xx, or one naming a code (not 0) on another status, is
//!   refused with that code ([`Code`], unlisted codes kept; an envelope with no code is
//!   refused with an empty one) and [`Error::from_code`] applies the money-safety rule.
//! - HTTP 401/403 refuses the credentials when its envelope says so (1004, or the HTTP
//!   status written as the code); another code is read as that code. A 401/403 that
//!   explains nothing (empty, HTML) is [`Error::Auth`] on a read and outcome-unknown naming
//!   payment-status on a payment. HTTP Basic has no token to refresh: nothing is resent.
//! - Anything else is unexplained (outcome-unknown on a payment when it may have taken
//!   effect).

use kassa_core::answer::{self, Data, Envelope, Head, OnePass, RawValue};
use kassa_core::engine::Transient;
use kassa_core::{CallOptions, Error, Method, Operation, RawCode, Request, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Code;

/// The envelope, parsed once; `data` is kept raw until the head says success.
#[derive(Deserialize)]
pub(crate) struct Wire<'a> {
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    status: String,
    #[serde(default, deserialize_with = "kassa_core::lenient::code_text_opt")]
    code: Option<String>,
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    message: String,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// The bank's envelope (see the [module documentation](self)).
pub(crate) struct Bank;

impl Envelope for Bank {
    type Code = Code;
    type Wire<'a> = Wire<'a>;
    // The data is read where it stands, in the pass that reads the head.
    const ONE_PASS: Option<OnePass> = Some(OnePass::Field("data"));

    fn head(_op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
        let Some(wire) = wire else {
            return Head::Unexplained;
        };
        let code = wire.code.as_deref();
        let success = (200..300).contains(&status);
        if success
            && wire.status.trim().eq_ignore_ascii_case("success")
            && code.is_none_or(|c| c == "0")
        {
            return Head::Success;
        }
        // Outside 2xx only a code explains the answer; a 401/403 with none is handled by
        // `read` (auth on a read, outcome-unknown on a payment).
        if !success && !code.is_some_and(|c| !c.is_empty() && c != "0") {
            return Head::Unexplained;
        }
        let raw = code.unwrap_or_default();
        let code = match Code::from_raw(raw) {
            // The HTTP status written as the code refuses the credentials only with that
            // HTTP status.
            Code::Unauthorized | Code::Forbidden if raw != status.to_string() => {
                Code::Unknown(raw.to_owned())
            }
            code => code,
        };
        Head::Refused {
            code,
            message: wire.message.clone(),
        }
    }

    fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
        Data::Field("data", wire.data)
    }
}

/// Reads an answer of `op` (see the [module documentation](self)).
pub(crate) fn read<T: DeserializeOwned>(op: &Operation, resp: &Response) -> Result<T, Error> {
    answer::read::<Bank, T>(op, resp).map_err(|err| match err {
        Error::Http {
            status: status @ (401 | 403),
            excerpt,
            ..
        } => {
            let refused =
                Error::auth(op.provider, op.name, Some(status), RawCode(format!("HTTP {status}")), excerpt);
            if op.effect.changes_state() {
                tracing::warn!(
                    operation = op.name,
                    status,
                    "a payment was answered with an unexplained credentials refusal: outcome unknown"
                );
                op.outcome_unknown(refused)
            } else {
                refused
            }
        }
        other => other,
    })
}

/// The engine's body-code classifier: a read answered `code` 1111 («Системная ошибка»)
/// is the bank being temporarily unavailable, asked again like a 503. The engine never
/// asks it for a payment.
pub(crate) fn transient(_op: &Operation, resp: &Response) -> Option<Transient> {
    // Most answers never mention 1111: skip parsing them.
    if !kassa_core::decode::may_hold(&resp.body, "code", &["1111"]) {
        return None;
    }
    let wire = serde_json::from_slice::<Wire<'_>>(&resp.body).ok()?;
    (Code::from_raw(wire.code.as_deref()?) == Code::SystemError)
        .then(|| Transient::new("code 1111: system error, temporarily unavailable"))
}

impl Client {
    /// Sends one request with the client's credentials and reads the envelope: `data` as
    /// `T` on success, the typed error otherwise; every error is scrubbed of the secrets.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: Operation,
        method: Method,
        path: String,
        body: Option<&(impl Serialize + ?Sized)>,
        options: Option<&CallOptions>,
    ) -> Result<T, Error> {
        let mut req = self.auth.apply(Request::new(op.clone(), method, path));
        if let Some(body) = body {
            req = req.json(body)?;
        }
        if let Some(options) = options {
            req = req.options(options.clone());
        }
        self.engine
            .exchange(&req, |resp| read(&op, resp))
            .await
            .map_err(|e| self.engine.scrub_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROVIDER;
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
        let ok: Result<u32, Error> = read(&READ, &answer(200, r#"{"status":"success","data":5}"#));
        assert_eq!(ok.ok(), Some(5));
        let ok: Result<u32, Error> = read(
            &READ,
            &answer(200, r#"{"status":"success","code":"0","data":5}"#),
        );
        assert_eq!(ok.ok(), Some(5));
        for body in [
            r#"{"status":"success","code":7,"data":5}"#,
            r#"{"status":"done","code":0,"data":5}"#,
            r#"{"code":0,"data":5}"#,
        ] {
            let err = read::<u32>(&READ, &answer(200, body)).expect_err(body);
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
            let err = read::<crate::PaymentResult>(&pay(), &answer(200, body)).expect_err(body);
            assert!(err.outcome_unknown().is_some(), "{body}: {err:?}");
            assert_eq!(
                kassa_testkit::ErrorView::of(&err).reconcile.as_deref(),
                Some("payment-status with orderId=A1")
            );
        }
    }

    #[test]
    fn non_200_answers_keep_a_code_when_they_carry_one() {
        let err = read::<u32>(
            &pay(),
            &answer(
                500,
                r#"{"status":"error","code":1013,"message":"Счёт не найден"}"#,
            ),
        )
        .expect_err("refused");
        assert_eq!(err.code::<Code>(), Some(&Code::AccountNotFound));
        let err = read::<u32>(&pay(), &answer(502, "<html>Bad Gateway</html>")).expect_err("5xx");
        assert!(err.may_have_taken_effect());
        let err = read::<u32>(&READ, &answer(404, "nope")).expect_err("404");
        assert!(matches!(err, Error::Http { status: 404, .. }), "{err:?}");
        let err = read::<u32>(&READ, &answer(401, "")).expect_err("401");
        assert!(err.is_auth());
    }

    #[test]
    fn the_http_status_as_the_code_refuses_the_credentials_only_with_that_status() {
        let body = r#"{"status":"error","code":401,"message":"Unauthorized"}"#;
        let err = read::<u32>(&pay(), &answer(401, body)).expect_err("401");
        assert!(err.is_auth(), "{err:?}");
        assert_eq!(err.code::<Code>(), Some(&Code::Unauthorized));
        for status in [200, 403] {
            let err = read::<u32>(&pay(), &answer(status, body)).expect_err("401 elsewhere");
            assert!(err.outcome_unknown().is_some(), "{status}: {err:?}");
            assert_eq!(
                crate::code_of(&err),
                Some(&Code::Unknown("401".into())),
                "{status}"
            );
        }
    }

    #[test]
    fn only_1111_is_transient() {
        let busy = answer(
            200,
            r#"{"status":"error","code":1111,"message":"Системная ошибка"}"#,
        );
        assert!(transient(&READ, &busy).is_some());
        for body in [
            r#"{"status":"error","code":1013}"#,
            r#"{"status":"success","data":{"balance":"1111"}}"#,
            "<html>1111</html>",
        ] {
            assert_eq!(transient(&READ, &answer(200, body)), None, "{body}");
        }
    }
}
