//! The intent journal's side of this crate. Mobilnik takes no client key and its only
//! status call, `check-payment`, asks by the `operation_id` that `payment` *answers*: no
//! money-moving call knows a status id before it is sent, so both are listed in
//! [`RECONCILED_ONLY_FROM_THE_ANSWER`] and their intents carry no reconcile step. A
//! recoverer finds such an intent [`Verdict::Unreconcilable`] and parks it for a person,
//! who checks the wallet balance and the provider's records.
//!
//! [`Client`]'s [`Reconciler`](kassa_core::journal::Reconciler) still settles an intent
//! that names `check-payment` with an `operation_id` (one written by the integrator from
//! a `payment` answer):
//!
//! | `status_id` | verdict |
//! |---|---|
//! | 1 processed | succeeded |
//! | 2 annulled, 3 error | refused |
//! | 0 accepted, any other value | pending |
//! | `WRONG_OPERATION` (-1: no such operation) | not found |
//!
//! ```
//! let listed: Vec<&str> = mobilnik::RECONCILED_ONLY_FROM_THE_ANSWER.iter().map(|(op, _)| *op).collect();
//! assert_eq!(listed, ["payment", "transfer-request"]);
//! ```

use kassa_core::Error;
use kassa_core::journal::{
    Intent, Reconciler, Resolution, Verdict, required_id, status_step, unknown_step,
};

use crate::client::Client;
use crate::error::{Code, code_of};
use crate::payments::{CheckPaymentRequest, OperationId, PaymentStatus};

/// The `Keyed` and `Once` operations whose intent carries no reconcile step, and why.
///
/// ```
/// for (op, why) in mobilnik::RECONCILED_ONLY_FROM_THE_ANSWER {
///     assert!(mobilnik::OPERATIONS.iter().any(|o| o.name == *op), "{op}");
///     assert!(!why.is_empty());
/// }
/// ```
pub const RECONCILED_ONLY_FROM_THE_ANSWER: &[(&str, &str)] = &[
    (
        "payment",
        "check-payment asks by operation_id, which only the payment's answer gives; Mobilnik takes no client key to look a payment up by",
    ),
    (
        "transfer-request",
        "Mobilnik has no status call for transfers and gives a transfer no id",
    ),
];

#[kassa_core::async_trait]
impl Reconciler for Client {
    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    /// Asks `check-payment` once with the intent's `operation_id` and maps `status_id`
    /// (see the table of this crate's `journal` module); an intent without that step is unreconcilable.
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error> {
        let step = match status_step(intent, crate::PROVIDER, RECONCILED_ONLY_FROM_THE_ANSWER) {
            Ok(step) => step,
            Err(Verdict::Unreconcilable(why)) => {
                return Ok(Verdict::Unreconcilable(format!(
                    "{why}; check the wallet balance and the provider's records"
                )));
            }
            Err(verdict) => return Ok(verdict),
        };
        if step != "check-payment" {
            return Ok(unknown_step(intent, step));
        }
        let raw = match required_id(intent, "operation_id") {
            Ok(id) => id,
            Err(verdict) => return Ok(verdict),
        };
        let Ok(id) = raw.trim().parse::<u64>() else {
            return Ok(Verdict::Unreconcilable(format!(
                "operation_id {raw:?} is not a number"
            )));
        };
        match self
            .check_payment(&CheckPaymentRequest::new(OperationId(id)))
            .await
        {
            Ok(answer) => Ok(verdict(&answer.status_id)),
            Err(e) if code_of(&e) == Some(&Code::WrongOperation) => Ok(Verdict::NotFound),
            Err(e) => Err(e),
        }
    }
}

/// The verdict of a `status_id`.
fn verdict(status: &PaymentStatus) -> Verdict {
    match status {
        PaymentStatus::Processed => Verdict::Final(Resolution::Succeeded),
        PaymentStatus::Annulled | PaymentStatus::Error => Verdict::Final(Resolution::Refused {
            code: status.number().map(|n| n.to_string()),
            message: format!("the payment is {status}"),
        }),
        PaymentStatus::Accepted | PaymentStatus::Unknown(_) => Verdict::Pending(status.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_processed_succeeds() {
        assert_eq!(
            verdict(&PaymentStatus::Processed),
            Verdict::Final(Resolution::Succeeded)
        );
        assert!(matches!(
            verdict(&PaymentStatus::Error),
            Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "3"
        ));
        assert_eq!(
            verdict(&PaymentStatus::Unknown("7".into())),
            Verdict::Pending("unknown (7)".into())
        );
    }
}
