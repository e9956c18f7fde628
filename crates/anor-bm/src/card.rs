//! Card binding by OTP (`/services/partnercardms/api/...`): send the OTP to the phone
//! registered to the card, verify it to get the card token, list the bound cards. These
//! calls answer `{"success": bool, "exception": ..., "data": ...}`.

use std::fmt;

use kassa_core::secret::{CardNumber, ExposeSecret, SecretString};
use kassa_core::{Effect, Error, Method, Operation};
use serde::{Deserialize, Serialize};

use crate::PROVIDER;
use crate::answer;
use crate::client::Client;
use crate::wire::{CardExpiry, MaskedPan, Otp};

pub(crate) const SEND_OTP_PATH: &str = "/services/partnercardms/api/send-otp";
pub(crate) const VERIFY_OTP_PATH: &str = "/services/partnercardms/api/verify-otp";
pub(crate) const USER_CARDS_PATH: &str = "/services/partnercardms/api/get-user-cards";

const SEND_OTP: Operation = Operation::new(PROVIDER, "send-otp", Effect::Once);
const VERIFY_OTP: Operation = Operation::new(PROVIDER, "verify-otp", Effect::Once);
const USER_CARDS: Operation = Operation::new(PROVIDER, "get-user-cards", Effect::Read);

/// The body of `send-otp`: the card to bind.
///
/// The table names the expiry `exp`, the example `expiry`: both are accepted on input and
/// `expiry` is sent, as the example does.
///
/// ```
/// use anor_bm::SendOtpRequest;
/// use kassa_core::secret::CardNumber;
/// let req = SendOtpRequest::new(CardNumber::new("8600492968156744")?, "0727".parse()?);
/// assert_eq!(
///     serde_json::to_string(&req).expect("json"),
///     r#"{"pan":"8600492968156744","expiry":"0727"}"#
/// );
/// assert!(!format!("{req:?}").contains("8600492968156744"));
/// let from_table: SendOtpRequest = serde_json::from_str(r#"{"pan":"8600492968156744","exp":"0727"}"#).expect("exp");
/// assert_eq!(from_table, req);
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendOtpRequest {
    /// The card number (sent in full, masked everywhere else).
    #[serde(serialize_with = "kassa_core::secret::expose_card")]
    pub pan: CardNumber,
    /// The card's expiry, `MMYY`.
    #[serde(alias = "exp")]
    pub expiry: CardExpiry,
}

impl SendOtpRequest {
    /// A request to bind the card.
    pub fn new(pan: CardNumber, expiry: CardExpiry) -> SendOtpRequest {
        SendOtpRequest { pan, expiry }
    }
}

/// What `send-otp` answers in `data`: the request id to verify and the masked phone.
///
/// ```
/// let s: anor_bm::OtpSent = serde_json::from_str(r#"{"id":1907947016,"phoneMask":"99897*****87"}"#)?;
/// assert_eq!(s.id, 1907947016);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpSent {
    /// The request id `verify-otp` takes.
    #[serde(deserialize_with = "kassa_core::lenient::int")]
    pub id: i64,
    /// The phone the SMS went to, masked by the bank.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub phone_mask: Option<String>,
}

/// The body of `verify-otp`: the `send-otp` request id and the SMS code.
///
/// The table types `id` as Long, the example sends a string: both are accepted on input and
/// a string is sent, as the example does.
///
/// ```
/// use anor_bm::{Otp, VerifyOtpRequest};
/// let req = VerifyOtpRequest::new(1907947016, Otp::new("123321")?);
/// assert_eq!(
///     serde_json::to_string(&req).expect("json"),
///     r#"{"id":"1907947016","otp":"123321"}"#
/// );
/// let from_table: VerifyOtpRequest = serde_json::from_str(r#"{"id":1907947016,"otp":"123321"}"#).expect("Long id");
/// assert_eq!(from_table.id, 1907947016);
/// assert!(serde_json::from_str::<VerifyOtpRequest>(r#"{"id":1,"otp":"12a"}"#).is_err());
/// # Ok::<(), kassa_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyOtpRequest {
    /// The `id` of the send-otp answer.
    #[serde(
        serialize_with = "crate::wire::int_as_string",
        deserialize_with = "kassa_core::lenient::int"
    )]
    pub id: i64,
    /// The SMS code, digits only.
    pub otp: Otp,
}

impl VerifyOtpRequest {
    /// Verifies `otp` for the send-otp request `id`.
    pub fn new(id: i64, otp: Otp) -> VerifyOtpRequest {
        VerifyOtpRequest { id, otp }
    }

    /// Checks the request before it is sent.
    ///
    /// ```
    /// let req = anor_bm::VerifyOtpRequest::new(0, anor_bm::Otp::new("1")?);
    /// assert_eq!(req.validate().unwrap_err().field(), Some("id"));
    /// # Ok::<(), kassa_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.id <= 0 {
            return Err(Error::invalid(
                "id",
                "must be the positive id of the send-otp answer",
            ));
        }
        Ok(())
    }
}

