//! The one answer path: every provider answer becomes a result here, in this order.
//!
//! 1. The body is parsed once into the provider's [`Envelope::Wire`], a small struct that
//!    borrows from the body: the head fields (status, code, message) and the data as a
//!    [`RawValue`] left unparsed.
//! 2. The envelope reads its [`Head`] from the wire and the HTTP status: success, refused
//!    with a code, or unexplained.
//! 3. A refusal becomes an [`Error`] through [`Error::from_code`], which applies the
//!    money-safety rule ([`ProviderCode::disposition`]) once for every provider. An answer the
//!    envelope does not explain is [`Error::Http`], outcome-unknown on a call that changes
//!    state when it may have taken effect (a 5xx, or a 2xx that says neither yes nor no).
//! 4. On success the data is decoded as `T`, straight from its raw slice of the body. The
//!    JSON path is tracked only when that fails, to say where (`data.items[2].amount`); an
//!    unreadable success on a call that changes state is outcome-unknown.
//!
//! A provider crate implements [`Envelope`] once, in its `answer.rs`:
//!
//! ```
//! use kassa_core::answer::{self, Data, Envelope, Head};
//! use kassa_core::answer::RawValue;
//! use kassa_core::{Effect, Error, Operation, ProviderCode, Response};
//!
//! /// The provider's codes (a real crate keeps them in one table, unknown codes kept).
//! #[derive(Debug, Clone, PartialEq)]
//! enum Code { NoFunds, TryLater, Unknown(String) }
//! impl std::fmt::Display for Code {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.raw()) }
//! }
//! impl ProviderCode for Code {
//!     fn raw(&self) -> String {
//!         match self { Code::NoFunds => "1".into(), Code::TryLater => "2".into(), Code::Unknown(s) => s.clone() }
//!     }
//!     fn is_definite_refusal(&self) -> bool { matches!(self, Code::NoFunds) }
//! }
//! impl Code {
//!     fn from_raw(raw: &str) -> Code {
//!         match raw { "1" => Code::NoFunds, "2" => Code::TryLater, other => Code::Unknown(other.into()) }
//!     }
//! }
//!
//! /// `{"status": "ok" | "error", "code": "1", "message": "...", "data": {...}}`
//! #[derive(serde::Deserialize)]
//! struct Wire<'a> {
//!     #[serde(default)]
//!     status: &'a str,
//!     #[serde(default)]
//!     code: Option<&'a str>,
//!     #[serde(default)]
//!     message: String,
//!     #[serde(borrow, default)]
//!     data: Option<&'a RawValue>,
//! }
//!
//! struct Shop;
//! impl Envelope for Shop {
//!     type Code = Code;
//!     type Wire<'a> = Wire<'a>;
//!     fn head(_op: &Operation, _status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
//!         match wire {
//!             Some(w) if w.status == "ok" => Head::Success,
//!             Some(Wire { code: Some(code), message, .. }) => {
//!                 Head::Refused { code: Code::from_raw(code), message: message.clone() }
//!             }
//!             _ => Head::Unexplained,
//!         }
//!     }
//!     fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
//!         Data::Field("data", wire.data)
//!     }
//! }
//!
//! #[derive(Debug, serde::Deserialize)]
//! struct Paid { id: u64 }
//!
//! let answer = |body: &str| Response { status: 200, headers: vec![], body: body.as_bytes().to_vec() };
//! let pay = Operation::new("shop", "pay", Effect::Once);
//!
//! let paid: Paid = answer::read::<Shop, _>(&pay, &answer(r#"{"status": "ok", "data": {"id": 7}}"#))?;
//! assert_eq!(paid.id, 7);
//!
//! // A definite refusal is a refusal ...
//! let e = answer::read::<Shop, Paid>(&pay, &answer(r#"{"status": "error", "code": "1", "message": "no funds"}"#)).unwrap_err();
//! assert!(matches!(e, Error::Rejected(_)));
//! // ... any other code on a payment leaves its outcome unknown, the code still found.
//! let e = answer::read::<Shop, Paid>(&pay, &answer(r#"{"status": "error", "code": "2"}"#)).unwrap_err();
//! assert!(e.may_have_taken_effect());
//! assert_eq!(e.code_anywhere::<Code>(), Some(&Code::TryLater));
//! // A broken success says where it broke.
//! let e = answer::read::<Shop, Paid>(&pay, &answer(r#"{"status": "ok", "data": {"id": "x"}}"#)).unwrap_err();
//! assert!(e.to_string().contains("data.id"), "{e}");
//! # Ok::<(), kassa_core::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
pub use serde_json::value::RawValue;

use crate::decode;
use crate::error::{Error, ProviderCode};
use crate::request::{Operation, Response};

