//! The embedded store: one SQLite file (feature `sqlite`, on by default).
//!
//! - The file is opened in WAL mode with `PRAGMA synchronous=FULL`: every commit syncs the
//!   write-ahead log to disk before it returns, so [`Journal::record`] returning `Ok` means
//!   the intent survives the process being killed and, as far as the disk honours `fsync`,
//!   a power loss.
//! - Several processes (or several [`SqliteJournal`]s) may open the same file: claims run
//!   in one `BEGIN IMMEDIATE` transaction (the write lock is taken before the rows are
//!   read), so two of them never claim the same intent; a writer that finds the file busy
//!   waits up to the busy timeout (5 s by default).
//! - The request body is never stored: only its keyed hash ([`RequestHasher`]), under a key
//!   made on the file's first open and kept in its `kassa_journal_meta` table.
//! - SQLite's work is blocking: each call runs on tokio's blocking pool
//!   (`spawn_blocking`), on the journal's one connection (behind a mutex), never on the
//!   async worker threads.
//!
//! ```
//! use kassa_core::journal::{Intent, Journal, Resolution};
//! use kassa_core::{Effect, Operation};
//! use kassa_journal::{SqliteJournal, State, Store};
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("kassa-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let journal = SqliteJournal::open(dir.join("journal.sqlite"))?;
//! let intent = Intent::for_operation(&Operation::new("anor-bm", "pay", Effect::Once));
//! journal.record(&intent, b"{\"amount\":1500}").await?;
//! journal.dispatched(&intent.id).await?;
//! journal.resolve(&intent.id, &Resolution::Succeeded).await?;
//! let entry = journal.entry(&intent.id).await?.expect("recorded");
//! assert_eq!(entry.state, State::Resolved(Resolution::Succeeded));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(()) }).unwrap();
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
use kassa_core::ops::EffectKind;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::hash::RequestHasher;
use crate::{Entry, State, Store};

/// Where a store takes the time from: the wall clock by default, a fixed or stepped one in
/// tests (so grace periods and leases are tested without sleeping).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// let fixed: kassa_journal::sqlite::Clock =
///     std::sync::Arc::new(|| SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// assert_eq!(fixed(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// ```
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// How long a writer waits for another process's write lock before failing, by default.
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kassa_journal_meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS kassa_intents (
    id                  TEXT PRIMARY KEY,
    provider            TEXT NOT NULL,
    operation           TEXT NOT NULL,
    effect              TEXT NOT NULL,
    idem_key            TEXT,
    reconcile_operation TEXT,
    ids                 TEXT NOT NULL,
    amount_minor        INTEGER,
    currency            TEXT,
    request_hash        TEXT NOT NULL,
    state               TEXT NOT NULL,
    resolution          TEXT,
    refused_code        TEXT,
    note                TEXT,
    recorded_at_ms      INTEGER NOT NULL,
    updated_at_ms       INTEGER NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    lease_owner         TEXT,
    lease_until_ms      INTEGER
);
CREATE INDEX IF NOT EXISTS kassa_intents_unresolved
    ON kassa_intents (updated_at_ms) WHERE state IN ('recorded', 'dispatched');
CREATE INDEX IF NOT EXISTS kassa_intents_parked
    ON kassa_intents (id) WHERE state = 'parked';
";

const COLUMNS: &str = "id, provider, operation, effect, idem_key, reconcile_operation, ids, \
     amount_minor, currency, request_hash, state, resolution, refused_code, note, \
     recorded_at_ms, updated_at_ms, attempts";

/// The name the hasher's key is kept under in `kassa_journal_meta`.
const HASH_KEY: &str = "request_hash_key";

/// An intent journal in one SQLite file. Cheap to clone (clones share the connection).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use kassa_journal::Store;
/// let journal = kassa_journal::SqliteJournal::open_in_memory()?;
/// assert!(journal.open_entries().await?.is_empty());
/// # Ok::<(), kassa_core::journal::JournalError>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct SqliteJournal {
    conn: Arc<Mutex<Connection>>,
    hasher: RequestHasher,
    clock: Clock,
    path: Option<PathBuf>,
}

