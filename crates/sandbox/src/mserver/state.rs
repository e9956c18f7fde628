//! The mserver emulator's state (wallets, tokens, payments) and what each call does to it.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::time::Instant;

use super::seed;
use super::wire::{
    Answer, Auth, Outcome, Refusal, exact, exact_json, is_uuid, kopecks, money, text,
};
use crate::shared::{overflow, splitmix64};

/// A wallet, keyed by its phone in [`Emulator::wallets`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wallet {
    password: String,
    active: bool,
    balance: i64,
    #[serde(with = "crate::state::instant")]
    code_expires: Instant,
    code_failures: u32,
    /// A password reset code was sent (`send_password_reset_code`) and not used yet.
    #[serde(default)]
    reset_pending: bool,
    /// Set by the wallet-status webhook.
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    person: Option<Map<String, Value>>,
    #[serde(default)]
    picture: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_send_frequency: Option<String>,
}

impl Wallet {
    fn new(password: String, active: bool, code_expires: Instant) -> Wallet {
        Wallet {
            password,
            active,
            balance: seed::START_BALANCE_KOPECKS,
            code_expires,
            code_failures: 0,
            reset_pending: false,
            verified: false,
            person: None,
            picture: None,
            email: None,
            email_send_frequency: None,
        }
    }
}

/// An issued token: the wallet it acts for (`None`: the application's own).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Token {
    wallet: Option<String>,
    #[serde(with = "crate::state::instant")]
    expires_at: Instant,
    /// Its place in issue order (the oldest is retired first).
    #[serde(default)]
    seq: u64,
}

/// A payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payment {
    id: u64,
    wallet: String,
    client_payment_id: String,
    kind: String,
    amount: i64,
    total: i64,
    service: Option<u64>,
    parameters: BTreeMap<String, String>,
    status: String,
    /// What a `processing` payment becomes at its next read.
    outcome: Option<String>,
    decline_reason: Option<String>,
    created_at: String,
    processed_at: Option<String>,
    payment_page_url: Option<String>,
    /// The wallet a `p2p` payment (an invoice's) credits.
    #[serde(default)]
    destination: Option<String>,
    #[serde(default)]
    invoice: Option<String>,
    /// Returned by `GET /payments` (or reset): no longer counted unseen.
    #[serde(default)]
    seen: bool,
    /// Where the receipt of an anonymous payment goes (`POST /payments/bill`).
    #[serde(default)]
    bill_email: Option<String>,
}

/// Who a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Principal {
    Wallet(String),
    Application,
}

/// The currency of the wallets' amounts (in kopecks).
pub(super) const CURRENCY: &str = "RUB";

/// The ids of a payment a status call takes (`GET /payments/{id}`), and its key.
fn payment_ids(p: &Payment) -> [(&'static str, String); 2] {
    [
        ("id", p.id.to_string()),
        ("client_payment_id", p.client_payment_id.clone()),
    ]
}

/// The emulator's mutable state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Emulator {
    wallets: BTreeMap<String, Wallet>,
    tokens: BTreeMap<String, Token>,
    payments: Vec<Payment>,
    issued: u64,
    next_payment: u64,
    #[serde(default)]
    cards: Vec<Card>,
    #[serde(default)]
    invoices: Vec<Invoice>,
    #[serde(default)]
    templates: Vec<Template>,
    #[serde(default)]
    next_object: u64,
    /// Where payment notifications go (set by the sandbox's control route).
    #[serde(default)]
    notification_url: Option<String>,
    /// The last deliveries of notifications, oldest first.
    #[serde(default)]
    deliveries: VecDeque<Delivery>,
    /// Transfers reported by the best-transfers webhook.
    #[serde(default)]
    best: Vec<BestTransfer>,
    /// Service orders taken (their message ids).
    #[serde(default)]
    orders: u64,
    /// Status changes not handed to the notifier yet.
    #[serde(skip)]
    outbox: Vec<Event>,
    /// Its pen on the sandbox's ledger (not written to a state file).
    #[serde(skip)]
    pub(super) book: crate::ledger::Book,
}

/// A payment status change to notify: the notification's JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// The notification's `type` (`complete`, `decline`, ...).
    pub(crate) kind: String,
    /// The payment's id.
    pub(crate) payment: u64,
    /// The body, as sent.
    pub(crate) body: String,
}

/// One notification delivery: where (without the query), what, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Delivery {
    /// The integrator's URL without its query.
    pub(crate) url: String,
    /// The notification's `type`.
    pub(crate) event: String,
    /// The payment's id.
    pub(crate) payment: u64,
    /// The integrator's HTTP status, when it answered.
    pub(crate) status: Option<u16>,
    /// Why the delivery failed, when it did.
    pub(crate) error: Option<String>,
}

/// A transfer reported by `POST /payments/best/p2p`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BestTransfer {
    number: u64,
    sender: String,
    recipient: String,
    amount: i64,
    created_at: String,
    /// The wallets that have seen it in their list.
    seen_by: Vec<String>,
}

/// A card being bound to a wallet.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Card {
    id: u64,
    wallet: String,
    state: String,
    page_url: String,
}

/// An invoice from `recipient` to `payer`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Invoice {
    id: String,
    payer: String,
    recipient: String,
    amount: i64,
    message: Option<String>,
    status: Option<String>,
    payment_id: Option<u64>,
}

/// A payment template.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Template {
    id: String,
    wallet: String,
    body: Map<String, Value>,
}

fn stamp(now: OffsetDateTime) -> String {
    now.format(&Rfc3339).unwrap_or_default()
}

fn check_digit(phone: &str) -> String {
    let sum: u32 = phone
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .sum();
    (sum % 10).to_string()
}

