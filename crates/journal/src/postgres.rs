//! The PostgreSQL store, for integrators running many instances of a service against one
//! database (cargo feature `postgres`).
//!
//! - Every instance opens its own [`PostgresJournal`]; they share two tables in one schema
//!   (`kassa_journal_intents`, `kassa_journal_meta`), made by the first to connect.
//! - Recoverers on several instances claim with `FOR UPDATE SKIP LOCKED` and a lease, so
//!   each unresolved intent is worked by one of them at a time, and none waits on another.
//! - [`PostgresJournal::record_in`] records an intent inside the integrator's own
//!   transaction: it commits or rolls back with their business row. The engine's own
//!   `record` for that call then takes the recorded row over instead of adding a second.
//! - Times are the database's clock (`now()`), so the instances' own clocks never decide
//!   whose lease has run out.
//! - Only a keyed hash of the request is stored (HMAC-SHA-256 under a key kept in the meta
//!   table), never the body.
//!
//! ```no_run
//! # async fn run() -> Result<(), kassa_core::journal::JournalError> {
//! use std::sync::Arc;
//! let journal = Arc::new(
//!     kassa_journal::PostgresJournal::connect("postgres://kassa@127.0.0.1/shop").await?,
//! );
//! let engine = kassa_core::Engine::builder("anor-bm", "https://pay.example")
//!     .journal(journal.clone())
//!     .build()?;
//! # let _ = engine; Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
use kassa_core::ops::EffectKind;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::hash::RequestHasher;

use crate::{Entry, State, Store};
/// The PostgreSQL client this store is built on, for [`PostgresJournal::record_in`]'s
/// transaction and [`PostgresJournal::from_client`]: use this one, so the versions match.
///
/// ```no_run
/// use kassa_journal::postgres::tokio_postgres;
/// # async fn run() -> Result<(), tokio_postgres::Error> {
/// let (client, connection) = tokio_postgres::connect("host=127.0.0.1", tokio_postgres::NoTls).await?;
/// # let _ = (client, connection); Ok(()) }
/// ```
pub use tokio_postgres;

/// The meta row holding the request hasher's key.
const HASHER_KEY: &str = "request_hasher_key";

/// An intent journal in PostgreSQL: the engine's [`Journal`] hook and a recoverer's
/// [`Store`]. One value holds one connection (queries from many tasks are pipelined on it);
/// open one per instance of a service.
///
/// ```no_run
/// # async fn run() -> Result<(), kassa_core::journal::JournalError> {
/// use kassa_journal::{PostgresJournal, Store};
/// let journal = PostgresJournal::connect_in("postgres://kassa@127.0.0.1/shop", "payments").await?;
/// for entry in journal.open_entries().await? {
///     println!("{} {} {}", entry.intent.id, entry.intent.operation, entry.state.name());
/// }
/// # Ok(()) }
/// ```
pub struct PostgresJournal {
    client: tokio_postgres::Client,
    schema: String,
    hasher: RequestHasher,
    sql: Sql,
}

