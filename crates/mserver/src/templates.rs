//! Payment templates: saved `out` payments to a service. Create, list (the user's own, or
//! public ones with a phone, page by page), read, change, delete. They take a bearer token
//! only: a client holding other credentials is refused before anything is sent.
//!
//! The shapes differ by call, as the document shows them: creating sends `amount` as a
//! number and the values as `parameters`; changing sends them as `params`; reading answers
//! `amount` as `{value, disabled}`.

use std::collections::BTreeMap;

use kassa_core::{Effect, Error, Method, Money, Operation, Reconcile};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer::{Answer, Done};
use crate::auth::{Credentials, Phone};
use crate::cards::open_enum;
use crate::client::{Auth, Client};
use crate::invoices::{check_amount, rub_amount};

const CREATE_TEMPLATE: Operation = Operation::new(PROVIDER, "create-template", Effect::Once);
const LIST_TEMPLATES: Operation = Operation::new(PROVIDER, "list-templates", Effect::Read);
const GET_TEMPLATE: Operation = Operation::new(PROVIDER, "get-template", Effect::Read);
const UPDATE_TEMPLATE: Operation = Operation::new(PROVIDER, "update-template", Effect::Once);
const DELETE_TEMPLATE: Operation = Operation::new(PROVIDER, "delete-template", Effect::Once);

open_enum! {
    /// A template's `type`: the user's own, or public (visible to other wallets).
    ///
    /// ```
    /// use mserver::TemplateKind;
    /// assert_eq!(TemplateKind::from_raw("public"), TemplateKind::Public);
    /// assert_eq!(TemplateKind::from_raw(""), TemplateKind::Unknown(String::new()));
    /// ```
    TemplateKind {
        /// `private`.
        Private = "private",
        /// `public`.
        Public = "public",
    }
}

/// A template's amount as read: the value and whether the payer may change it.
///
/// ```
/// let a: mserver::TemplateAmount = serde_json::from_str(r#"{"value": 1000, "disabled": false}"#)?;
/// assert_eq!(a.value.to_major_string(), "1000.00");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateAmount {
    /// `value`, in roubles, exact.
    #[serde(with = "kassa_core::money::serde::rub::major_number")]
    pub value: Money,
    /// `disabled`: the payer may not change it.
    #[serde(default)]
    pub disabled: bool,
}

/// One parameter of a template's service, with the template's value.
///
/// ```
/// let p: mserver::TemplateParam = serde_json::from_str(r#"{"id": "address", "title": "Адрес", "is_required": true, "value": "ул. 1"}"#)?;
/// assert_eq!(p.value.as_deref(), Some("ул. 1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateParam {
    /// `id`: the parameter's name.
    pub id: String,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `type`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `is_required`.
    #[serde(default)]
    pub is_required: bool,
    /// `is_disabled`: the payer may not change it.
    #[serde(default)]
    pub is_disabled: bool,
    /// `is_hidden`.
    #[serde(default)]
    pub is_hidden: bool,
    /// `value`: the template's value.
    #[serde(default)]
    pub value: Option<String>,
}

/// A template's service category.
///
/// ```
/// let c: mserver::TemplateCategory = serde_json::from_str(r#"{"id": "549c", "name": "Коммунальные услуги"}"#)?;
/// assert_eq!(c.name.as_deref(), Some("Коммунальные услуги"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCategory {
    /// `id`.
    pub id: String,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
}

/// The service a template pays.
///
/// ```
/// let s: mserver::TemplateService = serde_json::from_str(r#"{"id": 1690, "name": "ТСЖ", "minsum": 1, "maxsum": 15000, "params": []}"#)?;
/// assert_eq!(s.maxsum.map(|m| m.minor), Some(1_500_000));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateService {
    /// `id`.
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `icon_url`.
    #[serde(default)]
    pub icon_url: Option<String>,
    /// `minsum`, in roubles.
    #[serde(default, with = "kassa_core::money::serde::rub::major_number::option")]
    pub minsum: Option<Money>,
    /// `maxsum`, in roubles.
    #[serde(default, with = "kassa_core::money::serde::rub::major_number::option")]
    pub maxsum: Option<Money>,
    /// `verification_required`.
    #[serde(default)]
    pub verification_required: bool,
    /// `params`: the service's parameters with the template's values.
    #[serde(default)]
    pub params: Vec<TemplateParam>,
    /// `category`.
    #[serde(default)]
    pub category: Option<TemplateCategory>,
}

