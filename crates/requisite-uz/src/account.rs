//! balance (`GET /api/v2/account/{serviceId}/balance`) and statement
//! (`POST /api/v2/account/payments`), with statement paging as a stream.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::Stream;
use kassa_core::paging::{Page, pages};
use kassa_core::{Effect, Error, Method, Money, Operation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, PrimitiveDateTime};

use crate::PROVIDER;
use crate::client::Client;
use crate::payment::PaymentStatus;
use crate::wire::ServiceId;

pub(crate) const BALANCE: Operation = Operation::new(PROVIDER, "balance", Effect::Read);
pub(crate) const STATEMENT: Operation = Operation::new(PROVIDER, "statement", Effect::Read);

/// The balance request: the service (a path parameter on the wire). A bare [`ServiceId`]
/// converts into one.
///
/// ```
/// use requisite_uz::{BalanceRequest, ServiceId};
/// let req: BalanceRequest = requisite_uz::wire::from_json(r#"{"serviceId": 2}"#)?;
/// assert_eq!(req, BalanceRequest::from(ServiceId(2)));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceRequest {
    /// `serviceId`.
    #[serde(rename = "serviceId")]
    pub service_id: ServiceId,
}

impl From<ServiceId> for BalanceRequest {
    fn from(service_id: ServiceId) -> BalanceRequest {
        BalanceRequest { service_id }
    }
}

impl From<&BalanceRequest> for BalanceRequest {
    fn from(req: &BalanceRequest) -> BalanceRequest {
        *req
    }
}

/// The `data` of a balance answer.
///
/// ```
/// use kassa_core::{Currency, Money};
/// let b: requisite_uz::Balance = serde_json::from_str(r#"{"balance": "1100"}"#)?;
/// assert_eq!(b.balance, Money::new(1100, Currency::UZS));
/// assert_eq!(b.balance.to_string(), "11.00 UZS");
/// assert_eq!(serde_json::to_string(&b)?, r#"{"balance":"1100"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// `balance`: UZS, sent as tiyin text (also read from a number).
    #[serde(with = "kassa_core::money::serde::uzs::minor_string")]
    pub balance: Money,
}

/// The statement request `type`: which transactions to list.
///
/// ```
/// use requisite_uz::StatementKind;
/// assert_eq!(serde_json::to_string(&StatementKind::Incoming)?, "\"1\"");
/// assert_eq!(serde_json::from_str::<StatementKind>("2")?, StatementKind::Outgoing);
/// assert!(serde_json::from_str::<StatementKind>("\"3\"").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatementKind {
    /// `"0"`: all transactions.
    #[default]
    All,
    /// `"1"`: incoming transactions only.
    Incoming,
    /// `"2"`: outgoing transactions only.
    Outgoing,
}

impl StatementKind {
    /// The wire value: `"0"`, `"1"` or `"2"`.
    ///
    /// ```
    /// assert_eq!(requisite_uz::StatementKind::All.as_str(), "0");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::All => "0",
            StatementKind::Incoming => "1",
            StatementKind::Outgoing => "2",
        }
    }
}

impl Serialize for StatementKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StatementKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StatementKind, D::Error> {
        match crate::wire::unsigned(d)? {
            0 => Ok(StatementKind::All),
            1 => Ok(StatementKind::Incoming),
            2 => Ok(StatementKind::Outgoing),
            n => Err(serde::de::Error::custom(format!(
                "statement type is 0 (all), 1 (incoming) or 2 (outgoing); got {n}"
            ))),
        }
    }
}

