//! The operation table: each provider crate lists its operations once, with
//! [`operations!`](crate::operations), and gets the list of names and effects (for the CLI
//! and a consistency test) and a JSON dispatcher (for the CLI and the contract tests).
//!
//! Every operation method takes exactly one request value by reference
//! (`async fn status(&self, req: &StatusRequest) -> Result<Bill, Error>`), or, for an
//! operation with no input, either a braced empty struct (`pub struct GetUserCardsRequest {}`)
//! or nothing at all (`async fn services(&self)`, listed as `services()`: its parameters must
//! then be empty, `{}` or absent, read as [`NoParams`]).
//!
//! ```
//! use kassa_core::Error;
//!
//! #[derive(serde::Deserialize)]
//! pub struct EchoRequest { pub amount: String }
//! #[derive(serde::Deserialize)]
//! pub struct PingRequest {}
//! #[derive(serde::Serialize)]
//! pub struct Echoed { pub amount: String }
//!
//! pub struct Client;
//! impl Client {
//!     pub async fn echo(&self, req: &EchoRequest) -> Result<Echoed, Error> {
//!         Ok(Echoed { amount: req.amount.clone() })
//!     }
//!     pub async fn ping(&self, _req: &PingRequest) -> Result<bool, Error> {
//!         Ok(true)
//!     }
//!     pub async fn version(&self) -> Result<u32, Error> {
//!         Ok(2)
//!     }
//! }
//!
//! kassa_core::operations! {
//!     client: Client;
//!     "echo" => echo(EchoRequest) -> Echoed, Read;
//!     "ping" => ping(PingRequest) -> bool, Read;
//!     "version" => version() -> u32, Read;
//! }
//!
//! assert_eq!(OPERATIONS.iter().map(|o| o.name).collect::<Vec<_>>(), ["echo", "ping", "version"]);
//! # tokio_test(async {
//! let out = call_json(&Client, "echo", r#"{"amount": "0.00001234"}"#).await?;
//! assert_eq!(out, r#"{"amount":"0.00001234"}"#);
//! assert_eq!(call_json(&Client, "ping", "").await?, "true");
//! assert_eq!(call_json(&Client, "version", "{}").await?, "2");
//! let err = call_json(&Client, "echo", "{}").await.unwrap_err();
//! assert_eq!(err.field(), Some("amount"));
//! let err = call_json(&Client, "version", r#"{"v": 1}"#).await.unwrap_err();
//! assert_eq!(err.field(), Some("v"));
//! let err = call_json(&Client, "refund", "{}").await.unwrap_err();
//! assert_eq!(err.field(), Some("operation"));
//! # Ok::<(), Error>(()) });
//! # fn tokio_test(f: impl std::future::Future<Output = Result<(), Error>>) {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f).unwrap()
//! # }
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The kind of an operation's effect, as the table and the catalogue name it (the key of a
/// `Keyed` operation is known only per call).
///
/// ```
/// assert_eq!(kassa_core::ops::EffectKind::Once.name(), "once");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectKind {
    /// Reads state.
    Read,
    /// Obtains or refreshes credentials.
    Auth,
    /// Changes state under an idempotency key the provider honours.
    Keyed,
    /// Changes state, sent once.
    Once,
}

impl EffectKind {
    /// The catalogue's word: `read`, `auth`, `keyed`, `once`.
    ///
    /// ```
    /// assert_eq!(kassa_core::ops::EffectKind::Keyed.name(), "keyed");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            EffectKind::Read => "read",
            EffectKind::Auth => "auth",
            EffectKind::Keyed => "keyed",
            EffectKind::Once => "once",
        }
    }

    /// The kind of `effect`.
    ///
    /// ```
    /// use kassa_core::{ops::EffectKind, Effect};
    /// assert_eq!(EffectKind::of(&Effect::Keyed("k".into())), EffectKind::Keyed);
    /// ```
    pub fn of(effect: &crate::Effect) -> EffectKind {
        match effect {
            crate::Effect::Read => EffectKind::Read,
            crate::Effect::Auth => EffectKind::Auth,
            crate::Effect::Keyed(_) => EffectKind::Keyed,
            crate::Effect::Once => EffectKind::Once,
        }
    }
}

/// One row of a provider's operation table.
///
/// ```
/// use kassa_core::ops::{EffectKind, OperationInfo};
/// let row = OperationInfo { name: "status", effect: EffectKind::Read };
/// assert_eq!(row.effect.name(), "read");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The catalogue name (`unregistered-pay`).
    pub name: &'static str,
    /// Its effect.
    pub effect: EffectKind,
}

