//! Anor Bank BM-merchant API emulator (`/anor-bm`).
//!
//! Written from the provider's document ("ANOR BANK BM-MERCHANT-API" V-6.1).
//! JSON in, JSON out. Three answer families: the auth calls answer
//! `{"statusCode": 0, "statusMessage": "OK", "result": {...}}`, the card calls
//! `{"success": true, "exception": null, "data": ...}`, the billing calls a bill object
//! (`id`, `status`, `amount` in tiyin, `currency` 860, ...). Every error is an entry of the
//! document's catalogue with its HTTP status: `{"langs": {"uz","en","ru"}, "status",
//! "detail", "title"}`.
//!
//! | route | does |
//! |---|---|
//! | `POST /api/ext/user/login` | `username`/`password` → `access_token`, `refresh_token`, `expires_in` |
//! | `POST /api/ext/user/refresh-token` | a live `refreshToken` → a new token pair |
//! | `POST /services/partnercardms/api/send-otp` | `pan` + `exp`/`expiry` of a seed card → OTP session `id`, `phoneMask` |
//! | `POST /services/partnercardms/api/verify-otp` | `id` + `otp` → the card is bound, `data` is its token |
//! | `GET /services/partnercardms/api/get-user-cards` | the bound cards, PANs masked |
//! | `POST /services/bmms/api/agent/unregistered-check` | creates a bill `CHECK_OK` (keyed by `agentTranId`) |
//! | `POST /services/bmms/api/agent/unregistered-pay` | `billId` + `params.otp` → debits the card, `SUCCESS` |
//! | `POST /services/bmms/api/agent/hold/v2/otp` | `billId` + `params.otp` → holds the amount, `HOLD_SUCCESS` |
//! | `POST /services/bmms/api/agent/hold/v2/confirm` | `HOLD_SUCCESS` → `SUCCESS` |
//! | `POST /services/bmms/api/agent/hold/v2/more` | adds `amount` to the hold, at most 30 % of the first hold in total |
//! | `POST /services/bmms/api/agent/cancel/v3` | `SUCCESS` → `CANCELLED`, money back |
//! | `POST /services/bmms/api/agent/hold/v2/reverse` | `HOLD_SUCCESS` → `CANCELLED`, hold released |
//! | `POST /services/bmms/api/agent/hold/v2/reverse/partial` | releases `reverseAmount`, `amount` = what stays held |
//! | `POST /services/bmms/api/agent/status` | a bill by `billId` or `agentTranId` |
//! | `POST /services/bmms/api/ext/agent/pay` | merchant account → card payout, keyed by `agentTranId` |
//!
//! Every call but login and refresh needs `Authorization: Bearer <access_token>` (else 401
//! `bad_credentials`); every `POST` needs `Content-Type: application/json` (else 400
//! `invalid_request`) and a JSON object body (else 400 `parse_error`).
//!
//! State (per [`router`] call, behind one mutex): access and refresh tokens with their expiry
//! on tokio's clock, OTP sessions, the cards bound per user, card balances, bills with their
//! status, held amount and OTP, payouts by `agentTranId`, the merchant's deposit.
//! See [`seed`] and `docs/sandbox/anor-bm.md`.
//!
//! ```
//! let app = kassa_sandbox::anor_bm::router();
//! # let _ = app;
//! ```

mod catalogue;
pub mod seed;
mod state;
mod wire;

use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::Value;
use tokio::time::Instant;

use crate::clock::Clock;
use crate::ledger::{Book, Ledger};
use crate::shared::{self, Shared};
pub(crate) use state::Emulator;
use state::{Clock as CallClock, Op};

/// The document's paths, below the provider prefix `/anor-bm`.
pub mod paths {
    /// `POST`: log in with `username` and `password`.
    pub const LOGIN: &str = "/api/ext/user/login";
    /// `POST`: exchange a `refreshToken` for a new token pair.
    pub const REFRESH_TOKEN: &str = "/api/ext/user/refresh-token";
    /// `POST`: send an OTP to bind a card.
    pub const SEND_OTP: &str = "/services/partnercardms/api/send-otp";
    /// `POST`: confirm the OTP; answers the card token.
    pub const VERIFY_OTP: &str = "/services/partnercardms/api/verify-otp";
    /// `GET`: the bound cards.
    pub const GET_USER_CARDS: &str = "/services/partnercardms/api/get-user-cards";
    /// `POST`: create (check) a bill.
    pub const UNREGISTERED_CHECK: &str = "/services/bmms/api/agent/unregistered-check";
    /// `POST`: pay a bill with the client's OTP.
    pub const UNREGISTERED_PAY: &str = "/services/bmms/api/agent/unregistered-pay";
    /// `POST`: hold a bill's amount on the card with the client's OTP.
    pub const HOLD: &str = "/services/bmms/api/agent/hold/v2/otp";
    /// `POST`: debit the held amount.
    pub const HOLD_CONFIRM: &str = "/services/bmms/api/agent/hold/v2/confirm";
    /// `POST`: add up to 30 % of the first hold.
    pub const HOLD_MORE: &str = "/services/bmms/api/agent/hold/v2/more";
    /// `POST`: cancel a paid bill.
    pub const CANCEL: &str = "/services/bmms/api/agent/cancel/v3";
    /// `POST`: release a hold.
    pub const HOLD_REVERSE: &str = "/services/bmms/api/agent/hold/v2/reverse";
    /// `POST`: release part of a hold.
    pub const HOLD_REVERSE_PARTIAL: &str = "/services/bmms/api/agent/hold/v2/reverse/partial";
    /// `POST`: a bill's status by `billId` or `agentTranId`.
    pub const STATUS: &str = "/services/bmms/api/agent/status";
    /// `POST`: pay out from the merchant's account to a card.
    pub const EXT_PAY: &str = "/services/bmms/api/ext/agent/pay";
}

