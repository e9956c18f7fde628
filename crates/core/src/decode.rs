//! Reading answers: JSON into typed values, with errors that give the JSON path and a short
//! redacted excerpt, never the whole body.
//!
//! ```
//! use kassa_core::{decode, Effect, Operation};
//! #[derive(Debug, serde::Deserialize)]
//! struct Bill { id: u64 }
//! let op = Operation::new("anor-bm", "status", Effect::Read);
//! let err = decode::json::<Bill>(&op, br#"{"id": "x"}"#).unwrap_err();
//! assert!(err.to_string().contains("at `id`"));
//! ```

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::Operation;
use crate::secret;

pub use crate::repair::{json_lenient, json_lenient_plain};

/// Decodes a JSON body into `T`. On failure: [`Error::Decode`] with the path and a redacted
/// excerpt; for an operation that changes state, that error is wrapped in
/// [`Error::OutcomeUnknown`], since the provider did answer and money may have moved.
///
/// The body is decoded once, plainly; only when that fails is it read a second time with
/// the JSON path tracked, to say where it broke. A good answer never pays for the path.
///
/// ```
/// use kassa_core::{decode, Effect, Operation};
/// let pay = Operation::new("p", "pay", Effect::Once);
/// let n: u32 = decode::json(&pay, b"7")?;
/// assert_eq!(n, 7);
/// assert!(decode::json::<u32>(&pay, b"<html>").unwrap_err().may_have_taken_effect());
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn json<T: DeserializeOwned>(op: &Operation, body: &[u8]) -> Result<T, Error> {
    json_plain(op, body).map_err(|e| money_safe(op, e))
}

/// Like [`json`] but never wraps: for error answers and probes, where a failure to read
/// means nothing about the money.
///
/// ```
/// use kassa_core::{decode, Effect, Operation};
/// let pay = Operation::new("p", "pay", Effect::Once);
/// let err = decode::json_plain::<u32>(&pay, b"\"x\"").unwrap_err();
/// assert!(!err.may_have_taken_effect());
/// ```
pub fn json_plain<T: DeserializeOwned>(op: &Operation, body: &[u8]) -> Result<T, Error> {
    borrowed(op, body)
}

/// A quick look, without parsing, at whether `body` may give the key `key` one of `values`
/// (a number, or a string of it): `false` only when no `"key"` in the body is followed by
/// a value whose digits start with one of them (past quotes, spaces, a sign and zeros). A body with a `\u` escape anywhere (a key could be spelt with one) is
/// always `true`. Use it to skip parsing an answer for a rare code (a body-code retry
/// classifier asks this of every answer): when it says `true`, parse to be sure.
///
/// ```
/// use kassa_core::decode::may_hold;
/// assert!(may_hold(br#"{"code": 1111, "data": []}"#, "code", &["1111"]));
/// assert!(may_hold(br#"{"code" : "1111"}"#, "code", &["1111"]));
/// assert!(may_hold(br#"{"code": " 01111.0"}"#, "code", &["1111"]));
/// assert!(!may_hold(br#"{"code": 2111, "id": 1111}"#, "code", &["1111"]));
/// assert!(!may_hold(br#"{"status_code": 1111}"#, "code", &["1111"]));
/// assert!(may_hold(br#"{"c\u006fde": 1111}"#, "code", &["1111"]));
/// ```
pub fn may_hold(body: &[u8], key: &str, values: &[&str]) -> bool {
    if memchr::memmem::find(body, b"\\u").is_some() {
        return true;
    }
    let quoted = format!("\"{key}\"");
    let skip = |mut i: usize| {
        while body.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    for at in memchr::memmem::find_iter(body, quoted.as_bytes()) {
        let i = skip(at + quoted.len());
        if body.get(i) != Some(&b':') {
            continue;
        }
        // The value's first digits, past a quote, spaces, a sign and leading zeros: any
        // value starting with one of `values` is a maybe (`11110` too; the parse decides).
        let rest = &body[(i + 1).min(body.len())..];
        let start = rest
            .iter()
            .position(|c| !(c.is_ascii_whitespace() || matches!(c, b'"' | b'+' | b'-' | b'0')))
            .unwrap_or(rest.len());
        if values
            .iter()
            .any(|v| rest[start..].starts_with(v.as_bytes()))
        {
            return true;
        }
    }
    false
}

/// Wraps a decode failure as outcome-unknown when `op` changes state.
pub(crate) fn money_safe(op: &Operation, err: Error) -> Error {
    if op.effect.changes_state() {
        op.outcome_unknown(err)
    } else {
        err
    }
}

/// Decodes `T`, possibly borrowing from `body`; the path is tracked only on failure.
pub(crate) fn borrowed<'a, T: Deserialize<'a>>(op: &Operation, body: &'a [u8]) -> Result<T, Error> {
    match serde_json::from_slice::<T>(body) {
        Ok(v) => Ok(v),
        Err(_) => Err(explain::<T>(op, body, 0, "", body)),
    }
}

/// Decodes `T` from `part`, a slice of `body` at byte `base` reached under the JSON path
/// `prefix` (`data`): the error's path and excerpt are those of the whole body.
pub(crate) fn part<'a, T: Deserialize<'a>>(
    op: &Operation,
    body: &[u8],
    base: usize,
    prefix: &str,
    part: &'a [u8],
) -> Result<T, Error> {
    match serde_json::from_slice::<T>(part) {
        Ok(v) => Ok(v),
        Err(_) => Err(explain::<T>(op, body, base, prefix, part)),
    }
}

/// Reads `part` again with the JSON path tracked and builds the [`Error::Decode`] that says
/// where it broke. Only called after a plain decode failed.
fn explain<'a, T: Deserialize<'a>>(
    op: &Operation,
    body: &[u8],
    base: usize,
    prefix: &str,
    part: &'a [u8],
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(part);
    let result: Result<T, (String, serde_json::Error)> =
        match serde_path_to_error::deserialize(&mut de) {
            Ok(v) => de.end().map(|()| v).map_err(|e| (".".to_owned(), e)),
            Err(e) => {
                let path = e.path().to_string();
                Err((path, e.into_inner()))
            }
        };
    let (path, inner) = match result {
        Err(failure) => failure,
        // The plain decode failed, so this cannot succeed; say so rather than panic.
        Ok(_) => (
            ".".to_owned(),
            <serde_json::Error as serde::de::Error>::custom("the answer could not be read"),
        ),
    };
    let path = join_path(prefix, &path);
    let offset = base + byte_offset(part, inner.line(), inner.column());
    decode_error(op, body, offset, path, &inner)
}

/// `data` + `items[2].amount` -> `data.items[2].amount`; `data` + `.` -> `data`.
fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path) {
        (true, p) => p.to_owned(),
        (false, ".") => prefix.to_owned(),
        (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
        (false, p) => format!("{prefix}.{p}"),
    }
}

