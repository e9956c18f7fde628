//! The embedded sandbox's state between CLI calls, and the `kassa sandbox` command.
//!
//! Each call with no base URL starts the embedded sandbox on the state saved by the last
//! call and saves it again after the call, so multi-step flows work from a shell
//! (`unregistered-check`, then `unregistered-pay` with the new bill id). The file is
//! `$KASSA_SANDBOX_STATE`, else `$XDG_CACHE_HOME/kassa/sandbox-state.json`, else
//! `~/.cache/kassa/sandbox-state.json`. It is written to a temporary file in the same
//! directory and renamed over the old one, so concurrent calls never leave a torn file
//! (the last one to finish wins). `kassa sandbox reset` deletes it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kassa_sandbox::{Sandbox, State};
use serde_json::Value;

use crate::output::Failure;

/// The variable that names the state file.
pub const STATE_VAR: &str = "KASSA_SANDBOX_STATE";

/// Where the state file is: `KASSA_SANDBOX_STATE`, else under `XDG_CACHE_HOME`, else under
/// `HOME/.cache`; `None` when none of them is set (relative cache directories are ignored,
/// as the XDG rules say).
pub fn state_path_from(
    explicit: Option<&str>,
    xdg_cache: Option<&str>,
    home: Option<&str>,
) -> Option<PathBuf> {
    let set = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(path) = set(explicit) {
        return Some(path);
    }
    let cache = set(xdg_cache)
        .filter(|p| p.is_absolute())
        .or_else(|| set(home).map(|h| h.join(".cache")))?;
    Some(cache.join("kassa").join("sandbox-state.json"))
}

/// The state file of this process's environment.
pub fn state_path() -> Option<PathBuf> {
    let var = |name: &str| std::env::var(name).ok();
    state_path_from(
        var(STATE_VAR).as_deref(),
        var("XDG_CACHE_HOME").as_deref(),
        var("HOME").as_deref(),
    )
}