/// The parameters of an operation that takes none: only `{}` (or empty text) reads; any
/// field is an error naming it. The [`operations!`](crate::operations) row
/// `"name" => method() -> Answer, Effect` reads its parameters as this.
///
/// ```
/// use kassa_core::ops::{parse, NoParams};
/// assert_eq!(parse::<NoParams>("services", "")?, NoParams {});
/// assert_eq!(parse::<NoParams>("services", "{}")?, NoParams {});
/// assert_eq!(parse::<NoParams>("services", r#"{"page": 2}"#).unwrap_err().field(), Some("page"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Parses the request of operation `operation` from raw JSON text, straight into its type
/// (never through `serde_json::Value`, which would round decimals). Empty text reads as
/// `{}`. A bad value is [`Error::InvalidInput`] naming its JSON path; a missing field is
/// named by its own path (`purposeCode`, `payer.inn`); text that is not one JSON value is
/// named `params`. The reason is redacted (a card number in the wrong shape is never
/// repeated) and ends with `(parameters of <operation>)` unless `operation` is empty.
/// Nothing is sent.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Payer { inn: String }
/// #[derive(Debug, serde::Deserialize)]
/// struct Req { amount: u64, payer: Option<Payer> }
/// let err = kassa_core::ops::parse::<Req>("pay", r#"{"amount": "x"}"#).unwrap_err();
/// assert_eq!(err.field(), Some("amount"));
/// let err = kassa_core::ops::parse::<Req>("pay", r#"{}"#).unwrap_err();
/// assert_eq!(err.field(), Some("amount"));
/// let err = kassa_core::ops::parse::<Req>("pay", r#"{"amount": 5, "payer": {}}"#).unwrap_err();
/// assert_eq!(err.field(), Some("payer.inn"));
/// assert_eq!(kassa_core::ops::parse::<Req>("pay", r#"{"amount": 5}"#)?.amount, 5);
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn parse<T: DeserializeOwned>(operation: &str, params: &str) -> Result<T, Error> {
    let text = if params.trim().is_empty() {
        "{}"
    } else {
        params
    };
    if let Ok(v) = serde_json::from_str::<T>(text) {
        return Ok(v);
    }
    // Read again with the path tracked, to name the field.
    let mut de = serde_json::Deserializer::from_str(text);
    let (path, inner) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => match de.end() {
            Ok(()) => return Err(Error::invalid("params", "cannot be read")),
            Err(e) => (".".to_owned(), e),
        },
        Err(e) => (e.path().to_string(), e.into_inner()),
    };
    let reason = crate::secret::redact_text(&inner.to_string());
    let reason = if operation.is_empty() {
        reason
    } else {
        format!("{reason} (parameters of {operation})")
    };
    Err(Error::invalid(field_of(&path, &inner), reason))
}

/// The field a parse failure names: the JSON path, with the missing field's name added for
/// serde's "missing field `x`" (`x` at the top, `P.x` under path `P`); `params` for the
/// whole text.
fn field_of(path: &str, err: &serde_json::Error) -> String {
    let top = path == "." || path == "?";
    let message = err.to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (top, missing) {
        (true, Some(name)) => name.to_owned(),
        (true, None) => "params".to_owned(),
        (false, Some(name)) => format!("{path}.{name}"),
        (false, None) => path.to_owned(),
    }
}

/// Writes an operation's answer as JSON text.
///
/// ```
/// assert_eq!(kassa_core::ops::render(&vec![1, 2])?, "[1,2]");
/// # Ok::<(), kassa_core::Error>(())
/// ```
pub fn render<T: Serialize + ?Sized>(answer: &T) -> Result<String, Error> {
    serde_json::to_string(answer)
        .map_err(|e| Error::invalid("answer", format!("cannot be written as JSON: {e}")))
}

/// The error for an operation name the table does not list.
///
/// ```
/// let e = kassa_core::ops::unknown_operation("refund", &[]);
/// assert_eq!(e.field(), Some("operation"));
/// ```
pub fn unknown_operation(name: &str, table: &[OperationInfo]) -> Error {
    let names: Vec<&str> = table.iter().map(|o| o.name).collect();
    Error::invalid(
        "operation",
        format!("unknown operation `{name}`; known: {}", names.join(", ")),
    )
}

