//! The exchanger emulator's state (bids, reserves, partner balances and payouts) and its
//! operations, one per API method. Directions and currencies come from `seed.rs`.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::callback::{Callbacks, Job, Log};
use super::seed::{self, Currency, Direction, Field};
use super::wire::{Fail, date, dec, field, limit, number, parse_amount, round, show};
use crate::shared::splitmix64;

/// One bid and its history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Bid {
    id: u64,
    hash: String,
    api_id: String,
    direction: u64,
    partner: bool,
    amount_give: String,
    amount_get: String,
    user_hash: String,
    /// (unix time, status), oldest first; the last is the bid's status.
    statuses: Vec<(i64, String)>,
    #[serde(default)]
    callback_url: Option<String>,
}

impl Bid {
    fn status(&self) -> &str {
        self.statuses.last().map_or("new", |(_, s)| s.as_str())
    }

    fn changed(&self) -> i64 {
        self.statuses.last().map_or(0, |(t, _)| *t)
    }
}

/// A partner payout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payout {
    id: u64,
    time: i64,
    method_id: u64,
    account: String,
    pay_amount: String,
    original_amount: String,
    /// 0 waiting, 1 paid, 2 cancelled.
    status: u8,
}

/// What the emulator remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Emulator {
    next_bid: u64,
    bids: Vec<Bid>,
    /// Reserve of each direction's currency got, by direction id.
    reserves: BTreeMap<u64, String>,
    /// The partner's balance in each currency, by currency id.
    balances: BTreeMap<u64, String>,
    next_payout: u64,
    payouts: Vec<Payout>,
    /// Status changes of bids with a `callback_url`, to deliver after the call.
    #[serde(skip)]
    outbox: Vec<Job>,
    /// The callbacks' queue and delivered list (not saved).
    #[serde(skip)]
    callbacks: Callbacks,
    /// Its pen on the sandbox's ledger (not written to a state file).
    #[serde(skip)]
    pub(super) book: crate::ledger::Book,
}

/// The sums of a calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sums {
    give: Decimal,
    give_com: Decimal,
    get: Decimal,
    get_com: Decimal,
    changed: bool,
}

fn title(status: &str) -> &'static str {
    match status {
        "new" => "Новая заявка",
        "payed" => "Оплаченная заявка",
        "success" => "Выполненная заявка",
        "cancel" => "Отмененная заявка",
        _ => "",
    }
}

fn direction(id: Option<&str>) -> Result<&'static Direction, Fail> {
    let id: u64 = id
        .and_then(|v| v.parse().ok())
        .ok_or(Fail::DirectionNotFound)?;
    seed::DIRECTIONS
        .iter()
        .find(|d| d.id == id)
        .ok_or(Fail::DirectionNotFound)
}

fn currency(id: u64) -> Option<&'static Currency> {
    seed::CURRENCIES.iter().find(|c| c.id == id)
}

fn fields_json(fields: &[Field]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|f| {
                let options: Map<String, Value> = f
                    .options
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), json!(v)))
                    .collect();
                json!({
                    "name": f.name,
                    "type": if f.options.is_empty() { "input" } else { "select" },
                    "label": f.label,
                    "req": if f.required { "1" } else { "0" },
                    "tooltip": "",
                    "options": if options.is_empty() { json!([]) } else { Value::Object(options) },
                    "cd": if f.cd { "1" } else { "0" },
                })
            })
            .collect(),
    )
}

/// The sums from `amount` of kind `action` (1 give, 2 get, 3 give with commission, 4 get
/// with commission), before limits.
fn sums_of(d: &Direction, amount: Decimal, action: u8) -> Sums {
    let (cg, ct) = (dec(d.course_give), dec(d.course_get));
    let (com_give, com_get) = (dec(d.com_give), dec(d.com_get));
    let from_give = |give: Decimal| {
        let get = if cg.is_zero() {
            Decimal::ZERO
        } else {
            round(give * ct / cg, d.get.places)
        };
        Sums {
            give,
            give_com: give + com_give,
            get,
            get_com: get - com_get,
            changed: false,
        }
    };
    let from_get = |get: Decimal| {
        let give = if ct.is_zero() {
            Decimal::ZERO
        } else {
            round(get * cg / ct, d.give.places)
        };
        Sums {
            give,
            give_com: give + com_give,
            get,
            get_com: get - com_get,
            changed: false,
        }
    };
    match action {
        1 => from_give(amount),
        2 => from_get(amount),
        3 => from_give(amount - com_give),
        _ => from_get(amount + com_get),
    }
}

