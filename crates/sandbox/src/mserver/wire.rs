//! mserver wire shapes: the `{meta, data}` envelope, error answers, amounts (roubles with
//! kopecks as JSON numbers), the `Authorization` header and form bodies.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Map, Value, json};

/// A refusal: HTTP status, `meta.error` (absent for a bare 404), message, details.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Refusal {
    pub(super) status: u16,
    pub(super) error: Option<&'static str>,
    pub(super) message: &'static str,
    pub(super) details: Option<String>,
}

impl Refusal {
    pub(super) fn new(status: u16, error: &'static str, message: &'static str) -> Refusal {
        Refusal {
            status,
            error: Some(error),
            message,
            details: None,
        }
    }

    pub(super) fn details(mut self, details: impl Into<String>) -> Refusal {
        self.details = Some(details.into());
        self
    }

    /// 404 with only `meta.code`, as the document's not-found answers.
    pub(super) fn not_found() -> Refusal {
        Refusal {
            status: 404,
            error: None,
            message: "",
            details: None,
        }
    }

    /// 422 `invalid_data` naming the field.
    pub(super) fn invalid(field: &str) -> Refusal {
        Refusal::new(422, "invalid_data", "Неверные данные").details(field.to_owned())
    }

    /// 304: the catalogue did not change since `If-Modified-Since`; an empty body.
    pub(super) fn not_modified() -> Refusal {
        Refusal {
            status: 304,
            error: None,
            message: "",
            details: None,
        }
    }

    pub(super) fn unauthorized() -> Refusal {
        Refusal::new(401, "unauthorized", "Требуется авторизация")
    }
}

/// A successful answer: `meta` (with `code` 200 added) and `data`.
pub(super) struct Answer {
    pub(super) meta: Map<String, Value>,
    pub(super) data: Value,
}

impl Answer {
    pub(super) fn data(data: Value) -> Answer {
        Answer {
            meta: Map::new(),
            data,
        }
    }

    pub(super) fn meta(mut self, key: &str, value: Value) -> Answer {
        self.meta.insert(key.to_owned(), value);
        self
    }
}

/// The answer of an operation.
pub(super) type Outcome = Result<Answer, Refusal>;

pub(super) fn respond(outcome: Outcome) -> Response {
    match outcome {
        Ok(answer) => {
            let mut meta = Map::new();
            meta.insert("code".into(), json!(200));
            meta.extend(answer.meta);
            if answer.data.is_null() {
                // The document's answers without data (delete, cancel) are the bare `meta`.
                return json_answer(StatusCode::OK, &json!({ "meta": meta }));
            }
            json_answer(StatusCode::OK, &json!({"meta": meta, "data": answer.data}))
        }
        Err(refusal) => refuse(&refusal),
    }
}

pub(super) fn refuse(refusal: &Refusal) -> Response {
    if refusal.status == 304 {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut meta = Map::new();
    meta.insert("code".into(), json!(refusal.status));
    if let Some(error) = refusal.error {
        meta.insert("error".into(), json!(error));
        meta.insert("error_message".into(), json!(refusal.message));
    }
    if let Some(details) = &refusal.details {
        meta.insert("details".into(), json!(details));
    }
    let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(json!({ "meta": meta }))).into_response()
}

/// Marks an exact amount inside an answer built as a `Value`; [`json_answer`] writes it as
/// a bare JSON number with its digits, so no amount passes through floating point.
const EXACT: &str = "\u{1}exact:";

/// Kopecks as the wire's roubles: an integer when whole, else a number with its kopecks
/// (`9971.34`), written exactly by [`json_answer`].
pub(super) fn money(kopecks: i64) -> Value {
    let sign = if kopecks < 0 { "-" } else { "" };
    let k = kopecks.unsigned_abs();
    let text = if k.is_multiple_of(100) {
        format!("{sign}{}", k / 100)
    } else {
        format!("{sign}{}.{:02}", k / 100, k % 100)
    };
    Value::String(format!("{EXACT}{text}"))
}

/// A number written exactly as `text` (a decimal such as `55.616371`), never through
/// floating point.
pub(super) fn exact(text: &str) -> Value {
    Value::String(format!("{EXACT}{text}"))
}

/// An answer as JSON text with the amounts [`money`] marked written as bare numbers.
pub(super) fn json_answer(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        exact_json(value),
    )
        .into_response()
}

