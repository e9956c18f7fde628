//! Large answers built from the fixtures' row shapes: the fixture's first row repeated,
//! with its ids made distinct, inside the fixture's own envelope.

use kassa_testkit::Fixture;
use serde_json::Value;

fn answer(provider: &str, operation: &str) -> Value {
    Fixture::load(provider, operation, "ok")
        .response
        .json
        .expect("the fixture answers JSON")
}

/// A requisite-uz statement (`POST /api/v2/account/payments`) of `rows` rows.
///
/// ```
/// let body = kassa_bench::payloads::statement(3);
/// let v: serde_json::Value = serde_json::from_slice(&body)?;
/// assert_eq!(v["data"].as_array().map(Vec::len), Some(3));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn statement(rows: usize) -> Vec<u8> {
    let mut v = answer("requisite-uz", "statement");
    let row = v["data"][0].clone();
    let base = row["id"].as_i64().expect("a row id");
    let data = (0..rows)
        .map(|i| {
            let mut r = row.clone();
            let id = base + i as i64;
            r["id"] = id.into();
            r["docNumber"] = (1917830 + i).to_string().into();
            r["amount"] = (400 + (i % 1000) as i64 * 100).into();
            r
        })
        .collect();
    v["data"] = Value::Array(data);
    serde_json::to_vec(&v).expect("serializes")
}

/// An mserver `list-services` answer (`GET /services`) of `services` services.
///
/// ```
/// let body = kassa_bench::payloads::services(3);
/// let v: serde_json::Value = serde_json::from_slice(&body)?;
/// assert_eq!(v["data"].as_array().map(Vec::len), Some(3));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn services(services: usize) -> Vec<u8> {
    let mut v = answer("mserver", "list-services");
    let item = v["data"][0].clone();
    let data = (0..services)
        .map(|i| {
            let mut s = item.clone();
            s["id"] = (i + 1).into();
            s["name"] = format!("Сервис {i}").into();
            s
        })
        .collect();
    v["data"] = Value::Array(data);
    serde_json::to_vec(&v).expect("serializes")
}

/// An exchanger `get_exchanges` answer of `items` bids.
///
/// ```
/// let body = kassa_bench::payloads::exchanges(3);
/// let v: serde_json::Value = serde_json::from_slice(&body)?;
/// assert_eq!(v["data"]["items"].as_array().map(Vec::len), Some(3));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn exchanges(items: usize) -> Vec<u8> {
    let mut v = answer("exchanger", "get-exchanges");
    let item = v["data"]["items"][0].clone();
    let data = (0..items)
        .map(|i| {
            let mut b = item.clone();
            b["id"] = (1350 + i).to_string().into();
            b["api_id"] = format!("order-{i}").into();
            b
        })
        .collect();
    v["data"]["items"] = Value::Array(data);
    serde_json::to_vec(&v).expect("serializes")
}
