//! `kassa requisite-uz <operation>`: every operation goes through the crate's operation
//! table ([`requisite_uz::call_json`]); no answer of this provider is a credential.

use kassa_core::Error;
use kassa_core::secret::SecretString;
use kassa_sandbox::requisite_uz::seed;
use requisite_uz::Client;

use crate::config::Target;

/// Builds a client for `target`: `KASSA_REQUISITE_UZ_USERNAME` and
/// `KASSA_REQUISITE_UZ_PASSWORD`, or the sandbox's.
pub fn client(target: &Target) -> Result<Client, Error> {
    let username = target.credential("USERNAME", seed::FIXTURE_USERNAME)?;
    let password = target.credential("PASSWORD", seed::FIXTURE_PASSWORD)?;
    let b = Client::builder(target.base_url.clone())
        .credentials(username, SecretString::from(password))
        .timeouts(target.timeouts);
    match &target.journal {
        Some(j) => b.journal(j.clone()),
        None => b,
    }
    .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    requisite_uz::call_json(&c, operation, params).await
}
