//! The network policy: content-derived URLs never reach the user's own machine or network,
//! unless the user added that very host as a source. Real servers on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use broadsheet_fetch::{
    check_url, forbidden_reason, is_forbidden_ip, FetchError, Fetched, Fetcher, Limits, NetPolicy, Validators,
};

// ---------------------------------------------------------------------------------------------
// Addresses

const FORBIDDEN: &[&str] = &[
    // IPv4
    "0.0.0.0",
    "0.1.2.3",
    "127.0.0.1",
    "127.0.0.2",
    "127.255.255.254",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "192.168.255.255",
    "100.64.0.1",
    "100.127.255.255",
    "169.254.0.1",
    "169.254.169.254",
    "192.0.0.1",
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    // IPv6
    "::",
    "::1",
    "fe80::1",
    "febf::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fec0::1",
    "ff02::1",
    "ff05::1:3",
    "2001:db8::1",
    "3fff::1",
    "100::1",
    "2001::1",
    "2001:2::1",
    "64:ff9b:1::1",
    // IPv4-mapped, -translated, -compatible, NAT64 and 6to4 forms of forbidden IPv4
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0.0.0.0",
    "::ffff:0:127.0.0.1",
    "::127.0.0.1",
    "::10.0.0.1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "2002:c0a8:101::1",
];

const PUBLIC: &[&str] = &[
    "1.1.1.1",
    "8.8.8.8",
    "93.184.215.14",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "169.253.255.255",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "11.0.0.1",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001::1",
    "::ffff:1.1.1.1",
    "64:ff9b::1.1.1.1",
    "2002:101:101::1",
];

#[test]
fn non_public_addresses_are_forbidden() {
    for ip in FORBIDDEN {
        let parsed: IpAddr = ip.parse().unwrap();
        assert!(is_forbidden_ip(parsed), "{ip} should be forbidden");
    }
}

#[test]
fn public_addresses_are_not() {
    for ip in PUBLIC {
        let parsed: IpAddr = ip.parse().unwrap();
        assert!(!is_forbidden_ip(parsed), "{ip} should be allowed, but is {:?}", forbidden_reason(parsed));
    }
}

#[test]
fn the_reason_says_what_kind_of_address_it_is() {
    let reason = |ip: &str| forbidden_reason(ip.parse().unwrap());
    assert_eq!(reason("10.0.0.5"), Some("a private address"));
    assert_eq!(reason("127.0.0.1"), Some("a loopback address"));
    assert_eq!(reason("::ffff:127.0.0.1"), Some("a loopback address"));
    assert_eq!(reason("64:ff9b::10.0.0.1"), Some("a private address"));
    assert_eq!(reason("169.254.169.254"), Some("the cloud metadata address"));
    assert_eq!(reason("100.64.0.1"), Some("a shared (carrier-grade NAT) address"));
    assert_eq!(reason("fd00::1"), Some("a unique-local address"));
    assert_eq!(reason("fe80::1"), Some("a link-local address"));
    assert_eq!(reason("255.255.255.255"), Some("the broadcast address"));
    assert_eq!(reason("0.0.0.0"), Some("the unspecified address"));
    assert_eq!(reason("::"), Some("the unspecified address"));
    assert_eq!(reason("1.1.1.1"), None);
}

// ---------------------------------------------------------------------------------------------
// URLs, without fetching

