//! `kassa requisite-uz <operation>`.

use kassa_core::Error;
use kassa_core::secret::SecretString;
use kassa_sandbox::requisite_uz::seed;
use requisite_uz::{
    BalanceRequest, Client, PaymentBudgetRequest, PaymentRequest, PaymentStatusRequest,
    ServicesRequest, StatementRequest,
};

use super::{parse, render};
use crate::config::Target;

/// Builds a client for `target`: `KASSA_REQUISITE_UZ_USERNAME` and
/// `KASSA_REQUISITE_UZ_PASSWORD`, or the sandbox's.
pub fn client(target: &Target) -> Result<Client, Error> {
    let username = target.credential("USERNAME", seed::FIXTURE_USERNAME)?;
    let password = target.credential("PASSWORD", seed::FIXTURE_PASSWORD)?;
    Client::builder(target.base_url.clone())
        .credentials(username, SecretString::from(password))
        .timeouts(target.timeouts)
        .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    match operation {
        "services" => {
            parse::<ServicesRequest>(params)?;
            super::no_params(operation, params)?;
            render(&c.services().await?)
        }
        "payment" => render(&c.payment(&parse::<PaymentRequest>(params)?).await?),
        "payment-budget" => render(
            &c.payment_budget(&parse::<PaymentBudgetRequest>(params)?)
                .await?,
        ),
        "payment-status" => {
            let req: PaymentStatusRequest = parse(params)?;
            render(&c.payment_status(&req.order_id).await?)
        }
        "balance" => {
            let req: BalanceRequest = parse(params)?;
            render(&c.balance(req.service_id).await?)
        }
        "statement" => render(&c.statement(&parse::<StatementRequest>(params)?).await?),
        other => Err(Error::invalid(
            "operation",
            format!("requisite-uz has no `{other}`"),
        )),
    }
}
