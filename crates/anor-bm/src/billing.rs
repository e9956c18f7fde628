//! The billing calls (`/services/bmms/api/agent/...`): check a bill, pay it with the card
//! holder's SMS code, hold / confirm / top up / release a hold, cancel, ask the status, and
//! reconcile after a lost answer. They all answer one [`Bill`].

mod bill;
mod hold;
mod pay;
mod reconcile;
mod requests;

use kassa_core::{Effect, Error, Method, Operation, Reconcile};
use serde::Serialize;

pub use bill::{Bill, BillStatus};
pub use reconcile::{ReconcileOptions, Reconciled};
pub use requests::{
    BillRequest, CardParams, CheckRequest, HOLD_MORE_LIMIT_PERCENT, HoldMoreRequest, OtpParams,
    PayRequest, ReversePartialRequest, StatusRequest,
};

use crate::PROVIDER;
use crate::client::Client;

pub(crate) const CHECK_PATH: &str = "/services/bmms/api/agent/unregistered-check";
pub(crate) const PAY_PATH: &str = "/services/bmms/api/agent/unregistered-pay";
pub(crate) const HOLD_PATH: &str = "/services/bmms/api/agent/hold/v2/otp";
pub(crate) const CONFIRM_PATH: &str = "/services/bmms/api/agent/hold/v2/confirm";
pub(crate) const MORE_PATH: &str = "/services/bmms/api/agent/hold/v2/more";
pub(crate) const CANCEL_PATH: &str = "/services/bmms/api/agent/cancel/v3";
pub(crate) const REVERSE_PATH: &str = "/services/bmms/api/agent/hold/v2/reverse";
pub(crate) const REVERSE_PARTIAL_PATH: &str = "/services/bmms/api/agent/hold/v2/reverse/partial";
pub(crate) const STATUS_PATH: &str = "/services/bmms/api/agent/status";

/// The operation of a call on `bill_id` that moves money: never resent once it may have
/// reached the bank; a lost answer names `status with billId=...`.
fn once_on_bill(name: &'static str, bill_id: i64) -> Operation {
    Operation::new(PROVIDER, name, Effect::Once)
        .reconcile_with(Reconcile::new("status").param("billId", bill_id.to_string()))
}

impl Client {
    /// Sends a billing call and reads its bill ([`bill::read_bill`]); `bill_id` is the bill
    /// the call named.
    async fn bill_call<B: Serialize>(
        &self,
        op: Operation,
        path: &'static str,
        body: &B,
        bill_id: Option<i64>,
    ) -> Result<Bill, Error> {
        self.bearer_call(&op, Method::Post, path, Some(body), |op, resp| {
            bill::read_bill(op, resp, bill_id)
        })
        .await
    }
}
