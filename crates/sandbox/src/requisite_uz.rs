//! Emulator of the bank's partner API for payment orders by requisites (`requisite-uz`,
//! API v2, amounts in tiyin).
//!
//! Written from the provider's document ("Техническая документация «Оплата по реквизитам»") and the recorded fixtures:
//!
//! | method | path | operation |
//! |---|---|---|
//! | GET | `/api/v2/services` | the partner's services |
//! | POST | `/api/v2/payment` | payment order by requisites (keyed on `orderId`) |
//! | POST | `/api/v2/paymentBudget` | payment order to the budget (keyed on `orderId`) |
//! | GET | `/api/v2/payment/{orderId}` | status of a payment order (both kinds) |
//! | GET | `/api/v2/account/{serviceId}/balance` | a service's balance |
//! | POST | `/api/v2/account/payments` | a service's statement, paged with `lastId` |
//!
//! Every request needs HTTP Basic with [`seed::USERNAME`] / [`seed::PASSWORD`] (or the
//! fixtures' [`seed::FIXTURE_USERNAME`] / [`seed::FIXTURE_PASSWORD`]); anything else gets
//! HTTP 401 (the document does not say how a refusal looks). Every other answer is HTTP 200
//! with the envelope `{"status", "code", "message", "data"}`.
//!
//! State: the services and their balances, the payment orders keyed by `orderId` and the
//! statement rows. A new order is `Введен`; the first payment-status read still answers
//! `Введен`, the second and later ones the final status (`Проведен`, or `Удален` for
//! [`seed::AMOUNT_DELETED_BY_BANK`]). See `docs/sandbox/requisite-uz.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::{format_description, offset};

use crate::clock::Clock;

/// Seed data and test credentials of the emulator.
///
/// Amounts are tiyin (1/100 sum); send them as strings (`"500000"`), as the document does.
pub mod seed {
    /// Basic-auth user name (the document's example).
    pub const USERNAME: &str = "gray";
    /// Basic-auth password (the document's example).
    pub const PASSWORD: &str = "p@ssw0rd";
    /// Second accepted user name: the one the recorded fixtures use.
    pub const FIXTURE_USERNAME: &str = "test-user";
    /// Password that goes with [`FIXTURE_USERNAME`].
    pub const FIXTURE_PASSWORD: &str = "test-password";

    /// The partner's name, as payer on its outgoing statement rows.
    pub const PARTNER_NAME: &str = "SELLO - C2C";
    /// The partner's INN (9 digits).
    pub const PARTNER_INN: &str = "307692757";
    /// The partner's bank code (MFO, 5 digits).
    pub const PARTNER_MFO: &str = "00401";

    /// Service "Оплата по реквизитам UZCARD", type `WORKING_WITH_CARD`.
    pub const SERVICE_UZCARD_ID: u64 = 34;
    /// Name of [`SERVICE_UZCARD_ID`].
    pub const SERVICE_UZCARD_NAME: &str = "Оплата по реквизитам UZCARD";
    /// Partner account (20 digits) of [`SERVICE_UZCARD_ID`].
    pub const SERVICE_UZCARD_ACCOUNT: &str = "29896000200000401070";
    /// Opening balance of [`SERVICE_UZCARD_ID`] in tiyin (the sum of its seed statement rows).
    pub const SERVICE_UZCARD_BALANCE: u64 = 200_500_400;

    /// Service "Оплата по реквизитам HUMO", type `WORKING_WITH_CARD`.
    pub const SERVICE_HUMO_ID: u64 = 35;
    /// Name of [`SERVICE_HUMO_ID`].
    pub const SERVICE_HUMO_NAME: &str = "Оплата по реквизитам HUMO";
    /// Partner account (20 digits) of [`SERVICE_HUMO_ID`].
    pub const SERVICE_HUMO_ACCOUNT: &str = "29896000200000401071";
    /// Opening balance of [`SERVICE_HUMO_ID`] in tiyin.
    pub const SERVICE_HUMO_BALANCE: u64 = 100_000_000;

    /// Service "Расщепления", type `CARD_IS_OPTIONAL` (card fields may be left out).
    pub const SERVICE_SPLIT_ID: u64 = 33;
    /// Name of [`SERVICE_SPLIT_ID`].
    pub const SERVICE_SPLIT_NAME: &str = "Расщепления";
    /// Partner account (20 digits) of [`SERVICE_SPLIT_ID`].
    pub const SERVICE_SPLIT_ACCOUNT: &str = "29896000200000401072";
    /// Opening balance of [`SERVICE_SPLIT_ID`] in tiyin.
    pub const SERVICE_SPLIT_BALANCE: u64 = 50_000_000;

