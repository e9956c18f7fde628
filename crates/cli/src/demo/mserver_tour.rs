//! mserver in the tour: a new wallet activated by its SMS code, the whole services
//! catalogue page by page and its 304, a two-phase `out` payment paid and followed to
//! `completed`, one declined for lack of funds, and the payment notification received and
//! verified by the demo itself.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kassa_core::Money;
use kassa_core::secret::SecretString;
use kassa_sandbox::Sandbox;
use kassa_sandbox::mserver::seed;
use mserver::{
    ActivateWalletRequest, Client, Conditional, CreatePaymentRequest, CreateWalletRequest,
    DeclineReason, EventKind, GetServiceRequest, ListServicesRequest, NoInput, PayPaymentRequest,
    Payment, PaymentOutcome, PaymentStatus, PaymentType, Phone,
};

use super::inbound::{self, Inbound};
use super::{Tour, expect, show, timeouts};

const P: &str = "mserver";
/// The wallet the tour creates (the sandbox starts from its seed: the phone is free).
const PHONE: &str = "+79265550142";
/// Its password.
const PASSWORD: &str = "kassa-demo-password";
/// The service paid: a utility with a fixed fee, so `total` differs from `amount`.
const SERVICE: u64 = 4;
/// Services per catalogue page.
const PAGE_SIZE: u32 = 100;
/// How often and how long a payment is followed.
const FOLLOW_EVERY: Duration = Duration::from_millis(100);
const FOLLOW_FOR: Duration = Duration::from_secs(10);

