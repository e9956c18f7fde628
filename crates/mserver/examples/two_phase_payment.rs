//! The two-phase payment flow against a local mock server started from the recorded
//! exchanges, so it runs anywhere: create an `inout` payment, show its `total`, pay it, and
//! follow `get-payment` until it is completed or declined.
//!
//! ```text
//! cargo run -p mserver --example two_phase_payment
//! ```

use std::time::Duration;

use kassa_testkit::Fixture;
use mserver::{Client, ClientPaymentId, CreatePaymentRequest, PaymentType, TwoPhase};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = wiremock::MockServer::start().await;
    // create-payment as the document shows it; pay and get-payment answer "processing" once
    // with no card page (a saved card pays), then "completed".
    kassa_testkit::mount_on(
        &server,
        &Fixture::load("mserver", "create-payment", "ok_inout"),
    )
    .await;
    let payment = |status: &str| {
        ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200, "next_action": "get"},
            "data": {"id": 25778, "client_payment_id": "021c6d23-7508-4e35-ad92-852308a47689",
                     "amount": 100, "total": 103, "status": status, "type": "inout"}
        }))
    };
    Mock::given(method("POST"))
        .and(path("/payments/25778/pay"))
        .respond_with(payment("processing"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/payments/25778"))
        .respond_with(payment("completed"))
        .mount(&server)
        .await;

    let client = Client::builder()
        .base_url(server.uri()) // in production: https://sandbox.wallet.best/v1
        .wallet("+79261111111", "test-password".into())?
        .build()?;

    // Keep the id: after a crash, create again with it and the server answers the same payment.
    let id = ClientPaymentId::parse("021c6d23-7508-4e35-ad92-852308a47689")?;
    let req = CreatePaymentRequest::new(PaymentType::Inout, mserver::parse_rub("100")?)
        .with_id(id)
        .service(834, [("phoneNumber", "9267101283")]);
    let flow = client
        .pay_and_follow(
            &req,
            |created| {
                // Show the full cost and ask the user; here: accept up to 105.00.
                let total = created.data.total.unwrap_or(created.data.amount);
                println!("{} to pay, {total} in total", created.data.amount);
                total.minor <= 10_500
            },
            Duration::from_millis(200),
            Duration::from_secs(30),
        )
        .await?;
    match flow {
        TwoPhase::NotAccepted(p) => println!("payment {} left unpaid", p.data.id),
        TwoPhase::Redirect { url, .. } => println!("send the user to {url}"),
        TwoPhase::Followed(settled) => {
            let last = settled.into_inner();
            println!("payment {}: {:?}", last.data.id, last.data.outcome());
        }
    }
    Ok(())
}