    /// Balance and statement of this (unlisted) service id answer 1002
    /// "Настройки для сервиса отсутствуют"; payments to it too.
    pub const SERVICE_WITHOUT_SETTINGS: u64 = 1002;
    /// Balance and statement of this (unlisted) service id answer 1004
    /// "Пользователь не найден"; payments to it too.
    pub const SERVICE_USER_NOT_FOUND: u64 = 1004;
    /// Balance and statement of this (unlisted) service id answer 1009
    /// "Нет доступа для метода"; payments to it too.
    pub const SERVICE_NO_ACCESS: u64 = 1009;
    /// Any other unknown service id answers 1001 "Сервис не найден" (e.g. this one).
    pub const SERVICE_UNKNOWN: u64 = 999;

    /// A receiver's name (payment).
    pub const RECEIVER_NAME: &str = "Test";
    /// A receiver's bank code (MFO, 5 digits), member of the instant payment system.
    pub const RECEIVER_MFO: &str = "01091";
    /// A receiver's account (20 digits).
    pub const RECEIVER_ACCOUNT: &str = "29801000990248844444";
    /// A receiver's INN (9 digits).
    pub const RECEIVER_INN: &str = "123456789";
    /// Budget receiver's personal account (27 digits) for paymentBudget.
    pub const BUDGET_ACCOUNT: &str = "400522860262837950100251028";
    /// Budget receiver's INN (9 digits) for paymentBudget.
    pub const BUDGET_INN: &str = "207099143";
    /// Payment purpose code (5 digits) for paymentBudget.
    pub const PURPOSE_CODE: &str = "09510";

    /// A HUMO sender card (16 digits).
    pub const HUMO_CARD: &str = "9860531554896678";
    /// A UZCARD sender card (16 digits).
    pub const UZCARD_CARD: &str = "8600490000006744";
    /// A payment reference number (`refNumber`).
    pub const REF_NUMBER: &str = "016351273642";

    /// A receiver bank code that is not a member of the instant payment system: 1014.
    /// (A code that is not 5 digits gets 1014 too.)
    pub const MFO_NOT_IN_SMP: &str = "00999";
    /// A well-formed receiver account that the bank does not find: 1013. Every account
    /// (payment or budget) ending in `0000` is "not found"; one of the wrong length gets
    /// 1013 too.
    pub const ACCOUNT_NOT_FOUND: &str = "29801000990248800000";
    /// A well-formed budget account that the bank does not find: 1013 (ends in `0000`).
    pub const BUDGET_ACCOUNT_NOT_FOUND: &str = "400522860262837950100250000";

    /// Amount (tiyin) of an order the bank's core system deletes: created `Введен`, the
    /// second payment-status read answers `Удален` and the debit is given back.
    pub const AMOUNT_DELETED_BY_BANK: u64 = 66_600;
    /// Amount (tiyin) answered 1111 "Системная ошибка" *after* the order was created and
    /// debited: payment-status finds it (the outcome had to be checked).
    pub const AMOUNT_SYSTEM_ERROR: u64 = 111_100;
    /// Amount (tiyin) answered 2222 "Критическая ошибка" with nothing created:
    /// payment-status answers 1008, the same orderId may be sent again.
    pub const AMOUNT_CRITICAL_ERROR: u64 = 222_200;
    /// Amount (tiyin) answered 3333 "Дата документа не может быть меньше даты
    /// операционного дня", nothing created.
    pub const AMOUNT_DATE_BEFORE_OPERATIONAL_DAY: u64 = 333_300;

    /// Code for a repeated `orderId` (the document names none; emulator's choice).
    pub const CODE_DUPLICATE_ORDER: u32 = 1010;
    /// Code for amount + commission above the service's balance (the document names none;
    /// emulator's choice).
    pub const CODE_INSUFFICIENT_BALANCE: u32 = 1012;

    /// Rows per statement page: rows with `id` greater than `lastId`, oldest first.
    pub const STATEMENT_PAGE_SIZE: usize = 2;
    /// `doc_id` of the first payment order (`1180_` + a counter, as in the document).
    pub const FIRST_PAYMENT_DOC_ID: &str = "1180_1841519885";
    /// `doc_id` of the first budget payment order (bare digits, as in the document).
    pub const FIRST_BUDGET_DOC_ID: &str = "1290084933";
    /// Largest statement row id in the seed; new rows get larger ids.
    pub const LAST_SEED_ROW_ID: u64 = 2_111_291_793;
}

