//! Wire shapes: lenient readers for fields whose JSON type drifts, the date formats, and
//! [`from_json`], which reads a request from a JSON object of wire-named fields (for a CLI).
//!
//! ```
//! use requisite_uz::{wire, BalanceRequest, ServiceId};
//!
//! let req: BalanceRequest = wire::from_json(r#"{"serviceId": "2"}"#)?;
//! assert_eq!(req.service_id, ServiceId(2));
//! let err = wire::from_json::<BalanceRequest>(r#"{"serviceId": "two"}"#).unwrap_err();
//! assert_eq!(err.field(), Some("serviceId"));
//! # Ok::<(), kassa_core::Error>(())
//! ```

use std::fmt;

use kassa_core::Error;
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// Reads a request (or any wire type) from JSON text with the document's field names: the
/// operation table's own reader, [`kassa_core::ops::parse`], with no operation named.
/// A failure is [`Error::InvalidInput`] naming the field's JSON path (`cardType`,
/// `amount`, a missing `purposeCode`; `params` for text that is not one JSON value); the
/// reason is redacted, so a card number given in the wrong shape is never repeated.
/// Empty text reads as `{}`.
///
/// ```
/// use requisite_uz::{wire, PaymentStatusRequest};
/// let req: PaymentStatusRequest = wire::from_json(r#"{"orderId": "009445151277"}"#)?;
/// assert_eq!(req.order_id, "009445151277");
/// let err = wire::from_json::<PaymentStatusRequest>("{}").unwrap_err();
/// assert_eq!(err.field(), Some("orderId"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    kassa_core::ops::parse("", text)
}

/// A service's id (`id` in services, `serviceId` elsewhere). It travels as a number in the
/// services and statement answers and the statement request, and as a string (`"2"`) in
/// payment bodies; it is read from either.
///
/// ```
/// use requisite_uz::ServiceId;
/// let id: ServiceId = serde_json::from_str("\"34\"")?;
/// assert_eq!(id, ServiceId(34));
/// assert_eq!(serde_json::to_string(&id)?, "34");
/// assert_eq!(id.to_string(), "34");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub u64);

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u64> for ServiceId {
    fn from(id: u64) -> ServiceId {
        ServiceId(id)
    }
}

impl Serialize for ServiceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for ServiceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ServiceId, D::Error> {
        unsigned(d).map(ServiceId)
    }
}

/// `serialize_with`/`deserialize_with` for a [`ServiceId`] written as a string (`"2"`), as in
/// the payment bodies.
pub(crate) mod service_id_string {
    use super::ServiceId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(id: &ServiceId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&id.0)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ServiceId, D::Error> {
        ServiceId::deserialize(d)
    }
}

// Drifting field types are read by kassa-core's shared decoders.
pub(crate) use kassa_core::lenient::{flag, text, uint as unsigned};

// `YYYY-MM-DD`, as in fromDate and toDate.
time::serde::format_description!(pub(crate) date, Date, "[year]-[month]-[day]");

/// `YYYY-MM-DD HH:MM:SS`, as in the statement's docDate and paymentDate: read by hand when
/// it is exactly that shape (two such dates a statement row, so the common case is kept
/// quick), else by `time`'s parser of the same format, whose error is the one reported.
pub(crate) mod date_time {
    use std::fmt;

    use serde::Serializer;
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Error as _;
    use time::format_description::BorrowedFormatItem;
    use time::{Date, Month, PrimitiveDateTime, Time};

