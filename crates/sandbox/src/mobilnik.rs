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

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::time::Instant;

use crate::state::instant;

/// The codes of the document's list the emulator answers.
mod code {
    pub const OK: i64 = 0;
    pub const WRONG_OPERATION: i64 = -1;
    pub const SYSTEM_FAILURE: i64 = -2;
    pub const NOT_ENOUGH_PARAMETERS: i64 = -3;
    pub const WRONG_PASSWORD: i64 = 1;
    pub const WRONG_LOGIN_FORMAT: i64 = 7;
    pub const USER_NOT_FOUND: i64 = 8;
    pub const USER_BLOCKED: i64 = 9;
    pub const PHONE_NOT_FOUND_IN_DB: i64 = 10;
    pub const SERVICE_NOT_EXISTS: i64 = 11;
    pub const SERVICE_TEMPORARILY_SUSPENDED: i64 = 12;
    pub const REQUISITE_NOT_FOUND: i64 = 13;
    pub const SERVICE_TEMPORARILY_UNAVAILABLE: i64 = 14;
    pub const INSUFFICIENT_FUNDS_FOR_OPERATION: i64 = 15;
    pub const USER_NOT_AUTHORIZED: i64 = 27;

    /// The document's name of a code (the `message` of error answers).
    pub fn name(code: i64) -> &'static str {
        match code {
            OK => "OK",
            WRONG_OPERATION => "WRONG_OPERATION",
            SYSTEM_FAILURE => "SYSTEM_FAILURE",
            NOT_ENOUGH_PARAMETERS => "NOT_ENOUGH_PARAMETERS",
            WRONG_PASSWORD => "WRONG_PASSWORD",
            WRONG_LOGIN_FORMAT => "WRONG_LOGIN_FORMAT",
            USER_NOT_FOUND => "USER_NOT_FOUND",
            USER_BLOCKED => "USER_BLOCKED",
            PHONE_NOT_FOUND_IN_DB => "PHONE_NOT_FOUND_IN_DB",
            SERVICE_NOT_EXISTS => "SERVICE_NOT_EXISTS",
            SERVICE_TEMPORARILY_SUSPENDED => "SERVICE_TEMPORARILY_SUSPENDED",
            REQUISITE_NOT_FOUND => "REQUISITE_NOT_FOUND",
            SERVICE_TEMPORARILY_UNAVAILABLE => "SERVICE_TEMPORARILY_UNAVAILABLE",
            INSUFFICIENT_FUNDS_FOR_OPERATION => "INSUFFICIENT_FUNDS_FOR_OPERATION",
            USER_NOT_AUTHORIZED => "USER_NOT_AUTHORIZED",
            _ => "SYSTEM_FAILURE",
        }
    }
}

/// Builds a fresh Mobilnik emulator (seed state from [`seed`]).
///
/// ```
/// let app = kassa_sandbox::mobilnik::router();
/// # let _ = app;
/// ```
pub fn router() -> Router {
    build(None).0
}

/// The router on `state` (seed state when `None`), and a handle on its state.
pub(crate) fn build(state: Option<Saved>) -> (Router, Shared) {
    let mut emu = Emulator::seeded();
    if let Some(saved) = state {
        emu.restore(saved);
    }
    let shared = Shared(Arc::new(Mutex::new(emu)));
    let router = Router::new()
        .route("/authentication/", get(authentication))
        .route("/service_list/", get(service_list))
        .route("/check_requisite/", get(check_requisite))
        .route("/payment/", get(payment))
        .route("/check_payment/", get(check_payment))
        .route("/transfer_request/", get(transfer_request))
        .with_state(shared.clone());
    (router, shared)
}

// ---------------------------------------------------------------------------------------
// State

/// The state behind the routes.
#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<Emulator>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Emulator> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of the emulator's state, for a state file.
    pub(crate) fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(self.lock().saved()).unwrap_or(serde_json::Value::Null)
    }
}

