//! `test`, the currencies and directions, and the quote (`get_calc`).

use kassa_core::decimal::{CodedAmount, CurrencyCode, Decimal};
use kassa_core::{Effect, Error, Operation};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::client::Client;
use crate::wire::{SelectOptions, limit, uint, uint_opt};

/// The request of `test` and of the other methods without parameters.
///
/// ```
/// assert_eq!(serde_json::to_string(&exchanger::NoParams {})?, "{}");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// The answer of `test`.
///
/// ```
/// let t: exchanger::TestInfo = serde_json::from_str(r#"{"ip": "203.0.113.7", "user_id": "0", "locale": "ru_RU", "partner_id": 0}"#)?;
/// assert_eq!((t.user_id, t.locale.as_str()), (0, "ru_RU"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestInfo {
    /// Your IP address as the exchanger sees it.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub ip: String,
    /// The user's id (0: the system user).
    #[serde(deserialize_with = "uint")]
    pub user_id: u64,
    /// The site's language.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub locale: String,
    /// The partner's id.
    #[serde(default, deserialize_with = "uint")]
    pub partner_id: u64,
}

/// Filters of `get_direction_currencies` and `get_directions`.
///
/// ```
/// let f = exchanger::CurrencyFilter { currency_id_give: Some(1), ..Default::default() };
/// assert_eq!(serde_json::to_string(&f)?, r#"{"currency_id_give":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyFilter {
    /// Only this "give" currency.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency_id_give: Option<u64>,
    /// Only this "get" currency.
    #[serde(
        default,
        deserialize_with = "uint_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency_id_get: Option<u64>,
}

/// A currency of the exchanger.
///
/// ```
/// let c: exchanger::CurrencyItem = serde_json::from_str(r#"{"id": "1", "title": "Bitcoin BTC", "logo": ""}"#)?;
/// assert_eq!(c.id, 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyItem {
    /// Its id in the exchanger.
    #[serde(deserialize_with = "uint")]
    pub id: u64,
    /// Its title.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub title: String,
    /// Its logo's URL.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub logo: String,
}

/// The answer of `get_direction_currencies`: the "give" and "get" lists (each a list or an
/// object keyed by id).
///
/// ```
/// let item = r#"{"id": "7", "title": "Tether TRC20 USDT", "logo": ""}"#;
/// let list: exchanger::DirectionCurrencies = serde_json::from_str(&format!(r#"{{"give": [], "get": [{item}]}}"#))?;
/// let keyed: exchanger::DirectionCurrencies = serde_json::from_str(&format!(r#"{{"give": {{}}, "get": {{"7": {item}}}}}"#))?;
/// assert_eq!(list, keyed);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectionCurrencies {
    /// Currencies that can be given.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub give: Vec<CurrencyItem>,
    /// Currencies that can be got.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub get: Vec<CurrencyItem>,
}

/// One exchange direction of `get_directions`.
///
/// ```
/// let d: exchanger::DirectionSummary = serde_json::from_str(r#"{"direction_id": "12", "currency_give_id": "1", "currency_give_title": "Bitcoin BTC", "currency_give_logo": "", "currency_get_id": 7, "currency_get_title": "Tether TRC20 USDT", "currency_get_logo": ""}"#)?;
/// assert_eq!((d.direction_id, d.currency_get_id), (12, 7));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectionSummary {
    /// The direction's id.
    #[serde(deserialize_with = "uint")]
    pub direction_id: u64,
    /// The "give" currency's id.
    #[serde(deserialize_with = "uint")]
    pub currency_give_id: u64,
    /// The "give" currency's title.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub currency_give_title: String,
    /// The "give" currency's logo.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub currency_give_logo: String,
    /// The "get" currency's id.
    #[serde(deserialize_with = "uint")]
    pub currency_get_id: u64,
    /// The "get" currency's title.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub currency_get_title: String,
    /// The "get" currency's logo.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub currency_get_logo: String,
}

/// The answer of `get_directions`: a list, or an object keyed by direction id.
///
/// ```
/// let d = r#"{"direction_id": "12", "currency_give_id": "1", "currency_give_title": "BTC", "currency_give_logo": "", "currency_get_id": "7", "currency_get_title": "USDT", "currency_get_logo": ""}"#;
/// let list: exchanger::Directions = serde_json::from_str(&format!("[{d}]"))?;
/// let keyed: exchanger::Directions = serde_json::from_str(&format!(r#"{{"12": {d}}}"#))?;
/// assert_eq!(list, keyed);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Directions(
    /// The directions.
    #[serde(deserialize_with = "kassa_core::lenient::list_or_map")]
    pub Vec<DirectionSummary>,
);

