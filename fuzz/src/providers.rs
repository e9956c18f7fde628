//! The five provider crates as the harness drives them: their clients built with the
//! fixtures' credentials, and each fixture's request turned into `call_json` parameters the
//! way the crates' contract tests do.

use std::collections::BTreeMap;
use std::sync::Arc;

use kassa_core::ops::OperationInfo;
use kassa_core::secret::SecretString;
use kassa_core::{Error, RetryPolicy, Timeouts, Transport};
use serde_json::{Value, json};

use crate::{BASE, Fixture, Provider};

// The same reader as the workspace's tests (kassa-testkit's `params::mserver`), taken by
// path: depending on kassa-testkit would bring wiremock and insta into the fuzz build.
#[path = "../../crates/testkit/src/mserver_params.rs"]
mod mserver_params;

fn json_text(f: &Fixture) -> String {
    f.request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Anor BM: the fixture's JSON body (the client builds `login`'s itself).
pub struct AnorBm;

impl Provider for AnorBm {
    const NAME: &'static str = "anor-bm";
    type Client = anor_bm::Client;

    fn operations() -> &'static [OperationInfo] {
        anor_bm::OPERATIONS
    }

    fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> anor_bm::Client {
        anor_bm::Client::builder(BASE, "test-user", "test-password")
            .transport(transport)
            .retry(RetryPolicy::none())
            .timeouts(Timeouts::none())
            .build()
            .expect("client builds")
    }

    fn params(op: &str, f: &Fixture) -> String {
        if op == "login" {
            String::new()
        } else {
            json_text(f)
        }
    }

    async fn call(client: &anor_bm::Client, op: &str, params: &str) -> Result<String, Error> {
        anor_bm::call_json(client, op, params).await
    }
}

/// requisite-uz: the JSON body, or the id in the path.
pub struct RequisiteUz;

impl Provider for RequisiteUz {
    const NAME: &'static str = "requisite-uz";
    type Client = requisite_uz::Client;

    fn operations() -> &'static [OperationInfo] {
        requisite_uz::OPERATIONS
    }

    fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> requisite_uz::Client {
        requisite_uz::Client::builder(BASE)
            .credentials("test-user", "test-password")
            .transport(transport)
            .retry(RetryPolicy::none())
            .timeouts(Timeouts::none())
            .build()
            .expect("client builds")
    }

    fn params(op: &str, f: &Fixture) -> String {
        let path = f.request.path.as_str();
        match op {
            "payment-status" => match path.strip_prefix("/api/v2/payment/") {
                Some(id) => json!({ "orderId": id }).to_string(),
                None => json_text(f),
            },
            "balance" => match path
                .strip_prefix("/api/v2/account/")
                .and_then(|p| p.strip_suffix("/balance"))
            {
                Some(id) => json!({ "serviceId": id }).to_string(),
                None => json_text(f),
            },
            _ => json_text(f),
        }
    }

    async fn call(client: &requisite_uz::Client, op: &str, params: &str) -> Result<String, Error> {
        requisite_uz::call_json(client, op, params).await
    }
}

/// Mobilnik: the query's fields but those the client adds itself.
pub struct Mobilnik;

impl Provider for Mobilnik {
    const NAME: &'static str = "mobilnik";
    type Client = mobilnik::Client;

    fn operations() -> &'static [OperationInfo] {
        mobilnik::OPERATIONS
    }

    fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> mobilnik::Client {
        mobilnik::Client::builder()
            .base_url(BASE)
            .login("test")
            .password(SecretString::from("test-password".to_owned()))
            .device_id(mobilnik::DeviceId::new("test-device-id").expect("device id"))
            .device_name("kassa-test")
            .transport(transport)
            .retry(RetryPolicy::none())
            .timeouts(Timeouts::none())
            .build()
            .expect("client builds")
    }

    fn params(op: &str, f: &Fixture) -> String {
        let params: BTreeMap<&str, &str> = if op == "authenticate" {
            BTreeMap::new()
        } else {
            f.request
                .query
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "id" | "token" | "client"))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect()
        };
        serde_json::to_string(&params).expect("parameters as JSON")
    }

    async fn call(client: &mobilnik::Client, op: &str, params: &str) -> Result<String, Error> {
        mobilnik::call_json(client, op, params).await
    }
}