const ENTERED: &str = "Введен";
const CONDUCTED: &str = "Проведен";
const DELETED: &str = "Удален";
const INCOME: &str = "Приход";
const EXPENSE: &str = "Расход";
const WORKING_WITH_CARD: &str = "WORKING_WITH_CARD";
const CARD_IS_OPTIONAL: &str = "CARD_IS_OPTIONAL";
const TREASURY_MFO: &str = "00014";
const TREASURY_NAME: &str = "Казначейство (бюджет)";

/// An error answer: the code and the document's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Refusal {
    code: u32,
    message: &'static str,
}

const SERVICE_NOT_FOUND: Refusal = Refusal {
    code: 1001,
    message: "Сервис не найден",
};
const SETTINGS_MISSING: Refusal = Refusal {
    code: 1002,
    message: "Настройки для сервиса отсутствуют",
};
const USER_NOT_FOUND: Refusal = Refusal {
    code: 1004,
    message: "Пользователь не найден",
};
const NO_DATA: Refusal = Refusal {
    code: 1008,
    message: "Не удалось получить данные",
};
const NO_ACCESS: Refusal = Refusal {
    code: 1009,
    message: "Нет доступа для метода",
};
const DUPLICATE_ORDER: Refusal = Refusal {
    code: seed::CODE_DUPLICATE_ORDER,
    message: "Заказ с таким orderId уже существует",
};
const INSUFFICIENT_BALANCE: Refusal = Refusal {
    code: seed::CODE_INSUFFICIENT_BALANCE,
    message: "Недостаточно средств на счёте сервиса",
};
const ACCOUNT_NOT_FOUND: Refusal = Refusal {
    code: 1013,
    message: "Счёт не найден",
};
const BANK_NOT_IN_SMP: Refusal = Refusal {
    code: 1014,
    message: "Банк получателя не является участником СМП",
};
const NAME_UNPRINTABLE: Refusal = Refusal {
    code: 1015,
    message: "Поле Наименование получателя содержит непечатаемые символы",
};
const PURPOSE_UNPRINTABLE: Refusal = Refusal {
    code: 1016,
    message: "Поле Назначение платежа содержит непечатаемые символы",
};
const MISSING_FIELDS: Refusal = Refusal {
    code: 1017,
    message: "Отсутствуют обязательные поля",
};
const SYSTEM_ERROR: Refusal = Refusal {
    code: 1111,
    message: "Системная ошибка",
};
const CRITICAL_ERROR: Refusal = Refusal {
    code: 2222,
    message: "Критическая ошибка",
};
const DATE_BEFORE_DAY: Refusal = Refusal {
    code: 3333,
    message: "Дата документа не может быть меньше даты операционного дня",
};

/// A service of the partner.
#[derive(Debug, Clone)]
struct Service {
    id: u64,
    name: &'static str,
    card_required: bool,
    account: &'static str,
}

/// A payment order, keyed by `orderId` in [`Emulator::orders`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Order {
    doc_id: String,
    service_id: u64,
    #[serde(with = "word")]
    status: Word,
    /// What the order becomes on the second status read.
    #[serde(with = "word")]
    outcome: Word,
    status_reads: u32,
    /// amount + commission taken from the service's balance.
    debit: u64,
    row_id: u64,
}

/// A statement row.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    id: u64,
    service_id: u64,
    doc_number: String,
    doc_date: String,
    payment_date: String,
    #[serde(with = "word")]
    kind: Word,
    mfo_payer: String,
    account_payer: String,
    name_payer: String,
    inn_payer: String,
    mfo_receiver: String,
    account_receiver: String,
    name_receiver: String,
    inn_receiver: String,
    amount: u64,
    purpose: String,
    #[serde(with = "word")]
    status: Word,
}

/// One of the emulator's fixed words (an alias, so that serde does not borrow it).
type Word = &'static str;

/// The emulator's fixed words (statuses, row kinds) in a state file: written out, read back
/// as the same constant; any other word is refused.
mod word {
    use serde::{Deserialize, Deserializer, Serializer};

    const WORDS: [&str; 5] = [
        super::ENTERED,
        super::CONDUCTED,
        super::DELETED,
        super::INCOME,
        super::EXPENSE,
    ];

    pub(super) fn serialize<S: Serializer>(word: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(word)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let text = String::deserialize(d)?;
        WORDS
            .into_iter()
            .find(|w| *w == text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown status or kind `{text}`")))
    }
}

impl Row {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "docNumber": self.doc_number,
            "docDate": self.doc_date,
            "paymentDate": self.payment_date,
            "type": self.kind,
            "mfoPayer": self.mfo_payer,
            "accountPayer": self.account_payer,
            "namePayer": self.name_payer,
            "innPayer": self.inn_payer,
            "mfoReceiver": self.mfo_receiver,
            "accountReceiver": self.account_receiver,
            "nameReceiver": self.name_receiver,
            "innReceiver": self.inn_receiver,
            "amount": self.amount,
            "purpose": self.purpose,
            "status": self.status,
        })
    }
}

