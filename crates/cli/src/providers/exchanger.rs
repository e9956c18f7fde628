//! `kassa exchanger <operation>`: every operation goes through the crate's operation table
//! ([`exchanger::call_json`]); [`check_callback`] checks a bid callback a shell user got.
//!
//! `create-bid` is sent once. Without an `api_id` the client makes one (a UUID), sends it,
//! and prints it in the answer's `api_id`; when the answer is lost, the error's `reconcile`
//! names `get-exchanges` with that `api_id`.

use exchanger::{BidInfoRequest, Client};
use kassa_core::Error;
use kassa_core::secret::SecretString;
use kassa_sandbox::exchanger::seed;
use serde_json::json;

use super::{no_params, render};
use crate::config::Target;

/// Builds a client for `target`: `KASSA_EXCHANGER_API_LOGIN` and `KASSA_EXCHANGER_API_KEY`,
/// or the sandbox's; the answers' language from `KASSA_EXCHANGER_LANG` when set.
pub fn client(target: &Target) -> Result<Client, Error> {
    let login = target.credential("API_LOGIN", seed::API_LOGIN)?;
    let key = target.credential("API_KEY", seed::API_KEY)?;
    let builder = Client::builder(target.base_url.clone())
        .login(login)
        .key(SecretString::from(key))
        .timeouts(target.timeouts);
    let builder = match target.setting("LANG") {
        Some(lang) => builder.language(lang),
        None => builder,
    };
    let builder = match &target.journal {
        Some(j) => builder.journal(j.clone()),
        None => builder,
    };
    builder.build().map_err(|e| match e.field() {
        // the client names its own setting; the user set a variable
        Some("lang") => Error::invalid("KASSA_EXCHANGER_LANG", "a locale such as ru_RU or en_US"),
        _ => e,
    })
}

/// Runs `operation` with `params` (a JSON object as text).
pub async fn call(operation: &str, params: &str, target: &Target) -> Result<String, Error> {
    let c = client(target)?;
    exchanger::call_json(&c, operation, params).await
}