/// The calculator: the sums for `amount`, raised or lowered to the direction's limits
/// (`changed`).
pub(crate) fn calc(d: &Direction, amount: &str, action: &str) -> Result<Sums, Fail> {
    let action: u8 = match action {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        "4" => 4,
        _ => {
            return Err(Fail::field(
                "calc_action",
                "calc_action must be 1, 2, 3 or 4",
            ));
        }
    };
    let places = if action % 2 == 1 {
        d.give.places
    } else {
        d.get.places
    };
    let amount = parse_amount(amount)
        .filter(|a| *a > Decimal::ZERO)
        .ok_or_else(|| Fail::field("calc_amount", "calc_amount must be a positive decimal"))?;
    if amount.scale() > places && amount.normalize().scale() > places {
        return Err(Fail::field(
            "calc_amount",
            format!("calc_amount has more than {places} decimal places"),
        ));
    }
    let mut sums = sums_of(d, amount, action);
    let bound = |l: Option<&str>| l.map(dec);
    if let Some(min) = bound(d.min_give).filter(|m| sums.give < *m) {
        sums = Sums {
            changed: true,
            ..sums_of(d, min, 1)
        };
    }
    if let Some(max) = bound(d.max_give).filter(|m| sums.give > *m) {
        sums = Sums {
            changed: true,
            ..sums_of(d, max, 1)
        };
    }
    if let Some(min) = bound(d.min_get).filter(|m| sums.get < *m) {
        sums = Sums {
            changed: true,
            ..sums_of(d, min, 2)
        };
    }
    if let Some(max) = bound(d.max_get).filter(|m| sums.get > *m) {
        sums = Sums {
            changed: true,
            ..sums_of(d, max, 2)
        };
    }
    if sums.give <= Decimal::ZERO || sums.get_com <= Decimal::ZERO {
        return Err(Fail::field(
            "calc_amount",
            "calc_amount does not cover the commission",
        ));
    }
    Ok(sums)
}

impl Emulator {
    pub(crate) fn seeded() -> Emulator {
        let payout =
            |id, time, method_id, account: &str, pay: &str, original: &str, status| Payout {
                id,
                time,
                method_id,
                account: account.to_owned(),
                pay_amount: pay.to_owned(),
                original_amount: original.to_owned(),
                status,
            };
        Emulator {
            book: crate::ledger::Book::default(),
            next_bid: seed::FIRST_BID_ID,
            bids: Vec::new(),
            reserves: seed::DIRECTIONS
                .iter()
                .map(|d| (d.id, d.reserve.to_owned()))
                .collect(),
            balances: [
                (seed::USDT.id, seed::PARTNER_BALANCE.to_owned()),
                (seed::BTC.id, "0.00024".to_owned()),
                (seed::RUB.id, "0".to_owned()),
            ]
            .into_iter()
            .collect(),
            next_payout: seed::FIRST_PAYOUT_ID,
            payouts: vec![
                payout(
                    29,
                    1_680_000_000,
                    seed::BTC.id,
                    "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
                    "0.0003",
                    "0.0003",
                    2,
                ),
                payout(
                    30,
                    1_690_000_000,
                    seed::USDT.id,
                    "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb",
                    "12",
                    "12",
                    1,
                ),
                payout(
                    31,
                    1_695_000_000,
                    seed::USDT.id,
                    "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb",
                    "11",
                    "12",
                    0,
                ),
            ],
            outbox: Vec::new(),
            callbacks: Callbacks::default(),
        }
    }

    /// The list of callbacks delivered, for the control route.
    pub(crate) fn callback_log(&self) -> Log {
        self.callbacks.log()
    }

    /// Queues the callbacks of the status changes of the last call (never waits).
    pub(crate) fn send_callbacks(&mut self) {
        let jobs = std::mem::take(&mut self.outbox);
        self.callbacks.send(jobs);
    }