/// What the emulator remembers, for a state file: the seed users' balances and tokens (by
/// login), the operations and the counters. Seed data (names, services, requisites)
/// comes from the code.
#[derive(Serialize, Deserialize)]
pub(crate) struct Saved {
    users: Vec<SavedUser>,
    operations: HashMap<u64, Operation>,
    next_operation_id: u64,
    tokens_issued: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedUser {
    login: String,
    balance: u64,
    token: Option<SavedToken>,
}

#[derive(Serialize, Deserialize)]
struct SavedToken {
    token: String,
    #[serde(with = "instant")]
    expires_at: Instant,
}

struct User {
    login: &'static str,
    account: u64,
    name: &'static str,
    phonenumber: &'static str,
    email: &'static str,
    blocked: bool,
    token_lifetime: Duration,
    /// Balance in tyiyn (1/100 som).
    balance: u64,
    /// The current token and when it stops working.
    token: Option<(String, Instant)>,
}

/// How a payment to a requisite ends.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Outcome {
    Processed,
    Annulled,
    Error,
    /// The payment itself answers SYSTEM_FAILURE and debits nothing.
    SystemFailure,
}

struct Requisite {
    service_id: i64,
    requisite: &'static str,
    customer_name: &'static str,
    outcome: Outcome,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ServiceState {
    Active,
    Suspended,
    Unavailable,
}

struct Service {
    id: i64,
    name: &'static str,
    category_id: i64,
    state: ServiceState,
    /// Whether this is the wallet-transfer service of `/transfer_request/`.
    transfer: bool,
}

struct Category {
    id: i64,
    name: &'static str,
}

#[derive(Serialize, Deserialize)]
struct Operation {
    /// Index of the paying user.
    owner: usize,
    amount: u64,
    outcome: Outcome,
    checks: u32,
}

struct Emulator {
    users: Vec<User>,
    services: Vec<Service>,
    categories: Vec<Category>,
    requisites: Vec<Requisite>,
    /// Wallets that are not seed logins: (number, holder).
    wallets: Vec<(&'static str, &'static str)>,
    operations: HashMap<u64, Operation>,
    next_operation_id: u64,
    tokens_issued: u64,
}

impl Emulator {
    /// The state that changes, for a state file.
    fn saved(&self) -> Saved {
        Saved {
            users: self
                .users
                .iter()
                .map(|u| SavedUser {
                    login: u.login.to_owned(),
                    balance: u.balance,
                    token: u.token.as_ref().map(|(token, expires_at)| SavedToken {
                        token: token.clone(),
                        expires_at: *expires_at,
                    }),
                })
                .collect(),
            operations: self
                .operations
                .iter()
                .map(|(id, op)| {
                    (
                        *id,
                        Operation {
                            owner: op.owner,
                            amount: op.amount,
                            outcome: op.outcome,
                            checks: op.checks,
                        },
                    )
                })
                .collect(),
            next_operation_id: self.next_operation_id,
            tokens_issued: self.tokens_issued,
        }
    }

    /// Puts a saved state onto the seed; users are matched by login, unknown ones ignored.
    fn restore(&mut self, saved: Saved) {
        for s in saved.users {
            if let Some(u) = self.users.iter_mut().find(|u| u.login == s.login) {
                u.balance = s.balance;
                u.token = s.token.map(|t| (t.token, t.expires_at));
            }
        }
        let users = self.users.len();
        self.operations = saved
            .operations
            .into_iter()
            .filter(|(_, op)| op.owner < users)
            .collect();
        self.next_operation_id = saved.next_operation_id;
        self.tokens_issued = saved.tokens_issued;
    }

