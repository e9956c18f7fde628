//! Holding money on a card, confirming, topping up and releasing the hold.

use kassa_core::Error;

use super::{Bill, BillRequest, HoldMoreRequest, PayRequest, ReversePartialRequest, once_on_bill};
use super::{CONFIRM_PATH, HOLD_PATH, MORE_PATH, REVERSE_PARTIAL_PATH, REVERSE_PATH};
use crate::client::Client;

impl Client {
    /// `hold` (`POST /services/bmms/api/agent/hold/v2/otp`): holds the bill's amount on the
    /// card with the SMS code (after `unregistered-check`). Never resent once it may have
    /// reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let held = client.hold(&anor_bm::PayRequest::new(935191, anor_bm::Otp::new("225588")?)).await?;
    /// println!("{}", held.status);
    /// # Ok(()) }
    /// ```
    pub async fn hold(&self, req: &PayRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("hold", req.bill_id),
            HOLD_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }

    /// `hold-confirm` (`POST /services/bmms/api/agent/hold/v2/confirm`): debits the held
    /// money. Never resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let done = client.hold_confirm(&anor_bm::BillRequest::new(935191)).await?;
    /// assert_eq!(done.status, anor_bm::BillStatus::Success);
    /// # Ok(()) }
    /// ```
    pub async fn hold_confirm(&self, req: &BillRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("hold-confirm", req.bill_id),
            CONFIRM_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }

    /// `hold-more` (`POST /services/bmms/api/agent/hold/v2/more`): adds up to 30 % of the
    /// first hold, without an OTP. With [`HoldMoreRequest::first_hold`] set, a larger amount
    /// is refused before sending. Never resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::{Currency, Money, secret::CardNumber};
    /// let req = anor_bm::HoldMoreRequest::new(
    ///     100000051, Money::new(150_000, Currency::UZS), "UZCARD",
    ///     CardNumber::new("9860080312345678")?, "0727".parse()?,
    /// )
    /// .first_hold(Money::new(500_000, Currency::UZS));
    /// let bill = client.hold_more(&req).await?;
    /// println!("{}", bill.status);
    /// # Ok(()) }
    /// ```
    pub async fn hold_more(&self, req: &HoldMoreRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("hold-more", req.bill_id)
                .amount(req.amount.minor, req.amount.currency.code()),
            MORE_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }

    /// `hold-reverse` (`POST /services/bmms/api/agent/hold/v2/reverse`): releases a hold
    /// that was not confirmed (a confirmed one is undone with [`Client::cancel`]). Never
    /// resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let bill = client.hold_reverse(&anor_bm::BillRequest::new(935191)).await?;
    /// assert_eq!(bill.status, anor_bm::BillStatus::Cancelled);
    /// # Ok(()) }
    /// ```
    pub async fn hold_reverse(&self, req: &BillRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("hold-reverse", req.bill_id),
            REVERSE_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }

    /// `hold-reverse-partial` (`POST /services/bmms/api/agent/hold/v2/reverse/partial`):
    /// releases part of a hold; the answer's `amount` is what stays held. Never resent once
    /// it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::{Currency, Money};
    /// let req = anor_bm::ReversePartialRequest::new(935191, Money::new(10_000, Currency::UZS));
    /// let bill = client.hold_reverse_partial(&req).await?;
    /// println!("still held: {:?}", bill.amount);
    /// # Ok(()) }
    /// ```
    pub async fn hold_reverse_partial(&self, req: &ReversePartialRequest) -> Result<Bill, Error> {
        req.validate()?;
        self.bill_call(
            once_on_bill("hold-reverse-partial", req.bill_id)
                .amount(req.reverse_amount.minor, req.reverse_amount.currency.code()),
            REVERSE_PARTIAL_PATH,
            req,
            Some(req.bill_id),
        )
        .await
    }
}
