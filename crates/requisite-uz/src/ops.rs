//! The operation table: every operation of the catalogue, its request type, the method that
//! sends it and its effect, for the CLI and the contract tests ([`call_json`]).
//!
//! payment and payment-budget are `Once` although the catalogue calls them keyed on
//! `orderId`: the bank refuses a repeated `orderId` instead of answering it again, so they
//! are never resent; a lost answer is outcome-unknown naming payment-status.
//!
//! ```
//! let names: Vec<&str> = requisite_uz::OPERATIONS.iter().map(|o| o.name).collect();
//! assert_eq!(names, ["services", "payment", "payment-budget", "payment-status", "balance", "statement"]);
//! ```

use crate::account::{Balance, BalanceRequest, StatementRequest, StatementRow};
use crate::client::Client;
use crate::payment::{PaymentBudgetRequest, PaymentRequest, PaymentResult, PaymentStatusRequest};
use crate::services::{Service, ServicesRequest};

kassa_core::operations! {
    client: Client;
    "services" => list_services(ServicesRequest) -> Vec<Service>, Read;
    "payment" => payment(PaymentRequest) -> PaymentResult, Once;
    "payment-budget" => payment_budget(PaymentBudgetRequest) -> PaymentResult, Once;
    "payment-status" => payment_status(PaymentStatusRequest) -> PaymentResult, Read;
    "balance" => balance(BalanceRequest) -> Balance, Read;
    "statement" => statement(StatementRequest) -> Vec<StatementRow>, Read;
}

#[cfg(test)]
mod tests {
    use super::OPERATIONS;

    /// The table and the CLI's catalogue (`crates/cli/src/catalogue.tsv`) name the same
    /// operations with the same effects; payment and payment-budget are `once` in both.
    #[test]
    fn the_table_matches_the_cli_catalogue() {
        let tsv = include_str!("../../cli/src/catalogue.tsv");
        let catalogue: Vec<(&str, &str)> = tsv
            .lines()
            .map(|line| line.split('\t').collect::<Vec<_>>())
            .filter(|cols| cols.first() == Some(&crate::PROVIDER))
            .map(|cols| (cols[1], cols[5]))
            .collect();
        let table: Vec<(&str, &str)> = OPERATIONS
            .iter()
            .map(|o| (o.name, o.effect.name()))
            .collect();
        assert_eq!(table, catalogue);
    }
}
