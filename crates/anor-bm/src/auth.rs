//! Credentials, the login and refresh-token calls, and the token lifecycle: log in on first
//! use, refresh with the refresh token ahead of `expires_in`, log in again when the refresh
//! is refused.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::token::{CachedToken, Fetched};
use kassa_core::{Effect, Error, Method, Operation, Request, Sent};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::client::Client;
use crate::error::Code;

pub(crate) const LOGIN_PATH: &str = "/api/ext/user/login";
pub(crate) const REFRESH_PATH: &str = "/api/ext/user/refresh-token";

const LOGIN: Operation = Operation::new(PROVIDER, "login", Effect::Auth);
const REFRESH: Operation = Operation::new(PROVIDER, "refresh-token", Effect::Auth);

/// The request of `login`: none, the client sends its own username and password.
///
/// ```
/// let req: anor_bm::LoginRequest = serde_json::from_str("{}")?;
/// assert!(serde_json::from_str::<anor_bm::LoginRequest>(r#"{"username":"x"}"#).is_err());
/// # let _ = req;
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {}

/// The body `login` sends: the agent's username and password.
#[derive(Clone, Serialize)]
pub(crate) struct Credentials {
    /// The agent's login.
    pub(crate) username: String,
    /// The agent's password.
    #[serde(serialize_with = "kassa_core::secret::expose")]
    pub(crate) password: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &kassa_core::secret::REDACTED)
            .finish()
    }
}

/// The body of `refresh-token`.
///
/// ```
/// use anor_bm::RefreshTokenRequest;
/// let req = RefreshTokenRequest::new("eyJ-refresh");
/// assert_eq!(serde_json::to_string(&req)?, r#"{"refreshToken":"eyJ-refresh"}"#);
/// assert!(!format!("{req:?}").contains("eyJ"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenRequest {
    /// The `refresh_token` of a login answer.
    #[serde(rename = "refreshToken", serialize_with = "kassa_core::secret::expose")]
    pub refresh_token: SecretString,
}

impl RefreshTokenRequest {
    /// A refresh request for `refresh_token`.
    pub fn new(refresh_token: impl Into<String>) -> RefreshTokenRequest {
        RefreshTokenRequest {
            refresh_token: SecretString::from(refresh_token.into()),
        }
    }
}

impl fmt::Debug for RefreshTokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenRequest")
            .field("refresh_token", &kassa_core::secret::REDACTED)
            .finish()
    }
}

/// The tokens of a login or refresh answer (`result`). Tokens print and serialize as
/// `[REDACTED]`; use [`kassa_core::secret::ExposeSecret`] to read them.
///
/// ```
/// use kassa_core::secret::ExposeSecret;
/// let t: anor_bm::Tokens = serde_json::from_str(
///     r#"{"access_token":"a1","token_type":"bearer","refresh_token":"r1","expires_in":86398,"scope":"openid"}"#,
/// )?;
/// assert_eq!(t.access_token.expose_secret(), "a1");
/// assert_eq!(t.expires_in, Some(86398));
/// let shown = serde_json::to_string(&t)?;
/// assert!(!shown.contains("a1") && !shown.contains("r1"), "{shown}");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    /// The bearer token for every other call.
    #[serde(serialize_with = "kassa_core::secret::redacted")]
    pub access_token: SecretString,
    /// The token type (`bearer`).
    #[serde(default)]
    pub token_type: Option<String>,
    /// The token for `refresh-token`.
    #[serde(default, serialize_with = "redacted_opt")]
    pub refresh_token: Option<SecretString>,
    /// Lifetime of the access token in seconds.
    #[serde(default, deserialize_with = "kassa_core::lenient::int_opt")]
    pub expires_in: Option<i64>,
    /// The token's scope (`openid`).
    #[serde(default)]
    pub scope: Option<String>,
}