/// The card token `verify-otp` answers. It stands for the card: it prints and serializes
/// as `[REDACTED]`; read it with [`CardToken::expose`].
///
/// ```
/// let t: anor_bm::CardToken = serde_json::from_str(r#""5e82af24-480b-40cd-8c76-769a28bd7f3d""#)?;
/// assert_eq!(t.expose(), "5e82af24-480b-40cd-8c76-769a28bd7f3d");
/// assert_eq!(format!("{t:?}"), "CardToken([REDACTED])");
/// assert_eq!(serde_json::to_string(&t)?, r#""[REDACTED]""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct CardToken(SecretString);

impl CardToken {
    /// The token.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for CardToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardToken({})", kassa_core::secret::REDACTED)
    }
}

impl Serialize for CardToken {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        kassa_core::secret::redacted(&self.0, s)
    }
}

/// A bound card, as `get-user-cards` lists it.
///
/// ```
/// let c: anor_bm::UserCard = serde_json::from_str(r#"{"bankName":"AnorBank","cardType":"UZCARD",
///     "cardHolderName":"A M","pan":"860048*****2454","expiry":"0578"}"#)?;
/// assert_eq!(c.pan.as_str(), "860048*****2454");
/// assert_eq!(c.expiry.map(|e| e.month()), Some(5));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCard {
    /// The issuing bank (`AnorBank`).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub bank_name: Option<String>,
    /// The card scheme (`UZCARD`, `HUMO`).
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub card_type: Option<String>,
    /// The holder's full name.
    #[serde(default, deserialize_with = "kassa_core::lenient::text_opt")]
    pub card_holder_name: Option<String>,
    /// The card number, masked (a full number is masked when read).
    pub pan: MaskedPan,
    /// The expiry, `MMYY`.
    #[serde(default)]
    pub expiry: Option<CardExpiry>,
}

/// The card calls' envelope.
/// The request of `get-user-cards`: none.
///
/// ```
/// let req: anor_bm::GetUserCardsRequest = serde_json::from_str("{}")?;
/// assert_eq!(req, anor_bm::GetUserCardsRequest {});
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetUserCardsRequest {}

impl Client {
    /// `send-otp` (`POST /services/partnercardms/api/send-otp`): sends an OTP to the phone
    /// registered to the card. Not resent once it may have reached the bank (each send is a
    /// new SMS).
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// use kassa_core::secret::CardNumber;
    /// let sent = client
    ///     .send_otp(&anor_bm::SendOtpRequest::new(CardNumber::new("8600492968156744")?, "0727".parse()?))
    ///     .await?;
    /// println!("SMS to {:?}, verify with id {}", sent.phone_mask, sent.id);
    /// # Ok(()) }
    /// ```
    pub async fn send_otp(&self, req: &SendOtpRequest) -> Result<OtpSent, Error> {
        let op =
            SEND_OTP.advise("an SMS may have been sent: ask the card holder, or send-otp again");
        self.bearer_call(
            &op,
            Method::Post,
            SEND_OTP_PATH,
            Some(req),
            answer::read_cards,
        )
        .await
    }

    /// `verify-otp` (`POST /services/partnercardms/api/verify-otp`): confirms the OTP and
    /// returns the card token. Not resent once it may have reached the bank.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// let token = client
    ///     .verify_otp(&anor_bm::VerifyOtpRequest::new(1907947016, anor_bm::Otp::new("123321")?))
    ///     .await?;
    /// store(token.expose());
    /// # Ok(()) }
    /// # fn store(_: &str) {}
    /// ```
    pub async fn verify_otp(&self, req: &VerifyOtpRequest) -> Result<CardToken, Error> {
        req.validate()?;
        let op = VERIFY_OTP.advise("the card may be bound: look for it with get-user-cards");
        self.bearer_call(
            &op,
            Method::Post,
            VERIFY_OTP_PATH,
            Some(req),
            answer::read_cards,
        )
        .await
    }

    /// `get-user-cards` (`GET /services/partnercardms/api/get-user-cards`): the cards bound
    /// so far, numbers masked.
    ///
    /// ```no_run
    /// # async fn run(client: anor_bm::Client) -> Result<(), kassa_core::Error> {
    /// for card in client.get_user_cards(&anor_bm::GetUserCardsRequest {}).await? {
    ///     println!("{} {:?}", card.pan, card.card_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_user_cards(&self, _req: &GetUserCardsRequest) -> Result<Vec<UserCard>, Error> {
        self.bearer_call::<(), _>(
            &USER_CARDS,
            Method::Get,
            USER_CARDS_PATH,
            None,
            answer::read_cards,
        )
        .await
    }
}
