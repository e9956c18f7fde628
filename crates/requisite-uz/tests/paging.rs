//! Statement paging with `lastId`: every row once, never an endless loop.

mod common;

use common::{PROVIDER, body_json, client};
use futures_util::StreamExt as _;
use kassa_core::Error;
use kassa_testkit::{Fixture, faults};
use requisite_uz::{ServiceId, StatementKind, StatementRequest, StatementRow, wire};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

fn first_request(case: &str) -> StatementRequest {
    let fixture = Fixture::load(PROVIDER, "statement", case);
    let text = fixture
        .request
        .json
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    wire::from_json(&text).expect("statement request")
}

async fn collect(
    client: &requisite_uz::Client,
    req: StatementRequest,
) -> Vec<Result<StatementRow, Error>> {
    client.statement_rows(req).collect().await
}

async fn last_ids(server: &MockServer) -> Vec<u64> {
    server
        .received_requests()
        .await
        .expect("recording on")
        .iter()
        .map(|r| body_json(r)["lastId"].as_u64().expect("lastId is a number"))
        .collect()
}

#[tokio::test]
async fn pages_are_followed_by_the_largest_id_and_each_row_comes_once() {
    let server = MockServer::start().await;
    for case in ["page_1_last_id_0", "page_2_after_last_id", "ok"] {
        // `ok` is the document's example: asked with lastId 2111291793, it returns that very
        // row again (an inclusive bound), which adds no new id and ends the paging.
        kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "statement", case)).await;
    }
    let rows = collect(&client(&server.uri()), first_request("page_1_last_id_0")).await;
    let ids: Vec<u64> = rows.iter().map(|r| r.as_ref().expect("row").id).collect();
    assert_eq!(ids, vec![2_111_291_788, 2_111_291_790, 2_111_291_793]);
    assert_eq!(
        last_ids(&server).await,
        vec![0, 2_111_291_790, 2_111_291_793]
    );
    server.verify().await;
}

#[tokio::test]
async fn an_empty_first_page_ends_at_once() {
    let fixture = Fixture::load(PROVIDER, "statement", "ok_empty");
    let server = kassa_testkit::mount(&fixture).await;
    let req = first_request("ok_empty");
    assert_eq!(req.kind, StatementKind::Incoming);
    let rows = collect(&client(&server.uri()), req).await;
    assert!(rows.is_empty());
    server.verify().await;
}

#[tokio::test]
async fn a_server_that_ignores_last_id_cannot_make_it_loop() {
    let server = MockServer::start().await;
    let page = Fixture::load(PROVIDER, "statement", "page_1_last_id_0");
    Mock::given(method("POST"))
        .and(path("/api/v2/account/payments"))
        .respond_with(page.response_template())
        .expect(2)
        .mount(&server)
        .await;
    let rows = collect(&client(&server.uri()), first_request("page_1_last_id_0")).await;
    assert_eq!(rows.len(), 2, "each row once");
    assert_eq!(last_ids(&server).await, vec![0, 2_111_291_790]);
    server.verify().await;
}

#[tokio::test]
async fn a_page_that_does_not_move_the_cursor_ends_the_stream() {
    // The second page brings a new row, but with a smaller id: the cursor cannot advance,
    // so the same request would come back; the new row is yielded and paging stops.
    let server = MockServer::start().await;
    kassa_testkit::mount_on(
        &server,
        &Fixture::load(PROVIDER, "statement", "page_1_last_id_0"),
    )
    .await;
    let body = r#"{"status":"success","data":[{"id":2111291789,"docNumber":"1917791","docDate":"2023-01-17 11:00:00",
        "paymentDate":"2023-01-17 00:00:00","type":"Расход","mfoPayer":"00401","accountPayer":"29896000200000401070",
        "namePayer":"SELLO - C2C","innPayer":"307692757","mfoReceiver":"01091","accountReceiver":"29801000990248844444",
        "nameReceiver":"Test","innReceiver":"123456789","amount":"150","purpose":"late row","status":"Проведен"}]}"#;
    Mock::given(method("POST"))
        .and(path("/api/v2/account/payments"))
        .and(kassa_testkit::JsonBody(serde_json::json!({
            "type": "0", "lastId": 2_111_291_790_u64, "fromDate": "2023-01-01", "toDate": "2023-02-21", "serviceId": 27
        })))
        .respond_with(faults::json_body(200, body))
        .expect(1)
        .mount(&server)
        .await;
    let rows = collect(&client(&server.uri()), first_request("page_1_last_id_0")).await;
    let ids: Vec<u64> = rows.iter().map(|r| r.as_ref().expect("row").id).collect();
    assert_eq!(ids, vec![2_111_291_788, 2_111_291_790, 2_111_291_789]);
    assert_eq!(
        rows[2].as_ref().map(|r| r.amount.minor).ok(),
        Some(150),
        "a string amount is read too"
    );
    server.verify().await;
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = MockServer::start().await;
    kassa_testkit::mount_on(
        &server,
        &Fixture::load(PROVIDER, "statement", "page_1_last_id_0"),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/account/payments"))
        .and(kassa_testkit::JsonBody(serde_json::json!({
            "type": "0", "lastId": 2_111_291_790_u64, "fromDate": "2023-01-01", "toDate": "2023-02-21", "serviceId": 27
        })))
        .respond_with(faults::json_body(200, r#"{"status":"error","code":1009,"message":"Нет доступа для метода","data":null}"#))
        .expect(1)
        .mount(&server)
        .await;
    let rows = collect(&client(&server.uri()), first_request("page_1_last_id_0")).await;
    assert_eq!(rows.len(), 3);
    assert!(rows[0].is_ok() && rows[1].is_ok());
    let err = rows[2].as_ref().expect_err("the error");
    assert_eq!(err.provider_code().as_deref(), Some("1009"));
    server.verify().await;
}

#[tokio::test]
async fn paging_resumes_after_a_given_id_and_checks_dates_before_sending() {
    let fixture = Fixture::load(PROVIDER, "statement", "page_2_after_last_id");
    let server = kassa_testkit::mount(&fixture).await;
    let req = StatementRequest::new(
        ServiceId(27),
        time::macros::date!(2023 - 01 - 01),
        time::macros::date!(2023 - 02 - 21),
    )
    .kind(StatementKind::All)
    .after(2_111_291_790);
    // Page 2 moves the cursor to 2111291793, so one more page is asked: the document's
    // example, which only repeats that row.
    kassa_testkit::mount_on(&server, &Fixture::load(PROVIDER, "statement", "ok")).await;
    let rows = collect(&client(&server.uri()), req).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(last_ids(&server).await, vec![2_111_291_790, 2_111_291_793]);
    server.verify().await;

    let backwards = StatementRequest::new(
        ServiceId(27),
        time::macros::date!(2023 - 02 - 21),
        time::macros::date!(2023 - 01 - 01),
    );
    let empty = MockServer::start().await;
    kassa_testkit::catch_all().mount(&empty).await;
    let rows = collect(&client(&empty.uri()), backwards).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].as_ref().err().and_then(Error::field),
        Some("toDate")
    );
    assert_eq!(empty.received_requests().await.map(|r| r.len()), Some(0));
}