fn valid_phone(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|d| (10..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

impl Emulator {
    pub(crate) fn seeded() -> Emulator {
        let mut wallets = BTreeMap::new();
        wallets.insert(
            seed::PHONE.to_owned(),
            Wallet::new(seed::PASSWORD.to_owned(), true, Instant::now()),
        );
        Emulator {
            book: crate::ledger::Book::default(),
            wallets,
            tokens: BTreeMap::new(),
            payments: Vec::new(),
            issued: 0,
            next_payment: 1_401_089_250_000,
            cards: Vec::new(),
            invoices: Vec::new(),
            templates: Vec::new(),
            next_object: 0,
            notification_url: None,
            deliveries: VecDeque::new(),
            best: Vec::new(),
            orders: 0,
            outbox: Vec::new(),
        }
    }

    // ---- auth -------------------------------------------------------------------------

    /// Who the request acts for, or the 401 it gets.
    pub(super) fn authenticate(&self, auth: &Auth) -> Result<Principal, Refusal> {
        match auth {
            Auth::Basic(phone, password) => {
                let wallet = self
                    .wallets
                    .get(phone)
                    .filter(|w| &w.password == password)
                    .ok_or_else(Refusal::unauthorized)?;
                if !wallet.active {
                    return Err(Refusal::new(
                        401,
                        "wallet_not_active",
                        "Кошелек не активирован",
                    ));
                }
                Ok(Principal::Wallet(phone.clone()))
            }
            Auth::Bearer { token, application } => {
                let token = self
                    .tokens
                    .get(token)
                    .ok_or_else(|| Refusal::new(401, "invalid_token", "Неверный токен"))?;
                if Instant::now() >= token.expires_at {
                    return Err(Refusal::new(
                        401,
                        "token_expired",
                        "Срок действия токена истек",
                    ));
                }
                match (&token.wallet, application) {
                    (None, true) => Ok(Principal::Application),
                    (Some(phone), false) => Ok(Principal::Wallet(phone.clone())),
                    _ => Err(Refusal::new(401, "invalid_token", "Неверный токен")),
                }
            }
            Auth::None | Auth::Malformed => Err(Refusal::unauthorized()),
        }
    }

    /// A wallet's phone, or 403 for the application's token.
    fn wallet_of(&self, auth: &Auth, scope: &str) -> Result<String, Refusal> {
        match self.authenticate(auth)? {
            Principal::Wallet(phone) => Ok(phone),
            Principal::Application => {
                Err(Refusal::new(403, "insufficient_scope", "Недостаточно прав")
                    .details(scope.to_owned()))
            }
        }
    }

    /// Who owns the payments of the request: a wallet's phone, or `""` for the
    /// application's anonymous payments.
    fn owner(&self, auth: &Auth) -> Result<String, Refusal> {
        match self.authenticate(auth)? {
            Principal::Wallet(phone) => Ok(phone),
            Principal::Application => Ok(String::new()),
        }
    }

    /// `POST /oauth/token`: `client_credentials` with the application's Basic credentials,
    /// or `password` with a wallet's phone and password (a token acting for the wallet).
    pub(super) fn issue_token(
        &mut self,
        client: Option<(&str, &str)>,
        form: &[(String, String)],
    ) -> Result<Value, (u16, Value)> {
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let bad = || {
            (
                401,
                json!({"error": "unauthorized", "error_description": "Bad credentials"}),
            )
        };
        if client != Some((seed::CLIENT_ID, seed::CLIENT_SECRET)) {
            return Err(bad());
        }
        let wallet = match field("grant_type") {
            Some("client_credentials") => None,
            Some("password") => {
                let (Some(phone), Some(password)) = (field("username"), field("password")) else {
                    return Err(bad());
                };
                match self.wallets.get(phone) {
                    Some(w) if w.password == password && w.active => Some(phone.to_owned()),
                    _ => return Err(bad()),
                }
            }
            _ => {
                return Err((
                    400,
                    json!({"error": "unsupported_grant_type", "error_description": "grant_type"}),
                ));
            }
        };
        self.issued += 1;
        let a = splitmix64(self.issued);
        let b = splitmix64(a);
        let token = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 52) & 0xfff,
            b & 0xffff_ffff_ffff
        );
        let ttl = Duration::from_secs(seed::TOKEN_TTL_SECS);
        self.tokens.insert(
            token.clone(),
            Token {
                wallet,
                expires_at: Instant::now() + ttl,
                seq: self.issued,
            },
        );
        let now = Instant::now();
        self.tokens.retain(|_, t| t.expires_at > now);
        let by_age = self.tokens.iter().map(|(k, t)| (k, t.seq));
        for key in overflow(by_age, seed::LIVE_TOKENS) {
            self.tokens.remove(&key);
        }
        Ok(json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": seed::TOKEN_TTL_SECS - 1,
            "scope": seed::SCOPES,
        }))
    }

    // ---- wallets ----------------------------------------------------------------------

    pub(super) fn create_wallet(&mut self, body: &Map<String, Value>) -> Outcome {
        let phone = text(body, "phone")
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Refusal::new(422, "missing_phone", "Не указан телефон"))?;
        let password = text(body, "password")
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Refusal::new(422, "missing_password", "Не указан пароль"))?;
        if !valid_phone(&phone) {
            return Err(Refusal::new(
                422,
                "invalid_phone",
                "Неверный формат телефона",
            ));
        }
        if password.chars().count() < 6 {
            return Err(Refusal::new(
                422,
                "invalid_password",
                "Пароль короче 6 символов",
            ));
        }
        if self.wallets.contains_key(&phone) {
            return Err(Refusal::new(
                422,
                "phone_already_exists",
                "Кошелек с таким телефоном уже существует",
            ));
        }
        self.wallets.insert(
            phone.clone(),
            Wallet::new(
                password,
                false,
                Instant::now() + Duration::from_secs(seed::CODE_TTL_SECS),
            ),
        );
        Ok(Answer::data(
            json!({"phone": phone, "check_digit": check_digit(&phone)}),
        ))
    }

    pub(super) fn activate_wallet(&mut self, body: &Map<String, Value>) -> Outcome {
        let phone = text(body, "phone").ok_or_else(|| Refusal::invalid("phone"))?;
        let code = text(body, "code").ok_or_else(|| Refusal::invalid("code"))?;
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(|| Refusal::new(404, "wallet_not_found", "Кошелек не найден"))?;
        if wallet.active {
            return Err(Refusal::new(
                422,
                "already_active",
                "Кошелек уже активирован",
            ));
        }
        if wallet.code_failures >= seed::CODE_FAILURES {
            return Err(Refusal::new(
                422,
                "failure_limit_exceeded",
                "Превышено число попыток",
            ));
        }
        if Instant::now() >= wallet.code_expires {
            return Err(Refusal::new(
                422,
                "code_expired",
                "Срок действия кода истек",
            ));
        }
        if code != seed::SMS_CODE {
            wallet.code_failures += 1;
            return Err(Refusal::new(422, "invalid_code", "Неверный код"));
        }
        wallet.active = true;
        Ok(Answer::data(
            json!({"phone": phone, "check_digit": check_digit(&phone)}),
        ))
    }

    pub(super) fn resend_code(&mut self, body: &Map<String, Value>) -> Outcome {
        let phone = text(body, "phone").ok_or_else(|| Refusal::invalid("phone"))?;
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(|| Refusal::new(404, "wallet_not_found", "Кошелек не найден"))?;
        if wallet.active {
            return Err(Refusal::new(
                422,
                "already_active",
                "Кошелек уже активирован",
            ));
        }
        wallet.code_expires = Instant::now() + Duration::from_secs(seed::CODE_TTL_SECS);
        wallet.code_failures = 0;
        Ok(Answer::data(
            json!({"phone": phone, "check_digit": check_digit(&phone)}),
        ))
    }

    fn urgent(&self, phone: &str) -> Value {
        let balance = self.wallets.get(phone).map_or(0, |w| w.balance);
        let unseen = self
            .payments
            .iter()
            .filter(|p| p.wallet == phone && !p.seen && p.status != "created")
            .count();
        json!({"amount": money(balance), "unseen_payments": unseen})
    }

    /// `urgent_data` for a wallet's answer; an anonymous payment's answer has none.
    fn urgent_for(&self, answer: Answer, owner: &str) -> Answer {
        if owner.is_empty() {
            answer
        } else {
            answer.meta("urgent_data", self.urgent(owner))
        }
    }

    pub(super) fn get_wallet(&self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "wallet.read")?;
        let wallet = self.wallets.get(&phone).ok_or_else(Refusal::unauthorized)?;
        let person_status = wallet
            .person
            .as_ref()
            .and_then(|p| p.get("status").cloned())
            .unwrap_or_else(|| json!("no_data"));
        let name = wallet
            .person
            .as_ref()
            .and_then(|p| p.get("given_name").cloned());
        Ok(Answer::data(json!({
            "phone": phone,
            "amount": money(wallet.balance),
            "level": if wallet.verified { "identified" } else { "anonymous" },
            "name": name,
            "verified": wallet.verified,
            "person_status": person_status,
            "picture_url": wallet.picture,
            "email": wallet.email,
            "can_use_autopayments": false,
        }))
        .meta("urgent_data", self.urgent(&phone)))
    }

    // ---- services ---------------------------------------------------------------------

    fn summary(id: u64) -> Option<Value> {
        let group = seed::group_of(id)?;
        let short = group.name.split(' ').next().unwrap_or(group.name);
        Some(json!({
            "id": id,
            "name": format!("{short} №{id}"),
            "keywords": "",
            "status": if seed::is_offline(id) { "offline" } else { "online" },
            "icon_url": format!("https://sandbox.invalid/img/services/{id}.png"),
            "limit": "",
            "rate": {"fix": group.fee_fix, "percent": group.fee_percent},
            "verification_required": false,
            "groups": [{"id": group.id, "name": group.name}],
        }))
    }

    fn pattern(group: &seed::Group) -> (String, String) {
        let (lo, hi) = (group.min_digits, group.max_digits);
        if lo == hi {
            (format!("^\\d{{{lo}}}$"), format!("{lo} цифр"))
        } else {
            (
                format!("^\\d{{{lo},{hi}}}$"),
                format!("от {lo} до {hi} цифр"),
            )
        }
    }

    /// `GET /services`: a page (from 1) of `size` services.
    pub(super) fn list_services(
        &self,
        auth: &Auth,
        (page, size): (u64, u64),
        since: Option<i64>,
        now: OffsetDateTime,
    ) -> Outcome {
        self.authenticate(auth)?;
        if since.is_some_and(|t| t >= seed::CATALOGUE_MODIFIED) {
            return Err(Refusal::not_modified());
        }
        let total = seed::service_count();
        let first = (page - 1).saturating_mul(size) + 1;
        let data: Vec<Value> = (first..=total)
            .take(usize::try_from(size).unwrap_or(usize::MAX))
            .filter_map(Emulator::summary)
            .collect();
        let last = first.saturating_add(size).saturating_sub(1);
        Ok(Answer::data(Value::Array(data))
            .meta("request_time", json!(now.unix_timestamp()))
            .meta("has_next_page", json!(last < total))
            .meta("page", json!({"total_elements": total})))
    }

    /// `GET /groups`: every group with its count of services.
    pub(super) fn list_groups(
        &self,
        auth: &Auth,
        since: Option<i64>,
        now: OffsetDateTime,
    ) -> Outcome {
        self.authenticate(auth)?;
        if since.is_some_and(|t| t >= seed::CATALOGUE_MODIFIED) {
            return Err(Refusal::not_modified());
        }
        let groups: Vec<Value> = seed::GROUPS
            .iter()
            .map(|g| {
                let count = (1..=seed::service_count())
                    .filter(|id| seed::group_of(*id).is_some_and(|x| x.id == g.id))
                    .count();
                json!({"id": g.id, "name": g.name, "keywords": "", "services_count": count})
            })
            .collect();
        Ok(Answer::data(Value::Array(groups)).meta("request_time", json!(now.unix_timestamp())))
    }

    /// `GET /services/{id}`: the description with its parameter and patterns.
    pub(super) fn get_service(&self, auth: &Auth, id: u64) -> Outcome {
        self.authenticate(auth)?;
        Emulator::description(id)
            .map(Answer::data)
            .ok_or_else(Refusal::not_found)
    }

    // ---- payments ---------------------------------------------------------------------

    fn view(&self, p: &Payment) -> Value {
        let mut v = json!({
            "id": p.id,
            "client_payment_id": p.client_payment_id,
            "amount": money(p.amount),
            "total": money(p.total),
            "created_at": p.created_at,
            "status": p.status,
            "type": p.kind,
        });
        let Value::Object(map) = &mut v else { return v };
        if !p.wallet.is_empty() {
            map.insert("wallet".into(), json!({"phone": p.wallet}));
        }
        if !p.seen && p.status != "created" && !p.wallet.is_empty() {
            map.insert("unseen".into(), json!(true));
        }
        if let Some(at) = &p.processed_at {
            map.insert("processed_at".into(), json!(at));
        }
        if let Some(reason) = &p.decline_reason {
            map.insert("decline_reason".into(), json!(reason));
        }
        if let Some(id) = p.service {
            let name = Emulator::summary(id).and_then(|s| s.get("name").cloned());
            map.insert("service".into(), json!({"id": id, "name": name}));
            let params: Vec<Value> = p
                .parameters
                .iter()
                .map(|(k, val)| json!({"code": k, "name": k, "value": val}))
                .collect();
            map.insert("parameters".into(), Value::Array(params));
        }
        if let Some(to) = &p.destination {
            map.insert("destination".into(), json!({"phone": to}));
            map.insert("direction".into(), json!("out"));
        }
        if p.kind == "in" || p.kind == "inout" {
            let card = match (&p.payment_page_url, p.status.as_str()) {
                (None, _) => json!({"state": "created"}),
                (Some(url), "processing") => json!({"state": "pending", "payment_page_url": url}),
                (Some(_), "completed") => json!({"state": "used"}),
                (Some(_), _) => json!({"state": "failed"}),
            };
            map.insert("card".into(), card);
        }
        v
    }

    fn next_action(p: &Payment) -> &'static str {
        match p.status.as_str() {
            "created" => "pay",
            "processing" => "get",
            _ => "update",
        }
    }

    /// `POST /payments`: at most one payment per wallet and `client_payment_id`; a resent
    /// request answers the payment already made.
    pub(super) fn create_payment(
        &mut self,
        auth: &Auth,
        body: &Map<String, Value>,
        now: OffsetDateTime,
    ) -> Outcome {
        let phone = self.owner(auth)?;
        let key =
            text(body, "client_payment_id").ok_or_else(|| Refusal::invalid("client_payment_id"))?;
        if !is_uuid(&key) {
            return Err(Refusal::invalid("client_payment_id"));
        }
        if let Some(p) = self
            .payments
            .iter()
            .find(|p| p.wallet == phone && p.client_payment_id == key)
        {
            let answer =
                Answer::data(self.view(p)).meta("next_action", json!(Emulator::next_action(p)));
            return Ok(self.urgent_for(answer, &phone));
        }
        let kind = text(body, "type").unwrap_or_else(|| "out".to_owned());
        if phone.is_empty() && kind != "inout" {
            // Without a wallet only the anonymous (transit) payment exists.
            return Err(Refusal::invalid("type"));
        }
        let amount = body.get("amount").and_then(kopecks).filter(|a| *a > 0);
        let amount = amount.ok_or_else(|| Refusal::invalid("amount"))?;
        let (service, parameters, total) = match kind.as_str() {
            "out" | "inout" => {
                let id = body
                    .get("service")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| Refusal::invalid("service"))?;
                let group = seed::group_of(id).ok_or_else(Refusal::not_found)?;
                if seed::is_offline(id) {
                    return Err(
                        Refusal::new(422, "service_unavailable", "Сервис недоступен")
                            .details("service"),
                    );
                }
                if !(seed::MIN_SUM * 100..=seed::MAX_SUM * 100).contains(&amount) {
                    return Err(Refusal::invalid("amount"));
                }
                let params: BTreeMap<String, String> = match body.get("parameters") {
                    Some(Value::Object(m)) => m
                        .iter()
                        .filter_map(|(k, v)| {
                            text(m, k)
                                .or_else(|| v.as_str().map(str::to_owned))
                                .map(|t| (k.clone(), t))
                        })
                        .collect(),
                    _ => BTreeMap::new(),
                };
                let value = params.get(group.param).ok_or_else(|| {
                    Refusal::invalid(format!("parameters.{}", group.param).as_str())
                })?;
                let digits = value.len();
                if !value.bytes().all(|b| b.is_ascii_digit())
                    || digits < group.min_digits
                    || digits > group.max_digits
                {
                    return Err(Refusal::invalid(
                        format!("parameters.{}", group.param).as_str(),
                    ));
                }
                let fee = group.fee_fix * 100 + (amount * group.fee_percent + 99) / 100;
                (Some(id), params, amount + fee)
            }
            "in" => (None, BTreeMap::new(), amount),
            _ => return Err(Refusal::invalid("type")),
        };
        let id = self.next_payment;
        self.next_payment += 1;
        let payment = Payment {
            id,
            wallet: phone,
            client_payment_id: key,
            kind,
            amount,
            total,
            service,
            parameters,
            status: "created".into(),
            outcome: None,
            decline_reason: None,
            created_at: stamp(now),
            processed_at: None,
            payment_page_url: None,
            destination: None,
            invoice: None,
            seen: false,
            bill_email: None,
        };
        let answer = Answer::data(self.view(&payment)).meta("next_action", json!("pay"));
        let answer = self.urgent_for(answer, &payment.wallet);
        self.book.commit(
            "create-payment",
            &payment_ids(&payment),
            payment.amount,
            CURRENCY,
        );
        self.payments.push(payment);
        Ok(answer)
    }

    fn find(&self, phone: &str, id: u64) -> Result<usize, Refusal> {
        self.payments
            .iter()
            .position(|p| p.id == id && p.wallet == phone)
            .ok_or_else(Refusal::not_found)
    }

    /// `POST /payments/{id}/pay`: an `out` payment takes its total from the balance now
    /// (or is declined for lack of funds); an `in` or `inout` payment gets its payment
    /// page. The answer shows `processing`; an `out` payment is settled at once after it
    /// (its next read shows the final status). Paying a payment already paid answers it as
    /// it is and moves nothing.
    pub(super) fn pay_payment(
        &mut self,
        auth: &Auth,
        id: u64,
        origin: &str,
        now: OffsetDateTime,
    ) -> Outcome {
        let owner = self.owner(auth)?;
        let index = self.find(&owner, id)?;
        let balance = self.wallets.get(&owner).map_or(0, |w| w.balance);
        let payment = &mut self.payments[index];
        let mut settle = false;
        if payment.status == "created" {
            if payment.kind == "out" || payment.kind == "p2p" {
                if balance >= payment.total {
                    let (total, amount) = (payment.total, payment.amount);
                    payment.outcome = Some("completed".into());
                    self.book
                        .commit("pay-payment", &payment_ids(payment), total, CURRENCY);
                    let to = payment.destination.clone();
                    if let Some(w) = self.wallets.get_mut(&owner) {
                        w.balance -= total;
                    }
                    if let Some(w) = to.and_then(|to| self.wallets.get_mut(&to)) {
                        w.balance += amount;
                    }
                } else {
                    payment.outcome = Some("declined".into());
                    payment.decline_reason = Some("insufficient_funds".into());
                    self.book.refuse(
                        "pay-payment",
                        &payment_ids(payment),
                        Some(payment.total),
                        CURRENCY,
                        "declined: insufficient_funds",
                    );
                }
                settle = true;
            } else {
                payment.payment_page_url = Some(format!("{origin}/payment_page/{id}"));
            }
            self.transition(index, "processing", now);
        }
        let p = &self.payments[index];
        let answer =
            Answer::data(self.view(p)).meta("next_action", json!(Emulator::next_action(p)));
        let answer = self.urgent_for(answer, &owner);
        if settle {
            self.settle(index, now);
        }
        Ok(answer)
    }

    /// A `processing` payment with a known outcome takes it (and its invoice follows).
    fn settle(&mut self, index: usize, now: OffsetDateTime) {
        let payment = &mut self.payments[index];
        if payment.status != "processing" {
            return;
        }
        let Some(outcome) = payment.outcome.take() else {
            return;
        };
        let invoice = payment.invoice.clone();
        self.transition(index, &outcome, now);
        if let Some(invoice) = self
            .invoices
            .iter_mut()
            .find(|i| Some(&i.id) == invoice.as_ref())
        {
            invoice.status = Some(outcome);
        }
    }

    /// Moves a payment to `to` and queues the notification of the change.
    fn transition(&mut self, index: usize, to: &str, now: OffsetDateTime) {
        let payment = &mut self.payments[index];
        let from = std::mem::replace(&mut payment.status, to.to_owned());
        if to == "completed" || to == "declined" {
            payment.processed_at = Some(stamp(now));
        }
        let kind = match (from.as_str(), to) {
            ("declined", "completed") => "redo",
            (_, "completed") => "complete",
            ("completed", "declined") => "undo",
            (_, "declined") => "decline",
            // The document names no type for the start of processing.
            _ => "process",
        };
        let p = &self.payments[index];
        let body = json!({
            "created_at": stamp(now),
            "payment": self.view(p),
            "from": from,
            "to": to,
            "type": kind,
        });
        self.outbox.push(Event {
            kind: kind.to_owned(),
            payment: p.id,
            body: exact_json(&body),
        });
    }

    /// `GET /payments/{id}`: a `processing` out-payment is final at its first read.
    pub(super) fn get_payment(&mut self, auth: &Auth, id: u64, now: OffsetDateTime) -> Outcome {
        let owner = self.owner(auth)?;
        let index = self.find(&owner, id)?;
        self.settle(index, now);
        let p = &self.payments[index];
        let answer =
            Answer::data(self.view(p)).meta("next_action", json!(Emulator::next_action(p)));
        Ok(self.urgent_for(answer, &owner))
    }

    /// The payment page of an in- or inout-payment: the card pays; an `in` payment credits
    /// the wallet.
    pub(super) fn card_pays(&mut self, id: u64, now: OffsetDateTime) -> Result<i64, Refusal> {
        let index = self
            .payments
            .iter()
            .position(|p| p.id == id && (p.kind == "in" || p.kind == "inout"))
            .ok_or_else(Refusal::not_found)?;
        let payment = &self.payments[index];
        let amount = payment.amount;
        if payment.status == "processing" {
            self.book
                .commit("payment-page", &payment_ids(payment), amount, CURRENCY);
            if payment.kind == "in"
                && let Some(w) = self.wallets.get_mut(&payment.wallet)
            {
                w.balance += amount;
            }
            self.transition(index, "completed", now);
        }
        Ok(amount)
    }

    /// `GET /payments`: the wallet's payments, newest first, `page` from 0.
    pub(super) fn list_payments(&mut self, auth: &Auth, page: u64, size: u64) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        let mine: Vec<usize> = (0..self.payments.len())
            .rev()
            .filter(|i| self.payments[*i].wallet == phone)
            .collect();
        let skip = usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX);
        let take = usize::try_from(size).unwrap_or(usize::MAX);
        let shown: Vec<usize> = mine.iter().skip(skip).take(take).copied().collect();
        let data: Vec<Value> = shown
            .iter()
            .map(|i| self.view(&self.payments[*i]))
            .collect();
        // Returned in a list: seen from now on.
        for i in shown {
            self.payments[i].seen = true;
        }
        Ok(Answer::data(Value::Array(data))
            .meta("urgent_data", self.urgent(&phone))
            .meta(
                "has_next_page",
                json!(skip.saturating_add(take) < mine.len()),
            )
            .meta("page", json!({"total_elements": mine.len()})))
    }
}

