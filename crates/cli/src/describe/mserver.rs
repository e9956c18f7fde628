//! What each mserver operation takes (see the parent module). Examples refer to the
//! sandbox's seed (`kassa_sandbox::mserver::seed`): the wallet `+79261111111`, the SMS code
//! `123456`, services 1..=320 (service 1 asks for a 10-digit `phoneNumber`), and the ids the
//! sandbox gives in order on a fresh start (the first payment `1401089250000`, the first
//! card `62`, the first invoice or template `10000000910a2dec89025cc1`).

use super::{Field, Params, f};
use crate::catalogue::Entry;

const NONE: &[Field] = &[];

const IF_MODIFIED_SINCE: Field = f(
    "If-Modified-Since",
    "integer, UNIX seconds",
    false,
    "the `meta.request_time` of an earlier answer, sent as the header: a 304 prints {\"not_modified\": true}",
);

const PHONE: Field = f(
    "phone",
    "string, +7 and 10 digits (or + and 11 to 15 digits)",
    true,
    "the wallet's phone, international format",
);

const CODE: Field = f(
    "code",
    "string, letters and digits",
    true,
    "the code from the SMS",
);

const ID_PAYMENT: Field = f(
    "id",
    "integer",
    true,
    "the payment's `id` from create-payment",
);

const ID_CARD: Field = f("id", "integer", true, "the card's `id` from create-card");

const ID_INVOICE: Field = f(
    "id",
    "string",
    true,
    "the invoice's `_id` (list-created-invoices or list-invoices)",
);

const ID_TEMPLATE: Field = f(
    "id",
    "string",
    true,
    "the template's `id` from create-template",
);

const TEMPLATE: [Field; 5] = [
    f(
        "name",
        "string, at most 255 characters",
        true,
        "the template's name",
    ),
    f(
        "amount",
        "number, roubles (at most 2 decimals)",
        true,
        "the amount to pay",
    ),
    f(
        "type",
        "string: private or public",
        true,
        "who sees the template",
    ),
    f(
        "service_id",
        "integer",
        true,
        "the service paid (list-services)",
    ),
    f(
        "disabled",
        "array of strings",
        false,
        "the fields the payer may not change (`amount`, a parameter's id)",
    ),
];

const PAGE: Field = f(
    "page",
    "integer",
    false,
    "the page to print; --all follows every page from it",
);

