//! End-to-end against kassa-sandbox's Mobilnik emulator, which was written from the
//! provider's document independently of this crate: the whole flow, a replaced token, a
//! lost payment answer, and refusals.

use kassa_core::secret::SecretString;
use kassa_core::{Currency, Error, Money};
use kassa_sandbox::Fault;
use kassa_sandbox::mobilnik::seed;
use mobilnik::{
    CheckPaymentRequest, CheckRequisiteRequest, Client, DeviceId, PaymentRequest, PaymentStatus,
    StatusCode, TransferRequest, som, status_code_of,
};

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .login(seed::LOGIN)
        .password(SecretString::from(seed::PASSWORD.to_owned()))
        .device_id(DeviceId::new(seed::DEVICE_ID).expect("id"))
        .device_name(seed::DEVICE)
        .build()
        .expect("client")
}

fn kgs(text: &str) -> Money {
    som(text).expect("amount")
}

#[tokio::test]
async fn pay_check_and_transfer_move_the_balance_exactly() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox.url("mobilnik"));

    let list = client
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("services");
    assert_eq!(
        list.service(1).and_then(|s| s.name.as_deref()),
        Some("Beeline KG")
    );
    assert!(
        list.categories
            .iter()
            .any(|c| c.name.as_deref() == Some("Переводы"))
    );

    let who = client
        .check_requisite(&CheckRequisiteRequest::new(1, seed::REQUISITE))
        .await
        .expect("requisite");
    assert_eq!(who.customer_name, seed::REQUISITE_NAME);

    let paid = client
        .payment(&PaymentRequest::new(1, seed::REQUISITE, kgs("150.50")))
        .await
        .expect("paid");
    assert_eq!(paid.balance, Money::new(89_250, Currency::KGS));

    let check = CheckPaymentRequest::new(paid.operation_id);
    let first = client.check_payment(&check).await.expect("status");
    assert_eq!(first.status_id, PaymentStatus::Accepted);
    let second = client.check_payment(&check).await.expect("status");
    assert_eq!(second.status_id, PaymentStatus::Processed);

    let sent = client
        .transfer_request(&TransferRequest::new(2, seed::WALLET, kgs("200"), "rent"))
        .await
        .expect("transferred");
    assert_eq!(sent.message, "OK");

    let me = client
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("balance");
    assert_eq!(
        me.balance,
        Money::new(69_250, Currency::KGS),
        "1043.00 - 150.50 - 200.00"
    );
    assert_eq!(me.account, seed::ACCOUNT);
}

#[tokio::test]
async fn a_token_replaced_by_another_login_is_renewed_once() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let base = sandbox.url("mobilnik");
    let first = client(&base);
    let second = client(&base);
    first
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("first logs in");
    second
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("second logs in, first's token dies");
    first
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect("first gets 27, logs in again, repeats");
    assert_eq!(first.authentications(), 2);
    assert_eq!(second.authentications(), 1);
}

#[tokio::test]
async fn a_lost_payment_answer_is_outcome_unknown_and_the_balance_tells() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox.url("mobilnik"));
    client
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("logs in");
    sandbox
        .faults()
        .set(Fault::drop_connection("mobilnik", "/payment/").times(1));
    let err = client
        .payment(&PaymentRequest::new(1, seed::REQUISITE, kgs("150.50")))
        .await
        .expect_err("answer lost");
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert!(
        err.to_string().contains("check the wallet balance"),
        "{err}"
    );
    // The advice works: the payment did go through.
    let me = client
        .authenticate(&mobilnik::AuthenticateRequest {})
        .await
        .expect("balance");
    assert_eq!(me.balance, Money::new(89_250, Currency::KGS));
}

#[tokio::test]
async fn refusals_come_back_typed() {
    let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
    let client = client(&sandbox.url("mobilnik"));
    let too_much = client
        .payment(&PaymentRequest::new(1, seed::REQUISITE, kgs("1043.01")))
        .await
        .expect_err("too much");
    assert_eq!(
        too_much.code::<StatusCode>(),
        Some(&StatusCode::InsufficientFundsForOperation)
    );
    assert!(!too_much.may_have_taken_effect());

    let failure = client
        .payment(&PaymentRequest::new(
            1,
            seed::SYSTEM_FAILURE_REQUISITE,
            kgs("10"),
        ))
        .await
        .expect_err("system failure");
    assert!(matches!(failure, Error::OutcomeUnknown(_)), "{failure:?}");
    assert_eq!(status_code_of(&failure), Some(&StatusCode::SystemFailure));

    let unknown = client
        .transfer_request(&TransferRequest::new(2, "0555999999", kgs("1"), ""))
        .await
        .expect_err("unknown wallet");
    assert_eq!(
        unknown.code::<StatusCode>(),
        Some(&StatusCode::PhoneNotFoundInDb)
    );

    let blocked = Client::builder()
        .base_url(sandbox.url("mobilnik"))
        .login(seed::BLOCKED_LOGIN)
        .password(SecretString::from(seed::PASSWORD.to_owned()))
        .device_id(DeviceId::new(seed::DEVICE_ID).expect("id"))
        .device_name(seed::DEVICE)
        .build()
        .expect("client")
        .service_list(&mobilnik::ServiceListRequest {})
        .await
        .expect_err("blocked");
    assert!(blocked.is_auth());
    assert_eq!(blocked.code::<StatusCode>(), Some(&StatusCode::UserBlocked));
}
