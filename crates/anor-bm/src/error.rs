//! The error catalogue of the document (section "Ошибки") as one table, and the shapes in
//! which the bank reports a refusal.
//!
//! Every `detail` code of the catalogue is a [`Code`] variant whose [`Facts`] hold its HTTP
//! status, its uz/en/ru titles, copied exactly (typos included), and what it says about the
//! money. A code the catalogue does not list is kept as it came in [`Code::Unknown`].
//!
//! What a code becomes is decided by kassa-core ([`kassa_core::ProviderCode::disposition`])
//! from the table's flags and the operation:
//!
//! | code | on a read (`status`, `get-user-cards`) | on a call that changes state |
//! |---|---|---|
//! | `bad_credentials`, `invalid_password` | [`kassa_core::Error::Auth`]: a fresh token, sent once more | the same |
//! | `timeout`, `billing_error_need_reverse`, `billing_error_will_reverse` | [`kassa_core::Error::Rejected`] | [`kassa_core::Error::OutcomeUnknown`] naming `status` (any HTTP status) |
//! | `internal_error`, `unknown_error`, codes the table does not list | [`kassa_core::Error::Rejected`] | [`kassa_core::Error::OutcomeUnknown`] naming `status` |
//! | every other code (`activation_code_sent` included: a wrong OTP) | [`kassa_core::Error::Rejected`] | [`kassa_core::Error::Rejected`] |
//!
//! ```
//! use anor_bm::Code;
//! use kassa_core::ProviderCode;
//!
//! let code = Code::from_raw("billing_error_need_reverse");
//! assert_eq!(code, Code::BillingErrorNeedReverse);
//! assert_eq!(code.http_status(), Some(500));
//! assert_eq!(code.titles().map(|t| t.en), Some("Payment in billing failed, payment should be canceled"));
//! assert!(code.may_have_taken_effect(), "money may have moved: reverse or ask status");
//!
//! let new = Code::from_raw("brand_new_code");
//! assert_eq!(new, Code::Unknown("brand_new_code".into()));
//! assert!(!new.may_have_taken_effect());
//! ```

use kassa_core::{Error, ProviderCode};
use serde::{Deserialize, Serialize};

/// A code's titles in the three languages of the catalogue.
///
/// ```
/// let t = anor_bm::Code::BillNotFound.titles().expect("in the catalogue");
/// assert_eq!((t.uz, t.en, t.ru), ("Chek topilmadi", "Cheque not found", "Чек не найден"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Titles {
    /// Uzbek.
    pub uz: &'static str,
    /// English.
    pub en: &'static str,
    /// Russian (the catalogue's `title`).
    pub ru: &'static str,
}

/// What the catalogue says of a code: its HTTP status, its titles, and what it says about
/// the money (the flags kassa-core's money-safety rule reads).
///
/// ```
/// let f = anor_bm::Code::Timeout.facts().expect("in the catalogue");
/// assert_eq!(f.http_status, 500);
/// assert!(f.money_may_have_moved && !f.definite_refusal && !f.credentials);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The HTTP status the catalogue gives the code.
    pub http_status: u16,
    /// The uz/en/ru titles.
    pub titles: Titles,
    /// The request was refused and certainly had no effect.
    pub definite_refusal: bool,
    /// The credentials or the token were refused: a fresh token may help.
    pub credentials: bool,
    /// The bank may hold or have moved the money: ask `status`.
    pub money_may_have_moved: bool,
}

const fn facts(
    http_status: u16,
    (definite_refusal, credentials, money_may_have_moved): (bool, bool, bool),
    titles: Titles,
) -> Facts {
    Facts {
        http_status,
        titles,
        definite_refusal,
        credentials,
        money_may_have_moved,
    }
}

/// A code that refuses the request: nothing took effect.
const fn refusal(http_status: u16, uz: &'static str, en: &'static str, ru: &'static str) -> Facts {
    facts(http_status, (true, false, false), Titles { uz, en, ru })
}

/// A code that refuses the credentials or the token.
const fn credentials(
    http_status: u16,
    uz: &'static str,
    en: &'static str,
    ru: &'static str,
) -> Facts {
    facts(http_status, (true, true, false), Titles { uz, en, ru })
}

/// A code after which the money may have moved.
const fn money_moved(
    http_status: u16,
    uz: &'static str,
    en: &'static str,
    ru: &'static str,
) -> Facts {
    facts(http_status, (false, false, true), Titles { uz, en, ru })
}

