//! A token cache shared by every call of a client: refreshed ahead of expiry, fetched by one
//! caller at a time however many wait, and invalidated on a 401 only when the failing token
//! is still the cached one.
//!
//! ```
//! use std::time::Duration;
//! use kassa_core::token::{Fetched, TokenCache};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), kassa_core::Error> {
//! let cache: TokenCache<String> = TokenCache::new(Duration::from_secs(30));
//! let token = cache
//!     .get(|_previous| async { Ok(Fetched::new("t1".to_string(), Some(Duration::from_secs(300)))) })
//!     .await?;
//! assert_eq!(token.value, "t1");
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::Error;

/// A token as cached, with the generation that tells a stale copy from the current one.
pub struct CachedToken<T> {
    /// The token (typically holds `SecretString`s).
    pub value: T,
    /// When it stops being valid, if the provider said.
    pub expires_at: Option<Instant>,
    /// Increases with every fetch.
    pub generation: u64,
}

impl<T> fmt::Debug for CachedToken<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("value", &crate::secret::REDACTED)
            .field("expires_at", &self.expires_at)
            .field("generation", &self.generation)
            .finish()
    }
}

/// What a fetch returns: the token and how long it lives.
#[derive(Debug)]
pub struct Fetched<T> {
    /// The token.
    pub value: T,
    /// Its lifetime from now, if known.
    pub expires_in: Option<Duration>,
}

impl<T> Fetched<T> {
    /// A fetched token.
    ///
    /// ```
    /// let f = kassa_core::token::Fetched::new(1, None);
    /// assert_eq!(f.value, 1);
    /// ```
    pub fn new(value: T, expires_in: Option<Duration>) -> Fetched<T> {
        Fetched { value, expires_in }
    }
}

struct Slot<T> {
    token: Option<Arc<CachedToken<T>>>,
    valid: bool,
}

/// The cache. One per client; share it behind the client's `Arc`.
pub struct TokenCache<T> {
    slot: Mutex<Slot<T>>,
    /// The valid token, readable without waiting on `slot`: calls read it under a short
    /// lock; only a fetch (or an invalidation) takes `slot`, so concurrent calls with a good
    /// token never queue behind one another.
    current: std::sync::RwLock<Option<Arc<CachedToken<T>>>>,
    refresh_ahead: Duration,
    generation: AtomicU64,
}

impl<T> fmt::Debug for TokenCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("refresh_ahead", &self.refresh_ahead)
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T: Send + Sync> TokenCache<T> {
    /// An empty cache that refreshes `refresh_ahead` before a token expires.
    ///
    /// ```
    /// let c: kassa_core::token::TokenCache<String> = kassa_core::token::TokenCache::new(std::time::Duration::from_secs(60));
    /// ```
    pub fn new(refresh_ahead: Duration) -> TokenCache<T> {
        TokenCache {
            current: std::sync::RwLock::new(None),
            slot: Mutex::new(Slot {
                token: None,
                valid: false,
            }),
            refresh_ahead,
            generation: AtomicU64::new(0),
        }
    }

    fn usable(&self, token: &CachedToken<T>) -> bool {
        token
            .expires_at
            .is_none_or(|at| Instant::now() + self.refresh_ahead < at)
    }

    /// The cached token, or a new one from `fetch` when there is none, it is about to
    /// expire, or it was invalidated. `fetch` gets the previous token (to refresh it) and
    /// runs for one caller at a time; the others wait and reuse its result.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Arc<CachedToken<T>>, Error>
    where
        F: FnOnce(Option<Arc<CachedToken<T>>>) -> Fut,
        Fut: Future<Output = Result<Fetched<T>, Error>>,
    {
        if let Some(token) = self.current()
            && self.usable(&token)
        {
            return Ok(token);
        }
        let mut slot = self.slot.lock().await;
        if let Some(token) = &slot.token
            && slot.valid
            && self.usable(token)
        {
            return Ok(token.clone());
        }
        let previous = slot.token.clone();
        let fetched = fetch(previous).await?;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = Arc::new(CachedToken {
            value: fetched.value,
            expires_at: fetched.expires_in.map(|d| Instant::now() + d),
            generation,
        });
        slot.token = Some(token.clone());
        slot.valid = true;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        tracing::debug!(generation, "token fetched");
        Ok(token)
    }

    /// Marks `stale` as refused by the provider. Does nothing when the cache already holds
    /// a newer token (another call refreshed it meanwhile). Returns whether it invalidated.
    pub async fn invalidate(&self, stale: &CachedToken<T>) -> bool {
        let mut slot = self.slot.lock().await;
        match &slot.token {
            Some(current) if current.generation == stale.generation && slot.valid => {
                slot.valid = false;
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
                true
            }
            _ => false,
        }
    }

    /// The valid token, if any (expired or not).
    fn current(&self) -> Option<Arc<CachedToken<T>>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many tokens were fetched so far.
    ///
    /// ```
    /// let c: kassa_core::token::TokenCache<()> = kassa_core::token::TokenCache::new(std::time::Duration::ZERO);
    /// assert_eq!(c.fetches(), 0);
    /// ```
    pub fn fetches(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// Runs `call` with a token; when it fails with [`Error::Auth`] (the provider refused
    /// the token, so nothing took effect), invalidates that token, fetches a new one and
    /// runs `call` once more.
    pub async fn with_token<R, F, Fut, C, CFut>(&self, fetch: F, call: C) -> Result<R, Error>
    where
        F: Fn(Option<Arc<CachedToken<T>>>) -> Fut,
        Fut: Future<Output = Result<Fetched<T>, Error>>,
        C: Fn(Arc<CachedToken<T>>) -> CFut,
        CFut: Future<Output = Result<R, Error>>,
    {
        let token = self.get(&fetch).await?;
        match call(token.clone()).await {
            Err(e) if e.is_auth() => {
                tracing::debug!("token refused, fetching a new one and retrying once");
                self.invalidate(&token).await;
                let fresh = self.get(&fetch).await?;
                call(fresh).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten thousand calls that find the cache empty share one fetch, with no sockets: the
    /// fetch waits on the paused clock until every other call queues behind it.
    #[tokio::test(start_paused = true)]
    async fn ten_thousand_cold_calls_share_one_fetch() {
        let cache = Arc::new(TokenCache::<u32>::new(Duration::from_secs(30)));
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..10_000 {
            let cache = cache.clone();
            calls.spawn(async move {
                cache
                    .get(|_| async {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(Fetched::new(7, Some(Duration::from_secs(3600))))
                    })
                    .await
                    .map(|t| (t.value, t.generation))
            });
        }
        while let Some(done) = calls.join_next().await {
            assert_eq!(done.expect("joins").expect("a token"), (7, 1));
        }
        assert_eq!(cache.fetches(), 1);
    }
}
