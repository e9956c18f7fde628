//! Wire shapes of the exchanger emulator: the `{error, error_text, data}` envelope, the
//! engine's error answers, form fields, decimal strings and dates.

use std::collections::HashMap;
use std::str::FromStr;

use axum::Json;
use axum::response::{IntoResponse, Response};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

/// Why a call failed, in the engine's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// `no bid exists`.
    NoBid,
    /// `direction not found`.
    DirectionNotFound,
    /// Another refusal, with the fields at fault (`error_fields`).
    Refused {
        text: String,
        fields: Vec<(String, String)>,
    },
}

impl Fail {
    /// A refusal naming no field.
    pub(crate) fn text(text: impl Into<String>) -> Fail {
        Fail::Refused {
            text: text.into(),
            fields: Vec::new(),
        }
    }

    /// A refusal naming the field at fault.
    pub(crate) fn field(name: &str, text: impl Into<String>) -> Fail {
        let text = text.into();
        Fail::Refused {
            text: text.clone(),
            fields: vec![(name.to_owned(), text)],
        }
    }
}

/// A success: `error` 0 (a number) and the data; an empty result is `data: []` with
/// `error` `"0"` (a string), as the engine answers it.
pub(crate) fn ok(data: Value) -> Response {
    let empty = match &data {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Null => true,
        _ => false,
    };
    if empty {
        return Json(json!({"error": "0", "error_text": "", "data": []})).into_response();
    }
    Json(json!({"error": 0, "error_text": "", "data": data})).into_response()
}

/// A failed call: `error` `"1"` (a string), `data: []`.
pub(crate) fn fail(fail: Fail) -> Response {
    let body = match fail {
        Fail::NoBid => json!({
            "error": "1", "error_text": "no bid exists", "error_fields": [], "data": []
        }),
        Fail::DirectionNotFound => {
            json!({"error": "1", "error_text": "direction not found", "data": []})
        }
        Fail::Refused { text, fields } => {
            let fields: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            let fields = if fields.is_empty() {
                json!([])
            } else {
                Value::Object(fields)
            };
            json!({"error": "1", "error_text": text, "error_fields": fields, "data": []})
        }
    };
    Json(body).into_response()
}

/// Wrong or missing `API-LOGIN`/`API-KEY`: error 1 and no `data` key at all.
pub(crate) fn api_disabled() -> Response {
    Json(json!({"error": 1, "error_text": "Api disabled"})).into_response()
}

/// A method the key may not call (or that does not exist): error 3.
pub(crate) fn method_not_supported() -> Response {
    Json(json!({"error": 3, "error_text": "Method not supported", "data": []})).into_response()
}

/// The request's form fields (later duplicates win); a body that is not a form is no fields.
pub(crate) fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// A form field, trimmed; `None` when absent or blank.
pub(crate) fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// An optional whole-number filter; present but not a number is a refusal naming it.
pub(crate) fn number(form: &HashMap<String, String>, name: &str) -> Result<Option<i64>, Fail> {
    match field(form, name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Fail::field(name, format!("{name} is not a number"))),
    }
}

/// A decimal from the seed or the state (they hold only valid ones; anything else is 0).
pub(crate) fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

/// A decimal the caller sent: plain digits with an optional point (no sign, no exponent).
pub(crate) fn parse_amount(text: &str) -> Option<Decimal> {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|c| *c == '.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    if !plain {
        return None;
    }
    Decimal::from_str(text).ok()
}

/// A decimal as the engine writes it: no trailing zeros (`"0.0152"`, `"963.23"`, `"5"`).
pub(crate) fn show(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `d` rounded to `places` (half away from zero).
pub(crate) fn round(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// A limit as the engine writes it: the decimal, or `"no"` when not set.
pub(crate) fn limit(l: Option<&str>) -> String {
    l.map_or_else(|| "no".to_owned(), |v| show(dec(v)))
}

/// `date` of a unix time, in UTC: `14.11.2023 22:13`.
pub(crate) fn date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(format_description!("[day].[month].[year] [hour]:[minute]"))
                .ok()
        })
        .unwrap_or_default()
}
