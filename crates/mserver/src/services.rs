//! The services catalogue: errors, options, services (paged, conditional), groups, one
//! service's description and the check of payment parameters against it, MNP, mobile
//! operator, ordering a service, geo.

use std::collections::BTreeMap;

use futures_util::Stream;
use kassa_core::paging::{Page, pages};
use kassa_core::{Effect, Error, Method, Money, Operation};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer::{Answer, Conditional};
use crate::client::{Auth, Client};
use crate::wire::{Exact, Text};

const ERRORS: Operation = Operation::new(PROVIDER, "errors", Effect::Read);
const OPTIONS: Operation = Operation::new(PROVIDER, "options", Effect::Read);
const LIST_SERVICES: Operation = Operation::new(PROVIDER, "list-services", Effect::Read);
const LIST_GROUPS: Operation = Operation::new(PROVIDER, "list-groups", Effect::Read);
const SERVICES_BY_GROUPS: Operation = Operation::new(PROVIDER, "services-by-groups", Effect::Read);
const GET_SERVICE: Operation = Operation::new(PROVIDER, "get-service", Effect::Read);
const SERVICE_BY_MNP: Operation = Operation::new(PROVIDER, "service-by-mnp", Effect::Read);
const MOBILE_OPERATOR: Operation = Operation::new(PROVIDER, "mobile-operator", Effect::Read);
const ORDER_SERVICE: Operation = Operation::new(PROVIDER, "order-service", Effect::Once);
const GEO: Operation = Operation::new(PROVIDER, "geo", Effect::Read);

/// The parameters of a conditional read: `modified_since` is the `meta.request_time` of an
/// earlier answer, sent as `If-Modified-Since`.
///
/// ```
/// let r: mserver::ConditionalRequest = serde_json::from_str(r#"{"modified_since": 1432652055}"#)?;
/// assert_eq!(r.modified_since, Some(1432652055));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionalRequest {
    /// A UNIX timestamp (`meta.request_time` of an earlier answer).
    #[serde(default)]
    pub modified_since: Option<i64>,
}

/// One error of the catalogue (`errors`).
///
/// ```
/// let e: mserver::ErrorEntry = serde_json::from_str(r#"{"code": "invalid_phone", "title": {"ru_RU": "Неверный телефон"}}"#)?;
/// assert_eq!(e.title["ru_RU"], "Неверный телефон");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEntry {
    /// `code`: as in `meta.error`.
    pub code: String,
    /// `title` per locale (`ru_RU`, `en_US`).
    #[serde(default)]
    pub title: BTreeMap<String, String>,
}

/// No parameters.
///
/// ```
/// let r: mserver::NoInput = serde_json::from_str("{}")?;
/// assert!(serde_json::from_str::<mserver::NoInput>(r#"{"id": 1}"#).is_err());
/// # let _ = r;
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

/// The application's options (`options`).
///
/// ```
/// let o: mserver::Options = serde_json::from_str(r#"{"support_phone": "+78001234567", "mobile_operators_category_ids": {"RU": 1}}"#)?;
/// assert_eq!(o.mobile_operators_category_ids.map(|m| m["RU"]), Some(1));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// `support_phone`.
    #[serde(default)]
    pub support_phone: Option<String>,
    /// `mobile_operators_category_ids`: country → category id.
    #[serde(default)]
    pub mobile_operators_category_ids: Option<BTreeMap<String, u64>>,
}

/// A service's commission.
///
/// ```
/// let r: mserver::Rate = serde_json::from_str(r#"{"fix": 10, "percent": 1.5}"#)?;
/// assert_eq!((r.fix.to_major_string(), r.percent.as_str()), ("10.00".to_owned(), "1.5"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// `fix`: a fixed part in roubles.
    #[serde(with = "kassa_core::money::serde::rub::major_number")]
    pub fix: Money,
    /// `percent`, exact.
    pub percent: Exact,
}

