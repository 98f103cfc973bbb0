//! The sync engine against real servers on 127.0.0.1.

mod support;

use std::sync::{Arc, Mutex};

use std::time::Duration;

use broadsheet_model::{ArticleQuery, SyncEvent};
use broadsheet_sync::{add_source, CancellationToken, Engine, SharedStore, SourceKind, SyncOptions, Trigger};
use support::*;

fn engine(store: &SharedStore, dir: &std::path::Path) -> Engine {
    Engine::new(store.clone(), SyncOptions::new(&dir.join("data")))
}

type Sink = Arc<dyn Fn(SyncEvent) + Send + Sync>;

fn events() -> (Sink, Arc<Mutex<Vec<SyncEvent>>>) {
    let seen: Arc<Mutex<Vec<SyncEvent>>> = Arc::default();
    let sink = seen.clone();
    (Arc::new(move |e| sink.lock().unwrap().push(e)), seen)
}

/// An Atom feed served from `dir/web` with one post showing `images` (each served under
/// `/img/` as the sample's PNG); the server and the PNG's bytes.
fn image_feed(dir: &std::path::Path, images: &[&str]) -> (Http, Vec<u8>) {
    let web = dir.join("web");
    std::fs::create_dir_all(web.join("img")).unwrap();
    let http = Http::serve(&web);
    let png =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/site/images/chip-wafer.png"))
            .unwrap();
    let mut tags = String::new();
    for name in images {
        std::fs::write(web.join("img").join(name), &png).unwrap();
        tags.push_str(&format!("&lt;img src=\"{}/img/{name}\"&gt;", http.base));
    }
    let feed = format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Img</title><id>urn:img</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title>有图</title><id>urn:1</id><updated>2026-11-01T00:00:00Z</updated><content type="html">&lt;p&gt;图{tags}&lt;/p&gt;</content></entry></feed>"#
    );
    std::fs::write(web.join("feed.xml"), feed).unwrap();
    (http, png)
}

fn count(store: &SharedStore) -> usize {
    store.lock().unwrap().list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap().len()
}

#[test]
fn a_jekyll_feed_is_discovered_synced_and_then_not_modified() {
    broadsheet_testkit::needs_corpus!();
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
    assert_eq!(src.health.last_status.as_deref(), Some("304"));
    let feed_requests = http.requests_to("/finews/_site/feed.xml");
    let last = feed_requests.last().unwrap();
    assert_eq!(last.get("if-none-match"), src.etag.as_ref(), "the ETag goes back exactly as received");
    assert!(last.get("user-agent").unwrap().starts_with("Broadsheet/"));
}

#[test]
fn images_are_cached_without_a_referer_and_show_after_the_server_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let (http, png) = image_feed(dir.path(), &["wafer.png", "fake.png", "missing.png"]);
    std::fs::write(dir.path().join("web/img/fake.png"), "<html>not an image</html>").unwrap();
    std::fs::remove_file(dir.path().join("web/img/missing.png")).unwrap();
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

