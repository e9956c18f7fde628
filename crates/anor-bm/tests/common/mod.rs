//! Helpers shared by the anor-bm integration tests.
#![allow(dead_code)]

use anor_bm::Client;
use kassa_core::{Error, RetryPolicy, Timeouts};
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

/// What a snapshot shows of an error.
#[derive(Debug, Serialize)]
pub struct ErrorView {
    pub kind: &'static str,
    pub message: String,
    pub code: Option<String>,
    pub http_status: Option<u16>,
    pub titles: Option<anor_bm::Titles>,
    pub field: Option<String>,
    pub may_have_taken_effect: bool,
    pub retryable: bool,
    pub reconcile: Option<String>,
    pub key: Option<String>,
    pub advice: Option<String>,
}

/// The testkit's view of `e` with the catalogue's titles, in the order the snapshots show.
pub fn view(e: &Error) -> ErrorView {
    let base = kassa_testkit::ErrorView::of(e);
    ErrorView {
        kind: base.kind,
        message: base.message,
        code: base.code,
        http_status: base.http_status,
        titles: anor_bm::code_of(e).and_then(|c| c.titles()),
        field: base.field,
        may_have_taken_effect: base.may_have_taken_effect,
        retryable: base.retryable,
        reconcile: base.reconcile,
        key: base.key,
        advice: base.advice,
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
