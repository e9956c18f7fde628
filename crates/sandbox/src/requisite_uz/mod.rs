//! Emulator of the bank's partner API for payment orders by requisites (`requisite-uz`,
//! API v2, amounts in tiyin).
//!
//! Written from the provider's document ("Техническая документация «Оплата по реквизитам»") and the recorded fixtures:
//!
//! | method | path | operation |
//! |---|---|---|
//! | GET | `/api/v2/services` | the partner's services |
//! | POST | `/api/v2/payment` | payment order by requisites (keyed on `orderId`) |
//! | POST | `/api/v2/paymentBudget` | payment order to the budget (keyed on `orderId`) |
//! | GET | `/api/v2/payment/{orderId}` | status of a payment order (both kinds) |
//! | GET | `/api/v2/account/{serviceId}/balance` | a service's balance |
//! | POST | `/api/v2/account/payments` | a service's statement, paged with `lastId` |
//!
//! Every request needs HTTP Basic with [`seed::USERNAME`] / [`seed::PASSWORD`] (or the
//! fixtures' [`seed::FIXTURE_USERNAME`] / [`seed::FIXTURE_PASSWORD`]); anything else gets
//! HTTP 401 (the document does not say how a refusal looks). Every other answer is HTTP 200
//! with the envelope `{"status", "code", "message", "data"}`.
//!
//! State: the services and their balances, the payment orders keyed by `orderId` and the
//! statement rows. A new order is `Введен`; the first payment-status read still answers
//! `Введен`, the second and later ones the final status (`Проведен`, or `Удален` for
//! [`seed::AMOUNT_DELETED_BY_BANK`]). See `docs/sandbox/requisite-uz.md`.

pub mod seed;
mod state;
mod wire;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::ledger::{Book, Ledger};
use crate::shared::{self, Shared};
pub(crate) use state::Emulator;
use state::Kind;
use wire::{
    EXPENSE, INCOME, MISSING_FIELDS, parse_body, refuse, success, success_without_code, text,
    tiyin, valid_date,
};

/// Builds the emulator's router with fresh seed state (mounted under `/requisite-uz`).
///
/// ```
/// let router = kassa_sandbox::requisite_uz::router();
/// # let _ = router;
/// ```
pub fn router() -> Router {
    shared::build::<Emulator>(None, Clock::system(), Ledger::default()).0
}

impl shared::Emulator for Emulator {
    const PROVIDER: &'static str = "requisite-uz";
    type Saved = Emulator;

    fn seeded() -> Emulator {
        Emulator::seeded()
    }

    fn restore(saved: Emulator) -> Emulator {
        saved
    }

    fn snapshot(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn book(&mut self) -> &mut Book {
        &mut self.book
    }

    fn routes() -> Router<Shared<Emulator>> {
        Router::new()
            .route("/api/v2/services", get(services))
            .route("/api/v2/payment", post(payment))
            .route("/api/v2/paymentBudget", post(payment_budget))
            .route("/api/v2/payment/{order_id}", get(payment_status))
            .route("/api/v2/account/{service_id}/balance", get(balance))
            .route("/api/v2/account/payments", post(statement))
            .route_layer(middleware::from_fn(basic_auth))
    }
}

// ---------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    matches!(
        text.split_once(':'),
        Some((seed::USERNAME, seed::PASSWORD))
            | Some((seed::FIXTURE_USERNAME, seed::FIXTURE_PASSWORD))
    )
}

async fn basic_auth(req: Request, next: Next) -> Response {
    if authorized(req.headers()) {
        return next.run(req).await;
    }
    let mut answer = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({
            "status": "error",
            "code": 401,
            "message": "Unauthorized",
            "data": Value::Null,
        })),
    )
        .into_response();
    answer.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"requisite-uz\""),
    );
    answer
}

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

async fn services(State(shared): State<Shared<Emulator>>) -> Response {
    success(shared.lock().services())
}

/// Creates an order (payment or paymentBudget) or refuses it; the lock is never held
/// across an await (there is none).
fn create(shared: &Shared<Emulator>, body: &Bytes, kind: Kind) -> Response {
    let Some(body) = parse_body(body) else {
        return refuse(MISSING_FIELDS);
    };
    let now = shared.now();
    let mut emu = shared.lock();
    let commits = emu.book.commits();
    match emu.create(&body, kind, now) {
        Ok(data) => success(data),
        Err(refusal) => {
            if emu.book.commits() == commits {
                // Nothing was debited: a refusal in the ledger, with what the order named.
                let ids: Vec<(&str, String)> = text(&body, "orderId")
                    .map(|o| ("orderId", o))
                    .into_iter()
                    .collect();
                let amount = text(&body, "amount")
                    .and_then(|a| tiyin(&a))
                    .and_then(|a| i64::try_from(a).ok());
                emu.book.refuse(
                    kind.operation(),
                    &ids,
                    amount,
                    "UZS",
                    refusal.code().to_string(),
                );
            }
            refuse(refusal)
        }
    }
}

async fn payment(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    create(&shared, &body, Kind::Requisites)
}

async fn payment_budget(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    create(&shared, &body, Kind::Budget)
}

async fn payment_status(
    State(shared): State<Shared<Emulator>>,
    Path(order_id): Path<String>,
) -> Response {
    match shared.lock().payment_status(&order_id) {
        Ok(data) => success(data),
        Err(refusal) => refuse(refusal),
    }
}

async fn balance(
    State(shared): State<Shared<Emulator>>,
    Path(service_id): Path<String>,
) -> Response {
    match shared.lock().balance(&service_id) {
        Ok(data) => success_without_code(data),
        Err(refusal) => refuse(refusal),
    }
}

async fn statement(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    let Some(body) = parse_body(&body) else {
        return refuse(MISSING_FIELDS);
    };
    let kind = match text(&body, "type").as_deref() {
        Some("0") => None,
        Some("1") => Some(INCOME),
        Some("2") => Some(EXPENSE),
        _ => return refuse(MISSING_FIELDS),
    };
    let Some(last_id) = text(&body, "lastId").and_then(|v| tiyin(&v)) else {
        return refuse(MISSING_FIELDS);
    };
    let (Some(from), Some(to)) = (text(&body, "fromDate"), text(&body, "toDate")) else {
        return refuse(MISSING_FIELDS);
    };
    if !valid_date(&from) || !valid_date(&to) {
        return refuse(MISSING_FIELDS);
    }
    let Some(service_id) = text(&body, "serviceId") else {
        return refuse(MISSING_FIELDS);
    };
    match shared
        .lock()
        .statement(&service_id, kind, last_id, (&from, &to))
    {
        Ok(page) => success_without_code(page),
        Err(refusal) => refuse(refusal),
    }
}
