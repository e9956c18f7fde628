//! The Mobilnik emulator's state and what each call does to it.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::seed;
use super::wire::{
    Authenticated, CategoryItem, Paid, PaymentStatus, RequisiteChecked, ServiceItem, ServiceList,
    Transferred, code, money, parse_amount,
};
use crate::shared::splitmix64;
use crate::state::instant;

/// What the emulator remembers, for a state file: the seed users' balances and tokens (by
/// login), the operations and the counters. Seed data (names, services, requisites)
/// comes from the code.
#[derive(Serialize, Deserialize)]
pub(crate) struct Saved {
    users: Vec<SavedUser>,
    operations: HashMap<u64, Operation>,
    next_operation_id: u64,
    tokens_issued: u64,
}

#[derive(Serialize, Deserialize)]
struct SavedUser {
    login: String,
    balance: u64,
    token: Option<SavedToken>,
}

#[derive(Serialize, Deserialize)]
struct SavedToken {
    token: String,
    #[serde(with = "instant")]
    expires_at: Instant,
}

struct User {
    login: &'static str,
    account: u64,
    name: &'static str,
    phonenumber: &'static str,
    email: &'static str,
    blocked: bool,
    token_lifetime: Duration,
    /// Balance in tyiyn (1/100 som).
    balance: u64,
    /// The current token and when it stops working.
    token: Option<(String, Instant)>,
}

/// How a payment to a requisite ends.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Outcome {
    Processed,
    Annulled,
    Error,
    /// The payment itself answers SYSTEM_FAILURE and debits nothing.
    SystemFailure,
}

struct Requisite {
    service_id: i64,
    requisite: &'static str,
    customer_name: &'static str,
    outcome: Outcome,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ServiceState {
    Active,
    Suspended,
    Unavailable,
}

struct Service {
    id: i64,
    name: &'static str,
    category_id: i64,
    state: ServiceState,
    /// Whether this is the wallet-transfer service of `/transfer_request/`.
    transfer: bool,
}

struct Category {
    id: i64,
    name: &'static str,
}

#[derive(Serialize, Deserialize)]
struct Operation {
    /// Index of the paying user.
    owner: usize,
    amount: u64,
    outcome: Outcome,
    checks: u32,
}

pub(crate) struct Emulator {
    users: Vec<User>,
    services: Vec<Service>,
    categories: Vec<Category>,
    requisites: Vec<Requisite>,
    /// Wallets that are not seed logins: (number, holder).
    wallets: Vec<(&'static str, &'static str)>,
    operations: HashMap<u64, Operation>,
    next_operation_id: u64,
    tokens_issued: u64,
    /// Its pen on the sandbox's ledger (not written to a state file).
    pub(super) book: crate::ledger::Book,
}

impl Emulator {
    /// The state that changes, for a state file.
    pub(super) fn saved(&self) -> Saved {
        Saved {
            users: self
                .users
                .iter()
                .map(|u| SavedUser {
                    login: u.login.to_owned(),
                    balance: u.balance,
                    token: u.token.as_ref().map(|(token, expires_at)| SavedToken {
                        token: token.clone(),
                        expires_at: *expires_at,
                    }),
                })
                .collect(),
            operations: self
                .operations
                .iter()
                .map(|(id, op)| {
                    (
                        *id,
                        Operation {
                            owner: op.owner,
                            amount: op.amount,
                            outcome: op.outcome,
                            checks: op.checks,
                        },
                    )
                })
                .collect(),
            next_operation_id: self.next_operation_id,
            tokens_issued: self.tokens_issued,
        }
    }

    /// Puts a saved state onto the seed; users are matched by login, unknown ones ignored.
    pub(super) fn restore(&mut self, saved: Saved) {
        for s in saved.users {
            if let Some(u) = self.users.iter_mut().find(|u| u.login == s.login) {
                u.balance = s.balance;
                u.token = s.token.map(|t| (t.token, t.expires_at));
            }
        }
        let users = self.users.len();
        self.operations = saved
            .operations
            .into_iter()
            .filter(|(_, op)| op.owner < users)
            .collect();
        self.next_operation_id = saved.next_operation_id;
        self.tokens_issued = saved.tokens_issued;
    }

