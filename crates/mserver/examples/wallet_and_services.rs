//! A wallet read, a conditional read and a parameter check against a local mock server
//! started from the recorded exchanges, so it runs anywhere:
//!
//! ```text
//! cargo run -p mserver --example wallet_and_services
//! ```

use std::collections::BTreeMap;

use kassa_testkit::Fixture;
use mserver::{Client, ConditionalRequest, GetServiceRequest, NoInput};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = wiremock::MockServer::start().await;
    for (op, case) in [
        ("get-wallet", "ok"),
        ("errors", "ok"),
        ("get-service", "ok_upstream"),
    ] {
        kassa_testkit::mount_on(&server, &Fixture::load("mserver", op, case)).await;
    }
    // The 304 answers only the request with If-Modified-Since: it goes first.
    Fixture::load("mserver", "errors", "not_modified")
        .mock()
        .with_priority(1)
        .mount(&server)
        .await;

    let client = Client::builder()
        .base_url(server.uri()) // in production: https://sandbox.wallet.best/v1
        .wallet("+79261111111", "test-password".into())?
        .build()?;

    let wallet = client.get_wallet(&NoInput {}).await?;
    println!("wallet {} holds {}", wallet.data.phone, wallet.data.amount);

    let errors = client.errors(&ConditionalRequest::default()).await?;
    let since = match errors {
        mserver::Conditional::Modified(answer) => {
            println!("{} error codes", answer.data.len());
            answer.meta.request_time
        }
        mserver::Conditional::NotModified => None,
    };
    let again = client
        .errors(&ConditionalRequest {
            modified_since: since,
        })
        .await?;
    println!("asked again: not modified = {}", again.is_not_modified());

    let service = client
        .get_service(&GetServiceRequest { id: 770 })
        .await?
        .data;
    for value in ["9261111111", "926"] {
        let values = BTreeMap::from([("phoneNumber".to_owned(), value.to_owned())]);
        match mserver::check_parameters(&service, &values) {
            Ok(()) => println!("{value}: fits {}", service.name),
            Err(e) => println!("{value}: {e}"),
        }
    }
    Ok(())
}
