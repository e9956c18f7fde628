//! `kassa mobilnik <operation>`.

use kassa_core::Error;
use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_sandbox::mobilnik::seed;
use mobilnik::{
    CheckPaymentRequest, CheckRequisiteRequest, Client, DeviceId, PaymentRequest, TransferRequest,
};

use super::{no_params, parse, render, reveal};
use crate::config::Target;

/// Builds a client for `target`: `KASSA_MOBILNIK_LOGIN`, `KASSA_MOBILNIK_PASSWORD`,
/// `KASSA_MOBILNIK_DEVICE_ID`, `KASSA_MOBILNIK_DEVICE`, or the sandbox's.
pub fn client(target: &Target) -> Result<Client, Error> {
    let login = target.credential("LOGIN", seed::LOGIN)?;
    let password = target.credential("PASSWORD", seed::PASSWORD)?;
    let device_id = DeviceId::new(target.credential("DEVICE_ID", seed::DEVICE_ID)?)?;
    let device = target.credential("DEVICE", seed::DEVICE)?;
    Client::builder()
        .base_url(target.base_url.clone())
        .login(login)
        .password(SecretString::from(password))
        .device_id(device_id)
        .device_name(device)
        .timeouts(target.timeouts)
        .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    match operation {
        "authenticate" => {
            no_params(operation, params)?;
            // the token is the answer asked for: printed whole on stdout
            let me = c.authenticate().await?;
            reveal(render(&me)?, "token", me.token.expose_secret())
        }
        "service-list" => {
            no_params(operation, params)?;
            render(&c.service_list().await?)
        }
        "check-requisite" => render(
            &c.check_requisite(&parse::<CheckRequisiteRequest>(params)?)
                .await?,
        ),
        "payment" => render(&c.payment(&parse::<PaymentRequest>(params)?).await?),
        "check-payment" => render(
            &c.check_payment(&parse::<CheckPaymentRequest>(params)?)
                .await?,
        ),
        "transfer-request" => render(
            &c.transfer_request(&parse::<TransferRequest>(params)?)
                .await?,
        ),
        other => Err(Error::invalid(
            "operation",
            format!("mobilnik has no `{other}`"),
        )),
    }
}