fn redacted_opt<S: serde::Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str(kassa_core::secret::REDACTED),
        None => s.serialize_none(),
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &kassa_core::secret::REDACTED)
            .field("token_type", &self.token_type)
            .field(
                "refresh_token",
                &self
                    .refresh_token
                    .as_ref()
                    .map(|_| kassa_core::secret::REDACTED),
            )
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A login or refresh-token answer: `{"statusCode": 0, "statusMessage": "OK", "result": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAnswer {
    /// 0 for success.
    #[serde(deserialize_with = "kassa_core::lenient::int")]
    pub status_code: i64,
    /// `OK` on success.
    #[serde(default)]
    pub status_message: Option<String>,
    /// The tokens.
    pub result: Tokens,
}

/// The tokens a client holds between calls.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) access: SecretString,
    pub(crate) refresh: Option<SecretString>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Session([REDACTED])")
    }
}

/// How long to tell the cache a token lives so that it is refreshed `ahead` of expiry, but
/// never sooner than half its life (a token shorter than twice the margin would otherwise
/// be refreshed on every call).
fn cache_lifetime(expires_in: Option<i64>, ahead: Duration) -> Option<Duration> {
    let secs = u64::try_from(expires_in?).ok()?;
    let life = Duration::from_secs(secs);
    if life > ahead * 2 {
        Some(life)
    } else {
        Some(life / 2 + ahead)
    }
}

#[derive(Deserialize)]
struct AuthHead {
    #[serde(default, rename = "statusCode")]
    status_code: Option<serde_json::Value>,
    #[serde(default, rename = "statusMessage")]
    status_message: Option<String>,
}

impl Client {
    async fn auth_call<B: Serialize>(
        &self,
        op: Operation,
        path: &'static str,
        body: &B,
    ) -> Result<TokenAnswer, Error> {
        let req = Request::new(op.clone(), Method::Post, path).json(body)?;
        let resp = self.engine().execute(&req).await?;
        if !resp.is_success() {
            return crate::answer::read_bare(&op, &resp);
        }
        // statusCode other than 0 is a refusal, whatever else the answer holds.
        if let Ok(head) = kassa_core::decode::json_plain::<AuthHead>(&op, &resp.body) {
            let code = head
                .status_code
                .as_ref()
                .map(|v| v.to_string().trim_matches('"').to_owned());
            if code.as_deref().is_some_and(|c| c != "0") {
                let raw = head
                    .status_message
                    .clone()
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| format!("statusCode {}", code.unwrap_or_default()));
                return Err(Error::auth(
                    PROVIDER,
                    op.name,
                    Some(resp.status),
                    Code::from_raw(&raw),
                    head.status_message.unwrap_or_default(),
                ));
            }
        }
        match crate::answer::read_bare::<TokenAnswer>(&op, &resp) {
            Ok(answer) => {
                let engine = self.engine();
                engine.remember_secret(answer.result.access_token.expose_secret());
                if let Some(refresh) = &answer.result.refresh_token {
                    engine.remember_secret(refresh.expose_secret());
                }
                Ok(answer)
            }
            Err(e) => {
                // An answer too broken to read may still hold tokens: they are secrets too.
                remember_tokens_in(self.engine(), &resp.body);
                Err(e)
            }
        }
    }

    /// `login` (`POST /api/ext/user/login`): logs in with the client's username and password
    /// and returns the tokens. The client does this by itself on first use; call it to check
    /// credentials or to manage tokens yourself. It does not replace the client's own token.
    ///
    /// Refused credentials (`bad_credentials`, `invalid_password`, HTTP 401) are
    /// [`Error::Auth`].
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let answer = client.login(&anor_bm::LoginRequest {}).await?;
    /// println!("token lives {:?} s", answer.result.expires_in);
    /// # Ok(()) }
    /// ```
    pub async fn login(&self, _req: &LoginRequest) -> Result<TokenAnswer, Error> {
        self.auth_call(LOGIN, LOGIN_PATH, &self.credentials())
            .await
            .map_err(|e| self.engine().scrub_error(e))
    }

    /// `refresh-token` (`POST /api/ext/user/refresh-token`): exchanges a refresh token for
    /// new tokens. No bearer header is sent (the document shows none). The client refreshes
    /// its own token by itself ahead of `expires_in`.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::secret::ExposeSecret;
    /// let first = client.login(&anor_bm::LoginRequest {}).await?;
    /// let refresh = first.result.refresh_token.expect("the bank sends one");
    /// let again = client
    ///     .refresh_token(&anor_bm::RefreshTokenRequest { refresh_token: refresh })
    ///     .await?;
    /// assert!(!again.result.access_token.expose_secret().is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn refresh_token(&self, req: &RefreshTokenRequest) -> Result<TokenAnswer, Error> {
        self.auth_call(REFRESH, REFRESH_PATH, req)
            .await
            .map_err(|e| self.engine().scrub_error(e))
    }

    /// Fetches a session for the token cache: refresh when the previous session has a refresh
    /// token, log in again when the bank refuses the refresh (or there is none).
    pub(crate) async fn fetch_session(
        &self,
        previous: Option<Arc<CachedToken<Session>>>,
    ) -> Result<Fetched<Session>, Error> {
        let ahead = self.refresh_ahead();
        if let Some(refresh) = previous.as_ref().and_then(|p| p.value.refresh.clone()) {
            match self
                .refresh_token(&RefreshTokenRequest {
                    refresh_token: refresh,
                })
                .await
            {
                Ok(answer) => {
                    tracing::debug!("token refreshed");
                    return Ok(session(answer, ahead, previous.as_deref()));
                }
                Err(e) if e.was_sent() == Sent::Yes => {
                    tracing::debug!(error = %e, "refresh refused; logging in again");
                }
                Err(e) => return Err(e),
            }
        }
        let answer = self.login(&LoginRequest {}).await?;
        tracing::debug!("logged in");
        Ok(session(answer, ahead, None))
    }
}

/// Registers the token-like strings of an unreadable login or refresh answer
/// (`result.access_token`, `result.refresh_token`, wherever the JSON still reads).
fn remember_tokens_in(engine: &kassa_core::Engine, body: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let result = value.get("result").unwrap_or(&value);
    for key in ["access_token", "refresh_token"] {
        if let Some(token) = result.get(key).and_then(serde_json::Value::as_str) {
            engine.remember_secret(token);
        }
    }
}

fn session(
    answer: TokenAnswer,
    ahead: Duration,
    previous: Option<&CachedToken<Session>>,
) -> Fetched<Session> {
    let Tokens {
        access_token,
        refresh_token,
        expires_in,
        ..
    } = answer.result;
    // A refresh answer without a new refresh token keeps the old one.
    let refresh = refresh_token.or_else(|| previous.and_then(|p| p.value.refresh.clone()));
    Fetched::new(
        Session {
            access: access_token,
            refresh,
        },
        cache_lifetime(expires_in, ahead),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_are_refreshed_at_half_life_at_the_earliest() {
        let ahead = Duration::from_secs(60);
        assert_eq!(
            cache_lifetime(Some(86398), ahead),
            Some(Duration::from_secs(86398))
        );
        assert_eq!(
            cache_lifetime(Some(100), ahead),
            Some(Duration::from_secs(110))
        );
        assert_eq!(cache_lifetime(None, ahead), None);
        assert_eq!(cache_lifetime(Some(-5), ahead), None);
    }
}