/// The request of `get_direction`.
///
/// ```
/// let r = exchanger::DirectionRequest { direction_id: 12 };
/// assert_eq!(serde_json::to_string(&r)?, r#"{"direction_id":12}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectionRequest {
    /// The direction's id.
    #[serde(deserialize_with = "uint")]
    pub direction_id: u64,
}

/// A direction's texts.
///
/// ```
/// let i: exchanger::DirectionInfo = serde_json::from_str(r#"{"timeline_text": "30 minutes"}"#)?;
/// assert_eq!(i.timeline_text, "30 minutes");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectionInfo {
    /// The exchange's description.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub timeline_text: String,
    /// The text of the frozen status.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub frozen_text: String,
    /// The text before the "Pay" button.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub before_button_text: String,
}

/// A form field a bid of the direction takes (`give_fields`, `get_fields`, `dir_fields`):
/// send it to `create_bid` under `name`.
///
/// ```
/// let f: exchanger::FormField = serde_json::from_str(r#"{"name": "cf10", "type": "select", "label": "Region", "req": "0", "tooltip": "", "options": {"1": "Moscow"}, "cd": "1"}"#)?;
/// assert!(!f.required && f.cd);
/// assert_eq!(f.options.0, [("1".to_owned(), "Moscow".to_owned())]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// The parameter's name (`account1`, `cf6`, ...).
    #[serde(deserialize_with = "kassa_core::lenient::text")]
    pub name: String,
    /// The field's type (`input`, `select`, ...).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "kassa_core::lenient::text"
    )]
    pub kind: String,
    /// Its label.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub label: String,
    /// Required (`req` 1, as a number or a string).
    #[serde(
        rename = "req",
        default,
        deserialize_with = "kassa_core::lenient::flag"
    )]
    pub required: bool,
    /// Its tooltip.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub tooltip: String,
    /// The options of a select.
    #[serde(default)]
    pub options: SelectOptions,
    /// `cd` 1: the field also goes to `get_calc` in its `cd` parameter.
    #[serde(default, deserialize_with = "kassa_core::lenient::flag")]
    pub cd: bool,
}

/// The answer of `get_direction`: rates, sums and limits exact, beside their currency
/// codes; the fields a bid takes.
///
/// ```
/// let d: exchanger::Direction = serde_json::from_str(r#"{"id": "12", "url": "", "currency_code_give": "BTC", "currency_code_get": "USDT", "reserve": "152340.55", "course_give": "0.00001234", "course_get": "1", "sum_give": "0.015", "sum_give_com": "0.0152", "sum_get": "963.23", "sum_get_com": "958.23", "com_give": "", "com_get": "", "min_give": "0.001", "max_give": "no", "min_get": "no", "max_get": "10000", "info": [], "give_fields": [], "get_fields": {}, "dir_fields": []}"#)?;
/// assert_eq!(d.course_give.to_string(), "0.00001234");
/// assert_eq!((d.max_give, d.min_get), (None, None));
/// assert!(d.info.is_none() && d.get_fields.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Direction {
    /// The direction's id.
    #[serde(deserialize_with = "uint")]
    pub id: u64,
    /// The exchange page.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub url: String,
    /// The "give" currency's code (`BTC`, `CARDRUB`, ...).
    pub currency_code_give: CurrencyCode,
    /// The "get" currency's code.
    pub currency_code_get: CurrencyCode,
    /// The reserve, in the "get" currency.
    pub reserve: Decimal,
    /// The "give" side of the rate.
    pub course_give: Decimal,
    /// The "get" side of the rate.
    pub course_get: Decimal,
    /// The sum given.
    pub sum_give: Decimal,
    /// The sum given, with the commission.
    pub sum_give_com: Decimal,
    /// The sum got.
    pub sum_get: Decimal,
    /// The sum got, with the commission.
    pub sum_get_com: Decimal,
    /// The "give" commission, as text.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub com_give: String,
    /// The "get" commission, as text.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub com_get: String,
    /// The least sum given; `None` when not set (`"no"`).
    #[serde(default, deserialize_with = "limit")]
    pub min_give: Option<Decimal>,
    /// The largest sum given; `None` when not set.
    #[serde(default, deserialize_with = "limit")]
    pub max_give: Option<Decimal>,
    /// The least sum got (the document's text says "max": a slip); `None` when not set.
    #[serde(default, deserialize_with = "limit")]
    pub min_get: Option<Decimal>,
    /// The largest sum got; `None` when not set.
    #[serde(default, deserialize_with = "limit")]
    pub max_get: Option<Decimal>,
    /// The direction's texts (`[]` when none).
    #[serde(default, deserialize_with = "kassa_core::lenient::object_or_empty")]
    pub info: Option<DirectionInfo>,
    /// The "give" currency's fields.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub give_fields: Vec<FormField>,
    /// The "get" currency's fields.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub get_fields: Vec<FormField>,
    /// The direction's own fields.
    #[serde(default, deserialize_with = "kassa_core::lenient::list_or_map")]
    pub dir_fields: Vec<FormField>,
}

