//! Mobilnik's `status_code`: every answer carries one, `0` is success, and each code of
//! the document's table is a [`Code`] case, written once in the catalogue below; codes the
//! table does not list are kept as [`Code::Unknown`] and never taken for success.
//!
//! How a code becomes a [`kassa_core::Error`] (by [`Error::from_code`], the one money-safety
//! rule of kassa-core):
//!
//! | code | error |
//! |---|---|
//! | `USER_NOT_AUTHORIZED` (27) | [`Error::Auth`]: the client authenticates again and repeats the call once |
//! | `WRONG_PASSWORD`, `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND`, `USER_BLOCKED` on `authenticate` | [`Error::Auth`] |
//! | `SYSTEM_FAILURE` or an unknown code on `payment` / `transfer-request` | [`Error::OutcomeUnknown`] (the code is its source) |
//! | `SERVICE_TEMPORARILY_SUSPENDED` (12), `SERVICE_TEMPORARILY_UNAVAILABLE` (14) on a read | asked again like a 503, then [`Error::Rejected`] |
//! | any other code | [`Error::Rejected`] |
//!
//! ```
//! use kassa_core::ProviderCode;
//! use mobilnik::Code;
//!
//! assert_eq!(Code::from_number(15), Code::InsufficientFundsForOperation);
//! assert_eq!(Code::InsufficientFundsForOperation.name(), "INSUFFICIENT_FUNDS_FOR_OPERATION");
//! assert_eq!(Code::from_raw("27"), Code::UserNotAuthorized);
//! assert_eq!(Code::from_raw("42"), Code::Unknown("42".into()));
//! assert!(!Code::from_raw("42").is_ok());
//! assert!(Code::ServiceTemporarilyUnavailable.is_retryable());
//! ```

use kassa_core::{Disposition, Effect, Error, Operation, ProviderCode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What the catalogue says of one code.
///
/// ```
/// let facts = mobilnik::Code::UserBlocked.facts().expect("listed");
/// assert_eq!(facts.name, "USER_BLOCKED");
/// assert!(facts.refusal && facts.wrong_credentials && !facts.temporary);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeFacts {
    /// The document's name (`USER_NOT_AUTHORIZED`).
    pub name: &'static str,
    /// The request was refused and nothing took effect: every documented error code
    /// except `SYSTEM_FAILURE` (and not `OK`).
    pub refusal: bool,
    /// The code refuses the credentials when `authenticate` is answered with it.
    pub wrong_credentials: bool,
    /// "Temporarily": the same read may be asked again a little later.
    pub temporary: bool,
}

const fn refused(name: &'static str) -> CodeFacts {
    CodeFacts {
        name,
        refusal: true,
        wrong_credentials: false,
        temporary: false,
    }
}

const fn credentials(name: &'static str) -> CodeFacts {
    CodeFacts {
        wrong_credentials: true,
        ..refused(name)
    }
}

const fn temporary(name: &'static str) -> CodeFacts {
    CodeFacts {
        temporary: true,
        ..refused(name)
    }
}

const fn not_refused(name: &'static str) -> CodeFacts {
    CodeFacts {
        refusal: false,
        ..refused(name)
    }
}

