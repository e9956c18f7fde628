//! The embedded sandbox keeps its state between CLI calls (a state file), `kassa sandbox
//! reset` forgets it, and the standalone `kassa sandbox` logs what it serves and binds
//! `--host`. Every test runs the built binary with its own state file in a temporary
//! directory (and HOME / XDG_CACHE_HOME pointed there too, so nothing reaches the user's
//! cache).

mod common;

use std::io::BufRead as _;
use std::path::PathBuf;

use common::{Run, standalone};
use kassa_sandbox::anor_bm::seed;
use serde_json::json;

/// A temporary directory for one test, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("kassa-sandbox-state-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn state_file(&self) -> PathBuf {
        self.0.join("state").join("sandbox-state.json")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with no `KASSA_*` variable of the caller's, the state file, HOME and
/// the cache in `dir`.
fn kassa(dir: &TempDir, args: &[&str]) -> Run {
    let path = |p: PathBuf| p.to_str().expect("a UTF-8 temporary path").to_owned();
    let (state, home, cache) = (
        path(dir.state_file()),
        path(dir.0.clone()),
        path(dir.0.join("cache")),
    );
    common::run(
        args,
        &[
            ("KASSA_SANDBOX_STATE", &state),
            ("HOME", &home),
            ("XDG_CACHE_HOME", &cache),
        ],
    )
}

fn check(dir: &TempDir, tran: &str) -> i64 {
    let params = json!({"account": "30", "recipientId": seed::RECIPIENT_ID, "amount": 100_000,
        "currency": 860, "agentTranId": tran,
        "params": {"pan": seed::RICH_CARD.pan, "exp": seed::RICH_CARD.expiry}});
    let bill = kassa(
        dir,
        &[
            "anor-bm",
            "unregistered-check",
            "--params",
            &params.to_string(),
        ],
    )
    .json();
    assert_eq!(bill["status"], "CHECK_OK");
    bill["id"].as_i64().expect("a bill id")
}

fn pay(dir: &TempDir, bill: i64) -> Run {
    let params = json!({"billId": bill, "type": "PC", "params": {"otp": seed::OTP}});
    kassa(
        dir,
        &[
            "anor-bm",
            "unregistered-pay",
            "--params",
            &params.to_string(),
        ],
    )
}

#[test]
fn a_bill_checked_in_one_call_is_paid_in_the_next() {
    let dir = TempDir::new("check-pay");
    let bill = check(&dir, "state-1");
    assert!(dir.state_file().is_file(), "the first call saved the state");
    let paid = pay(&dir, bill).json();
    assert_eq!(paid["status"], "SUCCESS", "{paid}");
    assert_eq!(paid["id"], bill);
    // The third call still sees it, and a second bill takes the next id.
    let status = kassa(
        &dir,
        &[
            "anor-bm",
            "status",
            "--params",
            &json!({"agentTranId": "state-1"}).to_string(),
        ],
    )
    .json();
    assert_eq!(status["status"], "SUCCESS");
    assert_eq!(check(&dir, "state-2"), bill + 1);
    // The file holds no temporary leftovers next to it.
    let files: Vec<_> = std::fs::read_dir(dir.state_file().parent().expect("dir"))
        .expect("lists")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

#[test]
fn sandbox_reset_forgets_the_state() {
    let dir = TempDir::new("reset");
    let bill = check(&dir, "reset-1");
    let reset = kassa(&dir, &["sandbox", "reset"]);
    assert_eq!(reset.json()["reset"], true, "{reset:?}");
    assert!(
        reset
            .stderr
            .contains(&dir.state_file().display().to_string())
    );
    assert!(!dir.state_file().exists(), "the file is gone");
    let unpaid = pay(&dir, bill);
    assert_ne!(unpaid.code, 0, "{unpaid:?}");
    assert_eq!(unpaid.error()["code"], "bill_not_found", "{unpaid:?}");
    // Resetting a fresh sandbox is fine too.
    assert_eq!(kassa(&dir, &["sandbox", "reset"]).code, 0);
}

#[test]
fn each_call_names_the_state_file_on_stderr_once() {
    let dir = TempDir::new("stderr");
    let run = kassa(&dir, &["mobilnik", "authenticate"]);
    assert_eq!(run.code, 0, "{run:?}");
    let path = dir.state_file().display().to_string();
    assert_eq!(run.stderr.matches(&path).count(), 1, "{run:?}");
}

#[test]
fn a_broken_state_file_is_a_clear_error() {
    let dir = TempDir::new("broken");
    std::fs::create_dir_all(dir.state_file().parent().expect("dir")).expect("dir");
    std::fs::write(dir.state_file(), "{\"version\": 1, \"anor-bm\": [1]}").expect("writes");
    let run = kassa(&dir, &["mobilnik", "authenticate"]);
    assert_ne!(run.code, 0, "{run:?}");
    let message = run.message();
    assert!(message.contains("anor-bm"), "{message}");
    assert!(message.contains("kassa sandbox reset"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standalone_sandbox_logs_each_request_without_secrets_and_binds_host() {
    // 127.0.0.2 is loopback too on Linux: a URL on it proves --host was used.
    let (mut child, started, mut stderr) = standalone(&["--host", "127.0.0.2", "--port", "0"]);
    let base = started["base_url"].as_str().expect("base_url").to_owned();
    assert!(base.starts_with("http://127.0.0.2:"), "{base}");

    let http = reqwest::Client::new();
    let login = http
        .post(format!(
            "{base}/anor-bm/api/ext/user/login?password={}",
            seed::PASSWORD
        ))
        .header("content-type", "application/json")
        .body(json!({"username": seed::USERNAME, "password": seed::PASSWORD}).to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(login.status().as_u16(), 200);
    let missing = http
        .get(format!("{base}/requisite-uz/api/v2/services"))
        .send()
        .await
        .expect("answers");
    assert_eq!(missing.status().as_u16(), 401);

    let lines = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut line = String::new();
        while seen.len() < 2 {
            line.clear();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if line.starts_with("kassa sandbox: ") {
                seen.push(line.trim().to_owned());
            }
        }
        seen
    })
    .await
    .expect("read");
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("kassa sandbox: POST /anor-bm/api/ext/user/login 200 ")
            && lines[0].ends_with(" ms"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("kassa sandbox: GET /requisite-uz/api/v2/services 401 "),
        "{lines:?}"
    );
    for line in &lines {
        assert!(
            !line.contains(seed::PASSWORD),
            "a secret in the log: {line}"
        );
        assert!(!line.contains("password"), "a query in the log: {line}");
    }
}

#[test]
fn a_host_that_is_no_address_is_refused() {
    let run = common::run(&["sandbox", "--host", "no-such-host", "--port", "0"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--host no-such-host"), "{run:?}");
}
