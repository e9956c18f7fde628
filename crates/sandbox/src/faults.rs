//! Fault switches: per provider and route, an added latency, a forced status, or a dropped
//! connection, for a number of requests or until cleared.
//!
//! A forced status answers *instead of* the emulator (nothing changes on the provider's
//! side). A dropped connection lets the emulator do its work and then cuts the connection
//! before the answer: the payment happened (the [`crate::ledger`] shows it), the client
//! never hears of it, exactly the case a client must reconcile. A garbled answer is the same
//! with `200` and a body that is not the provider's answer.
//!
//! A route is the path below the provider prefix, `*` for every route, or a path whose
//! segments `*` or `{name}` match any one segment (`/v1/payments/{id}/pay`); `method`
//! narrows a switch to one HTTP method.
//!
//! Over HTTP: `POST /_sandbox/faults` with a [`Fault`] as JSON, `GET /_sandbox/faults` to
//! list them, `DELETE /_sandbox/faults` to clear them.
//!
//! ```
//! use kassa_sandbox::{Fault, Faults};
//! let faults = Faults::default();
//! faults.set(Fault::drop_connection("mobilnik", "/payment/").times(1));
//! assert_eq!(faults.list().len(), 1);
//! faults.clear();
//! assert!(faults.list().is_empty());
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

/// One fault switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Provider prefix (`anor-bm`, `requisite-uz`, `mobilnik`, `mserver`, `exchanger`).
    pub provider: String,
    /// Path below the provider prefix (`/payment/`), or `*` for every route.
    pub route: String,
    /// Milliseconds to wait before answering.
    #[serde(default)]
    pub latency_ms: u64,
    /// Answer with this status (empty body) instead of running the emulator.
    #[serde(default)]
    pub status: Option<u16>,
    /// Run the emulator, then cut the connection instead of answering.
    #[serde(default)]
    pub drop_connection: bool,
    /// Run the emulator, then answer `200` with a body that is not the provider's answer.
    #[serde(default)]
    pub garbage: bool,
    /// Only requests of this HTTP method (`POST`, ...); `None`: every method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// How many requests it applies to; `None` until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    fn new(provider: &str, route: &str) -> Fault {
        Fault {
            provider: provider.to_owned(),
            route: route.to_owned(),
            latency_ms: 0,
            status: None,
            drop_connection: false,
            garbage: false,
            method: None,
            times: None,
        }
    }

    /// Adds latency to a route.
    ///
    /// ```
    /// let f = kassa_sandbox::Fault::latency("anor-bm", "*", std::time::Duration::from_millis(1500));
    /// assert_eq!(f.latency_ms, 1500);
    /// ```
    pub fn latency(provider: &str, route: &str, latency: Duration) -> Fault {
        Fault {
            latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            ..Fault::new(provider, route)
        }
    }

    /// Forces a status on a route.
    ///
    /// ```
    /// let f = kassa_sandbox::Fault::status("requisite-uz", "/api/v2/services", 503);
    /// assert_eq!(f.status, Some(503));
    /// ```
    pub fn status(provider: &str, route: &str, status: u16) -> Fault {
        Fault {
            status: Some(status),
            ..Fault::new(provider, route)
        }
    }

    /// Runs the emulator, then drops the connection before the answer.
    ///
    /// ```
    /// assert!(kassa_sandbox::Fault::drop_connection("mobilnik", "/payment/").drop_connection);
    /// ```
    pub fn drop_connection(provider: &str, route: &str) -> Fault {
        Fault {
            drop_connection: true,
            ..Fault::new(provider, route)
        }
    }

    /// Runs the emulator, then answers `200` with a garbled body instead of its answer.
    ///
    /// ```
    /// assert!(kassa_sandbox::Fault::garbage("exchanger", "/api/userapi/v1/create_bid").garbage);
    /// ```
    pub fn garbage(provider: &str, route: &str) -> Fault {
        Fault {
            garbage: true,
            ..Fault::new(provider, route)
        }
    }

    /// Limits the fault to requests of one HTTP method.
    ///
    /// ```
    /// let f = kassa_sandbox::Fault::drop_connection("mserver", "/v1/payments").method("POST");
    /// assert_eq!(f.method.as_deref(), Some("POST"));
    /// ```
    pub fn method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_owned());
        self
    }

    /// Limits the fault to the next `n` matching requests.
    ///
    /// ```
    /// assert_eq!(kassa_sandbox::Fault::status("a", "*", 500).times(2).times, Some(2));
    /// ```
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    fn matches(&self, provider: &str, method: &str, path: &str) -> bool {
        self.provider == provider
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && (self.route == "*" || route_matches(&self.route, path))
    }
}

