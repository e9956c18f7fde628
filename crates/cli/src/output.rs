//! What the CLI prints: one JSON document on stdout for a success; for a failure, an empty
//! stdout and a last stderr line `{"error": {...}}`, with exit codes 2 (invalid input,
//! nothing sent), 3 (the provider refused), 4 (outcome unknown), 5 (anything else).

use kassa_core::Error;
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

impl From<&Error> for Failure {
    fn from(err: &Error) -> Failure {
        let may = err.may_have_taken_effect();
        let message = err.to_string();
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
            code: err.provider_code().map_or(Value::Null, |c| code_value(&c)),
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
}