/// What an answer's head says.
///
/// ```
/// use kassa_core::{answer::Head, RawCode};
/// let h: Head<RawCode> = Head::Refused { code: RawCode("E1".into()), message: "no".into() };
/// assert!(!h.is_success());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head<C> {
    /// The provider says the call succeeded: the data follows.
    Success,
    /// The provider refused with its code and message.
    Refused {
        /// The code, typed by the provider crate (unknown codes kept).
        code: C,
        /// The provider's message (empty when it sent none).
        message: String,
    },
    /// The answer says neither: an HTML page, an empty body, a shape with no code.
    Unexplained,
}

impl<C> Head<C> {
    /// True for [`Head::Success`].
    ///
    /// ```
    /// assert!(kassa_core::answer::Head::<kassa_core::RawCode>::Success.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Head::Success)
    }
}

/// Where a successful answer's data is.
///
/// ```
/// use kassa_core::answer::Data;
/// assert!(matches!(Data::Field("result", None), Data::Field("result", None)));
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Data<'a> {
    /// The whole body is the data (a flat answer whose head fields sit beside the data's).
    /// The body is then read a second time, as `T`; prefer [`Data::Field`] when the data has
    /// a field of its own.
    Whole,
    /// The data is the field of this name (the JSON path its decode errors start with),
    /// kept raw by the wire; `None` when it was absent or `null` (then `T` is read from
    /// `null`: an `Option` or `()` accepts that, anything else is a decode error).
    Field(&'static str, Option<&'a RawValue>),
}

/// A provider's answer envelope: how to find the head and the data in one parse.
///
/// Implement it once per provider on a unit struct; [`read`] does the rest. See the
/// [module documentation](self) for a whole example.
pub trait Envelope {
    /// The provider's code catalogue.
    type Code: ProviderCode;
    /// What the body is parsed into, once: the head fields, with the data kept as a
    /// borrowed [`RawValue`]. Make every field optional (`#[serde(default)]`) and read
    /// type-drifting fields leniently: a wire that cannot be read makes the answer
    /// unexplained.
    type Wire<'a>: Deserialize<'a>;

    /// True when a 2xx answer is the data itself, with no head to read (the provider
    /// answers errors with a non-2xx status and an error body): the body is then decoded
    /// straight as `T`, in one parse. Default: false.
    const BARE_SUCCESS: bool = false;

    /// True when the provider's answers may be broken JSON in the plain ways its own
    /// document's examples are (an elision line, a trailing comma, a missing comma at a line
    /// break): a body that is not valid JSON is then read after the conservative repair of
    /// [`decode::json_lenient`] (see [`repair`](crate::repair)), head and data alike. Valid
    /// JSON is never touched, and a body no repair makes readable is read as it came (an
    /// unexplained answer, outcome-unknown on a call that changes state). Default: false.
    ///
    /// ```
    /// use kassa_core::answer::{self, Data, Envelope, Head, RawValue};
    /// use kassa_core::{Effect, Operation, RawCode, Response};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Wire<'a> {
    ///     #[serde(default)]
    ///     ok: bool,
    ///     #[serde(borrow, default)]
    ///     data: Option<&'a RawValue>,
    /// }
    /// struct Loose;
    /// impl Envelope for Loose {
    ///     type Code = RawCode;
    ///     type Wire<'a> = Wire<'a>;
    ///     const LENIENT: bool = true;
    ///     fn head(_: &Operation, _: u16, wire: Option<&Wire<'_>>) -> Head<RawCode> {
    ///         match wire {
    ///             Some(w) if w.ok => Head::Success,
    ///             _ => Head::Unexplained,
    ///         }
    ///     }
    ///     fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
    ///         Data::Field("data", wire.data)
    ///     }
    /// }
    ///
    /// let body = b"{\n  \"ok\": true,\n  \"data\": [1, 2,]\n  ...\n}".to_vec();
    /// let resp = Response { status: 200, headers: vec![], body };
    /// let op = Operation::new("p", "cards", Effect::Read);
    /// assert_eq!(answer::read::<Loose, Vec<u8>>(&op, &resp)?, [1, 2]);
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    const LENIENT: bool = false;