kassa_core::code_catalogue! {
    /// One value of Mobilnik's `status_code`, as listed in the document's «КОДЫ ОШИБОК», in
    /// ascending numeric order. Reads a number or a string holding one; anything else is
    /// kept as [`Code::Unknown`] text and never taken for success.
    ///
    /// ```
    /// use mobilnik::Code;
    /// let code: Code = serde_json::from_str("-2")?;
    /// assert_eq!(code, Code::SystemFailure);
    /// let same: Code = serde_json::from_str("\"-2\"")?;
    /// assert_eq!(same, code);
    /// assert_eq!(serde_json::to_string(&code)?, "-2");
    /// assert_eq!(code.to_string(), "-2");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum Code: CodeFacts {
        /// `WRONG_CONFIRM_CODE` (-100).
        WrongConfirmCode = "-100" => refused("WRONG_CONFIRM_CODE"),
        /// `NOT_ENOUGH_PARAMETERS` (-3): a required parameter is missing.
        NotEnoughParameters = "-3" => refused("NOT_ENOUGH_PARAMETERS"),
        /// `SYSTEM_FAILURE` (-2): the provider failed; on a payment or transfer the outcome
        /// is unknown.
        SystemFailure = "-2" => not_refused("SYSTEM_FAILURE"),
        /// `WRONG_OPERATION` (-1).
        WrongOperation = "-1" => refused("WRONG_OPERATION"),
        /// `OK` (0): success.
        Ok = "0" => not_refused("OK"),
        /// `WRONG_PASSWORD` (1).
        WrongPassword = "1" => credentials("WRONG_PASSWORD"),
        /// `LOGIN_ALREADY_EXISTS` (3).
        LoginAlreadyExists = "3" => refused("LOGIN_ALREADY_EXISTS"),
        /// `PHONE_ALREADY_REGISTERED` (4).
        PhoneAlreadyRegistered = "4" => refused("PHONE_ALREADY_REGISTERED"),
        /// `WRONG_EMAIL` (6).
        WrongEmail = "6" => refused("WRONG_EMAIL"),
        /// `WRONG_LOGIN_FORMAT` (7).
        WrongLoginFormat = "7" => credentials("WRONG_LOGIN_FORMAT"),
        /// `USER_NOT_FOUND` (8).
        UserNotFound = "8" => credentials("USER_NOT_FOUND"),
        /// `USER_BLOCKED` (9).
        UserBlocked = "9" => credentials("USER_BLOCKED"),
        /// `PHONE_NOT_FOUND_IN_DB` (10): the wallet (phone) is unknown.
        PhoneNotFoundInDb = "10" => refused("PHONE_NOT_FOUND_IN_DB"),
        /// `SERVICE_NOT_EXISTS` (11).
        ServiceNotExists = "11" => refused("SERVICE_NOT_EXISTS"),
        /// `SERVICE_TEMPORARILY_SUSPENDED` (12): a read answered so is asked again.
        ServiceTemporarilySuspended = "12" => temporary("SERVICE_TEMPORARILY_SUSPENDED"),
        /// `REQUISITE_NOT_FOUND` (13).
        RequisiteNotFound = "13" => refused("REQUISITE_NOT_FOUND"),
        /// `SERVICE_TEMPORARILY_UNAVAILABLE` (14): a read answered so is asked again.
        ServiceTemporarilyUnavailable = "14" => temporary("SERVICE_TEMPORARILY_UNAVAILABLE"),
        /// `INSUFFICIENT_FUNDS_FOR_OPERATION` (15).
        InsufficientFundsForOperation = "15" => refused("INSUFFICIENT_FUNDS_FOR_OPERATION"),
        /// `WRONG_DATE_FORMAT` (18).
        WrongDateFormat = "18" => refused("WRONG_DATE_FORMAT"),
        /// `USER_NOT_AUTHORIZED` (27): the token is no longer valid.
        UserNotAuthorized = "27" => credentials("USER_NOT_AUTHORIZED"),
        /// `DO_NOT_MATCH_PASSWORDS` (30).
        DoNotMatchPasswords = "30" => refused("DO_NOT_MATCH_PASSWORDS"),
        /// `PASSWORD_MUSTBE_MORE_THAN_6_SYMBOLS` (31).
        PasswordMustBeMoreThan6Symbols = "31" => refused("PASSWORD_MUSTBE_MORE_THAN_6_SYMBOLS"),
        /// `EMAIL_ALREADY_EXISTS` (33).
        EmailAlreadyExists = "33" => refused("EMAIL_ALREADY_EXISTS"),
    }
}

/// The name this type had before it became [`Code`]; kept so code written against it still
/// compiles. **Deprecated: use [`Code`].**
pub use Code as StatusCode;

impl Code {
    /// Every documented code (success included), in ascending numeric order.
    ///
    /// ```
    /// let all = mobilnik::Code::documented();
    /// assert_eq!(all.len(), 23);
    /// assert!(all.iter().all(|c| c.number().is_some()));
    /// ```
    pub fn documented() -> Vec<Code> {
        Code::ALL.to_vec()
    }

    /// The code for a number; numbers the document does not list are [`Code::Unknown`].
    ///
    /// ```
    /// use mobilnik::Code;
    /// assert_eq!(Code::from_number(-100), Code::WrongConfirmCode);
    /// assert_eq!(Code::from_number(2), Code::Unknown("2".into()));
    /// ```
    pub fn from_number(number: i64) -> Code {
        Code::from_raw(&number.to_string())
    }

