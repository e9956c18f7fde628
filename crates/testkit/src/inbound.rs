//! Fixtures as inbound requests: a provider's webhook or callback, described in a
//! fixture's `request`, handed to a parser as (headers, body bytes).
//!
//! For signed notifications write the body as `text` in the fixture, so its bytes are
//! exactly those the signature covers.
//!
//! ```
//! let fixture: kassa_testkit::Fixture = serde_json::from_str(r#"{
//!   "request": {"method": "POST", "path": "/hook", "headers": {"x-signature": "abc"},
//!               "text": "{\"billId\":7}"},
//!   "response": {"status": 200}
//! }"#)?;
//! let (headers, body) = fixture.inbound();
//! assert_eq!(headers, [("x-signature".to_owned(), "abc".to_owned())]);
//! assert_eq!(body, br#"{"billId":7}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use crate::Fixture;

impl Fixture {
    /// The fixture's request as a provider would send it to us: its headers (lower-case
    /// names; a `content-type` added for a JSON or form body that names none) and its
    /// body bytes (`text` as is, `json` serialized, `form` URL-encoded; else empty).
    pub fn inbound(&self) -> (Vec<(String, String)>, Vec<u8>) {
        let req = &self.request;
        let mut headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        let (body, content_type) = match (&req.text, &req.json, &req.form) {
            (Some(text), _, _) => (text.clone().into_bytes(), None),
            (None, Some(json), _) => (
                serde_json::to_vec(json).unwrap_or_default(),
                Some("application/json"),
            ),
            (None, None, Some(form)) => {
                let mut url = wiremock::http::Url::parse("http://x/").expect("a constant URL");
                url.query_pairs_mut().extend_pairs(form.iter());
                (
                    url.query().unwrap_or_default().as_bytes().to_vec(),
                    Some("application/x-www-form-urlencoded"),
                )
            }
            (None, None, None) => (Vec::new(), None),
        };
        if let Some(ct) = content_type
            && !headers.iter().any(|(k, _)| k == "content-type")
        {
            headers.push(("content-type".to_owned(), ct.to_owned()));
        }
        (headers, body)
    }
}
