//! Seed data and test credentials of the mserver emulator.
//!
//! ```
//! use kassa_sandbox::mserver::seed;
//! assert_eq!(seed::SMS_CODE, "123456");
//! assert!(seed::service_count() >= 300);
//! ```

/// The seeded wallet, active from the start (HTTP Basic login).
pub const PHONE: &str = "+79261111111";
/// The seeded wallet's password.
pub const PASSWORD: &str = "test-password";
/// The SMS code that activates every new wallet (the sandbox sends no SMS).
pub const SMS_CODE: &str = "123456";
/// How long an activation code is valid, in seconds (tokio's clock).
pub const CODE_TTL_SECS: u64 = 600;
/// Wrong codes accepted before `failure_limit_exceeded`.
pub const CODE_FAILURES: u32 = 3;
/// What every wallet holds when it is created (the seeded one too), in kopecks:
/// 1 000.00 RUB.
pub const START_BALANCE_KOPECKS: i64 = 100_000;
/// The application's client id at the token endpoint (`/oauth/token`).
pub const CLIENT_ID: &str = "test-client-id";
/// The application's client secret.
pub const CLIENT_SECRET: &str = "test-client-secret";
/// The admin login that may delete wallets (`DELETE /wallet/{phone}`, HTTP Basic).
pub const ADMIN_LOGIN: &str = "test-admin";
/// The admin password.
pub const ADMIN_PASSWORD: &str = "test-admin-password";
/// The `webhook_client_id` the wallet-status webhook (`POST /wallet/status`) takes.
pub const WEBHOOK_CLIENT_ID: &str = "mserver";
/// The `webhook_client_token` the wallet-status webhook takes.
pub const WEBHOOK_CLIENT_TOKEN: &str = "test-webhook-token";
/// The project's `app_id`, sent with every payment notification.
pub const APP_ID: &str = "test-app-id";
/// The project's `app_secret`: notifications carry `access_token = sha1(APP_ID + APP_SECRET)`.
pub const APP_SECRET: &str = "test-app-secret";
/// Largest picture `POST /wallet/picture` takes, in bytes (10 MB).
pub const MAX_PICTURE_BYTES: usize = 10 * 1024 * 1024;
/// How many notification deliveries the log keeps (the oldest go first).
pub const DELIVERY_LOG: usize = 100;
/// Lifetime of an issued token, in seconds (tokio's clock).
pub const TOKEN_TTL_SECS: u64 = 600;
/// How many issued tokens stay alive at once: a token issued beyond it retires the oldest
/// one (expired ones go first), so a long-running sandbox's memory stays bounded however
/// many tokens it issues.
pub const LIVE_TOKENS: usize = 1_000;
/// The scopes an issued token carries.
pub const SCOPES: &str =
    "wallet.read person.read person.modify cards.read cards.modify payments.read payments.modify";
/// When the services catalogue last changed (UNIX seconds, 2026-01-01 00:00 UTC): an
/// `If-Modified-Since` at or after it is answered 304.
pub const CATALOGUE_MODIFIED: i64 = 1_767_225_600;

/// A group of services: id, name, and the parameter every service of it asks for.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// The group's id (a 24-digit hex string, as in the document).
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The parameter's id.
    pub param: &'static str,
    /// The parameter's title.
    pub title: &'static str,
    /// Fewest digits the parameter takes.
    pub min_digits: usize,
    /// Most digits the parameter takes.
    pub max_digits: usize,
    /// The fixed fee in roubles.
    pub fee_fix: i64,
    /// The fee in whole percent of the amount (rounded up to the kopeck).
    pub fee_percent: i64,
}

/// The service groups; service `id` belongs to `GROUPS[(id - 1) % GROUPS.len()]`.
pub const GROUPS: [Group; 8] = [
    group(
        "53359fb2255c741a749f0c42",
        "Мобильная связь",
        "phoneNumber",
        "Номер телефона",
        10,
        10,
        0,
        0,
    ),
    group(
        "53359fb2255c741a749f0c4b",
        "Интернет провайдеры",
        "account",
        "Лицевой счет",
        6,
        12,
        0,
        0,
    ),
    group(
        "53359fb2255c741a749f0c47",
        "Игры и социальные сети",
        "login",
        "Номер аккаунта",
        5,
        9,
        0,
        2,
    ),
    group(
        "53359fb2255c741a749f0c50",
        "Коммунальные платежи",
        "account",
        "Лицевой счет",
        8,
        8,
        10,
        0,
    ),
    group(
        "53359fb2255c741a749f0c51",
        "Телевидение",
        "contract",
        "Номер договора",
        7,
        10,
        0,
        1,
    ),
    group(
        "53359fb2255c741a749f0c52",
        "Электронные деньги",
        "wallet",
        "Номер кошелька",
        11,
        15,
        0,
        1,
    ),
    group(
        "53359fb2255c741a749f0c53",
        "Погашение кредитов",
        "contract",
        "Номер договора",
        10,
        20,
        15,
        0,
    ),
    group(
        "53359fb2255c741a749f0c59",
        "Мобильная связь зарубежья",
        "phoneNumber",
        "Номер телефона",
        9,
        12,
        0,
        2,
    ),
];

#[allow(clippy::too_many_arguments)]
const fn group(
    id: &'static str,
    name: &'static str,
    param: &'static str,
    title: &'static str,
    min_digits: usize,
    max_digits: usize,
    fee_fix: i64,
    fee_percent: i64,
) -> Group {
    Group {
        id,
        name,
        param,
        title,
        min_digits,
        max_digits,
        fee_fix,
        fee_percent,
    }
}

/// How many services the catalogue holds (ids `1..=service_count()`).
///
/// ```
/// assert_eq!(kassa_sandbox::mserver::seed::service_count(), 320);
/// ```
pub const fn service_count() -> u64 {
    320
}

/// The group of service `id` (`None` outside the catalogue).
///
/// ```
/// let g = kassa_sandbox::mserver::seed::group_of(1).unwrap();
/// assert_eq!(g.param, "phoneNumber");
/// ```
pub fn group_of(id: u64) -> Option<&'static Group> {
    if id == 0 || id > service_count() {
        return None;
    }
    let index = usize::try_from((id - 1) % GROUPS.len() as u64).ok()?;
    GROUPS.get(index)
}

/// Services that answer `offline` (every 37th); paying one is refused.
///
/// ```
/// assert!(kassa_sandbox::mserver::seed::is_offline(37));
/// assert!(!kassa_sandbox::mserver::seed::is_offline(1));
/// ```
pub const fn is_offline(id: u64) -> bool {
    id.is_multiple_of(37)
}

/// Smallest and largest payment to a service, in roubles.
pub const MIN_SUM: i64 = 1;
/// Largest payment to a service, in roubles.
pub const MAX_SUM: i64 = 15_000;
