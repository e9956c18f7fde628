//! Seed data of the Mobilnik emulator: test credentials, wallets, services, requisites.
//!
//! Every [`router`](super::router) starts from exactly this data. Amounts are in som
//! (KGS) as decimal strings with two decimals, the way `/payment/` takes them.
//!
//! ```
//! use kassa_sandbox::mobilnik::seed;
//! assert_eq!(seed::LOGIN, "test");
//! assert_eq!(seed::CLIENT, "4");
//! ```

use std::time::Duration;

/// Device identifier (`id`) the fixtures send; the emulator accepts any non-empty value.
pub const DEVICE_ID: &str = "test-device-id";
/// Application name (`device`) the fixtures send; any non-empty value is accepted.
pub const DEVICE: &str = "kassa-test";
/// The `client` parameter: the document's constant, always `4`.
pub const CLIENT: &str = "4";
/// The password of every seed login (`test`, `short`, `blocked`).
pub const PASSWORD: &str = "test-password";

/// Main test login (the document's example login).
pub const LOGIN: &str = "test";
/// Account number (`account`) of [`LOGIN`].
pub const ACCOUNT: u64 = 1_234_567;
/// Name (`name`) of [`LOGIN`]: a blank, as in the document's example.
pub const NAME: &str = " ";
/// Phone number (`phonenumber`) of [`LOGIN`]; it is also its wallet number.
pub const PHONENUMBER: &str = "5071234567";
/// E-mail of [`LOGIN`].
pub const EMAIL: &str = "asd@sd.com";
/// Starting balance of [`LOGIN`], in som (the document's example `1043`).
pub const BALANCE: &str = "1043.00";
/// Lifetime of a token of [`LOGIN`] (measured on tokio's clock): after it, code 27.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// A login whose tokens expire quickly (after [`SHORT_TOKEN_LIFETIME`]).
pub const SHORT_LOGIN: &str = "short";
/// Account number of [`SHORT_LOGIN`].
pub const SHORT_ACCOUNT: u64 = 1_234_568;
/// Name of [`SHORT_LOGIN`].
pub const SHORT_NAME: &str = "Короткий Токен";
/// Phone number of [`SHORT_LOGIN`]; also its wallet number (a transfer target).
pub const SHORT_PHONENUMBER: &str = "5071234568";
/// E-mail of [`SHORT_LOGIN`].
pub const SHORT_EMAIL: &str = "short@example.kg";
/// Starting balance of [`SHORT_LOGIN`], in som.
pub const SHORT_BALANCE: &str = "500.00";
/// Lifetime of a token of [`SHORT_LOGIN`] (tokio's clock).
pub const SHORT_TOKEN_LIFETIME: Duration = Duration::from_secs(5);

/// A blocked login: the right password answers 9 (USER_BLOCKED).
pub const BLOCKED_LOGIN: &str = "blocked";
/// A well-formed login that does not exist: 8 (USER_NOT_FOUND).
pub const UNKNOWN_LOGIN: &str = "nobody";
/// A login longer than the document's `String(10)`: 7 (WRONG_LOGIN_FORMAT).
pub const BAD_FORMAT_LOGIN: &str = "much-too-long-login";

/// Service 1, mobile top-up (category 1); payments and requisite checks work.
pub const SERVICE_MOBILE: i64 = 1;
/// Service 2, transfer to a Mobilnik wallet (category 2): the service of
/// `/transfer_request/`; `/payment/` refuses it with -1 (WRONG_OPERATION).
pub const SERVICE_WALLET_TRANSFER: i64 = 2;
/// Service 3, internet (category 3); payments and requisite checks work.
pub const SERVICE_INTERNET: i64 = 3;
/// Service 4, electricity (category 4): suspended, answers 12 (SERVICE_TEMPORARILY_SUSPENDED).
pub const SERVICE_SUSPENDED: i64 = 4;
/// Service 5, water (category 4): unavailable, answers 14 (SERVICE_TEMPORARILY_UNAVAILABLE).
pub const SERVICE_UNAVAILABLE: i64 = 5;
/// A service id that does not exist: 11 (SERVICE_NOT_EXISTS). Any id not 1 to 5 does.
pub const UNKNOWN_SERVICE: i64 = 999;

/// Requisite of [`SERVICE_MOBILE`] whose payments end processed (status_id 1).
pub const REQUISITE: &str = "0555123456";
/// Holder of [`REQUISITE`] (`customer_name`).
pub const REQUISITE_NAME: &str = "Асанов Асан";
/// Requisite of [`SERVICE_MOBILE`] whose payments end annulled (status_id 2, refunded).
pub const ANNULLED_REQUISITE: &str = "0555000002";
/// Holder of [`ANNULLED_REQUISITE`].
pub const ANNULLED_REQUISITE_NAME: &str = "Бекова Айгуль";
/// Requisite of [`SERVICE_MOBILE`] whose payments end in error (status_id 3, refunded).
pub const ERROR_REQUISITE: &str = "0555000003";
/// Holder of [`ERROR_REQUISITE`].
pub const ERROR_REQUISITE_NAME: &str = "Садыков Эрлан";
/// Requisite of [`SERVICE_MOBILE`]: the check works, a payment answers -2 (SYSTEM_FAILURE)
/// and debits nothing.
pub const SYSTEM_FAILURE_REQUISITE: &str = "0555000500";
/// Holder of [`SYSTEM_FAILURE_REQUISITE`].
pub const SYSTEM_FAILURE_REQUISITE_NAME: &str = "Жумабаев Марат";
/// Requisite (contract number) of [`SERVICE_INTERNET`]; payments end processed.
pub const INTERNET_REQUISITE: &str = "100200300";
/// Holder of [`INTERNET_REQUISITE`].
pub const INTERNET_REQUISITE_NAME: &str = "Осмонов Бакыт";
/// A requisite no service knows: 13 (REQUISITE_NOT_FOUND).
pub const UNKNOWN_REQUISITE: &str = "0000000000";

/// A wallet that is not a seed login (the fixtures' transfer target).
pub const WALLET: &str = "0555765432";
/// Holder of [`WALLET`] (what `/check_requisite/` on service 2 answers).
pub const WALLET_NAME: &str = "Токтогулов Нурлан";
/// A wallet number that does not exist: 10 (PHONE_NOT_FOUND_IN_DB).
pub const UNKNOWN_WALLET: &str = "0555999999";

/// `operation_id` of the first payment; each later payment takes the next integer.
pub const FIRST_OPERATION_ID: u64 = 987_654_321;
