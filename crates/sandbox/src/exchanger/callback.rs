//! The bid callback: on every status change of a bid created with a `callback_url`, the
//! exchanger POSTs the form fields `bid_id` and `status` to that URL.
//!
//! The API answer never waits for it: each change is queued (in the order the statuses
//! changed) and one task per sandbox delivers the queue in order, each POST bounded by
//! [`TIMEOUT`]. Every delivery (its URL, bid, status, and the HTTP status or the error) is
//! kept in a list of the last [`KEPT`], readable at `GET /_sandbox/exchanger/callbacks`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use tokio::sync::mpsc;

/// How long one delivery may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// How many deliveries the list keeps (the oldest go first).
pub const KEPT: usize = 100;

/// How many status changes may wait to be delivered; a change beyond that is recorded as
/// not delivered.
const QUEUE: usize = 256;

/// A status change to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Job {
    pub(crate) url: String,
    pub(crate) bid_id: u64,
    pub(crate) status: String,
}

/// One delivery, as `GET /_sandbox/exchanger/callbacks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Delivery {
    url: String,
    bid_id: String,
    status: String,
    /// The receiver's HTTP status, when it answered.
    http_status: Option<u16>,
    /// Why nothing was delivered (connection refused, timed out, queue full).
    error: Option<String>,
}

/// The delivered list of one sandbox. Cheap to clone; clones share the list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Log(Arc<Mutex<VecDeque<Delivery>>>);

impl Log {
    fn lock(&self) -> MutexGuard<'_, VecDeque<Delivery>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, job: &Job, http_status: Option<u16>, error: Option<String>) {
        let mut list = self.lock();
        if list.len() >= KEPT {
            list.pop_front();
        }
        list.push_back(Delivery {
            url: job.url.clone(),
            bid_id: job.bid_id.to_string(),
            status: job.status.clone(),
            http_status,
            error,
        });
    }

    fn list(&self) -> Vec<Delivery> {
        self.lock().iter().cloned().collect()
    }
}

/// The emulator's side of the callbacks: the list, and the queue to the delivering task
/// (started with the first change to deliver, on the sandbox's runtime). The task ends
/// when the emulator (the queue's only sender) goes.
#[derive(Debug, Default)]
pub(crate) struct Callbacks {
    log: Log,
    queue: Option<mpsc::Sender<Job>>,
}

impl Clone for Callbacks {
    /// A copy shares the list but starts its own queue.
    fn clone(&self) -> Callbacks {
        Callbacks {
            log: self.log.clone(),
            queue: None,
        }
    }
}

impl Callbacks {
    /// The list, for the control route.
    pub(crate) fn log(&self) -> Log {
        self.log.clone()
    }

    /// Queues `jobs` in order. Called from a request handler (inside the runtime), never
    /// waits.
    pub(crate) fn send(&mut self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        let log = self.log.clone();
        let queue = self.queue.get_or_insert_with(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(deliver(rx, log));
            tx
        });
        for job in jobs {
            let refused = match queue.try_send(job) {
                Ok(()) => continue,
                Err(mpsc::error::TrySendError::Full(job)) => {
                    (job, "not sent: the callback queue is full")
                }
                Err(mpsc::error::TrySendError::Closed(job)) => {
                    (job, "not sent: the delivering task stopped")
                }
            };
            self.log.push(&refused.0, None, Some(refused.1.into()));
        }
        if self.queue.as_ref().is_some_and(mpsc::Sender::is_closed) {
            // the next change starts a new task
            self.queue = None;
        }
    }
}

/// The delivering task: one POST at a time, in queue order.
async fn deliver(mut rx: mpsc::Receiver<Job>, log: Log) {
    let http = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .no_proxy()
        .build();
    let http = match http {
        Ok(h) => h,
        Err(e) => {
            while let Some(job) = rx.recv().await {
                log.push(&job, None, Some(format!("no HTTP client: {e}")));
            }
            return;
        }
    };
    while let Some(job) = rx.recv().await {
        let sent = http
            .post(&job.url)
            .form(&[
                ("bid_id", job.bid_id.to_string()),
                ("status", job.status.clone()),
            ])
            .send()
            .await;
        match sent {
            Ok(answer) => {
                let status = answer.status().as_u16();
                tracing::debug!(bid_id = job.bid_id, status = %job.status, http_status = status, "exchanger callback delivered");
                log.push(&job, Some(status), None);
            }
            Err(e) => {
                let why = if e.is_timeout() {
                    format!("timed out after {} ms", TIMEOUT.as_millis())
                } else {
                    chain(&e)
                };
                tracing::debug!(bid_id = job.bid_id, status = %job.status, error = %why, "exchanger callback not delivered");
                log.push(&job, None, Some(why));
            }
        }
    }
}

/// An error with its causes (reqwest's own text is only the first).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}

/// `/_sandbox/exchanger/callbacks`: every delivery, oldest first.
pub(crate) fn control_router(log: Log) -> Router {
    Router::new()
        .route("/exchanger/callbacks", get(list))
        .with_state(log)
}

async fn list(State(log): State<Log>) -> axum::Json<Vec<Delivery>> {
    axum::Json(log.list())
}