impl Emulator {
    fn object_id(&mut self) -> String {
        self.next_object += 1;
        format!(
            "{:024x}",
            splitmix64(self.next_object) as u128 | (1u128 << 92)
        )
    }

    // ---- cards ------------------------------------------------------------------------

    fn card_view(c: &Card) -> Value {
        let mut v = json!({"id": c.id, "state": c.state});
        if let Value::Object(map) = &mut v {
            if c.state == "pending" {
                map.insert("payment_page_url".into(), json!(c.page_url));
            }
            if c.state == "active" {
                map.insert(
                    "title".into(),
                    json!(format!("541715******{:04}", c.id % 10_000)),
                );
                map.insert("type".into(), json!("MasterCard"));
            }
        }
        v
    }

    /// `POST /cards`: a card to bind, `pending` until its page is visited.
    pub(super) fn create_card(&mut self, auth: &Auth, origin: &str) -> Outcome {
        let phone = self.wallet_of(auth, "cards.modify")?;
        let id = u64::try_from(self.cards.len()).unwrap_or(0) + 62;
        let card = Card {
            id,
            wallet: phone,
            state: "pending".into(),
            page_url: format!("{origin}/card_page/{id}"),
        };
        let answer = Answer::data(Emulator::card_view(&card));
        self.cards.push(card);
        Ok(answer)
    }

