//! One read operation per provider, through the kassa client ([`Kassa`]) and by hand
//! ([`Plain`]): the same request to the same server, the answer read into a typed value.

use std::error::Error as StdError;
use std::hint::black_box;

use crate::plain;

/// The providers, each with the read operation measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// anor-bm `status`.
    AnorBm,
    /// requisite-uz `payment-status`.
    RequisiteUz,
    /// mobilnik `check-payment`.
    Mobilnik,
    /// mserver `get-payment`.
    Mserver,
    /// exchanger `bid-info`.
    Exchanger,
}

impl Provider {
    /// Every provider, in table order.
    pub const ALL: [Provider; 5] = [
        Provider::AnorBm,
        Provider::RequisiteUz,
        Provider::Mobilnik,
        Provider::Mserver,
        Provider::Exchanger,
    ];

    /// `provider operation`, as the table names it.
    ///
    /// ```
    /// assert_eq!(kassa_bench::calls::Provider::AnorBm.label(), "anor-bm status");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Provider::AnorBm => "anor-bm status",
            Provider::RequisiteUz => "requisite-uz payment-status",
            Provider::Mobilnik => "mobilnik check-payment",
            Provider::Mserver => "mserver get-payment",
            Provider::Exchanger => "exchanger bid-info",
        }
    }
}

/// The fixtures' credentials.
pub mod creds {
    /// anor-bm user.
    pub const ANOR_USER: &str = "test-user";
    /// anor-bm password.
    pub const ANOR_PASSWORD: &str = "test-password";
    /// The token the anor-bm and mobilnik login fixtures give.
    pub const TOKEN: &str = "test-token";
    /// requisite-uz user.
    pub const REQUISITE_USER: &str = "test-user";
    /// requisite-uz password.
    pub const REQUISITE_PASSWORD: &str = "test-password";
    /// mobilnik device id.
    pub const MOBILNIK_DEVICE_ID: &str = "test-device-id";
    /// mobilnik login.
    pub const MOBILNIK_LOGIN: &str = "test";
    /// mobilnik password.
    pub const MOBILNIK_PASSWORD: &str = "test-password";
    /// mobilnik device name.
    pub const MOBILNIK_DEVICE: &str = "kassa-test";
    /// mserver wallet phone.
    pub const MSERVER_PHONE: &str = "+79261111111";
    /// mserver wallet password.
    pub const MSERVER_PASSWORD: &str = "test-password";
    /// mserver application client id.
    pub const MSERVER_CLIENT_ID: &str = "test-client-id";
    /// mserver application client secret.
    pub const MSERVER_CLIENT_SECRET: &str = "test-client-secret";
    /// exchanger API login.
    pub const EXCHANGER_LOGIN: &str = "test-login";
    /// exchanger API key.
    pub const EXCHANGER_KEY: &str = "test-key";
}

/// The five kassa clients, built as a user would (default transport, retries and
/// timeouts), pointed at one server.
#[derive(Debug, Clone)]
pub struct Kassa {
    /// anor-bm.
    pub anor: anor_bm::Client,
    /// requisite-uz.
    pub requisite: requisite_uz::Client,
    /// mobilnik.
    pub mobilnik: mobilnik::Client,
    /// mserver, with wallet credentials.
    pub mserver: mserver::Client,
    /// exchanger.
    pub exchanger: exchanger::Client,
}

/// An anor-bm client on `uri`, the fixtures' credentials.
///
/// ```
/// let c = kassa_bench::calls::anor_client("http://127.0.0.1:1");
/// assert_eq!(c.token_fetches(), 0);
/// ```
pub fn anor_client(uri: &str) -> anor_bm::Client {
    anor_bm::Client::builder(uri, creds::ANOR_USER, creds::ANOR_PASSWORD)
        .build()
        .expect("the anor-bm client builds")
}