    pub(super) fn seeded() -> Emulator {
        use seed::*;
        let user = |login, account, name, phonenumber, email, balance: &str, lifetime| User {
            login,
            account,
            name,
            phonenumber,
            email,
            blocked: false,
            token_lifetime: lifetime,
            balance: parse_amount(balance).unwrap_or(0),
            token: None,
        };
        let mut blocked = user(
            BLOCKED_LOGIN,
            1_234_569,
            "Заблокирован",
            "5071234569",
            "blocked@example.kg",
            "100.00",
            TOKEN_LIFETIME,
        );
        blocked.blocked = true;
        let service = |id, name, category_id, state, transfer| Service {
            id,
            name,
            category_id,
            state,
            transfer,
        };
        let requisite = |service_id, requisite, customer_name, outcome| Requisite {
            service_id,
            requisite,
            customer_name,
            outcome,
        };
        Emulator {
            book: crate::ledger::Book::default(),
            users: vec![
                user(
                    LOGIN,
                    ACCOUNT,
                    NAME,
                    PHONENUMBER,
                    EMAIL,
                    BALANCE,
                    TOKEN_LIFETIME,
                ),
                user(
                    SHORT_LOGIN,
                    SHORT_ACCOUNT,
                    SHORT_NAME,
                    SHORT_PHONENUMBER,
                    SHORT_EMAIL,
                    SHORT_BALANCE,
                    SHORT_TOKEN_LIFETIME,
                ),
                blocked,
            ],
            services: vec![
                service(SERVICE_MOBILE, "Beeline KG", 1, ServiceState::Active, false),
                service(
                    SERVICE_WALLET_TRANSFER,
                    "Перевод на кошелек Mobilnik",
                    2,
                    ServiceState::Active,
                    true,
                ),
                service(
                    SERVICE_INTERNET,
                    "Интернет Saima Telecom",
                    3,
                    ServiceState::Active,
                    false,
                ),
                service(
                    SERVICE_SUSPENDED,
                    "Северэлектро",
                    4,
                    ServiceState::Suspended,
                    false,
                ),
                service(
                    SERVICE_UNAVAILABLE,
                    "Бишкекводоканал",
                    4,
                    ServiceState::Unavailable,
                    false,
                ),
            ],
            categories: vec![
                Category {
                    id: 1,
                    name: "Мобильная связь",
                },
                Category {
                    id: 2,
                    name: "Переводы",
                },
                Category {
                    id: 3,
                    name: "Интернет",
                },
                Category {
                    id: 4,
                    name: "Коммунальные услуги",
                },
            ],
            requisites: vec![
                requisite(
                    SERVICE_MOBILE,
                    REQUISITE,
                    REQUISITE_NAME,
                    Outcome::Processed,
                ),
                requisite(
                    SERVICE_MOBILE,
                    ANNULLED_REQUISITE,
                    ANNULLED_REQUISITE_NAME,
                    Outcome::Annulled,
                ),
                requisite(
                    SERVICE_MOBILE,
                    ERROR_REQUISITE,
                    ERROR_REQUISITE_NAME,
                    Outcome::Error,
                ),
                requisite(
                    SERVICE_MOBILE,
                    SYSTEM_FAILURE_REQUISITE,
                    SYSTEM_FAILURE_REQUISITE_NAME,
                    Outcome::SystemFailure,
                ),
                requisite(
                    SERVICE_INTERNET,
                    INTERNET_REQUISITE,
                    INTERNET_REQUISITE_NAME,
                    Outcome::Processed,
                ),
            ],
            wallets: vec![(WALLET, WALLET_NAME)],
            operations: HashMap::new(),
            next_operation_id: FIRST_OPERATION_ID,
            tokens_issued: 0,
        }
    }

    /// A new 32-hex-digit token, different for every authentication.
    fn new_token(&mut self, login: &str) -> String {
        self.tokens_issued += 1;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in login.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let a = splitmix64(h ^ self.tokens_issued);
        let b = splitmix64(a ^ self.tokens_issued.rotate_left(32));
        format!("{a:016x}{b:016x}")
    }

