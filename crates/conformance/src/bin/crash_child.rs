//! The child process of the crash tests (`tests/crash.rs`): makes one money-moving call of
//! one provider against a sandbox, with a SQLite intent journal, and kills itself with
//! SIGKILL at a named point of that call.
//!
//! ```text
//! crash_child <provider> <operation> <provider base URL> <journal> <point> <run>
//! ```
//!
//! The journal is a SQLite file, or `postgres://...#schema` for the PostgreSQL store.
//!
//! Points: `before-record`, `after-record`, `after-dispatched`, `after-send` (the answer is
//! back at the transport, not yet read), `after-answer` (read, not yet resolved),
//! `after-resolve`, or `none` (run to the end; the parent may kill it at a random moment).
//! It prints `done ok` or `done err <error>` when it was not killed.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kassa_core::journal::{Intent, Journal, JournalError, Resolution};
use kassa_core::secret::{CardNumber, SecretString};
use kassa_core::{Currency, Money, Request, Response, Timeouts, Transport, TransportError};
use kassa_journal::{PostgresJournal, SqliteJournal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Point {
    BeforeRecord,
    AfterRecord,
    AfterDispatched,
    AfterSend,
    AfterAnswer,
    AfterResolve,
    None,
}

impl Point {
    fn parse(text: &str) -> Option<Point> {
        Some(match text {
            "before-record" => Point::BeforeRecord,
            "after-record" => Point::AfterRecord,
            "after-dispatched" => Point::AfterDispatched,
            "after-send" => Point::AfterSend,
            "after-answer" => Point::AfterAnswer,
            "after-resolve" => Point::AfterResolve,
            "none" => Point::None,
            _ => return None,
        })
    }
}

/// Ends this process at once, as a crash would: SIGKILL, which nothing can catch.
fn die() -> ! {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &std::process::id().to_string()])
        .status();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The journal, with a kill at the named point of the target operation's intent.
#[derive(Debug)]
struct Killing {
    inner: Arc<dyn Journal>,
    point: Point,
    target: String,
    ids: Mutex<HashSet<String>>,
}

impl Killing {
    fn is_target(&self, id: &str) -> bool {
        self.ids.lock().map(|s| s.contains(id)).unwrap_or(false)
    }
}

#[kassa_core::async_trait]
impl Journal for Killing {
    async fn record(&self, intent: &Intent, request: &[u8]) -> Result<(), JournalError> {
        let target = intent.operation == self.target;
        if target {
            if let Ok(mut ids) = self.ids.lock() {
                ids.insert(intent.id.clone());
            }
            if self.point == Point::BeforeRecord {
                die();
            }
        }
        self.inner.record(intent, request).await?;
        if target && self.point == Point::AfterRecord {
            die();
        }
        Ok(())
    }

    async fn dispatched(&self, id: &str) -> Result<(), JournalError> {
        self.inner.dispatched(id).await?;
        if self.point == Point::AfterDispatched && self.is_target(id) {
            die();
        }
        Ok(())
    }

    async fn resolve(&self, id: &str, resolution: &Resolution) -> Result<(), JournalError> {
        let target = self.is_target(id);
        if target && self.point == Point::AfterAnswer {
            die();
        }
        self.inner.resolve(id, resolution).await?;
        if target && self.point == Point::AfterResolve {
            die();
        }
        Ok(())
    }
}

/// The HTTP transport, with a kill once the target operation's answer is back (the
/// provider has done its part; the client has not read the answer).
#[derive(Debug)]
struct KillingTransport {
    inner: kassa_core::ReqwestTransport,
    point: Point,
    target: String,
}

#[kassa_core::async_trait]
impl Transport for KillingTransport {
    async fn send(&self, base_url: &str, req: &Request) -> Result<Response, TransportError> {
        let answer = self.inner.send(base_url, req).await;
        if self.point == Point::AfterSend && req.operation.name == self.target {
            die();
        }
        answer
    }
}

struct Run {
    base: String,
    run: String,
    journal: Arc<Killing>,
    transport: Arc<KillingTransport>,
}

impl Run {
    fn timeouts() -> Timeouts {
        Timeouts::default()
            .attempt(Duration::from_secs(5))
            .total(Duration::from_secs(10))
    }
}

type Flow = Result<(), kassa_core::Error>;

