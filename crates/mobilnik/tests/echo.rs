//! A provider that echoes the client's own secrets back (the password, and the session
//! token it sends in the query string) in a refusal's message or code, a malformed success
//! answer or an HTML error page never makes an error print them: on a payment and on a read.

mod common;

use common::{PASSWORD, client};
use kassa_core::Error;
use mobilnik::{CheckRequisiteRequest, PaymentRequest, som};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The session token the provider hands out here (longer than the fixtures' one, so that a
/// leak cannot be confused with other text).
const TOKEN: &str = "tok-Echo-4471-session";

fn echoed() -> String {
    format!("password {PASSWORD} token {TOKEN}")
}

fn json(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

/// (case, answer, a text the error must quote, proving the answer was read)
fn cases(op: &str) -> Vec<(&'static str, ResponseTemplate, &'static str)> {
    let malformed = match op {
        "payment" => format!(
            r#"{{"status_code":0,"balance":"{}","operation_id":"1"}}"#,
            echoed()
        ),
        _ => format!(
            r#"{{"status_code":0,"customer_name":{{"echo":"{}"}}}}"#,
            echoed()
        ),
    };
    vec![
        (
            "refusal message",
            json(
                200,
                format!(r#"{{"status_code":15,"message":"refused: {}"}}"#, echoed()),
            ),
            "refused: password",
        ),
        (
            "refusal code",
            json(200, format!(r#"{{"status_code":"{}"}}"#, echoed())),
            "password",
        ),
        (
            "malformed success",
            json(200, malformed),
            "cannot read the answer",
        ),
        (
            "html 500",
            ResponseTemplate::new(500).set_body_raw(
                format!("<html><body>500 {}</body></html>", echoed()),
                "text/html",
            ),
            "500",
        ),
    ]
}

#[tokio::test]
async fn echoed_secrets_never_reach_an_error() {
    for op in ["payment", "check-requisite"] {
        for (case, answer, quoted) in cases(op) {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/authentication/"))
                .respond_with(json(
                    200,
                    format!(
                        r#"{{"account": 1234567, "name": " ", "token": "{TOKEN}", "status_code": 0, "balance": 1043}}"#
                    ),
                ))
                .expect(1)
                .mount(&server)
                .await;
            let route = if op == "payment" {
                "/payment/"
            } else {
                "/check_requisite/"
            };
            Mock::given(method("GET"))
                .and(path(route))
                .respond_with(answer)
                // a read is retried on a 5xx; a payment is sent once
                .expect(if op == "payment" { 1..=1 } else { 1..=3 })
                .mount(&server)
                .await;
            let c = client(&server.uri());
            let err: Error = match op {
                "payment" => c
                    .payment(&PaymentRequest::new(
                        1,
                        "0555123456",
                        som("150.50").expect("amount"),
                    ))
                    .await
                    .map(drop),
                _ => c
                    .check_requisite(&CheckRequisiteRequest::new(1, "0555123456"))
                    .await
                    .map(drop),
            }
            .expect_err(case);
            for shown in [err.to_string(), format!("{err:?}")] {
                for secret in [PASSWORD, TOKEN] {
                    assert!(
                        !shown.contains(secret),
                        "{op} / {case}: {secret} leaked: {shown}"
                    );
                }
            }
            assert!(
                err.to_string().contains(quoted),
                "{op} / {case}: the error quotes the answer ({quoted:?}): {err}"
            );
            server.verify().await;
        }
    }
}
