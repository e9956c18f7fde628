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
use crate::tls::Tls;

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

/// The default cap on an answer's size: 32 MiB.
///
/// The largest answers of the supported APIs are statement pages (requisite-uz), a few
/// hundred bytes a row: 32 MiB holds tens of thousands of rows, far above a real page, and
/// stays well within a small container's memory. Past the cap the call fails with
/// [`AnswerTooLarge`]; set another cap with `EngineBuilder::max_answer_bytes` or each
/// client builder's `max_answer_bytes`.
///
/// ```
/// assert_eq!(kassa_core::transport::DEFAULT_MAX_ANSWER_BYTES, 32 * 1024 * 1024);
/// ```
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// An answer larger than the transport's cap: reading stopped as soon as it passed it (or
/// before reading, when `Content-Length` declared more). The provider did receive the
/// request, so on an operation that moves money the engine makes this outcome-unknown.
///
/// ```
/// let e = kassa_core::transport::AnswerTooLarge { limit: 1024, declared: Some(4096) };
/// assert_eq!(e.to_string(), "the answer declares 4096 bytes, more than the 1024 allowed (max_answer_bytes)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerTooLarge {
    /// The cap, in bytes.
    pub limit: usize,
    /// The size the answer declared in `Content-Length`, when that was the reason.
    pub declared: Option<u64>,
}

impl fmt::Display for AnswerTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.declared {
            Some(n) => write!(
                f,
                "the answer declares {n} bytes, more than the {} allowed (max_answer_bytes)",
                self.limit
            ),
            None => write!(
                f,
                "the answer is larger than the {} bytes allowed (max_answer_bytes); reading stopped",
                self.limit
            ),
        }
    }
}

impl std::error::Error for AnswerTooLarge {}

/// A transport failure told in words: what failed and where (the host, never the user,
/// password or query of the URL).
#[derive(Debug)]
struct Cause(String);

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

/// Formats a duration for people: `1 s`, `1.5 s`, `250 ms`.
///
/// ```
/// use std::time::Duration;
/// use kassa_core::transport::human_duration;
/// assert_eq!(human_duration(Duration::from_secs(1)), "1 s");
/// assert_eq!(human_duration(Duration::from_millis(1500)), "1.5 s");
/// assert_eq!(human_duration(Duration::from_millis(250)), "250 ms");
/// ```
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        let text = format!("{:.3}", d.as_secs_f64());
        format!("{} s", text.trim_end_matches('0'))
    }
}

/// The default transport: reqwest with rustls (no OpenSSL), no redirects, no proxies from
/// the environment unless asked, the connect timeout from [`Timeouts`], the TLS settings
/// of a [`Tls`], and answers capped at [`DEFAULT_MAX_ANSWER_BYTES`] unless told otherwise.
/// The answer is read in chunks and reading stops as soon as it passes the cap.
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_answer_bytes: usize,
    connect_timeout: Option<Duration>,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("max_answer_bytes", &self.max_answer_bytes)
            .finish_non_exhaustive()
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
        ReqwestTransport::configured(timeouts, &Tls::default(), DEFAULT_MAX_ANSWER_BYTES)
    }

    /// Builds a transport with the connect timeout of `timeouts`, the TLS settings of `tls`
    /// and a cap on an answer's size. A bad PEM in `tls` is [`Error::InvalidInput`].
    ///
    /// ```
    /// use kassa_core::{ReqwestTransport, Timeouts, Tls};
    /// let t = ReqwestTransport::configured(&Timeouts::default(), &Tls::new(), 1 << 20)?;
    /// let err = ReqwestTransport::configured(&Timeouts::default(), &Tls::new().add_root_pem(b"x".to_vec()), 1 << 20)
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("tls.root_pem"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn configured(
        timeouts: &Timeouts,
        tls: &Tls,
        max_answer_bytes: usize,
    ) -> Result<ReqwestTransport, Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kassa/", env!("CARGO_PKG_VERSION")));
        if let Some(connect) = timeouts.connect {
            builder = builder.connect_timeout(connect);
        }
        builder = tls.apply(builder)?;
        let client = builder.build().map_err(|e| {
            if tls.identity.is_some() || !tls.roots.is_empty() {
                Error::invalid(
                    "tls",
                    format!("the TLS settings were refused: {}", error_chain(&e)),
                )
            } else {
                Error::Transport {
                    provider: "kassa",
                    operation: "build-transport",
                    sent: Sent::No,
                    source: Box::new(e.without_url()),
                }
            }
        })?;
        Ok(ReqwestTransport {
            client,
            max_answer_bytes,
            connect_timeout: timeouts.connect,
        })
    }

    /// Wraps a reqwest client configured by the caller (proxies, root certificates, pools).
    /// Turn redirects off on it: a redirect would resend the request. Answers are capped at
    /// [`DEFAULT_MAX_ANSWER_BYTES`]; see [`ReqwestTransport::max_answer_bytes`].
    ///
    /// ```
    /// let t = kassa_core::ReqwestTransport::from_client(reqwest::Client::new());
    /// ```
    pub fn from_client(client: reqwest::Client) -> ReqwestTransport {
        ReqwestTransport {
            client,
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
            connect_timeout: None,
        }
    }

    /// Sets the cap on an answer's size, in bytes.
    ///
    /// ```
    /// let t = kassa_core::ReqwestTransport::from_client(reqwest::Client::new()).max_answer_bytes(1 << 20);
    /// assert!(format!("{t:?}").contains("1048576"));
    /// ```
    pub fn max_answer_bytes(mut self, limit: usize) -> ReqwestTransport {
        self.max_answer_bytes = limit;
        self
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

/// Every message of an error's chain, outermost first, joined by `: ` (repeats dropped).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    crate::secret::redact_text(&parts.join(": "))
}