impl fmt::Debug for SqliteJournal {
    /// The path only: never the hasher's key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteJournal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn store_err(what: &str) -> impl FnOnce(rusqlite::Error) -> JournalError + '_ {
    move |e| format!("sqlite journal: {what}: {e}").into()
}

fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl SqliteJournal {
    /// Opens (or creates) the journal file at `path`: WAL mode, `synchronous=FULL`, a busy
    /// timeout of 5 s, the schema, and on first open a new random hasher key. Fails when the
    /// file cannot be opened or written, or when it is not in WAL mode afterwards.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("kassa-open-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let a = kassa_journal::SqliteJournal::open(dir.join("j.sqlite"))?;
    /// let b = kassa_journal::SqliteJournal::open(dir.join("j.sqlite"))?;
    /// assert_eq!(a.hasher().key(), b.hasher().key()); // the key is the file's
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteJournal, JournalError> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(store_err("open"))?;
        conn.busy_timeout(DEFAULT_BUSY_TIMEOUT)
            .map_err(store_err("busy timeout"))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(store_err("journal_mode=WAL"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!(
                "sqlite journal: {} is in journal mode {mode}, not WAL",
                path.display()
            )
            .into());
        }
        SqliteJournal::finish(conn, Some(path))
    }

    /// A journal in memory, for tests: nothing survives the process, and WAL does not apply
    /// (SQLite keeps an in-memory database's journal in memory). Never use it for payments.
    ///
    /// ```
    /// let j = kassa_journal::SqliteJournal::open_in_memory()?;
    /// assert!(j.path().is_none());
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn open_in_memory() -> Result<SqliteJournal, JournalError> {
        let conn = Connection::open_in_memory().map_err(store_err("open in memory"))?;
        SqliteJournal::finish(conn, None)
    }

    fn finish(mut conn: Connection, path: Option<PathBuf>) -> Result<SqliteJournal, JournalError> {
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(store_err("synchronous=FULL"))?;
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .map_err(store_err("synchronous"))?;
        if sync < 2 {
            return Err(format!("sqlite journal: synchronous is {sync}, not FULL (2)").into());
        }
        // The schema and the key in one write transaction, so two processes opening a new
        // file at once agree on one key.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store_err("begin"))?;
        tx.execute_batch(SCHEMA).map_err(store_err("schema"))?;
        let key: Option<Vec<u8>> = tx
            .query_row(
                "SELECT value FROM kassa_journal_meta WHERE name = ?1",
                [HASH_KEY],
                |r| r.get(0),
            )
            .optional()
            .map_err(store_err("read hasher key"))?;
        let hasher = match key {
            Some(key) => {
                let key: [u8; 32] = key.try_into().map_err(|k: Vec<u8>| {
                    format!(
                        "sqlite journal: the hasher key is {} bytes, not 32",
                        k.len()
                    )
                })?;
                RequestHasher::from_key(key)
            }
            None => {
                let hasher = RequestHasher::random()?;
                tx.execute(
                    "INSERT INTO kassa_journal_meta (name, value) VALUES (?1, ?2)",
                    params![HASH_KEY, hasher.key().as_slice()],
                )
                .map_err(store_err("write hasher key"))?;
                hasher
            }
        };
        tx.commit().map_err(store_err("commit schema"))?;
        Ok(SqliteJournal {
            conn: Arc::new(Mutex::new(conn)),
            hasher,
            clock: Arc::new(SystemTime::now),
            path,
        })
    }

    /// Takes the time from `clock` instead of the wall clock (for tests).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let j = kassa_journal::SqliteJournal::open_in_memory()?
    ///     .with_clock(std::sync::Arc::new(|| SystemTime::UNIX_EPOCH + Duration::from_secs(60)));
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn with_clock(mut self, clock: Clock) -> SqliteJournal {
        self.clock = clock;
        self
    }

    /// How long a write waits for another connection's lock before failing (5 s by
    /// default). Clones share the connection, so they share the setting.
    ///
    /// ```
    /// let j = kassa_journal::SqliteJournal::open_in_memory()?
    ///     .with_busy_timeout(std::time::Duration::from_secs(30))?;
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn with_busy_timeout(self, timeout: Duration) -> Result<SqliteJournal, JournalError> {
        self.lock()
            .busy_timeout(timeout)
            .map_err(store_err("busy timeout"))?;
        Ok(self)
    }

    /// The file, or `None` in memory.
    ///
    /// ```
    /// assert!(kassa_journal::SqliteJournal::open_in_memory()?.path().is_none());
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The journal's request hasher (its key is kept in the file).
    ///
    /// ```
    /// let j = kassa_journal::SqliteJournal::open_in_memory()?;
    /// assert_eq!(j.hasher().hash(b"x"), j.hasher().hash(b"x"));
    /// # Ok::<(), kassa_core::journal::JournalError>(())
    /// ```
    pub fn hasher(&self) -> &RequestHasher {
        &self.hasher
    }

    fn now_ms(&self) -> i64 {
        millis((self.clock)())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half-done transaction behind (rusqlite
        // rolls back an unfinished one when it is dropped), so the connection is still good.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the connection on tokio's blocking pool (inline when there is no tokio
    /// runtime).
    async fn run<T, F>(&self, f: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, JournalError> + Send + 'static,
    {
        let conn = self.conn.clone();
        let work = move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(work)
                .await
                .map_err(|e| format!("sqlite journal: the blocking task failed: {e}"))?,
            Err(_) => work(),
        }
    }

    /// Moves an unresolved intent held by `owner` (lease unexpired) with `set`; true when it
    /// did.
    async fn leased_update(
        &self,
        what: &'static str,
        id: &str,
        owner: &str,
        set: &'static str,
        values: (Option<String>, Option<String>, Option<String>),
    ) -> Result<bool, JournalError> {
        let now = self.now_ms();
        let (id, owner) = (id.to_owned(), owner.to_owned());
        self.run(move |c| {
            let sql = format!(
                "UPDATE kassa_intents SET {set}, updated_at_ms = ?1, \
                 lease_owner = NULL, lease_until_ms = NULL \
                 WHERE id = ?2 AND state IN ('recorded', 'dispatched') \
                 AND lease_owner = ?3 AND lease_until_ms > ?1"
            );
            let n = c
                .execute(&sql, params![now, id, owner, values.0, values.1, values.2])
                .map_err(store_err(what))?;
            Ok(n == 1)
        })
        .await
    }
}

fn resolution_columns(r: &Resolution) -> (Option<String>, Option<String>, Option<String>) {
    match r {
        Resolution::Refused { code, message } => (
            Some(r.kind().to_owned()),
            code.clone(),
            Some(message.clone()),
        ),
        _ => (Some(r.kind().to_owned()), None, None),
    }
}

fn effect_from(name: &str) -> rusqlite::Result<EffectKind> {
    match name {
        "keyed" => Ok(EffectKind::Keyed),
        "once" => Ok(EffectKind::Once),
        "read" => Ok(EffectKind::Read),
        "auth" => Ok(EffectKind::Auth),
        other => Err(bad_column(format!("unknown effect {other:?}"))),
    }
}

fn bad_column(why: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, why.into())
}