    fn seeded() -> Emulator {
        use seed::*;
        let user = |login, account, name, phonenumber, email, balance: &str, lifetime| User {
            login,
            account,
            name,
            phonenumber,
            email,
            blocked: false,
            token_lifetime: lifetime,
            balance: parse_amount(balance).unwrap_or(0),
            token: None,
        };
        let mut blocked = user(
            BLOCKED_LOGIN,
            1_234_569,
            "Заблокирован",
            "5071234569",
            "blocked@example.kg",
            "100.00",
            TOKEN_LIFETIME,
        );
        blocked.blocked = true;
        let service = |id, name, category_id, state, transfer| Service {
            id,
            name,
            category_id,
            state,
            transfer,
        };
        let requisite = |service_id, requisite, customer_name, outcome| Requisite {
            service_id,
            requisite,
            customer_name,
            outcome,
        };
        Emulator {
            users: vec![
                user(
                    LOGIN,
                    ACCOUNT,
                    NAME,
                    PHONENUMBER,
                    EMAIL,
                    BALANCE,
                    TOKEN_LIFETIME,
                ),
                user(
                    SHORT_LOGIN,
                    SHORT_ACCOUNT,
                    SHORT_NAME,
                    SHORT_PHONENUMBER,
                    SHORT_EMAIL,
                    SHORT_BALANCE,
                    SHORT_TOKEN_LIFETIME,
                ),
                blocked,
            ],
            services: vec![
                service(SERVICE_MOBILE, "Beeline KG", 1, ServiceState::Active, false),
                service(
                    SERVICE_WALLET_TRANSFER,
                    "Перевод на кошелек Mobilnik",
                    2,
                    ServiceState::Active,
                    true,
                ),
                service(
                    SERVICE_INTERNET,
                    "Интернет Saima Telecom",
                    3,
                    ServiceState::Active,
                    false,
                ),
                service(
                    SERVICE_SUSPENDED,
                    "Северэлектро",
                    4,
                    ServiceState::Suspended,
                    false,
                ),
                service(
                    SERVICE_UNAVAILABLE,
                    "Бишкекводоканал",
                    4,
                    ServiceState::Unavailable,
                    false,
                ),
            ],
            categories: vec![
                Category {
                    id: 1,
                    name: "Мобильная связь",
                },
                Category {
                    id: 2,
                    name: "Переводы",
                },
                Category {
                    id: 3,
                    name: "Интернет",
                },
                Category {
                    id: 4,
                    name: "Коммунальные услуги",
                },
            ],
            requisites: vec![
                requisite(
                    SERVICE_MOBILE,
                    REQUISITE,
                    REQUISITE_NAME,
                    Outcome::Processed,
                ),
                requisite(
                    SERVICE_MOBILE,
                    ANNULLED_REQUISITE,
                    ANNULLED_REQUISITE_NAME,
                    Outcome::Annulled,
                ),
                requisite(
                    SERVICE_MOBILE,
                    ERROR_REQUISITE,
                    ERROR_REQUISITE_NAME,
                    Outcome::Error,
                ),
                requisite(
                    SERVICE_MOBILE,
                    SYSTEM_FAILURE_REQUISITE,
                    SYSTEM_FAILURE_REQUISITE_NAME,
                    Outcome::SystemFailure,
                ),
                requisite(
                    SERVICE_INTERNET,
                    INTERNET_REQUISITE,
                    INTERNET_REQUISITE_NAME,
                    Outcome::Processed,
                ),
            ],
            wallets: vec![(WALLET, WALLET_NAME)],
            operations: HashMap::new(),
            next_operation_id: FIRST_OPERATION_ID,
            tokens_issued: 0,
        }
    }

    /// A new 32-hex-digit token, different for every authentication.
    fn new_token(&mut self, login: &str) -> String {
        self.tokens_issued += 1;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in login.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let a = splitmix64(h ^ self.tokens_issued);
        let b = splitmix64(a ^ self.tokens_issued.rotate_left(32));
        format!("{a:016x}{b:016x}")
    }

