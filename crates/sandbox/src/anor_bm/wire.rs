//! Reading request fields the way the document sends them (numbers as strings and strings as
//! numbers, both spellings of a field), masking, and the answer's time stamps.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::catalogue::ApiError;

/// A field that is present, not `null` and not an empty string.
pub(super) fn present<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    obj.get(name)
        .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
}

/// An integer sent as a JSON number or as a string of digits; `err` when it is neither.
pub(super) fn int(obj: &Value, name: &str, err: ApiError) -> Result<Option<i64>, ApiError> {
    match present(obj, name) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(err),
        Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| err),
        Some(_) => Err(err),
    }
}

/// A required integer (see [`int`]).
pub(super) fn req_int(obj: &Value, name: &str, err: ApiError) -> Result<i64, ApiError> {
    int(obj, name, err)?.ok_or(err)
}

/// A string sent as a JSON string or a number; `err` for objects, arrays and booleans.
pub(super) fn text(obj: &Value, name: &str, err: ApiError) -> Result<Option<String>, ApiError> {
    match present(obj, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(err),
    }
}

/// A required string (see [`text`]).
pub(super) fn req_text(obj: &Value, name: &str, err: ApiError) -> Result<String, ApiError> {
    text(obj, name, err)?.ok_or(err)
}

/// The first of several spellings of a string field that is present.
pub(super) fn text_any(
    obj: &Value,
    names: &[&str],
    err: ApiError,
) -> Result<Option<String>, ApiError> {
    for name in names {
        if let Some(v) = text(obj, name, err)? {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// The card of a request: `pan` and `exp` (or `expiry`) under `params`, or at the top level
/// (the tables lose their indentation, so both readings are accepted).
pub(super) fn card_fields(
    body: &Value,
    err: ApiError,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let params = present(body, "params").filter(|p| p.is_object());
    let mut pan = None;
    let mut exp = None;
    if let Some(p) = params {
        pan = text(p, "pan", err)?;
        exp = text_any(p, &["exp", "expiry"], err)?;
    }
    if pan.is_none() {
        pan = text(body, "pan", err)?;
    }
    if exp.is_none() {
        exp = text_any(body, &["exp", "expiry"], err)?;
    }
    Ok((pan, exp))
}

/// `860048*****2454`: the first six and the last four digits, as the document shows PANs.
pub(super) fn mask_pan(pan: &str) -> String {
    if pan.len() < 10 || !pan.is_ascii() {
        return "*****".to_owned();
    }
    format!("{}*****{}", &pan[..6], &pan[pan.len() - 4..])
}

/// `99897*****87`, the `phoneMask` of `send-otp`.
pub(super) fn mask_phone(phone: &str) -> String {
    if phone.len() < 7 || !phone.is_ascii() {
        return "*****".to_owned();
    }
    format!("{}*****{}", &phone[..5], &phone[phone.len() - 2..])
}

/// `+9***587`, the `data.phone` of `unregistered-check`.
pub(super) fn short_phone(phone: &str) -> String {
    if phone.len() < 4 || !phone.is_ascii() {
        return "+9***".to_owned();
    }
    format!("+{}***{}", &phone[..1], &phone[phone.len() - 3..])
}

/// Milliseconds since the Unix epoch.
pub(super) fn epoch_millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `2021-08-10T10:54:26.626Z` (UTC, milliseconds), as the document's `requestTime`.
pub(super) fn iso8601(t: SystemTime) -> String {
    let ms = epoch_millis(t);
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_print_like_the_document() {
        let t = UNIX_EPOCH + Duration::from_millis(1_628_592_866_626);
        assert_eq!(iso8601(t), "2021-08-10T10:54:26.626Z");
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(iso8601(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn masks_look_like_the_document() {
        assert_eq!(mask_pan("8600482012342454"), "860048*****2454");
        assert_eq!(mask_phone("998971234587"), "99897*****87");
        assert_eq!(short_phone("998971234275"), "+9***275");
        assert_eq!(mask_pan("86"), "*****");
    }

    #[test]
    fn numbers_and_strings_are_read_either_way() {
        let err = super::super::catalogue::INVALID_PARAMS;
        let v = serde_json::json!({"a": "42", "b": 7, "c": 1.5, "d": "", "e": {"x": 1}});
        assert_eq!(int(&v, "a", err), Ok(Some(42)));
        assert_eq!(int(&v, "b", err), Ok(Some(7)));
        assert_eq!(int(&v, "c", err), Err(err));
        assert_eq!(int(&v, "d", err), Ok(None));
        assert_eq!(text(&v, "b", err), Ok(Some("7".to_owned())));
        assert_eq!(text(&v, "e", err), Err(err));
    }
}