/// Runs mserver's steps against the sandbox; `inbound` receives the notifications.
pub(super) async fn run(sandbox: &Sandbox, inbound: Option<&mut Inbound>, tour: &mut Tour) {
    let base = format!("{}/v1", sandbox.url(P));
    let built = Client::builder()
        .base_url(base)
        .wallet(PHONE, SecretString::from(PASSWORD))
        .and_then(|b| b.timeouts(timeouts()).build());
    let client = match built {
        Ok(c) => c,
        Err(e) => {
            tour.step(P, "client", Err(e.to_string()));
            return;
        }
    };
    let Ok(phone) = Phone::new(PHONE) else {
        tour.step(P, "client", Err(format!("{PHONE} is not a phone")));
        return;
    };

    // the wallet: created inactive, activated by the SMS code
    let req = CreateWalletRequest {
        phone: phone.clone(),
        password: SecretString::from(PASSWORD),
    };
    let (_, o) = expect(client.create_wallet(&req).await, |a| {
        if a.data.phone == PHONE {
            Ok(format!("wallet {PHONE} created, waiting for its SMS code"))
        } else {
            Err(format!("the answer names wallet {}", a.data.phone))
        }
    });
    if !tour.step(P, "create-wallet", o) {
        return;
    }
    // inactive until its code: the wallet's own calls are refused
    let o = match client.get_wallet(&NoInput {}).await {
        Err(e) if mserver::code_of(&e) == Some(&mserver::Code::WalletNotActive) => {
            Ok("refused before activation: wallet_not_active".to_owned())
        }
        Err(e) => Err(format!("refused, but not as wallet_not_active: {e}")),
        Ok(w) => Err(format!(
            "an inactive wallet answered, holding {}",
            w.data.amount
        )),
    };
    if !tour.step(P, "get-wallet", o) {
        return;
    }
    let req = ActivateWalletRequest {
        phone,
        code: seed::SMS_CODE.to_owned(),
    };
    let (_, o) = expect(client.activate_wallet(&req).await, |a| {
        if a.data.phone == PHONE {
            Ok(format!(
                "activated with the sandbox's SMS code {}",
                seed::SMS_CODE
            ))
        } else {
            Err(format!("the answer names wallet {}", a.data.phone))
        }
    });
    if !tour.step(P, "activate-wallet", o) {
        return;
    }
    let (wallet, o) = expect(client.get_wallet(&NoInput {}).await, |w| {
        Ok(format!("{} holds {}", w.data.phone, w.data.amount))
    });
    if !tour.step(P, "get-wallet", o) {
        return;
    }
    let mut balance = wallet.map(|w| w.data.amount);

    // the catalogue: every page, then the same read again with If-Modified-Since
    let (request_time, o) = catalogue(&client).await;
    tour.step(P, "list-services", o);
    let o = match request_time {
        None => Err("no request_time to ask with".to_owned()),
        Some(since) => {
            let again = ListServicesRequest {
                page: Some(1),
                size: Some(PAGE_SIZE),
                modified_since: Some(since),
            };
            match client.list_services(&again).await {
                Ok(Conditional::NotModified) => Ok(format!(
                    "If-Modified-Since {since}: 304, the catalogue did not change"
                )),
                Ok(Conditional::Modified(a)) => Err(format!(
                    "If-Modified-Since {since}: the catalogue again ({} services), expected 304",
                    a.data.len()
                )),
                Err(e) => Err(format!("failed: {e}")),
            }
        }
    };
    tour.step(P, "if-modified-since", o);

    // the service: its parameter, checked here before anything is sent
    let Some(group) = seed::group_of(SERVICE) else {
        tour.step(P, "get-service", Err(format!("no service {SERVICE}")));
        return;
    };
    let value: String = "1234567890123456789"
        .chars()
        .take(group.min_digits)
        .collect();
    let values = BTreeMap::from([(group.param.to_owned(), value.clone())]);
    let (_, o) = expect(
        client.get_service(&GetServiceRequest { id: SERVICE }).await,
        |s| match mserver::check_parameters(&s.data, &values) {
            Ok(()) => Ok(format!(
                "service {SERVICE} «{}»: {} {value} fits its pattern",
                s.data.name, group.param
            )),
            Err(e) => Err(format!("{} {value} refused: {e}", group.param)),
        },
    );
    if !tour.step(P, "get-service", o) {
        return;
    }

    // notifications: the demo's own receiver, registered with the sandbox (as the
    // provider's project settings would be) before anything is paid
    if let Some(inbound) = &inbound {
        sandbox.set_mserver_notification_url(Some(inbound.notification_url()));
    }

    // an out payment: created, its total shown, paid, followed to completed
    let amount = Money::new(15_000, kassa_core::Currency::RUB);
    let req = CreatePaymentRequest::new(PaymentType::Out, amount).service(SERVICE, values.clone());
    let Some((paid, total)) = pay(&client, tour, &req, PaymentStatus::Completed).await else {
        return;
    };
    let expected = balance.and_then(|b| b.checked_sub(total).ok());
    let (after, o) = expect(client.get_wallet(&NoInput {}).await, |w| {
        if Some(w.data.amount) == expected {
            Ok(format!("{} (fell by the total {total})", w.data.amount))
        } else {
            Err(format!(
                "{} after paying {total}, expected {}",
                w.data.amount,
                show(expected)
            ))
        }
    });
    tour.step(P, "balance", o);
    balance = after.map(|w| w.data.amount);

    // more than the wallet holds: declined, insufficient_funds, nothing taken
    let too_much = balance
        .and_then(|b| {
            b.checked_add(Money::new(10_000, kassa_core::Currency::RUB))
                .ok()
        })
        .unwrap_or(Money::new(500_000, kassa_core::Currency::RUB));
    let req = CreatePaymentRequest::new(PaymentType::Out, too_much).service(SERVICE, values);
    if pay(&client, tour, &req, PaymentStatus::Declined)
        .await
        .is_some()
    {
        let (_, o) = expect(client.get_wallet(&NoInput {}).await, |w| {
            if Some(w.data.amount) == balance {
                Ok(format!("{} (nothing taken)", w.data.amount))
            } else {
                Err(format!(
                    "{} after a declined payment, expected {}",
                    w.data.amount,
                    show(balance)
                ))
            }
        });
        tour.step(P, "balance", o);
    }

    // the notification of the completed payment, verified with the app secret
    let o = match inbound {
        Some(inbound) => notification(inbound, &paid).await,
        None => Err("the demo's receiver did not start, so no notification can arrive".to_owned()),
    };
    tour.step(P, "notification", o);
}

/// Reads every page of the catalogue; gives the first page's `request_time` and the step.
async fn catalogue(client: &Client) -> (Option<i64>, Result<String, String>) {
    let mut page = 1;
    let mut ids = BTreeSet::new();
    let mut listed = 0usize;
    let mut total = None;
    let mut request_time = None;
    loop {
        let req = ListServicesRequest {
            page: Some(page),
            size: Some(PAGE_SIZE),
            modified_since: None,
        };
        let answer = match client.list_services(&req).await {
            Ok(Conditional::Modified(a)) => a,
            Ok(Conditional::NotModified) => {
                return (
                    None,
                    Err(format!(
                        "page {page}: 304 to a read without If-Modified-Since"
                    )),
                );
            }
            Err(e) => return (None, Err(format!("page {page}: {e}"))),
        };
        if page == 1 {
            request_time = answer.meta.request_time;
            total = answer.meta.page.as_ref().and_then(|p| p.total_elements);
        }
        listed += answer.data.len();
        ids.extend(answer.data.iter().map(|s| s.id));
        if answer.meta.has_next_page != Some(true) {
            break;
        }
        if answer.data.is_empty() || page >= 1_000 {
            return (
                request_time,
                Err(format!("page {page} is empty but has_next_page is true")),
            );
        }
        page += 1;
    }
    let outcome = match total {
        _ if ids.len() != listed => Err(format!(
            "{listed} services listed over {page} pages, only {} distinct",
            ids.len()
        )),
        Some(t) if t == listed as u64 => Ok(format!(
            "{listed} services over {page} pages of {PAGE_SIZE}, as total_elements says"
        )),
        Some(t) => Err(format!(
            "{listed} services over {page} pages, total_elements says {t}"
        )),
        None => Err(format!(
            "{listed} services over {page} pages, no total_elements"
        )),
    };
    (request_time, outcome)
}