    /// The user a token belongs to, if it is the user's current token and not expired.
    fn authorize(&self, token: Option<&str>) -> Result<usize, i64> {
        let token = token.ok_or(code::USER_NOT_AUTHORIZED)?;
        let now = Instant::now();
        self.users
            .iter()
            .position(|u| {
                !u.blocked
                    && u.token
                        .as_ref()
                        .is_some_and(|(t, expires)| t == token && now < *expires)
            })
            .ok_or(code::USER_NOT_AUTHORIZED)
    }

    fn service(&self, id: i64) -> Result<&Service, i64> {
        self.services
            .iter()
            .find(|s| s.id == id)
            .ok_or(code::SERVICE_NOT_EXISTS)
    }

    /// The requisites of a service; for the transfer service, the wallets.
    fn customer_name(&self, service: &Service, requisite: &str) -> Option<&'static str> {
        if service.transfer {
            return self.wallet(requisite).map(|(_, name)| name);
        }
        self.requisites
            .iter()
            .find(|r| r.service_id == service.id && r.requisite == requisite)
            .map(|r| r.customer_name)
    }

    /// A wallet by number: (seed user index if it is one, holder's name).
    fn wallet(&self, number: &str) -> Option<(Option<usize>, &'static str)> {
        if let Some(i) = self.users.iter().position(|u| u.phonenumber == number) {
            return Some((Some(i), self.users[i].name));
        }
        self.wallets
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, name)| (None, *name))
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------
// Money

/// Largest number of som digits accepted before the point (keeps tyiyn inside `u64`).
const MAX_SOM_DIGITS: usize = 12;

/// Parses a som amount (`"150.50"`, `"200"`, `"0.5"`) into tyiyn: digits, at most one point,
/// at most two decimals, no sign, no exponent, no spaces, greater than zero.
fn parse_amount(text: &str) -> Option<u64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.is_empty()
        || whole.len() > MAX_SOM_DIGITS
        || !whole.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut tyiyn = whole.parse::<u64>().ok()?.checked_mul(100)?;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut cents = f.parse::<u64>().ok()?;
        if f.len() == 1 {
            cents *= 10;
        }
        tyiyn = tyiyn.checked_add(cents)?;
    }
    (tyiyn > 0).then_some(tyiyn)
}

/// Tyiyn as a JSON number with two decimals (`892.50`), never through a float.
fn money(tyiyn: u64) -> Box<RawValue> {
    let text = format!("{}.{:02}", tyiyn / 100, tyiyn % 100);
    RawValue::from_string(text).unwrap_or_else(|_| zero())
}

fn zero() -> Box<RawValue> {
    // "0" is valid JSON; the fallback cannot fail in practice.
    serde_json::from_str("0").unwrap_or_else(|_| Box::<RawValue>::default())
}

// ---------------------------------------------------------------------------------------
// Answers

#[derive(Serialize)]
struct ErrorBody {
    status_code: i64,
    message: &'static str,
}

fn error(code: i64) -> Response {
    axum::Json(ErrorBody {
        status_code: code,
        message: code::name(code),
    })
    .into_response()
}

fn answer<T: Serialize>(body: T) -> Response {
    axum::Json(body).into_response()
}

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

#[derive(Serialize)]
struct Authenticated {
    account: u64,
    name: &'static str,
    token: String,
    phonenumber: &'static str,
    status_code: i64,
    balance: Box<RawValue>,
    email: &'static str,
    avatar: Option<&'static str>,
}

fn valid_login(login: &str) -> bool {
    (1..=10).contains(&login.chars().count())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

async fn authentication(State(shared): State<Shared>, query: Q) -> Response {
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
        let mut emu = shared.lock();
        let index = emu
            .users
            .iter()
            .position(|u| u.login == login)
            .ok_or(code::USER_NOT_FOUND)?;
        if password != seed::PASSWORD {
            return Err(code::WRONG_PASSWORD);
        }
        if emu.users[index].blocked {
            return Err(code::USER_BLOCKED);
        }
        let token = emu.new_token(login);
        let user = &mut emu.users[index];
        user.token = Some((token.clone(), Instant::now() + user.token_lifetime));
        Ok(answer(Authenticated {
            account: user.account,
            name: user.name,
            token,
            phonenumber: user.phonenumber,
            status_code: code::OK,
            balance: money(user.balance),
            email: user.email,
            avatar: None,
        }))
    })())
}

