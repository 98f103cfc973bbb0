//! Polite HTTP for the sync engine.
//!
//! Invariant: every request is bounded — in time (connect and overall timeouts), in size (a
//! cap on the *decompressed* body, read as a stream, so a gzip bomb stops at the cap), and in
//! redirects — and says who it is (a User-Agent naming Broadsheet). No Referer is ever sent.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::StatusCode;

pub const USER_AGENT: &str = concat!("Broadsheet/", env!("CARGO_PKG_VERSION"), " (offline news archive reader)");

/// Limits for one kind of request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect_timeout: Duration,
    /// The whole request, body included.
    pub timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
}

impl Limits {
    /// Feeds and pages.
    pub const DOCUMENT: Limits = Limits {
        connect_timeout: Duration::from_secs(10),
        timeout: Duration::from_secs(60),
        max_bytes: 32 * 1024 * 1024,
        max_redirects: 5,
    };
    /// One image.
    pub const IMAGE: Limits = Limits {
        connect_timeout: Duration::from_secs(10),
        timeout: Duration::from_secs(60),
        max_bytes: 10 * 1024 * 1024,
        max_redirects: 5,
    };
}

/// Validators from an earlier response, sent back exactly as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    NotModified,
    Body(Response),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// The URL after redirects.
    pub url: String,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FetchError {
    #[error("{url}: timed out")]
    Timeout { url: String },
    #[error("{url}: cannot connect: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url}: too many redirects")]
    Redirects { url: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16, retry_after: Option<Duration> },
    #[error("{url}: body larger than {max} bytes")]
    TooLarge { url: String, max: u64 },
    #[error("{url}: {reason}")]
    Other { url: String, reason: String },
}

impl FetchError {
    /// How long the server asked us to wait (429/503 with Retry-After).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// An HTTP client with fixed limits. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: Limits,
}

impl Fetcher {
    pub fn new(limits: Limits) -> Fetcher {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .redirect(reqwest::redirect::Policy::limited(limits.max_redirects))
            // Hot-link protected image hosts refuse foreign referers; we send none.
            .referer(false)
            .gzip(true)
            .brotli(true)
            .build()
            .expect("a TLS backend is compiled in");
        Fetcher { client, limits }
    }

    /// GET `url`, conditionally when `validators` are given.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        if let Some(v) = validators.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(IF_NONE_MATCH, v);
        }
        if let Some(v) = validators.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(IF_MODIFIED_SINCE, v);
        }
        let resp = self.client.get(url).headers(headers).send().await.map_err(|e| classify(url, &e))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let retry_after = resp.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
            return Err(FetchError::Status { url: url.to_string(), status: status.as_u16(), retry_after });
        }
        if resp.content_length().is_some_and(|n| n > self.limits.max_bytes) {
            return Err(FetchError::TooLarge { url: url.to_string(), max: self.limits.max_bytes });
        }
        let header = |name| resp.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        let content_type = header(CONTENT_TYPE);
        let final_url = resp.url().to_string();
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| classify(url, &e))?;
            if body.len() as u64 + chunk.len() as u64 > self.limits.max_bytes {
                return Err(FetchError::TooLarge { url: url.to_string(), max: self.limits.max_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body(Response { status: status.as_u16(), url: final_url, content_type, validators, body }))
    }
}

fn classify(url: &str, e: &reqwest::Error) -> FetchError {
    let url = url.to_string();
    if e.is_timeout() {
        FetchError::Timeout { url }
    } else if e.is_redirect() {
        FetchError::Redirects { url }
    } else if e.is_connect() {
        FetchError::Connect { url, reason: root_cause(e) }
    } else {
        FetchError::Other { url, reason: root_cause(e) }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `Retry-After: 120` or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    if let Ok(secs) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v.trim()).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