impl fmt::Debug for PostgresJournal {
    /// The schema only: never the connection string (it may hold a password).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresJournal")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// The statements, with the schema's tables filled in.
struct Sql {
    adopt: String,
    insert: String,
    dispatched: String,
    resolve: String,
    exists: String,
    open: String,
    all: String,
    entry: String,
    claim: String,
    settle: String,
    park: String,
    release: String,
}

/// The columns an [`Entry`] is read from, in order.
const COLUMNS: &str = "id, provider, operation, effect, key, reconcile_operation, ids::text, \
     amount_minor, currency, request_hash, state, resolution, resolution_code, \
     resolution_message, park_reason, attempts, \
     (extract(epoch from recorded_at) * 1000)::bigint, \
     (extract(epoch from updated_at) * 1000)::bigint";

/// Unresolved: what a recoverer works.
const UNRESOLVED: &str = "state IN ('recorded', 'dispatched')";

impl Sql {
    fn new(schema: &str) -> Sql {
        let t = format!("{}.kassa_journal_intents", quote(schema));
        Sql {
            // A row recorded by `record_in` (`in_txn`) for the same call (same provider,
            // operation, key, reconcile ids and amount), not yet taken over and not yet
            // sent: the engine's intent takes it over (its id becomes the row's `call_id`).
            adopt: format!(
                "UPDATE {t} SET call_id = $1, request_hash = $2, updated_at = now() \
                 WHERE id = (SELECT id FROM {t} WHERE state = 'recorded' AND in_txn \
                   AND call_id IS NULL \
                   AND provider = $3 AND operation = $4 AND effect = $5 \
                   AND key IS NOT DISTINCT FROM $6 \
                   AND reconcile_operation IS NOT DISTINCT FROM $7 \
                   AND ids = CAST($8::text AS jsonb) \
                   AND amount_minor IS NOT DISTINCT FROM $9 \
                   AND currency IS NOT DISTINCT FROM $10 \
                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id"
            ),
            insert: format!(
                "INSERT INTO {t} (id, provider, operation, effect, key, reconcile_operation, \
                   ids, amount_minor, currency, request_hash, in_txn, state, attempts, \
                   recorded_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, CAST($7::text AS jsonb), $8, $9, $10, $11, \
                   'recorded', 0, now(), now())"
            ),
            dispatched: format!(
                "UPDATE {t} SET state = 'dispatched', updated_at = now() \
                 WHERE (id = $1 OR call_id = $1) AND state = 'recorded'"
            ),
            resolve: format!(
                "UPDATE {t} SET state = 'resolved', resolution = $2, resolution_code = $3, \
                   resolution_message = $4, lease_owner = NULL, lease_until = NULL, \
                   updated_at = now() \
                 WHERE (id = $1 OR call_id = $1) AND {UNRESOLVED}"
            ),
            exists: format!("SELECT state FROM {t} WHERE id = $1 OR call_id = $1"),
            open: format!("SELECT {COLUMNS} FROM {t} WHERE state <> 'resolved' ORDER BY id"),
            all: format!("SELECT {COLUMNS} FROM {t} ORDER BY id"),
            entry: format!("SELECT {COLUMNS} FROM {t} WHERE id = $1 OR call_id = $1"),
            // One statement, so one transaction: the rows are picked and locked (skipping
            // any another claimer holds locked), then leased, before anyone else can pick
            // them; a row leased meanwhile is checked again after its lock and left out.
            claim: format!(
                "UPDATE {t} SET lease_owner = $1, \
                   lease_until = now() + $2::bigint * interval '1 millisecond', \
                   attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM {t} WHERE {UNRESOLVED} \
                   AND updated_at <= now() - $3::bigint * interval '1 millisecond' \
                   AND (lease_until IS NULL OR lease_until <= now()) \
                   ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) \
                 RETURNING {COLUMNS}"
            ),
            settle: format!(
                "UPDATE {t} SET state = 'resolved', resolution = $3, resolution_code = $4, \
                   resolution_message = $5, lease_owner = NULL, lease_until = NULL, \
                   updated_at = now() \
                 WHERE id = $1 AND lease_owner = $2 AND {UNRESOLVED}"
            ),
            park: format!(
                "UPDATE {t} SET state = 'parked', park_reason = $3, lease_owner = NULL, \
                   lease_until = NULL, updated_at = now() \
                 WHERE id = $1 AND lease_owner = $2 AND {UNRESOLVED}"
            ),
            release: format!(
                "UPDATE {t} SET lease_owner = NULL, lease_until = NULL, updated_at = now() \
                 WHERE id = $1 AND lease_owner = $2 AND {UNRESOLVED}"
            ),
        }
    }
}

/// The tables, made if missing.
fn schema_sql(schema: &str) -> String {
    let s = quote(schema);
    format!(
        "CREATE SCHEMA IF NOT EXISTS {s};
         CREATE TABLE IF NOT EXISTS {s}.kassa_journal_meta (
             name text PRIMARY KEY,
             value bytea NOT NULL
         );
         CREATE TABLE IF NOT EXISTS {s}.kassa_journal_intents (
             id text PRIMARY KEY,
             call_id text UNIQUE,
             provider text NOT NULL,
             operation text NOT NULL,
             effect text NOT NULL CHECK (effect IN ('keyed', 'once')),
             key text,
             reconcile_operation text,
             ids jsonb NOT NULL,
             amount_minor bigint,
             currency text,
             request_hash text NOT NULL,
             in_txn boolean NOT NULL DEFAULT false,
             state text NOT NULL
                 CHECK (state IN ('recorded', 'dispatched', 'resolved', 'parked')),
             resolution text CHECK (resolution IN ('succeeded', 'refused', 'not-sent')),
             resolution_code text,
             resolution_message text,
             park_reason text,
             lease_owner text,
             lease_until timestamptz,
             attempts integer NOT NULL DEFAULT 0,
             recorded_at timestamptz NOT NULL,
             updated_at timestamptz NOT NULL
         );
         CREATE INDEX IF NOT EXISTS kassa_journal_intents_open
             ON {s}.kassa_journal_intents (id) WHERE state <> 'resolved';"
    )
}

/// `name` as a quoted identifier (checked to be a plain one first).
fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

fn check_schema(schema: &str) -> Result<(), JournalError> {
    let mut chars = schema.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 63
        && !schema.starts_with("pg_");
    if plain {
        Ok(())
    } else {
        Err(format!(
            "journal schema {schema:?}: use lower-case letters, digits and `_` (at most 63), \
             starting with a letter or `_`, not `pg_`"
        )
        .into())
    }
}

/// A database error with what was being done, and the server's own message.
fn pg(what: &'static str) -> impl FnOnce(tokio_postgres::Error) -> JournalError {
    move |e| match e.as_db_error() {
        Some(db) => format!(
            "postgres journal: {what}: {}: {}",
            db.code().code(),
            db.message()
        )
        .into(),
        None => format!("postgres journal: {what}: {e}").into(),
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn ids_json(intent: &Intent) -> String {
    serde_json::Value::Array(
        intent
            .ids
            .iter()
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect(),
    )
    .to_string()
}

fn resolution_columns(r: &Resolution) -> (&'static str, Option<&str>, Option<&str>) {
    match r {
        Resolution::Succeeded => ("succeeded", None, None),
        Resolution::Refused { code, message } => {
            ("refused", code.as_deref(), Some(message.as_str()))
        }
        Resolution::NotSent => ("not-sent", None, None),
    }
}

fn entry_of(row: &Row) -> Result<Entry, JournalError> {
    let id: String = row.try_get(0)?;
    let bad = |what: &str| -> JournalError {
        format!("postgres journal: intent {id}: unreadable {what}").into()
    };
    let effect = match row.try_get::<_, &str>(3)? {
        "keyed" => EffectKind::Keyed,
        "once" => EffectKind::Once,
        _ => return Err(bad("effect")),
    };
    let ids_text: String = row.try_get(6)?;
    let ids = match serde_json::from_str::<serde_json::Value>(&ids_text) {
        Ok(serde_json::Value::Array(pairs)) => pairs
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([serde_json::Value::String(k), serde_json::Value::String(v)]) => {
                    Ok((k.clone(), v.clone()))
                }
                _ => Err(bad("ids")),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(bad("ids")),
    };
    let state = match row.try_get::<_, &str>(10)? {
        "recorded" => State::Recorded,
        "dispatched" => State::Dispatched,
        "parked" => State::Parked(row.try_get::<_, Option<String>>(14)?.unwrap_or_default()),
        "resolved" => State::Resolved(match row.try_get::<_, Option<&str>>(11)? {
            Some("succeeded") => Resolution::Succeeded,
            Some("not-sent") => Resolution::NotSent,
            Some("refused") => Resolution::Refused {
                code: row.try_get(12)?,
                message: row.try_get::<_, Option<String>>(13)?.unwrap_or_default(),
            },
            _ => return Err(bad("resolution")),
        }),
        _ => return Err(bad("state")),
    };
    let attempts: i32 = row.try_get(15)?;
    Ok(Entry {
        intent: Intent {
            id: id.clone(),
            provider: row.try_get(1)?,
            operation: row.try_get(2)?,
            effect,
            key: row.try_get(4)?,
            reconcile_operation: row.try_get(5)?,
            ids,
            amount_minor: row.try_get(7)?,
            currency: row.try_get(8)?,
        },
        state,
        request_hash: row.try_get(9)?,
        recorded_at_ms: row.try_get(16)?,
        updated_at_ms: row.try_get(17)?,
        attempts: u32::try_from(attempts).unwrap_or(0),
    })
}

fn effect_name(intent: &Intent) -> Result<&'static str, JournalError> {
    match intent.effect {
        EffectKind::Keyed | EffectKind::Once => Ok(intent.effect.name()),
        other => Err(format!(
            "postgres journal: intent {}: a {} call is never journalled",
            intent.id,
            other.name()
        )
        .into()),
    }
}

impl PostgresJournal {
    /// Connects to `url` (a `postgres://` URL or `key=value` string, as tokio-postgres
    /// reads them; no TLS) and uses the tables in schema `public`, making them if missing.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), kassa_core::journal::JournalError> {
    /// let journal = kassa_journal::PostgresJournal::connect("postgres://kassa@127.0.0.1/shop").await?;
    /// assert_eq!(journal.schema(), "public");
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str) -> Result<PostgresJournal, JournalError> {
        PostgresJournal::connect_in(url, "public").await
    }

    /// Connects to `url` and uses the tables in `schema` (lower-case letters, digits and
    /// `_`), making the schema and its tables if missing. Must be called inside a tokio
    /// runtime: the connection runs as a task on it.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), kassa_core::journal::JournalError> {
    /// let journal =
    ///     kassa_journal::PostgresJournal::connect_in("postgres://kassa@127.0.0.1/shop", "payments").await?;
    /// assert_eq!(journal.schema(), "payments");
    /// # Ok(()) }
    /// ```
    pub async fn connect_in(url: &str, schema: &str) -> Result<PostgresJournal, JournalError> {
        check_schema(schema)?;
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .map_err(pg("connect"))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "the journal's PostgreSQL connection ended");
            }
        });
        PostgresJournal::from_client(client, schema).await
    }

    /// Uses a connection the integrator made (with TLS, say, or other settings) and
    /// whose connection task they run, with the tables in `schema`, making them if missing.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), kassa_core::journal::JournalError> {
    /// let (client, connection) =
    ///     tokio_postgres::connect("host=127.0.0.1 user=kassa", tokio_postgres::NoTls).await?;
    /// tokio::spawn(connection);
    /// let journal = kassa_journal::PostgresJournal::from_client(client, "payments").await?;
    /// # let _ = journal; Ok(()) }
    /// ```
    pub async fn from_client(
        mut client: tokio_postgres::Client,
        schema: &str,
    ) -> Result<PostgresJournal, JournalError> {
        check_schema(schema)?;
        // Every commit of this session waits for its WAL flush, whatever the server's
        // default: a recorded intent survives the database server's crash.
        client
            .batch_execute("SET synchronous_commit = on")
            .await
            .map_err(pg("set synchronous_commit"))?;
        let txn = client.transaction().await.map_err(pg("begin"))?;
        // Instances starting together make the tables one at a time (`IF NOT EXISTS`
        // alone races on the catalogue).
        txn.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1)::bigint)",
            &[&format!("kassa_journal {schema}")],
        )
        .await
        .map_err(pg("lock the schema"))?;
        txn.batch_execute(&schema_sql(schema))
            .await
            .map_err(pg("make the tables"))?;
        // The hasher's key: made once; a second instance keeps the first's.
        let fresh = RequestHasher::random()?;
        let meta = format!("{}.kassa_journal_meta", quote(schema));
        txn.execute(
            &format!(
                "INSERT INTO {meta} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
            ),
            &[&HASHER_KEY, &fresh.key().as_slice()],
        )
        .await
        .map_err(pg("keep the hasher key"))?;
        let row = txn
            .query_one(
                &format!("SELECT value FROM {meta} WHERE name = $1"),
                &[&HASHER_KEY],
            )
            .await
            .map_err(pg("read the hasher key"))?;
        txn.commit().await.map_err(pg("commit the tables"))?;
        let key: Vec<u8> = row.try_get(0)?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| "postgres journal: the hasher key is not 32 bytes")?;
        Ok(PostgresJournal {
            client,
            schema: schema.to_owned(),
            hasher: RequestHasher::from_key(key),
            sql: Sql::new(schema),
        })
    }

    /// The schema holding the tables.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), kassa_core::journal::JournalError> {
    /// let j = kassa_journal::PostgresJournal::connect_in("postgres://127.0.0.1/shop", "pay").await?;
    /// assert_eq!(j.schema(), "pay");
    /// # Ok(()) }
    /// ```
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Records `intent` inside the integrator's own transaction `txn` (on a connection to
    /// the same database): it commits or rolls back with their business row. `request` is
    /// hashed under this journal's key, never stored. When the call is then sent through a
    /// client with this journal, the engine's own record takes this row over (same
    /// provider, operation, key, reconcile ids and amount) instead of adding a second one;
    /// the row keeps `intent.id`.
    ///
    /// ```no_run
    /// # async fn run(journal: kassa_journal::PostgresJournal, mut db: tokio_postgres::Client)
    /// # -> Result<(), kassa_core::journal::JournalError> {
    /// use kassa_core::{Effect, Operation, Reconcile, journal::Intent};
    /// let op = Operation::new("anor-bm", "pay", Effect::Once)
    ///     .reconcile_with(Reconcile::new("status").param("billId", "935191"))
    ///     .amount(150_000, "UZS");
    /// let txn = db.transaction().await?;
    /// txn.execute("UPDATE orders SET state = 'paying' WHERE id = 7", &[]).await?;
    /// journal.record_in(&txn, &Intent::for_operation(&op), b"").await?;
    /// txn.commit().await?;
    /// # Ok(()) }
    /// ```
    pub async fn record_in(
        &self,
        txn: &tokio_postgres::Transaction<'_>,
        intent: &Intent,
        request: &[u8],
    ) -> Result<(), JournalError> {
        let hash = self.hasher.hash(request);
        let ids = ids_json(intent);
        let effect = effect_name(intent)?;
        txn.execute(
            &self.sql.insert,
            &self.insert_params(intent, &effect, &ids, &hash, &true),
        )
        .await
        .map_err(pg("record"))?;
        Ok(())
    }

    fn insert_params<'a>(
        &'a self,
        intent: &'a Intent,
        effect: &'a &'static str,
        ids: &'a String,
        hash: &'a String,
        in_txn: &'a bool,
    ) -> [&'a (dyn ToSql + Sync); 11] {
        [
            &intent.id,
            &intent.provider,
            &intent.operation,
            effect,
            &intent.key,
            &intent.reconcile_operation,
            ids,
            &intent.amount_minor,
            &intent.currency,
            hash,
            in_txn,
        ]
    }

    /// The state of intent `id` (or of the row whose call it is); an error when there is
    /// none.
    async fn state_of(&self, id: &str) -> Result<String, JournalError> {
        match self
            .client
            .query_opt(&self.sql.exists, &[&id])
            .await
            .map_err(pg("find the intent"))?
        {
            Some(row) => Ok(row.try_get(0)?),
            None => Err(format!("postgres journal: no intent {id}").into()),
        }
    }
}

