//! A JSON tree that keeps every number as its exact text, for YAML snapshots.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A JSON value whose numbers keep their exact text.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    Str(String),
    /// An array.
    Seq(Vec<Node>),
    /// An object, in order.
    Map(Vec<(String, Node)>),
}

/// Writes `value` through `serde_json` and reads it back as a [`Node`] tree that insta can
/// snapshot: integers stay numbers, decimals become their exact text.
///
/// ```
/// let node = kassa_testkit::yaml_view(&serde_json::json!({"a": 1}));
/// # let _ = node;
/// ```
pub fn yaml_view<T: Serialize + ?Sized>(value: &T) -> Node {
    let text = serde_json::to_string(value)
        .unwrap_or_else(|e| panic!("snapshot value cannot be written as JSON: {e}"));
    parse(&text)
}

fn parse(text: &str) -> Node {
    let raw: Box<RawValue> = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("snapshot JSON does not read back: {e}"));
    from_raw(&raw)
}

fn from_raw(raw: &RawValue) -> Node {
    let t = raw.get().trim();
    match t.as_bytes().first() {
        Some(b'{') => {
            let pairs: Pairs = serde_json::from_str(t).unwrap_or_else(|e| panic!("{e}"));
            Node::Map(
                pairs
                    .0
                    .into_iter()
                    .map(|(k, v)| (k, from_raw(&v)))
                    .collect(),
            )
        }
        Some(b'[') => {
            let items: Vec<Box<RawValue>> =
                serde_json::from_str(t).unwrap_or_else(|e| panic!("{e}"));
            Node::Seq(items.iter().map(|v| from_raw(v)).collect())
        }
        Some(b'"') => Node::Str(serde_json::from_str(t).unwrap_or_else(|e| panic!("{e}"))),
        Some(b't') => Node::Bool(true),
        Some(b'f') => Node::Bool(false),
        Some(b'n') => Node::Null,
        _ => Node::Number(t.to_owned()),
    }
}

struct Pairs(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V).map_err(de::Error::custom)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => {
                if let Ok(i) = n.parse::<i64>() {
                    s.serialize_i64(i)
                } else if let Ok(u) = n.parse::<u64>() {
                    s.serialize_u64(u)
                } else {
                    s.serialize_str(n)
                }
            }
            Node::Str(v) => s.serialize_str(v),
            Node::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Node::Map(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_text() {
        let n = parse(r#"{"b": 9971.30, "a": [1, -2, 1234567890123456.78], "s": "x", "z": null}"#);
        assert_eq!(
            n,
            Node::Map(vec![
                ("b".into(), Node::Number("9971.30".into())),
                (
                    "a".into(),
                    Node::Seq(vec![
                        Node::Number("1".into()),
                        Node::Number("-2".into()),
                        Node::Number("1234567890123456.78".into())
                    ])
                ),
                ("s".into(), Node::Str("x".into())),
                ("z".into(), Node::Null),
            ])
        );
    }
}
