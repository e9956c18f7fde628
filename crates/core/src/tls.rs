//! TLS settings for the default transport: a bank's private certificate authority, a client
//! certificate for mutual TLS, and which built-in roots to trust, all from PEM bytes, so an
//! application sets them without depending on the HTTP library.
//!
//! ```
//! use kassa_core::{Engine, Tls};
//! # let (ca_pem, identity_pem): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
//! let tls = Tls::new()
//!     .add_root_pem(ca_pem)           // the bank's CA, PEM (one or more certificates)
//!     .identity_pem(identity_pem)     // our certificate chain and private key, PEM
//!     .only_added_roots();            // trust the bank's CA only
//! let built = Engine::builder("anor-bm", "https://bank.example").tls(tls).build();
//! // empty PEM is refused, naming the field:
//! assert_eq!(built.unwrap_err().field(), Some("tls.root_pem"));
//! ```

use std::fmt;

use secrecy::{ExposeSecret, SecretSlice};

use crate::error::Error;

/// TLS settings applied by [`ReqwestTransport`](crate::ReqwestTransport) when it is built.
///
/// By default the built-in Mozilla roots are trusted and no client certificate is sent.
/// The PEM is checked when the transport is built; a bad one is
/// [`Error::InvalidInput`] naming `tls.root_pem` or `tls.identity_pem`.
///
/// `Debug` shows how many roots are added and whether an identity is set, never the key.
///
/// ```
/// let tls = kassa_core::Tls::new().identity_pem(b"-----BEGIN PRIVATE KEY-----...".to_vec());
/// assert!(!format!("{tls:?}").contains("PRIVATE"));
/// ```
#[derive(Clone, Default)]
pub struct Tls {
    pub(crate) roots: Vec<Vec<u8>>,
    pub(crate) identity: Option<SecretSlice<u8>>,
    pub(crate) only_added_roots: bool,
    pub(crate) native_roots: bool,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("added_roots", &self.roots.len())
            .field(
                "identity",
                &self.identity.as_ref().map(|_| crate::secret::REDACTED),
            )
            .field("only_added_roots", &self.only_added_roots)
            .field("native_roots", &self.native_roots)
            .finish()
    }
}

impl Tls {
    /// The default: built-in roots, no client certificate.
    ///
    /// ```
    /// assert!(format!("{:?}", kassa_core::Tls::new()).contains("added_roots: 0"));
    /// ```
    pub fn new() -> Tls {
        Tls::default()
    }

    /// Trusts the certificate authorities in `pem` (one or more `CERTIFICATE` blocks), e.g.
    /// a bank's private CA. Can be called more than once.
    ///
    /// ```
    /// let tls = kassa_core::Tls::new().add_root_pem(b"...".to_vec());
    /// assert!(format!("{tls:?}").contains("added_roots: 1"));
    /// ```
    pub fn add_root_pem(mut self, pem: impl Into<Vec<u8>>) -> Tls {
        self.roots.push(pem.into());
        self
    }

    /// Sends a client certificate (mutual TLS): `pem` holds the certificate chain and the
    /// private key (PKCS#8, PKCS#1 or SEC1), in any order. Kept secret in memory.
    ///
    /// ```
    /// let tls = kassa_core::Tls::new().identity_pem(b"...".to_vec());
    /// assert!(format!("{tls:?}").contains("[REDACTED]"));
    /// ```
    pub fn identity_pem(mut self, pem: impl Into<Vec<u8>>) -> Tls {
        self.identity = Some(SecretSlice::from(pem.into()));
        self
    }

    /// Trusts only the roots added with [`Tls::add_root_pem`] (and the system's, when
    /// `Tls::native_roots` is on), not the built-in public ones.
    ///
    /// ```
    /// let tls = kassa_core::Tls::new().only_added_roots();
    /// assert!(format!("{tls:?}").contains("only_added_roots: true"));
    /// ```
    pub fn only_added_roots(mut self) -> Tls {
        self.only_added_roots = true;
        self
    }

    /// Also trusts the operating system's certificate store (needs the `native-roots`
    /// feature of kassa-core, forwarded by each provider crate).
    ///
    /// ```
    /// let tls = kassa_core::Tls::new().native_roots(true);
    /// assert!(format!("{tls:?}").contains("native_roots: true"));
    /// ```
    #[cfg(feature = "native-roots")]
    pub fn native_roots(mut self, on: bool) -> Tls {
        self.native_roots = on;
        self
    }

    /// Applies the settings to a reqwest client builder, checking every PEM.
    pub(crate) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, Error> {
        for pem in &self.roots {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::invalid(
                    "tls.root_pem",
                    format!("not a PEM certificate bundle: {}", e.without_url()),
                )
            })?;
            if certs.is_empty() {
                return Err(Error::invalid(
                    "tls.root_pem",
                    "holds no `-----BEGIN CERTIFICATE-----` block",
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(identity) = &self.identity {
            let id = reqwest::Identity::from_pem(identity.expose_secret()).map_err(|_| {
                Error::invalid(
                    "tls.identity_pem",
                    "needs a PEM certificate chain and its private key \
                     (PKCS#8, PKCS#1 or SEC1); none could be read",
                )
            })?;
            builder = builder.identity(id);
        }
        if self.only_added_roots {
            builder = builder.tls_built_in_root_certs(false);
        }
        #[cfg(feature = "native-roots")]
        {
            builder = builder.tls_built_in_native_certs(self.native_roots);
        }
        Ok(builder)
    }
}
