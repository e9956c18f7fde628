//! Every response decoder of the mobilnik client (see the harness in `src/lib.rs`).
#![no_main]

use std::sync::LazyLock;

use kassa_fuzz::Harness;
use kassa_fuzz::providers::Mobilnik;
use libfuzzer_sys::fuzz_target;

static HARNESS: LazyLock<Harness<Mobilnik>> = LazyLock::new(Harness::new);

fuzz_target!(|data: &[u8]| {
    HARNESS.run(data);
});
