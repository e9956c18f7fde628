//! A PostgreSQL server for tests and benchmarks (cargo feature `postgres`): the one named
//! by `KASSA_TEST_POSTGRES_URL`, or else a throwaway server started from the installed
//! server binaries (Debian's `postgresql` package puts them in
//! `/usr/lib/postgresql/<version>/bin`), once per process.
//!
//! The throwaway server lives in a new directory under the temporary directory, listens on
//! a free loopback port only, trusts loopback logins, and runs as an unprivileged user
//! (`initdb` refuses root: as root it runs as the `postgres` user the package creates).
//! It is started by a small shell that `setpriv` gives a parent-death signal: when the
//! process that started it ends (normally, by a panic, or killed), the shell stops the
//! server (fast shutdown) and deletes its directory. Nothing is left behind.
//!
//! With no server binaries and no `KASSA_TEST_POSTGRES_URL`, [`shared`] fails with a message
//! saying to install the `postgresql` package: a test never skips silently.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let server = kassa_journal::pg_server::shared()?;
//! let journal = kassa_journal::PostgresJournal::connect_in(server.url(), "test_1").await?;
//! # let _ = journal; Ok(()) }
//! ```

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming a server to use instead of starting one.
///
/// ```
/// assert_eq!(kassa_journal::pg_server::URL_VAR, "KASSA_TEST_POSTGRES_URL");
/// ```
pub const URL_VAR: &str = "KASSA_TEST_POSTGRES_URL";

/// A PostgreSQL server to test against.
///
/// ```no_run
/// let server = kassa_journal::pg_server::shared().expect("a PostgreSQL server");
/// assert!(server.url().starts_with("postgres://"));
/// ```
#[derive(Debug)]
pub struct TestServer {
    url: String,
    started: bool,
}

impl TestServer {
    /// Its connection string (`postgres://postgres@127.0.0.1:PORT/postgres` for a started
    /// one).
    ///
    /// ```no_run
    /// println!("{}", kassa_journal::pg_server::shared().expect("server").url());
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// True when this process started it (false when it came from `KASSA_TEST_POSTGRES_URL`).
    ///
    /// ```no_run
    /// let s = kassa_journal::pg_server::shared().expect("server");
    /// if s.started() { println!("a throwaway server"); }
    /// ```
    pub fn started(&self) -> bool {
        self.started
    }
}

/// The server for this process: `KASSA_TEST_POSTGRES_URL` if set, else one started on first
/// use (a second or two) and kept until the process ends. The error says what to install.
///
/// ```no_run
/// match kassa_journal::pg_server::shared() {
///     Ok(server) => println!("{}", server.url()),
///     Err(why) => panic!("{why}"),
/// }
/// ```
pub fn shared() -> Result<&'static TestServer, String> {
    static SERVER: OnceLock<Result<TestServer, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var(URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Ok(TestServer {
                url,
                started: false,
            }),
            _ => start(),
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A name no other caller in any process gets: for a schema per test.
///
/// ```
/// let a = kassa_journal::pg_server::unique_name("t");
/// assert!(a.starts_with("t_"));
/// assert_ne!(a, kassa_journal::pg_server::unique_name("t"));
/// ```
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb`, `postgres` and
/// `pg_isready`, or the directory of `initdb` on the `PATH`.
fn server_bin() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "postgres", "pg_isready"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| complete(dir))
}

/// The effective user id, from `/proc/self/status`.
fn euid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The unprivileged user a root process runs the server as: `postgres` (made by the
/// package), else `nobody`.
fn unprivileged_user() -> Option<&'static str> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    ["postgres", "nobody"]
        .into_iter()
        .find(|u| passwd.lines().any(|l| l.split(':').next() == Some(*u)))
}

/// Runs as the server's user: makes the directory, `initdb`, starts `postgres`, waits until
/// it answers, prints `ready`; on SIGTERM/SIGINT/SIGHUP (the parent-death signal) or the
/// server's end, stops it and deletes the directory.
const SCRIPT: &str = r#"
set -u
bin=$1; dir=$2; port=$3; pid=
cleanup() {
    if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    rm -rf "$dir"
    exit 0
}
trap cleanup TERM INT HUP
fail() { echo "$1" >&2; [ -f "$dir/log" ] && tail -n 30 "$dir/log" >&2; rm -rf "$dir"; exit 1; }
mkdir -m 700 "$dir" || fail "cannot make $dir"
"$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
    >"$dir/log" 2>&1 || fail "initdb failed"
"$bin/postgres" -D "$dir/data" -h 127.0.0.1 -p "$port" -k "$dir" \
    -c max_connections=200 >>"$dir/log" 2>&1 &
pid=$!
tries=0
until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U postgres; do
    kill -0 "$pid" 2>/dev/null || { pid=; fail "postgres exited"; }
    tries=$((tries + 1))
    [ "$tries" -gt 600 ] && { echo "postgres not ready after 60 s" >&2; cleanup; }
    sleep 0.1
done
echo ready
wait "$pid"
pid=
rm -rf "$dir"
"#;

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn start() -> Result<TestServer, String> {
    let bin = server_bin().ok_or_else(|| {
        format!(
            "no PostgreSQL server binaries (initdb, postgres, pg_isready) in \
             /usr/lib/postgresql/*/bin or on the PATH: install Debian's `postgresql` package \
             (apt-get install -y --no-install-recommends postgresql), or set {URL_VAR} to a \
             server's URL"
        )
    })?;
    let mut last = String::new();
    // A port found free may be taken before the server binds it: try a few.
    for _ in 0..3 {
        let port = free_port()?;
        match start_on(&bin, port) {
            Ok(url) => {
                return Ok(TestServer { url, started: true });
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Starts the shell from a thread that never ends, so the parent-death signal (which
/// follows the thread that spawned the child) comes only when the whole process ends.
fn start_on(bin: &Path, port: u16) -> Result<String, String> {
    let dir = std::env::temp_dir().join(unique_name("kassa-pg"));
    let mut command = Command::new("setpriv");
    if euid() == Some(0) {
        let user = unprivileged_user()
            .ok_or("running as root, and no `postgres` or `nobody` user to run initdb as")?;
        command.args([
            &format!("--reuid={user}"),
            &format!("--regid={user}"),
            "--init-groups",
        ]);
    }
    command
        .args(["--pdeathsig=TERM", "--", "sh", "-c", SCRIPT, "kassa-pg"])
        .arg(bin)
        .arg(&dir)
        .arg(port.to_string())
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (tx, rx) = mpsc::channel::<Result<(), String>>();
    std::thread::Builder::new()
        .name("kassa-pg-server".into())
        .spawn(move || {
            let mut child = match command.spawn() {
                Ok(child) => child,
                Err(e) => {
                    let _ = tx.send(Err(format!(
                        "cannot run setpriv (util-linux) to start PostgreSQL: {e}"
                    )));
                    return;
                }
            };
            let mut line = String::new();
            let ready = child
                .stdout
                .take()
                .map(|out| BufReader::new(out).read_line(&mut line))
                .is_some_and(|r| r.is_ok() && line.trim() == "ready");
            if !ready {
                let mut why = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = err.read_to_string(&mut why);
                }
                let _ = child.wait();
                let _ = tx.send(Err(format!(
                    "the throwaway PostgreSQL server did not start: {}",
                    why.trim()
                )));
                return;
            }
            let _ = tx.send(Ok(()));
            // Keep the child's pipes and this thread to the end of the process.
            let _keep = child;
            loop {
                std::thread::park();
            }
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    rx.recv()
        .map_err(|_| "the PostgreSQL starter thread ended".to_string())??;
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}