/// The emulator's whole state. The services are seed data (not written to a state file);
/// everything that changes is.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Emulator {
    #[serde(skip, default = "seed_services")]
    services: Vec<Service>,
    balances: HashMap<u64, u64>,
    orders: HashMap<String, Order>,
    rows: Vec<Row>,
    next_row_id: u64,
    next_doc_number: u64,
    next_payment_doc: u64,
    next_budget_doc: u64,
}

/// The state behind the routes: the emulator and the sandbox's clock.
#[derive(Clone)]
pub(crate) struct Shared {
    emu: Arc<Mutex<Emulator>>,
    clock: Clock,
}

impl Shared {
    /// A copy of the emulator's state, for a state file.
    pub(crate) fn snapshot(&self) -> Value {
        serde_json::to_value(&*lock(self)).unwrap_or(Value::Null)
    }
}

fn lock(state: &Shared) -> MutexGuard<'_, Emulator> {
    state.emu.lock().unwrap_or_else(|p| p.into_inner())
}

/// The three seed services: UZCARD, HUMO, split.
fn seed_services() -> Vec<Service> {
    vec![
        Service {
            id: seed::SERVICE_UZCARD_ID,
            name: seed::SERVICE_UZCARD_NAME,
            card_required: true,
            account: seed::SERVICE_UZCARD_ACCOUNT,
        },
        Service {
            id: seed::SERVICE_HUMO_ID,
            name: seed::SERVICE_HUMO_NAME,
            card_required: true,
            account: seed::SERVICE_HUMO_ACCOUNT,
        },
        Service {
            id: seed::SERVICE_SPLIT_ID,
            name: seed::SERVICE_SPLIT_NAME,
            card_required: false,
            account: seed::SERVICE_SPLIT_ACCOUNT,
        },
    ]
}

/// An incoming seed row (a top-up of the partner's account).
fn income(
    (id, doc_number): (u64, &str),
    service: &Service,
    (date, time): (&str, &str),
    amount: u64,
    purpose: &str,
) -> Row {
    Row {
        id,
        service_id: service.id,
        doc_number: doc_number.into(),
        doc_date: format!("{date} {time}"),
        payment_date: format!("{date} 00:00:00"),
        kind: INCOME,
        mfo_payer: "00401".into(),
        account_payer: "20208000405273320010".into(),
        name_payer: "ООО \"MARKETPLACE TRADING\"".into(),
        inn_payer: "307692757".into(),
        mfo_receiver: seed::PARTNER_MFO.into(),
        account_receiver: service.account.into(),
        name_receiver: seed::PARTNER_NAME.into(),
        inn_receiver: seed::PARTNER_INN.into(),
        amount,
        purpose: purpose.into(),
        status: CONDUCTED,
    }
}

impl Emulator {
    fn seeded() -> Emulator {
        let services = seed_services();
        let (uzcard, humo, split) = (
            services[0].clone(),
            services[1].clone(),
            services[2].clone(),
        );
        let rows = vec![
            income(
                (2_111_291_785, "1917760"),
                &uzcard,
                ("2022-12-28", "11:20:00"),
                200_000_000,
                "пополнение счёта",
            ),
            income(
                (2_111_291_786, "1917771"),
                &humo,
                ("2023-01-10", "12:00:00"),
                seed::SERVICE_HUMO_BALANCE,
                "пополнение счёта",
            ),
            income(
                (2_111_291_787, "1917782"),
                &split,
                ("2023-01-12", "15:45:10"),
                seed::SERVICE_SPLIT_BALANCE,
                "пополнение счёта",
            ),
            Row {
                id: 2_111_291_788,
                service_id: uzcard.id,
                doc_number: "1917790".into(),
                doc_date: "2023-01-16 10:05:41".into(),
                payment_date: "2023-01-16 00:00:00".into(),
                kind: EXPENSE,
                mfo_payer: seed::PARTNER_MFO.into(),
                account_payer: uzcard.account.into(),
                name_payer: seed::PARTNER_NAME.into(),
                inn_payer: seed::PARTNER_INN.into(),
                mfo_receiver: seed::RECEIVER_MFO.into(),
                account_receiver: seed::RECEIVER_ACCOUNT.into(),
                name_receiver: seed::RECEIVER_NAME.into(),
                inn_receiver: seed::RECEIVER_INN.into(),
                amount: 500_000,
                purpose: "Test 24/7".into(),
                status: CONDUCTED,
            },
            income(
                (2_111_291_790, "1917801"),
                &uzcard,
                ("2023-01-20", "09:14:02"),
                1_000_000,
                "пополнение",
            ),
            income(
                (seed::LAST_SEED_ROW_ID, "1917830"),
                &uzcard,
                ("2023-02-01", "16:32:23"),
                400,
                "тест",
            ),
        ];
        let balances = HashMap::from([
            (uzcard.id, seed::SERVICE_UZCARD_BALANCE),
            (humo.id, seed::SERVICE_HUMO_BALANCE),
            (split.id, seed::SERVICE_SPLIT_BALANCE),
        ]);
        Emulator {
            services,
            balances,
            orders: HashMap::new(),
            rows,
            next_row_id: seed::LAST_SEED_ROW_ID + 7,
            next_doc_number: 1_917_840,
            next_payment_doc: 1_841_519_885,
            next_budget_doc: 1_290_084_933,
        }
    }

