//! The API key never prints: not in `Debug` of the client, its builder or a request, not in
//! an error when the exchanger echoes it back, and not in a TRACE log of a whole call.

mod common;

use exchanger::{BidActionRequest, Client, ExchangesRequest};
use kassa_core::{RetryPolicy, Timeouts};
use kassa_testkit::logs::Capture;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "k3y-Echo-9917-exchanger-secret";

fn client(uri: &str) -> Client {
    Client::builder(uri)
        .login("echo-login")
        .key(KEY)
        .language("en_US")
        .transport(kassa_testkit::quiet_transport())
        .timeouts(Timeouts::none())
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

#[test]
fn the_key_is_not_in_debug_output() {
    let builder = Client::builder("https://exchanger.example")
        .login("l")
        .key(KEY);
    assert!(!format!("{builder:?}").contains(KEY));
    let c = client("https://exchanger.example");
    let shown = format!("{c:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("echo-login"), "{shown}");
}

fn echoes() -> Vec<(&'static str, ResponseTemplate)> {
    let json = |body: String| ResponseTemplate::new(200).set_body_raw(body, "application/json");
    vec![
        (
            "error text",
            json(format!(r#"{{"error":1,"error_text":"bad key {KEY}"}}"#)),
        ),
        (
            "error code",
            json(format!(r#"{{"error":"{KEY}","error_text":"x"}}"#)),
        ),
        (
            "error fields",
            json(format!(
                r#"{{"error":2,"error_text":"x","error_fields":{{"key":"{KEY}"}}}}"#
            )),
        ),
        (
            "malformed data",
            json(format!(r#"{{"error":0,"data":{{"items":"{KEY}"}}}}"#)),
        ),
        (
            "html 500",
            ResponseTemplate::new(500).set_body_raw(format!("<html>{KEY}</html>"), "text/html"),
        ),
    ]
}

#[tokio::test]
async fn an_echoed_key_never_reaches_an_error() {
    for (case, template) in echoes() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(template)
            .mount(&server)
            .await;
        let c = client(&server.uri());
        let read = c
            .get_exchanges(&ExchangesRequest::default())
            .await
            .expect_err(case);
        let once = c
            .success_bid(&BidActionRequest::hash("9f8e7d6c5b4a"))
            .await
            .expect_err(case);
        for err in [read, once] {
            let text = format!("{err} {err:?}");
            assert!(!text.contains(KEY), "{case}: {text}");
        }
    }
}

#[tokio::test]
async fn a_trace_log_of_a_call_holds_no_key() {
    let capture = Capture::start();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/userapi/v1/test"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"{{"error":1,"error_text":"Api disabled","error_fields":{{"API-KEY":"{KEY}"}}}}"#
            ),
            "application/json",
        ))
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .test(&exchanger::NoParams {})
        .await
        .expect_err("refused");
    assert!(err.is_auth());
    let text = capture.text();
    assert!(
        text.contains("exchanger"),
        "the capture saw the call: {text}"
    );
    capture.assert_free_of(&[KEY]);
}
