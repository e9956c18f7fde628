//! What each operation takes: its request's fields under the provider's wire names, their
//! types, which are required, and an example that works against the embedded sandbox
//! (`kassa describe <provider> <operation>` and `kassa <provider> <operation> --help`).

mod exchanger;
mod mserver;

use serde_json::{Value, json};

use crate::catalogue::Entry;

/// One field of a request. Nested fields are dotted (`params.pan`).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The wire name.
    pub name: &'static str,
    /// Its JSON type and form.
    pub ty: &'static str,
    /// Whether the request is refused without it.
    pub required: bool,
    /// What it is.
    pub about: &'static str,
}

/// What one operation takes.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The request's fields; empty when the operation takes none.
    pub fields: &'static [Field],
    /// A `--params` object that the embedded sandbox accepts.
    pub example: &'static str,
    /// Operations whose examples must have run first on the same sandbox (the state the
    /// example refers to: a bill, an OTP request, an order, a payment).
    pub after: &'static [&'static str],
    /// A remark for people (where values come from).
    pub note: &'static str,
}

const fn f(name: &'static str, ty: &'static str, required: bool, about: &'static str) -> Field {
    Field {
        name,
        ty,
        required,
        about,
    }
}

const NONE: &[Field] = &[];

const CARD: [Field; 2] = [
    f(
        "params.pan",
        "string, card number (16 digits)",
        true,
        "the card to debit",
    ),
    f(
        "params.exp",
        "string, expiry MMYY",
        true,
        "the card's expiry (`expiry` is accepted too)",
    ),
];

const BILL_ID: Field = f(
    "billId",
    "integer",
    true,
    "the bill's `id` from unregistered-check",
);

const ANOR_CHECK: &[Field] = &[
    f(
        "account",
        "string",
        true,
        "the payer's account or number at the recipient",
    ),
    f(
        "recipientId",
        "integer",
        true,
        "the recipient (merchant service) id",
    ),
    f(
        "amount",
        "integer, tiyin",
        true,
        "amount in tiyin (100 tiyin = 1 sum)",
    ),
    f(
        "currency",
        "integer, ISO 4217 numeric",
        false,
        "860 (UZS), the default",
    ),
    f(
        "agentTranId",
        "string",
        true,
        "your transaction id; `status` finds the bill by it",
    ),
    CARD[0],
    CARD[1],
];

const ANOR_PAY: &[Field] = &[
    BILL_ID,
    f(
        "type",
        "string",
        false,
        "how the payer confirms: `PC` (OTP), the default",
    ),
    f(
        "params.otp",
        "string, 1 to 12 digits",
        true,
        "the SMS code the payer received",
    ),
];

const ANOR_HOLD_MORE: &[Field] = &[
    BILL_ID,
    f(
        "amount",
        "integer, tiyin",
        true,
        "how much more to hold (at most 30% of the first hold)",
    ),
    f("type", "string", true, "the card type: `UZCARD` or `HUMO`"),
    CARD[0],
    CARD[1],
    f(
        "firstHold",
        "integer, tiyin",
        false,
        "the first hold's amount, to check the 30% limit before sending",
    ),
];

const ANOR_EXT_PAY: &[Field] = &[
    f(
        "agentTranId",
        "integer",
        true,
        "your payout id; `status` by agentTranId tells what became of it",
    ),
    f("amount", "integer, tiyin", true, "amount in tiyin"),
    f(
        "from.type",
        "string",
        false,
        "`ACCOUNT`, the default: the company's account",
    ),
    f(
        "from.currency",
        "integer, ISO 4217 numeric",
        false,
        "860, the default",
    ),
    f(
        "from.params.account",
        "string, 20 digits",
        true,
        "the company's account",
    ),
    f(
        "from.params.mfo",
        "string, 5 digits",
        true,
        "the company's bank code",
    ),
    f("from.params.name", "string", true, "the company's name"),
    f("to.type", "string", false, "`PAN`, the default: a card"),
    f(
        "to.currency",
        "integer, ISO 4217 numeric",
        false,
        "860, the default",
    ),
    f(
        "to.params.pan",
        "string, card number (16 digits)",
        true,
        "the card to pay",
    ),
    f(
        "to.params.exp",
        "string, expiry MMYY",
        true,
        "the card's expiry",
    ),
];

const REQ_PAYMENT_COMMON: [Field; 6] = [
    f(
        "orderId",
        "string",
        true,
        "your order id, unique; payment-status asks by it",
    ),
    f(
        "serviceId",
        "string or integer",
        true,
        "your service (account) id, see `services`",
    ),
    f(
        "amount",
        "string of digits, tiyin",
        true,
        "amount in tiyin (100 tiyin = 1 sum)",
    ),
    f(
        "comissionAmount",
        "string of digits, tiyin",
        true,
        "the commission in tiyin (the document's spelling)",
    ),
    f("purpose", "string", true, "the payment's purpose text"),
    f(
        "refNumber",
        "string",
        false,
        "a reference number, with a card payment",
    ),
];

