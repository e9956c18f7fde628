//! Token fetches for concurrent cold calls: a fresh server and a fresh client, `calls`
//! calls started at once, the token requests counted at the server.

use std::sync::Arc;

use crate::calls;
use crate::server::Server;

/// What one cold burst saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    /// Calls started at once.
    pub calls: usize,
    /// Calls that succeeded.
    pub succeeded: usize,
    /// Token requests the server received.
    pub token_requests: u64,
    /// Requests to the operation the server received.
    pub call_requests: u64,
}

/// The anor-bm login path.
pub const ANOR_LOGIN: &str = "/api/ext/user/login";
/// The mserver application token path.
pub const MSERVER_TOKEN: &str = "/oauth/token";

/// `calls` concurrent cold anor-bm `status` calls (one new client): the logins counted.
///
/// ```no_run
/// # async fn run() {
/// let b = kassa_bench::tokens::anor_bm(1000).await;
/// println!("{} logins for {} calls", b.token_requests, b.calls);
/// # }
/// ```
pub async fn anor_bm(calls: usize) -> Burst {
    let server = Server::start().await;
    let client = Arc::new(calls::anor_client(&server.uri()));
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.status(&anor_bm::StatusRequest::bill(777)).await })
        })
        .collect();
    let mut succeeded = 0;
    for t in tasks {
        if matches!(t.await, Ok(Ok(_))) {
            succeeded += 1;
        }
    }
    Burst {
        calls,
        succeeded,
        token_requests: server.hits(ANOR_LOGIN),
        call_requests: server.hits("/services/bmms/api/agent/status"),
    }
}

/// `calls` concurrent cold mserver `get-payment` calls with application credentials (one
/// new client): the application token requests counted.
///
/// ```no_run
/// # async fn run() {
/// let b = kassa_bench::tokens::mserver(1000).await;
/// println!("{} token requests for {} calls", b.token_requests, b.calls);
/// # }
/// ```
pub async fn mserver(calls: usize) -> Burst {
    let server = Server::start().await;
    let client = Arc::new(calls::mserver_app_client(&server.uri()));
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                c.get_payment(&mserver::GetPaymentRequest { id: 1401089237231 })
                    .await
            })
        })
        .collect();
    let mut succeeded = 0;
    for t in tasks {
        if matches!(t.await, Ok(Ok(_))) {
            succeeded += 1;
        }
    }
    Burst {
        calls,
        succeeded,
        token_requests: server.hits(MSERVER_TOKEN),
        call_requests: server.hits("/payments/1401089237231"),
    }
}