    /// The card's binding page: the card becomes `active`.
    pub(super) fn card_bound(&mut self, id: u64) -> Result<(), Refusal> {
        let card = self
            .cards
            .iter_mut()
            .find(|c| c.id == id && c.state == "pending")
            .ok_or_else(Refusal::not_found)?;
        card.state = "active".into();
        Ok(())
    }

    pub(super) fn get_card(&self, auth: &Auth, id: u64) -> Outcome {
        let phone = self.wallet_of(auth, "cards.read")?;
        self.cards
            .iter()
            .find(|c| c.id == id && c.wallet == phone && c.state != "deleted")
            .map(|c| Answer::data(Emulator::card_view(c)))
            .ok_or_else(Refusal::not_found)
    }

    /// `GET /cards?state=active,pending`.
    pub(super) fn list_cards(&self, auth: &Auth, states: Option<&str>) -> Outcome {
        let phone = self.wallet_of(auth, "cards.read")?;
        let wanted: Option<Vec<&str>> = states.map(|s| s.split(',').map(str::trim).collect());
        let data: Vec<Value> = self
            .cards
            .iter()
            .filter(|c| c.wallet == phone && c.state != "deleted")
            .filter(|c| {
                wanted
                    .as_ref()
                    .is_none_or(|w| w.contains(&c.state.as_str()))
            })
            .map(Emulator::card_view)
            .collect();
        Ok(Answer::data(Value::Array(data)))
    }

    pub(super) fn delete_card(&mut self, auth: &Auth, id: u64) -> Outcome {
        let phone = self.wallet_of(auth, "cards.modify")?;
        let card = self
            .cards
            .iter_mut()
            .find(|c| c.id == id && c.wallet == phone && c.state != "deleted")
            .ok_or_else(Refusal::not_found)?;
        card.state = "deleted".into();
        Ok(Answer::data(Value::Null))
    }

    // ---- invoices ---------------------------------------------------------------------

    fn invoice_view(i: &Invoice) -> Value {
        json!({
            "_id": i.id,
            "payer": i.payer,
            "amount": money(i.amount),
            "recipient": i.recipient,
            "message": i.message,
            "status": i.status,
            "payment_id": i.payment_id,
        })
    }

