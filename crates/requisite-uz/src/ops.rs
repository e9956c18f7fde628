//! The operation table: every operation of the catalogue, its request type, the method that
//! sends it and its effect, for the CLI and the contract tests ([`call_json`]).
//!
//! payment and payment-budget are `Once`, not keyed on `orderId`: the bank refuses a
//! repeated `orderId` instead of answering it again, so they are never resent; a lost answer
//! is outcome-unknown naming payment-status. (The CLI's tests check this table against its
//! catalogue, for every provider.)
//!
//! ```
//! let names: Vec<&str> = requisite_uz::OPERATIONS.iter().map(|o| o.name).collect();
//! assert_eq!(names, ["services", "payment", "payment-budget", "payment-status", "balance", "statement"]);
//! ```

use crate::account::{Balance, BalanceRequest, StatementRequest, StatementRow};
use crate::client::Client;
use crate::payment::{PaymentBudgetRequest, PaymentRequest, PaymentResult, PaymentStatusRequest};
use crate::services::Service;

kassa_core::operations! {
    client: Client;
    "services" => services() -> Vec<Service>, Read;
    "payment" => payment(PaymentRequest) -> PaymentResult, Once;
    "payment-budget" => payment_budget(PaymentBudgetRequest) -> PaymentResult, Once;
    "payment-status" => payment_status(PaymentStatusRequest) -> PaymentResult, Read;
    "balance" => balance(BalanceRequest) -> Balance, Read;
    "statement" => statement(StatementRequest) -> Vec<StatementRow>, Read;
}