/// A group as a service lists it.
///
/// ```
/// let g: mserver::GroupRef = serde_json::from_str(r#"{"id": 3, "name": "Мобильная связь"}"#)?;
/// assert_eq!(g.id.0, "3");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    /// `id`.
    pub id: Id,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
}

/// An id written as text or a number.
///
/// ```
/// let a: mserver::Id = serde_json::from_str("3")?;
/// let b: mserver::Id = serde_json::from_str(r#""3""#)?;
/// assert_eq!(a, b);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(#[serde(deserialize_with = "kassa_core::lenient::code_text")] pub String);

/// A service in a list (`list-services`, `meta.suggestions`, `services-by-groups`).
///
/// ```
/// let s: mserver::ServiceSummary = serde_json::from_str(r#"{"id": 770, "name": "Билайн", "minsum": 1, "maxsum": 15000}"#)?;
/// assert_eq!(s.max.map(|m| m.to_major_string()).as_deref(), Some("15000.00"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    /// `id`.
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `keywords`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// `status`: `online`, `offline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `icon_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// `limit`: text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// `rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Rate>,
    /// `min` (or `minsum`): the smallest amount.
    #[serde(
        default,
        alias = "minsum",
        with = "kassa_core::money::serde::rub::major_number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub min: Option<Money>,
    /// `max` (or `maxsum`): the largest amount.
    #[serde(
        default,
        alias = "maxsum",
        with = "kassa_core::money::serde::rub::major_number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Option<Money>,
    /// `verification_required`.
    #[serde(default)]
    pub verification_required: bool,
    /// `group` (suggestions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupRef>,
    /// `groups`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    /// `geo`: places, each from the town up to the country.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub geo: Vec<Vec<String>>,
    /// `parameters` (the upstream shape lists them here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ServiceParameter>,
}

/// The parameters of `list-services`: a page (from 1) and its size, and an optional
/// "modified since".
///
/// ```
/// let r: mserver::ListServicesRequest = serde_json::from_str(r#"{"page": 1, "size": 20}"#)?;
/// assert_eq!(r.page, Some(1));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListServicesRequest {
    /// `page`, from 1 (none: the server's first page).
    #[serde(default)]
    pub page: Option<u32>,
    /// `size` (the server's default is 20).
    #[serde(default)]
    pub size: Option<u32>,
    /// Sent as `If-Modified-Since`.
    #[serde(default)]
    pub modified_since: Option<i64>,
}

/// A group of services (`list-groups`, `category`).
///
/// ```
/// let g: mserver::Group = serde_json::from_str(r#"{"id": "1", "name": "Мобильная связь", "amount": 12}"#)?;
/// assert_eq!(g.amount, Some(12));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// `id`.
    pub id: Id,
    /// `name`.
    pub name: String,
    /// `keywords`.
    #[serde(default)]
    pub keywords: Option<String>,
    /// `group`.
    #[serde(default)]
    pub group: Option<String>,
    /// `type`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `amount`: how many services (a count, not money).
    #[serde(default)]
    pub amount: Option<u64>,
}

/// A group with its services (`services-by-groups`).
///
/// ```
/// let g: mserver::GroupServices = serde_json::from_str(r#"{"id": 1, "name": "Игры", "services": [{"id": 5, "name": "Одноклассники"}]}"#)?;
/// assert_eq!(g.services[0].name, "Одноклассники");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupServices {
    /// `id`.
    pub id: Id,
    /// `name`.
    pub name: String,
    /// `group`.
    #[serde(default)]
    pub group: Option<String>,
    /// `type`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `services`.
    #[serde(default)]
    pub services: Vec<ServiceSummary>,
}

/// One pattern of a parameter.
///
/// ```
/// let p: mserver::Pattern = serde_json::from_str(r#"{"pattern": "^\\d{10}$", "description": {"ru_RU": "10 цифр"}}"#)?;
/// assert_eq!(p.description.as_ref().map(mserver::Text::text), Some("10 цифр"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    /// `pattern`: a regular expression (may be empty).
    #[serde(default)]
    pub pattern: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<Text>,
}