fn entry_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let ids: String = row.get(6)?;
    let ids: Vec<(String, String)> =
        serde_json::from_str(&ids).map_err(|e| bad_column(format!("ids: {e}")))?;
    let state: String = row.get(10)?;
    let resolution: Option<String> = row.get(11)?;
    let code: Option<String> = row.get(12)?;
    let note: Option<String> = row.get(13)?;
    let state = match state.as_str() {
        "recorded" => State::Recorded,
        "dispatched" => State::Dispatched,
        "parked" => State::Parked(note.unwrap_or_default()),
        "resolved" => State::Resolved(match resolution.as_deref() {
            Some("succeeded") => Resolution::Succeeded,
            Some("not-sent") => Resolution::NotSent,
            Some("refused") => Resolution::Refused {
                code,
                message: note.unwrap_or_default(),
            },
            other => return Err(bad_column(format!("unknown resolution {other:?}"))),
        }),
        other => return Err(bad_column(format!("unknown state {other:?}"))),
    };
    Ok(Entry {
        intent: Intent {
            id: row.get(0)?,
            provider: row.get(1)?,
            operation: row.get(2)?,
            effect: effect_from(&row.get::<_, String>(3)?)?,
            key: row.get(4)?,
            reconcile_operation: row.get(5)?,
            ids,
            amount_minor: row.get(7)?,
            currency: row.get(8)?,
        },
        state,
        request_hash: row.get(9)?,
        recorded_at_ms: row.get(14)?,
        updated_at_ms: row.get(15)?,
        attempts: row.get(16)?,
    })
}

