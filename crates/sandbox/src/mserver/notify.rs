//! Payment notifications: every status change is POSTed to the URL the integrator
//! registered (the project settings; in the sandbox `PUT /_sandbox/mserver/notification-url`)
//! with `app_id` and `access_token = sha1(app_id + app_secret)` in the query, from a task of
//! its own so no answer waits on the integrator. Each delivery is logged
//! (`GET /_sandbox/mserver/notifications`).

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::{Value, json};

use super::seed;
use super::state::{Delivery, Emulator, Event};
use crate::shared::Shared;

/// How long one delivery may take before it is logged as failed.
const TIMEOUT: Duration = Duration::from_secs(5);

/// `sha1(app_id + app_secret)` in lower-case hex, as the document says.
pub(super) fn access_token(app_id: &str, app_secret: &str) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(app_id.as_bytes());
    sha.update(app_secret.as_bytes());
    sha.digest().to_string()
}

/// The URL without its query (what the log and the trace show).
fn bare(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_owned()
}

/// Hands the queued status changes to a delivery task (when a URL is set).
pub(super) fn dispatch(shared: &Shared<Emulator>) {
    let (url, events) = shared.lock().take_outbox();
    let Some(url) = url else { return };
    if events.is_empty() {
        return;
    }
    let shared = shared.clone();
    tokio::spawn(async move { deliver(shared, url, events).await });
}

/// POSTs each event in order and logs how it went.
async fn deliver(shared: Shared<Emulator>, url: String, events: Vec<Event>) {
    let token = access_token(seed::APP_ID, seed::APP_SECRET);
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .pool_max_idle_per_host(0)
        .build();
    for event in events {
        let sent = match &client {
            Ok(client) => client
                .post(&url)
                .query(&[("app_id", seed::APP_ID), ("access_token", token.as_str())])
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(event.body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                // Without the URL: its query carries the access token.
                .map_err(|e| e.without_url().to_string()),
            Err(e) => Err(e.to_string()),
        };
        let (status, error) = match sent {
            Ok(status) => (Some(status), None),
            Err(error) => (None, Some(error)),
        };
        tracing::info!(
            url = %bare(&url),
            event = %event.kind,
            payment = event.payment,
            status,
            error = error.as_deref(),
            "mserver notification sent"
        );
        shared.lock().record_delivery(Delivery {
            url: bare(&url),
            event: event.kind,
            payment: event.payment,
            status,
            error,
        });
    }
}

/// The control routes, merged under `/_sandbox`: `PUT`/`DELETE`/`GET
/// /mserver/notification-url` and `GET /mserver/notifications`.
pub(crate) fn control_router(shared: Shared<Emulator>) -> Router {
    Router::new()
        .route(
            "/mserver/notification-url",
            put(set_url).delete(clear_url).get(show_url),
        )
        .route("/mserver/notifications", get(deliveries))
        .with_state(shared)
}

fn problem(status: StatusCode, field: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": message, "field": field})),
    )
        .into_response()
}

async fn set_url(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "body",
            "a JSON object {\"url\": \"http://...\"}",
        );
    };
    let Some(url) = body.get("url").and_then(Value::as_str) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "url", "url is required");
    };
    let parsed = reqwest::Url::parse(url);
    if !parsed
        .as_ref()
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
    {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "url",
            "an http:// or https:// URL",
        );
    }
    shared.lock().set_notification_url(Some(url.to_owned()));
    axum::Json(json!({"url": url})).into_response()
}

async fn clear_url(State(shared): State<Shared<Emulator>>) -> Response {
    shared.lock().set_notification_url(None);
    axum::Json(json!({"url": null})).into_response()
}

async fn show_url(State(shared): State<Shared<Emulator>>) -> Response {
    let url = shared.lock().notification_url().map(bare);
    axum::Json(json!({ "url": url })).into_response()
}

async fn deliveries(State(shared): State<Shared<Emulator>>) -> Response {
    let log = shared.lock().deliveries();
    axum::Json(json!({ "deliveries": log })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_sha1_of_id_and_secret() {
        assert_eq!(
            access_token("test-app-id", "test-app-secret"),
            "36849797cc664a7dcf42fc7bf1d5e03249445e07"
        );
        assert_eq!(bare("http://h/p?access_token=x"), "http://h/p");
    }
}
