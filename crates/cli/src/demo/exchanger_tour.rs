//! exchanger in the tour: the directions, a quote, a bid with an `api_id` and a callback URL,
//! paid and followed to `success`, and the callback received by the demo itself and
//! confirmed with `bid_info` (the callback carries no signature).

use exchanger::{
    BidActionRequest, BidInfoRequest, BidStatus, CalcAction, CalcRequest, Client, CreateBidRequest,
    CurrencyFilter, Decimal, ExchangesRequest,
};
use kassa_core::secret::SecretString;
use kassa_sandbox::Sandbox;
use kassa_sandbox::exchanger::seed;

use super::inbound::{self, Inbound};
use super::{Tour, expect, timeouts};

const P: &str = "exchanger";
/// The bid's own key, to find it again with `get_exchanges`.
const API_ID: &str = "kassa-demo-1";
/// The amount given, in the direction's "give" currency.
const AMOUNT: &str = "0.015";
/// How many times the bid is asked for before the tour gives up on `success`.
const FOLLOW_READS: usize = 10;

/// Runs the exchanger's steps against the sandbox; `inbound` receives the callbacks.
pub(super) async fn run(sandbox: &Sandbox, inbound: Option<&mut Inbound>, tour: &mut Tour) {
    let built = Client::builder(sandbox.url(P))
        .login(seed::API_LOGIN)
        .key(SecretString::from(seed::API_KEY))
        .timeouts(timeouts())
        .build();
    let client = match built {
        Ok(c) => c,
        Err(e) => {
            tour.step(P, "client", Err(e.to_string()));
            return;
        }
    };
    let direction = seed::DIRECTION_BTC_USDT;
    let (d, g) = (direction.id, direction.give.code);
    let (_, o) = expect(
        client.get_directions(&CurrencyFilter::default()).await,
        |list| match list.0.iter().find(|s| s.direction_id == d) {
            Some(s) => Ok(format!(
                "{} directions; {d} is {} → {}",
                list.0.len(),
                s.currency_give_title,
                s.currency_get_title
            )),
            None => Err(format!("direction {d} is not listed")),
        },
    );
    if !tour.step(P, "get-directions", o) {
        return;
    }
    let Ok(amount) = AMOUNT.parse::<Decimal>() else {
        tour.step(P, "get-calc", Err(format!("{AMOUNT} is not a decimal")));
        return;
    };
    let (quote, o) = expect(
        client
            .get_calc(&CalcRequest::new(d, amount, CalcAction::Give))
            .await,
        |q| {
            if q.sum_give != amount || q.currency_code_give.as_str() != g {
                Err(format!(
                    "quoted for {} {}, asked for {amount} {g}",
                    q.sum_give, q.currency_code_give
                ))
            } else if q.sum_give_com < q.sum_give {
                Err(format!(
                    "to pay {} is less than the {} given",
                    q.to_pay(),
                    q.sum_give
                ))
            } else {
                Ok(format!(
                    "{amount} {g}: pay {} to receive {} (rate {} : {})",
                    q.to_pay(),
                    q.to_receive(),
                    q.course_give,
                    q.course_get
                ))
            }
        },
    );
    if !tour.step(P, "get-calc", o) {
        return;
    }
    let Some(quote) = quote else { return };

    // the bid: with the demo's api_id and, when the receiver runs, its callback URL
    let mut req = CreateBidRequest::new(d, amount, CalcAction::Give).api_id(API_ID);
    req.callback_url = inbound.as_ref().map(|i| i.callback_url());
    req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
    req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
    req.email = Some("demo@kassa.example".into());
    let (bid, o) = expect(client.create_bid(&req).await, |b| {
        if b.status != BidStatus::New {
            Err(format!("bid {} is {}, expected new", b.id, b.status))
        } else if b.amount_give != quote.sum_give_com || b.amount_get != quote.sum_get_com {
            Err(format!(
                "bid {} for {} → {}, quoted {} → {}",
                b.id, b.amount_give, b.amount_get, quote.sum_give_com, quote.sum_get_com
            ))
        } else if !b.api_actions.pay.allows_api() {
            Err(format!("bid {} cannot be paid through the API", b.id))
        } else {
            Ok(format!(
                "bid {} new, api_id {API_ID}: {} {} → {} {}, as quoted",
                b.id, b.amount_give, b.currency_code_give, b.amount_get, b.currency_code_get
            ))
        }
    });
    if !tour.step(P, "create-bid", o) {
        return;
    }
    let Some(bid) = bid else { return };
    let (_, o) = expect(
        client
            .get_exchanges(&ExchangesRequest::by_api_id(API_ID))
            .await,
        |found| match found.items.as_slice() {
            [one] if one.id == bid.id => Ok(format!("api_id {API_ID} finds bid {}", bid.id)),
            items => Err(format!(
                "api_id {API_ID} finds {:?}, expected bid {}",
                items.iter().map(|e| e.id.0).collect::<Vec<_>>(),
                bid.id
            )),
        },
    );
    tour.step(P, "get-exchanges", o);

    // paid by the user, then done by the exchanger (the sandbox's success_bid stands in for
    // the operator), followed with bid_info
    let (_, o) = expect(
        client.pay_bid(&BidActionRequest::for_bid(&bid)).await,
        |s| match &s.status {
            BidStatus::Payed => Ok(format!("bid {} payed", bid.id)),
            other => Err(format!("bid {} is {other}, expected payed", bid.id)),
        },
    );
    if !tour.step(P, "pay-bid", o) {
        return;
    }
    let (_, o) = expect(
        client
            .success_bid(&BidActionRequest::hash(bid.hash.clone()))
            .await,
        |s| match &s.status {
            BidStatus::Success => Ok(format!("bid {} success", bid.id)),
            other => Err(format!("bid {} is {other}, expected success", bid.id)),
        },
    );
    if !tour.step(P, "success-bid", o) {
        return;
    }
    let mut followed = Err(format!(
        "bid {} did not reach success in {FOLLOW_READS} reads",
        bid.id
    ));
    for _ in 0..FOLLOW_READS {
        match client.bid_info(&BidInfoRequest::id(bid.id)).await {
            Ok(b) if b.status == BidStatus::Success => {
                followed = Ok(format!(
                    "bid {} success ({}): {} {} delivered",
                    b.id, b.status_title, b.amount_get, b.currency_code_get
                ));
                break;
            }
            Ok(b) if !b.status.is_final() => continue,
            Ok(b) => {
                followed = Err(format!("bid {} is {}, expected success", b.id, b.status));
                break;
            }
            Err(e) => {
                followed = Err(format!("failed: {e}"));
                break;
            }
        }
    }
    tour.step(P, "bid-info", followed);

    // the callback: a claim, confirmed by asking bid_info
    let o = match inbound {
        None => Err("the demo's receiver did not start".to_owned()),
        Some(inbound) => callback(&client, inbound, &bid).await,
    };
    tour.step(P, "callback", o);
}

