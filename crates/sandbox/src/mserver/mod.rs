//! Emulator of the mserver wallet API (`mserver`, RUB), under `/mserver/v1`, with its token
//! service beside it at `/mserver/oauth/token`.
//!
//! Written from the provider's document ("mserver API", the wallet API) and the project's
//! provider notes (the wallet-account calls and the token service, which the document only
//! links):
//!
//! | method | path | operation |
//! |---|---|---|
//! | POST | `/oauth/token` | a token: `client_credentials` (the application's) or `password` (a wallet's) |
//! | POST | `/v1/wallet` | create a wallet (inactive until its SMS code) |
//! | POST | `/v1/wallet/activate` | activate with the code ([`seed::SMS_CODE`]) |
//! | POST | `/v1/wallet/resend_code` | a fresh code: expiry and failures reset |
//! | POST | `/v1/wallet/send_password_reset_code` | a code to change the password with |
//! | POST | `/v1/wallet/reset_password` | the new password, with the code |
//! | GET | `/v1/wallet` | the wallet and its balance |
//! | DELETE | `/v1/wallet/{phone}` | delete a wallet (admin Basic credentials, [`seed::ADMIN_LOGIN`]) |
//! | POST, GET | `/v1/wallet/person` | the person's data |
//! | POST, DELETE | `/v1/wallet/picture` | upload (multipart `file`, JPEG or PNG, 10 MB) or delete the picture |
//! | POST | `/v1/wallet/find` | active wallets among phones (`contacts` or `phones`) |
//! | GET | `/v1/wallet/replenishment_points` | where to top up |
//! | POST | `/v1/wallet/settings` | e-mail and how often the statement goes to it |
//! | POST | `/v1/wallet/status` | webhook (credentials in the query): the wallet is verified or not |
//! | GET | `/v1/errors` | the error codes (no auth; 304 on `If-Modified-Since`) |
//! | GET | `/v1/options` | the application's settings |
//! | GET | `/v1/services/groups` | every group with its services (304 on `If-Modified-Since`) |
//! | GET | `/v1/services/mnp` | a mobile operator's service by `provider_id` and `provider_region_code` |
//! | GET | `/v1/services/mobile/{phone}` | the operator's service for a number (no auth) |
//! | POST | `/v1/services/order` | ask for a new service |
//! | GET | `/v1/geo` | cities (major ones, or by title) |
//! | GET | `/v1/locations` | the points, by `group` |
//! | GET | `/v1/services` | the catalogue, paged from 1 (`page`, `size`), 304 on `If-Modified-Since` |
//! | GET | `/v1/services/{id}` | a service with its parameter and patterns |
//! | GET | `/v1/groups` | the groups, 304 on `If-Modified-Since` |
//! | POST | `/v1/payments` | create a payment (`out` to a service, `in` from a card), at most once per `client_payment_id` |
//! | POST | `/v1/payments/{id}/pay` | pay it: `processing`, the balance moves or the payment will be declined |
//! | GET | `/v1/payments/{id}` | the payment (a processing one is final at its first read) |
//! | GET | `/v1/payments` | the wallet's payments, paged from 0 (then seen) |
//! | POST | `/v1/payments/bill` | the receipt of an anonymous payment by e-mail (application token) |
//! | GET | `/v1/payments/reset_unseen` | every payment seen |
//! | POST | `/v1/payments/best/p2p` | webhook: log a transfer (no auth) |
//! | GET | `/v1/payments/best`, `/v1/payments/best/reset_unseen` | the wallet's logged transfers; all seen |
//! | GET | `/v1/payment_page/{id}` | the card payment page of an in-payment: the card pays |
//! | POST, GET | `/v1/cards` | bind a card (`pending`, with its page), list (`state` filter) |
//! | GET, DELETE | `/v1/cards/{id}` | a card; unbind it |
//! | GET | `/v1/card_page/{id}` | the card binding page: the card becomes `active` |
//! | POST, GET | `/v1/invoices` | ask another wallet for money; the invoices the caller is to pay |
//! | GET | `/v1/invoices/created` | the invoices the caller made |
//! | POST | `/v1/invoices/{id}/pay` | a `p2p` payment for it (pay it: both wallets change) |
//! | GET | `/v1/invoices/{id}/cancel` | withdraw an unpaid invoice |
//! | GET | `/v1/invoices/{id}/duplicate` | the same invoice again |
//! | POST, GET | `/v1/payments/templates` | create, list templates |
//! | GET, POST, DELETE | `/v1/payments/templates/{id}` | get, update, delete a template |
//! | GET | `/v1/limits` | the limits by wallet level |
//!
//! Every answer is the envelope `{"meta": {"code", ...}, "data"}`; a refusal has
//! `meta.error`, `meta.error_message` and sometimes `meta.details` (HTTP 401, 403, 404,
//! 422). Auth: HTTP Basic with a wallet's phone and password, or `Bearer` with a token from
//! the token service (an application token also needs `X-Authorization-Type: application`;
//! it may read the catalogue and make anonymous `inout` payments, a wallet's calls answer
//! it 403 `insufficient_scope`). Tokens and codes expire on tokio's clock.
//!
//! Every payment status change is POSTed to the notification URL, when one is set
//! (`PUT /_sandbox/mserver/notification-url`, or `Sandbox::set_mserver_notification_url`),
//! signed with [`seed::APP_ID`] and `sha1(APP_ID + APP_SECRET)`; deliveries are logged at
//! `GET /_sandbox/mserver/notifications`. See `docs/sandbox/mserver.md`.

