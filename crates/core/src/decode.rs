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

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::Operation;
use crate::secret;

pub use crate::repair::{json_lenient, json_lenient_plain};

/// Decodes a JSON body into `T`. On failure: [`Error::Decode`] with the path and a redacted
/// excerpt; for an operation that changes state, that error is wrapped in
/// [`Error::OutcomeUnknown`], since the provider did answer and money may have moved.
pub fn json<T: DeserializeOwned>(op: &Operation, body: &[u8]) -> Result<T, Error> {
    json_plain(op, body).map_err(|e| {
        if op.effect.changes_state() {
            op.outcome_unknown(e)
        } else {
            e
        }
    })
}

/// Like [`json`] but never wraps: for error answers and probes, where a failure to read
/// means nothing about the money.
pub fn json_plain<T: DeserializeOwned>(op: &Operation, body: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let result: Result<T, (String, serde_json::Error)> =
        match serde_path_to_error::deserialize(&mut de) {
            Ok(v) => de.end().map(|()| v).map_err(|e| (".".to_owned(), e)),
            Err(e) => {
                let path = e.path().to_string();
                Err((path, e.into_inner()))
            }
        };
    result.map_err(|(path, inner)| {
        let offset = byte_offset(body, inner.line(), inner.column());
        let (message, excerpt) = if secret_path(&path) {
            (
                "invalid value in a secret field (value hidden)".to_owned(),
                secret::EXCERPT_WITHHELD.to_owned(),
            )
        } else {
            (
                secret::redact_text(&inner.to_string()),
                secret::excerpt_bytes(body, offset, 80),
            )
        };
        Error::Decode {
            provider: op.provider,
            operation: op.name,
            path,
            message,
            excerpt,
        }
    })
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
