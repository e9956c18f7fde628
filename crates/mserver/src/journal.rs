//! The intent journal's side of this crate: which `Keyed` and `Once` operations no status
//! call settles by ids known before sending ([`RECONCILED_ONLY_FROM_THE_ANSWER`]), and
//! [`Client`]'s [`Reconciler`](kassa_core::journal::Reconciler), which settles the others
//! with one status call:
//!
//! | operation | asks | succeeded | refused | not found | otherwise |
//! |---|---|---|---|---|---|
//! | pay-payment | get-payment `id` | `completed` | `declined` | 404 | pending |
//! | pay-invoice | list-invoices, the invoice `_id` | `completed` | `declined`, `canceled` | not listed | pending |
//! | cancel-invoice | list-created-invoices, the invoice `_id` | `canceled` | `completed`, `declined` | not listed | pending |
//! | delete-card | get-card `id` | 404 (gone) | the card is still there | | |
//! | delete-template | get-template `id` | 404 (gone) | the template is still there | | |
//! | update-template | | | | | for a person: the template does not say which update it holds |
//!
//! ```
//! assert!(mserver::RECONCILED_ONLY_FROM_THE_ANSWER.iter().any(|(op, _)| *op == "create-payment"));
//! ```

use kassa_core::Error;
use kassa_core::journal::{Intent, Reconciler, Resolution, Verdict, id_of, status_step};

use crate::cards::CardRequest;
use crate::client::Client;
use crate::invoices::{Invoice, InvoiceStatus};
use crate::payments::{GetPaymentRequest, PaymentStatus};
use crate::services::NoInput;
use crate::templates::TemplateRequest;

const NO_STATUS: &str =
    "moves no money and no status call settles it: only its answer says how it ended";
const NEW_ID: &str = "what it creates gets its id only in the answer; a status call can only list, not find this call";

/// The `Keyed` and `Once` operations whose intent names no status call with ids known
/// before sending, and why. The recoverer cannot settle them and parks them for a person
/// (`create-payment`, being `Keyed`, may instead be created again with the same
/// `client_payment_id`, which the provider answers with the same payment).
///
/// ```
/// for (op, why) in mserver::RECONCILED_ONLY_FROM_THE_ANSWER {
///     assert!(mserver::OPERATIONS.iter().any(|o| o.name == *op), "{op}");
///     assert!(!why.is_empty());
/// }
/// ```
pub const RECONCILED_ONLY_FROM_THE_ANSWER: &[(&str, &str)] = &[
    ("create-wallet", NO_STATUS),
    ("activate-wallet", NO_STATUS),
    ("resend-activation-code", NO_STATUS),
    ("request-password-code", NO_STATUS),
    ("change-password", NO_STATUS),
    ("delete-wallet", NO_STATUS),
    ("put-person", NO_STATUS),
    ("upload-picture", NO_STATUS),
    ("delete-picture", NO_STATUS),
    ("wallet-settings", NO_STATUS),
    ("wallet-status-webhook", NO_STATUS),
    ("order-service", NO_STATUS),
    ("create-card", NEW_ID),
    ("create-invoice", NEW_ID),
    ("duplicate-invoice", NEW_ID),
    ("create-template", NEW_ID),
    (
        "create-payment",
        "keyed by client_payment_id, which no status call takes: get-payment needs the payment id the answer gives; create it again with the same client_payment_id to learn it",
    ),
    ("payment-bill", NO_STATUS),
    ("reset-unseen", NO_STATUS),
    ("best-p2p-webhook", NO_STATUS),
    ("reset-best-unseen", NO_STATUS),
];

/// True when `e` is the provider's 404 (no such object).
fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Http { status: 404, .. })
        || e.rejection().and_then(|r| r.http_status) == Some(404)
}

