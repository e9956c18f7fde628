//! Checks before sending: each refusal names the wire field, and nothing reaches the bank
//! (not even a login).

mod common;

use anor_bm::{
    BillRequest, CheckRequest, Client, ExtPayRequest, HoldMoreRequest, Otp, PayRequest,
    ReversePartialRequest, SendOtpRequest, StatusRequest, VerifyOtpRequest,
};
use common::client;
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Money, Sent};
use wiremock::MockServer;

fn uzs(minor: i64) -> Money {
    Money::new(minor, Currency::UZS)
}

fn card() -> CardNumber {
    CardNumber::new("9860080312345678").expect("card")
}

fn check(amount: Money) -> CheckRequest {
    CheckRequest::new("30", 1, amount, "t-1", card(), "0727".parse().expect("exp"))
}

fn more(amount: i64, first: Option<i64>) -> HoldMoreRequest {
    let req = HoldMoreRequest::new(
        100000051,
        uzs(amount),
        "UZCARD",
        card(),
        "0727".parse().expect("exp"),
    );
    match first {
        Some(f) => req.first_hold(uzs(f)),
        None => req,
    }
}

fn refused(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    let err = result.expect_err("refused before sending");
    assert_eq!(err.field(), Some(field), "{err}");
    assert_eq!(err.was_sent(), Sent::No);
    assert!(!err.may_have_taken_effect());
    assert!(
        err.to_string().contains(field),
        "the message names the field: {err}"
    );
}

async fn quiet_server() -> (MockServer, Client) {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    let c = client(&server.uri());
    (server, c)
}

#[tokio::test]
async fn amounts_must_be_positive() {
    let (server, c) = quiet_server().await;
    refused(c.unregistered_check(&check(uzs(0))).await, "amount");
    refused(c.unregistered_check(&check(uzs(-100))).await, "amount");
    refused(c.hold_more(&more(0, None)).await, "amount");
    refused(
        c.hold_reverse_partial(&ReversePartialRequest::new(777, uzs(0)))
            .await,
        "reverseAmount",
    );
    refused(
        c.hold_reverse_partial(&ReversePartialRequest::new(777, uzs(-5)))
            .await,
        "reverseAmount",
    );
    let payout = |amount| {
        ExtPayRequest::new(
            1668782814,
            "20208000900000000001",
            "01183",
            "viplati",
            card(),
            "1025".parse().expect("exp"),
            amount,
        )
    };
    refused(c.ext_pay(&payout(uzs(0))).await, "amount");
    refused(
        c.unregistered_check(&check(Money::new(100, Currency::USD)))
            .await,
        "amount",
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

#[tokio::test]
async fn hold_more_is_refused_above_30_percent_of_the_first_hold() {
    let (server, c) = quiet_server().await;
    refused(c.hold_more(&more(30_001, Some(100_000))).await, "amount");
    let err = c
        .hold_more(&more(155_000, Some(500_000)))
        .await
        .expect_err("31 %");
    assert!(err.to_string().contains("30%"), "{err}");
    refused(c.hold_more(&more(100, Some(0))).await, "firstHold");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
    // exactly 30 % passes the check (and would be sent)
    assert!(more(30_000, Some(100_000)).validate().is_ok());
    assert!(
        more(155_000, None).validate().is_ok(),
        "no first hold given: the bank decides"
    );
}

#[tokio::test]
async fn status_needs_bill_id_or_agent_tran_id() {
    let (server, c) = quiet_server().await;
    refused(c.status(&StatusRequest::default()).await, "billId");
    refused(c.status(&StatusRequest::agent_tran("  ")).await, "billId");
    let from_json: StatusRequest = serde_json::from_str("{}").expect("reads");
    refused(c.status(&from_json).await, "billId");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
    assert!(StatusRequest::agent_tran("t-1").validate().is_ok());
    assert!(StatusRequest::bill(1).validate().is_ok());
}

#[tokio::test]
async fn bill_ids_must_be_positive() {
    let (server, c) = quiet_server().await;
    let otp = Otp::new("445566").expect("otp");
    refused(
        c.unregistered_pay(&PayRequest::new(0, otp.clone())).await,
        "billId",
    );
    refused(c.hold(&PayRequest::new(-1, otp.clone())).await, "billId");
    refused(c.hold_confirm(&BillRequest::new(0)).await, "billId");
    refused(c.cancel(&BillRequest::new(-7)).await, "billId");
    refused(c.hold_reverse(&BillRequest::new(0)).await, "billId");
    refused(c.verify_otp(&VerifyOtpRequest::new(0, otp)).await, "id");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

#[test]
fn otp_is_digits_only() {
    for bad in ["", "12a456", "12 34", "１２３", "-1234", "1234567890123"] {
        let err = Otp::new(bad).expect_err(bad);
        assert_eq!(err.field(), Some("otp"), "{bad}");
    }
    assert!(Otp::new("0001").is_ok());
    let from_cli = serde_json::from_str::<PayRequest>(
        r#"{"billId":777,"type":"PC","params":{"otp":"44x566"}}"#,
    );
    assert!(
        from_cli.is_err(),
        "a JSON request with a bad OTP does not even read"
    );
    let ok: PayRequest =
        serde_json::from_str(r#"{"billId":"777","params":{"otp":"445566"}}"#).expect("reads");
    assert_eq!((ok.bill_id, ok.kind.as_str()), (777, "PC"));
}

#[test]
fn card_numbers_and_expiry_are_checked_when_read() {
    let bad_pan = serde_json::from_str::<SendOtpRequest>(r#"{"pan":"9860*****","expiry":"0727"}"#);
    assert!(bad_pan.is_err());
    let bad_exp =
        serde_json::from_str::<SendOtpRequest>(r#"{"pan":"8600492968156744","exp":"MMyy"}"#);
    assert!(bad_exp.is_err());
    let bad_month =
        serde_json::from_str::<SendOtpRequest>(r#"{"pan":"8600492968156744","exp":"1307"}"#);
    assert!(bad_month.is_err());
    let err = "2707".parse::<anor_bm::CardExpiry>().expect_err("month 27");
    assert_eq!(err.field(), Some("exp"));
}
