//! The error catalogue of the document (section "Ошибки") as a typed enum, and the shapes
//! in which the bank reports a refusal.
//!
//! Every `detail` code of the catalogue is a [`Code`] variant that knows its HTTP status and
//! its uz/en/ru titles, copied exactly (typos included). A code the catalogue does not list is
//! kept as it came in [`Code::Unknown`].
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

use std::fmt;

use kassa_core::{Error, Operation, ProviderCode, Response};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;

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

macro_rules! catalogue {
    ($($variant:ident => ($raw:literal, $status:literal, $uz:literal, $en:literal, $ru:literal),)*) => {
        /// A `detail` code of the bank's error catalogue.
        ///
        /// ```
        /// use anor_bm::Code;
        /// assert_eq!(Code::InsufficientFunds.raw(), "insufficient_funds");
        /// assert_eq!(Code::ALL.len(), 47);
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = concat!("`", $raw, "` (HTTP ", stringify!($status), "): ", $en, ".")]
                $variant,
            )*
            /// A code the catalogue does not list, kept exactly as it came.
            Unknown(String),
        }

        impl Code {
            /// Every code of the catalogue, in the document's order.
            pub const ALL: [Code; 47] = [$(Code::$variant,)*];

            /// Reads a `detail` code; codes the catalogue does not list become [`Code::Unknown`].
            ///
            /// ```
            /// assert_eq!(anor_bm::Code::from_raw("timeout"), anor_bm::Code::Timeout);
            /// ```
            pub fn from_raw(raw: &str) -> Code {
                match raw {
                    $($raw => Code::$variant,)*
                    other => Code::Unknown(other.to_owned()),
                }
            }

            /// The code as the bank writes it.
            ///
            /// ```
            /// assert_eq!(anor_bm::Code::Unknown("x_y".into()).raw(), "x_y");
            /// ```
            pub fn raw(&self) -> &str {
                match self {
                    $(Code::$variant => $raw,)*
                    Code::Unknown(raw) => raw,
                }
            }

            /// The HTTP status the catalogue gives the code (`None` for unknown codes).
            ///
            /// ```
            /// assert_eq!(anor_bm::Code::BadCredentials.http_status(), Some(401));
            /// assert_eq!(anor_bm::Code::ObjectLocked.http_status(), Some(403));
            /// ```
            pub fn http_status(&self) -> Option<u16> {
                match self {
                    $(Code::$variant => Some($status),)*
                    Code::Unknown(_) => None,
                }
            }

            /// The uz/en/ru titles of the catalogue (`None` for unknown codes).
            ///
            /// ```
            /// let t = anor_bm::Code::Timeout.titles().expect("known");
            /// assert_eq!(t.ru, "Истекло время ожидания");
            /// ```
            pub fn titles(&self) -> Option<Titles> {
                match self {
                    $(Code::$variant => Some(Titles { uz: $uz, en: $en, ru: $ru }),)*
                    Code::Unknown(_) => None,
                }
            }
        }
    };
}

