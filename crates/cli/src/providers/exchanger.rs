//! `kassa exchanger <operation>`: every operation goes through the crate's operation table
//! ([`exchanger::call_json`]).

use exchanger::Client;
use kassa_core::Error;
use kassa_core::secret::SecretString;
use kassa_sandbox::exchanger::seed;

use crate::config::Target;

/// Builds a client for `target`: `KASSA_EXCHANGER_API_LOGIN` and `KASSA_EXCHANGER_API_KEY`,
/// or the sandbox's.
pub fn client(target: &Target) -> Result<Client, Error> {
    let login = target.credential("API_LOGIN", seed::API_LOGIN)?;
    let key = target.credential("API_KEY", seed::API_KEY)?;
    Client::builder(target.base_url.clone())
        .login(login)
        .key(SecretString::from(key))
        .timeouts(target.timeouts)
        .build()
}

pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    exchanger::call_json(&c, operation, params).await
}

/// `kassa exchanger check-callback`: checks a bid status callback (its body on stdin).
/// A placeholder until the exchanger callback check lands: it refuses every callback.
pub async fn check_callback(
    _params: &str,
    _body: &[u8],
    _target: &Target,
) -> Result<String, Error> {
    Err(Error::invalid(
        "operation",
        "check-callback is not built into this CLI yet",
    ))
}
