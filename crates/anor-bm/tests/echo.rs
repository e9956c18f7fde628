//! A bank that echoes the client's own secrets back (the password, the access token, the
//! refresh token) inside a refusal's message, a malformed success answer or an HTML error
//! page never makes an error print them: every public operation's error is scrubbed of the
//! password and of every token the client received.

mod common;

use anor_bm::{Client, ExtPayRequest, Otp, PayRequest};
use kassa_core::secret::CardNumber;
use kassa_core::{Currency, Error, Money, RetryPolicy, Timeouts};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LOGIN: &str = "/api/ext/user/login";
const PAY: &str = "/services/bmms/api/agent/unregistered-pay";
const CARDS: &str = "/services/partnercardms/api/get-user-cards";
const EXT_PAY: &str = "/services/bmms/api/ext/agent/pay";

const PASSWORD: &str = "pw-Echo-7731";
const ACCESS: &str = "acc-Echo-5519-token";
const REFRESH: &str = "ref-Echo-8842-token";

/// The three secrets side by side, as a bank that echoes them would write them.
fn echoed() -> String {
    format!("user agent password {PASSWORD} access {ACCESS} refresh {REFRESH}")
}

fn tokens() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!(
            r#"{{"statusCode":0,"statusMessage":"OK","result":{{"access_token":"{ACCESS}","token_type":"bearer","refresh_token":"{REFRESH}","expires_in":86398}}}}"#
        ),
        "application/json",
    )
}

fn json(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

/// A catalogue refusal whose English title echoes the secrets.
fn refusal(status: u16, detail: &str) -> ResponseTemplate {
    json(
        status,
        format!(
            r#"{{"langs":{{"en":"refused: {}"}},"status":{status},"detail":"{detail}","title":"x"}}"#,
            echoed()
        ),
    )
}

/// A catalogue refusal whose code itself (one the catalogue does not list) echoes them.
fn refusal_in_code(status: u16) -> ResponseTemplate {
    json(
        status,
        format!(r#"{{"status":{status},"detail":"{}"}}"#, echoed()),
    )
}

fn html_500() -> ResponseTemplate {
    ResponseTemplate::new(500).set_body_raw(
        format!("<html><body><h1>500</h1><p>{}</p></body></html>", echoed()),
        "text/html",
    )
}

fn client(uri: &str) -> Client {
    Client::builder(uri, "agent", PASSWORD)
        .transport(common::quiet_transport())
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::none())
        .build()
        .expect("client builds")
}

fn ext_pay_request() -> ExtPayRequest {
    ExtPayRequest::new(
        1668782814,
        "20208000900000000001",
        "01183",
        "viplati",
        CardNumber::new("9860601234562487").expect("card"),
        "1025".parse().expect("exp"),
        Money::new(100, Currency::UZS),
    )
}

/// Runs `op` against a bank that logs in once with the tokens, then answers `answer`.
async fn answer_with(op: &str, answer: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    Mock::given(method("POST"))
        .and(path(LOGIN))
        .respond_with(tokens())
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    if op == "login" {
        // the client holds its tokens first; the second login answers the echo
        c.authenticate().await.expect("first login");
        Mock::given(method("POST"))
            .and(path(LOGIN))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        return match c.login(&anor_bm::LoginRequest {}).await {
            Ok(answer) => panic!("login: expected an error, got {answer:?}"),
            Err(e) => e,
        };
    }
    let (http_method, route) = match op {
        "unregistered-pay" => ("POST", PAY),
        "get-user-cards" => ("GET", CARDS),
        "ext-pay" => ("POST", EXT_PAY),
        other => panic!("no such call {other}"),
    };
    Mock::given(method(http_method))
        .and(path(route))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    let result = match op {
        "unregistered-pay" => c
            .unregistered_pay(&PayRequest::new(936532, Otp::new("445566").expect("otp")))
            .await
            .map(drop),
        "get-user-cards" => c
            .get_user_cards(&anor_bm::GetUserCardsRequest {})
            .await
            .map(drop),
        _ => c.ext_pay(&ext_pay_request()).await.map(drop),
    };
    server.verify().await;
    match result {
        Ok(()) => panic!("{op}: expected an error"),
        Err(e) => e,
    }
}

fn assert_scrubbed(op: &str, case: &str, err: &Error) {
    for shown in [err.to_string(), format!("{err:?}")] {
        for secret in [PASSWORD, ACCESS, REFRESH] {
            assert!(
                !shown.contains(secret),
                "{op} / {case}: {secret} leaked: {shown}"
            );
        }
    }
}

/// The answers each operation is given: a refusal quoting the secrets in its message and
/// in its code, a malformed success answer quoting them, an HTML 500 page quoting them.
fn cases(op: &str) -> Vec<(&'static str, ResponseTemplate, &'static str)> {
    let mut cases = vec![
        // (case, answer, a text the error must quote, proving the answer was read)
        (
            "refusal message",
            refusal(400, "bill_not_found"),
            "refused: user agent",
        ),
        ("refusal code", refusal_in_code(400), "user agent password"),
        ("html 500", html_500(), "500"),
    ];
    let malformed = match op {
        "login" => format!(
            r#"{{"statusCode":0,"statusMessage":"OK","result":{{"token_type":"{}","expires_in":"soon"}}}}"#,
            echoed()
        ),
        "unregistered-pay" => format!(r#"{{"id":"{}","status":"SUCCESS"}}"#, echoed()),
        "get-user-cards" => format!(r#"{{"success":true,"data":"{}"}}"#, echoed()),
        _ => format!(r#"{{"amount":"{}","success":true}}"#, echoed()),
    };
    cases.push((
        "malformed success",
        json(200, malformed),
        "cannot read the answer",
    ));
    if op == "login" {
        cases.push((
            "auth refusal",
            json(
                200,
                format!(r#"{{"statusCode":7,"statusMessage":"{}"}}"#, echoed()),
            ),
            "user agent password",
        ));
        cases.push((
            "401 refusal",
            refusal(401, "bad_credentials"),
            "refused: user agent",
        ));
    }
    cases
}

#[tokio::test]
async fn echoed_secrets_never_reach_an_error() {
    for op in ["login", "unregistered-pay", "get-user-cards", "ext-pay"] {
        for (case, answer, quoted) in cases(op) {
            let err = answer_with(op, answer).await;
            assert_scrubbed(op, case, &err);
            let shown = err.to_string();
            assert!(
                shown.contains(quoted),
                "{op} / {case}: the error quotes the answer ({quoted:?}): {shown}"
            );
        }
    }
}
