//! The PostgreSQL store against a real server: `KASSA_TEST_POSTGRES_URL`, or a throwaway one
//! started from the installed server binaries (see `kassa_journal::pg_server`). Nothing is
//! mocked but the payment provider (a wiremock server, for the engine test). Every test
//! works in a schema of its own, so they run in parallel and in any order.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use kassa_core::journal::{Intent, Journal, Resolution};
use kassa_core::{Effect, Engine, Error, Method, Operation, Reconcile, Request};
use kassa_journal::postgres::tokio_postgres;
use kassa_journal::{PostgresJournal, State, Store, pg_server};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CARD: &str = "8600123412341234";
const HOUR: Duration = Duration::from_secs(3600);

fn url() -> &'static str {
    match pg_server::shared() {
        Ok(server) => server.url(),
        Err(why) => panic!("no PostgreSQL to test against: {why}"),
    }
}

/// A schema of this test's own, dropped at the end (when the test passes).
struct Schema(String);

impl Schema {
    fn new(test: &str) -> Schema {
        Schema(pg_server::unique_name(&format!("t_{test}")))
    }
    async fn journal(&self) -> PostgresJournal {
        PostgresJournal::connect_in(url(), &self.0)
            .await
            .expect("connect the journal")
    }
    async fn remove(self) {
        client()
            .await
            .batch_execute(&format!("DROP SCHEMA \"{}\" CASCADE", self.0))
            .await
            .expect("drop the schema");
    }
}

async fn client() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

fn pay(bill: &str) -> Operation {
    Operation::new("test", "pay", Effect::Once)
        .reconcile_with(Reconcile::new("status").param("billId", bill))
        .amount(150_000, "UZS")
}

fn intent(bill: &str) -> Intent {
    Intent::for_operation(&pay(bill))
}

