//! The mserver emulator's tests' raw-HTTP helper (reqwest): a spawned sandbox, requests
//! with each kind of credentials, a fresh active wallet, the control routes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use kassa_sandbox::mserver::seed;
use serde_json::{Value, json};

pub struct Api {
    pub sandbox: kassa_sandbox::Sandbox,
    pub http: reqwest::Client,
}

pub fn basic(login: &str, password: &str) -> String {
    let raw = format!("{login}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

pub fn wallet() -> String {
    basic(seed::PHONE, seed::PASSWORD)
}

pub fn error(body: &Value) -> &str {
    body["meta"]["error"].as_str().unwrap_or("")
}

impl Api {
    pub async fn start() -> Api {
        // No pool timer: with a paused clock it would make time jump ahead.
        let sandbox = kassa_sandbox::spawn().await.unwrap();
        let http = reqwest::Client::builder()
            .pool_idle_timeout(None)
            .build()
            .unwrap();
        Api { sandbox, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/v1{path}", self.sandbox.url("mserver"))
    }

    /// (status, parsed body or Null when empty)
    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value)
    }

    pub async fn raw(&self, path: &str, auth: &str) -> String {
        self.http
            .get(self.url(path))
            .header("authorization", auth)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, auth: &str) -> (u16, Value) {
        self.send(self.http.get(self.url(path)).header("authorization", auth))
            .await
    }

    /// A GET with or without credentials.
    pub async fn get_opt(&self, path: &str, auth: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        self.send(req).await
    }

    pub async fn delete(&self, path: &str, auth: Option<&str>) -> (u16, Value) {
        let mut req = self.http.delete(self.url(path));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        self.send(req).await
    }

    pub async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        self.send(req).await
    }

    pub async fn token(&self, client: &str, form: &str) -> (u16, Value) {
        self.send(
            self.http
                .post(format!("{}/oauth/token", self.sandbox.url("mserver")))
                .header("authorization", client)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.to_owned()),
        )
        .await
    }

    /// A request with the application token (`X-Authorization-Type: application`).
    pub async fn app(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("authorization", format!("Bearer {token}"))
            .header("x-authorization-type", "application");
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        self.send(req).await
    }

    pub async fn app_token(&self) -> String {
        let (s, body) = self
            .send(
                self.http
                    .post(format!("{}/oauth/token", self.sandbox.url("mserver")))
                    .header("authorization", basic(seed::CLIENT_ID, seed::CLIENT_SECRET))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body("grant_type=client_credentials"),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn new_wallet(&self, phone: &str) -> String {
        let (s, _) = self
            .post(
                "/wallet",
                None,
                json!({"phone": phone, "password": "secret-pw"}),
            )
            .await;
        assert_eq!(s, 200);
        let (s, _) = self
            .post(
                "/wallet/activate",
                None,
                json!({"phone": phone, "code": seed::SMS_CODE}),
            )
            .await;
        assert_eq!(s, 200);
        basic(phone, "secret-pw")
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(
            method,
            format!("{}/_sandbox{path}", self.sandbox.base_url()),
        );
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        self.send(req).await
    }
}

pub fn out_payment(key: &str, amount: Value) -> Value {
    json!({
        "type": "out",
        "client_payment_id": key,
        "amount": amount,
        "service": 1,
        "parameters": {"phoneNumber": "9261234567"},
    })
}