/// A server-side code that says neither that nothing moved nor that money did.
const fn unclear(http_status: u16, uz: &'static str, en: &'static str, ru: &'static str) -> Facts {
    facts(http_status, (false, false, false), Titles { uz, en, ru })
}

kassa_core::code_catalogue! {
    /// A `detail` code of the bank's error catalogue.
    ///
    /// ```
    /// use anor_bm::Code;
    /// assert_eq!(Code::InsufficientFunds.raw(), "insufficient_funds");
    /// assert_eq!(Code::ALL.len(), 47);
    /// assert_eq!(Code::from_raw("timeout"), Code::Timeout);
    /// assert_eq!(Code::Unknown("x_y".into()).raw(), "x_y");
    /// ```
    pub enum Code: Facts {
        /// `parse_error` (HTTP 400): Invalid JSON was received by the server.
        ParseError = "parse_error" => refusal(400, "Yaroqsiz JSON server tomonidan qabul qilindi", "Invalid JSON was received by the server", "Недействительный JSON был получен сервером"),
        /// `bad_credentials` (HTTP 401): Incorrect login or password.
        BadCredentials = "bad_credentials" => credentials(401, "Noto'g'ri login yoki parol", "Incorrect login or password", "Неверный логин или пароль"),
        /// `phone_exists` (HTTP 400): Phone number already registered.
        PhoneExists = "phone_exists" => refusal(400, "Telefon raqami allaqachon qayd etilgan", "Phone number already registered", "Номер телефона уже зарегистрирован"),
        /// `invalid_request` (HTTP 400): Invalid request.
        InvalidRequest = "invalid_request" => refusal(400, "Noto'g'ri so'rov", "Invalid request", "Неверный запрос"),
        /// `limit_exceeded` (HTTP 400): Exceeded allowed limit.
        LimitExceeded = "limit_exceeded" => refusal(400, "Ruxsat berilgan chegaradan oshib ketdi", "Exceeded allowed limit", "Превышен допустимый лимит"),
        /// `invalid_password` (HTTP 401): Invalid password.
        InvalidPassword = "invalid_password" => credentials(401, "Parol noto'g'ri", "Invalid password", "Не верный пароль"),
        /// `invalid_params` (HTTP 400): Invalid params given.
        InvalidParams = "invalid_params" => refusal(400, "Noto'g'ri parametrlar berilgan", "Invalid params given", "Не правильные параметры"),
        /// `invalid_rsa_message` (HTTP 400): Invalid RSA message.
        InvalidRsaMessage = "invalid_rsa_message" => refusal(400, "Noto'g'ri RSA xabar", "Invalid RSA message", "Invalid RSA message"),
        /// `object_not_found` (HTTP 404): Object not found.
        ObjectNotFound = "object_not_found" => refusal(404, "Ob'ekt topilmadi", "Object not found", "Объект не найден"),
        /// `not_found` (HTTP 404): Not found.
        NotFound = "not_found" => refusal(404, "Topilmadi", "Not found", "Не найден"),
        /// `not_implemented` (HTTP 500): Not implemented.
        NotImplemented = "not_implemented" => refusal(500, "Amalda emas", "Not implemented", "Не реализован"),
        /// `bill_not_found` (HTTP 400): Cheque not found.
        BillNotFound = "bill_not_found" => refusal(400, "Chek topilmadi", "Cheque not found", "Чек не найден"),
        /// `service_not_found` (HTTP 400): Service not found.
        ServiceNotFound = "service_not_found" => refusal(400, "Xizmat topilmadi", "Service not found", "Сервис не найден"),
        /// `service_not_active` (HTTP 400): Service not active.
        ServiceNotActive = "service_not_active" => refusal(400, "Xizmat faol emas", "Service not active", "Сервис не активен"),
        /// `debit_error` (HTTP 500): Payment to the PC did not pass.
        DebitError = "debit_error" => refusal(500, "PM da to'lov amalga oshmadi", "Payment to the PC did not pass", "Оплата в ПЦ не прошла"),
        /// `billing_error` (HTTP 500): Payment in billing has not passed.
        BillingError = "billing_error" => refusal(500, "Billingda to'lov amalga oshmadi", "Payment in billing has not passed", "Оплата в биллинг не прошла"),
        /// `billing_error_reversed` (HTTP 500): Payment in billing failed, payment canceled.
        BillingErrorReversed = "billing_error_reversed" => refusal(500, "Billing orqali to'lov amalga oshmadi, to'lov bekor qilindi", "Payment in billing failed, payment canceled", "Оплата в биллинг не прошла, оплата отменена"),
        /// `billing_error_will_reverse` (HTTP 500): Payment in billing failed, payment will be canceled.
        BillingErrorWillReverse = "billing_error_will_reverse" => money_moved(500, "Billingni to'lashda to'lov amalga oshmadi, to'lov bekor qilinadi", "Payment in billing failed, payment will be canceled", "Оплата в биллинг не прошла, оплата будет отменена"),
        /// `billing_error_need_reverse` (HTTP 500): Payment in billing failed, payment should be canceled.
        BillingErrorNeedReverse = "billing_error_need_reverse" => money_moved(500, "To'lovni amalga oshirishda to'lov amalga oshmadi, to'lovni bekor qilish kerak", "Payment in billing failed, payment should be canceled", "Оплата в биллинг не прошла, оплату нужно отменить"),
        /// `card_not_found` (HTTP 400): Card not found.
        CardNotFound = "card_not_found" => refusal(400, "Karta topilmadi", "Card not found", "Карта не найдена"),
        /// `card_not_active` (HTTP 400): Card not activated.
        CardNotActive = "card_not_active" => refusal(400, "Karta faollashtirilmagan", "Card not activated", "Карта не активирована"),
        /// `card_not_valid` (HTTP 400): Card not valid.
        CardNotValid = "card_not_valid" => refusal(400, "Karta amalda emas", "Card not valid", "Карта не валидна"),
        /// `username_not_found` (HTTP 400): User not found.
        UsernameNotFound = "username_not_found" => refusal(400, "Foydalanuvchining topilmadi", "User not found", "Пользователь не найден"),
        /// `username_exists` (HTTP 400): Username already registered.
        UsernameExists = "username_exists" => refusal(400, "Foydalanuvchi nomi allaqachon ro'yxatga olingan", "Username already registered", "Имя пользователя уже зарегистрирован"),
        /// `not_card_owner` (HTTP 400): Not card owner.
        NotCardOwner = "not_card_owner" => refusal(400, "Karta egasi emas", "Not card owner", "Не владелец карты"),
        /// `not_card_owner_sms_sent` (HTTP 400): Not card owner, sms with code sent.
        NotCardOwnerSmsSent = "not_card_owner_sms_sent" => refusal(400, "Karta egasi emas, sms kodi yuborildi", "Not card owner, sms with code sent", "Не владелец карты, смс с кодом отправлен"),
        /// `bank_not_supported` (HTTP 400): Bank not supported.
        BankNotSupported = "bank_not_supported" => refusal(400, "Bank qo'llab-quvvatlanmaydi", "Bank not supported", "Банк не поддерживается"),
        /// `bill_not_valid` (HTTP 400): Not a valid check.
        BillNotValid = "bill_not_valid" => refusal(400, "Joriy chek emas", "Not a valid check", "Не валидный чек"),
        /// `p2p_request_not_valid` (HTTP 400): Not valid p2p request.
        P2pRequestNotValid = "p2p_request_not_valid" => refusal(400, "P2p so'rovi noto'g'ri", "Not valid p2p request", "Не валидный p2p запро"),
        /// `card_already_exists` (HTTP 400): The card is already in the user's possession.
        CardAlreadyExists = "card_already_exists" => refusal(400, "Karta allaqachon foydalanuvchi egaligida", "The card is already in the user's possession", "Карта уже имеется у пользователя"),
        /// `sms_info_is_off` (HTTP 400): SMS-info is not activated for this card.
        SmsInfoIsOff = "sms_info_is_off" => refusal(400, "Ushbu karta uchun SMS-info ulanmagan", "SMS-info is not activated for this card", "СМС-инфо не подключен для этой карты"),
        /// `code_expired_sms_sent` (HTTP 400): Code expired, sent a new code SMS.
        CodeExpiredSmsSent = "code_expired_sms_sent" => refusal(400, "Kod muddati tugagan, yangi SMS kod bilan yuborildi", "Code expired, sent a new code SMS", "Код просрочен, отправлен новый СМС с кодом"),
        /// `code_expired_restart` (HTTP 400): Code expired, start over.
        CodeExpiredRestart = "code_expired_restart" => refusal(400, "Kod muddati tugagan, qaytadan boshlang", "Code expired, start over", "Код просрочен, начните заново"),
        /// `code_entry_limit_exceeded_restart` (HTTP 400): The code has reached the limit, start again.
        CodeEntryLimitExceededRestart = "code_entry_limit_exceeded_restart" => refusal(400, "Kod chegaraga yetdi, qaytadan boshlang", "The code has reached the limit, start again", "Код достиг предела, начните заново"),
        /// `activation_code_sent` (HTTP 401): Wrong code, SMS sent.
        ActivationCodeSent = "activation_code_sent" => refusal(401, "Noto'g'ri kod, SMS yuborildi", "Wrong code, SMS sent", "Неправильный код, СМС отправлен"),
        /// `invalid_code_sms_sent` (HTTP 400): Wrong code, SMS sent.
        InvalidCodeSmsSent = "invalid_code_sms_sent" => refusal(400, "Noto'g'ri kod, SMS yuborildi", "Wrong code, SMS sent", "Неправильный код, СМС отправлен"),
        /// `invalid_code_retry` (HTTP 400): Invalid code, please try again.
        InvalidCodeRetry = "invalid_code_retry" => refusal(400, "Kod yaroqsiz, qaytadan urinib ko'ring", "Invalid code, please try again", "Неправильный код, повторите попытку"),
        /// `version_not_specified` (HTTP 400): The version of the application is not specified.
        VersionNotSpecified = "version_not_specified" => refusal(400, "Ilovaning versiyasi ko'rsatilmagan", "The version of the application is not specified", "Не указана версия приложения"),
        /// `version_not_specified_or_invalid` (HTTP 400): Missing or incorrect version of the application.
        VersionNotSpecifiedOrInvalid = "version_not_specified_or_invalid" => refusal(400, "Ilovaning versiyasi ko'rsatilmagan yoki noto'g'ri ko'rsatilgan", "Missing or incorrect version of the application", "Не указана или указана неверная версия приложения"),
        /// `version_too_old` (HTTP 400): The version of the application is out of date, please update.
        VersionTooOld = "version_too_old" => refusal(400, "Ilovaning versiyasi eskirgan, iltimos yangilang", "The version of the application is out of date, please update", "Версия приложения устарела, пожалуйста обновите"),
        /// `pc_error` (HTTP 400): Error in Processing Centre.
        PcError = "pc_error" => refusal(400, "Prosessing Markazida xato yuz berdi", "Error in Processing Centre", "Ошибка в проц. центре"),
        /// `insufficient_funds_on_deposit` (HTTP 400): Insufficient funds on deposit.
        InsufficientFundsOnDeposit = "insufficient_funds_on_deposit" => refusal(400, "Depositda mablag' yetarli emas", "Insufficient funds on deposit", "Недостаточно средств на депозите"),
        /// `insufficient_funds` (HTTP 400): Insufficient funds.
        InsufficientFunds = "insufficient_funds" => refusal(400, "Mablag' yetarli emas", "Insufficient funds", "Недостаточно средств"),
        /// `internal_error` (HTTP 500): Internal error.
        InternalError = "internal_error" => unclear(500, "Ichki xato", "Internal error", "Внутренняя ошибка"),
        /// `unknown_error` (HTTP 500): Unknown error.
        UnknownError = "unknown_error" => unclear(500, "Noma'lum xatolik", "Unknown error", "Неизвестная ошибка"),
        /// `object_locked` (HTTP 403): Object blocked.
        ObjectLocked = "object_locked" => refusal(403, "Ob'ekt bloklangan", "Object blocked", "Объект заблокирован"),
        /// `timeout` (HTTP 500): Timeout.
        Timeout = "timeout" => money_moved(500, "Kutish vaqti chuzilib ketdi", "Timeout", "Истекло время ожидания"),
    }
}