/// Checks a bid callback: `body` is the request body the exchanger POSTed to the
/// `callback_url` (`bid_id=1350&status=payed`). The callback carries no signature, so its
/// claim is only a hint: the bid is asked for with `bid_info`, and the answer says the
/// status claimed, the status the API confirms, and whether they agree (a callback that
/// claims no status agrees with any). `params` takes nothing (`{}`).
///
/// A body without a readable `bid_id` is invalid input naming `bid_id`; nothing is sent.
// `kassa exchanger check-callback < body` calls it from main.rs.
pub async fn check_callback(params: &str, body: &[u8], target: &Target) -> Result<String, Error> {
    no_params("check-callback", params)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid(
            "bid_id",
            "the callback body is empty: give the body the exchanger POSTed (bid_id=..&status=..) on stdin",
        ));
    }
    let callback = exchanger::parse_callback(body.trim_ascii())?;
    let claim = callback.claimed().clone();
    let c = client(target)?;
    let bid = c.bid_info(&BidInfoRequest::id(claim.bid_id)).await?;
    let agree = claim.status.as_ref().is_none_or(|s| *s == bid.status);
    let answer = json!({
        "bid_id": claim.bid_id,
        "claimed_status": claim.status,
        "confirmed_status": bid.status,
        "agree": agree,
        "note": "the callback is unsigned: act on confirmed_status, the API's answer",
        "bid": bid,
    });
    render(&answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Env, resolve};
    use exchanger::{BidActionRequest, CalcAction, CreateBidRequest};
    use kassa_sandbox::Sandbox;
    use serde_json::Value;

    const CREDENTIALS: [(&str, &str); 2] = [
        ("KASSA_EXCHANGER_API_LOGIN", seed::API_LOGIN),
        ("KASSA_EXCHANGER_API_KEY", seed::API_KEY),
    ];

    async fn target_at(url: &str, extra: &[(&str, &str)]) -> Target {
        let mut vars = CREDENTIALS.to_vec();
        vars.extend_from_slice(extra);
        resolve("exchanger", Some(url), &Env::of(&vars), None)
            .await
            .expect("a target")
    }

    /// A sandbox with bid 1350 (paid) and a target on it.
    async fn paid_bid() -> (Sandbox, Target) {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let target = target_at(&sandbox.url("exchanger"), &[]).await;
        let c = client(&target).expect("client");
        let mut req =
            CreateBidRequest::new(12, "0.015".parse().expect("decimal"), CalcAction::Give);
        req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
        req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
        req.email = Some("test@example.com".into());
        let bid = c.create_bid(&req).await.expect("bid");
        assert_eq!(bid.id.0, 1350);
        c.pay_bid(&BidActionRequest::for_bid(&bid))
            .await
            .expect("paid");
        (sandbox, target)
    }

    async fn checked(body: &str, target: &Target) -> Value {
        let text = check_callback("{}", body.as_bytes(), target)
            .await
            .expect("checked");
        serde_json::from_str(&text).expect("JSON")
    }

    #[tokio::test]
    async fn a_callback_is_confirmed_by_bid_info_and_a_false_claim_is_shown() {
        let (_sandbox, target) = paid_bid().await;
        let true_claim = checked("bid_id=1350&status=payed\n", &target).await;
        assert_eq!(true_claim["bid_id"], 1350);
        assert_eq!(true_claim["claimed_status"], "payed");
        assert_eq!(true_claim["confirmed_status"], "payed");
        assert_eq!(true_claim["agree"], true);
        assert_eq!(true_claim["bid"]["hash"], "c3f641ab7aa4");

        let false_claim = checked("bid_id=1350&status=success", &target).await;
        assert_eq!(false_claim["claimed_status"], "success");
        assert_eq!(false_claim["confirmed_status"], "payed");
        assert_eq!(false_claim["agree"], false);

        let no_status = checked("bid_id=1350", &target).await;
        assert_eq!(no_status["claimed_status"], Value::Null);
        assert_eq!(no_status["confirmed_status"], "payed");
        assert_eq!(no_status["agree"], true);

        let unknown = checked("bid_id=1350&status=teleported", &target).await;
        assert_eq!(unknown["claimed_status"], "teleported");
        assert_eq!(unknown["agree"], false);
    }

    #[tokio::test]
    async fn a_callback_for_no_bid_is_the_providers_refusal() {
        let (_sandbox, target) = paid_bid().await;
        let e = check_callback("{}", b"bid_id=9999&status=success", &target)
            .await
            .expect_err("no such bid");
        assert_eq!(
            exchanger::code_of(&e),
            Some(&exchanger::Code::NoBidExists),
            "{e}"
        );
        assert!(!e.may_have_taken_effect());
    }

    #[tokio::test]
    async fn a_malformed_callback_names_the_field_and_sends_nothing() {
        // every request to this server would be a mistake
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(wiremock::ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        let target = target_at(&server.uri(), &[]).await;
        for body in [
            "",
            " \n",
            "status=payed",
            "bid_id=&status=payed",
            "bid_id=abc&status=payed",
            "bid_id=-1",
            r#"{"bid_id": 1350, "status": "payed"}"#,
        ] {
            let e = check_callback("{}", body.as_bytes(), &target)
                .await
                .expect_err("refused");
            assert_eq!(e.field(), Some("bid_id"), "{body:?}: {e}");
            assert!(!e.may_have_taken_effect());
        }
        let e = check_callback(r#"{"bid_id": 1350}"#, b"bid_id=1350", &target)
            .await
            .expect_err("takes no params");
        assert_eq!(e.field(), Some("bid_id"), "{e}");
        assert!(e.to_string().contains("takes no parameters"), "{e}");
        server.verify().await;
    }

    #[tokio::test]
    async fn the_language_comes_from_the_environment_and_a_bad_one_names_the_variable() {
        let sandbox = kassa_sandbox::spawn().await.expect("sandbox");
        let url = sandbox.url("exchanger");
        let en = target_at(&url, &[("KASSA_EXCHANGER_LANG", "en_US")]).await;
        let me: Value =
            serde_json::from_str(&call("test", "{}", &en).await.expect("test")).expect("JSON");
        assert_eq!(me["locale"], "en_US");
        let default = target_at(&url, &[]).await;
        let me: Value =
            serde_json::from_str(&call("test", "{}", &default).await.expect("test")).expect("JSON");
        assert_eq!(me["locale"], "ru_RU");
        let bad = target_at(&url, &[("KASSA_EXCHANGER_LANG", "english")]).await;
        let e = call("test", "{}", &bad).await.expect_err("refused");
        assert_eq!(e.field(), Some("KASSA_EXCHANGER_LANG"), "{e}");
    }

    #[tokio::test]
    async fn missing_credentials_name_the_variable() {
        let env = Env::of(&[("KASSA_EXCHANGER_API_LOGIN", "someone")]);
        let target = resolve("exchanger", Some("http://127.0.0.1:9"), &env, None)
            .await
            .expect("a target");
        let e = call("test", "{}", &target).await.expect_err("no key");
        assert_eq!(e.field(), Some("KASSA_EXCHANGER_API_KEY"));
        let e = check_callback("{}", b"bid_id=1", &target)
            .await
            .expect_err("no key");
        assert_eq!(e.field(), Some("KASSA_EXCHANGER_API_KEY"));
    }
}
