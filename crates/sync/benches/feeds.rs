//! `cargo xtask bench` (second part): re-syncing 100 unchanged feeds on loopback. The first
//! run fetches every feed; the second must be conditional (ETag → 304) for every one of them.
//! Baseline: the same 100 conditional requests made one after another by a bare HTTP/1.1
//! client over std's TcpStream, in the same process.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use broadsheet_sync::{add_source, CancellationToken, Engine, SyncOptions, Trigger};

const FEEDS: usize = 100;
const ITEMS: usize = 20;

fn feed(i: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {i}</title><link>http://127.0.0.1/{i}</link>"
    );
    for j in 0..ITEMS {
        xml.push_str(&format!(
            "<item><guid>f{i}-{j}</guid><title>第{i}号源的第{j}条</title><pubDate>Mon, 0{} Nov 2026 08:{j:02}:00 GMT</pubDate>\
             <description>&lt;p&gt;正文 {i} {j}，没有变化。&lt;/p&gt;</description></item>",
            1 + j % 9
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

/// Serves the feeds with ETags, answering 304 to a matching If-None-Match; counts 200s and 304s.
fn serve() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let (full, not_modified) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (f, n) = (full.clone(), not_modified.clone());
    let feeds: Vec<String> = (0..FEEDS).map(feed).collect();
    let server = Arc::new(server);
    for _ in 0..4 {
        let (server, feeds, f, n) = (server.clone(), feeds.clone(), f.clone(), n.clone());
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let i: usize =
                    req.url().trim_start_matches("/feed/").trim_end_matches(".xml").parse().unwrap_or(usize::MAX);
                let Some(body) = feeds.get(i) else {
                    let _ = req.respond(tiny_http::Response::empty(404));
                    continue;
                };
                let etag = format!("\"v1-{i}\"");
                let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap();
                let matches = req.headers().iter().any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag);
                if matches {
                    n.fetch_add(1, Ordering::Relaxed);
                    let _ = req.respond(tiny_http::Response::empty(304).with_header(header("ETag", &etag)));
                } else {
                    f.fetch_add(1, Ordering::Relaxed);
                    let resp = tiny_http::Response::from_string(body.clone())
                        .with_header(header("Content-Type", "application/rss+xml"))
                        .with_header(header("ETag", &etag));
                    let _ = req.respond(resp);
                }
            }
        });
    }
    (base, full, not_modified)
}

/// The baseline: 100 conditional GETs, one after another, on fresh connections.
fn bare_conditional_gets(base: &str) -> Duration {
    let addr = base.trim_start_matches("http://").to_string();
    let t = Instant::now();
    for i in 0..FEEDS {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET /feed/{i}.xml HTTP/1.1\r\nHost: {addr}\r\nIf-None-Match: \"v1-{i}\"\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        assert!(out.starts_with(b"HTTP/1.1 304"), "{}", String::from_utf8_lossy(&out));
    }
    t.elapsed()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (base, full, not_modified) = serve();
    let store = broadsheet_sync::SharedStore::new(std::sync::Mutex::new(
        broadsheet_store::Store::open(&dir.path().join("archive.sqlite3")).unwrap(),
    ));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    for i in 0..FEEDS {
        rt.block_on(add_source(&store, &format!("{base}/feed/{i}.xml"), None, None)).unwrap();
    }
    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.images = false;
    let engine = Engine::new(store.clone(), opts);
    let sink: broadsheet_sync::EventSink = Arc::new(|_| {});
    let t = Instant::now();
    let first = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink.clone()));
    let first_time = t.elapsed();
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    let before = (full.load(Ordering::Relaxed), not_modified.load(Ordering::Relaxed));
    let t = Instant::now();
    let again = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink));
    let resync = t.elapsed();
    let (full_2, not_modified_2) =
        (full.load(Ordering::Relaxed) - before.0, not_modified.load(Ordering::Relaxed) - before.1);
    let bare = bare_conditional_gets(&base);
    println!(
        "\n== {FEEDS} feeds on loopback ({ITEMS} items each)\nfirst sync: {} new in {:.0} ms\n\
         no-change re-sync: {:.0} ms ({not_modified_2} answered 304, {full_2} full bodies, {} new, {} updated); \
         bare conditional GETs one by one: {:.0} ms",
        first.new,
        first_time.as_secs_f64() * 1000.0,
        resync.as_secs_f64() * 1000.0,
        again.new,
        again.updated,
        bare.as_secs_f64() * 1000.0,
    );
    broadsheet_testkit::append_performance_record(&[(
        FEEDS,
        "no-change re-sync of feeds (loopback)".into(),
        format!("{:.0} ms, {not_modified_2}× 304, {full_2}× 200", resync.as_secs_f64() * 1000.0),
        format!("bare GETs {:.0} ms", bare.as_secs_f64() * 1000.0),
        format!("{:.1}×", resync.as_secs_f64() / bare.as_secs_f64()),
    )]);
}