#[kassa_core::async_trait]
impl Journal for SqliteJournal {
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError> {
        let hash = self.hasher.hash(request);
        let ids =
            serde_json::to_string(&intent.ids).map_err(|e| format!("sqlite journal: ids: {e}"))?;
        let now = self.now_ms();
        let intent = intent.clone();
        self.run(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "INSERT INTO kassa_intents (id, provider, operation, effect, idem_key, \
                     reconcile_operation, ids, amount_minor, currency, request_hash, state, \
                     recorded_at_ms, updated_at_ms, attempts) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'recorded', ?11, ?11, 0)",
                )
                .map_err(store_err("record"))?;
            stmt.execute(params![
                intent.id,
                intent.provider,
                intent.operation,
                intent.effect.name(),
                intent.key,
                intent.reconcile_operation,
                ids,
                intent.amount_minor,
                intent.currency,
                hash,
                now,
            ])
            .map_err(store_err("record"))?;
            Ok(())
        })
        .await
    }

    async fn dispatched(&self, id: &str) -> Result<(), JournalError> {
        let now = self.now_ms();
        let id = id.to_owned();
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE kassa_intents SET state = 'dispatched', updated_at_ms = ?1 \
                     WHERE id = ?2 AND state = 'recorded'",
                )
                .and_then(|mut s| s.execute(params![now, id]))
                .map_err(store_err("dispatched"))?;
            if n == 1 {
                Ok(())
            } else {
                Err(format!("sqlite journal: dispatched: no recorded intent {id}").into())
            }
        })
        .await
    }

    /// Resolves an unresolved or parked intent (the call's own answer is the best word on
    /// it). An intent already resolved the same way is left as it is; resolved another way,
    /// or unknown, is an error.
    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError> {
        let now = self.now_ms();
        let id = id.to_owned();
        let (kind, code, note) = resolution_columns(resolution);
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE kassa_intents SET state = 'resolved', resolution = ?1, \
                     refused_code = ?2, note = ?3, updated_at_ms = ?4, lease_owner = NULL, \
                     lease_until_ms = NULL \
                     WHERE id = ?5 AND state IN ('recorded', 'dispatched', 'parked')",
                )
                .and_then(|mut s| s.execute(params![kind, code, note, now, id]))
                .map_err(store_err("resolve"))?;
            if n == 1 {
                return Ok(());
            }
            let had: Option<Option<String>> = c
                .query_row(
                    "SELECT resolution FROM kassa_intents WHERE id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(store_err("resolve"))?;
            match had {
                None => Err(format!("sqlite journal: resolve: no intent {id}").into()),
                Some(had) if had == kind => Ok(()),
                Some(had) => Err(format!(
                    "sqlite journal: resolve: intent {id} is already resolved as {}",
                    had.unwrap_or_default()
                )
                .into()),
            }
        })
        .await
    }
}

