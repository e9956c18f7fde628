//! What the CLI prints: one JSON document on stdout for a success; for a failure, an empty
//! stdout and a last stderr line `{"error": {...}}`, with exit codes 2 (invalid input,
//! nothing sent), 3 (the provider refused), 4 (outcome unknown), 5 (anything else).

use std::error::Error as StdError;

use kassa_core::{Error, TransportError};
use serde_json::{Value, json};

/// Exit code for invalid input.
pub const EXIT_INVALID: i32 = 2;
/// Exit code for a refusal by the provider.
pub const EXIT_REJECTED: i32 = 3;
/// Exit code for an outcome-unknown failure.
pub const EXIT_UNKNOWN: i32 = 4;
/// Exit code for any other failure.
pub const EXIT_OTHER: i32 = 5;

/// A failure as the CLI reports it.
#[derive(Debug)]
pub struct Failure {
    /// `invalid_input`, `rejected`, `auth`, `outcome_unknown`, `transport`, `decode`.
    pub kind: &'static str,
    /// The provider's code, or null.
    pub code: Value,
    /// A human message (never holds a secret: kassa errors are redacted).
    pub message: String,
    /// Whether money may have moved.
    pub may_have_taken_effect: bool,
    /// For outcome-unknown: the status call to ask.
    pub reconcile: Option<Value>,
    /// The process exit code.
    pub exit: i32,
}

impl Failure {
    /// Invalid input detected by the CLI itself (nothing was sent).
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            kind: "invalid_input",
            code: Value::Null,
            message: message.into(),
            may_have_taken_effect: false,
            reconcile: None,
            exit: EXIT_INVALID,
        }
    }

    /// A local failure that is not the caller's input (e.g. the sandbox could not start).
    pub fn other(message: impl Into<String>) -> Failure {
        Failure {
            kind: "transport",
            code: Value::Null,
            message: message.into(),
            may_have_taken_effect: false,
            reconcile: None,
            exit: EXIT_OTHER,
        }
    }

    /// The JSON line printed last on stderr.
    pub fn to_json(&self) -> Value {
        let mut error = json!({
            "kind": self.kind,
            "code": self.code,
            "message": self.message,
            "may_have_taken_effect": self.may_have_taken_effect,
        });
        if let (Some(r), Some(obj)) = (&self.reconcile, error.as_object_mut()) {
            obj.insert("reconcile".into(), r.clone());
        }
        json!({ "error": error })
    }
}

/// A provider code as JSON: a number when it is one, else a string.
fn code_value(raw: &str) -> Value {
    raw.parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(raw))
}

/// The provider's code behind `err`: its own refusal's, else the first refusal found down
/// its source chain (an outcome-unknown error keeps the answer that left the outcome open,
/// such as requisite-uz 1111 or 2222, as its cause). Empty codes count as none.
pub fn provider_code(err: &Error) -> Option<String> {
    err.provider_code_anywhere()
}

/// The error and every cause down its source chain, each once: a cause whose text an
/// earlier one already quotes is left out ("... transport failure: error sending request:
/// client error (Connect): tcp connect error: Connection refused (os error 111)"). A
/// timeout the texts do not name says "timed out".
pub fn chain_message(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut timed_out = false;
    let mut current = Some(err);
    while let Some(e) = current {
        let transport = e.downcast_ref::<TransportError>();
        timed_out |= transport.is_some_and(|t| t.timeout);
        // a transport error's text is its cause's plus whether it left, which the
        // error above it already says: its cause follows
        let text = if transport.is_some() {
            String::new()
        } else {
            e.to_string()
        };
        let text = text.trim();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(text)) {
            parts.push(text.to_owned());
        }
        current = e.source();
    }
    let mut message = parts.join(": ");
    if timed_out && !message.to_ascii_lowercase().contains("timed out") {
        message.push_str(" (timed out)");
    }
    message
}

