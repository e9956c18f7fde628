//! End-to-end against kassa-sandbox's Anor BM emulator, which was written from the
//! provider's document independently of this crate: check and pay, hold and its top-up,
//! partial release, confirm and reverse, cancel, card binding, company-to-card payouts, typed
//! refusals, a lost payment answer and the bank's own `timeout`.
//!
//! The emulator does not show balances, so amounts are proved by what a card or the
//! merchant's deposit can still pay: a bill of exactly what is left goes through, one tiyin
//! more is `insufficient_funds`.

use std::time::Duration;

use anor_bm::{
    Bill, BillRequest, BillStatus, CardExpiry, CheckRequest, Client, Code, ExtPayRequest,
    HoldMoreRequest, Otp, PayRequest, ReconcileOptions, Reconciled, ReversePartialRequest,
    SendOtpRequest, StatusRequest, VerifyOtpRequest,
};
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Money, Sent};
use kassa_sandbox::anor_bm::{paths, seed};
use kassa_sandbox::{Fault, Sandbox};

fn client(sandbox: &Sandbox) -> Client {
    Client::builder(sandbox.url("anor-bm"), seed::USERNAME, seed::PASSWORD)
        .build()
        .expect("client")
}

fn sum(tiyin: i64) -> Money {
    Money::new(tiyin, Currency::UZS)
}

fn pan(card: &seed::TestCard) -> CardNumber {
    CardNumber::new(card.pan).expect("seed pan")
}

fn exp(card: &seed::TestCard) -> CardExpiry {
    card.expiry.parse().expect("seed expiry")
}

fn otp() -> Otp {
    Otp::new(seed::OTP).expect("seed otp")
}

fn check_req(tran: &str, tiyin: i64, card: &seed::TestCard) -> CheckRequest {
    CheckRequest::new(
        "30",
        seed::RECIPIENT_ID,
        sum(tiyin),
        tran,
        pan(card),
        exp(card),
    )
}

/// A bill of `tiyin` on `card`, answered `CHECK_OK`.
async fn check(client: &Client, tran: &str, tiyin: i64, card: &seed::TestCard) -> Bill {
    let bill = client
        .unregistered_check(&check_req(tran, tiyin, card))
        .await
        .expect("check");
    assert_eq!(bill.status, BillStatus::CheckOk, "{bill:?}");
    assert_eq!(bill.amount, Some(sum(tiyin)), "{bill:?}");
    bill
}

async fn pay(client: &Client, bill_id: i64) -> Result<Bill, Error> {
    client
        .unregistered_pay(&PayRequest::new(bill_id, otp()))
        .await
}

async fn status(client: &Client, bill_id: i64) -> Bill {
    client
        .status(&StatusRequest::bill(bill_id))
        .await
        .expect("status")
}

/// A refusal the bank explained, with nothing moved.
#[track_caller]
fn assert_refused(err: &Error, code: Code, http: u16) {
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(err.code::<Code>(), Some(&code), "{err:?}");
    assert_eq!(
        err.rejection().and_then(|r| r.http_status),
        Some(http),
        "{err:?}"
    );
    assert_eq!(err.was_sent(), Sent::Yes);
    assert!(!err.may_have_taken_effect(), "{err:?}");
}

/// `card` can pay exactly `tiyin` more: a bill of one tiyin more is refused, then a bill of
/// exactly `tiyin` is paid.
async fn assert_can_pay_exactly(client: &Client, tran: &str, tiyin: i64, card: &seed::TestCard) {
    let over = check(client, &format!("{tran}-over"), tiyin + 1, card).await;
    let refused = pay(client, over.id).await.expect_err("one tiyin too much");
    assert_refused(&refused, Code::InsufficientFunds, 400);
    let exact = check(client, &format!("{tran}-exact"), tiyin, card).await;
    let paid = pay(client, exact.id).await.expect("exactly what is left");
    assert_eq!(paid.status, BillStatus::Success);
}