/// A template as read.
///
/// ```
/// let t: mserver::Template = serde_json::from_str(r#"{"id": "54d2", "name": "aloha", "type": "public",
///     "amount": {"value": 1000, "disabled": false}, "service": {"id": 1690, "name": "ТСЖ"}}"#)?;
/// assert_eq!(t.kind, mserver::TemplateKind::Public);
/// assert_eq!(t.amount.map(|a| a.value.minor), Some(100_000));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// `id`.
    pub id: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: TemplateKind,
    /// `amount`.
    #[serde(default)]
    pub amount: Option<TemplateAmount>,
    /// `service`.
    #[serde(default)]
    pub service: Option<TemplateService>,
}

/// The answer of `create-template`: the new template's id.
///
/// ```
/// let c: mserver::TemplateId = serde_json::from_str(r#"{"id": "54d23587a60ad674680041be"}"#)?;
/// assert_eq!(c.id, "54d23587a60ad674680041be");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateId {
    /// `id`.
    pub id: String,
}

/// The parameters of `create-template`; the values go as `parameters`.
///
/// ```
/// let r: mserver::CreateTemplateRequest = serde_json::from_str(r#"{"name": "Template", "amount": 350, "type": "public",
///     "service_id": 1000, "parameters": {"phoneNumber": "+380509990088"}, "disabled": ["phoneNumber"]}"#)?;
/// assert!(serde_json::to_string(&r)?.contains(r#""amount":350,"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTemplateRequest {
    /// `name`.
    pub name: String,
    /// `amount`, in roubles (sent as a number).
    #[serde(with = "rub_amount")]
    pub amount: Money,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: TemplateKind,
    /// `service_id`: the service paid (templates are `out` payments).
    pub service_id: u64,
    /// `parameters`: the service's parameter values.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// `disabled`: the fields the payer may not change.
    #[serde(default)]
    pub disabled: Vec<String>,
}

/// The parameters of `update-template`: the template's id (in the path) and its new
/// content; the values go as `params`, as the document's update example sends them.
///
/// ```
/// let r: mserver::UpdateTemplateRequest = serde_json::from_str(r#"{"id": "5422dd02", "name": "Template", "amount": 350,
///     "type": "public", "service_id": 1000, "params": {"phoneNumber": "+380509990088"}}"#)?;
/// let body = serde_json::to_string(&r)?;
/// assert!(body.contains(r#""params":"#) && !body.contains("5422dd02"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplateRequest {
    /// The template's id (the path, not the body).
    #[serde(skip_serializing)]
    pub id: String,
    /// `name`.
    pub name: String,
    /// `amount`, in roubles (sent as a number).
    #[serde(with = "rub_amount")]
    pub amount: Money,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: TemplateKind,
    /// `service_id`.
    pub service_id: u64,
    /// `params`: the service's parameter values.
    #[serde(default, rename = "params")]
    pub parameters: BTreeMap<String, String>,
    /// `disabled`: the fields the payer may not change.
    #[serde(default)]
    pub disabled: Vec<String>,
}

/// The parameters of `list-templates`: `type` (none or `private`: the user's own, `phone`
/// ignored; `public`: those of the wallet `phone`) and the page.
///
/// ```
/// let r: mserver::ListTemplatesRequest = serde_json::from_str(r#"{"type": "public", "phone": "+79261111111", "page": 0, "size": 20}"#)?;
/// assert_eq!(r.kind, Some(mserver::TemplateKind::Public));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListTemplatesRequest {
    /// `type`.
    #[serde(default, rename = "type")]
    pub kind: Option<TemplateKind>,
    /// `phone`: whose public templates.
    #[serde(default)]
    pub phone: Option<String>,
    /// `page`.
    #[serde(default)]
    pub page: Option<u32>,
    /// `size`.
    #[serde(default)]
    pub size: Option<u32>,
}