#[test]
fn a_git_site_is_fetched_shallow_then_only_changes_are_imported() {
    broadsheet_testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("_posts")).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("_config.yml"), "url: https://finews.withounder.com\ntimezone: Asia/Shanghai\n").unwrap();
    let posts: Vec<std::path::PathBuf> = {
        let mut v: Vec<_> =
            std::fs::read_dir(corpus("finews").join("_posts")).unwrap().flatten().map(|e| e.path()).collect();
        v.sort();
        v.into_iter().filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("2021-12-08")).take(9).collect()
    };
    let add = |n: std::ops::Range<usize>, msg: &str| {
        for p in &posts[n] {
            std::fs::copy(p, work.join("_posts").join(p.file_name().unwrap())).unwrap();
        }
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", msg]);
    };
    add(0..2, "first");
    add(2..5, "second");
    let repos = dir.path().join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    git(dir.path(), &["clone", "-q", "--bare", work.to_str().unwrap(), repos.join("site.git").to_str().unwrap()]);
    git(&work, &["remote", "add", "origin", repos.join("site.git").to_str().unwrap()]);
    let url = format!("{}/site.git", git_server(&repos));

    let store = archive(dir.path());
    let rt = rt();
    let id = rt.block_on(add_source(&store, &url, None, None)).unwrap();
    assert_eq!(store.lock().unwrap().sync_source(id).unwrap().kind, "jekyll-git");
    let engine = engine(&store, dir.path());
    let sync = || {
        let (sink, _) = events();
        let r = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink));
        assert!(r.failures.is_empty(), "{:?}", r.failures);
        (r.new, r.updated)
    };
    assert_eq!(sync(), (5, 0));
    let mirror = std::fs::read_dir(dir.path().join("data/git")).unwrap().next().unwrap().unwrap().path();
    assert!(mirror.join("shallow").is_file(), "the first fetch is shallow: history is not downloaded whole");

    // New commits: two new posts and one edited.
    add(5..7, "third");
    let edited = work.join("_posts").join(posts[0].file_name().unwrap());
    let text = std::fs::read_to_string(&edited).unwrap().replacen("title: \"", "title: \"【更新】", 1);
    std::fs::write(&edited, text).unwrap();
    git(&work, &["commit", "-q", "-am", "edit"]);
    git(&work, &["push", "-q", "origin", "main"]);
    assert_eq!(sync(), (2, 1));
    assert_eq!(count(&store), 7);

    // A post moved to old_post/ (as finews does after three days) is the same post, still live.
    let moved = posts[1].file_name().unwrap().to_string_lossy().into_owned();
    std::fs::create_dir_all(work.join("old_post")).unwrap();
    git(&work, &["mv", &format!("_posts/{moved}"), &format!("old_post/{moved}")]);
    git(&work, &["commit", "-q", "-m", "archive"]);
    git(&work, &["push", "-q", "origin", "main"]);
    assert_eq!(sync(), (0, 0));
    // A deleted post stays in the archive, marked.
    let deleted = posts[2].file_name().unwrap().to_string_lossy().into_owned();
    git(&work, &["rm", "-q", &format!("_posts/{deleted}")]);
    git(&work, &["commit", "-q", "-m", "delete"]);
    git(&work, &["push", "-q", "origin", "main"]);
    assert_eq!(sync(), (0, 0));
    let s = store.lock().unwrap();
    let all = s.list_articles(&ArticleQuery { limit: Some(100), ..Default::default() }).unwrap();
    assert_eq!(all.len(), 7, "nothing left the archive");
    let stem = |f: &str| f.trim_end_matches(".md").to_string();
    let key_of = |id: broadsheet_model::ArticleId| {
        s.backup()
            .unwrap()
            .articles
            .into_iter()
            .find(|a| s.article_by_url(a.url.as_deref().unwrap_or("")).ok().flatten() == Some(id))
            .map(|a| a.key)
    };
    for a in &all {
        let key = key_of(a.id).unwrap();
        assert_eq!(s.is_removed_upstream(a.id).unwrap(), key == stem(&deleted), "{key}");
    }
    assert!(all.iter().any(|a| a.title.starts_with("【更新】")));
}

#[test]
fn faults_are_bounded_reported_per_source_and_leave_the_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("good.xml"),
        r#"<rss version="2.0"><channel><title>Good</title><item><title>好消息</title><guid>g1</guid><description>正文</description></item></channel></rss>"#,
    )
    .unwrap();
    let http = Http::serve(&web);
    let store = archive(dir.path());
    let rt = rt();
    let faults = [
        "/fault/500",
        "/fault/429",
        "/fault/invalid-xml",
        "/fault/redirect-loop",
        "/fault/slow",
        "/fault/huge",
        "/fault/gzip-bomb",
    ];
    let mut ids = Vec::new();
    for f in faults {
        ids.push((
            f.to_string(),
            rt.block_on(add_source(&store, &http.url(f), Some(SourceKind::Feed), Some(f))).unwrap(),
        ));
    }
    let reset = resetting_server();
    ids.push(("reset".into(), rt.block_on(add_source(&store, &reset, Some(SourceKind::Feed), Some("reset"))).unwrap()));
    ids.push((
        "dead".into(),
        rt.block_on(add_source(&store, "http://127.0.0.1:9/feed.xml", Some(SourceKind::Feed), Some("dead"))).unwrap(),
    ));
    let good = rt.block_on(add_source(&store, &http.url("/good.xml"), None, None)).unwrap();

    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.limits = broadsheet_fetch::Limits {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
        max_bytes: 1024 * 1024,
        max_redirects: 5,
    };
    let engine = Engine::new(store.clone(), opts);
    let (sink, _) = events();
    let report = rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink));
    assert_eq!(report.new, 1, "the good feed came through");
    assert_eq!(report.failures.len(), ids.len());

    let s = store.lock().unwrap();
    assert_eq!(s.sync_source(good).unwrap().health.last_error, None);
    let expect = [
        ("/fault/500", "HTTP 500"),
        ("/fault/429", "HTTP 429"),
        ("/fault/invalid-xml", "not a feed"),
        ("/fault/redirect-loop", "redirect"),
        ("/fault/slow", "timed out"),
        ("/fault/huge", "larger than"),
        ("/fault/gzip-bomb", "larger than"),
        ("reset", ""),
        ("dead", "connect"),
    ];
    for (name, id) in &ids {
        let src = s.sync_source(*id).unwrap();
        let err = src.health.last_error.clone().unwrap_or_else(|| panic!("{name} has no error recorded"));
        let want = expect.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(err.contains(want), "{name}: {err}");
        assert!(err.contains("127.0.0.1"), "{name}: the error names the URL: {err}");
        assert_eq!(src.health.failures, 1);
        assert!(
            src.health.next_attempt.unwrap() > src.health.last_attempt.unwrap(),
            "{name} will be tried again later"
        );
    }
    let throttled = s.sync_source(ids[1].1).unwrap();
    assert!(
        throttled.health.next_attempt.unwrap() >= throttled.health.last_attempt.unwrap() + 7200,
        "Retry-After is honoured"
    );
}