    const FORMAT: &[BorrowedFormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

    pub(crate) fn serialize<S: Serializer>(v: &PrimitiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        let text = v.format(FORMAT).map_err(S::Error::custom)?;
        s.serialize_str(&text)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<PrimitiveDateTime, D::Error> {
        d.deserialize_str(DateTime)
    }

    /// The digits of `b` as a number, when all are ASCII digits.
    fn digits(b: &[u8]) -> Option<u16> {
        b.iter().try_fold(0u16, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    }

    /// The exact shape `YYYY-MM-DD HH:MM:SS`, read by hand.
    pub(crate) fn quick(v: &str) -> Option<PrimitiveDateTime> {
        let b = v.as_bytes();
        if b.len() != 19
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b' '
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let year = i32::from(digits(&b[0..4])?);
        let month = Month::try_from(u8::try_from(digits(&b[5..7])?).ok()?).ok()?;
        let day = u8::try_from(digits(&b[8..10])?).ok()?;
        let [h, m, s] = [&b[11..13], &b[14..16], &b[17..19]]
            .map(|p| digits(p).and_then(|n| u8::try_from(n).ok()));
        let date = Date::from_calendar_date(year, month, day).ok()?;
        let time = Time::from_hms(h?, m?, s?).ok()?;
        Some(PrimitiveDateTime::new(date, time))
    }

    struct DateTime;

    impl Visitor<'_> for DateTime {
        type Value = PrimitiveDateTime;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date and time as `YYYY-MM-DD HH:MM:SS`")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<PrimitiveDateTime, E> {
            match quick(v) {
                Some(at) => Ok(at),
                None => PrimitiveDateTime::parse(v, FORMAT).map_err(E::custom),
            }
        }
    }
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub(crate) fn path_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Drift {
        #[serde(deserialize_with = "text")]
        t: String,
        #[serde(deserialize_with = "flag")]
        f: bool,
        #[serde(deserialize_with = "unsigned")]
        u: u64,
    }

    #[test]
    fn drifting_types_are_read_into_one_rust_type() {
        for (json, t, f, u) in [
            (r#"{"t":"a","f":true,"u":1}"#, "a", true, 1),
            (
                r#"{"t":12,"f":"0","u":"2111291793"}"#,
                "12",
                false,
                2_111_291_793,
            ),
            (r#"{"t":null,"f":1,"u":0}"#, "", true, 0),
        ] {
            let d: Drift = serde_json::from_str(json).expect(json);
            assert_eq!((d.t.as_str(), d.f, d.u), (t, f, u), "{json}");
        }
        for bad in [
            r#"{"t":"a","f":2,"u":1}"#,
            r#"{"t":"a","f":true,"u":-1}"#,
            r#"{"t":"a","f":true,"u":"1a"}"#,
        ] {
            assert!(serde_json::from_str::<Drift>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("009445151277"), "009445151277");
        assert_eq!(path_segment("5153f545-52bf_x.y~z"), "5153f545-52bf_x.y~z");
        assert_eq!(path_segment("a/b?c#д"), "a%2Fb%3Fc%23%D0%B4");
    }

    #[test]
    fn from_json_names_the_field_and_rejects_trailing_text() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct R {
            #[serde(rename = "serviceId")]
            service_id: ServiceId,
        }
        let err = from_json::<R>(r#"{"serviceId": -1}"#).unwrap_err();
        assert_eq!(err.field(), Some("serviceId"));
        let err = from_json::<R>(r#"{"serviceId": 1} x"#).unwrap_err();
        assert_eq!(err.field(), Some("params"));
        let err = from_json::<R>("{}").unwrap_err();
        assert_eq!(err.field(), Some("serviceId"), "{err}");
    }
}

/// Amounts in tiyin as the payment requests carry them: written as a string of digits,
/// read from a number or a string; an error speaks in tiyin ("a whole number of tiyin"),
/// never in sum decimal places.
pub(crate) mod tiyin_string {
    use kassa_core::money::serde::{Unit, read_token};
    use kassa_core::{Currency, Money, MoneyError};
    use serde::de::{self, Deserializer};
    use serde::{Deserialize, Serializer};
    use serde_json::value::RawValue;

    pub(crate) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        kassa_core::money::serde::uzs::minor_string::serialize(m, s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        read_token(text, Unit::Minor, Currency::UZS).map_err(|e| {
            de::Error::custom(match e {
                MoneyError::Overflow { .. } => format!("tiyin: {text} is too large"),
                _ => format!("tiyin: a whole number (1 sum = 100 tiyin), got {text}"),
            })
        })
    }

    #[test]
    fn the_quick_date_time_reads_what_the_format_reads() {
        use time::format_description::BorrowedFormatItem;
        const FORMAT: &[BorrowedFormatItem<'static>] =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        for text in [
            "2023-02-01 16:32:23",
            "2024-02-29 00:00:00",
            "2023-02-29 00:00:00",
            "2023-13-01 00:00:00",
            "2023-12-31 23:59:59",
            "2023-12-31 24:00:00",
            "2023-12-31 23:60:00",
            "0000-01-01 00:00:00",
            "2023-1-01 00:00:000",
            "2023-01-01T00:00:00",
            "2023-01-01 00:00:0x",
            "2023-01-01 00:00",
            "+2023-01-01 00:00:00",
            "२०२३-01-01 00:00",
        ] {
            let by_format = time::PrimitiveDateTime::parse(text, FORMAT).ok();
            let quick = crate::wire::date_time::quick(text);
            if quick.is_some() {
                assert_eq!(quick, by_format, "{text}");
            }
            #[derive(Deserialize)]
            struct Row {
                #[serde(with = "crate::wire::date_time")]
                at: time::PrimitiveDateTime,
            }
            let read = serde_json::from_value::<Row>(serde_json::json!({ "at": text }))
                .ok()
                .map(|r| r.at);
            assert_eq!(read, by_format, "{text}");
        }
    }
}