/// The parameters of `get-template` and `delete-template`.
///
/// ```
/// let r: mserver::TemplateRequest = serde_json::from_str(r#"{"id": "5422dd02b7f47b52010041a9"}"#)?;
/// assert_eq!(r.id, "5422dd02b7f47b52010041a9");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    /// The template's id.
    pub id: String,
}

fn check_id(id: &str) -> Result<(), Error> {
    kassa_core::text::path_id("id", id)?;
    if id.len() > 64 {
        return Err(Error::invalid("id", "at most 64 characters"));
    }
    Ok(())
}

fn check_kind(kind: &TemplateKind) -> Result<(), Error> {
    match kind {
        TemplateKind::Unknown(_) => Err(Error::invalid("type", "`private` or `public`")),
        _ => Ok(()),
    }
}

fn check_content(
    name: &str,
    amount: &Money,
    kind: &TemplateKind,
    service_id: u64,
    values_field: &str,
    values: &BTreeMap<String, String>,
    disabled: &[String],
) -> Result<(), Error> {
    kassa_core::text::free_text("name", name, 255)?;
    check_amount("amount", amount)?;
    check_kind(kind)?;
    if service_id == 0 {
        return Err(Error::invalid("service_id", "a service's id (more than 0)"));
    }
    for (k, v) in values {
        kassa_core::text::free_text(values_field, k, 64)?;
        if v.chars().any(char::is_control) {
            return Err(Error::invalid(
                format!("{values_field}.{k}"),
                "no control characters",
            ));
        }
    }
    for d in disabled {
        kassa_core::text::free_text("disabled", d, 64)?;
    }
    Ok(())
}

impl Client {
    /// Templates take a bearer token only: refuses a wallet or application client before
    /// sending, naming why.
    fn bearer_only(&self) -> Result<(), Error> {
        match &self.inner.credentials {
            Credentials::Bearer(_) => Ok(()),
            Credentials::None => Err(Error::invalid(
                "credentials",
                "payment templates need a bearer token (ClientBuilder::bearer); this client has none",
            )),
            Credentials::Wallet { .. } => Err(Error::invalid(
                "credentials",
                "payment templates need a bearer token (ClientBuilder::bearer), not a wallet's Basic credentials",
            )),
            Credentials::Application { .. } => Err(Error::invalid(
                "credentials",
                "payment templates need a bearer token (ClientBuilder::bearer), not the application token",
            )),
        }
    }