    /// The service for an id, or the balance/statement refusal for it.
    fn service(&self, id: Option<u64>) -> Result<Service, Refusal> {
        match id {
            Some(seed::SERVICE_WITHOUT_SETTINGS) => Err(SETTINGS_MISSING),
            Some(seed::SERVICE_USER_NOT_FOUND) => Err(USER_NOT_FOUND),
            Some(seed::SERVICE_NO_ACCESS) => Err(NO_ACCESS),
            Some(id) => self
                .services
                .iter()
                .find(|s| s.id == id)
                .cloned()
                .ok_or(SERVICE_NOT_FOUND),
            None => Err(SERVICE_NOT_FOUND),
        }
    }
}

/// Builds the emulator's router with fresh seed state (mounted under `/requisite-uz`).
///
/// ```
/// let router = kassa_sandbox::requisite_uz::router();
/// # let _ = router;
/// ```
pub fn router() -> Router {
    build(None, Clock::system()).0
}

/// The router on `state` (seed state when `None`) with `clock`, and a handle on its state.
pub(crate) fn build(state: Option<Emulator>, clock: Clock) -> (Router, Shared) {
    let state = Shared {
        emu: Arc::new(Mutex::new(state.unwrap_or_else(Emulator::seeded))),
        clock,
    };
    let router = Router::new()
        .route("/api/v2/services", get(services))
        .route("/api/v2/payment", post(payment))
        .route("/api/v2/paymentBudget", post(payment_budget))
        .route("/api/v2/payment/{order_id}", get(payment_status))
        .route("/api/v2/account/{service_id}/balance", get(balance))
        .route("/api/v2/account/payments", post(statement))
        .route_layer(middleware::from_fn(basic_auth))
        .with_state(state.clone());
    (router, state)
}

// ---------------------------------------------------------------------------------------
// Envelope and auth
// ---------------------------------------------------------------------------------------

fn success(data: Value) -> Response {
    axum::Json(json!({"status": "success", "code": 0, "data": data})).into_response()
}

/// Balance and statement answers: no `code` key, as in the document's examples.
fn success_without_code(data: Value) -> Response {
    axum::Json(json!({"status": "success", "data": data})).into_response()
}

fn refuse(refusal: Refusal) -> Response {
    axum::Json(json!({
        "status": "error",
        "code": refusal.code,
        "message": refusal.message,
        "data": Value::Null,
    }))
    .into_response()
}

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    matches!(
        text.split_once(':'),
        Some((seed::USERNAME, seed::PASSWORD))
            | Some((seed::FIXTURE_USERNAME, seed::FIXTURE_PASSWORD))
    )
}

async fn basic_auth(req: Request, next: Next) -> Response {
    if authorized(req.headers()) {
        return next.run(req).await;
    }
    let mut answer = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({
            "status": "error",
            "code": 401,
            "message": "Unauthorized",
            "data": Value::Null,
        })),
    )
        .into_response();
    answer.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"requisite-uz\""),
    );
    answer
}

// ---------------------------------------------------------------------------------------
// Field helpers
// ---------------------------------------------------------------------------------------

/// A field as text: a string, or a number written out; empty or other types count as absent.
fn text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn digits(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_digit())
}

