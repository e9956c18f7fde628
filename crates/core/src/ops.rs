//! The operation table: each provider crate lists its operations once, with
//! [`operations!`](crate::operations), and gets the list of names and effects (for the CLI
//! and a consistency test) and a JSON dispatcher (for the CLI and the contract tests).
//!
//! Every operation method takes exactly one request value by reference
//! (`async fn status(&self, req: &StatusRequest) -> Result<Bill, Error>`), a braced empty
//! struct (`pub struct GetUserCardsRequest {}`) when the operation has no input.
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
//! }
//!
//! kassa_core::operations! {
//!     client: Client;
//!     "echo" => echo(EchoRequest) -> Echoed, Read;
//!     "ping" => ping(PingRequest) -> bool, Read;
//! }
//!
//! assert_eq!(OPERATIONS.iter().map(|o| o.name).collect::<Vec<_>>(), ["echo", "ping"]);
//! # tokio_test(async {
//! let out = call_json(&Client, "echo", r#"{"amount": "0.00001234"}"#).await?;
//! assert_eq!(out, r#"{"amount":"0.00001234"}"#);
//! assert_eq!(call_json(&Client, "ping", "").await?, "true");
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

/// Parses the request of operation `operation` from raw JSON text, straight into its type
/// (never through `serde_json::Value`, which would round decimals). Empty text reads as
/// `{}`. A bad value is [`Error::InvalidInput`] naming its JSON path; nothing is sent.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Req { amount: u64 }
/// let err = kassa_core::ops::parse::<Req>("pay", r#"{"amount": "x"}"#).unwrap_err();
/// assert_eq!(err.field(), Some("amount"));
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
    let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => match de.end() {
            Ok(()) => return Err(Error::invalid("params", "cannot be read")),
            Err(e) => return Err(Error::invalid("params", e.to_string())),
        },
        Err(e) => e,
    };
    let path = err.path().to_string();
    let field = if path == "." || path == "?" {
        "params".to_owned()
    } else {
        path
    };
    Err(Error::invalid(
        field,
        format!(
            "{} (parameters of {operation})",
            crate::secret::redact_text(&err.into_inner().to_string())
        ),
    ))
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
///     ...
/// }
/// ```
///
/// `Effect` is `Read`, `Auth`, `Keyed` or `Once` (an [`ops::EffectKind`](crate::ops::EffectKind)),
/// the catalogue's effect. It generates, in the module where it is written:
///
/// - `pub const OPERATIONS: &[kassa_core::ops::OperationInfo]`: names and effects, in order;
/// - `pub async fn call_json(client: &Client, name: &str, params: &str) -> Result<String, Error>`:
///   parses the request from the raw JSON text ([`ops::parse`](crate::ops::parse)), calls
///   `client.method(&request)`, and writes the answer as JSON text; an unknown name is
///   [`Error::InvalidInput`](crate::Error::InvalidInput) naming `operation`.
///
/// Adding an operation is one line here plus its request and answer types. See the
/// [`ops`](crate::ops) module for a whole example.
#[macro_export]
macro_rules! operations {
    (
        client: $client:ty;
        $( $name:literal => $method:ident ( $req:ty ) -> $answer:ty, $effect:ident; )+
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
                    let request: $req = $crate::ops::parse($name, params)?;
                    let answer: $answer = client.$method(&request).await?;
                    $crate::ops::render(&answer)
                } )+
                other => ::core::result::Result::Err($crate::ops::unknown_operation(other, OPERATIONS)),
            }
        }
    };
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
    }

    crate::operations! {
        client: Toy;
        "quote" => quote(QuoteRequest) -> Quote, Once;
        "get-cards" => cards(CardsRequest) -> Vec<&'static str>, Read;
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
        assert_eq!(rows, [("quote", "once"), ("get-cards", "read")]);
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
        assert!(err.to_string().contains("quote, get-cards"), "{err}");
    }
}
