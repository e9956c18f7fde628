//! The provider's codes, typed: what each documented code means and what the document says
//! to do about it.
//!
//! Every answer of this API comes with HTTP 200; the outcome is in the body's `status` and
//! `code`. The client turns an error answer into a [`kassa_core::Error`] carrying a [`Code`]:
//!
//! - a refusal the document lists (1013, 1014, ...) is [`Error::Rejected`]: nothing was done,
//!   check the values and try again;
//! - 1004 (user not found) is [`Error::Auth`]: the credentials name no user;
//! - on payment creation, 1111, 2222 and any code the document does not list are
//!   [`Error::OutcomeUnknown`] naming `payment-status` and the `orderId`: the order may exist,
//!   so it must not be created again before payment-status answers 1008.
//!
//! [`code_of`] finds the code in all three cases.
//!
//! ```
//! use kassa_core::ProviderCode;
//! use requisite_uz::Code;
//!
//! let code = Code::from_raw("1013");
//! assert_eq!(code, Code::AccountNotFound);
//! assert_eq!(code.raw(), "1013");
//! assert!(code.action().contains("check the values"));
//! assert!(!code.may_have_taken_effect());
//! assert!(Code::from_raw("2222").may_have_taken_effect());
//! assert_eq!(Code::from_raw("4242"), Code::Unknown("4242".into()));
//! ```

use std::fmt;

use kassa_core::{Error, ProviderCode};

/// A code from the `code` field of an answer.
///
/// The document's lists are open ("1111 – Системная ошибка ..."), so codes it does not name
/// are kept as [`Code::Unknown`] with the text as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Code {
    /// 1001 «Сервис не найден»: the service is not found (balance, statement).
    ServiceNotFound,
    /// 1002 «Настройки для сервиса отсутствуют»: the service has no settings (balance, statement).
    ServiceSettingsMissing,
    /// 1004 «Пользователь не найден»: the user is not found (balance, statement).
    UserNotFound,
    /// 1008 «Не удалось получить данные»: payment-status knows no order with this `orderId`.
    /// Only this answer allows creating the payment again, with the same `orderId`.
    NoData,
    /// 1009 «Нет доступа для метода»: no access to the method (balance, statement).
    NoAccess,
    /// 1013 «Счёт не найден»: the account is not found.
    AccountNotFound,
    /// 1014 «Банк получателя не является участником СМП»: the receiver's bank is not a
    /// member of the instant payment system.
    BankNotInInstantPayments,
    /// 1015 «Поле Наименование получателя содержит непечатаемые символы»: `receiverName`
    /// holds non-printable characters.
    ReceiverNameUnprintable,
    /// 1016 «Поле Назначение платежа содержит непечатаемые символы»: `purpose` holds
    /// non-printable characters.
    PurposeUnprintable,
    /// 1017 «Отсутствуют обязательные поля»: required fields are missing.
    MissingRequiredFields,
    /// 1111 «Системная ошибка»: system error while creating a payment; the outcome is unknown.
    SystemError,
    /// 2222 «Критическая ошибка»: critical error while creating a payment; the outcome is unknown.
    CriticalError,
    /// 3333 «Дата документа не может быть меньше даты операционного дня»: the document date
    /// is before the bank's operational day.
    DocumentDateBeforeOperationalDay,
    /// A code the document does not list, exactly as it came (empty when the answer had none).
    Unknown(String),
}

impl Code {
    /// Every documented code, in numeric order.
    ///
    /// ```
    /// assert_eq!(requisite_uz::Code::DOCUMENTED.len(), 13);
    /// ```
    pub const DOCUMENTED: [Code; 13] = [
        Code::ServiceNotFound,
        Code::ServiceSettingsMissing,
        Code::UserNotFound,
        Code::NoData,
        Code::NoAccess,
        Code::AccountNotFound,
        Code::BankNotInInstantPayments,
        Code::ReceiverNameUnprintable,
        Code::PurposeUnprintable,
        Code::MissingRequiredFields,
        Code::SystemError,
        Code::CriticalError,
        Code::DocumentDateBeforeOperationalDay,
    ];

    /// Reads a code as it came on the wire (`"1013"`, surrounding spaces ignored).
    ///
    /// ```
    /// assert_eq!(requisite_uz::Code::from_raw(" 1008 "), requisite_uz::Code::NoData);
    /// ```
    pub fn from_raw(raw: &str) -> Code {
        match raw.trim() {
            "1001" => Code::ServiceNotFound,
            "1002" => Code::ServiceSettingsMissing,
            "1004" => Code::UserNotFound,
            "1008" => Code::NoData,
            "1009" => Code::NoAccess,
            "1013" => Code::AccountNotFound,
            "1014" => Code::BankNotInInstantPayments,
            "1015" => Code::ReceiverNameUnprintable,
            "1016" => Code::PurposeUnprintable,
            "1017" => Code::MissingRequiredFields,
            "1111" => Code::SystemError,
            "2222" => Code::CriticalError,
            "3333" => Code::DocumentDateBeforeOperationalDay,
            _ => Code::Unknown(raw.to_owned()),
        }
    }