/// The parameters of a mserver operation, or `None` when it is not described.
pub fn params(entry: &Entry) -> Option<Params> {
    let p = |fields, example, after, note| {
        Some(Params {
            fields,
            example,
            after,
            note,
        })
    };
    match entry.operation {
        "errors" => p(
            const { &[IF_MODIFIED_SINCE] },
            "{}",
            &[],
            "the error codes with their titles; no credentials",
        ),
        "options" => p(NONE, "{}", &[], ""),
        "create-wallet" => p(
            const {
                &[
                    PHONE,
                    f(
                        "password",
                        "string, 6 characters or more",
                        true,
                        "the wallet's password",
                    ),
                ]
            },
            r#"{"phone": "+79262222222", "password": "secret-2"}"#,
            &[],
            "the wallet is inactive until activate-wallet with the SMS code (the sandbox's is 123456)",
        ),
        "activate-wallet" => p(
            const { &[PHONE, CODE] },
            r#"{"phone": "+79262222222", "code": "123456"}"#,
            &["create-wallet"],
            "",
        ),
        "resend-activation-code" => p(
            const { &[PHONE] },
            r#"{"phone": "+79262222222"}"#,
            &["create-wallet"],
            "",
        ),
        "request-password-code" => p(
            const { &[PHONE] },
            r#"{"phone": "+79261111111"}"#,
            &[],
            "an SMS code for change-password",
        ),
        "change-password" => p(
            const {
                &[
                    PHONE,
                    CODE,
                    f(
                        "password",
                        "string, 6 characters or more",
                        true,
                        "the new password",
                    ),
                ]
            },
            r#"{"phone": "+79261111111", "code": "123456", "password": "test-password"}"#,
            &["request-password-code"],
            "",
        ),
        "get-wallet" => p(
            NONE,
            "{}",
            &[],
            "the wallet of the credentials, with its balance",
        ),
        "delete-wallet" => p(
            const { &[PHONE] },
            r#"{"phone": "+79262222222"}"#,
            &["create-wallet"],
            "takes admin credentials: KASSA_MSERVER_ADMIN_LOGIN and KASSA_MSERVER_ADMIN_PASSWORD",
        ),
        "put-person" => p(
            const {
                &[
                    f("family_name", "string", true, "family name"),
                    f("given_name", "string", true, "given name"),
                    f("patronymic_name", "string", false, "patronymic"),
                    f(
                        "passport_series_number",
                        "string, 10 digits",
                        true,
                        "the passport's series and number",
                    ),
                    f(
                        "passport_issued_at",
                        "string, date YYYY-MM-DD",
                        true,
                        "when the passport was issued",
                    ),
                    f(
                        "itn",
                        "string, 10 or 12 digits",
                        false,
                        "the taxpayer number (INN)",
                    ),
                    f(
                        "ssn",
                        "string, 11 digits",
                        false,
                        "the insurance number (SNILS)",
                    ),
                ]
            },
            r#"{"family_name": "Иванов", "given_name": "Иван", "patronymic_name": "Иванович", "passport_series_number": "4510123456", "passport_issued_at": "2012-02-27"}"#,
            &[],
            "",
        ),
        "get-person" => p(NONE, "{}", &[], ""),
        "upload-picture" => p(
            const {
                &[
                    f(
                        "file",
                        "string, \"@path\" of a JPEG or PNG file, at most 10 MB",
                        true,
                        "the picture, read from the file (type and size checked before sending)",
                    ),
                    f(
                        "file_name",
                        "string",
                        false,
                        "the name sent with it (default: the file's own name)",
                    ),
                ]
            },
            r#"{"file": "@crates/cli/tests/data/picture.jpg"}"#,
            &[],
            "the example's path is relative to the repository's root",
        ),
        "delete-picture" => p(NONE, "{}", &["upload-picture"], ""),
        "find-wallets" => p(
            const {
                &[
                    f(
                        "contacts",
                        "array of {\"phone\": string}",
                        false,
                        "the phones to look up, as the document sends them (or `phones`)",
                    ),
                    f(
                        "phones",
                        "array of strings",
                        false,
                        "the phones to look up, the other shape (give contacts or phones)",
                    ),
                ]
            },
            r#"{"contacts": [{"phone": "+79261111111"}, {"phone": "+79263333333"}]}"#,
            &[],
            "answers the phones that have an active wallet",
        ),
        "replenishment-points" => p(NONE, "{}", &[], ""),
        "wallet-settings" => p(
            const {
                &[
                    f(
                        "email",
                        "string, an e-mail address",
                        true,
                        "where reports go",
                    ),
                    f(
                        "email_send_frequency",
                        "string: daily, weekly, monthly or never",
                        true,
                        "how often",
                    ),
                ]
            },
            r#"{"email": "user@example.com", "email_send_frequency": "weekly"}"#,
            &[],
            "",
        ),
        "wallet-status-webhook" => p(
            const {
                &[
                    PHONE,
                    f(
                        "verified",
                        "boolean",
                        true,
                        "whether the wallet is now verified",
                    ),
                ]
            },
            r#"{"phone": "+79261111111", "verified": true}"#,
            &[],
            "the webhook's client id and token (sent in the query) come from KASSA_MSERVER_WEBHOOK_CLIENT_ID and KASSA_MSERVER_WEBHOOK_TOKEN",
        ),
        "list-services" => p(
            const {
                &[
                    f(
                        "page",
                        "integer, from 1",
                        false,
                        "the page to print (default the first); --all follows every page from it",
                    ),
                    f(
                        "size",
                        "integer, 1 to 100",
                        false,
                        "services per page (default 20)",
                    ),
                    IF_MODIFIED_SINCE,
                ]
            },
            r#"{"page": 1, "size": 20}"#,
            &[],
            "one page, with meta.has_next_page and meta.page.total_elements; --all prints every page",
        ),
        "list-groups" => p(const { &[IF_MODIFIED_SINCE] }, "{}", &[], ""),
        "services-by-groups" => p(const { &[IF_MODIFIED_SINCE] }, "{}", &[], ""),
        "get-service" => p(
            const { &[f("id", "integer", true, "the service's id (list-services)")] },
            r#"{"id": 1}"#,
            &[],
            "its parameters with their patterns",
        ),
        "service-by-mnp" => p(
            const {
                &[
                    f(
                        "provider_id",
                        "string",
                        true,
                        "the operator (`beeline`, `mts`, ...)",
                    ),
                    f(
                        "provider_region_code",
                        "string",
                        true,
                        "the operator's region (`ru`)",
                    ),
                ]
            },
            r#"{"provider_id": "beeline", "provider_region_code": "ru"}"#,
            &[],
            "",
        ),
        "mobile-operator" => p(
            const {
                &[f(
                    "phone",
                    "string, digits with or without +",
                    true,
                    "the number whose operator's service to find (goes into the path)",
                )]
            },
            r#"{"phone": "+79261111111"}"#,
            &[],
            "no credentials",
        ),
        "order-service" => p(
            const {
                &[f(
                    "title",
                    "string",
                    true,
                    "the service the wallet's owner would like to pay",
                )]
            },
            r#"{"title": "Домофон ООО Ключ"}"#,
            &[],
            "",
        ),
        "geo" => p(
            const {
                &[
                    f("filter_by", "string: title", false, "filter the places by"),
                    f(
                        "title",
                        "string",
                        false,
                        "part of a place's name, with filter_by",
                    ),
                ]
            },
            r#"{"filter_by": "title", "title": "моск"}"#,
            &[],
            "",
        ),
        "application-token" => p(
            NONE,
            "{}",
            &[],
            "the application's token for KASSA_MSERVER_CLIENT_ID and KASSA_MSERVER_CLIENT_SECRET, printed whole on stdout",
        ),
        "create-card" => p(
            const {
                &[
                    f(
                        "card_success_url",
                        "string, http(s) URL",
                        true,
                        "where the card page sends the user after binding",
                    ),
                    f(
                        "card_failure_url",
                        "string, http(s) URL",
                        true,
                        "where it sends them after a failure",
                    ),
                ]
            },
            r#"{"card_success_url": "https://shop.example/card/ok", "card_failure_url": "https://shop.example/card/fail"}"#,
            &[],
            "a pending card with its page; opening the page binds it",
        ),
        "get-card" => p(const { &[ID_CARD] }, r#"{"id": 62}"#, &["create-card"], ""),
        "list-cards" => p(
            const {
                &[f(
                    "state",
                    "string, comma list (or array): active, pending, failed",
                    false,
                    "only cards in these states",
                )]
            },
            r#"{"state": "active,pending"}"#,
            &[],
            "",
        ),
        "delete-card" => p(const { &[ID_CARD] }, r#"{"id": 62}"#, &["create-card"], ""),
        "list-locations" => p(NONE, "{}", &[], ""),
        "limits" => p(NONE, "{}", &[], ""),
        "create-invoice" => p(
            const {
                &[
                    f(
                        "payer",
                        "string, a wallet's phone",
                        true,
                        "the wallet asked to pay",
                    ),
                    f(
                        "amount",
                        "number, roubles (at most 2 decimals)",
                        true,
                        "how much",
                    ),
                    f("message", "string", false, "a note for the payer"),
                ]
            },
            r#"{"payer": "+79262222222", "amount": 150.50, "message": "за обед"}"#,
            &["create-wallet", "activate-wallet"],
            "",
        ),
        "list-invoices" => p(NONE, "{}", &[], "the invoices the wallet is asked to pay"),
        "list-created-invoices" => p(NONE, "{}", &[], "the invoices the wallet made"),
        "duplicate-invoice" => p(
            const { &[ID_INVOICE] },
            r#"{"id": "10000000910a2dec89025cc1"}"#,
            &["create-wallet", "activate-wallet", "create-invoice"],
            "",
        ),
        "cancel-invoice" => p(
            const { &[ID_INVOICE] },
            r#"{"id": "10000000910a2dec89025cc1"}"#,
            &["create-wallet", "activate-wallet", "create-invoice"],
            "",
        ),
        "pay-invoice" => p(
            const { &[ID_INVOICE] },
            r#"{"id": "10000000910a2dec89025cc1"}"#,
            &["create-wallet", "activate-wallet", "create-invoice"],
            "made by the payer: the example runs as the wallet create-wallet made (KASSA_MSERVER_PHONE=+79262222222, KASSA_MSERVER_PASSWORD=secret-2); it answers a p2p payment to pay with pay-payment",
        ),
        "create-template" => p(
            const {
                &[
                    TEMPLATE[0],
                    TEMPLATE[1],
                    TEMPLATE[2],
                    TEMPLATE[3],
                    f(
                        "parameters",
                        "object, parameter id to string",
                        false,
                        "the service's parameter values",
                    ),
                    TEMPLATE[4],
                ]
            },
            r#"{"name": "Мой телефон", "amount": 100, "type": "private", "service_id": 1, "parameters": {"phoneNumber": "9261111111"}}"#,
            &[],
            "",
        ),
        "list-templates" => p(
            const {
                &[
                    f("type", "string: private or public", false, "only these"),
                    f("phone", "string", false, "whose public templates"),
                    PAGE,
                    f("size", "integer", false, "templates per page"),
                ]
            },
            "{}",
            &[],
            "",
        ),
        "get-template" => p(
            const { &[ID_TEMPLATE] },
            r#"{"id": "10000000910a2dec89025cc1"}"#,
            &["create-template"],
            "",
        ),
        "update-template" => p(
            const {
                &[
                    ID_TEMPLATE,
                    TEMPLATE[0],
                    TEMPLATE[1],
                    TEMPLATE[2],
                    TEMPLATE[3],
                    f(
                        "params",
                        "object, parameter id to string",
                        false,
                        "the service's parameter values (this call's name for them)",
                    ),
                    TEMPLATE[4],
                ]
            },
            r#"{"id": "10000000910a2dec89025cc1", "name": "Телефон мамы", "amount": 200, "type": "private", "service_id": 1, "params": {"phoneNumber": "9262222222"}}"#,
            &["create-template"],
            "",
        ),
        "delete-template" => p(
            const { &[ID_TEMPLATE] },
            r#"{"id": "10000000910a2dec89025cc1"}"#,
            &["create-template"],
            "",
        ),
        "create-payment" => p(
            const {
                &[
                    f(
                        "type",
                        "string: out, in, inout or p2p",
                        true,
                        "the payment's kind",
                    ),
                    f(
                        "amount",
                        "number, roubles (at most 2 decimals)",
                        true,
                        "the amount",
                    ),
                    f(
                        "client_payment_id",
                        "string, lower-case UUID",
                        false,
                        "your key: one payment per key however often it is sent; a fresh one is made and shown when left out",
                    ),
                    f("service", "integer", false, "the service paid (out, inout)"),
                    f(
                        "parameters",
                        "object, parameter id to string",
                        false,
                        "the service's parameter values (out, inout)",
                    ),
                    f(
                        "destination",
                        "string, a wallet's phone",
                        false,
                        "the receiving wallet (p2p)",
                    ),
                    f("message", "string", false, "a note (p2p)"),
                    f("card", "integer", false, "a bound card's id (in, inout)"),
                    f(
                        "store_card",
                        "boolean",
                        false,
                        "bind the card paid with (in, inout)",
                    ),
                ]
            },
            r#"{"type": "inout", "amount": 100, "service": 1, "parameters": {"phoneNumber": "9261111111"}}"#,
            &[],
            "`out` pays a service from the wallet's balance, `inout` by card on the page pay-payment answers; with only KASSA_MSERVER_CLIENT_ID and _SECRET set the payment is anonymous (inout only)",
        ),
        "pay-payment" => p(
            const {
                &[
                    ID_PAYMENT,
                    f(
                        "type",
                        "string: inout",
                        false,
                        "switch an out payment to inout, with card",
                    ),
                    f(
                        "card",
                        "integer",
                        false,
                        "the bound card to pay with, with type inout",
                    ),
                ]
            },
            r#"{"id": 1401089250000}"#,
            &["create-payment"],
            "sent once: a lost answer names get-payment with the id",
        ),
        "get-payment" => p(
            const { &[ID_PAYMENT] },
            r#"{"id": 1401089250000}"#,
            &["create-payment"],
            "",
        ),
        "payment-bill" => p(
            const {
                &[
                    f("id", "integer", true, "an anonymous payment's id"),
                    f(
                        "email",
                        "string, an e-mail address",
                        true,
                        "where the receipt goes",
                    ),
                    f(
                        "language",
                        "string",
                        false,
                        "the receipt's language (sent as Accept-Language)",
                    ),
                ]
            },
            r#"{"id": 1401089250000, "email": "buyer@example.com"}"#,
            &["create-payment"],
            "takes the application's credentials; the payment must be anonymous (create-payment run with only KASSA_MSERVER_CLIENT_ID and _SECRET)",
        ),
        "list-payments" => p(
            const {
                &[
                    f(
                        "page",
                        "integer, from 0",
                        false,
                        "the page to print (default 0); --all follows every page from it",
                    ),
                    f("size", "integer", false, "payments per page (default 35)"),
                    f(
                        "type",
                        "array of strings: out, in, inout, p2p",
                        false,
                        "only these kinds",
                    ),
                    f(
                        "status",
                        "array of strings: created, processing, completed, declined",
                        false,
                        "only these statuses",
                    ),
                ]
            },
            r#"{"page": 0, "size": 20}"#,
            &[],
            "",
        ),
        "reset-unseen" => p(NONE, "{}", &[], ""),
        "best-p2p-webhook" => p(
            const {
                &[
                    f("payment_id", "integer", true, "the transfer's number"),
                    f("sender.id", "integer", true, "the sender's id"),
                    f("sender.phone", "string", true, "the sender's phone"),
                    f("recipient.id", "integer", true, "the recipient's id"),
                    f("recipient.phone", "string", true, "the recipient's phone"),
                ]
            },
            r#"{"payment_id": 7001, "sender": {"id": 1, "phone": "+79261111111"}, "recipient": {"id": 2, "phone": "+79262222222"}}"#,
            &[],
            "no credentials",
        ),
        "list-best-payments" => p(NONE, "{}", &[], ""),
        "reset-best-unseen" => p(NONE, "{}", &[], ""),
        _ => None,
    }
}
