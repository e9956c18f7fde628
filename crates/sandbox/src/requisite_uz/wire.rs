//! The wire shapes of the requisite-uz emulator: the envelope, the document's codes, the
//! fixed words of statuses and rows, how request fields are read and the bank's dates
//! (Tashkent time).

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::{format_description, offset};

use super::seed;
use super::state::Row;

// The document's fixed words: order statuses, row kinds, service types, the treasury.
pub(super) const ENTERED: &str = "Введен";
pub(super) const CONDUCTED: &str = "Проведен";
pub(super) const DELETED: &str = "Удален";
pub(super) const INCOME: &str = "Приход";
pub(super) const EXPENSE: &str = "Расход";
pub(super) const WORKING_WITH_CARD: &str = "WORKING_WITH_CARD";
pub(super) const CARD_IS_OPTIONAL: &str = "CARD_IS_OPTIONAL";
pub(super) const TREASURY_MFO: &str = "00014";
pub(super) const TREASURY_NAME: &str = "Казначейство (бюджет)";

/// An error answer: the code and the document's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Refusal {
    code: u32,
    message: &'static str,
}

impl Refusal {
    /// The document's code of the refusal.
    pub(super) fn code(&self) -> u32 {
        self.code
    }
}

pub(super) const SERVICE_NOT_FOUND: Refusal = Refusal {
    code: 1001,
    message: "Сервис не найден",
};
pub(super) const SETTINGS_MISSING: Refusal = Refusal {
    code: 1002,
    message: "Настройки для сервиса отсутствуют",
};
pub(super) const USER_NOT_FOUND: Refusal = Refusal {
    code: 1004,
    message: "Пользователь не найден",
};
pub(super) const NO_DATA: Refusal = Refusal {
    code: 1008,
    message: "Не удалось получить данные",
};
pub(super) const NO_ACCESS: Refusal = Refusal {
    code: 1009,
    message: "Нет доступа для метода",
};
pub(super) const DUPLICATE_ORDER: Refusal = Refusal {
    code: seed::CODE_DUPLICATE_ORDER,
    message: "Заказ с таким orderId уже существует",
};
pub(super) const INSUFFICIENT_BALANCE: Refusal = Refusal {
    code: seed::CODE_INSUFFICIENT_BALANCE,
    message: "Недостаточно средств на счёте сервиса",
};
pub(super) const ACCOUNT_NOT_FOUND: Refusal = Refusal {
    code: 1013,
    message: "Счёт не найден",
};
pub(super) const BANK_NOT_IN_SMP: Refusal = Refusal {
    code: 1014,
    message: "Банк получателя не является участником СМП",
};
pub(super) const NAME_UNPRINTABLE: Refusal = Refusal {
    code: 1015,
    message: "Поле Наименование получателя содержит непечатаемые символы",
};
pub(super) const PURPOSE_UNPRINTABLE: Refusal = Refusal {
    code: 1016,
    message: "Поле Назначение платежа содержит непечатаемые символы",
};
pub(super) const MISSING_FIELDS: Refusal = Refusal {
    code: 1017,
    message: "Отсутствуют обязательные поля",
};
pub(super) const SYSTEM_ERROR: Refusal = Refusal {
    code: 1111,
    message: "Системная ошибка",
};
pub(super) const CRITICAL_ERROR: Refusal = Refusal {
    code: 2222,
    message: "Критическая ошибка",
};
pub(super) const DATE_BEFORE_DAY: Refusal = Refusal {
    code: 3333,
    message: "Дата документа не может быть меньше даты операционного дня",
};

impl Row {
    pub(super) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "docNumber": self.doc_number,
            "docDate": self.doc_date,
            "paymentDate": self.payment_date,
            "type": self.kind,
            "mfoPayer": self.mfo_payer,
            "accountPayer": self.account_payer,
            "namePayer": self.name_payer,
            "innPayer": self.inn_payer,
            "mfoReceiver": self.mfo_receiver,
            "accountReceiver": self.account_receiver,
            "nameReceiver": self.name_receiver,
            "innReceiver": self.inn_receiver,
            "amount": self.amount,
            "purpose": self.purpose,
            "status": self.status,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------------------

pub(super) fn success(data: Value) -> Response {
    axum::Json(json!({"status": "success", "code": 0, "data": data})).into_response()
}

/// Balance and statement answers: no `code` key, as in the document's examples.
pub(super) fn success_without_code(data: Value) -> Response {
    axum::Json(json!({"status": "success", "data": data})).into_response()
}

pub(super) fn refuse(refusal: Refusal) -> Response {
    axum::Json(json!({
        "status": "error",
        "code": refusal.code,
        "message": refusal.message,
        "data": Value::Null,
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------
// Field helpers
// ---------------------------------------------------------------------------------------

/// A field as text: a string, or a number written out; empty or other types count as absent.
pub(super) fn text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn digits(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn tiyin(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

pub(super) fn printable(value: &str) -> bool {
    !value.chars().any(char::is_control)
}

pub(super) fn parse_body(body: &Bytes) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Time (Tashkent, UTC+5)
// ---------------------------------------------------------------------------------------

/// The bank's zone: Tashkent, UTC+05:00 all year (no daylight saving time).
const TASHKENT: time::UtcOffset = offset!(+5);

/// `at` in Tashkent: (`docDate` `YYYY-MM-DD HH:MM:SS`, `paymentDate` `YYYY-MM-DD 00:00:00`).
pub(super) fn tashkent_stamps(at: OffsetDateTime) -> (String, String) {
    let local = at.to_offset(TASHKENT);
    let doc_date = local
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    let payment_date = local
        .format(format_description!("[year]-[month]-[day] 00:00:00"))
        .unwrap_or_default();
    (doc_date, payment_date)
}

/// A `YYYY-MM-DD` date with a plausible month and day.
pub(super) fn valid_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (value.get(0..4), value.get(5..7), value.get(8..10)) else {
        return false;
    };
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return false;
    }
    let (Ok(m), Ok(d)) = (m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_stamped_in_tashkent() {
        use time::macros::datetime;
        let stamps = |at| tashkent_stamps(at);
        assert_eq!(
            stamps(datetime!(2026-11-29 18:59:07 UTC)),
            ("2026-11-29 23:59:07".into(), "2026-11-29 00:00:00".into())
        );
        assert_eq!(
            stamps(datetime!(2026-11-29 19:01 UTC)),
            ("2026-11-30 00:01:00".into(), "2026-11-30 00:00:00".into())
        );
        assert_eq!(
            stamps(datetime!(2024-02-28 23:59 UTC)),
            ("2024-02-29 04:59:00".into(), "2024-02-29 00:00:00".into())
        );
        assert_eq!(
            stamps(datetime!(2026-12-31 20:00 +01:00)),
            ("2027-01-01 00:00:00".into(), "2027-01-01 00:00:00".into())
        );
    }

    #[test]
    fn dates_are_checked() {
        assert!(valid_date("2023-01-01"));
        assert!(!valid_date("2023-13-01"));
        assert!(!valid_date("2023-1-01"));
        assert!(!valid_date("2023-01-01T"));
        assert!(!valid_date("абвг-01-01"));
    }
}
