//! `kassa demo`: every provider's main flow, end to end, against the embedded sandbox.
//! Each step checks that the answer is what the provider's document says; the tour exits 0
//! only when every step did. People read the steps on stderr; stdout gets one JSON summary.
//!
//! mserver's payment notifications and the exchanger's bid callbacks are received by the
//! demo itself, on a loopback receiver (`demo/inbound.rs`), as an integrator would.

use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

use kassa_core::secret::{CardNumber, SecretString};
use kassa_core::{Currency, Money, Timeouts};
use kassa_sandbox::Sandbox;
use serde_json::json;

mod exchanger_tour;
mod inbound;
mod journal_tour;
mod mserver_tour;

/// One step of the tour.
struct Step {
    provider: &'static str,
    name: &'static str,
    ok: bool,
    detail: String,
}

/// The steps so far.
#[derive(Default)]
struct Tour {
    steps: Vec<Step>,
}

impl Tour {
    /// Records a step: `Ok(detail)` when it did what the document says, `Err(why)` if not.
    fn step(
        &mut self,
        provider: &'static str,
        name: &'static str,
        outcome: Result<String, String>,
    ) -> bool {
        let (ok, detail) = match outcome {
            Ok(d) => (true, d),
            Err(d) => (false, d),
        };
        eprintln!("  {} {name:<22} {detail}", if ok { "ok  " } else { "FAIL" });
        self.steps.push(Step {
            provider,
            name,
            ok,
            detail,
        });
        ok
    }

    fn all_ok(&self) -> bool {
        self.steps.iter().all(|s| s.ok)
    }
}

/// Turns a call's result into a step outcome, checking the answer with `check`.
fn expect<T, E: Display>(
    result: Result<T, E>,
    check: impl FnOnce(&T) -> Result<String, String>,
) -> (Option<T>, Result<String, String>) {
    match result {
        Ok(v) => {
            let outcome = check(&v);
            (Some(v), outcome)
        }
        Err(e) => (None, Err(format!("failed: {e}"))),
    }
}

fn timeouts() -> Timeouts {
    Timeouts::default().total(Duration::from_secs(20))
}

/// Runs the tour.
pub async fn run() -> ExitCode {
    let sandbox = match kassa_sandbox::spawn().await {
        Ok(s) => s,
        Err(e) => {
            return crate::fail(&crate::output::Failure::other(format!(
                "cannot start the embedded sandbox: {e}"
            )));
        }
    };
    eprintln!(
        "kassa demo: every provider's main flow against the embedded sandbox at {}",
        sandbox.base_url()
    );
    let mut tour = Tour::default();
    eprintln!("\nanor-bm (Anor Bank billing, UZS)");
    anor_bm(&sandbox, &mut tour).await;
    eprintln!("\nrequisite-uz (payment by requisites, UZS)");
    requisite_uz(&sandbox, &mut tour).await;
    eprintln!("\nmobilnik (Mobilnik wallet, KGS)");
    mobilnik(&sandbox, &mut tour).await;

    // The integrator's side of the notifications and callbacks, on a loopback port.
    let mut receiver = match inbound::Inbound::start(
        kassa_sandbox::mserver::seed::APP_ID,
        SecretString::from(kassa_sandbox::mserver::seed::APP_SECRET),
    )
    .await
    {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("kassa demo: the receiver for notifications did not start: {e}");
            None
        }
    };
    eprintln!("\nmserver (wallet API, RUB)");
    mserver_tour::run(&sandbox, receiver.as_mut(), &mut tour).await;
    eprintln!("\nexchanger (Premium Exchanger user API v1)");
    exchanger_tour::run(&sandbox, receiver.as_mut(), &mut tour).await;
    drop(receiver);
    eprintln!("\nanor-bm with an intent journal (a lost answer, then the recoverer)");
    journal_tour::run(&sandbox, &mut tour).await;

    let passed = tour.steps.iter().filter(|s| s.ok).count();
    eprintln!(
        "\n{passed}/{} steps did what the providers' documents say",
        tour.steps.len()
    );
    let summary = json!({
        "ok": tour.all_ok(),
        "steps": tour.steps.iter().map(|s| json!({
            "provider": s.provider, "step": s.name, "ok": s.ok, "detail": s.detail,
        })).collect::<Vec<_>>(),
    });
    println!("{summary}");
    if tour.all_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(5)
    }
}

