//! Seed data of the Anor Bank BM-merchant emulator: the agent's credentials, the test OTP,
//! test cards with their balances, recipients (services), the merchant's account for
//! `ext/agent/pay`, limits and the amounts that trigger documented failures.
//!
//! Every [`router`](super::router) starts from exactly this data. Amounts are tiyin
//! (1/100 sum), currency is ISO 4217 numeric 860, as the document says.
//!
//! ```
//! use kassa_sandbox::anor_bm::seed;
//! assert_eq!(seed::USERNAME, "test-user");
//! assert_eq!(seed::RICH_CARD.pan, "8600492968156744");
//! assert!(seed::POOR_CARD.balance < seed::RICH_CARD.balance);
//! ```

/// The agent's login (`username` of `POST /api/ext/user/login`).
pub const USERNAME: &str = "test-user";
/// The agent's password. A wrong password for [`USERNAME`] answers `invalid_password` (401);
/// an unknown username answers `bad_credentials` (401).
pub const PASSWORD: &str = "test-password";

/// A bearer token that is valid from the start (for [`EXPIRES_IN`] seconds after the
/// emulator is built), so recorded fixtures (`Bearer test-token`) replay without a login.
pub const ACCESS_TOKEN: &str = "test-token";
/// A refresh token valid from the start (for [`REFRESH_EXPIRES_IN`] seconds).
pub const REFRESH_TOKEN: &str = "test-refresh-token";
/// Lifetime of an access token in seconds (`expires_in`, the document's `86398`), measured
/// on tokio's clock.
pub const EXPIRES_IN: u64 = 86_398;
/// Lifetime of a refresh token in seconds (`refresh_expires_in`), tokio's clock.
pub const REFRESH_EXPIRES_IN: u64 = 7 * 24 * 60 * 60;
/// How many access tokens (and, apart, refresh tokens) stay alive at once: a login or
/// refresh beyond it retires the oldest (expired ones go first), so a long-running
/// sandbox's memory stays bounded however often it is logged in to.
pub const LIVE_TOKENS: usize = 1_000;
/// How many OTP sessions of `send-otp` wait for their code at once: a new one beyond it
/// drops the oldest (whose `verify-otp` then answers `object_not_found`).
pub const OTP_SESSIONS: usize = 1_000;
/// `token_type` of login and refresh answers.
pub const TOKEN_TYPE: &str = "bearer";
/// `scope` of login and refresh answers.
pub const SCOPE: &str = "openid";

/// The SMS code the emulator "sends": the right `otp` of `verify-otp` and the right
/// `params.otp` of `unregistered-pay` and `hold/v2/otp`.
pub const OTP: &str = "123321";
/// Seconds an OTP stays valid (the document's `leftSeconds` `"120"`); after that
/// `code_expired_restart`.
pub const OTP_TTL_SECS: u64 = 120;
/// Wrong codes allowed per OTP: the last one answers `code_entry_limit_exceeded_restart`
/// instead of `invalid_code_retry`, and the OTP is spent.
pub const OTP_ATTEMPTS: u32 = 3;

/// A test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// Full card number (16 digits), as `pan` in requests.
    pub pan: &'static str,
    /// Expiry as `MMYY` (`exp` / `expiry` in requests; `YYMM` is accepted too).
    pub expiry: &'static str,
    /// `bankName` in `get-user-cards`.
    pub bank_name: &'static str,
    /// `cardType` in `get-user-cards` (`UZCARD`, `HUMO`).
    pub card_type: &'static str,
    /// `cardHolderName` in `get-user-cards`.
    pub holder: &'static str,
    /// The phone the OTP goes to (shown masked: `phoneMask`, `data.phone`).
    pub phone: &'static str,
    /// Starting balance in tiyin.
    pub balance: i64,
    /// Whether SMS-info is on; when off, `send-otp` and `unregistered-check` answer
    /// `sms_info_is_off`.
    pub sms_info: bool,
}

/// A card with a large balance: payments and holds succeed (the document's example card).
pub const RICH_CARD: TestCard = TestCard {
    pan: "8600492968156744",
    expiry: "0727",
    bank_name: "AnorBank",
    card_type: "UZCARD",
    holder: "Asliddin Mukhiddinov",
    phone: "998971234587",
    balance: 1_000_000_000,
    sms_info: true,
};

