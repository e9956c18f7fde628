//! How a fixture's request becomes an operation's `call_json` parameters, for the tests that
//! call every fixture through the operation tables (property tests, the secret scan).

use serde_json::{Map, Value, json};

use crate::Fixture;

/// mserver's parameters from the fixture's request: its JSON body, its query, the
/// `If-Modified-Since` header as `modified_since`, and the path's id or phone, under the
/// names the request types take (as the contract tests give them).
///
/// ```
/// let f = kassa_testkit::Fixture::load("mserver", "get-payment", "ok");
/// let p = kassa_testkit::params::mserver("get-payment", &f);
/// assert!(p["id"].is_u64());
/// ```
pub fn mserver(op: &str, f: &Fixture) -> Map<String, Value> {
    let req = &f.request;
    let mut p = match &req.json {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for (k, v) in &req.query {
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
            let name = req
                .multipart
                .as_ref()
                .and_then(|m| m.get("file"))
                .and_then(|part| part.filename.clone())
                .unwrap_or_else(|| "photo.jpg".to_owned());
            p.insert("file_name".into(), json!(name));
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
