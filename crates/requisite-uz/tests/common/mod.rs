//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::sync::Arc;

use kassa_core::{Timeouts, Transport};
use requisite_uz::Client;

pub const PROVIDER: &str = "requisite-uz";
pub const USERNAME: &str = "test-user";
pub const PASSWORD: &str = "test-password";
/// `Basic base64("test-user:test-password")`, as in every fixture.
pub const BASIC: &str = "Basic dGVzdC11c2VyOnRlc3QtcGFzc3dvcmQ=";

pub use kassa_testkit::quiet_transport;

/// A client with the fixtures' credentials, no timeouts and the quiet transport.
pub fn client(uri: &str) -> Client {
    client_with(uri, quiet_transport())
}

/// The same with another transport.
pub fn client_with(uri: &str, transport: Arc<dyn Transport>) -> Client {
    Client::builder(uri)
        .credentials(USERNAME, PASSWORD)
        .transport(transport)
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

/// The JSON body of a recorded request.
pub fn body_json(req: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&req.body).expect("the client sends JSON")
}

/// Delivers requests to `path` for real and then never answers: the server has processed
/// them, the client waits until its own attempt timeout. Deterministic on a paused clock:
/// the delivery runs on a thread of its own, and this (test-only) transport blocks the
/// runtime until the server has answered, so no timer can fire before the request arrived.
/// Other requests go through the quiet transport.
#[derive(Debug)]
pub struct SilentAfterDelivery {
    pub path: &'static str,
    inner: Arc<dyn Transport>,
    pub delivered: std::sync::atomic::AtomicUsize,
}

impl SilentAfterDelivery {
    pub fn new(path: &'static str) -> Arc<SilentAfterDelivery> {
        Arc::new(SilentAfterDelivery {
            path,
            inner: quiet_transport(),
            delivered: std::sync::atomic::AtomicUsize::new(0),
        })
    }
}

#[kassa_core::async_trait]
impl Transport for SilentAfterDelivery {
    async fn send(
        &self,
        base: &str,
        req: &kassa_core::Request,
    ) -> Result<kassa_core::Response, kassa_core::TransportError> {
        if req.path != self.path {
            return self.inner.send(base, req).await;
        }
        let (base, req) = (base.to_owned(), req.clone());
        let delivery = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a delivery runtime");
            rt.block_on(async { quiet_transport().send(&base, &req).await })
        });
        let answered = delivery.join().expect("the delivery thread");
        assert!(
            answered.is_ok(),
            "the server answered the delivery: {answered:?}"
        );
        self.delivered
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        std::future::pending().await
    }
}
