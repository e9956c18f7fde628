//! `kassa mserver <operation>`: every operation goes through the crate's operation table
//! ([`mserver::call_json`]).

use kassa_core::Error;
use kassa_core::secret::SecretString;
use kassa_sandbox::mserver::seed;
use mserver::Client;

use crate::config::Target;

/// Builds a client for `target`: the wallet `KASSA_MSERVER_PHONE` and
/// `KASSA_MSERVER_PASSWORD`, or the sandbox's wallet.
pub fn client(target: &Target) -> Result<Client, Error> {
    let phone = target.credential("PHONE", seed::PHONE)?;
    let password = target.credential("PASSWORD", seed::PASSWORD)?;
    Client::builder()
        .base_url(target.base_url.clone())
        .wallet(phone, SecretString::from(password))?
        .timeouts(target.timeouts)
        .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    mserver::call_json(&c, operation, params).await
}
