//! Tracing to stderr behind a gate: [`close`] stops every later log line, so the JSON error
//! line printed after it is the last line on stderr whatever a lingering thread (an HTTP
//! pool shutting down, a DNS lookup) still logs.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Whether log lines still reach stderr. A writer holds the lock while it writes a line, so
/// once [`close`] returns no line can follow.
static OPEN: Mutex<bool> = Mutex::new(true);

fn gate() -> MutexGuard<'static, bool> {
    OPEN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Stops tracing output for good.
pub fn close() {
    *gate() = false;
}

/// One log line's writer: stderr while the gate is open, nothing after.
pub struct Gate(MutexGuard<'static, bool>);

impl Write for Gate {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if *self.0 {
            std::io::stderr().lock().write(buf)
        } else {
            Ok(buf.len())
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if *self.0 {
            std::io::stderr().lock().flush()
        } else {
            Ok(())
        }
    }
}

struct Stderr;

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = Gate;

    fn make_writer(&'a self) -> Gate {
        Gate(gate())
    }
}

/// kassa's own crates: their spans and events are what `-v` shows.
const OWN: [&str; 6] = [
    "kassa",
    "kassa_core",
    "kassa_sandbox",
    "anor_bm",
    "requisite_uz",
    "mobilnik",
];

/// The filter for `-v` (kassa's crates at debug), `-vv` (at trace) and `-vvv` (everything
/// at trace, the HTTP library's connection chatter included); `RUST_LOG` wins when set.
pub fn directive(rust_log: Option<&str>, verbose: u8) -> Option<String> {
    if let Some(v) = rust_log.filter(|v| !v.trim().is_empty()) {
        return Some(v.to_owned());
    }
    let level = match verbose {
        0 => return None,
        1 => "debug",
        2 => "trace",
        _ => return Some("trace".to_owned()),
    };
    let own: Vec<String> = OWN.iter().map(|c| format!("{c}={level}")).collect();
    Some(format!("warn,{}", own.join(",")))
}

/// Installs the subscriber: events with their span context, and each kassa span's close
/// with its recorded fields (attempt, status, outcome) and its latency (`time.busy`).
pub fn init(verbose: u8) {
    let from_env = std::env::var("RUST_LOG").ok();
    let Some(directive) = directive(from_env.as_deref(), verbose) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_new(directive)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Stderr)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_keeps_the_http_library_for_three_vs() {
        assert_eq!(directive(None, 0), None);
        let one = directive(None, 1).unwrap_or_default();
        assert!(
            one.starts_with("warn,") && one.contains("kassa_core=debug"),
            "{one}"
        );
        assert!(!one.contains("hyper") && !one.contains("reqwest"));
        assert!(
            directive(None, 2)
                .unwrap_or_default()
                .contains("anor_bm=trace")
        );
        assert_eq!(directive(None, 3).as_deref(), Some("trace"));
        assert_eq!(directive(Some("info"), 3).as_deref(), Some("info"));
        assert_eq!(directive(Some(" "), 0), None);
    }
}