/// The statement request (`POST /api/v2/account/payments`).
///
/// ```
/// use requisite_uz::{ServiceId, StatementKind, StatementRequest};
/// use time::macros::date;
///
/// let req = StatementRequest::new(ServiceId(27), date!(2023 - 01 - 01), date!(2023 - 02 - 21));
/// assert_eq!(req.kind, StatementKind::All);
/// assert_eq!(req.last_id, 0);
/// let json = serde_json::to_string(&req).map_err(|e| kassa_core::Error::invalid("body", e.to_string()))?;
/// assert_eq!(json, r#"{"type":"0","lastId":0,"fromDate":"2023-01-01","toDate":"2023-02-21","serviceId":27}"#);
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    /// `type`: all, incoming or outgoing transactions.
    #[serde(rename = "type")]
    pub kind: StatementKind,
    /// `lastId`: 0 on the first request, then the largest row `id` received (the paging
    /// cursor; see [`Client::statement_rows`]).
    #[serde(rename = "lastId", deserialize_with = "crate::wire::unsigned")]
    pub last_id: u64,
    /// `fromDate`: the first day, `YYYY-MM-DD`.
    #[serde(rename = "fromDate", with = "crate::wire::date")]
    pub from_date: Date,
    /// `toDate`: the last day, `YYYY-MM-DD`.
    #[serde(rename = "toDate", with = "crate::wire::date")]
    pub to_date: Date,
    /// `serviceId` (a number here).
    #[serde(rename = "serviceId")]
    pub service_id: ServiceId,
}

impl StatementRequest {
    /// All transactions of a service between two days, from the start (`lastId` 0).
    pub fn new(service_id: ServiceId, from_date: Date, to_date: Date) -> StatementRequest {
        StatementRequest {
            kind: StatementKind::All,
            last_id: 0,
            from_date,
            to_date,
            service_id,
        }
    }

    /// The same request for one kind of transactions.
    pub fn kind(mut self, kind: StatementKind) -> StatementRequest {
        self.kind = kind;
        self
    }

    /// The same request starting after `last_id` (to resume paging).
    pub fn after(mut self, last_id: u64) -> StatementRequest {
        self.last_id = last_id;
        self
    }

    /// Checks the request: `fromDate` must not be after `toDate`.
    ///
    /// ```
    /// use requisite_uz::{ServiceId, StatementRequest};
    /// use time::macros::date;
    /// let req = StatementRequest::new(ServiceId(27), date!(2023 - 02 - 21), date!(2023 - 01 - 01));
    /// assert_eq!(req.validate().unwrap_err().field(), Some("toDate"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.to_date < self.from_date {
            return Err(Error::invalid(
                "toDate",
                format!("{} is before fromDate {}", self.to_date, self.from_date),
            ));
        }
        Ok(())
    }
}

/// A statement row `type`: incoming or outgoing.
///
/// ```
/// use requisite_uz::Direction;
/// assert_eq!(serde_json::from_str::<Direction>("\"Приход\"")?, Direction::Incoming);
/// assert_eq!(serde_json::to_string(&Direction::Outgoing)?, "\"Расход\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Direction {
    /// «Приход»: money came in.
    Incoming,
    /// «Расход»: money went out.
    Outgoing,
    /// A value the document does not list, kept as it came.
    Unknown(String),
}

impl Direction {
    /// The wire value.
    ///
    /// ```
    /// assert_eq!(requisite_uz::Direction::Incoming.as_str(), "Приход");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Direction::Incoming => "Приход",
            Direction::Outgoing => "Расход",
            Direction::Unknown(s) => s,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Direction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Direction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Direction, D::Error> {
        let s = crate::wire::text(d)?;
        Ok(match s.trim() {
            "Приход" => Direction::Incoming,
            "Расход" => Direction::Outgoing,
            _ => Direction::Unknown(s),
        })
    }
}

