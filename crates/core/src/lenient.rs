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

use serde::Deserializer;
use serde::de::{self, Visitor};

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
}