fn tiyin(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn printable(value: &str) -> bool {
    !value.chars().any(char::is_control)
}

fn parse_body(body: &Bytes) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Time (Tashkent, UTC+5)
// ---------------------------------------------------------------------------------------

/// The bank's zone: Tashkent, UTC+05:00 all year (no daylight saving time).
const TASHKENT: time::UtcOffset = offset!(+5);

/// `at` in Tashkent: (`docDate` `YYYY-MM-DD HH:MM:SS`, `paymentDate` `YYYY-MM-DD 00:00:00`).
fn tashkent_stamps(at: OffsetDateTime) -> (String, String) {
    let local = at.to_offset(TASHKENT);
    let doc_date = local
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    let payment_date = local
        .format(format_description!("[year]-[month]-[day] 00:00:00"))
        .unwrap_or_default();
    (doc_date, payment_date)
}

/// A `YYYY-MM-DD` date with a plausible month and day.
fn valid_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (value.get(0..4), value.get(5..7), value.get(8..10)) else {
        return false;
    };
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return false;
    }
    let (Ok(m), Ok(d)) = (m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

async fn services(State(state): State<Shared>) -> Response {
    let st = lock(&state);
    let list: Vec<Value> = st
        .services
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": s.name,
                "activated": true,
                "type": if s.card_required { WORKING_WITH_CARD } else { CARD_IS_OPTIONAL },
                "account": s.account,
            })
        })
        .collect();
    success(Value::Array(list))
}

/// Which kind of payment order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Requisites,
    Budget,
}

/// A payment order request that passed validation.
#[derive(Debug)]
struct Validated {
    order_id: String,
    service: Service,
    amount: u64,
    commission: u64,
    purpose: String,
    receiver_name: String,
    mfo_receiver: String,
    receiver_account: String,
    inn_receiver: String,
}

/// Validates a payment/paymentBudget body in the order the emulator documents.
fn validate(st: &Emulator, body: &Map<String, Value>, kind: Kind) -> Result<Validated, Refusal> {
    let required: &[&str] = match kind {
        Kind::Requisites => &[
            "orderId",
            "receiverName",
            "mfoReceiver",
            "receiverAccount",
            "purpose",
            "serviceId",
            "amount",
            "comissionAmount",
        ],
        Kind::Budget => &[
            "orderId",
            "receiverAccount",
            "innReceiver",
            "purposeCode",
            "purpose",
            "serviceId",
            "amount",
            "comissionAmount",
        ],
    };
    if required.iter().any(|k| text(body, k).is_none()) {
        return Err(MISSING_FIELDS);
    }
    let field = |k: &str| text(body, k).unwrap_or_default();

    let service = st.service(field("serviceId").parse::<u64>().ok())?;
    let ref_number = text(body, "refNumber");
    let card_type = text(body, "cardType");
    let card_number = text(body, "cardNumber");
    if service.card_required
        && (ref_number.is_none() || card_type.is_none() || card_number.is_none())
    {
        return Err(MISSING_FIELDS);
    }

    let order_id = field("orderId");
    if order_id.chars().any(char::is_whitespace) {
        return Err(MISSING_FIELDS);
    }
    let amount = tiyin(&field("amount"))
        .filter(|a| *a > 0)
        .ok_or(MISSING_FIELDS)?;
    let commission = tiyin(&field("comissionAmount")).ok_or(MISSING_FIELDS)?;
    let inn_receiver = text(body, "innReceiver").unwrap_or_default();
    if !inn_receiver.is_empty() && !digits(&inn_receiver, 9) {
        return Err(MISSING_FIELDS);
    }
    if card_type
        .as_deref()
        .is_some_and(|t| t != "UZCARD" && t != "HUMO")
    {
        return Err(MISSING_FIELDS);
    }
    if card_number.as_deref().is_some_and(|n| !digits(n, 16)) {
        return Err(MISSING_FIELDS);
    }
    if kind == Kind::Budget && !digits(&field("purposeCode"), 5) {
        return Err(MISSING_FIELDS);
    }

    let purpose = field("purpose");
    let (receiver_name, mfo_receiver) = match kind {
        Kind::Requisites => {
            let name = field("receiverName");
            if !printable(&name) {
                return Err(NAME_UNPRINTABLE);
            }
            (name, field("mfoReceiver"))
        }
        Kind::Budget => (TREASURY_NAME.to_owned(), TREASURY_MFO.to_owned()),
    };
    if !printable(&purpose) {
        return Err(PURPOSE_UNPRINTABLE);
    }
    if kind == Kind::Requisites
        && (!digits(&mfo_receiver, 5) || mfo_receiver == seed::MFO_NOT_IN_SMP)
    {
        return Err(BANK_NOT_IN_SMP);
    }
    let receiver_account = field("receiverAccount");
    let account_len = match kind {
        Kind::Requisites => 20,
        Kind::Budget => 27,
    };
    if !digits(&receiver_account, account_len) || receiver_account.ends_with("0000") {
        return Err(ACCOUNT_NOT_FOUND);
    }

    Ok(Validated {
        order_id,
        service,
        amount,
        commission,
        purpose,
        receiver_name,
        mfo_receiver,
        receiver_account,
        inn_receiver,
    })
}

