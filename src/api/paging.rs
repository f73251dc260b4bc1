//! Paging of list calls: page sizes and the tokens this service issues.
//! A token is the key of the last item of the page before (a sequence, an
//! id or a code), opaque to callers.

use crate::domain::Violation;
use crate::proto::convert::WireReader;

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 500;

/// Reads a page token this service issued: `None` when it is not one,
/// `Some(None)` when there is none (the first page).
pub fn page_token<T: std::str::FromStr>(reader: &mut WireReader, token: &str) -> Option<Option<T>> {
    if token.is_empty() {
        return Some(None);
    }
    let parsed = token.parse::<T>().ok();
    if parsed.is_none() {
        reader.violations.push(Violation::new("page_token", "is not a token this service issued"));
    }
    parsed.map(Some)
}

/// Reads a page size: 0 is the default, more than the maximum is the maximum.
pub fn page_size(reader: &mut WireReader, requested: i32) -> Option<usize> {
    match requested {
        0 => Some(DEFAULT_PAGE_SIZE),
        n if n < 0 => {
            reader.violations.push(Violation::new("page_size", format!("must not be negative, got {n}")));
            None
        }
        n => Some((n as usize).min(MAX_PAGE_SIZE)),
    }
}

/// Rows read one past the page, cut to the page, and the token of the next
/// page (empty when there is none).
pub fn page_of<T>(mut rows: Vec<T>, size: usize, token: impl Fn(&T) -> String) -> (Vec<T>, String) {
    let more = rows.len() > size;
    rows.truncate(size);
    let next = match rows.last() {
        Some(last) if more => token(last),
        _ => String::new(),
    };
    (rows, next)
}