impl Code {
    /// The HTTP status the catalogue gives the code (`None` for unknown codes).
    ///
    /// ```
    /// assert_eq!(anor_bm::Code::BadCredentials.http_status(), Some(401));
    /// assert_eq!(anor_bm::Code::ObjectLocked.http_status(), Some(403));
    /// ```
    pub fn http_status(&self) -> Option<u16> {
        self.facts().map(|f| f.http_status)
    }

    /// The uz/en/ru titles of the catalogue (`None` for unknown codes).
    ///
    /// ```
    /// let t = anor_bm::Code::Timeout.titles().expect("known");
    /// assert_eq!(t.ru, "Истекло время ожидания");
    /// ```
    pub fn titles(&self) -> Option<Titles> {
        self.facts().map(|f| f.titles)
    }

    /// True for the codes after which the bank may hold or have moved the money:
    /// `billing_error_will_reverse` (debited, the bank will reverse it),
    /// `billing_error_need_reverse` (debited, the agent must cancel or reverse) and
    /// `timeout` (the bank itself does not know yet). Ask `status` before anything else.
    ///
    /// ```
    /// use anor_bm::Code;
    /// assert!(Code::Timeout.money_may_have_moved());
    /// assert!(!Code::BillingErrorReversed.money_may_have_moved());
    /// ```
    pub fn money_may_have_moved(&self) -> bool {
        self.facts().is_some_and(|f| f.money_may_have_moved)
    }