#[derive(Serialize)]
struct ServiceItem {
    id: i64,
    name: &'static str,
    category_id: i64,
}

#[derive(Serialize)]
struct CategoryItem {
    id: i64,
    name: &'static str,
}

#[derive(Serialize)]
struct ServiceList {
    status_code: i64,
    services: Vec<ServiceItem>,
    categories: Vec<CategoryItem>,
}

async fn service_list(State(shared): State<Shared>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let emu = shared.lock();
        emu.authorize(p.get("token"))?;
        p.require_device()?;
        Ok(answer(ServiceList {
            status_code: code::OK,
            services: emu
                .services
                .iter()
                .map(|s| ServiceItem {
                    id: s.id,
                    name: s.name,
                    category_id: s.category_id,
                })
                .collect(),
            categories: emu
                .categories
                .iter()
                .map(|c| CategoryItem {
                    id: c.id,
                    name: c.name,
                })
                .collect(),
        }))
    })())
}

#[derive(Serialize)]
struct RequisiteChecked {
    status_code: i64,
    customer_name: &'static str,
}

/// The service's state as an error, if it takes no calls now.
fn service_open(service: &Service) -> Result<(), i64> {
    match service.state {
        ServiceState::Active => Ok(()),
        ServiceState::Suspended => Err(code::SERVICE_TEMPORARILY_SUSPENDED),
        ServiceState::Unavailable => Err(code::SERVICE_TEMPORARILY_UNAVAILABLE),
    }
}

async fn check_requisite(State(shared): State<Shared>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let emu = shared.lock();
        emu.authorize(p.get("token"))?;
        p.require_device()?;
        let service_id = p.integer("service_id")?;
        let requisite = p.require("requisite")?;
        let service = emu.service(service_id)?;
        service_open(service)?;
        let customer_name = emu
            .customer_name(service, requisite)
            .ok_or(code::REQUISITE_NOT_FOUND)?;
        Ok(answer(RequisiteChecked {
            status_code: code::OK,
            customer_name,
        }))
    })())
}

#[derive(Serialize)]
struct Paid {
    status_code: i64,
    balance: Box<RawValue>,
    operation_id: u64,
}

async fn payment(State(shared): State<Shared>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let mut emu = shared.lock();
        let owner = emu.authorize(p.get("token"))?;
        p.require_device()?;
        let service_id = p.integer("service_id")?;
        let requisite = p.require("requisite")?;
        let amount = p.amount()?;
        let service = emu.service(service_id)?;
        service_open(service)?;
        if service.transfer {
            return Err(code::WRONG_OPERATION);
        }
        let outcome = emu
            .requisites
            .iter()
            .find(|r| r.service_id == service_id && r.requisite == requisite)
            .map(|r| r.outcome)
            .ok_or(code::REQUISITE_NOT_FOUND)?;
        if outcome == Outcome::SystemFailure {
            return Err(code::SYSTEM_FAILURE);
        }
        let user = &mut emu.users[owner];
        let balance = user
            .balance
            .checked_sub(amount)
            .ok_or(code::INSUFFICIENT_FUNDS_FOR_OPERATION)?;
        user.balance = balance;
        let operation_id = emu.next_operation_id;
        emu.next_operation_id += 1;
        emu.operations.insert(
            operation_id,
            Operation {
                owner,
                amount,
                outcome,
                checks: 0,
            },
        );
        Ok(answer(Paid {
            status_code: code::OK,
            balance: money(balance),
            operation_id,
        }))
    })())
}

