//! The wallet: account calls (create, activate, codes, password, get, delete), person data,
//! picture, find, replenishment points, settings, and the wallet-status webhook call.

use kassa_core::secret::{ExposeSecret, SecretString};
use kassa_core::{Effect, Error, Method, Money, Operation, Part};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer::{Answer, Done};
use crate::auth::{AdminCredentials, Phone};
use crate::client::{Auth, Client};
use crate::wire::Exact;

const CREATE_WALLET: Operation = Operation::new(PROVIDER, "create-wallet", Effect::Once);
const ACTIVATE_WALLET: Operation = Operation::new(PROVIDER, "activate-wallet", Effect::Once);
const RESEND_CODE: Operation = Operation::new(PROVIDER, "resend-activation-code", Effect::Once);
const PASSWORD_CODE: Operation = Operation::new(PROVIDER, "request-password-code", Effect::Once);
const CHANGE_PASSWORD: Operation = Operation::new(PROVIDER, "change-password", Effect::Once);
const GET_WALLET: Operation = Operation::new(PROVIDER, "get-wallet", Effect::Read);
const DELETE_WALLET: Operation = Operation::new(PROVIDER, "delete-wallet", Effect::Once);
const PUT_PERSON: Operation = Operation::new(PROVIDER, "put-person", Effect::Once);
const GET_PERSON: Operation = Operation::new(PROVIDER, "get-person", Effect::Read);
const UPLOAD_PICTURE: Operation = Operation::new(PROVIDER, "upload-picture", Effect::Once);
const DELETE_PICTURE: Operation = Operation::new(PROVIDER, "delete-picture", Effect::Once);
const FIND_WALLETS: Operation = Operation::new(PROVIDER, "find-wallets", Effect::Read);
const REPLENISHMENT_POINTS: Operation =
    Operation::new(PROVIDER, "replenishment-points", Effect::Read);
const WALLET_SETTINGS: Operation = Operation::new(PROVIDER, "wallet-settings", Effect::Once);
const WALLET_STATUS: Operation = Operation::new(PROVIDER, "wallet-status-webhook", Effect::Once);

/// The largest picture the API takes: 10 MB.
///
/// ```
/// assert_eq!(mserver::MAX_PICTURE_BYTES, 10_485_760);
/// ```
pub const MAX_PICTURE_BYTES: usize = 10 * 1024 * 1024;

fn password_ok(field: &str, p: &SecretString) -> Result<(), Error> {
    if p.expose_secret().chars().count() < 6 {
        return Err(Error::invalid(field, "at least 6 characters"));
    }
    Ok(())
}

fn code_ok(code: &str) -> Result<(), Error> {
    if code.is_empty() || code.len() > 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            "code",
            "the code from the SMS: letters and digits",
        ));
    }
    Ok(())
}

/// The parameters of `create-wallet`.
///
/// ```
/// let r: mserver::CreateWalletRequest = serde_json::from_str(r#"{"phone": "+79261111111", "password": "secret1"}"#)?;
/// assert!(!format!("{r:?}").contains("secret1"));
/// assert!(serde_json::from_str::<mserver::CreateWalletRequest>(r#"{"phone": "8926", "password": "x"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWalletRequest {
    /// `phone`, international format.
    pub phone: Phone,
    /// `password`, 6 characters or more.
    #[serde(serialize_with = "kassa_core::secret::expose")]
    pub password: SecretString,
}

/// The parameters of `activate-wallet`.
///
/// ```
/// let r: mserver::ActivateWalletRequest = serde_json::from_str(r#"{"phone": "+79261111111", "code": "123456"}"#)?;
/// assert_eq!(r.code, "123456");
/// assert!(!format!("{r:?}").contains("123456"), "the SMS code never prints");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateWalletRequest {
    /// `phone`.
    pub phone: Phone,
    /// `code`: from the SMS.
    pub code: String,
}

impl std::fmt::Debug for ActivateWalletRequest {
    /// The SMS code is a credential: it never prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivateWalletRequest")
            .field("phone", &self.phone)
            .field("code", &kassa_core::secret::REDACTED)
            .finish()
    }
}

