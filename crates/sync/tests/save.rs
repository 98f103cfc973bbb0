//! Saving web pages for offline reading, against real-shaped article pages served on
//! 127.0.0.1: what is kept and dropped, saving again, pages with no article, hostile pages.

mod support;

use broadsheet_model::{ArticleQuery, Filters};
use broadsheet_sync::{CancellationToken, Engine, SaveError, SharedStore, SyncOptions, Trigger};
use support::*;

/// A news article as sites serve them: navigation, an ad, the story with a picture, related
/// links, comments, a cookie banner and scripts.
fn article_page(body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens after repairs | The Daily Example</title>
<meta property="og:title" content="Harbour bridge reopens after repairs">
<meta property="og:site_name" content="The Daily Example">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-03-02T08:15:00+08:00">
<script>window.tracker = "TRACKER-SCRIPT";</script>
<style>.x {{ color: red }}</style></head>
<body>
<header class="site-header"><nav class="main-nav"><ul>
  <li><a href="/world">World</a></li><li><a href="/sport">Sport NAVLINK</a></li><li><a href="/weather">Weather</a></li>
</ul></nav></header>
<div class="ad-banner advertisement" id="ad-top"><a href="https://ads.example/click">ADVERT: buy shoes now</a></div>
<main><article class="post">
  <h1>Harbour bridge reopens after repairs</h1>
  <p class="byline">By Jane Reporter</p>
  {body}
  <figure><img src="/img/bridge.png" alt="The bridge"><figcaption>The bridge at dawn.</figcaption></figure>
  <p>Officials said the final inspection found the new cables sound, and traffic will return to full capacity by the end of the month, well ahead of the holiday season.</p>
</article></main>
<aside class="related sidebar"><h3>Related</h3><ul><li><a href="/a">RELATED: Ferry fares rise</a></li><li><a href="/b">Other story</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3>
  <div class="comment"><p>COMMENT: first! this bridge is great</p></div>
  <div class="comment"><p>COMMENT: traffic was awful</p></div>
</section>
<div class="cookie-banner">We use cookies. <button onclick="accept()">Accept</button></div>
<footer class="site-footer"><p>FOOTER © The Daily Example</p></footer>
<script src="https://tracker.example/t.js"></script>
</body></html>"#
    )
}

const STORY: &str = "<p>The harbour bridge reopened to traffic on Monday after eighteen months of repairs that replaced every one of its main suspension cables and most of the deck.</p>
  <p>Commuters crossed in their thousands before dawn, many of them stopping to photograph the new lighting along the span, which engineers said would cut the bridge's power use by half.</p>
  <p>「新桥终于通车了」, one cyclist said, adding that the detour through the old town had added forty minutes to each journey since the closure began.</p>";

fn setup(dir: &std::path::Path) -> (Http, SharedStore, Engine) {
    let web = dir.join("web");
    std::fs::create_dir_all(web.join("img")).unwrap();
    let png =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/site/images/chip-wafer.png"))
            .unwrap();
    std::fs::write(web.join("img/bridge.png"), png).unwrap();
    let http = Http::serve(&web);
    let store = archive(dir);
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.join("data")));
    (http, store, engine)
}

fn saved_ids(store: &SharedStore) -> Vec<broadsheet_model::ArticleId> {
    let s = store.lock().unwrap();
    let sources = s.sources().unwrap();
    let Some(saved) = sources.iter().find(|s| s.kind == "saved") else { return Vec::new() };
    let q = ArticleQuery { filters: Filters { source: Some(saved.id), ..Default::default() }, ..Default::default() };
    s.list_articles(&q).unwrap().into_iter().map(|a| a.id).collect()
}

