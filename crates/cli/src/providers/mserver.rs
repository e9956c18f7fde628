//! `kassa mserver <operation>`.
//!
//! Credentials, from the environment in this order of preference: `KASSA_MSERVER_TOKEN`
//! (bearer); `KASSA_MSERVER_PHONE` and `KASSA_MSERVER_PASSWORD` (a wallet, HTTP Basic);
//! `KASSA_MSERVER_CLIENT_ID` and `KASSA_MSERVER_CLIENT_SECRET` (the application token,
//! fetched from `KASSA_MSERVER_TOKEN_URL`, by default `<base without /v1>/oauth/token`),
//! which the calls the catalogue marks `application` always use, and the others when no
//! wallet credentials are set. `delete-wallet` takes `KASSA_MSERVER_ADMIN_LOGIN` and
//! `KASSA_MSERVER_ADMIN_PASSWORD`. The embedded sandbox's seed credentials stand in when
//! the sandbox does.
//!
//! What the CLI adds to the crate's operation table ([`mserver::call_json`]):
//! `If-Modified-Since` given in the parameters under its own name (a 304 prints
//! `{"not_modified": true, ...}`), paged lists one page at a time or all of them (`--all`),
//! a picture given as `"@path"`, a fresh `client_payment_id` for `create-payment`, the
//! application token printed whole, and `verify-notification`, run locally.

use std::collections::BTreeMap;

use kassa_core::Error;
use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_sandbox::mserver::seed;
use mserver::{
    AdminCredentials, Answer, ApplicationTokenRequest, Client, Conditional, ConditionalRequest,
    CreateWalletRequest, DeleteWalletRequest, ListPaymentsRequest, ListServicesRequest,
    ListTemplatesRequest, Meta, PhoneRequest, UploadPictureRequest,
};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{render, reveal};
use crate::catalogue;
use crate::config::Target;

/// The sandbox's admin credentials (for `delete-wallet`).
const SANDBOX_ADMIN: (&str, &str) = (seed::ADMIN_LOGIN, seed::ADMIN_PASSWORD);

/// The header a conditional read takes, as the parameter's name.
pub const IF_MODIFIED_SINCE: &str = "If-Modified-Since";

/// The operations that answer one page of a list (`page`, `size`), for `--all`.
pub const PAGED: &[&str] = &["list-services", "list-payments", "list-templates"];

/// The conditional reads: `If-Modified-Since` in their parameters, 304 when nothing changed.
const CONDITIONAL: &[&str] = &[
    "errors",
    "list-services",
    "list-groups",
    "services-by-groups",
];

/// Most pages `--all` follows before it gives up on a server that never says "last".
const MAX_PAGES: u32 = 10_000;

/// Which credentials a call is made with.
enum Creds {
    Bearer(String),
    /// A wallet's token from the token service (`grant_type=password`), for the calls the
    /// catalogue marks `bearer`: the wallet's phone and password, the application's id
    /// and secret.
    WalletToken {
        phone: String,
        password: String,
        client_id: String,
        client_secret: String,
    },
    Wallet(String, String),
    Application(String, String),
    None,
}

/// Two variables that go together: both set, neither, or an error naming the missing one.
fn pair(target: &Target, a: &str, b: &str) -> Result<Option<(String, String)>, Error> {
    let var = |n: &str| format!("KASSA_MSERVER_{n}");
    match (target.env_var(a), target.env_var(b)) {
        (Some(x), Some(y)) => Ok(Some((x, y))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::invalid(
            var(b),
            format!("is not set, while {} is", var(a)),
        )),
        (None, Some(_)) => Err(Error::invalid(
            var(a),
            format!("is not set, while {} is", var(b)),
        )),
    }
}

