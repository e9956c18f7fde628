//! Calls one operation of one provider from wire-named JSON parameters and prints the typed
//! answer back with the provider's wire names.

mod anor_bm;
mod mobilnik;
mod requisite_uz;

use kassa_core::Error;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::catalogue::Entry;
use crate::config::Target;

/// Runs `entry` with `params` (a JSON object as text) against `target`; the answer is
/// pretty JSON text.
pub async fn call(entry: Entry, params: &str, target: &Target) -> Result<String, Error> {
    match entry.provider {
        "anor-bm" => anor_bm::call(entry.operation, params, target).await,
        "requisite-uz" => requisite_uz::call(entry.operation, params, target).await,
        "mobilnik" => mobilnik::call(entry.operation, params, target).await,
        other => Err(Error::invalid(
            "provider",
            format!("`{other}` is not built into this CLI"),
        )),
    }
}

/// Reads the request type from the parameters text, naming the field that does not fit.
pub fn parse<T: DeserializeOwned>(params: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(params);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "params".to_owned()
        } else {
            path
        };
        Error::invalid(field, e.into_inner().to_string())
    })
}

/// Writes the typed answer with the provider's wire names.
pub fn render<T: Serialize>(answer: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(answer)
        .map_err(|e| Error::invalid("answer", format!("cannot be printed: {e}")))
}
