//! Cards: bind a card (the user confirms it on a payment page), read, list by state,
//! delete. Card numbers only ever arrive masked; [`MaskedCard`] masks any full number a
//! server might send, so none reaches `Debug`, logs or snapshots.

use std::fmt;

use kassa_core::{Effect, Error, Method, Operation, Reconcile};
use serde::{Deserialize, Deserializer, Serialize};

use crate::PROVIDER;
use crate::answer::{Answer, Done};
use crate::client::{Auth, Client};

/// Writes a string enum whose unknown values are kept (`Unknown(text)`).
macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $raw:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// A value this client does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$v => $raw,)*
                    $name::Unknown(s) => s,
                }
            }

            /// Reads the wire text; unknown values are kept.
            pub fn from_raw(raw: &str) -> $name {
                match raw {
                    $($raw => $name::$v,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let raw = String::deserialize(d)?;
                Ok($name::from_raw(&raw))
            }
        }
    };
}
pub(crate) use open_enum;

const CREATE_CARD: Operation = Operation::new(PROVIDER, "create-card", Effect::Once);
const GET_CARD: Operation = Operation::new(PROVIDER, "get-card", Effect::Read);
const LIST_CARDS: Operation = Operation::new(PROVIDER, "list-cards", Effect::Read);
const DELETE_CARD: Operation = Operation::new(PROVIDER, "delete-card", Effect::Once);

open_enum! {
    /// A card's `state`.
    ///
    /// ```
    /// use mserver::CardState;
    /// assert_eq!(CardState::from_raw("active"), CardState::Active);
    /// assert_eq!(CardState::from_raw("frozen"), CardState::Unknown("frozen".into()));
    /// assert_eq!(CardState::Pending.as_str(), "pending");
    /// ```
    CardState {
        /// `pending`: created, the user has not confirmed it on the payment page yet.
        Pending = "pending",
        /// `active`: usable for payments.
        Active = "active",
        /// `declined`: the binding failed.
        Declined = "declined",
    }
}

/// A card's number as the server shows it (`541715******2399`). Whatever arrives, only
/// the first six and last four digits are kept: a full number is masked on reading.
///
/// ```
/// let c: mserver::MaskedCard = serde_json::from_str(r#""5417150000002399""#)?;
/// assert_eq!(c.as_str(), "541715******2399");
/// assert!(!format!("{c:?}").contains("5417150000002399"));
/// let shown: mserver::MaskedCard = serde_json::from_str(r#""541715******2399""#)?;
/// assert_eq!(shown.as_str(), "541715******2399");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct MaskedCard(String);

impl MaskedCard {
    /// Masks `text`: a run of more than 10 digits keeps its first 6 and last 4.
    ///
    /// ```
    /// assert_eq!(mserver::MaskedCard::new("4111 1111 1111 1111").as_str(), "411111******1111");
    /// assert_eq!(mserver::MaskedCard::new("Visa").as_str(), "Visa");
    /// ```
    pub fn new(text: &str) -> MaskedCard {
        let compact: String = text.chars().filter(|c| *c != ' ').collect();
        let digits = compact.chars().filter(char::is_ascii_digit).count();
        if digits > 10 && compact.chars().all(|c| c.is_ascii_digit() || c == '*') {
            let chars: Vec<char> = compact.chars().collect();
            let n = chars.len();
            let masked: String = chars
                .iter()
                .enumerate()
                .map(|(i, c)| if i < 6 || i + 4 >= n { *c } else { '*' })
                .collect();
            return MaskedCard(masked);
        }
        if digits > 10 {
            // Digits mixed with other text: keep nothing that could be a number.
            return MaskedCard(
                text.chars()
                    .map(|c| if c.is_ascii_digit() { '*' } else { c })
                    .collect(),
            );
        }
        MaskedCard(text.to_owned())
    }

    /// The masked text.
    ///
    /// ```
    /// assert_eq!(mserver::MaskedCard::new("541715******2399").as_str(), "541715******2399");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MaskedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MaskedCard").field(&self.0).finish()
    }
}

impl<'de> Deserialize<'de> for MaskedCard {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MaskedCard, D::Error> {
        Ok(MaskedCard::new(&String::deserialize(d)?))
    }
}

/// A card bound to the wallet.
///
/// ```
/// let c: mserver::Card = serde_json::from_str(
///     r#"{"id": 62, "state": "active", "title": "541715******2399", "type": "MasterCard"}"#)?;
/// assert_eq!(c.state, mserver::CardState::Active);
/// assert_eq!(c.title.as_ref().map(mserver::MaskedCard::as_str), Some("541715******2399"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// `id`.
    pub id: u64,
    /// `state`.
    pub state: CardState,
    /// `title`: the masked number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<MaskedCard>,
    /// `type`: the card scheme (`MasterCard`, `Visa`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `payment_page_url`: where the user confirms a new card (after `create-card`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_page_url: Option<String>,
}

