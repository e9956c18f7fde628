//! Check a bill, pay it with the SMS code, and recover from a lost answer by asking `status`.
//!
//! Runs anywhere: it starts a local stand-in for the bank (wiremock) that answers with the
//! document's examples, so no account is needed.
//!
//! ```sh
//! cargo run -p anor-bm --example pay_flow
//! ```

use std::time::Duration;

use anor_bm::{
    BillStatus, CardNumber, CheckRequest, Client, Currency, Money, Otp, PayRequest, Reconciled,
};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn bill(id: i64, amount: i64, status: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "id": id, "recipientShortName": "RIVO_CREATIVE", "sessionId": "1628592866626",
        "amount": amount, "account": "30", "currency": 860, "extId": "EXT_PAY_ID",
        "responseText": "OK", "success": true, "status": status,
        "data": {"ccy": "860", "leftSeconds": "120"}, "gatewayName": null
    }))
}

async fn stand_in_bank() -> MockServer {
    let bank = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/ext/user/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "statusCode": 0, "statusMessage": "OK",
            "result": {"access_token": "example-access-token", "token_type": "bearer",
                       "refresh_token": "example-refresh-token", "expires_in": 86398, "scope": "openid"}
        })))
        .mount(&bank)
        .await;
    for (tran, id) in [("order-30-1", 935191), ("order-31-1", 935192)] {
        Mock::given(method("POST"))
            .and(path("/services/bmms/api/agent/unregistered-check"))
            .and(body_partial_json(serde_json::json!({"agentTranId": tran})))
            .respond_with(bill(id, 100_000, "CHECK_OK"))
            .mount(&bank)
            .await;
    }
    // the first payment is answered; the second one's answer is lost behind a proxy error
    Mock::given(method("POST"))
        .and(path("/services/bmms/api/agent/unregistered-pay"))
        .and(body_partial_json(serde_json::json!({"billId": 935191})))
        .respond_with(bill(935191, 100_000, "SUCCESS"))
        .mount(&bank)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/bmms/api/agent/unregistered-pay"))
        .and(body_partial_json(serde_json::json!({"billId": 935192})))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>502 Bad Gateway</html>"))
        .mount(&bank)
        .await;
    Mock::given(method("POST"))
        .and(path("/services/bmms/api/agent/status"))
        .respond_with(bill(935192, 100_000, "SUCCESS"))
        .mount(&bank)
        .await;
    bank
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bank = stand_in_bank().await;
    let client = Client::builder(bank.uri(), "agent", "agent-password").build()?;
    println!("client: {client:?}");

    for (order, tran) in [("30", "order-30-1"), ("31", "order-31-1")] {
        let check = CheckRequest::new(
            order,
            1,
            Money::parse_major("1000", Currency::UZS)?,
            tran,
            CardNumber::new("8600492968156744")?,
            "0727".parse()?,
        );
        let bill = client.unregistered_check(&check).await?;
        println!(
            "order {order}: bill {} is {} for {}",
            bill.id, bill.status, check.amount
        );

        let pay = PayRequest::new(bill.id, Otp::new("445566")?);
        match client.unregistered_pay(&pay).await {
            Ok(paid) => match paid.status {
                BillStatus::Success => println!("  paid"),
                BillStatus::CheckOk | BillStatus::Cancelled => {
                    println!("  not paid: {}", paid.status)
                }
                // not a state this call should end in: ask status rather than guess
                other => println!("  unclear ({other}): ask status before anything else"),
            },
            Err(e) if e.outcome_unknown().is_some() => {
                println!("  {e}");
                match client
                    .reconcile_outcome(&e, Duration::from_secs(30))
                    .await?
                {
                    Reconciled::Settled(b) => {
                        println!("  status says: {} (do not pay again)", b.status)
                    }
                    Reconciled::Pending(b) => println!("  still {}: ask again later", b.status),
                }
            }
            Err(e) if e.may_have_taken_effect() => println!("  money may have moved: {e}"),
            Err(e) => println!("  refused: {e}"),
        }
    }
    println!("logins: {}", client.token_fetches());
    Ok(())
}
