//! The requisite-uz emulator's state (services, balances, payment orders, statement rows)
//! and what each call does to it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::seed;
use super::wire::{
    ACCOUNT_NOT_FOUND, BANK_NOT_IN_SMP, CARD_IS_OPTIONAL, CONDUCTED, CRITICAL_ERROR,
    DATE_BEFORE_DAY, DELETED, DUPLICATE_ORDER, ENTERED, EXPENSE, INCOME, INSUFFICIENT_BALANCE,
    MISSING_FIELDS, NAME_UNPRINTABLE, NO_ACCESS, NO_DATA, PURPOSE_UNPRINTABLE, Refusal,
    SERVICE_NOT_FOUND, SETTINGS_MISSING, SYSTEM_ERROR, TREASURY_MFO, TREASURY_NAME, USER_NOT_FOUND,
    WORKING_WITH_CARD, digits, printable, tashkent_stamps, text, tiyin,
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
pub(super) struct Row {
    pub(super) id: u64,
    pub(super) service_id: u64,
    pub(super) doc_number: String,
    pub(super) doc_date: String,
    pub(super) payment_date: String,
    #[serde(with = "word")]
    pub(super) kind: Word,
    pub(super) mfo_payer: String,
    pub(super) account_payer: String,
    pub(super) name_payer: String,
    pub(super) inn_payer: String,
    pub(super) mfo_receiver: String,
    pub(super) account_receiver: String,
    pub(super) name_receiver: String,
    pub(super) inn_receiver: String,
    pub(super) amount: u64,
    pub(super) purpose: String,
    #[serde(with = "word")]
    pub(super) status: Word,
}

/// One of the emulator's fixed words (an alias, so that serde does not borrow it).
pub(super) type Word = &'static str;

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
    /// Its pen on the sandbox's ledger (not written to a state file).
    #[serde(skip)]
    pub(super) book: crate::ledger::Book,
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
    pub(super) fn seeded() -> Emulator {
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
            book: crate::ledger::Book::default(),
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
    /// The partner's services (the `services` answer's `data`).
    pub(super) fn services(&self) -> Value {
        let list: Vec<Value> = self
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
        Value::Array(list)
    }

    /// Creates an order (payment or paymentBudget) dated `now`, or refuses it. An order of
    /// [`seed::AMOUNT_SYSTEM_ERROR`] is created and debited, then refused.
    pub(super) fn create(
        &mut self,
        body: &Map<String, Value>,
        kind: Kind,
        now: OffsetDateTime,
    ) -> Result<Value, Refusal> {
        let v = validate(self, body, kind)?;
        if self.orders.contains_key(&v.order_id) {
            return Err(DUPLICATE_ORDER);
        }
        match v.amount {
            seed::AMOUNT_DATE_BEFORE_OPERATIONAL_DAY => return Err(DATE_BEFORE_DAY),
            seed::AMOUNT_CRITICAL_ERROR => return Err(CRITICAL_ERROR),
            _ => {}
        }
        let balance = self.balances.get(&v.service.id).copied().unwrap_or(0);
        let Some(debit) = v.amount.checked_add(v.commission).filter(|d| *d <= balance) else {
            return Err(INSUFFICIENT_BALANCE);
        };
        self.balances.insert(v.service.id, balance - debit);

        let doc_id = match kind {
            Kind::Requisites => {
                let n = self.next_payment_doc;
                self.next_payment_doc += 1;
                format!("1180_{n}")
            }
            Kind::Budget => {
                let n = self.next_budget_doc;
                self.next_budget_doc += 1;
                n.to_string()
            }
        };
        let row_id = self.next_row_id;
        self.next_row_id += 1;
        let doc_number = self.next_doc_number;
        self.next_doc_number += 1;
        let (doc_date, payment_date) = tashkent_stamps(now);
        self.rows.push(Row {
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
        self.book.commit(
            kind.operation(),
            &[("orderId", v.order_id.clone()), ("doc_id", doc_id.clone())],
            i64::try_from(v.amount).unwrap_or(i64::MAX),
            "UZS",
        );
        self.orders.insert(
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
        if v.amount == seed::AMOUNT_SYSTEM_ERROR {
            return Err(SYSTEM_ERROR);
        }
        Ok(json!({"payment_status": ENTERED, "doc_id": doc_id}))
    }

    /// An order's status: `Введен` on the first read, its outcome from the second on (a
    /// deleted order's debit comes back).
    pub(super) fn payment_status(&mut self, order_id: &str) -> Result<Value, Refusal> {
        let Some(order) = self.orders.get_mut(order_id) else {
            return Err(NO_DATA);
        };
        order.status_reads = order.status_reads.saturating_add(1);
        if order.status == ENTERED && order.status_reads >= 2 {
            order.status = order.outcome;
            if order.status == DELETED {
                let balance = self.balances.entry(order.service_id).or_insert(0);
                *balance = balance.saturating_add(order.debit);
                // The bank deleted the order: its debit comes back, a movement of its own.
                self.book.commit(
                    "order-deleted",
                    &[
                        ("orderId", order_id.to_owned()),
                        ("doc_id", order.doc_id.clone()),
                    ],
                    i64::try_from(order.debit).unwrap_or(i64::MAX),
                    "UZS",
                );
            }
            if let Some(row) = self.rows.iter_mut().find(|r| r.id == order.row_id) {
                row.status = order.status;
            }
        }
        Ok(json!({"payment_status": order.status, "doc_id": order.doc_id}))
    }

    /// A service's balance (the `balance` answer's `data`).
    pub(super) fn balance(&self, service_id: &str) -> Result<Value, Refusal> {
        let service = self.service(service_id.parse::<u64>().ok())?;
        let balance = self.balances.get(&service.id).copied().unwrap_or(0);
        Ok(json!({"balance": balance.to_string()}))
    }

    /// A page of a service's statement: rows of `kind` (any when `None`) with an id above
    /// `last_id`, dated from `from` to `to` (`YYYY-MM-DD`, Tashkent), oldest first.
    pub(super) fn statement(
        &self,
        service_id: &str,
        kind: Option<Word>,
        last_id: u64,
        (from, to): (&str, &str),
    ) -> Result<Value, Refusal> {
        let service = self.service(service_id.parse::<u64>().ok())?;
        let mut rows: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.service_id == service.id && r.id > last_id)
            .filter(|r| kind.is_none_or(|k| r.kind == k))
            .filter(|r| {
                r.doc_date
                    .get(..10)
                    .is_some_and(|day| day >= from && day <= to)
            })
            .collect();
        rows.sort_by_key(|r| r.id);
        let page: Vec<Value> = rows
            .into_iter()
            .take(seed::STATEMENT_PAGE_SIZE)
            .map(Row::to_json)
            .collect();
        Ok(Value::Array(page))
    }
}

/// Which kind of payment order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Requisites,
    Budget,
}

impl Kind {
    /// The operation's name in the operation table.
    pub(super) fn operation(self) -> &'static str {
        match self {
            Kind::Requisites => "payment",
            Kind::Budget => "payment-budget",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
