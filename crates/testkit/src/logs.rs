//! Captures tracing output (TRACE level, span fields included) to check it holds no secret.
//!
//! The first capture installs one process-wide subscriber at TRACE whose output goes to the
//! buffer of the thread that is capturing (and nowhere otherwise). A process-wide
//! subscriber keeps every callsite enabled, so captures do not depend on which test ran
//! first. Use a current-thread runtime in capturing tests.
//!
//! ```
//! let capture = kassa_testkit::logs::Capture::start();
//! tracing::info!(user = "a", "hello");
//! assert!(capture.text().contains("hello"));
//! ```

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

type Buffer = Arc<Mutex<Vec<u8>>>;

thread_local! {
    static CURRENT: RefCell<Option<Buffer>> = const { RefCell::new(None) };
}

/// A capture in force on this thread until dropped.
pub struct Capture {
    buf: Buffer,
}

struct Routed;

impl Write for Routed {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        CURRENT.with(|c| {
            if let Some(buf) = c.borrow().as_ref() {
                buf.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend_from_slice(data);
            }
        });
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct MakeRouted;

impl<'a> MakeWriter<'a> for MakeRouted {
    type Writer = Routed;
    fn make_writer(&'a self) -> Routed {
        Routed
    }
}

static INSTALL: Once = Once::new();

impl Capture {
    /// Starts capturing every event and span (new, close) at TRACE on this thread.
    pub fn start() -> Capture {
        INSTALL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_span_events(FmtSpan::FULL)
                .with_ansi(false)
                // No timestamps: they say nothing a test reads, and their digits can
                // match a short numeric secret (an OTP) by chance.
                .without_time()
                .with_writer(MakeRouted)
                .finish();
            // Another global subscriber may exist in this process; then captures see
            // what it lets through.
            let _ = tracing::subscriber::set_global_default(subscriber);
        });
        let buf: Buffer = Arc::new(Mutex::new(Vec::new()));
        CURRENT.with(|c| *c.borrow_mut() = Some(buf.clone()));
        Capture { buf }
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }

    /// Panics naming the length of the first of `secrets` found in the captured text.
    pub fn assert_free_of(&self, secrets: &[&str]) {
        let text = self.text();
        for s in secrets {
            assert!(
                !text.contains(s),
                "a secret ({} chars) appears in the trace output",
                s.len()
            );
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}