/// The credentials for a call whose catalogue auth is `auth`.
fn creds(auth: &str, target: &Target) -> Result<Creds, Error> {
    let application = matches!(auth, "application" | "client-basic");
    if target.sandbox.is_some() {
        return Ok(match auth {
            "none" | "admin" | "webhook-query" => Creds::None,
            _ if application => {
                Creds::Application(seed::CLIENT_ID.into(), seed::CLIENT_SECRET.into())
            }
            "bearer" => Creds::WalletToken {
                phone: seed::PHONE.into(),
                password: seed::PASSWORD.into(),
                client_id: seed::CLIENT_ID.into(),
                client_secret: seed::CLIENT_SECRET.into(),
            },
            _ => Creds::Wallet(seed::PHONE.into(), seed::PASSWORD.into()),
        });
    }
    let app = || pair(target, "CLIENT_ID", "CLIENT_SECRET");
    if application {
        return match app()? {
            Some((id, secret)) => Ok(Creds::Application(id, secret)),
            None => Err(Error::invalid(
                "KASSA_MSERVER_CLIENT_ID",
                "is not set: this call takes the application's credentials \
                 (KASSA_MSERVER_CLIENT_ID and KASSA_MSERVER_CLIENT_SECRET)",
            )),
        };
    }
    if matches!(auth, "none" | "admin" | "webhook-query") {
        return Ok(Creds::None);
    }
    if let Some(token) = target.env_var("TOKEN") {
        return Ok(Creds::Bearer(token));
    }
    if auth == "bearer" {
        return match (pair(target, "PHONE", "PASSWORD")?, app()?) {
            (Some((phone, password)), Some((client_id, client_secret))) => Ok(Creds::WalletToken {
                phone,
                password,
                client_id,
                client_secret,
            }),
            _ => Err(Error::invalid(
                "KASSA_MSERVER_TOKEN",
                "is not set: this call takes a bearer token (KASSA_MSERVER_TOKEN), or a \
                 wallet's token fetched with KASSA_MSERVER_PHONE and KASSA_MSERVER_PASSWORD \
                 and the application's KASSA_MSERVER_CLIENT_ID and KASSA_MSERVER_CLIENT_SECRET",
            )),
        };
    }
    if let Some((phone, password)) = pair(target, "PHONE", "PASSWORD")? {
        return Ok(Creds::Wallet(phone, password));
    }
    if let Some((id, secret)) = app()? {
        return Ok(Creds::Application(id, secret));
    }
    Err(Error::invalid(
        "KASSA_MSERVER_PHONE",
        "is not set: give KASSA_MSERVER_TOKEN, or KASSA_MSERVER_PHONE and \
         KASSA_MSERVER_PASSWORD, or KASSA_MSERVER_CLIENT_ID and KASSA_MSERVER_CLIENT_SECRET \
         (credentials come only from the environment)",
    ))
}

/// The token service's address: `KASSA_MSERVER_TOKEN_URL`, else beside the API (the base
/// URL without its `/v1`, then `/oauth/token`).
pub fn token_url(target: &Target) -> String {
    if target.sandbox.is_none()
        && let Some(url) = target.env_var("TOKEN_URL")
    {
        return url;
    }
    let base = target.base_url.trim_end_matches('/');
    let root = base.strip_suffix("/v1").unwrap_or(base);
    format!("{root}/oauth/token")
}