/// The io::Error at the bottom of a chain, if any.
fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut kind = None;
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            kind = Some(io.kind());
        }
        cur = err.source();
    }
    kind
}

/// Whether an error chain (lower case) holds a TLS alert by which a server refuses the
/// client's certificate during the handshake (rustls names alerts `received fatal alert:
/// CertificateRequired` and so on).
fn refused_client_certificate(lower: &str) -> bool {
    const ALERTS: [&str; 7] = [
        "certificaterequired",
        "badcertificate",
        "unsupportedcertificate",
        "certificaterevoked",
        "certificateexpired",
        "certificateunknown",
        "unknownca",
    ];
    lower
        .split("received fatal alert: ")
        .skip(1)
        .any(|rest| ALERTS.iter().any(|a| rest.starts_with(a)))
}

/// A URL naming no host, for a message when the base URL itself cannot be read (it was
/// read once already to send the request, so this is not expected).
fn url_of_nothing() -> reqwest::Url {
    reqwest::Url::parse("http://unknown").expect("a valid URL")
}

/// Where a request went, for messages: `host:port`, never user, password or query.
fn place(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

impl ReqwestTransport {
    fn classify(
        &self,
        e: reqwest::Error,
        reading_body: bool,
        url: &reqwest::Url,
    ) -> TransportError {
        let timeout = e.is_timeout();
        // A connect error (refused, DNS, TLS handshake, connect timeout) means the request
        // never left. Anything after that may have reached the server.
        let connect = e.is_connect() && !reading_body;
        let e = e.without_url();
        let chain = error_chain(&e);
        let lower = chain.to_ascii_lowercase();
        // With TLS 1.3 our side of the handshake ends before the server has checked our
        // client certificate, so its refusal arrives as an alert on the first read, after
        // the request was written into the tunnel. A server never takes application data
        // on a handshake it refused: nothing was sent.
        let refused_cert = !connect && !reading_body && refused_client_certificate(&lower);
        let sent = if connect || refused_cert {
            Sent::No
        } else {
            Sent::Maybe
        };
        let host = url.host_str().unwrap_or("?");
        let at = place(url);
        let text = if connect && (lower.contains("dns error") || lower.contains("lookup")) {
            format!("DNS lookup of {host} failed ({chain})")
        } else if connect && io_kind(&e) == Some(std::io::ErrorKind::ConnectionRefused) {
            format!("connection refused by {at}")
        } else if connect && timeout {
            match self.connect_timeout {
                Some(d) => format!("connecting to {at} timed out after {}", human_duration(d)),
                None => format!("connecting to {at} timed out"),
            }
        } else if connect
            && (lower.contains("certificate")
                || lower.contains("tls")
                || lower.contains("handshake"))
        {
            format!("TLS handshake with {at} failed: {chain}")
        } else if refused_cert {
            format!(
                "TLS handshake with {at} failed: the server refused our client certificate ({chain})"
            )
        } else if connect {
            format!("cannot connect to {at}: {chain}")
        } else if timeout {
            format!("timed out waiting for {at}: {chain}")
        } else if reading_body {
            format!("reading the answer from {at} failed: {chain}")
        } else {
            format!("the exchange with {at} failed: {chain}")
        };
        TransportError {
            sent,
            timeout,
            source: Box::new(Cause(text)),
        }
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, base_url: &str, req: &Request) -> Result<Response, TransportError> {
        let url = format!("{}{}", base_url.trim_end_matches('/'), req.path);
        let url = reqwest::Url::parse(&url).map_err(|e| {
            TransportError::not_sent(std::io::Error::other(format!("bad URL: {e}")))
        })?;
        // Where it went, for an error's message: read from the URL only when one is made.
        let at = || reqwest::Url::parse(base_url).unwrap_or_else(|_| url_of_nothing());
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
        let mut resp = builder
            .send()
            .await
            .map_err(|e| self.classify(e, false, &at()))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = match v.to_str() {
                    Ok(text) => text.to_owned(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
                };
                (k.as_str().to_owned(), value)
            })
            .collect();
        let limit = self.max_answer_bytes;
        let too_large = |declared| TransportError::maybe_sent(AnswerTooLarge { limit, declared });
        let declared = resp.content_length();
        if let Some(n) = declared
            && n > limit as u64
        {
            return Err(too_large(Some(n)));
        }
        // Read in chunks; stop as soon as the answer passes the cap.
        let hint = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
        let mut body = Vec::with_capacity(hint);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.classify(e, true, &at()))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large(None));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// Parses `Retry-After`, in seconds or as an HTTP date (a date in the past is no wait);
/// `now` is the engine's clock.
pub(crate) fn retry_after(resp: &Response, now: std::time::SystemTime) -> Option<Duration> {
    let value = resp.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::refused_client_certificate;

    #[test]
    fn only_certificate_alerts_mean_a_refused_handshake() {
        let refused =
            "error sending request: connection error: received fatal alert: certificaterequired";
        assert!(refused_client_certificate(refused));
        assert!(refused_client_certificate(
            "received fatal alert: unknownca"
        ));
        assert!(!refused_client_certificate(
            "received fatal alert: decodeerror"
        ));
        assert!(!refused_client_certificate("connection reset by peer"));
        assert!(!refused_client_certificate(
            "badcertificate without an alert"
        ));
    }
}