/// The parameters of `resend-activation-code` and `request-password-code`.
///
/// ```
/// let r: mserver::PhoneRequest = serde_json::from_str(r#"{"phone": "+79261111111"}"#)?;
/// assert_eq!(r.phone.as_str(), "+79261111111");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneRequest {
    /// `phone`.
    pub phone: Phone,
}

/// The parameters of `change-password`.
///
/// ```
/// let r: mserver::ChangePasswordRequest = serde_json::from_str(r#"{"phone": "+79261111111", "code": "123456", "password": "new-secret"}"#)?;
/// assert!(!format!("{r:?}").contains("new-secret"));
/// assert!(!format!("{r:?}").contains("123456"), "the SMS code never prints");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// `phone`.
    pub phone: Phone,
    /// `code`: from the SMS.
    pub code: String,
    /// `password`: the new one.
    #[serde(serialize_with = "kassa_core::secret::expose")]
    pub password: SecretString,
}

impl std::fmt::Debug for ChangePasswordRequest {
    /// The SMS code and the new password are credentials: they never print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest")
            .field("phone", &self.phone)
            .field("code", &kassa_core::secret::REDACTED)
            .field("password", &kassa_core::secret::REDACTED)
            .finish()
    }
}

/// The answer of the wallet-account calls: the phone and its check digit.
///
/// ```
/// let c: mserver::WalletCode = serde_json::from_str(r#"{"phone": "+79261111111", "check_digit": 4}"#)?;
/// assert_eq!(c.check_digit.as_deref(), Some("4"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletCode {
    /// `phone`.
    pub phone: String,
    /// `check_digit`.
    #[serde(default, deserialize_with = "kassa_core::lenient::code_text_opt")]
    pub check_digit: Option<String>,
}

/// The wallet (`get-wallet`).
///
/// ```
/// let w: mserver::Wallet = serde_json::from_str(r#"{"phone": "+79261111111", "amount": 9971.34, "level": "identified"}"#)?;
/// assert_eq!(w.amount.minor, 997134);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    /// `phone`.
    pub phone: String,
    /// `amount`: the balance in roubles, exact.
    #[serde(with = "kassa_core::money::serde::rub::major_number")]
    pub amount: Money,
    /// `level`: `anonymous`, `identified`, `personified`.
    #[serde(default)]
    pub level: Option<String>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `verified`.
    #[serde(default)]
    pub verified: Option<bool>,
    /// `person_status`: `no_data`, `data_entered`, `data_verified`.
    #[serde(default)]
    pub person_status: Option<String>,
    /// `picture_url`.
    #[serde(default)]
    pub picture_url: Option<String>,
    /// `email`.
    #[serde(default)]
    pub email: Option<String>,
    /// `can_use_autopayments`.
    #[serde(default)]
    pub can_use_autopayments: Option<bool>,
}

/// The parameters of `delete-wallet`: the phone and the admin credentials.
///
/// ```
/// let r: mserver::DeleteWalletRequest = serde_json::from_str(
///     r#"{"phone": "+79261111111", "admin": {"login": "test-admin", "password": "admin-secret"}}"#)?;
/// assert!(!format!("{r:?}").contains("admin-secret"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteWalletRequest {
    /// The wallet's phone.
    pub phone: Phone,
    /// Admin Basic credentials.
    pub admin: AdminCredentials,
}

/// A person's data (`put-person` sends it, `get-person` answers it with a status).
///
/// ```
/// let p = mserver::Person { family_name: Some("Иванов".into()), ..Default::default() };
/// let sent = serde_json::to_value(&p)?;
/// assert_eq!(sent["family_name"], "Иванов");
/// assert!(sent.get("status").is_none(), "answers only");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// `family_name`.
    #[serde(default)]
    pub family_name: Option<String>,
    /// `given_name`.
    #[serde(default)]
    pub given_name: Option<String>,
    /// `patronymic_name`.
    #[serde(default)]
    pub patronymic_name: Option<String>,
    /// `passport_series_number`.
    #[serde(default)]
    pub passport_series_number: Option<String>,
    /// `passport_issued_at` (`2012-02-27`).
    #[serde(default)]
    pub passport_issued_at: Option<String>,
    /// `itn`.
    #[serde(default)]
    pub itn: Option<String>,
    /// `ssn`.
    #[serde(default)]
    pub ssn: Option<String>,
    /// `status` (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `changed_at` (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
    /// `verified_at` (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
}

