//! Invoices: ask another wallet for money (`create-invoice`), list the invoices addressed to
//! the user and those the user issued, repeat or cancel one, and pay one. Paying answers a
//! whole second `{meta, data}` envelope inside `data` (the payment it made); that inner
//! envelope is read by the same envelope code as every answer, so an error inside it is an
//! error, never a success.

use kassa_core::answer::RawValue;
use kassa_core::{Currency, Effect, Error, Method, Money, Operation, Reconcile, Response};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer::{self, Answer, Done};
use crate::auth::Phone;
use crate::cards::open_enum;
use crate::client::{Auth, Client};
use crate::services::NoInput;
use crate::wire::WalletRef;

const CREATE_INVOICE: Operation = Operation::new(PROVIDER, "create-invoice", Effect::Once);
const LIST_INVOICES: Operation = Operation::new(PROVIDER, "list-invoices", Effect::Read);
const LIST_CREATED: Operation = Operation::new(PROVIDER, "list-created-invoices", Effect::Read);
const DUPLICATE_INVOICE: Operation = Operation::new(PROVIDER, "duplicate-invoice", Effect::Once);
const CANCEL_INVOICE: Operation = Operation::new(PROVIDER, "cancel-invoice", Effect::Once);
const PAY_INVOICE: Operation = Operation::new(PROVIDER, "pay-invoice", Effect::Once);

/// Amounts in roubles as the API writes them in requests: a JSON number, whole roubles
/// without decimals (`350`), otherwise with kopecks (`350.50`); read exactly.
pub(crate) mod rub_amount {
    use kassa_core::Money;
    use kassa_core::answer::RawValue;
    use serde::{Deserializer, Serialize, Serializer};

    pub(crate) fn text(m: &Money) -> String {
        if m.minor % 100 == 0 {
            (m.minor / 100).to_string()
        } else {
            m.to_major_string()
        }
    }

    pub(crate) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(text(m)).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        kassa_core::money::serde::rub::major_number::deserialize(d)
    }
}

/// A request amount: roubles, more than zero.
pub(crate) fn check_amount(field: &str, m: &Money) -> Result<(), Error> {
    if m.currency != Currency::RUB {
        return Err(Error::invalid(field, "must be in roubles (RUB)"));
    }
    if m.minor <= 0 {
        return Err(Error::invalid(field, "must be more than zero"));
    }
    Ok(())
}

open_enum! {
    /// An invoice's `status`; an invoice not acted on yet has none (`null`).
    ///
    /// ```
    /// use mserver::InvoiceStatus;
    /// assert_eq!(InvoiceStatus::from_raw("canceled"), InvoiceStatus::Canceled);
    /// assert_eq!(InvoiceStatus::from_raw("refunded"), InvoiceStatus::Unknown("refunded".into()));
    /// ```
    InvoiceStatus {
        /// `processing`: being paid.
        Processing = "processing",
        /// `completed`: paid.
        Completed = "completed",
        /// `canceled`: cancelled by the issuer.
        Canceled = "canceled",
        /// `declined`: the payment was declined.
        Declined = "declined",
    }
}

/// An invoice.
///
/// ```
/// let i: mserver::Invoice = serde_json::from_str(r#"{"_id": "5422dc24b7f47b52010041a8", "payer": "+12345675578",
///     "amount": 300, "recipient": "+12345678102", "message": null, "status": "completed", "payment_id": 1401089242211}"#)?;
/// assert_eq!(i.amount.to_major_string(), "300.00");
/// assert_eq!(i.status, Some(mserver::InvoiceStatus::Completed));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// `_id`.
    #[serde(rename = "_id")]
    pub id: String,
    /// `payer`: who is asked to pay.
    pub payer: String,
    /// `amount`, in roubles, exact.
    #[serde(with = "kassa_core::money::serde::rub::major_number")]
    pub amount: Money,
    /// `recipient`: who issued it and gets the money.
    pub recipient: String,
    /// `message`.
    #[serde(default)]
    pub message: Option<String>,
    /// `status` (`null` until acted on).
    #[serde(default)]
    pub status: Option<InvoiceStatus>,
    /// `payment_id`: the payment that paid it.
    #[serde(default)]
    pub payment_id: Option<u64>,
}

