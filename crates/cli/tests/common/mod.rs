//! The runner the CLI's tests share: the built `kassa` binary run with only the
//! environment a test gives it, each run on a state file of its own, its exit code and
//! output read back; the fixtures' credentials as environment variables; fixture servers.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, Stdio};

use kassa_testkit::{Fixture, mount_on};
use serde_json::Value;
use wiremock::MockServer;

/// The binary under test.
pub const KASSA: &str = env!("CARGO_BIN_EXE_kassa");

/// Environment variables for a run.
pub type Env = Vec<(&'static str, &'static str)>;

/// The fixtures' anor-bm credentials.
pub const ANOR_ENV: [(&str, &str); 2] = [
    ("KASSA_ANOR_BM_USERNAME", "test-user"),
    ("KASSA_ANOR_BM_PASSWORD", "test-password"),
];
/// The fixtures' requisite-uz credentials.
pub const REQUISITE_ENV: [(&str, &str); 2] = [
    ("KASSA_REQUISITE_UZ_USERNAME", "test-user"),
    ("KASSA_REQUISITE_UZ_PASSWORD", "test-password"),
];
/// The fixtures' mobilnik credentials.
pub const MOBILNIK_ENV: [(&str, &str); 4] = [
    ("KASSA_MOBILNIK_LOGIN", "test"),
    ("KASSA_MOBILNIK_PASSWORD", "test-password"),
    ("KASSA_MOBILNIK_DEVICE_ID", "test-device-id"),
    ("KASSA_MOBILNIK_DEVICE", "kassa-test"),
];

/// The fixtures' (and the sandbox's) exchanger credentials.
pub const EXCHANGER_ENV: [(&str, &str); 2] = [
    ("KASSA_EXCHANGER_API_LOGIN", "test-login"),
    ("KASSA_EXCHANGER_API_KEY", "test-key"),
];

/// The fixtures' credentials of `provider`.
pub fn env_for(provider: &str) -> Env {
    match provider {
        "anor-bm" => ANOR_ENV.to_vec(),
        "requisite-uz" => REQUISITE_ENV.to_vec(),
        "exchanger" => EXCHANGER_ENV.to_vec(),
        _ => MOBILNIK_ENV.to_vec(),
    }
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(out: &std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The stdout document of a successful run.
    pub fn json(&self) -> Value {
        assert_eq!(self.code, 0, "expected success: {self:?}");
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }

    /// The `error` object of a failed run, which must be its last stderr line, with
    /// nothing on stdout.
    pub fn error(&self) -> Value {
        assert!(
            self.stdout.is_empty(),
            "stdout must be empty on failure: {self:?}"
        );
        let last = self.stderr.lines().last().unwrap_or_default();
        let v: Value = serde_json::from_str(last)
            .unwrap_or_else(|e| panic!("last stderr line is not JSON ({e}): {self:?}"));
        assert!(v["error"].is_object(), "not the error object: {last}");
        v["error"].clone()
    }

    /// The error's message.
    pub fn message(&self) -> String {
        self.error()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The binary with `args` and none of the caller's `KASSA_*` or `RUST_LOG` variables.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(KASSA);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("KASSA_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// Runs the binary with only the given `KASSA_*`/`RUST_LOG` (and other) variables, and
/// waits for it. Each run gets its own embedded-sandbox state file, removed afterwards,
/// unless `env` names one (`KASSA_SANDBOX_STATE`), so no run sees another's state or the
/// user's cache, whatever order the tests run in.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(args);
    cmd.envs(env.iter().copied());
    let state = fresh_state_file();
    let own_state = !env.iter().any(|(k, _)| *k == "KASSA_SANDBOX_STATE");
    if own_state {
        cmd.env("KASSA_SANDBOX_STATE", &state);
    }
    let out = cmd.output().expect("the kassa binary runs");
    if own_state {
        let _ = std::fs::remove_file(&state);
    }
    Run::of(&out)
}

/// [`run`] off the async runtime, so a wiremock server of the test keeps serving.
pub async fn kassa(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(&args, &env)
    })
    .await
    .expect("the run finishes")
}

/// A state file path no other run uses.
pub fn fresh_state_file() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("kassa-test-state-{}-{n}.json", std::process::id()))
}

/// Starts `kassa sandbox` with `args` (none of the caller's `KASSA_*` or `RUST_LOG`
/// variables); the child, its first stdout line (JSON: where it serves) and its stderr.
pub fn standalone(args: &[&str]) -> (Child, Value, BufReader<ChildStderr>) {
    let mut child = command(&["sandbox"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kassa sandbox starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a first line");
    let started: Value = serde_json::from_str(&first).expect("the first stdout line is JSON");
    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    (child, started, stderr)
}

/// A server with each `(provider, operation, case)` fixture mounted strictly.
pub async fn fixture_server(fixtures: &[(&str, &str, &str)]) -> MockServer {
    let server = MockServer::start().await;
    for (p, o, c) in fixtures {
        mount_on(&server, &Fixture::load(p, o, c)).await;
    }
    server
}