/// One row of a statement (an element of the statement answer's `data`).
///
/// Dates carry no time zone in the document; they are the bank's, Tashkent time (UTC+5,
/// see [`BANK_OFFSET`](crate::BANK_OFFSET)), so they are [`PrimitiveDateTime`]s. Text fields are read from strings, numbers or `null` (empty).
///
/// ```
/// use kassa_core::{Currency, Money};
/// use requisite_uz::{Direction, StatementRow};
/// let row: StatementRow = serde_json::from_str(r#"{"id": 2111291793, "docNumber": "1917830",
///     "docDate": "2023-02-01 16:32:23", "paymentDate": "2023-02-01 00:00:00", "type": "Приход",
///     "mfoPayer": "00401", "accountPayer": "20208000405273320010", "namePayer": "ООО \"MARKETPLACE TRADING\"",
///     "innPayer": "307692757", "mfoReceiver": "00401", "accountReceiver": "29896000200000401070",
///     "nameReceiver": "SELLO - C2C", "innReceiver": "307692757", "amount": 400, "purpose": "тест",
///     "status": "Проведен"}"#)?;
/// assert_eq!(row.amount, Money::new(400, Currency::UZS));
/// assert_eq!(row.direction, Direction::Incoming);
/// assert_eq!(row.doc_date, time::macros::datetime!(2023-02-01 16:32:23));
/// assert_eq!(serde_json::to_value(&row)?["docDate"], "2023-02-01 16:32:23");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRow {
    /// `id`: the payment's id, also the paging cursor.
    #[serde(deserialize_with = "crate::wire::unsigned")]
    pub id: u64,
    /// `docNumber`: the document number.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub doc_number: String,
    /// `docDate`: when the operation happened (`YYYY-MM-DD HH:MM:SS`).
    #[serde(with = "crate::wire::date_time")]
    pub doc_date: PrimitiveDateTime,
    /// `paymentDate`: the bank day of the operation (`YYYY-MM-DD 00:00:00`).
    #[serde(with = "crate::wire::date_time")]
    pub payment_date: PrimitiveDateTime,
    /// `type`: incoming or outgoing.
    #[serde(rename = "type")]
    pub direction: Direction,
    /// `mfoPayer`: the payer's bank code, 5 digits.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub mfo_payer: String,
    /// `accountPayer`: the payer's account.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub account_payer: String,
    /// `namePayer`: the payer's name.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub name_payer: String,
    /// `innPayer`: the payer's INN, 9 digits; `None` when the bank sends `null` or leaves it
    /// out (written back as `null`).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub inn_payer: Option<String>,
    /// `mfoReceiver`: the receiver's bank code, 5 digits.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub mfo_receiver: String,
    /// `accountReceiver`: the receiver's account.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub account_receiver: String,
    /// `nameReceiver`: the receiver's name.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub name_receiver: String,
    /// `innReceiver`: the receiver's INN, 9 digits; `None` when the bank sends `null` or leaves it
    /// out (written back as `null`).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub inn_receiver: Option<String>,
    /// `amount`: UZS, a number of tiyin on the wire (also read from a string).
    #[serde(with = "kassa_core::money::serde::uzs::minor_number")]
    pub amount: Money,
    /// `purpose`: the payment details.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub purpose: String,
    /// `status`: the payment's status («Проведен»).
    pub status: PaymentStatus,
}

impl StatementRow {
    /// The bank day of the operation (`paymentDate` without its time).
    ///
    /// ```
    /// # let row: requisite_uz::StatementRow = serde_json::from_str(r#"{"id":1,"docDate":"2023-02-01 16:32:23",
    /// #   "paymentDate":"2023-02-01 00:00:00","type":"Приход","amount":400,"status":"Проведен"}"#)?;
    /// assert_eq!(row.bank_day(), time::macros::date!(2023 - 02 - 01));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn bank_day(&self) -> Date {
        self.payment_date.date()
    }
}

impl Client {
    /// balance: the service's balance (`GET /api/v2/account/{serviceId}/balance`); read,
    /// retried (an answer with code 1111 too). Takes a [`BalanceRequest`] (or a bare
    /// [`ServiceId`]).
    ///
    /// ```no_run
    /// use requisite_uz::{BalanceRequest, ServiceId};
    /// # async fn run(client: requisite_uz::Client) -> Result<(), kassa_core::Error> {
    /// let balance = client.balance(&BalanceRequest { service_id: ServiceId(2) }).await?;
    /// println!("{}", balance.balance); // "11.00 UZS" for "1100" tiyin
    /// # Ok(()) }
    /// ```
    pub async fn balance(&self, req: impl Into<BalanceRequest>) -> Result<Balance, Error> {
        let BalanceRequest { service_id } = req.into();
        let path = format!("/api/v2/account/{service_id}/balance");
        self.call(BALANCE, Method::Get, path, None::<&()>, None)
            .await
    }