/// An mserver client with application credentials on `uri` (its token at
/// `uri/oauth/token`).
///
/// ```
/// let c = kassa_bench::calls::mserver_app_client("http://127.0.0.1:1");
/// assert_eq!(c.token_fetches(), 0);
/// ```
pub fn mserver_app_client(uri: &str) -> mserver::Client {
    mserver::Client::builder()
        .base_url(uri)
        .token_url(format!("{uri}/oauth/token"))
        .application(
            creds::MSERVER_CLIENT_ID,
            creds::MSERVER_CLIENT_SECRET.into(),
        )
        .build()
        .expect("the mserver client builds")
}

/// A requisite-uz client on `uri`.
///
/// ```
/// let _ = kassa_bench::calls::requisite_client("http://127.0.0.1:1", None);
/// ```
pub fn requisite_client(
    uri: &str,
    transport: Option<std::sync::Arc<dyn kassa_core::Transport>>,
) -> requisite_uz::Client {
    let mut b = requisite_uz::Client::builder(uri)
        .credentials(creds::REQUISITE_USER, creds::REQUISITE_PASSWORD);
    if let Some(t) = transport {
        b = b.transport(t);
    }
    b.build().expect("the requisite-uz client builds")
}

/// An mserver client with wallet credentials on `uri`.
///
/// ```
/// let _ = kassa_bench::calls::mserver_wallet_client("http://127.0.0.1:1", None);
/// ```
pub fn mserver_wallet_client(
    uri: &str,
    transport: Option<std::sync::Arc<dyn kassa_core::Transport>>,
) -> mserver::Client {
    let mut b = mserver::Client::builder()
        .base_url(uri)
        .wallet(creds::MSERVER_PHONE, creds::MSERVER_PASSWORD.into())
        .expect("a valid phone");
    if let Some(t) = transport {
        b = b.transport(t);
    }
    b.build().expect("the mserver client builds")
}

/// An exchanger client on `uri`.
///
/// ```
/// let _ = kassa_bench::calls::exchanger_client("http://127.0.0.1:1", None);
/// ```
pub fn exchanger_client(
    uri: &str,
    transport: Option<std::sync::Arc<dyn kassa_core::Transport>>,
) -> exchanger::Client {
    let mut b = exchanger::Client::builder(uri)
        .login(creds::EXCHANGER_LOGIN)
        .key(creds::EXCHANGER_KEY);
    if let Some(t) = transport {
        b = b.transport(t);
    }
    b.build().expect("the exchanger client builds")
}

impl Kassa {
    /// The five clients on `uri`.
    ///
    /// ```
    /// let _ = kassa_bench::calls::Kassa::new("http://127.0.0.1:1");
    /// ```
    pub fn new(uri: &str) -> Kassa {
        let mobilnik = mobilnik::Client::builder()
            .base_url(uri)
            .login(creds::MOBILNIK_LOGIN)
            .password(kassa_core::secret::SecretString::from(
                creds::MOBILNIK_PASSWORD.to_owned(),
            ))
            .device_id(
                mobilnik::DeviceId::new(creds::MOBILNIK_DEVICE_ID).expect("a valid device id"),
            )
            .device_name(creds::MOBILNIK_DEVICE)
            .build()
            .expect("the mobilnik client builds");
        Kassa {
            anor: anor_client(uri),
            requisite: requisite_client(uri, None),
            mobilnik,
            mserver: mserver_wallet_client(uri, None),
            exchanger: exchanger_client(uri, None),
        }
    }

