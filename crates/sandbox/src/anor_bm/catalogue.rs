//! The entries of the document's error catalogue ("Ошибки") the emulator answers, texts
//! copied exactly. Every error answer is `{"langs": {uz, en, ru}, "status", "detail",
//! "title"}` with `status` equal to the HTTP status and `title` equal to `langs.ru`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) detail: &'static str,
    pub(crate) status: u16,
    uz: &'static str,
    en: &'static str,
    ru: &'static str,
}

const fn entry(
    detail: &'static str,
    status: u16,
    uz: &'static str,
    en: &'static str,
    ru: &'static str,
) -> ApiError {
    ApiError {
        detail,
        status,
        uz,
        en,
        ru,
    }
}

pub(crate) const PARSE_ERROR: ApiError = entry(
    "parse_error",
    400,
    "Yaroqsiz JSON server tomonidan qabul qilindi",
    "Invalid JSON was received by the server",
    "Недействительный JSON был получен сервером",
);
pub(crate) const BAD_CREDENTIALS: ApiError = entry(
    "bad_credentials",
    401,
    "Noto'g'ri login yoki parol",
    "Incorrect login or password",
    "Неверный логин или пароль",
);
pub(crate) const INVALID_REQUEST: ApiError = entry(
    "invalid_request",
    400,
    "Noto'g'ri so'rov",
    "Invalid request",
    "Неверный запрос",
);
pub(crate) const LIMIT_EXCEEDED: ApiError = entry(
    "limit_exceeded",
    400,
    "Ruxsat berilgan chegaradan oshib ketdi",
    "Exceeded allowed limit",
    "Превышен допустимый лимит",
);
pub(crate) const INVALID_PASSWORD: ApiError = entry(
    "invalid_password",
    401,
    "Parol noto'g'ri",
    "Invalid password",
    "Не верный пароль",
);
pub(crate) const INVALID_PARAMS: ApiError = entry(
    "invalid_params",
    400,
    "Noto'g'ri parametrlar berilgan",
    "Invalid params given",
    "Не правильные параметры",
);
pub(crate) const OBJECT_NOT_FOUND: ApiError = entry(
    "object_not_found",
    404,
    "Ob'ekt topilmadi",
    "Object not found",
    "Объект не найден",
);
pub(crate) const NOT_FOUND: ApiError =
    entry("not_found", 404, "Topilmadi", "Not found", "Не найден");
pub(crate) const BILL_NOT_FOUND: ApiError = entry(
    "bill_not_found",
    400,
    "Chek topilmadi",
    "Cheque not found",
    "Чек не найден",
);
pub(crate) const SERVICE_NOT_FOUND: ApiError = entry(
    "service_not_found",
    400,
    "Xizmat topilmadi",
    "Service not found",
    "Сервис не найден",
);
pub(crate) const SERVICE_NOT_ACTIVE: ApiError = entry(
    "service_not_active",
    400,
    "Xizmat faol emas",
    "Service not active",
    "Сервис не активен",
);
pub(crate) const DEBIT_ERROR: ApiError = entry(
    "debit_error",
    500,
    "PM da to'lov amalga oshmadi",
    "Payment to the PC did not pass",
    "Оплата в ПЦ не прошла",
);
pub(crate) const CARD_NOT_FOUND: ApiError = entry(
    "card_not_found",
    400,
    "Karta topilmadi",
    "Card not found",
    "Карта не найдена",
);
pub(crate) const CARD_NOT_VALID: ApiError = entry(
    "card_not_valid",
    400,
    "Karta amalda emas",
    "Card not valid",
    "Карта не валидна",
);
pub(crate) const BANK_NOT_SUPPORTED: ApiError = entry(
    "bank_not_supported",
    400,
    "Bank qo'llab-quvvatlanmaydi",
    "Bank not supported",
    "Банк не поддерживается",
);
pub(crate) const BILL_NOT_VALID: ApiError = entry(
    "bill_not_valid",
    400,
    "Joriy chek emas",
    "Not a valid check",
    "Не валидный чек",
);
pub(crate) const P2P_REQUEST_NOT_VALID: ApiError = entry(
    "p2p_request_not_valid",
    400,
    "P2p so'rovi noto'g'ri",
    "Not valid p2p request",
    "Не валидный p2p запро",
);
pub(crate) const CARD_ALREADY_EXISTS: ApiError = entry(
    "card_already_exists",
    400,
    "Karta allaqachon foydalanuvchi egaligida",
    "The card is already in the user's possession",
    "Карта уже имеется у пользователя",
);
pub(crate) const SMS_INFO_IS_OFF: ApiError = entry(
    "sms_info_is_off",
    400,
    "Ushbu karta uchun SMS-info ulanmagan",
    "SMS-info is not activated for this card",
    "СМС-инфо не подключен для этой карты",
);
pub(crate) const CODE_EXPIRED_RESTART: ApiError = entry(
    "code_expired_restart",
    400,
    "Kod muddati tugagan, qaytadan boshlang",
    "Code expired, start over",
    "Код просрочен, начните заново",
);
pub(crate) const CODE_ENTRY_LIMIT_EXCEEDED_RESTART: ApiError = entry(
    "code_entry_limit_exceeded_restart",
    400,
    "Kod chegaraga yetdi, qaytadan boshlang",
    "The code has reached the limit, start again",
    "Код достиг предела, начните заново",
);
pub(crate) const INVALID_CODE_RETRY: ApiError = entry(
    "invalid_code_retry",
    400,
    "Kod yaroqsiz, qaytadan urinib ko'ring",
    "Invalid code, please try again",
    "Неправильный код, повторите попытку",
);
pub(crate) const INSUFFICIENT_FUNDS_ON_DEPOSIT: ApiError = entry(
    "insufficient_funds_on_deposit",
    400,
    "Depositda mablag' yetarli emas",
    "Insufficient funds on deposit",
    "Недостаточно средств на депозите",
);
pub(crate) const INSUFFICIENT_FUNDS: ApiError = entry(
    "insufficient_funds",
    400,
    "Mablag' yetarli emas",
    "Insufficient funds",
    "Недостаточно средств",
);
pub(crate) const TIMEOUT: ApiError = entry(
    "timeout",
    500,
    "Kutish vaqti chuzilib ketdi",
    "Timeout",
    "Истекло время ожидания",
);

impl ApiError {
    /// The catalogue body.
    pub(crate) fn body(&self) -> serde_json::Value {
        json!({
            "langs": { "uz": self.uz, "en": self.en, "ru": self.ru },
            "status": self.status,
            "detail": self.detail,
            "title": self.ru,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (code, axum::Json(self.body())).into_response()
    }
}