    /// **create-template** (`POST /payments/templates`). Bearer token only. `Once`: a lost
    /// answer is outcome-unknown naming `list-templates` (a repeat would save a second one).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let made = client.create_template(&mserver::CreateTemplateRequest {
    ///     name: "Phone".into(),
    ///     amount: kassa_core::Money::new(35000, kassa_core::Currency::RUB),
    ///     kind: mserver::TemplateKind::Private,
    ///     service_id: 1000,
    ///     parameters: [("phoneNumber".to_owned(), "+380509990088".to_owned())].into(),
    ///     disabled: vec![],
    /// }).await?;
    /// println!("template {}", made.data.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_template(
        &self,
        req: &CreateTemplateRequest,
    ) -> Result<Answer<TemplateId>, Error> {
        self.bearer_only()?;
        check_content(
            &req.name,
            &req.amount,
            &req.kind,
            req.service_id,
            "parameters",
            &req.parameters,
            &req.disabled,
        )?;
        let op = CREATE_TEMPLATE.reconcile_with(Reconcile::new("list-templates"));
        self.call_json(
            op,
            Method::Post,
            "/payments/templates".into(),
            Auth::Client,
            req,
        )
        .await
    }

    /// **list-templates** (`GET /payments/templates`). Bearer token only.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let page = client.list_templates(&mserver::ListTemplatesRequest {
    ///     kind: Some(mserver::TemplateKind::Public),
    ///     phone: Some("+79261111111".into()),
    ///     page: Some(0),
    ///     size: Some(20),
    /// }).await?;
    /// println!("{} templates, more: {:?}", page.data.len(), page.meta.has_next_page);
    /// # Ok(()) }
    /// ```
    pub async fn list_templates(
        &self,
        req: &ListTemplatesRequest,
    ) -> Result<Answer<Vec<Template>>, Error> {
        self.bearer_only()?;
        let mut query = Vec::new();
        if let Some(kind) = &req.kind {
            check_kind(kind)?;
            query.push(("type", kind.as_str().to_owned()));
        }
        if let Some(phone) = &req.phone {
            query.push(("phone", Phone::checked("phone", phone.clone())?.to_string()));
        }
        if let Some(page) = req.page {
            query.push(("page", page.to_string()));
        }
        if let Some(size) = req.size {
            if size == 0 {
                return Err(Error::invalid("size", "more than 0"));
            }
            query.push(("size", size.to_string()));
        }
        self.call_plain(
            LIST_TEMPLATES,
            Method::Get,
            "/payments/templates".into(),
            Auth::Client,
            &query,
        )
        .await
    }

    /// **get-template** (`GET /payments/templates/{id}`). Bearer token only.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let t = client.get_template(&mserver::TemplateRequest { id: "5422dd02b7f47b52010041a9".into() }).await?;
    /// println!("{}", t.data.name);
    /// # Ok(()) }
    /// ```
    pub async fn get_template(&self, req: &TemplateRequest) -> Result<Answer<Template>, Error> {
        self.bearer_only()?;
        check_id(&req.id)?;
        self.call_plain(
            GET_TEMPLATE,
            Method::Get,
            format!("/payments/templates/{}", req.id),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **update-template** (`POST /payments/templates/{id}`). Bearer token only. `Once`: a
    /// lost answer is outcome-unknown naming `get-template` with the id.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.update_template(&mserver::UpdateTemplateRequest {
    ///     id: "5422dd02b7f47b52010041a9".into(),
    ///     name: "Phone".into(),
    ///     amount: kassa_core::Money::new(35000, kassa_core::Currency::RUB),
    ///     kind: mserver::TemplateKind::Public,
    ///     service_id: 1000,
    ///     parameters: [("phoneNumber".to_owned(), "+380509990088".to_owned())].into(),
    ///     disabled: vec!["phoneNumber".into()],
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_template(
        &self,
        req: &UpdateTemplateRequest,
    ) -> Result<Answer<Done>, Error> {
        self.bearer_only()?;
        check_id(&req.id)?;
        check_content(
            &req.name,
            &req.amount,
            &req.kind,
            req.service_id,
            "params",
            &req.parameters,
            &req.disabled,
        )?;
        let op = UPDATE_TEMPLATE
            .reconcile_with(Reconcile::new("get-template").param("id", req.id.clone()));
        self.call_json(
            op,
            Method::Post,
            format!("/payments/templates/{}", req.id),
            Auth::Client,
            req,
        )
        .await
    }

    /// **delete-template** (`DELETE /payments/templates/{id}`). Bearer token only. `Once`:
    /// a lost answer is outcome-unknown naming `get-template` with the id (a 404 there
    /// means it is gone).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.delete_template(&mserver::TemplateRequest { id: "5422dd02b7f47b52010041a9".into() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_template(&self, req: &TemplateRequest) -> Result<Answer<Done>, Error> {
        self.bearer_only()?;
        check_id(&req.id)?;
        let op = DELETE_TEMPLATE
            .reconcile_with(Reconcile::new("get-template").param("id", req.id.clone()));
        self.call_plain(
            op,
            Method::Delete,
            format!("/payments/templates/{}", req.id),
            Auth::Client,
            &[],
        )
        .await
    }
}
