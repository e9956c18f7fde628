//! Lenient readers for fields whose JSON type drifts (numbers as strings, strings as
//! numbers, `null` for text, a list as an object keyed by id), and the answer reader that
//! turns `status_code` into errors.

use std::fmt;
use std::marker::PhantomData;

use kassa_core::{Error, Operation, Response, decode};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{StatusCode, refusal};

/// Whether an operation's answer must carry `status_code` (the document lists it in the
/// answers of `authenticate` and `transfer-request` only; the provider notes say every
/// answer has it; both shapes are accepted where the document leaves it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusField {
    Required,
    Optional,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    status_code: Option<StatusCode>,
    #[serde(default, deserialize_with = "opt_string")]
    message: Option<String>,
}

/// Reads an answer: HTTP status, then `status_code`, then the typed body.
pub(crate) fn read_answer<T: DeserializeOwned>(
    op: &Operation,
    resp: &Response,
    status: StatusField,
) -> Result<T, Error> {
    if !resp.is_success() {
        // Not documented: a 4xx that still says which code refused the call is a refusal.
        if resp.status < 500
            && let Ok(Envelope {
                status_code: Some(code),
                message,
            }) = decode::json_plain::<Envelope>(op, &resp.body)
            && !code.is_ok()
        {
            return Err(refusal(op, Some(resp.status), code, message));
        }
        if matches!(resp.status, 401 | 403) && op.effect.changes_state() {
            // A refusal that names no code does not say the payment was not processed:
            // only USER_NOT_AUTHORIZED (27) does, and only that one is sent again.
            let as_read = Operation::new(op.provider, op.name, kassa_core::Effect::Read);
            return Err(op.outcome_unknown(resp.unexpected(&as_read)));
        }
        return Err(resp.unexpected(op));
    }
    let envelope: Envelope = decode::json(op, &resp.body)?;
    match envelope.status_code {
        Some(StatusCode::Ok) => {}
        Some(code) => return Err(refusal(op, Some(resp.status), code, envelope.message)),
        None if status == StatusField::Optional => {}
        None => {
            let err = Error::Decode {
                provider: op.provider,
                operation: op.name,
                path: "status_code".to_owned(),
                message: "missing field `status_code`: the answer does not say whether the call succeeded"
                    .to_owned(),
                excerpt: kassa_core::secret::excerpt(&String::from_utf8_lossy(&resp.body), 0, 80),
            };
            return Err(if op.effect.changes_state() {
                op.outcome_unknown(err)
            } else {
                err
            });
        }
    }
    decode::json(op, &resp.body)
}

// Drifting field types are read by kassa-core's shared decoders.
pub(crate) use kassa_core::lenient::{
    text as string_lenient, text_opt as opt_string, uint as u64_lenient, uint_opt as opt_u64,
};

/// Items of a list that may come as an object keyed by id: the key fills a missing id.
pub(crate) trait KeyedById {
    /// Sets the item's id from its key when the item has none.
    fn fill_id(&mut self, key: u64);
}

/// A list written as an array, as an object keyed by id (values kept in document order),
/// or as `null` (empty).
pub(crate) fn list_or_map<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + KeyedById,
{
    struct ListVisitor<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + KeyedById> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list, or an object keyed by id")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some((key, mut item)) = map.next_entry::<String, T>()? {
                if let Ok(id) = key.trim().parse::<u64>() {
                    item.fill_id(id);
                }
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_any(ListVisitor(PhantomData))
}

/// The document's constant `client` parameter: «константа всегда 4». Accepted on input
/// (as `4` or `"4"`) only with that value; the client always sends it itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientConstant;

impl<'de> Deserialize<'de> for ClientConstant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClientConstant, D::Error> {
        constant(d, 4, "client").map(|()| ClientConstant)
    }
}

/// The document's constant `status` parameter of `transfer_request`: always 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TransferStatusConstant;

impl<'de> Deserialize<'de> for TransferStatusConstant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TransferStatusConstant, D::Error> {
        constant(d, 2, "status").map(|()| TransferStatusConstant)
    }
}