#[tokio::test]
async fn check_then_pay_and_status_by_both_keys() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);

    let bill = check(&client, "order-1", 100_000, &seed::RICH_CARD).await;
    assert_eq!(bill.id, seed::FIRST_BILL_ID);
    assert_eq!(bill.currency, Some(Currency::UZS));
    assert_eq!(bill.account.as_deref(), Some("30"));
    assert_eq!(bill.ext_id.as_deref(), Some("order-1"));
    assert_eq!(
        bill.recipient_short_name.as_deref(),
        Some(seed::RECIPIENT_NAME)
    );
    assert_eq!(bill.success, Some(true));
    let data = bill.data.as_ref().expect("check data");
    assert_eq!(data.get_str("leftSeconds"), Some("120"));
    assert_eq!(data.get_str("phone"), Some("+9***587"));

    // Keyed by agentTranId: the same check again is the same bill.
    let again = check(&client, "order-1", 100_000, &seed::RICH_CARD).await;
    assert_eq!(again.id, bill.id);

    let paid = pay(&client, bill.id).await.expect("paid");
    assert_eq!(paid.id, bill.id);
    assert_eq!(paid.status, BillStatus::Success);
    assert_eq!(paid.amount, Some(sum(100_000)));

    let by_id = status(&client, bill.id).await;
    assert_eq!(by_id.status, BillStatus::Success);
    assert_eq!(by_id.amount, Some(sum(100_000)));
    let by_key = client
        .status(&StatusRequest::agent_tran("order-1"))
        .await
        .expect("status by agentTranId");
    assert_eq!(by_key.id, bill.id);
    assert_eq!(by_key.status, BillStatus::Success);
    assert_eq!(by_key.amount, Some(sum(100_000)));

    assert_eq!(client.token_fetches(), 1, "one login for every call");
}

#[tokio::test]
async fn hold_top_up_confirm_and_hold_partial_release_reverse() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let rich = &seed::RICH_CARD;

    // hold → hold-more (within 30 %) → hold-confirm
    let bill = check(&client, "hold-1", 100_000, rich).await;
    let held = client
        .hold(&PayRequest::new(bill.id, otp()))
        .await
        .expect("held");
    assert_eq!(held.status, BillStatus::HoldSuccess);
    assert_eq!(held.amount, Some(sum(100_000)));

    let more = |tiyin: i64| {
        HoldMoreRequest::new(bill.id, sum(tiyin), "UZCARD", pan(rich), exp(rich))
            .first_hold(sum(100_000))
    };
    let topped = client.hold_more(&more(20_000)).await.expect("topped up");
    assert_eq!(topped.status, BillStatus::HoldSuccess);
    // The sandbox answers the total now held (docs/sandbox/anor-bm.md, "Deviations").
    assert_eq!(topped.amount, Some(sum(120_000)));
    // Over 30 % in one call: refused before sending.
    let local = client
        .hold_more(&more(30_001))
        .await
        .expect_err("over 30 %");
    assert_eq!(local.field(), Some("amount"), "{local:?}");
    assert_eq!(local.was_sent(), Sent::No);
    // Over 30 % in total (20 000 + 10 001 > 30 000): the bank refuses.
    let total = client
        .hold_more(&more(10_001))
        .await
        .expect_err("over 30 % in total");
    assert_refused(&total, Code::LimitExceeded, 400);

    let confirmed = client
        .hold_confirm(&BillRequest::new(bill.id))
        .await
        .expect("confirmed");
    assert_eq!(confirmed.status, BillStatus::Success);
    assert_eq!(confirmed.amount, Some(sum(120_000)), "first hold + top-up");
    let settled = status(&client, bill.id).await;
    assert_eq!(settled.status, BillStatus::Success);
    assert_eq!(settled.amount, Some(sum(120_000)));

    // hold → hold-reverse-partial → hold-reverse, on the poor card (100 000 tiyin).
    let poor = &seed::POOR_CARD;
    let bill = check(&client, "hold-2", 80_000, poor).await;
    let held = client
        .hold(&PayRequest::new(bill.id, otp()))
        .await
        .expect("held");
    assert_eq!(held.status, BillStatus::HoldSuccess);
    assert_eq!(held.amount, Some(sum(80_000)));
    let rest = client
        .hold_reverse_partial(&ReversePartialRequest::new(bill.id, sum(30_000)))
        .await
        .expect("partly released");
    assert_eq!(rest.status, BillStatus::HoldSuccess);
    assert_eq!(rest.amount, Some(sum(50_000)), "what stays held");
    assert_eq!(status(&client, bill.id).await.amount, Some(sum(50_000)));

    // 30 000 came back: 50 000 is free, 50 001 is not.
    let big = check(&client, "hold-2-big", 50_001, poor).await;
    let refused = pay(&client, big.id).await.expect_err("50 000 still held");
    assert_refused(&refused, Code::InsufficientFunds, 400);

    let reversed = client
        .hold_reverse(&BillRequest::new(bill.id))
        .await
        .expect("released");
    assert_eq!(reversed.status, BillStatus::Cancelled);
    assert_eq!(reversed.amount, Some(sum(50_000)), "what was released");
    assert_eq!(status(&client, bill.id).await.status, BillStatus::Cancelled);
    let twice = client
        .hold_reverse(&BillRequest::new(bill.id))
        .await
        .expect_err("already released");
    assert_refused(&twice, Code::BillNotValid, 400);

    // The whole hold came back: the refused bill now goes through, 49 999 are left.
    let paid = pay(&client, big.id).await.expect("paid after the release");
    assert_eq!(paid.status, BillStatus::Success);
    assert_can_pay_exactly(&client, "hold-2-rest", 49_999, poor).await;
}

