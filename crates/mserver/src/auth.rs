//! The three kinds of credentials, the wallet phone, and the application token (client
//! credentials exchanged at a token URL, cached, refreshed ahead of `expires_in`).

use std::fmt;
use std::time::Duration;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::token::Fetched;
use kassa_core::{Effect, Error, Method, Operation, Param, Request};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer::{self, Meta};
use crate::client::Client;

pub(crate) const APPLICATION_TOKEN: Operation =
    Operation::new(PROVIDER, "application-token", Effect::Auth);

/// How long before `expires_in` the application token is fetched again.
///
/// ```
/// assert_eq!(mserver::REFRESH_AHEAD.as_secs(), 60);
/// ```
pub const REFRESH_AHEAD: Duration = Duration::from_secs(60);

/// A phone in international format: `+7` and 10 digits, or `+`, a country code and the
/// number (11 to 15 digits in all, as `+12345675578` in the document).
///
/// ```
/// use mserver::Phone;
/// assert_eq!(Phone::new("+79261111111")?.as_str(), "+79261111111");
/// assert!(Phone::new("+12345675578").is_ok());
/// assert_eq!(Phone::new("89261111111").unwrap_err().field(), Some("phone"));
/// assert!(Phone::new("+7926111111").is_err(), "+7 needs 10 digits");
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Checks `phone` (field name `phone`).
    ///
    /// ```
    /// assert_eq!(mserver::Phone::new("+79261111111")?.to_string(), "+79261111111");
    /// assert_eq!(mserver::Phone::new("+7 926").unwrap_err().field(), Some("phone"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn new(phone: impl Into<String>) -> Result<Phone, Error> {
        Phone::checked("phone", phone.into())
    }

    /// Checks `phone`, naming `field` when it is wrong.
    pub(crate) fn checked(field: &str, phone: String) -> Result<Phone, Error> {
        let Some(digits) = phone.strip_prefix('+') else {
            return Err(Error::invalid(
                field,
                "must be in international format: + and the digits (+79261111111)",
            ));
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(field, "digits only after the +"));
        }
        let ok = if digits.starts_with('7') {
            digits.len() == 11
        } else {
            (11..=15).contains(&digits.len()) && !digits.starts_with('0')
        };
        if !ok {
            return Err(Error::invalid(
                field,
                "+7 and 10 digits, or + and 11 to 15 digits with the country code",
            ));
        }
        Ok(Phone(phone))
    }

    /// The phone as sent.
    ///
    /// ```
    /// assert_eq!(mserver::Phone::new("+79261111111")?.as_str(), "+79261111111");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Phone, D::Error> {
        let s = String::deserialize(d)?;
        Phone::new(s).map_err(|e| match e {
            Error::InvalidInput { reason, .. } => serde::de::Error::custom(reason),
            other => serde::de::Error::custom(other),
        })
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the client authenticates with; chosen on the builder.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// None: only the operations that need no credentials work.
    None,
    /// A wallet: HTTP Basic with its phone and password.
    Wallet {
        phone: Phone,
        password: SecretString,
    },
    /// An OAuth bearer token the integrator holds.
    Bearer(SecretString),
    /// Application credentials, exchanged for an application token.
    Application {
        client_id: String,
        client_secret: SecretString,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = kassa_core::secret::REDACTED;
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Wallet { phone, .. } => f
                .debug_struct("Wallet")
                .field("phone", phone)
                .field("password", &r)
                .finish(),
            Credentials::Bearer(_) => f.debug_tuple("Bearer").field(&r).finish(),
            Credentials::Application { client_id, .. } => f
                .debug_struct("Application")
                .field("client_id", client_id)
                .field("client_secret", &r)
                .finish(),
        }
    }
}

/// Admin credentials for `delete-wallet` (HTTP Basic), given per call.
///
/// ```
/// let admin = mserver::AdminCredentials::new("test-admin", "test-admin-password".into());
/// assert!(!format!("{admin:?}").contains("test-admin-password"));
/// ```
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminCredentials {
    /// The admin login.
    pub login: String,
    /// The admin password.
    pub password: SecretString,
}

impl AdminCredentials {
    /// Admin credentials.
    ///
    /// ```
    /// let admin = mserver::AdminCredentials::new("test-admin", "from-your-vault".into());
    /// assert_eq!(admin.login, "test-admin");
    /// ```
    pub fn new(login: impl Into<String>, password: SecretString) -> AdminCredentials {
        AdminCredentials {
            login: login.into(),
            password,
        }
    }
}

