//! Decoders for fields whose JSON type drifts: numbers sent as strings (`"1350"`), text sent
//! as numbers, flags as `0`/`1`/`"0"`/`"1"`/`true`. Every provider does this somewhere;
//! use them with `#[serde(deserialize_with = "kassa_core::lenient::uint")]`.
//!
//! Amounts are not read here: use [`crate::money::serde`], which reads the raw token exactly.
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Row {
//!     #[serde(deserialize_with = "kassa_core::lenient::uint")]
//!     id: u64,
//!     #[serde(deserialize_with = "kassa_core::lenient::text")]
//!     account: String,
//!     #[serde(deserialize_with = "kassa_core::lenient::flag")]
//!     active: bool,
//!     #[serde(default, deserialize_with = "kassa_core::lenient::int_opt")]
//!     ratio: Option<i64>,
//! }
//! let row: Row = serde_json::from_str(r#"{"id": "1350", "account": 30, "active": "1", "ratio": null}"#)?;
//! assert_eq!((row.id, row.account.as_str(), row.active, row.ratio), (1350, "30", true, None));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The largest integer a JSON float holds exactly (2^53).
const EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

struct Text;

impl Visitor<'_> for Text {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text (a string, an integer or a boolean)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn whole(v: f64) -> Option<i64> {
    if v.fract() == 0.0 && v.abs() < EXACT_FLOAT {
        // Exact: |v| < 2^53 and v has no fraction.
        #[allow(clippy::cast_possible_truncation)]
        Some(v as i64)
    } else {
        None
    }
}

struct UInt;

impl Visitor<'_> for UInt {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer, as a number or a string of digits")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(format!("{v} is negative")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        whole(v)
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| E::custom(format!("{v} is not a whole non-negative number")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        let t = v.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::custom(format!("`{v}` is not a string of digits")));
        }
        t.parse()
            .map_err(|_| E::custom(format!("`{v}` does not fit in 64 bits")))
    }
}

struct Int;

impl Visitor<'_> for Int {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, as a number or a string of digits")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("{v} does not fit in 64 bits")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        whole(v).ok_or_else(|| E::custom(format!("{v} is not a whole number")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let t = v.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::custom(format!("`{v}` is not an integer")));
        }
        t.parse()
            .map_err(|_| E::custom(format!("`{v}` does not fit in 64 bits")))
    }
}

struct Flag;

impl Visitor<'_> for Flag {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a flag: true, false, 0 or 1")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::custom(format!("{v} is not a flag"))),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        u64::try_from(v)
            .map_err(|_| E::custom(format!("{v} is not a flag")))
            .and_then(|u| self.visit_u64(u))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(E::custom(format!("`{v}` is not a flag"))),
        }
    }
}

/// Wraps a visitor so `null` is `None`.
struct Opt<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Opt<V> {
    type Value = Option<V::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)?;
        f.write_str(", or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0).map(Some)
    }
}

/// Text given as a string, an integer or a boolean; `null` is the empty string.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::text")] String);
/// assert_eq!(serde_json::from_str::<T>("1350")?.0, "1350");
/// assert_eq!(serde_json::from_str::<T>("null")?.0, "");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(d.deserialize_option(Opt(Text))?.unwrap_or_default())
}

/// Optional text, as [`text`]; `null` (or, with `#[serde(default)]`, absence) is `None`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::text_opt")] Option<String>);
/// assert_eq!(serde_json::from_str::<T>("null")?.0, None);
/// assert_eq!(serde_json::from_str::<T>("7")?.0.as_deref(), Some("7"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_option(Opt(Text))
}

/// A non-negative integer given as a number, a whole float below 2^53, or a string of digits.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::uint")] u64);
/// assert_eq!(serde_json::from_str::<T>(r#""1350""#)?.0, 1350);
/// assert!(serde_json::from_str::<T>(r#""-1""#).is_err());
/// assert!(serde_json::from_str::<T>("1.5").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(UInt)
}

/// An optional [`uint`]; `null` is `None`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::uint_opt")] Option<u64>);
/// assert_eq!(serde_json::from_str::<T>("null")?.0, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn uint_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_option(Opt(UInt))
}

/// An integer given as a number, a whole float below 2^53, or a string (`"-5"`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::int")] i64);
/// assert_eq!(serde_json::from_str::<T>(r#"" -5 ""#)?.0, -5);
/// assert!(serde_json::from_str::<T>(r#""5x""#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(Int)
}

/// An optional [`int`]; `null` is `None`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::int_opt")] Option<i64>);
/// assert_eq!(serde_json::from_str::<T>("\"12\"")?.0, Some(12));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn int_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(Opt(Int))
}