async fn anor_bm(r: &Run, operation: &str) -> Flow {
    use anor_bm::{BillRequest, CheckRequest, ExtPayRequest, Otp, PayRequest};
    use kassa_sandbox::anor_bm::seed;
    let client = anor_bm::Client::builder(&r.base, seed::USERNAME, seed::PASSWORD)
        .journal(r.journal.clone())
        .transport(r.transport.clone())
        .timeouts(Run::timeouts())
        .build()?;
    let card = &seed::RICH_CARD;
    let exp = card
        .expiry
        .parse()
        .map_err(|_| kassa_core::Error::invalid("exp", "the seed card's expiry"))?;
    if operation == "ext-pay" {
        let tran: i64 = r.run.parse().unwrap_or(0);
        return client
            .ext_pay(&ExtPayRequest::new(
                1_700_000_000 + tran,
                seed::MERCHANT_ACCOUNT,
                seed::MERCHANT_MFO,
                seed::MERCHANT_NAME,
                CardNumber::new(card.pan)?,
                exp,
                Money::new(10_000, Currency::UZS),
            ))
            .await
            .map(drop);
    }
    let bill = client
        .unregistered_check(&CheckRequest::new(
            "30",
            seed::RECIPIENT_ID,
            Money::new(60_000, Currency::UZS),
            format!("crash-{}", r.run),
            CardNumber::new(card.pan)?,
            exp,
        ))
        .await?;
    let pay = PayRequest::new(bill.id, Otp::new(seed::OTP)?);
    let this = BillRequest::new(bill.id);
    match operation {
        "hold" => client.hold(&pay).await.map(drop),
        "hold-confirm" => {
            client.hold(&pay).await?;
            client.hold_confirm(&this).await.map(drop)
        }
        "hold-reverse" => {
            client.hold(&pay).await?;
            client.hold_reverse(&this).await.map(drop)
        }
        "cancel" => {
            client.unregistered_pay(&pay).await?;
            client.cancel(&this).await.map(drop)
        }
        _ => client.unregistered_pay(&pay).await.map(drop),
    }
}

async fn requisite_uz(r: &Run, operation: &str) -> Flow {
    use kassa_sandbox::requisite_uz::seed;
    use requisite_uz::{CardType, PaymentBudgetRequest, PaymentRequest, ServiceId};
    let client = requisite_uz::Client::builder(&r.base)
        .credentials(
            seed::FIXTURE_USERNAME,
            SecretString::from(seed::FIXTURE_PASSWORD.to_owned()),
        )
        .journal(r.journal.clone())
        .transport(r.transport.clone())
        .timeouts(Run::timeouts())
        .build()?;
    client.services().await?;
    if operation == "payment-budget" {
        let req = PaymentBudgetRequest {
            order_id: format!("crash-{}", r.run),
            receiver_account: seed::BUDGET_ACCOUNT.into(),
            inn_receiver: seed::BUDGET_INN.into(),
            purpose_code: seed::PURPOSE_CODE.into(),
            purpose: format!("crash test run {}", r.run),
            service_id: ServiceId(seed::SERVICE_HUMO_ID),
            amount: Money::new(100_000, Currency::UZS),
            commission_amount: Money::new(1_000, Currency::UZS),
            ref_number: Some(seed::REF_NUMBER.into()),
            card_type: Some(CardType::Humo),
            card_number: Some(CardNumber::new(seed::HUMO_CARD)?),
        };
        return client.payment_budget(&req).await.map(drop);
    }
    let req = PaymentRequest {
        order_id: format!("crash-{}", r.run),
        receiver_name: seed::RECEIVER_NAME.into(),
        mfo_receiver: seed::RECEIVER_MFO.into(),
        receiver_account: seed::RECEIVER_ACCOUNT.into(),
        inn_receiver: Some(seed::RECEIVER_INN.into()),
        purpose: format!("crash test run {}", r.run),
        service_id: ServiceId(seed::SERVICE_SPLIT_ID),
        amount: Money::new(100_000, Currency::UZS),
        commission_amount: Money::new(1_000, Currency::UZS),
        ref_number: None,
        card_type: None,
        card_number: None,
    };
    client.payment(&req).await.map(drop)
}

async fn mobilnik(r: &Run, operation: &str) -> Flow {
    use kassa_sandbox::mobilnik::seed;
    use mobilnik::{DeviceId, PaymentRequest, TransferRequest};
    let client = mobilnik::Client::builder()
        .base_url(&r.base)
        .login(seed::LOGIN)
        .password(SecretString::from(seed::PASSWORD.to_owned()))
        .device_id(DeviceId::new(seed::DEVICE_ID)?)
        .device_name(seed::DEVICE)
        .journal(r.journal.clone())
        .transport(r.transport.clone())
        .timeouts(Run::timeouts())
        .build()?;
    let som = Money::new(100, Currency::KGS);
    match operation {
        "transfer-request" => client
            .transfer_request(&TransferRequest::new(2, seed::WALLET, som, "crash test"))
            .await
            .map(drop),
        _ => client
            .payment(&PaymentRequest::new(1, seed::REQUISITE, som))
            .await
            .map(drop),
    }
}

