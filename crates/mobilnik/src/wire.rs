//! Wire types shared by several areas: lenient readers for fields whose JSON type drifts
//! (numbers as strings, strings as numbers, `null` for text), the document's constant
//! parameters, and amounts in som as the requests carry them.

use serde::Deserialize;
use serde::de::{self, Deserializer};

// Drifting field types are read by kassa-core's shared decoders.
pub(crate) use kassa_core::lenient::{
    text as string_lenient, text_opt as opt_string, uint as u64_lenient, uint_opt as opt_u64,
};

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
}
