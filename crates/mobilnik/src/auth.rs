//! Credentials, the device id, and the answer of `/authentication/` (the token and the
//! wallet's account and balance).
//!
//! The token from `authenticate` goes on every later call; the client keeps it in a
//! [`kassa_core::token::TokenCache`], authenticates on first use, and again once when a
//! call is answered `USER_NOT_AUTHORIZED` (27).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use kassa_core::secret::SecretString;
use kassa_core::token::Fetched;
use kassa_core::{Effect, Error, Method, Money, Operation, Param, Request};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer::{self, StatusField};
use crate::client::{CLIENT_ID, Client};
use crate::wire;

const AUTHENTICATE: Operation = Operation::new(PROVIDER, "authenticate", Effect::Auth);

/// The `id` query parameter: identifies this installation to Mobilnik.
///
/// The document suggests a hashed MAC address of the server ("MAC-адрес сервера
/// хэшированная sha1 и md5"). Pass your own with [`DeviceId::new`], or derive a stable one
/// with [`DeviceId::from_mac`] or [`DeviceId::derive`]. Keep it the same across restarts:
/// it names the device the provider registered.
///
/// ```
/// use mobilnik::DeviceId;
/// let id = DeviceId::from_mac("00-1a-2b-3c-4d-5e")?;
/// assert_eq!(id, DeviceId::from_mac("00:1A:2B:3C:4D:5E")?);
/// assert_eq!(id.as_str().len(), 40);
/// assert_eq!(DeviceId::derive("abc").as_str(), "a9993e364706816aba3e25717850c26c9cd0d89d");
/// assert!(DeviceId::new("  ").is_err());
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(String);

impl DeviceId {
    /// A device id given by the caller; it must not be blank.
    ///
    /// ```
    /// assert_eq!(mobilnik::DeviceId::new("test-device-id")?.as_str(), "test-device-id");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn new(id: impl Into<String>) -> Result<DeviceId, kassa_core::Error> {
        let id = id.into();
        if id.trim().is_empty() {
            return Err(kassa_core::Error::invalid(
                "id",
                "the device id must not be empty",
            ));
        }
        Ok(DeviceId(id))
    }

    /// The SHA-1 of `seed`, as 40 lower-case hex digits: the same seed always gives the
    /// same id. Use a value stable for this installation (a MAC address, a host name plus
    /// your application's name).
    ///
    /// ```
    /// let a = mobilnik::DeviceId::derive("shop-17.example.kg/kassa");
    /// assert_eq!(a, mobilnik::DeviceId::derive("shop-17.example.kg/kassa"));
    /// assert!(a.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    /// ```
    pub fn derive(seed: &str) -> DeviceId {
        DeviceId(sha1_smol::Sha1::from(seed.as_bytes()).digest().to_string())
    }

    /// The SHA-1 of a MAC address, as the document suggests. The address is first written
    /// in one canonical form (`00:1A:2B:3C:4D:5E`), so `00-1a-2b-3c-4d-5e` and
    /// `001A2B3C4D5E` give the same id. Fails unless it holds exactly 12 hex digits.
    ///
    /// ```
    /// use mobilnik::DeviceId;
    /// assert_eq!(DeviceId::from_mac("001A2B3C4D5E")?, DeviceId::derive("00:1A:2B:3C:4D:5E"));
    /// assert!(DeviceId::from_mac("00:1A:2B").is_err());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn from_mac(mac: &str) -> Result<DeviceId, kassa_core::Error> {
        let digits: Vec<char> = mac
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if digits.len() != 12 || !digits.iter().all(char::is_ascii_hexdigit) {
            return Err(kassa_core::Error::invalid(
                "id",
                "a MAC address is 12 hex digits, optionally separated by `:` or `-`",
            ));
        }
        let canonical = digits
            .chunks(2)
            .map(|pair| pair.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(":");
        Ok(DeviceId::derive(&canonical))
    }

    /// The id as sent.
    ///
    /// ```
    /// assert_eq!(mobilnik::DeviceId::new("x")?.as_str(), "x");
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the client logs in with. The password is never printed.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) login: String,
    pub(crate) password: SecretString,
    pub(crate) device_id: DeviceId,
    pub(crate) device_name: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("password", &kassa_core::secret::REDACTED)
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .finish()
    }
}