    /// statement: one page of the service's statement (`POST /api/v2/account/payments`),
    /// the rows after `req.last_id`. To read every row, use [`Client::statement_rows`].
    ///
    /// ```no_run
    /// use requisite_uz::{ServiceId, StatementRequest};
    /// use time::macros::date;
    /// # async fn run(client: requisite_uz::Client) -> Result<(), kassa_core::Error> {
    /// let req = StatementRequest::new(ServiceId(27), date!(2023 - 01 - 01), date!(2023 - 02 - 21));
    /// for row in client.statement(&req).await? {
    ///     println!("{} {} {} {}", row.id, row.doc_date, row.direction, row.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn statement(&self, req: &StatementRequest) -> Result<Vec<StatementRow>, Error> {
        req.validate()?;
        self.call(
            STATEMENT,
            Method::Post,
            "/api/v2/account/payments".to_owned(),
            Some(req),
            None,
        )
        .await
    }

    /// Every row of the statement, page after page, each row once.
    ///
    /// Paging (the document is vague, see `docs/requisite-uz.md`): the first request sends
    /// `req.last_id` (0 for the start), each next one the largest `id` received so far.
    /// A row whose `id` was already yielded is skipped (the bank may include the row whose
    /// `id` equals `lastId`). The stream ends after a page that adds no new `id` (an empty
    /// page included) or does not move the cursor forward, so it never loops forever.
    /// An error is yielded once and ends the stream.
    ///
    /// ```no_run
    /// use futures_util::StreamExt as _;
    /// use requisite_uz::{ServiceId, StatementRequest};
    /// use time::macros::date;
    /// # async fn run(client: requisite_uz::Client) -> Result<(), kassa_core::Error> {
    /// let req = StatementRequest::new(ServiceId(27), date!(2023 - 01 - 01), date!(2023 - 02 - 21));
    /// let mut rows = std::pin::pin!(client.statement_rows(req));
    /// while let Some(row) = rows.next().await {
    ///     let row = row?;
    ///     println!("{} {}", row.id, row.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn statement_rows(
        &self,
        req: StatementRequest,
    ) -> impl Stream<Item = Result<StatementRow, Error>> + Send + 'static {
        let client = self.clone();
        let cursor = Arc::new(Mutex::new(Cursor {
            req,
            seen: HashSet::new(),
        }));
        // The page number only counts pages; the cursor is the last id received.
        pages(1, move |page| {
            let (client, cursor) = (client.clone(), cursor.clone());
            async move {
                let req = cursor.lock().unwrap_or_else(|p| p.into_inner()).req;
                let rows = client.statement(&req).await?;
                Ok(cursor
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take(page, rows))
            }
        })
    }
}

/// Where statement paging stands: the next request, and every row id yielded so far.
struct Cursor {
    req: StatementRequest,
    seen: HashSet<u64>,
}

impl Cursor {
    /// The rows of `rows` not yielded yet; the page is the last when it adds no new row or
    /// does not move the cursor forward (an empty page ends the stream too).
    fn take(&mut self, page: u32, rows: Vec<StatementRow>) -> Page<StatementRow> {
        let before = self.req.last_id;
        let mut cursor = before;
        let mut fresh = Vec::with_capacity(rows.len());
        for row in rows {
            cursor = cursor.max(row.id);
            if self.seen.insert(row.id) {
                fresh.push(row);
            }
        }
        tracing::debug!(
            page,
            last_id = before,
            fresh = fresh.len(),
            next_last_id = cursor,
            "statement page"
        );
        self.req.last_id = cursor;
        if cursor == before {
            Page::last(fresh)
        } else {
            Page::more(fresh)
        }
    }
}