/// Builds a fresh Anor BM emulator (seed state from [`seed`]).
///
/// ```
/// let app = kassa_sandbox::anor_bm::router();
/// # let _ = app;
/// ```
pub fn router() -> Router {
    shared::build::<Emulator>(None, Clock::system(), Ledger::default()).0
}

impl shared::Emulator for Emulator {
    const PROVIDER: &'static str = "anor-bm";
    type Saved = Emulator;

    /// [`seed::ACCESS_TOKEN`] and [`seed::REFRESH_TOKEN`] are valid from now.
    fn seeded() -> Emulator {
        Emulator::seeded(Instant::now())
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
            .route(paths::LOGIN, call(Op::Login))
            .route(paths::REFRESH_TOKEN, call(Op::RefreshToken))
            .route(paths::SEND_OTP, call(Op::SendOtp))
            .route(paths::VERIFY_OTP, call(Op::VerifyOtp))
            .route(paths::GET_USER_CARDS, call(Op::GetUserCards))
            .route(paths::UNREGISTERED_CHECK, call(Op::Check))
            .route(paths::UNREGISTERED_PAY, call(Op::Pay))
            .route(paths::HOLD, call(Op::Hold))
            .route(paths::HOLD_CONFIRM, call(Op::HoldConfirm))
            .route(paths::HOLD_MORE, call(Op::HoldMore))
            .route(paths::CANCEL, call(Op::Cancel))
            .route(paths::HOLD_REVERSE, call(Op::HoldReverse))
            .route(paths::HOLD_REVERSE_PARTIAL, call(Op::HoldReversePartial))
            .route(paths::STATUS, call(Op::Status))
            .route(paths::EXT_PAY, call(Op::ExtPay))
            .fallback(|| async { catalogue::NOT_FOUND.into_response() })
    }
}

/// The route of one operation: `GET` for get-user-cards, `POST` for the others.
fn call(op: Op) -> MethodRouter<Shared<Emulator>> {
    let handler = move |State(shared): State<Shared<Emulator>>, headers: HeaderMap, body: Bytes| async move {
        run(&shared, op, &headers, &body)
    };
    if op == Op::GetUserCards {
        get(handler)
    } else {
        post(handler)
    }
}

/// Authenticates, reads the body, runs the operation; never holds the lock across `.await`.
fn run(shared: &Shared<Emulator>, op: Op, headers: &HeaderMap, body: &[u8]) -> Response {
    let clock = CallClock {
        now: Instant::now(),
        wall: SystemTime::from(shared.now()),
    };
    let mut emu = shared.lock();
    let user = if op.needs_bearer() {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        match emu.authenticate(authorization, clock.now) {
            Ok(user) => user,
            Err(e) => return e.into_response(),
        }
    } else {
        String::new()
    };
    let value = if op == Op::GetUserCards {
        Value::Null
    } else {
        match read_body(headers, body) {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        }
    };
    let commits = emu.book.commits();
    match emu.dispatch(op, &user, &value, clock) {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(e) => {
            tracing::debug!(?op, detail = e.detail, "anor-bm error answer");
            if let Some(operation) = op.money()
                && emu.book.commits() == commits
            {
                refused(&mut emu.book, operation, &value, e.detail);
            }
            e.into_response()
        }
    }
}

/// A refused money-moving request in the ledger, with the ids and amount it named.
fn refused(book: &mut Book, operation: &str, body: &Value, code: &str) {
    let scalar = |name: &str| match body.get(name) {
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let ids: Vec<(&str, String)> = ["billId", "agentTranId"]
        .into_iter()
        .filter_map(|name| scalar(name).map(|v| (name, v)))
        .collect();
    let amount = ["amount", "reverseAmount"]
        .into_iter()
        .find_map(|name| body.get(name).and_then(Value::as_i64));
    book.refuse(operation, &ids, amount, "UZS", code);
}

/// The JSON object of a `POST` with `Content-Type: application/json`.
fn read_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, catalogue::ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.to_ascii_lowercase().ends_with("+json")
        });
    if !json {
        return Err(catalogue::INVALID_REQUEST);
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| catalogue::PARSE_ERROR)?;
    if !value.is_object() {
        return Err(catalogue::PARSE_ERROR);
    }
    Ok(value)
}
