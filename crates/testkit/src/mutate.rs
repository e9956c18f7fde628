//! Mutations of answer bodies for the property tests: byte flips, truncations, splices from
//! another body, deletions, and JSON-aware swaps (a number quoted, a string unquoted or
//! made a number, a number replaced by an extreme one). Positions are taken modulo the
//! body's length (or its count of tokens), so any generated value applies.
//!
//! ```
//! use kassa_testkit::mutate::{Mutation, apply};
//! let body = br#"{"amount": 500, "id": "7"}"#;
//! assert_eq!(apply(body, &[Mutation::QuoteNumber { nth: 0 }], &[]), br#"{"amount": "500", "id": "7"}"#);
//! // Strings count keys too: "amount", "id", "7".
//! assert_eq!(apply(body, &[Mutation::UnquoteString { nth: 2 }], &[]), br#"{"amount": 500, "id": 7}"#);
//! assert_eq!(apply(body, &[Mutation::Truncate { at: 3 }], &[]), br#"{"a"#);
//! ```

/// Numbers a [`Mutation::ReplaceNumber`] puts in: too large, too precise, exponent form,
/// negative, fractional, not a number at all.
pub const EXTREME_NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-0",
    "1.5",
    "0.001",
    "1e400",
    "1E-5",
    "18446744073709551616",
    "-9223372036854775809",
    "9223372036854775807",
    "0.00000000000000000000000000001",
    "123456789012345678901234567890.5",
    "NaN",
    "null",
    "true",
    "\"\"",
    "{}",
    "[]",
];

/// One change to a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Flips bit `bit % 8` of byte `at`.
    Flip {
        /// The byte.
        at: usize,
        /// The bit.
        bit: u8,
    },
    /// Keeps the first `at` bytes.
    Truncate {
        /// Where to cut.
        at: usize,
    },
    /// Removes `len` bytes at `at`.
    Delete {
        /// Where.
        at: usize,
        /// How many (at most 16).
        len: usize,
    },
    /// Inserts at `at` a slice of another body (`donor`, from `from`, `len` bytes).
    Splice {
        /// Where to insert.
        at: usize,
        /// Which donor body.
        donor: usize,
        /// Where in the donor.
        from: usize,
        /// How many bytes (at most 64).
        len: usize,
    },
    /// Puts quotes around the `nth` number.
    QuoteNumber {
        /// Which number.
        nth: usize,
    },
    /// Takes the quotes off the `nth` string.
    UnquoteString {
        /// Which string.
        nth: usize,
    },
    /// Replaces the `nth` string with the number `value`.
    StringToNumber {
        /// Which string.
        nth: usize,
        /// The number.
        value: i64,
    },
    /// Replaces the `nth` number with [`EXTREME_NUMBERS`]`[pick]`.
    ReplaceNumber {
        /// Which number.
        nth: usize,
        /// Which replacement.
        pick: usize,
    },
}

/// `body` with `mutations` applied in order; `donors` are the bodies splices take from.
///
/// ```
/// use kassa_testkit::mutate::{Mutation, apply};
/// let out = apply(b"[1]", &[Mutation::ReplaceNumber { nth: 0, pick: 5 }], &[]);
/// assert_eq!(out, b"[1e400]");
/// ```
pub fn apply(body: &[u8], mutations: &[Mutation], donors: &[Vec<u8>]) -> Vec<u8> {
    let mut out = body.to_vec();
    for m in mutations {
        out = apply_one(out, m, donors);
    }
    out
}

fn apply_one(mut b: Vec<u8>, m: &Mutation, donors: &[Vec<u8>]) -> Vec<u8> {
    match *m {
        Mutation::Flip { at, bit } => {
            if !b.is_empty() {
                let i = at % b.len();
                b[i] ^= 1 << (bit % 8);
            }
            b
        }
        Mutation::Truncate { at } => {
            b.truncate(at % (b.len() + 1));
            b
        }
        Mutation::Delete { at, len } => {
            if !b.is_empty() {
                let i = at % b.len();
                let end = (i + len % 17).min(b.len());
                b.drain(i..end);
            }
            b
        }
        Mutation::Splice {
            at,
            donor,
            from,
            len,
        } => {
            let Some(d) = (!donors.is_empty()).then(|| &donors[donor % donors.len()]) else {
                return b;
            };
            if d.is_empty() {
                return b;
            }
            let start = from % d.len();
            let end = (start + len % 65).min(d.len());
            let i = at % (b.len() + 1);
            b.splice(i..i, d[start..end].iter().copied());
            b
        }
        Mutation::QuoteNumber { nth } => replace_token(b, Kind::Number, nth, |t| {
            let mut q = Vec::with_capacity(t.len() + 2);
            q.push(b'"');
            q.extend_from_slice(t);
            q.push(b'"');
            q
        }),
        Mutation::UnquoteString { nth } => {
            replace_token(b, Kind::String, nth, |t| t[1..t.len() - 1].to_vec())
        }
        Mutation::StringToNumber { nth, value } => {
            replace_token(b, Kind::String, nth, |_| value.to_string().into_bytes())
        }
        Mutation::ReplaceNumber { nth, pick } => replace_token(b, Kind::Number, nth, |_| {
            EXTREME_NUMBERS[pick % EXTREME_NUMBERS.len()]
                .as_bytes()
                .to_vec()
        }),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Number,
    String,
}

/// The byte ranges of the JSON strings (quotes included) and numbers of `b`, found by a
/// plain scan (it need not be valid JSON).
fn tokens(b: &[u8], kind: Kind) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i < b.len() {
                    if kind == Kind::String {
                        out.push((start, i + 1));
                    }
                    i += 1;
                }
            }
            c if c == b'-' || c.is_ascii_digit() => {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                if kind == Kind::Number {
                    out.push((start, i));
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn replace_token(b: Vec<u8>, kind: Kind, nth: usize, with: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let found = tokens(&b, kind);
    if found.is_empty() {
        return b;
    }
    let (start, end) = found[nth % found.len()];
    let mut out = Vec::with_capacity(b.len() + 8);
    out.extend_from_slice(&b[..start]);
    out.extend(with(&b[start..end]));
    out.extend_from_slice(&b[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutation_changes_what_it_says() {
        let body = br#"{"a": "x\"y", "n": -1.5e3, "m": [2]}"#;
        assert_eq!(tokens(body, Kind::Number).len(), 2);
        assert_eq!(tokens(body, Kind::String).len(), 4);
        assert_eq!(
            apply(body, &[Mutation::StringToNumber { nth: 1, value: 9 }], &[]),
            br#"{"a": 9, "n": -1.5e3, "m": [2]}"#
        );
        assert_eq!(
            apply(body, &[Mutation::Flip { at: 0, bit: 0 }], &[])[0],
            b'{' ^ 1
        );
        assert_eq!(
            apply(b"abc", &[Mutation::Delete { at: 1, len: 1 }], &[]),
            b"ac"
        );
        let donors = vec![b"XYZ".to_vec()];
        assert_eq!(
            apply(
                b"ab",
                &[Mutation::Splice {
                    at: 1,
                    donor: 0,
                    from: 1,
                    len: 5
                }],
                &donors
            ),
            b"aYZb"
        );
        // Positions wrap; an empty body stays empty.
        assert_eq!(apply(b"", &[Mutation::Flip { at: 7, bit: 3 }], &[]), b"");
        assert_eq!(apply(b"ab", &[Mutation::Truncate { at: 4 }], &[]), b"a");
    }
}