/// Declares a provider's operation table, once, in its `ops.rs`:
///
/// ```text
/// kassa_core::operations! {
///     client: Client;
///     "operation-name" => method(RequestType) -> AnswerType, Effect;
///     "other-name" => other_method() -> AnswerType, Effect;
///     ...
/// }
/// ```
///
/// `Effect` is `Read`, `Auth`, `Keyed` or `Once` (an [`ops::EffectKind`](crate::ops::EffectKind)),
/// the catalogue's effect. A row `method(RequestType)` calls `client.method(&request)`; a row
/// `method()` is an operation with no input and calls `client.method()`, its parameters
/// read as [`ops::NoParams`](crate::ops::NoParams) (empty or `{}`; any field is an error
/// naming it). It generates, in the module where it is written:
///
/// - `pub const OPERATIONS: &[kassa_core::ops::OperationInfo]`: names and effects, in order;
/// - `pub async fn call_json(client: &Client, name: &str, params: &str) -> Result<String, Error>`:
///   parses the request from the raw JSON text ([`ops::parse`](crate::ops::parse)), calls
///   the row's method, and writes the answer as JSON text; an unknown name is
///   [`Error::InvalidInput`](crate::Error::InvalidInput) naming `operation`.
///
/// Adding an operation is one line here plus its request and answer types. See the
/// [`ops`](crate::ops) module for a whole example.
#[macro_export]
macro_rules! operations {
    (
        client: $client:ty;
        $( $name:literal => $method:ident ( $( $req:ty )? ) -> $answer:ty, $effect:ident; )+
    ) => {
        /// Every operation of this client: its catalogue name and effect, in table order.
        pub const OPERATIONS: &[$crate::ops::OperationInfo] = &[
            $( $crate::ops::OperationInfo {
                name: $name,
                effect: $crate::ops::EffectKind::$effect,
            }, )+
        ];

        /// Calls operation `name` with its request given as JSON text (empty text is `{}`)
        /// and returns its answer as JSON text. Decimals go from text to their types and
        /// back without passing through floating point.
        ///
        /// # Errors
        ///
        /// The operation's own errors; [`Error::InvalidInput`]($crate::Error::InvalidInput)
        /// naming the field for bad parameters, or `operation` for a name not in the table.
        pub async fn call_json(
            client: &$client,
            name: &str,
            params: &str,
        ) -> ::core::result::Result<::std::string::String, $crate::Error> {
            match name {
                $( $name => {
                    let answer: $answer =
                        $crate::__operation_call!(client, $name, params, $method $(, $req)?);
                    $crate::ops::render(&answer)
                } )+
                other => ::core::result::Result::Err($crate::ops::unknown_operation(other, OPERATIONS)),
            }
        }
    };
}

