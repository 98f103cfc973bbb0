//! Where a request may go: the network policy that keeps content-derived URLs (image URLs in
//! posts, discovered or redirected feed URLs, OPML and backup entries) away from the user's own
//! machine and network.
//!
//! A URL is refused when its scheme is not http(s), when its host is a local or cloud-metadata
//! name (`localhost`, `*.localhost`, `metadata.google.internal`), or when its host is — or, for
//! a name, *resolves only to* — an address that is not public (see [`is_forbidden_ip`]). The
//! one exception is a host the user added as a source themselves: [`NetPolicy::allow_hosts`].
//!
//! [`check_url`] is the static half (scheme, IP literal, host name) for code that stores URLs
//! without fetching them. A [`crate::Fetcher`] applies it to the URL asked for and to every
//! redirect hop, and its DNS resolver drops forbidden addresses from every lookup, so the check
//! holds for the addresses actually connected to (no DNS-rebinding gap).

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::FetchError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which hosts may be private. The default policy allows none: only public addresses.
///
/// Cheap to clone, and clones share one allow-list, so a [`crate::Fetcher`] built with a policy
/// sees hosts allowed on it later.
#[derive(Debug, Clone, Default)]
pub struct NetPolicy {
    allowed: Arc<RwLock<HashSet<String>>>,
}

impl NetPolicy {
    /// The safe policy: nothing but public addresses.
    pub fn new() -> NetPolicy {
        NetPolicy::default()
    }

    /// A policy allowing `hosts` (see [`NetPolicy::allow_hosts`]).
    pub fn allowing<I, S>(hosts: I) -> NetPolicy
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let policy = NetPolicy::new();
        policy.allow_hosts(hosts);
        policy
    }

    /// Allows each of `hosts` to be private, loopback, `localhost`, …: the hosts of sources
    /// the user added. An entry is a host name, an IP literal (`127.0.0.1`, `::1`, `[::1]`),
    /// either with a port, or a whole URL (`http://127.0.0.1:4000/feed.xml`), whose host is
    /// taken; the port is ignored. Entries that hold no host (folder paths, `git@host:repo`)
    /// are skipped.
    pub fn allow_hosts<I, S>(&self, hosts: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys: Vec<String> = hosts.into_iter().filter_map(|h| entry_key(h.as_ref())).collect();
        self.write().extend(keys);
    }

    /// Replaces the allow-list with `hosts` (same forms as [`NetPolicy::allow_hosts`]), e.g.
    /// with the current sources' locations, so a removed source's host is no longer allowed.
    pub fn set_allowed_hosts<I, S>(&self, hosts: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys: HashSet<String> = hosts.into_iter().filter_map(|h| entry_key(h.as_ref())).collect();
        *self.write() = keys;
    }

    /// Like [`NetPolicy::set_allowed_hosts`], keeping only the hosts that are local by
    /// their very form: IP literals and names such as `localhost`, `nas.local`, `router.lan`,
    /// `box.home.arpa`, `x.internal` or a single label. For what *content* may reach (images
    /// in posts, redirects): a public name the reader added (`blog.example`) could answer DNS
    /// with a private address to the requests its posts make, so it stays held to the rule.
    pub fn set_allowed_local_hosts<I, S>(&self, hosts: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys: HashSet<String> = hosts
            .into_iter()
            .filter_map(|h| entry_key(h.as_ref()))
            .filter(|k| {
                k.parse::<IpAddr>().is_ok()
                    || !k.contains('.')
                    || [".local", ".lan", ".home.arpa", ".internal", ".localhost"].iter().any(|s| k.ends_with(s))
            })
            .collect();
        *self.write() = keys;
    }

    /// The allowed hosts, normalised (lower case, no trailing dot, IP literals in canonical
    /// form, no brackets), sorted.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self.read().iter().cloned().collect();
        hosts.sort();
        hosts
    }

    /// Whether `host` (a host name or IP literal, as in a URL) is on the allow-list.
    pub fn is_allowed_host(&self, host: &str) -> bool {
        let key = name_key(host);
        self.read().contains(&key)
    }

    /// [`check_url`] with this policy.
    pub fn check_url(&self, url: &str) -> Result<(), FetchError> {
        check_url(url, self)
    }

    /// Why `url` must not be fetched, or `None` when it may be (before DNS).
    pub(crate) fn refusal(&self, url: &Url) -> Option<String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Some(format!("only http and https URLs are fetched, not {}:", url.scheme()));
        }
        let Some(key) = url_host_key(url) else {
            return Some("the URL has no host".to_string());
        };
        if self.read().contains(&key) {
            return None;
        }
        match key.parse::<IpAddr>() {
            Ok(ip) => describe_forbidden_ip(ip),
            Err(_) => describe_forbidden_name(&key),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashSet<String>> {
        self.allowed.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashSet<String>> {
        self.allowed.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// Checks `url` without fetching it: the scheme is http or https, and the host is on the
/// policy's allow-list or is neither a local/metadata name nor a non-public IP literal.
///
/// A host *name* passes here even when it resolves to a private address — only a lookup can
/// tell, and the answer may change — so a [`crate::Fetcher`] checks the resolved addresses
/// again when it connects. Use this to reject content-derived URLs before storing them.
pub fn check_url(url: &str, policy: &NetPolicy) -> Result<(), FetchError> {
    let parsed = Url::parse(url)
        .map_err(|e| FetchError::Other { url: url.to_string(), reason: format!("not a valid URL: {e}") })?;
    match policy.refusal(&parsed) {
        None => Ok(()),
        Some(reason) => Err(FetchError::Forbidden { url: url.to_string(), reason }),
    }
}

/// Whether `ip` is not a public unicast address, so content-derived URLs must not reach it:
/// unspecified, loopback, private (10/8, 172.16/12, 192.168/16), shared CGNAT (100.64/10),
/// link-local (169.254/16 with the cloud metadata address, fe80::/10), unique-local
/// (fc00::/7), site-local, multicast, broadcast and reserved, documentation and benchmarking
/// ranges, discard-only, Teredo, local-use NAT64, deprecated IPv4-compatible — and the
/// IPv4-mapped, IPv4-translated, NAT64 (64:ff9b::/96) and 6to4 forms of forbidden IPv4
/// addresses.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    forbidden_reason(ip).is_some()
}

/// What kind of non-public address `ip` is ("a private address", …), or `None` if public.
/// For an IPv6 address embedding an IPv4 one, the kind of the embedded address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => v4_reason(v4),
            None => v6_reason(v6),
        },
    }
}

