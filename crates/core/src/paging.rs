//! Reading a paged list as one stream: fetch page `n`, then `n + 1`, until a page says it
//! is the last or comes back empty.
//!
//! ```
//! use futures_util::StreamExt;
//! use kassa_core::paging::{pages, Page};
//! # tokio_test(async {
//! let items: Vec<u32> = pages(1, |n| async move {
//!     Ok(if n < 3 { Page::more(vec![n * 10, n * 10 + 1]) } else { Page::last(vec![30]) })
//! })
//! .map(|r| r.expect("page"))
//! .collect()
//! .await;
//! assert_eq!(items, [10, 11, 20, 21, 30]);
//! # });
//! # fn tokio_test(f: impl std::future::Future<Output = ()>) {
//! #     tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(f)
//! # }
//! ```

use std::collections::VecDeque;
use std::future::Future;

use futures_util::Stream;

use crate::error::Error;

/// One page of a list: its items, and whether the provider said it is the last.
///
/// ```
/// let p = kassa_core::paging::Page::last(vec![1, 2]);
/// assert!(p.last);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// True when no page follows (`page == pages`, `hasMore: false`, a short page).
    pub last: bool,
}

impl<T> Page<T> {
    /// A page that more pages may follow (an empty one still ends the list).
    ///
    /// ```
    /// assert!(!kassa_core::paging::Page::more(vec![1]).last);
    /// ```
    pub fn more(items: Vec<T>) -> Page<T> {
        Page { items, last: false }
    }

    /// The last page.
    ///
    /// ```
    /// assert!(kassa_core::paging::Page::<u8>::last(vec![]).last);
    /// ```
    pub fn last(items: Vec<T>) -> Page<T> {
        Page { items, last: true }
    }
}

struct State<F, T> {
    fetch: F,
    next: Option<u32>,
    buffered: VecDeque<T>,
}

/// The items of every page, in order, from page `first` on (0 or 1, as the provider
/// counts). A page's error is yielded once and ends the stream; so does a last or empty
/// page, or the page number running out. Pages are fetched only as the stream is read:
/// `.take(n)` bounds the work.
///
/// ```
/// use futures_util::StreamExt;
/// use kassa_core::{Error, paging::{pages, Page}};
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let got: Vec<Result<u32, Error>> = pages(0, |n| async move {
///     if n == 0 { Ok(Page::more(vec![1])) } else { Err(Error::invalid("page", "gone")) }
/// })
/// .collect()
/// .await;
/// assert_eq!(got.len(), 2);
/// assert!(got[1].is_err());
/// # });
/// ```
pub fn pages<T, F, Fut>(first: u32, fetch_page: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let state = State {
        fetch: fetch_page,
        next: Some(first),
        buffered: VecDeque::new(),
    };
    futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffered.pop_front() {
                return Some((Ok(item), st));
            }
            let n = st.next?;
            match (st.fetch)(n).await {
                Err(e) => {
                    st.next = None;
                    return Some((Err(e), st));
                }
                Ok(page) => {
                    if page.items.is_empty() {
                        return None;
                    }
                    st.next = if page.last { None } else { n.checked_add(1) };
                    st.buffered = page.items.into();
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<u32>>>;

    fn recorder() -> (Log, Log) {
        let log = Arc::new(Mutex::new(Vec::new()));
        (log.clone(), log)
    }

    #[tokio::test]
    async fn stops_at_the_last_page() {
        let (log, seen) = recorder();
        let items: Vec<u32> = pages(1, move |n| {
            log.lock().expect("lock").push(n);
            async move {
                Ok(Page {
                    items: vec![n; 2],
                    last: n == 3,
                })
            }
        })
        .map(|r| r.expect("ok"))
        .collect()
        .await;
        assert_eq!(items, [1, 1, 2, 2, 3, 3]);
        assert_eq!(*seen.lock().expect("lock"), [1, 2, 3]);
    }

    #[tokio::test]
    async fn stops_at_an_empty_page_and_fetches_only_what_is_read() {
        let (log, seen) = recorder();
        let items: Vec<u32> = pages(0, move |n| {
            log.lock().expect("lock").push(n);
            async move { Ok(Page::more(if n < 2 { vec![n] } else { vec![] })) }
        })
        .map(|r| r.expect("ok"))
        .collect()
        .await;
        assert_eq!(items, [0, 1]);
        assert_eq!(*seen.lock().expect("lock"), [0, 1, 2]);

        let (log, seen) = recorder();
        let first: Vec<u32> = pages(0, move |n| {
            log.lock().expect("lock").push(n);
            async move { Ok(Page::more(vec![n, n])) }
        })
        .take(3)
        .map(|r| r.expect("ok"))
        .collect()
        .await;
        assert_eq!(first, [0, 0, 1]);
        assert_eq!(*seen.lock().expect("lock"), [0, 1]);
    }

    #[tokio::test]
    async fn an_error_is_yielded_once_and_ends_the_stream() {
        let got: Vec<Result<u32, Error>> = pages(1, |n| async move {
            match n {
                1 => Ok(Page::more(vec![1])),
                _ => Err(Error::invalid("page", "refused")),
            }
        })
        .collect()
        .await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().ok(), Some(&1));
        assert_eq!(got[1].as_ref().err().and_then(Error::field), Some("page"));
    }
}