#[kassa_core::async_trait]
impl Store for SqliteJournal {
    async fn open_entries(&self) -> Result<Vec<Entry>, JournalError> {
        self.run(|c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM kassa_intents \
                 WHERE state IN ('recorded', 'dispatched', 'parked') ORDER BY id"
            );
            let mut stmt = c.prepare(&sql).map_err(store_err("list"))?;
            let rows = stmt
                .query_map([], entry_of)
                .map_err(store_err("list"))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(store_err("list"))?;
            Ok(rows)
        })
        .await
    }

    async fn all_entries(&self) -> Result<Vec<Entry>, JournalError> {
        self.run(|c| {
            let sql = format!("SELECT {COLUMNS} FROM kassa_intents ORDER BY id");
            let mut stmt = c.prepare(&sql).map_err(store_err("list"))?;
            let rows = stmt
                .query_map([], entry_of)
                .map_err(store_err("list"))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(store_err("list"))?;
            Ok(rows)
        })
        .await
    }

    async fn entry(&self, id: &str) -> Result<Option<Entry>, JournalError> {
        let id = id.to_owned();
        self.run(move |c| {
            let sql = format!("SELECT {COLUMNS} FROM kassa_intents WHERE id = ?1");
            c.query_row(&sql, [&id], entry_of)
                .optional()
                .map_err(store_err("entry"))
        })
        .await
    }

    async fn claim(
        &self,
        owner: &str,
        grace: Duration,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Entry>, JournalError> {
        let now = self.now_ms();
        let settled_before = now.saturating_sub(duration_ms(grace));
        let until = now.saturating_add(duration_ms(lease));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let owner = owner.to_owned();
        self.run(move |c| {
            // IMMEDIATE: the write lock is held from the first read, so no other connection
            // can claim the rows read here before they are marked.
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_err("claim: begin"))?;
            let ids: Vec<String> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT id FROM kassa_intents \
                         WHERE state IN ('recorded', 'dispatched') AND updated_at_ms <= ?1 \
                         AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until_ms <= ?3) \
                         ORDER BY id LIMIT ?4",
                    )
                    .map_err(store_err("claim"))?;
                stmt.query_map(params![settled_before, owner, now, limit], |r| r.get(0))
                    .map_err(store_err("claim"))?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(store_err("claim"))?
            };
            let mut entries = Vec::with_capacity(ids.len());
            {
                let mut mark = tx
                    .prepare_cached(
                        "UPDATE kassa_intents SET lease_owner = ?1, lease_until_ms = ?2, \
                         attempts = attempts + 1 WHERE id = ?3",
                    )
                    .map_err(store_err("claim"))?;
                let sql = format!("SELECT {COLUMNS} FROM kassa_intents WHERE id = ?1");
                let mut read = tx.prepare_cached(&sql).map_err(store_err("claim"))?;
                for id in &ids {
                    mark.execute(params![owner, until, id])
                        .map_err(store_err("claim"))?;
                    entries.push(read.query_row([id], entry_of).map_err(store_err("claim"))?);
                }
            }
            tx.commit().map_err(store_err("claim: commit"))?;
            Ok(entries)
        })
        .await
    }

    async fn settle(
        &self,
        id: &str,
        owner: &str,
        resolution: &Resolution,
    ) -> Result<bool, JournalError> {
        self.leased_update(
            "settle",
            id,
            owner,
            "state = 'resolved', resolution = ?4, refused_code = ?5, note = ?6",
            resolution_columns(resolution),
        )
        .await
    }

    async fn park(&self, id: &str, owner: &str, reason: &str) -> Result<bool, JournalError> {
        self.leased_update(
            "park",
            id,
            owner,
            "state = 'parked', note = ?6, resolution = ?4, refused_code = ?5",
            (None, None, Some(reason.to_owned())),
        )
        .await
    }

    async fn release(&self, id: &str, owner: &str) -> Result<bool, JournalError> {
        self.leased_update(
            "release",
            id,
            owner,
            "resolution = ?4, refused_code = ?5, note = ?6",
            (None, None, None),
        )
        .await
    }
}
