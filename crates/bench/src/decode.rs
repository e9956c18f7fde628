//! Typed decode of large answers: each crate's own answer reading (the client's call on a
//! [`CannedTransport`], so exactly the code a real answer goes through after the
//! transport) against serde_json into the plain structs of [`crate::plain`].

use std::sync::Arc;

use requisite_uz::time::{Date, Month};

use crate::calls;
use crate::canned::CannedTransport;
use crate::payloads;
use crate::plain;

/// The large answers measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// A requisite-uz statement of 50,000 rows.
    Statement,
    /// An mserver `list-services` answer of 5,000 services.
    Services,
    /// An exchanger `get_exchanges` answer of 5,000 bids.
    Exchanges,
}

impl Payload {
    /// Every payload, in table order.
    pub const ALL: [Payload; 3] = [Payload::Statement, Payload::Services, Payload::Exchanges];

    /// The table's name.
    ///
    /// ```
    /// assert!(kassa_bench::decode::Payload::Statement.label().contains("50,000"));
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Payload::Statement => "requisite-uz statement, 50,000 rows",
            Payload::Services => "mserver list-services, 5,000 services",
            Payload::Exchanges => "exchanger get_exchanges, 5,000 bids",
        }
    }

    /// A short name (command lines, bench ids).
    ///
    /// ```
    /// assert_eq!(kassa_bench::decode::Payload::from_name("services"), Some(kassa_bench::decode::Payload::Services));
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Payload::Statement => "statement",
            Payload::Services => "services",
            Payload::Exchanges => "exchanges",
        }
    }

    /// The payload named `name`.
    ///
    /// ```
    /// assert_eq!(kassa_bench::decode::Payload::from_name("nope"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Payload> {
        Payload::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The path the payload answers.
    ///
    /// ```
    /// assert_eq!(kassa_bench::decode::Payload::Services.path(), "/services");
    /// ```
    pub fn path(self) -> &'static str {
        match self {
            Payload::Statement => "/api/v2/account/payments",
            Payload::Services => "/services",
            Payload::Exchanges => "/api/userapi/v1/get_exchanges",
        }
    }

    /// The number of rows the table measures.
    ///
    /// ```
    /// assert_eq!(kassa_bench::decode::Payload::Statement.rows(), 50_000);
    /// ```
    pub fn rows(self) -> usize {
        match self {
            Payload::Statement => 50_000,
            Payload::Services | Payload::Exchanges => 5_000,
        }
    }

    /// The answer body with `rows` rows.
    ///
    /// ```
    /// assert!(!kassa_bench::decode::Payload::Exchanges.build(2).is_empty());
    /// ```
    pub fn build(self, rows: usize) -> Vec<u8> {
        match self {
            Payload::Statement => payloads::statement(rows),
            Payload::Services => payloads::services(rows),
            Payload::Exchanges => payloads::exchanges(rows),
        }
    }
}

#[derive(Debug)]
enum Client {
    Requisite(Box<requisite_uz::Client>),
    Mserver(mserver::Client),
    Exchanger(exchanger::Client),
}

/// A kassa client of one payload's provider on a [`CannedTransport`].
#[derive(Debug)]
pub struct KassaDecoder {
    transport: Option<Arc<CannedTransport>>,
    client: Client,
}

const NOWHERE: &str = "http://127.0.0.1:9";

impl KassaDecoder {
    /// The decoder of `payload`.
    ///
    /// ```
    /// let _ = kassa_bench::decode::KassaDecoder::new(kassa_bench::decode::Payload::Services);
    /// ```
    pub fn new(payload: Payload) -> KassaDecoder {
        let transport = Arc::new(CannedTransport::default());
        let t: Arc<dyn kassa_core::Transport> = transport.clone();
        let client = match payload {
            Payload::Statement => {
                Client::Requisite(Box::new(calls::requisite_client(NOWHERE, Some(t))))
            }
            Payload::Services => Client::Mserver(calls::mserver_wallet_client(NOWHERE, Some(t))),
            Payload::Exchanges => Client::Exchanger(calls::exchanger_client(NOWHERE, Some(t))),
        };
        KassaDecoder {
            transport: Some(transport),
            client,
        }
    }

    /// The client of `payload` with its default transport, on the server at `uri` (for
    /// the whole call, the transport's reading of the body included).
    ///
    /// ```
    /// use kassa_bench::decode::{KassaDecoder, Payload};
    /// let _ = KassaDecoder::on(Payload::Statement, "http://127.0.0.1:1");
    /// ```
    pub fn on(payload: Payload, uri: &str) -> KassaDecoder {
        let client = match payload {
            Payload::Statement => Client::Requisite(Box::new(calls::requisite_client(uri, None))),
            Payload::Services => Client::Mserver(calls::mserver_wallet_client(uri, None)),
            Payload::Exchanges => Client::Exchanger(calls::exchanger_client(uri, None)),
        };
        KassaDecoder {
            transport: None,
            client,
        }
    }

