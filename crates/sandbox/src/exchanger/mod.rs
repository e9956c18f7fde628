//! Emulator of an exchanger's user API v1 (the Premium Exchanger engine).
//!
//! Written from the provider's document ("Premium Exchanger API v1") and the provider notes.
//! Every call is a POST of form fields to `/api/userapi/v1/<method>` (a trailing slash is
//! accepted) with the headers `API-LOGIN` / `API-KEY` ([`seed::API_LOGIN`] /
//! [`seed::API_KEY`]) and an optional `API-LANG`:
//!
//! | method | what it does |
//! |---|---|
//! | `test` | the caller's ip, user, locale and partner |
//! | `get_direction_currencies` | currencies given and got, filtered by currency |
//! | `get_directions` | directions; filtered by a currency, an object keyed by id |
//! | `get_direction` | one direction: rate, reserve, sums, limits, fields |
//! | `get_calc` | the sums for an amount of one of the four `calc_action`s |
//! | `create_bid` | a bid (`new`), with `api_id`, `partner_id`, `callback_url` |
//! | `bid_info` | a bid by `id` or `hash` |
//! | `pay_bid`, `success_bid`, `cancel_bid` | `new` → `payed` → `success`, `new` → `cancel` |
//! | `get_exchanges` | the bids, filtered by time, `id`, `api_id`, paged |
//! | `get_partner_info`, `get_partner_links`, `get_partner_exchanges`, `get_partner_payouts` | partner data |
//! | `add_partner_payout` | pays out the partner's balance in one currency |
//!
//! Answers are HTTP 200 with `{"error", "error_text", "data"}`; numbers come as strings,
//! `get_exchanges` and `get_partner_exchanges` key `items` by bid id, and an empty result
//! is `data: []`. A bid created with a `callback_url` has `bid_id` and `status` POSTed to it
//! on every status change, listed at `GET /_sandbox/exchanger/callbacks`. See
//! `docs/sandbox/exchanger.md`.

mod callback;
pub mod seed;
mod state;
mod wire;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use serde_json::Value;

use crate::clock::Clock;
use crate::ledger::{Book, Ledger};
use crate::shared::{self, Shared};
pub(crate) use state::Emulator;
use wire::{Fail, api_disabled, fail, form, method_not_supported, ok};

/// Builds the emulator's router with fresh seed state (mounted under `/exchanger`).
///
/// ```
/// let router = kassa_sandbox::exchanger::router();
/// # let _ = router;
/// ```
pub fn router() -> Router {
    shared::build::<Emulator>(None, Clock::system(), Ledger::default()).0
}

impl shared::Emulator for Emulator {
    const PROVIDER: &'static str = "exchanger";
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
            .route("/api/userapi/v1/{method}", post(call))
            .route("/api/userapi/v1/{method}/", post(call))
    }
}

/// `GET /_sandbox/exchanger/callbacks`: the callbacks delivered (see `callback.rs`).
pub(crate) fn control_router(shared: &Shared<Emulator>) -> Router {
    callback::control_router(shared.lock().callback_log())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// One API call: the key checked, the form read, one operation of the state.
async fn call(
    State(shared): State<Shared<Emulator>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if header(&headers, "api-login") != Some(seed::API_LOGIN)
        || header(&headers, "api-key") != Some(seed::API_KEY)
    {
        return api_disabled();
    }
    let lang = header(&headers, "api-lang").filter(|l| matches!(*l, "ru_RU" | "en_US"));
    let form = form(&body);
    let now = shared.now().unix_timestamp();
    let mut emu = shared.lock();
    let done = match method.as_str() {
        "test" => Ok(emu.test(lang)),
        "get_direction_currencies" => Ok(emu.direction_currencies(&form)),
        "get_directions" => Ok(emu.directions(&form)),
        "get_direction" => emu.direction(&form),
        "get_calc" => emu.get_calc(&form),
        "create_bid" => emu.create_bid(&form, now),
        "bid_info" => emu.bid_info(&form),
        "pay_bid" => emu.move_bid(&form, "payed", now),
        "success_bid" => emu.move_bid(&form, "success", now),
        "cancel_bid" => emu.move_bid(&form, "cancel", now),
        "get_exchanges" => emu.exchanges(&form),
        "get_partner_info" => Ok(emu.partner_info()),
        "get_partner_links" => emu.partner_links(&form),
        "get_partner_exchanges" => emu.partner_exchanges(&form),
        "get_partner_payouts" => emu.partner_payouts(&form),
        "add_partner_payout" => emu.add_payout(&form, now),
        _ => return method_not_supported(),
    };
    let operation = match method.as_str() {
        "create_bid" => Some("create-bid"),
        "pay_bid" => Some("pay-bid"),
        "success_bid" => Some("success-bid"),
        "cancel_bid" => Some("cancel-bid"),
        "add_partner_payout" => Some("add-partner-payout"),
        _ => None,
    };
    if let (Some(operation), Err(fail)) = (operation, &done) {
        // Nothing moved: a refusal in the ledger, with the ids the request named.
        let ids: Vec<(&str, String)> = ["id", "hash", "api_id"]
            .into_iter()
            .filter_map(|name| form.get(name).map(|v| (name, v.clone())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let code = match fail {
            Fail::NoBid => "no bid exists".to_owned(),
            Fail::DirectionNotFound => "direction not found".to_owned(),
            Fail::Refused { text, .. } => text.clone(),
        };
        emu.book.refuse(operation, &ids, None, "", code);
    }
    emu.send_callbacks();
    drop(emu);
    match done {
        Ok(data) => ok(data),
        Err(e) => fail(e),
    }
}