/// `"<ip> is <kind>"`, naming the embedded IPv4 address when there is one.
fn describe_forbidden_ip(ip: IpAddr) -> Option<String> {
    let reason = forbidden_reason(ip)?;
    Some(match ip {
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => format!("{ip} is {reason} (it embeds {v4})"),
            None => format!("{ip} is {reason}"),
        },
        IpAddr::V4(_) => format!("{ip} is {reason}"),
    })
}

/// Host names that always mean this machine or the cloud's metadata service.
fn describe_forbidden_name(name: &str) -> Option<String> {
    let name = name_key(name);
    if name == "localhost" || name.ends_with(".localhost") {
        Some(format!("{name} is a local host name"))
    } else if name == "metadata.google.internal" {
        Some(format!("{name} is a cloud metadata host name"))
    } else {
        None
    }
}

/// (network, prefix length, kind), most specific first.
const V4_RANGES: &[([u8; 4], u32, &str)] = &[
    ([0, 0, 0, 0], 32, "the unspecified address"),
    ([255, 255, 255, 255], 32, "the broadcast address"),
    ([169, 254, 169, 254], 32, "the cloud metadata address"),
    ([0, 0, 0, 0], 8, "a \"this network\" address"),
    ([127, 0, 0, 0], 8, "a loopback address"),
    ([10, 0, 0, 0], 8, "a private address"),
    ([172, 16, 0, 0], 12, "a private address"),
    ([192, 168, 0, 0], 16, "a private address"),
    ([100, 64, 0, 0], 10, "a shared (carrier-grade NAT) address"),
    ([169, 254, 0, 0], 16, "a link-local address"),
    ([192, 0, 0, 0], 24, "an IETF protocol address"),
    ([192, 0, 2, 0], 24, "a documentation address"),
    ([198, 51, 100, 0], 24, "a documentation address"),
    ([203, 0, 113, 0], 24, "a documentation address"),
    ([192, 88, 99, 0], 24, "a 6to4 relay address"),
    ([198, 18, 0, 0], 15, "a benchmarking address"),
    ([224, 0, 0, 0], 4, "a multicast address"),
    ([240, 0, 0, 0], 4, "a reserved address"),
];

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let n = u32::from(ip);
    V4_RANGES.iter().find(|(net, len, _)| n & mask32(*len) == u32::from_be_bytes(*net) & mask32(*len)).map(|r| r.2)
}

fn mask32(len: u32) -> u32 {
    u32::MAX.checked_shl(32 - len).unwrap_or(0)
}

