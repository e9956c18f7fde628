//! The engine's loose answers, read through the client: ids as numbers or strings, lists as
//! objects keyed by id, limits written "no", exact rates, `data: []`.

mod common;

use common::client;
use exchanger::{BidId, BidInfoRequest, Code, DirectionRequest, ExchangesRequest, code_of};
use kassa_core::Error;
use kassa_testkit::Fixture;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROVIDER: &str = "exchanger";

async fn answering(route: &str, body: String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/userapi/v1/{route}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn fixture_json(op: &str, case: &str) -> serde_json::Value {
    Fixture::load(PROVIDER, op, case)
        .response
        .json
        .expect("json")
}

#[tokio::test]
async fn a_string_and_a_number_id_are_the_same_id() {
    let mut ids = Vec::new();
    for id in [serde_json::json!("1350"), serde_json::json!(1350)] {
        let mut body = fixture_json("bid-info", "ok_by_id");
        body["data"]["id"] = id;
        let server = answering("bid_info", body.to_string()).await;
        let bid = client(&server.uri())
            .bid_info(&BidInfoRequest::id(BidId(1350)))
            .await
            .expect("read");
        ids.push(bid.id);
    }
    assert_eq!(ids, [BidId(1350), BidId(1350)]);
}

#[tokio::test]
async fn items_as_an_object_and_as_a_list_give_the_same_list() {
    let list = fixture_json("get-exchanges", "ok");
    let items = list["data"]["items"].as_array().expect("a list").clone();
    let mut keyed = list.clone();
    keyed["data"]["items"] = serde_json::Value::Object(
        items
            .iter()
            .map(|i| (i["id"].as_str().expect("id").to_owned(), i.clone()))
            .collect(),
    );
    let mut got = Vec::new();
    for body in [list, keyed] {
        let server = answering("get_exchanges", body.to_string()).await;
        got.push(
            client(&server.uri())
                .get_exchanges(&ExchangesRequest::default())
                .await
                .expect("read"),
        );
    }
    assert!(!got[0].items.is_empty());
    assert_eq!(got[0], got[1]);
}

#[tokio::test]
async fn min_give_no_is_none_and_a_rate_stays_exact() {
    let mut body = fixture_json("get-direction", "ok");
    body["data"]["course_give"] = serde_json::json!("0.00001234");
    let server = answering("get_direction", body.to_string()).await;
    let d = client(&server.uri())
        .get_direction(&DirectionRequest { direction_id: 12 })
        .await
        .expect("read");
    assert_eq!(d.max_give, None, "\"no\" is none");
    assert_eq!(d.min_get, None);
    assert_eq!(d.min_give.map(|m| m.to_string()).as_deref(), Some("0.001"));
    assert_eq!(d.course_give.to_string(), "0.00001234");
    assert_eq!(d.course_give.value().scale(), 8);
    assert_eq!(d.quote().to_pay().to_string(), "0.0152 BTC");
}

#[tokio::test]
async fn an_exponent_or_garbage_in_a_rate_is_a_decode_error_naming_the_field() {
    for bad in ["1e-5", "0.0001x", "", "abc"] {
        let mut body = fixture_json("get-direction", "ok");
        body["data"]["course_give"] = serde_json::json!(bad);
        let server = answering("get_direction", body.to_string()).await;
        let err = client(&server.uri())
            .get_direction(&DirectionRequest { direction_id: 12 })
            .await
            .expect_err(bad);
        assert!(matches!(err, Error::Decode { .. }), "{bad}: {err:?}");
        assert!(err.to_string().contains("data.course_give"), "{bad}: {err}");
    }
    let mut body = fixture_json("get-direction", "ok");
    body["data"]["min_give"] = serde_json::json!("nope");
    let server = answering("get_direction", body.to_string()).await;
    let err = client(&server.uri())
        .get_direction(&DirectionRequest { direction_id: 12 })
        .await
        .expect_err("garbage limit");
    assert!(err.to_string().contains("data.min_give"), "{err}");
}

#[tokio::test]
async fn data_empty_list_with_no_bid_exists_is_the_typed_no_bid_case() {
    let body = r#"{"error": "1", "error_text": "no bid exists", "error_fields": [], "data": []}"#;
    let server = answering("bid_info", body.to_owned()).await;
    let err = client(&server.uri())
        .bid_info(&BidInfoRequest::id(BidId(999_999)))
        .await
        .expect_err("no bid");
    assert_eq!(code_of(&err), Some(&Code::NoBidExists));
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
}

#[tokio::test]
async fn data_empty_where_an_object_was_expected_is_the_empty_case_and_listings_are_empty() {
    let body = r#"{"error": "0", "error_text": "", "data": []}"#;
    let server = answering("get_direction", body.to_owned()).await;
    let err = client(&server.uri())
        .get_direction(&DirectionRequest { direction_id: 12 })
        .await
        .expect_err("empty");
    assert_eq!(code_of(&err), Some(&Code::Empty));
    let server = answering("get_exchanges", body.to_owned()).await;
    let none = client(&server.uri())
        .get_exchanges(&ExchangesRequest::default())
        .await
        .expect("an empty listing");
    assert!(none.items.is_empty());
}