    fn changed_status(&mut self, at: usize) {
        let bid = &self.bids[at];
        if let Some(url) = &bid.callback_url {
            self.outbox.push(Job {
                url: url.clone(),
                bid_id: bid.id,
                status: bid.status().to_owned(),
            });
        }
    }

    fn reserve(&self, d: &Direction) -> Decimal {
        self.reserves
            .get(&d.id)
            .map_or_else(|| dec(d.reserve), |r| dec(r))
    }

    fn balance(&self, currency: u64) -> Decimal {
        self.balances
            .get(&currency)
            .map_or(Decimal::ZERO, |b| dec(b))
    }

    /// `test`.
    pub(crate) fn test(&self, lang: Option<&str>) -> Value {
        json!({
            "ip": seed::CLIENT_IP,
            "user_id": "0",
            "locale": lang.unwrap_or("ru_RU"),
            "partner_id": seed::PARTNER_ID.to_string(),
        })
    }

    /// `get_direction_currencies`.
    pub(crate) fn direction_currencies(&self, form: &HashMap<String, String>) -> Value {
        let (give, get) = filters(form);
        let mut gives: Vec<&Currency> = Vec::new();
        let mut gets: Vec<&Currency> = Vec::new();
        for d in seed::DIRECTIONS.iter().filter(|d| matches(d, give, get)) {
            if !gives.iter().any(|c| c.id == d.give.id) {
                gives.push(&d.give);
            }
            if !gets.iter().any(|c| c.id == d.get.id) {
                gets.push(&d.get);
            }
        }
        if gives.is_empty() {
            return json!([]);
        }
        let list = |cs: Vec<&Currency>| {
            Value::Array(
                cs.iter()
                    .map(|c| json!({"id": c.id.to_string(), "title": c.title, "logo": logo(c)}))
                    .collect(),
            )
        };
        json!({"give": list(gives), "get": list(gets)})
    }

    /// `get_directions`: a list; filtered by a currency, an object keyed by direction id.
    pub(crate) fn directions(&self, form: &HashMap<String, String>) -> Value {
        let (give, get) = filters(form);
        let rows: Vec<(String, Value)> = seed::DIRECTIONS
            .iter()
            .filter(|d| matches(d, give, get))
            .map(|d| {
                (
                    d.id.to_string(),
                    json!({
                        "direction_id": d.id.to_string(),
                        "currency_give_id": d.give.id.to_string(),
                        "currency_give_title": d.give.title,
                        "currency_give_logo": logo(&d.give),
                        "currency_get_id": d.get.id.to_string(),
                        "currency_get_title": d.get.title,
                        "currency_get_logo": logo(&d.get),
                    }),
                )
            })
            .collect();
        if give.is_some() || get.is_some() {
            Value::Object(rows.into_iter().collect())
        } else {
            Value::Array(rows.into_iter().map(|(_, v)| v).collect())
        }
    }