/// A flag given as `true`/`false`, `0`/`1` or `"0"`/`"1"`/`"true"`/`"false"`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T(#[serde(deserialize_with = "kassa_core::lenient::flag")] bool);
/// assert!(serde_json::from_str::<T>(r#""1""#)?.0);
/// assert!(!serde_json::from_str::<T>("0")?.0);
/// assert!(serde_json::from_str::<T>("2").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(Flag)
}

/// An item of a list that may come as an object keyed by id: the key can fill the item's
/// id when the item itself has none (see [`list_or_map_keyed`]).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Service { #[serde(default)] id: Option<u64> }
/// impl kassa_core::lenient::KeyedById for Service {
///     fn fill_id(&mut self, key: &str) {
///         if let Ok(id) = key.trim().parse() { self.id.get_or_insert(id); }
///     }
/// }
/// ```
pub trait KeyedById {
    /// Sets the item's id from its key (the text of the object's key), when it has none.
    ///
    /// ```
    /// struct S(Option<String>);
    /// impl kassa_core::lenient::KeyedById for S {
    ///     fn fill_id(&mut self, key: &str) { self.0.get_or_insert_with(|| key.to_owned()); }
    /// }
    /// let mut s = S(None);
    /// kassa_core::lenient::KeyedById::fill_id(&mut s, "7");
    /// assert_eq!(s.0.as_deref(), Some("7"));
    /// ```
    fn fill_id(&mut self, key: &str);
}

/// Items that take the key only when asked to.
trait MaybeKeyed {
    fn take_key(&mut self, key: &str);
}

struct Plain<T>(T);
struct Keyed<T>(T);

impl<T> MaybeKeyed for Plain<T> {
    fn take_key(&mut self, _key: &str) {}
}

impl<T: KeyedById> MaybeKeyed for Keyed<T> {
    fn take_key(&mut self, key: &str) {
        self.0.fill_id(key);
    }
}

struct ListVisitor<W, T>(PhantomData<(W, T)>, fn(T) -> W, fn(W) -> T);

impl<'de, W: MaybeKeyed, T: Deserialize<'de>> Visitor<'de> for ListVisitor<W, T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, or an object keyed by id whose values are the items")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some((key, item)) = map.next_entry::<String, T>()? {
            let mut wrapped = (self.1)(item);
            wrapped.take_key(&key);
            out.push((self.2)(wrapped));
        }
        Ok(out)
    }
}

/// A list written as an array, as an object keyed by id whose values are the items (kept
/// in document order; the keys are dropped), or as `null` (empty). Both forms give the
/// same list.
///
/// ```
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Item { id: u64 }
/// #[derive(serde::Deserialize)]
/// struct Listing {
///     #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
///     items: Vec<Item>,
/// }
/// let a: Listing = serde_json::from_str(r#"{"items": [{"id": 1}, {"id": 2}]}"#)?;
/// let b: Listing = serde_json::from_str(r#"{"items": {"1": {"id": 1}, "2": {"id": 2}}}"#)?;
/// assert_eq!(a.items, b.items);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn list_or_map<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ListVisitor::<Plain<T>, T>(PhantomData, Plain, |w| w.0))
}

/// Like [`list_or_map`], and in the object form each key is handed to the item's
/// [`KeyedById::fill_id`] (to fill an id the item lacks).
///
/// ```
/// use kassa_core::lenient::KeyedById;
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Item { #[serde(default)] id: Option<u64>, name: String }
/// impl KeyedById for Item {
///     fn fill_id(&mut self, key: &str) {
///         if let Ok(id) = key.trim().parse() { self.id.get_or_insert(id); }
///     }
/// }
/// #[derive(serde::Deserialize)]
/// struct Listing {
///     #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map_keyed")]
///     items: Vec<Item>,
/// }
/// let a: Listing = serde_json::from_str(r#"{"items": [{"id": 5, "name": "x"}]}"#)?;
/// let b: Listing = serde_json::from_str(r#"{"items": {"5": {"name": "x"}}}"#)?;
/// assert_eq!(a.items, b.items);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn list_or_map_keyed<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + KeyedById,
{
    d.deserialize_any(ListVisitor::<Keyed<T>, T>(PhantomData, Keyed, |w| w.0))
}

struct CodeText;

impl<'de> Visitor<'de> for CodeText {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code, as a number or a string")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // A code is never fractional: kept as written (`1.0`, `0.5`), so it matches no
        // known code, success included.
        Ok(Some(format!("{v:?}")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.trim().to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(CodeText)
    }
}

/// A provider's code given as a number or a string, as trimmed text: `0`, `"0"` and
/// `" 0 "` are all `"0"`. A fractional number is kept as written (`1.0` stays `"1.0"`),
/// so it never matches a known code such as success. `null` and booleans are refused.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Envelope { #[serde(deserialize_with = "kassa_core::lenient::code_text")] code: String }
/// for body in [r#"{"code": 5}"#, r#"{"code": "5"}"#, r#"{"code": " 5 "}"#] {
///     assert_eq!(serde_json::from_str::<Envelope>(body)?.code, "5");
/// }
/// assert_eq!(serde_json::from_str::<Envelope>(r#"{"code": 0.0}"#)?.code, "0.0");
/// assert!(serde_json::from_str::<Envelope>(r#"{"code": null}"#).is_err());
/// assert!(serde_json::from_str::<Envelope>(r#"{"code": true}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn code_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(CodeText)?
        .ok_or_else(|| de::Error::custom("a code is required: got null"))
}

/// An optional [`code_text`]: `null` (or, with `#[serde(default)]`, absence) is `None`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Envelope { #[serde(default, deserialize_with = "kassa_core::lenient::code_text_opt")] code: Option<String> }
/// assert_eq!(serde_json::from_str::<Envelope>(r#"{"code": null}"#)?.code, None);
/// assert_eq!(serde_json::from_str::<Envelope>(r#"{"code": -1}"#)?.code.as_deref(), Some("-1"));
/// assert_eq!(serde_json::from_str::<Envelope>("{}")?.code, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn code_text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_option(CodeText)
}