/// Rates, sums and limits of a direction, exact as the exchanger wrote them (its
/// precision kept), beside the currency codes. The answer of `get_calc`.
///
/// ```
/// let q: exchanger::Quote = serde_json::from_str(r#"{"currency_code_give": "BTC", "currency_code_get": "USDT", "reserve": "152340.55", "course_give": "1", "course_get": "64215.30781", "sum_give": "0.015", "sum_give_com": "0.0152", "sum_get": "963.23", "sum_get_com": "958.23", "com_give": "0.0002 BTC", "com_get": "5 USDT", "min_give": "0.001", "max_give": "no", "min_get": "no", "max_get": "10000", "changed": "1"}"#)?;
/// assert_eq!(q.to_pay().to_string(), "0.0152 BTC");
/// assert_eq!(q.max_give, None);
/// assert!(q.changed);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The "give" currency's code (`BTC`, `CARDRUB`, ...).
    pub currency_code_give: CurrencyCode,
    /// The "get" currency's code.
    pub currency_code_get: CurrencyCode,
    /// The reserve, in the "get" currency.
    pub reserve: Decimal,
    /// The "give" side of the rate.
    pub course_give: Decimal,
    /// The "get" side of the rate.
    pub course_get: Decimal,
    /// The sum given.
    pub sum_give: Decimal,
    /// The sum given, with the commission.
    pub sum_give_com: Decimal,
    /// The sum got.
    pub sum_get: Decimal,
    /// The sum got, with the commission.
    pub sum_get_com: Decimal,
    /// The "give" commission, as text.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub com_give: String,
    /// The "get" commission, as text.
    #[serde(default, deserialize_with = "kassa_core::lenient::text")]
    pub com_get: String,
    /// The least sum given; `None` when not set (`"no"`).
    #[serde(default, deserialize_with = "limit")]
    pub min_give: Option<Decimal>,
    /// The largest sum given; `None` when not set.
    #[serde(default, deserialize_with = "limit")]
    pub max_give: Option<Decimal>,
    /// The least sum got (the document's text says "max": a slip); `None` when not set.
    #[serde(default, deserialize_with = "limit")]
    pub min_get: Option<Decimal>,
    /// The largest sum got; `None` when not set.
    #[serde(default, deserialize_with = "limit")]
    pub max_get: Option<Decimal>,
    /// `get_calc` only: the amount must be changed (out of the limits).
    #[serde(default, deserialize_with = "kassa_core::lenient::flag")]
    pub changed: bool,
}

impl Direction {
    /// The direction's rates, sums and limits as a [`Quote`].
    ///
    /// ```
    /// # let d: exchanger::Direction = serde_json::from_str(r#"{"id":"12","currency_code_give":"BTC","currency_code_get":"USDT","reserve":"1","course_give":"1","course_get":"2","sum_give":"0.015","sum_give_com":"0.0152","sum_get":"1","sum_get_com":"1","min_give":"no"}"#)?;
    /// assert_eq!(d.quote().to_pay().to_string(), "0.0152 BTC");
    /// assert!(d.quote().min_give.is_none());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn quote(&self) -> Quote {
        Quote {
            currency_code_give: self.currency_code_give.clone(),
            currency_code_get: self.currency_code_get.clone(),
            reserve: self.reserve,
            course_give: self.course_give,
            course_get: self.course_get,
            sum_give: self.sum_give,
            sum_give_com: self.sum_give_com,
            sum_get: self.sum_get,
            sum_get_com: self.sum_get_com,
            com_give: self.com_give.clone(),
            com_get: self.com_get.clone(),
            min_give: self.min_give,
            max_give: self.max_give,
            min_get: self.min_get,
            max_get: self.max_get,
            changed: false,
        }
    }
}

impl Quote {
    fn give(&self, value: Decimal) -> CodedAmount {
        CodedAmount {
            value,
            currency: self.currency_code_give.clone(),
        }
    }