    /// True for the catalogue's answers that refuse the credentials or the token:
    /// `bad_credentials` and `invalid_password` (both HTTP 401). A call answered with one of
    /// them was not processed, so it may be sent again with a fresh token.
    ///
    /// ```
    /// use anor_bm::Code;
    /// assert!(Code::BadCredentials.refuses_token());
    /// assert!(!Code::Timeout.refuses_token());
    /// assert!(!Code::ActivationCodeSent.refuses_token(), "a wrong OTP, not a token refusal");
    /// ```
    pub fn refuses_token(&self) -> bool {
        self.facts().is_some_and(|f| f.credentials)
    }

    /// True for server-side (5xx) codes that say plainly that the payment did not go
    /// through, or was already reversed: `debit_error`, `billing_error`,
    /// `billing_error_reversed`, `not_implemented`. Other 5xx answers to a call that moves
    /// money (`internal_error`, `unknown_error`, codes the catalogue does not list) leave
    /// the outcome unknown.
    ///
    /// ```
    /// use anor_bm::Code;
    /// assert!(Code::DebitError.says_nothing_moved());
    /// assert!(!Code::InternalError.says_nothing_moved());
    /// ```
    pub fn says_nothing_moved(&self) -> bool {
        self.facts()
            .is_some_and(|f| f.http_status >= 500 && f.definite_refusal)
    }
}

