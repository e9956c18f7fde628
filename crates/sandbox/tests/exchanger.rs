//! The exchanger emulator driven over raw HTTP (reqwest), through `kassa_sandbox::spawn()`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kassa_sandbox::exchanger::seed;
use serde_json::{Value, json};
use time::macros::datetime;

struct Api {
    sandbox: kassa_sandbox::Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        let clock = kassa_sandbox::Clock::fixed(datetime!(2023-11-14 22:13:20 UTC));
        let sandbox = kassa_sandbox::Sandbox::builder()
            .clock(clock)
            .spawn()
            .await
            .unwrap();
        Api {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    async fn with_key(&self, method: &str, login: &str, key: &str, form: &[(&str, &str)]) -> Value {
        let resp = self
            .http
            .post(format!(
                "{}/api/userapi/v1/{method}",
                self.sandbox.url("exchanger")
            ))
            .header("API-LOGIN", login)
            .header("API-KEY", key)
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{method}");
        serde_json::from_str(&resp.text().await.unwrap()).unwrap()
    }

    async fn call(&self, method: &str, form: &[(&str, &str)]) -> Value {
        self.with_key(method, seed::API_LOGIN, seed::API_KEY, form)
            .await
    }

    /// A call that must succeed; its `data`.
    async fn data(&self, method: &str, form: &[(&str, &str)]) -> Value {
        let v = self.call(method, form).await;
        assert!(
            v["error"] == json!(0) || v["error"] == json!("0"),
            "{method}: {v}"
        );
        assert_eq!(v["error_text"], "", "{method}: {v}");
        v["data"].clone()
    }

    async fn bid(&self, direction: &str, amount: &str, api_id: &str) -> Value {
        self.data(
            "create_bid",
            &[
                ("direction_id", direction),
                ("calc_amount", amount),
                ("calc_action", "1"),
                ("api_id", api_id),
                ("account1", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
                ("account2", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
                ("cf6", "test@example.com"),
            ],
        )
        .await
    }
}

fn error_text(v: &Value) -> &str {
    v["error_text"].as_str().unwrap()
}

#[tokio::test]
async fn wrong_key_is_api_disabled_without_data_and_unknown_method_is_error_3() {
    let api = Api::start().await;
    let v = api
        .with_key("test", seed::API_LOGIN, "wrong-key", &[])
        .await;
    assert_eq!(v, json!({"error": 1, "error_text": "Api disabled"}));
    let v = api.with_key("test", "", "", &[]).await;
    assert_eq!(error_text(&v), "Api disabled");
    let v = api.call("drop_tables", &[]).await;
    assert_eq!(
        v,
        json!({"error": 3, "error_text": "Method not supported", "data": []})
    );
}

#[tokio::test]
async fn test_method_answers_strings_and_the_language_and_a_trailing_slash_works() {
    let api = Api::start().await;
    let d = api.data("test", &[]).await;
    assert_eq!(d["user_id"], "0");
    assert_eq!(d["partner_id"], seed::PARTNER_ID.to_string());
    assert_eq!(d["locale"], "ru_RU");
    let resp = api
        .http
        .post(format!(
            "{}/api/userapi/v1/test/",
            api.sandbox.url("exchanger")
        ))
        .header("API-LOGIN", seed::API_LOGIN)
        .header("API-KEY", seed::API_KEY)
        .header("API-LANG", "en_US")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(v["data"]["locale"], "en_US");
}

#[tokio::test]
async fn currencies_and_directions_with_filters_keyed_objects_and_empty_lists() {
    let api = Api::start().await;
    let d = api.data("get_direction_currencies", &[]).await;
    assert_eq!(d["give"].as_array().unwrap().len(), 2);
    assert_eq!(d["get"][0]["id"], "7");
    let v = api
        .call("get_direction_currencies", &[("currency_id_give", "7")])
        .await;
    assert_eq!(v, json!({"error": "0", "error_text": "", "data": []}));

    let list = api.data("get_directions", &[]).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["direction_id"], "12");
    assert_eq!(list[1]["currency_give_title"], "Сбербанк RUB");
    let keyed = api
        .data("get_directions", &[("currency_id_give", "1")])
        .await;
    assert_eq!(keyed.as_object().unwrap().len(), 1);
    assert_eq!(keyed["12"]["currency_get_id"], "7");
    let v = api
        .call("get_directions", &[("currency_id_get", "5")])
        .await;
    assert_eq!(v["data"], json!([]));
}

#[tokio::test]
async fn a_direction_has_rates_reserve_limits_and_fields_as_strings() {
    let api = Api::start().await;
    let d = api.data("get_direction", &[("direction_id", "12")]).await;
    assert_eq!(d["id"], "12");
    assert_eq!(d["reserve"], "152340.55");
    assert_eq!(d["course_get"], "64215.30781");
    assert_eq!(d["min_give"], "0.001");
    assert_eq!(d["max_give"], "no");
    assert_eq!(d["max_get"], "10000");
    assert_eq!(d["com_give"], "0.0002 BTC");
    assert_eq!(d["sum_give"], "0.001");
    assert_eq!(d["give_fields"][0]["name"], "account1");
    assert_eq!(d["give_fields"][0]["req"], "1");
    assert_eq!(d["dir_fields"][1]["options"]["1"], "Москва");
    assert_eq!(d["dir_fields"][1]["cd"], "1");
    let v = api.call("get_direction", &[("direction_id", "999")]).await;
    assert_eq!(
        v,
        json!({"error": "1", "error_text": "direction not found", "data": []})
    );
}

#[tokio::test]
async fn the_four_calc_actions_agree() {
    let api = Api::start().await;
    let calc = |amount: &'static str, action: &'static str| {
        let api = &api;
        async move {
            api.data(
                "get_calc",
                &[
                    ("direction_id", "12"),
                    ("calc_amount", amount),
                    ("calc_action", action),
                    ("cd", "cf10%3D1"),
                ],
            )
            .await
        }
    };
    let one = calc("0.015", "1").await;
    assert_eq!(one["sum_give"], "0.015");
    assert_eq!(one["sum_give_com"], "0.0152");
    assert_eq!(one["sum_get"], "963.23");
    assert_eq!(one["sum_get_com"], "958.23");
    assert_eq!(one["changed"], 0);
    // the same bid named by the sum given with commission
    let three = calc("0.0152", "3").await;
    assert_eq!(three, one);
    // by the sum got, and by the sum got less commission
    let two = calc("963.23", "2").await;
    assert_eq!(two["sum_get"], "963.23");
    assert_eq!(two["sum_get_com"], "958.23");
    assert_eq!(two["sum_give"], "0.01500001"); // 963.23 / 64215.30781 = 0.015000006.., 8 places
    let four = calc("958.23", "4").await;
    assert_eq!(four, two);
    // below min_give: raised to it, changed "1"
    let low = calc("0.0001", "1").await;
    assert_eq!(low["changed"], "1");
    assert_eq!(low["sum_give"], "0.001");
    // above max_get: lowered to it
    let high = calc("1", "1").await;
    assert_eq!(high["changed"], "1");
    assert_eq!(high["sum_get"], "10000");
    // bad input names the field
    for (amount, action, field) in [
        ("0.000000001", "1", "calc_amount"),
        ("-1", "1", "calc_amount"),
        ("1e3", "1", "calc_amount"),
        ("1", "5", "calc_action"),
    ] {
        let v = api
            .call(
                "get_calc",
                &[
                    ("direction_id", "12"),
                    ("calc_amount", amount),
                    ("calc_action", action),
                ],
            )
            .await;
        assert_eq!(v["error"], "1", "{amount} {action}");
        assert!(v["error_fields"].get(field).is_some(), "{v}");
    }
}

#[tokio::test]
async fn a_bid_goes_new_payed_success_and_is_found_by_id_hash_and_api_id() {
    let api = Api::start().await;
    let bid = api.bid("12", "0.015", "order-42").await;
    assert_eq!(bid["id"], "1350");
    assert_eq!(bid["status"], "new");
    assert_eq!(bid["amount_give"], "0.0152");
    assert_eq!(bid["amount_get"], "958.23");
    assert_eq!(bid["api_actions"]["pay"], "api");
    assert_eq!(bid["api_actions"]["cancel"], "api");
    assert_eq!(bid["api_actions"]["pay_amount"], "0.0152");
    let hash = bid["hash"].as_str().unwrap().to_owned();

    let by_id = api.data("bid_info", &[("id", "1350")]).await;
    assert_eq!(by_id, bid);
    let by_hash = api.data("bid_info", &[("hash", &hash)]).await;
    assert_eq!(by_hash, bid);

    let payed = api.data("pay_bid", &[("hash", &hash)]).await;
    assert_eq!(
        payed,
        json!({"status": "payed", "status_title": "Оплаченная заявка"})
    );
    // asked again: the same status, nothing more happens
    assert_eq!(
        api.data("pay_bid", &[("hash", &hash)]).await["status"],
        "payed"
    );
    let info = api.data("bid_info", &[("id", "1350")]).await;
    assert_eq!(info["status"], "payed");
    assert_eq!(info["api_actions"]["pay"], "disabled");
    let v = api.call("cancel_bid", &[("hash", &hash)]).await;
    assert_eq!(error_text(&v), "bid status payed cannot become cancel");

    let done = api.data("success_bid", &[("hash", &hash)]).await;
    assert_eq!(done["status"], "success");

    let found = api
        .data(
            "get_exchanges",
            &[("api_id", "order-42"), ("status_history", "1")],
        )
        .await;
    let items = found["items"].as_object().unwrap();
    assert_eq!(items.len(), 1);
    let row = &items["1350"];
    assert_eq!(row["status"], "success");
    assert_eq!(row["exchange_success"], "0");
    assert_eq!(row["date"], "14.11.2023 22:13");
    let statuses: Vec<&str> = row["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["new", "payed", "success"]);
    // the reserve went down by what was paid out
    let d = api.data("get_direction", &[("direction_id", "12")]).await;
    assert_eq!(d["reserve"], "151382.32");
}

#[tokio::test]
async fn cancel_and_the_directions_api_actions() {
    let api = Api::start().await;
    let bid = api.bid("12", "0.015", "order-1").await;
    let hash = bid["hash"].as_str().unwrap().to_owned();
    let c = api.data("cancel_bid", &[("hash", &hash)]).await;
    assert_eq!(c["status"], "cancel");
    let v = api.call("pay_bid", &[("hash", &hash)]).await;
    assert_eq!(error_text(&v), "bid status cancel cannot become payed");

    // RUB → BTC is paid by link, cancel disabled: the API methods refuse
    let rub = api.bid("15", "64000", "order-2").await;
    assert_eq!(rub["api_actions"]["type"], "link");
    assert_eq!(rub["api_actions"]["cancel"], "disabled");
    assert_eq!(
        rub["api_actions"]["pay"],
        format!(
            "https://exchanger.example/merchant/pay/{}/",
            rub["id"].as_str().unwrap()
        )
    );
    assert_eq!(rub["amount_get"], "0.0099"); // 64000 / 6400000 less 0.0001
    let hash = rub["hash"].as_str().unwrap().to_owned();
    assert_eq!(
        error_text(&api.call("pay_bid", &[("hash", &hash)]).await),
        "pay disabled"
    );
    assert_eq!(
        error_text(&api.call("cancel_bid", &[("hash", &hash)]).await),
        "cancel disabled"
    );
}

#[tokio::test]
async fn refusals_no_bid_missing_fields_unknown_direction_and_empty_results() {
    let api = Api::start().await;
    let no_bid =
        json!({"error": "1", "error_text": "no bid exists", "error_fields": [], "data": []});
    assert_eq!(api.call("bid_info", &[("id", "999999")]).await, no_bid);
    assert_eq!(api.call("bid_info", &[]).await, no_bid);
    for m in ["pay_bid", "success_bid", "cancel_bid"] {
        assert_eq!(
            api.call(m, &[("hash", "9f8e7d6c5b4a")]).await,
            no_bid,
            "{m}"
        );
    }
    let v = api
        .call(
            "create_bid",
            &[
                ("direction_id", "12"),
                ("calc_amount", "0.015"),
                ("calc_action", "1"),
            ],
        )
        .await;
    assert_eq!(v["error"], "1");
    assert!(v["error_fields"]["account2"].is_string(), "{v}");
    assert!(v["error_fields"]["cf6"].is_string(), "{v}");
    let v = api
        .call(
            "create_bid",
            &[
                ("direction_id", "999"),
                ("calc_amount", "1"),
                ("calc_action", "1"),
            ],
        )
        .await;
    assert_eq!(error_text(&v), "direction not found");
    // nothing was created
    let v = api.call("get_exchanges", &[]).await;
    assert_eq!(v, json!({"error": "0", "error_text": "", "data": []}));
}

#[tokio::test]
async fn get_exchanges_filters_and_pages() {
    let api = Api::start().await;
    for n in ["a-1", "a-2", "a-3"] {
        api.bid("12", "0.01", n).await;
    }
    let all = api.data("get_exchanges", &[]).await;
    let ids: Vec<&String> = all["items"].as_object().unwrap().keys().collect();
    assert_eq!(ids, ["1350", "1351", "1352"]);
    assert!(all["items"]["1350"].get("statuses").is_none());
    let page = api
        .data("get_exchanges", &[("limit", "1"), ("offset", "1")])
        .await;
    assert_eq!(page["items"].as_object().unwrap().len(), 1);
    assert_eq!(page["items"]["1351"]["api_id"], "a-2");
    let one = api.data("get_exchanges", &[("id", "1352")]).await;
    assert_eq!(one["items"]["1352"]["api_id"], "a-3");
    let none = api.call("get_exchanges", &[("api_id", "nope")]).await;
    assert_eq!(none["data"], json!([]));
    let later = api
        .call("get_exchanges", &[("start_time", "1700000001")])
        .await;
    assert_eq!(later["data"], json!([]));
    let v = api.call("get_exchanges", &[("limit", "ten")]).await;
    assert!(v["error_fields"]["limit"].is_string());
}

#[tokio::test]
async fn partner_info_links_exchanges_and_payouts() {
    let api = Api::start().await;
    let info = api.data("get_partner_info", &[]).await;
    assert_eq!(info["partner_id"], "12");
    assert_eq!(info["balance"], "15.75");
    assert_eq!(info["min_payout"], "10");
    let usdt = info["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "7")
        .unwrap();
    assert_eq!(usdt["comission"], "1");
    assert_eq!(usdt["amount"], "15.75");

    let links = api.data("get_partner_links", &[("limit", "1")]).await;
    assert_eq!(links["items"].as_array().unwrap().len(), 1);
    assert_eq!(links["items"][0]["ip"], "203.0.113.9");
    let v = api
        .call("get_partner_links", &[("ip", "198.51.100.1")])
        .await;
    assert_eq!(v["data"], json!([]));

    // a partner bid to success: the reward is accrued to the balance
    let bid = api
        .data(
            "create_bid",
            &[
                ("direction_id", "12"),
                ("partner_id", "12"),
                ("calc_amount", "0.015"),
                ("calc_action", "1"),
                ("account1", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
                ("account2", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
                ("cf6", "test@example.com"),
            ],
        )
        .await;
    api.bid("12", "0.01", "not-partner").await;
    let hash = bid["hash"].as_str().unwrap();
    api.data("pay_bid", &[("hash", hash)]).await;
    api.data("success_bid", &[("hash", hash)]).await;
    let px = api.data("get_partner_exchanges", &[]).await;
    let items = px["items"].as_object().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items["1350"]["accrued"], "1");
    assert_eq!(items["1350"]["partner_reward"], "4.79"); // 0.5 % of 958.23
    assert_eq!(api.data("get_partner_info", &[]).await["balance"], "20.54");

    let payouts = api.data("get_partner_payouts", &[]).await;
    assert_eq!(payouts["items"].as_array().unwrap().len(), 3);
    let added = api
        .data(
            "add_partner_payout",
            &[
                ("method_id", "7"),
                ("account", "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"),
            ],
        )
        .await;
    assert_eq!(added, json!({"payout_id": "32"}));
    let p = api.data("get_partner_payouts", &[("id", "32")]).await;
    assert_eq!(p["items"][0]["original_amount"], "20.54");
    assert_eq!(p["items"][0]["pay_amount"], "19.54");
    assert_eq!(p["items"][0]["status"], "0");
    assert_eq!(api.data("get_partner_info", &[]).await["balance"], "0");
    let again = api
        .call(
            "add_partner_payout",
            &[("method_id", "7"), ("account", "T")],
        )
        .await;
    assert_eq!(
        error_text(&again),
        "the balance is less than the minimum payout"
    );
    let bad = api
        .call(
            "add_partner_payout",
            &[("method_id", "99"), ("account", "T")],
        )
        .await;
    assert!(bad["error_fields"]["method_id"].is_string());
}

#[tokio::test]
async fn bids_survive_a_state_file() {
    let api = Api::start().await;
    let bid = api.bid("12", "0.015", "order-42").await;
    api.data("pay_bid", &[("hash", bid["hash"].as_str().unwrap())])
        .await;
    let saved = api.sandbox.state().to_json();
    let state = kassa_sandbox::State::from_json(&saved).unwrap();
    let second = kassa_sandbox::Sandbox::builder()
        .state(state)
        .spawn()
        .await
        .unwrap();
    let api2 = Api {
        sandbox: second,
        http: reqwest::Client::new(),
    };
    let info = api2.data("bid_info", &[("id", "1350")]).await;
    assert_eq!(info["status"], "payed");
    assert_eq!(api2.bid("12", "0.01", "next").await["id"], "1351");
    let bad = kassa_sandbox::State::from_json(r#"{"version":1,"exchanger":{"bids":7}}"#).unwrap();
    let err = kassa_sandbox::Sandbox::builder()
        .state(bad)
        .spawn()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("exchanger"), "{err}");
}
