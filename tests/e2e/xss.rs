//! Hostile content in the real window. Every vector of `crates/html/tests/xss/vectors.txt` is
//! put into a small Jekyll site (post bodies, titles, categories, tags, the site's name) that
//! is imported into a fresh archive, with hostile user tags on top and a hostile RSS feed
//! (channel title, item titles, descriptions, categories, authors) synced by the real engine; the app is started on it and
//! every post is opened, its in-app links followed, the sidebar and a search walked through.
//! Nothing may run: no canary set (`top.__xss`, `document.title`), no request to the listener
//! the vectors point at, no navigation away from the app, no CSP violation (one would mean
//! something hostile reached the page and only the CSP stopped it), no second window.
//! A second test drives the navigation guard directly (src-tauri/src/guard.rs).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;

use crate::harness::{screenshot_dir, App};

const VECTORS: &str = include_str!("../../crates/html/tests/xss/vectors.txt");

/// Vectors per post: the whole test stays around a minute.
const PER_POST: usize = 10;

/// A listener on 127.0.0.1 that records every request; the vectors point at it (`CANARY`).
struct Canary {
    host: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Canary {
    fn start() -> Canary {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let host = format!("127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
        let hits = Arc::new(Mutex::new(Vec::new()));
        let seen = hits.clone();
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let agent = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("User-Agent"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                seen.lock().unwrap().push(format!("{} {} [{agent}]", req.method(), req.url()));
                let _ = req.respond(tiny_http::Response::from_string("pwned").with_status_code(404));
            }
        });
        Canary { host, hits }
    }

    /// Requests that did not come from the sync engine, which downloads every http(s) image
    /// of a post for the offline cache (that is its job, and it identifies itself).
    fn webview_hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().iter().filter(|h| !h.contains("[Broadsheet/")).cloned().collect()
    }
}

fn vectors(host: &str) -> Vec<String> {
    VECTORS.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(|l| l.replace("CANARY", host)).collect()
}

/// A YAML double-quoted scalar (JSON's escapes are YAML's).
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

const SITE_URL: &str = "https://hostile.example";

/// The marker paragraph written after vector `i`: finding it in a post's text shows the
/// vector before it was rendered on its own and hid nothing after it.
fn marker(i: usize) -> String {
    format!("vector-{i:03}")
}

/// Whether a vector swallows whatever follows it in a post (an unclosed comment, `<script>` or
/// MathML `<style>`), through the import's own Markdown and sanitiser.
fn swallows(vector: &str) -> bool {
    let end = "after-the-vector";
    !broadsheet_jekyll::render_body(&format!("{vector}\n\n{end}\n"), Some(SITE_URL)).text.contains(end)
}

/// Which vectors go in which post (indices into `vectors`). A vector that swallows what
/// follows it goes last in a post, so it hides none of the others; the rest fill the posts in
/// order.
fn layout(vectors: &[String]) -> Vec<Vec<usize>> {
    let (last, rest): (Vec<usize>, Vec<usize>) = (0..vectors.len()).partition(|&i| swallows(&vectors[i]));
    let mut posts: Vec<Vec<usize>> = rest.chunks(PER_POST - 1).map(<[usize]>::to_vec).collect();
    for (n, i) in last.into_iter().enumerate() {
        match posts.get_mut(n) {
            Some(post) => post.push(i),
            None => posts.push(vec![i]),
        }
    }
    posts
}