    /// One call of `p`'s read operation; the typed answer is passed to `black_box`.
    ///
    /// ```no_run
    /// # async fn run(k: kassa_bench::calls::Kassa) {
    /// k.call(kassa_bench::calls::Provider::Mobilnik).await.expect("answered");
    /// # }
    /// ```
    pub async fn call(&self, p: Provider) -> Result<(), kassa_core::Error> {
        match p {
            Provider::AnorBm => {
                black_box(self.anor.status(&anor_bm::StatusRequest::bill(777)).await?);
            }
            Provider::RequisiteUz => {
                let req = requisite_uz::PaymentStatusRequest {
                    order_id: "009445151277".into(),
                };
                black_box(self.requisite.payment_status(&req).await?);
            }
            Provider::Mobilnik => {
                let req = mobilnik::CheckPaymentRequest::new(mobilnik::OperationId(987654321));
                black_box(self.mobilnik.check_payment(&req).await?);
            }
            Provider::Mserver => {
                let req = mserver::GetPaymentRequest { id: 1401089237231 };
                black_box(self.mserver.get_payment(&req).await?);
            }
            Provider::Exchanger => {
                let req = exchanger::BidInfoRequest::id(exchanger::BidId(1350));
                black_box(self.exchanger.bid_info(&req).await?);
            }
        }
        Ok(())
    }
}

/// A boxed error of the hand-written side.
pub type PlainError = Box<dyn StdError + Send + Sync>;

/// The hand-written side: one shared `reqwest::Client`, the URL formatted per call, the
/// body read whole and decoded by serde_json into the structs of [`plain`]. It holds the
/// tokens the fixtures' logins give (a hand-written client logs in once, too).
#[derive(Debug, Clone)]
pub struct Plain {
    http: reqwest::Client,
    base: String,
}

impl Plain {
    /// A hand-written client of `uri`.
    ///
    /// ```
    /// let _ = kassa_bench::calls::Plain::new("http://127.0.0.1:1");
    /// ```
    pub fn new(uri: &str) -> Plain {
        Plain {
            http: reqwest::Client::new(),
            base: uri.to_owned(),
        }
    }

    /// One call of `p`'s read operation; the decoded struct is passed to `black_box`.
    ///
    /// ```no_run
    /// # async fn run(p: kassa_bench::calls::Plain) {
    /// p.call(kassa_bench::calls::Provider::Mobilnik).await.expect("answered");
    /// # }
    /// ```
    pub async fn call(&self, p: Provider) -> Result<(), PlainError> {
        use creds::*;
        let base = &self.base;
        let req = match p {
            Provider::AnorBm => self
                .http
                .post(format!("{base}/services/bmms/api/agent/status"))
                .bearer_auth(TOKEN)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&serde_json::json!({ "billId": 777 }))?),
            Provider::RequisiteUz => self
                .http
                .get(format!("{base}/api/v2/payment/009445151277"))
                .basic_auth(REQUISITE_USER, Some(REQUISITE_PASSWORD)),
            Provider::Mobilnik => self.http.get(format!("{base}/check_payment/")).query(&[
                ("id", MOBILNIK_DEVICE_ID),
                ("token", TOKEN),
                ("client", "4"),
                ("operation_id", "987654321"),
            ]),
            Provider::Mserver => self
                .http
                .get(format!("{base}/payments/1401089237231"))
                .basic_auth(MSERVER_PHONE, Some(MSERVER_PASSWORD)),
            Provider::Exchanger => self
                .http
                .post(format!("{base}/api/userapi/v1/bid_info"))
                .header("api-login", EXCHANGER_LOGIN)
                .header("api-key", EXCHANGER_KEY)
                .form(&[("id", "1350")]),
        };
        let body = req.send().await?.error_for_status()?.bytes().await?;
        match p {
            Provider::AnorBm => {
                black_box(serde_json::from_slice::<plain::AnorBill>(&body)?);
            }
            Provider::RequisiteUz => {
                black_box(serde_json::from_slice::<
                    plain::RequisiteEnvelope<plain::RequisitePaymentStatus>,
                >(&body)?);
            }
            Provider::Mobilnik => {
                black_box(serde_json::from_slice::<plain::MobilnikCheck>(&body)?);
            }
            Provider::Mserver => {
                black_box(serde_json::from_slice::<
                    plain::MserverAnswer<plain::MserverPayment>,
                >(&body)?);
            }
            Provider::Exchanger => {
                black_box(serde_json::from_slice::<
                    plain::ExchangerAnswer<plain::ExchangerBid>,
                >(&body)?);
            }
        }
        Ok(())
    }
}
