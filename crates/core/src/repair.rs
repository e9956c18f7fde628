//! Reading answers whose JSON is broken in the way some provider documents' own examples
//! are, where the intent is plain.
//!
//! Three repairs, and only these, are made, outside string literals:
//!
//! 1. an elision line (`...`) is dropped (`"scope": "openid",` then `...`);
//! 2. a trailing comma before `}` or `]` is dropped (`"scope": "openid", }`);
//! 3. a missing comma between a value and the next member *on the next line* is added
//!    (`"gatewayName": null` followed on the next line by `"sender": null`).
//!
//! Nothing else is guessed: an unquoted timestamp, stray closing braces at a page break or
//! a `// comment` stay errors, reported with the place in the original text. A body is
//! repaired only when it is not valid JSON; valid JSON is never touched.
//!
//! ```
//! use kassa_core::{decode, Effect, Operation};
//! #[derive(serde::Deserialize)]
//! struct Token { scope: String }
//! let op = Operation::new("p", "login", Effect::Auth);
//! let body = b"{\n  \"scope\": \"openid\",\n  ...\n}";
//! assert_eq!(decode::json_lenient::<Token>(&op, body)?.scope, "openid");
//! assert!(decode::json::<Token>(&op, body).is_err());
//! # Ok::<(), kassa_core::Error>(())
//! ```

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::decode;
use crate::error::Error;
use crate::request::Operation;

/// Decodes `body` into `T`, making the repairs of [this module](self) when the body is not
/// valid JSON. A failure is the strict decoder's error on the *original* body (path and
/// excerpt); for an operation that changes state it is wrapped in
/// [`Error::OutcomeUnknown`], as [`decode::json`] does.
///
/// ```
/// use kassa_core::{decode, Effect, Operation};
/// #[derive(Debug, serde::Deserialize)]
/// struct Paid { id: u64 }
/// let pay = Operation::new("p", "pay", Effect::Once);
/// assert_eq!(decode::json_lenient::<Paid>(&pay, b"{\"id\": 7,}")?.id, 7);
/// let err = decode::json_lenient::<Paid>(&pay, b"{\"id\": 7 // paid\n}").unwrap_err();
/// assert!(err.may_have_taken_effect());
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn json_lenient<T: DeserializeOwned>(op: &Operation, body: &[u8]) -> Result<T, Error> {
    json_lenient_plain(op, body).map_err(|e| {
        if op.effect.changes_state() {
            op.outcome_unknown(e)
        } else {
            e
        }
    })
}

/// Like [`json_lenient`] but never wraps the error (error answers, probes).
///
/// ```
/// use kassa_core::{decode, Effect, Operation};
/// let pay = Operation::new("p", "pay", Effect::Once);
/// let err = decode::json_lenient_plain::<u64>(&pay, b"x").unwrap_err();
/// assert!(!err.may_have_taken_effect());
/// ```
pub fn json_lenient_plain<T: DeserializeOwned>(op: &Operation, body: &[u8]) -> Result<T, Error> {
    let strict = match decode::json_plain::<T>(op, body) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if let Some(fixed) = repaired(body)
        && let Ok(v) = decode::json_plain::<T>(op, fixed.as_bytes())
    {
        note_repaired(op);
        return Ok(v);
    }
    Err(strict)
}

/// The repaired text of `body` when it is not valid JSON and a repair of [this
/// module](self) applies; `None` for valid JSON (never touched) and for a body no repair
/// changes. The one test of "broken, and repairable" that the lenient decoders and the
/// lenient answer path share.
pub(crate) fn repaired(body: &[u8]) -> Option<String> {
    if serde_json::from_slice::<IgnoredAny>(body).is_ok() {
        return None;
    }
    repair(&String::from_utf8_lossy(body))
}

/// Says, at debug level, that an answer of `op` was read only after a repair.
pub(crate) fn note_repaired(op: &Operation) {
    tracing::debug!(
        operation = op.name,
        "answer was not valid JSON; read after a trailing/missing comma or elision repair"
    );
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Punct(char),
    Bare(String),
}

impl Tok {
    fn ends_value(&self) -> bool {
        match self {
            Tok::Str(_) | Tok::Bare(_) => true,
            Tok::Punct(c) => matches!(c, '}' | ']'),
        }
    }
    fn starts_value(&self) -> bool {
        match self {
            Tok::Str(_) | Tok::Bare(_) => true,
            Tok::Punct(c) => matches!(c, '{' | '['),
        }
    }
    fn text(&self) -> String {
        match self {
            Tok::Str(s) | Tok::Bare(s) => s.clone(),
            Tok::Punct(c) => c.to_string(),
        }
    }
}

/// Splits JSON-ish text into tokens, each with the whitespace before it.
fn tokenize(text: &str) -> Option<Vec<(String, Tok)>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut ws = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            ws.push(c);
            chars.next();
        } else if c == '"' {
            let mut s = String::from('"');
            chars.next();
            let mut closed = false;
            while let Some(ch) = chars.next() {
                s.push(ch);
                if ch == '\\' {
                    s.push(chars.next()?);
                } else if ch == '"' {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return None;
            }
            out.push((std::mem::take(&mut ws), Tok::Str(s)));
        } else if matches!(c, '{' | '}' | '[' | ']' | ':' | ',') {
            chars.next();
            out.push((std::mem::take(&mut ws), Tok::Punct(c)));
        } else {
            let mut s = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() || matches!(ch, '{' | '}' | '[' | ']' | ':' | ',' | '"') {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            out.push((std::mem::take(&mut ws), Tok::Bare(s)));
        }
    }
    Some(out)
}

