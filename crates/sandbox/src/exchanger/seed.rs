//! Seed data and test credentials of the exchanger emulator.
//!
//! Rates, reserves, commissions and limits are decimal strings, as the engine sends them.

/// `API-LOGIN` header value of the test key.
pub const API_LOGIN: &str = "test-login";
/// `API-KEY` header value of the test key.
pub const API_KEY: &str = "test-key";

/// The partner behind the test key (`test`'s and `get_partner_info`'s `partner_id`).
pub const PARTNER_ID: u64 = 12;
/// The partner's opening balance, in USDT.
pub const PARTNER_BALANCE: &str = "15.75";
/// The smallest balance `add_partner_payout` pays out.
pub const MIN_PAYOUT: &str = "10";
/// The partner's reward, percent of a successful bid's `amount_get`.
pub const PARTNER_PERCENT: &str = "0.5";

/// The first bid id the emulator gives.
pub const FIRST_BID_ID: u64 = 1350;
/// The first payout id `add_partner_payout` gives (after the three seeded payouts).
pub const FIRST_PAYOUT_ID: u64 = 32;
/// The client address the emulator reports (`test`'s `ip`, bids' `user_ip`).
pub const CLIENT_IP: &str = "127.0.0.1";

/// Currency: id, title, code, payment system, decimal places, logo.
#[derive(Debug, Clone, Copy)]
pub struct Currency {
    /// Id in the exchanger.
    pub id: u64,
    /// Title, e.g. `Bitcoin BTC`.
    pub title: &'static str,
    /// Code, e.g. `BTC`.
    pub code: &'static str,
    /// Payment system, e.g. `Bitcoin`.
    pub psys: &'static str,
    /// Decimal places of its amounts.
    pub places: u32,
    /// Commission on a partner payout in it (`comission`).
    pub payout_commission: &'static str,
}

/// Bitcoin.
pub const BTC: Currency = Currency {
    id: 1,
    title: "Bitcoin BTC",
    code: "BTC",
    psys: "Bitcoin",
    places: 8,
    payout_commission: "0.0001",
};
/// Sberbank roubles.
pub const RUB: Currency = Currency {
    id: 5,
    title: "Сбербанк RUB",
    code: "RUB",
    psys: "Сбербанк",
    places: 2,
    payout_commission: "0",
};
/// Tether on TRON.
pub const USDT: Currency = Currency {
    id: 7,
    title: "Tether TRC20 USDT",
    code: "USDT",
    psys: "Tether TRC20",
    places: 2,
    payout_commission: "1",
};
/// Every seeded currency.
pub const CURRENCIES: [Currency; 3] = [BTC, RUB, USDT];

/// A field of a direction's form: name, label, required, sent in `get_calc`'s `cd`.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Wire name (`account1`, `cf6`, ...).
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Whether `create_bid` needs it.
    pub required: bool,
    /// Select options (value, text); empty for an input.
    pub options: &'static [(&'static str, &'static str)],
    /// Marked `cd = 1`.
    pub cd: bool,
}

/// A direction of exchange with its rate, commissions, limits and API actions.
#[derive(Debug, Clone, Copy)]
pub struct Direction {
    /// Id.
    pub id: u64,
    /// Currency given.
    pub give: Currency,
    /// Currency got.
    pub get: Currency,
    /// `course_give`: so many units given ...
    pub course_give: &'static str,
    /// ... for `course_get` units got.
    pub course_get: &'static str,
    /// Reserve of the currency got.
    pub reserve: &'static str,
    /// Fixed commission added to the sum given.
    pub com_give: &'static str,
    /// Fixed commission taken from the sum got.
    pub com_get: &'static str,
    /// Limits of the sum given and got; `None` is "no".
    pub min_give: Option<&'static str>,
    /// See `min_give`.
    pub max_give: Option<&'static str>,
    /// See `min_give`.
    pub min_get: Option<&'static str>,
    /// See `min_give`.
    pub max_get: Option<&'static str>,
    /// `api_actions.type`.
    pub action_type: &'static str,
    /// Whether `pay_bid` works (`api_actions.pay` `api`); else a payment link.
    pub pay_api: bool,
    /// Whether `cancel_bid` works (`api_actions.cancel` `api`); else `disabled`.
    pub cancel_api: bool,
    /// Where the money goes, for the instruction.
    pub pay_to: &'static str,
    /// Fields of the currency given.
    pub give_fields: &'static [Field],
    /// Fields of the currency got.
    pub get_fields: &'static [Field],
    /// Fields of the direction.
    pub dir_fields: &'static [Field],
}

const EMAIL: Field = Field {
    name: "cf6",
    label: "E-mail",
    required: true,
    options: &[],
    cd: false,
};
const REGION: Field = Field {
    name: "cf10",
    label: "Регион",
    required: false,
    options: &[("1", "Москва"), ("2", "Санкт-Петербург")],
    cd: true,
};

/// BTC → USDT: pay and cancel through the API.
pub const DIRECTION_BTC_USDT: Direction = Direction {
    id: 12,
    give: BTC,
    get: USDT,
    course_give: "1",
    course_get: "64215.30781",
    reserve: "152340.55",
    com_give: "0.0002",
    com_get: "5",
    min_give: Some("0.001"),
    max_give: None,
    min_get: None,
    max_get: Some("10000"),
    action_type: "address",
    pay_api: true,
    cancel_api: true,
    pay_to: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    give_fields: &[Field {
        name: "account1",
        label: "Со счета",
        required: true,
        options: &[],
        cd: false,
    }],
    get_fields: &[Field {
        name: "account2",
        label: "На счет",
        required: true,
        options: &[],
        cd: false,
    }],
    dir_fields: &[EMAIL, REGION],
};

/// RUB → BTC: paid through a merchant link, cancel disabled (`pay_bid` and `cancel_bid`
/// refuse it).
pub const DIRECTION_RUB_BTC: Direction = Direction {
    id: 15,
    give: RUB,
    get: BTC,
    course_give: "6400000",
    course_get: "1",
    reserve: "3.5",
    com_give: "0",
    com_get: "0.0001",
    min_give: Some("5000"),
    max_give: Some("1000000"),
    min_get: None,
    max_get: None,
    action_type: "link",
    pay_api: false,
    cancel_api: false,
    pay_to: "https://exchanger.example/merchant/pay/",
    give_fields: &[Field {
        name: "account1",
        label: "Номер карты",
        required: true,
        options: &[],
        cd: false,
    }],
    get_fields: &[Field {
        name: "account2",
        label: "Адрес BTC",
        required: true,
        options: &[],
        cd: false,
    }],
    dir_fields: &[EMAIL],
};

/// Every seeded direction.
pub const DIRECTIONS: [Direction; 2] = [DIRECTION_BTC_USDT, DIRECTION_RUB_BTC];

/// A direction id that does not exist ("direction not found").
pub const UNKNOWN_DIRECTION: u64 = 999;

/// Seeded partner transitions: time, ip, referrer, user hash, query string.
pub const LINKS: [(i64, &str, &str, &str, &str); 2] = [
    (
        1_690_000_000,
        "203.0.113.8",
        "https://forum.example/t/1",
        "5e8ff9bf55",
        "rid=12",
    ),
    (
        1_700_000_000,
        "203.0.113.9",
        "https://blog.example/post",
        "7c4a8d09ca",
        "rid=12",
    ),
];
/// The browser of the seeded transitions.
pub const LINK_BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64)";
