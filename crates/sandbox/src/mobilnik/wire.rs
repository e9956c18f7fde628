//! The wire shapes of the Mobilnik emulator: the document's codes, amounts in som with two
//! decimals, the answers of each call and the formats of request parameters.

use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::value::RawValue;

/// The codes of the document's list the emulator answers.
pub(super) mod code {
    pub const OK: i64 = 0;
    pub const WRONG_OPERATION: i64 = -1;
    pub const SYSTEM_FAILURE: i64 = -2;
    pub const NOT_ENOUGH_PARAMETERS: i64 = -3;
    pub const WRONG_PASSWORD: i64 = 1;
    pub const WRONG_LOGIN_FORMAT: i64 = 7;
    pub const USER_NOT_FOUND: i64 = 8;
    pub const USER_BLOCKED: i64 = 9;
    pub const PHONE_NOT_FOUND_IN_DB: i64 = 10;
    pub const SERVICE_NOT_EXISTS: i64 = 11;
    pub const SERVICE_TEMPORARILY_SUSPENDED: i64 = 12;
    pub const REQUISITE_NOT_FOUND: i64 = 13;
    pub const SERVICE_TEMPORARILY_UNAVAILABLE: i64 = 14;
    pub const INSUFFICIENT_FUNDS_FOR_OPERATION: i64 = 15;
    pub const USER_NOT_AUTHORIZED: i64 = 27;

    /// The document's name of a code (the `message` of error answers).
    pub fn name(code: i64) -> &'static str {
        match code {
            OK => "OK",
            WRONG_OPERATION => "WRONG_OPERATION",
            SYSTEM_FAILURE => "SYSTEM_FAILURE",
            NOT_ENOUGH_PARAMETERS => "NOT_ENOUGH_PARAMETERS",
            WRONG_PASSWORD => "WRONG_PASSWORD",
            WRONG_LOGIN_FORMAT => "WRONG_LOGIN_FORMAT",
            USER_NOT_FOUND => "USER_NOT_FOUND",
            USER_BLOCKED => "USER_BLOCKED",
            PHONE_NOT_FOUND_IN_DB => "PHONE_NOT_FOUND_IN_DB",
            SERVICE_NOT_EXISTS => "SERVICE_NOT_EXISTS",
            SERVICE_TEMPORARILY_SUSPENDED => "SERVICE_TEMPORARILY_SUSPENDED",
            REQUISITE_NOT_FOUND => "REQUISITE_NOT_FOUND",
            SERVICE_TEMPORARILY_UNAVAILABLE => "SERVICE_TEMPORARILY_UNAVAILABLE",
            INSUFFICIENT_FUNDS_FOR_OPERATION => "INSUFFICIENT_FUNDS_FOR_OPERATION",
            USER_NOT_AUTHORIZED => "USER_NOT_AUTHORIZED",
            _ => "SYSTEM_FAILURE",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Money

/// Largest number of som digits accepted before the point (keeps tyiyn inside `u64`).
const MAX_SOM_DIGITS: usize = 12;

/// Parses a som amount (`"150.50"`, `"200"`, `"0.5"`) into tyiyn: digits, at most one point,
/// at most two decimals, no sign, no exponent, no spaces, greater than zero.
pub(super) fn parse_amount(text: &str) -> Option<u64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.is_empty()
        || whole.len() > MAX_SOM_DIGITS
        || !whole.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut tyiyn = whole.parse::<u64>().ok()?.checked_mul(100)?;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut cents = f.parse::<u64>().ok()?;
        if f.len() == 1 {
            cents *= 10;
        }
        tyiyn = tyiyn.checked_add(cents)?;
    }
    (tyiyn > 0).then_some(tyiyn)
}

/// Tyiyn as a JSON number with two decimals (`892.50`), never through a float.
pub(super) fn money(tyiyn: u64) -> Box<RawValue> {
    let text = format!("{}.{:02}", tyiyn / 100, tyiyn % 100);
    RawValue::from_string(text).unwrap_or_else(|_| zero())
}

