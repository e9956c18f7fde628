//! A tour of kassa-core against a local stand-in server (no account anywhere):
//! exact money, a read retried through two 503s, and a payment whose answer is lost,
//! reported as outcome-unknown with the status call to ask.
//!
//! Run: `cargo run -p kassa-core --example tour`

use std::time::Duration;

use kassa_core::{
    Currency, Effect, Engine, Method, Money, Operation, Reconcile, Request, RetryPolicy, Timeouts,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Money is exact: text in, minor units out, extra precision refused.
    let price = Money::parse_major("9971.34", Currency::RUB)?;
    println!(
        "money      9971.34 RUB reads as {} kopecks, shown as {price}",
        price.minor
    );
    match Money::parse_major("9971.345", Currency::RUB) {
        Err(e) => println!("money      9971.345 RUB is refused: {e}"),
        Ok(m) => return Err(format!("9971.345 was accepted as {m}").into()),
    }

    let server = MockServer::start().await;
    for status in [503, 503] {
        Mock::given(method("GET"))
            .and(path("/status"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"status":"SUCCESS"}"#))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/pay"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;

    let engine = Engine::builder("demo", server.uri())
        .timeouts(Timeouts::default().attempt(Duration::from_millis(300)))
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        })
        .build()?;

    let status = Operation::new("demo", "status", Effect::Read);
    let answer = engine
        .execute(&Request::new(status, Method::Get, "/status"))
        .await?;
    let seen = server.received_requests().await.map_or(0, |r| r.len());
    println!(
        "read       HTTP {} after {seen} requests (503, 503 retried with jittered backoff)",
        answer.status
    );

    let pay = Operation::new("demo", "pay", Effect::Once)
        .reconcile_with(Reconcile::new("status").param("billId", "935191"));
    match engine
        .execute(&Request::new(pay, Method::Post, "/pay"))
        .await
    {
        Err(err) => {
            println!("payment    {err}");
            println!(
                "           sent: {:?}, may have taken effect: {}, worth a blind retry: {}",
                err.was_sent(),
                err.may_have_taken_effect(),
                err.is_retryable()
            );
        }
        Ok(resp) => return Err(format!("the slow payment answered HTTP {}", resp.status).into()),
    }
    Ok(())
}
