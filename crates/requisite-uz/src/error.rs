//! The provider's codes as one table: what each code means, what to do about it, and how it
//! counts for money safety.
//!
//! Every answer of this API comes with HTTP 200; the outcome is in the body's `status` and
//! `code`. kassa-core turns an error answer into a [`kassa_core::Error`] carrying a [`Code`]
//! ([`Error::from_code`]), by the flags of the code's [`Facts`]:
//!
//! | code | on balance, statement, services, payment-status | on payment, payment-budget |
//! |---|---|---|
//! | a definite refusal (1001, 1002, 1009, 1013-1017, 3333) | [`Error::Rejected`] | [`Error::Rejected`]: nothing was done, check the values |
//! | 1004 (user not found); 401/403 sent with HTTP 401/403 | [`Error::Auth`] | [`Error::Auth`]: the order was not created |
//! | 1111, 2222 (the document says to ask payment-status; a read answered 1111 is asked again first) | [`Error::Rejected`] | [`Error::OutcomeUnknown`], money may have moved |
//! | any code the table does not list | [`Error::Rejected`] | [`Error::OutcomeUnknown`] |
//!
//! An outcome-unknown names `payment-status` and the `orderId`: the order may exist, so it
//! must not be created again before payment-status answers 1008. [`code_of`] finds the code
//! in every case.
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

use kassa_core::{Error, ProviderCode};

/// What the table says of a code.
///
/// ```
/// let facts = requisite_uz::Code::AccountNotFound.facts().expect("listed");
/// assert!(facts.definite_refusal && !facts.money_may_have_moved);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// What the code means, in English.
    pub meaning: &'static str,
    /// What to do, as the document says (or, where it is silent, what is safe).
    pub action: &'static str,
    /// The request was refused and certainly had no effect.
    pub definite_refusal: bool,
    /// The credentials were refused ([`Error::Auth`]).
    pub credentials: bool,
    /// The document says to ask payment-status: the order may exist.
    pub money_may_have_moved: bool,
}

const CHECK_VALUES: &str = "nothing was done: check the values and try again";
const ASK_STATUS: &str =
    "do not create the payment again: ask payment-status with the same orderId";
const CHECK_CREDENTIALS: &str = "check the username and password of the client";

/// A refusal that did nothing.
const fn refused(meaning: &'static str, action: &'static str) -> Facts {
    Facts {
        meaning,
        action,
        definite_refusal: true,
        credentials: false,
        money_may_have_moved: false,
    }
}

/// A refusal of the credentials.
const fn credentials(meaning: &'static str) -> Facts {
    Facts {
        credentials: true,
        ..refused(meaning, CHECK_CREDENTIALS)
    }
}

/// A failure after which the order may exist.
const fn unclear(meaning: &'static str) -> Facts {
    Facts {
        meaning,
        action: ASK_STATUS,
        definite_refusal: false,
        credentials: false,
        money_may_have_moved: true,
    }
}

kassa_core::code_catalogue! {
    /// A code from the `code` field of an answer.
    ///
    /// The document's lists are open ("1111 – Системная ошибка ..."), so codes it does not
    /// name are kept as [`Code::Unknown`] with the text as it came (empty when the answer
    /// had none).
    pub enum Code: Facts {
        /// 1001 «Сервис не найден»: the service is not found (balance, statement).
        ServiceNotFound = "1001" => refused("service not found", "check serviceId against the services list"),
        /// 1002 «Настройки для сервиса отсутствуют»: the service has no settings (balance, statement).
        ServiceSettingsMissing = "1002" => refused("the service has no settings", "ask the bank to configure the service"),
        /// 1004 «Пользователь не найден»: the user is not found (balance, statement).
        UserNotFound = "1004" => credentials("user not found"),
        /// 1008 «Не удалось получить данные»: payment-status knows no order with this `orderId`.
        /// Only this answer allows creating the payment again, with the same `orderId`.
        /// Not a definite refusal: it answers payment-status, and on a payment it would be
        /// unexplained.
        NoData = "1008" => Facts {
            definite_refusal: false,
            ..refused("no data: no order with this orderId", "the order does not exist: the payment may be created again with the same orderId")
        },
        /// 1009 «Нет доступа для метода»: no access to the method (balance, statement).
        NoAccess = "1009" => refused("no access to this method", "ask the bank to grant access to this method"),
        /// 1013 «Счёт не найден»: the account is not found.
        AccountNotFound = "1013" => refused("account not found", CHECK_VALUES),
        /// 1014 «Банк получателя не является участником СМП»: the receiver's bank is not a
        /// member of the instant payment system.
        BankNotInInstantPayments = "1014" => refused("the receiver's bank is not a member of the instant payment system (SMP)", CHECK_VALUES),
        /// 1015 «Поле Наименование получателя содержит непечатаемые символы»: `receiverName`
        /// holds non-printable characters.
        ReceiverNameUnprintable = "1015" => refused("receiverName holds non-printable characters", CHECK_VALUES),
        /// 1016 «Поле Назначение платежа содержит непечатаемые символы»: `purpose` holds
        /// non-printable characters.
        PurposeUnprintable = "1016" => refused("purpose holds non-printable characters", CHECK_VALUES),
        /// 1017 «Отсутствуют обязательные поля»: required fields are missing.
        MissingRequiredFields = "1017" => refused("required fields are missing", CHECK_VALUES),
        /// 1111 «Системная ошибка»: system error while creating a payment; the outcome is
        /// unknown. On a read it means "temporarily unavailable": the client asks again.
        SystemError = "1111" => unclear("system error"),
        /// 2222 «Критическая ошибка»: critical error while creating a payment; the outcome is unknown.
        CriticalError = "2222" => unclear("critical error"),
        /// 3333 «Дата документа не может быть меньше даты операционного дня»: the document date
        /// is before the bank's operational day.
        DocumentDateBeforeOperationalDay = "3333" => refused("the document date is before the bank's operational day", CHECK_VALUES),
        /// `401` written in the body of an HTTP 401 answer («Unauthorized»), as the bank's
        /// gateway refuses bad credentials (not in the document). With any other HTTP status
        /// the code is kept as [`Code::Unknown`].
        Unauthorized = "401" => credentials("unauthorized: the credentials were refused"),
        /// `403` written in the body of an HTTP 403 answer (not in the document); as
        /// [`Code::Unauthorized`].
        Forbidden = "403" => credentials("forbidden: the credentials were refused"),
    }
}