fn zero() -> Box<RawValue> {
    // "0" is valid JSON; the fallback cannot fail in practice.
    serde_json::from_str("0").unwrap_or_else(|_| Box::<RawValue>::default())
}

// ---------------------------------------------------------------------------------------
// Requests

/// A login as the document allows it: 1 to 10 letters, digits, `_`, `.` or `-`.
pub(super) fn valid_login(login: &str) -> bool {
    (1..=10).contains(&login.chars().count())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

// ---------------------------------------------------------------------------------------
// Answers

#[derive(Serialize)]
struct ErrorBody {
    status_code: i64,
    message: &'static str,
}

/// An error answer: HTTP 200, the code and its name.
pub(super) fn error(code: i64) -> Response {
    axum::Json(ErrorBody {
        status_code: code,
        message: code::name(code),
    })
    .into_response()
}

/// A success answer: HTTP 200, the body as JSON.
pub(super) fn answer<T: Serialize>(body: T) -> Response {
    axum::Json(body).into_response()
}

#[derive(Serialize)]
pub(super) struct Authenticated {
    pub(super) account: u64,
    pub(super) name: &'static str,
    pub(super) token: String,
    pub(super) phonenumber: &'static str,
    pub(super) status_code: i64,
    pub(super) balance: Box<RawValue>,
    pub(super) email: &'static str,
    pub(super) avatar: Option<&'static str>,
}

#[derive(Serialize)]
pub(super) struct ServiceItem {
    pub(super) id: i64,
    pub(super) name: &'static str,
    pub(super) category_id: i64,
}

#[derive(Serialize)]
pub(super) struct CategoryItem {
    pub(super) id: i64,
    pub(super) name: &'static str,
}

#[derive(Serialize)]
pub(super) struct ServiceList {
    pub(super) status_code: i64,
    pub(super) services: Vec<ServiceItem>,
    pub(super) categories: Vec<CategoryItem>,
}

#[derive(Serialize)]
pub(super) struct RequisiteChecked {
    pub(super) status_code: i64,
    pub(super) customer_name: &'static str,
}

#[derive(Serialize)]
pub(super) struct Paid {
    pub(super) status_code: i64,
    pub(super) balance: Box<RawValue>,
    pub(super) operation_id: u64,
}

#[derive(Serialize)]
pub(super) struct PaymentStatus {
    pub(super) status_code: i64,
    pub(super) status_id: u8,
}

#[derive(Serialize)]
pub(super) struct Transferred {
    pub(super) status_code: i64,
    pub(super) message: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mobilnik::seed;

    #[test]
    fn amounts_parse_into_tyiyn() {
        assert_eq!(parse_amount("150.50"), Some(15_050));
        assert_eq!(parse_amount("200"), Some(20_000));
        assert_eq!(parse_amount("0.5"), Some(50));
        assert_eq!(parse_amount("1043.00"), Some(104_300));
        for bad in [
            "",
            "0",
            "0.00",
            "-5",
            "+5",
            "1.234",
            "1,50",
            "1e3",
            " 1",
            "1.",
            ".5",
            "abc",
            "1.2.3",
            "9999999999999",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn money_prints_two_decimals() {
        assert_eq!(money(89_250).get(), "892.50");
        assert_eq!(money(104_300).get(), "1043.00");
        assert_eq!(money(5).get(), "0.05");
        assert_eq!(money(0).get(), "0.00");
    }

    #[test]
    fn seed_balances_parse() {
        assert!(parse_amount(seed::BALANCE).is_some());
        assert!(parse_amount(seed::SHORT_BALANCE).is_some());
        assert!(valid_login(seed::LOGIN) && valid_login(seed::SHORT_LOGIN));
        assert!(valid_login(seed::BLOCKED_LOGIN) && valid_login(seed::UNKNOWN_LOGIN));
        assert!(!valid_login(seed::BAD_FORMAT_LOGIN));
    }
}