fn body() -> Vec<u8> {
    format!(r#"{{"card":"{CARD}","password":"hunter2-secret","note":"flat 42b","amount":1500}}"#)
        .into_bytes()
}

async fn recorded(j: &PostgresJournal, n: usize) -> Vec<Intent> {
    let mut out = Vec::new();
    for i in 0..n {
        let it = intent(&format!("bill-{i}"));
        j.record(&it, &body()).await.expect("record");
        out.push(it);
    }
    out
}

#[tokio::test]
async fn a_recorded_intent_is_seen_by_a_new_connection() {
    let schema = Schema::new("durable");
    let first = schema.journal().await;
    let mut it = Intent::for_operation(
        &Operation::new("test", "transfer", Effect::Keyed("order-7".into()))
            .reconcile_with(
                Reconcile::new("status")
                    .param("orderId", "7")
                    .param("agentTranId", "a-1"),
            )
            .amount(-5, "KGS"),
    );
    it.ids.push(("quote".into(), "it's \"odd\"".into()));
    first.record(&it, &body()).await.expect("record");
    first.dispatched(&it.id).await.expect("dispatched");
    drop(first);

    let second = schema.journal().await;
    let entry = second
        .entry(&it.id)
        .await
        .expect("read")
        .expect("the intent is there");
    assert_eq!(entry.intent, it);
    assert_eq!(entry.state, State::Dispatched);
    assert_eq!(entry.attempts, 0);
    assert_eq!(entry.request_hash.len(), 64);
    assert!(entry.updated_at_ms >= entry.recorded_at_ms);
    assert!(entry.recorded_at_ms > 1_700_000_000_000, "{entry:?}");
    // The second connection keeps the first one's hasher key: the same body, the same hash.
    let again = intent("x");
    second.record(&again, &body()).await.expect("record");
    let again = second.entry(&again.id).await.expect("read").expect("there");
    assert_eq!(again.request_hash, entry.request_hash);
    schema.remove().await;
}

#[tokio::test]
async fn no_part_of_the_request_body_is_stored() {
    let schema = Schema::new("nobody");
    let j = schema.journal().await;
    let it = intent("935191");
    j.record(&it, &body()).await.expect("record");
    j.dispatched(&it.id).await.expect("dispatched");
    let db = client().await;
    let mut text = String::new();
    for table in ["kassa_journal_intents", "kassa_journal_meta"] {
        for row in db
            .query(
                &format!("SELECT t::text FROM \"{}\".{table} t", schema.0),
                &[],
            )
            .await
            .expect("read the rows")
        {
            text.push_str(&row.get::<_, String>(0));
        }
    }
    assert!(text.contains("935191"), "the ids are kept: {text}");
    for secret in [
        CARD,
        "123412341234",
        "hunter2",
        "flat 42b",
        "password",
        "note",
    ] {
        assert!(!text.contains(secret), "{secret} stored: {text}");
    }
    schema.remove().await;
}

#[tokio::test]
async fn record_in_commits_with_the_callers_transaction() {
    let schema = Schema::new("commit");
    let j = schema.journal().await;
    let mut db = client().await;
    let orders = format!("\"{}\".orders", schema.0);
    db.batch_execute(&format!(
        "CREATE TABLE {orders} (id int PRIMARY KEY, intent text)"
    ))
    .await
    .expect("orders");
    let it = intent("o-1");
    let txn = db.transaction().await.expect("begin");
    txn.execute(&format!("INSERT INTO {orders} VALUES (1, $1)"), &[&it.id])
        .await
        .expect("the business row");
    j.record_in(&txn, &it, &body()).await.expect("record_in");
    // Not visible to the journal's own connection before the commit.
    assert!(j.entry(&it.id).await.expect("read").is_none());
    txn.commit().await.expect("commit");
    let entry = j.entry(&it.id).await.expect("read").expect("committed");
    assert_eq!(entry.state, State::Recorded);
    assert_eq!(entry.intent, it);
    let n: i64 = db
        .query_one(&format!("SELECT count(*) FROM {orders}"), &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 1);
    schema.remove().await;
}

#[tokio::test]
async fn record_in_rolls_back_with_the_callers_transaction() {
    let schema = Schema::new("rollback");
    let j = schema.journal().await;
    let mut db = client().await;
    let orders = format!("\"{}\".orders", schema.0);
    db.batch_execute(&format!("CREATE TABLE {orders} (id int PRIMARY KEY)"))
        .await
        .expect("orders");
    let it = intent("o-2");
    let txn = db.transaction().await.expect("begin");
    txn.execute(&format!("INSERT INTO {orders} VALUES (2)"), &[])
        .await
        .expect("the business row");
    j.record_in(&txn, &it, &body()).await.expect("record_in");
    txn.rollback().await.expect("rollback");
    assert!(j.entry(&it.id).await.expect("read").is_none());
    assert!(j.open_entries().await.expect("list").is_empty());
    // A failure later in the caller's transaction takes the intent with it too.
    let it2 = intent("o-3");
    let txn = db.transaction().await.expect("begin");
    j.record_in(&txn, &it2, &body()).await.expect("record_in");
    txn.execute(&format!("INSERT INTO {orders} VALUES (3), (3)"), &[])
        .await
        .expect_err("a duplicate key");
    // The server answers the COMMIT of an aborted transaction with a ROLLBACK.
    let _ = txn.commit().await;
    assert!(j.entry(&it2.id).await.expect("read").is_none());
    schema.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_claiming_at_once_get_disjoint_sets() {
    let schema = Schema::new("disjoint");
    let a = Arc::new(schema.journal().await);
    let b = Arc::new(schema.journal().await);
    let all: BTreeSet<String> = recorded(&a, 10).await.into_iter().map(|i| i.id).collect();
    let (ca, cb) = tokio::join!(
        a.claim("a", Duration::ZERO, HOUR, 5),
        b.claim("b", Duration::ZERO, HOUR, 5)
    );
    let ca: BTreeSet<String> = ca
        .expect("a claims")
        .into_iter()
        .map(|e| e.intent.id)
        .collect();
    let cb: BTreeSet<String> = cb
        .expect("b claims")
        .into_iter()
        .map(|e| e.intent.id)
        .collect();
    assert_eq!((ca.len(), cb.len()), (5, 5), "{ca:?} {cb:?}");
    assert!(ca.is_disjoint(&cb), "{ca:?} {cb:?}");
    assert_eq!(&ca | &cb, all);
    // Everything is under a lease now: a third claimer gets nothing.
    let third = schema.journal().await;
    assert!(
        third
            .claim("c", Duration::ZERO, HOUR, 100)
            .await
            .expect("claim")
            .is_empty()
    );
    schema.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_claimers_in_parallel_each_intent_is_claimed_exactly_once() {
    let schema = Schema::new("once");
    let a = Arc::new(schema.journal().await);
    let b = Arc::new(schema.journal().await);
    let all: BTreeSet<String> = recorded(&a, 300).await.into_iter().map(|i| i.id).collect();
    let work = |j: Arc<PostgresJournal>, owner: &'static str| async move {
        let mut claimed = Vec::new();
        loop {
            let batch = j
                .claim(owner, Duration::ZERO, HOUR, 7)
                .await
                .expect("claim");
            if batch.is_empty() {
                return claimed;
            }
            for e in batch {
                assert!(
                    j.settle(&e.intent.id, owner, &Resolution::Succeeded)
                        .await
                        .expect("settle"),
                    "{owner} holds {}",
                    e.intent.id
                );
                claimed.push(e.intent.id);
            }
        }
    };
    let (ta, tb) = (
        tokio::spawn(work(a.clone(), "a")),
        tokio::spawn(work(b.clone(), "b")),
    );
    let (ca, cb) = (ta.await.expect("a"), tb.await.expect("b"));
    let mut count: HashMap<&str, u32> = HashMap::new();
    for id in ca.iter().chain(cb.iter()) {
        *count.entry(id).or_default() += 1;
    }
    assert_eq!(count.len(), all.len(), "every intent claimed");
    assert!(count.values().all(|&n| n == 1), "claimed twice: {count:?}");
    assert!(
        !ca.is_empty() && !cb.is_empty(),
        "both worked: {} {}",
        ca.len(),
        cb.len()
    );
    assert!(a.open_entries().await.expect("list").is_empty());
    for id in all.iter().take(5) {
        let e = a.entry(id).await.expect("read").expect("there");
        assert_eq!(e.state, State::Resolved(Resolution::Succeeded));
        assert_eq!(e.attempts, 1);
    }
    schema.remove().await;
}

#[tokio::test]
async fn only_the_lease_owner_settles_parks_or_releases() {
    let schema = Schema::new("lease");
    let j = schema.journal().await;
    let it = recorded(&j, 1).await.remove(0);
    let claimed = j.claim("a", Duration::ZERO, HOUR, 10).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempts, 1);
    // Under a's lease: b gets nothing and can change nothing.
    assert!(
        j.claim("b", Duration::ZERO, HOUR, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    assert!(
        !j.settle(&it.id, "b", &Resolution::Succeeded)
            .await
            .expect("settle")
    );
    assert!(!j.park(&it.id, "b", "why").await.expect("park"));
    assert!(!j.release(&it.id, "b").await.expect("release"));
    // a gives it back; b claims it; a no longer holds it.
    assert!(j.release(&it.id, "a").await.expect("release"));
    let claimed = j.claim("b", Duration::ZERO, HOUR, 10).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempts, 2);
    assert!(
        !j.settle(&it.id, "a", &Resolution::Succeeded)
            .await
            .expect("settle")
    );
    let refused = Resolution::Refused {
        code: Some("-31".into()),
        message: "no funds".into(),
    };
    assert!(j.settle(&it.id, "b", &refused).await.expect("settle"));
    // Settled: nobody changes it any more, not even the last owner.
    assert!(
        !j.settle(&it.id, "b", &Resolution::Succeeded)
            .await
            .expect("settle")
    );
    assert!(!j.park(&it.id, "b", "late").await.expect("park"));
    assert!(!j.release(&it.id, "b").await.expect("release"));
    let e = j.entry(&it.id).await.expect("read").expect("there");
    assert_eq!(e.state, State::Resolved(refused));
    schema.remove().await;
}

#[tokio::test]
async fn an_expired_lease_passes_to_the_next_claimer() {
    let schema = Schema::new("expired");
    let j = schema.journal().await;
    let it = recorded(&j, 1).await.remove(0);
    // A lease of zero has run out as soon as it is given.
    assert_eq!(
        j.claim("a", Duration::ZERO, Duration::ZERO, 1)
            .await
            .expect("claim")
            .len(),
        1
    );
    let claimed = j.claim("b", Duration::ZERO, HOUR, 1).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert!(!j.park(&it.id, "a", "too late").await.expect("park"));
    assert!(j.park(&it.id, "b", "no status call").await.expect("park"));
    let e = j.entry(&it.id).await.expect("read").expect("there");
    assert_eq!(e.state, State::Parked("no status call".into()));
    assert_eq!(e.attempts, 2);
    // Parked intents are listed for a person, and never claimed again.
    assert_eq!(j.open_entries().await.expect("list").len(), 1);
    assert!(
        j.claim("c", Duration::ZERO, HOUR, 1)
            .await
            .expect("claim")
            .is_empty()
    );
    schema.remove().await;
}

#[tokio::test]
async fn the_grace_period_keeps_fresh_intents_from_claims() {
    let schema = Schema::new("grace");
    let j = schema.journal().await;
    let its = recorded(&j, 3).await;
    assert!(
        j.claim("a", HOUR, HOUR, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let claimed = j.claim("a", Duration::ZERO, HOUR, 2).await.expect("claim");
    let ids: Vec<&str> = claimed.iter().map(|e| e.intent.id.as_str()).collect();
    assert_eq!(
        ids,
        [its[0].id.as_str(), its[1].id.as_str()],
        "oldest first"
    );
    // A released intent waits out the grace period again.
    assert!(j.release(&its[0].id, "a").await.expect("release"));
    assert!(
        j.claim("b", HOUR, HOUR, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    schema.remove().await;
}

#[tokio::test]
async fn open_entries_are_the_unresolved_and_parked_oldest_first() {
    let schema = Schema::new("open");
    let j = schema.journal().await;
    let its = recorded(&j, 4).await;
    j.dispatched(&its[1].id).await.expect("dispatched");
    j.resolve(&its[2].id, &Resolution::NotSent)
        .await
        .expect("resolve");
    j.claim("a", Duration::ZERO, HOUR, 1).await.expect("claim");
    assert!(j.park(&its[0].id, "a", "unknown").await.expect("park"));
    let open = j.open_entries().await.expect("list");
    let got: Vec<(&str, &str)> = open
        .iter()
        .map(|e| (e.intent.id.as_str(), e.state.name()))
        .collect();
    assert_eq!(
        got,
        [
            (its[0].id.as_str(), "parked"),
            (its[1].id.as_str(), "dispatched"),
            (its[3].id.as_str(), "recorded"),
        ]
    );
    // The engine's hooks name an intent that must exist.
    let err = j.dispatched("nope").await.expect_err("unknown");
    assert!(err.to_string().contains("no intent nope"), "{err}");
    let err = j
        .resolve("nope", &Resolution::Succeeded)
        .await
        .expect_err("unknown");
    assert!(err.to_string().contains("no intent nope"), "{err}");
    // A second resolve leaves the first settlement standing.
    j.resolve(&its[2].id, &Resolution::Succeeded)
        .await
        .expect("resolve");
    let e = j.entry(&its[2].id).await.expect("read").expect("there");
    assert_eq!(e.state, State::Resolved(Resolution::NotSent));
    schema.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_make_one_set_of_tables_and_one_key() {
    let schema = Schema::new("race");
    let journals = futures_join(&schema.0).await;
    let it = intent("k");
    journals[0].record(&it, &body()).await.expect("record");
    let hash = journals[0]
        .entry(&it.id)
        .await
        .expect("read")
        .expect("there")
        .request_hash;
    for (n, j) in journals.iter().enumerate().skip(1) {
        let other = intent("k");
        j.record(&other, &body()).await.expect("record");
        let e = j.entry(&other.id).await.expect("read").expect("there");
        assert_eq!(e.request_hash, hash, "journal {n} has another key");
    }
    let keys: i64 = client()
        .await
        .query_one(
            &format!("SELECT count(*) FROM \"{}\".kassa_journal_meta", schema.0),
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(keys, 1);
    schema.remove().await;
}

async fn futures_join(schema: &str) -> Vec<PostgresJournal> {
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let schema = schema.to_owned();
            tokio::spawn(async move { PostgresJournal::connect_in(url(), &schema).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task").expect("connect"));
    }
    out
}

#[tokio::test]
async fn a_bad_schema_name_or_server_is_a_clear_error() {
    let err = PostgresJournal::connect_in(url(), "Robert'); DROP TABLE x;--")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("journal schema"), "{err}");
    let err = PostgresJournal::connect("postgres://kassa:pa55word@127.0.0.1:1/x")
        .await
        .expect_err("nothing listens on port 1");
    let text = err.to_string();
    assert!(text.contains("postgres journal: connect"), "{text}");
    assert!(!text.contains("pa55word"), "{text}");
}

// The engine hook through a real Engine against a wiremock provider.

fn engine(uri: &str, journal: Arc<PostgresJournal>) -> Engine {
    Engine::builder("test", uri)
        .journal(journal)
        .build()
        .expect("engine")
}

fn request(op: Operation) -> Request {
    Request::new(op, Method::Post, "/pay")
        .json(&serde_json::json!({"card": CARD, "amount": 1500}))
        .expect("json")
}

fn ok(resp: &kassa_core::Response) -> Result<u16, Error> {
    Ok(resp.status)
}

async fn only_entry(j: &PostgresJournal) -> kassa_journal::Entry {
    let db = client().await;
    let ids: Vec<String> = db
        .query(
            &format!("SELECT id FROM \"{}\".kassa_journal_intents", j.schema()),
            &[],
        )
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids.len(), 1, "one row: {ids:?}");
    j.entry(&ids[0]).await.expect("read").expect("there")
}

#[tokio::test]
async fn the_engine_records_dispatches_and_resolves_a_call() {
    let schema = Schema::new("engine_ok");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let j = Arc::new(schema.journal().await);
    let e = engine(&server.uri(), j.clone());
    assert_eq!(
        e.exchange(&request(pay("935191")), ok).await.expect("paid"),
        200
    );
    let entry = only_entry(&j).await;
    assert_eq!(entry.state, State::Resolved(Resolution::Succeeded));
    assert_eq!(
        entry.intent.ids,
        [("billId".to_string(), "935191".to_string())]
    );
    assert_eq!(entry.intent.amount_minor, Some(150_000));
    schema.remove().await;
}

#[tokio::test]
async fn an_outcome_unknown_stays_open_for_the_recoverer() {
    let schema = Schema::new("engine_unknown");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let j = Arc::new(schema.journal().await);
    let e = engine(&server.uri(), j.clone());
    let err = e
        .exchange(&request(pay("1")), |resp| {
            Err::<u16, _>(pay("1").outcome_unknown(std::io::Error::other(resp.status.to_string())))
        })
        .await
        .expect_err("unknown");
    assert!(err.may_have_taken_effect());
    let entry = only_entry(&j).await;
    assert_eq!(entry.state, State::Dispatched);
    let claimed = j.claim("r", Duration::ZERO, HOUR, 10).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].intent.id, entry.intent.id);
    schema.remove().await;
}

#[tokio::test]
async fn a_refusal_is_resolved_with_its_code() {
    let schema = Schema::new("engine_refused");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let j = Arc::new(schema.journal().await);
    let e = engine(&server.uri(), j.clone());
    e.exchange(&request(pay("2")), |_| {
        Err::<u16, _>(Error::rejected(
            "test",
            "pay",
            Some(400),
            kassa_core::RawCode("-31".into()),
            "no funds",
        ))
    })
    .await
    .expect_err("refused");
    match only_entry(&j).await.state {
        State::Resolved(Resolution::Refused { code, message }) => {
            assert_eq!(code.as_deref(), Some("-31"));
            assert!(message.contains("no funds"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    schema.remove().await;
}

#[tokio::test]
async fn a_journal_that_cannot_record_sends_nothing() {
    let schema = Schema::new("engine_down");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let j = Arc::new(schema.journal().await);
    // The table is gone (as when the database refuses writes): record fails.
    client()
        .await
        .batch_execute(&format!(
            "ALTER TABLE \"{}\".kassa_journal_intents RENAME TO gone",
            schema.0
        ))
        .await
        .expect("rename");
    let e = engine(&server.uri(), j.clone());
    let err = e
        .exchange(&request(pay("3")), ok)
        .await
        .expect_err("not sent");
    assert!(matches!(err, Error::Journal { .. }), "{err:?}");
    assert!(!err.may_have_taken_effect());
    schema.remove().await;
}

#[tokio::test]
async fn the_engine_takes_over_an_intent_recorded_in_the_callers_transaction() {
    let schema = Schema::new("engine_adopt");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let j = Arc::new(schema.journal().await);
    let mut db = client().await;
    let pre = intent("935191");
    let txn = db.transaction().await.expect("begin");
    j.record_in(&txn, &pre, b"").await.expect("record_in");
    txn.commit().await.expect("commit");
    let e = engine(&server.uri(), j.clone());
    e.exchange(&request(pay("935191")), ok).await.expect("paid");
    let entry = only_entry(&j).await;
    assert_eq!(
        entry.intent.id, pre.id,
        "the recorded row, not a second one"
    );
    assert_eq!(entry.state, State::Resolved(Resolution::Succeeded));
    // Taken over once: the same payment sent again is a new row.
    e.exchange(&request(pay("935191")), ok).await.expect("paid");
    let n: i64 = db
        .query_one(
            &format!(
                "SELECT count(*) FROM \"{}\".kassa_journal_intents",
                schema.0
            ),
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 2);
    schema.remove().await;
}