impl From<&Error> for Failure {
    fn from(err: &Error) -> Failure {
        let may = err.may_have_taken_effect();
        let message = chain_message(err);
        let (kind, exit) = match err {
            Error::InvalidInput { .. } => ("invalid_input", EXIT_INVALID),
            Error::Rejected(_) => ("rejected", EXIT_REJECTED),
            Error::Auth(_) => ("auth", EXIT_REJECTED),
            Error::OutcomeUnknown(_) => ("outcome_unknown", EXIT_UNKNOWN),
            Error::Decode { .. } => ("decode", EXIT_OTHER),
            _ => ("transport", EXIT_OTHER),
        };
        let reconcile = err.outcome_unknown().and_then(|o| {
            o.reconcile.as_ref().map(|r| {
                let params: serde_json::Map<String, Value> = r
                    .params
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str())))
                    .collect();
                json!({ "operation": r.operation, "params": params })
            })
        });
        Failure {
            kind,
            code: provider_code(err).map_or(Value::Null, |c| code_value(&c)),
            message,
            may_have_taken_effect: may,
            reconcile,
            exit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_core::{OutcomeUnknown, RawCode, Reconcile};

    #[test]
    fn each_kind_has_its_exit_code_and_shape() {
        let f = Failure::from(&Error::invalid("billId", "required"));
        assert_eq!((f.kind, f.exit), ("invalid_input", 2));
        let f = Failure::from(&Error::rejected(
            "p",
            "op",
            Some(200),
            RawCode("1008".into()),
            "no",
        ));
        assert_eq!(
            (f.kind, f.exit, f.code.clone()),
            ("rejected", 3, json!(1008))
        );
        let f = Failure::from(&Error::auth(
            "p",
            "login",
            Some(401),
            RawCode("bad_credentials".into()),
            "",
        ));
        assert_eq!(
            (f.kind, f.exit, f.code.clone()),
            ("auth", 3, json!("bad_credentials"))
        );
        let o = OutcomeUnknown::new("p", "pay")
            .with_reconcile(Reconcile::new("status").param("billId", "7"));
        let f = Failure::from(&Error::OutcomeUnknown(Box::new(o)));
        assert_eq!(
            (f.kind, f.exit, f.may_have_taken_effect),
            ("outcome_unknown", 4, true)
        );
        assert_eq!(
            f.to_json()["error"]["reconcile"],
            json!({"operation": "status", "params": {"billId": "7"}})
        );
    }

    #[test]
    fn an_outcome_unknown_keeps_the_code_of_the_answer_behind_it() {
        let cause = Error::rejected("p", "pay", Some(200), RawCode("1111".into()), "system");
        let o = OutcomeUnknown::new("p", "pay").with_source(cause);
        let f = Failure::from(&Error::OutcomeUnknown(Box::new(o)));
        assert_eq!((f.kind, f.code.clone()), ("outcome_unknown", json!(1111)));
        let bare = Failure::from(&Error::OutcomeUnknown(Box::new(OutcomeUnknown::new(
            "p", "pay",
        ))));
        assert_eq!(bare.code, Value::Null);
        let empty = Failure::from(&Error::rejected(
            "p",
            "op",
            None,
            RawCode(String::new()),
            "",
        ));
        assert_eq!(empty.code, Value::Null);
    }

    #[test]
    fn the_message_carries_every_cause_once() {
        let inner =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let err = Error::Transport {
            provider: "p",
            operation: "op",
            sent: kassa_core::Sent::No,
            source: Box::new(TransportError::not_sent(inner)),
        };
        let m = Failure::from(&err).message;
        assert!(m.starts_with("p op: "), "{m}");
        assert!(m.contains("connection refused"), "{m}");
        assert_eq!(m.matches("connection refused").count(), 1, "{m}");
        let timeout = Error::Transport {
            provider: "p",
            operation: "op",
            sent: kassa_core::Sent::Maybe,
            source: Box::new(TransportError {
                sent: kassa_core::Sent::Maybe,
                timeout: true,
                source: "no answer within 1s".into(),
            }),
        };
        let m = Failure::from(&timeout).message;
        assert!(
            m.contains("no answer within 1s") && m.contains("timed out"),
            "{m}"
        );
    }
}