async fn anor_bm(sandbox: &Sandbox, tour: &mut Tour) {
    use anor_bm::{
        BillRequest, BillStatus, CardExpiry, CheckRequest, Otp, PayRequest, ReversePartialRequest,
        StatusRequest,
    };
    use kassa_sandbox::anor_bm::seed;
    const P: &str = "anor-bm";

    let client = match anor_bm::Client::builder(sandbox.url(P), seed::USERNAME, seed::PASSWORD)
        .timeouts(timeouts())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tour.step(P, "client", Err(e.to_string()));
            return;
        }
    };
    let (_, o) = expect(client.login(&anor_bm::LoginRequest {}).await, |t| {
        Ok(format!(
            "token received (expires in {} s)",
            t.result.expires_in.unwrap_or_default()
        ))
    });
    if !tour.step(P, "login", o) {
        return;
    }
    let card = match (
        CardNumber::new(seed::RICH_CARD.pan),
        CardExpiry::parse_field(seed::RICH_CARD.expiry, "exp"),
        Otp::new(seed::OTP),
    ) {
        (Ok(c), Ok(e), Ok(o)) => (c, e, o),
        _ => {
            tour.step(
                P,
                "seed card",
                Err("the sandbox's seed card does not validate".into()),
            );
            return;
        }
    };
    let (pan, exp, otp) = card;
    let sum = |s: i64| Money::new(s * 100, Currency::UZS);
    let check = |amount: Money, tran: &str| {
        CheckRequest::new("30", seed::RECIPIENT_ID, amount, tran, pan.clone(), exp)
    };

    // check, then pay with the card holder's code
    let answer = client
        .unregistered_check(&check(sum(1_500), "demo-pay-1"))
        .await;
    let Some(bill) = bill_step(
        tour,
        "unregistered-check",
        answer,
        BillStatus::CheckOk,
        |b| format!("for {}", show(b.amount)),
    ) else {
        return;
    };
    let answer = client
        .unregistered_pay(&PayRequest::new(bill.id, otp.clone()))
        .await;
    bill_step(
        tour,
        "unregistered-pay",
        answer,
        BillStatus::Success,
        |_| format!("card {pan} debited"),
    );
    let answer = client.status(&StatusRequest::bill(bill.id)).await;
    bill_step(tour, "status", answer, BillStatus::Success, |_| {
        "read back".into()
    });

    // check, hold, confirm
    let held = sum(2_000);
    let answer = client.unregistered_check(&check(held, "demo-hold-1")).await;
    if let Some(bill) = bill_step(
        tour,
        "unregistered-check",
        answer,
        BillStatus::CheckOk,
        |_| String::new(),
    ) {
        let answer = client.hold(&PayRequest::new(bill.id, otp.clone())).await;
        bill_step(tour, "hold", answer, BillStatus::HoldSuccess, |b| {
            format!("{} held", show(b.amount))
        });
        let answer = client.hold_confirm(&BillRequest::new(bill.id)).await;
        bill_step(tour, "hold-confirm", answer, BillStatus::Success, |_| {
            "hold charged".into()
        });
    }

    // check, hold, release part of it
    let answer = client.unregistered_check(&check(held, "demo-hold-2")).await;
    let Some(bill) = bill_step(
        tour,
        "unregistered-check",
        answer,
        BillStatus::CheckOk,
        |_| String::new(),
    ) else {
        return;
    };
    let answer = client.hold(&PayRequest::new(bill.id, otp.clone())).await;
    if bill_step(tour, "hold", answer, BillStatus::HoldSuccess, |_| {
        String::new()
    })
    .is_none()
    {
        return;
    }
    let released = sum(500);
    let (_, o) = expect(
        client
            .hold_reverse_partial(&ReversePartialRequest::new(bill.id, released))
            .await,
        |b| {
            let left = held.checked_sub(released).ok();
            if b.amount == left {
                Ok(format!(
                    "released {released}, {} stays held",
                    show(b.amount)
                ))
            } else {
                Err(format!(
                    "{} stays held, expected {}",
                    show(b.amount),
                    show(left)
                ))
            }
        },
    );
    tour.step(P, "hold-reverse-partial", o);
}