    fn calc_json(&self, d: &Direction, s: &Sums) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        put("currency_code_give", json!(d.give.code));
        put("currency_code_get", json!(d.get.code));
        put("reserve", json!(show(self.reserve(d))));
        put("course_give", json!(show(dec(d.course_give))));
        put("course_get", json!(show(dec(d.course_get))));
        put("sum_give", json!(show(s.give)));
        put("sum_give_com", json!(show(s.give_com)));
        put("sum_get", json!(show(s.get)));
        put("sum_get_com", json!(show(s.get_com)));
        put(
            "com_give",
            json!(format!("{} {}", show(dec(d.com_give)), d.give.code)),
        );
        put(
            "com_get",
            json!(format!("{} {}", show(dec(d.com_get)), d.get.code)),
        );
        put("min_give", json!(limit(d.min_give)));
        put("max_give", json!(limit(d.max_give)));
        put("min_get", json!(limit(d.min_get)));
        put("max_get", json!(limit(d.max_get)));
        m
    }

    /// `get_direction`: the direction with the sums for its smallest amount given.
    pub(crate) fn direction(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        let d = direction(field(form, "direction_id"))?;
        let start = d.min_give.unwrap_or("1");
        let sums = calc(d, start, "1")?;
        let mut m = self.calc_json(d, &sums);
        m.insert("id".into(), json!(d.id.to_string()));
        m.insert(
            "url".into(),
            json!(format!(
                "https://exchanger.example/exchange_{}_to_{}/",
                d.give.code.to_lowercase(),
                d.get.code.to_lowercase()
            )),
        );
        m.insert(
            "info".into(),
            json!({
                "timeline_text": "Обмен выполняется в течение 30 минут",
                "frozen_text": "",
                "before_button_text": "",
            }),
        );
        m.insert("give_fields".into(), fields_json(d.give_fields));
        m.insert("get_fields".into(), fields_json(d.get_fields));
        m.insert("dir_fields".into(), fields_json(d.dir_fields));
        Ok(Value::Object(m))
    }

    /// `get_calc`: `changed` is the number 0, or the string `"1"` when the amount was moved
    /// to a limit.
    pub(crate) fn get_calc(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        let d = direction(field(form, "direction_id"))?;
        let sums = calc(
            d,
            field(form, "calc_amount").unwrap_or(""),
            field(form, "calc_action").unwrap_or(""),
        )?;
        let mut m = self.calc_json(d, &sums);
        m.insert(
            "changed".into(),
            if sums.changed { json!("1") } else { json!(0) },
        );
        Ok(Value::Object(m))
    }

    fn bid_json(&self, b: &Bid) -> Value {
        let d = direction(Some(&b.direction.to_string())).ok();
        let (give, get) = d.map_or((seed::BTC, seed::USDT), |d| (d.give, d.get));
        let actions = d.map_or(json!([]), |d| {
            let open = b.status() == "new";
            json!({
                "type": if open { d.action_type } else { "finished" },
                "cancel": if d.cancel_api && open { "api".to_owned() } else { "disabled".to_owned() },
                "pay": if !open {
                    "disabled".to_owned()
                } else if d.pay_api {
                    "api".to_owned()
                } else {
                    format!("{}{}/", d.pay_to, b.id)
                },
                "instruction": if d.pay_api {
                    format!("Переведите {} {} на адрес {}", b.amount_give, give.code, d.pay_to)
                } else {
                    format!("Оплатите {} {} по ссылке", b.amount_give, give.code)
                },
                "pay_amount": b.amount_give,
            })
        });
        json!({
            "url": format!("https://exchanger.example/hst_{}/", b.hash),
            "id": b.id.to_string(),
            "hash": b.hash,
            "status": b.status(),
            "status_title": title(b.status()),
            "psys_give": give.psys,
            "psys_get": get.psys,
            "currency_code_give": give.code,
            "currency_code_get": get.code,
            "amount_give": b.amount_give,
            "amount_get": b.amount_get,
            "api_actions": actions,
        })
    }

    /// `create_bid`.
    pub(crate) fn create_bid(
        &mut self,
        form: &HashMap<String, String>,
        now: i64,
    ) -> Result<Value, Fail> {
        let d = direction(field(form, "direction_id"))?;
        let sums = calc(
            d,
            field(form, "calc_amount").unwrap_or(""),
            field(form, "calc_action").unwrap_or(""),
        )?;
        if sums.changed {
            return Err(Fail::field(
                "calc_amount",
                "calc_amount is outside the direction's limits",
            ));
        }
        let missing: Vec<(String, String)> = d
            .give_fields
            .iter()
            .chain(d.get_fields)
            .chain(d.dir_fields)
            .filter(|f| f.required && field(form, f.name).is_none())
            .map(|f| (f.name.to_owned(), format!("{} is required", f.label)))
            .collect();
        if !missing.is_empty() {
            return Err(Fail::Refused {
                text: "required fields are not filled in".into(),
                fields: missing,
            });
        }
        if sums.get_com > self.reserve(d) {
            return Err(Fail::field("calc_amount", "not enough reserve"));
        }
        let api_id = field(form, "api_id").unwrap_or("").to_owned();
        if api_id.len() > 64 {
            return Err(Fail::field("api_id", "api_id is longer than 64 characters"));
        }
        let partner = match number(form, "partner_id")? {
            None | Some(0) => false,
            Some(p) if u64::try_from(p).ok() == Some(seed::PARTNER_ID) => true,
            Some(_) => return Err(Fail::field("partner_id", "no such partner")),
        };
        let id = self.next_bid;
        self.next_bid += 1;
        let bid = Bid {
            id,
            hash: format!("{:012x}", splitmix64(id) >> 16),
            api_id,
            direction: d.id,
            partner,
            amount_give: show(sums.give_com),
            amount_get: show(sums.get_com),
            user_hash: format!("{:010x}", splitmix64(id ^ 0x5eed) >> 24),
            statuses: vec![(now, "new".to_owned())],
            callback_url: field(form, "callback_url").map(str::to_owned),
        };
        let answer = self.bid_json(&bid);
        let (amount, code) = minor(&bid.amount_give, &d.give);
        self.book.commit("create-bid", &bid_ids(&bid), amount, code);
        self.bids.push(bid);
        self.changed_status(self.bids.len() - 1);
        Ok(answer)
    }

    fn find(&self, form: &HashMap<String, String>) -> Result<usize, Fail> {
        let id = field(form, "id");
        let hash = field(form, "hash");
        if id.is_none() && hash.is_none() {
            return Err(Fail::NoBid);
        }
        self.bids
            .iter()
            .position(|b| {
                id.is_none_or(|i| i == b.id.to_string()) && hash.is_none_or(|h| h == b.hash)
            })
            .ok_or(Fail::NoBid)
    }

    /// `bid_info` by `id` or `hash` (both must match when both are given).
    pub(crate) fn bid_info(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        let at = self.find(form)?;
        Ok(self.bid_json(&self.bids[at]))
    }

    /// `pay_bid`, `success_bid`, `cancel_bid` by `hash`: moves the bid to `to`. Asking for
    /// the status a bid already has answers it again and changes nothing.
    pub(crate) fn move_bid(
        &mut self,
        form: &HashMap<String, String>,
        to: &str,
        now: i64,
    ) -> Result<Value, Fail> {
        let hash = field(form, "hash").ok_or(Fail::NoBid)?;
        let at = self
            .bids
            .iter()
            .position(|b| b.hash == hash)
            .ok_or(Fail::NoBid)?;
        let d = *direction(Some(&self.bids[at].direction.to_string()))?;
        let from = self.bids[at].status().to_owned();
        let answer = |s: &str| json!({"status": s, "status_title": title(s)});
        if from == to {
            return Ok(answer(to));
        }
        match (to, from.as_str()) {
            ("payed", _) if !d.pay_api => return Err(Fail::text("pay disabled")),
            ("cancel", _) if !d.cancel_api => return Err(Fail::text("cancel disabled")),
            ("payed" | "cancel", "new") | ("success", "payed") => {}
            _ => return Err(Fail::text(format!("bid status {from} cannot become {to}"))),
        }
        if to == "success" {
            let bid = &self.bids[at];
            let got = dec(&bid.amount_get);
            let left = self.reserve(&d) - got;
            self.reserves.insert(d.id, show(left.max(Decimal::ZERO)));
            if bid.partner {
                let reward = round(
                    got * dec(seed::PARTNER_PERCENT) / Decimal::ONE_HUNDRED,
                    d.get.places,
                );
                let b = self.balance(d.get.id) + reward;
                self.balances.insert(d.get.id, show(b));
            }
        }
        self.bids[at].statuses.push((now, to.to_owned()));
        let operation = match to {
            "payed" => "pay-bid",
            "success" => "success-bid",
            _ => "cancel-bid",
        };
        let (amount, code) = minor(&self.bids[at].amount_give, &d.give);
        self.book
            .commit(operation, &bid_ids(&self.bids[at]), amount, code);
        self.changed_status(at);
        Ok(answer(to))
    }

    fn rows(&self, form: &HashMap<String, String>, partner: bool) -> Result<Value, Fail> {
        let start = number(form, "start_time")?;
        let end = number(form, "end_time")?;
        let limit = number(form, "limit")?.filter(|l| *l > 0);
        let offset = if partner {
            None
        } else {
            number(form, "offset")?
        };
        let history = field(form, "status_history") == Some("1");
        let ip = field(form, "ip");
        let id = field(form, "id");
        let api_id = if partner { None } else { field(form, "api_id") };
        let items: Map<String, Value> = self
            .bids
            .iter()
            .rev()
            .filter(|b| !partner || b.partner)
            .filter(|b| start.is_none_or(|s| b.changed() >= s))
            .filter(|b| end.is_none_or(|e| b.changed() <= e))
            .filter(|_| ip.is_none_or(|i| i == seed::CLIENT_IP))
            .filter(|b| id.is_none_or(|i| i == b.id.to_string()))
            .filter(|b| api_id.is_none_or(|a| a == b.api_id))
            .skip(usize::try_from(offset.unwrap_or(0)).unwrap_or(0))
            .take(
                limit
                    .and_then(|l| usize::try_from(l).ok())
                    .unwrap_or(usize::MAX),
            )
            .map(|b| (b.id.to_string(), self.row(b, partner, history)))
            .collect();
        if items.is_empty() {
            return Ok(json!([]));
        }
        Ok(json!({ "items": items }))
    }

    fn row(&self, b: &Bid, partner: bool, history: bool) -> Value {
        let d = direction(Some(&b.direction.to_string())).ok();
        let (give, get) = d.map_or((seed::BTC, seed::USDT), |d| (d.give, d.get));
        let mut m = Map::new();
        m.insert("id".into(), json!(b.id.to_string()));
        if !partner {
            m.insert("api_id".into(), json!(b.api_id));
        }
        let extra = json!({
            "time": b.changed().to_string(),
            "date": date(b.changed()),
            "psys_give": give.psys,
            "psys_get": get.psys,
            "currency_code_give": give.code,
            "currency_code_get": get.code,
            "course_give": d.map_or(String::new(), |d| show(dec(d.course_give))),
            "course_get": d.map_or(String::new(), |d| show(dec(d.course_get))),
            "amount_give": b.amount_give,
            "amount_get": b.amount_get,
            "exchange_success": if b.status() == "success" { "0" } else { "1" },
            "user_hash": b.user_hash,
            "user_ip": seed::CLIENT_IP,
            "status": b.status(),
        });
        if let Value::Object(extra) = extra {
            m.extend(extra);
        }
        if partner {
            let done = b.status() == "success";
            let reward = round(
                dec(&b.amount_get) * dec(seed::PARTNER_PERCENT) / Decimal::ONE_HUNDRED,
                get.places,
            );
            m.insert("accrued".into(), json!(if done { "1" } else { "0" }));
            m.insert("partner_reward".into(), json!(show(reward)));
        }
        if history {
            let statuses: Vec<Value> = b
                .statuses
                .iter()
                .map(|(t, s)| json!({"time": t.to_string(), "date": date(*t), "status": s}))
                .collect();
            m.insert("statuses".into(), Value::Array(statuses));
        }
        Value::Object(m)
    }

    /// `get_exchanges`: the key's bids, newest first, `items` keyed by bid id.
    pub(crate) fn exchanges(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        self.rows(form, false)
    }

    /// `get_partner_exchanges`: the bids made with the partner's id.
    pub(crate) fn partner_exchanges(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        self.rows(form, true)
    }

    /// `get_partner_info`.
    pub(crate) fn partner_info(&self) -> Value {
        let items: Vec<Value> = seed::CURRENCIES
            .iter()
            .map(|c| {
                json!({
                    "id": c.id.to_string(),
                    "title": c.title,
                    "comission": show(dec(c.payout_commission)),
                    "amount": show(self.balance(c.id)),
                })
            })
            .collect();
        json!({
            "partner_id": seed::PARTNER_ID.to_string(),
            "balance": show(self.balance(seed::USDT.id)),
            "min_payout": seed::MIN_PAYOUT,
            "items": items,
        })
    }

    /// `get_partner_links`.
    pub(crate) fn partner_links(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        let start = number(form, "start_time")?;
        let end = number(form, "end_time")?;
        let limit = number(form, "limit")?.filter(|l| *l > 0);
        let ip = field(form, "ip");
        let items: Vec<Value> = seed::LINKS
            .iter()
            .rev()
            .filter(|l| start.is_none_or(|s| l.0 >= s) && end.is_none_or(|e| l.0 <= e))
            .filter(|l| ip.is_none_or(|i| i == l.1))
            .take(
                limit
                    .and_then(|l| usize::try_from(l).ok())
                    .unwrap_or(usize::MAX),
            )
            .map(|(time, ip, referrer, hash, query)| {
                json!({
                    "time": time.to_string(),
                    "date": date(*time),
                    "browser": seed::LINK_BROWSER,
                    "ip": ip,
                    "referrer": referrer,
                    "user_hash": hash,
                    "query_string": query,
                })
            })
            .collect();
        if items.is_empty() {
            return Ok(json!([]));
        }
        Ok(json!({ "items": items }))
    }

    /// `get_partner_payouts`, newest first.
    pub(crate) fn partner_payouts(&self, form: &HashMap<String, String>) -> Result<Value, Fail> {
        let start = number(form, "start_time")?;
        let end = number(form, "end_time")?;
        let limit = number(form, "limit")?.filter(|l| *l > 0);
        let id = field(form, "id");
        let items: Vec<Value> = self
            .payouts
            .iter()
            .rev()
            .filter(|p| start.is_none_or(|s| p.time >= s) && end.is_none_or(|e| p.time <= e))
            .filter(|p| id.is_none_or(|i| i == p.id.to_string()))
            .take(
                limit
                    .and_then(|l| usize::try_from(l).ok())
                    .unwrap_or(usize::MAX),
            )
            .map(|p| {
                let code = currency(p.method_id).map_or("", |c| c.code);
                json!({
                    "id": p.id.to_string(),
                    "time": p.time.to_string(),
                    "date": date(p.time),
                    "method_id": p.method_id.to_string(),
                    "account": p.account,
                    "pay_amount": p.pay_amount,
                    "pay_currency_code": code,
                    "original_amount": p.original_amount,
                    "original_currency_code": code,
                    "status": p.status.to_string(),
                })
            })
            .collect();
        if items.is_empty() {
            return Ok(json!([]));
        }
        Ok(json!({ "items": items }))
    }

    /// `add_partner_payout`: pays out the partner's whole balance in `method_id`, less its
    /// commission; the balance must reach `min_payout`.
    pub(crate) fn add_payout(
        &mut self,
        form: &HashMap<String, String>,
        now: i64,
    ) -> Result<Value, Fail> {
        let c = field(form, "method_id")
            .and_then(|m| m.parse::<u64>().ok())
            .and_then(currency)
            .ok_or_else(|| Fail::field("method_id", "no such payout currency"))?;
        let account =
            field(form, "account").ok_or_else(|| Fail::field("account", "account is required"))?;
        let amount = self.balance(c.id);
        if amount < dec(seed::MIN_PAYOUT) {
            return Err(Fail::text("the balance is less than the minimum payout"));
        }
        let pay = amount - dec(c.payout_commission);
        let id = self.next_payout;
        self.next_payout += 1;
        self.payouts.push(Payout {
            id,
            time: now,
            method_id: c.id,
            account: account.to_owned(),
            pay_amount: show(pay),
            original_amount: show(amount),
            status: 0,
        });
        self.balances.insert(c.id, "0".to_owned());
        let (minor_pay, code) = minor(&show(pay), c);
        self.book.commit(
            "add-partner-payout",
            &[("payout_id", id.to_string())],
            minor_pay,
            code,
        );
        Ok(json!({ "payout_id": id.to_string() }))
    }
}

