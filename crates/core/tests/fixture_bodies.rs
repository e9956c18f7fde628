//! Request bodies built by `Request::form_of` and `Request::multipart` meet strict
//! fixture mocks; a fixture feeds an inbound request to a verifier.

use kassa_core::inbound;
use kassa_core::{Effect, Engine, Method, Operation, Part, Request, Timeouts};
use kassa_testkit::Fixture;

const UPLOAD: Operation = Operation::new("test", "upload", Effect::Once);

fn fixture(json: &str) -> Fixture {
    serde_json::from_str(json).expect("a fixture")
}

fn engine(uri: &str) -> Engine {
    Engine::builder("test", uri)
        .timeouts(Timeouts::none())
        .build()
        .expect("engine builds")
}

const MULTIPART: &str = r#"{
  "request": {"method": "POST", "path": "/upload",
              "multipart": {"orderId": {"value": "42"},
                            "doc": {"value": "%PDF-1.4", "filename": "act.pdf", "content_type": "application/pdf"}}},
  "response": {"status": 200, "json": {"ok": true}}
}"#;

#[tokio::test]
async fn a_multipart_request_meets_its_fixture() {
    let server = kassa_testkit::mount(&fixture(MULTIPART)).await;
    let req = Request::new(UPLOAD, Method::Post, "/upload").multipart(vec![
        Part::text("orderId", "42"),
        Part::file("doc", "act.pdf", "application/pdf", b"%PDF-1.4".to_vec()),
    ]);
    let resp = engine(&server.uri()).execute(&req).await.expect("answered");
    assert_eq!(resp.status, 200);
    server.verify().await;
}

#[tokio::test]
async fn a_multipart_request_with_another_part_misses_its_fixture() {
    let server = kassa_testkit::wiremock::MockServer::start().await;
    fixture(MULTIPART).mock().expect(0).mount(&server).await;
    for parts in [
        vec![
            Part::text("orderId", "43"),
            Part::file("doc", "act.pdf", "application/pdf", b"%PDF-1.4".to_vec()),
        ],
        vec![
            Part::text("orderId", "42"),
            Part::file("doc", "other.pdf", "application/pdf", b"%PDF-1.4".to_vec()),
        ],
        vec![Part::text("orderId", "42")],
    ] {
        let req = Request::new(UPLOAD, Method::Post, "/upload").multipart(parts);
        let resp = engine(&server.uri()).execute(&req).await.expect("answered");
        assert_eq!(resp.status, 404);
    }
    server.verify().await;
}

#[tokio::test]
async fn a_form_of_request_meets_its_fixture() {
    #[derive(serde::Serialize)]
    struct Login<'a> {
        login: &'a str,
        #[serde(serialize_with = "kassa_core::secret::expose")]
        password: kassa_core::secret::SecretString,
        amount: kassa_core::decimal::Decimal,
    }
    let server = kassa_testkit::mount(&fixture(
        r#"{"request": {"method": "POST", "path": "/login",
                        "form": {"login": "agent", "password": "hunter2", "amount": "1.50"}},
            "response": {"status": 200, "json": {}}}"#,
    ))
    .await;
    let body = Login {
        login: "agent",
        password: "hunter2".into(),
        amount: kassa_core::decimal::Decimal::parse("1.50").expect("decimal"),
    };
    let req = Request::new(
        Operation::new("test", "login", Effect::Auth),
        Method::Post,
        "/login",
    )
    .form_of(&body)
    .expect("form");
    assert!(!format!("{req:?}").contains("hunter2"));
    let resp = engine(&server.uri()).execute(&req).await.expect("answered");
    assert_eq!(resp.status, 200);
    server.verify().await;
}

#[test]
fn a_fixture_feeds_an_inbound_request_to_a_verifier() {
    let hook = fixture(
        r#"{"request": {"method": "POST", "path": "/hook",
                        "headers": {"X-Signature": "sig-of-body"},
                        "text": "{\"billId\": 7,\"status\":\"PAID\"}"},
            "response": {"status": 200}}"#,
    );
    let (headers, body) = hook.inbound();
    assert_eq!(body, br#"{"billId": 7,"status":"PAID"}"#);
    let presented = headers
        .iter()
        .find(|(k, _)| k == "x-signature")
        .map(|(_, v)| v.as_bytes())
        .expect("signature header");
    // A stand-in for the provider crate's signature over the exact bytes.
    let computed = if body.starts_with(b"{\"billId\": 7,") {
        &b"sig-of-body"[..]
    } else {
        &b"other"[..]
    };
    let verified = inbound::verify(body.clone(), computed, presented).expect("verified");
    assert_eq!(verified.get(), &body);

    let json = fixture(
        r#"{"request": {"method": "POST", "path": "/hook", "json": {"a": 1}},
            "response": {"status": 200}}"#,
    );
    let (headers, body) = json.inbound();
    assert_eq!(body, br#"{"a":1}"#);
    assert!(headers.contains(&("content-type".to_owned(), "application/json".to_owned())));
    let form = fixture(
        r#"{"request": {"method": "POST", "path": "/hook", "form": {"a": "1 2", "b": "x&y"}},
            "response": {"status": 200}}"#,
    );
    assert_eq!(form.inbound().1, b"a=1+2&b=x%26y");
}