/// The catalogue's flags, read by kassa-core's one money-safety rule.
///
/// ```
/// use anor_bm::Code;
/// use kassa_core::{Disposition, Effect, Operation, ProviderCode};
/// let pay = Operation::new("anor-bm", "unregistered-pay", Effect::Once);
/// let status = Operation::new("anor-bm", "status", Effect::Read);
/// assert_eq!(Code::Timeout.disposition(&pay), Disposition::MoneyMayHaveMoved);
/// assert_eq!(Code::Timeout.disposition(&status), Disposition::Refused);
/// assert_eq!(Code::InsufficientFunds.disposition(&pay), Disposition::Refused);
/// assert_eq!(Code::InternalError.disposition(&pay), Disposition::OutcomeUnknown);
/// assert_eq!(Code::BadCredentials.disposition(&pay), Disposition::Credentials);
/// assert_eq!(Code::ActivationCodeSent.disposition(&pay), Disposition::Refused);
/// ```
impl ProviderCode for Code {
    fn raw(&self) -> String {
        Code::raw(self).to_owned()
    }

    fn may_have_taken_effect(&self) -> bool {
        self.money_may_have_moved()
    }

    fn is_definite_refusal(&self) -> bool {
        self.facts().is_some_and(|f| f.definite_refusal)
    }

    fn is_credentials(&self) -> bool {
        self.refuses_token() || *self == Code::no_code_401()
    }

    fn refresh_helps(&self) -> bool {
        self.is_credentials()
    }
}

impl Code {
    /// The code given to a 401 answer that names none (an empty body, an HTML page): on a
    /// read, the bank refused the token.
    pub(crate) fn no_code_401() -> Code {
        Code::Unknown("http_401".to_owned())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.raw())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Code::from_raw(&raw))
    }
}

/// The titles an error answer carries (`langs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Langs {
    /// Uzbek.
    #[serde(default)]
    pub uz: Option<String>,
    /// English.
    #[serde(default)]
    pub en: Option<String>,
    /// Russian.
    #[serde(default)]
    pub ru: Option<String>,
}

