//! Mobilnik's `status_code`: every answer carries one, `0` is success, and each code of
//! the document's table is a [`StatusCode`] case; codes the table does not list are kept
//! as [`StatusCode::Unknown`] and never taken for success.
//!
//! How a code becomes a [`kassa_core::Error`]:
//!
//! | code | error |
//! |---|---|
//! | `USER_NOT_AUTHORIZED` (27) | [`Error::Auth`]: the client authenticates again and repeats the call once |
//! | `WRONG_PASSWORD`, `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND`, `USER_BLOCKED` on `authenticate` | [`Error::Auth`] |
//! | `SYSTEM_FAILURE` or an unknown code on `payment` / `transfer-request` | [`Error::OutcomeUnknown`] (the code is its source) |
//! | any other code | [`Error::Rejected`] |
//!
//! ```
//! use kassa_core::ProviderCode;
//! use mobilnik::StatusCode;
//!
//! assert_eq!(StatusCode::from_number(15), StatusCode::InsufficientFundsForOperation);
//! assert_eq!(StatusCode::InsufficientFundsForOperation.name(), "INSUFFICIENT_FUNDS_FOR_OPERATION");
//! assert_eq!(StatusCode::from_raw("27"), StatusCode::UserNotAuthorized);
//! assert_eq!(StatusCode::from_raw("42"), StatusCode::Unknown("42".into()));
//! assert!(!StatusCode::from_raw("42").is_ok());
//! assert!(StatusCode::ServiceTemporarilyUnavailable.is_retryable());
//! ```

use std::fmt;

use kassa_core::{Effect, Error, Operation, ProviderCode};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::PROVIDER;

/// One value of Mobilnik's `status_code`, as listed in the document's «КОДЫ ОШИБОК».
///
/// ```
/// use mobilnik::StatusCode;
/// let code: StatusCode = serde_json::from_str("-2")?;
/// assert_eq!(code, StatusCode::SystemFailure);
/// let same: StatusCode = serde_json::from_str("\"-2\"")?;
/// assert_eq!(same, code);
/// assert_eq!(serde_json::to_string(&code)?, "-2");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusCode {
    /// `OK` (0): success.
    Ok,
    /// `WRONG_CONFIRM_CODE` (-100).
    WrongConfirmCode,
    /// `SYSTEM_FAILURE` (-2): the provider failed; on a payment or transfer the outcome is
    /// unknown.
    SystemFailure,
    /// `NOT_ENOUGH_PARAMETERS` (-3): a required parameter is missing.
    NotEnoughParameters,
    /// `WRONG_OPERATION` (-1).
    WrongOperation,
    /// `WRONG_PASSWORD` (1).
    WrongPassword,
    /// `LOGIN_ALREADY_EXISTS` (3).
    LoginAlreadyExists,
    /// `PHONE_ALREADY_REGISTERED` (4).
    PhoneAlreadyRegistered,
    /// `WRONG_EMAIL` (6).
    WrongEmail,
    /// `WRONG_LOGIN_FORMAT` (7).
    WrongLoginFormat,
    /// `USER_NOT_FOUND` (8).
    UserNotFound,
    /// `USER_BLOCKED` (9).
    UserBlocked,
    /// `PHONE_NOT_FOUND_IN_DB` (10): the wallet (phone) is unknown.
    PhoneNotFoundInDb,
    /// `SERVICE_NOT_EXISTS` (11).
    ServiceNotExists,
    /// `SERVICE_TEMPORARILY_SUSPENDED` (12).
    ServiceTemporarilySuspended,
    /// `REQUISITE_NOT_FOUND` (13).
    RequisiteNotFound,
    /// `SERVICE_TEMPORARILY_UNAVAILABLE` (14).
    ServiceTemporarilyUnavailable,
    /// `INSUFFICIENT_FUNDS_FOR_OPERATION` (15).
    InsufficientFundsForOperation,
    /// `WRONG_DATE_FORMAT` (18).
    WrongDateFormat,
    /// `USER_NOT_AUTHORIZED` (27): the token is no longer valid.
    UserNotAuthorized,
    /// `DO_NOT_MATCH_PASSWORDS` (30).
    DoNotMatchPasswords,
    /// `PASSWORD_MUSTBE_MORE_THAN_6_SYMBOLS` (31).
    PasswordMustBeMoreThan6Symbols,
    /// `EMAIL_ALREADY_EXISTS` (33).
    EmailAlreadyExists,
    /// A code the document does not list, exactly as it came (`"42"`, `"E1"`).
    Unknown(String),
}