/// The parameters of `create-invoice`.
///
/// ```
/// let r: mserver::CreateInvoiceRequest = serde_json::from_str(r#"{"payer": "+12345678102", "amount": 350, "message": "Test invoice"}"#)?;
/// assert_eq!(r.amount.minor, 35000);
/// assert_eq!(serde_json::to_string(&r)?, r#"{"payer":"+12345678102","amount":350,"message":"Test invoice"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvoiceRequest {
    /// `payer`: the wallet's phone, international format.
    pub payer: String,
    /// `amount`, in roubles.
    #[serde(with = "rub_amount")]
    pub amount: Money,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The parameters of `duplicate-invoice`, `cancel-invoice` and `pay-invoice`.
///
/// ```
/// let r: mserver::InvoiceRequest = serde_json::from_str(r#"{"id": "5422dd02b7f47b52010041a9"}"#)?;
/// assert_eq!(r.id, "5422dd02b7f47b52010041a9");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRequest {
    /// The invoice's `_id`.
    pub id: String,
}

/// The payment `pay-invoice` made, from the inner envelope's `data`.
///
/// ```
/// let p: mserver::InvoicePayment = serde_json::from_str(r#"{"id": 1401089242256, "amount": 300, "total": 300,
///     "status": "created", "type": "p2p"}"#)?;
/// assert_eq!(p.total.map(|m| m.minor), Some(30000));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicePayment {
    /// `id`: the payment's id (ask `get-payment` with it).
    pub id: u64,
    /// `client_payment_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
    /// `amount`, in roubles, exact.
    #[serde(with = "kassa_core::money::serde::rub::major_number")]
    pub amount: Money,
    /// `total`: what the payer pays, fees included.
    #[serde(
        default,
        with = "kassa_core::money::serde::rub::major_number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Money>,
    /// `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `status`: `created`, `processing`, `completed` or `declined` (any other value is
    /// refused as outcome-unknown by [`Client::pay_invoice`]).
    pub status: String,
    /// `type` (`p2p`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `wallet`: the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<WalletRef>,
    /// `destination`: the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<WalletRef>,
    /// `direction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The payment statuses a paid invoice may show.
const PAYMENT_STATUSES: &[&str] = &["created", "processing", "completed", "declined"];

fn check_invoice_id(id: &str) -> Result<(), Error> {
    kassa_core::text::path_id("id", id)?;
    if id.len() > 64 {
        return Err(Error::invalid("id", "at most 64 characters"));
    }
    Ok(())
}

impl Client {
    /// **create-invoice** (`POST /invoices`): asks `payer` for `amount`. `Once`: a lost
    /// answer is outcome-unknown naming `list-created-invoices` (a repeat would issue a
    /// second invoice).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.create_invoice(&mserver::CreateInvoiceRequest {
    ///     payer: "+12345678102".into(),
    ///     amount: kassa_core::Money::new(35000, kassa_core::Currency::RUB),
    ///     message: Some("Test invoice".into()),
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_invoice(&self, req: &CreateInvoiceRequest) -> Result<Answer<Done>, Error> {
        Phone::checked("payer", req.payer.clone())?;
        check_amount("amount", &req.amount)?;
        if let Some(m) = &req.message {
            kassa_core::text::free_text("message", m, 500)?;
        }
        let op = CREATE_INVOICE
            .reconcile_with(Reconcile::new("list-created-invoices"))
            .amount(req.amount.minor, req.amount.currency.code());
        self.call_json(op, Method::Post, "/invoices".into(), Auth::Client, req)
            .await
    }

