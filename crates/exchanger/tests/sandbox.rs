//! End-to-end against kassa-sandbox's exchanger emulator, which was written from the
//! provider's document independently of this crate: a quote, a bid with an `api_id`, pay,
//! success, found again by `bid_info` and `get_exchanges`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use exchanger::{
    BidActionRequest, BidInfoRequest, BidStatus, CalcAction, CalcRequest, Client, CreateBidRequest,
    ExchangesRequest,
};
use kassa_core::secret::SecretString;
use kassa_sandbox::exchanger::seed;

fn client(base: &str) -> Client {
    Client::builder(base)
        .login(seed::API_LOGIN)
        .key(SecretString::from(seed::API_KEY.to_owned()))
        .build()
        .expect("client")
}

#[tokio::test]
async fn quote_bid_pay_and_success_against_the_sandbox() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox.url("exchanger"));
    let direction = seed::DIRECTION_BTC_USDT.id;

    let quote = client
        .get_calc(&CalcRequest::new(
            direction,
            "0.015".parse().unwrap(),
            CalcAction::Give,
        ))
        .await
        .expect("quote");
    assert_eq!(quote.sum_give_com.to_string(), "0.0152");
    assert_eq!(quote.sum_get_com.to_string(), "958.23");

    let mut req = CreateBidRequest::new(direction, "0.015".parse().unwrap(), CalcAction::Give)
        .api_id("order-42");
    req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
    req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
    req.email = Some("test@example.com".into());
    let bid = client.create_bid(&req).await.expect("create_bid");
    assert_eq!(bid.status, BidStatus::New);
    assert_eq!(bid.amount_give, quote.sum_give_com);
    assert_eq!(bid.amount_get, quote.sum_get_com);
    assert!(bid.api_actions.pay.allows_api());

    let info = client
        .bid_info(&BidInfoRequest::id(bid.id))
        .await
        .expect("bid_info");
    assert_eq!(info.hash, bid.hash);
    assert_eq!(info.status, BidStatus::New);

    let paid = client
        .pay_bid(&BidActionRequest::for_bid(&bid))
        .await
        .expect("pay_bid");
    assert_eq!(paid.status, BidStatus::Payed);
    let done = client
        .success_bid(&BidActionRequest::hash(bid.hash.clone()))
        .await
        .expect("success_bid");
    assert_eq!(done.status, BidStatus::Success);

    let info = client
        .bid_info(&BidInfoRequest::hash(bid.hash.clone()))
        .await
        .expect("bid_info");
    assert_eq!(info.status, BidStatus::Success);
    let found = client
        .get_exchanges(&ExchangesRequest::by_api_id("order-42"))
        .await
        .expect("get_exchanges");
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, bid.id);
    assert_eq!(found.items[0].status, BidStatus::Success);
}