#[test]
fn cancelling_stops_a_run_early() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::serve(dir.path());
    let store = archive(dir.path());
    let rt = rt();
    for n in 0..3 {
        rt.block_on(add_source(&store, &http.url("/fault/slow"), Some(SourceKind::Feed), Some(&format!("slow{n}"))))
            .unwrap();
    }
    let cancel = CancellationToken::new();
    let (c2, log) = (cancel.clone(), http.log.clone());
    // Cancelled once the slow server has the run's requests (the run is waiting on it).
    std::thread::spawn(move || {
        while !log.lock().unwrap().iter().any(|(p, _)| p == "/fault/slow") {
            std::thread::sleep(Duration::from_millis(5));
        }
        c2.cancel();
    });
    let (sink, seen) = events();
    let start = std::time::Instant::now();
    let report = rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), cancel, sink));
    assert!(report.cancelled);
    assert!(start.elapsed() < Duration::from_secs(3), "a cancelled run does not wait for slow servers");
    assert!(matches!(seen.lock().unwrap().last(), Some(SyncEvent::Finished { cancelled: true, .. })));
}

#[test]
fn a_git_site_can_also_come_from_a_file_url() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let post = "---\ntitle: \"本地仓库\"\ndate: 2022-03-08 10:00:00 +0800\n---\n正文";
    commit_files(&work, &[("_posts/2022-03-08-a.md", post), ("README.md", "not a post")], "one");
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &format!("file://{}", work.display()), None, None)).unwrap();
    let (sink, _) = events();
    let r = rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink));
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.new, 1, "only the post, not the README");

    // Story: what the reader marked survives the post's removal upstream and any re-sync.
    let id = store.lock().unwrap().list_articles(&ArticleQuery::default()).unwrap()[0].id;
    store.lock().unwrap().set_bookmark(id, true).unwrap();
    store.lock().unwrap().tag_article(id, &["keep"]).unwrap();
    git(&work, &["rm", "-q", "_posts/2022-03-08-a.md"]);
    git(&work, &["commit", "-q", "-m", "gone"]);
    for _ in 0..2 {
        let (sink, _) = events();
        rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink));
    }
    let a = store.lock().unwrap().article(id).unwrap();
    assert!(a.summary.bookmarked && a.summary.user_tags == vec!["keep".to_string()]);
}

/// A process killed during a fetch leaves the mirror with a lock file, or (during the first
/// fetch) without its head: the next sync recovers from both instead of failing forever.
#[test]
fn a_git_mirror_left_by_a_killed_fetch_recovers_at_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    commit_files(
        &work,
        &[("_posts/2022-03-08-a.md", "---\ntitle: \"一\"\ndate: 2022-03-08 10:00:00 +0800\n---\n正文")],
        "one",
    );
    let store = archive(dir.path());
    let rt = rt();
    let url = format!("file://{}", work.display());
    rt.block_on(add_source(&store, &url, None, None)).unwrap();
    let sync = || {
        let (sink, _) = events();
        rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink))
    };
    assert!(sync().failures.is_empty());
    let mirrors: Vec<_> = std::fs::read_dir(dir.path().join("data/git")).unwrap().flatten().map(|e| e.path()).collect();
    let [mirror] = mirrors.as_slice() else { panic!("one mirror: {mirrors:?}") };
    // Killed mid-fetch: the head ref's lock file is left behind.
    std::fs::write(mirror.join("refs/broadsheet/head.lock"), "").unwrap();
    commit_files(
        &work,
        &[("_posts/2022-03-09-b.md", "---\ntitle: \"二\"\ndate: 2022-03-09 10:00:00 +0800\n---\n正文")],
        "two",
    );
    let r = sync();
    assert!(r.failures.is_empty(), "a stale lock does not stop the fetch: {:?}", r.failures);
    assert_eq!(r.new, 1);
    // Killed during the first fetch: the mirror exists but never got its head.
    std::fs::remove_file(mirror.join("refs/broadsheet/head")).unwrap();
    let _ = std::fs::remove_file(mirror.join("packed-refs"));
    let r = sync();
    assert!(r.failures.is_empty(), "a half-made mirror is fetched again: {:?}", r.failures);
    assert_eq!(count(&store), 2);
}