    /// **list-invoices** (`GET /invoices`): invoices addressed to the user.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// for i in client.list_invoices(&mserver::NoInput {}).await?.data {
    ///     println!("{} asks {}", i.recipient, i.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_invoices(&self, _req: &NoInput) -> Result<Answer<Vec<Invoice>>, Error> {
        self.call_plain(
            LIST_INVOICES,
            Method::Get,
            "/invoices".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **list-created-invoices** (`GET /invoices/created`): invoices the user issued.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let created = client.list_created_invoices(&mserver::NoInput {}).await?;
    /// println!("{} issued", created.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_created_invoices(
        &self,
        _req: &NoInput,
    ) -> Result<Answer<Vec<Invoice>>, Error> {
        self.call_plain(
            LIST_CREATED,
            Method::Get,
            "/invoices/created".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **duplicate-invoice** (`GET /invoices/{id}/duplicate`): issues the invoice again and
    /// answers the new one. A GET that changes state: `Once`, a lost answer is
    /// outcome-unknown naming `list-created-invoices`.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let again = client.duplicate_invoice(&mserver::InvoiceRequest { id: "5422cf7cb7f47b54010041a7".into() }).await?;
    /// println!("new invoice {}", again.data.id);
    /// # Ok(()) }
    /// ```
    pub async fn duplicate_invoice(&self, req: &InvoiceRequest) -> Result<Answer<Invoice>, Error> {
        check_invoice_id(&req.id)?;
        let op = DUPLICATE_INVOICE.reconcile_with(Reconcile::new("list-created-invoices"));
        self.call_plain(
            op,
            Method::Get,
            format!("/invoices/{}/duplicate", req.id),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **cancel-invoice** (`GET /invoices/{id}/cancel`). A GET that changes state: `Once`,
    /// a lost answer is outcome-unknown naming `list-created-invoices` with the id.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.cancel_invoice(&mserver::InvoiceRequest { id: "5422cebeb7f47b53010041a7".into() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_invoice(&self, req: &InvoiceRequest) -> Result<Answer<Done>, Error> {
        check_invoice_id(&req.id)?;
        let op = CANCEL_INVOICE
            .reconcile_with(Reconcile::new("list-created-invoices").param("_id", req.id.clone()));
        self.call_plain(
            op,
            Method::Get,
            format!("/invoices/{}/cancel", req.id),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **pay-invoice** (`POST /invoices/{id}/pay`): pays an invoice addressed to the user.
    /// Moves money and the server takes no idempotency key: `Once`, never resent; a lost
    /// answer is outcome-unknown naming `list-invoices` with the invoice's `_id` (its
    /// `status` and `payment_id` show whether it was paid).
    ///
    /// The answer's `data` is a second `{meta, data}` envelope (the payment made), read
    /// through the same envelope code: a `meta.error` inside is a refusal like any other,
    /// and a payment status other than `created`, `processing`, `completed` or `declined`
    /// is outcome-unknown, never taken for success.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let paid = client.pay_invoice(&mserver::InvoiceRequest { id: "5422dd02b7f47b52010041a9".into() }).await?;
    /// println!("payment {} is {}, next: {:?}", paid.data.data.id, paid.data.data.status, paid.data.meta.next_action);
    /// # Ok(()) }
    /// ```
    pub async fn pay_invoice(
        &self,
        req: &InvoiceRequest,
    ) -> Result<Answer<Answer<InvoicePayment>>, Error> {
        check_invoice_id(&req.id)?;
        let op = PAY_INVOICE
            .reconcile_with(Reconcile::new("list-invoices").param("_id", req.id.clone()));
        let outer: Answer<Box<RawValue>> = self
            .call_plain(
                op.clone(),
                Method::Post,
                format!("/invoices/{}/pay", req.id),
                Auth::Client,
                &[],
            )
            .await?;
        let inner = Response {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: outer.data.get().as_bytes().to_vec(),
        };
        let engine = &self.inner.engine;
        let payment: Answer<InvoicePayment> =
            answer::read(&op, &inner).map_err(|e| engine.scrub_error(e))?;
        if !PAYMENT_STATUSES.contains(&payment.data.status.as_str()) {
            return Err(engine.scrub_error(op.outcome_unknown(format!(
                "the payment's status `{}` is not one this client knows",
                kassa_core::secret::redact_text(&payment.data.status)
            ))));
        }
        Ok(Answer {
            meta: outer.meta,
            data: payment,
            dev: outer.dev,
        })
    }
}
