//! What each exchanger operation takes (see the parent module).

#[allow(unused_imports)]
use super::{Field, Params, f};
use crate::catalogue::Entry;

const NONE: &[Field] = &[];

/// The parameters of a exchanger operation, or `None` when it is not described.
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
        "test" => p(NONE, "{}", &[], ""),
        _ => None,
    }
}
