//! HTTP Basic credentials, sent with every request. There is no token: nothing expires,
//! nothing is refreshed, and a refused request is never resent.

use std::fmt;

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::{EngineBuilder, Error, Request};

/// The username and password of the client, checked once when the client is built.
#[derive(Clone)]
pub(crate) struct Basic {
    username: String,
    password: SecretString,
}

impl fmt::Debug for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Basic")
            .field("username", &self.username)
            .field("password", &kassa_core::secret::REDACTED)
            .finish()
    }
}

impl Basic {
    /// Checks the credentials: both present, the username non-empty, with no `:` or
    /// control character (HTTP Basic cannot carry them).
    pub(crate) fn new(
        username: Option<String>,
        password: Option<SecretString>,
    ) -> Result<Basic, Error> {
        let username =
            username.ok_or_else(|| Error::invalid("username", "credentials are required"))?;
        if username.is_empty() {
            return Err(Error::invalid("username", "must not be empty"));
        }
        if username.contains(':') || username.chars().any(char::is_control) {
            return Err(Error::invalid(
                "username",
                "HTTP Basic cannot carry `:` or control characters in a username",
            ));
        }
        let password =
            password.ok_or_else(|| Error::invalid("password", "credentials are required"))?;
        Ok(Basic { username, password })
    }

    /// Registers the password, and the Basic credential it travels in, as secrets of the
    /// engine: a bank that echoes either back never makes an error print it.
    pub(crate) fn register(&self, engine: EngineBuilder) -> EngineBuilder {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.username,
            self.password.expose_secret()
        ));
        engine.secret(self.password.expose_secret()).secret(&basic)
    }

    /// Adds the `Authorization: Basic ...` header to `req`.
    pub(crate) fn apply(&self, req: Request) -> Request {
        req.basic_auth(&self.username, &self.password)
    }

    /// The username (not a secret).
    pub(crate) fn username(&self) -> &str {
        &self.username
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_credentials_name_their_field_and_the_password_never_prints() {
        let field = |u: Option<&str>, p: Option<&str>| {
            Basic::new(
                u.map(str::to_owned),
                p.map(|p| SecretString::from(p.to_owned())),
            )
            .err()
            .and_then(|e| e.field().map(str::to_owned))
        };
        assert_eq!(field(None, Some("p")).as_deref(), Some("username"));
        assert_eq!(field(Some(""), Some("p")).as_deref(), Some("username"));
        assert_eq!(field(Some("a:b"), Some("p")).as_deref(), Some("username"));
        assert_eq!(field(Some("a\nb"), Some("p")).as_deref(), Some("username"));
        assert_eq!(field(Some("gray"), None).as_deref(), Some("password"));
        let basic =
            Basic::new(Some("gray".into()), Some("p@ssw0rd".to_owned().into())).expect("valid");
        assert!(!format!("{basic:?}").contains("p@ssw0rd"));
        assert_eq!(basic.username(), "gray");
    }
}
