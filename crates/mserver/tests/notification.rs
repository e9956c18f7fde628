//! Inbound payment notifications: only `access_token == sha1(app_id + app_secret)` for our
//! app id is believed, wherever the token travels; the secret never shows.

mod common;

use common::*;
use kassa_testkit::Fixture;
use mserver::{
    EventKind, PaymentEvent, PaymentStatus, Refusal, SecretString, verify_payment_notification,
};

const PROVIDER: &str = "mserver";
const TOKEN: &str = "36849797cc664a7dcf42fc7bf1d5e03249445e07";

fn secret() -> SecretString {
    APP_SECRET.into()
}

/// The fixture's body bytes.
fn body(case: &str) -> Vec<u8> {
    let f = Fixture::load(PROVIDER, "payment-notification", case);
    serde_json::to_vec(f.request.json.as_ref().expect("a JSON body")).expect("bytes")
}

const NONE: [(&str, &str); 0] = [];

fn check(
    body: &[u8],
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Result<PaymentEvent, Refusal> {
    verify_payment_notification(
        body,
        query.iter().copied(),
        headers.iter().copied(),
        APP_ID,
        &secret(),
    )
    .map(|v| v.into_inner())
}

#[test]
fn the_token_is_sha1_of_app_id_and_secret() {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(format!("{APP_ID}{APP_SECRET}").as_bytes());
    assert_eq!(sha.digest().to_string(), TOKEN);
}

#[test]
fn a_genuine_notification_reads_from_the_query_headers_or_body() {
    let b = body("ok_complete");
    let q = check(&b, &[("app_id", APP_ID), ("access_token", TOKEN)], &[]).expect("query");
    assert_eq!(q.kind, EventKind::Complete);
    assert_eq!(q.payment.id, 1401089240253);
    let h = check(&b, &[], &[("X-App-Id", APP_ID), ("X-Access-Token", TOKEN)]).expect("headers");
    assert_eq!(h, q);
    let h = check(&b, &[], &[("access_token", &TOKEN.to_uppercase())]).expect("any case hex");
    assert_eq!(h, q);
    let mut v: serde_json::Value = serde_json::from_slice(&b).expect("JSON");
    v["app_id"] = APP_ID.into();
    v["access_token"] = TOKEN.into();
    let in_body = serde_json::to_vec(&v).expect("bytes");
    assert_eq!(check(&in_body, &[], &[]).expect("body"), q);
}

#[test]
fn forged_notifications_are_refused() {
    let b = body("ok_complete");
    // Wrong token (the fixture's own forged one).
    let f = Fixture::load(PROVIDER, "payment-notification", "bad_token");
    let forged = &f.request.query["access_token"];
    assert_eq!(
        check(&b, &[("app_id", APP_ID), ("access_token", forged)], &[]),
        Err(Refusal::WrongToken)
    );
    // Missing token.
    assert_eq!(
        check(&b, &[("app_id", APP_ID)], &[]),
        Err(Refusal::MissingToken)
    );
    assert_eq!(check(&b, &[], &[]), Err(Refusal::MissingToken));
    assert_eq!(
        check(&b, &[("app_id", APP_ID), ("access_token", "")], &[]),
        Err(Refusal::WrongToken)
    );
    // A token made for another app id with its own secret, claiming that app id ...
    let mut sha = sha1_smol::Sha1::new();
    sha.update(b"other-app-idother-secret");
    let other = sha.digest().to_string();
    assert_eq!(
        check(
            &b,
            &[("app_id", "other-app-id"), ("access_token", &other)],
            &[]
        ),
        Err(Refusal::OtherApplication)
    );
    // ... or claiming ours.
    assert_eq!(
        check(&b, &[("app_id", APP_ID), ("access_token", &other)], &[]),
        Err(Refusal::WrongToken)
    );
    // Our token with another app id.
    assert_eq!(
        check(
            &b,
            &[("app_id", "other-app-id"), ("access_token", TOKEN)],
            &[]
        ),
        Err(Refusal::OtherApplication)
    );
    // Places that disagree.
    assert_eq!(
        check(&b, &[("access_token", TOKEN)], &[("access_token", &other)]),
        Err(Refusal::Conflicting("access_token"))
    );
    for r in [
        Refusal::WrongToken,
        Refusal::MissingToken,
        Refusal::OtherApplication,
    ] {
        assert_eq!(r.status(), 403);
    }
}

#[test]
fn every_event_type_parses_and_unknown_ones_are_kept() {
    for (case, kind, from, to) in [
        (
            "ok_complete",
            EventKind::Complete,
            "processing",
            "completed",
        ),
        ("ok_decline", EventKind::Decline, "processing", "declined"),
        ("ok_undo", EventKind::Undo, "completed", "declined"),
        ("ok_redo", EventKind::Redo, "declined", "completed"),
    ] {
        let e = check(&body(case), &[("access_token", TOKEN)], &[]).expect(case);
        assert_eq!(e.kind, kind, "{case}");
        assert_eq!(e.from, Some(PaymentStatus::from_raw(from)), "{case}");
        assert_eq!(e.to, Some(PaymentStatus::from_raw(to)), "{case}");
    }
    // An undo for a completed payment: the payment is now declined.
    let undo = check(&body("ok_undo"), &[("access_token", TOKEN)], &[]).expect("undo");
    assert_eq!(undo.payment.status, PaymentStatus::Declined);
    assert_eq!(undo.payment.amount.minor, 100);

    let mut v: serde_json::Value = serde_json::from_slice(&body("ok_complete")).expect("JSON");
    v["type"] = "chargeback".into();
    let b = serde_json::to_vec(&v).expect("bytes");
    let e = check(&b, &[("access_token", TOKEN)], &[]).expect("kept");
    assert_eq!(e.kind, EventKind::Unknown("chargeback".into()));
}

#[test]
fn a_genuine_but_unreadable_body_is_refused_saying_where() {
    let r = check(b"{\"type\": \"complete\"}", &[("access_token", TOKEN)], &[]).unwrap_err();
    assert_eq!(r.status(), 400);
    assert!(r.to_string().contains("payment"), "{r}");
    let r = check(b"not json", &[("access_token", "x")], NONE.as_slice()).unwrap_err();
    assert_eq!(r, Refusal::WrongToken, "the token is checked first");
}

#[tokio::test(flavor = "current_thread")]
async fn the_app_secret_never_shows_in_debug_errors_or_logs() {
    let capture = kassa_testkit::logs::Capture::start();
    let b = body("ok_complete");
    let req: mserver::PaymentNotificationRequest = serde_json::from_value(serde_json::json!({
        "body": String::from_utf8(b.clone()).expect("text"),
        "query": {"app_id": APP_ID, "access_token": "0000"},
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
    }))
    .expect("parses");
    let client = wallet_client("http://127.0.0.1:9");
    let e = client.payment_notification(&req).await.unwrap_err();
    assert_eq!(e.field(), Some("access_token"));
    let ok = verify_payment_notification(&b, [("access_token", TOKEN)], NONE, APP_ID, &secret())
        .expect("genuine");
    for shown in [
        format!("{req:?}"),
        format!("{e:?}"),
        e.to_string(),
        format!("{ok:?}"),
        format!("{:?}", Refusal::WrongToken),
        Refusal::WrongToken.to_string(),
    ] {
        assert!(!shown.contains(APP_SECRET), "{shown}");
        assert!(
            !shown.contains(TOKEN),
            "the expected token is secret too: {shown}"
        );
    }
    capture.assert_free_of(&[APP_SECRET, TOKEN]);
}