mod notify;
pub mod seed;
mod state;
mod wire;

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::ledger::{Book, Ledger};
use crate::shared::{self, Shared};
pub(crate) use notify::control_router;
pub(crate) use state::Emulator;
use wire::{Auth, Refusal, auth, form, object, refuse, respond};

/// Builds the emulator's router with fresh seed state (mounted under `/mserver`).
///
/// ```
/// let router = kassa_sandbox::mserver::router();
/// # let _ = router;
/// ```
pub fn router() -> Router {
    shared::build::<Emulator>(None, Clock::system(), Ledger::default()).0
}

impl shared::Emulator for Emulator {
    const PROVIDER: &'static str = "mserver";
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
        let v1 = Router::new()
            .route("/wallet", post(create_wallet).get(get_wallet))
            .route("/wallet/activate", post(activate_wallet))
            .route("/wallet/resend_code", post(resend_code))
            .route("/wallet/send_password_reset_code", post(send_reset_code))
            .route("/wallet/reset_password", post(reset_password))
            .route("/wallet/{phone}", axum::routing::delete(delete_wallet))
            .route("/wallet/person", post(put_person).get(get_person))
            .route(
                "/wallet/picture",
                post(upload_picture)
                    .delete(delete_picture)
                    .layer(DefaultBodyLimit::max(seed::MAX_PICTURE_BYTES + 64 * 1024)),
            )
            .route("/wallet/find", post(find_wallets))
            .route("/wallet/replenishment_points", get(replenishment_points))
            .route("/wallet/settings", post(wallet_settings))
            .route("/wallet/status", post(wallet_status))
            .route("/errors", get(errors))
            .route("/options", get(options))
            .route("/services", get(list_services))
            .route("/services/groups", get(services_by_groups))
            .route("/services/mnp", get(service_by_mnp))
            .route("/services/mobile/{phone}", get(mobile_operator))
            .route("/services/order", post(order_service))
            .route("/services/{id}", get(get_service))
            .route("/groups", get(list_groups))
            .route("/geo", get(geo))
            .route("/locations", get(locations))
            .route("/payments/bill", post(payment_bill))
            .route("/payments/reset_unseen", get(reset_unseen))
            .route("/payments/best/p2p", post(best_p2p))
            .route("/payments/best", get(list_best))
            .route("/payments/best/reset_unseen", get(reset_best_unseen))
            .route("/invoices/{id}/duplicate", get(duplicate_invoice))
            .route("/payments", post(create_payment).get(list_payments))
            .route("/payments/{id}", get(get_payment))
            .route("/payments/{id}/pay", post(pay_payment))
            .route("/payment_page/{id}", get(payment_page))
            .route("/cards", post(create_card).get(list_cards))
            .route("/cards/{id}", get(get_card).delete(delete_card))
            .route("/card_page/{id}", get(card_page))
            .route("/invoices", post(create_invoice).get(list_invoices))
            .route("/invoices/created", get(list_created_invoices))
            .route("/invoices/{id}/pay", post(pay_invoice))
            .route("/invoices/{id}/cancel", get(cancel_invoice))
            .route(
                "/payments/templates",
                post(create_template).get(list_templates),
            )
            .route(
                "/payments/templates/{id}",
                get(get_template)
                    .post(update_template)
                    .delete(delete_template),
            )
            .route("/limits", get(limits));
        Router::new()
            .route("/oauth/token", post(token))
            .nest("/v1", v1)
    }
}

