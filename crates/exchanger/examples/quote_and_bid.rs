//! Quotes an exchange of 0.015 BTC to USDT, creates the bid (safely, looking it up by its
//! `api_id` first) and follows it, against a local wiremock server that answers with the
//! recorded fixtures (no account needed):
//!
//! ```text
//! cargo run -p exchanger --example quote_and_bid
//! ```
//!
//! Against a real exchanger, drop the mock server, build the client on the site's own
//! domain and read the API key from a vault, never from source.

use exchanger::{
    CalcAction, CalcRequest, Client, CreateBidRequest, CreateOnce, DirectionRequest, parse_callback,
};
use kassa_testkit::Fixture;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A stand-in for https://<the exchanger's domain>.
    let server = wiremock::MockServer::start().await;
    for (operation, case) in [
        ("get-direction", "ok"),
        ("get-calc", "ok"),
        ("get-exchanges", "empty"),
        ("bid-info", "ok_by_id"),
    ] {
        kassa_testkit::mount_on(&server, &Fixture::load("exchanger", operation, case)).await;
    }
    // The recorded create-bid answers api_id order-42; get-exchanges/empty was asked for
    // order-43: this run creates order-43.
    let mut create = Fixture::load("exchanger", "create-bid", "ok");
    if let Some(form) = create.request.form.as_mut() {
        form.insert("api_id".into(), "order-43".into());
    }
    kassa_testkit::mount_on(&server, &create).await;

    let client = Client::builder(server.uri())
        .login("test-login")
        .key("test-key")
        .build()?;
    println!("client: {client:?}");

    // 1. The direction: what a bid needs, and its limits.
    let direction = client
        .get_direction(&DirectionRequest { direction_id: 12 })
        .await?;
    for field in direction
        .give_fields
        .iter()
        .chain(&direction.get_fields)
        .chain(&direction.dir_fields)
    {
        println!(
            "field {:8} required={} cd={} ({})",
            field.name, field.required, field.cd, field.label
        );
    }
    println!(
        "give at least {:?}, at most {:?}",
        direction.min_give, direction.max_give
    );

    // 2. The quote, exact as the exchanger sends it; cd fields go URL-encoded in one value.
    let quote = client
        .get_calc(&CalcRequest::new(12, "0.015".parse()?, CalcAction::Give).cd("cf10", "1"))
        .await?;
    println!(
        "pay {} to receive {} (rate {} : {})",
        quote.to_pay(),
        quote.to_receive(),
        quote.course_give,
        quote.course_get
    );

    // 3. The bid: looked up by api_id first, created only when none exists.
    let mut req = CreateBidRequest::new(12, "0.015".parse()?, CalcAction::Give).api_id("order-43");
    req.callback_url = Some("https://merchant.example/exchanger/callback".into());
    req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
    req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
    req.email = Some("test@example.com".into());
    let bid = match client.create_bid_once(&req).await {
        Ok(CreateOnce::Created(bid)) => bid,
        Ok(CreateOnce::Existing(found)) => {
            println!("bid {} already exists", found.id);
            return Ok(());
        }
        Err(e) if e.may_have_taken_effect() => {
            // Never create it blindly again: ask get_exchanges by api_id (create_bid_once does).
            println!("outcome unknown: {e}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    println!(
        "bid {} ({}): {} -> {}",
        bid.id, bid.status, bid.amount_give, bid.amount_get
    );
    println!(
        "pay: {:?}; cancel by API: {}",
        bid.api_actions.pay,
        bid.api_actions.cancel.allows_api()
    );

    // 4. Following it: a callback is only a claim; bid_info says what is true.
    let claimed = parse_callback(format!("bid_id={}&status=payed", bid.id).as_bytes())?;
    let now = client.confirm_callback(&claimed).await?;
    println!(
        "callback claimed {:?}; bid_info says {}",
        claimed.claimed().status,
        now.status
    );
    Ok(())
}