/// The saved state, or the seed state when there is no file yet.
pub fn load(path: &Path) -> Result<State, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => State::from_json(&text).map_err(|e| {
            Failure::other(format!(
                "{e} (in {}; `kassa sandbox reset` starts afresh)",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(Failure::other(format!(
            "cannot read the sandbox state {}: {e}",
            path.display()
        ))),
    }
}

/// Writes the state next to `path` and renames it over `path` (never a torn file).
pub fn save(path: &Path, state: &State) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sandbox-state.json".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp_name = format!(".{name}.{}.{nanos}.tmp", std::process::id());
    let tmp = match dir {
        Some(dir) => dir.join(tmp_name),
        None => PathBuf::from(tmp_name),
    };
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(state.to_json().as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The embedded sandbox of one call and where its state goes.
#[derive(Debug)]
pub struct Embedded {
    /// The running sandbox.
    pub sandbox: Sandbox,
    /// The state file, if the environment names one.
    pub state_file: Option<PathBuf>,
}

impl Embedded {
    /// Starts the sandbox on the saved state.
    pub async fn start() -> Result<Embedded, Failure> {
        let state_file = state_path();
        let state = match &state_file {
            Some(path) => load(path)?,
            None => State::default(),
        };
        let sandbox = Sandbox::builder().state(state).spawn().await.map_err(|e| {
            match (&state_file, e.kind()) {
                (Some(path), std::io::ErrorKind::InvalidData) => Failure::other(format!(
                    "{e} (in {}; `kassa sandbox reset` starts afresh)",
                    path.display()
                )),
                _ => Failure::other(format!("cannot start the embedded sandbox: {e}")),
            }
        })?;
        Ok(Embedded {
            sandbox,
            state_file,
        })
    }

    /// How the call's stderr names the state: the file, or that it is not kept.
    pub fn describe_state(&self) -> String {
        match &self.state_file {
            Some(path) => format!("its state is kept in {}", path.display()),
            None => format!(
                "its state is not kept (no HOME, XDG_CACHE_HOME or {STATE_VAR} to put it in)"
            ),
        }
    }

    /// Saves the state after the call; a failure is said on stderr, the call's answer stands.
    pub fn save(&self) {
        let Some(path) = &self.state_file else {
            return;
        };
        if let Err(e) = save(path, &self.sandbox.state()) {
            eprintln!(
                "kassa: cannot save the sandbox state to {}: {e}",
                path.display()
            );
        }
    }
}

/// `kassa sandbox reset`: forgets the embedded sandbox's state.
pub fn reset() -> crate::Done {
    let Some(path) = state_path() else {
        eprintln!("kassa: no sandbox state to reset (no HOME, XDG_CACHE_HOME or {STATE_VAR})");
        return crate::Done::Stdout(
            serde_json::json!({"reset": true, "state_file": Value::Null}).to_string(),
        );
    };
    match std::fs::remove_file(&path) {
        Ok(()) => eprintln!("kassa: sandbox state {} deleted", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("kassa: sandbox state {} was already fresh", path.display());
        }
        Err(e) => {
            return crate::Done::Failed(Failure::other(format!(
                "cannot delete the sandbox state {}: {e}",
                path.display()
            )));
        }
    }
    crate::Done::Stdout(
        serde_json::json!({"reset": true, "state_file": path.display().to_string()}).to_string(),
    )
}

/// `kassa sandbox [--host H] [--port N]`: the emulators as a standalone server until
/// interrupted, one stderr line per request served. It starts from the seed state and
/// keeps its state in memory.
pub async fn serve(host: &str, port: u16) -> crate::Done {
    let ip = match host {
        "localhost" => Ok(std::net::IpAddr::from([127, 0, 0, 1])),
        other => other.parse::<std::net::IpAddr>(),
    };
    let Ok(ip) = ip else {
        return crate::Done::Failed(Failure::invalid(format!(
            "--host {host}: not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1) or localhost"
        )));
    };
    let addr = std::net::SocketAddr::new(ip, port);
    let sandbox = match Sandbox::builder()
        .addr(addr)
        .on_served(|served| eprintln!("kassa sandbox: {served}"))
        .spawn()
        .await
    {
        Ok(s) => s,
        Err(e) => {
            return crate::Done::Failed(Failure::other(format!("cannot listen on {addr}: {e}")));
        }
    };
    let providers: serde_json::Map<String, Value> = kassa_sandbox::PROVIDERS
        .iter()
        .map(|p| {
            (
                (*p).to_owned(),
                Value::from(crate::config::client_base(&sandbox, p)),
            )
        })
        .collect();
    eprintln!("kassa sandbox listening on {}", sandbox.base_url());
    for p in kassa_sandbox::PROVIDERS {
        eprintln!("  {p:<13} {}", crate::config::client_base(&sandbox, p));
    }
    eprintln!("  faults        {}/_sandbox/faults", sandbox.base_url());
    eprintln!("  clock         {}/_sandbox/clock", sandbox.base_url());
    eprintln!("test credentials: docs/sandbox.md; stop with Ctrl-C");
    println!(
        "{}",
        serde_json::json!({"base_url": sandbox.base_url(), "providers": providers})
    );
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown();
    crate::Done::Exit(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_follows_the_environment() {
        let p = |e, x, h| state_path_from(e, x, h).map(|p| p.display().to_string());
        assert_eq!(
            p(Some("/tmp/s.json"), Some("/x"), Some("/h")).as_deref(),
            Some("/tmp/s.json")
        );
        assert_eq!(
            p(None, Some("/x"), Some("/h")).as_deref(),
            Some("/x/kassa/sandbox-state.json")
        );
        assert_eq!(
            p(Some(""), Some("relative"), Some("/h")).as_deref(),
            Some("/h/.cache/kassa/sandbox-state.json")
        );
        assert_eq!(p(None, None, None), None);
    }

    #[test]
    fn saving_replaces_the_file_whole() {
        let dir = std::env::temp_dir().join(format!("kassa-embedded-{}", std::process::id()));
        let path = dir.join("nested").join("state.json");
        save(&path, &State::default()).expect("saves");
        save(&path, &State::default()).expect("saves again");
        assert!(load(&path).is_ok());
        let left: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("lists")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
        std::fs::write(&path, "{not json").expect("writes");
        let err = load(&path).expect_err("a broken file is refused");
        assert!(err.message.contains("sandbox reset"), "{}", err.message);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
