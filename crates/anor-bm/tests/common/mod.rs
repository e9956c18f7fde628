//! Helpers shared by the anor-bm integration tests.
#![allow(dead_code)]

use anor_bm::Client;
use kassa_core::{Error, RetryPolicy, Timeouts};
use kassa_testkit::ErrorView;
use serde::Serialize;

pub const P: &str = "anor-bm";
pub const USER: &str = "test-user";
pub const PASSWORD: &str = "test-password";
pub const TOKEN: &str = "test-token";
pub const REFRESH: &str = "test-refresh-token";

pub use kassa_testkit::quiet_transport;

/// A client with the fixtures' credentials, no timeouts, and the given retry policy.
pub fn client_with(uri: &str, retry: RetryPolicy, timeouts: Timeouts) -> Client {
    Client::builder(uri, USER, PASSWORD)
        .transport(quiet_transport())
        .retry(retry)
        .timeouts(timeouts)
        .build()
        .expect("client builds")
}

/// One attempt per call: each fixture expects exactly one request.
pub fn client(uri: &str) -> Client {
    client_with(uri, RetryPolicy::none(), Timeouts::none())
}

/// What a snapshot shows of an error: testkit's view and the catalogue's titles of the code.
#[derive(Debug, Serialize)]
pub struct CodeView {
    #[serde(flatten)]
    pub error: ErrorView,
    pub titles: Option<anor_bm::Titles>,
}

/// The view of `e`.
pub fn view(e: &Error) -> CodeView {
    CodeView {
        error: ErrorView::of(e),
        titles: anor_bm::code_of(e).and_then(|c| c.titles()),
    }
}

/// Panics when `text` holds any of the test secrets.
pub fn assert_no_secret(text: &str) {
    for secret in [
        PASSWORD,
        TOKEN,
        REFRESH,
        "8600492968156744",
        "9860080312345678",
        "9860601234562487",
        "5e82af24-480b-40cd-8c76-769a28bd7f3d",
    ] {
        assert!(!text.contains(secret), "a secret ({secret}) leaked: {text}");
    }
}