const REQ_CARD: [Field; 2] = [
    f(
        "cardType",
        "string: HUMO or UZCARD",
        false,
        "the sender card's type, with cardNumber",
    ),
    f(
        "cardNumber",
        "string, card number (16 digits)",
        false,
        "the sender card",
    ),
];

const REQ_PAYMENT: &[Field] = &[
    REQ_PAYMENT_COMMON[0],
    f("receiverName", "string", true, "the receiver's name"),
    f(
        "mfoReceiver",
        "string, 5 digits",
        true,
        "the receiver's bank code (MFO)",
    ),
    f(
        "receiverAccount",
        "string, 20 digits",
        true,
        "the receiver's account",
    ),
    f(
        "innReceiver",
        "string, 9 digits",
        false,
        "the receiver's taxpayer number (INN)",
    ),
    REQ_PAYMENT_COMMON[1],
    REQ_PAYMENT_COMMON[2],
    REQ_PAYMENT_COMMON[3],
    REQ_PAYMENT_COMMON[4],
    REQ_PAYMENT_COMMON[5],
    REQ_CARD[0],
    REQ_CARD[1],
];

const REQ_BUDGET: &[Field] = &[
    REQ_PAYMENT_COMMON[0],
    f(
        "receiverAccount",
        "string, 27 digits",
        true,
        "the budget receiver's personal account",
    ),
    f(
        "innReceiver",
        "string, 9 digits",
        true,
        "the budget receiver's INN",
    ),
    f(
        "purposeCode",
        "string, 5 digits",
        true,
        "the payment purpose code",
    ),
    REQ_PAYMENT_COMMON[1],
    REQ_PAYMENT_COMMON[2],
    REQ_PAYMENT_COMMON[3],
    REQ_PAYMENT_COMMON[4],
    REQ_PAYMENT_COMMON[5],
    REQ_CARD[0],
    REQ_CARD[1],
];