/// Whether `path` is `route`, trailing slashes aside, a `*` or `{name}` segment of `route`
/// matching any one segment.
fn route_matches(route: &str, path: &str) -> bool {
    let route = route.trim_end_matches('/').split('/');
    let path = path.trim_end_matches('/').split('/');
    route.clone().count() == path.clone().count()
        && route.zip(path).all(|(r, p)| {
            r == p || (!p.is_empty() && (r == "*" || (r.starts_with('{') && r.ends_with('}'))))
        })
}

/// The set of fault switches of one sandbox. Cheap to clone; clones share the switches.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    /// Adds a switch (the newest match wins).
    pub fn set(&self, fault: Fault) {
        self.lock().push(fault);
    }

    /// Removes every switch.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The switches in force.
    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The switch for a request, counting it down.
    fn take(&self, provider: &str, method: &str, path: &str) -> Option<Fault> {
        let mut all = self.lock();
        let index = all
            .iter()
            .rposition(|f| f.matches(provider, method, path))?;
        let fault = all[index].clone();
        if let Some(n) = all[index].times.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                all.remove(index);
            }
        }
        Some(fault)
    }
}

#[derive(Clone)]
struct Ctx {
    faults: Faults,
    provider: &'static str,
}

/// Wraps a provider's router with its fault switches.
pub(crate) fn layer(router: Router, faults: Faults, provider: &'static str) -> Router {
    router.layer(middleware::from_fn_with_state(
        Ctx { faults, provider },
        apply,
    ))
}

async fn apply(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let Some(fault) = ctx
        .faults
        .take(ctx.provider, req.method().as_str(), req.uri().path())
    else {
        return next.run(req).await;
    };
    tracing::debug!(provider = ctx.provider, route = %req.uri().path(), ?fault, "sandbox fault");
    if fault.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
    if let Some(status) = fault.status {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (code, format!("kassa-sandbox: forced status {status}")).into_response();
    }
    let answer = next.run(req).await;
    if fault.drop_connection {
        drop(answer);
        return cut();
    }
    if fault.garbage {
        drop(answer);
        return (StatusCode::OK, "<html>kassa-sandbox: garbled answer").into_response();
    }
    answer
}

/// A response whose body fails at once: the server closes the connection mid-answer.
fn cut() -> Response {
    let failing = futures_util::stream::iter([Err::<axum::body::Bytes, std::io::Error>(
        std::io::Error::other("kassa-sandbox: connection dropped by a fault switch"),
    )]);
    Response::new(Body::from_stream(failing))
}

/// `/_sandbox/faults`: list (GET), add (POST), clear (DELETE).
pub(crate) fn control_router(faults: Faults) -> Router {
    Router::new()
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .with_state(faults)
}

async fn list_faults(State(faults): State<Faults>) -> axum::Json<Vec<Fault>> {
    axum::Json(faults.list())
}

async fn add_fault(
    State(faults): State<Faults>,
    axum::Json(fault): axum::Json<Fault>,
) -> (StatusCode, axum::Json<Vec<Fault>>) {
    faults.set(fault);
    (StatusCode::CREATED, axum::Json(faults.list()))
}

async fn clear_faults(State(faults): State<Faults>) -> StatusCode {
    faults.clear();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_count_down_and_the_newest_match_wins() {
        let f = Faults::default();
        f.set(Fault::status("p", "*", 500));
        f.set(Fault::status("p", "/a", 503).times(1));
        assert_eq!(f.take("p", "GET", "/a").and_then(|x| x.status), Some(503));
        assert_eq!(f.take("p", "GET", "/a").and_then(|x| x.status), Some(500));
        assert_eq!(f.take("q", "GET", "/a"), None);
        assert_eq!(f.list().len(), 1);
    }

    #[test]
    fn a_route_may_name_any_one_segment_and_a_method() {
        let f = Fault::drop_connection("m", "/v1/payments/{id}/pay").method("post");
        assert!(f.matches("m", "POST", "/v1/payments/17/pay"));
        assert!(f.matches("m", "POST", "/v1/payments/17/pay/"));
        assert!(!f.matches("m", "GET", "/v1/payments/17/pay"));
        assert!(!f.matches("m", "POST", "/v1/payments/17"));
        assert!(!f.matches("m", "POST", "/v1/payments//pay"));
        let star = Fault::status("m", "/v1/*/x", 500);
        assert!(star.matches("m", "GET", "/v1/a/x"));
        assert!(!star.matches("m", "GET", "/v1/a/y"));
        assert!(Fault::status("m", "/payment/", 500).matches("m", "GET", "/payment"));
    }
}