    /// The number of the code (`None` for an unknown one that is not a number).
    ///
    /// ```
    /// use mobilnik::Code;
    /// assert_eq!(Code::UserNotAuthorized.number(), Some(27));
    /// assert_eq!(Code::Unknown("42".into()).number(), Some(42));
    /// assert_eq!(Code::Unknown("x".into()).number(), None);
    /// ```
    pub fn number(&self) -> Option<i64> {
        self.raw().parse().ok()
    }

    /// The document's name of the code (`"USER_NOT_AUTHORIZED"`), `"UNKNOWN"` for codes it
    /// does not list.
    ///
    /// ```
    /// assert_eq!(mobilnik::Code::WrongEmail.name(), "WRONG_EMAIL");
    /// assert_eq!(mobilnik::Code::Unknown("42".into()).name(), "UNKNOWN");
    /// ```
    pub fn name(&self) -> &'static str {
        self.facts().map_or("UNKNOWN", |f| f.name)
    }

    /// True only for `OK` (0). An unknown code is never success.
    ///
    /// ```
    /// assert!(mobilnik::Code::Ok.is_ok());
    /// assert!(!mobilnik::Code::Unknown("0.0".into()).is_ok());
    /// ```
    pub fn is_ok(&self) -> bool {
        matches!(self, Code::Ok)
    }

    /// True when the code says the request was refused, so nothing took effect: every
    /// documented error code except `SYSTEM_FAILURE`. False for `OK`, `SYSTEM_FAILURE` and
    /// unknown codes, which on a payment or a transfer do not tell whether money moved.
    ///
    /// ```
    /// use mobilnik::Code;
    /// assert!(Code::InsufficientFundsForOperation.is_refusal());
    /// assert!(!Code::SystemFailure.is_refusal());
    /// assert!(!Code::Unknown("99".into()).is_refusal());
    /// ```
    pub fn is_refusal(&self) -> bool {
        self.facts().is_some_and(|f| f.refusal)
    }

    /// True for codes that refuse the credentials on `authenticate`: `WRONG_PASSWORD`,
    /// `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND`, `USER_BLOCKED`, `USER_NOT_AUTHORIZED`.
    ///
    /// ```
    /// assert!(mobilnik::Code::UserBlocked.refuses_credentials());
    /// assert!(!mobilnik::Code::RequisiteNotFound.refuses_credentials());
    /// ```
    pub fn refuses_credentials(&self) -> bool {
        self.facts().is_some_and(|f| f.wrong_credentials)
    }

    /// True for the "temporarily" codes (12, 14): a read answered with one is asked again
    /// like a 503.
    ///
    /// ```
    /// assert!(mobilnik::Code::ServiceTemporarilySuspended.is_temporary());
    /// assert!(!mobilnik::Code::SystemFailure.is_temporary());
    /// ```
    pub fn is_temporary(&self) -> bool {
        self.facts().is_some_and(|f| f.temporary)
    }
}

impl ProviderCode for Code {
    fn raw(&self) -> String {
        Code::raw(self).to_owned()
    }

    /// `SYSTEM_FAILURE` and the "temporarily" codes: the same request may be sent later.
    fn is_retryable(&self) -> bool {
        matches!(self, Code::SystemFailure) || self.is_temporary()
    }

    fn is_definite_refusal(&self) -> bool {
        self.is_refusal()
    }

    /// `USER_NOT_AUTHORIZED` is the documented "token no longer valid" answer.
    fn refresh_helps(&self) -> bool {
        matches!(self, Code::UserNotAuthorized)
    }

    fn is_credentials(&self) -> bool {
        matches!(self, Code::UserNotAuthorized)
    }

    /// The default rule, and one case the table cannot say alone: `WRONG_PASSWORD`,
    /// `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND` and `USER_BLOCKED` refuse the credentials only
    /// when they answer `authenticate`; on another call they are plain refusals.
    fn disposition(&self, op: &Operation) -> Disposition {
        if op.effect == Effect::Auth && self.refuses_credentials() {
            return Disposition::Credentials;
        }
        if self.is_credentials() {
            return Disposition::Credentials;
        }
        if !op.effect.changes_state() || self.is_definite_refusal() {
            Disposition::Refused
        } else {
            Disposition::OutcomeUnknown
        }
    }
}

impl Serialize for Code {
    /// The wire number (an unknown code that is not a number is written as its text).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.number() {
            Some(n) => s.serialize_i64(n),
            None => s.serialize_str(self.raw()),
        }
    }
}

impl<'de> Deserialize<'de> for Code {
    /// Reads a number or a string holding one ([`kassa_core::lenient::code_text`]); a code
    /// the table does not list is kept as unknown text.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        kassa_core::lenient::code_text(d).map(|raw| Code::from_raw(&raw))
    }
}