/// One allowed value of a parameter with a list.
///
/// ```
/// let i: mserver::Item = serde_json::from_str(r#"{"code": 2, "value": "Москва"}"#)?;
/// assert_eq!(i.code.0, "2");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `code`: the value to send.
    pub code: Id,
    /// `value`: its title.
    #[serde(default)]
    pub value: Option<String>,
}

/// A parameter of a service, in either shape (`id`/`title`/`pattern_desc` or
/// `code`/`name`/`pattern_description`).
///
/// ```
/// let p: mserver::ServiceParameter = serde_json::from_str(r#"{"code": "account", "name": "Лицевой счёт", "is_required": true}"#)?;
/// assert_eq!((p.id.as_str(), p.title.as_deref()), ("account", Some("Лицевой счёт")));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceParameter {
    /// `id` (or `code`): the parameter's name in a payment.
    #[serde(alias = "code")]
    pub id: String,
    /// `title` (or `name`).
    #[serde(default, alias = "name")]
    pub title: Option<String>,
    /// `type` (`phone`, ...).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `is_required`.
    #[serde(default)]
    pub is_required: bool,
    /// `is_disabled`.
    #[serde(default)]
    pub is_disabled: bool,
    /// `is_hidden`.
    #[serde(default)]
    pub is_hidden: bool,
    /// `min_length`.
    #[serde(default)]
    pub min_length: Option<u32>,
    /// `max_length`.
    #[serde(default)]
    pub max_length: Option<u32>,
    /// `range_start`.
    #[serde(default)]
    pub range_start: Option<i64>,
    /// `range_end`.
    #[serde(default)]
    pub range_end: Option<i64>,
    /// `pattern`: the main regular expression.
    #[serde(default)]
    pub pattern: Option<String>,
    /// `pattern_desc` (or `pattern_description`).
    #[serde(default, alias = "pattern_description")]
    pub pattern_desc: Option<Text>,
    /// `patterns`: alternatives, each with a description.
    #[serde(default)]
    pub patterns: Option<Vec<Pattern>>,
    /// `items`: the allowed values, when a list.
    #[serde(default)]
    pub items: Option<Vec<Item>>,
    /// `default_value`.
    #[serde(default)]
    pub default_value: Option<String>,
    /// `suggested_values`.
    #[serde(default)]
    pub suggested_values: Option<Vec<String>>,
}

/// A service's description (`get-service`, `service-by-mnp`, `mobile-operator`).
///
/// ```
/// let s: mserver::ServiceDescription = serde_json::from_str(r#"{"id": 770, "name": "Билайн", "parameters": [{"id": "phoneNumber"}]}"#)?;
/// assert_eq!(s.parameters[0].id, "phoneNumber");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDescription {
    /// `id`.
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `status`.
    #[serde(default)]
    pub status: Option<String>,
    /// `icon_url`.
    #[serde(default)]
    pub icon_url: Option<String>,
    /// `limit`.
    #[serde(default)]
    pub limit: Option<String>,
    /// `rate`.
    #[serde(default)]
    pub rate: Option<Rate>,
    /// `min` (or `minsum`).
    #[serde(
        default,
        alias = "minsum",
        with = "kassa_core::money::serde::rub::major_number::option"
    )]
    pub min: Option<Money>,
    /// `max` (or `maxsum`).
    #[serde(
        default,
        alias = "maxsum",
        with = "kassa_core::money::serde::rub::major_number::option"
    )]
    pub max: Option<Money>,
    /// `verification_required`.
    #[serde(default)]
    pub verification_required: bool,
    /// `parameters`.
    #[serde(default)]
    pub parameters: Vec<ServiceParameter>,
    /// `category`.
    #[serde(default)]
    pub category: Option<Group>,
    /// `groups`.
    #[serde(default)]
    pub groups: Vec<Group>,
}