/// One row's call inside [`operations!`](crate::operations): parses the parameters and
/// awaits the method, with the request or, for a row with no request type, without one.
#[doc(hidden)]
#[macro_export]
macro_rules! __operation_call {
    ($client:ident, $name:literal, $params:ident, $method:ident) => {{
        let _: $crate::ops::NoParams = $crate::ops::parse($name, $params)?;
        $client.$method().await?
    }};
    ($client:ident, $name:literal, $params:ident, $method:ident, $req:ty) => {{
        let request: $req = $crate::ops::parse($name, $params)?;
        $client.$method(&request).await?
    }};
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::value::RawValue;

    use super::EffectKind;
    use crate::Error;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct QuoteRequest {
        amount: Box<RawValue>,
        currency: String,
    }

    #[derive(Serialize)]
    pub struct Quote {
        amount: Box<RawValue>,
        currency: String,
    }

    #[derive(Deserialize)]
    pub struct CardsRequest {}

    pub struct Toy {
        cards: Vec<&'static str>,
    }

    impl Toy {
        async fn quote(&self, req: &QuoteRequest) -> Result<Quote, Error> {
            if req.currency.is_empty() {
                return Err(Error::invalid("currency", "required"));
            }
            Ok(Quote {
                amount: req.amount.clone(),
                currency: req.currency.clone(),
            })
        }
        async fn cards(&self, _req: &CardsRequest) -> Result<Vec<&'static str>, Error> {
            Ok(self.cards.clone())
        }
        async fn count(&self) -> Result<usize, Error> {
            Ok(self.cards.len())
        }
    }

    crate::operations! {
        client: Toy;
        "quote" => quote(QuoteRequest) -> Quote, Once;
        "get-cards" => cards(CardsRequest) -> Vec<&'static str>, Read;
        "count" => count() -> usize, Read;
    }

    fn toy() -> Toy {
        Toy {
            cards: vec!["860049******6744"],
        }
    }

    #[test]
    fn the_table_lists_names_and_effects_in_order() {
        let rows: Vec<(&str, &str)> = OPERATIONS
            .iter()
            .map(|o| (o.name, o.effect.name()))
            .collect();
        assert_eq!(
            rows,
            [("quote", "once"), ("get-cards", "read"), ("count", "read")]
        );
        assert_eq!(OPERATIONS[0].effect, EffectKind::Once);
    }

    #[tokio::test]
    async fn call_json_parses_calls_and_renders_without_rounding() {
        let out = call_json(
            &toy(),
            "quote",
            r#"{"amount": 0.100000000000000000000000001, "currency": "BTC"}"#,
        )
        .await
        .expect("quote answers");
        assert_eq!(
            out,
            r#"{"amount":0.100000000000000000000000001,"currency":"BTC"}"#
        );
        assert_eq!(
            call_json(&toy(), "get-cards", "").await.expect("cards"),
            r#"["860049******6744"]"#
        );
        assert_eq!(
            call_json(&toy(), "get-cards", "{}").await.expect("cards"),
            r#"["860049******6744"]"#
        );
    }

    #[tokio::test]
    async fn bad_params_and_unknown_names_are_invalid_input_naming_the_field() {
        let err = call_json(&toy(), "quote", r#"{"amount": 1, "currency": 5}"#)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("currency"), "{err}");
        let err = call_json(&toy(), "quote", r#"{"amount": 1, "currency": "X", "x": 1}"#)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("x"), "{err}");
        let err = call_json(&toy(), "quote", "{").await.unwrap_err();
        assert_eq!(err.field(), Some("params"), "{err}");
        // The method's own errors come back as they are.
        let err = call_json(&toy(), "quote", r#"{"amount": 1, "currency": ""}"#)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "invalid `currency`: required");
        let err = call_json(&toy(), "refund", "{}").await.unwrap_err();
        assert_eq!(err.field(), Some("operation"));
        assert!(err.to_string().contains("quote, get-cards, count"), "{err}");
    }

    #[tokio::test]
    async fn a_row_without_a_request_calls_the_method_with_empty_params_only() {
        for params in ["", " ", "{}", "{ }"] {
            assert_eq!(
                call_json(&toy(), "count", params).await.expect("count"),
                "1",
                "{params:?}"
            );
        }
        let err = call_json(&toy(), "count", r#"{"page": 2}"#)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("page"), "{err}");
        assert!(err.to_string().contains("parameters of count"), "{err}");
        let err = call_json(&toy(), "count", "5").await.unwrap_err();
        assert_eq!(err.field(), Some("params"), "{err}");
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Budget {
        #[serde(rename = "purposeCode")]
        purpose_code: String,
        payer: Option<Payer>,
        rows: Option<Vec<Payer>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Payer {
        inn: String,
    }

    #[test]
    fn a_missing_field_is_named_by_its_own_path() {
        let err =
            super::parse::<Budget>("payment-budget", r#"{"payer": {"inn": "1"}}"#).unwrap_err();
        assert_eq!(err.field(), Some("purposeCode"), "{err}");
        assert!(
            err.to_string().contains("missing field `purposeCode`"),
            "{err}"
        );
        assert!(
            err.to_string().contains("(parameters of payment-budget)"),
            "{err}"
        );
        let err = super::parse::<Budget>("p", "").unwrap_err();
        assert_eq!(err.field(), Some("purposeCode"), "{err}");
        let err = super::parse::<Budget>("p", r#"{"purposeCode": "0", "payer": {}}"#).unwrap_err();
        assert_eq!(err.field(), Some("payer.inn"), "{err}");
        let err =
            super::parse::<Budget>("p", r#"{"purposeCode": "0", "rows": [{"inn": "1"}, {}]}"#)
                .unwrap_err();
        assert_eq!(err.field(), Some("rows[1].inn"), "{err}");
        // A wrong type still names the value's path, and trailing text the whole params.
        let err = super::parse::<Budget>("p", r#"{"purposeCode": 5}"#).unwrap_err();
        assert_eq!(err.field(), Some("purposeCode"), "{err}");
        let err = super::parse::<Budget>("p", r#"{"purposeCode": "0"} x"#).unwrap_err();
        assert_eq!(err.field(), Some("params"), "{err}");
        // With no operation name the reason carries no suffix.
        let err = super::parse::<Budget>("", "{}").unwrap_err();
        assert!(!err.to_string().contains("parameters of"), "{err}");
    }
}
