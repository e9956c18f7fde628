//! How a fixture's request becomes an operation's `call_json` parameters, for the tests that
//! call every fixture through the operation tables (property tests, the secret scan).

use serde_json::{Map, Value};

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
    let file_name = req
        .multipart
        .as_ref()
        .and_then(|m| m.get("file"))
        .and_then(|part| part.filename.as_deref());
    crate::mserver_params::params(
        op,
        &crate::mserver_params::Request {
            path: &req.path,
            query: &req.query,
            headers: &req.headers,
            json: req.json.as_ref(),
            file_name,
        },
    )
}