/// Creates an order (payment or paymentBudget) or refuses it; the lock is never held
/// across an await (there is none).
fn create(state: &Shared, body: &Bytes, kind: Kind) -> Response {
    let Some(body) = parse_body(body) else {
        return refuse(MISSING_FIELDS);
    };
    let mut st = lock(state);
    let v = match validate(&st, &body, kind) {
        Ok(v) => v,
        Err(refusal) => return refuse(refusal),
    };
    if st.orders.contains_key(&v.order_id) {
        return refuse(DUPLICATE_ORDER);
    }
    match v.amount {
        seed::AMOUNT_DATE_BEFORE_OPERATIONAL_DAY => return refuse(DATE_BEFORE_DAY),
        seed::AMOUNT_CRITICAL_ERROR => return refuse(CRITICAL_ERROR),
        _ => {}
    }
    let balance = st.balances.get(&v.service.id).copied().unwrap_or(0);
    let Some(debit) = v.amount.checked_add(v.commission).filter(|d| *d <= balance) else {
        return refuse(INSUFFICIENT_BALANCE);
    };
    st.balances.insert(v.service.id, balance - debit);

    let doc_id = match kind {
        Kind::Requisites => {
            let n = st.next_payment_doc;
            st.next_payment_doc += 1;
            format!("1180_{n}")
        }
        Kind::Budget => {
            let n = st.next_budget_doc;
            st.next_budget_doc += 1;
            n.to_string()
        }
    };
    let row_id = st.next_row_id;
    st.next_row_id += 1;
    let doc_number = st.next_doc_number;
    st.next_doc_number += 1;
    let (doc_date, payment_date) = tashkent_stamps(state.clock.now());
    st.rows.push(Row {
        id: row_id,
        service_id: v.service.id,
        doc_number: doc_number.to_string(),
        doc_date,
        payment_date,
        kind: EXPENSE,
        mfo_payer: seed::PARTNER_MFO.into(),
        account_payer: v.service.account.into(),
        name_payer: seed::PARTNER_NAME.into(),
        inn_payer: seed::PARTNER_INN.into(),
        mfo_receiver: v.mfo_receiver,
        account_receiver: v.receiver_account,
        name_receiver: v.receiver_name,
        inn_receiver: v.inn_receiver,
        amount: v.amount,
        purpose: v.purpose,
        status: ENTERED,
    });
    let outcome = if v.amount == seed::AMOUNT_DELETED_BY_BANK {
        DELETED
    } else {
        CONDUCTED
    };
    st.orders.insert(
        v.order_id,
        Order {
            doc_id: doc_id.clone(),
            service_id: v.service.id,
            status: ENTERED,
            outcome,
            status_reads: 0,
            debit,
            row_id,
        },
    );
    drop(st);
    if v.amount == seed::AMOUNT_SYSTEM_ERROR {
        return refuse(SYSTEM_ERROR);
    }
    success(json!({"payment_status": ENTERED, "doc_id": doc_id}))
}

async fn payment(State(state): State<Shared>, body: Bytes) -> Response {
    create(&state, &body, Kind::Requisites)
}

async fn payment_budget(State(state): State<Shared>, body: Bytes) -> Response {
    create(&state, &body, Kind::Budget)
}

async fn payment_status(State(state): State<Shared>, Path(order_id): Path<String>) -> Response {
    let mut guard = lock(&state);
    let st = &mut *guard;
    let Some(order) = st.orders.get_mut(&order_id) else {
        return refuse(NO_DATA);
    };
    order.status_reads = order.status_reads.saturating_add(1);
    if order.status == ENTERED && order.status_reads >= 2 {
        order.status = order.outcome;
        if order.status == DELETED {
            let balance = st.balances.entry(order.service_id).or_insert(0);
            *balance = balance.saturating_add(order.debit);
        }
        if let Some(row) = st.rows.iter_mut().find(|r| r.id == order.row_id) {
            row.status = order.status;
        }
    }
    success(json!({"payment_status": order.status, "doc_id": order.doc_id}))
}