/// A card with a small balance ([`POOR_CARD`]`.balance` = 100 000 tiyin = 1 000 sum): any
/// payment or hold above what is left answers `insufficient_funds`.
pub const POOR_CARD: TestCard = TestCard {
    pan: "9860480012342454",
    expiry: "0528",
    bank_name: "KapitalBank",
    card_type: "HUMO",
    holder: "Asliddin Mukhiddinov",
    phone: "998901112221",
    balance: 100_000,
    sms_info: true,
};

/// A card without SMS-info: no OTP can reach it (`sms_info_is_off`).
pub const NO_SMS_CARD: TestCard = TestCard {
    pan: "8600310012345678",
    expiry: "1126",
    bank_name: "AnorBank",
    card_type: "UZCARD",
    holder: "Nodira Karimova",
    phone: "998935550011",
    balance: 50_000_000,
    sms_info: false,
};

/// Every seed card.
pub const CARDS: [TestCard; 3] = [RICH_CARD, POOR_CARD, NO_SMS_CARD];

/// A well-formed Uzbek card number that is no seed card: `card_not_found`.
pub const UNKNOWN_PAN: &str = "8600999999999999";
/// A card of a foreign scheme (not UZCARD `8600`/`5614`, not HUMO `9860`):
/// `bank_not_supported`.
pub const FOREIGN_PAN: &str = "4111111111111111";

/// The active recipient (`recipientId` of `unregistered-check`).
pub const RECIPIENT_ID: i64 = 1;
/// `recipientShortName` of [`RECIPIENT_ID`] (the document's example).
pub const RECIPIENT_NAME: &str = "RIVO_CREATIVE";
/// A recipient that exists but is not active: `service_not_active`. Any other id:
/// `service_not_found`.
pub const INACTIVE_RECIPIENT_ID: i64 = 2;
/// `recipientShortName` of [`INACTIVE_RECIPIENT_ID`].
pub const INACTIVE_RECIPIENT_NAME: &str = "CLOSED_SHOP";

/// The only currency accepted (ISO 4217 numeric, sum).
pub const CURRENCY: i64 = 860;
/// Largest bill amount in tiyin (20 000 000 sum); above it `unregistered-check` answers
/// `limit_exceeded`.
pub const MAX_BILL_AMOUNT: i64 = 2_000_000_000;
/// `hold/v2/more` may add at most this percentage of the first hold, in total.
pub const HOLD_MORE_PERCENT: i64 = 30;

/// A bill of this amount (666 sum) is refused by `unregistered-pay` with `debit_error`
/// (HTTP 500): nothing is debited, the bill stays `CHECK_OK`.
pub const DEBIT_ERROR_AMOUNT: i64 = 66_600;
/// A bill of this amount (777 sum) is paid by `unregistered-pay` (the card is debited, the
/// bill is `SUCCESS`), but the answer is `timeout` (HTTP 500): ask `status`.
pub const TIMEOUT_AMOUNT: i64 = 77_700;

/// The merchant's (legal entity's) account, `from.params.account` of `ext/agent/pay`.
pub const MERCHANT_ACCOUNT: &str = "20208000900100001001";
/// The merchant's bank MFO, `from.params.mfo` of `ext/agent/pay`.
pub const MERCHANT_MFO: &str = "01183";
/// The merchant's name (the document's example `viplati`); any name is accepted.
pub const MERCHANT_NAME: &str = "viplati";
/// Starting deposit of the merchant's account in tiyin (500 000 sum); a payout with its
/// commission above what is left answers `insufficient_funds_on_deposit`.
pub const MERCHANT_DEPOSIT: i64 = 50_000_000;
/// Payout commission charged to the merchant, in tenths of a percent (`commission` 0.4 in
/// the answer; `commissionAmount` = amount × 4 / 1000, rounded down).
pub const EXT_PAY_COMMISSION_PERMILLE: i64 = 4;

/// First `id` handed out by `send-otp` (the document's example id).
pub const FIRST_OTP_ID: i64 = 1_907_947_016;
/// First bill `id` handed out by `unregistered-check` (the document's example id).
pub const FIRST_BILL_ID: i64 = 935_191;
/// First `bmlId` handed out by `ext/agent/pay` (the document's example id).
pub const FIRST_BML_ID: i64 = 173_388_802;