/// Records an anor-bm step that succeeded when the bill reached `wanted`; gives the bill
/// back when it did, so the next step can use it.
fn bill_step(
    tour: &mut Tour,
    name: &'static str,
    answer: Result<anor_bm::Bill, kassa_core::Error>,
    wanted: anor_bm::BillStatus,
    detail: impl FnOnce(&anor_bm::Bill) -> String,
) -> Option<anor_bm::Bill> {
    let (bill, outcome) = expect(answer, |b| {
        if b.status == wanted {
            Ok(format!("bill {} {} {}", b.id, wanted.as_str(), detail(b))
                .trim_end()
                .to_owned())
        } else {
            Err(format!(
                "bill {} is {}, expected {}",
                b.id,
                b.status.as_str(),
                wanted.as_str()
            ))
        }
    });
    if tour.step("anor-bm", name, outcome) {
        bill
    } else {
        None
    }
}

async fn requisite_uz(sandbox: &Sandbox, tour: &mut Tour) {
    use futures_util::StreamExt as _;
    use kassa_sandbox::requisite_uz::seed;
    use requisite_uz::{PaymentRequest, PaymentStatus, ServiceId, StatementKind, StatementRequest};
    const P: &str = "requisite-uz";

    let built = requisite_uz::Client::builder(sandbox.url(P))
        .credentials(
            seed::FIXTURE_USERNAME,
            SecretString::from(seed::FIXTURE_PASSWORD),
        )
        .timeouts(timeouts())
        .build();
    let client = match built {
        Ok(c) => c,
        Err(e) => {
            tour.step(P, "client", Err(e.to_string()));
            return;
        }
    };
    let service = ServiceId(seed::SERVICE_SPLIT_ID);
    let (_, o) = expect(client.services().await, |list| {
        match list.iter().find(|s| s.id == service) {
            Some(s) => Ok(format!(
                "{} services; {} «{}» is {:?}",
                list.len(),
                s.id,
                s.name,
                s.kind
            )),
            None => Err(format!("service {service} is not listed")),
        }
    });
    if !tour.step(P, "services", o) {
        return;
    }
    let (before, o) = expect(client.balance(service).await, |b| {
        Ok(format!("balance {}", b.balance))
    });
    tour.step(P, "balance", o);
    let amount = Money::new(1_250_000, Currency::UZS);
    let commission = Money::new(2_500, Currency::UZS);
    let order_id = "kassa-demo-1";
    let req = PaymentRequest {
        order_id: order_id.to_owned(),
        receiver_name: seed::RECEIVER_NAME.to_owned(),
        mfo_receiver: seed::RECEIVER_MFO.to_owned(),
        receiver_account: seed::RECEIVER_ACCOUNT.to_owned(),
        inn_receiver: Some(seed::RECEIVER_INN.to_owned()),
        purpose: "kassa demo: payment by requisites".to_owned(),
        service_id: service,
        amount,
        commission_amount: commission,
        ref_number: None,
        card_type: None,
        card_number: None,
    };
    let (_, o) = expect(client.payment(&req).await, |r| match r.payment_status {
        PaymentStatus::Entered => Ok(format!(
            "order {order_id} entered (Введен, pending), doc {}",
            r.doc_id
        )),
        PaymentStatus::Posted => Ok(format!(
            "order {order_id} posted (Проведен), doc {}",
            r.doc_id
        )),
        ref s => Err(format!("order {order_id} is {s:?}")),
    });
    if !tour.step(P, "payment", o) {
        return;
    }
    // Entered is pending, never success: ask until posted.
    let mut posted = Err(format!("order {order_id} never reached Проведен"));
    for _ in 0..5 {
        match client.payment_status(order_id).await {
            Ok(r) if r.payment_status == PaymentStatus::Posted => {
                posted = Ok(format!("order {order_id} posted (Проведен)"));
                break;
            }
            Ok(r) if r.payment_status == PaymentStatus::Entered => continue,
            Ok(r) => {
                posted = Err(format!("order {order_id} is {:?}", r.payment_status));
                break;
            }
            Err(e) => {
                posted = Err(format!("failed: {e}"));
                break;
            }
        }
    }
    tour.step(P, "payment-status", posted);
    let (_, o) = expect(client.balance(service).await, |b| {
        let expected = before
            .as_ref()
            .and_then(|b| b.balance.checked_sub(amount).ok())
            .and_then(|m| m.checked_sub(commission).ok());
        if Some(b.balance) == expected {
            Ok(format!(
                "balance {} (fell by {amount} + {commission} commission)",
                b.balance
            ))
        } else {
            Err(format!(
                "balance {}, expected {}",
                b.balance,
                show(expected)
            ))
        }
    });
    tour.step(P, "balance", o);
    // Up to the bank's today (Tashkent, UTC+5), never the UTC date: from 19:00 UTC the bank
    // is on the next day. Against a real bank: `requisite_uz::bank_today()`; here the
    // sandbox's clock, which dated the payment.
    let today = requisite_uz::bank_date(sandbox.clock().now());
    let from = today.saturating_sub(requisite_uz::time::Duration::days(5 * 365));
    let statement = StatementRequest::new(service, from, today).kind(StatementKind::Outgoing);
    let mut rows = std::pin::pin!(client.statement_rows(statement));
    let mut seen = 0;
    let mut found = None;
    let mut failed = None;
    while let Some(row) = rows.next().await {
        match row {
            Ok(row) => {
                seen += 1;
                if row.amount == amount && row.purpose == req.purpose {
                    found = Some(row.id);
                }
            }
            Err(e) => {
                failed = Some(e.to_string());
                break;
            }
        }
    }
    let outcome = match (failed, found) {
        (Some(e), _) => Err(format!("failed: {e}")),
        (None, Some(id)) => Ok(format!(
            "{seen} outgoing rows paged by lastId; row {id} is the payment"
        )),
        (None, None) => Err(format!("{seen} rows, none is the payment of {amount}")),
    };
    tour.step(P, "statement", outcome);
}

