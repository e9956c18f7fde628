//! Geo points (`list-locations`) and the payment limits (`limits`).
//!
//! Coordinates are two distinct types, [`Longitude`] and [`Latitude`], so one can never be
//! passed for the other (the document warns: always longitude first, then latitude).

use kassa_core::answer::RawValue;
use kassa_core::{Currency, Effect, Error, Method, Money, Operation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PROVIDER;
use crate::answer::Answer;
use crate::client::{Auth, Client};
use crate::services::NoInput;
use crate::wire::Exact;

const LIST_LOCATIONS: Operation = Operation::new(PROVIDER, "list-locations", Effect::Read);
const LIMITS: Operation = Operation::new(PROVIDER, "limits", Effect::Read);

/// A longitude in degrees, exactly as written (`37.211893`). Not a [`Latitude`].
///
/// ```
/// let lon: mserver::Longitude = serde_json::from_str("37.211893")?;
/// assert_eq!(lon.as_str(), "37.211893");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Longitude(pub Exact);

/// A latitude in degrees, exactly as written (`55.616371`). Not a [`Longitude`].
///
/// ```
/// let lat: mserver::Latitude = serde_json::from_str("55.616371")?;
/// assert_eq!(lat.as_str(), "55.616371");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Latitude(pub Exact);

impl Longitude {
    /// The number's text.
    ///
    /// ```
    /// let lon: mserver::Longitude = serde_json::from_str("-0.5")?;
    /// assert_eq!(lon.as_str(), "-0.5");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Latitude {
    /// The number's text.
    ///
    /// ```
    /// let lat: mserver::Latitude = serde_json::from_str("1")?;
    /// assert_eq!(lat.as_str(), "1");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// One geo point: where to top up the wallet or verify it.
///
/// ```
/// let l: mserver::Location = serde_json::from_str(r#"{"id": "5463", "name": "Касса", "group": "verification",
///     "latitude": 55.676006, "longitude": 37.252398}"#)?;
/// assert_eq!((l.longitude.as_str(), l.latitude.as_str()), ("37.252398", "55.676006"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// `id`.
    pub id: String,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `type`: what the point is (an ATM, a cash desk).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `group`: `replenishment`, `verification`, ...
    #[serde(default)]
    pub group: Option<String>,
    /// `worktime`.
    #[serde(default)]
    pub worktime: Option<String>,
    /// `address`.
    #[serde(default)]
    pub address: Option<String>,
    /// `longitude`.
    pub longitude: Longitude,
    /// `latitude`.
    pub latitude: Latitude,
}

/// One limit's value: a yes/no, an amount in roubles (the document writes it as a string,
/// `"60000"`), or a text kept as sent.
///
/// ```
/// use mserver::LimitValue;
/// assert_eq!(serde_json::from_str::<LimitValue>("true")?, LimitValue::Flag(true));
/// let amount = serde_json::from_str::<LimitValue>(r#""60000""#)?;
/// assert_eq!(amount, LimitValue::Amount(kassa_core::Money::new(6_000_000, kassa_core::Currency::RUB)));
/// assert_eq!(serde_json::from_str::<LimitValue>(r#""без лимита""#)?, LimitValue::Text("без лимита".into()));
/// assert!(serde_json::from_str::<LimitValue>(r#""0.001""#).is_err(), "more than kopecks");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitValue {
    /// `true` / `false`.
    Flag(bool),
    /// An amount in roubles, exact.
    Amount(Money),
    /// Any other text.
    Text(String),
}

impl Serialize for LimitValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LimitValue::Flag(b) => s.serialize_bool(*b),
            LimitValue::Amount(m) => s.serialize_str(&m.to_major_string()),
            LimitValue::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for LimitValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LimitValue, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(d)?;
        let text = raw.get().trim();
        match text {
            "true" => return Ok(LimitValue::Flag(true)),
            "false" => return Ok(LimitValue::Flag(false)),
            _ => {}
        }
        let numeric = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        };
        let inner = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(serde::de::Error::custom)?
        } else {
            text.to_owned()
        };
        if numeric(inner.trim()) {
            return kassa_core::money::serde::read_token(
                inner.trim(),
                kassa_core::money::serde::Unit::Major,
                Currency::RUB,
            )
            .map(LimitValue::Amount)
            .map_err(|e| serde::de::Error::custom(format!("limit value {inner}: {e}")));
        }
        if text.starts_with('"') {
            return Ok(LimitValue::Text(inner));
        }
        Err(serde::de::Error::custom(format!(
            "a limit value is a bool, an amount or a text, got {text}"
        )))
    }
}

/// One limit for one wallet level.
///
/// ```
/// let l: mserver::Limit = serde_json::from_str(r#"{"type": "string", "value": "60000", "status": "verified"}"#)?;
/// assert_eq!(l.status, "verified");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    /// `type`: `bool` or `string`, how `value` is written.
    #[serde(rename = "type")]
    pub kind: String,
    /// `value`.
    pub value: LimitValue,
    /// `status`: the wallet level it applies to (`anonymous`, `verified`, `personified`).
    pub status: String,
}

/// A limit with its value per wallet level.
///
/// ```
/// let g: mserver::LimitGroup = serde_json::from_str(r#"{"title": "Остаток", "limits": []}"#)?;
/// assert_eq!(g.title, "Остаток");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitGroup {
    /// `title`.
    pub title: String,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `limits`.
    #[serde(default)]
    pub limits: Vec<Limit>,
}

impl Client {
    /// **list-locations** (`GET /locations`): the geo points.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// for l in client.list_locations(&mserver::NoInput {}).await?.data {
    ///     println!("{} at {},{}", l.id, l.longitude.as_str(), l.latitude.as_str());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_locations(&self, _req: &NoInput) -> Result<Answer<Vec<Location>>, Error> {
        self.call_plain(
            LIST_LOCATIONS,
            Method::Get,
            "/locations".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **limits** (`GET /limits`): the payment limits per wallet level.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// for g in client.limits(&mserver::NoInput {}).await?.data {
    ///     println!("{}: {} levels", g.title, g.limits.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn limits(&self, _req: &NoInput) -> Result<Answer<Vec<LimitGroup>>, Error> {
        self.call_plain(LIMITS, Method::Get, "/limits".into(), Auth::Client, &[])
            .await
    }
}
