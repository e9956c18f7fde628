//! mserver's `call_json` parameters from a recorded request: its JSON body, its query, the
//! `If-Modified-Since` header as `modified_since`, and the path's id or phone, under the
//! names the request types take. One reader for the property tests and the secret scan
//! (through `kassa_testkit::params::mserver`) and for the fuzz targets, which sit outside
//! the workspace and take this file by path: it needs nothing but `serde_json`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// The parts of a recorded request the reader looks at.
pub struct Request<'a> {
    /// The path, with its ids (`/payments/7/pay`).
    pub path: &'a str,
    /// The query.
    pub query: &'a BTreeMap<String, String>,
    /// The headers, lower-case names.
    pub headers: &'a BTreeMap<String, String>,
    /// The JSON body.
    pub json: Option<&'a Value>,
    /// The file name of the multipart part `file`, if any.
    pub file_name: Option<&'a str>,
}

/// The parameters of `op` for `req`.
pub fn params(op: &str, req: &Request<'_>) -> Map<String, Value> {
    let mut p = match req.json {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for (k, v) in req.query {
        let v = match (op, v.parse::<u32>()) {
            ("list-services", Ok(n)) => json!(n),
            _ => json!(v),
        };
        p.insert(k.clone(), v);
    }
    if let Some(n) = req
        .headers
        .get("if-modified-since")
        .and_then(|s| s.parse::<i64>().ok())
    {
        p.insert("modified_since".into(), json!(n));
    }
    let last = req.path.rsplit('/').next().unwrap_or_default().to_owned();
    let number = |s: &str| s.parse::<u64>().map(|n| json!(n)).unwrap_or(json!(s));
    match op {
        "get-service" | "get-card" | "delete-card" | "get-payment" => {
            p.insert("id".into(), number(&last));
        }
        "mobile-operator" => {
            p.insert("phone".into(), json!(last));
        }
        "delete-wallet" => {
            p.insert("phone".into(), json!(last.replace("%2B", "+")));
            p.insert(
                "admin".into(),
                json!({"login": "test-admin", "password": "test-admin-password"}),
            );
        }
        "find-wallets" => {
            if let Some(contacts) = p.remove("contacts") {
                let phones: Vec<Value> = contacts
                    .as_array()
                    .map(|a| a.iter().map(|c| c["phone"].clone()).collect())
                    .unwrap_or_default();
                p.insert("phones".into(), json!(phones));
            } else {
                p.insert("shape".into(), json!("phones"));
            }
        }
        "get-template" | "update-template" | "delete-template" => {
            p.insert("id".into(), json!(last));
        }
        "cancel-invoice" | "duplicate-invoice" | "pay-invoice" => {
            let id = req.path.split('/').nth(2).unwrap_or_default();
            p.insert("id".into(), json!(id));
        }
        "upload-picture" => {
            let jpeg: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
            p.insert("bytes".into(), json!(jpeg));
            p.insert(
                "file_name".into(),
                json!(req.file_name.unwrap_or("photo.jpg")),
            );
        }
        "pay-payment" => {
            let id = req.path.rsplit('/').nth(1).unwrap_or_default();
            p.insert("id".into(), number(id));
        }
        "payment-bill" => {
            if let Some(lang) = req.headers.get("accept-language") {
                p.insert("language".into(), json!(lang));
            }
        }
        "list-payments" => {
            for k in ["page", "size"] {
                if let Some(n) = p
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(|n| n.parse::<u32>().ok())
                {
                    p.insert(k.into(), json!(n));
                }
            }
            for k in ["type", "status"] {
                if let Some(list) = p.get(k).and_then(Value::as_str) {
                    let items: Vec<&str> = list.split(',').collect();
                    p.insert(k.into(), json!(items));
                }
            }
        }
        _ => {}
    }
    p
}