type Params = Query<HashMap<String, String>>;

fn body_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, Refusal> {
    object(body).ok_or_else(|| Refusal::invalid("body"))
}

/// Answers with `answer` of the JSON object body, or refuses a body that is not one.
fn with_body(
    body: &Bytes,
    answer: impl FnOnce(&serde_json::Map<String, Value>) -> Response,
) -> Response {
    match body_object(body) {
        Ok(b) => answer(&b),
        Err(r) => refuse(&r),
    }
}

/// `page` and `size` from the query: defaults, and 422 naming the field when not a number
/// in range.
fn paging(q: &HashMap<String, String>, first: u64) -> Result<(u64, u64), Refusal> {
    let read = |name: &str, default: u64, min: u64, max: u64| match q.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| Refusal::invalid(name)),
    };
    Ok((
        read("page", first, first, 1_000_000)?,
        read("size", 20, 1, 100)?,
    ))
}

fn if_modified_since(headers: &HeaderMap) -> Option<i64> {
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------------------------
// Token service
// ---------------------------------------------------------------------------------------

async fn token(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = match auth(&headers) {
        Auth::Basic(id, secret) => Some((id, secret)),
        _ => None,
    };
    let client = client.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
    let issued = shared.lock().issue_token(client, &form(&body));
    match issued {
        Ok(data) => axum::Json(json!({"meta": {"code": 200}, "data": data})).into_response(),
        Err((status, body)) => (
            axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::UNAUTHORIZED),
            axum::Json(body),
        )
            .into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// Wallets
// ---------------------------------------------------------------------------------------

async fn create_wallet(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return refuse(&r),
    };
    let created = shared.lock().create_wallet(&body);
    with_code(created)
}

/// An answer that sent a code: the sandbox is a development server, it shows the code it
/// "sent" as `dev.security_code`.
fn with_code(outcome: wire::Outcome) -> Response {
    match outcome {
        Ok(answer) => {
            let mut meta = serde_json::Map::new();
            meta.insert("code".into(), json!(200));
            meta.extend(answer.meta);
            wire::json_answer(
                axum::http::StatusCode::OK,
                &json!({
                    "meta": meta,
                    "data": answer.data,
                    "dev": {"security_code": seed::SMS_CODE},
                }),
            )
        }
        Err(refusal) => refuse(&refusal),
    }
}

async fn activate_wallet(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    with_body(&body, |b| respond(shared.lock().activate_wallet(b)))
}

async fn resend_code(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    with_body(&body, |b| with_code(shared.lock().resend_code(b)))
}

async fn get_wallet(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().get_wallet(&auth(&headers)))
}

// ---------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------

async fn list_services(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let paging = match paging(&q, 1) {
        Ok(p) => p,
        Err(r) => return refuse(&r),
    };
    let now = shared.now();
    let since = if_modified_since(&headers);
    respond(
        shared
            .lock()
            .list_services(&auth(&headers), paging, since, now),
    )
}

async fn list_groups(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    let now = shared.now();
    let since = if_modified_since(&headers);
    respond(shared.lock().list_groups(&auth(&headers), since, now))
}

async fn get_service(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return refuse(&Refusal::not_found());
    };
    respond(shared.lock().get_service(&auth(&headers), id))
}

// ---------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------

async fn create_payment(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return refuse(&r),
    };
    let now = shared.now();
    let mut emu = shared.lock();
    let commits = emu.book.commits();
    let answer = emu.create_payment(&auth(&headers), &body, now);
    if let Err(r) = &answer
        && emu.book.commits() == commits
    {
        let key = body
            .get("client_payment_id")
            .and_then(Value::as_str)
            .map(|k| ("client_payment_id", k.to_owned()));
        let amount = body.get("amount").and_then(wire::kopecks);
        refused(&mut emu.book, "create-payment", key.as_slice(), amount, r);
    }
    drop(emu);
    respond(answer)
}