/// Writes a Jekyll site whose posts carry the vectors (bodies, titles, categories, tags, and
/// the site's name); returns its layout.
fn write_site(root: &Path, vectors: &[String]) -> Vec<Vec<usize>> {
    std::fs::create_dir_all(root.join("_posts")).unwrap();
    std::fs::write(
        root.join("_config.yml"),
        format!(
            "title: {}\nurl: {}\ntimezone: UTC\n",
            yaml("<img src=x onerror=top.__xss=1> Hostile Herald \"><script>top.__xss=1</script>"),
            yaml(SITE_URL)
        ),
    )
    .unwrap();
    let pick = |n: usize| vectors[n % vectors.len()].as_str();
    let posts = layout(vectors);
    for (i, post) in posts.iter().enumerate() {
        let date = format!("2024-{:02}-{:02}", i / 28 + 1, i % 28 + 1);
        let front = format!(
            "---\ntitle: {}\ndate: {date} 08:00:00 +0000\ncategories: [{}, {}]\ntags: [{}, {}]\n---\n",
            yaml(&format!("XSS {i:02} {}", pick(i * 7))),
            yaml(pick(i * 7 + 1)),
            yaml(&format!("xss-{i:02}")),
            yaml(pick(i * 7 + 2)),
            yaml(pick(i * 7 + 3)),
        );
        let mut body = format!("Hostile post {i:02}.\n\n");
        for &v in post {
            body.push_str(&format!("{}\n\n{}\n\n", vectors[v], marker(v)));
        }
        std::fs::write(root.join(format!("_posts/{date}-xss-{i:02}.md")), front + &body).unwrap();
    }
    posts
}

/// The markers the posts must show: every vector's but a swallowing one's own.
fn expected_markers(vectors: &[String]) -> Vec<String> {
    (0..vectors.len()).filter(|&i| !swallows(&vectors[i])).map(marker).collect()
}

/// Imports the site into a fresh archive in `data_dir` (so the app starts on it instead of the
/// sample) and gives the newest post hostile user tags.
async fn seed(data_dir: &Path, site: &Path, vectors: &[String]) {
    let mut store = broadsheet_store::Store::open(&data_dir.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
    let report =
        broadsheet_import::import_path(&mut store, site, broadsheet_import::ImportOptions::default(), &mut |_, _| {})
            .unwrap();
    assert!(report.imported > 0, "nothing imported: {report}");
    let newest = store.list_articles(&Default::default()).unwrap()[0].id;
    store
        .set_user_tags(
            newest,
            &["<img src=x onerror=top.__xss=1>".to_string(), "\"><svg onload=top.__xss=1>".to_string()],
        )
        .unwrap();
    // A hostile feed too, through the real sync engine: vectors in the channel's title (the
    // source's name), item titles, descriptions, categories and authors.
    let shared = std::sync::Arc::new(std::sync::Mutex::new(store));
    let url = serve_once(hostile_feed(vectors));
    broadsheet_sync::add_source(&shared, &url, Some(broadsheet_sync::SourceKind::Feed), None).await.unwrap();
    let mut opts = broadsheet_sync::SyncOptions::new(data_dir);
    opts.images = false;
    let engine = broadsheet_sync::Engine::new(shared, opts);
    let r = engine
        .run_sources(broadsheet_sync::Trigger::Now(None), broadsheet_sync::CancellationToken::new(), Arc::new(|_| {}))
        .await;
    assert_eq!((r.failures.len(), r.new), (0, FEED_ITEMS), "the hostile feed synced: {r:?}");
}

/// Items in the hostile feed.
const FEED_ITEMS: usize = 6;

/// An RSS feed whose every text field carries vectors (XML-escaped, as a feed carries HTML).
fn hostile_feed(vectors: &[String]) -> String {
    let x = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let items: String = (0..FEED_ITEMS)
        .map(|i| {
            let v = |k: usize| x(&vectors[(i * 5 + k) % vectors.len()]);
            format!(
                "<item><title>Feed {i} {}</title><link>https://hostile.example/feed/{i}</link>\
                 <guid>feed-{i}</guid><pubDate>Mon, 0{} Jan 2024 08:00:00 GMT</pubDate>\
                 <category>{}</category><author>x@hostile.example ({})</author>\
                 <description>{} &lt;p&gt;feed-vector-{i}&lt;/p&gt; {}</description></item>",
                v(0),
                i + 1,
                v(1),
                v(2),
                v(3),
                v(4)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{}</title>\
         <link>https://hostile.example/</link><description>d</description>{items}</channel></rss>",
        x(&format!("Hostile Wire {}", vectors[0]))
    )
}

/// Serves `body` as a feed at a URL on 127.0.0.1, for as long as the test runs.
fn serve_once(body: String) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/feed.xml", server.server_addr().to_ip().unwrap().port());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let header = tiny_http::Header::from_bytes("Content-Type", "application/rss+xml").unwrap();
            let _ = req.respond(tiny_http::Response::from_string(body.clone()).with_header(header));
        }
    });
    url
}