/// The [`Error::Decode`] for a failure at byte `offset` of `body` under `path`.
pub(crate) fn decode_error(
    op: &Operation,
    body: &[u8],
    offset: usize,
    path: String,
    inner: &dyn std::fmt::Display,
) -> Error {
    let (message, excerpt) = if secret_path(&path) {
        (
            "invalid value in a secret field (value hidden)".to_owned(),
            secret::EXCERPT_WITHHELD.to_owned(),
        )
    } else {
        (
            secret::redact_text(&inner.to_string()),
            secret::excerpt_bytes(body, offset.min(body.len()), 80),
        )
    };
    Error::Decode {
        provider: op.provider,
        operation: op.name,
        path,
        message,
        excerpt,
    }
}

/// True when any part of the JSON path names a secret, or its last part a card.
fn secret_path(path: &str) -> bool {
    let mut parts = path.split(['.', '[', ']']).filter(|p| !p.is_empty());
    let last = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    parts.any(secret::is_secret_key) || ["pan", "card"].iter().any(|k| last.contains(k))
}

fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len() + 1;
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Effect, Money};

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrapper {
        result: Inner,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(with = "crate::money::serde::uzs::minor_number")]
        amount: Money,
        access_token: String,
    }

    const READ: crate::Operation = crate::Operation::new("p", "op", Effect::Read);

    #[test]
    fn path_reaches_through_raw_values() {
        let err = json::<Wrapper>(
            &READ,
            br#"{"result": {"amount": 1.5, "access_token": "x"}}"#,
        )
        .unwrap_err();
        match &err {
            Error::Decode { path, message, .. } => {
                assert_eq!(path, "result.amount");
                assert!(
                    message.contains("not a decimal amount") || message.contains("decimal"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        let ok = json::<Wrapper>(
            &READ,
            br#"{"result": {"amount": "150", "access_token": "x"}}"#,
        )
        .expect("decodes");
        assert_eq!(ok.result.amount.minor, 150);
    }

    #[test]
    fn secrets_stay_out_of_decode_errors() {
        let body = br#"{"result": {"amount": 1, "access_token": 12345678901234, "refresh_token": "eyJsecret"}}"#;
        let err = json::<Wrapper>(&READ, body).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("12345678901234"), "{text}");
        assert!(!text.contains("eyJsecret"), "{text}");
        assert!(text.contains("result.access_token"), "{text}");
    }

    #[test]
    fn broken_json_on_a_payment_is_outcome_unknown() {
        let pay = crate::Operation::new("p", "pay", Effect::Once);
        let err = json::<Wrapper>(&pay, b"{\"result\": {,}").unwrap_err();
        assert!(err.may_have_taken_effect());
        assert!(json::<Wrapper>(&READ, b"<html>").is_err());
    }
}
