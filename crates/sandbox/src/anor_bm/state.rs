//! The emulator's state and what each operation does to it.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::catalogue::{self as cat, ApiError};
use super::seed::{self, TestCard};
use super::wire::{
    card_fields, epoch_millis, int, iso8601, mask_pan, mask_phone, present, req_int, req_text,
    short_phone, text, text_any,
};
use crate::shared::{overflow, splitmix64};

/// The answer of an operation: a success body (HTTP 200) or a catalogue error.
pub(super) type Outcome = Result<Value, ApiError>;

/// The operations of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Login,
    RefreshToken,
    SendOtp,
    VerifyOtp,
    GetUserCards,
    Check,
    Pay,
    Hold,
    HoldConfirm,
    HoldMore,
    Cancel,
    HoldReverse,
    HoldReversePartial,
    Status,
    ExtPay,
}

impl Op {
    /// The operation's name in the operation table, for a money-moving one.
    pub(super) fn money(self) -> Option<&'static str> {
        Some(match self {
            Op::Check => "unregistered-check",
            Op::Pay => "unregistered-pay",
            Op::Hold => "hold",
            Op::HoldConfirm => "hold-confirm",
            Op::HoldMore => "hold-more",
            Op::Cancel => "cancel",
            Op::HoldReverse => "hold-reverse",
            Op::HoldReversePartial => "hold-reverse-partial",
            Op::ExtPay => "ext-pay",
            _ => return None,
        })
    }

    /// Whether the call needs `Authorization: Bearer <access_token>`.
    pub(super) fn needs_bearer(self) -> bool {
        !matches!(self, Op::Login | Op::RefreshToken)
    }
}

/// The two clocks of a call: tokio's (for expiry) and the wall clock (for time stamps).
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    pub(super) now: Instant,
    pub(super) wall: SystemTime,
}

#[derive(Serialize, Deserialize)]
struct Grant {
    username: String,
    #[serde(with = "crate::state::instant")]
    expires_at: Instant,
    /// Its place in issue order (the oldest is retired first).
    #[serde(default)]
    seq: u64,
}

/// Keeps at most [`seed::LIVE_TOKENS`] grants: over it, the expired go, then the oldest.
fn retire(grants: &mut HashMap<String, Grant>, now: Instant) {
    if grants.len() <= seed::LIVE_TOKENS {
        return;
    }
    grants.retain(|_, g| now < g.expires_at);
    for key in overflow(grants.iter().map(|(k, g)| (k, g.seq)), seed::LIVE_TOKENS) {
        grants.remove(&key);
    }
}

/// An SMS code: when it stops working and how many wrong tries it took.
#[derive(Serialize, Deserialize)]
struct Otp {
    #[serde(with = "crate::state::instant")]
    expires_at: Instant,
    failures: u32,
    spent: bool,
}

impl Otp {
    fn new(now: Instant) -> Otp {
        Otp {
            expires_at: now + Duration::from_secs(seed::OTP_TTL_SECS),
            failures: 0,
            spent: false,
        }
    }

    fn check(&mut self, code: &str, now: Instant) -> Result<(), ApiError> {
        if self.spent {
            return Err(if self.failures >= seed::OTP_ATTEMPTS {
                cat::CODE_ENTRY_LIMIT_EXCEEDED_RESTART
            } else {
                cat::CODE_EXPIRED_RESTART
            });
        }
        if now >= self.expires_at {
            self.spent = true;
            return Err(cat::CODE_EXPIRED_RESTART);
        }
        if code != seed::OTP {
            self.failures += 1;
            if self.failures >= seed::OTP_ATTEMPTS {
                self.spent = true;
                return Err(cat::CODE_ENTRY_LIMIT_EXCEEDED_RESTART);
            }
            return Err(cat::INVALID_CODE_RETRY);
        }
        Ok(())
    }

    fn left_seconds(&self, now: Instant) -> u64 {
        if self.spent {
            return 0;
        }
        self.expires_at.saturating_duration_since(now).as_secs()
    }
}

struct CardAccount {
    card: TestCard,
    balance: i64,
}

#[derive(Serialize, Deserialize)]
struct OtpSession {
    username: String,
    card: usize,
    otp: Otp,
}

#[derive(Serialize, Deserialize)]
struct Bound {
    card: usize,
}