/// Every documented code with its number and name, in the document's order of numbers.
const TABLE: [(StatusCode, i64, &str); 23] = [
    (StatusCode::WrongConfirmCode, -100, "WRONG_CONFIRM_CODE"),
    (StatusCode::NotEnoughParameters, -3, "NOT_ENOUGH_PARAMETERS"),
    (StatusCode::SystemFailure, -2, "SYSTEM_FAILURE"),
    (StatusCode::WrongOperation, -1, "WRONG_OPERATION"),
    (StatusCode::Ok, 0, "OK"),
    (StatusCode::WrongPassword, 1, "WRONG_PASSWORD"),
    (StatusCode::LoginAlreadyExists, 3, "LOGIN_ALREADY_EXISTS"),
    (
        StatusCode::PhoneAlreadyRegistered,
        4,
        "PHONE_ALREADY_REGISTERED",
    ),
    (StatusCode::WrongEmail, 6, "WRONG_EMAIL"),
    (StatusCode::WrongLoginFormat, 7, "WRONG_LOGIN_FORMAT"),
    (StatusCode::UserNotFound, 8, "USER_NOT_FOUND"),
    (StatusCode::UserBlocked, 9, "USER_BLOCKED"),
    (StatusCode::PhoneNotFoundInDb, 10, "PHONE_NOT_FOUND_IN_DB"),
    (StatusCode::ServiceNotExists, 11, "SERVICE_NOT_EXISTS"),
    (
        StatusCode::ServiceTemporarilySuspended,
        12,
        "SERVICE_TEMPORARILY_SUSPENDED",
    ),
    (StatusCode::RequisiteNotFound, 13, "REQUISITE_NOT_FOUND"),
    (
        StatusCode::ServiceTemporarilyUnavailable,
        14,
        "SERVICE_TEMPORARILY_UNAVAILABLE",
    ),
    (
        StatusCode::InsufficientFundsForOperation,
        15,
        "INSUFFICIENT_FUNDS_FOR_OPERATION",
    ),
    (StatusCode::WrongDateFormat, 18, "WRONG_DATE_FORMAT"),
    (StatusCode::UserNotAuthorized, 27, "USER_NOT_AUTHORIZED"),
    (
        StatusCode::DoNotMatchPasswords,
        30,
        "DO_NOT_MATCH_PASSWORDS",
    ),
    (
        StatusCode::PasswordMustBeMoreThan6Symbols,
        31,
        "PASSWORD_MUSTBE_MORE_THAN_6_SYMBOLS",
    ),
    (StatusCode::EmailAlreadyExists, 33, "EMAIL_ALREADY_EXISTS"),
];

impl StatusCode {
    /// Every documented code (success included), in ascending numeric order.
    ///
    /// ```
    /// let all = mobilnik::StatusCode::documented();
    /// assert_eq!(all.len(), 23);
    /// assert!(all.iter().all(|c| c.number().is_some()));
    /// ```
    pub fn documented() -> Vec<StatusCode> {
        TABLE.iter().map(|(c, _, _)| c.clone()).collect()
    }

    /// The code for a number; numbers the document does not list are
    /// [`StatusCode::Unknown`].
    ///
    /// ```
    /// use mobilnik::StatusCode;
    /// assert_eq!(StatusCode::from_number(-100), StatusCode::WrongConfirmCode);
    /// assert_eq!(StatusCode::from_number(2), StatusCode::Unknown("2".into()));
    /// ```
    pub fn from_number(number: i64) -> StatusCode {
        TABLE.iter().find(|(_, n, _)| *n == number).map_or_else(
            || StatusCode::Unknown(number.to_string()),
            |(c, _, _)| c.clone(),
        )
    }

    /// The code for its wire text: a number (`"27"`, `" 27 "`) or anything else, kept as
    /// [`StatusCode::Unknown`].
    ///
    /// ```
    /// use mobilnik::StatusCode;
    /// assert_eq!(StatusCode::from_raw(" 0 "), StatusCode::Ok);
    /// assert_eq!(StatusCode::from_raw("ok"), StatusCode::Unknown("ok".into()));
    /// ```
    pub fn from_raw(raw: &str) -> StatusCode {
        match raw.trim().parse::<i64>() {
            Ok(n) => StatusCode::from_number(n),
            Err(_) => StatusCode::Unknown(raw.trim().to_owned()),
        }
    }

    /// The number of a documented code (`None` for an unknown one that is not a number).
    ///
    /// ```
    /// use mobilnik::StatusCode;
    /// assert_eq!(StatusCode::UserNotAuthorized.number(), Some(27));
    /// assert_eq!(StatusCode::Unknown("42".into()).number(), Some(42));
    /// assert_eq!(StatusCode::Unknown("x".into()).number(), None);
    /// ```
    pub fn number(&self) -> Option<i64> {
        match self {
            StatusCode::Unknown(raw) => raw.parse().ok(),
            known => TABLE
                .iter()
                .find(|(c, _, _)| c == known)
                .map(|(_, n, _)| *n),
        }
    }

