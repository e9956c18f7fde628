//! A transport that answers every request with a body loaded beforehand, moved (not
//! copied) into the answer: it lets the decode benches run a client's own answer reading
//! on a large body without the network, and without a copy of the body in the measure.

use std::sync::Mutex;

use kassa_core::{Request, Response, Transport, TransportError, async_trait};

/// Answers `200 application/json` with the loaded body; once taken, the next request gets
/// a `500` until another body is loaded.
#[derive(Debug, Default)]
pub struct CannedTransport {
    body: Mutex<Vec<u8>>,
}

impl CannedTransport {
    /// Loads the body of the next answer.
    ///
    /// ```
    /// let t = kassa_bench::canned::CannedTransport::default();
    /// t.load(b"{}".to_vec());
    /// ```
    pub fn load(&self, body: Vec<u8>) {
        *self.body.lock().unwrap_or_else(|e| e.into_inner()) = body;
    }
}

#[async_trait]
impl Transport for CannedTransport {
    async fn send(&self, _base_url: &str, _req: &Request) -> Result<Response, TransportError> {
        let body = std::mem::take(&mut *self.body.lock().unwrap_or_else(|e| e.into_inner()));
        if body.is_empty() {
            return Ok(Response {
                status: 500,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: b"no body loaded".to_vec(),
            });
        }
        Ok(Response {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        })
    }
}