struct Recipient {
    id: i64,
    name: &'static str,
    active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum BillStatus {
    CheckOk,
    HoldSuccess,
    Success,
    Cancelled,
}

impl BillStatus {
    fn as_str(self) -> &'static str {
        match self {
            BillStatus::CheckOk => "CHECK_OK",
            BillStatus::HoldSuccess => "HOLD_SUCCESS",
            BillStatus::Success => "SUCCESS",
            BillStatus::Cancelled => "CANCELLED",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Bill {
    id: i64,
    agent_tran_id: String,
    account: String,
    recipient: usize,
    card: usize,
    status: BillStatus,
    /// The amount of the check.
    check_amount: i64,
    /// The amount the answers show now: checked, held, debited, or cancelled.
    amount: i64,
    /// What is held on the card now (`HOLD_SUCCESS` only).
    held: i64,
    /// The first hold, base of the 30 % of `hold/v2/more`.
    first_hold: i64,
    /// The sum of `hold/v2/more` additions.
    added: i64,
    otp: Otp,
    session_id: String,
}

#[derive(Serialize, Deserialize)]
struct Payout {
    amount: i64,
    #[serde(with = "seed_pan")]
    pan: SeedPan,
    answer: Value,
}

/// A seed card's number (an alias, so that serde does not borrow it).
type SeedPan = &'static str;

/// A seed card's number in a state file, read back as the seed's constant.
mod seed_pan {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(pan: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(pan)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let text = String::deserialize(d)?;
        super::seed::CARDS
            .iter()
            .map(|c| c.pan)
            .find(|p| *p == text)
            .ok_or_else(|| serde::de::Error::custom("a payout's card is no seed card"))
    }
}

/// The seed cards with their balances in a state file: the balances, in seed order.
mod card_balances {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{CardAccount, seed};

    pub(super) fn serialize<S: Serializer>(cards: &[CardAccount], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(cards.iter().map(|c| c.balance))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<CardAccount>, D::Error> {
        let balances = Vec::<i64>::deserialize(d)?;
        if balances.len() != seed::CARDS.len() {
            return Err(serde::de::Error::custom(format!(
                "{} card balances for {} seed cards",
                balances.len(),
                seed::CARDS.len()
            )));
        }
        Ok(seed::CARDS
            .iter()
            .zip(balances)
            .map(|(card, balance)| CardAccount {
                card: *card,
                balance,
            })
            .collect())
    }
}

fn seed_recipients() -> Vec<Recipient> {
    vec![
        Recipient {
            id: seed::RECIPIENT_ID,
            name: seed::RECIPIENT_NAME,
            active: true,
        },
        Recipient {
            id: seed::INACTIVE_RECIPIENT_ID,
            name: seed::INACTIVE_RECIPIENT_NAME,
            active: false,
        },
    ]
}

/// Everything the emulator remembers. Seed data (the recipients, the cards' details) is not
/// written to a state file; the card balances and everything else are.
#[derive(Serialize, Deserialize)]
pub(crate) struct Emulator {
    tokens: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, Grant>,
    issued: u64,
    #[serde(with = "card_balances")]
    cards: Vec<CardAccount>,
    otp_sessions: HashMap<i64, OtpSession>,
    next_otp_id: i64,
    bound: HashMap<String, Vec<Bound>>,
    #[serde(skip, default = "seed_recipients")]
    recipients: Vec<Recipient>,
    bills: BTreeMap<i64, Bill>,
    bill_keys: HashMap<String, i64>,
    next_bill_id: i64,
    payouts: HashMap<String, Payout>,
    next_bml_id: i64,
    next_ext_id: u64,
    deposit: i64,
    /// Its pen on the sandbox's ledger (not written to a state file).
    #[serde(skip)]
    pub(super) book: crate::ledger::Book,
}

impl Emulator {
    /// Fresh seed state; [`seed::ACCESS_TOKEN`] and [`seed::REFRESH_TOKEN`] are valid from `now`.
    pub(super) fn seeded(now: Instant) -> Emulator {
        let mut emu = Emulator {
            book: crate::ledger::Book::default(),
            tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            issued: 0,
            cards: seed::CARDS
                .iter()
                .map(|c| CardAccount {
                    card: *c,
                    balance: c.balance,
                })
                .collect(),
            otp_sessions: HashMap::new(),
            next_otp_id: seed::FIRST_OTP_ID,
            bound: HashMap::new(),
            recipients: seed_recipients(),
            bills: BTreeMap::new(),
            bill_keys: HashMap::new(),
            next_bill_id: seed::FIRST_BILL_ID,
            payouts: HashMap::new(),
            next_bml_id: seed::FIRST_BML_ID,
            next_ext_id: 0,
            deposit: seed::MERCHANT_DEPOSIT,
        };
        emu.grant(
            seed::ACCESS_TOKEN.to_owned(),
            seed::REFRESH_TOKEN.to_owned(),
            now,
        );
        emu
    }

    /// The user of a bearer token (`Authorization` header value), if it is known and alive.
    pub(super) fn authenticate(
        &self,
        authorization: Option<&str>,
        now: Instant,
    ) -> Result<String, ApiError> {
        let header = authorization.ok_or(cat::BAD_CREDENTIALS)?.trim();
        let (scheme, token) = header.split_once(' ').ok_or(cat::BAD_CREDENTIALS)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(cat::BAD_CREDENTIALS);
        }
        self.tokens
            .get(token.trim())
            .filter(|g| now < g.expires_at)
            .map(|g| g.username.clone())
            .ok_or(cat::BAD_CREDENTIALS)
    }

    /// Runs one operation for `user` (the bearer's user; `None` for login and refresh).
    pub(super) fn dispatch(&mut self, op: Op, user: &str, body: &Value, clock: Clock) -> Outcome {
        match op {
            Op::Login => self.login(body, clock),
            Op::RefreshToken => self.refresh(body, clock),
            Op::SendOtp => self.send_otp(user, body, clock),
            Op::VerifyOtp => self.verify_otp(user, body, clock),
            Op::GetUserCards => Ok(self.user_cards(user)),
            Op::Check => self.check(body, clock),
            Op::Pay => self.pay(body, clock, false),
            Op::Hold => self.pay(body, clock, true),
            Op::HoldConfirm => self.hold_confirm(body, clock),
            Op::HoldMore => self.hold_more(body, clock),
            Op::Cancel => self.cancel(body, clock),
            Op::HoldReverse => self.hold_reverse(body, clock),
            Op::HoldReversePartial => self.hold_reverse_partial(body, clock),
            Op::Status => self.status(body, clock),
            Op::ExtPay => self.ext_pay(body),
        }
    }

    // -----------------------------------------------------------------------------------
    // Tokens

    fn grant(&mut self, access: String, refresh: String, now: Instant) {
        self.tokens.insert(
            access,
            Grant {
                username: seed::USERNAME.to_owned(),
                expires_at: now + Duration::from_secs(seed::EXPIRES_IN),
                seq: self.issued,
            },
        );
        self.refresh_tokens.insert(
            refresh,
            Grant {
                username: seed::USERNAME.to_owned(),
                expires_at: now + Duration::from_secs(seed::REFRESH_EXPIRES_IN),
                seq: self.issued,
            },
        );
        retire(&mut self.tokens, now);
        retire(&mut self.refresh_tokens, now);
    }

    fn issue(&mut self, now: Instant) -> Value {
        self.issued += 1;
        let a = splitmix64(self.issued);
        let b = splitmix64(a ^ self.issued.rotate_left(17));
        let c = splitmix64(b);
        let access = format!("anor-bm-access.{a:016x}{b:016x}");
        let refresh = format!("anor-bm-refresh.{c:016x}{:016x}", splitmix64(c));
        self.grant(access.clone(), refresh.clone(), now);
        json!({
            "statusCode": 0,
            "statusMessage": "OK",
            "result": {
                "access_token": access,
                "token_type": seed::TOKEN_TYPE,
                "refresh_token": refresh,
                "expires_in": seed::EXPIRES_IN,
                "refresh_expires_in": seed::REFRESH_EXPIRES_IN,
                "scope": seed::SCOPE,
            }
        })
    }

    fn login(&mut self, body: &Value, clock: Clock) -> Outcome {
        let username = req_text(body, "username", cat::INVALID_PARAMS)?;
        let password = req_text(body, "password", cat::INVALID_PARAMS)?;
        if username != seed::USERNAME {
            return Err(cat::BAD_CREDENTIALS);
        }
        if password != seed::PASSWORD {
            return Err(cat::INVALID_PASSWORD);
        }
        Ok(self.issue(clock.now))
    }

    fn refresh(&mut self, body: &Value, clock: Clock) -> Outcome {
        let token = text_any(
            body,
            &["refreshToken", "refresh_token"],
            cat::INVALID_PARAMS,
        )?
        .ok_or(cat::INVALID_PARAMS)?;
        let alive = self
            .refresh_tokens
            .get(&token)
            .is_some_and(|g| clock.now < g.expires_at);
        if !alive {
            return Err(cat::BAD_CREDENTIALS);
        }
        Ok(self.issue(clock.now))
    }

    // -----------------------------------------------------------------------------------
    // Cards

    /// A seed card by number and expiry, or the catalogue's card error.
    fn find_card(&self, pan: Option<&str>, exp: Option<&str>) -> Result<usize, ApiError> {
        let pan = pan.ok_or(cat::INVALID_PARAMS)?;
        let exp = exp.ok_or(cat::INVALID_PARAMS)?;
        if pan.len() != 16 || !pan.bytes().all(|b| b.is_ascii_digit()) {
            return Err(cat::CARD_NOT_VALID);
        }
        if !["8600", "5614", "9860"].iter().any(|p| pan.starts_with(p)) {
            return Err(cat::BANK_NOT_SUPPORTED);
        }
        let index = self
            .cards
            .iter()
            .position(|c| c.card.pan == pan)
            .ok_or(cat::CARD_NOT_FOUND)?;
        let expiry = self.cards[index].card.expiry;
        // MMYY as the examples send it; YYMM as the send-otp table says.
        let swapped = format!("{}{}", &expiry[2..], &expiry[..2]);
        if exp != expiry && exp != swapped {
            return Err(cat::CARD_NOT_VALID);
        }
        Ok(index)
    }

    fn send_otp(&mut self, user: &str, body: &Value, clock: Clock) -> Outcome {
        let (pan, exp) = card_fields(body, cat::INVALID_PARAMS)?;
        let card = self.find_card(pan.as_deref(), exp.as_deref())?;
        if !self.cards[card].card.sms_info {
            return Err(cat::SMS_INFO_IS_OFF);
        }
        if self.is_bound(user, card) {
            return Err(cat::CARD_ALREADY_EXISTS);
        }
        let id = self.next_otp_id;
        self.next_otp_id += 1;
        self.otp_sessions.insert(
            id,
            OtpSession {
                username: user.to_owned(),
                card,
                otp: Otp::new(clock.now),
            },
        );
        let sessions = self.otp_sessions.keys().map(|id| (id, *id));
        for id in overflow(sessions, seed::OTP_SESSIONS) {
            self.otp_sessions.remove(&id);
        }
        Ok(card_answer(json!({
            "id": id,
            "phoneMask": mask_phone(self.cards[card].card.phone),
        })))
    }

    fn is_bound(&self, user: &str, card: usize) -> bool {
        self.bound
            .get(user)
            .is_some_and(|cards| cards.iter().any(|b| b.card == card))
    }

    fn verify_otp(&mut self, user: &str, body: &Value, clock: Clock) -> Outcome {
        let id = req_int(body, "id", cat::INVALID_PARAMS)?;
        let code = req_text(body, "otp", cat::INVALID_PARAMS)?;
        let session = self
            .otp_sessions
            .get_mut(&id)
            .filter(|s| s.username == user)
            .ok_or(cat::OBJECT_NOT_FOUND)?;
        session.otp.check(&code, clock.now)?;
        let card = session.card;
        self.otp_sessions.remove(&id);
        if self.is_bound(user, card) {
            return Err(cat::CARD_ALREADY_EXISTS);
        }
        self.bound
            .entry(user.to_owned())
            .or_default()
            .push(Bound { card });
        self.next_ext_id += 1;
        let a = splitmix64(self.next_ext_id ^ 0x5e82_af24);
        let b = splitmix64(a);
        let token = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        );
        Ok(card_answer(Value::String(token)))
    }

    fn user_cards(&self, user: &str) -> Value {
        let list: Vec<Value> = self
            .bound
            .get(user)
            .map(|cards| {
                cards
                    .iter()
                    .map(|b| {
                        let c = &self.cards[b.card].card;
                        json!({
                            "bankName": c.bank_name,
                            "cardType": c.card_type,
                            "cardHolderName": c.holder,
                            "pan": mask_pan(c.pan),
                            "expiry": c.expiry,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        card_answer(Value::Array(list))
    }

    // -----------------------------------------------------------------------------------
    // Bills

    fn bill_json(&self, bill: &Bill, clock: Clock) -> Value {
        let card = &self.cards[bill.card].card;
        let recipient_amount = format!("{}.00", bill.amount);
        let data = match bill.status {
            BillStatus::CheckOk => json!({
                "dummy": "1",
                "ccy": seed::CURRENCY.to_string(),
                "rate": "100",
                "phone": short_phone(card.phone),
                "recipientAmount": recipient_amount,
                "leftSeconds": bill.otp.left_seconds(clock.now).to_string(),
            }),
            BillStatus::Success => json!({
                "dummy": "2",
                "ccy": seed::CURRENCY.to_string(),
                "rate": "100",
                "recipientAmount": recipient_amount,
            }),
            BillStatus::HoldSuccess => Value::Null,
            BillStatus::Cancelled => json!({}),
        };
        json!({
            "id": bill.id,
            "recipientShortName": self.recipients[bill.recipient].name,
            "sessionId": bill.session_id,
            "amount": bill.amount,
            "account": bill.account,
            "currency": seed::CURRENCY,
            "extId": bill.agent_tran_id,
            "requestTime": iso8601(clock.wall),
            "responseTime": iso8601(clock.wall + Duration::from_millis(4)),
            "responseText": "OK",
            "success": true,
            "status": bill.status.as_str(),
            "data": data,
            "gatewayName": null,
            "sender": null,
            "receiver": null,
        })
    }

    fn answer(&self, id: i64, clock: Clock) -> Outcome {
        let bill = self.bills.get(&id).ok_or(cat::BILL_NOT_FOUND)?;
        Ok(self.bill_json(bill, clock))
    }

    fn bill_mut(&mut self, body: &Value) -> Result<&mut Bill, ApiError> {
        let id = req_int(body, "billId", cat::INVALID_PARAMS)?;
        self.bills.get_mut(&id).ok_or(cat::BILL_NOT_FOUND)
    }

    fn check(&mut self, body: &Value, clock: Clock) -> Outcome {
        let account = req_text(body, "account", cat::INVALID_PARAMS)?;
        let amount = req_int(body, "amount", cat::INVALID_PARAMS)?;
        let recipient_id = req_int(body, "recipientId", cat::INVALID_PARAMS)?;
        let agent_tran_id = req_text(body, "agentTranId", cat::INVALID_PARAMS)?;
        let currency = req_int(body, "currency", cat::INVALID_PARAMS)?;
        let (pan, exp) = card_fields(body, cat::INVALID_PARAMS)?;
        if amount <= 0 || currency != seed::CURRENCY || pan.is_none() || exp.is_none() {
            return Err(cat::INVALID_PARAMS);
        }
        let recipient = self
            .recipients
            .iter()
            .position(|r| r.id == recipient_id)
            .ok_or(cat::SERVICE_NOT_FOUND)?;
        if !self.recipients[recipient].active {
            return Err(cat::SERVICE_NOT_ACTIVE);
        }
        if amount > seed::MAX_BILL_AMOUNT {
            return Err(cat::LIMIT_EXCEEDED);
        }
        let card = self.find_card(pan.as_deref(), exp.as_deref())?;
        if let Some(&id) = self.bill_keys.get(&agent_tran_id) {
            // The same agentTranId again: the same bill, if it is the same request.
            let bill = self.bills.get(&id).ok_or(cat::BILL_NOT_FOUND)?;
            let same = bill.account == account
                && bill.check_amount == amount
                && bill.recipient == recipient
                && bill.card == card;
            return if same {
                Ok(self.bill_json(bill, clock))
            } else {
                Err(cat::INVALID_REQUEST)
            };
        }
        if !self.cards[card].card.sms_info {
            return Err(cat::SMS_INFO_IS_OFF);
        }
        let id = self.next_bill_id;
        self.next_bill_id += 1;
        let bill = Bill {
            id,
            agent_tran_id: agent_tran_id.clone(),
            account,
            recipient,
            card,
            status: BillStatus::CheckOk,
            check_amount: amount,
            amount,
            held: 0,
            first_hold: 0,
            added: 0,
            otp: Otp::new(clock.now),
            session_id: epoch_millis(clock.wall).to_string(),
        };
        self.book.commit(
            "unregistered-check",
            &bill_ids(id, &agent_tran_id),
            amount,
            CURRENCY,
        );
        self.bills.insert(id, bill);
        self.bill_keys.insert(agent_tran_id, id);
        self.answer(id, clock)
    }

    /// `unregistered-pay` (`hold` false) and `hold/v2/otp` (`hold` true).
    fn pay(&mut self, body: &Value, clock: Clock, hold: bool) -> Outcome {
        let otp = match present(body, "params") {
            Some(p @ Value::Object(_)) => text(p, "otp", cat::INVALID_PARAMS)?,
            _ => None,
        };
        let otp = match otp {
            Some(o) => o,
            None => req_text(body, "otp", cat::INVALID_PARAMS)?,
        };
        let Emulator {
            bills, cards, book, ..
        } = self;
        let id = req_int(body, "billId", cat::INVALID_PARAMS)?;
        let bill = bills.get_mut(&id).ok_or(cat::BILL_NOT_FOUND)?;
        if bill.status != BillStatus::CheckOk {
            return Err(cat::BILL_NOT_VALID);
        }
        bill.otp.check(&otp, clock.now)?;
        if !hold && bill.amount == seed::DEBIT_ERROR_AMOUNT {
            return Err(cat::DEBIT_ERROR);
        }
        let card = &mut cards[bill.card];
        if card.balance < bill.amount {
            return Err(cat::INSUFFICIENT_FUNDS);
        }
        card.balance -= bill.amount;
        bill.otp.spent = true;
        book.commit(
            if hold { "hold" } else { "unregistered-pay" },
            &bill_ids(id, &bill.agent_tran_id),
            bill.amount,
            CURRENCY,
        );
        if hold {
            bill.status = BillStatus::HoldSuccess;
            bill.held = bill.amount;
            bill.first_hold = bill.amount;
        } else {
            bill.status = BillStatus::Success;
            if bill.amount == seed::TIMEOUT_AMOUNT {
                // Paid, but the answer is lost in a timeout: the caller must ask status.
                return Err(cat::TIMEOUT);
            }
        }
        self.answer(id, clock)
    }

    fn hold_confirm(&mut self, body: &Value, clock: Clock) -> Outcome {
        let bill = self.bill_mut(body)?;
        if bill.status != BillStatus::HoldSuccess {
            return Err(cat::BILL_NOT_VALID);
        }
        bill.status = BillStatus::Success;
        bill.amount = bill.held;
        bill.held = 0;
        let (id, ids, amount) = (bill.id, bill_ids(bill.id, &bill.agent_tran_id), bill.amount);
        self.book.commit("hold-confirm", &ids, amount, CURRENCY);
        self.answer(id, clock)
    }

    fn hold_more(&mut self, body: &Value, clock: Clock) -> Outcome {
        let amount = req_int(body, "amount", cat::INVALID_PARAMS)?;
        let (pan, _) = card_fields(body, cat::INVALID_PARAMS)?;
        if amount <= 0 {
            return Err(cat::INVALID_PARAMS);
        }
        let id = req_int(body, "billId", cat::INVALID_PARAMS)?;
        let Emulator {
            bills, cards, book, ..
        } = self;
        let bill = bills.get_mut(&id).ok_or(cat::BILL_NOT_FOUND)?;
        if bill.status != BillStatus::HoldSuccess {
            return Err(cat::BILL_NOT_VALID);
        }
        let card = &mut cards[bill.card];
        // A full card number must be the bill's card; masked or placeholder ones are let be.
        if let Some(pan) = pan
            && pan.bytes().all(|b| b.is_ascii_digit())
            && pan != card.card.pan
        {
            return Err(cat::CARD_NOT_VALID);
        }
        let limit = bill.first_hold * seed::HOLD_MORE_PERCENT / 100;
        if bill.added.saturating_add(amount) > limit {
            return Err(cat::LIMIT_EXCEEDED);
        }
        if card.balance < amount {
            return Err(cat::INSUFFICIENT_FUNDS);
        }
        card.balance -= amount;
        bill.added += amount;
        bill.held += amount;
        bill.amount = bill.held;
        book.commit(
            "hold-more",
            &bill_ids(id, &bill.agent_tran_id),
            amount,
            CURRENCY,
        );
        self.answer(id, clock)
    }

    fn hold_reverse(&mut self, body: &Value, clock: Clock) -> Outcome {
        let id = req_int(body, "billId", cat::INVALID_PARAMS)?;
        let Emulator {
            bills, cards, book, ..
        } = self;
        let bill = bills.get_mut(&id).ok_or(cat::BILL_NOT_FOUND)?;
        if bill.status != BillStatus::HoldSuccess {
            return Err(cat::BILL_NOT_VALID);
        }
        cards[bill.card].balance += bill.held;
        bill.status = BillStatus::Cancelled;
        bill.amount = bill.held;
        bill.held = 0;
        book.commit(
            "hold-reverse",
            &bill_ids(id, &bill.agent_tran_id),
            bill.amount,
            CURRENCY,
        );
        self.answer(id, clock)
    }

    fn hold_reverse_partial(&mut self, body: &Value, clock: Clock) -> Outcome {
        let reverse = req_int(body, "reverseAmount", cat::INVALID_PARAMS)?;
        let id = req_int(body, "billId", cat::INVALID_PARAMS)?;
        let Emulator {
            bills, cards, book, ..
        } = self;
        let bill = bills.get_mut(&id).ok_or(cat::BILL_NOT_FOUND)?;
        if bill.status != BillStatus::HoldSuccess {
            return Err(cat::BILL_NOT_VALID);
        }
        // Partial: something must stay held (hold/v2/reverse releases everything).
        if reverse <= 0 || reverse >= bill.held {
            return Err(cat::INVALID_PARAMS);
        }
        cards[bill.card].balance += reverse;
        bill.held -= reverse;
        bill.amount = bill.held;
        book.commit(
            "hold-reverse-partial",
            &bill_ids(id, &bill.agent_tran_id),
            reverse,
            CURRENCY,
        );
        self.answer(id, clock)
    }

    fn cancel(&mut self, body: &Value, clock: Clock) -> Outcome {
        let id = req_int(body, "billId", cat::INVALID_PARAMS)?;
        let Emulator {
            bills, cards, book, ..
        } = self;
        let bill = bills.get_mut(&id).ok_or(cat::BILL_NOT_FOUND)?;
        if bill.status != BillStatus::Success {
            return Err(cat::BILL_NOT_VALID);
        }
        cards[bill.card].balance += bill.amount;
        bill.status = BillStatus::Cancelled;
        book.commit(
            "cancel",
            &bill_ids(id, &bill.agent_tran_id),
            bill.amount,
            CURRENCY,
        );
        self.answer(id, clock)
    }

    fn status(&mut self, body: &Value, clock: Clock) -> Outcome {
        let bill_id = int(body, "billId", cat::INVALID_PARAMS)?;
        let agent_tran_id = text(body, "agentTranId", cat::INVALID_PARAMS)?;
        let id = match (bill_id, agent_tran_id) {
            (Some(id), _) => id,
            (None, Some(key)) => match self.bill_keys.get(&key) {
                Some(id) => *id,
                None => {
                    let payout = self.payouts.get(&key).ok_or(cat::BILL_NOT_FOUND)?;
                    return Ok(payout_status(&key, payout, clock));
                }
            },
            (None, None) => return Err(cat::INVALID_PARAMS),
        };
        self.answer(id, clock)
    }

    // -----------------------------------------------------------------------------------
    // Payouts

    fn ext_pay(&mut self, body: &Value) -> Outcome {
        let bad = cat::P2P_REQUEST_NOT_VALID;
        let agent_tran_id = req_text(body, "agentTranId", bad)?;
        let amount = req_int(body, "amount", bad)?;
        let from = present(body, "from").filter(|v| v.is_object()).ok_or(bad)?;
        let to = present(body, "to").filter(|v| v.is_object()).ok_or(bad)?;
        let from_params = present(from, "params")
            .filter(|v| v.is_object())
            .ok_or(bad)?;
        let to_params = present(to, "params").filter(|v| v.is_object()).ok_or(bad)?;
        let from_type = req_text(from, "type", bad)?;
        let to_type = req_text(to, "type", bad)?;
        let account = req_text(from_params, "account", bad)?;
        let mfo = text(from_params, "mfo", bad)?;
        let name = text(from_params, "name", bad)?.unwrap_or_default();
        let pan = req_text(to_params, "pan", bad)?;
        let exp = text_any(to_params, &["exp", "expiry"], bad)?;
        let currencies = [int(from, "currency", bad)?, int(to, "currency", bad)?];
        if amount <= 0
            || from_type != "ACCOUNT"
            // The table says ACCOUNT, the example PAN.
            || !matches!(to_type.as_str(), "PAN" | "ACCOUNT")
            || currencies.iter().any(|c| c.is_some_and(|c| c != seed::CURRENCY))
            || account != seed::MERCHANT_ACCOUNT
            || mfo.is_some_and(|m| m != seed::MERCHANT_MFO)
        {
            return Err(bad);
        }
        if let Some(done) = self.payouts.get(&agent_tran_id) {
            // The same agentTranId again: the same payout, never a second one.
            return if done.amount == amount && done.pan == pan {
                Ok(done.answer.clone())
            } else {
                Err(bad)
            };
        }
        let card = self.find_card(Some(&pan), exp.as_deref())?;
        let fee = amount.saturating_mul(seed::EXT_PAY_COMMISSION_PERMILLE) / 1000;
        let total = amount.saturating_add(fee);
        if self.deposit < total {
            return Err(cat::INSUFFICIENT_FUNDS_ON_DEPOSIT);
        }
        self.deposit -= total;
        self.cards[card].balance += amount;
        let bml_id = self.next_bml_id;
        self.next_bml_id += 1;
        let ext = |n: u64| (splitmix64(n) % 9_000_000_000 + 1_000_000_000).to_string();
        self.next_ext_id += 2;
        let (sender_ext, recipient_ext) = (ext(self.next_ext_id - 1), ext(self.next_ext_id));
        let card = self.cards[card].card;
        let masked = mask_pan(card.pan);
        let q = |s: &str| Value::String(s.to_owned()).to_string();
        let sender_name = format!(
            "{{\"account\":{},\"mfo\":{},\"name\":{}}}",
            q(&account),
            q(seed::MERCHANT_MFO),
            q(&name)
        );
        let recipient_name = format!(
            "{{\"pan\":{},\"exp\":{}}}",
            q(&masked),
            q(exp.as_deref().unwrap_or(card.expiry))
        );
        let answer = json!({
            "amount": amount,
            "currency": seed::CURRENCY,
            "agentTranId": agent_tran_id,
            "authorized": false,
            "promo": null,
            "success": true,
            "statusCode": 0,
            "statusMessage": "SUCCESS",
            "sender": {
                "name": sender_name,
                "amount": amount,
                "commissionAmount": fee,
                "commission": 0.4,
                "currency": seed::CURRENCY,
                "data": { "ACCOUNT": account, "EXT_ID": sender_ext },
            },
            "recipient": {
                "name": recipient_name,
                "amount": amount,
                "commissionAmount": 0,
                "commission": 0.0,
                "currency": seed::CURRENCY,
                "data": { "ACCOUNT": masked, "EXT_ID": recipient_ext },
            },
            "bmlId": bml_id,
        });
        self.book.commit(
            "ext-pay",
            &[
                ("agentTranId", agent_tran_id.clone()),
                ("bmlId", bml_id.to_string()),
                ("pan", masked.clone()),
            ],
            amount,
            CURRENCY,
        );
        self.payouts.insert(
            agent_tran_id,
            Payout {
                amount,
                pan: card.pan,
                answer: answer.clone(),
            },
        );
        Ok(answer)
    }
}

/// A payout's status by its `agentTranId`: a bill-shaped answer (`id` is its `bmlId`),
/// `SUCCESS`, since a payout the emulator made is final at once.
fn payout_status(agent_tran_id: &str, payout: &Payout, clock: Clock) -> Value {
    json!({
        "id": payout.answer.get("bmlId").cloned().unwrap_or(Value::Null),
        "amount": payout.amount,
        "currency": seed::CURRENCY,
        "extId": agent_tran_id,
        "requestTime": iso8601(clock.wall),
        "responseTime": iso8601(clock.wall + Duration::from_millis(4)),
        "responseText": "OK",
        "success": true,
        "status": BillStatus::Success.as_str(),
        "data": {},
    })
}

/// The currency of every amount of the emulator (ISO 4217 860, in tiyin).
const CURRENCY: &str = "UZS";

/// The ids of a bill a status call takes.
fn bill_ids(id: i64, agent_tran_id: &str) -> [(&'static str, String); 2] {
    [
        ("billId", id.to_string()),
        ("agentTranId", agent_tran_id.to_owned()),
    ]
}

/// The envelope of the card calls.
fn card_answer(data: Value) -> Value {
    json!({ "success": true, "exception": null, "data": data })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(emu: &mut Emulator, now: Instant) -> (String, String) {
        let body = json!({"username": seed::USERNAME, "password": seed::PASSWORD});
        let clock = Clock {
            now,
            wall: SystemTime::UNIX_EPOCH,
        };
        let answer = emu.login(&body, clock).expect("login");
        let token = |k: &str| answer["result"][k].as_str().expect("token").to_owned();
        (token("access_token"), token("refresh_token"))
    }

    #[test]
    fn logins_beyond_the_bound_retire_the_oldest_tokens_never_the_newest() {
        let now = Instant::now();
        let mut emu = Emulator::seeded(now);
        let bearer = |t: &str| format!("Bearer {t}");
        let first = login(&mut emu, now);
        for _ in 0..seed::LIVE_TOKENS + 5 {
            let (access, _) = login(&mut emu, now);
            assert!(emu.authenticate(Some(&bearer(&access)), now).is_ok());
            assert!(emu.tokens.len() <= seed::LIVE_TOKENS);
            assert!(emu.refresh_tokens.len() <= seed::LIVE_TOKENS);
        }
        assert!(
            emu.authenticate(Some(&bearer(seed::ACCESS_TOKEN)), now)
                .is_err()
        );
        assert!(emu.authenticate(Some(&bearer(&first.0)), now).is_err());
        assert!(!emu.refresh_tokens.contains_key(&first.1));
    }

    #[test]
    fn otp_sessions_beyond_the_bound_drop_the_oldest() {
        let now = Instant::now();
        let mut emu = Emulator::seeded(now);
        let clock = Clock {
            now,
            wall: SystemTime::UNIX_EPOCH,
        };
        let card = seed::POOR_CARD;
        let body = json!({"pan": card.pan, "exp": card.expiry});
        let mut ids = Vec::new();
        for _ in 0..seed::OTP_SESSIONS + 5 {
            let answer = emu
                .send_otp(seed::USERNAME, &body, clock)
                .expect("send-otp");
            ids.push(answer["data"]["id"].as_i64().expect("id"));
            assert!(emu.otp_sessions.len() <= seed::OTP_SESSIONS);
        }
        let newest = *ids.last().expect("sessions");
        assert!(emu.otp_sessions.contains_key(&newest));
        assert!(!emu.otp_sessions.contains_key(&ids[0]));
        let verify = json!({"id": newest, "otp": seed::OTP});
        assert!(emu.verify_otp(seed::USERNAME, &verify, clock).is_ok());
    }
}