#[kassa_core::async_trait]
impl Journal for PostgresJournal {
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError> {
        let hash = self.hasher.hash(request);
        let ids = ids_json(intent);
        let effect = effect_name(intent)?;
        let adopted = self
            .client
            .query_opt(
                &self.sql.adopt,
                &[
                    &intent.id,
                    &hash,
                    &intent.provider,
                    &intent.operation,
                    &effect,
                    &intent.key,
                    &intent.reconcile_operation,
                    &ids,
                    &intent.amount_minor,
                    &intent.currency,
                ],
            )
            .await
            .map_err(pg("record"))?;
        if adopted.is_none() {
            self.client
                .execute(
                    &self.sql.insert,
                    &self.insert_params(intent, &effect, &ids, &hash, &false),
                )
                .await
                .map_err(pg("record"))?;
        }
        Ok(())
    }

    async fn dispatched(&self, id: &str) -> Result<(), JournalError> {
        let n = self
            .client
            .execute(&self.sql.dispatched, &[&id])
            .await
            .map_err(pg("mark dispatched"))?;
        if n == 0 {
            let state = self.state_of(id).await?;
            tracing::debug!(id, state, "dispatched: the intent was no longer recorded");
        }
        Ok(())
    }

    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError> {
        let (kind, code, message) = resolution_columns(resolution);
        let n = self
            .client
            .execute(&self.sql.resolve, &[&id, &kind, &code, &message])
            .await
            .map_err(pg("resolve"))?;
        if n == 0 {
            // Already settled (by a recoverer that ran after the grace period): the first
            // settlement stands.
            let state = self.state_of(id).await?;
            tracing::warn!(id, state, "resolve: the intent was already settled");
        }
        Ok(())
    }
}

