//! Input checked before sending, paging over list-services, and service parameter checks.

mod common;

use std::collections::BTreeMap;

use common::*;
use futures_util::StreamExt;
use kassa_testkit::Fixture;
use mserver::{ServiceDescription, UploadPictureRequest, check_parameters};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    kassa_testkit::catch_all().mount(&server).await;
    server
}

#[tokio::test]
async fn a_picture_over_10_mb_and_a_gif_are_refused_before_sending() {
    let server = silent_server().await;
    let client = wallet_client(&server.uri());
    let mut big = vec![0u8; mserver::MAX_PICTURE_BYTES + 1];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let e = client
        .upload_picture(&UploadPictureRequest {
            file_name: None,
            bytes: big,
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("file"));
    assert!(e.to_string().contains("10 MB"), "{e}");
    let gif = b"GIF89a\x01\x00\x01\x00".to_vec();
    let e = client
        .upload_picture(&UploadPictureRequest {
            file_name: Some("a.gif".into()),
            bytes: gif,
        })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("file"));
    assert!(e.to_string().contains("JPEG or PNG"), "{e}");
    assert_eq!(server.received_requests().await.expect("recorded").len(), 0);
    server.verify().await;
}

#[tokio::test]
async fn a_png_of_exactly_10_mb_is_sent_as_multipart() {
    let server = MockServer::start().await;
    let mut png = vec![0u8; mserver::MAX_PICTURE_BYTES];
    png[..8].copy_from_slice(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    Mock::given(method("POST"))
        .and(path("/wallet/picture"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"meta": {"code": 200}}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    wallet_client(&server.uri())
        .upload_picture(&UploadPictureRequest {
            file_name: None,
            bytes: png.clone(),
        })
        .await
        .expect("sent");
    let got = server.received_requests().await.expect("recorded");
    let ct = got[0]
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let parts = kassa_testkit::multipart::parse(ct, &got[0].body).expect("multipart");
    assert_eq!(parts["file"].content_type.as_deref(), Some("image/png"));
    assert_eq!(parts["file"].filename.as_deref(), Some("image.png"));
    assert_eq!(parts["file"].data.len(), png.len());
}

#[tokio::test]
async fn phones_are_checked_before_sending() {
    let server = silent_server().await;
    let client = wallet_client(&server.uri());
    for bad in [
        "89261111111",
        "+7926111111",
        "+792611111111",
        "+7926abc1111",
        "79261111111",
        "",
    ] {
        let params = json!({"phone": bad, "password": "secret-1"}).to_string();
        let e = mserver::call_json(&client, "create-wallet", &params)
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("phone"), "{bad}: {e}");
    }
    assert!(
        mserver::Client::builder()
            .wallet("+7 926 111 11 11", "p".into())
            .is_err()
    );
    server.verify().await;
}

#[tokio::test]
async fn paging_stops_at_has_next_page_false_and_sends_each_page_number() {
    let server = MockServer::start().await;
    let page = |n: u64, next: bool| {
        json!({
            "meta": {"code": 200, "has_next_page": next},
            "data": [{"id": n * 10, "name": format!("s{n}")}, {"id": n * 10 + 1, "name": format!("t{n}")}]
        })
    };
    for (n, next) in [(1, true), (2, true), (3, false)] {
        Mock::given(method("GET"))
            .and(path("/services"))
            .and(query_param("page", n.to_string().as_str()))
            .and(query_param("size", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(n, next)))
            .expect(1)
            .mount(&server)
            .await;
    }
    kassa_testkit::catch_all().mount(&server).await;
    let client = wallet_client(&server.uri());
    let ids: Vec<u64> = client
        .services(2)
        .map(|s| s.expect("a service").id)
        .collect()
        .await;
    assert_eq!(ids, [10, 11, 20, 21, 30, 31]);
    let pages: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
    server.verify().await;
}

#[tokio::test]
async fn a_page_error_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/services"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let got: Vec<_> = wallet_client(&server.uri()).services(20).collect().await;
    assert_eq!(got.len(), 1);
    assert!(got[0].is_err());
}

fn description(op: &str, case: &str) -> ServiceDescription {
    let f = Fixture::load("mserver", op, case);
    let data = f.response.json.expect("json")["data"].clone();
    // Through text: amounts and rates are read exactly from their JSON tokens.
    serde_json::from_str(&data.to_string()).expect("a description")
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn parameter_values_are_checked_against_the_description() {
    // service-by-mnp: phoneNumber required, 12 characters, ^\+7[0-9]{10}$.
    let mnp = description("service-by-mnp", "ok");
    assert!(check_parameters(&mnp, &values(&[("phoneNumber", "+79261112233")])).is_ok());
    for (v, why) in [
        ("", "required"),
        ("+7926111223", "at least 12"),
        ("+89261112233", "match"),
    ] {
        let e = check_parameters(&mnp, &values(&[("phoneNumber", v)])).unwrap_err();
        assert_eq!(e.field(), Some("phoneNumber"), "{v}");
        assert!(e.to_string().contains(why), "{v}: {e}");
    }
    let e = check_parameters(&mnp, &values(&[("account", "1")])).unwrap_err();
    assert_eq!(e.field(), Some("account"));

    // get-service/ok (upstream shape): code/name, required, ^\d{10}$.
    let up = description("get-service", "ok_upstream");
    assert!(check_parameters(&up, &values(&[("phoneNumber", "9261111111")])).is_ok());
    assert!(check_parameters(&up, &values(&[])).is_err());

    // get-service/ok: items 1..3 and the document's patterns ending in `$a`, which are
    // valid expressions that match nothing: a clear refusal, no panic.
    let doc = description("get-service", "ok");
    let e = check_parameters(&doc, &values(&[("phoneNumber", "9261111111")])).unwrap_err();
    assert_eq!(e.field(), Some("phoneNumber"));
    assert!(e.to_string().contains("one of 1, 2, 3"), "{e}");
    let e = check_parameters(&doc, &values(&[("phoneNumber", "2")])).unwrap_err();
    assert!(
        e.to_string().contains("characters") || e.to_string().contains("match"),
        "{e}"
    );

    // mobile-operator: pattern null, lengths only.
    let mo = description("mobile-operator", "ok");
    assert!(check_parameters(&mo, &values(&[("phoneNumber", "9261111111")])).is_ok());
}

#[test]
fn an_invalid_service_pattern_is_a_clear_error_for_that_parameter() {
    for pattern in ["^[0-9{10}$", "(\\d{3}", "^\\d{10,2}$", "*abc"] {
        let service: ServiceDescription = serde_json::from_str(
            &json!({"id": 1, "name": "x", "parameters": [{"id": "account", "pattern": pattern}]})
                .to_string(),
        )
        .expect("reads");
        let e = check_parameters(&service, &values(&[("account", "1234567890")])).unwrap_err();
        assert_eq!(e.field(), Some("account"), "{pattern}");
        assert!(
            e.to_string().contains("not a valid regular expression"),
            "{pattern}: {e}"
        );
        assert!(e.to_string().contains(pattern), "{pattern}: {e}");
    }
    let alt: ServiceDescription = serde_json::from_str(
        r#"{"id": 1, "name": "x", "parameters": [{"id": "account", "patterns": [{"pattern": "[", "description": "x"}]}]}"#,
    )
    .expect("reads");
    let e = check_parameters(&alt, &values(&[("account", "1")])).unwrap_err();
    assert!(
        e.to_string().contains("not a valid regular expression"),
        "{e}"
    );
}
