//! Pays 150.50 som to a Beeline number with the Mobilnik client, end to end, against a
//! local wiremock server that answers with the recorded fixtures (no account needed):
//!
//! ```text
//! cargo run -p mobilnik --example pay_a_phone
//! ```
//!
//! Against the real API, drop the mock server and the `base_url` line and give your own
//! login, password (from a vault, never from source), device id and device name.

use kassa_testkit::Fixture;
use mobilnik::{
    CheckPaymentRequest, CheckRequisiteRequest, Client, DeviceId, PaymentRequest, SecretString,
    TransferRequest, som,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A stand-in for https://www.mobilnik.kg:6666 that answers each call once.
    let server = wiremock::MockServer::start().await;
    for (operation, case) in [
        ("authenticate", "ok"),
        ("service-list", "ok"),
        ("check-requisite", "ok"),
        ("payment", "ok"),
        ("check-payment", "processed"),
        ("transfer-request", "ok"),
    ] {
        kassa_testkit::mount_on(&server, &Fixture::load("mobilnik", operation, case)).await;
    }

    let client = Client::builder()
        .base_url(server.uri())
        .login("test")
        .password(SecretString::from("test-password".to_owned()))
        .device_id(DeviceId::new("test-device-id")?)
        .device_name("kassa-test")
        .build()?;
    println!("client: {client:?}");
    println!(
        "(a stable device id derived from a MAC: {})",
        DeviceId::from_mac("00:1A:2B:3C:4D:5E")?
    );

    // The first call logs in; the token then rides on every call.
    let list = client
        .service_list(&mobilnik::ServiceListRequest {})
        .await?;
    for service in &list.services {
        println!(
            "service {:>2}: {}",
            service.id.unwrap_or_default(),
            service.name.as_deref().unwrap_or("?")
        );
    }

    let who = client
        .check_requisite(&CheckRequisiteRequest::new(1, "0555123456"))
        .await?;
    println!("0555123456 belongs to {}", who.customer_name);

    // Checks run before anything is sent.
    let refused = client
        .payment(&PaymentRequest::new(1, "0555123456", som("0")?))
        .await
        .expect_err("a zero payment is refused locally");
    println!("refused before sending: {refused}");

    let payment = PaymentRequest::new(1, "0555123456", som("150.50")?);
    let paid = match client.payment(&payment).await {
        Ok(paid) => paid,
        Err(e) if e.may_have_taken_effect() => {
            // No idempotency key: never pay again blindly. Compare the balance first.
            eprintln!("OUTCOME UNKNOWN, do not pay again yet: {e}");
            return Err(e.into());
        }
        Err(e) => {
            eprintln!("refused, nothing moved: {e}");
            return Err(e.into());
        }
    };
    println!(
        "paid {} as operation {}; {} left",
        payment.amount, paid.operation_id, paid.balance
    );

    let status = client
        .check_payment(&CheckPaymentRequest::new(paid.operation_id))
        .await?;
    println!("operation {} is {}", paid.operation_id, status.status_id);

    let sent = client
        .transfer_request(&TransferRequest::new(
            2,
            "0555765432",
            som("200")?,
            "test transfer",
        ))
        .await?;
    println!("transfer: {}", sent.message);

    println!("authentications: {}", client.authentications());
    server.verify().await;
    Ok(())
}