/// A refused money-moving request in the ledger (not one refused for its credentials).
fn refused(
    book: &mut Book,
    operation: &str,
    ids: &[(&str, String)],
    amount: Option<i64>,
    r: &Refusal,
) {
    if r.status == 401 {
        return;
    }
    let code = r.error.map_or_else(|| r.status.to_string(), str::to_owned);
    book.refuse(operation, ids, amount, state::CURRENCY, code);
}

/// The emulator's own base URL as the client reached it (for the payment page).
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/mserver/v1")
}

async fn pay_payment(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return refuse(&Refusal::not_found());
    };
    let now = shared.now();
    let mut emu = shared.lock();
    let answer = emu.pay_payment(&auth(&headers), id, &origin(&headers), now);
    if let Err(r) = &answer {
        refused(
            &mut emu.book,
            "pay-payment",
            &[("id", id.to_string())],
            None,
            r,
        );
    }
    drop(emu);
    notify::dispatch(&shared);
    respond(answer)
}

async fn get_payment(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return refuse(&Refusal::not_found());
    };
    let now = shared.now();
    let answer = shared.lock().get_payment(&auth(&headers), id, now);
    notify::dispatch(&shared);
    respond(answer)
}

async fn list_payments(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let paging = match paging(&q, 0) {
        Ok(p) => p,
        Err(r) => return refuse(&r),
    };
    respond(
        shared
            .lock()
            .list_payments(&auth(&headers), paging.0, paging.1),
    )
}

async fn payment_page(State(shared): State<Shared<Emulator>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return refuse(&Refusal::not_found());
    };
    let now = shared.now();
    let paid = shared.lock().card_pays(id, now);
    notify::dispatch(&shared);
    match paid {
        Ok(_) => respond(Ok(wire::Answer::data(json!({"id": id, "paid": true})))),
        Err(refusal) => refuse(&refusal),
    }
}

// ---------------------------------------------------------------------------------------
// Cards, invoices, templates, limits
// ---------------------------------------------------------------------------------------

fn number(id: &str) -> Result<u64, Refusal> {
    id.parse().map_err(|_| Refusal::not_found())
}

async fn create_card(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(
        shared
            .lock()
            .create_card(&auth(&headers), &origin(&headers)),
    )
}

async fn list_cards(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let states = q.get("state").map(String::as_str);
    respond(shared.lock().list_cards(&auth(&headers), states))
}

async fn get_card(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match number(&id) {
        Ok(id) => respond(shared.lock().get_card(&auth(&headers), id)),
        Err(r) => refuse(&r),
    }
}

async fn delete_card(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match number(&id) {
        Ok(id) => respond(shared.lock().delete_card(&auth(&headers), id)),
        Err(r) => refuse(&r),
    }
}

async fn card_page(State(shared): State<Shared<Emulator>>, Path(id): Path<String>) -> Response {
    let bound = number(&id).and_then(|id| shared.lock().card_bound(id));
    match bound {
        Ok(()) => respond(Ok(wire::Answer::data(json!({"id": id, "bound": true})))),
        Err(r) => refuse(&r),
    }
}

async fn create_invoice(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_body(&body, |b| {
        respond(shared.lock().create_invoice(&auth(&headers), b))
    })
}

async fn list_invoices(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().list_invoices(&auth(&headers), false))
}

async fn list_created_invoices(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
) -> Response {
    respond(shared.lock().list_invoices(&auth(&headers), true))
}

async fn pay_invoice(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let now = shared.now();
    let mut emu = shared.lock();
    let answer = emu.pay_invoice(&auth(&headers), &id, now);
    if let Err(r) = &answer {
        refused(
            &mut emu.book,
            "pay-invoice",
            &[("invoice", id.clone())],
            None,
            r,
        );
    }
    drop(emu);
    respond(answer)
}

async fn cancel_invoice(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(shared.lock().cancel_invoice(&auth(&headers), &id))
}

async fn create_template(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_body(&body, |b| {
        respond(shared.lock().create_template(&auth(&headers), b))
    })
}

async fn list_templates(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().list_templates(&auth(&headers)))
}

async fn get_template(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(shared.lock().get_template(&auth(&headers), &id))
}

async fn update_template(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    with_body(&body, |b| {
        respond(shared.lock().update_template(&auth(&headers), &id, b))
    })
}