/// An error answer, in whichever of the bank's shapes it came: the catalogue's
/// `{"langs", "status", "detail", "title"}`, the card calls' `{"success": false,
/// "exception"}`, or the auth calls' `{"statusCode", "statusMessage"}`.
///
/// ```
/// let body: anor_bm::ErrorBody = serde_json::from_str(
///     r#"{"langs":{"en":"Cheque not found"},"status":400,"detail":"bill_not_found","title":"Чек не найден"}"#,
/// )?;
/// assert_eq!(body.code(), Some(anor_bm::Code::BillNotFound));
/// assert_eq!(body.message(), "Cheque not found");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The titles in uz/en/ru.
    #[serde(default)]
    pub langs: Option<Langs>,
    /// The HTTP status repeated in the body.
    #[serde(default)]
    pub status: Option<serde_json::Value>,
    /// The catalogue code.
    #[serde(default)]
    pub detail: Option<String>,
    /// The title (Russian in the catalogue).
    #[serde(default)]
    pub title: Option<String>,
    /// The card calls' status text (`success: false`).
    #[serde(default)]
    pub exception: Option<String>,
    /// The auth calls' status code (0 is success).
    #[serde(default)]
    pub status_code: Option<i64>,
    /// The auth calls' status text.
    #[serde(default)]
    pub status_message: Option<String>,
}

impl ErrorBody {
    /// The code the answer names, if any.
    ///
    /// ```
    /// let b = anor_bm::ErrorBody { exception: Some("card_not_found".into()), ..Default::default() };
    /// assert_eq!(b.code(), Some(anor_bm::Code::CardNotFound));
    /// ```
    pub fn code(&self) -> Option<Code> {
        let raw = self
            .detail
            .as_deref()
            .or(self.exception.as_deref())
            .or_else(|| {
                self.status_code
                    .filter(|c| *c != 0)
                    .and(self.status_message.as_deref())
            })?;
        let raw = raw.trim();
        if raw.is_empty() {
            None
        } else {
            Some(Code::from_raw(raw))
        }
    }

    /// A human message: the English title when present, else the title, else the
    /// catalogue's English title for the code.
    ///
    /// ```
    /// let b = anor_bm::ErrorBody { detail: Some("timeout".into()), ..Default::default() };
    /// assert_eq!(b.message(), "Timeout");
    /// ```
    pub fn message(&self) -> String {
        self.langs
            .as_ref()
            .and_then(|l| l.en.clone())
            .or_else(|| self.title.clone())
            .or_else(|| {
                self.code()
                    .and_then(|c| c.titles())
                    .map(|t| t.en.to_owned())
            })
            .or_else(|| self.status_message.clone())
            .unwrap_or_default()
    }
}

/// The catalogue code behind an error, wherever the client put it: on a refusal
/// ([`Error::Rejected`], [`Error::Auth`]) or as the cause of an [`Error::OutcomeUnknown`].
///
/// ```
/// use anor_bm::{Code, code_of};
/// use kassa_core::{Error, OutcomeUnknown};
///
/// let refused = Error::rejected("anor-bm", "status", Some(400), Code::BillNotFound, "Cheque not found");
/// assert_eq!(code_of(&refused), Some(&Code::BillNotFound));
/// let cause = Error::rejected("anor-bm", "unregistered-pay", Some(500), Code::Timeout, "Timeout");
/// let unknown = Error::OutcomeUnknown(Box::new(OutcomeUnknown::new("anor-bm", "unregistered-pay").with_source(cause)));
/// assert_eq!(code_of(&unknown), Some(&Code::Timeout));
/// assert_eq!(code_of(&Error::invalid("billId", "must be positive")), None);
/// ```
pub fn code_of(err: &Error) -> Option<&Code> {
    err.code_anywhere::<Code>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_titles() {
        for code in Code::ALL {
            assert_eq!(&Code::from_raw(code.raw()), code);
            let titles = code.titles().expect("catalogue codes have titles");
            assert!(!titles.uz.is_empty() && !titles.en.is_empty() && !titles.ru.is_empty());
            assert!(matches!(
                code.http_status(),
                Some(400 | 401 | 403 | 404 | 500)
            ));
        }
    }

    #[test]
    fn only_three_codes_say_money_may_have_moved() {
        let moved: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| c.money_may_have_moved())
            .map(|c| c.raw())
            .collect();
        assert_eq!(
            moved,
            [
                "billing_error_will_reverse",
                "billing_error_need_reverse",
                "timeout"
            ]
        );
    }

    #[test]
    fn only_internal_and_unknown_errors_leave_a_payment_open_among_the_rest() {
        let open: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| !c.is_definite_refusal() && !c.money_may_have_moved())
            .map(|c| c.raw())
            .collect();
        assert_eq!(open, ["internal_error", "unknown_error"]);
        let says_nothing: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| c.says_nothing_moved())
            .map(|c| c.raw())
            .collect();
        assert_eq!(
            says_nothing,
            [
                "not_implemented",
                "debit_error",
                "billing_error",
                "billing_error_reversed"
            ]
        );
    }
}