/// The parameters of `upload-picture`: the bytes of a JPEG or PNG of at most 10 MB.
///
/// ```
/// let r = mserver::UploadPictureRequest { file_name: None, bytes: vec![0xFF, 0xD8, 0xFF, 0xE0] };
/// assert_eq!(r.content_type()?, "image/jpeg");
/// let gif = mserver::UploadPictureRequest { file_name: None, bytes: b"GIF89a".to_vec() };
/// assert_eq!(gif.content_type().unwrap_err().field(), Some("file"));
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadPictureRequest {
    /// The file name sent (default `image.jpg` or `image.png`).
    #[serde(default)]
    pub file_name: Option<String>,
    /// The picture.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for UploadPictureRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadPictureRequest")
            .field("file_name", &self.file_name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl UploadPictureRequest {
    /// The content type by the magic bytes; an error naming `file` for anything but JPEG
    /// or PNG, or more than [`MAX_PICTURE_BYTES`].
    ///
    /// ```
    /// let png = mserver::UploadPictureRequest { file_name: None, bytes: b"\x89PNG\r\n\x1a\n".to_vec() };
    /// assert_eq!(png.content_type()?, "image/png");
    /// let big = mserver::UploadPictureRequest { file_name: None, bytes: vec![0xFF; mserver::MAX_PICTURE_BYTES + 1] };
    /// assert_eq!(big.content_type().unwrap_err().field(), Some("file"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn content_type(&self) -> Result<&'static str, Error> {
        if self.bytes.len() > MAX_PICTURE_BYTES {
            return Err(Error::invalid(
                "file",
                format!(
                    "{} bytes; at most 10 MB ({MAX_PICTURE_BYTES} bytes)",
                    self.bytes.len()
                ),
            ));
        }
        if self.bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok("image/jpeg")
        } else if self
            .bytes
            .starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A])
        {
            Ok("image/png")
        } else {
            Err(Error::invalid(
                "file",
                "only JPEG or PNG pictures (by their first bytes)",
            ))
        }
    }
}

/// How `find-wallets` sends the phones: the document's `contacts` or upstream's `phones`.
///
/// ```
/// assert_eq!(mserver::FindShape::default(), mserver::FindShape::Contacts);
/// assert_eq!(serde_json::to_string(&mserver::FindShape::Phones)?, r#""phones""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindShape {
    /// `{"contacts": [{"phone": ...}]}` (the document).
    #[default]
    Contacts,
    /// `{"phones": [...]}` (upstream).
    Phones,
}

/// The parameters of `find-wallets`.
///
/// ```
/// let r: mserver::FindWalletsRequest = serde_json::from_str(r#"{"phones": ["+79261111111"], "shape": "phones"}"#)?;
/// assert_eq!(r.shape, mserver::FindShape::Phones);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindWalletsRequest {
    /// The phones to look up.
    pub phones: Vec<Phone>,
    /// The body's shape.
    #[serde(default)]
    pub shape: FindShape,
}

/// A phone `find-wallets` found: a bare string or `{"phone": ...}`.
///
/// ```
/// let bare: mserver::FoundWallet = serde_json::from_str(r#""+79261111111""#)?;
/// let object: mserver::FoundWallet = serde_json::from_str(r#"{"phone": "+79261111111"}"#)?;
/// assert_eq!(bare, object);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FoundWallet {
    /// The phone of an activated wallet.
    pub phone: String,
}

impl<'de> Deserialize<'de> for FoundWallet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FoundWallet, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bare(String),
            Object { phone: String },
        }
        Ok(match Either::deserialize(d)? {
            Either::Bare(phone) | Either::Object { phone } => FoundWallet { phone },
        })
    }
}

