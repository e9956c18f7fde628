//! Calls one operation of one provider from wire-named JSON parameters and prints the typed
//! answer back with the provider's wire names.

mod anor_bm;
mod exchanger;
mod mobilnik;
mod mserver;
mod requisite_uz;

use kassa_core::Error;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::catalogue::Entry;
use crate::config::Target;

/// A client of `provider` for `target` that settles journal intents from its status call
/// (mserver's with the wallet's credentials, which its status calls take).
pub fn reconciler(
    provider: &str,
    target: &Target,
) -> Result<std::sync::Arc<dyn kassa_core::journal::Reconciler>, Error> {
    use std::sync::Arc;
    Ok(match provider {
        "anor-bm" => Arc::new(anor_bm::client(target)?),
        "requisite-uz" => Arc::new(requisite_uz::client(target)?),
        "mobilnik" => Arc::new(mobilnik::client(target)?),
        "mserver" => Arc::new(mserver::client("wallet-or-application", target)?),
        "exchanger" => Arc::new(exchanger::client(target)?),
        other => {
            return Err(Error::invalid(
                "provider",
                format!("{other} is not one of the five"),
            ));
        }
    })
}

/// Whether `entry` answers one page of a list, so `--all` can follow the pages.
pub fn paged(entry: &Entry) -> bool {
    entry.provider == "mserver" && mserver::PAGED.contains(&entry.operation)
}

/// An operation that is not a catalogue row: run by the CLI itself on what it is given
/// (`--params` and the body on stdin), listed in `kassa <provider> --help`.
#[derive(Debug, Clone, Copy)]
pub struct Local {
    /// The provider.
    pub provider: &'static str,
    /// The operation's name.
    pub operation: &'static str,
    /// Whether it calls the provider (and so needs a base URL, or the sandbox).
    pub needs_target: bool,
    /// What it does, its parameters and where its input comes from.
    pub help: &'static str,
}