    /// `POST /invoices`: the caller asks `payer` for `amount`.
    pub(super) fn create_invoice(&mut self, auth: &Auth, body: &Map<String, Value>) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let payer = text(body, "payer").ok_or_else(|| Refusal::invalid("payer"))?;
        if !self.wallets.contains_key(&payer) || payer == phone {
            return Err(Refusal::invalid("payer"));
        }
        let amount = body
            .get("amount")
            .and_then(kopecks)
            .filter(|a| *a > 0)
            .ok_or_else(|| Refusal::invalid("amount"))?;
        let id = self.object_id();
        self.invoices.push(Invoice {
            id,
            payer,
            recipient: phone,
            amount,
            message: text(body, "message"),
            status: None,
            payment_id: None,
        });
        Ok(Answer::data(Value::Null))
    }

    /// `GET /invoices` (to pay) or `GET /invoices/created` (made by the caller).
    pub(super) fn list_invoices(&self, auth: &Auth, created: bool) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        let data: Vec<Value> = self
            .invoices
            .iter()
            .filter(|i| {
                if created {
                    i.recipient == phone
                } else {
                    i.payer == phone
                }
            })
            .map(Emulator::invoice_view)
            .collect();
        Ok(Answer::data(Value::Array(data)))
    }

    /// `POST /invoices/{id}/pay`: a `p2p` payment from the payer to the recipient, to be
    /// paid with `POST /payments/{id}/pay`; the answer's `data` is itself an envelope.
    pub(super) fn pay_invoice(&mut self, auth: &Auth, id: &str, now: OffsetDateTime) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let index = self
            .invoices
            .iter()
            .position(|i| i.id == id && i.payer == phone)
            .ok_or_else(Refusal::not_found)?;
        if let Some(pid) = self.invoices[index].payment_id
            && let Some(p) = self.payments.iter().find(|p| p.id == pid)
        {
            let inner = json!({"meta": {"code": 200, "next_action": Emulator::next_action(p)}, "data": self.view(p)});
            return Ok(Answer::data(inner));
        }
        if self.invoices[index].status.as_deref() == Some("canceled") {
            return Err(Refusal::new(422, "invalid_data", "Счет отменен").details("id"));
        }
        let pid = self.next_payment;
        self.next_payment += 1;
        let a = splitmix64(pid);
        let invoice = &mut self.invoices[index];
        invoice.payment_id = Some(pid);
        invoice.status = Some("processing".into());
        let payment = Payment {
            id: pid,
            wallet: phone,
            client_payment_id: format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                (a >> 40) & 0xfff,
                a & 0xffff_ffff_ffff
            ),
            kind: "p2p".into(),
            amount: invoice.amount,
            total: invoice.amount,
            service: None,
            parameters: BTreeMap::new(),
            status: "created".into(),
            outcome: None,
            decline_reason: None,
            created_at: stamp(now),
            processed_at: None,
            payment_page_url: None,
            destination: Some(invoice.recipient.clone()),
            invoice: Some(invoice.id.clone()),
            seen: false,
            bill_email: None,
        };
        let inner =
            json!({"meta": {"code": 200, "next_action": "pay"}, "data": self.view(&payment)});
        let mut ids = payment_ids(&payment).to_vec();
        ids.push(("invoice", id.to_owned()));
        self.book
            .commit("pay-invoice", &ids, payment.amount, CURRENCY);
        self.payments.push(payment);
        Ok(Answer::data(inner))
    }

    /// `GET /invoices/{id}/cancel`: the recipient or the payer withdraws an unpaid invoice.
    pub(super) fn cancel_invoice(&mut self, auth: &Auth, id: &str) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let invoice = self
            .invoices
            .iter_mut()
            .find(|i| i.id == id && (i.payer == phone || i.recipient == phone))
            .ok_or_else(Refusal::not_found)?;
        if invoice.payment_id.is_some() {
            return Err(Refusal::new(422, "invalid_data", "Счет уже оплачивается").details("id"));
        }
        invoice.status = Some("canceled".into());
        Ok(Answer::data(Value::Null))
    }

    // ---- templates --------------------------------------------------------------------

    fn template_view(t: &Template) -> Value {
        let b = &t.body;
        let disabled = b.get("disabled").cloned().unwrap_or_else(|| json!([]));
        let params = b
            .get("parameters")
            .or_else(|| b.get("params"))
            .cloned()
            .unwrap_or_else(|| json!({}));
        json!({
            "id": t.id,
            "name": b.get("name"),
            "type": b.get("type"),
            "service_id": b.get("service_id"),
            "amount": {"value": b.get("amount"), "disabled": disabled.as_array().is_some_and(|d| d.iter().any(|x| x == "amount"))},
            "parameters": params,
            "disabled": disabled,
        })
    }

    fn template_body(body: &Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
        if text(body, "name").is_none_or(|n| n.is_empty()) {
            return Err(Refusal::invalid("name"));
        }
        let id = body.get("service_id").and_then(Value::as_u64);
        if id.and_then(seed::group_of).is_none() {
            return Err(Refusal::invalid("service_id"));
        }
        if let Some(amount) = body.get("amount")
            && kopecks(amount).is_none()
        {
            return Err(Refusal::invalid("amount"));
        }
        let mut body = body.clone();
        if let Some(params) = body.remove("params") {
            body.insert("parameters".into(), params);
        }
        Ok(body)
    }

    pub(super) fn create_template(&mut self, auth: &Auth, body: &Map<String, Value>) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let body = Emulator::template_body(body)?;
        let id = self.object_id();
        self.templates.push(Template {
            id: id.clone(),
            wallet: phone.clone(),
            body,
        });
        Ok(Answer::data(json!({"id": id})).meta("urgent_data", self.urgent(&phone)))
    }

    pub(super) fn list_templates(&self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        let data: Vec<Value> = self
            .templates
            .iter()
            .filter(|t| t.wallet == phone)
            .map(Emulator::template_view)
            .collect();
        Ok(Answer::data(Value::Array(data)))
    }

    pub(super) fn get_template(&self, auth: &Auth, id: &str) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        self.templates
            .iter()
            .find(|t| t.id == id && t.wallet == phone)
            .map(|t| Answer::data(Emulator::template_view(t)))
            .ok_or_else(Refusal::not_found)
    }

    pub(super) fn update_template(
        &mut self,
        auth: &Auth,
        id: &str,
        body: &Map<String, Value>,
    ) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let body = Emulator::template_body(body)?;
        let template = self
            .templates
            .iter_mut()
            .find(|t| t.id == id && t.wallet == phone)
            .ok_or_else(Refusal::not_found)?;
        template.body = body;
        Ok(Answer::data(Value::Null))
    }

    pub(super) fn delete_template(&mut self, auth: &Auth, id: &str) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let before = self.templates.len();
        self.templates
            .retain(|t| !(t.id == id && t.wallet == phone));
        if self.templates.len() == before {
            return Err(Refusal::not_found());
        }
        Ok(Answer::data(Value::Null))
    }

    // ---- limits -----------------------------------------------------------------------

    /// `GET /limits`: the document's limits by wallet level.
    pub(super) fn limits(&self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "wallet.read")?;
        Ok(Answer::data(json!([
            {
                "title": "Максимальный остаток на счет",
                "description": "Сумма сверх указанного лимита будет временно недоступна для любых операций",
                "limits": [
                    {"type": "string", "value": "15000", "status": "anonymous"},
                    {"type": "string", "value": "60000", "status": "verified"},
                    {"type": "string", "value": "600000", "status": "personified"},
                ],
            },
            {
                "title": "Переводы другим кошелькам",
                "description": "Переводы между кошельками",
                "limits": [
                    {"type": "bool", "value": true, "status": "anonymous"},
                    {"type": "bool", "value": true, "status": "verified"},
                    {"type": "bool", "value": true, "status": "personified"},
                ],
            },
        ]))
        .meta("urgent_data", self.urgent(&phone)))
    }
}

