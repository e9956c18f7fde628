//! The catalogue and the requisite check: `service-list` (`/service_list/`) and
//! `check-requisite` (`/check_requisite/`). Both only read, so they are retried on
//! transient failures.

use kassa_core::lenient::{KeyedById, list_or_map_keyed};
use kassa_core::{Effect, Error, Operation, Param};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::PROVIDER;
use crate::answer::StatusField;
use crate::client::Client;
use crate::wire;

const SERVICE_LIST: Operation = Operation::new(PROVIDER, "service-list", Effect::Read);
const CHECK_REQUISITE: Operation = Operation::new(PROVIDER, "check-requisite", Effect::Read);

/// The answer of `service-list`: the services the agent can pay for, and their categories.
///
/// The document names the two arrays but not their fields. [`Service`] and [`Category`]
/// type the fields a known answer shows (`id`, `name`, `category_id`); every other field
/// stays reachable, untouched, in their `extra` maps. An array that arrives as an object
/// keyed by id is read too.
///
/// ```
/// let body = r#"{"status_code": 0,
///   "services": [{"id": 1, "name": "Beeline KG", "category_id": 1, "min_amount": "10"}],
///   "categories": {"1": {"name": "Мобильная связь"}}}"#;
/// let list: mobilnik::ServiceListResponse = serde_json::from_str(body)?;
/// assert_eq!(list.services[0].name.as_deref(), Some("Beeline KG"));
/// assert_eq!(list.services[0].extra["min_amount"], "10");
/// assert_eq!(list.categories[0].id, Some(1), "the key gives the id");
/// assert_eq!(list.services_in(1).count(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceListResponse {
    /// `services`: «Список услуг».
    #[serde(default, deserialize_with = "list_or_map_keyed")]
    pub services: Vec<Service>,
    /// `categories`: «Список категорий».
    #[serde(default, deserialize_with = "list_or_map_keyed")]
    pub categories: Vec<Category>,
}

impl ServiceListResponse {
    /// The service with this id.
    ///
    /// ```
    /// let list: mobilnik::ServiceListResponse =
    ///     serde_json::from_str(r#"{"services": [{"id": 3, "name": "Saima"}], "categories": []}"#)?;
    /// assert_eq!(list.service(3).and_then(|s| s.name.as_deref()), Some("Saima"));
    /// assert!(list.service(4).is_none());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn service(&self, id: u64) -> Option<&Service> {
        self.services.iter().find(|s| s.id == Some(id))
    }

    /// The services of one category.
    ///
    /// ```
    /// let list: mobilnik::ServiceListResponse = serde_json::from_str(
    ///     r#"{"services": [{"id": 1, "category_id": 2}, {"id": 2, "category_id": 3}]}"#)?;
    /// assert_eq!(list.services_in(3).map(|s| s.id).collect::<Vec<_>>(), vec![Some(2)]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn services_in(&self, category_id: u64) -> impl Iterator<Item = &Service> {
        self.services
            .iter()
            .filter(move |s| s.category_id == Some(category_id))
    }
}

/// One element of `services`. Its fields are not documented: `id`, `name` and
/// `category_id` are typed (and optional), the rest is kept as raw JSON in `extra`.
///
/// ```
/// let s: mobilnik::Service = serde_json::from_str(r#"{"id": "5", "name": "Saima", "logo": "/l.png"}"#)?;
/// assert_eq!(s.id, Some(5));
/// assert_eq!(s.extra["logo"], "/l.png");
/// assert_eq!(serde_json::to_string(&s)?, r#"{"id":5,"name":"Saima","category_id":null,"logo":"/l.png"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// `id`: the `service_id` to pass to check-requisite, payment and transfer-request.
    #[serde(default, deserialize_with = "wire::opt_u64")]
    pub id: Option<u64>,
    /// `name`: the service's name.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub name: Option<String>,
    /// `category_id`: the [`Category`] it belongs to.
    #[serde(default, deserialize_with = "wire::opt_u64")]
    pub category_id: Option<u64>,
    /// Every other field, as the provider sent it.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl KeyedById for Service {
    fn fill_id(&mut self, key: &str) {
        if let Ok(id) = key.trim().parse() {
            self.id.get_or_insert(id);
        }
    }
}

/// One element of `categories`. Its fields are not documented: `id` and `name` are typed
/// (and optional), the rest is kept as raw JSON in `extra`.
///
/// ```
/// let c: mobilnik::Category = serde_json::from_str(r#"{"id": 2, "name": "Переводы", "order": 5}"#)?;
/// assert_eq!(c.name.as_deref(), Some("Переводы"));
/// assert_eq!(c.extra["order"], 5);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// `id`: the category's id (services refer to it by `category_id`).
    #[serde(default, deserialize_with = "wire::opt_u64")]
    pub id: Option<u64>,
    /// `name`: the category's name.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub name: Option<String>,
    /// Every other field, as the provider sent it.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl KeyedById for Category {
    fn fill_id(&mut self, key: &str) {
        if let Ok(id) = key.trim().parse() {
            self.id.get_or_insert(id);
        }
    }
}

