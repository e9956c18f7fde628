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

/// Refuses any parameter for an operation that takes none, naming the first one.
pub fn no_params(operation: &str, params: &str) -> Result<(), Error> {
    let map: serde_json::Map<String, serde_json::Value> = parse(params)?;
    match map.keys().next() {
        None => Ok(()),
        Some(key) => Err(Error::invalid(
            key.clone(),
            format!("unknown field: {operation} takes no parameters"),
        )),
    }
}

/// Puts a credential the user asked for back into the rendered answer: the library's
/// `Serialize` writes `"key": "[REDACTED]"` (so logs and snapshots never hold it), while
/// stdout is the answer itself. Only the CLI's stdout gets the value.
pub fn reveal(rendered: String, key: &str, secret: &str) -> Result<String, Error> {
    let redacted = format!("\"{key}\": \"{}\"", kassa_core::secret::REDACTED);
    if !rendered.contains(&redacted) {
        return Err(Error::invalid(
            "answer",
            format!("cannot be printed: no `{key}` where it was expected"),
        ));
    }
    let value = serde_json::to_string(secret)
        .map_err(|e| Error::invalid("answer", format!("cannot be printed: {e}")))?;
    Ok(rendered.replacen(&redacted, &format!("\"{key}\": {value}"), 1))
}

/// Writes the typed answer with the provider's wire names.
pub fn render<T: Serialize>(answer: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(answer)
        .map_err(|e| Error::invalid("answer", format!("cannot be printed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revealed_credential_replaces_only_its_own_key() {
        let shown = reveal(
            "{\n  \"token\": \"[REDACTED]\",\n  \"other\": \"[REDACTED]\"\n}".to_owned(),
            "token",
            "t\"1",
        )
        .expect("revealed");
        assert_eq!(
            shown,
            "{\n  \"token\": \"t\\\"1\",\n  \"other\": \"[REDACTED]\"\n}"
        );
        assert!(reveal("{}".to_owned(), "token", "t").is_err());
        assert!(no_params("login", "{}").is_ok());
        assert_eq!(
            no_params("login", r#"{"user": 1}"#)
                .expect_err("refused")
                .field(),
            Some("user")
        );
    }
}