    /// How [`read`] may take the head and the data of a successful answer in one pass over
    /// the body, without keeping the data raw and reading it a second time; see
    /// [`OnePass`]. Whenever that pass cannot decide (a body it cannot read, a head that is
    /// not a success, a data field absent, empty or given twice), the answer is read the
    /// usual way, so the result is the same either way. Default: `None` (always the usual
    /// way).
    ///
    /// ```
    /// use kassa_core::answer::{self, Data, Envelope, Head, OnePass, RawValue};
    /// use kassa_core::{Effect, Operation, RawCode, Response};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Wire<'a> {
    ///     #[serde(default)]
    ///     ok: bool,
    ///     #[serde(borrow, default)]
    ///     data: Option<&'a RawValue>,
    /// }
    /// struct Fast;
    /// impl Envelope for Fast {
    ///     type Code = RawCode;
    ///     type Wire<'a> = Wire<'a>;
    ///     const ONE_PASS: Option<OnePass> = Some(OnePass::Field("data"));
    ///     fn head(_: &Operation, _: u16, wire: Option<&Wire<'_>>) -> Head<RawCode> {
    ///         match wire {
    ///             Some(w) if w.ok => Head::Success,
    ///             _ => Head::Unexplained,
    ///         }
    ///     }
    ///     fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
    ///         Data::Field("data", wire.data)
    ///     }
    /// }
    ///
    /// let op = Operation::new("p", "list", Effect::Read);
    /// let resp = Response { status: 200, headers: vec![], body: br#"{"data": [1, 2], "ok": true}"#.to_vec() };
    /// assert_eq!(answer::read::<Fast, Vec<u8>>(&op, &resp)?, [1, 2]);
    /// // A broken item is still explained with its whole path.
    /// let resp = Response { status: 200, headers: vec![], body: br#"{"ok": true, "data": [1, "x"]}"#.to_vec() };
    /// let err = answer::read::<Fast, Vec<u8>>(&op, &resp).unwrap_err();
    /// assert!(err.to_string().contains("data[1]"), "{err}");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    const ONE_PASS: Option<OnePass> = None;

    /// Reads the head from the parsed wire (`None` when the body is not a readable wire:
    /// HTML, empty, another shape) and the HTTP status. Map a documented
    /// credentials answer with no code (an empty 401) to a [`Head::Refused`] whose code says
    /// [`ProviderCode::is_credentials`]; a [`Head::Success`] on a non-2xx status is read as
    /// unexplained.
    fn head(op: &Operation, status: u16, wire: Option<&Self::Wire<'_>>) -> Head<Self::Code>;

    /// Where the data of a successful answer is.
    fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a>;
}

/// Reads an answer of `op` through envelope `E`: HTTP status, then head, then the typed
/// decode of the data as `T`; see the [module documentation](self).
///
/// Errors: [`Error::from_code`] for a refusal; [`Error::Http`] (outcome-unknown on a call
/// that changes state when it may have taken effect) for an answer the envelope does not
/// explain; [`Error::Decode`] (outcome-unknown on a call that changes state) for a success
/// whose data cannot be read.
///
/// With [`Envelope::LENIENT`], a body that is not valid JSON is read after the repair of
/// [`decode::json_lenient`] when that makes it readable.
pub fn read<E: Envelope, T: DeserializeOwned>(op: &Operation, resp: &Response) -> Result<T, Error> {
    let mut body = resp.body.as_slice();
    let success = resp.is_success();
    if success && E::BARE_SUCCESS {
        return if E::LENIENT {
            decode::json_lenient(op, body)
        } else {
            decode::json(op, body)
        };
    }
    if let Some(data) = one_pass::<E, T>(op, resp) {
        return Ok(data);
    }
    // Declared before the wire, which may borrow from it.
    let fixed: Option<String>;
    let mut wire = serde_json::from_slice::<E::Wire<'_>>(body);
    if E::LENIENT && wire.is_err() {
        fixed = crate::repair::repaired(body);
        if let Some(text) = fixed.as_deref()
            && let Ok(repaired) = serde_json::from_slice::<E::Wire<'_>>(text.as_bytes())
        {
            crate::repair::note_repaired(op);
            wire = Ok(repaired);
            body = text.as_bytes();
        }
    }
    let head = E::head(op, resp.status, wire.as_ref().ok());
    match head {
        Head::Refused { code, message } => {
            Err(Error::from_code(op, Some(resp.status), code, message))
        }
        Head::Success if success => {
            let wire = match wire {
                Ok(wire) => wire,
                // The envelope called an unreadable body a success: explain where it broke.
                Err(_) => {
                    return Err(decode::money_safe(
                        op,
                        match decode::borrowed::<E::Wire<'_>>(op, body) {
                            Err(e) => e,
                            Ok(_) => unexplained(op, resp),
                        },
                    ));
                }
            };
            let (prefix, raw) = match E::data(&wire) {
                Data::Whole => return decode::json(op, body),
                Data::Field(name, raw) => (name, raw),
            };
            let (base, text) = match raw {
                Some(raw) => (offset_in(body, raw.get()), raw.get().as_bytes()),
                None => (body.len(), b"null".as_slice()),
            };
            decode::part::<T>(op, body, base, prefix, text).map_err(|e| decode::money_safe(op, e))
        }
        Head::Success | Head::Unexplained => Err(unexplained(op, resp)),
    }
}