/// Checks a payment's parameter values against a service's description, before sending:
/// required values present, lengths, the item list, numeric ranges (for `number` and
/// `integer` parameters), and the patterns (the main `pattern` must match; of `patterns`,
/// one non-empty must). Fails with [`Error::InvalidInput`] naming the parameter; a pattern
/// that is not a valid regular expression is such an error too, never a panic.
///
/// ```
/// use std::collections::BTreeMap;
/// let service: mserver::ServiceDescription = serde_json::from_str(r#"{"id": 770, "name": "Билайн",
///   "parameters": [{"code": "phoneNumber", "is_required": true, "pattern": "^\\d{10}$"}]}"#)?;
/// let ok = BTreeMap::from([("phoneNumber".to_owned(), "9261111111".to_owned())]);
/// assert!(mserver::check_parameters(&service, &ok).is_ok());
/// let bad = BTreeMap::from([("phoneNumber".to_owned(), "92611".to_owned())]);
/// assert_eq!(mserver::check_parameters(&service, &bad).unwrap_err().field(), Some("phoneNumber"));
/// let broken: mserver::ServiceDescription = serde_json::from_str(r#"{"id": 1, "name": "x",
///   "parameters": [{"id": "account", "pattern": "^[0-9{10}$"}]}"#)?;
/// let v = BTreeMap::from([("account".to_owned(), "1".to_owned())]);
/// let err = mserver::check_parameters(&broken, &v).unwrap_err();
/// assert!(err.to_string().contains("not a valid regular expression"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_parameters(
    service: &ServiceDescription,
    values: &BTreeMap<String, String>,
) -> Result<(), Error> {
    for name in values.keys() {
        if !service.parameters.iter().any(|p| &p.id == name) {
            return Err(Error::invalid(
                name.clone(),
                format!("service {} has no such parameter", service.id),
            ));
        }
    }
    for p in &service.parameters {
        let value = values.get(&p.id).map(String::as_str).unwrap_or("");
        if value.is_empty() {
            if p.is_required {
                return Err(Error::invalid(p.id.clone(), "required by the service"));
            }
            continue;
        }
        check_one(p, value)?;
    }
    Ok(())
}

fn check_one(p: &ServiceParameter, value: &str) -> Result<(), Error> {
    let field = || p.id.clone();
    let len = value.chars().count() as u32;
    if let Some(min) = p.min_length.filter(|m| *m > 0)
        && len < min
    {
        return Err(Error::invalid(
            field(),
            format!("at least {min} characters"),
        ));
    }
    if let Some(max) = p.max_length.filter(|m| *m > 0)
        && len > max
    {
        return Err(Error::invalid(field(), format!("at most {max} characters")));
    }
    if let Some(items) = p.items.as_ref().filter(|i| !i.is_empty())
        && !items.iter().any(|i| i.code.0 == value)
    {
        let codes: Vec<&str> = items.iter().map(|i| i.code.0.as_str()).collect();
        return Err(Error::invalid(
            field(),
            format!("must be one of {}", codes.join(", ")),
        ));
    }
    let numeric = matches!(p.kind.as_deref(), Some("number" | "integer"));
    if numeric
        && let (Some(start), Some(end)) = (p.range_start, p.range_end)
        && (start, end) != (0, 0)
    {
        let n: i64 = value
            .parse()
            .map_err(|_| Error::invalid(field(), "must be a whole number"))?;
        if n < start || n > end {
            return Err(Error::invalid(
                field(),
                format!("must be from {start} to {end}"),
            ));
        }
    }
    let desc = p.pattern_desc.as_ref().map(Text::text).unwrap_or("");
    if let Some(pattern) = p.pattern.as_deref().filter(|s| !s.is_empty())
        && !matches(&p.id, pattern, value)?
    {
        return Err(Error::invalid(
            field(),
            format!("does not match `{pattern}` ({desc})"),
        ));
    }
    let alternatives: Vec<&Pattern> = p
        .patterns
        .iter()
        .flatten()
        .filter(|a| a.pattern.as_deref().is_some_and(|s| !s.is_empty()))
        .collect();
    if !alternatives.is_empty() {
        let mut any = false;
        for a in &alternatives {
            if matches(&p.id, a.pattern.as_deref().unwrap_or(""), value)? {
                any = true;
            }
        }
        if !any {
            return Err(Error::invalid(
                field(),
                "matches none of the service's patterns",
            ));
        }
    }
    Ok(())
}

