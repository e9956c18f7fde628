//! Checking, paying, cancelling a bill and asking its status.

use kassa_core::{Effect, Error, Operation, Reconcile};

use super::{Bill, BillRequest, CheckRequest, PayRequest, StatusRequest, once_on_bill};
use super::{CANCEL_PATH, CHECK_PATH, PAY_PATH, STATUS_PATH};
use crate::PROVIDER;
use crate::client::Client;

const STATUS: Operation = Operation::new(PROVIDER, "status", Effect::Read);

impl Client {
    /// `unregistered-check` (`POST /services/bmms/api/agent/unregistered-check`): checks the
    /// bill and creates it; its `id` is the `billId` of pay, hold and the rest. Keyed by
    /// `agentTranId`: retried with the same key on timeouts and 5xx.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let bill = client
    ///     .unregistered_check(&anor_bm::CheckRequest::new(
    ///         "30", 1, Money::new(100_000, Currency::UZS), "order-30-try-1",
    ///         CardNumber::new("9860080312345678")?, "0727".parse()?,
    ///     ))
    ///     .await?;
    /// assert_eq!(bill.status, anor_bm::BillStatus::CheckOk);
    /// # Ok(()) }
    /// ```
    pub async fn unregistered_check(&self, req: &CheckRequest) -> Result<Bill, Error> {
        req.validate()?;
        let op = Operation::new(PROVIDER, "unregistered-check", Effect::Once)
            .keyed(req.agent_tran_id.clone())
            .reconcile_with(
                Reconcile::new("status").param("agentTranId", req.agent_tran_id.clone()),
            )
            .amount(req.amount.minor, req.amount.currency.code());
        self.bill_call(op, CHECK_PATH, req, None).await
    }

    /// `unregistered-pay` (`POST /services/bmms/api/agent/unregistered-pay`): pays the bill
    /// with the card holder's SMS code. Never resent once it may have reached the bank: a
    /// lost answer, a 401 that is not the catalogue's token refusal, or a bill answer that
    /// does not say what happened (an unlisted status, `"success": false` with `SUCCESS`,
    /// another bill) is [`Error::OutcomeUnknown`] naming `status with billId=...`
    /// (see [`Client::reconcile_outcome`]).
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use anor_bm::{BillStatus, Otp, PayRequest};
    /// match client.unregistered_pay(&PayRequest::new(935191, Otp::new("445566")?)).await {
    ///     Ok(bill) if bill.status == BillStatus::Success => println!("paid"),
    ///     Ok(bill) if matches!(bill.status, BillStatus::CheckOk | BillStatus::Cancelled) => {
    ///         println!("not paid: {}", bill.status)
    ///     }
    ///     Ok(bill) => println!("unclear ({}): ask status first", bill.status),
    ///     Err(e) if e.may_have_taken_effect() => println!("ask status first: {e}"),
    ///     Err(e) => println!("refused: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn unregistered_pay(&self, req: &PayRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("unregistered-pay", req.bill_id),
            PAY_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }

    /// `cancel` (`POST /services/bmms/api/agent/cancel/v3`): cancels a payment made with
    /// `unregistered-pay`, or a confirmed hold. Needs a special role at the bank. Never
    /// resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let bill = client.cancel(&anor_bm::BillRequest::new(935191)).await?;
    /// assert_eq!(bill.status, anor_bm::BillStatus::Cancelled);
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self, req: &BillRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("cancel", req.bill_id),
            CANCEL_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }

    /// `status` (`POST /services/bmms/api/agent/status`): the bill by `billId` or
    /// `agentTranId`. A read: retried on timeouts, 5xx and 429.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let bill = client.status(&anor_bm::StatusRequest::bill(935191)).await?;
    /// println!("{}", bill.status);
    /// # Ok(()) }
    /// ```
    pub async fn status(&self, req: &StatusRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(STATUS, STATUS_PATH, req, None).await
    }
}