/// (network, prefix length, kind), most specific first; the embedded-IPv4 forms and the
/// unspecified and loopback addresses are handled before.
const V6_RANGES: &[([u16; 8], u32, &str)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, "the unspecified address"),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, "a loopback address"),
    ([0, 0, 0, 0, 0, 0, 0, 0], 96, "a deprecated IPv4-compatible address"),
    ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "a local-use NAT64 address"),
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "a discard-only address"),
    ([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48, "a benchmarking address"),
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "a documentation address"),
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "a Teredo address"),
    ([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, "a reserved (ORCHID) address"),
    ([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, "a reserved (ORCHID) address"),
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "a documentation address"),
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "a segment-routing address"),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "a unique-local address"),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "a link-local address"),
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "a site-local address"),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "a multicast address"),
];

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let n = u128::from(ip);
    V6_RANGES
        .iter()
        .find(|(net, len, _)| n & mask128(*len) == u128::from(Ipv6Addr::from(*net)) & mask128(*len))
        .map(|r| r.2)
}

fn mask128(len: u32) -> u128 {
    u128::MAX.checked_shl(128 - len).unwrap_or(0)
}

/// The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96),
/// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => {
            Some(low(hi, lo))
        }
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        _ => None,
    }
}

fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// A host as the allow-list keeps it: lower case, no trailing dot, IP literals canonical.
fn name_key(host: &str) -> String {
    let host = host.trim();
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return ip_key(ip);
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    name.to_ascii_lowercase()
}

fn url_host_key(url: &Url) -> Option<String> {
    // `host_str` is normalised for http(s): IPv4 in dotted form (`http://2130706433/` is
    // 127.0.0.1), IPv6 compressed in brackets, names in lower case and punycode.
    Some(name_key(url.host_str()?)).filter(|k| !k.is_empty())
}

/// An allow-list entry (host, host:port, IP literal or URL) as a key.
fn entry_key(entry: &str) -> Option<String> {
    let entry = entry.trim();
    if entry.is_empty() {
        return None;
    }
    let bare = entry.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(entry);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(ip_key(ip));
    }
    let url = if entry.contains("://") {
        Url::parse(entry).ok()?
    } else if entry.contains(|c: char| matches!(c, '/' | '\\' | '@' | '?' | '#') || c.is_whitespace()) {
        // A folder path or an scp-style git location, not a host: nothing to allow.
        return None;
    } else {
        Url::parse(&format!("http://{entry}/")).ok()?
    };
    url_host_key(&url)
}

/// Why a request was refused; found again in a `reqwest::Error`'s source chain by `classify`.
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}

impl std::error::Error for Refusal {}

#[derive(Debug)]
pub(crate) struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

/// The redirect policy: at most `max` redirects, each to a URL the policy allows.
pub(crate) fn redirect_policy(policy: NetPolicy, max: usize) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        // The first of `previous` is the URL asked for, not a redirect.
        if attempt.previous().len() > max {
            return attempt.error(TooManyRedirects);
        }
        match policy.refusal(attempt.url()) {
            Some(reason) => {
                let reason = format!("redirected to {}, and {reason}", attempt.url());
                attempt.error(Refusal(reason))
            }
            None => attempt.follow(),
        }
    })
}

/// Looks a host name up: the system resolver, or a stand-in in tests.
pub(crate) type Lookup =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>> + Send + Sync>;

/// The system resolver (getaddrinfo on tokio's blocking pool, as reqwest's default does).
pub(crate) fn system_lookup() -> Lookup {
    Arc::new(|host: String| Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) }))
}

/// A resolver that drops forbidden addresses: a name that resolves only to forbidden
/// addresses fails with a [`Refusal`]; one with public addresses too connects to those only.
/// Allowed hosts resolve unfiltered.
pub(crate) struct GuardedResolver {
    pub(crate) policy: NetPolicy,
    pub(crate) lookup: Lookup,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let policy = self.policy.clone();
        let lookup = self.lookup.clone();
        Box::pin(async move {
            let allowed = policy.is_allowed_host(&host);
            if !allowed {
                if let Some(reason) = describe_forbidden_name(&host) {
                    return Err(Box::new(Refusal(reason)) as BoxError);
                }
            }
            let addrs = lookup(host.clone()).await?;
            let addrs = if allowed { addrs } else { keep_public(&host, addrs)? };
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The public ones of the addresses `host` resolved to; a refusal if there are none.
pub(crate) fn keep_public(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Refusal> {
    let (public, forbidden): (Vec<SocketAddr>, Vec<SocketAddr>) =
        addrs.into_iter().partition(|a| !is_forbidden_ip(a.ip()));
    match forbidden.first().and_then(|a| describe_forbidden_ip(a.ip())) {
        Some(why) if public.is_empty() => Err(Refusal(format!("{host} resolves only to non-public addresses: {why}"))),
        _ => Ok(public),
    }
}

/// The refusal in `e`'s source chain, if a policy check failed.
pub(crate) fn find_refusal(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refusal>() {
            return Some(r.0.clone());
        }
        cur = err.source();
    }
    None
}