fn refused(url: &str, policy: &NetPolicy) -> String {
    match check_url(url, policy) {
        Err(FetchError::Forbidden { url: u, reason }) => {
            assert_eq!(u, url);
            reason
        }
        other => panic!("{url}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn urls_on_non_public_hosts_are_refused() {
    let safe = NetPolicy::new();
    for url in [
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/feed.xml",
        "https://10.0.0.5/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[64:ff9b::10.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]:8080/",
        // Forms the URL parser turns into 127.0.0.1
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://017700000001/",
        "http://127.1/",
        "http://0/",
        // Names that mean this machine or the metadata service
        "http://localhost/",
        "http://LOCALHOST:8080/",
        "http://localhost./",
        "http://app.localhost/",
        "http://metadata.google.internal/computeMetadata/v1/",
    ] {
        refused(url, &safe);
    }
}

#[test]
fn the_message_names_the_url_and_why() {
    let err = check_url("http://10.0.0.5/feed.xml", &NetPolicy::new()).unwrap_err();
    assert_eq!(err.to_string(), "http://10.0.0.5/feed.xml: refused: 10.0.0.5 is a private address");
    let reason = refused("http://[::ffff:127.0.0.1]/", &NetPolicy::new());
    assert_eq!(reason, "127.0.0.1 is a loopback address");
    let reason = refused("http://[64:ff9b::a00:1]/", &NetPolicy::new());
    assert_eq!(reason, "64:ff9b::a00:1 is a private address (it embeds 10.0.0.1)");
    let reason = refused("http://localhost:1/", &NetPolicy::new());
    assert_eq!(reason, "localhost is a local host name");
}

#[test]
fn only_http_and_https_are_fetched() {
    let policy = NetPolicy::allowing(["127.0.0.1", "example.com"]);
    for url in [
        "ftp://example.com/feed.xml",
        "file:///etc/passwd",
        "file://127.0.0.1/etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ws://example.com/",
        "data:text/plain,hello",
        "javascript:alert(1)",
    ] {
        let reason = refused(url, &policy);
        assert!(reason.starts_with("only http and https URLs are fetched"), "{url}: {reason}");
    }
}

#[test]
fn public_urls_pass() {
    let safe = NetPolicy::new();
    for url in [
        "https://example.com/feed.xml",
        "http://news.example.org:8080/a?b=c",
        "http://1.1.1.1/",
        "https://[2606:4700::1111]/",
        "HTTPS://Example.COM/",
        // A name that merely contains "localhost" is not local.
        "http://localhost.example.com/",
        "http://mylocalhost/",
    ] {
        assert_eq!(check_url(url, &safe), Ok(()), "{url}");
    }
}

#[test]
fn a_host_the_user_added_may_be_private_whatever_the_port() {
    let policy =
        NetPolicy::allowing(["127.0.0.1:4000", "http://Intranet.Example.:8080/feed.xml", "[::1]", "localhost"]);
    assert_eq!(policy.allowed_hosts(), vec!["127.0.0.1", "::1", "intranet.example", "localhost"]);
    for url in [
        "http://127.0.0.1/",
        "http://127.0.0.1:9999/images/a.png",
        "http://2130706433:1/",
        "http://[::ffff:127.0.0.1]/",
        "http://intranet.example/",
        "https://INTRANET.example./x",
        "http://[::1]:8080/",
        "http://localhost:4000/",
    ] {
        assert_eq!(check_url(url, &policy), Ok(()), "{url}");
    }
    // Only that very host.
    for url in ["http://127.0.0.2/", "http://10.0.0.1/", "http://app.localhost/", "http://[::2]/"] {
        refused(url, &policy);
    }
}

#[test]
fn the_allow_list_is_shared_by_clones_and_can_be_replaced() {
    let policy = NetPolicy::new();
    let clone = policy.clone();
    refused("http://10.0.0.1/", &clone);
    policy.allow_hosts(["10.0.0.1"]);
    assert_eq!(check_url("http://10.0.0.1/", &clone), Ok(()));
    assert!(clone.is_allowed_host("10.0.0.1"));
    policy.set_allowed_hosts(["http://192.168.1.2/feed.xml"]);
    refused("http://10.0.0.1/", &clone);
    assert_eq!(check_url("http://192.168.1.2/", &clone), Ok(()));
    // Entries that hold no host are skipped.
    policy.allow_hosts(["", "  ", "http://", "/home/me/site", "C:\\site", "git@10.0.0.1:me/site.git", "a b"]);
    assert_eq!(policy.allowed_hosts(), vec!["192.168.1.2"]);
}

#[test]
fn an_invalid_url_is_not_a_refusal() {
    assert!(matches!(check_url("not a url", &NetPolicy::new()), Err(FetchError::Other { .. })));
}

// ---------------------------------------------------------------------------------------------
// Fetching, with real servers

/// A server that answers at most `max` connections, one request each, with `respond(path)`;
/// counts the connections it accepted.
struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
}

fn serve(ip: &str, max: usize, respond: impl Fn(&str) -> String + Send + 'static) -> Option<Server> {
    let listener = TcpListener::bind((ip, 0)).ok()?;
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            // Only so a stuck client cannot hold the thread for ever; no test waits on it.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let _ = stream.write_all(respond(&path).as_bytes());
        }
    });
    Some(Server { port, hits })
}