async fn mserver(r: &Run) -> Flow {
    use kassa_sandbox::mserver::seed;
    use mserver::{CreatePaymentRequest, PayPaymentRequest, PaymentType};
    let client = mserver::Client::builder()
        .base_url(&r.base)
        .wallet(seed::PHONE, seed::PASSWORD.into())?
        .journal(r.journal.clone())
        .transport(r.transport.clone())
        .timeouts(Run::timeouts())
        .build()?;
    let amount = mserver::parse_rub("1.00")?;
    let created = client
        .create_payment(
            &CreatePaymentRequest::new(PaymentType::Out, amount)
                .service(1, [("phoneNumber", "9261234567")]),
        )
        .await?;
    client
        .pay_payment(&PayPaymentRequest::new(created.data.id))
        .await
        .map(drop)
}

async fn exchanger(r: &Run, operation: &str) -> Flow {
    use exchanger::{AddPayoutRequest, BidActionRequest, CalcAction, CreateBidRequest};
    use kassa_sandbox::exchanger::seed;
    let client = exchanger::Client::builder(&r.base)
        .login(seed::API_LOGIN)
        .key(SecretString::from(seed::API_KEY.to_owned()))
        .journal(r.journal.clone())
        .transport(r.transport.clone())
        .timeouts(Run::timeouts())
        .build()?;
    if operation == "add-partner-payout" {
        return client
            .add_partner_payout(&AddPayoutRequest {
                method_id: 7,
                account: "TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into(),
            })
            .await
            .map(drop);
    }
    let amount = "0.015"
        .parse()
        .map_err(|_| kassa_core::Error::invalid("calc_amount", "0.015"))?;
    let mut req = CreateBidRequest::new(seed::DIRECTION_BTC_USDT.id, amount, CalcAction::Give)
        .api_id(format!("crash-{}", r.run));
    req.account1 = Some("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into());
    req.account2 = Some("TQ7NaRtQxXn5wZyGdKZQkvRhnYaTqJ1vJb".into());
    req.email = Some("crash@kassa.example".into());
    let bid = client.create_bid(&req).await?;
    let this = BidActionRequest::for_bid(&bid);
    match operation {
        "cancel-bid" => client.cancel_bid(&this).await.map(drop),
        "success-bid" => {
            client.pay_bid(&this).await?;
            client.success_bid(&this).await.map(drop)
        }
        _ => client.pay_bid(&this).await.map(drop),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [provider, operation, base, path, point, run] = args.as_slice() else {
        eprintln!("usage: crash_child <provider> <operation> <base URL> <journal> <point> <run>");
        return ExitCode::from(2);
    };
    let Some(point) = Point::parse(point) else {
        eprintln!("unknown point {point}");
        return ExitCode::from(2);
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let opened: Result<Arc<dyn Journal>, JournalError> = match path.split_once('#') {
        Some((url, schema)) if url.starts_with("postgres://") => rt
            .block_on(PostgresJournal::connect_in(url, schema))
            .map(|j| Arc::new(j) as Arc<dyn Journal>),
        _ => SqliteJournal::open(path).map(|j| Arc::new(j) as Arc<dyn Journal>),
    };
    let inner = match opened {
        Ok(j) => j,
        Err(e) => {
            eprintln!("journal: {e}");
            return ExitCode::from(2);
        }
    };
    let run = Run {
        base: base.clone(),
        run: run.clone(),
        journal: Arc::new(Killing {
            inner,
            point,
            target: operation.clone(),
            ids: Mutex::new(HashSet::new()),
        }),
        transport: Arc::new(KillingTransport {
            inner: kassa_core::ReqwestTransport::from_client(reqwest::Client::new()),
            point,
            target: operation.clone(),
        }),
    };
    let done = rt.block_on(async {
        match provider.as_str() {
            "anor-bm" => anor_bm(&run, operation).await,
            "requisite-uz" => requisite_uz(&run, operation).await,
            "mobilnik" => mobilnik(&run, operation).await,
            "mserver" => mserver(&run).await,
            "exchanger" => exchanger(&run, operation).await,
            other => Err(kassa_core::Error::invalid(
                "provider",
                format!("{other} is not one of the five"),
            )),
        }
    });
    match done {
        Ok(()) => println!("done ok"),
        Err(e) => println!("done err {e}"),
    }
    ExitCode::SUCCESS
}