/// Digits only, of the given length range.
fn digits(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD`.
fn date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(&text[..4], 4, 4)
        && digits(&text[5..7], 2, 2)
        && digits(&text[8..], 2, 2)
        && (1..=12).contains(&text[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&text[8..].parse::<u8>().unwrap_or(0))
}

fn email_ok(text: &str) -> bool {
    text.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !text.chars().any(char::is_whitespace)
    })
}

/// A place: id, title, and (id, title) of what it lies inside.
type Place = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The places `GET /geo` knows.
const PLACES: [Place; 5] = [
    (
        "54be73b2b7f47bef910041ff",
        "Москва",
        &[
            ("54be73b2b7f47bef910041a8", "Центральный округ"),
            ("54be73b2b7f47bef910041a7", "Российская Федерация"),
        ],
    ),
    (
        "54be73b2b7f47bef91004200",
        "Санкт-Петербург",
        &[
            ("54be73b2b7f47bef910041a9", "Северо-Западный округ"),
            ("54be73b2b7f47bef910041a7", "Российская Федерация"),
        ],
    ),
    (
        "54be73b2b7f47bef910042b3",
        "Лобня",
        &[
            ("54be73b2b7f47bef910041e4", "Московская область"),
            ("54be73b2b7f47bef910041a8", "Центральный округ"),
            ("54be73b2b7f47bef910041a7", "Российская Федерация"),
        ],
    ),
    (
        "54be73b6b7f47bef9100a49a",
        "Москвина",
        &[
            ("54be73b6b7f47bef9100a493", "Кудымкарский район"),
            ("54be73b2b7f47bef910041fe", "Пермский край"),
            ("54be73b2b7f47bef910041a7", "Российская Федерация"),
        ],
    ),
    (
        "54be73b2b7f47bef91004250",
        "Новосибирск",
        &[
            ("54be73b2b7f47bef910041ad", "Сибирский округ"),
            ("54be73b2b7f47bef910041a7", "Российская Федерация"),
        ],
    ),
];

fn place(index: usize) -> Value {
    let (id, title, inside) = PLACES[index];
    let inside: Vec<Value> = inside
        .iter()
        .map(|(id, title)| json!({"id": id, "title": title}))
        .collect();
    json!({"id": id, "title": title, "inside": inside})
}

/// Mobile operators of `GET /services/mnp` and `/services/mobile/{phone}`: provider id,
/// the service (of group 0) that pays it, and the `+79xx` codes it serves.
const OPERATORS: [(&str, u64, &[&str]); 4] = [
    ("mts", 1, &["910", "911", "915", "916", "917", "919"]),
    ("beeline", 9, &["903", "905", "906", "909", "960", "961"]),
    ("megafon", 17, &["920", "921", "922", "925", "926", "929"]),
    ("tele2", 25, &["900", "901", "902", "904", "950", "951"]),
];

impl Emulator {
    // ---- control: notifications ------------------------------------------------------

    /// Sets (or clears) the URL payment notifications are POSTed to.
    pub(crate) fn set_notification_url(&mut self, url: Option<String>) {
        self.notification_url = url;
    }

    /// The URL notifications go to.
    pub(crate) fn notification_url(&self) -> Option<&str> {
        self.notification_url.as_deref()
    }

    /// The status changes not handed out yet, with the URL to send them to (`None`: they
    /// are dropped, nobody listens).
    pub(crate) fn take_outbox(&mut self) -> (Option<String>, Vec<Event>) {
        let events = std::mem::take(&mut self.outbox);
        (self.notification_url.clone(), events)
    }

    /// Records a delivery; the log keeps the last [`seed::DELIVERY_LOG`].
    pub(crate) fn record_delivery(&mut self, delivery: Delivery) {
        self.deliveries.push_back(delivery);
        while self.deliveries.len() > seed::DELIVERY_LOG {
            self.deliveries.pop_front();
        }
    }

    /// The delivery log, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.iter().cloned().collect()
    }

    // ---- wallet account ----------------------------------------------------------------

    /// `POST /wallet/send_password_reset_code {phone}`: a code ([`seed::SMS_CODE`]) to
    /// change the password with; expiry and failures start again.
    pub(super) fn send_reset_code(&mut self, body: &Map<String, Value>) -> Outcome {
        let phone = text(body, "phone").ok_or_else(|| Refusal::invalid("phone"))?;
        if !valid_phone(&phone) {
            return Err(Refusal::new(
                422,
                "invalid_phone",
                "Неверный формат телефона",
            ));
        }
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(|| Refusal::new(404, "wallet_not_found", "Кошелек не найден"))?;
        wallet.reset_pending = true;
        wallet.code_expires = Instant::now() + Duration::from_secs(seed::CODE_TTL_SECS);
        wallet.code_failures = 0;
        Ok(Answer::data(
            json!({"phone": phone, "check_digit": check_digit(&phone)}),
        ))
    }

    /// `POST /wallet/reset_password {phone, code, password}`: the new password, with the
    /// code sent by `send_password_reset_code` (same expiry and failure limit as
    /// activation). The wallet's tokens are revoked.
    pub(super) fn reset_password(&mut self, body: &Map<String, Value>) -> Outcome {
        let phone = text(body, "phone").ok_or_else(|| Refusal::invalid("phone"))?;
        let code = text(body, "code").ok_or_else(|| Refusal::invalid("code"))?;
        let password = text(body, "password")
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Refusal::new(422, "missing_password", "Не указан пароль"))?;
        if password.chars().count() < 6 {
            return Err(Refusal::new(
                422,
                "invalid_password",
                "Пароль короче 6 символов",
            ));
        }
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(|| Refusal::new(404, "wallet_not_found", "Кошелек не найден"))?;
        if !wallet.reset_pending {
            return Err(Refusal::new(422, "invalid_code", "Неверный код").details("code"));
        }
        if wallet.code_failures >= seed::CODE_FAILURES {
            return Err(Refusal::new(
                422,
                "failure_limit_exceeded",
                "Превышено число попыток",
            ));
        }
        if Instant::now() >= wallet.code_expires {
            return Err(Refusal::new(
                422,
                "code_expired",
                "Срок действия кода истек",
            ));
        }
        if code != seed::SMS_CODE {
            wallet.code_failures += 1;
            return Err(Refusal::new(422, "invalid_code", "Неверный код"));
        }
        wallet.password = password;
        wallet.reset_pending = false;
        // Activating by the reset code is what a wallet that lost its first SMS does.
        wallet.active = true;
        self.tokens
            .retain(|_, t| t.wallet.as_deref() != Some(phone.as_str()));
        Ok(Answer::data(
            json!({"phone": phone, "check_digit": check_digit(&phone)}),
        ))
    }

    /// `DELETE /wallet/{phone}` with the admin's HTTP Basic credentials.
    pub(super) fn delete_wallet(&mut self, auth: &Auth, phone: &str) -> Outcome {
        match auth {
            Auth::Basic(login, password)
                if login == seed::ADMIN_LOGIN && password == seed::ADMIN_PASSWORD => {}
            Auth::Basic(..) | Auth::Bearer { .. } => {
                // A wallet (or a token) is not an admin.
                self.authenticate(auth)?;
                return Err(
                    Refusal::new(403, "insufficient_scope", "Недостаточно прав").details("admin")
                );
            }
            Auth::None | Auth::Malformed => return Err(Refusal::unauthorized()),
        }
        if self.wallets.remove(phone).is_none() {
            return Err(Refusal::new(404, "wallet_not_found", "Кошелек не найден"));
        }
        self.tokens
            .retain(|_, t| t.wallet.as_deref() != Some(phone));
        Ok(Answer::data(Value::Null))
    }

    /// `POST /wallet/person`: the person's data, checked field by field; a passport
    /// another wallet holds is refused.
    pub(super) fn put_person(
        &mut self,
        auth: &Auth,
        body: &Map<String, Value>,
        now: OffsetDateTime,
    ) -> Outcome {
        let phone = self.wallet_of(auth, "person.modify")?;
        let mut person = Map::new();
        for field in ["family_name", "given_name", "patronymic_name"] {
            match text(body, field) {
                Some(v) if !v.trim().is_empty() && v.chars().count() <= 100 => {
                    person.insert(field.into(), json!(v));
                }
                None if field == "patronymic_name" => {}
                _ => return Err(Refusal::invalid(field)),
            }
        }
        let passport = text(body, "passport_series_number")
            .ok_or_else(|| Refusal::invalid("passport_series_number"))?;
        if !digits(&passport, 10, 10) {
            return Err(Refusal::invalid("passport_series_number"));
        }
        person.insert("passport_series_number".into(), json!(passport));
        let issued = text(body, "passport_issued_at")
            .ok_or_else(|| Refusal::invalid("passport_issued_at"))?;
        if !date(&issued) {
            return Err(Refusal::invalid("passport_issued_at"));
        }
        person.insert("passport_issued_at".into(), json!(issued));
        for (field, min, max) in [("itn", 10, 12), ("ssn", 11, 11)] {
            match text(body, field) {
                Some(v) if digits(&v, min, max) => {
                    person.insert(field.into(), json!(v));
                }
                Some(_) => return Err(Refusal::invalid(field)),
                None => {}
            }
        }
        let taken = self.wallets.iter().any(|(p, w)| {
            *p != phone
                && w.person
                    .as_ref()
                    .and_then(|x| x.get("passport_series_number"))
                    .is_some_and(|x| x == &json!(passport))
        });
        if taken {
            return Err(Refusal::new(
                422,
                "passport_already_exists",
                "Паспорт уже указан другим кошельком",
            )
            .details("passport_series_number"));
        }
        person.insert("status".into(), json!("data_entered"));
        person.insert("changed_at".into(), json!(stamp(now)));
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(Refusal::unauthorized)?;
        wallet.person = Some(person.clone());
        Ok(Answer::data(Value::Object(person)))
    }

    /// `GET /wallet/person`: the data entered (`status: no_data` when none).
    pub(super) fn get_person(&self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "person.read")?;
        let person = self
            .wallets
            .get(&phone)
            .and_then(|w| w.person.clone())
            .map_or_else(|| json!({"status": "no_data"}), Value::Object);
        Ok(Answer::data(person))
    }

    /// `POST /wallet/picture`: a JPEG or PNG (by its first bytes) up to 10 MB.
    pub(super) fn upload_picture(
        &mut self,
        auth: &Auth,
        file: Option<(Option<String>, Vec<u8>)>,
        origin: &str,
    ) -> Outcome {
        let phone = self.wallet_of(auth, "person.modify")?;
        let (declared, bytes) = file.ok_or_else(|| {
            Refusal::new(422, "invalid_data", "Нужен файл в поле file").details("file")
        })?;
        if bytes.len() > seed::MAX_PICTURE_BYTES {
            return Err(Refusal::new(422, "invalid_data", "Файл больше 10 МБ").details("file"));
        }
        let extension = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "jpg"
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            "png"
        } else {
            return Err(
                Refusal::new(422, "invalid_data", "Поддерживаются JPEG и PNG").details("file"),
            );
        };
        // A declared type must agree with the bytes (a generic one says nothing).
        let agrees = match declared.as_deref() {
            None | Some("application/octet-stream") => true,
            Some("image/jpeg" | "image/jpg" | "image/pjpeg") => extension == "jpg",
            Some("image/png") => extension == "png",
            Some(_) => false,
        };
        if !agrees {
            return Err(
                Refusal::new(422, "invalid_data", "Поддерживаются JPEG и PNG").details("file"),
            );
        }
        self.next_object += 1;
        let name = format!("{:016x}", splitmix64(self.next_object));
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(Refusal::unauthorized)?;
        wallet.picture = Some(format!("{origin}/img/wallets/{name}.{extension}"));
        Ok(Answer::data(Value::Null))
    }

    /// `DELETE /wallet/picture`.
    pub(super) fn delete_picture(&mut self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "person.modify")?;
        if let Some(w) = self.wallets.get_mut(&phone) {
            w.picture = None;
        }
        Ok(Answer::data(Value::Null))
    }

    /// `POST /wallet/find`: the document's `{"contacts": [{"phone"}]}` answered with bare
    /// phones, or the upstream `{"phones": [...]}` answered with `[{"phone"}]`; only
    /// active wallets are found.
    pub(super) fn find_wallets(&self, auth: &Auth, body: &Map<String, Value>) -> Outcome {
        self.wallet_of(auth, "wallet.read")?;
        let found = |phone: &str| self.wallets.get(phone).is_some_and(|w| w.active);
        if let Some(contacts) = body.get("contacts") {
            let list = contacts
                .as_array()
                .ok_or_else(|| Refusal::invalid("contacts"))?;
            let mut out = Vec::new();
            for (i, c) in list.iter().enumerate() {
                let phone = c
                    .get("phone")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Refusal::invalid(&format!("contacts[{i}].phone")))?;
                if found(phone) {
                    out.push(json!(phone));
                }
            }
            return Ok(Answer::data(Value::Array(out)));
        }
        if let Some(phones) = body.get("phones") {
            let list = phones
                .as_array()
                .ok_or_else(|| Refusal::invalid("phones"))?;
            let mut out = Vec::new();
            for (i, p) in list.iter().enumerate() {
                let phone = p
                    .as_str()
                    .ok_or_else(|| Refusal::invalid(&format!("phones[{i}]")))?;
                if found(phone) {
                    out.push(json!({"phone": phone}));
                }
            }
            return Ok(Answer::data(Value::Array(out)));
        }
        Err(Refusal::invalid("contacts"))
    }

    /// `GET /wallet/replenishment_points`.
    pub(super) fn replenishment_points(&self, auth: &Auth) -> Outcome {
        self.wallet_of(auth, "wallet.read")?;
        let points: Vec<Value> = Emulator::points()
            .into_iter()
            .map(|mut p| {
                if let Value::Object(m) = &mut p {
                    m.remove("name");
                    m.remove("group");
                }
                p
            })
            .collect();
        Ok(Answer::data(Value::Array(points)))
    }

    fn points() -> Vec<Value> {
        vec![
            json!({
                "id": "54635060279871e2098b4567",
                "name": "Точка пополнения «Инвестбанк»",
                "type": "Банкомат: Инвестбанк ОАО АКБ",
                "group": "replenishment",
                "worktime": "пн-пт: 09:00-20:00, сб: 10:00-16:00",
                "address": "Москва ул. Ворошилова 169-171",
                "latitude": exact("55.616371"),
                "longitude": exact("37.211893"),
            }),
            json!({
                "id": "54635060279871e2098b4568",
                "name": "Касса «Славинвестбанк»",
                "type": "Касса: СЛАВИНВЕСТБАНК ООО",
                "group": "verification",
                "worktime": "круглосуточно",
                "address": "Москва ул. маршала Жукова 1",
                "latitude": exact("55.676006"),
                "longitude": exact("37.252398"),
            }),
        ]
    }

    /// `GET /locations`: the points, filtered by `group` when given.
    pub(super) fn locations(&self, auth: &Auth, group: Option<&str>) -> Outcome {
        self.wallet_of(auth, "wallet.read")?;
        let points: Vec<Value> = Emulator::points()
            .into_iter()
            .filter(|p| group.is_none_or(|g| p.get("group").and_then(Value::as_str) == Some(g)))
            .collect();
        Ok(Answer::data(Value::Array(points)))
    }

    /// `POST /wallet/settings {email, email_send_frequency}`.
    pub(super) fn wallet_settings(&mut self, auth: &Auth, body: &Map<String, Value>) -> Outcome {
        let phone = self.wallet_of(auth, "wallet.read")?;
        let email = text(body, "email")
            .filter(|e| email_ok(e))
            .ok_or_else(|| Refusal::invalid("email"))?;
        let frequency = text(body, "email_send_frequency")
            .filter(|f| ["daily", "weekly", "monthly", "never"].contains(&f.as_str()))
            .ok_or_else(|| Refusal::invalid("email_send_frequency"))?;
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(Refusal::unauthorized)?;
        wallet.email = Some(email);
        wallet.email_send_frequency = Some(frequency);
        Ok(Answer::data(Value::Null))
    }

    /// `POST /wallet/status?webhook_client_id=..&webhook_client_token=..
    /// {phone, verified}`: the wallet becomes verified (`identified`) or not.
    pub(super) fn wallet_status(
        &mut self,
        client: Option<&str>,
        token: Option<&str>,
        body: &Map<String, Value>,
    ) -> Outcome {
        if client != Some(seed::WEBHOOK_CLIENT_ID) || token != Some(seed::WEBHOOK_CLIENT_TOKEN) {
            return Err(Refusal::unauthorized());
        }
        let phone = text(body, "phone").ok_or_else(|| Refusal::invalid("phone"))?;
        let verified = body
            .get("verified")
            .and_then(Value::as_bool)
            .ok_or_else(|| Refusal::invalid("verified"))?;
        let wallet = self
            .wallets
            .get_mut(&phone)
            .ok_or_else(|| Refusal::new(404, "wallet_not_found", "Кошелек не найден"))?;
        wallet.verified = verified;
        Ok(Answer::data(Value::Null))
    }

    // ---- reference data ---------------------------------------------------------------

    /// `GET /errors`: the error codes the emulator answers, with their titles.
    pub(super) fn errors(since: Option<i64>, now: OffsetDateTime) -> Outcome {
        if since.is_some_and(|t| t >= seed::CATALOGUE_MODIFIED) {
            return Err(Refusal::not_modified());
        }
        let codes = [
            ("wallet_not_found", "кошелек не существует"),
            (
                "invalid_phone",
                "требуется номер телефона в международном формате",
            ),
            ("invalid_password", "пароль короче 6 символов"),
            ("missing_phone", "не указан телефон"),
            ("missing_password", "не указан пароль"),
            (
                "phone_already_exists",
                "кошелек с таким телефоном уже существует",
            ),
            ("invalid_code", "неверный код"),
            ("code_expired", "срок действия кода истек"),
            ("failure_limit_exceeded", "превышено число попыток"),
            ("already_active", "кошелек уже активирован"),
            ("wallet_not_active", "кошелек не активирован"),
            ("unauthorized", "требуется авторизация"),
            ("invalid_token", "неверный токен"),
            ("token_expired", "срок действия токена истек"),
            ("insufficient_scope", "недостаточно прав"),
            ("invalid_data", "неверные данные"),
            ("service_unavailable", "сервис недоступен"),
            (
                "passport_already_exists",
                "паспорт уже указан другим кошельком",
            ),
        ];
        let data: Vec<Value> = codes
            .iter()
            .map(|(code, title)| json!({"code": code, "title": {"ru_RU": title}}))
            .collect();
        Ok(Answer::data(Value::Array(data)).meta("request_time", json!(now.unix_timestamp())))
    }

    /// `GET /options`.
    pub(super) fn options(&self, auth: &Auth) -> Outcome {
        self.authenticate(auth)?;
        Ok(Answer::data(json!({
            "support_phone": "+78005550000",
            "mobile_operators_category_ids": {"ru": 3},
        })))
    }

    /// `GET /services/groups` (the document calls it obsolete): every group with its
    /// services, and `meta.suggestion_rules` (`+79xx` code: service id).
    pub(super) fn services_by_groups(
        &self,
        auth: &Auth,
        since: Option<i64>,
        now: OffsetDateTime,
    ) -> Outcome {
        self.authenticate(auth)?;
        if since.is_some_and(|t| t >= seed::CATALOGUE_MODIFIED) {
            return Err(Refusal::not_modified());
        }
        let data: Vec<Value> = seed::GROUPS
            .iter()
            .map(|g| {
                let services: Vec<Value> = (1..=seed::service_count())
                    .filter(|id| seed::group_of(*id).is_some_and(|x| x.id == g.id))
                    .filter_map(Emulator::summary)
                    .collect();
                json!({"id": g.id, "name": g.name, "group": "", "type": "", "services": services})
            })
            .collect();
        let mut rules = Map::new();
        for (_, service, codes) in OPERATORS {
            for code in codes {
                rules.insert(format!("+7{code}"), json!(service));
            }
        }
        Ok(Answer::data(Value::Array(data))
            .meta("request_time", json!(now.unix_timestamp()))
            .meta("suggestion_rules", Value::Object(rules)))
    }

    /// A service's full description (as `GET /services/{id}`).
    fn description(id: u64) -> Option<Value> {
        let mut service = Emulator::summary(id)?;
        let group = seed::group_of(id)?;
        let (pattern, desc) = Emulator::pattern(group);
        if let Value::Object(map) = &mut service {
            map.insert("minsum".into(), json!(seed::MIN_SUM));
            map.insert("maxsum".into(), json!(seed::MAX_SUM));
            map.insert(
                "parameters".into(),
                json!([{
                    "id": group.param,
                    "title": group.title,
                    "is_required": true,
                    "is_disabled": false,
                    "is_hidden": false,
                    "min_length": group.min_digits,
                    "max_length": group.max_digits,
                    "pattern": pattern,
                    "pattern_desc": desc,
                    "patterns": [{"pattern": pattern, "description": desc}],
                    "type": "text",
                    "suggested_values": [],
                    "items": null,
                }]),
            );
        }
        Some(service)
    }

    /// `GET /services/mnp?provider_id=..&provider_region_code=..` (both required).
    pub(super) fn service_by_mnp(
        &self,
        auth: &Auth,
        provider: Option<&str>,
        region: Option<&str>,
    ) -> Outcome {
        self.authenticate(auth)?;
        let provider = provider
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Refusal::invalid("provider_id"))?;
        let region = region
            .filter(|r| !r.is_empty())
            .ok_or_else(|| Refusal::invalid("provider_region_code"))?;
        if !region.eq_ignore_ascii_case("ru") {
            return Err(Refusal::not_found());
        }
        // "beline" is how the document's own example spells it.
        let provider = if provider.eq_ignore_ascii_case("beline") {
            "beeline"
        } else {
            provider
        };
        OPERATORS
            .iter()
            .find(|(id, _, _)| id.eq_ignore_ascii_case(provider))
            .and_then(|(_, service, _)| Emulator::description(*service))
            .map(Answer::data)
            .ok_or_else(Refusal::not_found)
    }

    /// `GET /services/mobile/{phone}` (no auth): the operator's service by the number's
    /// code; a number outside Russia gets the foreign mobile service (group 7).
    pub(super) fn mobile_operator(phone: &str) -> Outcome {
        let digits_only = phone.strip_prefix('+').unwrap_or(phone);
        if !digits(digits_only, 10, 15) {
            return Err(Refusal::new(
                422,
                "invalid_phone",
                "Неверный формат телефона",
            ));
        }
        let service = match digits_only.strip_prefix('7') {
            Some(rest) if rest.len() == 10 => {
                let code = &rest[..3];
                OPERATORS
                    .iter()
                    .find(|(_, _, codes)| codes.contains(&code))
                    .map(|(_, service, _)| *service)
                    .ok_or_else(Refusal::not_found)?
            }
            _ => 8,
        };
        Emulator::description(service)
            .map(Answer::data)
            .ok_or_else(Refusal::not_found)
    }

    /// `POST /services/order {title}`: a request for a new service, answered as the
    /// conversation it opens.
    pub(super) fn order_service(
        &mut self,
        auth: &Auth,
        body: &Map<String, Value>,
        now: OffsetDateTime,
    ) -> Outcome {
        let phone = self.wallet_of(auth, "wallet.read")?;
        let title = text(body, "title")
            .filter(|t| !t.trim().is_empty() && t.chars().count() <= 500)
            .ok_or_else(|| Refusal::invalid("title"))?;
        self.orders += 1;
        let id = 2_006_928 + self.orders;
        let at = now.unix_timestamp();
        let user =
            json!({"email": "", "user_id": phone, "name": null, "is_admin": false, "avatar": {}});
        Ok(Answer::data(json!({
            "created_at": at,
            "updated_at": at,
            "read": true,
            "created_by_user": true,
            "user": user,
            "message_type": "conversation",
            "messages": [{
                "id": id,
                "created_at": at,
                "url": null,
                "html": format!("<p>Просит добавить сервис: '{title}'</p>"),
                "subject": "",
                "from": user,
                "attachments": [],
            }],
            "message_id": id,
            "thread_id": id,
            "interrupt": true,
        })))
    }

    /// `GET /geo[?filter_by=title&title=..]`: the major cities, or those whose title
    /// contains `title` (any case); `meta.geo` is the city found by the caller's address
    /// (Москва in the sandbox).
    pub(super) fn geo(&self, auth: &Auth, filter_by: Option<&str>, title: Option<&str>) -> Outcome {
        let phone = self.wallet_of(auth, "wallet.read")?;
        let wanted = match (filter_by, title) {
            (Some("title"), Some(t)) if !t.trim().is_empty() => Some(t.trim().to_lowercase()),
            (None, None) => None,
            (Some(f), _) if f != "title" => return Err(Refusal::invalid("filter_by")),
            _ => return Err(Refusal::invalid("title")),
        };
        let data: Vec<Value> = (0..PLACES.len())
            .filter(|i| match &wanted {
                Some(t) => PLACES[*i].1.to_lowercase().contains(t.as_str()),
                None => *i < 2,
            })
            .map(place)
            .collect();
        Ok(Answer::data(Value::Array(data))
            .meta("geo", place(0))
            .meta("urgent_data", self.urgent(&phone)))
    }

    // ---- payments: bill, unseen, best transfers ---------------------------------------

    /// `POST /payments/bill {id, email}` with the application token: the receipt of an
    /// anonymous payment goes to `email`.
    pub(super) fn payment_bill(&mut self, auth: &Auth, body: &Map<String, Value>) -> Outcome {
        if self.authenticate(auth)? != Principal::Application {
            return Err(
                Refusal::new(403, "insufficient_scope", "Недостаточно прав").details("application")
            );
        }
        let id = body
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| Refusal::invalid("id"))?;
        let email = text(body, "email")
            .filter(|e| email_ok(e))
            .ok_or_else(|| Refusal::invalid("email"))?;
        let payment = self
            .payments
            .iter_mut()
            .find(|p| p.id == id && p.wallet.is_empty())
            .ok_or_else(Refusal::not_found)?;
        payment.bill_email = Some(email);
        Ok(Answer::data(Value::Null))
    }

    /// `GET /payments/reset_unseen`: every payment of the wallet counts as seen.
    pub(super) fn reset_unseen(&mut self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        for p in self.payments.iter_mut().filter(|p| p.wallet == phone) {
            p.seen = true;
        }
        Ok(Answer::data(json!("ok")).meta("urgent_data", self.urgent(&phone)))
    }

    /// `POST /payments/best/p2p {payment_id, sender, recipient}` (no auth): a transfer to
    /// log; it shows in both wallets' `GET /payments/best`. Logged once per `payment_id`.
    pub(super) fn best_p2p(&mut self, body: &Map<String, Value>, now: OffsetDateTime) -> Outcome {
        let number = body
            .get("payment_id")
            .and_then(Value::as_u64)
            .ok_or_else(|| Refusal::invalid("payment_id"))?;
        let party = |field: &str| -> Result<String, Refusal> {
            let phone = body
                .get(field)
                .and_then(|p| p.get("phone"))
                .and_then(Value::as_str)
                .filter(|p| valid_phone(p))
                .ok_or_else(|| Refusal::invalid(&format!("{field}.phone")))?;
            if body
                .get(field)
                .and_then(|p| p.get("id"))
                .and_then(Value::as_u64)
                .is_none()
            {
                return Err(Refusal::invalid(&format!("{field}.id")));
            }
            Ok(phone.to_owned())
        };
        let sender = party("sender")?;
        let recipient = party("recipient")?;
        if !self.best.iter().any(|b| b.number == number) {
            let amount = self
                .payments
                .iter()
                .find(|p| p.id == number)
                .map_or(0, |p| p.amount);
            self.best.push(BestTransfer {
                number,
                sender,
                recipient,
                amount,
                created_at: stamp(now),
                seen_by: Vec::new(),
            });
        }
        Ok(Answer::data(Value::Null))
    }

    fn best_unseen(&self, phone: &str) -> usize {
        self.best
            .iter()
            .filter(|b| {
                (b.sender == phone || b.recipient == phone) && !b.seen_by.iter().any(|s| s == phone)
            })
            .count()
    }

    /// `GET /payments/best`: the wallet's logged transfers, newest first (then seen).
    pub(super) fn list_best(&mut self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        let mut data = Vec::new();
        for b in self.best.iter_mut().rev() {
            if b.sender != phone && b.recipient != phone {
                continue;
            }
            let unseen = !b.seen_by.contains(&phone);
            let person = |p: &str| {
                json!({
                    "data": {"country": {"numeric": "643"}, "isresident": 1},
                    "address": {"phone": p.trim_start_matches("+7")},
                })
            };
            data.push(json!({
                "number": b.number,
                "amount": money(b.amount),
                "currency_alpha": "RUR",
                "note": "",
                "smstosender": 0,
                "creating_date": b.created_at,
                "fee": money(0),
                "amount_charge": money(b.amount),
                "currency_charge": "RUR",
                "rate": 1,
                "unseen": unseen,
                "sender": person(&b.sender),
                "receiver": person(&b.recipient),
            }));
            if unseen {
                b.seen_by.push(phone.clone());
            }
        }
        let balance = self.wallets.get(&phone).map_or(0, |w| w.balance);
        Ok(Answer::data(Value::Array(data)).meta(
            "urgent_data",
            json!({"amount": money(balance), "unseen_payments_best": self.best_unseen(&phone)}),
        ))
    }

    /// `GET /payments/best/reset_unseen`.
    pub(super) fn reset_best_unseen(&mut self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        for b in &mut self.best {
            if (b.sender == phone || b.recipient == phone) && !b.seen_by.contains(&phone) {
                b.seen_by.push(phone.clone());
            }
        }
        let balance = self.wallets.get(&phone).map_or(0, |w| w.balance);
        Ok(Answer::data(json!("ok")).meta("urgent_data", json!({"amount": money(balance)})))
    }

    // ---- invoices ---------------------------------------------------------------------

    /// `GET /invoices/{id}/duplicate`: the recipient asks again for the same amount; a new
    /// invoice, answered.
    pub(super) fn duplicate_invoice(&mut self, auth: &Auth, id: &str) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let original = self
            .invoices
            .iter()
            .find(|i| i.id == id && i.recipient == phone)
            .cloned()
            .ok_or_else(Refusal::not_found)?;
        let copy = Invoice {
            id: self.object_id(),
            status: None,
            payment_id: None,
            ..original
        };
        let answer = Answer::data(Emulator::invoice_view(&copy));
        self.invoices.push(copy);
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application_token(emu: &mut Emulator) -> String {
        let form = [("grant_type".to_owned(), "client_credentials".to_owned())];
        let answer = emu
            .issue_token(Some((seed::CLIENT_ID, seed::CLIENT_SECRET)), &form)
            .expect("token");
        answer["access_token"].as_str().expect("token").to_owned()
    }

    #[test]
    fn tokens_beyond_the_bound_retire_the_oldest_never_the_newest() {
        let mut emu = Emulator::seeded();
        let first = application_token(&mut emu);
        let bearer = |token: &str| Auth::Bearer {
            token: token.to_owned(),
            application: true,
        };
        for _ in 0..seed::LIVE_TOKENS + 5 {
            let token = application_token(&mut emu);
            assert_eq!(
                emu.authenticate(&bearer(&token)),
                Ok(Principal::Application)
            );
            assert!(emu.tokens.len() <= seed::LIVE_TOKENS);
        }
        assert!(emu.authenticate(&bearer(&first)).is_err());
    }
}
