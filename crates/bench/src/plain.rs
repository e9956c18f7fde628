//! The hand-written side: plain structs read by serde_json, the way a user would write
//! them without kassa (integers for minor units, strings for decimal strings).

use serde::Deserialize;

/// anor-bm `status`: the bill.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnorBill {
    pub id: i64,
    pub recipient_short_name: Option<String>,
    pub session_id: Option<String>,
    pub amount: i64,
    pub account: Option<String>,
    pub currency: i64,
    pub ext_id: Option<String>,
    pub request_time: Option<String>,
    pub response_time: Option<String>,
    pub response_text: Option<String>,
    pub success: bool,
    pub status: String,
    pub gateway_name: Option<String>,
}

/// anor-bm `login`: the token answer.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnorLogin {
    pub status_code: i64,
    pub result: AnorToken,
}

/// The token inside [`AnorLogin`].
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct AnorToken {
    pub access_token: String,
    pub expires_in: i64,
}

/// requisite-uz `payment-status`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct RequisiteEnvelope<T> {
    pub status: String,
    pub code: Option<i64>,
    pub data: T,
}

/// The data of requisite-uz `payment-status`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct RequisitePaymentStatus {
    pub payment_status: String,
    pub doc_id: String,
}

/// One requisite-uz statement row.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRow {
    pub id: i64,
    pub doc_number: String,
    pub doc_date: String,
    pub payment_date: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub mfo_payer: String,
    pub account_payer: String,
    pub name_payer: String,
    pub inn_payer: String,
    pub mfo_receiver: String,
    pub account_receiver: String,
    pub name_receiver: String,
    pub inn_receiver: String,
    pub amount: i64,
    pub purpose: String,
    pub status: String,
}

/// mobilnik `check-payment`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MobilnikCheck {
    pub status_code: i64,
    pub status_id: i64,
}

/// mserver's `meta`/`data` envelope.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverAnswer<T, M = MserverMeta> {
    pub meta: M,
    pub data: T,
}

/// mserver's `meta` (its code).
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverMeta {
    pub code: i64,
}

/// mserver `get-payment`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverPayment {
    pub id: i64,
    pub client_payment_id: Option<String>,
    pub amount: i64,
    pub total: i64,
    pub created_at: String,
    pub processed_at: Option<String>,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub inbound: Option<MserverInbound>,
    pub card: Option<MserverCard>,
}

/// A payment's inbound channel.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverInbound {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A payment's stored card.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverCard {
    pub id: i64,
    pub state: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// The `meta` of mserver `list-services`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ServicesMeta {
    pub code: i64,
    pub request_time: Option<i64>,
    pub has_next_page: Option<bool>,
}

/// One mserver service of `list-services`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverService {
    pub id: i64,
    pub name: String,
    pub keywords: Option<String>,
    pub status: String,
    pub icon_url: Option<String>,
    pub limit: Option<String>,
    pub rate: Option<MserverRate>,
    pub verification_required: Option<bool>,
    #[serde(default)]
    pub groups: Vec<MserverGroup>,
    #[serde(default)]
    pub geo: Vec<Vec<String>>,
}

/// A service's commission.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverRate {
    pub fix: i64,
    pub percent: i64,
}

/// A service group.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverGroup {
    pub id: String,
    pub name: String,
}

/// mserver `application-token`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct MserverToken {
    pub access_token: String,
    pub expires_in: i64,
}

/// exchanger's envelope.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ExchangerAnswer<T> {
    pub error: i64,
    pub error_text: String,
    pub data: T,
}

/// exchanger `bid_info`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ExchangerBid {
    pub url: String,
    pub id: String,
    pub hash: String,
    pub status: String,
    pub status_title: String,
    pub psys_give: String,
    pub psys_get: String,
    pub currency_code_give: String,
    pub currency_code_get: String,
    pub amount_give: String,
    pub amount_get: String,
    pub api_actions: ExchangerActions,
}

/// A bid's `api_actions`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ExchangerActions {
    #[serde(rename = "type")]
    pub kind: String,
    pub cancel: String,
    pub pay: String,
    pub instruction: String,
    pub pay_amount: String,
}

/// exchanger `get_exchanges` data.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ExchangerItems {
    pub items: Vec<ExchangerItem>,
}

/// One bid of `get_exchanges`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ExchangerItem {
    pub id: String,
    pub api_id: String,
    pub time: String,
    pub date: String,
    pub psys_give: String,
    pub psys_get: String,
    pub currency_code_give: String,
    pub currency_code_get: String,
    pub course_give: String,
    pub course_get: String,
    pub amount_give: String,
    pub amount_get: String,
    pub exchange_success: String,
    pub user_hash: String,
    pub user_ip: String,
    pub status: String,
    #[serde(default)]
    pub statuses: Vec<ExchangerStatus>,
}

/// One entry of a bid's status history.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct ExchangerStatus {
    pub time: String,
    pub date: String,
    pub status: String,
}