    /// Loads the body the next [`decode`](Self::decode) reads (moved, not copied).
    ///
    /// ```
    /// let d = kassa_bench::decode::KassaDecoder::new(kassa_bench::decode::Payload::Services);
    /// d.load(kassa_bench::payloads::services(2));
    /// ```
    pub fn load(&self, body: Vec<u8>) {
        if let Some(t) = &self.transport {
            t.load(body);
        }
    }

    /// Reads the loaded body through the client's call; the number of rows read and the
    /// typed answer (kept alive by the caller to measure what it holds).
    ///
    /// ```no_run
    /// # async fn run() {
    /// use kassa_bench::decode::{KassaDecoder, Payload};
    /// let d = KassaDecoder::new(Payload::Exchanges);
    /// d.load(Payload::Exchanges.build(10));
    /// assert_eq!(d.decode().await.expect("reads").0, 10);
    /// # }
    /// ```
    pub async fn decode(&self) -> Result<(usize, Box<dyn std::any::Any>), kassa_core::Error> {
        Ok(match &self.client {
            Client::Requisite(c) => {
                let from = Date::from_calendar_date(2023, Month::January, 1).expect("a date");
                let to = Date::from_calendar_date(2023, Month::February, 21).expect("a date");
                let req =
                    requisite_uz::StatementRequest::new(requisite_uz::ServiceId(27), from, to);
                let rows = c.statement(&req).await?;
                (rows.len(), Box::new(rows))
            }
            Client::Mserver(c) => {
                let req = mserver::ListServicesRequest {
                    page: None,
                    size: None,
                    modified_since: None,
                };
                let n = match c.list_services(&req).await? {
                    mserver::Conditional::Modified(a) => {
                        let n = a.data.len();
                        return Ok((n, Box::new(a)));
                    }
                    mserver::Conditional::NotModified => 0,
                };
                (n, Box::new(()))
            }
            Client::Exchanger(c) => {
                let found = c
                    .get_exchanges(&exchanger::ExchangesRequest::default())
                    .await?;
                (found.items.len(), Box::new(found))
            }
        })
    }
}

/// Decodes `body` by hand: serde_json into the plain structs; the number of rows read and
/// the decoded value.
///
/// ```
/// use kassa_bench::decode::{plain_decode, Payload};
/// let body = Payload::Statement.build(4);
/// assert_eq!(plain_decode(Payload::Statement, &body)?.0, 4);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn plain_decode(
    payload: Payload,
    body: &[u8],
) -> Result<(usize, Box<dyn std::any::Any>), serde_json::Error> {
    Ok(match payload {
        Payload::Statement => {
            let a: plain::RequisiteEnvelope<Vec<plain::StatementRow>> =
                serde_json::from_slice(body)?;
            (a.data.len(), Box::new(a))
        }
        Payload::Services => {
            let a: plain::MserverAnswer<Vec<plain::MserverService>, plain::ServicesMeta> =
                serde_json::from_slice(body)?;
            (a.data.len(), Box::new(a))
        }
        Payload::Exchanges => {
            let a: plain::ExchangerAnswer<plain::ExchangerItems> = serde_json::from_slice(body)?;
            (a.data.items.len(), Box::new(a))
        }
    })
}

/// The whole call by hand on the server at `uri`: the request sent with `http`, the body
/// read whole by reqwest and decoded by [`plain_decode`].
///
/// ```no_run
/// # async fn run() {
/// use kassa_bench::decode::{plain_call, Payload};
/// let rows = plain_call(Payload::Services, &reqwest::Client::new(), "http://127.0.0.1:1").await;
/// # }
/// ```
pub async fn plain_call(
    payload: Payload,
    http: &reqwest::Client,
    uri: &str,
) -> Result<(usize, Box<dyn std::any::Any>), calls::PlainError> {
    use calls::creds::*;
    let url = format!("{uri}{}", payload.path());
    let req = match payload {
        Payload::Statement => http
            .post(url)
            .basic_auth(REQUISITE_USER, Some(REQUISITE_PASSWORD))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(
                r#"{"type":"0","lastId":0,"fromDate":"2023-01-01","toDate":"2023-02-21","serviceId":27}"#,
            ),
        Payload::Services => http
            .get(url)
            .basic_auth(MSERVER_PHONE, Some(MSERVER_PASSWORD)),
        Payload::Exchanges => http
            .post(url)
            .header("api-login", EXCHANGER_LOGIN)
            .header("api-key", EXCHANGER_KEY)
            .form(&[("limit", "10000")]),
    };
    let body = req.send().await?.error_for_status()?.bytes().await?;
    Ok(plain_decode(payload, &body)?)
}