#[test]
fn a_saved_article_keeps_the_story_its_picture_and_metadata_and_drops_the_page_around_it() {
    let dir = tempfile::tempdir().unwrap();
    let (http, store, engine) = setup(dir.path());
    std::fs::write(dir.path().join("web/bridge.html"), article_page(STORY)).unwrap();
    let rt = rt();
    let saved = rt.block_on(engine.save_page(&http.url("/bridge.html"), &["later".into()])).unwrap();
    assert!(saved.extracted, "{saved:?}");
    assert!(!saved.again);
    assert!(saved.warnings.is_empty(), "{:?}", saved.warnings);

    let detail = store.lock().unwrap().article(saved.id).unwrap();
    assert_eq!(detail.summary.title, "Harbour bridge reopens after repairs");
    assert_eq!(detail.summary.url.as_deref(), Some(http.url("/bridge.html").as_str()));
    assert_eq!(detail.summary.date, "2026-03-02T08:15:00+08:00");
    assert_eq!(detail.summary.source, "Saved");
    assert_eq!(detail.summary.category_names, ["The Daily Example"]);
    assert_eq!(detail.summary.user_tags, ["later"]);
    assert_eq!(detail.lang.as_deref(), Some("en"));
    assert_eq!(detail.author.as_deref(), Some("Jane Reporter"));
    for kept in ["eighteen months of repairs", "新桥终于通车了", "full capacity by the end of the month"] {
        assert!(detail.text.contains(kept), "lost {kept:?}:\n{}", detail.text);
    }
    for dropped in ["NAVLINK", "ADVERT", "RELATED", "COMMENT", "FOOTER", "TRACKER", "cookies", "color: red"] {
        assert!(!detail.text.contains(dropped) && !detail.html.contains(dropped), "kept {dropped:?}:\n{}", detail.html);
    }
    assert!(!detail.html.contains("<script") && !detail.html.contains("onclick"), "{}", detail.html);
    // Searchable like any post, Chinese included.
    for q in ["suspension cables", "新桥"] {
        let query = broadsheet_model::SearchQuery { query: q.into(), ..Default::default() };
        let hits = store.lock().unwrap().search(&query).unwrap();
        assert_eq!(hits.iter().map(|h| h.summary.id).collect::<Vec<_>>(), [saved.id], "{q}");
    }
    let extra: serde_json::Value =
        serde_json::from_str(&store.lock().unwrap().article_extra(saved.id).unwrap()).unwrap();
    assert_eq!(extra["author"], "Jane Reporter");
    assert_eq!(extra["site_name"], "The Daily Example");

    // Its picture, resolved against the page and stored for offline reading.
    let img = http.url("/img/bridge.png");
    assert_eq!(detail.images, std::slice::from_ref(&img));
    let (stored, failed) = rt.block_on(engine.run_images(CancellationToken::new(), std::sync::Arc::new(|_| {})));
    assert_eq!((stored, failed), (1, 0));
    assert!(store.lock().unwrap().has_image(&img).unwrap());
    http.stop();
    assert!(store.lock().unwrap().image(&img).unwrap().is_some(), "readable with the site gone");
}

#[test]
fn saving_a_url_again_updates_the_one_post_and_keeps_its_marks() {
    let dir = tempfile::tempdir().unwrap();
    let (http, store, engine) = setup(dir.path());
    let page = dir.path().join("web/bridge.html");
    std::fs::write(&page, article_page(STORY)).unwrap();
    let rt = rt();
    let first = rt.block_on(engine.save_page(&http.url("/bridge.html"), &[])).unwrap();
    store.lock().unwrap().set_bookmark(first.id, true).unwrap();

    std::fs::write(&page, article_page(&STORY.replace("eighteen months", "nineteen months"))).unwrap();
    // The same page through a redirect and with a fragment: still the same post.
    let again = rt.block_on(engine.save_page(&format!("{}#comments", http.url("/redirect/bridge.html")), &[])).unwrap();
    assert_eq!(again.id, first.id);
    assert!(again.again);
    assert_eq!(saved_ids(&store), [first.id]);
    let detail = store.lock().unwrap().article(first.id).unwrap();
    assert!(detail.text.contains("nineteen months"), "{}", detail.text);
    assert!(detail.summary.bookmarked, "the bookmark survived the update");
}

#[test]
fn a_page_with_no_article_is_kept_whole_and_sanitised_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (http, store, engine) = setup(dir.path());
    std::fs::write(
        dir.path().join("web/wall.html"),
        r#"<html><head><title>Sign in to read</title><script>steal()</script></head>
<body><form action="/login"><input name="u"><button>Sign in</button></form><p>Subscribers only.</p>
<iframe src="https://evil.example/"></iframe></body></html>"#,
    )
    .unwrap();
    let rt = rt();
    let saved = rt.block_on(engine.save_page(&http.url("/wall.html"), &[])).unwrap();
    assert!(!saved.extracted);
    assert!(saved.warnings.iter().any(|w| w.contains("/wall.html")), "{:?}", saved.warnings);
    let detail = store.lock().unwrap().article(saved.id).unwrap();
    assert_eq!(detail.summary.title, "Sign in to read");
    assert!(detail.text.contains("Subscribers only."), "{}", detail.text);
    for gone in ["<script", "steal()", "<form", "<iframe", "<input"] {
        assert!(!detail.html.contains(gone), "kept {gone}: {}", detail.html);
    }
}

