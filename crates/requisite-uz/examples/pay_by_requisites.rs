//! A tour of the requisite-uz client against a local stand-in server (wiremock serving the
//! recorded fixtures), so it runs anywhere with no account:
//!
//! ```sh
//! cargo run -p requisite-uz --example pay_by_requisites
//! ```
//!
//! It lists the services, reads a balance, pays by requisites with the safe flow (answered
//! «Проведен» at once), pays the budget (answered «Введен», then followed through
//! payment-status), shows a check that stops a bad request before sending, and pages
//! through a statement.

use std::time::Duration;

use futures_util::StreamExt as _;
use kassa_testkit::Fixture;
use requisite_uz::{
    Client, Error, Order, PaymentBudgetRequest, PaymentRequest, SafeOutcome, SafePayOptions,
    ServiceId, StatementRequest, code_of, wire,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const PROVIDER: &str = "requisite-uz";

fn request_of<T: serde::de::DeserializeOwned>(op: &str, case: &str) -> Result<T, Error> {
    let fixture = Fixture::load(PROVIDER, op, case);
    let text = fixture
        .request
        .json
        .map(|j| j.to_string())
        .unwrap_or_default();
    wire::from_json(&text)
}

async fn stand_in() -> MockServer {
    let server = MockServer::start().await;
    for (op, case) in [
        ("services", "ok"),
        ("balance", "ok"),
        ("payment", "ok_uzcard_conducted"),
        ("payment-budget", "ok_without_card"),
        ("statement", "page_1_last_id_0"),
        ("statement", "page_2_after_last_id"),
        ("statement", "ok"),
    ] {
        kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, op, case)).await;
    }
    // The budget order of `ok_without_card` is posted by the time payment-status is asked.
    Mock::given(method("GET"))
        .and(path("/api/v2/payment/1000002"))
        .respond_with(kassa_testkit::faults::json_body(
            200,
            r#"{"status":"success","code":0,"data":{"payment_status":"Проведен","doc_id":"1290084934"}}"#,
        ))
        .mount(&server)
        .await;
    server
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let server = stand_in().await;
    println!("stand-in bank at {}", server.uri());
    let client = Client::builder(server.uri())
        .credentials("test-user", "test-password")
        .build()?;
    println!("{client:?}\n");

    println!("== services (remembered: payments are checked against them)");
    for s in client.services().await? {
        println!(
            "  {:>3}  {:<30} {:<18} activated={}",
            s.id, s.name, s.kind, s.activated
        );
    }

    println!("\n== balance of service 2");
    println!("  {}", client.balance(ServiceId(2)).await?.balance);

    let opts = SafePayOptions {
        deadline: Duration::from_secs(10),
        poll_interval: Duration::from_millis(200),
        ..SafePayOptions::default()
    };

    println!("\n== payment by requisites, UZCARD, safe flow");
    let payment: PaymentRequest = request_of("payment", "ok_uzcard_conducted")?;
    println!("  {payment:?}");
    let done = client
        .pay_safely(&Order::from(payment.clone()), &opts)
        .await?;
    report(&done);

    println!("\n== budget payment, no card, safe flow");
    let budget: PaymentBudgetRequest = request_of("payment-budget", "ok_without_card")?;
    let done = client.pay_safely(&Order::from(budget), &opts).await?;
    report(&done);

    println!("\n== a bad request is stopped before sending");
    let bad = PaymentRequest {
        order_id: "A-2".into(),
        mfo_receiver: "1091".into(),
        ..payment
    };
    match client.payment(&bad).await {
        Err(e) => println!(
            "  {e} (field {:?}, provider code {:?})",
            e.field(),
            code_of(&e)
        ),
        Ok(r) => println!("  unexpectedly sent: {r:?}"),
    }

    println!("\n== statement, every row once (lastId paging)");
    let req = StatementRequest::new(
        ServiceId(27),
        time::macros::date!(2023 - 01 - 01),
        time::macros::date!(2023 - 02 - 21),
    );
    let mut rows = std::pin::pin!(client.statement_rows(req));
    while let Some(row) = rows.next().await {
        let row = row?;
        let when = row
            .doc_date
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .unwrap_or_default();
        println!(
            "  {}  {when}  {:<6} {:>16}  {}",
            row.id,
            row.direction,
            row.amount.to_string(),
            row.purpose
        );
    }
    Ok(())
}

fn report(done: &requisite_uz::SafePayment) {
    let (word, result) = match &done.outcome {
        SafeOutcome::Posted(r) => ("posted", r),
        SafeOutcome::Deleted(r) => ("deleted by the bank", r),
        SafeOutcome::Pending(r) => ("still pending", r),
    };
    println!(
        "  order {}: {word} (status {}, doc {}) after {} creation(s) and {} status check(s)",
        done.order_id, result.payment_status, result.doc_id, done.creates, done.status_checks
    );
}
