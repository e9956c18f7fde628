//! The sandbox's clock: the system clock, or a time a test sets.
//!
//! Every date the emulators write (requisite-uz statement rows, anor-bm `requestTime` and
//! session ids) comes from this clock, so a test can run a flow at any hour: 23:59 UTC is
//! already the next day in Tashkent, where the requisite-uz bank dates its rows. Expiry of
//! tokens and SMS codes stays on tokio's clock (pause it with `tokio::time::pause`).
//!
//! Over HTTP: `PUT /_sandbox/clock` with `{"utc": "2026-11-29T23:59:00Z"}` fixes it,
//! `DELETE /_sandbox/clock` gives it back to the system, `GET /_sandbox/clock` shows it.
//!
//! ```
//! use kassa_sandbox::Clock;
//! use time::macros::datetime;
//!
//! let clock = Clock::fixed(datetime!(2026-11-29 23:59 UTC));
//! assert_eq!(clock.now(), datetime!(2026-11-29 23:59 UTC));
//! clock.set(datetime!(2026-11-29 00:30 UTC));
//! assert_eq!(clock.now(), datetime!(2026-11-29 00:30 UTC));
//! clock.unset(); // the system clock again
//! assert!(!clock.is_fixed());
//! ```

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A clock shared by every emulator of one sandbox. Cheap to clone; clones share the time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<Mutex<Option<OffsetDateTime>>>);

impl Clock {
    /// The system clock (until [`Clock::set`]).
    ///
    /// ```
    /// assert!(!kassa_sandbox::Clock::system().is_fixed());
    /// ```
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock standing still at `at` (until set again or [`Clock::unset`]).
    ///
    /// ```
    /// use time::macros::datetime;
    /// let c = kassa_sandbox::Clock::fixed(datetime!(2026-01-01 19:01 UTC));
    /// assert_eq!(c.now().hour(), 19);
    /// ```
    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock(Arc::new(Mutex::new(Some(at))))
    }

    /// Fixes the time at `at`, for this clock and every clone of it.
    ///
    /// ```
    /// use time::macros::datetime;
    /// let c = kassa_sandbox::Clock::system();
    /// c.set(datetime!(2026-01-01 18:59 UTC));
    /// assert!(c.is_fixed());
    /// ```
    pub fn set(&self, at: OffsetDateTime) {
        *self.lock() = Some(at);
    }

    /// Back to the system clock.
    ///
    /// ```
    /// use time::macros::datetime;
    /// let c = kassa_sandbox::Clock::fixed(datetime!(2026-01-01 18:59 UTC));
    /// c.unset();
    /// assert!(!c.is_fixed());
    /// ```
    pub fn unset(&self) {
        *self.lock() = None;
    }

    /// Whether a time is set.
    ///
    /// ```
    /// assert!(!kassa_sandbox::Clock::default().is_fixed());
    /// ```
    pub fn is_fixed(&self) -> bool {
        self.lock().is_some()
    }

    /// The time now: the set one, else the system's (in UTC).
    ///
    /// ```
    /// let now = kassa_sandbox::Clock::system().now();
    /// assert!(now.year() >= 2024);
    /// ```
    pub fn now(&self) -> OffsetDateTime {
        self.lock().unwrap_or_else(OffsetDateTime::now_utc)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<OffsetDateTime>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The body of `PUT /_sandbox/clock` and the answer of `GET`.
#[derive(Debug, Serialize, Deserialize)]
struct ClockBody {
    /// RFC 3339, e.g. `2026-11-29T23:59:00Z`.
    #[serde(with = "time::serde::rfc3339")]
    utc: OffsetDateTime,
    /// Whether the time is set (answers only).
    #[serde(default)]
    fixed: bool,
}

/// `/_sandbox/clock`: show (GET), set (PUT), back to the system clock (DELETE).
pub(crate) fn control_router(clock: Clock) -> Router {
    Router::new()
        .route("/clock", get(show).put(set).delete(unset))
        .with_state(clock)
}

fn body(clock: &Clock) -> axum::Json<ClockBody> {
    axum::Json(ClockBody {
        utc: clock.now().to_offset(time::UtcOffset::UTC),
        fixed: clock.is_fixed(),
    })
}

async fn show(State(clock): State<Clock>) -> axum::Json<ClockBody> {
    body(&clock)
}

async fn set(
    State(clock): State<Clock>,
    axum::Json(at): axum::Json<ClockBody>,
) -> axum::Json<ClockBody> {
    clock.set(at.utc);
    body(&clock)
}

async fn unset(State(clock): State<Clock>) -> StatusCode {
    clock.unset();
    StatusCode::NO_CONTENT
}
