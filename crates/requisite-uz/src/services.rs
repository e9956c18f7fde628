//! services: `GET /api/v2/services`, the partner's services and whether they need a card.

use std::fmt;
use std::sync::{Arc, RwLock};

use kassa_core::{Effect, Error, Method, Operation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PROVIDER;
use crate::client::Client;
use crate::wire::ServiceId;

pub(crate) const SERVICES: Operation = Operation::new(PROVIDER, "services", Effect::Read);

/// A service of the partner (an element of the services answer's `data`).
///
/// ```
/// use requisite_uz::{Service, ServiceId, ServiceType};
/// let s: Service = serde_json::from_str(
///     r#"{"id": 34, "name": "Оплата по реквизитам UZCARD", "activated": true,
///         "type": "WORKING_WITH_CARD", "account": "45645215794513547942"}"#)?;
/// assert_eq!(s.id, ServiceId(34));
/// assert_eq!(s.kind, ServiceType::WorkingWithCard);
/// assert!(s.kind.requires_card());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// `id`: pass it as `serviceId` to payment, payment-budget, balance and statement.
    pub id: ServiceId,
    /// `name`: the service's name («Оплата по реквизитам UZCARD»).
    #[serde(deserialize_with = "crate::wire::text")]
    pub name: String,
    /// `activated`: whether the service is switched on (`true`/`false`, also read from `0`/`1`).
    #[serde(deserialize_with = "crate::wire::flag")]
    pub activated: bool,
    /// `type`: whether payments of this service need a card.
    #[serde(rename = "type")]
    pub kind: ServiceType,
    /// `account`: the partner's account, 20 digits (the document's example shows a
    /// placeholder, `#счет партнера#`, kept as it came).
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub account: String,
}

/// The service `type`.
///
/// ```
/// use requisite_uz::ServiceType;
/// let t: ServiceType = serde_json::from_str("\"CARD_IS_OPTIONAL\"")?;
/// assert_eq!(t, ServiceType::CardIsOptional);
/// let new: ServiceType = serde_json::from_str("\"CARD_ONLY_ON_FRIDAYS\"")?;
/// assert_eq!(new, ServiceType::Unknown("CARD_ONLY_ON_FRIDAYS".into()));
/// assert_eq!(serde_json::to_string(&new)?, "\"CARD_ONLY_ON_FRIDAYS\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServiceType {
    /// `WORKING_WITH_CARD`: `refNumber`, `cardType` and `cardNumber` are required.
    WorkingWithCard,
    /// `CARD_IS_OPTIONAL`: `refNumber`, `cardType` and `cardNumber` are optional.
    CardIsOptional,
    /// A value the document does not list, kept as it came. The client does not require
    /// card fields for it (the bank answers 1017 if it does).
    Unknown(String),
}

impl ServiceType {
    /// The wire value.
    ///
    /// ```
    /// assert_eq!(requisite_uz::ServiceType::WorkingWithCard.as_str(), "WORKING_WITH_CARD");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            ServiceType::WorkingWithCard => "WORKING_WITH_CARD",
            ServiceType::CardIsOptional => "CARD_IS_OPTIONAL",
            ServiceType::Unknown(s) => s,
        }
    }

    /// Reads a wire value.
    ///
    /// ```
    /// use requisite_uz::ServiceType;
    /// assert_eq!(ServiceType::from_wire("WORKING_WITH_CARD"), ServiceType::WorkingWithCard);
    /// ```
    pub fn from_wire(s: &str) -> ServiceType {
        match s {
            "WORKING_WITH_CARD" => ServiceType::WorkingWithCard,
            "CARD_IS_OPTIONAL" => ServiceType::CardIsOptional,
            other => ServiceType::Unknown(other.to_owned()),
        }
    }

    /// True for `WORKING_WITH_CARD`: payments must carry `refNumber`, `cardType`, `cardNumber`.
    ///
    /// ```
    /// assert!(!requisite_uz::ServiceType::CardIsOptional.requires_card());
    /// ```
    pub fn requires_card(&self) -> bool {
        matches!(self, ServiceType::WorkingWithCard)
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for ServiceType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ServiceType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ServiceType, D::Error> {
        crate::wire::text(d).map(|s| ServiceType::from_wire(&s))
    }
}

/// The services list the client remembers from its last successful services call; shared
/// by the clones of a client.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServicesSlot(Arc<RwLock<Option<Arc<[Service]>>>>);

impl ServicesSlot {
    fn get(&self) -> Option<Arc<[Service]>> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, list: &[Service]) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::from(list));
    }
}

impl Client {
    /// services: lists the partner's services (`GET /api/v2/services`) and remembers the
    /// list, so that later payments check the card fields a `WORKING_WITH_CARD` service
    /// needs and refuse a service that is not in it or not activated. It takes no input
    /// (from JSON, its parameters are `{}`). Read, retried.
    ///
    /// ```no_run
    /// # async fn run(client: requisite_uz::Client) -> Result<(), kassa_core::Error> {
    /// let services = client.services().await?;
    /// let with_card = services.iter().filter(|s| s.kind.requires_card()).count();
    /// println!("{} services, {with_card} need a card", services.len());
    /// for service in &services {
    ///     println!("{} {}", service.id, service.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn services(&self) -> Result<Vec<Service>, Error> {
        let list: Vec<Service> = self
            .call(
                SERVICES,
                Method::Get,
                "/api/v2/services".to_owned(),
                None::<&()>,
                None,
            )
            .await?;
        self.services.set(&list);
        Ok(list)
    }

    /// The services list the last successful [`Client::services`] call returned, if any.
    /// Payment checks use it to know whether a service needs card fields.
    ///
    /// ```
    /// let client = requisite_uz::Client::builder("http://127.0.0.1:1").credentials("u", "p").build()?;
    /// assert!(client.cached_services().is_none());
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn cached_services(&self) -> Option<Arc<[Service]>> {
        self.services.get()
    }

    /// Finds what to check card fields against: the service passed, else the cached list.
    /// `Ok(None)` when neither is known (the bank then decides, answering 1017).
    pub(crate) fn service_for(
        &self,
        id: ServiceId,
        given: Option<&Service>,
    ) -> Result<Option<Service>, Error> {
        let found = match given {
            Some(service) => {
                same_service(id, service)?;
                service.clone()
            }
            None => {
                let Some(list) = self.cached_services() else {
                    return Ok(None);
                };
                match list.iter().find(|s| s.id == id) {
                    Some(service) => service.clone(),
                    None => {
                        return Err(Error::invalid(
                            "serviceId",
                            format!(
                                "{id} is not in the services list; call services() again or pass the service"
                            ),
                        ));
                    }
                }
            }
        };
        if !found.activated {
            return Err(Error::invalid(
                "serviceId",
                format!("service {id} is not activated"),
            ));
        }
        Ok(Some(found))
    }
}

/// Refuses a service that is not the request's `serviceId`.
pub(crate) fn same_service(id: ServiceId, service: &Service) -> Result<(), Error> {
    if service.id == id {
        Ok(())
    } else {
        Err(Error::invalid(
            "serviceId",
            format!("is {id}, but the service passed is {}", service.id),
        ))
    }
}
