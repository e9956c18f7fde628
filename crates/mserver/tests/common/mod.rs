//! Helpers shared by the mserver tests: the fixtures' credentials and clients.
#![allow(dead_code)]

use std::sync::Arc;

use kassa_core::{RetryPolicy, Timeouts, Transport};
use mserver::Client;

pub const PHONE: &str = "+79261111111";
pub const PASSWORD: &str = "test-password";
pub const BEARER: &str = "test-access-token";
pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const APP_TOKEN: &str = "88357939-aa71-426b-9afc-a5a9769ce527";
pub const ADMIN: &str = "test-admin";
pub const ADMIN_PASSWORD: &str = "test-admin-password";
pub const WEBHOOK_TOKEN: &str = "test-webhook-token";

pub use kassa_testkit::quiet_transport;

/// The API's base URL on a mock server: its root. Fixtures record paths below the base
/// (`/wallet`), as the operation catalogue writes them; in production the base URL carries
/// the document's `/v1` prefix (`https://sandbox.wallet.best/v1`).
pub fn v1(uri: &str) -> String {
    uri.to_owned()
}

/// A wallet client (Basic `+79261111111:test-password`), no timeouts, default retries.
pub fn wallet_client(uri: &str) -> Client {
    wallet_client_with(
        uri,
        quiet_transport(),
        Timeouts::none(),
        RetryPolicy::default(),
    )
}

/// A wallet client with the given transport, timeouts and retries.
pub fn wallet_client_with(
    uri: &str,
    transport: Arc<dyn Transport>,
    timeouts: Timeouts,
    retry: RetryPolicy,
) -> Client {
    Client::builder()
        .base_url(v1(uri))
        .wallet(PHONE, PASSWORD.into())
        .expect("valid phone")
        .transport(transport)
        .timeouts(timeouts)
        .retry(retry)
        .build()
        .expect("client builds")
}

/// An application client whose token URL is `token_uri` + `/oauth/token`.
pub fn app_client(uri: &str, token_uri: &str, secret: &str) -> Client {
    Client::builder()
        .base_url(v1(uri))
        .token_url(format!("{token_uri}/oauth/token"))
        .application(CLIENT_ID, secret.into())
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

// cards, invoices, templates (issue 12)
// payments (issue 12)

/// The payment notification's app id and secret (fixtures/mserver/NOTES.md).
pub const APP_ID: &str = "test-app-id";
pub const APP_SECRET: &str = "test-app-secret";

/// A bearer client (`Bearer test-access-token`), no timeouts, default retries.
pub fn bearer_client(uri: &str) -> Client {
    Client::builder()
        .base_url(v1(uri))
        .bearer(BEARER.into())
        .transport(quiet_transport())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

/// The token service answering `token` to the test application's credentials.
pub fn app_token_mock(token: &str) -> wiremock::Mock {
    use wiremock::matchers::{method, path};
    wiremock::Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "meta": {"code": 200},
                "data": {"access_token": token, "token_type": "bearer", "expires_in": 599}
            })),
        )
}