/// How an envelope's head and data sit in the body, for the one-pass read of
/// [`Envelope::ONE_PASS`].
///
/// ```
/// use kassa_core::answer::OnePass;
/// assert!(matches!(OnePass::Field("data"), OnePass::Field("data")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnePass {
    /// The data is the top-level field of this name (what [`Envelope::data`] always names);
    /// every other top-level field belongs to the head. The data is decoded as `T` where it
    /// stands; the head fields are kept raw (they are small) and read as the wire after.
    Field(&'static str),
    /// The whole object is the data ([`Data::Whole`]); the top-level fields of these names
    /// are the head (the wire's fields). The object is decoded as `T` in one pass; each
    /// head field is kept raw on the way and read as the wire after.
    Whole(&'static [&'static str]),
}

/// The one-pass read of a successful answer: `Some(data)` only when the body is one JSON
/// object, the data decodes as `T`, the head fields read as the wire and the envelope calls
/// that head a success. `None` in every other case: the caller then reads the answer the
/// usual way ([`read`]), which explains a failure with its path; so the one pass never
/// changes a result, it only skips the second reading of the data. A data field that is
/// absent, `[]`, `{}`, or given twice is left to the usual way too (an envelope may read
/// those as "no data").
///
/// ```
/// use kassa_core::answer::{self, Data, Envelope, Head, OnePass, RawValue};
/// use kassa_core::{Effect, Operation, RawCode, Response};
///
/// #[derive(serde::Deserialize)]
/// struct Wire { #[serde(default)] status_code: i64 }
/// struct Flat;
/// impl Envelope for Flat {
///     type Code = RawCode;
///     type Wire<'a> = Wire;
///     const ONE_PASS: Option<OnePass> = Some(OnePass::Whole(&["status_code"]));
///     fn head(_: &Operation, _: u16, wire: Option<&Wire>) -> Head<RawCode> {
///         match wire {
///             Some(w) if w.status_code == 0 => Head::Success,
///             _ => Head::Unexplained,
///         }
///     }
///     fn data<'a>(_: &Wire) -> Data<'a> { Data::Whole }
/// }
/// #[derive(serde::Deserialize)]
/// struct Check { status_code: i64, status_id: u8 }
///
/// let op = Operation::new("p", "check", Effect::Read);
/// let ok = Response { status: 200, headers: vec![], body: br#"{"status_code": 0, "status_id": 3}"#.to_vec() };
/// assert_eq!(answer::one_pass::<Flat, Check>(&op, &ok).map(|c| c.status_id), Some(3));
/// let refused = Response { status: 200, headers: vec![], body: br#"{"status_code": 9, "status_id": 3}"#.to_vec() };
/// assert!(answer::one_pass::<Flat, Check>(&op, &refused).is_none());
/// ```
pub fn one_pass<E: Envelope, T: DeserializeOwned>(op: &Operation, resp: &Response) -> Option<T> {
    let pass = E::ONE_PASS?;
    if !resp.is_success() {
        return None;
    }
    let body = resp.body.as_slice();
    let mut head: Vec<(Cow<'_, str>, &RawValue)> = Vec::new();
    let data = {
        let mut de = serde_json::Deserializer::from_slice(body);
        let data = de
            .deserialize_map(Pass::<T> {
                pass,
                body,
                head: &mut head,
                data: PhantomData,
            })
            .ok()?;
        de.end().ok()?;
        data
    };
    let mut text = String::with_capacity(
        2 + head
            .iter()
            .map(|(k, v)| k.len() + v.get().len() + 4)
            .sum::<usize>(),
    );
    text.push('{');
    for (i, (key, value)) in head.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        match key {
            Cow::Borrowed(k) => {
                text.push('"');
                text.push_str(k);
                text.push('"');
            }
            Cow::Owned(k) => text.push_str(&serde_json::to_string(k).ok()?),
        }
        text.push(':');
        text.push_str(value.get());
    }
    text.push('}');
    let wire = serde_json::from_str::<E::Wire<'_>>(&text).ok()?;
    E::head(op, resp.status, Some(&wire))
        .is_success()
        .then_some(data)
}

/// A top-level key: borrowed from the body when it holds no escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The visitor of the one pass over the top-level object.
struct Pass<'p, 'de, T> {
    pass: OnePass,
    body: &'de [u8],
    head: &'p mut Vec<(Cow<'de, str>, &'de RawValue)>,
    data: PhantomData<T>,
}

