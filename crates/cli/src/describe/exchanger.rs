//! What each exchanger operation takes (see the parent module). Every call is a POST of form
//! fields; `--params` names them as the document does. The examples work on a fresh sandbox:
//! its first bid is id 1350 with hash `c3f641ab7aa4`, direction 12 is BTC → USDT with
//! `pay` and `cancel` open to the API, and partner 12 has 15.75 USDT to pay out.

use super::{Field, Params, f};
use crate::catalogue::Entry;

const NONE: &[Field] = &[];

const TIME_FILTERS: [Field; 3] = [
    f(
        "start_time",
        "integer, unix time",
        false,
        "only from this time",
    ),
    f(
        "end_time",
        "integer, unix time",
        false,
        "only up to this time",
    ),
    f("limit", "integer", false, "at most this many"),
];

const CURRENCY_FILTER: &[Field] = &[
    f(
        "currency_id_give",
        "integer (or a string of digits)",
        false,
        "only directions giving this currency id",
    ),
    f(
        "currency_id_get",
        "integer (or a string of digits)",
        false,
        "only directions getting this currency id",
    ),
];

const DIRECTION_ID: Field = f(
    "direction_id",
    "integer (or a string of digits)",
    true,
    "the direction's id, see get-directions",
);

const CALC_AMOUNT: Field = f(
    "calc_amount",
    "string, decimal",
    true,
    "the amount, in the currency calc_action names, at most its decimal places",
);

const CALC_ACTION: Field = f(
    "calc_action",
    "integer: 1, 2, 3 or 4",
    true,
    "what calc_amount is: 1 the sum given, 2 the sum got, 3 given with commission, 4 got less commission",
);

const GET_CALC: &[Field] = &[
    DIRECTION_ID,
    CALC_AMOUNT,
    CALC_ACTION,
    f(
        "cd",
        "array of [name, value] pairs",
        false,
        "the direction's fields marked cd 1 (as [\"cf10\", \"1\"]); sent URL-encoded in one field",
    ),
    f(
        "cd_encoded",
        "string",
        false,
        "the cd field already URL-encoded (`cf10%3D1`), instead of cd",
    ),
];

const GET_EXCHANGES: &[Field] = &[
    TIME_FILTERS[0],
    TIME_FILTERS[1],
    f("ip", "string", false, "only bids made from this IP address"),
    f(
        "id",
        "integer (or a string of digits)",
        false,
        "only this bid",
    ),
    f(
        "api_id",
        "string",
        false,
        "only the bid created with this api_id (how a lost create-bid is found)",
    ),
    f(
        "status_history",
        "integer 0 or 1 (or a boolean)",
        false,
        "1: with each bid's status history",
    ),
    TIME_FILTERS[2],
    f("offset", "integer", false, "skip this many bids"),
];

const CREATE_BID: &[Field] = &[
    DIRECTION_ID,
    CALC_AMOUNT,
    CALC_ACTION,
    f(
        "api_id",
        "string, 1 to 64 visible ASCII characters",
        false,
        "your id of the bid, to find it with get-exchanges; the CLI makes one (shown in the answer) when left out",
    ),
    f(
        "partner_id",
        "integer (or a string of digits)",
        false,
        "the partner the bid is credited to",
    ),
    f(
        "callback_url",
        "string, http(s) URL",
        false,
        "where the exchanger POSTs bid_id and status on every status change",
    ),
    f(
        "account1",
        "string",
        false,
        "the account paid from (required by most directions)",
    ),
    f(
        "account2",
        "string",
        false,
        "the account paid to (required by most directions)",
    ),
    f("cfgive8", "string", false, "the card holder's name"),
    f("cf1", "string", false, "first name"),
    f("cf2", "string", false, "patronymic"),
    f("cf3", "string", false, "last name"),
    f("cf4", "string", false, "phone"),
    f("cf5", "string", false, "Skype"),
    f(
        "cf6",
        "string",
        false,
        "e-mail (required by the sandbox's directions)",
    ),
    f("cf8", "string", false, "passport number"),
    f(
        "cf10",
        "string",
        false,
        "region (a select: its option's key)",
    ),
    f("cf11", "string", false, "Telegram"),
    f(
        "custom",
        "object, field number to string",
        false,
        "the other custom fields, by number: {\"7\": \"...\"} is sent as cf7",
    ),
];

const BID_ACTION: &[Field] = &[
    f(
        "hash",
        "string",
        true,
        "the bid's hash, from create-bid or bid-info",
    ),
    f(
        "api_actions",
        "object, as bid-info answers it",
        false,
        "the bid's api_actions: the action is refused before sending unless it is `api`",
    ),
];

const BID_INFO: &[Field] = &[
    f(
        "id",
        "integer (or a string of digits)",
        false,
        "the bid's id (give id or hash)",
    ),
    f("hash", "string", false, "the bid's hash (give id or hash)"),
];

const PARTNER_LINKS: &[Field] = &[
    TIME_FILTERS[0],
    TIME_FILTERS[1],
    f("ip", "string", false, "only visits from this IP address"),
    TIME_FILTERS[2],
];

const PARTNER_EXCHANGES: &[Field] = &[
    TIME_FILTERS[0],
    TIME_FILTERS[1],
    f("ip", "string", false, "only bids made from this IP address"),
    f(
        "id",
        "integer (or a string of digits)",
        false,
        "only this bid",
    ),
    f(
        "status_history",
        "integer 0 or 1 (or a boolean)",
        false,
        "1: with each bid's status history",
    ),
    TIME_FILTERS[2],
];