async fn balance(State(state): State<Shared>, Path(service_id): Path<String>) -> Response {
    let st = lock(&state);
    match st.service(service_id.parse::<u64>().ok()) {
        Ok(service) => {
            let balance = st.balances.get(&service.id).copied().unwrap_or(0);
            success_without_code(json!({"balance": balance.to_string()}))
        }
        Err(refusal) => refuse(refusal),
    }
}

async fn statement(State(state): State<Shared>, body: Bytes) -> Response {
    let Some(body) = parse_body(&body) else {
        return refuse(MISSING_FIELDS);
    };
    let kind = match text(&body, "type").as_deref() {
        Some("0") => None,
        Some("1") => Some(INCOME),
        Some("2") => Some(EXPENSE),
        _ => return refuse(MISSING_FIELDS),
    };
    let Some(last_id) = text(&body, "lastId").and_then(|v| tiyin(&v)) else {
        return refuse(MISSING_FIELDS);
    };
    let (Some(from), Some(to)) = (text(&body, "fromDate"), text(&body, "toDate")) else {
        return refuse(MISSING_FIELDS);
    };
    if !valid_date(&from) || !valid_date(&to) {
        return refuse(MISSING_FIELDS);
    }
    let Some(service_id) = text(&body, "serviceId") else {
        return refuse(MISSING_FIELDS);
    };
    let st = lock(&state);
    let service = match st.service(service_id.parse::<u64>().ok()) {
        Ok(service) => service,
        Err(refusal) => return refuse(refusal),
    };
    let mut rows: Vec<&Row> = st
        .rows
        .iter()
        .filter(|r| r.service_id == service.id && r.id > last_id)
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .filter(|r| {
            r.doc_date
                .get(..10)
                .is_some_and(|day| day >= from.as_str() && day <= to.as_str())
        })
        .collect();
    rows.sort_by_key(|r| r.id);
    let page: Vec<Value> = rows
        .into_iter()
        .take(seed::STATEMENT_PAGE_SIZE)
        .map(Row::to_json)
        .collect();
    success_without_code(Value::Array(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_stamped_in_tashkent() {
        use time::macros::datetime;
        let stamps = |at| tashkent_stamps(at);
        assert_eq!(
            stamps(datetime!(2026-11-29 18:59:07 UTC)),
            ("2026-11-29 23:59:07".into(), "2026-11-29 00:00:00".into())
        );
        assert_eq!(
            stamps(datetime!(2026-11-29 19:01 UTC)),
            ("2026-11-30 00:01:00".into(), "2026-11-30 00:00:00".into())
        );
        assert_eq!(
            stamps(datetime!(2024-02-28 23:59 UTC)),
            ("2024-02-29 04:59:00".into(), "2024-02-29 00:00:00".into())
        );
        assert_eq!(
            stamps(datetime!(2026-12-31 20:00 +01:00)),
            ("2027-01-01 00:00:00".into(), "2027-01-01 00:00:00".into())
        );
    }

    #[test]
    fn the_state_round_trips_through_json() {
        let mut st = Emulator::seeded();
        st.next_row_id += 5;
        st.orders.insert(
            "o-1".into(),
            Order {
                doc_id: "1180_1".into(),
                service_id: seed::SERVICE_HUMO_ID,
                status: ENTERED,
                outcome: DELETED,
                status_reads: 1,
                debit: 10,
                row_id: 7,
            },
        );
        let text = serde_json::to_string(&st).expect("serializes");
        let back: Emulator = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.next_row_id, st.next_row_id);
        assert_eq!(back.orders["o-1"].outcome, DELETED);
        assert_eq!(back.rows.len(), st.rows.len());
        assert_eq!(back.services.len(), 3);
        let bad = text.replace("Удален", "Paid");
        assert!(serde_json::from_str::<Emulator>(&bad).is_err());
    }

    #[test]
    fn seed_balances_match_seed_rows() {
        let st = Emulator::seeded();
        for service in &st.services {
            let net: i128 = st
                .rows
                .iter()
                .filter(|r| r.service_id == service.id)
                .map(|r| {
                    let a = i128::from(r.amount);
                    if r.kind == INCOME { a } else { -a }
                })
                .sum();
            assert_eq!(net, i128::from(st.balances[&service.id]), "{}", service.id);
        }
        assert!(st.rows.iter().all(|r| r.id <= seed::LAST_SEED_ROW_ID));
    }

    #[test]
    fn dates_are_checked() {
        assert!(valid_date("2023-01-01"));
        assert!(!valid_date("2023-13-01"));
        assert!(!valid_date("2023-1-01"));
        assert!(!valid_date("2023-01-01T"));
        assert!(!valid_date("абвг-01-01"));
    }
}