#[test]
fn a_git_mirror_grown_past_its_bound_is_fetched_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    commit_files(
        &work,
        &[("_posts/2022-03-08-a.md", "---\ntitle: \"一\"\ndate: 2022-03-08 10:00:00 +0800\n---\n正文")],
        "one",
    );
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &format!("file://{}", work.display()), None, None)).unwrap();
    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.git_limits.max_mirror_bytes = 1 << 20;
    let engine = Engine::new(store.clone(), opts);
    let sync = || {
        let (sink, _) = events();
        rt.block_on(engine.run(Trigger::Now(None), CancellationToken::new(), sink))
    };
    assert!(sync().failures.is_empty());
    let mirrors: Vec<_> = std::fs::read_dir(dir.path().join("data/git")).unwrap().flatten().map(|e| e.path()).collect();
    let [mirror] = mirrors.as_slice() else { panic!("one mirror: {mirrors:?}") };
    // Packs piled up by earlier fetches, past the bound.
    let junk = mirror.join("objects/pack/pack-junk.keep");
    std::fs::write(&junk, vec![0u8; 2 << 20]).unwrap();
    commit_files(
        &work,
        &[("_posts/2022-03-09-b.md", "---\ntitle: \"二\"\ndate: 2022-03-09 10:00:00 +0800\n---\n正文")],
        "two",
    );
    let r = sync();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert!(!junk.exists(), "the mirror was made afresh");
    assert_eq!(count(&store), 2, "and the new post came in");
}

#[test]
fn a_scheduler_tick_with_nothing_due_reports_nothing_but_sync_now_always_answers() {
    let dir = tempfile::tempdir().unwrap();
    let store = archive(dir.path());
    let rt = rt();
    let (sink, seen) = events();
    rt.block_on(engine(&store, dir.path()).run(Trigger::Schedule, CancellationToken::new(), sink.clone()));
    assert!(seen.lock().unwrap().is_empty(), "a quiet tick stays quiet");
    rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink));
    let evs = seen.lock().unwrap().clone();
    assert!(matches!(evs.as_slice(), [SyncEvent::Started { sources: 0 }, SyncEvent::Finished { .. }]), "{evs:?}");
}

/// The image cache's limit the reader sets in the archive (Settings → Your archive, or
/// `broadsheet image-budget`) holds for every later run; a run asked for a limit of its own
/// (the CLI's `--image-budget-mb`) uses that one.
#[test]
fn the_readers_image_cache_limit_holds_unless_a_run_asks_for_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (http, _) = image_feed(dir.path(), &["a.png"]);
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &http.url("/feed.xml"), Some(SourceKind::Feed), None)).unwrap();
    store.lock().unwrap().set_image_budget(0).unwrap();
    let (sink, _) = events();
    let report =
        rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink.clone()));
    assert_eq!(report.images, 0, "a limit of nothing fetches nothing");
    assert!(http.requests_to("/img/a.png").is_empty());
    assert_eq!(store.lock().unwrap().image_budget().unwrap(), Some(0));

    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.image_budget_bytes = 10 * 1024 * 1024;
    opts.image_budget_fixed = true;
    let report = rt.block_on(Engine::new(store.clone(), opts).run(Trigger::Now(None), CancellationToken::new(), sink));
    assert_eq!(report.images, 1, "the run's own limit wins over the archive's");
    assert!(store.lock().unwrap().set_image_budget(broadsheet_store::MAX_IMAGE_BUDGET + 1).is_err());
}

