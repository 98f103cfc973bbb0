//! Polite HTTP for the sync engine.
//!
//! Invariant: every request is bounded — in time (connect and overall timeouts), in size (a
//! cap on the *decompressed* body, read as a stream, so a gzip bomb stops at the cap), and in
//! redirects — and says who it is (a User-Agent naming Broadsheet). No Referer is ever sent.
//!
//! Invariant: a request goes only to http(s) URLs on public addresses — checked on the URL
//! asked for, on every redirect hop, and on the addresses DNS returns (the resolver drops the
//! others, so what is checked is what is connected to) — unless the user added that very host
//! as a source ([`NetPolicy::allow_hosts`]). No proxy is used, since a proxy would resolve and
//! connect for us, out of reach of that check.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::StatusCode;

mod net;

pub use net::{check_url, forbidden_reason, is_forbidden_ip, NetPolicy};

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
    /// The network policy refused the URL, a redirect hop, or every address the host resolves
    /// to; `reason` says which and why ("10.0.0.5 is a private address").
    #[error("{url}: refused: {reason}")]
    Forbidden { url: String, reason: String },
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

/// An HTTP client with fixed limits and a network policy. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: Limits,
    policy: NetPolicy,
}

impl Fetcher {
    /// A fetcher with the safe policy: public addresses only.
    pub fn new(limits: Limits) -> Fetcher {
        Fetcher::with_policy(limits, NetPolicy::new())
    }

    /// A fetcher that follows `policy`, including hosts allowed on it (or its clones) later.
    pub fn with_policy(limits: Limits, policy: NetPolicy) -> Fetcher {
        Fetcher::build(limits, policy, net::system_lookup())
    }

    fn build(limits: Limits, policy: NetPolicy, lookup: net::Lookup) -> Fetcher {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .redirect(net::redirect_policy(policy.clone(), limits.max_redirects))
            .dns_resolver(Arc::new(net::GuardedResolver { policy: policy.clone(), lookup }))
            .no_proxy()
            // Hot-link protected image hosts refuse foreign referers; we send none.
            .referer(false)
            .gzip(true)
            .brotli(true)
            .build()
            .expect("a TLS backend is compiled in");
        Fetcher { client, limits, policy }
    }

    /// The policy this fetcher follows; hosts allowed on it apply to this fetcher at once.
    pub fn policy(&self) -> &NetPolicy {
        &self.policy
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
        // The resolver is not asked about IP literals, so they are checked here (and on each
        // redirect hop by the redirect policy).
        check_url(url, &self.policy)?;
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
    // A refusal surfaces as a connect error (from the resolver) or a redirect error (from the
    // redirect policy); it is neither, for the user.
    if let Some(reason) = net::find_refusal(e) {
        FetchError::Forbidden { url, reason }
    } else if e.is_timeout() {
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

    use std::net::{IpAddr, SocketAddr};

    /// A lookup that answers `ips` for every name, as a DNS server under an attacker's
    /// control (or a rebinding one) would.
    fn resolving_to(ips: &[&str]) -> net::Lookup {
        let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(ip.parse().unwrap(), 0)).collect();
        Arc::new(move |_host| {
            let addrs = addrs.clone();
            Box::pin(async move { Ok(addrs) })
        })
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_a_private_address_is_refused_as_forbidden() {
        for (ip, why) in [("10.0.0.5", "10.0.0.5 is a private address"), ("127.0.0.1", "loopback")] {
            let fetcher = Fetcher::build(Limits::DOCUMENT, NetPolicy::new(), resolving_to(&[ip]));
            let url = "http://news.example/feed.xml";
            match fetcher.get(url, &Validators::default()).await {
                Err(FetchError::Forbidden { url: u, reason }) => {
                    assert_eq!(u, url);
                    assert!(reason.contains("news.example") && reason.contains(why), "{reason}");
                }
                other => panic!("{ip}: expected a refusal, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn the_refusal_message_names_the_url_and_the_reason() {
        let fetcher = Fetcher::build(Limits::DOCUMENT, NetPolicy::new(), resolving_to(&["169.254.169.254"]));
        let err = fetcher.get("http://news.example/", &Validators::default()).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "http://news.example/: refused: news.example resolves only to non-public addresses: \
             169.254.169.254 is the cloud metadata address"
        );
    }

    #[tokio::test]
    async fn an_allowed_name_resolves_unfiltered() {
        // Nothing listens on the port: getting as far as connecting shows the address was used.
        let policy = NetPolicy::allowing(["News.Example."]);
        let fetcher = Fetcher::build(Limits::DOCUMENT, policy, resolving_to(&["127.0.0.1"]));
        let url = format!("http://news.example:{}/", free_port());
        match fetcher.get(&url, &Validators::default()).await {
            Err(FetchError::Connect { .. }) => {}
            other => panic!("expected a connection failure, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn local_names_are_refused_by_the_resolver_too() {
        use reqwest::dns::Resolve;
        let resolver = net::GuardedResolver { policy: NetPolicy::new(), lookup: resolving_to(&["93.184.215.14"]) };
        for name in ["localhost", "LOCALHOST.", "app.localhost", "metadata.google.internal"] {
            let err = match resolver.resolve(name.parse().unwrap()).await {
                Ok(_) => panic!("{name} resolved"),
                Err(e) => e,
            };
            assert!(net::find_refusal(&*err).is_some(), "{name}: {err}");
        }
        let allowed =
            net::GuardedResolver { policy: NetPolicy::allowing(["localhost"]), lookup: resolving_to(&["::1"]) };
        let addrs: Vec<SocketAddr> = allowed.resolve("localhost".parse().unwrap()).await.unwrap().collect();
        assert_eq!(addrs, vec![SocketAddr::new("::1".parse().unwrap(), 0)]);
    }

    #[test]
    fn only_the_public_addresses_of_a_name_are_kept() {
        let addr = |ip: &str| SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 0);
        let mixed = vec![addr("10.0.0.5"), addr("93.184.215.14"), addr("::1"), addr("2606:4700::1111")];
        assert_eq!(net::keep_public("h", mixed).unwrap(), vec![addr("93.184.215.14"), addr("2606:4700::1111")]);
        let err = net::keep_public("h", vec![addr("fd00::1"), addr("192.168.1.1")]).unwrap_err();
        assert_eq!(err.0, "h resolves only to non-public addresses: fd00::1 is a unique-local address");
        assert!(net::keep_public("h", vec![addr("1.1.1.1")]).is_ok());
    }
}