#[kassa_core::async_trait]
impl Store for PostgresJournal {
    async fn open_entries(&self) -> Result<Vec<Entry>, JournalError> {
        let rows = self
            .client
            .query(&self.sql.open, &[])
            .await
            .map_err(pg("list open intents"))?;
        rows.iter().map(entry_of).collect()
    }

    async fn all_entries(&self) -> Result<Vec<Entry>, JournalError> {
        let rows = self
            .client
            .query(&self.sql.all, &[])
            .await
            .map_err(pg("list intents"))?;
        rows.iter().map(entry_of).collect()
    }

    async fn entry(&self, id: &str) -> Result<Option<Entry>, JournalError> {
        let row = self
            .client
            .query_opt(&self.sql.entry, &[&id])
            .await
            .map_err(pg("read an intent"))?;
        row.as_ref().map(entry_of).transpose()
    }

    async fn claim(
        &self,
        owner: &str,
        grace: Duration,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Entry>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                &self.sql.claim,
                &[&owner, &millis(lease), &millis(grace), &limit],
            )
            .await
            .map_err(pg("claim"))?;
        let mut entries = rows.iter().map(entry_of).collect::<Result<Vec<_>, _>>()?;
        entries.sort_by(|a, b| a.intent.id.cmp(&b.intent.id));
        Ok(entries)
    }

    async fn settle(
        &self,
        id: &str,
        owner: &str,
        resolution: &Resolution,
    ) -> Result<bool, JournalError> {
        let (kind, code, message) = resolution_columns(resolution);
        let n = self
            .client
            .execute(&self.sql.settle, &[&id, &owner, &kind, &code, &message])
            .await
            .map_err(pg("settle"))?;
        Ok(n == 1)
    }

    async fn park(&self, id: &str, owner: &str, reason: &str) -> Result<bool, JournalError> {
        let n = self
            .client
            .execute(&self.sql.park, &[&id, &owner, &reason])
            .await
            .map_err(pg("park"))?;
        Ok(n == 1)
    }

    async fn release(&self, id: &str, owner: &str) -> Result<bool, JournalError> {
        let n = self
            .client
            .execute(&self.sql.release, &[&id, &owner])
            .await
            .map_err(pg("release"))?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_name_is_a_plain_identifier() {
        assert!(check_schema("kassa_journal_1").is_ok());
        assert!(check_schema("_x").is_ok());
        for bad in [
            "",
            "1a",
            "A",
            "a-b",
            "pg_x",
            "a\"; DROP TABLE x; --",
            &"a".repeat(64),
        ] {
            let e = check_schema(bad).expect_err(bad);
            assert!(e.to_string().contains("journal schema"), "{e}");
        }
    }

    #[test]
    fn ids_are_kept_as_pairs_in_order() {
        let mut i = Intent::for_operation(&kassa_core::Operation::new(
            "p",
            "pay",
            kassa_core::Effect::Once,
        ));
        i.ids = vec![("b".into(), "2".into()), ("a".into(), "\"1\"".into())];
        assert_eq!(ids_json(&i), r#"[["b","2"],["a","\"1\""]]"#);
    }
}