    /// The document's name of the code (`"USER_NOT_AUTHORIZED"`), `"UNKNOWN"` for codes it
    /// does not list.
    ///
    /// ```
    /// assert_eq!(mobilnik::StatusCode::WrongEmail.name(), "WRONG_EMAIL");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            StatusCode::Unknown(_) => "UNKNOWN",
            known => TABLE
                .iter()
                .find(|(c, _, _)| c == known)
                .map_or("UNKNOWN", |(_, _, name)| name),
        }
    }

    /// True only for `OK` (0). An unknown code is never success.
    ///
    /// ```
    /// assert!(mobilnik::StatusCode::Ok.is_ok());
    /// assert!(!mobilnik::StatusCode::Unknown("0.0".into()).is_ok());
    /// ```
    pub fn is_ok(&self) -> bool {
        matches!(self, StatusCode::Ok)
    }

    /// True when the code says the request was refused, so nothing took effect: every
    /// documented error code except `SYSTEM_FAILURE`. False for `OK`, `SYSTEM_FAILURE` and
    /// unknown codes, which on a payment or a transfer do not tell whether money moved.
    ///
    /// ```
    /// use mobilnik::StatusCode;
    /// assert!(StatusCode::InsufficientFundsForOperation.is_refusal());
    /// assert!(!StatusCode::SystemFailure.is_refusal());
    /// assert!(!StatusCode::Unknown("99".into()).is_refusal());
    /// ```
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            StatusCode::Ok | StatusCode::SystemFailure | StatusCode::Unknown(_)
        )
    }

    /// True for codes that refuse the credentials on `authenticate`: `WRONG_PASSWORD`,
    /// `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND`, `USER_BLOCKED`, `USER_NOT_AUTHORIZED`.
    ///
    /// ```
    /// assert!(mobilnik::StatusCode::UserBlocked.refuses_credentials());
    /// assert!(!mobilnik::StatusCode::RequisiteNotFound.refuses_credentials());
    /// ```
    pub fn refuses_credentials(&self) -> bool {
        matches!(
            self,
            StatusCode::WrongPassword
                | StatusCode::WrongLoginFormat
                | StatusCode::UserNotFound
                | StatusCode::UserBlocked
                | StatusCode::UserNotAuthorized
        )
    }
}

impl fmt::Display for StatusCode {
    /// `USER_NOT_AUTHORIZED (27)`; an unknown code shows as `UNKNOWN (42)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.raw())
    }
}