/// A wallet's token from the token service: `grant_type=password` with the wallet's phone
/// and password, the application's credentials as HTTP Basic. Every credential is
/// scrubbed from the errors.
async fn wallet_token(
    operation: &'static str,
    target: &Target,
    phone: &str,
    password: &str,
    client_id: &str,
    client_secret: &SecretString,
) -> Result<String, Error> {
    use kassa_core::{Effect, Engine, Method, Operation, Param, RawCode, Request};
    let op = Operation::new(mserver::PROVIDER, operation, Effect::Auth);
    let engine = Engine::builder(mserver::PROVIDER, token_url(target))
        .timeouts(target.timeouts)
        .secret(password)
        .secret(client_secret.expose_secret())
        .build()
        .map_err(|e| match e.field() {
            Some("base_url") => {
                Error::invalid("KASSA_MSERVER_TOKEN_URL", "must be an absolute http(s) URL")
            }
            _ => e,
        })?;
    let req = Request::new(op, Method::Post, "")
        .basic_auth(client_id, client_secret)
        .header("Accept", "application/json")
        .form(vec![
            ("grant_type".to_owned(), Param::from("password")),
            ("username".to_owned(), Param::from(phone)),
            ("password".to_owned(), Param::from(password)),
        ]);
    let resp = engine
        .execute(&req)
        .await
        .map_err(|e| engine.scrub_error(e))?;
    #[derive(serde::Deserialize)]
    struct Token {
        #[serde(default)]
        access_token: Option<String>,
        #[serde(default)]
        error: Option<String>,
        #[serde(default)]
        error_description: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Wrapped {
        #[serde(default)]
        data: Option<Token>,
        #[serde(flatten)]
        top: Token,
    }
    let read: Option<Wrapped> = serde_json::from_slice(&resp.body).ok();
    let token = read.map(|w| match w.data {
        Some(d) if d.access_token.is_some() => d,
        _ => w.top,
    });
    match token {
        Some(Token {
            access_token: Some(t),
            ..
        }) if (200..300).contains(&resp.status) && !t.trim().is_empty() => Ok(t),
        Some(t) if resp.status >= 400 && resp.status < 500 => Err(engine.scrub_error(Error::auth(
            mserver::PROVIDER,
            operation,
            Some(resp.status),
            RawCode(t.error.unwrap_or_else(|| "unauthorized".into())),
            format!(
                "the token service refused the wallet's token: {}",
                kassa_core::secret::redact_text(t.error_description.as_deref().unwrap_or(""))
            ),
        ))),
        _ => Err(Error::Decode {
            provider: mserver::PROVIDER,
            operation,
            path: "access_token".into(),
            message: format!("HTTP {}: the token answer has no access_token", resp.status),
            excerpt: String::new(),
        }),
    }
}

/// Builds a client for `operation`, whose catalogue auth is `auth`.
pub async fn client_for(
    operation: &'static str,
    auth: &str,
    params: &str,
    target: &Target,
) -> Result<Client, Error> {
    if let Creds::WalletToken {
        phone,
        password,
        client_id,
        client_secret,
    } = creds(auth, target)?
    {
        // nothing is sent, not even for the token, before the parameters read
        check_before_token(operation, params)?;
        let secret = SecretString::from(client_secret);
        let token = wallet_token(operation, target, &phone, &password, &client_id, &secret).await?;
        let b = Client::builder()
            .base_url(target.base_url.clone())
            .token_url(token_url(target))
            .timeouts(target.timeouts)
            .bearer(SecretString::from(token));
        return match &target.journal {
            Some(j) => b.journal(j.clone()),
            None => b,
        }
        .build();
    }
    client(auth, target)
}

/// Reads the parameters of a call made with a wallet's token into its request type, so
/// that input the type refuses is refused before the token is fetched.
fn check_before_token(operation: &str, params: &str) -> Result<(), Error> {
    use kassa_core::ops::parse;
    use mserver::{CreateTemplateRequest, TemplateRequest, UpdateTemplateRequest};
    match operation {
        "create-template" => parse::<CreateTemplateRequest>(operation, params).map(drop),
        "update-template" => parse::<UpdateTemplateRequest>(operation, params).map(drop),
        "get-template" | "delete-template" => parse::<TemplateRequest>(operation, params).map(drop),
        "list-templates" => parse::<ListTemplatesRequest>(operation, params).map(drop),
        _ => Ok(()),
    }
}

/// Builds a client for a call whose catalogue auth is `auth` (no token fetched here).
pub fn client(auth: &str, target: &Target) -> Result<Client, Error> {
    let b = Client::builder()
        .base_url(target.base_url.clone())
        .token_url(token_url(target))
        .timeouts(target.timeouts);
    let b = match creds(auth, target)? {
        Creds::Bearer(token) => b.bearer(SecretString::from(token)),
        Creds::Wallet(phone, password) => {
            b.wallet(phone, SecretString::from(password))
                .map_err(|e| match e.field() {
                    Some("phone") => Error::invalid(
                        "KASSA_MSERVER_PHONE",
                        "must be in international format: + and the digits (+79261111111)",
                    ),
                    Some("password") => {
                        Error::invalid("KASSA_MSERVER_PASSWORD", "must not be empty")
                    }
                    _ => e,
                })?
        }
        Creds::Application(id, secret) => b.application(id, SecretString::from(secret)),
        Creds::WalletToken { .. } => {
            return Err(Error::invalid(
                "KASSA_MSERVER_TOKEN",
                "this call takes a bearer token",
            ));
        }
        Creds::None => b,
    };
    match &target.journal {
        Some(j) => b.journal(j.clone()),
        None => b,
    }
    .build()
}

/// The admin credentials of `delete-wallet`.
fn admin(target: &Target) -> Result<AdminCredentials, Error> {
    if target.sandbox.is_some() {
        return Ok(AdminCredentials::new(
            SANDBOX_ADMIN.0,
            SANDBOX_ADMIN.1.into(),
        ));
    }
    match pair(target, "ADMIN_LOGIN", "ADMIN_PASSWORD")? {
        Some((login, password)) => Ok(AdminCredentials::new(login, password.into())),
        None => Err(Error::invalid(
            "KASSA_MSERVER_ADMIN_LOGIN",
            "is not set: delete-wallet takes admin credentials (KASSA_MSERVER_ADMIN_LOGIN \
             and KASSA_MSERVER_ADMIN_PASSWORD)",
        )),
    }
}

/// An answer written out with its `dev.security_code` (a development server's SMS code,
/// redacted by the library) shown: on stdout it is the answer asked for.
fn with_sms_code<T: Serialize>(answer: Answer<T>) -> Result<String, Error> {
    let code = answer
        .dev
        .as_ref()
        .and_then(|d| d.security_code.as_ref())
        .map(|c| c.expose_secret().to_owned());
    let rendered = render(&answer)?;
    match code {
        Some(code) => reveal(rendered, "security_code", &code),
        None => Ok(rendered),
    }
}

/// The wallet-status webhook's credentials: `KASSA_MSERVER_WEBHOOK_CLIENT_ID` and
/// `KASSA_MSERVER_WEBHOOK_TOKEN`, or the sandbox's.
fn webhook(target: &Target) -> Result<(String, String), Error> {
    if target.sandbox.is_some() {
        return Ok((
            seed::WEBHOOK_CLIENT_ID.to_owned(),
            seed::WEBHOOK_CLIENT_TOKEN.to_owned(),
        ));
    }
    pair(target, "WEBHOOK_CLIENT_ID", "WEBHOOK_TOKEN")?.ok_or_else(|| {
        Error::invalid(
            "KASSA_MSERVER_WEBHOOK_CLIENT_ID",
            "is not set: wallet-status-webhook takes the webhook's credentials \
             (KASSA_MSERVER_WEBHOOK_CLIENT_ID and KASSA_MSERVER_WEBHOOK_TOKEN)",
        )
    })
}

/// The parameters as an object of raw JSON values (numbers kept as written).
type Object = BTreeMap<String, Box<RawValue>>;

fn object(params: &str) -> Result<Object, Error> {
    let text = if params.trim().is_empty() {
        "{}"
    } else {
        params
    };
    serde_json::from_str(text)
        .map_err(|e| Error::invalid("params", format!("must be one JSON object: {e}")))
}

fn text_of(o: &Object) -> Result<String, Error> {
    serde_json::to_string(o).map_err(|e| Error::invalid("params", e.to_string()))
}

fn raw(value: impl Serialize) -> Result<Box<RawValue>, Error> {
    serde_json::value::to_raw_value(&value).map_err(|e| Error::invalid("params", e.to_string()))
}

/// Moves `If-Modified-Since` (a UNIX timestamp: the `meta.request_time` of an earlier
/// answer, as a number or a string of digits) to the request's `modified_since`; the value
/// given, for the not-modified document.
fn take_if_modified_since(o: &mut Object) -> Result<Option<i64>, Error> {
    let key = o
        .keys()
        .find(|k| k.eq_ignore_ascii_case(IF_MODIFIED_SINCE))
        .cloned();
    let Some(key) = key else {
        return Ok(None);
    };
    if key != IF_MODIFIED_SINCE {
        return Err(Error::invalid(
            key,
            format!("write the header's name as `{IF_MODIFIED_SINCE}`"),
        ));
    }
    let value = o
        .remove(&key)
        .map(|v| v.get().to_owned())
        .unwrap_or_default();
    let digits = value.trim().trim_matches('"');
    let since: i64 = digits
        .parse()
        .ok()
        .filter(|n: &i64| *n >= 0)
        .ok_or_else(|| {
            Error::invalid(
                IF_MODIFIED_SINCE,
                "a UNIX timestamp in seconds (the `meta.request_time` of an earlier answer)",
            )
        })?;
    if o.contains_key("modified_since") {
        return Err(Error::invalid(
            "modified_since",
            format!("give either `{IF_MODIFIED_SINCE}` or `modified_since`"),
        ));
    }
    o.insert("modified_since".into(), raw(since)?);
    Ok(Some(since))
}

/// What a 304 prints: the data did not change since the time given.
fn not_modified(since: Option<i64>) -> Result<String, Error> {
    render(&serde_json::json!({
        "not_modified": true,
        IF_MODIFIED_SINCE: since,
        "message": "nothing changed since If-Modified-Since: keep the copy you have",
    }))
}

fn conditional<T: Serialize>(c: Conditional<T>, since: Option<i64>) -> Result<String, Error> {
    match c {
        Conditional::Modified(answer) => render(&answer),
        Conditional::NotModified => not_modified(since),
    }
}

/// The picture of `upload-picture`: `{"file": "@path", "file_name": ...}`; its size and
/// type checked before anything is sent.
fn picture(o: &Object) -> Result<UploadPictureRequest, Error> {
    for key in o.keys() {
        if key != "file" && key != "file_name" {
            return Err(Error::invalid(
                key.clone(),
                "unknown field: upload-picture takes `file` (\"@path\") and `file_name`",
            ));
        }
    }
    let file: String = match o.get("file") {
        None => return Err(Error::invalid("file", "required: the picture as \"@path\"")),
        Some(v) => serde_json::from_str(v.get())
            .map_err(|_| Error::invalid("file", "the picture as a string \"@path\""))?,
    };
    let Some(path) = file.strip_prefix('@').filter(|p| !p.is_empty()) else {
        return Err(Error::invalid(
            "file",
            "the picture as \"@path\" (a file to read), e.g. {\"file\": \"@photo.jpg\"}",
        ));
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::invalid("file", format!("cannot read {path}: {e}")))?;
    if !meta.is_file() {
        return Err(Error::invalid("file", format!("{path} is not a file")));
    }
    if meta.len() > mserver::MAX_PICTURE_BYTES as u64 {
        return Err(Error::invalid(
            "file",
            format!(
                "{path} has {} bytes; at most 10 MB ({} bytes)",
                meta.len(),
                mserver::MAX_PICTURE_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid("file", format!("cannot read {path}: {e}")))?;
    let file_name = match o.get("file_name") {
        Some(v) => Some(
            serde_json::from_str::<String>(v.get())
                .map_err(|_| Error::invalid("file_name", "a string"))?,
        ),
        None => std::path::Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned),
    };
    let req = UploadPictureRequest { file_name, bytes };
    req.content_type()
        .map_err(|e| Error::invalid("file", format!("{path}: {}", reason_of(&e))))?;
    Ok(req)
}

fn reason_of(e: &Error) -> String {
    match e {
        Error::InvalidInput { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// `find-wallets` takes the document's `contacts` (`[{"phone": ...}]`) or `phones`.
fn find_wallets(mut o: Object) -> Result<String, Error> {
    if let Some(contacts) = o.remove("contacts") {
        #[derive(serde::Deserialize)]
        struct Contact {
            phone: String,
        }
        let list: Vec<Contact> = serde_json::from_str(contacts.get()).map_err(|_| {
            Error::invalid(
                "contacts",
                "a list of {\"phone\": \"+79261111111\"} objects",
            )
        })?;
        if o.contains_key("phones") {
            return Err(Error::invalid(
                "contacts",
                "give `contacts` or `phones`, not both",
            ));
        }
        let phones: Vec<String> = list.into_iter().map(|c| c.phone).collect();
        o.insert("phones".into(), raw(phones)?);
        o.entry("shape".into()).or_insert(raw("contacts")?);
    }
    text_of(&o)
}

/// One page's answer, or all of them.
#[derive(Serialize)]
struct AllPages<T> {
    /// How many pages were read.
    pages: u32,
    /// The last page's `meta` (its paging fields say there is no next page).
    meta: Meta,
    /// Every page's items, in order.
    data: Vec<T>,
}

/// Whether a page is the last: `has_next_page` false or absent with a short or empty page.
fn last_page<T>(answer: &Answer<Vec<T>>, size: Option<u32>) -> bool {
    match answer.meta.has_next_page {
        Some(more) => !more || answer.data.is_empty(),
        None => size.is_none_or(|s| answer.data.len() < s as usize) || answer.data.is_empty(),
    }
}

/// Reads page after page from `first` with `fetch` until the last, then prints them all.
async fn all_pages<T, F, Fut>(
    operation: &str,
    first: u32,
    size: Option<u32>,
    mut fetch: F,
) -> Result<Option<AllPages<T>>, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<Conditional<Answer<Vec<T>>>, Error>>,
{
    let mut data = Vec::new();
    let mut page = first;
    let mut pages = 0u32;
    loop {
        let answer = match fetch(page).await? {
            Conditional::Modified(a) => a,
            // only the first page carries If-Modified-Since
            Conditional::NotModified => return Ok(None),
        };
        pages += 1;
        let last = last_page(&answer, size);
        data.extend(answer.data);
        if last {
            return Ok(Some(AllPages {
                pages,
                meta: answer.meta,
                data,
            }));
        }
        if pages >= MAX_PAGES {
            return Err(Error::Decode {
                provider: mserver::PROVIDER,
                operation: catalogue::find("mserver", operation).map_or("list", |e| e.operation),
                path: "meta.has_next_page".into(),
                message: format!("still true after {MAX_PAGES} pages"),
                excerpt: String::new(),
            });
        }
        page += 1;
    }
}

/// Runs a paged operation: its one page, or with `all` every page from the one given.
async fn paged(c: &Client, operation: &str, params: &str, all: bool) -> Result<String, Error> {
    let mut o = object(params)?;
    match operation {
        "list-services" => {
            let since = take_if_modified_since(&mut o)?;
            let req: ListServicesRequest = kassa_core::ops::parse(operation, &text_of(&o)?)?;
            if !all {
                return conditional(c.list_services(&req).await?, since);
            }
            let first = req.page.unwrap_or(1);
            let got = all_pages(operation, first, req.size, |page| {
                let r = ListServicesRequest {
                    page: Some(page),
                    size: req.size,
                    modified_since: if page == first { since } else { None },
                };
                async move { c.list_services(&r).await }
            })
            .await?;
            match got {
                Some(pages) => render(&pages),
                None => not_modified(since),
            }
        }
        "list-payments" => {
            let req: ListPaymentsRequest = kassa_core::ops::parse(operation, &text_of(&o)?)?;
            if !all {
                return render(&c.list_payments(&req).await?);
            }
            let size = req.size.unwrap_or(mserver::DEFAULT_PAGE_SIZE);
            let got = all_pages(operation, req.page.unwrap_or(0), Some(size), |page| {
                let r = ListPaymentsRequest {
                    page: Some(page),
                    size: Some(size),
                    ..req.clone()
                };
                async move { c.list_payments(&r).await.map(Conditional::Modified) }
            })
            .await?;
            render(&got)
        }
        _ => {
            let req: ListTemplatesRequest = kassa_core::ops::parse(operation, &text_of(&o)?)?;
            if !all {
                return render(&c.list_templates(&req).await?);
            }
            let got = all_pages(operation, req.page.unwrap_or(0), req.size, |page| {
                let r = ListTemplatesRequest {
                    page: Some(page),
                    ..req.clone()
                };
                async move { c.list_templates(&r).await.map(Conditional::Modified) }
            })
            .await?;
            render(&got)
        }
    }
}

/// Runs `operation` with `params` (`all`: every page of a paged list).
pub async fn call(
    operation: &str,
    params: &str,
    target: &Target,
    all: bool,
) -> Result<String, Error> {
    let (operation, auth) = match catalogue::find("mserver", operation) {
        Some(e) => (e.operation, e.auth),
        None => return mserver::call_json(&client("wallet", target)?, operation, params).await,
    };
    if all && !PAGED.contains(&operation) {
        return Err(Error::invalid(
            "--all",
            format!(
                "{operation} is not paged; --all follows the pages of {}",
                PAGED.join(", ")
            ),
        ));
    }
    // Input that can be refused is read before anything else happens.
    let upload = match operation {
        "upload-picture" => Some(picture(&object(params)?)?),
        _ => None,
    };
    let c = client_for(operation, auth, params, target).await?;
    if PAGED.contains(&operation) {
        return paged(&c, operation, params, all).await;
    }
    if CONDITIONAL.contains(&operation) {
        let mut o = object(params)?;
        let since = take_if_modified_since(&mut o)?;
        let req: ConditionalRequest = kassa_core::ops::parse(operation, &text_of(&o)?)?;
        let answer = match operation {
            "errors" => conditional(c.errors(&req).await?, since),
            "list-groups" => conditional(c.list_groups(&req).await?, since),
            _ => conditional(c.services_by_groups(&req).await?, since),
        };
        return answer;
    }
    match operation {
        "application-token" => {
            let req: ApplicationTokenRequest = kassa_core::ops::parse(operation, params)?;
            let token = c.application_token(&req).await?;
            // the token is the answer asked for: printed whole on stdout
            reveal(
                render(&token)?,
                "access_token",
                token.access_token.expose_secret(),
            )
        }
        "upload-picture" => match upload {
            Some(req) => render(&c.upload_picture(&req).await?),
            None => Err(Error::invalid("file", "required")),
        },
        "delete-wallet" => {
            let mut o = object(params)?;
            if o.contains_key("admin") {
                return Err(Error::invalid(
                    "admin",
                    "admin credentials come only from the environment \
                     (KASSA_MSERVER_ADMIN_LOGIN and KASSA_MSERVER_ADMIN_PASSWORD)",
                ));
            }
            let admin = admin(target)?;
            o.insert(
                "admin".into(),
                raw(serde_json::json!({"login": admin.login, "password": admin.password.expose_secret()}))?,
            );
            let req: DeleteWalletRequest = kassa_core::ops::parse(operation, &text_of(&o)?)?;
            render(&c.delete_wallet(&req).await?)
        }
        // a development server's SMS code is the answer asked for: printed whole on stdout
        "create-wallet" => {
            let req: CreateWalletRequest = kassa_core::ops::parse(operation, params)?;
            with_sms_code(c.create_wallet(&req).await?)
        }
        "resend-activation-code" | "request-password-code" => {
            let req: PhoneRequest = kassa_core::ops::parse(operation, params)?;
            let answer = if operation == "resend-activation-code" {
                c.resend_activation_code(&req).await?
            } else {
                c.request_password_code(&req).await?
            };
            with_sms_code(answer)
        }
        "wallet-status-webhook" => {
            let mut o = object(params)?;
            for key in ["webhook_client_id", "webhook_client_token"] {
                if o.contains_key(key) {
                    return Err(Error::invalid(
                        key,
                        "the webhook's credentials come only from the environment \
                         (KASSA_MSERVER_WEBHOOK_CLIENT_ID and KASSA_MSERVER_WEBHOOK_TOKEN)",
                    ));
                }
            }
            let (id, token) = webhook(target)?;
            o.insert("webhook_client_id".into(), raw(id)?);
            o.insert("webhook_client_token".into(), raw(token)?);
            mserver::call_json(&c, operation, &text_of(&o)?).await
        }
        "find-wallets" => mserver::call_json(&c, operation, &find_wallets(object(params)?)?).await,
        "create-payment" => {
            let mut o = object(params)?;
            if !o.contains_key("client_payment_id") {
                let key = kassa_core::idempotency::IdempotencyKey::new_v4();
                eprintln!(
                    "kassa: create-payment: a fresh client_payment_id {key}; give it again in \
                     --params to retry this same payment"
                );
                o.insert("client_payment_id".into(), raw(key.as_str())?);
            }
            mserver::call_json(&c, operation, &text_of(&o)?).await
        }
        other => mserver::call_json(&c, other, params).await,
    }
}

/// `kassa mserver verify-notification`: checks a received payment notification (its body
/// on stdin) with `KASSA_MSERVER_APP_SECRET` and prints the event, or refuses it. `params`
/// holds the notification's query: a JSON object (`{"app_id": ..., "access_token": ...}`,
/// optionally `"headers": {...}`) or the query string itself (`app_id=...&access_token=...`).
pub fn verify_notification(
    params: &str,
    body: &[u8],
    env: &crate::config::Env,
) -> Result<String, Error> {
    let (mut query, headers) = notification_query(params)?;
    let secret = env.get("KASSA_MSERVER_APP_SECRET").ok_or_else(|| {
        Error::invalid(
            "KASSA_MSERVER_APP_SECRET",
            "is not set: the app secret that signs notifications comes only from the environment",
        )
    })?;
    let secret = SecretString::from(secret.to_owned());
    let app_id = match (
        query.get("app_id"),
        env.get("KASSA_MSERVER_APP_ID").map(str::to_owned),
    ) {
        (Some(id), _) => id.clone(),
        (None, Some(id)) => {
            // the app id is ours; the token must be sha1 of it and the secret
            query.insert("app_id".into(), id.clone());
            id
        }
        (None, None) => {
            return Err(Error::invalid(
                "app_id",
                "not in the parameters, and KASSA_MSERVER_APP_ID is not set",
            ));
        }
    };
    if let Some(own) = env.get("KASSA_MSERVER_APP_ID").map(str::to_owned)
        && own != app_id
    {
        return Err(Error::invalid(
            "app_id",
            "the notification refused: the app_id names another application than KASSA_MSERVER_APP_ID",
        ));
    }
    match mserver::verify_payment_notification(body, &query, &headers, &app_id, &secret) {
        Ok(event) => render(&serde_json::json!({
            "verified": true,
            "app_id": app_id,
            "event": event.into_inner(),
        })),
        Err(refusal) => Err(Error::invalid(
            refusal.field(),
            format!("the notification is refused: {refusal}"),
        )),
    }
}

type Pairs = BTreeMap<String, String>;

/// The query (and headers) of a notification from `--params`.
fn notification_query(params: &str) -> Result<(Pairs, Pairs), Error> {
    let text = params.trim();
    if text.is_empty() {
        return Ok((Pairs::new(), Pairs::new()));
    }
    if text.starts_with('{') {
        let mut o: BTreeMap<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| Error::invalid("params", format!("not a JSON object: {e}")))?;
        let headers: Pairs = match o.remove("headers") {
            None => Pairs::new(),
            Some(h) => serde_json::from_value(h)
                .map_err(|_| Error::invalid("headers", "an object of strings"))?,
        };
        let mut query = Pairs::new();
        for (k, v) in o {
            match v {
                serde_json::Value::String(s) => {
                    query.insert(k, s);
                }
                _ => return Err(Error::invalid(k, "a string")),
            }
        }
        return Ok((query, headers));
    }
    let text = text.strip_prefix('?').unwrap_or(text);
    let mut query = Pairs::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (percent_decode(k)?, percent_decode(v)?);
        if query.insert(k.clone(), v).is_some() {
            return Err(Error::invalid(k, "given twice in the query"));
        }
    }
    Ok((query, Pairs::new()))
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn percent_decode(s: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        Error::invalid("params", "a bad %-escape in the query string")
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Error::invalid("params", "the query string is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_string_reads_like_an_object() {
        let (q, h) =
            notification_query("?app_id=test-app-id&access_token=ab%2Bc+d").expect("reads");
        assert_eq!(q["app_id"], "test-app-id");
        assert_eq!(q["access_token"], "ab+c d");
        assert!(h.is_empty());
        let (q, h) = notification_query(r#"{"app_id": "a", "headers": {"X-Access-Token": "t"}}"#)
            .expect("reads");
        assert_eq!(
            (q["app_id"].as_str(), h["X-Access-Token"].as_str()),
            ("a", "t")
        );
        assert!(notification_query("a=%zz").is_err());
        assert_eq!(
            notification_query("a=1&a=2").expect_err("twice").field(),
            Some("a")
        );
    }

    #[test]
    fn if_modified_since_becomes_modified_since_exactly() {
        let mut o = object(r#"{"If-Modified-Since": "1767225600", "page": 2}"#).expect("object");
        assert_eq!(
            take_if_modified_since(&mut o).expect("read"),
            Some(1_767_225_600)
        );
        assert_eq!(o["modified_since"].get(), "1767225600");
        let mut bad = object(r#"{"If-Modified-Since": "Thu, 01 Jan 2026"}"#).expect("object");
        assert_eq!(
            take_if_modified_since(&mut bad)
                .expect_err("a date")
                .field(),
            Some(IF_MODIFIED_SINCE)
        );
        let mut case = object(r#"{"if-modified-since": 1}"#).expect("object");
        assert!(take_if_modified_since(&mut case).is_err());
    }

    #[test]
    fn the_last_page_is_known_by_its_flag_or_its_size() {
        let page = |more: Option<bool>, n: usize| Answer {
            meta: Meta {
                has_next_page: more,
                ..Meta::default()
            },
            data: vec![0u8; n],
            dev: None,
        };
        assert!(!last_page(&page(Some(true), 20), Some(20)));
        assert!(last_page(&page(Some(false), 20), Some(20)));
        assert!(
            last_page(&page(Some(true), 0), Some(20)),
            "an empty page ends it"
        );
        assert!(!last_page(&page(None, 20), Some(20)));
        assert!(last_page(&page(None, 3), Some(20)));
        assert!(last_page(&page(None, 3), None));
    }
}
