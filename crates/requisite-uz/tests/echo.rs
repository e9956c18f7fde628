//! A bank that echoes the client's own credentials back (the password, the Basic credential
//! of the Authorization header) in a refusal's message, a malformed success answer or an
//! HTML error page never makes an error print them: on a payment and on a read.

mod common;

use common::{BASIC, PASSWORD, client};
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Money};
use requisite_uz::{CardType, PaymentRequest, ServiceId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The Basic credential without its scheme.
fn basic_credential() -> &'static str {
    BASIC.trim_start_matches("Basic ")
}

fn echoed() -> String {
    format!("password {PASSWORD} header Basic {}", basic_credential())
}

fn payment() -> PaymentRequest {
    PaymentRequest {
        order_id: "009445151277".into(),
        receiver_name: "Test".into(),
        mfo_receiver: "01091".into(),
        receiver_account: "29801000990248844444".into(),
        inn_receiver: Some("123456789".into()),
        purpose: "Test 24/7".into(),
        service_id: ServiceId(2),
        amount: Money::new(500_000, Currency::UZS),
        commission_amount: Money::new(20_000, Currency::UZS),
        ref_number: Some("016351273642".into()),
        card_type: Some(CardType::Humo),
        card_number: CardNumber::new("9860531554896678").ok(),
    }
}

fn json(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

/// (case, answer, a text the error must quote, proving the answer was read)
fn cases(op: &str) -> Vec<(&'static str, ResponseTemplate, &'static str)> {
    let malformed = match op {
        "payment" => format!(
            r#"{{"status":"success","data":{{"orderId":"009445151277","paymentStatus":7,"note":"{}"}}}}"#,
            echoed()
        ),
        _ => format!(
            r#"{{"status":"success","data":{{"balance":"{}"}}}}"#,
            echoed()
        ),
    };
    vec![
        (
            "refusal message",
            json(
                200,
                format!(
                    r#"{{"status":"error","code":1013,"message":"refused: {}","data":null}}"#,
                    echoed()
                ),
            ),
            "refused: password",
        ),
        (
            "refusal 1111",
            json(
                500,
                format!(
                    r#"{{"status":"error","code":1111,"message":"refused: {}","data":null}}"#,
                    echoed()
                ),
            ),
            "refused: password",
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
async fn echoed_credentials_never_reach_an_error() {
    for op in ["payment", "balance"] {
        for (case, answer, quoted) in cases(op) {
            let server = MockServer::start().await;
            let (verb, route) = match op {
                "payment" => ("POST", "/api/v2/payment"),
                _ => ("GET", "/api/v2/account/2/balance"),
            };
            Mock::given(method(verb))
                .and(path(route))
                .respond_with(answer)
                .mount(&server)
                .await;
            let c = client(&server.uri());
            let err: Error = match op {
                "payment" => c.payment(&payment()).await.map(drop),
                _ => c.balance(ServiceId(2)).await.map(drop),
            }
            .expect_err(case);
            for shown in [err.to_string(), format!("{err:?}")] {
                for secret in [PASSWORD, basic_credential()] {
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
        }
    }
}