/// The parameters of `service-list`: none. Any field is refused by name.
///
/// ```
/// let req: mobilnik::ServiceListRequest = serde_json::from_str("{}")?;
/// assert_eq!(req, mobilnik::ServiceListRequest {});
/// assert!(serde_json::from_str::<mobilnik::ServiceListRequest>(r#"{"token": "x"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceListRequest {}

/// The parameters of `check-requisite`: is this requisite (phone, account, contract
/// number) known to this service, and whose is it?
///
/// ```
/// use mobilnik::CheckRequisiteRequest;
/// let req: CheckRequisiteRequest =
///     serde_json::from_str(r#"{"service_id": 1, "requisite": "0555123456"}"#)?;
/// assert_eq!(req, CheckRequisiteRequest::new(1, "0555123456"));
/// assert!(req.validate().is_ok());
/// assert_eq!(CheckRequisiteRequest::new(1, " ").validate().unwrap_err().field(), Some("requisite"));
/// assert_eq!(CheckRequisiteRequest::new(0, "x").validate().unwrap_err().field(), Some("service_id"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CheckRequisiteWire")]
pub struct CheckRequisiteRequest {
    /// `service_id`: «Код услуги», positive.
    #[serde(deserialize_with = "wire::u64_lenient")]
    pub service_id: u64,
    /// `requisite`: «Реквизит», not blank.
    pub requisite: String,
}

impl CheckRequisiteRequest {
    /// The parameters for one service and requisite.
    ///
    /// ```
    /// let req = mobilnik::CheckRequisiteRequest::new(1, "0555123456");
    /// assert_eq!(req.requisite, "0555123456");
    /// ```
    pub fn new(service_id: u64, requisite: impl Into<String>) -> CheckRequisiteRequest {
        CheckRequisiteRequest {
            service_id,
            requisite: requisite.into(),
        }
    }

    /// Checks what can be checked before sending; the error names the wire field.
    ///
    /// ```
    /// assert!(mobilnik::CheckRequisiteRequest::new(1, "").validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        crate::payments::check_service_id(self.service_id)?;
        kassa_core::text::free_text("requisite", &self.requisite, crate::payments::REQUISITE_MAX)
    }
}

/// The answer of `check-requisite`.
///
/// ```
/// let r: mobilnik::CheckRequisiteResponse =
///     serde_json::from_str(r#"{"status_code": 0, "customer_name": "Асанов Асан"}"#)?;
/// assert_eq!(r.customer_name, "Асанов Асан");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRequisiteResponse {
    /// `customer_name`: the holder of the requisite, as the provider has it.
    #[serde(deserialize_with = "wire::string_lenient")]
    pub customer_name: String,
}

impl Client {
    /// **service-list** (`GET /service_list/`, «СПИСОК УСЛУГ»): the services and
    /// categories this agent can pay for. Reads only; retried on transient failures.
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// let list = client.service_list(&mobilnik::ServiceListRequest {}).await?;
    /// for s in &list.services {
    ///     println!("{:?} {}", s.id, s.name.as_deref().unwrap_or("?"));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn service_list(
        &self,
        _req: &ServiceListRequest,
    ) -> Result<ServiceListResponse, Error> {
        self.call(&SERVICE_LIST, "/service_list/", &[], StatusField::Optional)
            .await
    }

    /// **check-requisite** (`GET /check_requisite/`, «ПРОВЕРКА РЕКВИЗИТА»): asks whose
    /// the requisite is before paying. `REQUISITE_NOT_FOUND` (13), `SERVICE_NOT_EXISTS`
    /// (11) and the like are [`Error::Rejected`]. Reads only; retried on transient failures.
    ///
    /// ```no_run
    /// # async fn run(client: mobilnik::Client) -> Result<(), kassa_core::Error> {
    /// let who = client
    ///     .check_requisite(&mobilnik::CheckRequisiteRequest::new(1, "0555123456"))
    ///     .await?;
    /// println!("paying to {}", who.customer_name);
    /// # Ok(()) }
    /// ```
    pub async fn check_requisite(
        &self,
        req: &CheckRequisiteRequest,
    ) -> Result<CheckRequisiteResponse, Error> {
        req.validate()?;
        let params = [
            ("service_id", Param::from(req.service_id.to_string())),
            ("requisite", Param::from(req.requisite.as_str())),
        ];
        self.call(
            &CHECK_REQUISITE,
            "/check_requisite/",
            &params,
            StatusField::Optional,
        )
        .await
    }
}

/// The wire shape of [`CheckRequisiteRequest`] as a caller may write it: the document's
/// constant `client` is accepted when it is 4; any other field is refused by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequisiteWire {
    #[serde(deserialize_with = "wire::u64_lenient")]
    service_id: u64,
    requisite: String,
    #[serde(default, rename = "client")]
    _client: Option<wire::ClientConstant>,
}

impl From<CheckRequisiteWire> for CheckRequisiteRequest {
    fn from(w: CheckRequisiteWire) -> CheckRequisiteRequest {
        CheckRequisiteRequest {
            service_id: w.service_id,
            requisite: w.requisite,
        }
    }
}