fn constant<'de, D: Deserializer<'de>>(d: D, expected: u64, name: &str) -> Result<(), D::Error> {
    let got = serde_json::Value::deserialize(d)?;
    let value = match &got {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    if value == Some(expected) {
        Ok(())
    } else {
        Err(de::Error::custom(format!(
            "`{name}` is a constant of the document: it must be {expected} (the client sends it itself), got {got}"
        )))
    }
}

/// Amounts in som as the requests carry them (`"150.50"`): written as a decimal string,
/// read from a number or a string; an error speaks in som ("at most 2 decimal places").
pub(crate) mod som_string {
    use kassa_core::money::serde::{Unit, read_token};
    use kassa_core::{Currency, Money, MoneyError};
    use serde::de::{self, Deserializer};
    use serde::{Deserialize, Serializer};
    use serde_json::value::RawValue;

    pub(crate) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        kassa_core::money::serde::kgs::major_string::serialize(m, s)
    }

    /// Reads som text, with an error in som.
    pub(crate) fn read(raw: &str) -> Result<Money, String> {
        let text = raw.trim();
        read_token(text, Unit::Major, Currency::KGS).map_err(|e| match e {
            MoneyError::TooPrecise { .. } => {
                format!("som: at most 2 decimal places (1 som = 100 tyiyn), got {text}")
            }
            MoneyError::Overflow { .. } => format!("som: {text} is too large"),
            _ => format!("som: a decimal number such as 150.50, got {text}"),
        })
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        read(raw.get()).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(deserialize_with = "u64_lenient")]
        id: u64,
        #[serde(default, deserialize_with = "opt_u64")]
        parent: Option<u64>,
        #[serde(default, deserialize_with = "string_lenient")]
        name: String,
        #[serde(default, deserialize_with = "opt_string")]
        note: Option<String>,
    }

    impl KeyedById for Sample {
        fn fill_id(&mut self, key: u64) {
            if self.id == 0 {
                self.id = key;
            }
        }
    }

    #[derive(Debug, Deserialize)]
    struct Listing {
        #[serde(default, deserialize_with = "list_or_map")]
        items: Vec<Sample>,
    }

    #[test]
    fn numbers_and_text_drift_into_one_type() {
        let a: Sample =
            serde_json::from_str(r#"{"id": "7", "parent": "3", "name": 42, "note": null}"#)
                .expect("reads");
        assert_eq!(
            a,
            Sample {
                id: 7,
                parent: Some(3),
                name: "42".into(),
                note: None
            }
        );
        let b: Sample =
            serde_json::from_str(r#"{"id": 7.0, "parent": null, "name": null}"#).expect("reads");
        assert_eq!(b.id, 7);
        assert_eq!(b.parent, None);
        assert_eq!(b.name, "");
        assert!(serde_json::from_str::<Sample>(r#"{"id": -1}"#).is_err());
        assert!(serde_json::from_str::<Sample>(r#"{"id": 1.5}"#).is_err());
        assert!(serde_json::from_str::<Sample>(r#"{"id": "x"}"#).is_err());
    }

    #[test]
    fn lists_come_as_arrays_objects_or_null() {
        let arr: Listing =
            serde_json::from_str(r#"{"items": [{"id": 1}, {"id": 2}]}"#).expect("array");
        assert_eq!(
            arr.items.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let keyed: Listing = serde_json::from_str(
            r#"{"items": {"10": {"id": 0, "name": "ten"}, "2": {"id": 0, "name": "two"}}}"#,
        )
        .expect("object");
        assert_eq!(
            keyed
                .items
                .iter()
                .map(|s| (s.id, s.name.as_str()))
                .collect::<Vec<_>>(),
            vec![(10, "ten"), (2, "two")],
            "document order kept, ids filled from keys"
        );
        let none: Listing = serde_json::from_str(r#"{"items": null}"#).expect("null");
        assert!(none.items.is_empty());
    }
}