fn ok(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn redirect(to: &str) -> String {
    format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

fn allowing_localhost_ip() -> Fetcher {
    Fetcher::with_policy(Limits::DOCUMENT, NetPolicy::allowing(["127.0.0.1"]))
}

async fn refusal(fetcher: &Fetcher, url: &str) -> String {
    match fetcher.get(url, &Validators::default()).await {
        Err(FetchError::Forbidden { url: u, reason }) => {
            assert_eq!(u, url, "the error names the URL asked for");
            reason
        }
        other => panic!("{url}: expected a refusal, got {other:?}"),
    }
}

async fn body(fetcher: &Fetcher, url: &str) -> String {
    match fetcher.get(url, &Validators::default()).await {
        Ok(Fetched::Body(r)) => String::from_utf8(r.body).unwrap(),
        other => panic!("{url}: expected a body, got {other:?}"),
    }
}

#[tokio::test]
async fn a_default_fetcher_refuses_a_server_on_this_machine() {
    let server = serve("127.0.0.1", 1, |_| ok("secret")).unwrap();
    let reason = refusal(&Fetcher::new(Limits::DOCUMENT), &format!("http://127.0.0.1:{}/feed.xml", server.port)).await;
    assert_eq!(reason, "127.0.0.1 is a loopback address");
    assert_eq!(server.hits.load(Ordering::SeqCst), 0, "no connection was made");
}

#[tokio::test]
async fn a_server_on_an_allowed_host_is_fetched() {
    let server = serve("127.0.0.1", 1, |_| ok("hello")).unwrap();
    assert_eq!(body(&allowing_localhost_ip(), &format!("http://127.0.0.1:{}/", server.port)).await, "hello");
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_host_allowed_after_the_fetcher_was_built_is_fetched() {
    let server = serve("127.0.0.1", 1, |_| ok("later")).unwrap();
    let fetcher = Fetcher::new(Limits::DOCUMENT);
    let url = format!("http://127.0.0.1:{}/feed.xml", server.port);
    refusal(&fetcher, &url).await;
    // As sync would: the location of a source the user added.
    fetcher.policy().allow_hosts([url.as_str()]);
    assert_eq!(body(&fetcher, &url).await, "later");
}

#[tokio::test]
async fn a_redirect_within_the_allowed_host_is_followed() {
    let server = serve("127.0.0.1", 2, |path| if path == "/a" { redirect("/b") } else { ok("b") }).unwrap();
    assert_eq!(body(&allowing_localhost_ip(), &format!("http://127.0.0.1:{}/a", server.port)).await, "b");
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_redirect_to_another_loopback_address_is_refused() {
    // Where the redirect points: a server on 127.0.0.2 when this system has one (Linux does).
    let inner = serve("127.0.0.2", 1, |_| ok("internal"));
    let inner_port = inner.as_ref().map_or(1, |s| s.port);
    let target = format!("http://127.0.0.2:{inner_port}/");
    let location = target.clone();
    let outer = serve("127.0.0.1", 1, move |_| redirect(&location)).unwrap();
    let reason = refusal(&allowing_localhost_ip(), &format!("http://127.0.0.1:{}/feed.xml", outer.port)).await;
    assert_eq!(reason, format!("redirected to {target}, and 127.0.0.2 is a loopback address"));
    assert_eq!(outer.hits.load(Ordering::SeqCst), 1);
    if let Some(inner) = inner {
        assert_eq!(inner.hits.load(Ordering::SeqCst), 0, "the redirect was not followed");
    }
}

#[tokio::test]
async fn a_redirect_to_localhost_is_refused_even_on_the_same_port() {
    let listener_port = Arc::new(AtomicUsize::new(0));
    let port_in_handler = listener_port.clone();
    let server = serve("127.0.0.1", 2, move |path| {
        if path == "/feed.xml" {
            redirect(&format!("http://localhost:{}/internal", port_in_handler.load(Ordering::SeqCst)))
        } else {
            ok("internal")
        }
    })
    .unwrap();
    listener_port.store(server.port as usize, Ordering::SeqCst);
    let reason = refusal(&allowing_localhost_ip(), &format!("http://127.0.0.1:{}/feed.xml", server.port)).await;
    assert_eq!(
        reason,
        format!("redirected to http://localhost:{}/internal, and localhost is a local host name", server.port)
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 1, "the redirect was not followed");
}

#[tokio::test]
async fn a_redirect_to_another_scheme_is_refused() {
    let server = serve("127.0.0.1", 1, |_| redirect("ftp://127.0.0.1/feed.xml")).unwrap();
    let reason = refusal(&allowing_localhost_ip(), &format!("http://127.0.0.1:{}/", server.port)).await;
    assert!(reason.contains("only http and https URLs are fetched"), "{reason}");
}

#[tokio::test]
async fn redirects_are_still_limited() {
    let server = serve("127.0.0.1", 10, |path| {
        let n: u32 = path.trim_start_matches("/r/").parse().unwrap_or(0);
        redirect(&format!("/r/{}", n + 1))
    })
    .unwrap();
    let limits = Limits { max_redirects: 2, ..Limits::DOCUMENT };
    let fetcher = Fetcher::with_policy(limits, NetPolicy::allowing(["127.0.0.1"]));
    let url = format!("http://127.0.0.1:{}/r/0", server.port);
    match fetcher.get(&url, &Validators::default()).await {
        Err(FetchError::Redirects { url: u }) => assert_eq!(u, url),
        other => panic!("expected too many redirects, got {other:?}"),
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 3, "the URL asked for and two redirects");
}

#[tokio::test]
async fn other_spellings_of_loopback_are_refused() {
    let server = serve("127.0.0.1", 1, |_| ok("secret")).unwrap();
    let fetcher = Fetcher::new(Limits::DOCUMENT);
    let port = server.port;
    for url in [
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://localhost.:{port}/"),
        format!("http://[::1]:{port}/"),
    ] {
        refusal(&fetcher, &url).await;
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
    // The decimal form is the allowed host itself.
    assert_eq!(body(&allowing_localhost_ip(), &format!("http://2130706433:{port}/")).await, "secret");
}

#[tokio::test]
async fn non_http_schemes_are_refused_before_anything_is_sent() {
    let fetcher = allowing_localhost_ip();
    for url in ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO"] {
        let reason = refusal(&fetcher, url).await;
        assert!(reason.starts_with("only http and https URLs are fetched"), "{url}: {reason}");
    }
}

/// What content may reach keeps only the reader's hosts that are local by their form: a public
/// name they added could answer DNS with a private address for its posts' pictures.
#[test]
fn only_hosts_local_by_their_form_are_allowed_to_content() {
    let policy = NetPolicy::new();
    policy.set_allowed_local_hosts([
        "http://127.0.0.1:4000/feed.xml",
        "http://nas.local/feed",
        "https://router.lan/rss",
        "http://box.home.arpa/x",
        "http://intranet/feed",
        "https://blog.example/feed.xml",
        "/home/me/site",
    ]);
    assert_eq!(
        policy.allowed_hosts(),
        ["127.0.0.1", "box.home.arpa", "intranet", "nas.local", "router.lan"],
        "a public name is not among them"
    );
}
