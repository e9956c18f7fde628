//! The payment-then-statement flow at any hour. The bank (and the sandbox standing in for
//! it) dates rows in Tashkent, UTC+5: from 19:00 UTC a payment is dated the next day. A
//! statement asked up to `bank_date(now)` finds it at every hour; one asked up to the UTC
//! date misses it from 19:00 to 24:00 UTC (the second test shows the difference is real).

use futures_util::StreamExt as _;
use kassa_core::secret::SecretString;
use kassa_core::{Currency, Money};
use kassa_sandbox::requisite_uz::seed;
use kassa_sandbox::{Clock, Sandbox};
use requisite_uz::time::macros::datetime;
use requisite_uz::time::{Date, OffsetDateTime};
use requisite_uz::{
    Client, PaymentRequest, ServiceId, StatementKind, StatementRequest, StatementRow, bank_date,
};

/// The hours of the issue: before, just around and after the bank's midnight (19:00 UTC).
const HOURS: [OffsetDateTime; 4] = [
    datetime!(2026-11-29 00:30 UTC),
    datetime!(2026-11-29 18:59 UTC),
    datetime!(2026-11-29 19:01 UTC),
    datetime!(2026-11-29 23:59 UTC),
];

fn client(sandbox: &Sandbox) -> Client {
    Client::builder(sandbox.url("requisite-uz"))
        .credentials(
            seed::USERNAME,
            SecretString::from(seed::PASSWORD.to_owned()),
        )
        .build()
        .expect("client")
}

fn payment(order_id: &str) -> PaymentRequest {
    PaymentRequest {
        order_id: order_id.into(),
        receiver_name: seed::RECEIVER_NAME.into(),
        mfo_receiver: seed::RECEIVER_MFO.into(),
        receiver_account: seed::RECEIVER_ACCOUNT.into(),
        inn_receiver: Some(seed::RECEIVER_INN.into()),
        purpose: format!("hours {order_id}"),
        service_id: ServiceId(seed::SERVICE_SPLIT_ID),
        amount: Money::new(150_000, Currency::UZS),
        commission_amount: Money::new(0, Currency::UZS),
        ref_number: None,
        card_type: None,
        card_number: None,
    }
}

/// Pays at `at` (sandbox clock), then asks the outgoing statement from the day before
/// `to` up to `to`: whether the payment's row is among the rows answered.
async fn pay_then_statement(at: OffsetDateTime, to: impl Fn(OffsetDateTime) -> Date) -> bool {
    let clock = Clock::fixed(at);
    let sandbox = Sandbox::builder()
        .clock(clock.clone())
        .spawn()
        .await
        .expect("sandbox");
    let client = client(&sandbox);
    client.services().await.expect("services");
    let order_id = format!("hours-{}{:02}", at.hour(), at.minute());
    let paid = client.payment(&payment(&order_id)).await.expect("payment");
    assert!(!paid.doc_id.is_empty());

    let to = to(clock.now());
    let from = to.previous_day().expect("a day before");
    let request = StatementRequest::new(ServiceId(seed::SERVICE_SPLIT_ID), from, to)
        .kind(StatementKind::Outgoing);
    let rows: Vec<StatementRow> = client
        .statement_rows(request)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("statement");
    rows.iter()
        .any(|r| r.purpose == format!("hours {order_id}"))
}

#[tokio::test]
async fn a_payment_is_in_the_statement_up_to_the_banks_today_at_every_hour() {
    for at in HOURS {
        assert!(
            pay_then_statement(at, bank_date).await,
            "at {at} the payment is missing from the statement up to {}",
            bank_date(at)
        );
    }
}

#[tokio::test]
async fn the_utc_date_misses_the_payment_from_19_utc() {
    // The mistake this crate's `bank_date` exists for: asking up to the UTC date.
    let found: Vec<bool> = futures_util::future::join_all(
        HOURS.map(|at| pay_then_statement(at, |now: OffsetDateTime| now.date())),
    )
    .await;
    assert_eq!(found, [true, true, false, false]);
}
