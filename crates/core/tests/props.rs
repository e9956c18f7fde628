//! Property tests of the money rules: amounts round-trip exactly between text, display and
//! every serde shape (never through a float: minor units over the whole `i64` range, far
//! past the 2^53 a float holds); extra precision is refused, never rounded; exact decimals
//! keep their digits; and an unreadable answer to a call that changes state is
//! outcome-unknown, while on a read it is not.

use kassa_core::answer::{self, Data, Envelope, Head, RawValue};
use kassa_core::decimal::{CodedAmount, Decimal, DecimalError};
use kassa_core::{Currency, Effect, Money, MoneyError, Operation, RawCode, Response, decode};
use kassa_testkit::mutate::{Mutation, apply};
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

/// Minor units, with the edges and the first integers a float cannot hold weighted in.
fn minor() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -1_000_000_i64..1_000_000,
        prop::sample::select(vec![
            0,
            1,
            -1,
            i64::MAX,
            i64::MIN,
            (1 << 53) + 1,
            -((1 << 53) + 1),
            9_007_199_254_740_993,
            999_999_999_999_999_999,
        ]),
    ]
}

/// Writes `m` with the serde shape `$shape` of currency module `$cur`, reads it back, and
/// checks the text written.
macro_rules! shapes {
    ($m:expr, $($cur:ident => $c:ident),*) => {{
        let m: Money = $m;
        match m.currency {
            $(Currency::$c => {
                use kassa_core::money::serde::$cur as shapes;
                let major = m.to_major_string();
                let minor = m.minor.to_string();
                for (text, expect) in [
                    (write(|s| shapes::major_number::serialize(&m, s)), major.clone()),
                    (write(|s| shapes::major_string::serialize(&m, s)), format!("\"{major}\"")),
                    (write(|s| shapes::minor_number::serialize(&m, s)), minor.clone()),
                    (write(|s| shapes::minor_string::serialize(&m, s)), format!("\"{minor}\"")),
                ] {
                    prop_assert_eq!(&text, &expect);
                }
                // Every shape reads a number or a string.
                for text in [major.clone(), format!("\"{major}\"")] {
                    prop_assert_eq!(read!(major_number, &text), m);
                    prop_assert_eq!(read!(major_string, &text), m);
                }
                for text in [minor.clone(), format!("\"{minor}\"")] {
                    prop_assert_eq!(read!(minor_number, &text), m);
                    prop_assert_eq!(read!(minor_string, &text), m);
                }
            })*
            other => prop_assert!(false, "no serde module for {other}"),
        }
    }};
}

fn write(
    f: impl FnOnce(&mut serde_json::Serializer<&mut Vec<u8>>) -> Result<(), serde_json::Error>,
) -> String {
    let mut out = Vec::new();
    f(&mut serde_json::Serializer::new(&mut out)).expect("money serializes");
    String::from_utf8(out).expect("UTF-8")
}

/// Reads `$text` with the serde shape `shapes::$shape`, failing the case when it does not.
macro_rules! read {
    ($shape:ident, $text:expr) => {{
        let text: &str = $text;
        shapes::$shape::deserialize(&mut serde_json::Deserializer::from_str(text))
            .map_err(|e| TestCaseError::fail(format!("`{text}` does not read back: {e}")))?
    }};
}

proptest! {
    #![proptest_config(config(1024))]

    /// parse ↔ display ↔ serde, exact, for every currency and any `i64` of minor units.
    #[test]
    fn money_round_trips_exactly(cur in currency(), minor in minor()) {
        let m = Money::new(minor, cur);
        let major = m.to_major_string();
        prop_assert_eq!(Money::parse_major(&major, cur), Ok(m));
        prop_assert_eq!(Money::parse_minor(&minor.to_string(), cur), Ok(m));
        // The display is the major text grouped by spaces, then the code.
        let shown = m.to_string();
        let suffix = format!(" {}", cur.code());
        let digits = shown.strip_suffix(suffix.as_str()).map(|s| s.replace(' ', ""));
        prop_assert_eq!(digits.as_deref(), Some(major.as_str()), "{}", shown);
        shapes!(m, uzs => UZS, kgs => KGS, rub => RUB, usd => USD, eur => EUR, kzt => KZT);
    }

    /// A digit past the currency's minor unit is refused, as text and through serde, never
    /// rounded; zeros past it change nothing.
    #[test]
    fn extra_precision_is_refused(cur in currency(), minor in minor(), digit in 1u8..=9, zeros in 1usize..4) {
        let m = Money::new(minor, cur);
        let major = m.to_major_string();
        let point = if major.contains('.') { "" } else { "." };
        let pad = "0".repeat(cur.exponent() as usize * usize::from(point == "."));
        let precise = format!("{major}{point}{pad}{digit}");
        prop_assert!(
            matches!(Money::parse_major(&precise, cur), Err(MoneyError::TooPrecise { .. })),
            "{} read as {:?}", precise, Money::parse_major(&precise, cur)
        );
        let padded = format!("{major}{point}{pad}{}", "0".repeat(zeros));
        prop_assert_eq!(Money::parse_major(&padded, cur), Ok(m));
        let token = format!("{{\"a\": {precise}}}");
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Rub {
            #[serde(with = "kassa_core::money::serde::rub::major_number")]
            a: Money,
        }
        prop_assert!(serde_json::from_str::<Rub>(&token).is_err(), "{}", token);
    }

    /// A decimal keeps its digits through parse, display and serde (number or string).
    #[test]
    fn decimals_keep_their_digits(text in "-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,13})?") {
        let d = Decimal::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assume!(!(text.starts_with('-') && d.value().is_zero()));
        prop_assert_eq!(d.to_string(), text.clone());
        prop_assert_eq!(serde_json::to_string(&d).expect("serializes"), text.clone());
        prop_assert_eq!(serde_json::from_str::<Decimal>(&text).ok(), Some(d));
        prop_assert_eq!(serde_json::from_str::<Decimal>(&format!("\"{text}\"")).ok(), Some(d));
        let coded = CodedAmount::parse(&text, "USDTTRC20").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(coded.to_string(), format!("{text} USDTTRC20"));
    }

    /// More places than an exact decimal holds, an exponent or a space is refused.
    #[test]
    fn decimals_refuse_what_they_cannot_hold(int in 0u32..1000, digit in 1u8..=9, exp in 1u8..30) {
        let too_precise = format!("{int}.{}{digit}", "0".repeat(28));
        prop_assert!(matches!(Decimal::parse(&too_precise), Err(DecimalError::TooPrecise(_))), "{}", too_precise);
        prop_assert!(serde_json::from_str::<Decimal>(&too_precise).is_err());
        let exponent = format!("{int}e-{exp}");
        prop_assert!(matches!(Decimal::parse(&exponent), Err(DecimalError::Syntax(_))));
        prop_assert!(serde_json::from_str::<Decimal>(&exponent).is_err());
        let spaced = format!(" {int}");
        prop_assert!(Decimal::parse(&spaced).is_err());
    }
}

