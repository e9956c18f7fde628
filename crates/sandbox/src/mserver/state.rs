//! The mserver emulator's state (wallets, tokens, payments) and what each call does to it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::time::Instant;

use super::seed;
use super::wire::{Answer, Auth, Outcome, Refusal, is_uuid, kopecks, money, text};
use crate::shared::splitmix64;

/// A wallet, keyed by its phone in [`Emulator::wallets`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wallet {
    password: String,
    active: bool,
    balance: i64,
    #[serde(with = "crate::state::instant")]
    code_expires: Instant,
    code_failures: u32,
}

/// An issued token: the wallet it acts for (`None`: the application's own).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Token {
    wallet: Option<String>,
    #[serde(with = "crate::state::instant")]
    expires_at: Instant,
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
}

/// Who a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Principal {
    Wallet(String),
    Application,
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
            Wallet {
                password: seed::PASSWORD.to_owned(),
                active: true,
                balance: seed::START_BALANCE_KOPECKS,
                code_expires: Instant::now(),
                code_failures: 0,
            },
        );
        Emulator {
            wallets,
            tokens: BTreeMap::new(),
            payments: Vec::new(),
            issued: 0,
            next_payment: 1_401_089_250_000,
            cards: Vec::new(),
            invoices: Vec::new(),
            templates: Vec::new(),
            next_object: 0,
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
            },
        );
        let now = Instant::now();
        self.tokens.retain(|_, t| t.expires_at > now);
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
            Wallet {
                password,
                active: false,
                balance: seed::START_BALANCE_KOPECKS,
                code_expires: Instant::now() + Duration::from_secs(seed::CODE_TTL_SECS),
                code_failures: 0,
            },
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
        json!({"amount": money(balance), "unseen_payments": 0})
    }

    pub(super) fn get_wallet(&self, auth: &Auth) -> Outcome {
        let phone = self.wallet_of(auth, "wallet.read")?;
        let balance = self.wallets.get(&phone).map_or(0, |w| w.balance);
        Ok(Answer::data(json!({
            "phone": phone,
            "amount": money(balance),
            "level": "anonymous",
            "name": null,
            "verified": false,
            "person_status": "no_data",
            "picture_url": null,
            "email": null,
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
        let (Some(mut service), Some(group)) = (Emulator::summary(id), seed::group_of(id)) else {
            return Err(Refusal::not_found());
        };
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
        Ok(Answer::data(service))
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
            "wallet": {"phone": p.wallet},
        });
        let Value::Object(map) = &mut v else { return v };
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
        if p.kind == "in" {
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
        let phone = self.wallet_of(auth, "payments.modify")?;
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
            return Ok(
                Answer::data(self.view(p)).meta("next_action", json!(Emulator::next_action(p)))
            );
        }
        let kind = text(body, "type").unwrap_or_else(|| "out".to_owned());
        let amount = body.get("amount").and_then(kopecks).filter(|a| *a > 0);
        let amount = amount.ok_or_else(|| Refusal::invalid("amount"))?;
        let (service, parameters, total) = match kind.as_str() {
            "out" => {
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
        };
        let answer = Answer::data(self.view(&payment)).meta("next_action", json!("pay"));
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
    /// (or will be declined for lack of funds); an `in` payment gets its payment page.
    /// Paying a payment already paid answers it as it is and moves nothing.
    pub(super) fn pay_payment(&mut self, auth: &Auth, id: u64, origin: &str) -> Outcome {
        let phone = self.wallet_of(auth, "payments.modify")?;
        let index = self.find(&phone, id)?;
        let balance = self.wallets.get(&phone).map_or(0, |w| w.balance);
        let payment = &mut self.payments[index];
        if payment.status == "created" {
            payment.status = "processing".into();
            if payment.kind == "out" || payment.kind == "p2p" {
                if balance >= payment.total {
                    let (total, amount) = (payment.total, payment.amount);
                    payment.outcome = Some("completed".into());
                    let to = payment.destination.clone();
                    if let Some(w) = self.wallets.get_mut(&phone) {
                        w.balance -= total;
                    }
                    if let Some(w) = to.and_then(|to| self.wallets.get_mut(&to)) {
                        w.balance += amount;
                    }
                } else {
                    payment.outcome = Some("declined".into());
                    payment.decline_reason = Some("insufficient_funds".into());
                }
            } else {
                payment.payment_page_url = Some(format!("{origin}/payment_page/{id}"));
            }
        }
        let p = &self.payments[index];
        Ok(Answer::data(self.view(p))
            .meta("next_action", json!(Emulator::next_action(p)))
            .meta("urgent_data", self.urgent(&phone)))
    }

    /// `GET /payments/{id}`: a `processing` out-payment is final at its first read.
    pub(super) fn get_payment(&mut self, auth: &Auth, id: u64, now: OffsetDateTime) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        let index = self.find(&phone, id)?;
        let payment = &mut self.payments[index];
        if payment.status == "processing"
            && let Some(outcome) = payment.outcome.take()
        {
            payment.status = outcome;
            payment.processed_at = Some(stamp(now));
            let (status, invoice) = (payment.status.clone(), payment.invoice.clone());
            if let Some(invoice) = self
                .invoices
                .iter_mut()
                .find(|i| Some(&i.id) == invoice.as_ref())
            {
                invoice.status = Some(status);
            }
        }
        let p = &self.payments[index];
        Ok(Answer::data(self.view(p))
            .meta("next_action", json!(Emulator::next_action(p)))
            .meta("urgent_data", self.urgent(&phone)))
    }

    /// The payment page of an in-payment: the card pays, the wallet is credited.
    pub(super) fn card_pays(&mut self, id: u64, now: OffsetDateTime) -> Result<i64, Refusal> {
        let payment = self
            .payments
            .iter_mut()
            .find(|p| p.id == id && p.kind == "in")
            .ok_or_else(Refusal::not_found)?;
        if payment.status == "processing" {
            payment.status = "completed".into();
            payment.processed_at = Some(stamp(now));
            if let Some(w) = self.wallets.get_mut(&payment.wallet) {
                w.balance += payment.amount;
            }
        }
        Ok(payment.amount)
    }

    /// `GET /payments`: the wallet's payments, newest first, `page` from 0.
    pub(super) fn list_payments(&self, auth: &Auth, page: u64, size: u64) -> Outcome {
        let phone = self.wallet_of(auth, "payments.read")?;
        let mine: Vec<&Payment> = self
            .payments
            .iter()
            .rev()
            .filter(|p| p.wallet == phone)
            .collect();
        let skip = usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX);
        let take = usize::try_from(size).unwrap_or(usize::MAX);
        let data: Vec<Value> = mine
            .iter()
            .skip(skip)
            .take(take)
            .map(|p| self.view(p))
            .collect();
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
        };
        let inner =
            json!({"meta": {"code": 200, "next_action": "pay"}, "data": self.view(&payment)});
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