#[test]
fn hostile_pages_are_refused_or_kept_bounded_and_nothing_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let (http, store, engine) = setup(dir.path());
    let web = dir.path().join("web");
    // 200,000 nested elements: too deep to hand to the extractor; kept as text.
    std::fs::write(
        web.join("deep.html"),
        format!("<title>Deep</title>{}x{}", "<div>".repeat(200_000), "</div>".repeat(200_000)),
    )
    .unwrap();
    // A GBK page naming its charset only in a meta tag.
    let page = format!(
        "<html><head><meta charset=\"gbk\"><title>新闻</title></head><body><article><h1>港口大桥重新开放</h1>{}</article></body></html>",
        "<p>经过十八个月的维修，港口大桥周一重新通车，所有主悬索和大部分桥面都已更换。清晨时分，数千名通勤者驾车驶过大桥。</p>".repeat(4)
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&page);
    std::fs::write(web.join("gbk.htm"), &gbk).unwrap();
    let rt = rt();

    let deep = rt.block_on(engine.save_page(&http.url("/deep.html"), &[])).unwrap();
    assert!(!deep.extracted);
    assert!(deep.warnings.iter().any(|w| w.contains("deep.html")), "{:?}", deep.warnings);

    let cn = rt.block_on(engine.save_page(&http.url("/gbk.htm"), &[])).unwrap();
    let detail = store.lock().unwrap().article(cn.id).unwrap();
    assert!(detail.text.contains("港口大桥周一重新通车"), "{}", detail.text);
    assert_eq!(detail.lang.as_deref().map(|l| &l[..2]), Some("zh"));

    // Not a page, too large, not a URL, nowhere: clear errors naming what was asked.
    let png = rt.block_on(engine.save_page(&http.url("/img/bridge.png"), &[])).unwrap_err();
    assert!(matches!(png, SaveError::NotAPage { .. }) && png.to_string().contains("bridge.png"), "{png}");
    let huge = rt.block_on(engine.save_page(&http.url("/fault/huge"), &[])).unwrap_err();
    assert!(huge.to_string().contains("/fault/huge"), "{huge}");
    for bad in ["javascript:alert(1)", "file:///etc/passwd", "not a url", "http://a b/"] {
        let e = rt.block_on(engine.save_page(bad, &[])).unwrap_err();
        assert!(matches!(e, SaveError::NotAUrl(_)), "{bad}: {e}");
    }
    let before = saved_ids(&store);
    http.stop();
    assert!(rt.block_on(engine.save_page("http://127.0.0.1:9/x.html", &[])).is_err());
    assert_eq!(saved_ids(&store), before, "a failed save changes nothing");
}

#[test]
fn saved_pages_outlive_retention_and_syncs_and_travel_in_backups() {
    let dir = tempfile::tempdir().unwrap();
    let (http, store, engine) = setup(dir.path());
    // Published long ago: older than any retention.
    std::fs::write(
        dir.path().join("web/old.html"),
        article_page(STORY).replace("2026-03-02T08:15:00+08:00", "2001-01-01T00:00:00Z"),
    )
    .unwrap();
    let rt = rt();
    let saved = rt.block_on(engine.save_page(&http.url("/old.html"), &[])).unwrap();
    let removed = store.lock().unwrap().apply_retention(30).unwrap();
    assert_eq!(removed.articles, 0);
    // A sync of everything leaves the saved source alone (nothing to sync it from).
    let report = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), std::sync::Arc::new(|_| {})));
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(saved_ids(&store), [saved.id]);
    // The run reset what hosts may be reached from the sources, yet the saved page's own
    // (the reader named it) stayed allowed: its picture was fetched in that run's image phase.
    assert!(store.lock().unwrap().has_image(&http.url("/img/bridge.png")).unwrap(), "{report:?}");

    let backup = store.lock().unwrap().backup().unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = archive(other_dir.path());
    other.lock().unwrap().restore(&backup).unwrap();
    let ids = saved_ids(&other);
    assert_eq!(ids.len(), 1);
    let restored = other.lock().unwrap().article(ids[0]).unwrap();
    assert_eq!(restored.summary.title, "Harbour bridge reopens after repairs");
}