#[tokio::test]
async fn cancel_of_a_paid_bill_gives_the_money_back() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let poor = &seed::POOR_CARD;

    let bill = check(&client, "cancel-1", poor.balance, poor).await;
    let paid = pay(&client, bill.id).await.expect("paid");
    assert_eq!(paid.status, BillStatus::Success);

    let cancelled = client
        .cancel(&BillRequest::new(bill.id))
        .await
        .expect("cancelled");
    assert_eq!(cancelled.id, bill.id);
    assert_eq!(cancelled.status, BillStatus::Cancelled);
    assert_eq!(cancelled.amount, Some(sum(poor.balance)));
    assert_eq!(status(&client, bill.id).await.status, BillStatus::Cancelled);

    let again = client
        .cancel(&BillRequest::new(bill.id))
        .await
        .expect_err("cancelled already");
    assert_refused(&again, Code::BillNotValid, 400);

    // The card has its whole balance again.
    assert_can_pay_exactly(&client, "cancel-1-after", poor.balance, poor).await;
}

#[tokio::test]
async fn card_binding_by_otp() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let rich = &seed::RICH_CARD;

    assert!(
        client
            .get_user_cards(&anor_bm::GetUserCardsRequest {})
            .await
            .expect("cards")
            .is_empty()
    );

    let sent = client
        .send_otp(&SendOtpRequest::new(pan(rich), exp(rich)))
        .await
        .expect("otp sent");
    assert_eq!(sent.id, seed::FIRST_OTP_ID);
    assert_eq!(sent.phone_mask.as_deref(), Some("99897*****87"));

    let wrong = client
        .verify_otp(&VerifyOtpRequest::new(
            sent.id,
            Otp::new("000000").expect("otp"),
        ))
        .await
        .expect_err("wrong code");
    assert_refused(&wrong, Code::InvalidCodeRetry, 400);
    assert!(
        client
            .get_user_cards(&anor_bm::GetUserCardsRequest {})
            .await
            .expect("cards")
            .is_empty()
    );

    let token = client
        .verify_otp(&VerifyOtpRequest::new(sent.id, otp()))
        .await
        .expect("card token");
    assert_eq!(token.expose().len(), 36, "a UUID");
    assert!(!format!("{token:?}").contains(token.expose()));

    let cards = client
        .get_user_cards(&anor_bm::GetUserCardsRequest {})
        .await
        .expect("cards");
    assert_eq!(cards.len(), 1, "{cards:?}");
    let card = &cards[0];
    assert_eq!(card.pan.as_str(), "860049*****6744");
    assert!(!card.pan.as_str().contains(rich.pan));
    assert_eq!(card.card_type.as_deref(), Some(rich.card_type));
    assert_eq!(card.bank_name.as_deref(), Some(rich.bank_name));
    assert_eq!(card.card_holder_name.as_deref(), Some(rich.holder));
    assert_eq!(card.expiry, Some(exp(rich)));

    let bound = client
        .send_otp(&SendOtpRequest::new(pan(rich), exp(rich)))
        .await
        .expect_err("bound already");
    assert_refused(&bound, Code::CardAlreadyExists, 400);
}