/// Compiles `pattern` (a clear error naming the parameter when it is not a valid regular
/// expression) and matches `value`.
fn matches(param: &str, pattern: &str, value: &str) -> Result<bool, Error> {
    let re = regex_lite::Regex::new(pattern).map_err(|e| {
        Error::invalid(
            param.to_owned(),
            format!("the service's pattern `{pattern}` is not a valid regular expression: {e}"),
        )
    })?;
    Ok(re.is_match(value))
}

/// The parameters of `get-service`.
///
/// ```
/// let r: mserver::GetServiceRequest = serde_json::from_str(r#"{"id": 770}"#)?;
/// assert_eq!(r.id, 770);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetServiceRequest {
    /// The service id.
    pub id: u64,
}

/// The parameters of `service-by-mnp` (both required).
///
/// ```
/// let r: mserver::ServiceByMnpRequest = serde_json::from_str(r#"{"provider_id": "1", "provider_region_code": "77"}"#)?;
/// assert_eq!(r.provider_region_code, "77");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceByMnpRequest {
    /// `provider_id`.
    pub provider_id: String,
    /// `provider_region_code`.
    pub provider_region_code: String,
}

/// The parameters of `mobile-operator`: a phone, with or without its `+`.
///
/// ```
/// let r = mserver::MobileOperatorRequest { phone: "+79261111111".into() };
/// assert_eq!(serde_json::to_string(&r)?, r#"{"phone":"+79261111111"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileOperatorRequest {
    /// The phone (`79261111111` or `+79261111111`).
    pub phone: String,
}

/// The parameters of `order-service`.
///
/// ```
/// let r = mserver::OrderServiceRequest { title: "Городской телефон".into() };
/// assert_eq!(serde_json::to_value(&r)?["title"], "Городской телефон");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderServiceRequest {
    /// `title`: the service wanted.
    pub title: String,
}

/// The answer of `order-service`: the support conversation opened.
///
/// ```
/// let o: mserver::ServiceOrder = serde_json::from_str(r#"{"created_at": 1432652055, "thread_id": 7}"#)?;
/// assert_eq!(o.thread_id, Some(7));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOrder {
    /// `created_at` (UNIX time).
    #[serde(default)]
    pub created_at: Option<i64>,
    /// `message_id`.
    #[serde(default)]
    pub message_id: Option<u64>,
    /// `thread_id`.
    #[serde(default)]
    pub thread_id: Option<u64>,
    /// `message_type`.
    #[serde(default)]
    pub message_type: Option<String>,
}

/// The parameters of `geo`.
///
/// ```
/// let r: mserver::GeoRequest = serde_json::from_str(r#"{"filter_by": "title", "title": "Лоб"}"#)?;
/// assert_eq!(r.title.as_deref(), Some("Лоб"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoRequest {
    /// `filter_by` (`title`).
    #[serde(default)]
    pub filter_by: Option<String>,
    /// `title`: the beginning of a place's name.
    #[serde(default)]
    pub title: Option<String>,
}

/// A place (`geo`, `meta.geo`) and the places it is inside.
///
/// ```
/// let p: mserver::Place = serde_json::from_str(r#"{"id": "1", "title": "Лобня", "inside": [{"id": "2", "title": "Россия"}]}"#)?;
/// assert_eq!(p.inside[0].title, "Россия");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// `id`.
    pub id: String,
    /// `title`.
    pub title: String,
    /// `inside`: from the nearest up to the country.
    #[serde(default)]
    pub inside: Vec<Place>,
}

fn if_modified(r: kassa_core::Request, since: Option<i64>) -> kassa_core::Request {
    match since {
        Some(t) => r.header("If-Modified-Since", t.to_string()),
        None => r,
    }
}