/// Creates, shows the total of, pays and follows one payment to `wanted`; gives the
/// settled payment and its total when every step did what the document says.
async fn pay(
    client: &Client,
    tour: &mut Tour,
    req: &CreatePaymentRequest,
    wanted: PaymentStatus,
) -> Option<(Payment, Money)> {
    let (created, o) = expect(client.create_payment(req).await, |a| {
        let p = &a.data;
        match (&p.status, p.total) {
            (PaymentStatus::Created, Some(total))
                if p.amount == req.amount
                    && total.currency == p.amount.currency
                    && total.minor >= p.amount.minor =>
            {
                Ok(format!(
                    "payment {} of {} to service {SERVICE}: {total} in total, fees included",
                    p.id, p.amount
                ))
            }
            (PaymentStatus::Created, None) => Err(format!("payment {} has no total", p.id)),
            (PaymentStatus::Created, Some(total)) => Err(format!(
                "payment {} of {} for {total}, asked for {}",
                p.id, p.amount, req.amount
            )),
            (s, _) => Err(format!("payment {} is {s}, expected created", p.id)),
        }
    });
    if !tour.step(P, "create-payment", o) {
        return None;
    }
    let created = created?.data;
    let total = created.total?;
    let (_, o) = expect(
        client
            .pay_payment(&PayPaymentRequest::new(created.id))
            .await,
        |a| match &a.data.status {
            PaymentStatus::Processing => Ok(format!("payment {} processing", a.data.id)),
            s if *s == wanted => Ok(format!("payment {} {s}", a.data.id)),
            s => Err(format!("payment {} is {s}, expected processing", a.data.id)),
        },
    );
    if !tour.step(P, "pay-payment", o) {
        return None;
    }
    let followed = client
        .follow_payment(created.id, FOLLOW_EVERY, FOLLOW_FOR)
        .await
        .map(|s| s.into_inner().data);
    let (settled, o) = expect(followed, |p| match (p.outcome(), &wanted) {
        (PaymentOutcome::Completed, PaymentStatus::Completed) => {
            Ok(format!("payment {} completed", p.id))
        }
        (
            PaymentOutcome::Declined(Some(DeclineReason::InsufficientFunds)),
            PaymentStatus::Declined,
        ) => Ok(format!(
            "payment {} declined: insufficient_funds ({total} is more than the wallet holds)",
            p.id
        )),
        (PaymentOutcome::Pending, _) => Err(format!(
            "payment {} still {} after {} s",
            p.id,
            p.status,
            FOLLOW_FOR.as_secs()
        )),
        (_, _) => Err(format!(
            "payment {} is {}{}, expected {wanted}",
            p.id,
            p.status,
            p.decline_reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )),
    });
    if !tour.step(P, "get-payment", o) {
        return None;
    }
    settled.map(|p| (p, total))
}

/// Waits for the verified notification of `paid` turning completed.
async fn notification(inbound: &mut Inbound, paid: &Payment) -> Result<String, String> {
    let mut refused = Vec::new();
    let found = inbound::wait_for(
        &mut inbound.notifications,
        &format!("notification of payment {}", paid.id),
        |n| match n {
            Ok(e) if e.payment.id == paid.id && e.payment.status == PaymentStatus::Completed => {
                Some(e.clone())
            }
            _ => None,
        },
        |n| {
            if let Err(r) = n {
                refused.push(r.to_string());
            }
        },
    )
    .await;
    if let Some(first) = refused.first() {
        return Err(format!(
            "{} notification(s) refused: {first}",
            refused.len()
        ));
    }
    let event = found?;
    if event.payment.amount != paid.amount || event.payment.total != paid.total {
        return Err(format!(
            "the notification says {} ({} in total), the payment was {} ({})",
            event.payment.amount,
            show(event.payment.total),
            paid.amount,
            show(paid.total)
        ));
    }
    let moved = (event.from.as_ref(), event.to.as_ref());
    match (&event.kind, moved) {
        (EventKind::Complete, (_, Some(PaymentStatus::Completed))) => Ok(format!(
            "payment {} {} → completed (type complete) received at {}, token verified with the app secret",
            paid.id,
            event.from.as_ref().map_or("?", |s| s.as_str()),
            inbound.notification_url()
        )),
        (kind, (_, to)) => Err(format!(
            "payment {}: type {}, to {}, expected complete to completed",
            paid.id,
            kind.as_str(),
            to.map_or("nothing", |s| s.as_str())
        )),
    }
}