    /// What the code means, in English.
    ///
    /// ```
    /// assert_eq!(requisite_uz::Code::NoData.meaning(), "no data: no order with this orderId");
    /// ```
    pub fn meaning(&self) -> &'static str {
        match self {
            Code::ServiceNotFound => "service not found",
            Code::ServiceSettingsMissing => "the service has no settings",
            Code::UserNotFound => "user not found",
            Code::NoData => "no data: no order with this orderId",
            Code::NoAccess => "no access to this method",
            Code::AccountNotFound => "account not found",
            Code::BankNotInInstantPayments => {
                "the receiver's bank is not a member of the instant payment system (SMP)"
            }
            Code::ReceiverNameUnprintable => "receiverName holds non-printable characters",
            Code::PurposeUnprintable => "purpose holds non-printable characters",
            Code::MissingRequiredFields => "required fields are missing",
            Code::SystemError => "system error",
            Code::CriticalError => "critical error",
            Code::DocumentDateBeforeOperationalDay => {
                "the document date is before the bank's operational day"
            }
            Code::Unknown(_) => "a code the document does not list",
        }
    }

    /// What to do, as the document says (or, where it is silent, what is safe).
    ///
    /// ```
    /// let action = requisite_uz::Code::SystemError.action();
    /// assert!(action.contains("payment-status") && action.contains("do not create"));
    /// ```
    pub fn action(&self) -> &'static str {
        match self {
            Code::AccountNotFound
            | Code::BankNotInInstantPayments
            | Code::ReceiverNameUnprintable
            | Code::PurposeUnprintable
            | Code::MissingRequiredFields
            | Code::DocumentDateBeforeOperationalDay => {
                "nothing was done: check the values and try again"
            }
            Code::SystemError | Code::CriticalError => {
                "do not create the payment again: ask payment-status with the same orderId"
            }
            Code::NoData => {
                "the order does not exist: the payment may be created again with the same orderId"
            }
            Code::ServiceNotFound => "check serviceId against the services list",
            Code::ServiceSettingsMissing => "ask the bank to configure the service",
            Code::UserNotFound => "check the username and password of the client",
            Code::NoAccess => "ask the bank to grant access to this method",
            Code::Unknown(_) => {
                "undocumented: keep the code and ask the bank; after a payment, ask payment-status before anything else"
            }
        }
    }

    /// True for the codes after which a payment must be created again only with a new
    /// request that fixes the values: the definite refusals of payment creation (1013-1017,
    /// 3333) and the access and configuration refusals (1001, 1002, 1004, 1009).
    ///
    /// ```
    /// use requisite_uz::Code;
    /// assert!(Code::AccountNotFound.is_definite_refusal());
    /// assert!(!Code::SystemError.is_definite_refusal());
    /// assert!(!Code::Unknown("7".into()).is_definite_refusal());
    /// ```
    pub fn is_definite_refusal(&self) -> bool {
        matches!(
            self,
            Code::AccountNotFound
                | Code::BankNotInInstantPayments
                | Code::ReceiverNameUnprintable
                | Code::PurposeUnprintable
                | Code::MissingRequiredFields
                | Code::DocumentDateBeforeOperationalDay
                | Code::ServiceNotFound
                | Code::ServiceSettingsMissing
                | Code::UserNotFound
                | Code::NoAccess
        )
    }
}

impl fmt::Display for Code {
    /// `1013 (account not found)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Unknown(raw) if raw.is_empty() => f.write_str("no code"),
            _ => write!(f, "{} ({})", self.raw(), self.meaning()),
        }
    }
}

impl ProviderCode for Code {
    fn raw(&self) -> String {
        let n = match self {
            Code::ServiceNotFound => 1001,
            Code::ServiceSettingsMissing => 1002,
            Code::UserNotFound => 1004,
            Code::NoData => 1008,
            Code::NoAccess => 1009,
            Code::AccountNotFound => 1013,
            Code::BankNotInInstantPayments => 1014,
            Code::ReceiverNameUnprintable => 1015,
            Code::PurposeUnprintable => 1016,
            Code::MissingRequiredFields => 1017,
            Code::SystemError => 1111,
            Code::CriticalError => 2222,
            Code::DocumentDateBeforeOperationalDay => 3333,
            Code::Unknown(raw) => return raw.clone(),
        };
        n.to_string()
    }

    /// 1111 and 2222: the document says to ask payment-status, so the order may exist.
    fn may_have_taken_effect(&self) -> bool {
        matches!(self, Code::SystemError | Code::CriticalError)
    }
}

/// The provider code behind an error, wherever the client put it: in a refusal
/// ([`Error::Rejected`], [`Error::Auth`]) or as the cause of an [`Error::OutcomeUnknown`]
/// (1111, 2222 or an undocumented code on payment creation).
///
/// ```
/// use kassa_core::Error;
/// use requisite_uz::{code_of, Code};
///
/// let refused = Error::rejected("requisite-uz", "payment", Some(200), Code::AccountNotFound, "Счёт не найден");
/// assert_eq!(code_of(&refused), Some(&Code::AccountNotFound));
/// assert_eq!(code_of(&Error::invalid("mfoReceiver", "5 digits")), None);
/// ```
pub fn code_of(err: &Error) -> Option<&Code> {
    if let Some(code) = err.code::<Code>() {
        return Some(code);
    }
    let unknown = err.outcome_unknown()?;
    let source: &(dyn std::error::Error + 'static) = unknown.source.as_deref()?;
    source.downcast_ref::<Error>()?.code::<Code>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips_through_its_raw_text() {
        for code in Code::DOCUMENTED {
            assert_eq!(Code::from_raw(&code.raw()), code);
            assert!(!code.meaning().is_empty());
            assert!(code.to_string().starts_with(&code.raw()));
        }
        assert_eq!(Code::Unknown(String::new()).to_string(), "no code");
    }

    #[test]
    fn only_system_and_critical_errors_may_have_moved_money() {
        let moving: Vec<Code> = Code::DOCUMENTED
            .into_iter()
            .filter(|c| c.may_have_taken_effect())
            .collect();
        assert_eq!(moving, vec![Code::SystemError, Code::CriticalError]);
        assert!(!Code::Unknown("9".into()).is_retryable());
    }
}
