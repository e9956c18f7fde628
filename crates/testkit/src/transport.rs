//! A transport for tests on tokio's paused clock.

use std::sync::Arc;

use kassa_core::{ReqwestTransport, Transport};

/// The default reqwest transport with no idle-pool timer and no redirects, so a paused
/// clock only jumps to the engine's own timers (the pool's idle timer would otherwise
/// advance it). Use it for every client a test builds.
///
/// ```
/// let transport = kassa_testkit::quiet_transport();
/// let engine = kassa_core::Engine::builder("p", "http://127.0.0.1:1").transport(transport).build()?;
/// # Ok::<(), kassa_core::Error>(())
/// ```
///
/// # Panics
///
/// When reqwest cannot build a client (no TLS backend): a broken test setup.
pub fn quiet_transport() -> Arc<dyn Transport> {
    let client = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client builds with the default settings");
    Arc::new(ReqwestTransport::from_client(client))
}
