//! The demo's own loopback receiver: the integrator's side of mserver's payment
//! notifications and the exchanger's bid callbacks. Every request is checked as an
//! integrator would check it (the notification's token verified, the callback parsed) and
//! handed to the tour through a channel; the tour waits for what it expects with a bounded
//! timeout.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use exchanger::BidCallback;
use kassa_core::inbound::Unverified;
use kassa_core::secret::SecretString;
use mserver::{PaymentEvent, Refusal};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

/// How long the tour waits for a notification or a callback it expects.
pub(super) const WAIT: Duration = Duration::from_secs(10);

/// The path mserver's notifications are POSTed to.
const NOTIFICATIONS: &str = "/mserver/notifications";
/// The path the exchanger's callbacks are POSTed to.
const CALLBACKS: &str = "/exchanger/callback";

/// What arrived at the notification URL: a verified event, or why it was refused.
pub(super) type Notification = Result<PaymentEvent, Refusal>;
/// What arrived at the callback URL: the claim (unsigned), or why it does not read.
pub(super) type Callback = Result<Unverified<BidCallback>, kassa_core::Error>;

#[derive(Clone)]
struct App {
    app_id: String,
    app_secret: SecretString,
    notifications: UnboundedSender<Notification>,
    callbacks: UnboundedSender<Callback>,
}

/// The receiver, serving until dropped.
pub(super) struct Inbound {
    addr: SocketAddr,
    /// Notifications as they arrive, verified or refused.
    pub(super) notifications: UnboundedReceiver<Notification>,
    /// Callbacks as they arrive.
    pub(super) callbacks: UnboundedReceiver<Callback>,
    task: JoinHandle<()>,
}

impl Drop for Inbound {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Inbound {
    /// Starts the receiver on a free loopback port; notifications are verified against
    /// `app_id` and `app_secret`.
    pub(super) async fn start(app_id: &str, app_secret: SecretString) -> std::io::Result<Inbound> {
        let (ntx, nrx) = unbounded_channel();
        let (ctx, crx) = unbounded_channel();
        let app = App {
            app_id: app_id.to_owned(),
            app_secret,
            notifications: ntx,
            callbacks: ctx,
        };
        let router = Router::new()
            .route(NOTIFICATIONS, post(notification))
            .route(CALLBACKS, post(callback))
            .with_state(app);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Inbound {
            addr,
            notifications: nrx,
            callbacks: crx,
            task,
        })
    }

    /// The URL to register for mserver's payment notifications.
    pub(super) fn notification_url(&self) -> String {
        format!("http://{}{NOTIFICATIONS}", self.addr)
    }

    /// The `callback_url` to give the exchanger's `create_bid`.
    pub(super) fn callback_url(&self) -> String {
        format!("http://{}{CALLBACKS}", self.addr)
    }
}

/// Waits, at most [`WAIT`] in all, for the first item of `rx` that `pick` takes
/// (`Some`); `seen` gets every item, taken or not, so the tour can say what came instead.
/// `Err` names what was awaited when the time ran out or the receiver stopped.
pub(super) async fn wait_for<T, U>(
    rx: &mut UnboundedReceiver<T>,
    what: &str,
    mut pick: impl FnMut(&T) -> Option<U>,
    mut seen: impl FnMut(&T),
) -> Result<U, String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(item)) => {
                seen(&item);
                if let Some(found) = pick(&item) {
                    return Ok(found);
                }
            }
            Ok(None) => return Err(format!("the receiver stopped before {what} arrived")),
            Err(_) => {
                return Err(format!("no {what} within {} s", WAIT.as_secs()));
            }
        }
    }
}

/// mserver's notification: the token checked with the app secret, then the event read.
async fn notification(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let headers = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let verified =
        mserver::verify_payment_notification(&body, &query, headers, &app.app_id, &app.app_secret)
            .map(kassa_core::inbound::Verified::into_inner);
    let status = match &verified {
        Ok(_) => StatusCode::OK,
        Err(refusal) => StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN),
    };
    let _ = app.notifications.send(verified);
    status
}

/// The exchanger's callback: `bid_id` and `status` as form fields, a claim to confirm.
async fn callback(State(app): State<App>, body: Bytes) -> StatusCode {
    let parsed = exchanger::parse_callback(&body);
    let status = if parsed.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let _ = app.callbacks.send(parsed);
    status
}