impl fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("login", &self.login)
            .field("password", &kassa_core::secret::REDACTED)
            .finish()
    }
}

/// The application token (`POST <token URL>`, `grant_type=client_credentials`).
/// `Debug` and `Serialize` never show the token.
///
/// ```
/// let t: mserver::ApplicationToken = serde_json::from_str(
///     r#"{"access_token": "tok-123", "token_type": "bearer", "expires_in": 599, "scope": "wallet.read"}"#)?;
/// assert_eq!(t.expires_in, Some(599));
/// assert!(!format!("{t:?}").contains("tok-123"));
/// assert!(!serde_json::to_string(&t)?.contains("tok-123"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplicationToken {
    /// `access_token`: sent as a bearer token. Serialized as `"[REDACTED]"`.
    #[serde(serialize_with = "kassa_core::secret::redacted")]
    pub access_token: SecretString,
    /// `token_type` (`bearer`).
    #[serde(default)]
    pub token_type: Option<String>,
    /// `expires_in`, in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// `scope`: space-separated scopes.
    #[serde(default)]
    pub scope: Option<String>,
}

/// The token answer in either shape: wrapped in `meta`/`data` (the document) or at the top
/// level (plain OAuth).
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    #[allow(dead_code)]
    meta: Option<Meta>,
    #[serde(default)]
    data: Option<ApplicationToken>,
    #[serde(default)]
    access_token: Option<SecretString>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

/// The parameters of `application-token`: none (the client id and secret come from the
/// client's configuration).
///
/// ```
/// let r: mserver::ApplicationTokenRequest = serde_json::from_str("{}")?;
/// # let _ = r;
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationTokenRequest {}

impl Client {
    /// **application-token** (`POST <token URL>`, «Токен доступа приложения»): exchanges
    /// the client id and secret for a fresh application token, always sending a request.
    /// Calls with application credentials fetch and cache it by themselves; this is for
    /// callers who want to look at it. Effect `auth`.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let token = client.application_token(&mserver::ApplicationTokenRequest {}).await?;
    /// println!("valid for {:?} s", token.expires_in);
    /// # Ok(()) }
    /// ```
    pub async fn application_token(
        &self,
        _req: &ApplicationTokenRequest,
    ) -> Result<ApplicationToken, Error> {
        self.fetch_token().await.map(|f| f.value)
    }

    /// Fetches an application token and registers it for scrubbing.
    pub(crate) async fn fetch_token(&self) -> Result<Fetched<ApplicationToken>, Error> {
        let inner = &self.inner;
        let Credentials::Application {
            client_id,
            client_secret,
        } = &inner.credentials
        else {
            return Err(Error::invalid(
                "credentials",
                "application-token needs application credentials (ClientBuilder::application)",
            ));
        };
        let req = inner
            .with_headers(Request::new(APPLICATION_TOKEN, Method::Post, ""))
            .basic_auth(client_id, client_secret)
            .header("Accept", "application/json")
            .form(vec![(
                "grant_type".to_owned(),
                Param::from("client_credentials"),
            )]);
        let engine = &inner.token_engine;
        let answer: TokenAnswer =
            answer::fresh(&APPLICATION_TOKEN, answer::send(engine, &req).await?)?;
        let token = match (answer.data, answer.access_token) {
            (Some(t), _) => t,
            (None, Some(access_token)) => ApplicationToken {
                access_token,
                token_type: answer.token_type,
                expires_in: answer.expires_in,
                scope: answer.scope,
            },
            (None, None) => {
                return Err(Error::Decode {
                    provider: PROVIDER,
                    operation: APPLICATION_TOKEN.name,
                    path: "access_token".into(),
                    message: "the token answer has no access_token".into(),
                    excerpt: String::new(),
                });
            }
        };
        let exposed = token.access_token.expose_secret();
        if exposed.trim().is_empty() {
            return Err(Error::invalid(
                "access_token",
                "the token service answered an empty token",
            ));
        }
        inner.engine.remember_secret(exposed);
        inner.token_engine.remember_secret(exposed);
        let expires = token.expires_in.map(Duration::from_secs);
        Ok(Fetched::new(token, expires))
    }
}
