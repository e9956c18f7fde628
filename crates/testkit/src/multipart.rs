//! Multipart fixtures: a fixture's request may describe a `multipart/form-data` body as
//! `"multipart": {"<part name>": {"value": "...", "filename": "...", "content_type": "..."}}`
//! and its mock matches a request with exactly those parts.
//!
//! ```
//! let fixture: kassa_testkit::Fixture = serde_json::from_str(r#"{
//!   "request": {"method": "POST", "path": "/upload",
//!               "multipart": {"id": {"value": "7"},
//!                             "doc": {"value": "%PDF", "filename": "a.pdf", "content_type": "application/pdf"}}},
//!   "response": {"status": 200, "json": {"ok": true}}
//! }"#)?;
//! assert_eq!(fixture.request.multipart.as_ref().map(|m| m.len()), Some(2));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use wiremock::Match;

/// One part of a multipart fixture.
///
/// ```
/// let p: kassa_testkit::multipart::FixturePart = serde_json::from_str(r#"{"value": "7"}"#)?;
/// assert_eq!(p.value, "7");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FixturePart {
    /// The part's content, as text.
    #[serde(default)]
    pub value: String,
    /// The file name, for file parts (absent: the part must have none).
    #[serde(default)]
    pub filename: Option<String>,
    /// The content type (absent: any).
    #[serde(default)]
    pub content_type: Option<String>,
}

/// One part as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPart {
    /// The content.
    pub data: Vec<u8>,
    /// The file name, if any.
    pub filename: Option<String>,
    /// The content type, if any.
    pub content_type: Option<String>,
}

/// Splits a `multipart/form-data` body by the boundary of its content type; `None` when
/// it is not one. Parts are keyed by name.
///
/// ```
/// let body = b"--b\r\ncontent-disposition: form-data; name=\"id\"\r\n\r\n7\r\n--b--\r\n";
/// let parts = kassa_testkit::multipart::parse("multipart/form-data; boundary=b", body).expect("multipart");
/// assert_eq!(parts["id"].data, b"7");
/// ```
pub fn parse(content_type: &str, body: &[u8]) -> Option<BTreeMap<String, ReceivedPart>> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut out = BTreeMap::new();
    let mut sections = split(body, &delimiter).into_iter().skip(1);
    for section in sections.by_ref() {
        if section.starts_with(b"--") {
            return Some(out);
        }
        let section = section.strip_prefix(b"\r\n")?;
        let section = section.strip_suffix(b"\r\n")?;
        let head_end = find(section, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&section[..head_end]).ok()?;
        let data = section[head_end + 4..].to_vec();
        let mut name = None;
        let mut filename = None;
        let mut part_type = None;
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':')?;
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                for p in v.split(';').skip(1) {
                    if let Some((pk, pv)) = p.split_once('=') {
                        let pv = pv.trim().trim_matches('"').to_owned();
                        match pk.trim() {
                            "name" => name = Some(pv),
                            "filename" => filename = Some(pv),
                            _ => {}
                        }
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part_type = Some(v.trim().to_owned());
            }
        }
        out.insert(
            name?,
            ReceivedPart {
                data,
                filename,
                content_type: part_type,
            },
        );
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(i) = find(body, delimiter) {
        out.push(&body[..i]);
        body = &body[i + delimiter.len()..];
    }
    out.push(body);
    out
}

/// Matches a `multipart/form-data` request with exactly these parts (names, contents,
/// file names; content types where the fixture gives one).
///
/// ```
/// use kassa_testkit::multipart::{FixturePart, MultipartBody};
/// let m = MultipartBody([("id".to_owned(), FixturePart { value: "7".into(), filename: None, content_type: None })].into());
/// assert_eq!(m.0.len(), 1);
/// ```
#[derive(Debug)]
pub struct MultipartBody(pub BTreeMap<String, FixturePart>);

impl Match for MultipartBody {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let Some(got) = parse(content_type, &request.body) else {
            return false;
        };
        got.len() == self.0.len()
            && self.0.iter().all(|(name, want)| {
                got.get(name).is_some_and(|part| {
                    part.data == want.value.as_bytes()
                        && part.filename == want.filename
                        && want
                            .content_type
                            .as_ref()
                            .is_none_or(|t| part.content_type.as_deref() == Some(t.as_str()))
                })
            })
    }
}
