//! Web addresses: the one place an address is read for its host or compared as "the same
//! site". Parsing is the `url` crate's (the WHATWG rules browsers use: case, IDNA, ports,
//! user info), so `http://a@b.example/` is on `b.example`, not on `a@b.example`.

pub use url::Url;

/// `s` as an absolute http(s) address with a host; `None` for anything else.
pub fn web_url(s: &str) -> Option<Url> {
    let u = Url::parse(s.trim()).ok()?;
    (matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())).then_some(u)
}

/// The host of an http(s) address, lower case (IDNA-encoded), without the user, with the
/// port when it is not the scheme's default: two servers on one machine are two hosts to be
/// polite to.
pub fn host_and_port(s: &str) -> Option<String> {
    let u = web_url(s)?;
    Some(with_port(u.host_str()?.to_string(), &u))
}

/// [`host_and_port`] as a reader writes it: an internationalised name in its own script
/// (`例子.测试`, not `xn--fsqu00a.xn--0zwm56d`), for names and labels shown in the window.
pub fn host_shown(s: &str) -> Option<String> {
    let u = web_url(s)?;
    let host = match u.host()? {
        url::Host::Domain(d) => idna::domain_to_unicode(d).0,
        other => other.to_string(),
    };
    Some(with_port(host, &u))
}

/// `host`, then `:port` when `u` names one that is not its scheme's default.
fn with_port(host: String, u: &Url) -> String {
    match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// A lower-cased host without a leading `www.`.
fn without_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// Whether two hosts are one as a reader sees them: case and a leading `www.` do not matter.
pub fn same_host(a: &str, b: &str) -> bool {
    without_www(&a.to_ascii_lowercase()) == without_www(&b.to_ascii_lowercase())
}

/// An address as "the same site" compares it: host as [`same_host`] reads it (and the port),
/// then the path without a trailing slash, in lower case; scheme, user, query and fragment
/// do not matter. An address without a scheme (`url: www.example.org`, which Jekyll allows)
/// is read as https; other text is compared as it is, lower-cased.
pub fn site_key(s: &str) -> String {
    let s = s.trim();
    let parsed = web_url(s).or_else(|| (!s.contains("://")).then(|| web_url(&format!("https://{s}"))).flatten());
    match parsed {
        Some(u) => {
            let host = with_port(without_www(u.host_str().unwrap_or("")).to_string(), &u);
            format!("{host}{}", u.path().trim_end_matches('/').to_lowercase())
        }
        None => s.trim_end_matches('/').to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_as_a_browser_reads_them() {
        assert_eq!(host_and_port("https://Finews.Withounder.com/a").as_deref(), Some("finews.withounder.com"));
        assert_eq!(host_and_port("http://user@b.example/x").as_deref(), Some("b.example"));
        assert_eq!(host_and_port("http://user@b.example:8080/x").as_deref(), Some("b.example:8080"));
        assert_eq!(host_and_port("https://b.example:443/").as_deref(), Some("b.example"));
        assert_eq!(host_and_port("https://例子.测试/").as_deref(), Some("xn--fsqu00a.xn--0zwm56d"));
        assert_eq!(host_shown("https://例子.测试:8080/").as_deref(), Some("例子.测试:8080"));
        assert_eq!(host_shown("https://Finance.EastMoney.com/a").as_deref(), Some("finance.eastmoney.com"));
        assert_eq!(host_shown("http://[::1]:8080/").as_deref(), Some("[::1]:8080"));
        for not in ["", "finews.withounder.com", "file:///etc/passwd", "javascript:alert(1)", "mailto:a@b", "http://"] {
            assert_eq!(host_and_port(not), None, "{not}");
            assert_eq!(host_shown(not), None, "{not}");
        }
    }

    #[test]
    fn the_same_site_ignores_case_www_scheme_and_a_trailing_slash() {
        assert!(same_host("WWW.Example.org", "example.org"));
        assert!(!same_host("example.org", "example.com"));
        assert_eq!(site_key("https://www.Example.org/blog/"), site_key("http://example.org/blog"));
        assert_ne!(site_key("https://example.org/blog"), site_key("https://example.org/other"));
        assert_ne!(site_key("https://example.org:8443/"), site_key("https://example.org/"));
        assert_eq!(site_key("https://example.org/?a#b"), "example.org");
        assert_eq!(site_key("www.example.org"), site_key("https://example.org/"), "Jekyll's url without a scheme");
        assert_eq!(site_key("https://example.org/Blog"), site_key("https://example.org/blog/"));
    }
}
