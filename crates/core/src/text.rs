//! Checks for text a caller sends to a provider: free text (payment purposes, names,
//! comments) and ids that end up in a URL path.
//!
//! Every check returns [`Error::InvalidInput`] naming the field, before anything is sent.
//!
//! ```
//! use kassa_core::text;
//!
//! assert!(text::free_text("purpose", "Оплата за ноябрь 2020", 500).is_ok());
//! let err = text::free_text("purpose", "pay\u{202E}evil", 500).unwrap_err();
//! assert_eq!(err.field(), Some("purpose"));
//! assert!(err.to_string().contains("U+202E"));
//!
//! assert!(text::path_id("orderId", "5153f545-52bf-46fd-af1a-c31b43fe043e").is_ok());
//! assert_eq!(text::path_id("orderId", "a/b").unwrap_err().field(), Some("orderId"));
//! ```

use crate::Error;

/// True for characters that change how text is shown without being seen: the
/// bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069), the
/// direction marks (U+200E, U+200F, U+061C), zero-width characters (U+200B..U+200D,
/// U+2060, U+FEFF) and the line and paragraph separators (U+2028, U+2029).
///
/// ```
/// assert!(kassa_core::text::is_invisible_format('\u{202E}'));
/// assert!(!kassa_core::text::is_invisible_format('я'));
/// ```
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The first character of `value` that free text may not hold (a control character, or
/// one [`is_invisible_format`] names), with its position in characters.
///
/// ```
/// assert_eq!(kassa_core::text::forbidden_char("ab\tc"), Some((2, '\t')));
/// assert_eq!(kassa_core::text::forbidden_char("abc"), None);
/// ```
pub fn forbidden_char(value: &str) -> Option<(usize, char)> {
    value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() || is_invisible_format(*c))
}

/// Checks a free-text field: not blank, at most `max_chars` characters, and no control or
/// invisible formatting characters (line breaks and tabs included: the providers' documents
/// call them unprintable).
///
/// ```
/// use kassa_core::text::free_text;
/// assert!(free_text("comment", "ok", 10).is_ok());
/// assert_eq!(free_text("comment", " ", 10).unwrap_err().field(), Some("comment"));
/// assert!(free_text("comment", "01234567890", 10).unwrap_err().to_string().contains("at most 10"));
/// assert!(free_text("comment", "a\nb", 10).is_err());
/// ```
pub fn free_text(field: &str, value: &str, max_chars: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "is required and must not be blank"));
    }
    optional_text(field, value, max_chars)
}

/// Like [`free_text`] for a field that may be empty (an empty comment).
///
/// ```
/// assert!(kassa_core::text::optional_text("comment", "", 10).is_ok());
/// assert!(kassa_core::text::optional_text("comment", "\u{2066}x", 10).is_err());
/// ```
pub fn optional_text(field: &str, value: &str, max_chars: usize) -> Result<(), Error> {
    let count = value.chars().count();
    if count > max_chars {
        return Err(Error::invalid(
            field,
            format!("must be at most {max_chars} characters; got {count}"),
        ));
    }
    if let Some((at, c)) = forbidden_char(value) {
        return Err(Error::invalid(
            field,
            format!(
                "holds an unprintable character U+{:04X} at position {at}; use plain text without control or bidirectional characters",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// Checks an id that is (or will later be) put into a URL path: not empty, and none of
/// `/`, `\`, `?`, `#`, `%`, whitespace, control or invisible formatting characters, and
/// not `.` or `..` (or any dots-only text), which a server would read as another path.
///
/// ```
/// use kassa_core::text::path_id;
/// assert!(path_id("orderId", "009445151277").is_ok());
/// for bad in ["", "a/b", "a\\b", "a?b", "a#b", "a%2Fb", ".", "..", "a b", "a\u{0}b"] {
///     assert_eq!(path_id("orderId", bad).unwrap_err().field(), Some("orderId"), "{bad:?}");
/// }
/// ```
pub fn path_id(field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().all(|c| c == '.') {
        return Err(Error::invalid(
            field,
            "must not be only dots: it goes into a URL path",
        ));
    }
    if let Some(c) = value.chars().find(|c| {
        matches!(c, '/' | '\\' | '?' | '#' | '%')
            || c.is_whitespace()
            || c.is_control()
            || is_invisible_format(*c)
    }) {
        let shown = if c.is_control() || c.is_whitespace() || is_invisible_format(c) {
            format!("U+{:04X}", u32::from(c))
        } else {
            format!("`{c}`")
        };
        return Err(Error::invalid(
            field,
            format!(
                "must not contain {shown}: it goes into a URL path (no `/`, `\\`, `?`, `#`, `%`, spaces or control characters)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bidi_control_is_refused() {
        for c in ('\u{202A}'..='\u{202E}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200E}', '\u{200F}', '\u{FEFF}', '\u{7F}', '\u{1B}'])
        {
            let text = format!("a{c}b");
            let err = free_text("purpose", &text, 100).expect_err("refused");
            assert_eq!(err.field(), Some("purpose"));
            assert!(path_id("orderId", &text).is_err());
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(free_text("name", &"я".repeat(10), 10).is_ok());
        assert!(free_text("name", &"я".repeat(11), 10).is_err());
    }
}
