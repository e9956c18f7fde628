//! Seed data and test credentials of the emulator.
//!
//! Amounts are tiyin (1/100 sum); send them as strings (`"500000"`), as the document does.

/// Basic-auth user name (the document's example).
pub const USERNAME: &str = "gray";
/// Basic-auth password (the document's example).
pub const PASSWORD: &str = "p@ssw0rd";
/// Second accepted user name: the one the recorded fixtures use.
pub const FIXTURE_USERNAME: &str = "test-user";
/// Password that goes with [`FIXTURE_USERNAME`].
pub const FIXTURE_PASSWORD: &str = "test-password";

/// The partner's name, as payer on its outgoing statement rows.
pub const PARTNER_NAME: &str = "SELLO - C2C";
/// The partner's INN (9 digits).
pub const PARTNER_INN: &str = "307692757";
/// The partner's bank code (MFO, 5 digits).
pub const PARTNER_MFO: &str = "00401";

/// Service "Оплата по реквизитам UZCARD", type `WORKING_WITH_CARD`.
pub const SERVICE_UZCARD_ID: u64 = 34;
/// Name of [`SERVICE_UZCARD_ID`].
pub const SERVICE_UZCARD_NAME: &str = "Оплата по реквизитам UZCARD";
/// Partner account (20 digits) of [`SERVICE_UZCARD_ID`].
pub const SERVICE_UZCARD_ACCOUNT: &str = "29896000200000401070";
/// Opening balance of [`SERVICE_UZCARD_ID`] in tiyin (the sum of its seed statement rows).
pub const SERVICE_UZCARD_BALANCE: u64 = 200_500_400;

/// Service "Оплата по реквизитам HUMO", type `WORKING_WITH_CARD`.
pub const SERVICE_HUMO_ID: u64 = 35;
/// Name of [`SERVICE_HUMO_ID`].
pub const SERVICE_HUMO_NAME: &str = "Оплата по реквизитам HUMO";
/// Partner account (20 digits) of [`SERVICE_HUMO_ID`].
pub const SERVICE_HUMO_ACCOUNT: &str = "29896000200000401071";
/// Opening balance of [`SERVICE_HUMO_ID`] in tiyin.
pub const SERVICE_HUMO_BALANCE: u64 = 100_000_000;

/// Service "Расщепления", type `CARD_IS_OPTIONAL` (card fields may be left out).
pub const SERVICE_SPLIT_ID: u64 = 33;
/// Name of [`SERVICE_SPLIT_ID`].
pub const SERVICE_SPLIT_NAME: &str = "Расщепления";
/// Partner account (20 digits) of [`SERVICE_SPLIT_ID`].
pub const SERVICE_SPLIT_ACCOUNT: &str = "29896000200000401072";
/// Opening balance of [`SERVICE_SPLIT_ID`] in tiyin.
pub const SERVICE_SPLIT_BALANCE: u64 = 50_000_000;

/// Balance and statement of this (unlisted) service id answer 1002
/// "Настройки для сервиса отсутствуют"; payments to it too.
pub const SERVICE_WITHOUT_SETTINGS: u64 = 1002;
/// Balance and statement of this (unlisted) service id answer 1004
/// "Пользователь не найден"; payments to it too.
pub const SERVICE_USER_NOT_FOUND: u64 = 1004;
/// Balance and statement of this (unlisted) service id answer 1009
/// "Нет доступа для метода"; payments to it too.
pub const SERVICE_NO_ACCESS: u64 = 1009;
/// Any other unknown service id answers 1001 "Сервис не найден" (e.g. this one).
pub const SERVICE_UNKNOWN: u64 = 999;

/// A receiver's name (payment).
pub const RECEIVER_NAME: &str = "Test";
/// A receiver's bank code (MFO, 5 digits), member of the instant payment system.
pub const RECEIVER_MFO: &str = "01091";
/// A receiver's account (20 digits).
pub const RECEIVER_ACCOUNT: &str = "29801000990248844444";
/// A receiver's INN (9 digits).
pub const RECEIVER_INN: &str = "123456789";
/// Budget receiver's personal account (27 digits) for paymentBudget.
pub const BUDGET_ACCOUNT: &str = "400522860262837950100251028";
/// Budget receiver's INN (9 digits) for paymentBudget.
pub const BUDGET_INN: &str = "207099143";
/// Payment purpose code (5 digits) for paymentBudget.
pub const PURPOSE_CODE: &str = "09510";

/// A HUMO sender card (16 digits).
pub const HUMO_CARD: &str = "9860531554896678";
/// A UZCARD sender card (16 digits).
pub const UZCARD_CARD: &str = "8600490000006744";
/// A payment reference number (`refNumber`).
pub const REF_NUMBER: &str = "016351273642";

/// A receiver bank code that is not a member of the instant payment system: 1014.
/// (A code that is not 5 digits gets 1014 too.)
pub const MFO_NOT_IN_SMP: &str = "00999";
/// A well-formed receiver account that the bank does not find: 1013. Every account
/// (payment or budget) ending in `0000` is "not found"; one of the wrong length gets
/// 1013 too.
pub const ACCOUNT_NOT_FOUND: &str = "29801000990248800000";
/// A well-formed budget account that the bank does not find: 1013 (ends in `0000`).
pub const BUDGET_ACCOUNT_NOT_FOUND: &str = "400522860262837950100250000";

/// Amount (tiyin) of an order the bank's core system deletes: created `Введен`, the
/// second payment-status read answers `Удален` and the debit is given back.
pub const AMOUNT_DELETED_BY_BANK: u64 = 66_600;
/// Amount (tiyin) answered 1111 "Системная ошибка" *after* the order was created and
/// debited: payment-status finds it (the outcome had to be checked).
pub const AMOUNT_SYSTEM_ERROR: u64 = 111_100;
/// Amount (tiyin) answered 2222 "Критическая ошибка" with nothing created:
/// payment-status answers 1008, the same orderId may be sent again.
pub const AMOUNT_CRITICAL_ERROR: u64 = 222_200;
/// Amount (tiyin) answered 3333 "Дата документа не может быть меньше даты
/// операционного дня", nothing created.
pub const AMOUNT_DATE_BEFORE_OPERATIONAL_DAY: u64 = 333_300;

/// Code for a repeated `orderId` (the document names none; emulator's choice).
pub const CODE_DUPLICATE_ORDER: u32 = 1010;
/// Code for amount + commission above the service's balance (the document names none;
/// emulator's choice).
pub const CODE_INSUFFICIENT_BALANCE: u32 = 1012;

/// Rows per statement page: rows with `id` greater than `lastId`, oldest first.
pub const STATEMENT_PAGE_SIZE: usize = 2;
/// `doc_id` of the first payment order (`1180_` + a counter, as in the document).
pub const FIRST_PAYMENT_DOC_ID: &str = "1180_1841519885";
/// `doc_id` of the first budget payment order (bare digits, as in the document).
pub const FIRST_BUDGET_DOC_ID: &str = "1290084933";
/// Largest statement row id in the seed; new rows get larger ids.
pub const LAST_SEED_ROW_ID: u64 = 2_111_291_793;