/// What the page says about itself: canaries, address, CSP violations seen since the probe.
async fn state(app: &App) -> Value {
    app.eval(
        "return { xss: typeof window.__xss !== 'undefined', title: document.title, href: location.href,
                  violations: Array.isArray(window.__violations) ? window.__violations : null }",
    )
    .await
}

/// Fails unless nothing has run since the probe was installed.
async fn assert_nothing_ran(app: &App, canary: &Canary, home: &str, title: &str, when: &str) {
    let s = state(app).await;
    let hits = canary.webview_hits();
    let quiet = s["xss"] == false
        && s["title"] == title
        && s["href"] == home
        && s["violations"].as_array().is_some_and(|v| v.is_empty())
        && hits.is_empty();
    if !quiet {
        app.screenshot("failed-xss.png").await;
        panic!("something ran {when}: {s:#}\nlistener hits: {hits:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_posts_run_nothing_in_the_real_window() {
    let _one = crate::harness::one_window_at_a_time().await;
    let canary = Canary::start();
    let vectors = vectors(&canary.host);
    let site = tempfile::tempdir().unwrap();
    let posts = write_site(site.path(), &vectors).len() + FEED_ITEMS;
    let data = tempfile::tempdir().unwrap();
    seed(data.path(), site.path(), &vectors).await;

    let app = App::launch_in(data.path()).await;
    app.wait_until(
        "every hostile post is listed",
        &format!("return document.querySelectorAll('.article-row').length === {posts}"),
    )
    .await;
    // From here on, any CSP violation is recorded.
    let (home, title): (String, String) = app
        .eval(
            "window.__violations = [];
             document.addEventListener('securitypolicyviolation',
               e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
             return [location.href, document.title]",
        )
        .await;
    // The probe works: an image from the listener is refused by the CSP (never requested) and
    // recorded; then the record is cleared.
    app.eval::<bool>(&format!(
        "const i = document.createElement('img'); i.src = 'http://{}/csp-probe'; document.body.appendChild(i); return true",
        canary.host
    ))
    .await;
    app.wait_until(
        "the CSP probe sees a violation",
        &format!("return window.__violations.some(v => v.includes({:?}))", canary.host),
    )
    .await;
    app.eval::<bool>("window.__violations.length = 0; return true").await;
    assert_nothing_ran(&app, &canary, &home, &title, "while listing the posts").await;

    let ids: Vec<i64> =
        app.eval("return Array.from(document.querySelectorAll('.article-row')).map(r => Number(r.dataset.id))").await;
    assert_eq!(ids.len(), posts);
    let mut shown = std::collections::HashSet::new();
    for (n, id) in ids.iter().enumerate() {
        // Open the post from the list (clicking again until it shows: the list may be re-rendering).
        app.wait_until(
            &format!("post {id} opens"),
            &format!(
                "const a = document.querySelector('.article');
                 if (a && a.dataset.id === '{id}' && document.querySelector('.article-body')) return true;
                 const r = document.querySelector(\".article-row[data-id='{id}']\"); if (r) r.click(); return false"
            ),
        )
        .await;
        // Every image loaded or failed (its error handlers, were any left, would have run),
        // then frames for animations and focus handlers to fire.
        app.wait_until(
            "its images have loaded or failed",
            "return Array.from(document.querySelectorAll('.article img')).every(i => i.complete)",
        )
        .await;
        app.frames(3).await;
        if n == ids.len() / 2 {
            app.screenshot("xss-hostile-article.png").await;
        }
        // Follow every in-app link of the article (hash routes, some with payloads, and the
        // category chips), then go back to all posts. Web links are left alone: they would
        // start the system browser.
        let (followed, markers): (usize, Vec<String>) = app
            .eval(
                "const text = document.querySelector('.article-body').textContent;
                 const links = Array.from(document.querySelectorAll('.article a[href^=\"#\"]'));
                 for (const a of links) { a.click(); }
                 document.querySelector(\"[data-view='all']\").click();
                 return [links.length, Array.from(text.matchAll(/(feed-)?vector-\\d+/g), m => m[0])]",
            )
            .await;
        shown.extend(markers);
        app.frames(2).await;
        assert_nothing_ran(&app, &canary, &home, &title, &format!("in post {id} ({followed} links followed)")).await;
    }

    // The sidebar: hostile category, site tag and user tag names, each view shown in turn.
    let clicked: usize = app
        .eval(
            "const items = Array.from(document.querySelectorAll(
                 \"[data-category], [data-view^='tag:'], .user-tag-item .nav-item\"));
             for (const b of items) { b.click(); }
             return items.length",
        )
        .await;
    assert!(clicked > posts, "the sidebar lists the hostile names ({clicked} items)");
    let feed_markers = (0..FEED_ITEMS).map(|i| format!("feed-vector-{i}"));
    let missing: Vec<String> =
        expected_markers(&vectors).into_iter().chain(feed_markers).filter(|m| !shown.contains(m)).collect();
    assert!(missing.is_empty(), "vectors the window never showed: {missing:?}");
    assert!(
        app.eval::<bool>(
            "return !!document.querySelector('.user-tag-item') && !!document.querySelector('.source-item')"
        )
        .await,
        "the hostile user tags and source are shown"
    );
    app.frames(2).await;
    assert_nothing_ran(&app, &canary, &home, &title, "in the sidebar's views").await;

    // A search whose snippets quote the hostile text (markup kept as text by the sanitiser).
    let search = app.client.find(Locator::Css(".search-input")).await.unwrap();
    search.send_keys("onerror\u{E007}").await.unwrap();
    app.wait_until(
        "snippets are shown",
        "return document.querySelectorAll('.article-row').length > 0 && !!document.querySelector('.row-snippet mark')",
    )
    .await;
    let markup: Vec<String> = app
        .eval(
            "return Array.from(document.querySelectorAll('.row-snippet *'))
               .filter(e => e.tagName !== 'MARK').map(e => e.outerHTML)",
        )
        .await;
    assert!(markup.is_empty(), "snippets hold markup: {markup:?}");
    app.frames(2).await;
    assert_nothing_ran(&app, &canary, &home, &title, "in search results").await;
    assert_eq!(app.client.windows().await.unwrap().len(), 1, "no window was opened");
    eprintln!("xss: {} vectors in {posts} posts; listener hits: {:?}", vectors.len(), canary.hits.lock().unwrap());
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webview_refuses_to_leave_the_app_or_open_windows() {
    let _one = crate::harness::one_window_at_a_time().await;
    let canary = Canary::start();
    let host = canary.host.clone();
    let app = App::launch().await;
    app.wait_for_list().await;
    let home: String = app.eval("return location.href").await;

    // A script navigating away, and a form posting away.
    app.eval::<bool>(&format!("location.href = 'http://{host}/script-navigation'; return true")).await;
    app.eval::<bool>(&format!(
        "const f = document.createElement('form'); f.action = 'http://{host}/form'; f.method = 'post';
         document.body.appendChild(f); f.submit(); return true"
    ))
    .await;
    // Links outside any article (so the reader's own click handling is not involved), clicked
    // the way a person clicks: in the same window, in a new one, and with the middle button.
    app.eval::<bool>(&format!(
        "for (const [id, target, top] of [['away', '', 0], ['blank', '_blank', 60], ['middle', '', 120]]) {{
           const a = document.createElement('a');
           a.id = id; a.href = 'http://{host}/' + id; a.textContent = id;
           if (target) {{ a.target = target; }}
           Object.assign(a.style, {{ position: 'fixed', top: top + 'px', left: '0', zIndex: '9999',
                                     padding: '12px', background: 'yellow' }});
           document.body.appendChild(a);
         }}
         return true"
    ))
    .await;
    for id in ["away", "blank"] {
        app.client.find(Locator::Css(&format!("#{id}"))).await.unwrap().click().await.unwrap();
    }
    {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_MIDDLE};
        let middle = app.client.find(Locator::Css("#middle")).await.unwrap();
        let actions = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: middle, duration: None, x: 0.0, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_MIDDLE })
            .then(PointerAction::Up { button: MOUSE_BUTTON_MIDDLE });
        app.client.perform_actions(actions).await.unwrap();
    }
    // window.open from a click (a user gesture, so no popup blocker stands in the way) and
    // from a script.
    app.eval::<bool>(&format!(
        "const b = document.createElement('button');
         b.id = 'popup'; b.textContent = 'popup';
         Object.assign(b.style, {{ position: 'fixed', top: '180px', left: '0', zIndex: '9999', padding: '12px' }});
         b.addEventListener('click', () => {{ window.__popup = window.open('http://{host}/popup'); }});
         document.body.appendChild(b); return true"
    ))
    .await;
    app.client.find(Locator::Css("#popup")).await.unwrap().click().await.unwrap();
    let opened: bool = app.eval(&format!("return window.open('http://{host}/window-open') !== null")).await;
    // It was the guard that said no (the app logs each refusal on stderr): wait until each
    // attempt has been refused, then check that none of them got through.
    let refused = |log: &[String], path: &str| {
        log.iter().any(|l| l.starts_with("broadsheet: refused") && l.ends_with(&format!("{host}/{path}")))
    };
    let wanted = ["script-navigation", "away", "middle", "popup"];
    let start = std::time::Instant::now();
    while !wanted.iter().all(|p| refused(&app_log(&host), p)) && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.frames(2).await;

    assert_eq!(app.eval::<String>("return location.href").await, home, "the webview left the app");
    assert!(app.eval::<bool>("return !!document.querySelector('#away')").await, "the page was replaced");
    assert!(!opened, "window.open gave a window");
    assert!(app.eval::<bool>("return !window.__popup").await, "window.open from a click gave a window");
    assert_eq!(app.client.windows().await.unwrap().len(), 1, "a second window was opened");
    let hits = canary.webview_hits();
    assert!(hits.is_empty(), "requests left the app: {hits:?}");
    let log = app_log(&host);
    for path in wanted {
        assert!(refused(&log, path), "no refusal logged for /{path}: {log:#?}");
    }
    eprintln!("guard: {log:#?}");
    app.quit().await;
}

/// Lines of the app's stderr (captured with tauri-driver's, see the harness) that mention `needle`.
fn app_log(needle: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(screenshot_dir()).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("tauri-driver-") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            lines.extend(text.lines().filter(|l| l.contains(needle)).map(String::from));
        }
    }
    lines
}