/// True when the value after the key `key` (borrowed from `body`) is an empty `[]` or `{}`:
/// only the whitespace around it is looked at, never the data itself.
fn empty_after(body: &[u8], key: &str) -> Option<bool> {
    let start = body.as_ptr() as usize;
    let at = key.as_ptr() as usize;
    if at < start || at + key.len() >= start + body.len() {
        return None;
    }
    // Past the key's closing quote.
    let mut rest = body[at - start + key.len() + 1..].iter().copied();
    let mut next = || rest.find(|b| !b.is_ascii_whitespace());
    if next()? != b':' {
        return None;
    }
    Some(match next()? {
        b'[' => next()? == b']',
        b'{' => next()? == b'}',
        _ => false,
    })
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Pass<'_, 'de, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match self.pass {
            OnePass::Field(name) => {
                let mut data = None;
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    if key != name {
                        self.head.push((key, map.next_value::<&'de RawValue>()?));
                        continue;
                    }
                    let Cow::Borrowed(k) = key else {
                        return Err(de::Error::custom("an escaped data key"));
                    };
                    if data.is_some() || empty_after(self.body, k) != Some(false) {
                        return Err(de::Error::custom("no data, or data given twice"));
                    }
                    data = Some(map.next_value::<T>()?);
                }
                data.ok_or_else(|| de::Error::custom("no data"))
            }
            OnePass::Whole(names) => T::deserialize(de::value::MapAccessDeserializer::new(Tee {
                map,
                names,
                head: self.head,
                pending: None,
            })),
        }
    }
}

/// Hands the top-level object to `T` key by key, keeping the head fields raw on the way
/// (each is then read by `T` from its raw text).
struct Tee<'p, 'de, A> {
    map: A,
    names: &'static [&'static str],
    head: &'p mut Vec<(Cow<'de, str>, &'de RawValue)>,
    pending: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Tee<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(Key(key)) = self.map.next_key::<Key<'de>>()? else {
            return Ok(None);
        };
        let value = match &key {
            Cow::Borrowed(k) => seed.deserialize(de::value::BorrowedStrDeserializer::new(k))?,
            Cow::Owned(k) => seed.deserialize(de::value::StrDeserializer::new(k))?,
        };
        self.pending = self.names.contains(&key.as_ref()).then_some(key);
        Ok(Some(value))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(key) => {
                let raw: &'de RawValue = self.map.next_value()?;
                self.head.push((key, raw));
                let mut de = serde_json::Deserializer::from_str(raw.get());
                seed.deserialize(&mut de).map_err(de::Error::custom)
            }
            None => self.map.next_value_seed(seed),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// The error for an answer the envelope does not explain: [`Error::Http`] with a redacted
/// excerpt, outcome-unknown on a call that changes state when it may have taken effect (a
/// 5xx, as [`Response::unexpected`] says, or a 2xx that says neither success nor refusal).
///
/// ```
/// use kassa_core::{answer, Effect, Operation, Response};
/// let ok_but_odd = Response { status: 200, headers: vec![], body: b"<html>".to_vec() };
/// assert!(answer::unexplained(&Operation::new("p", "pay", Effect::Once), &ok_but_odd).may_have_taken_effect());
/// assert!(!answer::unexplained(&Operation::new("p", "status", Effect::Read), &ok_but_odd).may_have_taken_effect());
/// ```
pub fn unexplained(op: &Operation, resp: &Response) -> Error {
    if resp.is_success() && op.effect.changes_state() {
        let http = Error::Http {
            provider: op.provider,
            operation: op.name,
            status: resp.status,
            excerpt: crate::secret::excerpt_bytes(&resp.body, 0, 120),
        };
        return op.outcome_unknown(http);
    }
    resp.unexpected(op)
}