impl Client {
    /// **errors** (`GET /errors`, no credentials): the error catalogue with titles. With
    /// `modified_since`, a 304 is [`Conditional::NotModified`].
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let errors = client.errors(&mserver::ConditionalRequest { modified_since: Some(1432652055) }).await?;
    /// println!("changed: {}", !errors.is_not_modified());
    /// # Ok(()) }
    /// ```
    pub async fn errors(
        &self,
        req: &ConditionalRequest,
    ) -> Result<Conditional<Answer<Vec<ErrorEntry>>>, Error> {
        self.call(ERRORS, Method::Get, "/errors".into(), Auth::None, |r| {
            Ok(if_modified(r, req.modified_since))
        })
        .await
    }

    /// **options** (`GET /options`): the application's settings.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let options = client.options(&mserver::NoInput {}).await?;
    /// println!("{:?}", options.data.support_phone);
    /// # Ok(()) }
    /// ```
    pub async fn options(&self, _req: &NoInput) -> Result<Answer<Options>, Error> {
        self.call_plain(OPTIONS, Method::Get, "/options".into(), Auth::Client, &[])
            .await
    }

    /// **list-services** (`GET /services`): one page; see [`Client::services`] for all.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let page = client.list_services(&mserver::ListServicesRequest { page: Some(1), size: Some(20), modified_since: None }).await?;
    /// println!("changed: {}", !page.is_not_modified());
    /// # Ok(()) }
    /// ```
    pub async fn list_services(
        &self,
        req: &ListServicesRequest,
    ) -> Result<Conditional<Answer<Vec<ServiceSummary>>>, Error> {
        self.call(
            LIST_SERVICES,
            Method::Get,
            "/services".into(),
            Auth::Client,
            |mut r| {
                if let Some(p) = req.page {
                    r = r.query("page", p.to_string());
                }
                if let Some(s) = req.size {
                    r = r.query("size", s.to_string());
                }
                Ok(if_modified(r, req.modified_since))
            },
        )
        .await
    }