catalogue! {
    ParseError => ("parse_error", 400, "Yaroqsiz JSON server tomonidan qabul qilindi", "Invalid JSON was received by the server", "Недействительный JSON был получен сервером"),
    BadCredentials => ("bad_credentials", 401, "Noto'g'ri login yoki parol", "Incorrect login or password", "Неверный логин или пароль"),
    PhoneExists => ("phone_exists", 400, "Telefon raqami allaqachon qayd etilgan", "Phone number already registered", "Номер телефона уже зарегистрирован"),
    InvalidRequest => ("invalid_request", 400, "Noto'g'ri so'rov", "Invalid request", "Неверный запрос"),
    LimitExceeded => ("limit_exceeded", 400, "Ruxsat berilgan chegaradan oshib ketdi", "Exceeded allowed limit", "Превышен допустимый лимит"),
    InvalidPassword => ("invalid_password", 401, "Parol noto'g'ri", "Invalid password", "Не верный пароль"),
    InvalidParams => ("invalid_params", 400, "Noto'g'ri parametrlar berilgan", "Invalid params given", "Не правильные параметры"),
    InvalidRsaMessage => ("invalid_rsa_message", 400, "Noto'g'ri RSA xabar", "Invalid RSA message", "Invalid RSA message"),
    ObjectNotFound => ("object_not_found", 404, "Ob'ekt topilmadi", "Object not found", "Объект не найден"),
    NotFound => ("not_found", 404, "Topilmadi", "Not found", "Не найден"),
    NotImplemented => ("not_implemented", 500, "Amalda emas", "Not implemented", "Не реализован"),
    BillNotFound => ("bill_not_found", 400, "Chek topilmadi", "Cheque not found", "Чек не найден"),
    ServiceNotFound => ("service_not_found", 400, "Xizmat topilmadi", "Service not found", "Сервис не найден"),
    ServiceNotActive => ("service_not_active", 400, "Xizmat faol emas", "Service not active", "Сервис не активен"),
    DebitError => ("debit_error", 500, "PM da to'lov amalga oshmadi", "Payment to the PC did not pass", "Оплата в ПЦ не прошла"),
    BillingError => ("billing_error", 500, "Billingda to'lov amalga oshmadi", "Payment in billing has not passed", "Оплата в биллинг не прошла"),
    BillingErrorReversed => ("billing_error_reversed", 500, "Billing orqali to'lov amalga oshmadi, to'lov bekor qilindi", "Payment in billing failed, payment canceled", "Оплата в биллинг не прошла, оплата отменена"),
    BillingErrorWillReverse => ("billing_error_will_reverse", 500, "Billingni to'lashda to'lov amalga oshmadi, to'lov bekor qilinadi", "Payment in billing failed, payment will be canceled", "Оплата в биллинг не прошла, оплата будет отменена"),
    BillingErrorNeedReverse => ("billing_error_need_reverse", 500, "To'lovni amalga oshirishda to'lov amalga oshmadi, to'lovni bekor qilish kerak", "Payment in billing failed, payment should be canceled", "Оплата в биллинг не прошла, оплату нужно отменить"),
    CardNotFound => ("card_not_found", 400, "Karta topilmadi", "Card not found", "Карта не найдена"),
    CardNotActive => ("card_not_active", 400, "Karta faollashtirilmagan", "Card not activated", "Карта не активирована"),
    CardNotValid => ("card_not_valid", 400, "Karta amalda emas", "Card not valid", "Карта не валидна"),
    UsernameNotFound => ("username_not_found", 400, "Foydalanuvchining topilmadi", "User not found", "Пользователь не найден"),
    UsernameExists => ("username_exists", 400, "Foydalanuvchi nomi allaqachon ro'yxatga olingan", "Username already registered", "Имя пользователя уже зарегистрирован"),
    NotCardOwner => ("not_card_owner", 400, "Karta egasi emas", "Not card owner", "Не владелец карты"),
    NotCardOwnerSmsSent => ("not_card_owner_sms_sent", 400, "Karta egasi emas, sms kodi yuborildi", "Not card owner, sms with code sent", "Не владелец карты, смс с кодом отправлен"),
    BankNotSupported => ("bank_not_supported", 400, "Bank qo'llab-quvvatlanmaydi", "Bank not supported", "Банк не поддерживается"),
    BillNotValid => ("bill_not_valid", 400, "Joriy chek emas", "Not a valid check", "Не валидный чек"),
    P2pRequestNotValid => ("p2p_request_not_valid", 400, "P2p so'rovi noto'g'ri", "Not valid p2p request", "Не валидный p2p запро"),
    CardAlreadyExists => ("card_already_exists", 400, "Karta allaqachon foydalanuvchi egaligida", "The card is already in the user's possession", "Карта уже имеется у пользователя"),
    SmsInfoIsOff => ("sms_info_is_off", 400, "Ushbu karta uchun SMS-info ulanmagan", "SMS-info is not activated for this card", "СМС-инфо не подключен для этой карты"),
    CodeExpiredSmsSent => ("code_expired_sms_sent", 400, "Kod muddati tugagan, yangi SMS kod bilan yuborildi", "Code expired, sent a new code SMS", "Код просрочен, отправлен новый СМС с кодом"),
    CodeExpiredRestart => ("code_expired_restart", 400, "Kod muddati tugagan, qaytadan boshlang", "Code expired, start over", "Код просрочен, начните заново"),
    CodeEntryLimitExceededRestart => ("code_entry_limit_exceeded_restart", 400, "Kod chegaraga yetdi, qaytadan boshlang", "The code has reached the limit, start again", "Код достиг предела, начните заново"),
    ActivationCodeSent => ("activation_code_sent", 401, "Noto'g'ri kod, SMS yuborildi", "Wrong code, SMS sent", "Неправильный код, СМС отправлен"),
    InvalidCodeSmsSent => ("invalid_code_sms_sent", 400, "Noto'g'ri kod, SMS yuborildi", "Wrong code, SMS sent", "Неправильный код, СМС отправлен"),
    InvalidCodeRetry => ("invalid_code_retry", 400, "Kod yaroqsiz, qaytadan urinib ko'ring", "Invalid code, please try again", "Неправильный код, повторите попытку"),
    VersionNotSpecified => ("version_not_specified", 400, "Ilovaning versiyasi ko'rsatilmagan", "The version of the application is not specified", "Не указана версия приложения"),
    VersionNotSpecifiedOrInvalid => ("version_not_specified_or_invalid", 400, "Ilovaning versiyasi ko'rsatilmagan yoki noto'g'ri ko'rsatilgan", "Missing or incorrect version of the application", "Не указана или указана неверная версия приложения"),
    VersionTooOld => ("version_too_old", 400, "Ilovaning versiyasi eskirgan, iltimos yangilang", "The version of the application is out of date, please update", "Версия приложения устарела, пожалуйста обновите"),
    PcError => ("pc_error", 400, "Prosessing Markazida xato yuz berdi", "Error in Processing Centre", "Ошибка в проц. центре"),
    InsufficientFundsOnDeposit => ("insufficient_funds_on_deposit", 400, "Depositda mablag' yetarli emas", "Insufficient funds on deposit", "Недостаточно средств на депозите"),
    InsufficientFunds => ("insufficient_funds", 400, "Mablag' yetarli emas", "Insufficient funds", "Недостаточно средств"),
    InternalError => ("internal_error", 500, "Ichki xato", "Internal error", "Внутренняя ошибка"),
    UnknownError => ("unknown_error", 500, "Noma'lum xatolik", "Unknown error", "Неизвестная ошибка"),
    ObjectLocked => ("object_locked", 403, "Ob'ekt bloklangan", "Object blocked", "Объект заблокирован"),
    Timeout => ("timeout", 500, "Kutish vaqti chuzilib ketdi", "Timeout", "Истекло время ожидания"),
}

