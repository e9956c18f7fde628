//! The operation table: every operation, its request and answer types and the effect the
//! client uses, for the CLI and the contract tests ([`call_json`]).
//!
//! ```
//! let names: Vec<&str> = exchanger::OPERATIONS.iter().map(|o| o.name).collect();
//! assert_eq!(names.len(), 16);
//! assert!(names.contains(&"create-bid"));
//! ```

use crate::bids::{
    Bid, BidActionRequest, BidInfoRequest, BidState, CreateBidRequest, Exchanges, ExchangesRequest,
};
use crate::client::Client;
use crate::directions::{
    CalcRequest, CurrencyFilter, Direction, DirectionCurrencies, DirectionRequest, Directions,
    NoParams, Quote, TestInfo,
};
use crate::partner::{
    AddPayoutRequest, PartnerExchangesRequest, PartnerInfo, PartnerLinks, PartnerLinksRequest,
    PartnerPayouts, PartnerPayoutsRequest, PayoutCreated,
};

kassa_core::operations! {
    client: Client;
    "test" => test(NoParams) -> TestInfo, Read;
    "get-direction-currencies" => get_direction_currencies(CurrencyFilter) -> DirectionCurrencies, Read;
    "get-directions" => get_directions(CurrencyFilter) -> Directions, Read;
    "get-direction" => get_direction(DirectionRequest) -> Direction, Read;
    "get-calc" => get_calc(CalcRequest) -> Quote, Read;
    "get-exchanges" => get_exchanges(ExchangesRequest) -> Exchanges, Read;
    "create-bid" => create_bid(CreateBidRequest) -> Bid, Once;
    "cancel-bid" => cancel_bid(BidActionRequest) -> BidState, Once;
    "pay-bid" => pay_bid(BidActionRequest) -> BidState, Once;
    "success-bid" => success_bid(BidActionRequest) -> BidState, Once;
    "bid-info" => bid_info(BidInfoRequest) -> Bid, Read;
    "get-partner-info" => get_partner_info(NoParams) -> PartnerInfo, Read;
    "get-partner-links" => get_partner_links(PartnerLinksRequest) -> PartnerLinks, Read;
    "get-partner-exchanges" => get_partner_exchanges(PartnerExchangesRequest) -> Exchanges, Read;
    "get-partner-payouts" => get_partner_payouts(PartnerPayoutsRequest) -> PartnerPayouts, Read;
    "add-partner-payout" => add_partner_payout(AddPayoutRequest) -> PayoutCreated, Once;
}
