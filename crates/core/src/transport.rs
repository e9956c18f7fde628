//! The [`Transport`] trait that sends a [`Request`], and [`ReqwestTransport`], the default.
//!
//! ```no_run
//! use kassa_core::{ReqwestTransport, Timeouts};
//! let transport = ReqwestTransport::new(&Timeouts::default())?;
//! # Ok::<(), kassa_core::Error>(())
//! ```

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{BoxError, Error, Sent};
use crate::request::{Body, Method, Request, Response, Timeouts};

/// Why a transport could not deliver a request or read its answer.
#[derive(Debug)]
pub struct TransportError {
    /// Whether the request may have reached the server.
    pub sent: Sent,
    /// True when the failure was a timeout.
    pub timeout: bool,
    /// The cause, with any URL removed.
    pub source: BoxError,
}

impl TransportError {
    /// A failure before anything left (connection refused, DNS, TLS handshake).
    ///
    /// ```
    /// let e = kassa_core::TransportError::not_sent(std::io::Error::other("refused"));
    /// assert_eq!(e.sent, kassa_core::Sent::No);
    /// ```
    pub fn not_sent(source: impl Into<BoxError>) -> TransportError {
        TransportError {
            sent: Sent::No,
            timeout: false,
            source: source.into(),
        }
    }

    /// A failure after the request may have left (reset, unreadable answer).
    ///
    /// ```
    /// let e = kassa_core::TransportError::maybe_sent(std::io::Error::other("reset"));
    /// assert_eq!(e.sent, kassa_core::Sent::Maybe);
    /// ```
    pub fn maybe_sent(source: impl Into<BoxError>) -> TransportError {
        TransportError {
            sent: Sent::Maybe,
            timeout: false,
            source: source.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.source, self.sent)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Sends one attempt of a request. Retries, timeouts per attempt and deadlines are the
/// [`Engine`](crate::Engine)'s job; a transport only delivers and reads.
///
/// Implement it to route kassa through another HTTP stack or an in-memory fake:
///
/// ```
/// use async_trait::async_trait;
/// use kassa_core::{Request, Response, Transport, TransportError};
///
/// #[derive(Debug)]
/// struct AlwaysOk;
///
/// #[async_trait]
/// impl Transport for AlwaysOk {
///     async fn send(&self, _base: &str, _req: &Request) -> Result<Response, TransportError> {
///         Ok(Response { status: 200, headers: vec![], body: b"{}".to_vec() })
///     }
/// }
/// ```
#[async_trait]
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends `req` to `base_url` + `req.path` and reads the whole answer.
    async fn send(&self, base_url: &str, req: &Request) -> Result<Response, TransportError>;
}

/// The default transport: reqwest with rustls (no OpenSSL), no redirects, no proxies from
/// the environment unless asked, and the connect timeout from [`Timeouts`].
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReqwestTransport")
    }
}

impl ReqwestTransport {
    /// Builds a transport with the connect timeout of `timeouts`.
    ///
    /// ```
    /// let t = kassa_core::ReqwestTransport::new(&kassa_core::Timeouts::default());
    /// assert!(t.is_ok());
    /// ```
    pub fn new(timeouts: &Timeouts) -> Result<ReqwestTransport, Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kassa/", env!("CARGO_PKG_VERSION")));
        if let Some(connect) = timeouts.connect {
            builder = builder.connect_timeout(connect);
        }
        let client = builder.build().map_err(|e| Error::Transport {
            provider: "kassa",
            operation: "build-transport",
            sent: Sent::No,
            source: Box::new(e.without_url()),
        })?;
        Ok(ReqwestTransport { client })
    }

    /// Wraps a reqwest client configured by the caller (proxies, root certificates, pools).
    /// Turn redirects off on it: a redirect would resend the request.
    ///
    /// ```
    /// let t = kassa_core::ReqwestTransport::from_client(reqwest::Client::new());
    /// ```
    pub fn from_client(client: reqwest::Client) -> ReqwestTransport {
        ReqwestTransport { client }
    }
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// Encodes a multipart/form-data body by hand (small, bounded, no streaming needed).
fn multipart(parts: &[crate::request::Part]) -> (String, Vec<u8>) {
    let boundary = format!("kassa-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let name = p.name.replace('"', "%22");
        match &p.file_name {
            Some(file) => out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n",
                    file.replace('"', "%22")
                )
                .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
            ),
        }
        out.extend_from_slice(format!("Content-Type: {}\r\n\r\n", p.content_type).as_bytes());
        out.extend_from_slice(&p.data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

fn classify(e: reqwest::Error, reading_body: bool) -> TransportError {
    let timeout = e.is_timeout();
    // A connect error (refused, DNS, TLS handshake, connect timeout) means the request
    // never left. Anything after that may have reached the server.
    let sent = if e.is_connect() && !reading_body {
        Sent::No
    } else {
        Sent::Maybe
    };
    TransportError {
        sent,
        timeout,
        source: Box::new(e.without_url()),
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, base_url: &str, req: &Request) -> Result<Response, TransportError> {
        let url = format!("{}{}", base_url.trim_end_matches('/'), req.path);
        let url = reqwest::Url::parse(&url).map_err(|e| {
            TransportError::not_sent(std::io::Error::other(format!("bad URL: {e}")))
        })?;
        let mut builder = self.client.request(method(req.method), url);
        if !req.query.is_empty() {
            let pairs: Vec<(&str, &str)> = req
                .query
                .iter()
                .map(|(k, v)| (k.as_str(), v.expose()))
                .collect();
            builder = builder.query(&pairs);
        }
        for (name, value) in &req.headers {
            let mut hv = reqwest::header::HeaderValue::from_str(value.expose()).map_err(|_| {
                TransportError::not_sent(std::io::Error::other(format!(
                    "header `{name}` holds characters HTTP does not allow"
                )))
            })?;
            hv.set_sensitive(value.is_secret());
            builder = builder.header(name.as_str(), hv);
        }
        builder = match &req.body {
            Body::None => builder,
            Body::Json(bytes) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Form(fields) => {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.expose()))
                    .collect();
                builder.form(&pairs)
            }
            Body::Multipart(parts) => {
                let (content_type, body) = multipart(parts);
                builder
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(body)
            }
        };
        let resp = builder.send().await.map_err(|e| classify(e, false))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp.bytes().await.map_err(|e| classify(e, true))?;
        Ok(Response {
            status,
            headers,
            body: body.to_vec(),
        })
    }
}

/// Parses `Retry-After` given in seconds (the HTTP-date form is ignored).
pub(crate) fn retry_after(resp: &Response) -> Option<Duration> {
    resp.header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}
