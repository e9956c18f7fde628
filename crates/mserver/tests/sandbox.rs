//! End-to-end against kassa-sandbox's mserver emulator, which was written from the
//! provider's document independently of this crate: a wallet created and activated by its
//! SMS code, read back; the services catalogue page by page and a 304 on the second read; an
//! `out` payment created (twice with the same key, one payment), paid and followed to
//! `completed` with the balance down by its total; one beyond the balance declined.

use kassa_core::Money;
use kassa_sandbox::Sandbox;
use kassa_sandbox::mserver::seed;
use mserver::{
    ActivateWalletRequest, ClientPaymentId, Conditional, CreatePaymentRequest, CreateWalletRequest,
    DeclineReason, GetPaymentRequest, ListServicesRequest, NoInput, PayPaymentRequest,
    PaymentStatus, PaymentType, Phone,
};

fn base(sandbox: &Sandbox) -> String {
    format!("{}/v1", sandbox.url("mserver"))
}

fn wallet_client(sandbox: &Sandbox, phone: &str, password: &str) -> mserver::Client {
    mserver::Client::builder()
        .base_url(base(sandbox))
        .wallet(phone, password.into())
        .expect("phone")
        .build()
        .expect("client")
}

fn rub(text: &str) -> Money {
    mserver::parse_rub(text).expect("an amount")
}

#[tokio::test]
async fn a_wallet_pays_a_service_from_the_catalogue() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let phone = "+79990000100";
    let password = "sandbox-pw";
    let anonymous = mserver::Client::builder()
        .base_url(base(&sandbox))
        .build()
        .expect("client");
    let created = anonymous
        .create_wallet(&CreateWalletRequest {
            phone: Phone::new(phone).expect("phone"),
            password: password.into(),
        })
        .await
        .expect("create-wallet");
    assert_eq!(created.data.phone, phone);
    let code = created
        .dev
        .and_then(|d| d.security_code)
        .expect("the sandbox shows the code");
    assert_eq!(code, seed::SMS_CODE);
    anonymous
        .activate_wallet(&ActivateWalletRequest {
            phone: Phone::new(phone).expect("phone"),
            code,
        })
        .await
        .expect("activate-wallet");

    let client = wallet_client(&sandbox, phone, password);
    let wallet = client.get_wallet(&NoInput {}).await.expect("get-wallet");
    assert_eq!(wallet.data.phone, phone);
    let start = wallet.data.amount;
    assert_eq!(start, rub("1000"));

    // The catalogue, page by page.
    let mut ids = Vec::new();
    let mut request_time = None;
    for page in 1.. {
        let answer = client
            .list_services(&ListServicesRequest {
                page: Some(page),
                size: Some(100),
                modified_since: None,
            })
            .await
            .expect("list-services");
        let Conditional::Modified(answer) = answer else {
            panic!("no If-Modified-Since was sent, yet 304");
        };
        request_time = answer.meta.request_time;
        ids.extend(answer.data.iter().map(|s| s.id));
        if answer.meta.has_next_page != Some(true) {
            assert_eq!(page, 4);
            break;
        }
    }
    assert_eq!(ids.len(), 320);
    let again = client
        .list_services(&ListServicesRequest {
            page: None,
            size: None,
            modified_since: request_time,
        })
        .await
        .expect("list-services, conditional");
    assert!(again.is_not_modified());

    // Two-phase payment, created twice with one key.
    let key = ClientPaymentId::new();
    let payment = CreatePaymentRequest::new(PaymentType::Out, rub("100.50"))
        .with_id(key.clone())
        .service(1, [("phoneNumber", "9261234567")]);
    let first = client
        .create_payment(&payment)
        .await
        .expect("create-payment");
    let second = client
        .create_payment(&payment)
        .await
        .expect("create-payment again");
    assert_eq!(first.data.id, second.data.id);
    assert_eq!(first.data.status, PaymentStatus::Created);
    let total = first.data.total.expect("a total");

    let paid = client
        .pay_payment(&PayPaymentRequest::new(first.data.id))
        .await
        .expect("pay-payment");
    assert_eq!(paid.data.status, PaymentStatus::Processing);
    let got = client
        .get_payment(&GetPaymentRequest { id: first.data.id })
        .await
        .expect("get-payment");
    assert_eq!(got.data.status, PaymentStatus::Completed);
    let after = client.get_wallet(&NoInput {}).await.expect("get-wallet");
    assert_eq!(
        after.data.amount,
        start.checked_sub(total).expect("same currency")
    );
    assert_eq!(after.data.amount, rub("899.50"));

    // Beyond the balance: declined for lack of funds, nothing taken.
    let big = CreatePaymentRequest::new(PaymentType::Out, rub("5000"))
        .service(1, [("phoneNumber", "9261234567")]);
    let big = client.create_payment(&big).await.expect("create-payment");
    client
        .pay_payment(&PayPaymentRequest::new(big.data.id))
        .await
        .expect("pay-payment");
    let got = client
        .get_payment(&GetPaymentRequest { id: big.data.id })
        .await
        .expect("get-payment");
    assert_eq!(got.data.status, PaymentStatus::Declined);
    assert_eq!(
        got.data.decline_reason,
        Some(DeclineReason::InsufficientFunds)
    );
    let last = client.get_wallet(&NoInput {}).await.expect("get-wallet");
    assert_eq!(last.data.amount, after.data.amount);
}
