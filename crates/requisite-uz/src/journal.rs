//! The intent journal's side of this crate: [`Client`]'s
//! [`Reconciler`](kassa_core::journal::Reconciler), which settles an intent of `payment` or
//! `payment-budget` from one `payment-status` answer with its `orderId`:
//!
//! | `payment_status` | verdict |
//! |---|---|
//! | «Проведен» (posted) | succeeded |
//! | «Удален» (deleted: the bank refused the order, nothing moved) | refused |
//! | «Введен» (entered), any other value | pending |
//! | code 1008 (no data for the `orderId`) | not found |
//!
//! Both money-moving operations know their `orderId` before sending, so
//! [`RECONCILED_ONLY_FROM_THE_ANSWER`] is empty.
//!
//! ```
//! assert!(requisite_uz::RECONCILED_ONLY_FROM_THE_ANSWER.is_empty());
//! ```

use kassa_core::Error;
use kassa_core::journal::{
    Intent, Reconciler, Resolution, Verdict, required_id, status_step, unknown_step,
};

use crate::client::Client;
use crate::error::{Code, code_of};
use crate::payment::PaymentStatus;

/// The `Keyed` and `Once` operations whose intent carries no reconcile step, and why. None
/// here: `payment` and `payment-budget` both name `payment-status` with the `orderId` they
/// send.
///
/// ```
/// assert_eq!(requisite_uz::RECONCILED_ONLY_FROM_THE_ANSWER.len(), 0);
/// ```
pub const RECONCILED_ONLY_FROM_THE_ANSWER: &[(&str, &str)] = &[];

#[kassa_core::async_trait]
impl Reconciler for Client {
    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    /// Asks `payment-status` once with the intent's `orderId` and maps the answer (see the
    /// table of this crate's `journal` module).
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error> {
        let step = match status_step(intent, crate::PROVIDER, RECONCILED_ONLY_FROM_THE_ANSWER) {
            Ok(step) => step,
            Err(verdict) => return Ok(verdict),
        };
        if step != "payment-status" {
            return Ok(unknown_step(intent, step));
        }
        let order_id = match required_id(intent, "orderId") {
            Ok(id) => id,
            Err(verdict) => return Ok(verdict),
        };
        match self.payment_status(order_id).await {
            Ok(result) => Ok(verdict(&result.payment_status)),
            Err(e) if code_of(&e) == Some(&Code::NoData) => Ok(Verdict::NotFound),
            Err(e @ Error::InvalidInput { .. }) => Ok(Verdict::Unreconcilable(format!(
                "the orderId cannot be asked: {e}"
            ))),
            Err(e) => Err(e),
        }
    }
}

/// The verdict of a `payment_status`.
fn verdict(status: &PaymentStatus) -> Verdict {
    match status {
        PaymentStatus::Posted => Verdict::Final(Resolution::Succeeded),
        PaymentStatus::Deleted => Verdict::Final(Resolution::Refused {
            code: Some(status.as_str().to_owned()),
            message: "the bank deleted the payment order; nothing moved".to_owned(),
        }),
        PaymentStatus::Entered | PaymentStatus::Unknown(_) => {
            Verdict::Pending(status.as_str().to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_posted_succeeds() {
        assert_eq!(
            verdict(&PaymentStatus::Posted),
            Verdict::Final(Resolution::Succeeded)
        );
        assert!(matches!(
            verdict(&PaymentStatus::Deleted),
            Verdict::Final(Resolution::Refused { .. })
        ));
        assert_eq!(
            verdict(&PaymentStatus::Unknown("Отложен".into())),
            Verdict::Pending("Отложен".into())
        );
    }
}