/// A payment's answer as the tests read it.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Paid {
    id: u64,
    #[serde(with = "kassa_core::money::serde::uzs::minor_number")]
    amount: Money,
    status: String,
}

const PAID: &str = r#"{"ok": true, "data": {"id": 7, "amount": 500000, "status": "paid"}}"#;

#[derive(serde::Deserialize)]
struct Wire<'a> {
    #[serde(default)]
    ok: bool,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// `{"ok": true, "data": ...}`: anything else is unexplained.
struct Shop;
impl Envelope for Shop {
    type Code = RawCode;
    type Wire<'a> = Wire<'a>;
    fn head(_: &Operation, _: u16, wire: Option<&Wire<'_>>) -> Head<RawCode> {
        match wire {
            Some(w) if w.ok => Head::Success,
            _ => Head::Unexplained,
        }
    }
    fn data<'a>(wire: &Self::Wire<'a>) -> Data<'a> {
        Data::Field("data", wire.data)
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, len)| Mutation::Delete { at, len }),
        any::<usize>().prop_map(|nth| Mutation::QuoteNumber { nth }),
        any::<usize>().prop_map(|nth| Mutation::UnquoteString { nth }),
        (any::<usize>(), any::<i64>())
            .prop_map(|(nth, value)| Mutation::StringToNumber { nth, value }),
        (any::<usize>(), any::<usize>())
            .prop_map(|(nth, pick)| Mutation::ReplaceNumber { nth, pick }),
    ]
}

/// A broken answer: the good one mutated, or any bytes.
fn broken_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(mutation(), 1..4).prop_map(|m| apply(PAID.as_bytes(), &m, &[])),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    /// Whatever the answer, when it cannot be read: outcome-unknown on a call sent once or
    /// under a key (money may have moved), never on a read.
    #[test]
    fn an_unreadable_answer_is_outcome_unknown_only_when_money_may_have_moved(body in broken_body()) {
        let pay = Operation::new("shop", "pay", Effect::Once);
        let keyed = Operation::new("shop", "pay-keyed", Effect::Keyed("order-1".into()));
        let read = Operation::new("shop", "status", Effect::Read);
        let resp = Response { status: 200, headers: vec![], body: body.clone() };
        for op in [&pay, &keyed] {
            for result in [
                answer::read::<Shop, Paid>(op, &resp).map(drop),
                decode::json::<Paid>(op, &body).map(drop),
            ] {
                if let Err(e) = result {
                    prop_assert!(e.may_have_taken_effect(), "{}: {:?}", op.name, e);
                    prop_assert!(e.outcome_unknown().is_some(), "{}: {:?}", op.name, e);
                    if op.effect == Effect::Once {
                        prop_assert!(!e.is_retryable(), "{}: never resent blindly: {:?}", op.name, e);
                    }
                }
            }
        }
        for result in [
            answer::read::<Shop, Paid>(&read, &resp).map(drop),
            decode::json::<Paid>(&read, &body).map(drop),
        ] {
            if let Err(e) = result {
                prop_assert!(!e.may_have_taken_effect(), "{:?}", e);
                prop_assert!(e.outcome_unknown().is_none(), "{:?}", e);
            }
        }
        // The good answer reads on every effect.
        let good = Response { body: PAID.into(), ..resp };
        let paid = answer::read::<Shop, Paid>(&pay, &good);
        prop_assert!(paid.is_ok(), "{:?}", paid);
    }
}
