//! A provider's code catalogue as one table: [`code_catalogue!`](crate::code_catalogue)
//! writes the enum, its `Unknown(String)` case for codes the table does not list, the
//! lookups both ways, the list of every code, and each code's facts (a value of a type the
//! provider chooses: HTTP status, titles, meaning, whether it is a definite refusal...).
//!
//! Codes are read as text: a numeric code (`1004`, `27`) is written as its digits, and the
//! text the provider sent is trimmed before the lookup (read it with
//! [`lenient::code_text`](crate::lenient::code_text) when it comes as a number or a string).
//!
//! ```
//! use kassa_core::ProviderCode;
//!
//! /// What the catalogue says of a code.
//! #[derive(Debug, Clone, Copy, PartialEq, Eq)]
//! pub struct Facts {
//!     /// The title in the provider's document.
//!     pub title: &'static str,
//!     /// The request was refused and certainly had no effect.
//!     pub definite_refusal: bool,
//! }
//!
//! kassa_core::code_catalogue! {
//!     /// A code of the provider's catalogue.
//!     pub enum Code: Facts {
//!         /// The bill does not exist.
//!         BillNotFound = "bill_not_found" => Facts { title: "Bill not found", definite_refusal: true },
//!         /// The bank did not answer in time; the payment may have gone through.
//!         Timeout = "timeout" => Facts { title: "Timeout", definite_refusal: false },
//!     }
//! }
//!
//! impl ProviderCode for Code {
//!     fn raw(&self) -> String {
//!         Code::raw(self).to_owned()
//!     }
//!     fn is_definite_refusal(&self) -> bool {
//!         self.facts().is_some_and(|f| f.definite_refusal)
//!     }
//! }
//!
//! assert_eq!(Code::from_raw(" bill_not_found "), Code::BillNotFound);
//! assert_eq!(Code::Timeout.raw(), "timeout");
//! assert_eq!(Code::BillNotFound.facts().map(|f| f.title), Some("Bill not found"));
//! assert_eq!(Code::ALL.len(), 2);
//! let new = Code::from_raw("brand_new");
//! assert_eq!(new, Code::Unknown("brand_new".into()));
//! assert_eq!(new.facts(), None);
//! assert!(!new.is_definite_refusal());
//! assert_eq!(new.to_string(), "brand_new");
//! ```

/// Writes a provider's code enum from one table; see the [`catalogue`](crate::catalogue)
/// module for a whole example.
///
/// Each row is `Variant = "raw code" => facts,` where `facts` is an expression of the type
/// named after the enum's name. The generated enum is `#[non_exhaustive]`, derives `Debug`,
/// `Clone`, `PartialEq`, `Eq` and `Hash`, has an `Unknown(String)` case, and gets:
/// `ALL` (every listed code, in table order), `from_raw(&str)` (trimmed; unlisted codes
/// become `Unknown`), `raw(&self) -> &str`, `facts(&self) -> Option<Facts>` (`None` for
/// `Unknown`) and `Display` (the raw code). Two rows with the same raw code do not compile
/// under `-D warnings` (the second match arm is unreachable).
#[macro_export]
macro_rules! code_catalogue {
    (
        $(#[$enum_attr:meta])*
        $vis:vis enum $name:ident : $facts:ty {
            $(
                $(#[$variant_attr:meta])*
                $variant:ident = $raw:literal => $info:expr,
            )+
        }
    ) => {
        $(#[$enum_attr])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$variant_attr])*
                $variant,
            )+
            /// A code the catalogue does not list, kept exactly as it came (trimmed).
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every code of the catalogue, in the table's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Reads a code (surrounding spaces ignored); a code the catalogue does not list
            /// becomes `Unknown`.
            pub fn from_raw(raw: &str) -> $name {
                match raw.trim() {
                    $($raw => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// The code as the provider writes it.
            pub fn raw(&self) -> &str {
                match self {
                    $($name::$variant => $raw,)+
                    $name::Unknown(raw) => raw,
                }
            }

            /// What the catalogue says of the code; `None` for a code it does not list.
            pub fn facts(&self) -> ::core::option::Option<$facts> {
                match self {
                    $($name::$variant => ::core::option::Option::Some($info),)+
                    $name::Unknown(_) => ::core::option::Option::None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.raw())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Facts {
        http: u16,
    }

    crate::code_catalogue! {
        /// Test codes, numeric as a provider may send them.
        enum Code: Facts {
            /// Wrong credentials.
            BadCredentials = "1004" => Facts { http: 401 },
            /// Not found.
            NotFound = "1008" => Facts { http: 404 },
            /// Busy.
            Busy = "1111" => Facts { http: 500 },
        }
    }

    #[test]
    fn every_listed_code_round_trips_and_others_are_kept() {
        assert_eq!(Code::ALL.len(), 3);
        for code in Code::ALL {
            assert_eq!(&Code::from_raw(code.raw()), code);
            assert!(code.facts().is_some());
        }
        assert_eq!(Code::from_raw("1008").facts(), Some(Facts { http: 404 }));
        assert_eq!(Code::from_raw(" 1111\n"), Code::Busy);
        let unknown = Code::from_raw("0.0");
        assert_eq!(unknown, Code::Unknown("0.0".into()));
        assert_eq!(unknown.raw(), "0.0");
        assert_eq!(unknown.facts(), None);
        assert_eq!(Code::BadCredentials.to_string(), "1004");
    }
}
