//! Where a call goes and with which credentials: `--base-url`, else `KASSA_<PROVIDER>_URL`,
//! else the embedded sandbox with its test credentials. Credentials come only from the
//! environment (`KASSA_<PROVIDER>_<NAME>`).

use std::collections::BTreeMap;
use std::time::Duration;

use kassa_core::{Error, Timeouts};

use crate::embedded::Embedded;
use crate::output::Failure;

/// The `KASSA_*` variables of the environment, read once.
#[derive(Debug, Clone, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    /// Reads the process environment.
    pub fn from_process() -> Env {
        Env(std::env::vars()
            .filter(|(k, _)| k.starts_with("KASSA_"))
            .collect())
    }

    /// These variables only (for tests).
    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> Env {
        Env(pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect())
    }

    /// A variable, when set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// `KASSA_ANOR_BM` for `anor-bm`.
pub fn var_prefix(provider: &str) -> String {
    format!("KASSA_{}", provider.to_ascii_uppercase().replace('-', "_"))
}

/// `KASSA_ANOR_BM_URL` for `anor-bm`.
pub fn url_var(provider: &str) -> String {
    format!("{}_URL", var_prefix(provider))
}

/// A resolved destination.
#[derive(Debug)]
pub struct Target {
    /// The provider's base URL.
    pub base_url: String,
    /// The embedded sandbox, when it stands in for the provider (kept alive here), with
    /// its state file.
    pub sandbox: Option<Embedded>,
    /// Timeouts for the call.
    pub timeouts: Timeouts,
    /// The intent journal the call records in (`--journal`, `KASSA_JOURNAL_URL`).
    pub journal: Option<std::sync::Arc<dyn kassa_core::journal::Journal>>,
    provider: &'static str,
    env: Env,
}

impl Target {
    /// `KASSA_<PROVIDER>_<name>` from the environment when set and not empty, whether or
    /// not the sandbox stands in (for credentials that are optional or chosen among).
    pub fn env_var(&self, name: &str) -> Option<String> {
        let var = format!("{}_{name}", var_prefix(self.provider));
        self.env.get(&var).map(str::to_owned)
    }

    /// A credential: the sandbox's test value when the sandbox stands in, else the
    /// environment variable `KASSA_<PROVIDER>_<name>`, which must be set.
    pub fn credential(&self, name: &str, sandbox_value: &str) -> Result<String, Error> {
        if self.sandbox.is_some() {
            return Ok(sandbox_value.to_owned());
        }
        let var = format!("{}_{name}", var_prefix(self.provider));
        self.env.get(&var).map(str::to_owned).ok_or_else(|| {
            Error::invalid(
                var,
                "is not set (credentials come only from the environment)",
            )
        })
    }
}

impl Target {
    /// A setting that is not a credential (`KASSA_<PROVIDER>_<name>`, e.g. a language):
    /// read from the environment whether or not the sandbox stands in; `None` when unset.
    pub fn setting(&self, name: &str) -> Option<String> {
        self.env
            .get(&format!("{}_{name}", var_prefix(self.provider)))
            .map(str::to_owned)
    }
}

/// The embedded sandbox's base URL for `provider`: mserver's clients take the API's
/// version prefix in their base URL (`…/mserver/v1`), as `KASSA_MSERVER_URL` does.
pub fn sandbox_base(embedded: &Embedded, provider: &str) -> String {
    client_base(&embedded.sandbox, provider)
}

/// A sandbox's base URL for a client of `provider` (what `KASSA_<PROVIDER>_URL` takes):
/// mserver's includes the API's version prefix.
pub fn client_base(sandbox: &kassa_sandbox::Sandbox, provider: &str) -> String {
    let url = sandbox.url(provider);
    if provider == "mserver" {
        format!("{url}/v1")
    } else {
        url
    }
}

/// Resolves the base URL and timeouts, starting the sandbox when nothing is configured.
pub async fn resolve(
    provider: &'static str,
    base_url: Option<&str>,
    env: &Env,
    timeout: Option<Duration>,
) -> Result<Target, Failure> {
    let mut timeouts = Timeouts::default();
    if let Some(t) = timeout {
        timeouts.total = Some(t);
        timeouts.attempt = timeouts.attempt.map(|a| a.min(t));
        timeouts.connect = timeouts.connect.map(|c| c.min(t));
    }
    let configured = base_url
        .map(str::to_owned)
        .or_else(|| env.get(&url_var(provider)).map(str::to_owned));
    let (base_url, sandbox) = match configured {
        Some(url) => (url, None),
        None => {
            let embedded = Embedded::start().await?;
            (sandbox_base(&embedded, provider), Some(embedded))
        }
    };
    Ok(Target {
        base_url,
        sandbox,
        timeouts,
        journal: None,
        provider,
        env: env.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_follow_the_provider() {
        assert_eq!(url_var("anor-bm"), "KASSA_ANOR_BM_URL");
        assert_eq!(var_prefix("requisite-uz"), "KASSA_REQUISITE_UZ");
    }

    #[tokio::test]
    async fn credentials_come_from_the_environment_when_a_url_is_set() {
        let env = Env(BTreeMap::from([(
            "KASSA_ANOR_BM_USERNAME".to_owned(),
            "u".to_owned(),
        )]));
        let t = resolve("anor-bm", Some("http://127.0.0.1:9"), &env, None)
            .await
            .expect("resolves");
        assert_eq!(
            t.credential("USERNAME", "sandbox-user").ok().as_deref(),
            Some("u")
        );
        let missing = t.credential("PASSWORD", "sandbox-pass").expect_err("unset");
        assert_eq!(missing.field(), Some("KASSA_ANOR_BM_PASSWORD"));
    }

    #[tokio::test]
    async fn the_sandbox_stands_in_with_its_credentials() {
        let t = resolve(
            "mobilnik",
            None,
            &Env::default(),
            Some(Duration::from_secs(3)),
        )
        .await
        .expect("sandbox starts");
        assert!(t.base_url.ends_with("/mobilnik"));
        assert_eq!(t.credential("LOGIN", "seed").ok().as_deref(), Some("seed"));
        assert_eq!(t.timeouts.total, Some(Duration::from_secs(3)));
    }
}
