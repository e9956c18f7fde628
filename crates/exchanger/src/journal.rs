//! The intent journal's side of this crate: which `Keyed` and `Once` operations no status
//! call settles by ids known before sending ([`RECONCILED_ONLY_FROM_THE_ANSWER`]), and
//! [`Client`]'s [`Reconciler`](kassa_core::journal::Reconciler), which settles the others
//! with one status call:
//!
//! | operation | asks | succeeded | refused | not found | otherwise |
//! |---|---|---|---|---|---|
//! | create-bid | get-exchanges `api_id` | a bid with that `api_id` is listed | | nothing listed | for a person when other bids are listed (the filter was ignored) |
//! | pay-bid | bid-info `hash` | a paid status (`payed`, `realpay`, ... `success`) | `cancel`, `delete`, `error` | `no bid exists` | pending |
//! | cancel-bid | bid-info `hash` | `cancel`, `delete` | `success`, `error` | `no bid exists` | pending |
//! | success-bid | bid-info `hash` | `success` | `cancel`, `delete`, `error` | `no bid exists` | pending |
//!
//! The journal records no amount for these operations: a bid's amount is a decimal in
//! a currency of the exchange direction (often a crypto-currency with more decimals than
//! minor units hold), not known as a currency code before the bid is made.
//!
//! ```
//! let listed: Vec<&str> = exchanger::RECONCILED_ONLY_FROM_THE_ANSWER.iter().map(|(op, _)| *op).collect();
//! assert_eq!(listed, ["add-partner-payout"]);
//! ```

use kassa_core::Error;
use kassa_core::journal::{
    Intent, Reconciler, Resolution, Verdict, required_id, status_step, unknown_step,
};

use crate::bids::{BidInfoRequest, ExchangesRequest};
use crate::client::Client;
use crate::error::{Code, code_of};
use crate::wire::BidStatus;

/// The `Keyed` and `Once` operations whose intent names no status call with ids known
/// before sending, and why.
///
/// ```
/// for (op, why) in exchanger::RECONCILED_ONLY_FROM_THE_ANSWER {
///     assert!(exchanger::OPERATIONS.iter().any(|o| o.name == *op), "{op}");
///     assert!(!why.is_empty());
/// }
/// ```
pub const RECONCILED_ONLY_FROM_THE_ANSWER: &[(&str, &str)] = &[(
    "add-partner-payout",
    "the payout's id is only in the answer: get-partner-payouts can list payouts, not find this one",
)];

#[kassa_core::async_trait]
impl Reconciler for Client {
    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    /// Asks the intent's status call once (see the table of this crate's `journal` module).
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error> {
        let op = intent.operation.as_str();
        let step = match status_step(intent, crate::PROVIDER, RECONCILED_ONLY_FROM_THE_ANSWER) {
            Ok(step) => step,
            Err(verdict) => return Ok(verdict),
        };
        match step {
            "get-exchanges" => {
                let api_id = match required_id(intent, "api_id") {
                    Ok(id) => id,
                    Err(verdict) => return Ok(verdict),
                };
                let found = self
                    .get_exchanges(&ExchangesRequest::by_api_id(api_id))
                    .await?;
                if found.items.iter().any(|e| e.api_id == api_id) {
                    Ok(Verdict::Final(Resolution::Succeeded))
                } else if found.items.is_empty() {
                    Ok(Verdict::NotFound)
                } else {
                    Ok(Verdict::Unreconcilable(format!(
                        "get_exchanges by api_id `{api_id}` listed {} other bid(s) and not this \
                         one: the exchanger ignored the filter, so whether the bid exists is unknown",
                        found.items.len()
                    )))
                }
            }
            "bid-info" => {
                let hash = match required_id(intent, "hash") {
                    Ok(id) => id,
                    Err(verdict) => return Ok(verdict),
                };
                match self.bid_info(&BidInfoRequest::hash(hash)).await {
                    Ok(bid) => Ok(bid_verdict(op, &bid.status)),
                    Err(e) if code_of(&e) == Some(&Code::NoBidExists) => Ok(Verdict::NotFound),
                    Err(e) => Err(e),
                }
            }
            other => Ok(unknown_step(intent, other)),
        }
    }
}

/// The verdict of a bid's status for an intent of `op` (a bid action).
fn bid_verdict(op: &str, status: &BidStatus) -> Verdict {
    use BidStatus::*;
    let refused = || {
        Verdict::Final(Resolution::Refused {
            code: Some(status.raw().to_owned()),
            message: format!("the bid is {}", status.raw()),
        })
    };
    let paid = matches!(
        status,
        TechPay
            | Payed
            | ColdPay
            | PartPay
            | RealPay
            | Verify
            | MerchError
            | PayoutError
            | ScrPayError
            | ColdSuccess
            | PartPayout
            | Success
    );
    match op {
        "pay-bid" if paid => Verdict::Final(Resolution::Succeeded),
        "pay-bid" if matches!(status, Cancel | Delete | Error) => refused(),
        "cancel-bid" if matches!(status, Cancel | Delete) => Verdict::Final(Resolution::Succeeded),
        "cancel-bid" if matches!(status, Success | Error) => refused(),
        "success-bid" if *status == Success => Verdict::Final(Resolution::Succeeded),
        "success-bid" if matches!(status, Cancel | Delete | Error) => refused(),
        "pay-bid" | "cancel-bid" | "success-bid" => Verdict::Pending(status.raw().to_owned()),
        other => Verdict::Unreconcilable(format!("{other} is not settled by bid-info")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_reads_the_status_its_own_way() {
        let ok = Verdict::Final(Resolution::Succeeded);
        assert_eq!(bid_verdict("pay-bid", &BidStatus::Payed), ok);
        assert_eq!(bid_verdict("cancel-bid", &BidStatus::Cancel), ok);
        assert_eq!(bid_verdict("success-bid", &BidStatus::Success), ok);
        assert_eq!(
            bid_verdict("success-bid", &BidStatus::Payed),
            Verdict::Pending("payed".into())
        );
        assert!(matches!(
            bid_verdict("pay-bid", &BidStatus::Cancel),
            Verdict::Final(Resolution::Refused { .. })
        ));
        assert!(matches!(
            bid_verdict("create-bid", &BidStatus::New),
            Verdict::Unreconcilable(_)
        ));
    }
}
