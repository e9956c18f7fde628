//! Mobilnik wallet API emulator (`/mobilnik`).
//!
//! Written from the provider's document ("MobilnikAPI документ"): every call is a `GET` with query
//! parameters, every answer is JSON with HTTP 200 and the outcome in `status_code`
//! (0 = OK; errors are `{"status_code": N, "message": "<NAME>"}`).
//!
//! | route | does |
//! |---|---|
//! | `GET /authentication/` | checks `id`, `login`, `password`, `device`, `client=4`; issues a new token (the previous one of that login stops working) |
//! | `GET /service_list/` | services and categories |
//! | `GET /check_requisite/` | `customer_name` of a requisite of a service |
//! | `GET /payment/` | debits the wallet, records an operation, answers `balance` and `operation_id` |
//! | `GET /check_payment/` | `status_id` of an operation: 0 on the first check, then its final status |
//! | `GET /transfer_request/` | moves money to another wallet |
//!
//! State (per [`router`] call): each seed login's balance in tyiyn (integers, never
//! floats), its current token and the token's expiry on tokio's clock, the operations made
//! by `/payment/` and how many times each was checked. See [`seed`] and
//! `docs/sandbox/mobilnik.md`.
//!
//! ```
//! let app = kassa_sandbox::mobilnik::router();
//! # let _ = app;
//! ```

pub mod seed;
mod state;
mod wire;

use std::collections::HashMap;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use crate::clock::Clock;
use crate::ledger::{Book, Ledger};
use crate::shared::{self, Shared};
pub(crate) use state::{Emulator, Saved};
use wire::{answer, code, error, parse_amount, valid_login};

/// Builds a fresh Mobilnik emulator (seed state from [`seed`]).
///
/// ```
/// let app = kassa_sandbox::mobilnik::router();
/// # let _ = app;
/// ```
pub fn router() -> Router {
    shared::build::<Emulator>(None, Clock::system(), Ledger::default()).0
}

impl shared::Emulator for Emulator {
    const PROVIDER: &'static str = "mobilnik";
    type Saved = Saved;

    fn seeded() -> Emulator {
        Emulator::seeded()
    }

    /// The saved state on the seed; users are matched by login, unknown ones ignored.
    fn restore(saved: Saved) -> Emulator {
        let mut emu = Emulator::seeded();
        emu.restore(saved);
        emu
    }

    fn snapshot(&self) -> Value {
        serde_json::to_value(self.saved()).unwrap_or(Value::Null)
    }

    fn book(&mut self) -> &mut Book {
        &mut self.book
    }

    fn routes() -> Router<Shared<Emulator>> {
        Router::new()
            .route("/authentication/", get(authentication))
            .route("/service_list/", get(service_list))
            .route("/check_requisite/", get(check_requisite))
            .route("/payment/", get(payment))
            .route("/check_payment/", get(check_payment))
            .route("/transfer_request/", get(transfer_request))
    }
}

// ---------------------------------------------------------------------------------------
// Requests

/// The query parameters of a call; an empty value counts as missing.
struct Params(HashMap<String, String>);

impl Params {
    fn from(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Params {
        Params(query.map(|Query(q)| q).unwrap_or_default())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, i64> {
        self.get(name).ok_or(code::NOT_ENOUGH_PARAMETERS)
    }

    /// `id` present and `client` = 4, the common parameters of every call.
    fn require_device(&self) -> Result<(), i64> {
        self.require("id")?;
        if self.require("client")? != seed::CLIENT {
            return Err(code::NOT_ENOUGH_PARAMETERS);
        }
        Ok(())
    }

    fn integer(&self, name: &str) -> Result<i64, i64> {
        self.require(name)?
            .parse::<i64>()
            .map_err(|_| code::NOT_ENOUGH_PARAMETERS)
    }

    fn amount(&self) -> Result<u64, i64> {
        parse_amount(self.require("amount")?).ok_or(code::NOT_ENOUGH_PARAMETERS)
    }
}

fn respond(result: Result<Response, i64>) -> Response {
    result.unwrap_or_else(error)
}

type Q = Result<Query<HashMap<String, String>>, QueryRejection>;

// ---------------------------------------------------------------------------------------
// Handlers

async fn authentication(State(shared): State<Shared<Emulator>>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        p.require("id")?;
        let login = p.require("login")?;
        let password = p.require("password")?;
        p.require("device")?;
        p.require_device()?;
        if !valid_login(login) {
            return Err(code::WRONG_LOGIN_FORMAT);
        }
        shared.lock().authenticate(login, password).map(answer)
    })())
}

async fn service_list(State(shared): State<Shared<Emulator>>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let emu = shared.lock();
        emu.authorize(p.get("token"))?;
        p.require_device()?;
        Ok(answer(emu.service_list()))
    })())
}

async fn check_requisite(State(shared): State<Shared<Emulator>>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let emu = shared.lock();
        emu.authorize(p.get("token"))?;
        p.require_device()?;
        let service_id = p.integer("service_id")?;
        let requisite = p.require("requisite")?;
        emu.check_requisite(service_id, requisite).map(answer)
    })())
}

async fn payment(State(shared): State<Shared<Emulator>>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let mut emu = shared.lock();
        let owner = emu.authorize(p.get("token"))?;
        p.require_device()?;
        let service_id = p.integer("service_id")?;
        let requisite = p.require("requisite")?;
        let amount = p.amount()?;
        let paid = emu.pay(owner, service_id, requisite, amount);
        if let Err(code) = paid {
            let ids = [
                ("service_id", service_id.to_string()),
                ("requisite", requisite.to_owned()),
            ];
            let amount = Some(state::minor(amount));
            emu.book.refuse(
                "payment",
                &ids,
                amount,
                state::CURRENCY,
                wire::code::name(code),
            );
        }
        paid.map(answer)
    })())
}

async fn check_payment(State(shared): State<Shared<Emulator>>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let mut emu = shared.lock();
        let caller = emu.authorize(p.get("token"))?;
        // The document lists only operation_id here: id and client are not required.
        let operation_id = p
            .require("operation_id")?
            .parse::<u64>()
            .map_err(|_| code::NOT_ENOUGH_PARAMETERS)?;
        emu.check_payment(caller, operation_id).map(answer)
    })())
}

async fn transfer_request(State(shared): State<Shared<Emulator>>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let mut emu = shared.lock();
        let sender = emu.authorize(p.get("token"))?;
        p.require_device()?;
        let service_id = p.integer("service_id")?;
        let customer_id = p.require("customer_id")?;
        let amount = p.amount()?;
        if !p.0.contains_key("comment") {
            return Err(code::NOT_ENOUGH_PARAMETERS);
        }
        if p.require("status")? != "2" {
            return Err(code::NOT_ENOUGH_PARAMETERS);
        }
        let moved = emu.transfer(sender, service_id, customer_id, amount);
        if let Err(code) = moved {
            let ids = [
                ("service_id", service_id.to_string()),
                ("customer_id", customer_id.to_owned()),
            ];
            let amount = Some(state::minor(amount));
            emu.book.refuse(
                "transfer-request",
                &ids,
                amount,
                state::CURRENCY,
                wire::code::name(code),
            );
        }
        moved.map(answer)
    })())
}