/// An object where one is expected, or `None` when the provider wrote `null`, `[]` or `{}`
/// instead (empty PHP arrays come out as `[]`). A non-empty list, or any other value, is
/// an error; an object that does not fit `T` is an error naming the path inside it.
///
/// ```
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Payer { name: String }
/// #[derive(serde::Deserialize)]
/// struct Answer {
///     #[serde(default, deserialize_with = "kassa_core::lenient::object_or_empty")]
///     payer: Option<Payer>,
/// }
/// for body in [r#"{"payer": []}"#, r#"{"payer": {}}"#, r#"{"payer": null}"#, "{}"] {
///     assert_eq!(serde_json::from_str::<Answer>(body)?.payer, None, "{body}");
/// }
/// let a: Answer = serde_json::from_str(r#"{"payer": {"name": "A"}}"#)?;
/// assert_eq!(a.payer, Some(Payer { name: "A".into() }));
/// assert!(serde_json::from_str::<Answer>(r#"{"payer": [1]}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn object_or_empty<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde_json::Value;
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => return Ok(None),
        Value::Array(items) if items.is_empty() => return Ok(None),
        Value::Object(map) if map.is_empty() => return Ok(None),
        Value::Object(_) => {}
        Value::Array(_) => {
            return Err(de::Error::custom(
                "an object was expected, got a non-empty list",
            ));
        }
        other => {
            return Err(de::Error::custom(format!(
                "an object was expected, got {}",
                kind(other)
            )));
        }
    }
    serde_path_to_error::deserialize::<_, T>(value)
        .map(Some)
        .map_err(|e| {
            let path = e.path().to_string();
            de::Error::custom(format!("at `{path}` inside the object: {}", e.into_inner()))
        })
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct All {
        #[serde(deserialize_with = "super::uint")]
        u: u64,
        #[serde(deserialize_with = "super::int")]
        i: i64,
        #[serde(deserialize_with = "super::text")]
        t: String,
        #[serde(deserialize_with = "super::flag")]
        f: bool,
        #[serde(default, deserialize_with = "super::uint_opt")]
        uo: Option<u64>,
        #[serde(default, deserialize_with = "super::text_opt")]
        to: Option<String>,
    }

    #[test]
    fn every_drifting_shape_reads_into_one_type() {
        for body in [
            r#"{"u": 7, "i": -7, "t": "x", "f": true}"#,
            r#"{"u": "7", "i": "-7", "t": "x", "f": "true", "uo": null, "to": null}"#,
            r#"{"u": 7.0, "i": -7.0, "t": "x", "f": 1}"#,
        ] {
            let all: All = serde_json::from_str(body).unwrap_or_else(|e| panic!("{body}: {e}"));
            assert_eq!(
                (all.u, all.i, all.t.as_str(), all.f),
                (7, -7, "x", true),
                "{body}"
            );
            assert_eq!((all.uo, all.to), (None, None));
        }
    }

    #[test]
    fn values_that_do_not_fit_are_refused_with_the_reason() {
        let cases = [
            (r#"{"u": -1, "i": 0, "t": "", "f": 0}"#, "negative"),
            (
                r#"{"u": "12a", "i": 0, "t": "", "f": 0}"#,
                "not a string of digits",
            ),
            (r#"{"u": 1e300, "i": 0, "t": "", "f": 0}"#, "not a whole"),
            (r#"{"u": 0, "i": 0, "t": 1.5, "f": 0}"#, "text"),
            (r#"{"u": 0, "i": 0, "t": "", "f": "yes"}"#, "not a flag"),
        ];
        for (body, why) in cases {
            let err = serde_json::from_str::<All>(body).expect_err(body);
            assert!(err.to_string().contains(why), "{body}: {err}");
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        #[serde(default)]
        id: Option<u64>,
        name: String,
    }

    impl super::KeyedById for Item {
        fn fill_id(&mut self, key: &str) {
            if let Ok(id) = key.trim().parse() {
                self.id.get_or_insert(id);
            }
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Listing {
        #[serde(default, deserialize_with = "super::list_or_map")]
        plain: Vec<Item>,
        #[serde(default, deserialize_with = "super::list_or_map_keyed")]
        keyed: Vec<Item>,
    }

    #[test]
    fn list_and_object_forms_give_the_same_list() {
        let list = r#"{"plain": [{"id": 3, "name": "b"}, {"id": 1, "name": "a"}],
                       "keyed": [{"id": 3, "name": "b"}, {"id": 1, "name": "a"}]}"#;
        let map = r#"{"plain": {"3": {"id": 3, "name": "b"}, "1": {"id": 1, "name": "a"}},
                      "keyed": {"3": {"name": "b"}, "1": {"name": "a"}}}"#;
        let a: Listing = serde_json::from_str(list).expect("list");
        let b: Listing = serde_json::from_str(map).expect("map");
        assert_eq!(a.plain, b.plain);
        assert_eq!(a.keyed, b.keyed);
        // Document order is kept, not key order.
        assert_eq!(b.keyed[0].id, Some(3));
        // An item's own id wins over its key.
        let c: Listing =
            serde_json::from_str(r#"{"keyed": {"9": {"id": 4, "name": "x"}}}"#).expect("map");
        assert_eq!(c.keyed[0].id, Some(4));
        for empty in [
            r#"{"plain": null}"#,
            r#"{"plain": []}"#,
            r#"{"plain": {}}"#,
            "{}",
        ] {
            let e: Listing = serde_json::from_str(empty).expect(empty);
            assert!(e.plain.is_empty(), "{empty}");
        }
        let err = serde_json::from_str::<Listing>(r#"{"plain": {"1": {"id": 1}}}"#).unwrap_err();
        assert!(err.to_string().contains("name"), "{err}");
        assert!(serde_json::from_str::<Listing>(r#"{"plain": "x"}"#).is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Codes {
        #[serde(deserialize_with = "super::code_text")]
        code: String,
        #[serde(default, deserialize_with = "super::code_text_opt")]
        sub: Option<String>,
    }

    #[test]
    fn codes_read_as_trimmed_text_from_numbers_and_strings() {
        for body in [
            r#"{"code": 401, "sub": 7}"#,
            r#"{"code": "401", "sub": "7"}"#,
            r#"{"code": " 401 ", "sub": " 7"}"#,
        ] {
            let c: Codes = serde_json::from_str(body).expect(body);
            assert_eq!(
                (c.code.as_str(), c.sub.as_deref()),
                ("401", Some("7")),
                "{body}"
            );
        }
        let neg: Codes = serde_json::from_str(r#"{"code": -2, "sub": null}"#).expect("neg");
        assert_eq!((neg.code.as_str(), neg.sub), ("-2", None));
        let frac: Codes = serde_json::from_str(r#"{"code": 0.0}"#).expect("frac");
        assert_ne!(frac.code, "0");
        for bad in [
            r#"{"code": null}"#,
            r#"{"code": false}"#,
            r#"{"code": [0]}"#,
            "{}",
        ] {
            assert!(serde_json::from_str::<Codes>(bad).is_err(), "{bad}");
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Payer {
        name: String,
        #[serde(default)]
        inn: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Answer {
        #[serde(default, deserialize_with = "super::object_or_empty")]
        payer: Option<Payer>,
    }

    #[test]
    fn an_empty_list_or_object_where_an_object_belongs_is_none() {
        for body in [
            r#"{"payer": []}"#,
            r#"{"payer": {}}"#,
            r#"{"payer": null}"#,
            "{}",
        ] {
            let a: Answer = serde_json::from_str(body).expect(body);
            assert_eq!(a.payer, None, "{body}");
        }
        let a: Answer =
            serde_json::from_str(r#"{"payer": {"name": "A", "inn": "1"}}"#).expect("object");
        assert_eq!(a.payer.map(|p| p.name), Some("A".to_owned()));
        let err = serde_json::from_str::<Answer>(r#"{"payer": {"name": 5}}"#).unwrap_err();
        assert!(err.to_string().contains("at `name`"), "{err}");
        let err = serde_json::from_str::<Answer>(r#"{"payer": [{"name": "A"}]}"#).unwrap_err();
        assert!(err.to_string().contains("non-empty list"), "{err}");
        let err = serde_json::from_str::<Answer>(r#"{"payer": "A"}"#).unwrap_err();
        assert!(err.to_string().contains("a string"), "{err}");
    }
}