/// The payment notification's app id, secret and token (`sha1(app_id + app_secret)`).
const APP_ID: &str = "test-app-id";
const APP_SECRET: &str = "test-app-secret";
const APP_TOKEN: &str = "36849797cc664a7dcf42fc7bf1d5e03249445e07";

/// mserver: the JSON body, query and path parameters; the client the fixture's
/// authorization shows. The payment notification is verified locally: its body is fed to
/// `verify_payment_notification` with a genuine token, so the event decoder reads it.
pub struct Mserver;

impl Mserver {
    fn builder(transport: Arc<dyn Transport>) -> mserver::ClientBuilder {
        mserver::Client::builder()
            .base_url(BASE)
            .transport(transport)
            .retry(RetryPolicy::none())
            .timeouts(Timeouts::none())
    }
}

impl Provider for Mserver {
    const NAME: &'static str = "mserver";
    type Client = mserver::Client;

    fn operations() -> &'static [OperationInfo] {
        mserver::OPERATIONS
    }

    fn client(op: &str, f: &Fixture, transport: Arc<dyn Transport>) -> mserver::Client {
        let auth = f.request.headers.get("authorization");
        let b = Self::builder(transport);
        let b = if op == "application-token"
            || f.request.headers.contains_key("x-authorization-type")
        {
            b.token_url(format!("{BASE}/oauth/token"))
                .application("test-client-id", "test-client-secret".into())
        } else if auth.is_some_and(|a| a == "Bearer test-access-token") {
            b.bearer("test-access-token".into())
        } else {
            b.wallet("+79261111111", "test-password".into())
                .expect("a wallet")
        };
        b.build().expect("client builds")
    }

    fn params(op: &str, f: &Fixture) -> String {
        let req = &f.request;
        let file_name = req
            .multipart
            .as_ref()
            .and_then(|m| m["file"]["filename"].as_str());
        let p = mserver_params::params(
            op,
            &mserver_params::Request {
                path: &req.path,
                query: &req.query,
                headers: &req.headers,
                json: req.json.as_ref(),
                file_name,
            },
        );
        Value::Object(p).to_string()
    }

    async fn call(client: &mserver::Client, op: &str, params: &str) -> Result<String, Error> {
        mserver::call_json(client, op, params).await
    }

    fn local(op: &str, body: &[u8]) -> bool {
        if op != "payment-notification" {
            return false;
        }
        let secret = SecretString::from(APP_SECRET.to_owned());
        let query = [("app_id", APP_ID), ("access_token", APP_TOKEN)];
        let headers = [("content-type", "application/json")];
        if let Ok(event) =
            mserver::verify_payment_notification(body, query, headers, APP_ID, &secret)
        {
            let _ = format!("{:?}", event.get());
        }
        true
    }
}

/// The exchanger: the form's fields, get-calc's `cd` as its (name, value) pairs. Its
/// inbound decoder (the bid callback's form) comes after the operations.
pub struct Exchanger;

impl Provider for Exchanger {
    const NAME: &'static str = "exchanger";
    type Client = exchanger::Client;

    fn operations() -> &'static [OperationInfo] {
        exchanger::OPERATIONS
    }

    fn client(_op: &str, _f: &Fixture, transport: Arc<dyn Transport>) -> exchanger::Client {
        exchanger::Client::builder(BASE)
            .login("test-login")
            .key("test-key")
            .transport(transport)
            .retry(RetryPolicy::none())
            .timeouts(Timeouts::none())
            .build()
            .expect("client builds")
    }

    fn params(op: &str, f: &Fixture) -> String {
        let mut map = serde_json::Map::new();
        for (k, v) in f.request.form.iter().flatten() {
            if op == "get-calc" && k == "cd" {
                let once: String = form_urlencoded::parse(format!("x={v}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let pairs: Vec<(String, String)> = form_urlencoded::parse(once.as_bytes())
                    .map(|(a, b)| (a.into_owned(), b.into_owned()))
                    .collect();
                map.insert("cd".into(), json!(pairs));
            } else {
                map.insert(k.clone(), Value::String(v.clone()));
            }
        }
        Value::Object(map).to_string()
    }

    async fn call(client: &exchanger::Client, op: &str, params: &str) -> Result<String, Error> {
        exchanger::call_json(client, op, params).await
    }

    const INBOUND: usize = 1;

    fn inbound(_index: usize, body: &[u8]) {
        if let Ok(cb) = exchanger::parse_callback(body) {
            let _ = format!("{:?} {}", cb.claimed(), cb.reason());
        }
    }
}
