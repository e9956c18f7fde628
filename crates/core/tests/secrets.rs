//! Secrets never leak, in each of the shapes found by fault and fuzz runs: URL userinfo and
//! query, malformed secret fields in decode errors, card numbers with spaces or dashes, and
//! the client's own credentials echoed back by a provider.

use kassa_core::secret::{excerpt, redact_text};
use kassa_core::{Effect, Engine, Error, Operation, RawCode, decode};

const READ: Operation = Operation::new("test", "login", Effect::Read);
const PAY: Operation = Operation::new("test", "pay", Effect::Once);

#[test]
fn url_userinfo_and_secret_query_values_never_print() {
    let url = "http://agent:Pa55-word-9@bank.example:8080/api?login=a&password=q-Secret-1";
    let engine = Engine::builder("p", url).build().expect("engine");
    let builder = Engine::builder("p", url);
    for shown in [
        format!("{engine:?}"),
        format!("{builder:?}"),
        redact_text(url),
    ] {
        assert!(!shown.contains("Pa55-word-9"), "{shown}");
        assert!(!shown.contains("q-Secret-1"), "{shown}");
        assert!(shown.contains("bank.example"), "{shown}");
    }
}

#[test]
fn card_numbers_with_spaces_or_dashes_are_masked() {
    for card in [
        "8600 4929 6815 6744",
        "8600-4929-6815-6744",
        "8600492968156744",
    ] {
        let body = format!(r#"{{"comment": "paid from {card} today", "amount": "x"}}"#);
        let red = redact_text(&body);
        assert!(!red.contains("6815"), "{red}");
        assert!(red.contains("6744") && red.contains("8600"), "{red}");
        let ex = excerpt(&body, body.find("6815").expect("in body"), 30);
        assert!(
            !ex.contains("6815") && !ex.contains("4929 68") && !ex.contains("4929-68"),
            "{ex}"
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Answer {
            comment: String,
            amount: u64,
        }
        let err = decode::json::<Answer>(&READ, body.as_bytes()).expect_err("amount is text");
        let all = format!("{err} {err:?}");
        assert!(!all.contains("6815"), "{all}");
    }
}

#[test]
fn provider_echoes_of_the_clients_secrets_are_scrubbed() {
    let engine = Engine::builder("p", "http://h")
        .secret("hunter2-Pass")
        .secret("api key/with+chars")
        .build()
        .expect("engine");
    engine.remember_secret("eyJtoken-42");
    let cases = vec![
        Error::rejected(
            "p",
            "pay",
            Some(400),
            RawCode("bad".into()),
            "wrong password hunter2-Pass for agent",
        ),
        Error::auth(
            "p",
            "login",
            Some(401),
            RawCode("401".into()),
            "token eyJtoken-42 expired",
        ),
        Error::Http {
            provider: "p",
            operation: "op",
            status: 500,
            excerpt: "…r2-Pass and more".into(),
        },
        Error::Http {
            provider: "p",
            operation: "op",
            status: 500,
            excerpt: "key=api+key%2Fwith%2Bchars…".into(),
        },
        Error::Decode {
            provider: "p",
            operation: "op",
            path: ".".into(),
            message: "unknown variant `hunter2-Pass`".into(),
            excerpt: "echo: hunte…".into(),
        },
        PAY.outcome_unknown(Error::Decode {
            provider: "p",
            operation: "pay",
            path: ".".into(),
            message: "expected value".into(),
            excerpt: "api key/with+chars".into(),
        }),
        PAY.outcome_unknown(std::io::Error::other("reset after hunter2-Pass")),
    ];
    for err in cases {
        let err = engine.scrub_error(err);
        let all = format!("{err} {err:?}");
        for secret in [
            "hunter2-Pass",
            "r2-Pass",
            "hunte…",
            "eyJtoken-42",
            "api key/with+chars",
            "api+key%2Fwith%2Bchars",
        ] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        assert!(all.contains("[REDACTED]"), "{all}");
    }
}

/// Malformed answers around secret keys, built from a seeded generator: whatever the
/// shape, no secret value reaches the error's Display or Debug.
#[test]
fn fuzzed_malformed_secret_fields_never_show_their_value() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Login {
        access_token: String,
        refresh_token: Option<String>,
        expires_in: u64,
        user: Option<String>,
    }
    let keys = [
        "access_token",
        "refresh_token",
        "password",
        "api_key",
        "otp",
        "client_secret",
    ];
    let damaged = |k: &str, rng: &mut fastrand::Rng| -> String {
        let mut chars: Vec<char> = k.chars().collect();
        // A three-letter key (`otp`) damaged by a letter is no longer recognisable; such
        // keys are only re-cased here.
        let damage = if k.len() < 5 {
            rng.u8(0..1) * 3
        } else {
            rng.u8(0..4)
        };
        match damage {
            0 => k.to_owned(),
            1 => {
                let i = rng.usize(0..chars.len());
                chars.insert(i, ' ');
                chars.into_iter().collect()
            }
            2 => {
                let i = rng.usize(0..chars.len());
                chars.remove(i);
                chars.into_iter().collect()
            }
            _ => k.to_uppercase(),
        }
    };
    let mut rng = fastrand::Rng::with_seed(9);
    let mut checked = 0;
    for case in 0..20_000 {
        let secret = format!("S3cr{case}X{}", rng.u32(100_000..999_999));
        let value = match rng.u8(0..9) {
            0 => format!("\"{secret}\""),
            1 => format!("[\"{secret}\", 1]"),
            2 => format!("{{\"v\": \"{secret}\"}}"),
            3 => format!("{}", rng.u64(10_000_000_000..99_999_999_999)),
            4 => format!("\"{secret}"),   // unterminated
            5 => format!("\"{secret}\\"), // bad escape at the end
            6 => format!("[{{\"a\": [\"{secret}\"]}}, true"), // truncated array
            7 => format!("\"{}{secret}\"", "x".repeat(rng.usize(0..400))),
            _ => format!("\"{secret}\" \"{secret}\""),
        };
        let number_secret = value
            .chars()
            .all(|c| c.is_ascii_digit())
            .then(|| value.clone());
        let key = damaged(keys[rng.usize(0..keys.len())], &mut rng);
        let sep = match rng.u8(0..4) {
            0 => "",    // missing colon
            1 => " = ", // wrong separator
            _ => ": ",
        };
        let before = if rng.bool() {
            r#""user": "u1", "#.to_owned()
        } else {
            String::new()
        };
        let after = match rng.u8(0..3) {
            0 => r#", "expires_in": 300}"#.to_owned(),
            1 => r#", "expires_in": "soon"}"#.to_owned(),
            _ => String::new(), // truncated
        };
        let body = format!("{{{before}\"{key}\"{sep}{value}{after}");
        let op = if rng.bool() { &READ } else { &PAY };
        let Err(err) = decode::json::<Login>(op, body.as_bytes()) else {
            continue;
        };
        let all = format!("{err} {err:?}");
        let shown = number_secret.as_deref().unwrap_or(&secret);
        assert!(!all.contains(shown), "case {case}: body {body}\n{all}");
        // No fragment of the secret either.
        assert!(
            !all.contains(&shown[..6]),
            "case {case}: body {body}\n{all}"
        );
        checked += 1;
    }
    assert!(checked > 15_000, "only {checked} bodies failed to decode");
}

#[test]
fn an_echoed_secret_in_an_unknown_code_is_scrubbed_and_the_disposition_kept() {
    let engine = Engine::builder("p", "http://h")
        .secret("hunter2-Pass")
        .build()
        .expect("engine");
    let err = Error::from_code(
        &PAY,
        Some(400),
        RawCode("bad password hunter2-Pass".into()),
        "see hunter2-Pass",
    );
    let may = err.may_have_taken_effect();
    let err = engine.scrub_error(err);
    let all = format!("{err} {err:?}");
    assert!(!all.contains("hunter2-Pass"), "{all}");
    assert_eq!(err.may_have_taken_effect(), may);
    assert_eq!(
        err.provider_code_anywhere().as_deref(),
        Some("bad password [REDACTED]")
    );
}
