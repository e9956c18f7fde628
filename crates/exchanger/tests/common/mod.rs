//! Helpers shared by the exchanger's tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use exchanger::Client;
use kassa_core::{RetryPolicy, Timeouts, Transport};

/// The fixtures' credentials.
pub const LOGIN: &str = "test-login";
pub const KEY: &str = "test-key";

pub use kassa_testkit::quiet_transport;

/// A client with the fixtures' credentials, no timeouts, default retries.
pub fn client(uri: &str) -> Client {
    client_with(
        uri,
        quiet_transport(),
        Timeouts::none(),
        RetryPolicy::default(),
    )
}

/// A client with the fixtures' credentials and the given transport, timeouts and retries.
pub fn client_with(
    uri: &str,
    transport: Arc<dyn Transport>,
    timeouts: Timeouts,
    retry: RetryPolicy,
) -> Client {
    Client::builder(uri)
        .login(LOGIN)
        .key(KEY)
        .transport(transport)
        .timeouts(timeouts)
        .retry(retry)
        .build()
        .expect("client builds")
}

/// The form body of a received request, as a map.
pub fn form_of(req: &wiremock::Request) -> BTreeMap<String, String> {
    form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The requests received on `path`.
pub async fn received_on(server: &wiremock::MockServer, path: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .expect("recording on")
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}