/// Without a window: the site's layout puts every vector in the archive on its own (a vector
/// that swallows the rest of its post is last in it), as the window test expects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_reaches_the_archive_on_its_own() {
    let _one = crate::harness::one_window_at_a_time().await;
    let vectors = vectors("127.0.0.1:9");
    let site = tempfile::tempdir().unwrap();
    let posts = write_site(site.path(), &vectors);
    let mut placed: Vec<usize> = posts.iter().flatten().copied().collect();
    placed.sort_unstable();
    assert_eq!(placed, (0..vectors.len()).collect::<Vec<_>>(), "each vector once");
    for post in &posts {
        assert!(post.len() <= PER_POST && post.iter().rev().skip(1).all(|&v| !swallows(&vectors[v])), "{post:?}");
    }
    let data = tempfile::tempdir().unwrap();
    seed(data.path(), site.path(), &vectors).await;
    let store = broadsheet_store::Store::open(&data.path().join(broadsheet_store::ARCHIVE_FILE)).unwrap();
    let articles = store.list_articles(&Default::default()).unwrap();
    assert_eq!(articles.len(), posts.len() + FEED_ITEMS);
    let text: String = articles.iter().map(|a| store.article(a.id).unwrap().text + "\n").collect();
    let feed_markers = (0..FEED_ITEMS).map(|i| format!("feed-vector-{i}"));
    let missing: Vec<String> =
        expected_markers(&vectors).into_iter().chain(feed_markers).filter(|m| !text.contains(m.as_str())).collect();
    assert!(missing.is_empty(), "hidden vectors: {missing:?}");
    let swallowing = vectors.iter().filter(|v| swallows(v)).count();
    eprintln!("{} vectors in {} posts, {swallowing} of them swallow the rest of a post", vectors.len(), posts.len());
}