/// The answer of `authenticate` (`/authentication/`): the token and the wallet's account.
///
/// `Serialize` writes the wire names with the token as `"[REDACTED]"`; `Debug` hides it too.
///
/// ```
/// use kassa_core::secret::ExposeSecret;
/// let body = r#"{"account": 1234567, "name": " ", "token": "51a772eb9ad41026435c9ff5a2bab20d",
///   "phonenumber": "5071234567", "status_code": 0, "balance": 1043, "email": "asd@sd.com",
///   "avatar": null}"#;
/// let auth: mobilnik::AuthenticateResponse = serde_json::from_str(body)?;
/// assert_eq!(auth.balance.to_string(), "1 043.00 KGS");
/// assert_eq!(auth.token.expose_secret(), "51a772eb9ad41026435c9ff5a2bab20d");
/// let shown = serde_json::to_string(&auth)?;
/// assert!(shown.contains(r#""token":"[REDACTED]""#) && !shown.contains("51a772eb"));
/// assert!(!format!("{auth:?}").contains("51a772eb"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthenticateResponse {
    /// `account`: the wallet's account number.
    #[serde(deserialize_with = "wire::u64_lenient")]
    pub account: u64,
    /// `name`: the holder's name as the provider has it (the document's example is `" "`).
    #[serde(default, deserialize_with = "wire::string_lenient")]
    pub name: String,
    /// `token`: goes on every later call. Never printed, serialized as `"[REDACTED]"`.
    #[serde(
        deserialize_with = "secret_text",
        serialize_with = "kassa_core::secret::redacted"
    )]
    pub token: SecretString,
    /// `balance`: the wallet's balance in som, read exactly from the JSON number.
    #[serde(with = "kassa_core::money::serde::kgs::major_number")]
    pub balance: Money,
    /// `email`, when the provider has one.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub email: Option<String>,
    /// `phonenumber`, when the provider has one.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub phonenumber: Option<String>,
    /// `avatar`: path to the avatar picture (`null` in the document's example).
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub avatar: Option<String>,
}

/// Reads a token written as a string (or, drifting, a number) into a secret, without ever
/// putting its value into an error message.
fn secret_text<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = SecretString;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a token (text)")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretString, E> {
            if v.trim().is_empty() {
                return Err(E::custom("the token is empty"));
            }
            Ok(SecretString::from(v.to_owned()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<SecretString, E> {
            Ok(SecretString::from(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<SecretString, E> {
            Ok(SecretString::from(v.to_string()))
        }
    }
    d.deserialize_any(V)
}

/// The parameters of `authenticate`: none (the login, password and device come from the
/// client's configuration). Any field is refused by name.
///
/// ```
/// let req: mobilnik::AuthenticateRequest = serde_json::from_str("{}")?;
/// assert_eq!(req, mobilnik::AuthenticateRequest {});
/// assert!(serde_json::from_str::<mobilnik::AuthenticateRequest>(r#"{"login": "x"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthenticateRequest {}

impl Client {
    /// **authenticate** (`GET /authentication/`, «ПОЛУЧЕНИЕ ТОКЕНА»): logs in with
    /// `id`, `login`, `password`, `device` and `client=4`, keeps the new token for the
    /// calls that follow, and returns the account, name, contact data and current
    /// **balance** (the only read of the balance the API has).
    ///
    /// Always sends a request, even when a token is cached. Refused credentials
    /// (`WRONG_PASSWORD`, `WRONG_LOGIN_FORMAT`, `USER_NOT_FOUND`, `USER_BLOCKED`) are
    /// [`Error::Auth`]; other codes are [`Error::Rejected`]. Effect `auth`: safe to retry.
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// let me = client.authenticate(&mobilnik::AuthenticateRequest {}).await?;
    /// println!("account {} has {}", me.account, me.balance);
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(
        &self,
        _req: &AuthenticateRequest,
    ) -> Result<AuthenticateResponse, Error> {
        let tokens = &self.inner.tokens;
        let fetched_here = AtomicBool::new(false);
        let fetch = |_previous| async {
            let answer = self.login().await;
            fetched_here.store(true, Ordering::SeqCst);
            answer
        };
        let current = tokens.get(&fetch).await?;
        if fetched_here.load(Ordering::SeqCst) {
            return Ok(current.value.clone());
        }
        // A token was cached: replace it with a fresh one (if another call refreshed it
        // meanwhile, that fresh answer is returned).
        tokens.invalidate(&current).await;
        let fresh = tokens.get(&fetch).await?;
        Ok(fresh.value.clone())
    }

    /// Logs in and registers the new token as a secret to scrub from errors.
    pub(crate) async fn login(&self) -> Result<Fetched<AuthenticateResponse>, Error> {
        let c = &self.inner.credentials;
        let req = Request::new(AUTHENTICATE, Method::Get, "/authentication/")
            .query("id", c.device_id.as_str())
            .query("login", c.login.as_str())
            .query("password", Param::from(&c.password))
            .query("device", c.device_name.as_str())
            .query("client", CLIENT_ID);
        let engine = &self.inner.engine;
        let answer: AuthenticateResponse =
            answer::send(engine, &req, StatusField::Required).await?;
        engine.remember_secret(kassa_core::secret::ExposeSecret::expose_secret(
            &answer.token,
        ));
        // The document gives the token no lifetime: it is used until refused (27).
        Ok(Fetched::new(answer, None))
    }
}
