//! The intent journal's side of this crate: which operations cannot be settled from
//! `status` by ids known before sending, and [`Client`]'s
//! [`Reconciler`](kassa_core::journal::Reconciler), which settles an intent from one
//! `status` answer.
//!
//! How a bill's state settles an intent, per operation:
//!
//! | operation | succeeded | refused | otherwise |
//! |---|---|---|---|
//! | unregistered-check | the bill exists (any state) | | |
//! | unregistered-pay, hold-confirm, ext-pay | `SUCCESS` | `CANCELLED` | pending |
//! | hold | `HOLD_SUCCESS`, `SUCCESS` | `CANCELLED` | pending |
//! | cancel, hold-reverse | `CANCELLED` | | pending |
//! | hold-more, hold-reverse-partial | | | for a person: the state does not say whether the change to the held amount was made |
//!
//! `bill_not_found` is [`Verdict::NotFound`].
//!
//! ```
//! assert!(anor_bm::RECONCILED_ONLY_FROM_THE_ANSWER.iter().any(|(op, _)| *op == "send-otp"));
//! ```

use kassa_core::Error;
use kassa_core::journal::{
    Intent, Reconciler, Resolution, Verdict, id_of, status_step, unknown_step,
};

use crate::billing::{BillStatus, StatusRequest};
use crate::client::Client;
use crate::error::{Code, code_of};

/// The `Keyed` and `Once` operations whose intent carries no reconcile step, and why: the
/// recoverer cannot settle them from `status` and parks them for a person. Every other
/// `Keyed` or `Once` operation names `status` with ids known before it is sent.
///
/// ```
/// for (op, why) in anor_bm::RECONCILED_ONLY_FROM_THE_ANSWER {
///     assert!(anor_bm::OPERATIONS.iter().any(|o| o.name == *op), "{op}");
///     assert!(!why.is_empty());
/// }
/// ```
pub const RECONCILED_ONLY_FROM_THE_ANSWER: &[(&str, &str)] = &[
    (
        "send-otp",
        "card registration moves no money and has no status call: only its answer says whether the SMS went out",
    ),
    (
        "verify-otp",
        "card registration moves no money and has no status call: the card token exists only in its answer",
    ),
];

#[kassa_core::async_trait]
impl Reconciler for Client {
    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    /// Asks `status` once with the intent's `billId` or `agentTranId` and maps the bill's
    /// state (see the table of this crate's `journal` module).
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error> {
        let step = match status_step(intent, crate::PROVIDER, RECONCILED_ONLY_FROM_THE_ANSWER) {
            Ok(step) => step,
            Err(verdict) => return Ok(verdict),
        };
        if step != "status" {
            return Ok(unknown_step(intent, step));
        }
        let lookup = match (id_of(intent, "billId"), id_of(intent, "agentTranId")) {
            (Some(bill), _) => match bill.parse::<i64>() {
                Ok(id) => StatusRequest::bill(id),
                Err(_) => {
                    return Ok(Verdict::Unreconcilable(format!(
                        "billId {bill:?} is not a number"
                    )));
                }
            },
            (None, Some(agent)) => StatusRequest::agent_tran(agent),
            (None, None) => {
                return Ok(Verdict::Unreconcilable(
                    "the intent holds neither billId nor agentTranId".to_owned(),
                ));
            }
        };
        if let Err(e) = lookup.validate() {
            return Ok(Verdict::Unreconcilable(format!("bad status ids: {e}")));
        }
        let bill = match self.status(&lookup).await {
            Ok(bill) => bill,
            Err(e) if code_of(&e) == Some(&Code::BillNotFound) => return Ok(Verdict::NotFound),
            Err(e) => return Err(e),
        };
        Ok(verdict(&intent.operation, &bill.status, bill.amount))
    }
}

/// The verdict a bill in `status` gives an intent of `operation`.
fn verdict(operation: &str, status: &BillStatus, amount: Option<kassa_core::Money>) -> Verdict {
    use BillStatus::*;
    let refused = || {
        Verdict::Final(Resolution::Refused {
            code: Some(status.as_str().to_owned()),
            message: format!("the bill is {status}"),
        })
    };
    match (operation, status) {
        ("unregistered-check", _) => Verdict::Final(Resolution::Succeeded),
        ("unregistered-pay" | "hold-confirm" | "ext-pay", Success) => {
            Verdict::Final(Resolution::Succeeded)
        }
        ("hold", Success | HoldSuccess) => Verdict::Final(Resolution::Succeeded),
        ("unregistered-pay" | "hold-confirm" | "ext-pay" | "hold", Cancelled) => refused(),
        ("cancel" | "hold-reverse", Cancelled) => Verdict::Final(Resolution::Succeeded),
        ("hold-more" | "hold-reverse-partial", _) => Verdict::Unreconcilable(format!(
            "the bill is {status} holding {}: the state does not say whether {operation} changed \
             the held amount; compare with the amount held before",
            amount.map_or_else(|| "an unknown amount".to_owned(), |m| m.to_string())
        )),
        (
            "unregistered-pay" | "hold-confirm" | "ext-pay" | "hold" | "cancel" | "hold-reverse",
            _,
        ) => Verdict::Pending(status.as_str().to_owned()),
        (other, _) => {
            Verdict::Unreconcilable(format!("{other} is not an operation status settles"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_core::{Currency, Money};

    #[test]
    fn each_operation_reads_the_state_its_own_way() {
        let ok = Verdict::Final(Resolution::Succeeded);
        assert_eq!(verdict("unregistered-pay", &BillStatus::Success, None), ok);
        assert_eq!(
            verdict("unregistered-check", &BillStatus::CheckOk, None),
            ok
        );
        assert_eq!(verdict("hold", &BillStatus::HoldSuccess, None), ok);
        assert_eq!(verdict("cancel", &BillStatus::Cancelled, None), ok);
        assert_eq!(
            verdict("unregistered-pay", &BillStatus::CheckOk, None),
            Verdict::Pending("CHECK_OK".into())
        );
        assert_eq!(
            verdict("cancel", &BillStatus::Success, None),
            Verdict::Pending("SUCCESS".into())
        );
        assert!(matches!(
            verdict("ext-pay", &BillStatus::Cancelled, None),
            Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "CANCELLED"
        ));
        let held = Some(Money::new(155_000, Currency::UZS));
        assert!(matches!(
            verdict("hold-more", &BillStatus::HoldSuccess, held),
            Verdict::Unreconcilable(why) if why.contains("HOLD_SUCCESS holding 1 550.00 UZS")
        ));
        assert!(matches!(
            verdict("send-otp", &BillStatus::Success, None),
            Verdict::Unreconcilable(_)
        ));
    }
}