#[tokio::test]
async fn ext_pay_pays_out_once_per_agent_tran_id() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let poor = &seed::POOR_CARD;
    let rich = &seed::RICH_CARD;
    let payout = |tran: i64, tiyin: i64, card: &seed::TestCard| {
        ExtPayRequest::new(
            tran,
            seed::MERCHANT_ACCOUNT,
            seed::MERCHANT_MFO,
            seed::MERCHANT_NAME,
            pan(card),
            exp(card),
            sum(tiyin),
        )
    };

    // 30 000 000 + 0.4 % (120 000) leaves the deposit of 50 000 000.
    let first = client
        .ext_pay(&payout(1_668_782_814, 30_000_000, poor))
        .await
        .expect("paid out");
    assert!(first.is_success(), "{first:?}");
    assert_eq!(first.amount, sum(30_000_000));
    assert_eq!(first.currency, Some(Currency::UZS));
    assert_eq!(first.agent_tran_id, Some(1_668_782_814));
    assert_eq!(first.status_message.as_deref(), Some("SUCCESS"));
    assert_eq!(first.bml_id, Some(seed::FIRST_BML_ID));
    let sender = first.sender.as_ref().expect("sender");
    assert_eq!(sender.commission_amount, Some(sum(120_000)));
    assert_eq!(
        sender
            .commission
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("0.4")
    );
    let recipient = first.recipient.as_ref().expect("recipient");
    assert_eq!(recipient.amount, Some(sum(30_000_000)));
    let shown = recipient.data.as_ref().and_then(|d| d.get_str("ACCOUNT"));
    assert_eq!(shown, Some("986048*****2454"));

    // The same agentTranId again: the same payout, nothing paid twice.
    let again = client
        .ext_pay(&payout(1_668_782_814, 30_000_000, poor))
        .await
        .expect("answered again");
    assert_eq!(again, first);

    // The deposit was charged once: 19 880 000 is left, which 19 800 000 + 79 200 fits,
    // and then 797 + 3 exactly; one tiyin more does not.
    let second = client
        .ext_pay(&payout(2, 19_800_000, rich))
        .await
        .expect("the rest of the deposit");
    assert!(second.is_success());
    assert_eq!(second.bml_id, Some(seed::FIRST_BML_ID + 1));
    let last = client
        .ext_pay(&payout(3, 797, rich))
        .await
        .expect("the last 800");
    assert!(last.is_success());
    let empty = client
        .ext_pay(&payout(4, 1, rich))
        .await
        .expect_err("deposit empty");
    assert_refused(&empty, Code::InsufficientFundsOnDeposit, 400);

    // The card was credited once: 100 000 + 30 000 000.
    assert_can_pay_exactly(&client, "after-payout", poor.balance + 30_000_000, poor).await;
}