#[derive(Serialize)]
struct PaymentStatus {
    status_code: i64,
    status_id: u8,
}

async fn check_payment(State(shared): State<Shared>, query: Q) -> Response {
    let p = Params::from(query);
    respond((|| {
        let mut emu = shared.lock();
        let caller = emu.authorize(p.get("token"))?;
        // The document lists only operation_id here: id and client are not required.
        let operation_id = p
            .require("operation_id")?
            .parse::<u64>()
            .map_err(|_| code::NOT_ENOUGH_PARAMETERS)?;
        let operation = emu
            .operations
            .get_mut(&operation_id)
            .filter(|o| o.owner == caller)
            .ok_or(code::WRONG_OPERATION)?;
        operation.checks = operation.checks.saturating_add(1);
        let first = operation.checks == 1;
        let second = operation.checks == 2;
        let (owner, amount, outcome) = (operation.owner, operation.amount, operation.outcome);
        let status_id = match (first, outcome) {
            (true, _) => 0,
            (false, Outcome::Processed | Outcome::SystemFailure) => 1,
            (false, Outcome::Annulled) => 2,
            (false, Outcome::Error) => 3,
        };
        if second && matches!(outcome, Outcome::Annulled | Outcome::Error) {
            // The money comes back when the payment turns annulled or failed.
            let user = &mut emu.users[owner];
            user.balance = user.balance.saturating_add(amount);
        }
        Ok(answer(PaymentStatus {
            status_code: code::OK,
            status_id,
        }))
    })())
}

#[derive(Serialize)]
struct Transferred {
    status_code: i64,
    message: &'static str,
}

async fn transfer_request(State(shared): State<Shared>, query: Q) -> Response {
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
        let service = emu.service(service_id)?;
        service_open(service)?;
        if !service.transfer {
            return Err(code::WRONG_OPERATION);
        }
        let (recipient, _) = emu.wallet(customer_id).ok_or(code::PHONE_NOT_FOUND_IN_DB)?;
        if recipient == Some(sender) {
            return Err(code::WRONG_OPERATION);
        }
        let user = &mut emu.users[sender];
        user.balance = user
            .balance
            .checked_sub(amount)
            .ok_or(code::INSUFFICIENT_FUNDS_FOR_OPERATION)?;
        if let Some(r) = recipient {
            let user = &mut emu.users[r];
            user.balance = user.balance.saturating_add(amount);
        }
        Ok(answer(Transferred {
            status_code: code::OK,
            message: code::name(code::OK),
        }))
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_into_tyiyn() {
        assert_eq!(parse_amount("150.50"), Some(15_050));
        assert_eq!(parse_amount("200"), Some(20_000));
        assert_eq!(parse_amount("0.5"), Some(50));
        assert_eq!(parse_amount("1043.00"), Some(104_300));
        for bad in [
            "",
            "0",
            "0.00",
            "-5",
            "+5",
            "1.234",
            "1,50",
            "1e3",
            " 1",
            "1.",
            ".5",
            "abc",
            "1.2.3",
            "9999999999999",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn money_prints_two_decimals() {
        assert_eq!(money(89_250).get(), "892.50");
        assert_eq!(money(104_300).get(), "1043.00");
        assert_eq!(money(5).get(), "0.05");
        assert_eq!(money(0).get(), "0.00");
    }

    #[test]
    fn seed_balances_parse() {
        assert!(parse_amount(seed::BALANCE).is_some());
        assert!(parse_amount(seed::SHORT_BALANCE).is_some());
        assert!(valid_login(seed::LOGIN) && valid_login(seed::SHORT_LOGIN));
        assert!(valid_login(seed::BLOCKED_LOGIN) && valid_login(seed::UNKNOWN_LOGIN));
        assert!(!valid_login(seed::BAD_FORMAT_LOGIN));
    }
}