async fn mobilnik(sandbox: &Sandbox, tour: &mut Tour) {
    use kassa_sandbox::mobilnik::seed;
    use mobilnik::{
        CheckPaymentRequest, CheckRequisiteRequest, DeviceId, PaymentRequest, PaymentStatus,
    };
    const P: &str = "mobilnik";

    let built = DeviceId::new(seed::DEVICE_ID).and_then(|id| {
        mobilnik::Client::builder()
            .base_url(sandbox.url(P))
            .login(seed::LOGIN)
            .password(SecretString::from(seed::PASSWORD))
            .device_id(id)
            .device_name(seed::DEVICE)
            .timeouts(timeouts())
            .build()
    });
    let client = match built {
        Ok(c) => c,
        Err(e) => {
            tour.step(P, "client", Err(e.to_string()));
            return;
        }
    };
    let (me, o) = expect(
        client.authenticate(&mobilnik::AuthenticateRequest {}).await,
        |a| Ok(format!("account {}, balance {}", a.account, a.balance)),
    );
    if !tour.step(P, "authenticate", o) {
        return;
    }
    let before = me.map(|a| a.balance);
    let (_, o) = expect(
        client.service_list(&mobilnik::ServiceListRequest {}).await,
        |l| {
            if l.services.is_empty() {
                Err("no services listed".into())
            } else {
                Ok(format!(
                    "{} services in {} categories",
                    l.services.len(),
                    l.categories.len()
                ))
            }
        },
    );
    tour.step(P, "service-list", o);
    let service = 1;
    let (_, o) = expect(
        client
            .check_requisite(&CheckRequisiteRequest::new(service, seed::REQUISITE))
            .await,
        |r| {
            Ok(format!(
                "requisite {} belongs to {}",
                seed::REQUISITE,
                r.customer_name
            ))
        },
    );
    tour.step(P, "check-requisite", o);
    let amount = Money::new(15_050, Currency::KGS);
    let (paid, o) = expect(
        client
            .payment(&PaymentRequest::new(service, seed::REQUISITE, amount))
            .await,
        |p| {
            let expected = before.and_then(|b| b.checked_sub(amount).ok());
            if Some(p.balance) == expected {
                Ok(format!(
                    "paid {amount}, operation {}, balance now {}",
                    p.operation_id.0, p.balance
                ))
            } else {
                Err(format!(
                    "balance {} after paying {amount}, expected {}",
                    p.balance,
                    show(expected)
                ))
            }
        },
    );
    tour.step(P, "payment", o);
    if let Some(p) = paid {
        let req = CheckPaymentRequest::new(p.operation_id);
        let (_, o) = expect(client.check_payment(&req).await, |s| match &s.status_id {
            PaymentStatus::Accepted | PaymentStatus::Processed => Ok(format!(
                "operation {} is {:?}",
                p.operation_id.0, s.status_id
            )),
            other => Err(format!("operation {} is {other:?}", p.operation_id.0)),
        });
        tour.step(P, "check-payment", o);
    }
}

fn show(m: Option<Money>) -> String {
    m.map_or_else(|| "no amount".to_owned(), |m| m.to_string())
}