/// The Mobilnik code an error carries, wherever it sits: on a refusal ([`Error::Rejected`],
/// [`Error::Auth`]) or as the cause of an [`Error::OutcomeUnknown`] (a `SYSTEM_FAILURE` or
/// unknown code answered to a payment or a transfer).
///
/// ```
/// use kassa_core::Error;
/// use mobilnik::{Code, code_of};
/// let err = Error::rejected("mobilnik", "payment", Some(200), Code::InsufficientFundsForOperation, "");
/// assert_eq!(code_of(&err), Some(&Code::InsufficientFundsForOperation));
/// assert_eq!(code_of(&Error::invalid("amount", "must be positive")), None);
/// ```
pub fn code_of(err: &Error) -> Option<&Code> {
    err.code_anywhere::<Code>()
}

/// The name [`code_of`] had before; kept so code written against it still compiles.
/// **Deprecated: use [`code_of`].**
///
/// ```
/// let err = kassa_core::Error::invalid("amount", "must be positive");
/// assert_eq!(mobilnik::status_code_of(&err), None);
/// ```
pub fn status_code_of(err: &Error) -> Option<&Code> {
    code_of(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROVIDER;

    #[test]
    fn the_table_round_trips() {
        for code in Code::documented() {
            let n = code.number().expect("documented codes have numbers");
            assert_eq!(Code::from_number(n), code);
            assert_eq!(Code::from_raw(&ProviderCode::raw(&code)), code);
            assert_ne!(code.name(), "UNKNOWN");
        }
        let numbers: Vec<i64> = Code::ALL.iter().filter_map(Code::number).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "ascending");
        let names: std::collections::BTreeSet<_> =
            Code::documented().iter().map(Code::name).collect();
        assert_eq!(names.len(), 23, "names are unique");
    }

    #[test]
    fn codes_read_from_numbers_and_strings() {
        let read = |s: &str| serde_json::from_str::<Code>(s).expect("reads");
        assert_eq!(read("27"), Code::UserNotAuthorized);
        assert_eq!(read("\"27\""), Code::UserNotAuthorized);
        assert_eq!(read("\" 27 \""), Code::UserNotAuthorized);
        assert_eq!(read("-100"), Code::WrongConfirmCode);
        assert_eq!(read("0.0"), Code::Unknown("0.0".into()));
        assert!(!read("0.0").is_ok(), "a fractional zero is not success");
        assert_eq!(read("\"E7\""), Code::Unknown("E7".into()));
        assert_eq!(read("99"), Code::Unknown("99".into()));
        assert!(serde_json::from_str::<Code>("true").is_err(), "not a code");
        assert!(serde_json::from_str::<Code>("null").is_err(), "not a code");
    }

    fn refusal(op: &Operation, code: Code, message: &str) -> Error {
        Error::from_code(op, Some(200), code, message)
    }

    #[test]
    fn codes_pick_the_error_kind() {
        let pay = Operation::new(PROVIDER, "payment", Effect::Once).advise("check the balance");
        let auth = Operation::new(PROVIDER, "authenticate", Effect::Auth);
        let read = Operation::new(PROVIDER, "service-list", Effect::Read);

        assert!(refusal(&pay, Code::UserNotAuthorized, "").is_auth());
        assert!(refusal(&auth, Code::WrongPassword, "").is_auth());
        assert!(!refusal(&read, Code::UserBlocked, "").is_auth());
        assert!(!refusal(&pay, Code::UserBlocked, "").is_auth());

        let funds = refusal(&pay, Code::InsufficientFundsForOperation, "");
        assert!(matches!(funds, Error::Rejected(_)));
        assert!(!funds.may_have_taken_effect());

        for code in [Code::SystemFailure, Code::Unknown("99".into())] {
            let err = refusal(&pay, code.clone(), "boom");
            assert!(err.may_have_taken_effect(), "{err}");
            assert_eq!(code_of(&err), Some(&code));
            assert_eq!(status_code_of(&err), Some(&code));
            assert!(err.to_string().contains("check the balance"), "{err}");
            let on_read = refusal(&read, code.clone(), "");
            assert!(matches!(on_read, Error::Rejected(_)));
            assert!(!on_read.may_have_taken_effect());
        }
        assert!(refusal(&read, Code::SystemFailure, "").is_retryable());
    }
}
