//! `kassa journal list|recover`, and the journal a provider call records in
//! (`--journal PATH` for SQLite, or `KASSA_JOURNAL_URL` for PostgreSQL).

use std::sync::Arc;
use std::time::Duration;

use kassa_core::Error;
use kassa_core::journal::Reconciler;
use kassa_journal::{Recoverer, SqliteJournal, State, Store};
use serde_json::json;

use crate::config::{self, Env};
use crate::providers;

/// The variable naming a PostgreSQL journal (`postgres://user@host/db`).
pub const URL_VAR: &str = "KASSA_JOURNAL_URL";

/// Opens the journal `--journal PATH` names (SQLite), else the one `KASSA_JOURNAL_URL`
/// names (PostgreSQL); `None` when neither is given.
pub async fn open(path: Option<&str>, env: &Env) -> Result<Option<Arc<dyn Store>>, Error> {
    if let Some(path) = path {
        let journal = SqliteJournal::open(path).map_err(|e| {
            Error::invalid("--journal", format!("cannot open the journal {path}: {e}"))
        })?;
        return Ok(Some(Arc::new(journal)));
    }
    match env.get(URL_VAR) {
        Some(url) => {
            let journal = kassa_journal::PostgresJournal::connect(url)
                .await
                .map_err(|e| {
                    Error::invalid(
                        URL_VAR,
                        format!(
                            "cannot open the journal: {}",
                            kassa_core::secret::redact_text(&e.to_string())
                        ),
                    )
                })?;
            Ok(Some(Arc::new(journal)))
        }
        None => Ok(None),
    }
}

async fn required(path: Option<&str>, env: &Env) -> Result<Arc<dyn Store>, Error> {
    open(path, env).await?.ok_or_else(|| {
        Error::invalid(
            "--journal",
            format!("which journal? give --journal PATH (SQLite) or set {URL_VAR} (PostgreSQL)"),
        )
    })
}

fn store_error(e: kassa_core::journal::JournalError) -> Error {
    Error::invalid("journal", format!("the journal failed: {e}"))
}

/// `kassa journal list`: the unresolved and parked intents, oldest first.
pub async fn list(path: Option<&str>, json_out: bool) -> Result<String, Error> {
    let env = Env::from_process();
    let store = required(path, &env).await?;
    let entries = store.open_entries().await.map_err(store_error)?;
    if json_out {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| {
                json!({
                    "id": e.intent.id,
                    "provider": e.intent.provider,
                    "operation": e.intent.operation,
                    "effect": e.intent.effect.name(),
                    "key": e.intent.key,
                    "state": e.state.name(),
                    "reason": match &e.state { State::Parked(why) => Some(why.as_str()), _ => None },
                    "reconcile": e.intent.reconcile_operation,
                    "ids": e.intent.ids.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                    "amount_minor": e.intent.amount_minor,
                    "currency": e.intent.currency,
                    "attempts": e.attempts,
                    "recorded_at_ms": e.recorded_at_ms,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&rows)
            .map_err(|e| Error::invalid("journal", e.to_string()));
    }
    if entries.is_empty() {
        return Ok("no unresolved or parked intents".to_owned());
    }
    let mut out = String::new();
    for e in &entries {
        let ids: Vec<String> = e
            .intent
            .ids
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let amount = match (e.intent.amount_minor, &e.intent.currency) {
            (Some(m), Some(c)) => format!(" {m} {c} (minor units)"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{} {} {} {}{}{}: {}\n",
            e.intent.id,
            e.intent.provider,
            e.intent.operation,
            e.state.name(),
            amount,
            match (&e.intent.reconcile_operation, ids.is_empty()) {
                (Some(op), false) => format!(", ask {op} with {}", ids.join(" ")),
                (Some(op), true) => format!(", ask {op}"),
                (None, _) => ", no status call before the answer".to_owned(),
            },
            match &e.state {
                State::Parked(why) => why.clone(),
                _ => format!("{} attempt(s) so far", e.attempts),
            }
        ));
    }
    Ok(out)
}

/// `kassa journal recover`: one recoverer pass over the journal, asking each provider's
/// status call (its base URL and credentials as for a call; the embedded sandbox when
/// none is configured).
pub async fn recover(
    path: Option<&str>,
    timeout: Option<Duration>,
    calls_timeout: Option<Duration>,
    grace: Option<Duration>,
) -> Result<String, Error> {
    let env = Env::from_process();
    let store = required(path, &env).await?;
    let entries = store.open_entries().await.map_err(store_error)?;
    let mut wanted: Vec<String> = entries
        .iter()
        .filter(|e| e.state.is_unresolved())
        .map(|e| e.intent.provider.clone())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut targets = Vec::new();
    let mut reconcilers: Vec<Arc<dyn Reconciler>> = Vec::new();
    for provider in &wanted {
        let Some(name) = kassa_sandbox::PROVIDERS.iter().find(|p| **p == provider) else {
            continue;
        };
        let target = config::resolve(name, None, &env, timeout)
            .await
            .map_err(|f| Error::invalid("journal", f.message))?;
        reconcilers.push(providers::reconciler(name, &target)?);
        targets.push(target);
    }
    // The calls that recorded the intents: kassa's default total timeout unless told.
    let calls_timeout = calls_timeout
        .or(kassa_core::Timeouts::default().total)
        .unwrap_or(Duration::from_secs(60));
    let mut builder = Recoverer::builder(store, calls_timeout)
        .reconcilers(reconcilers)
        .owner(format!("kassa-cli-{}", std::process::id()));
    if let Some(grace) = grace {
        builder = builder.grace(grace);
    }
    let recoverer = builder.build().map_err(|e| {
        Error::invalid(
            "--grace",
            format!(
                "{e} (the calls' timeout is {} s)",
                calls_timeout.as_secs_f64()
            ),
        )
    })?;
    let report = recoverer.run_once().await.map_err(store_error)?;
    drop(targets);
    Ok(report.to_string())
}
