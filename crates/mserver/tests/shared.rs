//! The client's two engines (the API's and the token service's) share the one transport
//! and the one retry budget, and the builder's extra headers go on every call, the token
//! call included.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use kassa_core::{Request, Response, RetryBudget, RetryPolicy, Transport, TransportError};
use kassa_testkit::Fixture;
use mserver::{Client, NoInput};

/// A transport that answers from a script and records every request it is given: the base
/// URL and the value of `x-project-id`.
#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<Vec<(u16, Vec<u8>)>>,
    seen: Mutex<Vec<(String, String, Option<String>)>>,
}

impl Scripted {
    fn new(answers: Vec<(u16, Vec<u8>)>) -> Arc<Scripted> {
        Arc::new(Scripted {
            answers: Mutex::new(answers.into_iter().rev().collect()),
            seen: Mutex::default(),
        })
    }

    fn seen(&self) -> Vec<(String, String, Option<String>)> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

#[kassa_core::async_trait]
impl Transport for Scripted {
    async fn send(&self, base_url: &str, req: &Request) -> Result<Response, TransportError> {
        let project = req
            .headers
            .iter()
            .find(|(k, _)| k == "x-project-id")
            .map(|(_, v)| v.expose().to_owned());
        self.seen.lock().expect("not poisoned").push((
            base_url.to_owned(),
            req.operation.name.to_owned(),
            project,
        ));
        let (status, body) = self
            .answers
            .lock()
            .expect("not poisoned")
            .pop()
            .expect("the script has an answer for every request");
        Ok(Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        })
    }
}

fn body(op: &str, case: &str) -> Vec<u8> {
    Fixture::load("mserver", op, case).response_body()
}

const API: &str = "http://api.test/v1";
const TOKENS: &str = "http://auth.test/oauth/token";

fn app_client_on(transport: Arc<Scripted>, budget: Option<Arc<RetryBudget>>) -> Client {
    let mut b = Client::builder()
        .base_url(API)
        .token_url(TOKENS)
        .application(CLIENT_ID, CLIENT_SECRET.into())
        .header("X-Project-ID", "project-7")
        .expect("a valid header")
        .transport(transport)
        .timeouts(kassa_core::Timeouts::none())
        .retry(RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        });
    if let Some(budget) = budget {
        b = b.budget(budget);
    }
    b.build().expect("builds")
}

#[tokio::test]
async fn one_transport_carries_the_token_call_and_the_api_call_with_the_extra_header() {
    let transport = Scripted::new(vec![
        (200, body("application-token", "ok")),
        (200, body("get-wallet", "ok")),
    ]);
    let client = app_client_on(transport.clone(), None);
    client.get_wallet(&NoInput {}).await.expect("reads");
    let project = Some("project-7".to_owned());
    assert_eq!(
        transport.seen(),
        vec![
            (TOKENS.into(), "application-token".into(), project.clone()),
            (API.into(), "get-wallet".into(), project),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_token_call_and_the_api_call_draw_on_one_retry_budget() {
    // One retry's worth: the token call's 503 spends it, so the API call's 503 is not
    // retried (a budget per engine would have retried it).
    let budget = Arc::new(RetryBudget::new(5, 5, 1));
    let transport = Scripted::new(vec![
        (503, b"{}".to_vec()),
        (200, body("application-token", "ok")),
        (503, b"{}".to_vec()),
        (200, body("get-wallet", "ok")),
    ]);
    let client = app_client_on(transport.clone(), Some(budget.clone()));
    let e = client.get_wallet(&NoInput {}).await.unwrap_err();
    assert!(
        matches!(e, kassa_core::Error::Http { status: 503, .. }),
        "{e:?}"
    );
    let ops: Vec<String> = transport.seen().into_iter().map(|s| s.1).collect();
    assert_eq!(
        ops,
        ["application-token", "application-token", "get-wallet"],
        "the token call retried once, the API call not at all"
    );
    assert_eq!(
        budget.available(),
        1,
        "5 spent, 1 back for the token answer"
    );
}