/// A site's own files name what its posts do not: its category pages give the categories'
/// names, its `CNAME` another address; when its `_config.yml` moves the site, the address it
/// had stays the site's.
#[test]
fn a_git_site_names_its_categories_and_keeps_its_other_addresses_from_its_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let post = |cat: &str| {
        format!("---\ntitle: \"{cat} 的消息\"\ndate: 2022-03-08 10:00:00 +0800\ncategories: {cat}\n---\n正文")
    };
    let (a, b) = (post("renminribao"), post("untitled"));
    commit_files(
        &work,
        &[
            ("_config.yml", "url: https://news.example\n"),
            ("CNAME", "old-news.example\n"),
            ("category/renminribao.html", "---\nlayout: category\ntitle: 人民日报\ncategory: renminribao\n---\n"),
            ("category/untitled.html", "---\nlayout: category\n---\n"),
            ("_posts/2022-03-08-a.md", &a),
            ("_posts/2022-03-08-b.md", &b),
        ],
        "one",
    );
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &format!("file://{}", work.display()), None, None)).unwrap();
    let sync = || {
        let (sink, _) = events();
        let r = rt.block_on(engine(&store, dir.path()).run(Trigger::Now(None), CancellationToken::new(), sink));
        assert!(r.failures.is_empty(), "{:?}", r.failures);
    };
    sync();
    let names: std::collections::HashMap<String, String> =
        store.lock().unwrap().categories().unwrap().into_iter().map(|c| (c.slug, c.name)).collect();
    assert_eq!(names["renminribao"], "人民日报", "named by its category page");
    assert_eq!(names["untitled"], "untitled", "a page without a title leaves the slug");
    let source = || store.lock().unwrap().sources().unwrap().into_iter().find(|s| s.kind == "jekyll-git").unwrap();
    assert_eq!(source().site_url.as_deref(), Some("https://news.example"));
    assert_eq!(source().aliases, ["https://old-news.example"]);

    commit_files(&work, &[("_config.yml", "url: https://moved.example\n")], "moved");
    sync();
    assert_eq!(source().site_url.as_deref(), Some("https://moved.example"));
    assert_eq!(source().aliases, ["https://old-news.example", "https://news.example"], "where it was stays the site's");
}

/// One site, read as a git source and as a folder, gives the same posts: the rule of which
/// paths are posts is the jekyll crate's, for both (a `.mkd` post, `old_post/`, a category's
/// `_posts`, a `vendor` category folder inside `_posts`; not `_drafts`, a top-level `_site`,
/// a nested `old_post` or a non-post extension).
#[test]
fn a_site_synced_from_git_and_imported_from_its_folder_has_the_same_posts() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let post = |title: &str| format!("---\ntitle: \"{title}\"\ndate: 2021-12-08 10:00:00 +0800\n---\n<p>{title}</p>\n");
    // Posts, then files that are not: the same list is what both readers must find.
    let posts = [
        "_posts/2021-12-08-plain.md",
        "_posts/2021-12-08-markdown-kind.mkd",
        "_posts/2021-12-08-page.HTML",
        "old_post/2021-12-07-archived.md",
        "tech/_posts/2021-12-06-in-category.markdown",
        "_posts/vendor/2021-12-05-vendor-category.md",
    ];
    let not_posts = [
        "_drafts/2021-12-08-draft.md",
        "_site/_posts/2021-12-08-output.md",
        "docs/old_post/2021-12-08-nested-archive.md",
        "_posts/2021-12-08-notes.txt",
        "README.md",
    ];
    let files: Vec<(&str, String)> = posts.iter().chain(&not_posts).map(|p| (*p, post(p))).collect();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    commit_files(&work, &borrowed, "site");
    let repos = dir.path().join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    git(dir.path(), &["clone", "-q", "--bare", work.to_str().unwrap(), repos.join("site.git").to_str().unwrap()]);
    let url = format!("{}/site.git", git_server(&repos));

    let titles = |store: &broadsheet_store::Store| {
        let mut t: Vec<String> = store
            .list_articles(&ArticleQuery { limit: Some(100), ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|a| a.title)
            .collect();
        t.sort();
        t
    };
    let from_git = {
        let store = archive(&dir.path().join("git"));
        let rt = rt();
        rt.block_on(add_source(&store, &url, None, None)).unwrap();
        let (sink, _) = events();
        let r = rt.block_on(engine(&store, &dir.path().join("git")).run(
            Trigger::Now(None),
            CancellationToken::new(),
            sink,
        ));
        assert!(r.failures.is_empty(), "{:?}", r.failures);
        let s = store.lock().unwrap();
        titles(&s)
    };
    let from_folder = {
        let mut store = broadsheet_store::Store::open(&dir.path().join("folder.sqlite3")).unwrap();
        broadsheet_import::import_path(&mut store, &work, Default::default(), &mut |_, _| {}).unwrap();
        titles(&store)
    };
    let want: Vec<String> = {
        let mut w: Vec<String> = posts.iter().map(|s| s.to_string()).collect();
        w.sort();
        w
    };
    assert_eq!(from_git, want, "git sync");
    assert_eq!(from_folder, want, "folder import");
}