#[kassa_core::async_trait]
impl Reconciler for Client {
    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    /// Asks the intent's status call once.
    async fn reconcile(&self, intent: &Intent) -> Result<Verdict, Error> {
        let step = match status_step(intent, crate::PROVIDER, RECONCILED_ONLY_FROM_THE_ANSWER) {
            Ok(step) => step,
            Err(verdict) => return Ok(verdict),
        };
        let op = intent.operation.as_str();
        let id_name = if step.starts_with("list-") {
            "_id"
        } else {
            "id"
        };
        let Some(id) = id_of(intent, id_name).filter(|v| !v.trim().is_empty()) else {
            return Ok(Verdict::Unreconcilable(format!(
                "{op} names {step} with no {id_name}: the intent cannot be told apart in a list"
            )));
        };
        let number = || id.trim().parse::<u64>().ok();
        match (op, step) {
            ("pay-payment", "get-payment") => {
                let Some(id) = number() else {
                    return Ok(bad_id(id));
                };
                match self.get_payment(&GetPaymentRequest { id }).await {
                    Ok(answer) => Ok(payment_verdict(
                        &answer.data.status,
                        answer
                            .data
                            .decline_reason
                            .as_ref()
                            .map(|r| r.as_str().to_owned()),
                    )),
                    Err(e) if is_not_found(&e) => Ok(Verdict::NotFound),
                    Err(e) => Err(e),
                }
            }
            ("pay-invoice", "list-invoices") => {
                let list = self.list_invoices(&NoInput {}).await?;
                Ok(invoice_verdict(op, find(&list.data, id)))
            }
            ("cancel-invoice", "list-created-invoices") => {
                let list = self.list_created_invoices(&NoInput {}).await?;
                Ok(invoice_verdict(op, find(&list.data, id)))
            }
            ("delete-card", "get-card") => {
                let Some(id) = number() else {
                    return Ok(bad_id(id));
                };
                match self.get_card(&CardRequest { id }).await {
                    Ok(card) => Ok(still_there(&format!("card {id}"), card.data.state.as_str())),
                    Err(e) if is_not_found(&e) => Ok(Verdict::Final(Resolution::Succeeded)),
                    Err(e) => Err(e),
                }
            }
            ("delete-template", "get-template") => {
                match self
                    .get_template(&TemplateRequest { id: id.to_owned() })
                    .await
                {
                    Ok(_) => Ok(still_there(&format!("template {id}"), "present")),
                    Err(e) if is_not_found(&e) => Ok(Verdict::Final(Resolution::Succeeded)),
                    Err(e) => Err(e),
                }
            }
            ("update-template", _) => Ok(Verdict::Unreconcilable(format!(
                "template {id} exists either way: whether the update was applied shows only by \
                 comparing it with what was sent"
            ))),
            _ => Ok(Verdict::Unreconcilable(format!(
                "{op} with {step} is not a status call this client settles"
            ))),
        }
    }
}

fn bad_id(id: &str) -> Verdict {
    Verdict::Unreconcilable(format!("id {id:?} is not a number"))
}

fn find<'a>(list: &'a [Invoice], id: &str) -> Option<&'a Invoice> {
    list.iter().find(|i| i.id == id)
}

/// A deleted object that is still there: the deletion did not take effect.
fn still_there(what: &str, state: &str) -> Verdict {
    Verdict::Final(Resolution::Refused {
        code: None,
        message: format!("{what} is still there ({state}): the deletion did not take effect"),
    })
}

fn payment_verdict(status: &PaymentStatus, reason: Option<String>) -> Verdict {
    match status {
        PaymentStatus::Completed => Verdict::Final(Resolution::Succeeded),
        PaymentStatus::Declined => Verdict::Final(Resolution::Refused {
            message: format!(
                "the payment was declined ({})",
                reason.as_deref().unwrap_or("no reason given")
            ),
            code: reason,
        }),
        other => Verdict::Pending(other.as_str().to_owned()),
    }
}

fn invoice_verdict(op: &str, invoice: Option<&Invoice>) -> Verdict {
    let Some(invoice) = invoice else {
        return Verdict::NotFound;
    };
    let Some(status) = &invoice.status else {
        return Verdict::Pending("no status".to_owned());
    };
    let refused = || {
        Verdict::Final(Resolution::Refused {
            code: Some(status.as_str().to_owned()),
            message: format!("invoice {} is {}", invoice.id, status.as_str()),
        })
    };
    match (op, status) {
        ("pay-invoice", InvoiceStatus::Completed) => Verdict::Final(Resolution::Succeeded),
        ("pay-invoice", InvoiceStatus::Declined | InvoiceStatus::Canceled) => refused(),
        ("cancel-invoice", InvoiceStatus::Canceled) => Verdict::Final(Resolution::Succeeded),
        ("cancel-invoice", InvoiceStatus::Completed | InvoiceStatus::Declined) => refused(),
        _ => Verdict::Pending(status.as_str().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_and_invoice_states_map() {
        assert_eq!(
            payment_verdict(&PaymentStatus::Completed, None),
            Verdict::Final(Resolution::Succeeded)
        );
        assert_eq!(
            payment_verdict(&PaymentStatus::Processing, None),
            Verdict::Pending("processing".into())
        );
        assert!(matches!(
            payment_verdict(&PaymentStatus::Declined, Some("insufficient_funds".into())),
            Verdict::Final(Resolution::Refused { code: Some(c), .. }) if c == "insufficient_funds"
        ));
        assert_eq!(invoice_verdict("pay-invoice", None), Verdict::NotFound);
    }
}