const PARTNER_PAYOUTS: &[Field] = &[
    TIME_FILTERS[0],
    TIME_FILTERS[1],
    TIME_FILTERS[2],
    f(
        "id",
        "integer (or a string of digits)",
        false,
        "only this payout",
    ),
];

const ADD_PAYOUT: &[Field] = &[
    f(
        "method_id",
        "integer (or a string of digits)",
        true,
        "the payout currency's id, see get-partner-info",
    ),
    f("account", "string", true, "the account to pay out to"),
];

/// The example bid of the sandbox: direction 12, 0.015 BTC given.
const CREATE_BID_EXAMPLE: &str = r#"{"direction_id": 12, "calc_amount": "0.015", "calc_action": 1, "api_id": "order-42", "account1": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "account2": "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb", "cf6": "test@example.com"}"#;

/// The hash of the sandbox's first bid (id 1350).
const FIRST_BID_HASH: &str = r#"{"hash": "c3f641ab7aa4"}"#;

/// The parameters of an exchanger operation, or `None` when it is not described.
pub fn params(entry: &Entry) -> Option<Params> {
    let p = |fields, example, after, note| {
        Some(Params {
            fields,
            example,
            after,
            note,
        })
    };
    match entry.operation {
        "test" => p(
            NONE,
            "{}",
            &[],
            "checks KASSA_EXCHANGER_API_LOGIN and KASSA_EXCHANGER_API_KEY; KASSA_EXCHANGER_LANG (ru_RU, en_US) sets the answers' language",
        ),
        "get-direction-currencies" => p(CURRENCY_FILTER, r#"{"currency_id_give": 1}"#, &[], ""),
        "get-directions" => p(CURRENCY_FILTER, "{}", &[], ""),
        "get-direction" => p(
            const { &[DIRECTION_ID] },
            r#"{"direction_id": 12}"#,
            &[],
            "the answer lists the fields create-bid needs (give_fields, get_fields, dir_fields)",
        ),
        "get-calc" => p(
            GET_CALC,
            r#"{"direction_id": 12, "calc_amount": "0.015", "calc_action": 1, "cd": [["cf10", "1"]]}"#,
            &[],
            "",
        ),
        "get-exchanges" => p(
            GET_EXCHANGES,
            r#"{"api_id": "order-42", "status_history": 1}"#,
            &["create-bid"],
            "items come keyed by bid id on the wire and are printed as a list",
        ),
        "create-bid" => p(
            CREATE_BID,
            CREATE_BID_EXAMPLE,
            &[],
            "sent once: a lost answer is outcome_unknown and its reconcile names get-exchanges with the api_id (the one made up when you gave none); ask it before sending again",
        ),
        "cancel-bid" => p(BID_ACTION, FIRST_BID_HASH, &["create-bid"], ""),
        "pay-bid" => p(
            BID_ACTION,
            FIRST_BID_HASH,
            &["create-bid"],
            "sent once: a lost answer names bid-info with the hash",
        ),
        "success-bid" => p(BID_ACTION, FIRST_BID_HASH, &["create-bid", "pay-bid"], ""),
        "bid-info" => p(BID_INFO, r#"{"id": 1350}"#, &["create-bid"], ""),
        "get-partner-info" => p(NONE, "{}", &[], ""),
        "get-partner-links" => p(PARTNER_LINKS, r#"{"limit": 10}"#, &[], ""),
        "get-partner-exchanges" => p(
            PARTNER_EXCHANGES,
            r#"{"status_history": 1, "limit": 10}"#,
            &[],
            "only the bids created with your partner_id",
        ),
        "get-partner-payouts" => p(PARTNER_PAYOUTS, r#"{"limit": 10}"#, &[], ""),
        "add-partner-payout" => p(
            ADD_PAYOUT,
            r#"{"method_id": 7, "account": "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb"}"#,
            &[],
            "pays out the whole balance in that currency; sent once: a lost answer names get-partner-payouts",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue;

    /// The example hash is the sandbox's first bid's: create-bid's example answers it.
    #[tokio::test]
    async fn the_example_hash_is_the_first_bid_of_a_fresh_sandbox() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let client = exchanger::Client::builder(sandbox.url("exchanger"))
            .login(kassa_sandbox::exchanger::seed::API_LOGIN)
            .key(kassa_sandbox::exchanger::seed::API_KEY)
            .build()
            .expect("client");
        let answer = exchanger::call_json(&client, "create-bid", CREATE_BID_EXAMPLE)
            .await
            .expect("the example is accepted");
        let bid: serde_json::Value = serde_json::from_str(&answer).expect("JSON");
        let want: serde_json::Value = serde_json::from_str(FIRST_BID_HASH).expect("JSON");
        assert_eq!(bid["hash"], want["hash"], "{bid}");
        assert_eq!(bid["id"], 1350);
    }

    #[test]
    fn all_sixteen_operations_are_described() {
        let rows: Vec<_> = catalogue::entries()
            .into_iter()
            .filter(|e| e.provider == "exchanger")
            .collect();
        assert_eq!(rows.len(), 16);
        for e in rows {
            let p = params(&e).unwrap_or_else(|| panic!("{} is described", e.operation));
            let example: serde_json::Value =
                serde_json::from_str(p.example).expect("the example is JSON");
            let object = example.as_object().expect("an object");
            for field in p.fields.iter().filter(|f| f.required) {
                assert!(
                    object.contains_key(field.name),
                    "{}: {}",
                    e.operation,
                    field.name
                );
            }
            for key in object.keys() {
                assert!(
                    p.fields.iter().any(|f| f.name == key),
                    "{}: `{key}` is described",
                    e.operation
                );
            }
            for after in p.after {
                assert!(catalogue::find("exchanger", after).is_some(), "{after}");
            }
        }
    }
}