    /// The user a token belongs to, if it is the user's current token and not expired.
    pub(super) fn authorize(&self, token: Option<&str>) -> Result<usize, i64> {
        let token = token.ok_or(code::USER_NOT_AUTHORIZED)?;
        let now = Instant::now();
        self.users
            .iter()
            .position(|u| {
                !u.blocked
                    && u.token
                        .as_ref()
                        .is_some_and(|(t, expires)| t == token && now < *expires)
            })
            .ok_or(code::USER_NOT_AUTHORIZED)
    }

    fn service(&self, id: i64) -> Result<&Service, i64> {
        self.services
            .iter()
            .find(|s| s.id == id)
            .ok_or(code::SERVICE_NOT_EXISTS)
    }

    /// The requisites of a service; for the transfer service, the wallets.
    fn customer_name(&self, service: &Service, requisite: &str) -> Option<&'static str> {
        if service.transfer {
            return self.wallet(requisite).map(|(_, name)| name);
        }
        self.requisites
            .iter()
            .find(|r| r.service_id == service.id && r.requisite == requisite)
            .map(|r| r.customer_name)
    }

    /// A wallet by number: (seed user index if it is one, holder's name).
    fn wallet(&self, number: &str) -> Option<(Option<usize>, &'static str)> {
        if let Some(i) = self.users.iter().position(|u| u.phonenumber == number) {
            return Some((Some(i), self.users[i].name));
        }
        self.wallets
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, name)| (None, *name))
    }
    /// Logs `login` in with `password`: a new token; the previous one of that login stops
    /// working.
    pub(super) fn authenticate(
        &mut self,
        login: &str,
        password: &str,
    ) -> Result<Authenticated, i64> {
        let index = self
            .users
            .iter()
            .position(|u| u.login == login)
            .ok_or(code::USER_NOT_FOUND)?;
        if password != seed::PASSWORD {
            return Err(code::WRONG_PASSWORD);
        }
        if self.users[index].blocked {
            return Err(code::USER_BLOCKED);
        }
        let token = self.new_token(login);
        let user = &mut self.users[index];
        user.token = Some((token.clone(), Instant::now() + user.token_lifetime));
        Ok(Authenticated {
            account: user.account,
            name: user.name,
            token,
            phonenumber: user.phonenumber,
            status_code: code::OK,
            balance: money(user.balance),
            email: user.email,
            avatar: None,
        })
    }

    /// The services and their categories.
    pub(super) fn service_list(&self) -> ServiceList {
        ServiceList {
            status_code: code::OK,
            services: self
                .services
                .iter()
                .map(|s| ServiceItem {
                    id: s.id,
                    name: s.name,
                    category_id: s.category_id,
                })
                .collect(),
            categories: self
                .categories
                .iter()
                .map(|c| CategoryItem {
                    id: c.id,
                    name: c.name,
                })
                .collect(),
        }
    }

    /// The holder's name of a requisite of an open service.
    pub(super) fn check_requisite(
        &self,
        service_id: i64,
        requisite: &str,
    ) -> Result<RequisiteChecked, i64> {
        let service = self.service(service_id)?;
        service_open(service)?;
        let customer_name = self
            .customer_name(service, requisite)
            .ok_or(code::REQUISITE_NOT_FOUND)?;
        Ok(RequisiteChecked {
            status_code: code::OK,
            customer_name,
        })
    }

    /// Pays `amount` tyiyn of `owner`'s wallet to a requisite: debits it and records an
    /// operation.
    pub(super) fn pay(
        &mut self,
        owner: usize,
        service_id: i64,
        requisite: &str,
        amount: u64,
    ) -> Result<Paid, i64> {
        let service = self.service(service_id)?;
        service_open(service)?;
        if service.transfer {
            return Err(code::WRONG_OPERATION);
        }
        let outcome = self
            .requisites
            .iter()
            .find(|r| r.service_id == service_id && r.requisite == requisite)
            .map(|r| r.outcome)
            .ok_or(code::REQUISITE_NOT_FOUND)?;
        if outcome == Outcome::SystemFailure {
            return Err(code::SYSTEM_FAILURE);
        }
        let user = &mut self.users[owner];
        let balance = user
            .balance
            .checked_sub(amount)
            .ok_or(code::INSUFFICIENT_FUNDS_FOR_OPERATION)?;
        user.balance = balance;
        let operation_id = self.next_operation_id;
        self.next_operation_id += 1;
        self.operations.insert(
            operation_id,
            Operation {
                owner,
                amount,
                outcome,
                checks: 0,
            },
        );
        self.book.commit(
            "payment",
            &[
                ("operation_id", operation_id.to_string()),
                ("service_id", service_id.to_string()),
                ("requisite", requisite.to_owned()),
            ],
            minor(amount),
            CURRENCY,
        );
        Ok(Paid {
            status_code: code::OK,
            balance: money(balance),
            operation_id,
        })
    }

    /// The status of one of `caller`'s operations: 0 on the first check, then its final
    /// status.
    pub(super) fn check_payment(
        &mut self,
        caller: usize,
        operation_id: u64,
    ) -> Result<PaymentStatus, i64> {
        let operation = self
            .operations
            .get_mut(&operation_id)
            .filter(|o| o.owner == caller)
            .ok_or(code::WRONG_OPERATION)?;
        operation.checks = operation.checks.saturating_add(1);
        let first = operation.checks == 1;
        let second = operation.checks == 2;
        let (owner, amount, outcome) = (operation.owner, operation.amount, operation.outcome);
        let status_id = match (first, outcome) {
            (true, _) => 0,
            (false, Outcome::Processed | Outcome::SystemFailure) => 1,
            (false, Outcome::Annulled) => 2,
            (false, Outcome::Error) => 3,
        };
        if second && matches!(outcome, Outcome::Annulled | Outcome::Error) {
            // The money comes back when the payment turns annulled or failed.
            let user = &mut self.users[owner];
            user.balance = user.balance.saturating_add(amount);
            // Annulled or failed: the money comes back, a movement of its own.
            self.book.commit(
                "payment-returned",
                &[("operation_id", operation_id.to_string())],
                minor(amount),
                CURRENCY,
            );
        }
        Ok(PaymentStatus {
            status_code: code::OK,
            status_id,
        })
    }

    /// Moves `amount` tyiyn from `sender`'s wallet to the wallet `customer_id`.
    pub(super) fn transfer(
        &mut self,
        sender: usize,
        service_id: i64,
        customer_id: &str,
        amount: u64,
    ) -> Result<Transferred, i64> {
        let service = self.service(service_id)?;
        service_open(service)?;
        if !service.transfer {
            return Err(code::WRONG_OPERATION);
        }
        let (recipient, _) = self
            .wallet(customer_id)
            .ok_or(code::PHONE_NOT_FOUND_IN_DB)?;
        if recipient == Some(sender) {
            return Err(code::WRONG_OPERATION);
        }
        let user = &mut self.users[sender];
        user.balance = user
            .balance
            .checked_sub(amount)
            .ok_or(code::INSUFFICIENT_FUNDS_FOR_OPERATION)?;
        if let Some(r) = recipient {
            let user = &mut self.users[r];
            user.balance = user.balance.saturating_add(amount);
        }
        self.book.commit(
            "transfer-request",
            &[
                ("service_id", service_id.to_string()),
                ("customer_id", customer_id.to_owned()),
            ],
            minor(amount),
            CURRENCY,
        );
        Ok(Transferred {
            status_code: code::OK,
            message: code::name(code::OK),
        })
    }
}

/// The currency of the wallets' amounts (in tyiyn).
pub(super) const CURRENCY: &str = "KGS";

/// An amount in tyiyn as the ledger writes it.
pub(super) fn minor(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

/// The service's state as an error, if it takes no calls now.
fn service_open(service: &Service) -> Result<(), i64> {
    match service.state {
        ServiceState::Active => Ok(()),
        ServiceState::Suspended => Err(code::SERVICE_TEMPORARILY_SUSPENDED),
        ServiceState::Unavailable => Err(code::SERVICE_TEMPORARILY_UNAVAILABLE),
    }
}