/// A replenishment point; its coordinates are named, so they cannot be swapped.
///
/// ```
/// let p: mserver::ReplenishmentPoint = serde_json::from_str(r#"{"id": "1", "longitude": 37.4771, "latitude": 56.0118}"#)?;
/// assert_eq!((p.longitude.as_str(), p.latitude.as_str()), ("37.4771", "56.0118"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplenishmentPoint {
    /// `id`.
    pub id: String,
    /// `type`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `worktime`.
    #[serde(default)]
    pub worktime: Option<String>,
    /// `address`.
    #[serde(default)]
    pub address: Option<String>,
    /// `longitude`, exact.
    pub longitude: Exact,
    /// `latitude`, exact.
    pub latitude: Exact,
}

/// The parameters of `wallet-settings`.
///
/// ```
/// let r: mserver::WalletSettingsRequest = serde_json::from_str(r#"{"email": "user@example.com", "email_send_frequency": "daily"}"#)?;
/// assert_eq!(r.email_send_frequency, "daily");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletSettingsRequest {
    /// `email`.
    pub email: String,
    /// `email_send_frequency` (`daily`, ...).
    pub email_send_frequency: String,
}

/// The parameters of `wallet-status-webhook`: the webhook credentials (query) and the
/// wallet's new status.
///
/// ```
/// let r: mserver::WalletStatusRequest = serde_json::from_str(
///     r#"{"webhook_client_id": "id", "webhook_client_token": "hook-secret", "phone": "+79261111111", "verified": true}"#)?;
/// assert!(!format!("{r:?}").contains("hook-secret"));
/// assert!(!serde_json::to_string(&r)?.contains("hook-secret"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletStatusRequest {
    /// `webhook_client_id`.
    pub webhook_client_id: String,
    /// `webhook_client_token`: a secret.
    #[serde(serialize_with = "kassa_core::secret::redacted")]
    pub webhook_client_token: SecretString,
    /// `phone`.
    pub phone: Phone,
    /// `verified`.
    pub verified: bool,
}

#[derive(Serialize)]
struct Contact<'a> {
    phone: &'a Phone,
}

#[derive(Serialize)]
struct WalletStatusBody<'a> {
    phone: &'a Phone,
    verified: bool,
}

impl Client {
    /// **create-wallet** (`POST /wallet`, no credentials). Effect `once`.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let created = client.create_wallet(&mserver::CreateWalletRequest { phone: mserver::Phone::new("+79261111111")?, password: "from-your-vault".into() }).await?;
    /// println!("{}", created.data.phone);
    /// # Ok(()) }
    /// ```
    pub async fn create_wallet(
        &self,
        req: &CreateWalletRequest,
    ) -> Result<Answer<WalletCode>, Error> {
        password_ok("password", &req.password)?;
        self.inner
            .engine
            .remember_secret(req.password.expose_secret());
        self.call_json(
            CREATE_WALLET,
            Method::Post,
            "/wallet".into(),
            Auth::None,
            req,
        )
        .await
    }

    /// **activate-wallet** (`POST /wallet/activate`, no credentials).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let active = client.activate_wallet(&mserver::ActivateWalletRequest { phone: mserver::Phone::new("+79261111111")?, code: "123456".into() }).await?;
    /// println!("{}", active.data.phone);
    /// # Ok(()) }
    /// ```
    pub async fn activate_wallet(
        &self,
        req: &ActivateWalletRequest,
    ) -> Result<Answer<WalletCode>, Error> {
        code_ok(&req.code)?;
        self.call_json(
            ACTIVATE_WALLET,
            Method::Post,
            "/wallet/activate".into(),
            Auth::None,
            req,
        )
        .await
    }

    /// **resend-activation-code** (`POST /wallet/resend_code`, no credentials).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let sent = client.resend_activation_code(&mserver::PhoneRequest { phone: mserver::Phone::new("+79261111111")? }).await?;
    /// println!("{}", sent.data.phone);
    /// # Ok(()) }
    /// ```
    pub async fn resend_activation_code(
        &self,
        req: &PhoneRequest,
    ) -> Result<Answer<WalletCode>, Error> {
        self.call_json(
            RESEND_CODE,
            Method::Post,
            "/wallet/resend_code".into(),
            Auth::None,
            req,
        )
        .await
    }