    /// Every service, page after page (from page 1, `size` per page) until
    /// `has_next_page` is false (or absent, or a page is empty).
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let mut all = std::pin::pin!(client.services(20));
    /// while let Some(service) = all.next().await {
    ///     println!("{}", service?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn services(&self, size: u32) -> impl Stream<Item = Result<ServiceSummary, Error>> + '_ {
        pages(1, move |page| async move {
            let req = ListServicesRequest {
                page: Some(page),
                size: Some(size),
                modified_since: None,
            };
            let answer = crate::answer::fresh(&LIST_SERVICES, self.list_services(&req).await?)?;
            Ok(if answer.meta.has_next_page == Some(true) {
                Page::more(answer.data)
            } else {
                Page::last(answer.data)
            })
        })
    }

    /// **list-groups** (`GET /groups`), conditional.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let groups = client.list_groups(&mserver::ConditionalRequest { modified_since: None }).await?;
    /// println!("changed: {}", !groups.is_not_modified());
    /// # Ok(()) }
    /// ```
    pub async fn list_groups(
        &self,
        req: &ConditionalRequest,
    ) -> Result<Conditional<Answer<Vec<Group>>>, Error> {
        self.call(
            LIST_GROUPS,
            Method::Get,
            "/groups".into(),
            Auth::Client,
            |r| Ok(if_modified(r, req.modified_since)),
        )
        .await
    }

    /// **services-by-groups** (`GET /services/groups`, deprecated), conditional. The
    /// document's example writes its lists with braces; the client reads that shape too.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let groups = client.services_by_groups(&mserver::ConditionalRequest { modified_since: None }).await?;
    /// println!("changed: {}", !groups.is_not_modified());
    /// # Ok(()) }
    /// ```
    pub async fn services_by_groups(
        &self,
        req: &ConditionalRequest,
    ) -> Result<Conditional<Answer<Vec<GroupServices>>>, Error> {
        self.call(
            SERVICES_BY_GROUPS,
            Method::Get,
            "/services/groups".into(),
            Auth::Client,
            |r| Ok(if_modified(r, req.modified_since)),
        )
        .await
    }

    /// **get-service** (`GET /services/{id}`): the description with its parameters.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let service = client.get_service(&mserver::GetServiceRequest { id: 770 }).await?;
    /// println!("{}: {} parameters", service.data.name, service.data.parameters.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_service(
        &self,
        req: &GetServiceRequest,
    ) -> Result<Answer<ServiceDescription>, Error> {
        self.call_plain(
            GET_SERVICE,
            Method::Get,
            format!("/services/{}", req.id),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **service-by-mnp** (`GET /services/mnp`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let service = client.service_by_mnp(&mserver::ServiceByMnpRequest { provider_id: "1".into(), provider_region_code: "77".into() }).await?;
    /// println!("{}", service.data.name);
    /// # Ok(()) }
    /// ```
    pub async fn service_by_mnp(
        &self,
        req: &ServiceByMnpRequest,
    ) -> Result<Answer<ServiceDescription>, Error> {
        kassa_core::text::free_text("provider_id", &req.provider_id, 64)?;
        kassa_core::text::free_text("provider_region_code", &req.provider_region_code, 16)?;
        if req.provider_id.trim().is_empty() {
            return Err(Error::invalid("provider_id", "required"));
        }
        if req.provider_region_code.trim().is_empty() {
            return Err(Error::invalid("provider_region_code", "required"));
        }
        let q = [
            ("provider_id", req.provider_id.clone()),
            ("provider_region_code", req.provider_region_code.clone()),
        ];
        self.call_plain(
            SERVICE_BY_MNP,
            Method::Get,
            "/services/mnp".into(),
            Auth::Client,
            &q,
        )
        .await
    }

    /// **mobile-operator** (`GET /services/mobile/{phone}`, no credentials).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let operator = client.mobile_operator(&mserver::MobileOperatorRequest { phone: "+79261111111".into() }).await?;
    /// println!("{}", operator.data.name);
    /// # Ok(()) }
    /// ```
    pub async fn mobile_operator(
        &self,
        req: &MobileOperatorRequest,
    ) -> Result<Answer<ServiceDescription>, Error> {
        let digits = req.phone.strip_prefix('+').unwrap_or(&req.phone);
        if digits.len() < 10 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "phone",
                "10 to 15 digits, with or without +",
            ));
        }
        self.call_plain(
            MOBILE_OPERATOR,
            Method::Get,
            format!("/services/mobile/{digits}"),
            Auth::None,
            &[],
        )
        .await
    }

    /// **order-service** (`POST /services/order`): asks for a new service. Effect `once`.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let order = client.order_service(&mserver::OrderServiceRequest { title: "Городской телефон".into() }).await?;
    /// println!("{:?}", order.data.thread_id);
    /// # Ok(()) }
    /// ```
    pub async fn order_service(
        &self,
        req: &OrderServiceRequest,
    ) -> Result<Answer<ServiceOrder>, Error> {
        kassa_core::text::free_text("title", &req.title, 500)?;
        if req.title.trim().is_empty() {
            return Err(Error::invalid("title", "required"));
        }
        self.call_json(
            ORDER_SERVICE,
            Method::Post,
            "/services/order".into(),
            Auth::Client,
            req,
        )
        .await
    }

    /// **geo** (`GET /geo`): places by the beginning of their name; `meta.geo` is the
    /// place the server detected.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let places = client.geo(&mserver::GeoRequest { filter_by: Some("title".into()), title: Some("Лоб".into()) }).await?;
    /// println!("{} places", places.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn geo(&self, req: &GeoRequest) -> Result<Answer<Vec<Place>>, Error> {
        let mut q = Vec::new();
        if let Some(f) = &req.filter_by {
            q.push(("filter_by", f.clone()));
        }
        if let Some(t) = &req.title {
            kassa_core::text::free_text("title", t, 200)?;
            q.push(("title", t.clone()));
        }
        self.call_plain(GEO, Method::Get, "/geo".into(), Auth::Client, &q)
            .await
    }
}