/// Where `part` (a slice borrowed from `body`) starts in `body`, in bytes; the end of the
/// body when it is not part of it.
fn offset_in(body: &[u8], part: &str) -> usize {
    let start = body.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    if at >= start && at <= start + body.len() {
        at - start
    } else {
        body.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Effect, Reconcile};

    #[derive(Debug, Clone, PartialEq)]
    enum Code {
        NoFunds,
        Expired,
        Unknown(String),
    }
    impl std::fmt::Display for Code {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.raw())
        }
    }
    impl ProviderCode for Code {
        fn raw(&self) -> String {
            match self {
                Code::NoFunds => "1".into(),
                Code::Expired => "9".into(),
                Code::Unknown(s) => s.clone(),
            }
        }
        fn is_definite_refusal(&self) -> bool {
            matches!(self, Code::NoFunds)
        }
        fn refresh_helps(&self) -> bool {
            matches!(self, Code::Expired)
        }
    }

    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(default)]
        ok: bool,
        #[serde(default)]
        code: Option<&'a str>,
        #[serde(default)]
        message: String,
        #[serde(borrow, default)]
        result: Option<&'a RawValue>,
    }

    struct Env;
    impl Envelope for Env {
        type Code = Code;
        type Wire<'a> = Wire<'a>;
        fn head(_: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
            match wire {
                Some(w) if w.ok => Head::Success,
                Some(Wire {
                    code: Some(c),
                    message,
                    ..
                }) => Head::Refused {
                    code: match *c {
                        "1" => Code::NoFunds,
                        "9" => Code::Expired,
                        other => Code::Unknown(other.into()),
                    },
                    message: message.clone(),
                },
                None if status == 401 => Head::Refused {
                    code: Code::Expired,
                    message: String::new(),
                },
                _ => Head::Unexplained,
            }
        }
        fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
            Data::Field("result", wire.result)
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Bill {
        id: u64,
        #[serde(default)]
        items: Vec<u32>,
    }

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    const READ: Operation = Operation::new("p", "status", Effect::Read);

    fn pay() -> Operation {
        Operation::new("p", "pay", Effect::Once)
            .reconcile_with(Reconcile::new("status").param("billId", "5"))
    }

    #[test]
    fn success_decodes_the_data_field() {
        let bill: Bill =
            read::<Env, _>(&pay(), &resp(200, r#"{"ok": true, "result": {"id": 5}}"#)).unwrap();
        assert_eq!(bill.id, 5);
    }

    #[test]
    fn a_broken_data_field_names_its_full_path_and_is_outcome_unknown_on_a_payment() {
        let body = r#"{"ok": true, "result": {"id": 5, "items": [1, "x"]}}"#;
        let read_err = read::<Env, Bill>(&READ, &resp(200, body)).unwrap_err();
        match &read_err {
            Error::Decode { path, excerpt, .. } => {
                assert_eq!(path, "result.items[1]");
                assert!(excerpt.contains("\"x\""), "{excerpt}");
            }
            other => panic!("{other:?}"),
        }
        let pay_err = read::<Env, Bill>(&pay(), &resp(200, body)).unwrap_err();
        assert!(pay_err.may_have_taken_effect());
        assert!(pay_err.to_string().contains("result.items[1]"), "{pay_err}");
        assert!(
            pay_err.to_string().contains("ask status with billId=5"),
            "{pay_err}"
        );
    }

    #[test]
    fn a_missing_data_field_is_read_as_null() {
        let e = read::<Env, Bill>(&READ, &resp(200, r#"{"ok": true}"#)).unwrap_err();
        assert!(
            matches!(&e, Error::Decode { path, .. } if path == "result"),
            "{e:?}"
        );
        let unit: Option<Bill> = read::<Env, _>(&READ, &resp(200, r#"{"ok": true}"#)).unwrap();
        assert_eq!(unit, None);
    }

    #[test]
    fn codes_go_through_the_disposition() {
        let refused = r#"{"code": "1", "message": "no funds"}"#;
        let unknown = r#"{"code": "77", "message": "hm"}"#;
        let e = read::<Env, Bill>(&pay(), &resp(200, refused)).unwrap_err();
        assert!(matches!(e, Error::Rejected(_)), "{e:?}");
        let e = read::<Env, Bill>(&pay(), &resp(400, unknown)).unwrap_err();
        assert!(matches!(e, Error::OutcomeUnknown(_)), "{e:?}");
        assert_eq!(e.code_anywhere::<Code>(), Some(&Code::Unknown("77".into())));
        let e = read::<Env, Bill>(&READ, &resp(400, unknown)).unwrap_err();
        assert!(matches!(e, Error::Rejected(_)), "{e:?}");
        let e = read::<Env, Bill>(&pay(), &resp(401, "")).unwrap_err();
        assert!(e.is_auth(), "{e:?}");
    }

    #[test]
    fn unexplained_answers_follow_the_status() {
        let html = "<html>Bad Gateway</html>";
        let e = read::<Env, Bill>(&pay(), &resp(502, html)).unwrap_err();
        assert!(e.may_have_taken_effect());
        let e = read::<Env, Bill>(&READ, &resp(502, html)).unwrap_err();
        assert!(matches!(e, Error::Http { status: 502, .. }), "{e:?}");
        let e = read::<Env, Bill>(&pay(), &resp(404, html)).unwrap_err();
        assert!(matches!(e, Error::Http { status: 404, .. }), "{e:?}");
        // A 2xx that says neither yes nor no leaves a payment's outcome open.
        let e = read::<Env, Bill>(&pay(), &resp(200, r#"{"message": "?"}"#)).unwrap_err();
        assert!(e.may_have_taken_effect(), "{e:?}");
        let e = read::<Env, Bill>(&READ, &resp(200, "<html>")).unwrap_err();
        assert!(!e.may_have_taken_effect(), "{e:?}");
        // A success head on an error status is not believed.
        let e = read::<Env, Bill>(&READ, &resp(500, r#"{"ok": true, "result": {"id": 1}}"#))
            .unwrap_err();
        assert!(matches!(e, Error::Http { status: 500, .. }), "{e:?}");
    }

    struct Lenient;
    impl Envelope for Lenient {
        type Code = Code;
        type Wire<'a> = Wire<'a>;
        const LENIENT: bool = true;
        fn head(op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
            Env::head(op, status, wire)
        }
        fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
            Env::data(wire)
        }
    }

    /// Broken the way documents' examples are: an elision line, a trailing comma and a
    /// missing comma at a line break.
    const BROKEN_SUCCESS: &str =
        "{\n  \"ok\": true\n  \"result\": {\"id\": 5, \"items\": [1, 2,],}\n  ...\n}";

    #[test]
    fn a_lenient_envelope_reads_a_repairable_body() {
        assert!(serde_json::from_str::<serde_json::Value>(BROKEN_SUCCESS).is_err());
        let bill: Bill = read::<Lenient, _>(&pay(), &resp(200, BROKEN_SUCCESS)).unwrap();
        assert_eq!(
            bill,
            Bill {
                id: 5,
                items: vec![1, 2]
            }
        );
        let bill: Bill = read::<Lenient, _>(&READ, &resp(200, BROKEN_SUCCESS)).unwrap();
        assert_eq!(bill.id, 5);
        // A repaired refusal is still a refusal, through the same disposition.
        let refused = "{\"code\": \"1\",\n \"message\": \"no funds\",\n}";
        let e = read::<Lenient, Bill>(&pay(), &resp(200, refused)).unwrap_err();
        assert!(matches!(e, Error::Rejected(_)), "{e:?}");
        // A strict envelope does not repair: the same body leaves a payment's outcome open.
        let e = read::<Env, Bill>(&pay(), &resp(200, BROKEN_SUCCESS)).unwrap_err();
        assert!(e.may_have_taken_effect(), "{e:?}");
    }

    #[test]
    fn an_unrepairable_body_stays_outcome_unknown_on_a_once_call() {
        // A comment and an unquoted timestamp are not guessed at.
        for body in [
            "{\"ok\": true, \"result\": {\"id\": 5} // paid\n}",
            "{\"ok\": true, \"result\": {\"id\": 5, \"at\": 2024-01-02 10:00}}",
            "<html>Bad Gateway</html>",
        ] {
            let e = read::<Lenient, Bill>(&pay(), &resp(200, body)).unwrap_err();
            assert!(matches!(e, Error::OutcomeUnknown(_)), "{body}: {e:?}");
            assert!(e.to_string().contains("ask status with billId=5"), "{e}");
            let e = read::<Lenient, Bill>(&READ, &resp(200, body)).unwrap_err();
            assert!(!e.may_have_taken_effect(), "{body}: {e:?}");
        }
        // A repaired body whose data is wrong says where, and is outcome-unknown.
        let body = "{\"ok\": true,\n \"result\": {\"id\": \"x\",}}";
        let e = read::<Lenient, Bill>(&pay(), &resp(200, body)).unwrap_err();
        assert!(e.may_have_taken_effect(), "{e:?}");
        assert!(e.to_string().contains("result.id"), "{e}");
    }

    struct Bare;
    impl Envelope for Bare {
        type Code = Code;
        type Wire<'a> = Wire<'a>;
        const BARE_SUCCESS: bool = true;
        fn head(op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
            Env::head(op, status, wire)
        }
        fn data<'a>(_: &Self::Wire<'a>) -> Data<'a> {
            Data::Whole
        }
    }

    #[test]
    fn a_bare_success_is_the_data_itself() {
        let bill: Bill = read::<Bare, _>(&READ, &resp(200, r#"{"id": 3}"#)).unwrap();
        assert_eq!(bill.id, 3);
        let e = read::<Bare, Bill>(&pay(), &resp(400, r#"{"code": "1"}"#)).unwrap_err();
        assert!(matches!(e, Error::Rejected(_)), "{e:?}");
        let e = read::<Bare, Bill>(&READ, &resp(200, r#"{"id": "3"}"#)).unwrap_err();
        assert!(
            matches!(&e, Error::Decode { path, .. } if path == "id"),
            "{e:?}"
        );
    }

    struct Fast;
    impl Envelope for Fast {
        type Code = Code;
        type Wire<'a> = Wire<'a>;
        const ONE_PASS: Option<OnePass> = Some(OnePass::Field("result"));
        fn head(op: &Operation, status: u16, wire: Option<&Wire<'_>>) -> Head<Code> {
            Env::head(op, status, wire)
        }
        fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
            Env::data(wire)
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct FlatBill {
        #[serde(default)]
        ok: bool,
        id: u64,
    }

    #[derive(Deserialize)]
    struct FlatWire {
        #[serde(default)]
        ok: bool,
        #[serde(default)]
        code: Option<String>,
    }

    struct Flat;
    impl Envelope for Flat {
        type Code = Code;
        type Wire<'a> = FlatWire;
        const ONE_PASS: Option<OnePass> = Some(OnePass::Whole(&["ok", "code"]));
        fn head(_: &Operation, _: u16, wire: Option<&FlatWire>) -> Head<Code> {
            match wire {
                Some(w) if w.ok => Head::Success,
                Some(FlatWire { code: Some(c), .. }) => Head::Refused {
                    code: Code::Unknown(c.clone()),
                    message: String::new(),
                },
                _ => Head::Unexplained,
            }
        }
        fn data<'a>(_: &FlatWire) -> Data<'a> {
            Data::Whole
        }
    }

    struct FlatSlow;
    impl Envelope for FlatSlow {
        type Code = Code;
        type Wire<'a> = FlatWire;
        fn head(op: &Operation, status: u16, wire: Option<&FlatWire>) -> Head<Code> {
            Flat::head(op, status, wire)
        }
        fn data<'a>(_: &FlatWire) -> Data<'a> {
            Data::Whole
        }
    }

    fn same<A: fmt::Debug + PartialEq>(fast: Result<A, Error>, slow: Result<A, Error>, body: &str) {
        match (fast, slow) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{body}"),
            (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{body}"),
            (a, b) => panic!("{body}: one pass {a:?}, usual {b:?}"),
        }
    }

    #[test]
    fn the_one_pass_read_gives_what_the_usual_read_gives() {
        let bodies = [
            r#"{"ok": true, "result": {"id": 5, "items": [1, 2]}}"#,
            r#"{"result": {"id": 5}, "ok": true, "extra": [1, {"a": null}]}"#,
            r#"{"ok": true, "result": {"id": 5, "items": [1, "x"]}}"#,
            r#"{"ok": true, "result": {}}"#,
            r#"{"ok": true, "result": [ ] }"#,
            r#"{"ok": true, "result": null}"#,
            r#"{"ok": true}"#,
            r#"{"ok": true, "result": {"id": 1}, "result": {"id": 2}}"#,
            r#"{"ok": true, "ok": true, "result": {"id": 1}}"#,
            r#"{"ok": true, "r\u0065sult": {"id": 1}}"#,
            r#"{"code": "1", "message": "no funds", "result": {"id": 1}}"#,
            r#"{"ok": "yes", "result": {"id": 1}}"#,
            r#"{"ok": true, "result": {"id": 1}} trailing"#,
            r#"[{"ok": true}]"#,
            "<html>",
            "",
        ];
        for body in bodies {
            for status in [200, 401, 500] {
                let r = resp(status, body);
                same(
                    read::<Fast, Bill>(&READ, &r),
                    read::<Env, Bill>(&READ, &r),
                    body,
                );
                same(
                    read::<Fast, Bill>(&pay(), &r),
                    read::<Env, Bill>(&pay(), &r),
                    body,
                );
                same(
                    read::<Fast, Option<Bill>>(&READ, &r),
                    read::<Env, Option<Bill>>(&READ, &r),
                    body,
                );
            }
        }
        let flat = [
            r#"{"ok": true, "id": 3}"#,
            r#"{"id": 3, "ok": true, "other": {"x": [1]}}"#,
            r#"{"ok": true, "id": "3"}"#,
            r#"{"ok": false, "code": "7", "id": 3}"#,
            r#"{"ok": true, "ok": true, "id": 3}"#,
            r#"{"ok": true}"#,
            "nope",
        ];
        for body in flat {
            let r = resp(200, body);
            same(
                read::<Flat, FlatBill>(&READ, &r),
                read::<FlatSlow, FlatBill>(&READ, &r),
                body,
            );
            same(
                read::<Flat, FlatBill>(&pay(), &r),
                read::<FlatSlow, FlatBill>(&pay(), &r),
                body,
            );
        }
        // The fast way is the one taken on a good answer.
        assert!(one_pass::<Fast, Bill>(&READ, &resp(200, bodies[0])).is_some());
        assert!(one_pass::<Flat, FlatBill>(&READ, &resp(200, flat[1])).is_some());
        assert!(one_pass::<Fast, Bill>(&READ, &resp(200, bodies[3])).is_none());
    }
}