#[tokio::test]
async fn refusals_are_typed_and_move_nothing() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let poor = &seed::POOR_CARD;

    let bill = check(&client, "too-much", poor.balance + 1, poor).await;
    let err = pay(&client, bill.id).await.expect_err("too much");
    assert_refused(&err, Code::InsufficientFunds, 400);
    assert_eq!(err.operation(), Some("unregistered-pay"));
    assert_eq!(status(&client, bill.id).await.status, BillStatus::CheckOk);

    let unknown = pay(&client, 777).await.expect_err("no such bill");
    assert_refused(&unknown, Code::BillNotFound, 400);
    let unknown = client
        .status(&StatusRequest::bill(777))
        .await
        .expect_err("no such bill");
    assert_refused(&unknown, Code::BillNotFound, 400);
    let unknown = client
        .status(&StatusRequest::agent_tran("never-checked"))
        .await
        .expect_err("no such bill");
    assert_refused(&unknown, Code::BillNotFound, 400);

    // debit_error (500) says plainly that nothing was debited.
    let failing = check(&client, "debit", seed::DEBIT_ERROR_AMOUNT, poor).await;
    let debit = pay(&client, failing.id).await.expect_err("debit error");
    assert_refused(&debit, Code::DebitError, 500);
    assert_eq!(
        status(&client, failing.id).await.status,
        BillStatus::CheckOk
    );

    // Nothing moved: the card still pays its whole balance.
    assert_can_pay_exactly(&client, "untouched", poor.balance, poor).await;
}

#[tokio::test]
async fn a_lost_pay_answer_is_outcome_unknown_and_reconciled_once() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let poor = &seed::POOR_CARD;

    let bill = check(&client, "lost-1", 60_000, poor).await;
    sandbox
        .faults()
        .set(Fault::drop_connection("anor-bm", paths::UNREGISTERED_PAY).times(1));
    let err = pay(&client, bill.id).await.expect_err("answer lost");
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert!(err.may_have_taken_effect());
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(unknown.operation, "unregistered-pay");
    let ask = unknown.reconcile.as_ref().expect("names a status call");
    assert_eq!(ask.to_string(), format!("status with billId={}", bill.id));
    assert!(
        err.to_string()
            .contains(&format!("ask status with billId={}", bill.id)),
        "{err}"
    );
    assert!(sandbox.faults().list().is_empty(), "the fault was used");

    let learned = client
        .reconcile_outcome(&err, Duration::from_secs(10))
        .await
        .expect("reconciled");
    let Reconciled::Settled(paid) = learned else {
        panic!("not settled: {learned:?}");
    };
    assert_eq!(paid.id, bill.id);
    assert_eq!(paid.status, BillStatus::Success);
    assert_eq!(paid.amount, Some(sum(60_000)));

    // Paying again is refused by the bank, not paid twice.
    let again = pay(&client, bill.id).await.expect_err("paid already");
    assert_refused(&again, Code::BillNotValid, 400);
    // 60 000 of 100 000 left the card, once.
    assert_can_pay_exactly(&client, "lost-1-rest", poor.balance - 60_000, poor).await;
}

#[tokio::test]
async fn the_banks_timeout_says_money_may_have_moved_and_status_tells() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox);
    let rich = &seed::RICH_CARD;

    let bill = check(&client, "slow-1", seed::TIMEOUT_AMOUNT, rich).await;
    let err = pay(&client, bill.id).await.expect_err("timeout");
    // a code saying money may have moved, on a payment: outcome-unknown, whatever the
    // HTTP status, naming the status call; the code is still found
    let unknown = err.outcome_unknown().expect("outcome unknown");
    assert_eq!(
        unknown
            .reconcile
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some(format!("status with billId={}", bill.id).as_str())
    );
    assert_eq!(anor_bm::code_of(&err), Some(&Code::Timeout));
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert!(!err.is_retryable(), "never resend: ask status");

    let opts = ReconcileOptions::after("unregistered-pay", Duration::from_secs(10));
    let learned = client
        .reconcile(&StatusRequest::agent_tran("slow-1"), &opts)
        .await
        .expect("reconciled");
    let Reconciled::Settled(paid) = learned else {
        panic!("not settled: {learned:?}");
    };
    assert_eq!(paid.id, bill.id);
    assert_eq!(paid.status, BillStatus::Success, "the payment went through");
    assert_eq!(paid.amount, Some(sum(seed::TIMEOUT_AMOUNT)));

    let again = pay(&client, bill.id).await.expect_err("paid already");
    assert_refused(&again, Code::BillNotValid, 400);
}