/// The parameters of `entry`, or `None` for an operation the CLI does not know.
pub fn params(entry: &Entry) -> Option<Params> {
    let p = |fields, example, after, note| {
        Some(Params {
            fields,
            example,
            after,
            note,
        })
    };
    match (entry.provider, entry.operation) {
        ("anor-bm", "login") => p(
            NONE,
            "{}",
            &[],
            "the credentials come from KASSA_ANOR_BM_USERNAME and KASSA_ANOR_BM_PASSWORD",
        ),
        ("anor-bm", "refresh-token") => p(
            const {
                &[f(
                    "refreshToken",
                    "string",
                    false,
                    "the refresh token of a login; without it the CLI logs in and refreshes that login's token",
                )]
            },
            "{}",
            &[],
            "",
        ),
        ("anor-bm", "send-otp") => p(
            const {
                &[
                    f(
                        "pan",
                        "string, card number (16 digits)",
                        true,
                        "the card to bind",
                    ),
                    f(
                        "expiry",
                        "string, expiry MMYY",
                        true,
                        "the card's expiry (`exp` is accepted too)",
                    ),
                ]
            },
            r#"{"pan": "9860480012342454", "expiry": "0528"}"#,
            &[],
            "",
        ),
        ("anor-bm", "verify-otp") => p(
            const {
                &[
                    f(
                        "id",
                        "integer (or a string of digits)",
                        true,
                        "the `id` of the send-otp answer",
                    ),
                    f(
                        "otp",
                        "string, 1 to 12 digits",
                        true,
                        "the SMS code the card holder received",
                    ),
                ]
            },
            r#"{"id": 1907947016, "otp": "123321"}"#,
            &["send-otp"],
            "the answer is the card token, printed whole on stdout",
        ),
        ("anor-bm", "get-user-cards") => p(NONE, "{}", &[], ""),
        ("anor-bm", "unregistered-check") => p(
            ANOR_CHECK,
            r#"{"account": "30", "recipientId": 1, "amount": 100000, "currency": 860, "agentTranId": "order-1", "params": {"pan": "8600492968156744", "exp": "0727"}}"#,
            &[],
            "the answer's `id` is the billId of the calls that follow",
        ),
        ("anor-bm", "unregistered-pay" | "hold") => p(
            ANOR_PAY,
            r#"{"billId": 935191, "type": "PC", "params": {"otp": "123321"}}"#,
            &["unregistered-check"],
            "",
        ),
        ("anor-bm", "hold-confirm" | "hold-reverse") => p(
            const { &[BILL_ID] },
            r#"{"billId": 935191}"#,
            &["unregistered-check", "hold"],
            "",
        ),
        ("anor-bm", "cancel") => p(
            const { &[BILL_ID] },
            r#"{"billId": 935191}"#,
            &["unregistered-check", "unregistered-pay"],
            "",
        ),
        ("anor-bm", "hold-more") => p(
            ANOR_HOLD_MORE,
            r#"{"billId": 935191, "amount": 20000, "type": "UZCARD", "params": {"pan": "8600492968156744", "exp": "0727"}}"#,
            &["unregistered-check", "hold"],
            "",
        ),
        ("anor-bm", "hold-reverse-partial") => p(
            const {
                &[
                    BILL_ID,
                    f(
                        "reverseAmount",
                        "integer, tiyin",
                        true,
                        "how much of the hold to release",
                    ),
                ]
            },
            r#"{"billId": 935191, "reverseAmount": 30000}"#,
            &["unregistered-check", "hold"],
            "",
        ),
        ("anor-bm", "status") => p(
            const {
                &[
                    f(
                        "billId",
                        "integer",
                        false,
                        "the bill's id (give billId or agentTranId)",
                    ),
                    f(
                        "agentTranId",
                        "string",
                        false,
                        "your transaction id (give billId or agentTranId)",
                    ),
                ]
            },
            r#"{"billId": 935191}"#,
            &["unregistered-check"],
            "",
        ),
        ("anor-bm", "ext-pay") => p(
            ANOR_EXT_PAY,
            r#"{"agentTranId": 5550001, "amount": 100000, "from": {"type": "ACCOUNT", "currency": 860, "params": {"account": "20208000900100001001", "mfo": "01183", "name": "viplati"}}, "to": {"type": "PAN", "currency": 860, "params": {"pan": "8600492968156744", "exp": "0727"}}}"#,
            &[],
            "",
        ),
        ("requisite-uz", "services") => p(NONE, "{}", &[], ""),
        ("requisite-uz", "payment") => p(
            REQ_PAYMENT,
            r#"{"orderId": "order-1", "receiverName": "Test", "mfoReceiver": "01091", "receiverAccount": "29801000990248844444", "innReceiver": "123456789", "purpose": "rent for May", "serviceId": "33", "amount": "1000000", "comissionAmount": "1000"}"#,
            &[],
            "an orderId is paid at most once; ask payment-status when the outcome is unknown",
        ),
        ("requisite-uz", "payment-budget") => p(
            REQ_BUDGET,
            r#"{"orderId": "budget-1", "receiverAccount": "400522860262837950100251028", "innReceiver": "207099143", "purposeCode": "09510", "purpose": "patent for May", "serviceId": "33", "amount": "50000", "comissionAmount": "0"}"#,
            &[],
            "",
        ),
        ("requisite-uz", "payment-status") => p(
            const {
                &[f(
                    "orderId",
                    "string",
                    true,
                    "the orderId of a payment (goes into the path)",
                )]
            },
            r#"{"orderId": "order-1"}"#,
            &["payment"],
            "",
        ),
        ("requisite-uz", "balance") => p(
            const {
                &[f(
                    "serviceId",
                    "string or integer",
                    true,
                    "your service (account) id (goes into the path)",
                )]
            },
            r#"{"serviceId": "33"}"#,
            &[],
            "",
        ),
        ("requisite-uz", "statement") => p(
            const {
                &[
                    f(
                        "type",
                        "string: \"0\" or \"1\"",
                        true,
                        "0 incoming, 1 outgoing payments",
                    ),
                    f(
                        "lastId",
                        "integer",
                        true,
                        "the last row id already read; 0 for the first page",
                    ),
                    f(
                        "fromDate",
                        "string, date YYYY-MM-DD",
                        true,
                        "first day, in the bank's (Tashkent) calendar",
                    ),
                    f(
                        "toDate",
                        "string, date YYYY-MM-DD",
                        true,
                        "last day, in the bank's (Tashkent) calendar",
                    ),
                    f("serviceId", "integer", true, "your service (account) id"),
                ]
            },
            r#"{"type": "0", "lastId": 0, "fromDate": "2024-01-01", "toDate": "2024-01-31", "serviceId": 33}"#,
            &[],
            "",
        ),
        ("mobilnik", "authenticate") => p(
            NONE,
            "{}",
            &[],
            "the credentials come from KASSA_MOBILNIK_*; the answer's token is printed whole on stdout",
        ),
        ("mobilnik", "service-list") => p(NONE, "{}", &[], ""),
        ("mobilnik", "check-requisite") => p(
            const {
                &[
                    f(
                        "service_id",
                        "integer (or a string of digits)",
                        true,
                        "the service, see service-list",
                    ),
                    f(
                        "requisite",
                        "string",
                        true,
                        "the payer's number at the service (phone, contract)",
                    ),
                ]
            },
            r#"{"service_id": 1, "requisite": "0555123456"}"#,
            &[],
            "",
        ),
        ("mobilnik", "payment") => p(
            const {
                &[
                    f(
                        "service_id",
                        "integer (or a string of digits)",
                        true,
                        "the service, see service-list",
                    ),
                    f(
                        "requisite",
                        "string",
                        true,
                        "the payer's number at the service",
                    ),
                    f(
                        "amount",
                        "string, som with 2 decimals",
                        true,
                        "amount in som, as `\"43.00\"`",
                    ),
                ]
            },
            r#"{"service_id": 1, "requisite": "0555123456", "amount": "43.00"}"#,
            &[],
            "",
        ),
        ("mobilnik", "check-payment") => p(
            const {
                &[f(
                    "operation_id",
                    "integer (or a string of digits)",
                    true,
                    "the `operation_id` of a payment",
                )]
            },
            r#"{"operation_id": 987654321}"#,
            &["payment"],
            "",
        ),
        ("mobilnik", "transfer-request") => p(
            const {
                &[
                    f(
                        "service_id",
                        "integer (or a string of digits)",
                        true,
                        "the transfer service, see service-list",
                    ),
                    f("customer_id", "string", true, "the receiving wallet"),
                    f(
                        "amount",
                        "string, som with 2 decimals",
                        true,
                        "amount in som",
                    ),
                    f("comment", "string", false, "a note for the receiver"),
                ]
            },
            r#"{"service_id": 2, "customer_id": "0555765432", "amount": "100.00", "comment": "rent"}"#,
            &[],
            "",
        ),
        ("mserver", _) => mserver::params(entry),
        ("exchanger", _) => exchanger::params(entry),
        _ => None,
    }
}

