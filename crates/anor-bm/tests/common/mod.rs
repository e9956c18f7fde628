//! Helpers shared by the anor-bm integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use anor_bm::Client;
use kassa_core::{Error, ReqwestTransport, RetryPolicy, Timeouts, Transport};
use serde::Serialize;

pub const P: &str = "anor-bm";
pub const USER: &str = "test-user";
pub const PASSWORD: &str = "test-password";
pub const TOKEN: &str = "test-token";
pub const REFRESH: &str = "test-refresh-token";

/// A transport with no idle-pool timer, so a paused clock only jumps to the engine's timers.
pub fn quiet_transport() -> Arc<dyn Transport> {
    let client = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds");
    Arc::new(ReqwestTransport::from_client(client))
}

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

pub fn kind(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput { .. } => "InvalidInput",
        Error::Rejected(_) => "Rejected",
        Error::Auth(_) => "Auth",
        Error::OutcomeUnknown(_) => "OutcomeUnknown",
        Error::Transport { .. } => "Transport",
        Error::Http { .. } => "Http",
        Error::Decode { .. } => "Decode",
        _ => "other",
    }
}

pub fn view(e: &Error) -> ErrorView {
    let typed = anor_bm::code_of(e);
    let unknown = e.outcome_unknown();
    // an outcome-unknown error keeps the bank's refusal as its cause
    let rejection = e.rejection().or_else(|| {
        unknown
            .and_then(|u| u.source.as_deref())
            .and_then(|s| s.downcast_ref::<Error>())
            .and_then(Error::rejection)
    });
    ErrorView {
        kind: kind(e),
        message: e.to_string(),
        code: typed.map(|c| c.raw().to_owned()),
        http_status: rejection.and_then(|r| r.http_status).or(match e {
            Error::Http { status, .. } => Some(*status),
            _ => None,
        }),
        titles: typed.and_then(|c| c.titles()),
        field: e.field().map(str::to_owned),
        may_have_taken_effect: e.may_have_taken_effect(),
        retryable: e.is_retryable(),
        reconcile: unknown
            .and_then(|u| u.reconcile.as_ref())
            .map(|r| r.to_string()),
        key: unknown.and_then(|u| u.key.clone()),
        advice: unknown.and_then(|u| u.advice).map(str::to_owned),
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