    fn get(&self, value: Decimal) -> CodedAmount {
        CodedAmount {
            value,
            currency: self.currency_code_get.clone(),
        }
    }

    /// The sum given with the commission, in its currency.
    ///
    /// ```
    /// # let q: exchanger::Quote = serde_json::from_str(r#"{"currency_code_give":"BTC","currency_code_get":"USDT","reserve":"1","course_give":"1","course_get":"2","sum_give":"0.015","sum_give_com":"0.0152","sum_get":"1","sum_get_com":"1"}"#)?;
    /// assert_eq!(q.to_pay().to_string(), "0.0152 BTC");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn to_pay(&self) -> CodedAmount {
        self.give(self.sum_give_com)
    }

    /// The sum got with the commission, in its currency.
    ///
    /// ```
    /// # let q: exchanger::Quote = serde_json::from_str(r#"{"currency_code_give":"BTC","currency_code_get":"USDT","reserve":"1","course_give":"1","course_get":"2","sum_give":"0.015","sum_give_com":"0.0152","sum_get":"1","sum_get_com":"958.23"}"#)?;
    /// assert_eq!(q.to_receive().to_string(), "958.23 USDT");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn to_receive(&self) -> CodedAmount {
        self.get(self.sum_get_com)
    }

    /// The reserve, in the "get" currency.
    ///
    /// ```
    /// # let q: exchanger::Quote = serde_json::from_str(r#"{"currency_code_give":"BTC","currency_code_get":"USDT","reserve":"152340.55","course_give":"1","course_get":"2","sum_give":"0","sum_give_com":"0","sum_get":"1","sum_get_com":"1"}"#)?;
    /// assert_eq!(q.reserve_amount().to_string(), "152340.55 USDT");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn reserve_amount(&self) -> CodedAmount {
        self.get(self.reserve)
    }
}

/// What `calc_amount` is (`calc_action`).
///
/// ```
/// assert_eq!(serde_json::to_string(&exchanger::CalcAction::GetWithCommission)?, "4");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalcAction {
    /// 1: the sum given.
    Give = 1,
    /// 2: the sum got.
    Get = 2,
    /// 3: the sum given, with the commission.
    GiveWithCommission = 3,
    /// 4: the sum got, with the commission.
    GetWithCommission = 4,
}

impl Serialize for CalcAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(*self as u8)
    }
}

impl<'de> Deserialize<'de> for CalcAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CalcAction, D::Error> {
        match kassa_core::lenient::uint(d)? {
            1 => Ok(CalcAction::Give),
            2 => Ok(CalcAction::Get),
            3 => Ok(CalcAction::GiveWithCommission),
            4 => Ok(CalcAction::GetWithCommission),
            n => Err(serde::de::Error::custom(format!(
                "calc_action is 1 to 4, got {n}"
            ))),
        }
    }
}

/// The request of `get_calc`.
///
/// ```
/// use exchanger::{CalcAction, CalcRequest};
/// let req = CalcRequest::new(12, "0.015".parse()?, CalcAction::Give).cd("cf10", "1");
/// assert_eq!(req.cd_param().as_deref(), Some("cf10%3D1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalcRequest {
    /// The direction's id.
    #[serde(deserialize_with = "uint")]
    pub direction_id: u64,
    /// The amount.
    pub calc_amount: Decimal,
    /// What the amount is.
    pub calc_action: CalcAction,
    /// The direction's fields marked `cd` 1, as (name, value); sent URL-encoded in one
    /// parameter. From JSON: an already-encoded text is also accepted as `cd_encoded`.
    #[serde(default)]
    pub cd: Vec<(String, String)>,
    /// The `cd` parameter as the exchanger wants it (already URL-encoded), when given whole.
    #[serde(
        default,
        rename = "cd_encoded",
        skip_serializing_if = "Option::is_none"
    )]
    pub cd_encoded: Option<String>,
}

