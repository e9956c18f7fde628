//! What every emulator shares: the handle on its state behind the routes ([`Shared`]), the
//! trait an emulator implements ([`Emulator`]), building its router on a saved or seed state
//! ([`build`]) and mounting it under its prefix with its fault switches ([`mount`]).
//!
//! An emulator's folder (`src/<provider>/`) follows one layout, described in
//! `docs/sandbox.md`: `mod.rs` (routes and handlers), `state.rs` (the state and its
//! operations, an [`Emulator`]), `seed.rs` (public seed data and test credentials), `wire.rs`
//! (the wire shapes of answers and requests).

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;

use crate::clock::Clock;
use crate::faults::{self, Faults};
use crate::ledger::{Book, Ledger};

/// An emulator's state: what it is called, how it starts, how it is saved and its routes.
pub(crate) trait Emulator: Sized + Send + 'static {
    /// The provider's catalogue name, also its path prefix and its key in a state file.
    const PROVIDER: &'static str;

    /// What a state file holds of it.
    type Saved: DeserializeOwned;

    /// The seed state.
    fn seeded() -> Self;

    /// The state on a saved one.
    fn restore(saved: Self::Saved) -> Self;

    /// What it remembers now, for a state file (read back as [`Emulator::Saved`]).
    fn snapshot(&self) -> Value;

    /// Its routes, below its prefix, on the [`Shared`] state.
    fn routes() -> Router<Shared<Self>>;

    /// Its pen on the sandbox's ledger (not written to a state file).
    fn book(&mut self) -> &mut Book;
}

/// The state behind an emulator's routes: the emulator behind one mutex, and the sandbox's
/// clock.
pub(crate) struct Shared<E> {
    emu: Arc<Mutex<E>>,
    clock: Clock,
}

impl<E> Clone for Shared<E> {
    fn clone(&self) -> Shared<E> {
        Shared {
            emu: Arc::clone(&self.emu),
            clock: self.clock.clone(),
        }
    }
}

impl<E> Shared<E> {
    fn new(emu: E, clock: Clock) -> Shared<E> {
        Shared {
            emu: Arc::new(Mutex::new(emu)),
            clock,
        }
    }

    /// The emulator; a handler never holds it across an `.await`. A poisoned lock (a
    /// handler panicked) is taken over as it is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, E> {
        self.emu.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sandbox's time now: what the emulator dates its records with.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}

impl<E: Emulator> Shared<E> {
    /// A copy of the emulator's state, for a state file.
    pub(crate) fn snapshot(&self) -> Value {
        self.lock().snapshot()
    }
}

/// The emulator's router on `saved` (seed state when `None`) with `clock`, writing to
/// `ledger`, and a handle on its state.
pub(crate) fn build<E: Emulator>(
    saved: Option<E::Saved>,
    clock: Clock,
    ledger: Ledger,
) -> (Router, Shared<E>) {
    let mut emu = saved.map_or_else(E::seeded, E::restore);
    emu.book().attach(ledger, E::PROVIDER);
    let shared = Shared::new(emu, clock);
    (E::routes().with_state(shared.clone()), shared)
}

/// Nests an emulator's router under `/<provider>` in `app`, behind its fault switches.
pub(crate) fn mount<E: Emulator>(app: Router, emulator: Router, faults: &Faults) -> Router {
    app.nest(
        &format!("/{}", E::PROVIDER),
        faults::layer(emulator, faults.clone(), E::PROVIDER),
    )
}

/// The keys of a bounded table to drop once it holds more than `cap` entries: the oldest by
/// `age`, down to nine tenths of `cap`, so the sorting is paid once every `cap / 10`
/// insertions rather than on each. Empty while the table is within `cap`.
pub(crate) fn overflow<'a, K, A>(
    entries: impl ExactSizeIterator<Item = (&'a K, A)>,
    cap: usize,
) -> Vec<K>
where
    K: Clone + 'a,
    A: Ord,
{
    let len = entries.len();
    if len <= cap {
        return Vec::new();
    }
    let keep = cap - cap / 10;
    let mut by_age: Vec<(A, &K)> = entries.map(|(k, a)| (a, k)).collect();
    by_age.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    by_age
        .into_iter()
        .take(len - keep)
        .map(|(_, k)| k.clone())
        .collect()
}

/// Mixes 64 bits (SplitMix64): the emulators' tokens and ids, deterministic per counter.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn overflow_names_the_oldest_down_to_nine_tenths_of_the_cap() {
        // key i is (100 - i) old: the highest keys are the oldest.
        let table: BTreeMap<u32, u32> = (0..21).map(|i| (i, 100 - i)).collect();
        let ages = || table.iter().map(|(k, age)| (k, *age));
        assert!(overflow(ages(), 21).is_empty());
        let mut gone = overflow(ages(), 20);
        gone.sort_unstable();
        // 21 entries, a cap of 20: 18 stay, the 3 oldest go.
        assert_eq!(gone, [18, 19, 20]);
    }
}