/// Waits for the callback saying `bid` reached success and confirms it with `bid_info`.
async fn callback(
    client: &Client,
    inbound: &mut Inbound,
    bid: &exchanger::Bid,
) -> Result<String, String> {
    let mut claims = Vec::new();
    let mut unreadable = Vec::new();
    let claim = inbound::wait_for(
        &mut inbound.callbacks,
        &format!("callback for bid {} with status success", bid.id),
        |c| match c {
            Ok(claim)
                if claim.claimed().bid_id == bid.id
                    && claim.claimed().status == Some(BidStatus::Success) =>
            {
                Some(claim.clone())
            }
            _ => None,
        },
        |c| match c {
            Ok(claim) if claim.claimed().bid_id == bid.id => claims.push(
                claim
                    .claimed()
                    .status
                    .as_ref()
                    .map_or("(no status)".to_owned(), ToString::to_string),
            ),
            Ok(_) => {}
            Err(e) => unreadable.push(e.to_string()),
        },
    )
    .await;
    if let Some(first) = unreadable.first() {
        return Err(format!(
            "{} callback(s) unreadable: {first}",
            unreadable.len()
        ));
    }
    let claim = claim.map_err(|e| {
        if claims.is_empty() {
            e
        } else {
            format!("{e} (got: {})", claims.join(", "))
        }
    })?;
    match client.confirm_callback(&claim).await {
        Ok(b) if b.status == BidStatus::Success => Ok(format!(
            "callbacks for bid {}: {}; bid_info confirms success",
            bid.id,
            claims.join(" → ")
        )),
        Ok(b) => Err(format!(
            "the callback claims success, bid_info says {}",
            b.status
        )),
        Err(e) => Err(format!("bid_info to confirm the callback failed: {e}")),
    }
}
