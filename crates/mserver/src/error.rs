//! mserver's `meta.error` codes, written once in a [`kassa_core::code_catalogue!`] table.
//! Codes the table does not list are kept as [`Code::Unknown`].
//!
//! | HTTP | code | error |
//! |---|---|---|
//! | 401 | `wallet_not_active`, `wallet_disabled`, `reset_password` (or none) | [`Error::Auth`] |
//! | 403 | `insufficient_scope` (the scope in `meta.details`) | [`Error::Auth`], the message names the scope |
//! | 422 | validation codes | [`Error::Rejected`], the message names the field |
//! | 404 | `wallet_not_found` (or none) | [`Error::Rejected`] |
//!
//! ```
//! use mserver::Code;
//! assert_eq!(Code::from_raw("invalid_phone"), Code::InvalidPhone);
//! assert_eq!(Code::InvalidPhone.field(), Some("phone"));
//! assert_eq!(Code::from_raw("brand_new"), Code::Unknown("brand_new".into()));
//! ```

use kassa_core::{Error, ProviderCode};

/// What the catalogue says of one code.
///
/// ```
/// let f = mserver::Code::WalletDisabled.facts().expect("listed");
/// assert_eq!(f.status, 401);
/// assert!(f.credentials);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The HTTP status the code comes with.
    pub status: u16,
    /// What it means.
    pub meaning: &'static str,
    /// The request field it names, for validation codes.
    pub field: Option<&'static str>,
    /// The credentials (or their scope) were refused: nothing was done.
    pub credentials: bool,
}

const fn invalid(field: &'static str, meaning: &'static str) -> Facts {
    Facts {
        status: 422,
        meaning,
        field: Some(field),
        credentials: false,
    }
}

const fn refused(status: u16, meaning: &'static str) -> Facts {
    Facts {
        status,
        meaning,
        field: None,
        credentials: false,
    }
}

const fn credentials(status: u16, meaning: &'static str) -> Facts {
    Facts {
        status,
        meaning,
        field: None,
        credentials: true,
    }
}

kassa_core::code_catalogue! {
    /// One value of `meta.error`, as the document and the provider notes name them.
    ///
    /// ```
    /// assert_eq!(mserver::Code::InsufficientScope.raw(), "insufficient_scope");
    /// ```
    pub enum Code: Facts {
        /// `wallet_not_found`: no wallet with this phone.
        WalletNotFound = "wallet_not_found" => refused(404, "the wallet does not exist"),
        /// `missing_phone`.
        MissingPhone = "missing_phone" => invalid("phone", "the phone is missing"),
        /// `invalid_phone`: not in international format.
        InvalidPhone = "invalid_phone" => invalid("phone", "the phone must be in international format"),
        /// `missing_password`.
        MissingPassword = "missing_password" => invalid("password", "the password is missing"),
        /// `invalid_password`: shorter than 6 characters.
        InvalidPassword = "invalid_password" => invalid("password", "the password must have 6 characters or more"),
        /// `phone_already_exists`.
        PhoneAlreadyExists = "phone_already_exists" => invalid("phone", "a wallet with this phone exists"),
        /// `already_active`.
        AlreadyActive = "already_active" => invalid("phone", "the wallet is already active"),
        /// `missing_code`.
        MissingCode = "missing_code" => invalid("code", "the SMS code is missing"),
        /// `invalid_code`.
        InvalidCode = "invalid_code" => invalid("code", "the SMS code is wrong"),
        /// `code_expired`: codes live 15 minutes.
        CodeExpired = "code_expired" => invalid("code", "the SMS code expired (15 minutes)"),
        /// `failure_limit_exceeded`: 5 wrong codes.
        FailureLimitExceeded = "failure_limit_exceeded" => invalid("code", "too many wrong codes (5)"),
        /// `resend_limit_exceeded`: 5 SMS sent.
        ResendLimitExceeded = "resend_limit_exceeded" => invalid("phone", "too many SMS sent (5)"),
        /// `wallet_not_active` (401).
        WalletNotActive = "wallet_not_active" => credentials(401, "the wallet is not activated"),
        /// `wallet_disabled` (401).
        WalletDisabled = "wallet_disabled" => credentials(401, "the wallet is disabled"),
        /// `reset_password` (401): the password must be reset.
        ResetPassword = "reset_password" => credentials(401, "the password must be reset"),
        /// `insufficient_scope` (403): the token lacks the scope in `meta.details`.
        InsufficientScope = "insufficient_scope" => credentials(403, "the token lacks a scope"),
        /// `unauthorized`: the token service refused the client credentials.
        Unauthorized = "unauthorized" => credentials(401, "the credentials are refused"),
        /// `invalid_client`: the token service refused the client credentials.
        InvalidClient = "invalid_client" => credentials(401, "the client credentials are refused"),
    }
}

impl Code {
    /// The request field a validation code names (`invalid_phone` → `phone`).
    ///
    /// ```
    /// assert_eq!(mserver::Code::CodeExpired.field(), Some("code"));
    /// assert_eq!(mserver::Code::WalletDisabled.field(), None);
    /// ```
    pub fn field(&self) -> Option<&'static str> {
        self.facts().and_then(|f| f.field)
    }
}

impl ProviderCode for Code {
    fn raw(&self) -> String {
        Code::raw(self).to_owned()
    }

    /// Every listed code refuses the request (the API has no "maybe" code).
    fn is_definite_refusal(&self) -> bool {
        self.facts().is_some()
    }

    fn is_credentials(&self) -> bool {
        self.facts().is_some_and(|f| f.credentials)
    }
}

/// The mserver code an error carries, wherever it sits.
///
/// ```
/// use mserver::{Code, code_of};
/// let err = kassa_core::Error::rejected("mserver", "get-wallet", Some(404), Code::WalletNotFound, "");
/// assert_eq!(code_of(&err), Some(&Code::WalletNotFound));
/// ```
pub fn code_of(err: &Error) -> Option<&Code> {
    err.code_anywhere::<Code>()
}
