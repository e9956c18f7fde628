//! `kassa mobilnik <operation>`.

use kassa_core::Error;
use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_sandbox::mobilnik::seed;
use mobilnik::{AuthenticateRequest, Client, DeviceId};

use super::{render, reveal};
use crate::config::Target;

/// Builds a client for `target`: `KASSA_MOBILNIK_LOGIN`, `KASSA_MOBILNIK_PASSWORD`,
/// `KASSA_MOBILNIK_DEVICE_ID`, `KASSA_MOBILNIK_DEVICE`, or the sandbox's.
pub fn client(target: &Target) -> Result<Client, Error> {
    let login = target.credential("LOGIN", seed::LOGIN)?;
    let password = target.credential("PASSWORD", seed::PASSWORD)?;
    let device_id = DeviceId::new(target.credential("DEVICE_ID", seed::DEVICE_ID)?)?;
    let device = target.credential("DEVICE", seed::DEVICE)?;
    let b = Client::builder()
        .base_url(target.base_url.clone())
        .login(login)
        .password(SecretString::from(password))
        .device_id(device_id)
        .device_name(device)
        .timeouts(target.timeouts);
    match &target.journal {
        Some(j) => b.journal(j.clone()),
        None => b,
    }
    .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    if operation == "authenticate" {
        // the token is the answer asked for: printed whole on stdout
        let me = c
            .authenticate(&kassa_core::ops::parse::<AuthenticateRequest>(
                operation, params,
            )?)
            .await?;
        return reveal(render(&me)?, "token", me.token.expose_secret());
    }
    mobilnik::call_json(&c, operation, params).await
}
