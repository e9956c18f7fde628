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
            if payment.kind == "out" {
                if balance >= payment.total {
                    if let Some(w) = self.wallets.get_mut(&phone) {
                        w.balance -= payment.total;
                    }
                    payment.outcome = Some("completed".into());
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