impl CalcRequest {
    /// A quote of `amount` for the direction.
    ///
    /// ```
    /// let r = exchanger::CalcRequest::new(12, "1".parse()?, exchanger::CalcAction::Get);
    /// assert!(r.cd.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(direction_id: u64, calc_amount: Decimal, calc_action: CalcAction) -> CalcRequest {
        CalcRequest {
            direction_id,
            calc_amount,
            calc_action,
            cd: Vec::new(),
            cd_encoded: None,
        }
    }

    /// Adds a `cd` field.
    ///
    /// ```
    /// let r = exchanger::CalcRequest::new(12, "1".parse()?, exchanger::CalcAction::Get).cd("cf10", "1");
    /// assert_eq!(r.cd.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cd(mut self, name: impl Into<String>, value: impl Into<String>) -> CalcRequest {
        self.cd.push((name.into(), value.into()));
        self
    }

    /// The `cd` parameter: the fields as a query string (`name=value&...`, each pair
    /// form-encoded, so a value holding `&` or `=` survives), URL-encoded as one value. The
    /// form body then encodes it once more, as the document's "URL encode" field wants.
    ///
    /// ```
    /// let r = exchanger::CalcRequest::new(1, "1".parse()?, exchanger::CalcAction::Give).cd("cf10", "1").cd("cf11", "a&b");
    /// assert_eq!(r.cd_param().as_deref(), Some("cf10%3D1%26cf11%3Da%2526b"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cd_param(&self) -> Option<String> {
        if let Some(encoded) = &self.cd_encoded {
            return Some(encoded.clone());
        }
        if self.cd.is_empty() {
            return None;
        }
        let joined: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.cd.iter())
            .finish();
        Some(form_urlencoded::byte_serialize(joined.as_bytes()).collect())
    }
}

#[derive(Serialize)]
struct CalcForm {
    direction_id: u64,
    calc_amount: Decimal,
    calc_action: CalcAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    cd: Option<String>,
}

pub(crate) fn check_amount(field: &'static str, amount: &Decimal) -> Result<(), Error> {
    if amount.value().is_sign_positive() && !amount.value().is_zero() {
        Ok(())
    } else {
        Err(Error::invalid(field, "must be more than zero"))
    }
}

impl Client {
    /// `test`: checks the credentials; answers your IP and user. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let me = client.test(&exchanger::NoParams {}).await?;
    /// println!("{} {}", me.ip, me.user_id);
    /// # Ok(()) }
    /// ```
    pub async fn test(&self, _req: &NoParams) -> Result<TestInfo, Error> {
        const OP: Operation = Operation::new(PROVIDER, "test", Effect::Read);
        self.object(OP, "test", &NoParams {}).await
    }

    /// `get_direction_currencies`: the currencies that can be given and got. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let c = client.get_direction_currencies(&Default::default()).await?;
    /// println!("{} to give", c.give.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_direction_currencies(
        &self,
        req: &CurrencyFilter,
    ) -> Result<DirectionCurrencies, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-direction-currencies", Effect::Read);
        self.listing(OP, "get_direction_currencies", req).await
    }

    /// `get_directions`: the exchange directions. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// for d in client.get_directions(&Default::default()).await?.0 {
    ///     println!("{}: {} -> {}", d.direction_id, d.currency_give_title, d.currency_get_title);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_directions(&self, req: &CurrencyFilter) -> Result<Directions, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-directions", Effect::Read);
        self.listing(OP, "get_directions", req).await
    }

    /// `get_direction`: one direction, with the fields a bid takes. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), kassa_core::Error> {
    /// let d = client.get_direction(&exchanger::DirectionRequest { direction_id: 12 }).await?;
    /// for f in d.give_fields.iter().chain(&d.get_fields).chain(&d.dir_fields) {
    ///     println!("{} ({}) required: {}", f.name, f.label, f.required);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_direction(&self, req: &DirectionRequest) -> Result<Direction, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-direction", Effect::Read);
        self.object(OP, "get_direction", req).await
    }

    /// `get_calc`: a quote, with the precision the exchanger sends. A read.
    ///
    /// ```no_run
    /// # async fn run(client: exchanger::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use exchanger::{CalcAction, CalcRequest};
    /// let q = client.get_calc(&CalcRequest::new(12, "0.015".parse()?, CalcAction::Give)).await?;
    /// println!("pay {}, receive {}", q.to_pay(), q.to_receive());
    /// # Ok(()) }
    /// ```
    pub async fn get_calc(&self, req: &CalcRequest) -> Result<Quote, Error> {
        const OP: Operation = Operation::new(PROVIDER, "get-calc", Effect::Read);
        check_amount("calc_amount", &req.calc_amount)?;
        for (name, value) in &req.cd {
            if name.trim().is_empty() || value.chars().any(char::is_control) {
                return Err(Error::invalid("cd", format!("a bad cd field `{name}`")));
            }
        }
        let form = CalcForm {
            direction_id: req.direction_id,
            calc_amount: req.calc_amount,
            calc_action: req.calc_action,
            cd: req.cd_param(),
        };
        self.object(OP, "get_calc", &form).await
    }
}
