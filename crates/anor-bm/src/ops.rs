//! The operation table: every operation of the catalogue, its request and answer types and
//! the effect the client gives it, for the CLI and the contract tests.
//!
//! ```
//! assert_eq!(anor_bm::OPERATIONS.len(), 15);
//! let pay = anor_bm::OPERATIONS.iter().find(|o| o.name == "unregistered-pay").expect("listed");
//! assert_eq!(pay.effect.name(), "once");
//! ```
//!
//! `unregistered-check` is keyed by `agentTranId` (the bank answers a repeated check with
//! the same bill); `ext-pay` is `Once`: the bank refuses or duplicates a repeated
//! `agentTranId`, so a lost answer is reconciled with `status`, never resent.

use crate::card::GetUserCardsRequest;
use crate::{
    Bill, BillRequest, CardToken, CheckRequest, Client, ExtPayRequest, HoldMoreRequest,
    LoginRequest, OtpSent, PayRequest, Payout, RefreshTokenRequest, ReversePartialRequest,
    SendOtpRequest, StatusRequest, TokenAnswer, UserCard, VerifyOtpRequest,
};

kassa_core::operations! {
    client: Client;
    "login" => login(LoginRequest) -> TokenAnswer, Auth;
    "refresh-token" => refresh_token(RefreshTokenRequest) -> TokenAnswer, Auth;
    "send-otp" => send_otp(SendOtpRequest) -> OtpSent, Once;
    "verify-otp" => verify_otp(VerifyOtpRequest) -> CardToken, Once;
    "get-user-cards" => get_user_cards(GetUserCardsRequest) -> Vec<UserCard>, Read;
    "unregistered-check" => unregistered_check(CheckRequest) -> Bill, Keyed;
    "unregistered-pay" => unregistered_pay(PayRequest) -> Bill, Once;
    "hold" => hold(PayRequest) -> Bill, Once;
    "hold-confirm" => hold_confirm(BillRequest) -> Bill, Once;
    "hold-more" => hold_more(HoldMoreRequest) -> Bill, Once;
    "cancel" => cancel(BillRequest) -> Bill, Once;
    "hold-reverse" => hold_reverse(BillRequest) -> Bill, Once;
    "hold-reverse-partial" => hold_reverse_partial(ReversePartialRequest) -> Bill, Once;
    "status" => status(StatusRequest) -> Bill, Read;
    "ext-pay" => ext_pay(ExtPayRequest) -> Payout, Once;
}