    /// **request-password-code** (`POST /wallet/send_password_reset_code`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let sent = client.request_password_code(&mserver::PhoneRequest { phone: mserver::Phone::new("+79261111111")? }).await?;
    /// println!("{}", sent.data.phone);
    /// # Ok(()) }
    /// ```
    pub async fn request_password_code(
        &self,
        req: &PhoneRequest,
    ) -> Result<Answer<WalletCode>, Error> {
        self.call_json(
            PASSWORD_CODE,
            Method::Post,
            "/wallet/send_password_reset_code".into(),
            Auth::None,
            req,
        )
        .await
    }

    /// **change-password** (`POST /wallet/reset_password`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let changed = client.change_password(&mserver::ChangePasswordRequest { phone: mserver::Phone::new("+79261111111")?, code: "123456".into(), password: "from-your-vault".into() }).await?;
    /// println!("{}", changed.data.phone);
    /// # Ok(()) }
    /// ```
    pub async fn change_password(
        &self,
        req: &ChangePasswordRequest,
    ) -> Result<Answer<WalletCode>, Error> {
        code_ok(&req.code)?;
        password_ok("password", &req.password)?;
        self.inner
            .engine
            .remember_secret(req.password.expose_secret());
        self.call_json(
            CHANGE_PASSWORD,
            Method::Post,
            "/wallet/reset_password".into(),
            Auth::None,
            req,
        )
        .await
    }

    /// **get-wallet** (`GET /wallet`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let wallet = client.get_wallet(&mserver::NoInput {}).await?;
    /// println!("balance {}", wallet.data.amount);
    /// # Ok(()) }
    /// ```
    pub async fn get_wallet(&self, _req: &crate::NoInput) -> Result<Answer<Wallet>, Error> {
        self.call_plain(GET_WALLET, Method::Get, "/wallet".into(), Auth::Client, &[])
            .await
    }

