//! The sandbox's state as one serializable value, for a state file: what each emulator
//! remembers (payments, bills, tokens, balances, counters). Seed data (services, cards,
//! users' names) comes from the code and is not written.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let first = kassa_sandbox::spawn().await?;
//! // ... calls that change the state ...
//! let saved = first.state().to_json();
//! drop(first);
//! let state = kassa_sandbox::State::from_json(&saved)?;
//! let second = kassa_sandbox::Sandbox::builder().state(state).spawn().await?;
//! # let _ = second;
//! # Ok(()) }
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the state file's layout; a file of another version is refused.
pub const STATE_VERSION: u32 = 1;

/// What every emulator of a sandbox remembers. Its `Debug` shows no content (the state
/// holds the sandbox's test tokens).
///
/// ```
/// let fresh = kassa_sandbox::State::default();
/// let text = fresh.to_json();
/// assert!(kassa_sandbox::State::from_json(&text).is_ok());
/// assert!(kassa_sandbox::State::from_json("{\"version\": 99}").is_err());
/// ```
#[derive(Clone, Serialize, Deserialize)]
pub struct State {
    #[serde(default = "version")]
    pub(crate) version: u32,
    #[serde(rename = "anor-bm", default, skip_serializing_if = "Value::is_null")]
    pub(crate) anor_bm: Value,
    #[serde(
        rename = "requisite-uz",
        default,
        skip_serializing_if = "Value::is_null"
    )]
    pub(crate) requisite_uz: Value,
    #[serde(rename = "mobilnik", default, skip_serializing_if = "Value::is_null")]
    pub(crate) mobilnik: Value,
    // exchanger
    #[serde(rename = "exchanger", default, skip_serializing_if = "Value::is_null")]
    pub(crate) exchanger: Value,
    // mserver
    #[serde(rename = "mserver", default, skip_serializing_if = "Value::is_null")]
    pub(crate) mserver: Value,
}

impl Default for State {
    /// The seed state of every emulator.
    fn default() -> State {
        State {
            version: STATE_VERSION,
            anor_bm: Value::Null,
            requisite_uz: Value::Null,
            mobilnik: Value::Null,
            // exchanger
            exchanger: Value::Null,
            // mserver
            mserver: Value::Null,
        }
    }
}

fn version() -> u32 {
    STATE_VERSION
}

/// A state file that cannot be read back.
#[derive(Debug)]
pub struct StateError(String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sandbox state: {}", self.0)
    }
}

impl std::error::Error for StateError {}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl State {
    /// The state as JSON text (the state file's content).
    ///
    /// ```
    /// assert!(kassa_sandbox::State::default().to_json().contains("\"version\""));
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Reads a state written by [`State::to_json`]; each emulator's part is checked when
    /// a sandbox starts on it.
    ///
    /// ```
    /// let s = kassa_sandbox::State::from_json("{\"version\": 1}")?;
    /// # let _ = s;
    /// # Ok::<(), kassa_sandbox::StateError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<State, StateError> {
        let state: State =
            serde_json::from_str(text).map_err(|e| StateError(format!("not valid: {e}")))?;
        if state.version != STATE_VERSION {
            return Err(StateError(format!(
                "version {} is not {STATE_VERSION}",
                state.version
            )));
        }
        Ok(state)
    }

    /// One emulator's part, read into its type (`None` when absent: seed state).
    pub(crate) fn part<T: serde::de::DeserializeOwned>(
        value: &Value,
        provider: &str,
    ) -> Result<Option<T>, StateError> {
        if value.is_null() {
            return Ok(None);
        }
        serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| StateError(format!("{provider}: {e}")))
    }
}

/// A tokio `Instant` (a token's or code's expiry) in a state file: written as wall-clock
/// milliseconds since 1970, read back as the same distance from now, so an expiry survives
/// from one process to the next.
pub(crate) mod instant {
    use super::*;
    use serde::{Deserializer, Serializer};
    use tokio::time::Instant;

    pub(crate) fn to_millis(at: Instant) -> i64 {
        let now = Instant::now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let wall = i64::try_from(wall).unwrap_or(i64::MAX);
        if at >= now {
            wall.saturating_add(i64::try_from((at - now).as_millis()).unwrap_or(i64::MAX))
        } else {
            wall.saturating_sub(i64::try_from((now - at).as_millis()).unwrap_or(i64::MAX))
        }
    }

    pub(crate) fn from_millis(millis: i64) -> Instant {
        let now = Instant::now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let wall = i64::try_from(wall).unwrap_or(i64::MAX);
        let ahead = millis.saturating_sub(wall);
        if ahead >= 0 {
            now + Duration::from_millis(ahead.unsigned_abs())
        } else {
            // Already past: "now" is expired for a check `now < expires_at`.
            now.checked_sub(Duration::from_millis(ahead.unsigned_abs()))
                .unwrap_or(now)
        }
    }

    pub(crate) fn serialize<S: Serializer>(at: &Instant, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(to_millis(*at))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        i64::deserialize(d).map(from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[test]
    fn an_expiry_keeps_its_distance_from_now() {
        let at = Instant::now() + Duration::from_secs(600);
        let back = instant::from_millis(instant::to_millis(at));
        let left = back.saturating_duration_since(Instant::now());
        assert!(left > Duration::from_secs(598) && left <= Duration::from_secs(600));
        let past = instant::from_millis(instant::to_millis(Instant::now()) - 5_000);
        assert!(past <= Instant::now());
    }

    #[test]
    fn debug_shows_no_content() {
        let s = State {
            mobilnik: serde_json::json!({"token": "secret-token"}),
            ..State::default()
        };
        assert!(!format!("{s:?}").contains("secret-token"));
    }
}