/// The ids of a bid a status call takes (`bid_info` by `id` or `hash`, `get_exchanges`
/// by `api_id`).
fn bid_ids(b: &Bid) -> Vec<(&'static str, String)> {
    let mut ids = vec![("id", b.id.to_string()), ("hash", b.hash.clone())];
    if !b.api_id.is_empty() {
        ids.push(("api_id", b.api_id.clone()));
    }
    ids
}

/// An amount in `c`'s smallest unit (`places` decimals), and `c`'s code, for the ledger.
fn minor(amount: &str, c: &seed::Currency) -> (i64, &'static str) {
    let scaled = dec(amount) * Decimal::from(10_i64.pow(c.places));
    (scaled.trunc().to_i64().unwrap_or(i64::MAX), c.code)
}

fn filters(form: &HashMap<String, String>) -> (Option<u64>, Option<u64>) {
    let id = |n| field(form, n).map(|v| v.parse::<u64>().unwrap_or(u64::MAX));
    (id("currency_id_give"), id("currency_id_get"))
}

fn matches(d: &Direction, give: Option<u64>, get: Option<u64>) -> bool {
    give.is_none_or(|g| g == d.give.id) && get.is_none_or(|g| g == d.get.id)
}

fn logo(c: &Currency) -> String {
    format!(
        "https://exchanger.example/logos/{}.png",
        c.code.to_lowercase()
    )
}