    /// **delete-wallet** (`DELETE /wallet/{phone}`, admin credentials; not in production).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let admin = mserver::AdminCredentials::new("admin", "from-your-vault".into());
    /// client.delete_wallet(&mserver::DeleteWalletRequest { phone: mserver::Phone::new("+79261111111")?, admin }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_wallet(&self, req: &DeleteWalletRequest) -> Result<Answer<Done>, Error> {
        let path = format!("/wallet/%2B{}", &req.phone.as_str()[1..]);
        self.call_plain(
            DELETE_WALLET,
            Method::Delete,
            path,
            Auth::Admin(&req.admin),
            &[],
        )
        .await
    }

    /// **put-person** (`POST /wallet/person`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let person = client.put_person(&mserver::Person { family_name: Some("Иванов".into()), given_name: Some("Иван".into()), ..Default::default() }).await?;
    /// println!("{:?}", person.data.status);
    /// # Ok(()) }
    /// ```
    pub async fn put_person(&self, req: &Person) -> Result<Answer<Person>, Error> {
        self.call_json(
            PUT_PERSON,
            Method::Post,
            "/wallet/person".into(),
            Auth::Client,
            req,
        )
        .await
    }

    /// **get-person** (`GET /wallet/person`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let person = client.get_person(&mserver::NoInput {}).await?;
    /// println!("{:?}", person.data.status);
    /// # Ok(()) }
    /// ```
    pub async fn get_person(&self, _req: &crate::NoInput) -> Result<Answer<Person>, Error> {
        self.call_plain(
            GET_PERSON,
            Method::Get,
            "/wallet/person".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **upload-picture** (`POST /wallet/picture`, multipart field `file`): JPEG or PNG,
    /// at most 10 MB, both checked before sending.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// client.upload_picture(&mserver::UploadPictureRequest { file_name: None, bytes: std::fs::read("face.jpg")? }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_picture(&self, req: &UploadPictureRequest) -> Result<Answer<Done>, Error> {
        let content_type = req.content_type()?;
        let name = match &req.file_name {
            Some(n) => {
                kassa_core::text::free_text("file_name", n, 200)?;
                n.clone()
            }
            None if content_type == "image/png" => "image.png".into(),
            None => "image.jpg".into(),
        };
        let got = self
            .call(
                UPLOAD_PICTURE,
                Method::Post,
                "/wallet/picture".into(),
                Auth::Client,
                |r| {
                    Ok(r.multipart(vec![Part::file(
                        "file",
                        name.clone(),
                        content_type,
                        req.bytes.clone(),
                    )]))
                },
            )
            .await?;
        crate::answer::fresh(&UPLOAD_PICTURE, got)
    }

    /// **delete-picture** (`DELETE /wallet/picture`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.delete_picture(&mserver::NoInput {}).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_picture(&self, _req: &crate::NoInput) -> Result<Answer<Done>, Error> {
        self.call_plain(
            DELETE_PICTURE,
            Method::Delete,
            "/wallet/picture".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **find-wallets** (`POST /wallet/find`): which phones have activated wallets. A read.
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let found = client.find_wallets(&mserver::FindWalletsRequest { phones: vec![mserver::Phone::new("+79261111111")?], shape: mserver::FindShape::Contacts }).await?;
    /// println!("{} with a wallet", found.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn find_wallets(
        &self,
        req: &FindWalletsRequest,
    ) -> Result<Answer<Vec<FoundWallet>>, Error> {
        let path = "/wallet/find".to_owned();
        match req.shape {
            FindShape::Contacts => {
                let contacts: Vec<Contact<'_>> =
                    req.phones.iter().map(|phone| Contact { phone }).collect();
                let body = serde_json::json!({ "contacts": contacts });
                self.call_json(FIND_WALLETS, Method::Post, path, Auth::Client, &body)
                    .await
            }
            FindShape::Phones => {
                let body = serde_json::json!({ "phones": req.phones });
                self.call_json(FIND_WALLETS, Method::Post, path, Auth::Client, &body)
                    .await
            }
        }
    }

    /// **replenishment-points** (`GET /wallet/replenishment_points`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let points = client.replenishment_points(&mserver::NoInput {}).await?;
    /// println!("{} points", points.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn replenishment_points(
        &self,
        _req: &crate::NoInput,
    ) -> Result<Answer<Vec<ReplenishmentPoint>>, Error> {
        self.call_plain(
            REPLENISHMENT_POINTS,
            Method::Get,
            "/wallet/replenishment_points".into(),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **wallet-settings** (`POST /wallet/settings`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.wallet_settings(&mserver::WalletSettingsRequest { email: "user@example.com".into(), email_send_frequency: "daily".into() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wallet_settings(
        &self,
        req: &WalletSettingsRequest,
    ) -> Result<Answer<Done>, Error> {
        if !req.email.contains('@') {
            return Err(Error::invalid("email", "an e-mail address"));
        }
        kassa_core::text::free_text("email_send_frequency", &req.email_send_frequency, 32)?;
        self.call_json(
            WALLET_SETTINGS,
            Method::Post,
            "/wallet/settings".into(),
            Auth::Client,
            req,
        )
        .await
    }

    /// **wallet-status-webhook** (`POST /wallet/status`, the webhook credentials in the query).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// client.wallet_status_webhook(&mserver::WalletStatusRequest { webhook_client_id: "hook-id".into(), webhook_client_token: "from-your-vault".into(), phone: mserver::Phone::new("+79261111111")?, verified: true }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wallet_status_webhook(
        &self,
        req: &WalletStatusRequest,
    ) -> Result<Answer<Done>, Error> {
        self.inner
            .engine
            .remember_secret(req.webhook_client_token.expose_secret());
        let body = WalletStatusBody {
            phone: &req.phone,
            verified: req.verified,
        };
        let got = self
            .call(
                WALLET_STATUS,
                Method::Post,
                "/wallet/status".into(),
                Auth::None,
                |r| {
                    r.query("webhook_client_id", req.webhook_client_id.as_str())
                        .query("webhook_client_token", &req.webhook_client_token)
                        .json(&body)
                },
            )
            .await?;
        crate::answer::fresh(&WALLET_STATUS, got)
    }
}
