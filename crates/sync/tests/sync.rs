//! The sync engine against real servers on 127.0.0.1.

mod support;

use std::sync::{Arc, Mutex};

use broadsheet_model::{ArticleQuery, SyncEvent};
use broadsheet_store::Store;
use broadsheet_sync::{add_source, CancellationToken, Engine, SharedStore, SourceKind, SyncOptions, Trigger};
use support::*;

fn archive(dir: &std::path::Path) -> SharedStore {
    Arc::new(Mutex::new(Store::open(&dir.join("data/archive.sqlite3")).unwrap()))
}

fn engine(store: &SharedStore, dir: &std::path::Path) -> Engine {
    Engine::new(store.clone(), SyncOptions::new(&dir.join("data")))
}

fn events() -> (Arc<dyn Fn(SyncEvent) + Send + Sync>, Arc<Mutex<Vec<SyncEvent>>>) {
    let seen: Arc<Mutex<Vec<SyncEvent>>> = Arc::default();
    let sink = seen.clone();
    (Arc::new(move |e| sink.lock().unwrap().push(e)), seen)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn count(store: &SharedStore) -> usize {
    store.lock().unwrap().list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap().len()
}

#[test]
fn a_jekyll_feed_is_discovered_synced_and_then_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::serve(dir.path());
    let (site, published) = jekyll_site(dir.path(), "finews", &http.base);
    let store = archive(dir.path());
    let rt = rt();
    // The site's pages don't link their feed; /feed.xml is found by convention.
    let id = rt.block_on(add_source(&store, &site, None, None)).unwrap();
    let src = store.lock().unwrap().sync_source(id).unwrap();
    assert_eq!((src.kind.as_str(), src.location.as_str()), ("feed", format!("{site}feed.xml").as_str()));

    let (sink, seen) = events();
    let engine = engine(&store, dir.path());
    let report = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink.clone()));
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.new, published);
    assert_eq!(count(&store), published);
    let evs = seen.lock().unwrap().clone();
    assert!(matches!(evs.first(), Some(SyncEvent::Started { sources: 1 })));
    assert!(evs.iter().any(|e| matches!(e, SyncEvent::SourceFinished { done: 1, total: 1, error: None, .. })));
    assert!(matches!(evs.last(), Some(SyncEvent::Finished { .. })));

    // The second fetch is conditional: the server answers 304 and nothing changes.
    let again = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink));
    assert_eq!((again.new, again.updated), (0, 0));
    let src = store.lock().unwrap().sync_source(id).unwrap();
    assert_eq!(src.last_status.as_deref(), Some("304"));
    let feed_requests = http.requests_to(&format!("/finews/_site/feed.xml"));
    let last = feed_requests.last().unwrap();
    assert_eq!(last.get("if-none-match"), src.etag.as_ref(), "the ETag goes back exactly as received");
    assert!(last.get("user-agent").unwrap().starts_with("Broadsheet/"));
}

#[test]
fn images_are_cached_without_a_referer_and_show_after_the_server_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("img")).unwrap();
    let http = Http::serve(&web);
    let png = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/site/images/chip-wafer.png")).unwrap();
    std::fs::write(web.join("img/wafer.png"), &png).unwrap();
    std::fs::write(web.join("img/fake.png"), "<html>not an image</html>").unwrap();
    let feed = format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Img</title><id>urn:img</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title>有图</title><id>urn:1</id><updated>2026-11-01T00:00:00Z</updated><content type="html">&lt;p&gt;图&lt;img src="{b}/img/wafer.png"&gt;&lt;img src="{b}/img/fake.png"&gt;&lt;img src="{b}/img/missing.png"&gt;&lt;/p&gt;</content></entry></feed>"#,
        b = http.base
    );
    std::fs::write(web.join("feed.xml"), feed).unwrap();
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &http.url("/feed.xml"), Some(SourceKind::Feed), Some("图"))).unwrap();
    let (sink, _) = events();
    let report = rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink));
    assert_eq!((report.images, report.image_failures), (1, 2));
    for req in http.requests_to("/img/wafer.png") {
        assert!(!req.contains_key("referer"), "no Referer to hot-link protected hosts");
    }
    let ua = http.requests_to("/img/wafer.png")[0].get("user-agent").cloned().unwrap_or_default();
    assert!(ua.starts_with("Broadsheet/"), "{ua}");
    let image_url = http.url("/img/wafer.png");
    http.stop();

    // Offline: the cached image is served from the archive; the fake and the missing one are
    // not cached, and wait for a later retry rather than being retried at once.
    let s = store.lock().unwrap();
    let cached = s.image(&image_url).unwrap().expect("cached at sync time");
    assert_eq!((cached.mime.as_str(), cached.bytes.len()), ("image/png", png.len()));
    assert!(s.image(&image_url.replace("wafer", "fake")).unwrap().is_none());
    assert!(s.pending_images(None, 10).unwrap().is_empty(), "failed images wait for their retry time");
}