async fn delete_template(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(shared.lock().delete_template(&auth(&headers), &id))
}

async fn limits(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().limits(&auth(&headers)))
}

// ---------------------------------------------------------------------------------------
// Wallet account, person, picture, find, points, settings, status webhook
// ---------------------------------------------------------------------------------------

async fn send_reset_code(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    with_body(&body, |b| with_code(shared.lock().send_reset_code(b)))
}

async fn reset_password(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    with_body(&body, |b| respond(shared.lock().reset_password(b)))
}

async fn delete_wallet(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(phone): Path<String>,
) -> Response {
    respond(shared.lock().delete_wallet(&auth(&headers), &phone))
}

async fn put_person(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = shared.now();
    with_body(&body, |b| {
        respond(shared.lock().put_person(&auth(&headers), b, now))
    })
}

async fn get_person(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().get_person(&auth(&headers)))
}

async fn upload_picture(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let file = wire::multipart_file(&headers, &body, "file").map(|f| (f.content_type, f.bytes));
    let origin = origin(&headers);
    respond(shared.lock().upload_picture(&auth(&headers), file, &origin))
}

async fn delete_picture(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().delete_picture(&auth(&headers)))
}

async fn find_wallets(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_body(&body, |b| {
        respond(shared.lock().find_wallets(&auth(&headers), b))
    })
}

async fn replenishment_points(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
) -> Response {
    respond(shared.lock().replenishment_points(&auth(&headers)))
}

async fn wallet_settings(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_body(&body, |b| {
        respond(shared.lock().wallet_settings(&auth(&headers), b))
    })
}

async fn wallet_status(
    State(shared): State<Shared<Emulator>>,
    Query(q): Params,
    body: Bytes,
) -> Response {
    let client = q.get("webhook_client_id").map(String::as_str);
    let token = q.get("webhook_client_token").map(String::as_str);
    with_body(&body, |b| {
        respond(shared.lock().wallet_status(client, token, b))
    })
}

// ---------------------------------------------------------------------------------------
// Reference data: errors, options, services by groups, MNP, operators, orders, geo, places
// ---------------------------------------------------------------------------------------

async fn errors(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(Emulator::errors(if_modified_since(&headers), shared.now()))
}

async fn options(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().options(&auth(&headers)))
}

async fn services_by_groups(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
) -> Response {
    let now = shared.now();
    let since = if_modified_since(&headers);
    respond(
        shared
            .lock()
            .services_by_groups(&auth(&headers), since, now),
    )
}

async fn service_by_mnp(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    respond(shared.lock().service_by_mnp(
        &auth(&headers),
        q.get("provider_id").map(String::as_str),
        q.get("provider_region_code").map(String::as_str),
    ))
}

async fn mobile_operator(Path(phone): Path<String>) -> Response {
    respond(Emulator::mobile_operator(&phone))
}

async fn order_service(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = shared.now();
    with_body(&body, |b| {
        respond(shared.lock().order_service(&auth(&headers), b, now))
    })
}

async fn geo(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    respond(shared.lock().geo(
        &auth(&headers),
        q.get("filter_by").map(String::as_str),
        q.get("title").map(String::as_str),
    ))
}

async fn locations(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    respond(
        shared
            .lock()
            .locations(&auth(&headers), q.get("group").map(String::as_str)),
    )
}

// ---------------------------------------------------------------------------------------
// Payments: bill, unseen counters, best transfers; invoice duplicates
// ---------------------------------------------------------------------------------------

async fn payment_bill(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_body(&body, |b| {
        respond(shared.lock().payment_bill(&auth(&headers), b))
    })
}

async fn reset_unseen(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().reset_unseen(&auth(&headers)))
}

async fn best_p2p(State(shared): State<Shared<Emulator>>, body: Bytes) -> Response {
    let now = shared.now();
    with_body(&body, |b| respond(shared.lock().best_p2p(b, now)))
}

async fn list_best(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().list_best(&auth(&headers)))
}

async fn reset_best_unseen(State(shared): State<Shared<Emulator>>, headers: HeaderMap) -> Response {
    respond(shared.lock().reset_best_unseen(&auth(&headers)))
}

async fn duplicate_invoice(
    State(shared): State<Shared<Emulator>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(shared.lock().duplicate_invoice(&auth(&headers), &id))
}