/// Returns the repaired text, or `None` when no repair applies (valid JSON included).
///
/// ```
/// let fixed = kassa_core::repair::repair("{\"a\": 1,\n ...\n}").expect("repairable");
/// assert_eq!(serde_json::from_str::<serde_json::Value>(&fixed)?["a"], 1);
/// assert_eq!(kassa_core::repair::repair(r#"{"a": 1}"#), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn repair(text: &str) -> Option<String> {
    let tokens = tokenize(text)?;
    let mut changed = false;
    // 1. drop elisions
    let tokens: Vec<(String, Tok)> = tokens
        .into_iter()
        .filter(|(_, t)| {
            let elision = matches!(t, Tok::Bare(s) if s.len() >= 3 && s.bytes().all(|b| b == b'.'));
            changed |= elision;
            !elision
        })
        .collect();
    let mut out: Vec<(String, Tok)> = Vec::with_capacity(tokens.len());
    for (i, (ws, tok)) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(|(_, t)| t);
        // 2. trailing comma
        if *tok == Tok::Punct(',') && matches!(next, Some(Tok::Punct('}' | ']'))) {
            changed = true;
            continue;
        }
        // 3. missing comma before a member on the next line
        if let Some((_, prev)) = out.last()
            && prev.ends_value()
            && tok.starts_value()
            && ws.contains('\n')
        {
            out.push((String::new(), Tok::Punct(',')));
            changed = true;
        }
        out.push((ws.clone(), tok.clone()));
    }
    if !changed {
        return None;
    }
    let mut s = String::with_capacity(text.len() + 8);
    for (ws, tok) in &out {
        s.push_str(ws);
        s.push_str(&tok.text());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok()
    }

    #[test]
    fn elision_and_trailing_comma_are_repaired() {
        let text = "{\n  \"result\": {\n    \"scope\": \"openid\",\n    ...\n  }\n}";
        let fixed = repair(text).expect("repairable");
        assert!(valid(&fixed), "{fixed}");
        assert!(fixed.contains("\"scope\": \"openid\"\n"), "{fixed}");
    }

    #[test]
    fn a_missing_comma_on_the_next_line_is_added() {
        let text = "{\n  \"gatewayName\": null\n  \"sender\": null,\n  \"receiver\": null\n}";
        let fixed = repair(text).expect("repairable");
        let v: serde_json::Value = serde_json::from_str(&fixed).expect("valid");
        assert_eq!(v["receiver"], serde_json::Value::Null);
    }

    #[test]
    fn strings_are_left_alone() {
        let text = r#"{"a": "x, }", "b": "...",}"#;
        let fixed = repair(text).expect("trailing comma");
        let v: serde_json::Value = serde_json::from_str(&fixed).expect("valid");
        assert_eq!(v["a"], "x, }");
        assert_eq!(v["b"], "...");
    }

    #[test]
    fn damaged_examples_stay_broken() {
        let hold_more = "{\n \"id\": 1,\n \"responseTime\": 2022-08-01T09: 24: 40.392384200Z,\n}\n\"status\": \"HOLD_SUCCESS\"\n}";
        assert!(repair(hold_more).is_none_or(|f| !valid(&f)));
        let comment = "{\n  \"id\": 777,\n  \"result\": { //error }\n}";
        assert!(repair(comment).is_none_or(|f| !valid(&f)));
        let page_break = "{\n \"data\": {\n \"ccy\": \"860\",\n }\n}\n \"rate\": \"100\"\n },\n \"gatewayName\": null\n}";
        assert!(repair(page_break).is_none_or(|f| !valid(&f)));
    }

    #[test]
    fn valid_json_needs_no_repair() {
        assert_eq!(repair(r#"{"a": [1, 2], "b": {"c": null}}"#), None);
    }

    #[derive(Debug, serde::Deserialize)]
    struct Scope {
        scope: String,
    }

    #[test]
    fn a_repaired_body_decodes_and_a_broken_one_is_outcome_unknown_on_a_payment() {
        let pay = Operation::new("p", "pay", crate::Effect::Once);
        let read = Operation::new("p", "status", crate::Effect::Read);
        let body = b"{\n  \"scope\": \"openid\",\n  ...\n}";
        assert_eq!(
            json_lenient::<Scope>(&pay, body).expect("repaired").scope,
            "openid"
        );
        let broken = b"{\n  \"scope\": { //error }\n}";
        let err = json_lenient::<Scope>(&pay, broken).unwrap_err();
        assert!(err.may_have_taken_effect(), "{err}");
        let err = json_lenient::<Scope>(&read, broken).unwrap_err();
        assert!(!err.may_have_taken_effect(), "{err}");
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        // Valid JSON of the wrong shape is never "repaired": the strict error stands.
        let err = json_lenient::<Scope>(&read, br#"{"scope": 1}"#).unwrap_err();
        assert!(err.to_string().contains("at `scope`"), "{err}");
    }
}