impl Code {
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
        matches!(
            self,
            Code::BillingErrorWillReverse | Code::BillingErrorNeedReverse | Code::Timeout
        )
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
        matches!(self, Code::BadCredentials | Code::InvalidPassword)
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
        matches!(
            self,
            Code::DebitError
                | Code::BillingError
                | Code::BillingErrorReversed
                | Code::NotImplemented
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw())
    }
}

impl ProviderCode for Code {
    fn raw(&self) -> String {
        Code::raw(self).to_owned()
    }

    fn may_have_taken_effect(&self) -> bool {
        self.money_may_have_moved()
    }

    fn is_retryable(&self) -> bool {
        false
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

/// Turns a refusal the bank explained (a parsed [`ErrorBody`]) into the right [`Error`]:
///
/// - on a call that moves money, a code that says money may have moved (`timeout`,
///   `billing_error_need_reverse`, `billing_error_will_reverse`) is
///   [`Error::OutcomeUnknown`] naming the status call, whatever the HTTP status (200, 401,
///   500...): it is never resent, and the refusal stays its `source()` ([`code_of`] finds
///   the code);
/// - HTTP 401 is [`Error::Auth`] (the token or the credentials were refused: nothing took
///   effect, so the token cache may refresh and retry once), except `activation_code_sent`,
///   which is a wrong OTP and must not be resent;
/// - on a call that moves money, a 5xx whose code neither says the money may have moved nor
///   that nothing moved (`internal_error`, `unknown_error`, unknown codes) is
///   [`Error::OutcomeUnknown`] carrying the status call to ask;
/// - anything else is [`Error::Rejected`] with the typed [`Code`]. On a read, a code that
///   says money may have moved stays a refusal (a read moves nothing), with
///   [`Error::may_have_taken_effect`] true.
pub(crate) fn refusal(op: &Operation, http_status: u16, code: Code, message: String) -> Error {
    let moves_money = op.effect.changes_state();
    if moves_money && code.money_may_have_moved() {
        return op.outcome_unknown(Error::rejected(
            PROVIDER,
            op.name,
            Some(http_status),
            code,
            message,
        ));
    }
    if http_status == 401 && code != Code::ActivationCodeSent {
        return Error::auth(PROVIDER, op.name, Some(http_status), code, message);
    }
    let unexplained_5xx =
        http_status >= 500 && !code.money_may_have_moved() && !code.says_nothing_moved();
    let rejected = Error::rejected(PROVIDER, op.name, Some(http_status), code, message);
    if moves_money && unexplained_5xx {
        return op.outcome_unknown(rejected);
    }
    rejected
}

/// The error a 2xx answer carries instead of the expected one: the catalogue's shape
/// (`{"detail": ...}`), the card calls' `{"exception": ...}`, or the document's
/// `{"id": ..., "result": {error}}` (its answer to a wrong pay request, HTTP 200). `None`
/// when the body names no code.
pub(crate) fn error_in_success(op: &Operation, resp: &Response) -> Option<Error> {
    #[derive(Deserialize)]
    struct ResultEnvelope {
        result: ErrorBody,
    }
    let body = kassa_core::decode::json_plain::<ResultEnvelope>(op, &resp.body)
        .map(|env| env.result)
        .or_else(|_| kassa_core::decode::json_plain::<ErrorBody>(op, &resp.body))
        .ok()?;
    let code = body.code()?;
    Some(refusal(op, resp.status, code, body.message()))
}

/// The catalogue code behind an error, wherever the client put it: on a refusal
/// ([`Error::Rejected`], [`Error::Auth`]) or as the cause of an [`Error::OutcomeUnknown`]
/// (a code saying money may have moved, or an unexplained 5xx, answered to a call that
/// moves money).
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
    if let Some(code) = err.code::<Code>() {
        return Some(code);
    }
    let source: &(dyn std::error::Error + 'static) = err.outcome_unknown()?.source.as_deref()?;
    code_of(source.downcast_ref::<Error>()?)
}

/// Reads a non-2xx answer: a refusal in one of the bank's shapes, or (HTML page, empty
/// body, an error shape without a code) the core's "unexpected answer" error, which is
/// outcome-unknown for a 5xx on a call that moves money.
pub(crate) fn from_error_answer(op: &Operation, resp: &Response) -> Error {
    let parsed = kassa_core::decode::json_plain::<ErrorBody>(op, &resp.body).ok();
    match parsed
        .as_ref()
        .and_then(|b| b.code().map(|c| (c, b.message())))
    {
        Some((code, message)) => refusal(op, resp.status, code, message),
        None if resp.status == 401 => Error::auth(
            PROVIDER,
            op.name,
            Some(401),
            Code::Unknown("http_401".to_owned()),
            "the bank refused the token or the credentials",
        ),
        None => resp.unexpected(op),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_titles() {
        for code in Code::ALL {
            assert_eq!(Code::from_raw(code.raw()), code);
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
}