impl ProviderCode for StatusCode {
    fn raw(&self) -> String {
        match self {
            StatusCode::Unknown(raw) => raw.clone(),
            known => known.number().map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    /// `SYSTEM_FAILURE` and the "temporarily" codes: the same request may be sent later.
    fn is_retryable(&self) -> bool {
        matches!(
            self,
            StatusCode::SystemFailure
                | StatusCode::ServiceTemporarilySuspended
                | StatusCode::ServiceTemporarilyUnavailable
        )
    }
}

impl Serialize for StatusCode {
    /// The wire number (an unknown code that is not a number is written as its text).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.number() {
            Some(n) => s.serialize_i64(n),
            None => s.serialize_str(&self.raw()),
        }
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    /// Reads a number or a string holding one; anything else is kept as unknown text.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StatusCode, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StatusCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status code (number or string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusCode, E> {
                Ok(StatusCode::from_number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusCode, E> {
                Ok(i64::try_from(v).map_or_else(
                    |_| StatusCode::Unknown(v.to_string()),
                    StatusCode::from_number,
                ))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StatusCode, E> {
                // A code is never fractional: keep it as unknown text, never as success.
                Ok(StatusCode::Unknown(format!("{v:?}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusCode, E> {
                Ok(StatusCode::from_raw(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<StatusCode, E> {
                Ok(StatusCode::Unknown(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The Mobilnik status code an error carries, wherever it sits: on a refusal
/// ([`Error::Rejected`], [`Error::Auth`]) or as the cause of an [`Error::OutcomeUnknown`]
/// (a `SYSTEM_FAILURE` or unknown code answered to a payment or a transfer).
///
/// ```
/// use kassa_core::Error;
/// use mobilnik::{StatusCode, status_code_of};
/// let err = Error::rejected("mobilnik", "payment", Some(200), StatusCode::InsufficientFundsForOperation, "");
/// assert_eq!(status_code_of(&err), Some(&StatusCode::InsufficientFundsForOperation));
/// assert_eq!(status_code_of(&Error::invalid("amount", "must be positive")), None);
/// ```
pub fn status_code_of(err: &Error) -> Option<&StatusCode> {
    if let Some(code) = err.code::<StatusCode>() {
        return Some(code);
    }
    err.outcome_unknown()
        .and_then(|o| o.source.as_ref())
        .and_then(|s| s.downcast_ref::<Error>())
        .and_then(|inner| inner.code::<StatusCode>())
}

/// The error for an answer whose `status_code` is not `OK`.
pub(crate) fn refusal(
    op: &Operation,
    http_status: Option<u16>,
    code: StatusCode,
    message: Option<String>,
) -> Error {
    let message = message
        .map(|m| kassa_core::secret::redact_text(m.trim()))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| code.name().to_owned());
    let credentials = code == StatusCode::UserNotAuthorized
        || (op.effect == Effect::Auth && code.refuses_credentials());
    if credentials {
        return Error::auth(PROVIDER, op.name, http_status, code, message);
    }
    if op.effect.changes_state() && !code.is_refusal() {
        // SYSTEM_FAILURE or a code the document does not list, answered to a call that
        // moves money with no idempotency key: it does not say the payment was refused.
        return op.outcome_unknown(Error::rejected(
            PROVIDER,
            op.name,
            http_status,
            code,
            message,
        ));
    }
    Error::rejected(PROVIDER, op.name, http_status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_round_trips() {
        for code in StatusCode::documented() {
            let n = code.number().expect("documented codes have numbers");
            assert_eq!(StatusCode::from_number(n), code);
            assert_eq!(StatusCode::from_raw(&code.raw()), code);
            assert_ne!(code.name(), "UNKNOWN");
        }
        let names: std::collections::BTreeSet<_> = StatusCode::documented()
            .iter()
            .map(StatusCode::name)
            .collect();
        assert_eq!(names.len(), 23, "names are unique");
    }

    #[test]
    fn codes_read_from_numbers_and_strings() {
        let read = |s: &str| serde_json::from_str::<StatusCode>(s).expect("reads");
        assert_eq!(read("27"), StatusCode::UserNotAuthorized);
        assert_eq!(read("\"27\""), StatusCode::UserNotAuthorized);
        assert_eq!(read("-100"), StatusCode::WrongConfirmCode);
        assert_eq!(read("0.0"), StatusCode::Unknown("0.0".into()));
        assert!(!read("0.0").is_ok(), "a fractional zero is not success");
        assert_eq!(read("\"E7\""), StatusCode::Unknown("E7".into()));
        assert_eq!(read("true"), StatusCode::Unknown("true".into()));
        assert_eq!(read("99"), StatusCode::Unknown("99".into()));
    }

    #[test]
    fn refusals_pick_the_error_kind() {
        let pay = Operation::new(PROVIDER, "payment", Effect::Once).advise("check the balance");
        let auth = Operation::new(PROVIDER, "authenticate", Effect::Auth);
        let read = Operation::new(PROVIDER, "service-list", Effect::Read);

        assert!(refusal(&pay, Some(200), StatusCode::UserNotAuthorized, None).is_auth());
        assert!(refusal(&auth, Some(200), StatusCode::WrongPassword, None).is_auth());
        assert!(!refusal(&read, Some(200), StatusCode::UserBlocked, None).is_auth());

        let funds = refusal(
            &pay,
            Some(200),
            StatusCode::InsufficientFundsForOperation,
            None,
        );
        assert!(matches!(funds, Error::Rejected(_)));
        assert!(!funds.may_have_taken_effect());
        assert_eq!(
            funds.rejection().map(|r| r.message.as_str()),
            Some("INSUFFICIENT_FUNDS_FOR_OPERATION")
        );

        for code in [StatusCode::SystemFailure, StatusCode::Unknown("99".into())] {
            let err = refusal(&pay, Some(200), code.clone(), Some("boom".into()));
            assert!(err.may_have_taken_effect(), "{err}");
            assert_eq!(status_code_of(&err), Some(&code));
            assert!(err.to_string().contains("check the balance"), "{err}");
            let on_read = refusal(&read, Some(200), code.clone(), None);
            assert!(matches!(on_read, Error::Rejected(_)));
            assert!(!on_read.may_have_taken_effect());
        }
        assert!(refusal(&read, Some(200), StatusCode::SystemFailure, None).is_retryable());
    }

    #[test]
    fn provider_messages_are_redacted() {
        let read = Operation::new(PROVIDER, "service-list", Effect::Read);
        let err = refusal(
            &read,
            None,
            StatusCode::WrongOperation,
            Some("bad token=abc123".into()),
        );
        assert!(!err.to_string().contains("abc123"), "{err}");
    }
}
