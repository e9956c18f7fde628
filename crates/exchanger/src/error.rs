//! The exchanger's errors as one table.
//!
//! The engine numbers its errors loosely: `1` is "Api disabled", "no bid exists" and
//! "direction not found" alike, sent as a number or a string. So the catalogue is keyed on
//! the error's text (compared without regard to case); an error whose text the table does
//! not list is kept as [`Code::Unknown`] holding its number, with its text as the refusal's
//! message. A success answer with no data where an object was expected is [`Code::Empty`]
//! (the document's «Пустой ответ»).
//!
//! ```
//! use exchanger::Code;
//! assert_eq!(Code::read("1", "no bid exists"), Code::NoBidExists);
//! assert_eq!(Code::read("1", "Api Disabled"), Code::ApiDisabled);
//! assert_eq!(Code::read("7", "something new"), Code::Unknown("7".into()));
//! ```

use kassa_core::{Error, ProviderCode};

/// What the table says of an error.
///
/// ```
/// let facts = exchanger::Code::ApiDisabled.facts().expect("listed");
/// assert!(facts.credentials);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// What the error means, in English.
    pub meaning: &'static str,
    /// What to do about it.
    pub action: &'static str,
    /// The call was refused and certainly did nothing.
    pub definite_refusal: bool,
    /// The API login or key was refused ([`Error::Auth`]).
    pub credentials: bool,
}

const fn refused(meaning: &'static str, action: &'static str) -> Facts {
    Facts {
        meaning,
        action,
        definite_refusal: true,
        credentials: false,
    }
}

kassa_core::code_catalogue! {
    /// An error of the exchanger, named by its `error_text` (see the [module documentation](self)).
    ///
    /// ```
    /// let e = exchanger::Code::read("1", "direction not found");
    /// assert_eq!(e, exchanger::Code::DirectionNotFound);
    /// assert_eq!(e.raw(), "direction not found");
    /// ```
    pub enum Code: Facts {
        /// «Api disabled»: wrong API login or key, or the API is not allowed for the user.
        ApiDisabled = "Api disabled" => Facts {
            credentials: true,
            ..refused("the API is disabled for these credentials", "check the API login and key, the allowed IP addresses and the user's \"work with REST API\" option")
        },
        /// «Method not supported»: the method is not enabled for this API key.
        MethodNotSupported = "Method not supported" => refused("the method is not enabled for this key", "enable the method for the key in the exchanger's API section"),
        /// «no bid exists»: the bid does not exist.
        NoBidExists = "no bid exists" => refused("no such bid", "check the bid's id or hash"),
        /// «direction not found»: the direction does not exist or is not open to the API.
        DirectionNotFound = "direction not found" => refused("the direction is not found or not open to the API", "check direction_id and the direction's API access"),
        /// «Пустой ответ»: a success with no data where an object was expected. Not a
        /// definite refusal: on a call that changes state its outcome is unknown.
        Empty = "empty" => Facts {
            definite_refusal: false,
            ..refused("an empty answer", "check the parameters; after a bid operation ask the bid's state first")
        },
    }
}

impl Code {
    /// Reads an error from its number (`error`) and its text (`error_text`).
    ///
    /// ```
    /// assert_eq!(exchanger::Code::read("3", "Method not supported"), exchanger::Code::MethodNotSupported);
    /// ```
    pub fn read(number: &str, text: &str) -> Code {
        let text = text.trim();
        Code::ALL
            .iter()
            .find(|c| c.raw().eq_ignore_ascii_case(text))
            .cloned()
            .unwrap_or_else(|| Code::Unknown(number.trim().to_owned()))
    }

    /// What the error means, in English.
    ///
    /// ```
    /// assert_eq!(exchanger::Code::NoBidExists.meaning(), "no such bid");
    /// ```
    pub fn meaning(&self) -> &'static str {
        self.facts()
            .map_or("an error the document does not list", |f| f.meaning)
    }
}

impl ProviderCode for Code {
    fn raw(&self) -> String {
        Code::raw(self).to_owned()
    }

    fn is_definite_refusal(&self) -> bool {
        self.facts().is_some_and(|f| f.definite_refusal)
    }

    fn is_credentials(&self) -> bool {
        self.facts().is_some_and(|f| f.credentials)
    }
}

/// The exchanger's error behind `err`, in a refusal or as the cause of an outcome-unknown.
///
/// ```
/// use exchanger::{code_of, Code};
/// let e = kassa_core::Error::rejected("exchanger", "bid-info", Some(200), Code::NoBidExists, "no bid exists");
/// assert_eq!(code_of(&e), Some(&Code::NoBidExists));
/// ```
pub fn code_of(err: &Error) -> Option<&Code> {
    err.code_anywhere::<Code>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_text() {
        for code in Code::ALL {
            assert_eq!(&Code::read("1", code.raw()), code);
            assert!(!code.meaning().is_empty());
        }
        assert!(Code::ApiDisabled.is_credentials());
        assert!(!Code::Empty.is_definite_refusal());
        assert!(!Code::Unknown("9".into()).is_definite_refusal());
    }
}