impl Code {
    /// Every code the document lists (the table less the HTTP credentials codes), in
    /// numeric order.
    ///
    /// ```
    /// assert_eq!(requisite_uz::Code::DOCUMENTED.len(), 13);
    /// ```
    pub const DOCUMENTED: &'static [Code] = Code::ALL.split_at(13).0;

    /// What the code means, in English.
    ///
    /// ```
    /// assert_eq!(requisite_uz::Code::NoData.meaning(), "no data: no order with this orderId");
    /// ```
    pub fn meaning(&self) -> &'static str {
        self.facts()
            .map_or("a code the document does not list", |f| f.meaning)
    }

    /// What to do, as the document says (or, where it is silent, what is safe).
    ///
    /// ```
    /// let action = requisite_uz::Code::SystemError.action();
    /// assert!(action.contains("payment-status") && action.contains("do not create"));
    /// ```
    pub fn action(&self) -> &'static str {
        self.facts().map_or(
            "undocumented: keep the code and ask the bank; after a payment, ask payment-status before anything else",
            |f| f.action,
        )
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
        self.facts().is_some_and(|f| f.definite_refusal)
    }
}

impl ProviderCode for Code {
    fn raw(&self) -> String {
        Code::raw(self).to_owned()
    }

    /// 1111 and 2222: the document says to ask payment-status, so the order may exist.
    fn may_have_taken_effect(&self) -> bool {
        self.facts().is_some_and(|f| f.money_may_have_moved)
    }

    fn is_definite_refusal(&self) -> bool {
        Code::is_definite_refusal(self)
    }

    fn is_credentials(&self) -> bool {
        self.facts().is_some_and(|f| f.credentials)
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
    err.code_anywhere::<Code>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_raw_text() {
        for code in Code::ALL {
            assert_eq!(&Code::from_raw(code.raw()), code);
            assert!(!code.meaning().is_empty() && !code.action().is_empty());
            assert_eq!(code.to_string(), code.raw());
        }
        assert_eq!(Code::DOCUMENTED.len(), 13);
        assert!(
            Code::DOCUMENTED
                .iter()
                .all(|c| c.raw().len() == 4 && c.raw().bytes().all(|b| b.is_ascii_digit())),
            "only the document's four-digit codes are documented"
        );
        assert_eq!(Code::Unknown(String::new()).raw(), "");
    }

    #[test]
    fn only_system_and_critical_errors_may_have_moved_money() {
        let moving: Vec<&Code> = Code::ALL
            .iter()
            .filter(|c| c.may_have_taken_effect())
            .collect();
        assert_eq!(moving, [&Code::SystemError, &Code::CriticalError]);
        assert!(
            Code::ALL
                .iter()
                .all(|c| !(c.may_have_taken_effect() && c.is_definite_refusal()))
        );
        assert!(!Code::Unknown("9".into()).is_retryable());
        let credentials: Vec<&Code> = Code::ALL.iter().filter(|c| c.is_credentials()).collect();
        assert_eq!(
            credentials,
            [&Code::UserNotFound, &Code::Unauthorized, &Code::Forbidden]
        );
    }
}