/// The parameters of `create-card`: where the payment page sends the user back.
///
/// ```
/// let r: mserver::CreateCardRequest = serde_json::from_str(
///     r#"{"card_success_url": "https://shop.example/ok", "card_failure_url": "https://shop.example/fail"}"#)?;
/// assert_eq!(r.card_success_url, "https://shop.example/ok");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCardRequest {
    /// `card_success_url`.
    pub card_success_url: String,
    /// `card_failure_url`.
    pub card_failure_url: String,
}

/// The parameters of `get-card` and `delete-card`.
///
/// ```
/// let r: mserver::CardRequest = serde_json::from_str(r#"{"id": 62}"#)?;
/// assert_eq!(r.id, 62);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRequest {
    /// The card's id.
    pub id: u64,
}

/// The parameters of `list-cards`: the states to keep (none: every card). The wire takes a
/// comma list (`active,pending`); a comma list is accepted here too.
///
/// ```
/// let r: mserver::ListCardsRequest = serde_json::from_str(r#"{"state": "active,pending"}"#)?;
/// assert_eq!(r.state, [mserver::CardState::Active, mserver::CardState::Pending]);
/// let none: mserver::ListCardsRequest = serde_json::from_str("{}")?;
/// assert!(none.state.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListCardsRequest {
    /// `state`.
    #[serde(default, deserialize_with = "comma_states")]
    pub state: Vec<CardState>,
}

fn comma_states<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CardState>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Shape {
        Text(String),
        List(Vec<String>),
    }
    let parts = match Shape::deserialize(d)? {
        Shape::Text(t) => t.split(',').map(|s| s.trim().to_owned()).collect(),
        Shape::List(l) => l,
    };
    Ok(parts
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| CardState::from_raw(s))
        .collect())
}

/// An absolute http(s) URL, checked before sending.
pub(crate) fn check_url(field: &str, url: &str) -> Result<(), Error> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, "must be an absolute http(s) URL"))
    }
}

impl Client {
    /// **create-card** (`POST /cards`): starts binding a card; the answer's
    /// `payment_page_url` is where the user enters it. `Once`: binding a card may charge a
    /// check amount, so a lost answer is never resent; it is outcome-unknown naming
    /// `list-cards` with `state=pending` (the new card shows there).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let card = client.create_card(&mserver::CreateCardRequest {
    ///     card_success_url: "https://shop.example/ok".into(),
    ///     card_failure_url: "https://shop.example/fail".into(),
    /// }).await?;
    /// println!("send the user to {:?}", card.data.payment_page_url);
    /// # Ok(()) }
    /// ```
    pub async fn create_card(&self, req: &CreateCardRequest) -> Result<Answer<Card>, Error> {
        check_url("card_success_url", &req.card_success_url)?;
        check_url("card_failure_url", &req.card_failure_url)?;
        let op = CREATE_CARD.reconcile_with(Reconcile::new("list-cards").param("state", "pending"));
        self.call_json(op, Method::Post, "/cards".into(), Auth::Client, req)
            .await
    }

    /// **get-card** (`GET /cards/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let card = client.get_card(&mserver::CardRequest { id: 62 }).await?;
    /// println!("{:?}", card.data.state);
    /// # Ok(()) }
    /// ```
    pub async fn get_card(&self, req: &CardRequest) -> Result<Answer<Card>, Error> {
        self.call_plain(
            GET_CARD,
            Method::Get,
            format!("/cards/{}", req.id),
            Auth::Client,
            &[],
        )
        .await
    }

    /// **list-cards** (`GET /cards?state=active,pending`).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// let cards = client.list_cards(&mserver::ListCardsRequest { state: vec![mserver::CardState::Active] }).await?;
    /// println!("{} active cards", cards.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_cards(&self, req: &ListCardsRequest) -> Result<Answer<Vec<Card>>, Error> {
        let mut query = Vec::new();
        if !req.state.is_empty() {
            for s in &req.state {
                kassa_core::text::path_id("state", s.as_str())?;
                if s.as_str().contains(',') {
                    return Err(Error::invalid("state", "a state must not hold a comma"));
                }
            }
            let list: Vec<&str> = req.state.iter().map(CardState::as_str).collect();
            query.push(("state", list.join(",")));
        }
        self.call_plain(
            LIST_CARDS,
            Method::Get,
            "/cards".into(),
            Auth::Client,
            &query,
        )
        .await
    }

    /// **delete-card** (`DELETE /cards/{id}`). `Once`: a lost answer is outcome-unknown
    /// naming `get-card` with the id (a 404 there means it is gone).
    ///
    /// ```no_run
    /// # async fn run(client: mserver::Client) -> Result<(), kassa_core::Error> {
    /// client.delete_card(&mserver::CardRequest { id: 62 }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_card(&self, req: &CardRequest) -> Result<Answer<Done>, Error> {
        let op =
            DELETE_CARD.reconcile_with(Reconcile::new("get-card").param("id", req.id.to_string()));
        self.call_plain(
            op,
            Method::Delete,
            format!("/cards/{}", req.id),
            Auth::Client,
            &[],
        )
        .await
    }
}