/// The description as JSON (`kassa describe --json`).
pub fn to_json(entry: &Entry, params: &Params) -> Value {
    let fields: Vec<Value> = params
        .fields
        .iter()
        .map(|f| json!({"name": f.name, "type": f.ty, "required": f.required, "about": f.about}))
        .collect();
    let example: Value = serde_json::from_str(params.example).unwrap_or(Value::Null);
    json!({
        "provider": entry.provider,
        "operation": entry.operation,
        "method": entry.method,
        "path": entry.path,
        "effect": entry.effect,
        "reconcile": entry.reconcile_text(),
        "fields": fields,
        "example": example,
        "after": params.after,
        "note": params.note,
    })
}

/// The description for people.
pub fn to_text(entry: &Entry, params: &Params) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kassa {} {}: {} {} (effect: {}{})",
        entry.provider,
        entry.operation,
        entry.method,
        entry.path,
        entry.effect,
        entry
            .reconcile_text()
            .map(|r| format!(", reconcile: {r}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out);
    if params.fields.is_empty() {
        let _ = writeln!(out, "Parameters: none (`--params` may be left out).");
    } else {
        let _ = writeln!(out, "Parameters (--params, one JSON object, wire names):");
        let width = params
            .fields
            .iter()
            .map(|f| f.name.len())
            .max()
            .unwrap_or(0);
        for field in params.fields {
            let _ = writeln!(
                out,
                "  {:<width$}  {:<8}  {}: {}",
                field.name,
                if field.required {
                    "required"
                } else {
                    "optional"
                },
                field.ty,
                field.about,
            );
        }
    }
    if !params.note.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Note: {}.", params.note);
    }
    let _ = writeln!(out);
    if !params.after.is_empty() {
        let _ = writeln!(
            out,
            "Example (against the sandbox, after the examples of: {}):",
            params.after.join(", ")
        );
    } else {
        let _ = writeln!(out, "Example (against the sandbox):");
    }
    let _ = writeln!(
        out,
        "  kassa {} {} --params '{}'",
        entry.provider, entry.operation, params.example
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue;

    #[test]
    fn every_operation_is_described_with_an_example_that_is_one_json_object() {
        for entry in catalogue::entries() {
            let p = params(&entry).unwrap_or_else(|| {
                panic!("{} {} is not described", entry.provider, entry.operation)
            });
            let example: Value = serde_json::from_str(p.example).expect("example is JSON");
            let object = example.as_object().expect("example is an object");
            for field in p.fields.iter().filter(|f| f.required) {
                let mut at = Some(&example);
                for part in field.name.split('.') {
                    at = at.and_then(|v| v.get(part));
                }
                assert!(
                    at.is_some(),
                    "{} {}: required `{}` missing from the example",
                    entry.provider,
                    entry.operation,
                    field.name
                );
            }
            for key in object.keys() {
                assert!(
                    p.fields
                        .iter()
                        .any(|f| f.name == key || f.name.starts_with(&format!("{key}."))),
                    "{} {}: example field `{key}` is not described",
                    entry.provider,
                    entry.operation
                );
            }
            for after in p.after {
                assert!(
                    catalogue::find(entry.provider, after).is_some(),
                    "{after} is an operation"
                );
            }
        }
    }
}