/// The local operations.
pub const LOCAL: &[Local] = &[
    Local {
        provider: "mserver",
        operation: "verify-notification",
        needs_target: false,
        help: "kassa mserver verify-notification: checks a payment notification you received \
(run locally, nothing is sent)

Input: the notification's body on stdin; --params holds its query, as a JSON object
({\"app_id\": \"...\", \"access_token\": \"...\"}, optionally \"headers\": {...}) or as the
query string itself (app_id=...&access_token=...). The app secret comes from
KASSA_MSERVER_APP_SECRET, the app id from the query or KASSA_MSERVER_APP_ID (which the
query's app_id must then equal). The access_token must be sha1(app_id + app_secret).

Prints {\"verified\": true, \"app_id\", \"event\"} with the payment event, or refuses the
notification (exit 2, naming what is wrong); the secret is never printed.

Example:
  kassa mserver verify-notification --params 'app_id=test-app-id&access_token=...' < body.json
",
    },
    Local {
        provider: "exchanger",
        operation: "check-callback",
        needs_target: true,
        help: "kassa exchanger check-callback: checks a bid status callback you received

Input: the body the exchanger POSTed to your callback_url (bid_id=...&status=...) on stdin;
--params takes nothing ({}). The callback carries no signature, so its claim is checked
with bid_info against the exchanger (KASSA_EXCHANGER_URL, or the embedded sandbox): the
answer says the status claimed, the status the API confirms, and whether they agree.

Example:
  kassa exchanger check-callback < callback.txt
",
    },
];

/// The local operation `operation` of `provider`, if there is one.
pub fn local(provider: &str, operation: &str) -> Option<Local> {
    LOCAL
        .iter()
        .find(|l| l.provider == provider && l.operation == operation)
        .copied()
}

/// Runs a local operation with its `params` text and the `body` read from stdin; `target`
/// is there when it `needs_target`.
pub async fn call_local(
    local: Local,
    params: &str,
    body: &[u8],
    env: &crate::config::Env,
    target: Option<&Target>,
) -> Result<String, Error> {
    let answer = match (local.provider, local.operation, target) {
        ("mserver", "verify-notification", _) => mserver::verify_notification(params, body, env),
        ("exchanger", "check-callback", Some(target)) => {
            exchanger::check_callback(params, body, target).await
        }
        _ => Err(Error::invalid(
            "operation",
            format!("{} {} cannot run here", local.provider, local.operation),
        )),
    };
    answer.map(|text| pretty(&text))
}

/// Runs `entry` with `params` (a JSON object as text) against `target`; the answer is
/// pretty JSON text. `all`: every page of a paged list ([`paged`]).
pub async fn call(entry: Entry, params: &str, target: &Target, all: bool) -> Result<String, Error> {
    if all && !paged(&entry) {
        return Err(Error::invalid(
            "--all",
            format!(
                "{} {} is not paged: --all follows the pages of a paged list",
                entry.provider, entry.operation
            ),
        ));
    }
    let answer = match entry.provider {
        "anor-bm" => anor_bm::call(entry.operation, params, target).await,
        "requisite-uz" => requisite_uz::call(entry.operation, params, target).await,
        "mobilnik" => mobilnik::call(entry.operation, params, target).await,
        "mserver" => mserver::call(entry.operation, params, target, all).await,
        "exchanger" => exchanger::call(entry.operation, params, target).await,
        other => Err(Error::invalid(
            "provider",
            format!("`{other}` is not built into this CLI"),
        )),
    };
    answer.map(|text| pretty(&text))
}

/// Indents JSON text for a person, two spaces a level, without parsing it into numbers (an
/// amount such as `1500.50` is printed as it came). The answers it gets are valid JSON
/// written by serde; whitespace outside strings is dropped and written anew, so indenting
/// indented text changes nothing.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|n| *n == '}' || *n == ']') {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
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
    fn pretty_indents_like_render_and_keeps_numbers_exact() {
        let value =
            serde_json::json!({"a": [1, {"b": "x, {y}: \\\"z"}], "c": {}, "d": [], "e": null});
        let compact = serde_json::to_string(&value).expect("json");
        assert_eq!(pretty(&compact), render(&value).expect("render"));
        assert_eq!(
            pretty(r#"{"balance":1000.00,"operation_id":7}"#),
            "{\n  \"balance\": 1000.00,\n  \"operation_id\": 7\n}"
        );
    }

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

    #[test]
    fn pretty_indents_without_touching_numbers_or_strings() {
        let compact =
            r#"{"amount":1500.50,"n":[],"o":{},"s":"a, b: {c} \"q\" [d]","list":[1,{"x":null}]}"#;
        let want = "{\n  \"amount\": 1500.50,\n  \"n\": [],\n  \"o\": {},\n  \"s\": \"a, b: {c} \\\"q\\\" [d]\",\n  \"list\": [\n    1,\n    {\n      \"x\": null\n    }\n  ]\n}";
        assert_eq!(pretty(compact), want);
        assert_eq!(
            pretty(want),
            want,
            "indenting indented text changes nothing"
        );
        assert_eq!(pretty("true"), "true");
    }

    /// Every provider crate's operation table and the CLI's catalogue name the same
    /// operations, in the same order, with the same effects.
    #[test]
    fn every_operation_table_agrees_with_the_catalogue() {
        for (provider, table) in [
            ("anor-bm", ::anor_bm::OPERATIONS),
            ("requisite-uz", ::requisite_uz::OPERATIONS),
            ("mobilnik", ::mobilnik::OPERATIONS),
            ("mserver", ::mserver::OPERATIONS),
            ("exchanger", ::exchanger::OPERATIONS),
        ] {
            // the inbound rows (notifications the provider sends) are not called
            let inbound: Vec<&str> = ["payment-notification"].to_vec();
            let table: Vec<(&str, &str)> = table
                .iter()
                .filter(|o| !inbound.contains(&o.name))
                .map(|o| (o.name, o.effect.name()))
                .collect();
            let catalogue: Vec<(&str, &str)> = crate::catalogue::entries()
                .into_iter()
                .filter(|e| e.provider == provider)
                .map(|e| (e.operation, e.effect))
                .collect();
            assert_eq!(table, catalogue, "{provider}");
        }
    }
}