/// JSON text of `value` with the amounts [`money`] marked written as bare numbers.
pub(super) fn exact_json(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    // serde_json writes the marker's control character as `\u0001`.
    let marker = "\"\\u0001exact:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at]);
        let after = &rest[at + marker.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Roubles on the wire (a JSON number, or a decimal string) as kopecks; more than two
/// decimals, a negative or a non-number is `None`.
pub(super) fn kopecks(value: &Value) -> Option<i64> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 12 {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// What the `Authorization` header says (checked against the state later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Auth {
    None,
    Basic(String, String),
    Bearer { token: String, application: bool },
    Malformed,
}

pub(super) fn auth(headers: &HeaderMap) -> Auth {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Auth::None;
    };
    let Ok(value) = value.to_str() else {
        return Auth::Malformed;
    };
    let Some((scheme, rest)) = value.trim().split_once(' ') else {
        return Auth::Malformed;
    };
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match decoded.as_deref().and_then(|t| t.split_once(':')) {
            Some((login, password)) => Auth::Basic(login.to_owned(), password.to_owned()),
            None => Auth::Malformed,
        }
    } else if scheme.eq_ignore_ascii_case("bearer") {
        let application = headers
            .get("x-authorization-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application"));
        Auth::Bearer {
            token: rest.trim().to_owned(),
            application,
        }
    } else {
        Auth::Malformed
    }
}

/// A JSON object body; anything else is `None`.
pub(super) fn object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A string field of a JSON object (numbers as their text).
pub(super) fn text(body: &Map<String, Value>, field: &str) -> Option<String> {
    match body.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A form body (`a=1&b=2`), percent-decoded.
pub(super) fn form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A file sent as one field of a `multipart/form-data` body.
pub(super) struct FilePart {
    /// The part's own `Content-Type`, when it names one.
    pub(super) content_type: Option<String>,
    /// The file's bytes.
    pub(super) bytes: Vec<u8>,
}

/// The part named `field` of a `multipart/form-data` body; `None` when the body is not
/// multipart or has no such part.
pub(super) fn multipart_file(headers: &HeaderMap, body: &[u8], field: &str) -> Option<FilePart> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })?;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = body;
    let start = find(rest, delimiter)?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return None;
        }
        let rest_part = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let end = find(rest_part, delimiter)?;
        let part = &rest_part[..end];
        rest = &rest_part[end + delimiter.len()..];
        let split = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..split]);
        let data = &part[split + 4..];
        let data = data.strip_suffix(b"\r\n").unwrap_or(data);
        let mut named = false;
        let mut part_type = None;
        for line in head.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                named = value.split(';').any(|p| {
                    p.split_once('=').is_some_and(|(k, v)| {
                        k.trim().eq_ignore_ascii_case("name") && v.trim().trim_matches('"') == field
                    })
                });
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                part_type = Some(value.trim().to_ascii_lowercase());
            }
        }
        if named {
            return Some(FilePart {
                content_type: part_type,
                bytes: data.to_vec(),
            });
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A lower-case UUID (8-4-4-4-12 hex digits), as `client_payment_id` must be.
pub(super) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(kopecks(&json!(100)), Some(10_000));
        assert_eq!(kopecks(&json!(9971.34)), Some(997_134));
        assert_eq!(kopecks(&json!("0.5")), Some(50));
        assert_eq!(kopecks(&json!(1.234)), None);
        assert_eq!(kopecks(&json!(-1)), None);
        let written = |kopecks| {
            let value = json!({"amount": money(kopecks)});
            let answer = json_answer(StatusCode::OK, &value);
            String::from_utf8(
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("runtime")
                    .block_on(axum::body::to_bytes(answer.into_body(), 1 << 16))
                    .expect("body")
                    .to_vec(),
            )
            .expect("utf-8")
        };
        assert_eq!(written(997_134), r#"{"amount":9971.34}"#);
        assert_eq!(written(89_950), r#"{"amount":899.50}"#);
        assert_eq!(written(10_000), r#"{"amount":100}"#);
        assert_eq!(written(5), r#"{"amount":0.05}"#);
    }

    #[test]
    fn forms_and_uuids() {
        assert_eq!(
            form(b"grant_type=client_credentials&x=a%2Bb+c"),
            vec![
                ("grant_type".into(), "client_credentials".into()),
                ("x".into(), "a+b c".into())
            ]
        );
        assert!(is_uuid("e731a7e2-c553-4295-867e-1023359bee28"));
        assert!(!is_uuid("E731A7E2-C553-4295-867E-1023359BEE28"));
    }
}
